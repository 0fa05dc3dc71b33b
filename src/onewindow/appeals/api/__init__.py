"""The appeals API (``/api/v1/appeals…``, ``/api/v1/knowledge``): one router, its
operations in the submodules (imported here in the order their paths must be tried:
literal paths such as ``/appeals/import`` before ``/appeals/{number}``)."""

# -- each part of the app adds its module below --
# -- knowledge base and duplicates
from onewindow.appeals.api import knowledge  # noqa: F401
from onewindow.appeals.api.router import router

__all__ = ["router"]
