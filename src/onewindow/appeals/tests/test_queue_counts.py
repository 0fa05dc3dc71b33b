"""The queue roll-up: after every service call of a seeded random walk (allowed or
refused), the counters equal a recount of the orders (the live conditions of
``queues.queue_counts`` over each board's scope) and equal what a rebuild from scratch
writes; the boards read the roll-up, not the orders."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onewindow.appeals import queues
from onewindow.appeals.constants import AppealStatus, Satisfaction
from onewindow.appeals.models import Appeal, AppealQueueCount
from onewindow.appeals.services import followup, handling
from onewindow.appeals.services.queue_counts import memberships, queue_counts_rebuild
from onewindow.appeals.tests.factories import at, make_appeal
from onewindow.core.errors import ApplicationError

pytestmark = pytest.mark.django_db(transaction=False)

MON = dt.date(2026, 3, 2)


def _table() -> dict[tuple[int | None, str], int]:
    return {
        (department_id, key): count
        for department_id, key, count in AppealQueueCount.objects.values_list(
            "department_id", "queue", "count"
        )
        if count
    }


def _check(aw, now: dt.datetime) -> None:
    """The roll-up equals a recount of every board, and a rebuild writes the same."""
    for user, queue_list, centre in (
        (aw.dispatcher, queues.CENTRE_QUEUES, True),
        (aw.handler, queues.DEPARTMENT_QUEUES, False),
        (aw.other_handler, queues.DEPARTMENT_QUEUES, False),
    ):
        scope = queues.centre_scope(user) if centre else queues.department_scope(user)
        assert queues.board_counts(user, queue_list, now, centre=centre) == queues.queue_counts(
            scope, queue_list, now
        ), (user.username, _table())
        if not centre:  # the department's scope is the chokepoint's, read another way
            assert queues.queue_counts(scope, queue_list, now) == queues.queue_counts(
                queues.scope_through_chokepoint(user), queue_list, now
            )
            assert set(scope.values_list("pk", flat=True)) == set(
                queues.scope_through_chokepoint(user).values_list("pk", flat=True)
            )
    kept = _table()
    queue_counts_rebuild(aw.zone)
    assert _table() == kept


def _operations(aw, rng: random.Random):
    """Each operation: (name, call(appeal, others)); refusals are part of the walk."""
    departments = [aw.lead, aw.other]
    return [
        (
            "dispatch",
            lambda a, o: handling.appeal_dispatch(appeal=a, actor=aw.dispatcher, **_leads(rng, aw)),
        ),
        (
            "designate",
            lambda a, o: handling.appeal_designate(
                appeal=a, actor=aw.dispatcher, department=rng.choice(departments), reason="职责"
            ),
        ),
        ("sign", lambda a, o: handling.appeal_sign(appeal=a, actor=rng.choice(_handlers(aw)))),
        (
            "co_sign",
            lambda a, o: handling.appeal_co_sign(appeal=a, actor=rng.choice(_handlers(aw))),
        ),
        (
            "return",
            lambda a, o: handling.appeal_return(
                appeal=a, actor=rng.choice(_handlers(aw)), reason="不属于本部门职责"
            ),
        ),
        (
            "extension_request",
            lambda a, o: handling.appeal_extension_request(
                appeal=a, actor=rng.choice(_handlers(aw)), days=3, reason="需现场核查"
            ),
        ),
        (
            "extension_decide",
            lambda a, o: handling.appeal_extension_decide(
                appeal=a, actor=aw.dispatcher, approve=rng.random() < 0.5, reason="理由充分"
            ),
        ),
        (
            "reply",
            lambda a, o: handling.appeal_reply(
                appeal=a, actor=rng.choice(_handlers(aw)), reply="已办理完毕。"
            ),
        ),
        (
            "review_reply",
            lambda a, o: handling.appeal_review_reply(
                appeal=a, actor=aw.dispatcher, approve=rng.random() < 0.7, reason="答复不完整"
            ),
        ),
        (
            "visit",
            lambda a, o: followup.appeal_visit(
                appeal=a,
                actor=aw.dispatcher,
                satisfaction=rng.choice(list(Satisfaction)),
                resolved=rng.random() < 0.7,
            ),
        ),
        ("reopen", lambda a, o: followup.appeal_reopen(appeal=a, actor=aw.dispatcher)),
        ("close", lambda a, o: followup.appeal_close(appeal=a, actor=aw.dispatcher, reason="办结")),
        (
            "merge",
            lambda a, o: followup.appeal_merge(appeal=a, into=rng.choice(o), actor=aw.dispatcher),
        ),
    ]


def _leads(rng: random.Random, aw) -> dict:
    """A lead department, and the other one as co-department half of the time."""
    lead, other = rng.sample([aw.lead, aw.other], 2)
    return {"lead": lead, "co": [other] if rng.random() < 0.5 else []}


def _handlers(aw):
    return [aw.handler, aw.other_handler]


@pytest.mark.parametrize("seed", [1, 2])
def test_random_walk_keeps_the_roll_up_exact(aw, seed):
    rng = random.Random(seed)
    orders = [make_appeal(aw, received=at(MON, 9)) for _ in range(5)]
    orders.append(make_appeal(aw, AppealStatus.HANDLING, received=at(MON, 9)))
    operations = _operations(aw, rng)
    done = set()
    now = at(MON, 10)
    _check(aw, now)
    for _step in range(40):
        now += dt.timedelta(minutes=rng.choice([5, 30, 600]))
        # A merge ends an order's walk: rarer than the rest, so the others go further.
        name, call = rng.choices(
            operations, weights=[0.2 if n == "merge" else 1 for n, _ in operations]
        )[0]
        appeal = Appeal.objects.get(pk=rng.choice(orders).pk)
        others = [order for order in orders if order.pk != appeal.pk]
        with time_machine.travel(now, tick=False):
            try:
                call(appeal, others)
                done.add(name)
            except ApplicationError:
                pass
            _check(aw, now)
    # The walk moved orders through most of the queues.
    assert "dispatch" in done and len(done) >= 2


def test_a_refused_move_leaves_the_counts(aw):
    appeal = make_appeal(aw, received=at(MON, 9))
    before = _table()
    with time_machine.travel(at(MON, 10), tick=False), pytest.raises(ApplicationError):
        handling.appeal_sign(appeal=appeal, actor=aw.handler)
    assert _table() == before == {(None, "received"): 1}


def test_the_membership_of_an_order(aw):
    appeal = make_appeal(aw, AppealStatus.DISPATCHED, received=at(MON, 9))
    assert memberships([appeal.pk]) == {appeal.pk: {(aw.zone.pk, aw.lead.pk, "sign")}}


def test_rebuild_repairs_a_bulk_load(aw):
    appeal = make_appeal(aw, AppealStatus.REPLIED, received=at(MON, 9))
    Appeal.objects.filter(pk=appeal.pk).update(status=AppealStatus.RECEIVED)  # bypassing
    assert _table() == {(None, "replies"): 1}
    assert queue_counts_rebuild() == 1
    assert _table() == {(None, "received"): 1}


def test_the_boards_read_the_roll_up(aw, client):
    """The kept tabs come from the roll-up: a count written there shows on the page."""
    make_appeal(aw, AppealStatus.DISPATCHED, received=at(MON, 9))
    AppealQueueCount.objects.filter(department=aw.lead, queue="sign").update(count=41)
    client.force_login(aw.handler)
    with time_machine.travel(at(MON, 10), tick=False):
        response = client.get(reverse("appeals:department_queue"))
    assert response.status_code == 200
    assert ">41<" in response.content.decode().replace(" ", "")


@pytest.mark.parametrize("tab", ["sign", "overdue"])
def test_queue_page_queries_do_not_grow_with_rows(aw, client, tab):
    """Rows' category and department come with the rows (no query per row)."""
    client.force_login(aw.handler)
    url = reverse("appeals:department_queue")

    def queries() -> int:
        later = at(MON, 10) + dt.timedelta(days=30)
        with time_machine.travel(later, tick=False), CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"tab": tab}).status_code == 200
        return len(captured)

    make_appeal(aw, AppealStatus.DISPATCHED, received=at(MON, 9))
    few = queries()
    for _ in range(4):
        make_appeal(aw, AppealStatus.DISPATCHED, received=at(MON, 9), department=aw.lead)
    assert queries() == few


# -- the overdue list over HTTP: keyset pages and the count ------------------------------------


def _overdue_page(client, **query):
    with time_machine.travel(at(MON, 10) + dt.timedelta(days=30), tick=False):
        return client.get("/api/v1/appeals", {"overdue": "true", **query})


def test_the_overdue_list_pages_by_keyset(aw, client):
    late = [make_appeal(aw, AppealStatus.HANDLING, received=at(MON, 9 + n)) for n in range(3)]
    client.force_login(aw.dispatcher)
    first = _overdue_page(client, limit=2)
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["count"] == 3
    assert [row["number"] for row in body["results"]] == [late[0].number, late[1].number]
    assert body["next_after"] == late[1].number
    second = _overdue_page(client, limit=2, after=body["next_after"]).json()
    assert [row["number"] for row in second["results"]] == [late[2].number]
    assert second["next_after"] is None and second["count"] == 3


@pytest.mark.parametrize("after", ["SFQ-SQ2026-999999", "x" * 31])
def test_an_unknown_keyset_start_is_named(aw, client, after):
    client.force_login(aw.dispatcher)
    response = _overdue_page(client, after=after)
    assert response.status_code == 422
    assert "after" in response.json()["fields"]
