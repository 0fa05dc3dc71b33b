"""Races (PostgreSQL): two ratings of a case on one channel, two colleagues rectifying one
bad rating, two invitation runs. Each worker has its own thread and connection, lined up
on a barrier so the calls overlap (the pattern of cases/tests/test_concurrency.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from onewindow.core.audit import audit_verify
from onewindow.core.errors import Conflict
from onewindow.reviews import invitations
from onewindow.reviews.models import Channel, Level, Rating, RatingInvitation, Rectification
from onewindow.reviews.services import rating_submit, rectification_record
from onewindow.reviews.tests.conftest import deliver_immediate
from onewindow.testing.races import race, split

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers and does not share its "
        "in-memory test database between the threads' connections",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_two_ratings_on_one_channel_at_once(world):
    case = deliver_immediate(world, None)

    def rate(level):
        return lambda: rating_submit(
            case=case, channel=Channel.ONLINE, level=level, actor=world.applicant_user
        )

    done, errors = split(race(rate(Level.SATISFIED), rate(Level.VERY_DISSATISFIED)))

    assert len(done) == 1 and len(errors) == 1
    assert isinstance(errors[0], Conflict) and errors[0].code == "already_rated"
    assert Rating.objects.count() == 1
    # a rectification exactly when the winner was the bad one
    assert Rectification.objects.count() == (1 if done[0].level == Level.VERY_DISSATISFIED else 0)
    assert audit_verify().ok


def test_two_colleagues_rectify_at_once(world):
    case = deliver_immediate(world, None)
    rectification = rating_submit(
        case=case, channel=Channel.ONLINE, level=Level.DISSATISFIED, actor=world.applicant_user
    ).rectification

    def rectify(actor):
        return lambda: rectification_record(
            rectification=rectification, actor=actor, verified_facts="属实", measures="已改进"
        )

    done, errors = split(race(rectify(world.reviewer), rectify(world.decider)))

    assert len(done) == 1 and len(errors) == 1
    assert errors[0].code == "transition_not_allowed"
    assert Rectification.objects.get().rectified_by == done[0].rectified_by


def test_two_invitation_runs_at_once(world):
    deliver_immediate(world, None)
    done, errors = split(race(invitations.send_invitations, invitations.send_invitations))
    assert errors == []
    assert sorted(done) == [0, 1]
    assert RatingInvitation.objects.count() == 1
