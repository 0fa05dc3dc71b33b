"""The policies' API: one router, its operations in modules by part."""

from onewindow.policies.api.router import router

__all__ = ["router"]
