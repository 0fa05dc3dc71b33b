from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "onewindow.appeals"
    label = "appeals"
    verbose_name = _("诉求工单")

    def ready(self) -> None:
        from onewindow.appeals import notifications

        notifications.register()  # the kinds of message appeals sends (core.notifications)

        # -- the clock: deadlines follow a change of working days (as cases' do)
        from onewindow.appeals.tasks import on_calendar_changed
        from onewindow.core.signals import calendar_changed

        calendar_changed.connect(on_calendar_changed, dispatch_uid="appeals.recompute_deadlines")
