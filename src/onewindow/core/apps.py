from django.apps import AppConfig
from django.core.signals import request_finished, request_started
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def create_cache_tables(sender, using: str = "default", verbosity: int = 1, **kwargs) -> None:
    """After ``migrate``: the table of the database cache (``settings.CACHES``), if one is
    configured; ``createcachetable`` leaves an existing table alone."""
    from django.conf import settings
    from django.core.management import call_command

    if any(
        cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
        for cache in settings.CACHES.values()
    ):
        call_command("createcachetable", database=using, verbosity=max(0, verbosity - 1))


class CoreConfig(AppConfig):
    name = "onewindow.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from onewindow.core import selectors
        from onewindow.core.models import NotificationTemplate
        from onewindow.core.notifications.templates import template_row_changed

        # The calendar revision is read once per request (core.selectors).
        request_started.connect(
            selectors.request_started, dispatch_uid="onewindow.core.calendar_revision_start"
        )
        request_finished.connect(
            selectors.request_finished, dispatch_uid="onewindow.core.calendar_revision_end"
        )
        post_migrate.connect(
            create_cache_tables, sender=self, dispatch_uid="onewindow.core.cache_tables"
        )
        # Every process keeps the message templates (core.notifications.templates).
        for signal in (post_save, post_delete):
            signal.connect(
                template_row_changed,
                sender=NotificationTemplate,
                dispatch_uid=f"onewindow.core.templates_{signal is post_save}",
            )
