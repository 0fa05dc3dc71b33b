from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "onewindow.policies"
    label = "policies"
    verbose_name = _("惠企政策")

    def ready(self) -> None:
        from onewindow.policies import notifications

        notifications.register()  # the kinds of message policies sends (core.notifications)

        # -- each part connects its receivers below, in its section

        # -- calculator: subscribers are told of new matches (services.subscriptions)
        from onewindow.policies.services import subscriptions
        from onewindow.policies.signals import facts_changed
        from onewindow.policies.signals_catalogue import version_published

        version_published.connect(
            subscriptions.on_version_published, dispatch_uid="policies.subscriptions.published"
        )
        facts_changed.connect(
            subscriptions.on_facts_changed, dispatch_uid="policies.subscriptions.facts"
        )

        # -- calculator: the zone's versions in force kept in this process are loaded again
        from onewindow.policies.services import in_force

        version_published.connect(
            in_force.on_version_published, dispatch_uid="policies.calculator.in_force"
        )

        # -- redemption: a published 免申即享 version is matched at once
        from onewindow.policies.services.matching import on_version_published

        version_published.connect(on_version_published, dispatch_uid="policies.match_published")

        # -- applications
