from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "onewindow.cases"
    label = "cases"
    verbose_name = _("办件")

    def ready(self) -> None:
        from onewindow.cases.tasks import on_calendar_changed
        from onewindow.core.signals import calendar_changed

        calendar_changed.connect(on_calendar_changed, dispatch_uid="cases.recompute_deadlines")
