"""The work queues of handling (reads only): a department's queue (待签收 / 办理中 /
即将超期 / 已超期 / 退回待审) and the centre's board (待派单 / 退回待审 / 延期待批 / 答复待审
/ 已超期), and the filters of ``GET /api/v1/appeals``. Every read starts from
``permissions.visible_appeals`` (the chokepoint); each queue is one indexed condition on
the order, so a page is one count and one slice however many orders there are.

(Reads of the handling part; ``selectors.py`` is the foundation's.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from onewindow.appeals.clock import local_zone
from onewindow.appeals.constants import (
    OPEN_STATUSES,
    AppealStatus,
    AssignmentRole,
    ExtensionStatus,
)
from onewindow.appeals.models import (
    Appeal,
    AppealAssignment,
    AppealExtension,
    AppealQueueCount,
)
from onewindow.appeals.permissions import handler_department_ids, is_zone_wide, visible_appeals
from onewindow.org.models import User

#: Orders whose handling clock is still running (not yet replied).
RUNNING = (
    AppealStatus.RECEIVED,
    AppealStatus.DISPATCHED,
    AppealStatus.HANDLING,
    AppealStatus.RETURN_REQUESTED,
)
#: A department's orders that are its to work (signed or not).
WORKING = (AppealStatus.DISPATCHED, AppealStatus.HANDLING)


#: Replied, not yet closed: the overdue flag fixed at the reply still shows.
REPLIED = (AppealStatus.REPLIED, AppealStatus.ANSWERED)


def overdue_condition(now: dt.datetime) -> Q:
    """Late now: still running past its deadline, or replied late and not yet closed
    (the flag fixed at the reply). Closed orders are counted by the reports."""
    return Q(status__in=RUNNING, due_at__lt=now) | Q(status__in=REPLIED, overdue=True)


def warning_condition(now: dt.datetime) -> Q:
    """In the warning band: running, past its warning instant, not yet due."""
    return Q(status__in=RUNNING, warn_at__lte=now, due_at__gte=now)


#: The department's queues a write decides: queue → the status of its orders.
DEPARTMENT_KEPT = {
    "sign": AppealStatus.DISPATCHED,
    "handling": AppealStatus.HANDLING,
    "returns": AppealStatus.RETURN_REQUESTED,
}
#: The centre's queues decided by the status alone (``extensions`` is the fourth).
CENTRE_KEPT = {
    "received": AppealStatus.RECEIVED,
    "returns": AppealStatus.RETURN_REQUESTED,
    "replies": AppealStatus.REPLIED,
}
EXTENSIONS = "extensions"
CENTRE_KEPT_KEYS = (*CENTRE_KEPT, EXTENSIONS)


@dataclass(frozen=True)
class Queue:
    key: str
    label: str
    hint: str


DEPARTMENT_QUEUES = (
    Queue("sign", _("待签收"), _("已派到本部门、等待签收的工单（主办和协办）。")),
    Queue("handling", _("办理中"), _("本部门已签收、正在办理的工单。")),
    Queue("warning", _("即将超期"), _("已过预警时间、尚未到期的工单。")),
    Queue("overdue", _("已超期"), _("已过办理期限仍未答复的工单。")),
    Queue("returns", _("退回待审"), _("本部门申请退回、等待中心审核的工单。")),
)

CENTRE_QUEUES = (
    Queue("received", _("待派单"), _("已受理、等待派单的工单。")),
    Queue("returns", _("退回待审"), _("部门申请退回的工单：改派或指定承办。")),
    Queue("extensions", _("延期待批"), _("部门申请延期、等待审批的工单。")),
    Queue("replies", _("答复待审"), _("部门已答复、等待中心审核后发出的工单。")),
    Queue("overdue", _("已超期"), _("已过办理期限仍未答复的工单。")),
)


def department_scope(user: User) -> QuerySet[Appeal]:
    """The orders the user's departments currently hold (lead or co), within sight.

    A handler of one department who sees nothing zone-wide (the usual case): the zone's
    orders with a current assignment of the department that is a co assignment or the
    lead department's own, one ``EXISTS`` probe per order on the unique index of current
    assignments. That is exactly ``visible_appeals`` (a current assignment of the
    department) narrowed to the lead or a co assignment (``scope_through_chokepoint``;
    the roll-up test compares the two), without reading every order the department ever
    held. Anyone else goes through the chokepoint as written."""
    departments = list(handler_department_ids(user))
    if len(departments) != 1 or is_zone_wide(user) or not user.is_active:
        return scope_through_chokepoint(user)
    holds = AppealAssignment.objects.filter(
        Q(role=AssignmentRole.CO) | Q(department_id=OuterRef("lead_department_id")),
        appeal_id=OuterRef("pk"),
        department_id=departments[0],
        is_current=True,
    )
    return Appeal.objects.filter(Exists(holds), zone_id=user.zone_id)


def scope_through_chokepoint(user: User) -> QuerySet[Appeal]:
    """``department_scope`` read through ``permissions.visible_appeals``: the lead is on
    the order itself (the index on lead department, status and deadline); a co-department
    through its current assignment; the departments and their orders are of the user's
    zone."""
    departments = list(handler_department_ids(user))
    co = AppealAssignment.objects.filter(
        department_id__in=departments, is_current=True, role=AssignmentRole.CO
    ).values("appeal_id")
    return visible_appeals(user).filter(
        Q(lead_department_id__in=departments) | Q(pk__in=co), zone_id=user.zone_id
    )


def centre_scope(user: User) -> QuerySet[Appeal]:
    """The zone's orders (the centre's board), within sight."""
    return visible_appeals(user).filter(zone_id=user.zone_id)


def _pending_extensions() -> QuerySet:
    return AppealExtension.objects.filter(status=ExtensionStatus.PENDING).values("appeal_id")


def queue_condition(key: str, now: dt.datetime) -> Q:
    """The condition of the queue ``key`` (department and centre keys alike)."""
    return {
        "sign": Q(status=AppealStatus.DISPATCHED),
        "handling": Q(status=AppealStatus.HANDLING),
        "warning": Q(status__in=WORKING, warn_at__lte=now, due_at__gte=now),
        "overdue": Q(status__in=RUNNING, due_at__lt=now),
        "returns": Q(status=AppealStatus.RETURN_REQUESTED),
        "received": Q(status=AppealStatus.RECEIVED),
        "extensions": Q(status__in=OPEN_STATUSES, pk__in=_pending_extensions()),
        "replies": Q(status=AppealStatus.REPLIED),
    }[key]


def queue_rows(scope: QuerySet[Appeal], key: str, now: dt.datetime) -> QuerySet[Appeal]:
    """The queue's orders, the most urgent first, with what a row shows."""
    return (
        scope.filter(queue_condition(key, now))
        .select_related("category", "lead_department")
        .order_by("due_at", "pk")
    )


