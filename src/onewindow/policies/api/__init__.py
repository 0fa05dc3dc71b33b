"""The policies' API: one router, its operations in modules by part. Import order matters:
literal paths before patterns (``/policies/evaluate`` before ``/policies/{code}``)."""

from onewindow.policies.api.router import router

# -- calculator
# -- profile
# -- redemption (literal paths /redemptions, /publicities, /objections)
from onewindow.policies.api import redemption  # noqa: F401  # isort: skip
# -- applications and supervision
# -- officer (last: /policies/{code})

__all__ = ["router"]
