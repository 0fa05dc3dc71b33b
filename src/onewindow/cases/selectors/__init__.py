"""Reads of cases worth naming: inboxes, the supervision board, timelines, progress, and
the case as one user sees it (``case_view``: the API's case and the case page).

Lights and sorting are computed in SQL (``with_light``: dates compared with today);
remaining working days are added for the rows of one page only, O(1) each from the
precomputed calendar. One module per reader: ``clock``, ``desks``, ``desk_queues`` (the
window desk), ``case_view``, ``progress``, ``wallet``; callers import from
``onewindow.cases.selectors``.
"""

from onewindow.cases.selectors.case_view import (
    CaseView,
    case_certificates,
    case_tasks,
    case_timeline,
    case_view,
)
from onewindow.cases.selectors.clock import ClockView, case_clock, today, with_remaining
from onewindow.cases.selectors.desks import (
    PAGE_SIZE,
    WARNED_LIGHTS,
    board_counts,
    overdue_supplements,
    supervisor_board,
    task_inbox,
    waiting_only_for_supplement,
    warned_cases,
)
from onewindow.cases.selectors.progress import PublicProgress, public_progress
from onewindow.cases.selectors.wallet import WalletMaterial, wallet_materials

__all__ = [
    "PAGE_SIZE",
    "WARNED_LIGHTS",
    "CaseView",
    "ClockView",
    "PublicProgress",
    "WalletMaterial",
    "board_counts",
    "case_certificates",
    "case_clock",
    "case_tasks",
    "case_timeline",
    "case_view",
    "overdue_supplements",
    "public_progress",
    "supervisor_board",
    "task_inbox",
    "today",
    "waiting_only_for_supplement",
    "wallet_materials",
    "warned_cases",
    "with_remaining",
]