def queue_counts(
    scope: QuerySet[Appeal], queues: Iterable[Queue], now: dt.datetime
) -> dict[str, int]:
    """How many orders each queue holds: one pass over the scope's open orders (every
    queue is a subset of them), one conditional count per queue."""
    counts = scope.filter(status__in=OPEN_STATUSES).aggregate(
        **{queue.key: Count("pk", filter=queue_condition(queue.key, now)) for queue in queues}
    )
    return {queue.key: counts[queue.key] for queue in queues}


def kept_counts(zone_id: int, department_id: int | None, keys: Iterable[str]) -> dict[str, int]:
    """The roll-up's counts of one board (one indexed read); a queue with no row is 0."""
    keys = list(keys)
    found = dict(
        AppealQueueCount.objects.filter(
            zone_id=zone_id, department_id=department_id, queue__in=keys
        ).values_list("queue", "count")
    )
    return {key: found.get(key, 0) for key in keys}


def time_counts(scope: QuerySet[Appeal], keys: Iterable[str], now: dt.datetime) -> dict[str, int]:
    """The queues that follow the clock (即将超期 / 已超期), counted live: each bounded by
    the deadline on the index of the orders not yet replied, one count per queue."""
    return {key: scope.filter(queue_condition(key, now)).count() for key in keys}


def _through(prefix: str, condition: Q) -> Q:
    """``condition`` on the order, said from a row that points to it (``appeal__…``)."""
    moved = Q(
        *(
            _through(prefix, child) if isinstance(child, Q) else (f"{prefix}{child[0]}", child[1])
            for child in condition.children
        ),
        _connector=condition.connector,
        _negated=condition.negated,
    )
    return moved


def department_time_counts(
    zone_id: int, department_id: int, keys: Iterable[str], now: dt.datetime
) -> dict[str, int]:
    """``time_counts`` of one department's scope, as two disjoint counts: the orders it
    leads (on the index on lead department, status and deadline, each probed for its
    current assignment) and those it co-handles (from its current co assignments, a
    partial index of their own, each joined to its order), instead of one semi-join
    that reads every assignment the department ever had."""
    # A department holds at most one current assignment per order (a unique index).
    lead = AppealAssignment.objects.filter(
        department_id=department_id,
        is_current=True,
        appeal__zone_id=zone_id,
        appeal__lead_department_id=department_id,
    )
    co = AppealAssignment.objects.filter(
        department_id=department_id,
        is_current=True,
        role=AssignmentRole.CO,
        appeal__zone_id=zone_id,
    ).exclude(appeal__lead_department_id=department_id)
    return {
        key: lead.filter(_through("appeal__", queue_condition(key, now))).count()
        + co.filter(_through("appeal__", queue_condition(key, now))).count()
        for key in keys
    }


