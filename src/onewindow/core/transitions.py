"""The only place a status changes: a transition table per model and one helper (ADR 0017).

A model with a lifecycle keeps, beside its status choices, a table
``{(from_status, action): to_status}`` wrapped in a :class:`TransitionTable`; any pair
not in the table is refused. Its services move the status only through
:func:`transition`, which checks the table, writes the status (and the fields the caller
names) with ``save(update_fields=…)`` and appends the audit event with ``from`` and
``to``, all in the caller's transaction.

Locking is the caller's: it passes the row it locked through ``core.locks`` (read →
decide → write under the lock, in the order of ADR 0019); the helper refuses to run
outside a transaction, where a lock would already be gone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.transaction import TransactionManagementError
from django.utils.translation import gettext as _

from onewindow.core.audit import audit_append
from onewindow.core.errors import Conflict

#: The stable code of every refused move (cases, tasks, rectifications, certificates).
TRANSITION_NOT_ALLOWED = "transition_not_allowed"


@dataclass(frozen=True, eq=False)
class TransitionTable:
    """A lifecycle as data: ``moves`` maps (status, action) to the next status.

    ``subject`` names the thing in a refusal (“办件”, “整改事项”); ``statuses`` and
    ``actions`` are the choices whose labels the refusal shows; ``field`` is the model's
    status field. Every status and action in ``moves`` must be one of the choices.
    """

    subject: str
    statuses: type[models.TextChoices]
    actions: type[models.TextChoices]
    moves: Mapping[tuple[str, str], str]
    field: str = "status"

    def __post_init__(self) -> None:
        for (status, action), target in self.moves.items():
            for value, choices in ((status, self.statuses), (target, self.statuses)):
                if value not in choices.values:
                    raise ValueError(f"{value!r} is not a {choices.__name__}")
            if action not in self.actions.values:
                raise ValueError(f"{action!r} is not a {self.actions.__name__}")

    def __iter__(self) -> Iterator[tuple[tuple[str, str], str]]:
        return iter(self.moves.items())

    def allows(self, status: str, action: str) -> bool:
        return (status, action) in self.moves

    def actions_from(self, status: str) -> list[str]:
        """The actions the table allows from ``status``, in the table's order."""
        return [action for (source, action) in self.moves if source == status]

    def target(self, status: str, action: str) -> str:
        """The status ``action`` leads to from ``status``, or the refusal (409)."""
        target = self.moves.get((status, action))
        if target is None:
            raise Conflict(
                _("{subject}当前状态为“{status}”，不能执行“{action}”").format(
                    subject=self.subject,
                    status=_label(self.statuses, status),
                    action=_label(self.actions, action),
                ),
                code=TRANSITION_NOT_ALLOWED,
            )
        return target

    def check(self, instance: Any, action: str) -> str:
        """:meth:`target` from the instance's current status: a service calls it first
        when it must refuse a move before other checks (input, permissions)."""
        return self.target(getattr(instance, self.field), action)


def _label(choices: type[models.TextChoices], value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _has_field(instance: Any, name: str) -> bool:
    meta = getattr(instance, "_meta", None)
    if meta is None:
        return False
    try:
        meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def transition(
    instance: Any,
    action: str,
    *,
    table: TransitionTable,
    event: str,
    object_type: str,
    object_id: str | int,
    actor: str = "system",
    actor_id: str | int = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
    fields: Sequence[str] = (),
) -> str:
    """Move ``instance`` by ``action``: the one place its status changes.

    Checks the table (refusing with ``Conflict``, code ``transition_not_allowed``, and a
    message naming the current status and the action), sets the status, saves it with
    ``updated_at`` (when the model has one) and ``fields`` (set by the caller beforehand),
    then appends the audit event ``event`` with ``{"from", "to", "reason"?, **data}``.
    Must run inside a transaction, on a row the caller locked (ADR 0019). Returns the
    new status.
    """
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError(
            "transition() must run inside the caller's transaction, on a locked row"
        )
    before = getattr(instance, table.field)
    target = table.target(before, action)
    setattr(instance, table.field, target)
    update_fields = [table.field]
    if _has_field(instance, "updated_at"):
        update_fields.append("updated_at")
    update_fields += [name for name in fields if name not in update_fields]
    instance.save(update_fields=update_fields)
    payload: dict[str, Any] = {"from": str(before), "to": str(target)}
    if reason:
        payload["reason"] = reason
    payload.update(data or {})
    audit_append(
        action=event,
        actor=actor,
        actor_id=actor_id,
        object_type=object_type,
        object_id=object_id,
        data=payload,
    )
    return target


def transition_new(instance: Any, action: str, *, table: TransitionTable) -> str:
    """A row not yet inserted, created already moved by ``action`` from its initial
    status (a case created as submitted, a task opened already done): the table is
    checked and the status set, nothing is written. The caller inserts the row and
    appends the one event that records it. Returns the new status."""
    if not instance._state.adding:
        raise ValueError("transition_new() is for a row not yet inserted; use transition()")
    target = table.target(getattr(instance, table.field), action)
    setattr(instance, table.field, target)
    return target
