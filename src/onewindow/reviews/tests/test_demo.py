"""The demo ratings: built through the services on the demo cases, mostly good, bad ones
with rectifications in every state, reproducible, loaded once, quick.

The demo zone (with a small number of cases) is loaded once for the module inside a
transaction rolled back at the end.
"""

from __future__ import annotations

import time

import pytest
from django.db import transaction
from django.utils import timezone

from onewindow.cases.constants import CaseStatus
from onewindow.core.audit import audit_verify
from onewindow.demo import catalog_data, org_data
from onewindow.demo.case_data import load_cases
from onewindow.demo.review_data import load_reviews
from onewindow.org.models import Zone
from onewindow.reviews.models import (
    BAD_LEVELS,
    Channel,
    Rating,
    Rectification,
    RectificationStatus,
)
from onewindow.reviews.selectors import rating_window

COUNT = 70


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        org_data.load()
        catalog_data.load()
        zone = Zone.objects.get(code=org_data.ZONE_CODE)
        load_cases(zone, count=COUNT)
        started = time.perf_counter()
        summary = load_reviews(zone)
        elapsed = time.perf_counter() - started
        yield zone, summary, elapsed
        transaction.set_rollback(True)


@pytest.fixture
def zone(demo, db) -> Zone:
    return demo[0]


def test_delivered_cases_are_rated_mostly_well(zone, demo):
    summary = demo[1]
    ratings = Rating.objects.filter(zone=zone)
    assert summary.ratings == ratings.count() > 0
    bad = ratings.filter(level__in=BAD_LEVELS).count()
    assert 0 < bad < ratings.count() / 2
    assert sum(summary.by_level.values()) == summary.ratings
    for rating in ratings.select_related("case"):
        case = rating.case
        assert case.status == CaseStatus.DELIVERED and case.parent_id is None
        assert case.delivered_at <= rating.rated_at <= timezone.now()
        window = rating_window(case)
        assert rating.rated_on <= window.closes_on
        assert rating.real_name == (rating.channel in (Channel.ONLINE, Channel.MOBILE))
    assert set(ratings.values_list("channel", flat=True)) >= {Channel.ONLINE, Channel.WINDOW}


def test_rectifications_are_in_every_state(zone, demo):
    today = timezone.localdate()
    rows = Rectification.objects.filter(zone=zone)
    assert rows.count() == Rating.objects.filter(zone=zone, level__in=BAD_LEVELS).count()
    assert rows.filter(status=RectificationStatus.OPEN, due_on__gte=today).exists()
    assert rows.filter(status=RectificationStatus.OPEN, due_on__lt=today).exists()
    assert rows.filter(status=RectificationStatus.RECTIFIED).exists()
    assert rows.filter(status=RectificationStatus.CLOSED, visited_at__isnull=False).exists()
    assert rows.filter(status=RectificationStatus.CLOSED, visited_at__isnull=True).exists()
    for row in rows.select_related("rating"):
        if row.rectified_at is not None:
            assert row.rating.rated_at <= row.rectified_at <= timezone.now()
            assert row.on_time == (timezone.localdate(row.rectified_at) <= row.due_on)
        if row.closed_at is not None:
            assert row.rectified_at <= row.closed_at
        if row.status == RectificationStatus.CLOSED and row.visited_at is None:
            assert not row.rating.real_name and row.close_reason
    summary = demo[1].rectifications
    assert all(summary[state] > 0 for state in ("open", "overdue", "rectified", "closed"))


def test_loaded_once_and_quickly(zone, demo):
    before = Rating.objects.count()
    load_reviews(zone)
    assert Rating.objects.count() == before
    assert demo[2] < 10


def test_the_audit_chain_stays_valid(zone):
    assert audit_verify().ok