def board_counts(
    user: User, queue_list: Iterable[Queue], now: dt.datetime, *, centre: bool
) -> dict[str, int]:
    """The tab counts of the user's board: the queues a write decides from the roll-up
    the services keep (one indexed read), the clock's queues live. A handler of several
    departments is counted live (an order held by two of them is one order, not two)."""
    queue_list = list(queue_list)
    if centre:
        scope, department_id, kept = centre_scope(user), None, CENTRE_KEPT_KEYS
    else:
        departments = list(handler_department_ids(user))
        scope = department_scope(user)
        if len(departments) != 1:
            return queue_counts(scope, queue_list, now)
        department_id, kept = departments[0], tuple(DEPARTMENT_KEPT)
    keys = [queue.key for queue in queue_list]
    counts = kept_counts(user.zone_id, department_id, [key for key in keys if key in kept])
    clock_keys = [key for key in keys if key not in kept]
    if department_id is None:
        counts.update(time_counts(scope, clock_keys, now))
    else:
        counts.update(department_time_counts(user.zone_id, department_id, clock_keys, now))
    return {key: counts[key] for key in keys}


@dataclass(frozen=True)
class ListFilters:
    """The filters of the appeal list (``GET /api/v1/appeals``), already parsed."""

    status: str | None = None
    overdue: bool | None = None
    warning: bool | None = None
    department_id: int | None = None
    category_id: int | None = None
    nature: str | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None


def appeal_list(user: User, filters: ListFilters, now: dt.datetime) -> QuerySet[Appeal]:
    """What the user may list: a department's handler their departments' current orders,
    the centre, the hotline and 电子监察 their zone's; filtered; the most urgent first."""
    # Staff see orders of their own zone only (the index on zone, status and deadline).
    rows = visible_appeals(user).filter(zone_id=user.zone_id)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.overdue is not None:
        condition = overdue_condition(now)
        rows = rows.filter(condition if filters.overdue else ~condition)
    if filters.warning is not None:
        condition = warning_condition(now)
        rows = rows.filter(condition if filters.warning else ~condition)
    if filters.department_id is not None:
        rows = rows.filter(
            pk__in=AppealAssignment.objects.filter(
                department_id=filters.department_id, is_current=True
            ).values("appeal_id")
        )
    if filters.category_id is not None:
        rows = rows.filter(
            Q(category_id=filters.category_id) | Q(category__parent_id=filters.category_id)
        )
    if filters.nature:
        rows = rows.filter(nature=filters.nature)
    # Days of the zone's local time, as instants (so the index on created_at serves).
    if filters.received_from is not None:
        start = dt.datetime.combine(filters.received_from, dt.time.min, tzinfo=local_zone())
        rows = rows.filter(created_at__gte=start)
    if filters.received_to is not None:
        end = dt.datetime.combine(
            filters.received_to + dt.timedelta(days=1), dt.time.min, tzinfo=local_zone()
        )
        rows = rows.filter(created_at__lt=end)
    return rows.select_related("category", "lead_department").order_by("due_at", "pk")


def list_count(user: User, filters: ListFilters, rows: QuerySet[Appeal], now: dt.datetime) -> int:
    """How many orders the list holds. The board's overdue list (only ``overdue=true``) is
    two disjoint counts, each on a partial index of its own (the running orders past their
    deadline, index-only on ``appeal_running_due``; those replied late on
    ``appeal_late_due``) instead of one count over the whole late condition."""
    if filters != ListFilters(overdue=True):
        return rows.count()
    base = visible_appeals(user).filter(zone_id=user.zone_id)
    running = base.filter(status__in=RUNNING, due_at__lt=now).count()
    return running + base.filter(status__in=REPLIED, overdue=True).count()


def after_keyset(user: User, rows: QuerySet[Appeal], number: str) -> QuerySet[Appeal] | None:
    """The rows after the order ``number`` in the list's order (deadline, id): a keyset,
    so the next page starts on the index at that deadline instead of skipping rows. None
    when the user cannot see that order."""
    anchor = (
        visible_appeals(user).filter(number=number, zone_id=user.zone_id).values("due_at", "pk")
    ).first()
    if anchor is None:
        return None
    due_at, pk = anchor["due_at"], anchor["pk"]
    if due_at is None:  # deadlines absent sort last
        return rows.filter(due_at__isnull=True, pk__gt=pk)
    return rows.filter(Q(due_at__gte=due_at) | Q(due_at__isnull=True)).exclude(
        due_at=due_at, pk__lte=pk
    )
