"""The policies' API: one router, its operations in modules by part. Import order matters:
literal paths before patterns (``/policies/evaluate`` before ``/policies/{code}``)."""

# isort: skip_file
from onewindow.policies.api.router import router

# -- calculator (its literal /policies/evaluate before /policies/{code})
from onewindow.policies.api import calculator  # noqa: F401

# -- profile
# -- redemption
# -- applications and supervision (its literal /policies/figures before /policies/{code})
from onewindow.policies.api import figures  # noqa: F401

# -- officer (last: /policies/{code})
# isort: off
from onewindow.policies.api import catalogue  # noqa: F401
# isort: on

__all__ = ["router"]
