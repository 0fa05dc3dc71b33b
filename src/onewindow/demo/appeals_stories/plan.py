"""One demo order's story as it is planned: the unsaved row and the rows of its story
(``Plan``), the names of the history's steps, and ``Stop`` for a story that does not fit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from onewindow.appeals.constants import (
    STEP_RECEIVE,
    STEP_SUPERVISED,
    STEP_SUPERVISION_ANSWERED,
    STEP_SUPERVISION_CLOSED,
    AppealStatus,
    HandlingStep,
    SupervisionStatus,
)
from onewindow.appeals.models import (
    Appeal,
    AppealAssignment,
    AppealExtension,
    AppealReturn,
    AppealStep,
    AppealSupervision,
    AppealVisit,
)
from onewindow.org.models import Applicant, Department, User

SPAN_DAYS = 60

#: The history's names of the steps that do not move the status (the moves use the
#: ``AppealAction`` values).
RECEIVE = STEP_RECEIVE
EXTEND = HandlingStep.EXTENSION_REQUEST.value
APPROVE_EXTENSION = HandlingStep.EXTENSION_APPROVE.value
REFUSE_EXTENSION = HandlingStep.EXTENSION_REFUSE.value
LATE_RETURN = HandlingStep.LATE_RETURN.value
ADD_PART = HandlingStep.ADD_PART.value
SUPERVISE = STEP_SUPERVISED
ANSWER_SUPERVISION = STEP_SUPERVISION_ANSWERED
CLOSE_SUPERVISION = STEP_SUPERVISION_CLOSED

#: Statuses in which the 督办 job looks for orders past their deadline (a department holds
#: them).
WATCHED = frozenset({AppealStatus.DISPATCHED, AppealStatus.HANDLING, AppealStatus.RETURN_REQUESTED})
#: Statuses an order may be merged from, and into.
MERGEABLE = frozenset(
    {
        AppealStatus.RECEIVED,
        AppealStatus.DISPATCHED,
        AppealStatus.HANDLING,
        AppealStatus.RETURN_REQUESTED,
    }
)
MANUAL_SUPERVISION_DAYS = 3


# --- one order's story -----------------------------------------------------------------------


@dataclass
class Event:
    """An audit event to append at ``at`` once the order has its id and number."""

    at: dt.datetime
    action: str
    actor: User | None
    data: dict


@dataclass
class Plan:
    """An order being written: the unsaved row and the rows of its story."""

    appeal: Appeal
    story: str
    steps: list[tuple[dt.datetime, AppealStep]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    assignments: list[AppealAssignment] = field(default_factory=list)
    returns: list[AppealReturn] = field(default_factory=list)
    extensions: list[AppealExtension] = field(default_factory=list)
    visits: list[AppealVisit] = field(default_factory=list)
    supervisions: list[AppealSupervision] = field(default_factory=list)
    moves: list[tuple[dt.datetime, str]] = field(default_factory=list)  # (when, status after)
    last: dt.datetime | None = None
    merge_into: Plan | None = None
    topic_reply: str = ""
    special: tuple | None = None  # the 不予受理 or emergency entry it was made from

    @property
    def open_supervisions(self) -> dict[str, AppealSupervision]:
        return {
            sup.trigger: sup for sup in self.supervisions if sup.status != SupervisionStatus.CLOSED
        }

    def status_at(self, moment: dt.datetime) -> str:
        status = AppealStatus.RECEIVED
        for at, after in self.moves:
            if at > moment:
                break
            status = after
        return status

    def current(self, department: Department) -> AppealAssignment | None:
        return next(
            (a for a in self.assignments if a.is_current and a.department_id == department.pk),
            None,
        )


class Stop(Exception):
    """The story does not fit before now (or not as planned): try another receipt."""


@dataclass
class Who:
    requester: Applicant | None = None
    user: User | None = None
    contact_name: str = ""
    contact_phone: str = ""
    uscc: str = ""
    company: str = ""
    anonymous: bool = False


@dataclass(frozen=True)
class Topic:
    leaf: str
    nature: str
    subject: str
    description: str
    reply: str
