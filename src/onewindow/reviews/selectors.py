"""Reads of reviews worth naming: a zone's settings, a case's rating window, which cases
a user may still rate, the rectification lists and their counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from onewindow.cases.constants import CaseStatus
from onewindow.cases.models import Case
from onewindow.core.calendar import WorkingCalendar
from onewindow.org.models import User, Zone
from onewindow.org.permissions import represented_applicant_ids
from onewindow.org.selectors import calendar_for_zone
from onewindow.reviews.models import (
    Channel,
    Rating,
    Rectification,
    RectificationStatus,
    ReviewSettings,
)
from onewindow.reviews.permissions import visible_rectifications

#: Open items and rectified items waiting for their return visit.
PENDING_STATUSES = (RectificationStatus.OPEN, RectificationStatus.RECTIFIED)


def today() -> dt.date:
    return timezone.localdate()


def review_settings_for(zone: Zone) -> ReviewSettings:
    """The zone's settings, or the national defaults (unsaved) when it has none."""
    found = ReviewSettings.objects.filter(zone=zone).first()
    return found if found is not None else ReviewSettings(zone=zone)


@dataclass(frozen=True)
class RatingWindow:
    """Ratings are taken from the delivery day to ``closes_on`` (inclusive): the
    ``days``-th working day after delivery in the zone's calendar."""

    delivered_on: dt.date
    closes_on: dt.date
    days: int
    provisional: bool

    def is_open(self, on: dt.date) -> bool:
        return self.delivered_on <= on <= self.closes_on


def rating_window(
    case: Case,
    *,
    settings: ReviewSettings | None = None,
    calendar: WorkingCalendar | None = None,
) -> RatingWindow | None:
    """The rating window of a delivered case (None before delivery)."""
    if case.status != CaseStatus.DELIVERED or case.delivered_on is None:
        return None
    settings = settings or review_settings_for(case.zone)
    calendar = calendar or calendar_for_zone(case.zone)
    result = calendar.deadline(
        case.delivered_on, settings.rating_window_days, allow_provisional=True
    )
    return RatingWindow(
        delivered_on=case.delivered_on,
        closes_on=result.date,
        days=settings.rating_window_days,
        provisional=result.provisional,
    )


def earliest_ratable_delivery(zone: Zone, *, on: dt.date, settings=None, calendar=None) -> dt.date:
    """Cases of ``zone`` delivered on or after this day may still be rated ``on`` that day
    (the working day W with ``working_days_between(W, on) == rating_window_days``: a case
    delivered before W has its window closed before ``on``)."""
    settings = settings or review_settings_for(zone)
    calendar = calendar or calendar_for_zone(zone)
    return calendar.working_day_before(on, settings.rating_window_days, allow_provisional=True).date


# -- the applicant's list ---------------------------------------------------------------------


class RatingState:
    RATABLE = "ratable"
    RATED = "rated"


def rating_states(user: User, cases: Iterable[Case], *, on: dt.date | None = None) -> dict:
    """For the applicant's list: {case number: "ratable" | "rated"} for the delivered
    top-level cases among ``cases`` that ``user`` may rate online, still inside their
    window ("rated" once they rated it online). Two queries whatever the number of rows
    (the online ratings, the zone settings), plus the calendar's revision per zone."""
    on = on or today()
    applicants = represented_applicant_ids(user)
    delivered = [
        case
        for case in cases
        if case.status == CaseStatus.DELIVERED
        and case.parent_id is None
        and case.delivered_on is not None
        and case.applicant_id in applicants
    ]
    if not delivered:
        return {}
    rated = set(
        Rating.objects.filter(case__in=delivered, channel=Channel.ONLINE).values_list(
            "case_id", flat=True
        )
    )
    zones = {case.zone_id for case in delivered}
    settings = {row.zone_id: row for row in ReviewSettings.objects.filter(zone_id__in=zones)}
    calendars = {}
    states = {}
    for case in delivered:
        zone_settings = settings.get(case.zone_id) or ReviewSettings(zone_id=case.zone_id)
        if case.zone_id not in calendars:
            calendars[case.zone_id] = calendar_for_zone(case.zone)
        window = rating_window(case, settings=zone_settings, calendar=calendars[case.zone_id])
        if case.pk in rated:
            states[case.number] = RatingState.RATED
        elif window is not None and window.is_open(on):
            states[case.number] = RatingState.RATABLE
    return states


# -- rectifications ---------------------------------------------------------------------------


def overdue_condition(on: dt.date) -> Q:
    """Open past its rectification deadline, or rectified past its return-visit deadline."""
    return Q(status=RectificationStatus.OPEN, due_on__lt=on) | Q(
        status=RectificationStatus.RECTIFIED, visit_due_on__lt=on
    )


def rectification_list(
    user: User,
    *,
    on: dt.date,
    status: str | None = None,
    department_id: int | None = None,
    overdue: bool = False,
):
    """The rectifications ``user`` may see, the most urgent first: pending ones (open,
    then waiting for the visit) by their deadline; ``status`` narrows, "all" includes
    closed ones."""
    rows = visible_rectifications(user).select_related("rating__case", "rating__item", "department")
    if status == "all":
        pass
    elif status:
        rows = rows.filter(status=status)
    else:
        rows = rows.filter(status__in=PENDING_STATUSES)
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    if overdue:
        rows = rows.filter(overdue_condition(on))
    return rows.order_by("status", "due_on", "visit_due_on", "pk")


@dataclass(frozen=True)
class RectificationCounts:
    open: int = 0
    overdue: int = 0
    rectified: int = 0
    visit_overdue: int = 0
    closed: int = 0
    late: int = 0  # rectified after the deadline (on_time False)

    @property
    def pending(self) -> int:
        return self.open + self.rectified


def _counts(queryset, on: dt.date) -> dict:
    return queryset.aggregate(
        open=Count("pk", filter=Q(status=RectificationStatus.OPEN)),
        overdue=Count("pk", filter=Q(status=RectificationStatus.OPEN, due_on__lt=on)),
        rectified=Count("pk", filter=Q(status=RectificationStatus.RECTIFIED)),
        visit_overdue=Count(
            "pk", filter=Q(status=RectificationStatus.RECTIFIED, visit_due_on__lt=on)
        ),
        closed=Count("pk", filter=Q(status=RectificationStatus.CLOSED)),
        late=Count("pk", filter=Q(on_time=False)),
    )


def rectification_counts(
    zone_id: int, *, on: dt.date, department_id: int | None = None
) -> RectificationCounts:
    """The zone's rectifications by state (one aggregate query)."""
    rows = Rectification.objects.filter(zone_id=zone_id)
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    return RectificationCounts(**_counts(rows, on))


def rectification_counts_by_department(zone_id: int, *, on: dt.date) -> list[dict]:
    """Per department with any rectification: its counts (one grouped query)."""
    rows = (
        Rectification.objects.filter(zone_id=zone_id)
        .values("department_id", "department__name")
        .annotate(
            open=Count("pk", filter=Q(status=RectificationStatus.OPEN)),
            overdue=Count("pk", filter=Q(status=RectificationStatus.OPEN, due_on__lt=on)),
            rectified=Count("pk", filter=Q(status=RectificationStatus.RECTIFIED)),
            visit_overdue=Count(
                "pk", filter=Q(status=RectificationStatus.RECTIFIED, visit_due_on__lt=on)
            ),
            closed=Count("pk", filter=Q(status=RectificationStatus.CLOSED)),
            late=Count("pk", filter=Q(on_time=False)),
            total=Count("pk"),
        )
        .order_by("-overdue", "-open", "department__name")
    )
    return list(rows)
