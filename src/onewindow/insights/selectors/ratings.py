"""Ratings of a period and the states of the bad ones (the reviews rule, read today)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _

from onewindow.insights.models import DailyRatings, MonthlyRatings
from onewindow.insights.rows import Filters, Stored, in_ranges, narrow, union_all
from onewindow.reviews.models import BAD_LEVELS, Rating, Rectification, RectificationStatus


def _overdue(on: dt.date, prefix: str = "rectification__") -> Q:
    """The reviews rule (``reviews.selectors.overdue_condition``): open past its
    deadline, or rectified past its return-visit deadline (``prefix``: from a rating)."""
    return Q(**{f"{prefix}status": RectificationStatus.OPEN, f"{prefix}due_on__lt": on}) | Q(
        **{f"{prefix}status": RectificationStatus.RECTIFIED, f"{prefix}visit_due_on__lt": on}
    )


def bad_state(rectification, on: dt.date) -> tuple[str, str]:
    """A bad rating's figure and label by its rectification today (``None``: not opened)."""
    if rectification is None:
        return "bad", _("未交办整改")
    if rectification.status == RectificationStatus.CLOSED:
        return "bad_closed", _("已办结")
    if rectification.status == RectificationStatus.OPEN:
        if rectification.due_on < on:
            return "bad_overdue", _("逾期未整改")
        return "bad_open", _("整改中")
    if rectification.visit_due_on is not None and rectification.visit_due_on < on:
        return "bad_overdue", _("逾期未回访")
    return "bad_rectified", _("已整改待回访")


def _ratings(
    filters: Filters, days, stored: Stored | None
) -> list[tuple[int, int | None, int, int]]:
    """(department, item, level, count) of the period's ratings: the roll-up through the
    mark (whole months from ``MonthlyRatings``, other days from ``DailyRatings``: one
    statement), the ratings table after it (indexed by zone and day)."""
    rows = []
    if stored is not None:
        parts = []
        if stored.days:
            daily = DailyRatings.objects.filter(zone_id=filters.zone_id).filter(
                in_ranges("day", stored.days)
            )
            parts.append(daily)
        if stored.months:
            parts.append(
                MonthlyRatings.objects.filter(zone_id=filters.zone_id, month__range=stored.months)
            )
        rows += [
            (row["department_id"], row["item_id"], row["level"], row["n"])
            for row in union_all(
                [
                    narrow(part, filters, item_field="item_id")
                    .order_by()
                    .values("department_id", "item_id", "level")
                    .annotate(n=Sum("ratings"))
                    for part in parts
                ]
            )
        ]
    if days.live_from is not None:
        live = narrow(
            Rating.objects.filter(
                zone_id=filters.zone_id, rated_on__range=(days.live_from, filters.day_to)
            ),
            filters,
            item_field="item_id",
        )
        rows += [
            (row["department_id"], row["item_id"], row["level"], row["n"])
            for row in live.order_by()
            .values("department_id", "item_id", "level")
            .annotate(n=Count("pk"))
        ]
    return rows


def _bad_states(filters: Filters, on: dt.date) -> list[dict]:
    """The period's bad ratings by the state of their rectification today, per
    (department, item): from the rectifications (one for each bad rating), joined to the
    period's bad ratings read from their own index (``rating_bad_day``: a twentieth of the
    ratings) — always as they are today, so nothing here is rolled up."""
    rectifications = narrow(
        Rectification.objects.filter(
            zone_id=filters.zone_id,
            rating__level__in=sorted(BAD_LEVELS),
            rating__rated_on__range=(filters.day_from, filters.day_to),
        ),
        filters,
        item_field="rating__item_id",
    )
    overdue = _overdue(on, prefix="")
    return list(
        rectifications.order_by()
        .values(r_department=F("rating__department_id"), r_item=F("rating__item_id"))
        .annotate(
            overdue=Count("pk", filter=overdue),
            open=Count("pk", filter=Q(status=RectificationStatus.OPEN) & ~overdue),
            rectified=Count("pk", filter=Q(status=RectificationStatus.RECTIFIED) & ~overdue),
            closed=Count("pk", filter=Q(status=RectificationStatus.CLOSED)),
        )
    )
