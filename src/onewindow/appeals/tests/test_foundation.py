"""The foundation: the world builds, an order in every status is consistent with the
database's rules, the chokepoint shows each person their orders and no one else's."""

from __future__ import annotations

import datetime as dt

import pytest

from onewindow.appeals.constants import AppealStatus
from onewindow.appeals.models import Appeal
from onewindow.appeals.permissions import requester_name_for, visible_appeals
from onewindow.appeals.tests.factories import at, make_appeal

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "status",
    [
        AppealStatus.RECEIVED,
        AppealStatus.DISPATCHED,
        AppealStatus.HANDLING,
        AppealStatus.REPLIED,
        AppealStatus.ANSWERED,
        AppealStatus.CLOSED,
    ],
)
def test_an_order_can_be_put_in_each_status(aw, status):
    appeal = make_appeal(aw, status, received=at(dt.date(2026, 9, 28), 10))
    assert Appeal.objects.get(pk=appeal.pk).status == status
    # Mon 28 Sep 2026 + 5 working days (receipt day not counted): Tue 29 and Wed 30 Sep are
    # the 1st and 2nd; 国庆 1–7 Oct is off; Thu 8 Oct the 3rd, Fri 9 Oct the 4th, and Sat
    # 10 Oct, a make-up working day (调休), the 5th: due at its 17:30.
    assert appeal.due_at == at(dt.date(2026, 10, 10), 17, 30)


def test_numbers_run_per_zone_and_year(aw):
    first = make_appeal(aw, received=at(dt.date(2026, 3, 2)))
    second = make_appeal(aw, received=at(dt.date(2026, 3, 3)))
    assert first.number == "SFQ-SQ2026-000001"
    assert second.number == "SFQ-SQ2026-000002"


def test_each_person_sees_their_orders_only(aw):
    received = make_appeal(aw, AppealStatus.RECEIVED)
    held = make_appeal(aw, AppealStatus.HANDLING)
    elsewhere = make_appeal(aw, AppealStatus.HANDLING, department=aw.other)
    everything = {received.pk, held.pk, elsewhere.pk}
    assert set(visible_appeals(aw.dispatcher).values_list("pk", flat=True)) == everything
    assert set(visible_appeals(aw.operator).values_list("pk", flat=True)) == everything
    assert set(visible_appeals(aw.supervisor).values_list("pk", flat=True)) == everything
    assert set(visible_appeals(aw.handler).values_list("pk", flat=True)) == {held.pk}
    assert set(visible_appeals(aw.other_handler).values_list("pk", flat=True)) == {elsewhere.pk}
    assert set(visible_appeals(aw.requester).values_list("pk", flat=True)) == everything
    assert not visible_appeals(aw.stranger).exists()
    assert not visible_appeals(aw.clerk).exists()


def test_a_confidential_requester_is_masked_from_departments_only(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING, confidential=True)
    assert requester_name_for(aw.dispatcher, appeal) == "示范科技有限公司"
    assert requester_name_for(aw.handler, appeal) != "示范科技有限公司"
    assert requester_name_for(aw.requester, appeal) == "示范科技有限公司"
