"""The locks a rectification's moves take, in the order of ADR 0019 (PostgreSQL): the
rectification row only; no audit chain head (ADR 0004)."""

from __future__ import annotations

from onewindow.reviews.models import Channel, Level, ReturnVisitOutcome
from onewindow.reviews.services import (
    rating_submit,
    rectification_record,
    return_visit_record,
)
from onewindow.reviews.tests.conftest import deliver_immediate
from onewindow.testing.locks import CHAIN_HEAD, locked_tables, postgresql_only

pytestmark = postgresql_only

ROW_ONLY = ["reviews_rectification"]


def bad_rating(world):
    case = deliver_immediate(world, None)
    return rating_submit(
        case=case, channel=Channel.ONLINE, level=Level.DISSATISFIED, actor=world.applicant_user
    ).rectification


def test_rectifying_then_visiting_lock_only_the_row(world):
    rectification = bad_rating(world)

    with locked_tables() as rectified:
        rectification_record(
            rectification=rectification,
            actor=world.reviewer,
            verified_facts="属实",
            measures="已改进",
        )
    with locked_tables() as visited:
        return_visit_record(
            rectification=rectification, actor=world.reviewer, outcome=ReturnVisitOutcome.SATISFIED
        )

    assert rectified == ROW_ONLY
    assert visited == ROW_ONLY
    assert CHAIN_HEAD not in rectified + visited
