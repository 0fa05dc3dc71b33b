"""The public front page (``/``) leads with what people come for: popular services from the
zone's recent applications, the bundles (一件事), the progress lookup (办件查询) and the
published 好差评 figures; the organisation chart follows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onewindow.cases.models import Case
from onewindow.portal import selectors
from onewindow.reviews.models import Channel, Level, Rating
from onewindow.testing.worlds import case_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return case_world()


def applications(world, version, n: int, *, days_ago: int = 1) -> list[Case]:
    cases = [world.submit(version, upload=False) for _ in range(n)]
    when = timezone.now() - dt.timedelta(days=days_ago)
    Case.objects.filter(pk__in=[case.pk for case in cases]).update(submitted_at=when)
    return cases


def rating(case: Case, level: int, *, days_ago: int = 1, channel=Channel.ONLINE) -> Rating:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return Rating.objects.create(
        zone=case.zone,
        case=case,
        department=case.department,
        item=case.item_version.item,
        channel=channel,
        level=level,
        comment="窗口人员态度很差（不应公开的评价内容）",
        rated_at=timezone.now() - dt.timedelta(days=days_ago),
        rated_on=day,
    )


def test_popular_services_are_the_most_applied_for_lately(world):
    applications(world, world.parallel, 3)
    applications(world, world.item, 2)
    applications(world, world.immediate, 5, days_ago=selectors.POPULAR_DAYS + 1)  # too old
    popular = selectors.popular_items(world.zone)
    assert [(entry.version.name, entry.applications) for entry in popular] == [
        (world.parallel.name, 3),
        (world.item.name, 2),
    ]


def test_popular_services_leave_out_items_no_longer_published(world):
    from onewindow.catalog.services import item_retire

    applications(world, world.item, 2)
    item_retire(item=world.item.item, actor=None)
    assert selectors.popular_items(world.zone) == []


def test_rating_board_counts_and_hides_the_comments(world):
    cases = applications(world, world.item, 4)
    rating(cases[0], Level.VERY_SATISFIED)
    rating(cases[1], Level.BASICALLY_SATISFIED)
    rating(cases[2], Level.DISSATISFIED)
    rating(cases[3], Level.SATISFIED, days_ago=selectors.RATING_DAYS + 5)  # too old
    board = selectors.rating_board(world.zone)
    assert (board.total.ratings, board.total.satisfied, board.total.bad) == (3, 2, 1)
    assert board.total.satisfaction_percent == 66.7
    assert [(row.name, row.ratings) for row in board.departments] == [
        (world.item.department.name, 3)
    ]


def test_front_page_leads_with_the_four_panels_then_the_organisation(client, world):
    cases = applications(world, world.parallel, 2)
    rating(cases[0], Level.SATISFIED)
    response = client.get(reverse("portal"))
    assert response.status_code == 200
    html = response.content.decode()
    order = [
        html.index(marker)
        for marker in (
            'id="portal-search-q"',
            'id="popular-title"',
            'id="bundles-title"',
            'id="track-title"',
            'id="ratings-title"',
            'id="parks-title"',
            'id="departments-title"',
            'id="windows-title"',
        )
    ]
    assert order == sorted(order)
    guide = reverse("item_guide", args=[world.parallel.item.implementation_code])
    assert f'href="{guide}"' in html and "2 件" in html
    assert f'href="{reverse("bundle_guide", args=[world.bundle.code])}"' in html
    assert f'action="{reverse("cases:track")}"' in html
    assert 'name="number"' in html and 'name="code"' in html
    assert "100.0%" in html  # one rating, satisfied
    assert "不应公开的评价内容" not in html
    assert cases[0].number not in html


def test_front_page_of_a_new_zone_says_what_is_missing(client, zone):
    html = client.get(reverse("portal")).content.decode()
    assert "近 90 天尚无申请" in html
    assert "尚未发布一件事" in html
    assert "近一年尚无评价" in html


def test_front_page_is_the_same_for_signed_in_people(client, world):
    applications(world, world.parallel, 1)
    anonymous = client.get(reverse("portal")).content.decode()
    client.force_login(world.clerk)
    signed_in = client.get(reverse("portal")).content.decode()
    assert world.parallel.name in anonymous and world.parallel.name in signed_in


def test_front_page_queries_do_not_grow_with_the_data(client, world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("portal")).status_code == 200
        return len(captured)

    first = applications(world, world.parallel, 1)
    rating(first[0], Level.SATISFIED)
    few = queries()
    more = applications(world, world.item, 3) + applications(world, world.immediate, 2)
    for case in more:
        rating(case, Level.DISSATISFIED)
    assert queries() == few
