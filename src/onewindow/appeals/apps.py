from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "onewindow.appeals"
    label = "appeals"
    verbose_name = _("诉求工单")

    def ready(self) -> None:
        from onewindow.appeals import notifications

        notifications.register()  # the kinds of message the app sends (core.notifications)
