from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "onewindow.policies"
    label = "policies"
    verbose_name = _("惠企政策")

    def ready(self) -> None:
        from onewindow.policies import notifications

        notifications.register()  # the kinds of message policies sends (core.notifications)

        # -- redemption: a published 免申即享 version is matched at once
        from onewindow.policies.services.matching import on_version_published
        from onewindow.policies.signals_catalogue import version_published

        version_published.connect(on_version_published, dispatch_uid="policies.match_published")
