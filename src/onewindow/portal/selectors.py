"""What the public front page leads with, read from the zone's own records: the services
people applied for most in recent weeks, the bundles (一件事), and the 好差评 figures the
zone publishes (好差评公示). Each read is a fixed number of queries, whatever the zone's size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from onewindow.cases.models import Case
from onewindow.catalog.constants import VersionStatus
from onewindow.catalog.models import ItemVersion
from onewindow.org.models import Zone
from onewindow.reviews.models import BAD_LEVELS, SATISFIED_LEVELS, Rating

#: Popular services are counted over the applications of this many recent days.
POPULAR_DAYS = 90
#: The 好差评 figures cover this many recent days.
RATING_DAYS = 365


@dataclass(frozen=True)
class PopularItem:
    version: ItemVersion  # the published version (its name and guide)
    applications: int  # applications submitted in the last POPULAR_DAYS days


def popular_items(
    zone: Zone, *, limit: int = 8, now: dt.datetime | None = None
) -> list[PopularItem]:
    """The published items of ``zone`` most applied for in the last :data:`POPULAR_DAYS`
    days (a bundle's application counts for each of its items), most first, then by name.
    Two queries."""
    since = (now or timezone.now()) - dt.timedelta(days=POPULAR_DAYS)
    counts = list(
        Case.objects.filter(zone=zone, submitted_at__gte=since, item_version__isnull=False)
        .values("item_version__item")
        .annotate(applications=Count("pk"))
        .order_by("-applications", "item_version__item")[: limit * 2]
    )
    by_item = {row["item_version__item"]: row["applications"] for row in counts}
    versions = ItemVersion.objects.filter(
        item__in=by_item, status=VersionStatus.PUBLISHED
    ).select_related("item")
    found = [PopularItem(version, by_item[version.item_id]) for version in versions]
    found.sort(key=lambda entry: (-entry.applications, entry.version.name))
    return found[:limit]


@dataclass(frozen=True)
class DepartmentRatings:
    name: str
    ratings: int
    satisfied: int
    bad: int

    @property
    def satisfaction_percent(self) -> float:
        return round(100 * self.satisfied / self.ratings, 1) if self.ratings else 0.0


@dataclass(frozen=True)
class RatingBoard:
    """好差评公示: the zone's ratings of the last :data:`RATING_DAYS` days."""

    since: dt.date
    total: DepartmentRatings
    departments: list[DepartmentRatings]  # most rated first


def rating_board(zone: Zone, *, limit: int = 6, today: dt.date | None = None) -> RatingBoard:
    """The 好差评 figures the front page publishes: ratings, the share satisfied (基本满意
    and better) and the bad ratings (差评), in all and for the ``limit`` departments rated
    most. No comment, rater or case is shown. One query."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=RATING_DAYS - 1)
    rows = list(
        Rating.objects.filter(zone=zone, rated_on__gte=since, rated_on__lte=today)
        .values("department__name")
        .annotate(
            ratings=Count("pk"),
            satisfied=Count("pk", filter=Q(level__in=SATISFIED_LEVELS)),
            bad=Count("pk", filter=Q(level__in=BAD_LEVELS)),
        )
        .order_by("-ratings", "department__name")
    )
    departments = [
        DepartmentRatings(row["department__name"], row["ratings"], row["satisfied"], row["bad"])
        for row in rows
    ]
    total = DepartmentRatings(
        "",
        sum(row.ratings for row in departments),
        sum(row.satisfied for row in departments),
        sum(row.bad for row in departments),
    )
    return RatingBoard(since=since, total=total, departments=departments[:limit])
