"""The window clerk's queues (窗口工作台): 待我预审, 待申请人补正, 容缺逾期, 待补齐容缺材料 and
待出件, each filtered (item or bundle, channel, status, waiting days) and sorted in SQL;
their counts in one query; and the case after the one just handled ("next case").

A queue is a condition on the cases the clerk may see (``visible_cases``) and the moment
its cases started waiting (``since``): submission for pre-review, the correction notice for
a correction, acceptance for the 容缺 queues, the delivery step's arrival for delivery.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases.constants import CaseStatus, MaterialState, TaskKind
from onewindow.cases.models import Case, CaseMaterial, Task
from onewindow.cases.permissions import visible_cases
from onewindow.cases.selectors.clock import today
from onewindow.cases.selectors.desks import only_supplement_condition
from onewindow.org.constants import Role
from onewindow.org.models import User


@dataclass(frozen=True)
class Queue:
    key: str
    label: object  # a lazy translation
    hint: object
    empty: object


PRE_REVIEW, CORRECTION, TOLERANCE_OVERDUE, SUPPLEMENT, DELIVERY = (
    "pre_review",
    "correction",
    "tolerance_overdue",
    "supplement",
    "delivery",
)

QUEUES: dict[str, Queue] = {
    queue.key: queue
    for queue in (
        Queue(
            PRE_REVIEW,
            _("待我预审"),
            _("网上提交、窗口登记和补正后重新提交的申请，等待核对材料后受理、补正告知或不予受理。"),
            _("没有等待预审的申请。"),
        ),
        Queue(
            CORRECTION,
            _("待申请人补正"),
            _("已一次性告知补正、等待申请人补正后重新提交的申请。"),
            _("没有等待补正的申请。"),
        ),
        Queue(
            TOLERANCE_OVERDUE,
            _("容缺逾期"),
            _("容缺受理后超过补齐期限仍未补齐材料的办件，请联系申请人。"),
            _("没有逾期未补的容缺材料。"),
        ),
        Queue(
            SUPPLEMENT,
            _("待补齐容缺材料"),
            _("审查已经办完、只等申请人补齐容缺材料才能出证或出件的办件（尚未逾期）。"),
            _("没有只等补齐容缺材料的办件。"),
        ),
        Queue(
            DELIVERY,
            _("待出件"),
            _("已作出决定、等待窗口送达或统一出件的办件。"),
            _("没有等待出件的办件。"),
        ),
    )
}

#: The sortable columns: the URL's name → the ordering field (``since``: the annotation).
SORTS = {
    "number": "number",
    "applicant": "applicant__name",
    "item": "title",
    "channel": "channel",
    "status": "status",
    "since": "since",
}
DEFAULT_SORT = "since"  # the one who has waited longest first
MAX_WAITING_DAYS = 3650


@dataclass(frozen=True)
class DeskQuery:
    """What the desk shows: a queue, its filters and its order (all from the URL).

    ``item``: ``"i<item pk>"`` or ``"b<bundle pk>"``; ``waiting``: at least that many
    calendar days in the queue; ``sort``: a key of ``SORTS``, ``-`` first for descending."""

    queue: str = PRE_REVIEW
    item: str = ""
    channel: str = ""
    status: str = ""
    waiting: int | None = None
    sort: str = DEFAULT_SORT

    def params(self) -> dict[str, str]:
        """The URL parameters that give this query back (defaults left out)."""
        values = {
            "queue": self.queue,
            "item": self.item,
            "channel": self.channel,
            "status": self.status,
            "waiting": "" if self.waiting is None else str(self.waiting),
            "sort": "" if self.sort == DEFAULT_SORT else self.sort,
        }
        return {name: value for name, value in values.items() if value}


def _tolerated_open():
    return Exists(CaseMaterial.objects.filter(case=OuterRef("pk"), state=MaterialState.TOLERATED))


def _clerk_deliveries(user: User):
    """The active delivery steps of the clerk's zone that no colleague holds."""
    return (
        Task.objects.active()
        .filter(
            kind=TaskKind.DELIVERY,
            role=Role.WINDOW_CLERK,
            case__zone_id=user.zone_id,
        )
        .filter(Q(assignee__isnull=True) | Q(assignee=user))
    )


def _queue_condition(user: User, key: str, on: dt.date) -> Q:
    top = Q(parent__isnull=True)
    if key == PRE_REVIEW:
        return top & Q(status=CaseStatus.SUBMITTED)
    if key == CORRECTION:
        return top & Q(status=CaseStatus.CORRECTION_REQUESTED)
    if key == TOLERANCE_OVERDUE:
        return top & Q(_tolerated_open(), tolerance_due_on__lt=on)
    if key == SUPPLEMENT:
        # Nothing left but the supplement (the rule that holds the certificate and the
        # delivery), not overdue yet: the overdue ones are the queue before.
        return top & only_supplement_condition() & Q(tolerance_due_on__gte=on)
    if key == DELIVERY:
        return Q(Exists(_clerk_deliveries(user).filter(case=OuterRef("pk"))))
    raise ValueError(f"no desk queue {key!r}")


