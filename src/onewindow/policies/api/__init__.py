"""The policies' API: one router, its operations in modules by part. Import order matters:
literal paths before patterns (``/policies/evaluate`` before ``/policies/{code}``)."""

from onewindow.policies.api.router import router

# -- calculator
# -- profile
from onewindow.policies.api import profile  # noqa: F401  # isort: skip  # -- profile
# -- redemption
# -- applications and supervision
# -- officer (last: /policies/{code})

__all__ = ["router"]
