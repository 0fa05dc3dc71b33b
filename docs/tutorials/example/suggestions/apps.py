from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "suggestions"  # a real app: "onewindow.suggestions"
    label = "suggestions"
    verbose_name = _("意见建议")

    def ready(self) -> None:
        from suggestions import notifications

        notifications.register()  # the kinds of message the app sends (core.notifications)