def _since(user: User, key: str):
    if key == PRE_REVIEW:
        return F("submitted_at")
    if key == CORRECTION:
        return F("correction_requested_at")
    if key in (TOLERANCE_OVERDUE, SUPPLEMENT):
        return F("accepted_at")
    step = _clerk_deliveries(user).filter(case=OuterRef("pk")).order_by("opened_at", "pk")
    return Subquery(step.values("opened_at")[:1])


def _delivery_step(user: User, field: str):
    step = _clerk_deliveries(user).filter(case=OuterRef("pk")).order_by("opened_at", "pk")
    return Subquery(step.values(field)[:1])


def _ordering(sort: str) -> list:
    descending = sort.startswith("-")
    field = SORTS.get(sort.lstrip("-"), SORTS[DEFAULT_SORT])
    expression = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    tie = F("pk").desc() if descending else F("pk").asc()
    return [expression, tie]


def _filtered(cases: QuerySet[Case], query: DeskQuery, now: dt.datetime) -> QuerySet[Case]:
    kind, pk = query.item[:1], query.item[1:]
    if kind == "i" and pk.isdigit():
        cases = cases.filter(item_version__item_id=int(pk))
    elif kind == "b" and pk.isdigit():
        cases = cases.filter(bundle_id=int(pk))
    if query.channel:
        cases = cases.filter(channel=query.channel)
    if query.status:
        cases = cases.filter(status=query.status)
    if query.waiting is not None:
        cases = cases.filter(since__lte=now - dt.timedelta(days=query.waiting))
    return cases


def desk_cases(
    user: User, query: DeskQuery, *, on: dt.date | None = None, now: dt.datetime | None = None
) -> QuerySet[Case]:
    """The cases of ``query``'s queue the clerk may see, filtered and sorted, with
    ``since`` (waiting since) and, in the delivery queue, ``delivery_deadline`` and
    ``delivery_task`` (the step's name) annotated; applicant and item joined."""
    on = on or today()
    now = now or timezone.now()
    key = query.queue if query.queue in QUEUES else PRE_REVIEW
    cases = (
        visible_cases(user)
        .filter(_queue_condition(user, key, on))
        .annotate(since=_since(user, key))
        .select_related("applicant", "item_version", "bundle")
    )
    if key == DELIVERY:
        cases = cases.annotate(
            delivery_deadline=_delivery_step(user, "deadline"),
            delivery_task=_delivery_step(user, "name"),
        )
    return _filtered(cases, query, now).order_by(*_ordering(query.sort))


def desk_counts(user: User, *, on: dt.date | None = None) -> dict[str, int]:
    """How many cases wait in each queue (unfiltered), in one query."""
    on = on or today()
    counts = visible_cases(user).aggregate(
        **{
            key: Count("pk", filter=_queue_condition(user, key, on), distinct=True)
            for key in QUEUES
        }
    )
    return {key: counts[key] or 0 for key in QUEUES}


def next_case(
    user: User, query: DeskQuery, *, after: Case, on: dt.date | None = None
) -> Case | None:
    """The case after ``after`` in ``query``'s queue (in its order), or the queue's first
    when ``after`` was its last or has left it (it was just handled); None when the
    queue holds nothing else. Compares ``after``'s sort value in SQL (keyset)."""
    cases = desk_cases(user, query, on=on).exclude(pk=after.pk)
    descending = query.sort.startswith("-")
    field = SORTS.get(query.sort.lstrip("-"), SORTS[DEFAULT_SORT])
    key = query.queue if query.queue in QUEUES else PRE_REVIEW
    current = (
        Case.objects.filter(pk=after.pk).annotate(since=_since(user, key)).values(field).first()
    )
    value = current[field] if current else None
    if value is not None:
        later = "lt" if descending else "gt"
        following = cases.filter(
            Q(**{f"{field}__{later}": value}) | Q(**{field: value, f"pk__{later}": after.pk})
        ).first()
        if following is not None:
            return following
    return cases.first()


def with_waiting_days(cases, *, now: dt.datetime | None = None) -> list[Case]:
    """The rows with ``waiting_days`` (whole calendar days since ``since``)."""
    now = now or timezone.now()
    rows = list(cases)
    for row in rows:
        row.waiting_days = (now - row.since).days if row.since else None
    return rows
