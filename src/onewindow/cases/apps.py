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

        from onewindow.cases import notifications

        notifications.register()  # the kinds of message cases sends (core.notifications)

        from django.db.models import Exists, OuterRef, Q

        from onewindow.cases.models import Case
        from onewindow.org.permissions import register_zone_tie

        # A case of a zone ties its applicant to the zone (ADR 0015: applicants by zone).
        def tied_by_a_case(zone_id: int | None) -> Q:
            cases = Case.objects.filter(applicant=OuterRef("pk"))
            return Q(Exists(cases if zone_id is None else cases.filter(zone_id=zone_id)))

        register_zone_tie("cases", tied_by_a_case)
