"""Ratings of a period and the states of the bad ones (the reviews rule, read today)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _

from onewindow.insights.models import DailyRatings
from onewindow.insights.rows import Filters, narrow
from onewindow.reviews.models import Rating, Rectification, RectificationStatus


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


def _ratings(filters: Filters, days) -> list[tuple[int, int | None, int, int]]:
    """(department, item, level, count) of the period's ratings: the daily roll-up
    through the mark, the ratings table after it (indexed by zone and day)."""
    rows = []
    if days.stored_to is not None:
        stored = narrow(
            DailyRatings.objects.filter(
                zone_id=filters.zone_id, day__range=(filters.day_from, days.stored_to)
            ),
            filters,
            item_field="item_id",
        )
        rows += [
            (row["department_id"], row["item_id"], row["level"], row["n"])
            for row in stored.order_by()
            .values("department_id", "item_id", "level")
            .annotate(n=Sum("ratings"))
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
    (department, item): from the rectifications (one for each bad rating)."""
    rectifications = narrow(
        Rectification.objects.filter(
            zone_id=filters.zone_id,
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
