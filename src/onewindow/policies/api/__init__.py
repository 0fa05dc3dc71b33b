"""The policies' API: one router, its operations in modules by part. Import order matters:
literal paths before patterns (``/policies/evaluate`` before ``/policies/{code}``)."""

# isort: skip_file
from onewindow.policies.api.router import router

# -- calculator (its literal /policies/evaluate before /policies/{code})
from onewindow.policies.api import calculator  # noqa: F401

# -- profile (/enterprises/{uscc}/facts)
from onewindow.policies.api import profile  # noqa: F401

# -- redemption (literal paths /redemptions, /publicities, /objections)
from onewindow.policies.api import redemption  # noqa: F401

# -- applications and supervision (its literal /policies/figures before /policies/{code})
from onewindow.policies.api import figures  # noqa: F401

# -- officer (last: /policies/{code})
from onewindow.policies.api import catalogue  # noqa: F401

__all__ = ["router"]
