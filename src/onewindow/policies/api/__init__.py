"""The policies' API: one router, its operations in modules by part. Import order matters:
literal paths before patterns (``/policies/evaluate`` before ``/policies/{code}``)."""

# -- calculator
# -- profile
# -- redemption
# -- applications and supervision
import onewindow.policies.api.figures  # noqa: F401
from onewindow.policies.api.router import router

# -- officer (last: /policies/{code})

__all__ = ["router"]
