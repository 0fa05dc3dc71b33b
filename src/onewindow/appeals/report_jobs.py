"""The weekly 督查通报 as a scheduled job (Django's Tasks API, the ``django_tasks``
backport). django-tasks has no scheduler: cron runs ``onewindow appeals-weekly-report``
(or ``--enqueue`` for the ``db_worker`` processes) on Monday morning.

The report is not stored: the job makes the last full week's figures of every zone and
tells each active 电子监察人员 of the zone, once per person and week, with a link to the
on-demand page (which renders the same report, PDF and Excel). Run twice, it sends
nothing new (the notification key).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from onewindow.appeals.constants import WEEKLY_REPORT_NOTIFICATION
from onewindow.appeals.reports import last_full_week, percent, weekly_report
from onewindow.core.notifications import notify
from onewindow.org.constants import Role, UserKind
from onewindow.org.models import User, Zone


def weekly_report_readers(zone: Zone):
    """The zone's active 电子监察人员, by username."""
    return (
        User.objects.filter(
            zone=zone,
            is_active=True,
            kind=UserKind.STAFF,
            role_assignments__role=Role.SUPERVISOR,
        )
        .distinct()
        .order_by("username")
    )


def send_weekly_reports(*, today: dt.date | None = None) -> dict[str, int]:
    """For every zone with supervisors: the last full week's report, and a message to each
    supervisor (once per week). Returns the messages written per zone code."""
    today = today or timezone.localdate()
    monday = last_full_week(today)
    link = f"{reverse('appeals:weekly_report')}?week={monday.isoformat()}"
    sent: dict[str, int] = {}
    for zone in Zone.objects.order_by("code"):
        readers = list(weekly_report_readers(zone))
        if not readers:
            continue
        report = weekly_report(zone, monday)
        total = report.figures.total
        context = {
            "zone": zone.name,
            "first": report.start.isoformat(),
            "last": report.last_day.isoformat(),
            "received": total.received,
            "on_time_rate": percent(total.on_time_rate),
            "satisfaction_rate": percent(total.satisfaction_rate),
            "late": len(report.late),
        }
        sent[zone.code] = sum(
            1
            for reader in readers
            if notify(
                reader,
                WEEKLY_REPORT_NOTIFICATION,
                context,
                link=link,
                key=f"appeal-weekly-report:{zone.code}:{monday.isoformat()}",
            )
            is not None
        )
    return sent


@task()
def weekly_appeal_reports() -> dict[str, int]:
    """Weekly (Monday morning): the last full week's 督查通报, told to the supervisors."""
    return send_weekly_reports()
