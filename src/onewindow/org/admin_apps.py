"""The admin application with OneWindow's admin site (``admin_site.OneWindowAdminSite``):
the admin sits behind the site's login and second factor (docs/decisions/0009).

Kept apart from ``admin_site`` because settings name this class before any model loads.
"""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "onewindow.org.admin_site.OneWindowAdminSite"

    def ready(self) -> None:
        super().ready()  # discovers each app's admin module
        from onewindow.org import login_admin  # noqa: F401  (failed-login counts, unlock)
