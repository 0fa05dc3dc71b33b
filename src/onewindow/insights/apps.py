from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "onewindow.insights"
    label = "insights"
    verbose_name = _("电子监察与统计")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from onewindow.core.signals import calendar_changed
        from onewindow.insights.aggregates import register_sqlite_median
        from onewindow.insights.tasks import on_calendar_changed

        connection_created.connect(register_sqlite_median, dispatch_uid="insights.sqlite_median")
        calendar_changed.connect(on_calendar_changed, dispatch_uid="insights.calendar_refresh")
