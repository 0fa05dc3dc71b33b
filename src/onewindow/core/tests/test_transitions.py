"""core.transitions: a table over a made-up lifecycle and plain objects (no app model)."""

from __future__ import annotations

import pytest
from django.db import models, transaction
from django.db.transaction import TransactionManagementError

from onewindow.core.errors import Conflict
from onewindow.core.models import AuditEvent
from onewindow.core.transitions import TRANSITION_NOT_ALLOWED, TransitionTable, transition


class DoorStatus(models.TextChoices):
    SHUT = "shut", "关闭"
    OPEN = "open", "开启"
    LOCKED = "locked", "上锁"


class DoorAction(models.TextChoices):
    OPEN = "open", "开门"
    SHUT = "shut", "关门"
    LOCK = "lock", "锁门"


S, A = DoorStatus, DoorAction
DOOR = TransitionTable(
    subject="门",
    statuses=DoorStatus,
    actions=DoorAction,
    moves={
        (S.SHUT, A.OPEN): S.OPEN,
        (S.OPEN, A.SHUT): S.SHUT,
        (S.SHUT, A.LOCK): S.LOCKED,
    },
)


class Door:
    """A plain object with a status and a save() that records what it was asked to save."""

    def __init__(self, status: str = DoorStatus.SHUT) -> None:
        self.status = status
        self.colour = "red"
        self.saved: list[list[str]] = []

    def save(self, *, update_fields: list[str]) -> None:
        self.saved.append(list(update_fields))


# -- the table (pure) -------------------------------------------------------------------------


def test_every_pair_of_the_table_leads_to_its_target_and_every_other_pair_is_refused():
    for status in DoorStatus.values:
        for action in DoorAction.values:
            if (status, action) in DOOR.moves:
                assert DOOR.target(status, action) == DOOR.moves[(status, action)]
                assert DOOR.allows(status, action)
            else:
                assert not DOOR.allows(status, action)
                with pytest.raises(Conflict) as refused:
                    DOOR.target(status, action)
                assert refused.value.status == 409
                assert refused.value.code == TRANSITION_NOT_ALLOWED


def test_a_refusal_names_the_subject_the_status_label_and_the_action_label():
    with pytest.raises(Conflict) as refused:
        DOOR.check(Door(DoorStatus.LOCKED), DoorAction.OPEN)
    assert refused.value.message == "门当前状态为“上锁”，不能执行“开门”"
    assert refused.value.as_dict() == {
        "message": "门当前状态为“上锁”，不能执行“开门”",
        "code": "transition_not_allowed",
        "fields": {},
    }


def test_an_unknown_status_is_named_as_it_is_stored():
    with pytest.raises(Conflict) as refused:
        DOOR.target("ajar", DoorAction.SHUT)
    assert refused.value.message == "门当前状态为“ajar”，不能执行“关门”"


def test_the_actions_from_a_status_follow_the_table():
    assert DOOR.actions_from(DoorStatus.SHUT) == [DoorAction.OPEN, DoorAction.LOCK]
    assert DOOR.actions_from(DoorStatus.LOCKED) == []
    assert dict(DOOR) == DOOR.moves


@pytest.mark.parametrize(
    "moves",
    [
        {("ajar", DoorAction.OPEN): DoorStatus.OPEN},
        {(DoorStatus.SHUT, "kick"): DoorStatus.OPEN},
        {(DoorStatus.SHUT, DoorAction.OPEN): "gone"},
    ],
)
def test_a_table_naming_an_unknown_status_or_action_is_refused_when_it_is_built(moves):
    with pytest.raises(ValueError):
        TransitionTable(subject="门", statuses=DoorStatus, actions=DoorAction, moves=moves)


# -- the helper -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_move_sets_the_status_saves_the_named_fields_and_appends_the_event():
    door = Door()
    door.colour = "blue"

    new = transition(
        door,
        DoorAction.OPEN,
        table=DOOR,
        event="door.opened",
        object_type="door",
        object_id=7,
        actor="王晓窗",
        actor_id=3,
        reason="通风",
        data={"by": "hand"},
        fields=["colour", "status"],
    )

    assert new == DoorStatus.OPEN
    assert door.status == DoorStatus.OPEN
    assert door.saved == [["status", "colour"]]  # no updated_at on a plain object
    event = AuditEvent.objects.get()
    assert (event.action, event.object_type, event.object_id) == ("door.opened", "door", "7")
    assert (event.actor, event.actor_id) == ("王晓窗", "3")
    assert event.data == {"from": "shut", "to": "open", "reason": "通风", "by": "hand"}


@pytest.mark.django_db
def test_a_refused_move_changes_nothing_and_records_nothing():
    door = Door(DoorStatus.LOCKED)
    with pytest.raises(Conflict) as refused:
        transition(
            door, DoorAction.OPEN, table=DOOR, event="door.opened", object_type="door", object_id=7
        )
    assert refused.value.code == "transition_not_allowed"
    assert door.status == DoorStatus.LOCKED
    assert door.saved == []
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_updated_at_is_saved_when_the_model_has_it(monkeypatch):
    from onewindow.core import transitions

    door = Door()
    monkeypatch.setattr(transitions, "_has_field", lambda instance, name: name == "updated_at")
    transition(
        door, DoorAction.OPEN, table=DOOR, event="door.opened", object_type="door", object_id=1
    )
    assert door.saved == [["status", "updated_at"]]


def test_a_move_outside_a_transaction_is_refused():
    # No database access is needed to refuse: the check comes first.
    assert not transaction.get_connection().in_atomic_block
    door = Door()
    with pytest.raises(TransactionManagementError):
        transition(
            door, DoorAction.OPEN, table=DOOR, event="door.opened", object_type="door", object_id=7
        )
    assert door.status == DoorStatus.SHUT
