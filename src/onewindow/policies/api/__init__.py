"""The policies' API: one router, its operations in modules by part. Import order matters:
literal paths before patterns (``/policies/evaluate`` before ``/policies/{code}``)."""

from onewindow.policies.api.router import router

# -- calculator
# -- profile
# -- redemption
# -- applications and supervision
# -- officer (last: /policies/{code})
# isort: off
from onewindow.policies.api import catalogue  # noqa: F401
# isort: on

__all__ = ["router"]
