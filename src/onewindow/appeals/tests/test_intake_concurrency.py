"""Races at intake (PostgreSQL): the upstream platform pushing one order twice at once, two
people turning one bad rating into an appeal at once. Each worker has its own thread and
connection, lined up on a barrier so the calls overlap (onewindow/testing/races.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from onewindow.appeals.constants import AppealEvent
from onewindow.appeals.models import Appeal, AppealNumberCounter
from onewindow.appeals.services.intake import appeal_from_rating, appeal_import
from onewindow.appeals.tests.factories import cases_beside
from onewindow.core.audit import audit_verify
from onewindow.core.errors import Conflict
from onewindow.core.models import AuditEvent
from onewindow.reviews.models import Channel
from onewindow.reviews.services import rating_submit
from onewindow.reviews.tests.conftest import deliver_immediate
from onewindow.testing import worlds
from onewindow.testing.races import race, split

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers and does not share its "
        "in-memory test database between the threads' connections",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_one_order_pushed_twice_at_once_is_made_once(aw):
    payload = {
        "upstream_id": "JS12345-RACE-1",
        "category": "0101",
        "nature": "complaint",
        "subject": "办照进度",
        "description": "一企来转来。",
    }

    def push():
        return lambda: appeal_import(actor=aw.dispatcher, zone=aw.zone, payload=payload)

    done, errors = split(race(push(), push()))

    assert errors == []
    assert sorted(created for _appeal, created in done) == [False, True]
    assert done[0][0].pk == done[1][0].pk
    assert Appeal.objects.count() == 1
    assert AuditEvent.objects.filter(action=AppealEvent.RECEIVED).count() == 1
    # the loser's number went back with its savepoint: no gap
    assert AppealNumberCounter.objects.get(zone=aw.zone).last == 1
    assert audit_verify().ok


def test_one_bad_rating_turned_twice_at_once(aw, zone, department, other_department, window):
    world = cases_beside(aw, worlds.Places(zone, department, other_department, window))
    case = deliver_immediate(world, None)
    rating = rating_submit(case=case, channel=Channel.ONLINE, level=1, actor=world.applicant_user)

    def turn(actor):
        return lambda: appeal_from_rating(actor=actor, rating=rating, category="0101")

    done, errors = split(race(turn(aw.dispatcher), turn(aw.supervisor)))

    assert len(done) == 1 and len(errors) == 1
    assert isinstance(errors[0], Conflict) and errors[0].code == "rating_already_turned"
    assert Appeal.objects.filter(rating=rating).count() == 1
    assert audit_verify().ok
