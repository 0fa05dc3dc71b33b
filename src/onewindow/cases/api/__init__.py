"""Cases over HTTP: apply, read a case, act on it, the task inbox, public progress.

``POST /api/v1/cases``, ``GET /api/v1/cases/{number}``,
``POST /api/v1/cases/{number}/actions/{action}``, ``GET /api/v1/tasks``,
``GET /api/v1/track/{number}?code=…``. Each endpoint parses its input, passes the access
chokepoint (``access_case_by_number``: a case one may not see is "not found") and calls
one service or selector; the services decide who may do what (403) and when (409).

Bodies are validated here against one schema per action; their errors go through the
project's validation handler, so a 422 names the field in the user's language.

One module per use: ``case`` (apply, read), ``actions``, ``inbox``, ``track``; ``output``
renders a case or a task once for all of them; ``router`` is what ``onewindow.api`` mounts.
"""

# isort: off
# Importing a module registers its endpoints, in this order (the OpenAPI document's).
from onewindow.cases.api import case  # noqa: F401
from onewindow.cases.api.actions import ACTIONS
from onewindow.cases.api import inbox, track  # noqa: F401
from onewindow.cases.api.router import router

# isort: on

__all__ = ["ACTIONS", "router"]
