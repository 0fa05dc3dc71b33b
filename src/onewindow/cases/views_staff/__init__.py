"""Staff pages of cases: the window desk (窗口工作台), the task inbox (待办任务), the
supervision board (红黄牌监察), and the case page that every role who may see a case
uses (applicants included, with their own actions and without internal comments).

Each view parses input, checks access (a role per page; ``access_case_by_number`` for a
case, "not found" for missing and forbidden alike), calls one selector or one service,
and renders. One module per screen: ``desk``, ``inbox``, ``board``, ``case_page`` (with
its ``timeline`` and ``action_forms``), ``actions`` (the POST handlers) and ``files``;
``common`` holds what they share.
"""
