from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "onewindow.reviews"
    label = "reviews"
    verbose_name = _("好差评")

    def ready(self) -> None:
        from onewindow.reviews import notifications

        notifications.register()  # the kinds of message reviews sends (core.notifications)
