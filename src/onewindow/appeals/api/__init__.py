"""The appeals API (``/api/v1/appeals…``, ``/api/v1/knowledge``): one router, its
operations in the submodules (imported here in the order their paths must be tried:
literal paths such as ``/appeals/import`` before ``/appeals/{number}``)."""

from onewindow.appeals.api.router import router

# isort: split
# -- reports (literal paths /appeals/reports/weekly and /appeals/stats: before /{number})
from onewindow.appeals.api import reports  # noqa: F401  # isort: skip

# -- intake (its literal paths /appeals/import and /appeals/lookup come before
# /appeals/{number})
from onewindow.appeals.api import intake  # noqa: F401  # isort: skip

# -- handling: the list /appeals and the centre's and departments' actions
from onewindow.appeals.api import handling  # noqa: F401  # isort: skip

# -- follow-up and supervision (literal action paths only)
from onewindow.appeals.api import followup  # noqa: F401  # isort: skip

# -- knowledge base and duplicates (/knowledge, /appeals/{number}/duplicates,
# /appeals/duplicates/check)
from onewindow.appeals.api import knowledge  # noqa: F401  # isort: skip

__all__ = ["router"]
