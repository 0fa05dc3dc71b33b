"""The staff desks' lists: the task inbox, the supervision board and 容缺 overdue (the
window desk's queues: ``desk_queues``). Lights and sorting are computed in SQL
(``with_light``: dates compared with today)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet

from onewindow.cases.constants import (
    CaseStatus,
    Decision,
    Light,
    MaterialState,
    TaskKind,
)
from onewindow.cases.models import Case, CaseMaterial, Task
from onewindow.cases.permissions import departments_with_role, visible_cases
from onewindow.cases.selectors.clock import today
from onewindow.org.constants import Role
from onewindow.org.models import User

PAGE_SIZE = 50
WARNED_LIGHTS = (Light.YELLOW, Light.RED)


def task_inbox(
    user: User,
    *,
    on: dt.date | None = None,
    light: str | None = None,
    mine: bool = False,
) -> QuerySet[Task]:
    """Active tasks the user may take (their role in their departments), most urgent
    first: red, then by step deadline. ``light`` filters (in SQL); ``mine`` keeps the
    ones the user has claimed."""
    on = on or today()
    holder = Q(pk__in=[])
    for role in (Role.REVIEWER, Role.DECIDER):
        departments = departments_with_role(user, role)
        if departments:
            holder |= Q(role=role, department_id__in=departments)
    if user.has_role(Role.WINDOW_CLERK):
        holder |= Q(role=Role.WINDOW_CLERK, case__zone_id=user.zone_id)
    tasks = (
        Task.objects.active()
        .filter(holder)
        .filter(Q(assignee__isnull=True) | Q(assignee=user))
        .with_light(on)
        .select_related("case", "case__applicant", "department", "assignee")
        .order_by("deadline", "opened_at", "pk")
    )
    if mine:
        tasks = tasks.filter(assignee=user)
    if light in Light.values:
        tasks = tasks.filter(light=light)
    return tasks


def supervisor_board(
    user: User,
    *,
    on: dt.date | None = None,
    department_id: int | None = None,
    light: str | None = None,
) -> QuerySet[Task]:
    """Every yellow and red task in the user's zone, with who holds it: a department
    late inside a case that is still on time shows here too. Most overdue first."""
    on = on or today()
    tasks = (
        _warned_tasks(user, on)
        .with_light(on)
        .select_related("case", "department", "assignee")
        .order_by("deadline", "pk")
    )
    if department_id:
        tasks = tasks.filter(department_id=department_id)
    if light in WARNED_LIGHTS:
        tasks = tasks.filter(light=light)
    return tasks


def _warned_tasks(user: User, on: dt.date) -> QuerySet[Task]:
    """Active yellow or red tasks of the user's zone whose case clock runs. The zone is
    the department's (a tiny join) and the few suspended cases are excluded as a set,
    so the query walks the partial index of active tasks only."""
    suspended = Case.objects.filter(zone_id=user.zone_id, status=CaseStatus.SUSPENDED).values("pk")
    return (
        Task.objects.active()
        .filter(department__zone_id=user.zone_id, yellow_from__lte=on)
        .exclude(case_id__in=suspended)
    )


def warned_cases(user: User, *, on: dt.date | None = None, light: str | None = None):
    """Yellow and red item cases of the user's zone (the case clock, not the step clocks;
    a bundle shows as its children, each in its own department)."""
    on = on or today()
    cases = (
        Case.objects.warned(on)
        .filter(zone_id=user.zone_id)
        .with_light(on)
        .select_related("department", "applicant")
        .order_by("deadline", "pk")
    )
    if light in WARNED_LIGHTS:
        cases = cases.filter(light=light)
    return cases


def board_counts(user: User, *, on: dt.date | None = None) -> dict[str, int]:
    """Yellow and red counts, cases and tasks, for the board's header (four queries).
    Cases are counted by the shared rule (``CaseQuerySet.overdue`` / ``due_soon``), so the
    board's 超期办件 is the dashboard's 红灯办件 at the same moment."""
    on = on or today()
    cases = Case.objects.filter(zone_id=user.zone_id)
    tasks = _warned_tasks(user, on)
    return {
        "cases_red": cases.overdue(on).count(),
        "cases_yellow": cases.due_soon(on).count(),
        "tasks_red": tasks.filter(deadline__lt=on).count(),
        "tasks_yellow": tasks.filter(deadline__gte=on).count(),
    }


def overdue_supplements(user: User, *, on: dt.date | None = None) -> QuerySet[Case]:
    """容缺 cases whose tolerated materials are owed and past their due date (for the
    clerk; a denied case owes nothing, ``rules.supplement_owed``)."""
    on = on or today()
    return (
        visible_cases(user)
        .supplement_owed()
        .filter(
            tolerance_due_on__lt=on,
            parent__isnull=True,
            materials__state=MaterialState.TOLERATED,
        )
        .distinct()
        .select_related("applicant")
        .order_by("tolerance_due_on", "pk")
    )


def only_supplement_condition() -> Q:
    """The SQL form of ``rules.supplement_hold``: the case's next step waits for nothing
    but its tolerated (容缺) materials: at the decision, reviews done, of an item that
    issues a certificate; or approved at the delivery (统一出件 of a bundle too); in
    either case not 先出证后补, with a tolerated material still owed (a bundle child's
    are its parent's). The desk's 待补齐容缺材料 queue and
    :func:`waiting_only_for_supplement` both ask this."""
    owed = CaseMaterial.objects.filter(
        Q(case=OuterRef("pk")) | Q(case=OuterRef("parent_id")), state=MaterialState.TOLERATED
    )
    active = Task.objects.active().filter(case=OuterRef("pk"))
    held_child = Case.objects.filter(
        parent=OuterRef("pk"),
        decision=Decision.APPROVED,
        item_version__issue_before_supplement=False,
    )
    at_decision = Q(
        status=CaseStatus.IN_REVIEW,
        item_version__certificate_type__isnull=False,
        item_version__issue_before_supplement=False,
    ) & Exists(active.filter(kind=TaskKind.DECISION))
    at_delivery = (
        Q(status=CaseStatus.APPROVED, decision=Decision.APPROVED)
        & Exists(active.filter(kind=TaskKind.DELIVERY))
        & (Q(item_version__issue_before_supplement=False) | Exists(held_child))
    )
    return (at_decision | at_delivery) & Q(Exists(owed))


def waiting_only_for_supplement(user: User) -> QuerySet[Case]:
    """Cases whose next step waits for nothing but their tolerated materials
    (:func:`only_supplement_condition`), earliest due date first."""
    return (
        visible_cases(user)
        .filter(only_supplement_condition())
        .select_related("applicant", "item_version", "bundle")
        .order_by("tolerance_due_on", "pk")
    )
