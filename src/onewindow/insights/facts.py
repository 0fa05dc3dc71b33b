"""What the dashboard knows of one case, as SQL: the one definition of a fact row.

The roll-up job writes these rows into :class:`~onewindow.insights.models.CaseFact`
(``INSERT … SELECT``); the dashboard computes the same rows live for the cases that may
have changed since the last roll-up. Both compile :func:`live_rows`, so a figure cannot
mean one thing in the table and another live.

Population: *item cases* — standalone cases and the children of bundles (一件事), never
the bundle's parent case (its children are counted, each in its own department and
item) — that have been accepted (``accepted_on`` set).

Columns (``ROW_COLUMNS``, in this order):

- ``r_case`` … ``r_on_time``: the case's own fields (status, channel, acceptance mode,
  acceptance, decision and delivery dates, on time); ``r_item`` is the catalog item of
  the case's item version.
- ``r_decision_days`` / ``r_delivery_days``: working days in the zone calendar from
  acceptance to decision / delivery, the acceptance day not counted (``CalendarDay``
  ordinals: ``ordinal(end) - ordinal(accepted_on)``); NULL until decided / delivered.
- ``r_visits``: days the applicant had to come to the window, from what the case keeps:
  the day of an application made at the window, and every other day on which one of
  the application's materials was received at the window (on paper, or uploaded by
  staff). Materials belong to the bundle's parent case for a child; a material received
  twice keeps only its last day. 0 = 全程网办, ≤ 1 = 最多跑一次.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Case as When_,
)
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate

from onewindow.cases.constants import CaseChannel, MaterialState
from onewindow.cases.models import Case, CaseMaterial
from onewindow.insights.models import CalendarDay
from onewindow.org.constants import UserKind

#: The columns of a fact row, in the order both sources select them.
ROW_COLUMNS = (
    "r_case",
    "r_department",
    "r_item",
    "r_status",
    "r_channel",
    "r_mode",
    "r_accepted",
    "r_decided",
    "r_delivered",
    "r_on_time",
    "r_decision_days",
    "r_delivery_days",
    "r_visits",
)

#: ``CaseFact`` columns for each row column (the roll-up's INSERT).
FACT_COLUMNS = {
    "r_case": "case_id",
    "r_department": "department_id",
    "r_item": "item_id",
    "r_status": "status",
    "r_channel": "channel",
    "r_mode": "acceptance_mode",
    "r_accepted": "accepted_on",
    "r_decided": "decided_on",
    "r_delivered": "delivered_on",
    "r_on_time": "on_time",
    "r_decision_days": "decision_days",
    "r_delivery_days": "delivery_days",
    "r_visits": "window_visits",
}


def item_cases(zone_id: int) -> QuerySet[Case]:
    """Accepted item cases of the zone (standalone cases and bundle children)."""
    return Case.objects.filter(
        zone_id=zone_id, item_version__isnull=False, accepted_on__isnull=False
    ).order_by()


def ordinal_of(field: str) -> Subquery:
    return Subquery(
        CalendarDay.objects.filter(zone_id=OuterRef("zone_id"), date=OuterRef(field))
        .order_by()
        .values("ordinal")[:1],
        output_field=IntegerField(),
    )


def _window_receipts() -> QuerySet[CaseMaterial]:
    """Materials of the outer case's application received at the window."""
    return (
        CaseMaterial.objects.filter(case_id=OuterRef("root_id"), uploaded_at__isnull=False)
        .filter(
            Q(state=MaterialState.PAPER)
            | Q(state=MaterialState.UPLOADED, uploaded_by__kind=UserKind.STAFF)
        )
        .annotate(day=TruncDate("uploaded_at"))
        .order_by()
    )


def live_rows(cases: QuerySet[Case]) -> QuerySet:
    """Fact rows computed from ``cases`` as they are now (``ROW_COLUMNS``)."""
    other_days = (
        _window_receipts()
        .exclude(day=OuterRef("submitted_day"))
        .values("case_id")
        .annotate(days=Count("day", distinct=True))
        .values("days")
    )
    same_day = _window_receipts().filter(day=OuterRef("submitted_day"))
    return (
        cases.order_by()
        .annotate(
            root_id=Coalesce("parent_id", "id"),
            submitted_day=TruncDate("submitted_at"),
        )
        .annotate(
            r_case=F("id"),
            r_department=F("department_id"),
            r_item=F("item_version__item_id"),
            r_status=F("status"),
            r_channel=F("channel"),
            r_mode=F("acceptance_mode"),
            r_accepted=F("accepted_on"),
            r_decided=F("decided_on"),
            r_delivered=F("delivered_on"),
            r_on_time=F("on_time"),
            r_decision_days=ordinal_of("decided_on") - ordinal_of("accepted_on"),
            r_delivery_days=ordinal_of("delivered_on") - ordinal_of("accepted_on"),
            r_visits=Coalesce(Subquery(other_days, output_field=IntegerField()), Value(0))
            + When_(
                When(Q(channel=CaseChannel.WINDOW) | Exists(same_day), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .values(*ROW_COLUMNS)
    )


def active_between(day_from: dt.date, day_to: dt.date, prefix: str = "") -> Q:
    """Accepted, decided or delivered in [day_from, day_to] (field names with ``prefix``)."""
    return (
        Q(**{f"{prefix}accepted_on__range": (day_from, day_to)})
        | Q(**{f"{prefix}decided_on__range": (day_from, day_to)})
        | Q(**{f"{prefix}delivered_on__range": (day_from, day_to)})
    )
