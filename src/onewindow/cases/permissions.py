"""Who may see and act on a case: ``rules`` predicates, list scoping, one chokepoint.

- Applicants see the cases of the applicants they represent, and no other.
- Window clerks and supervisors (电子监察) see every case of their zone.
- Reviewers and deciders see the cases with a task (of any state) for their department.
- Regulators see the commitment (告知承诺) cases of their department, which they verify.
- Everyone else sees none. A case one may not see is "not found" (404), never 403.

Acting on a task needs the task's role *in the task's department*.
"""

from __future__ import annotations

import rules
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from onewindow.cases import rules as case_rules
from onewindow.cases.constants import AcceptanceMode
from onewindow.cases.models import Case, Task
from onewindow.core.errors import NotFound
from onewindow.org.constants import Role, UserKind
from onewindow.org.models import User
from onewindow.org.permissions import represented_applicant_ids


def department_roles(user: User) -> frozenset[tuple[str, int]]:
    """(role, department id) pairs the user holds in a department (from the roles the
    user object caches for the request, ``User.role_pairs``: no statement of its own)."""
    if not user.is_authenticated or not user.is_active or user.kind != UserKind.STAFF:
        return frozenset()
    return frozenset(pair for pair in user.role_pairs() if pair[1] is not None)


def departments_with_role(user: User, *roles: str) -> set[int]:
    return {department for role, department in department_roles(user) if role in roles}


def _zone_wide(user: User) -> bool:
    return bool(
        user.is_authenticated
        and (user.has_role(Role.WINDOW_CLERK) or user.has_role(Role.SUPERVISOR))
    )


def visible_cases(user: User, queryset=None):
    """The cases ``user`` may see (one query, no Python filtering)."""
    queryset = Case.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.kind == UserKind.APPLICANT:
        return queryset.filter(applicant_id__in=represented_applicant_ids(user))
    condition = Q(pk__in=[])
    if _zone_wide(user):
        condition |= Q(zone_id=user.zone_id)
    handling = departments_with_role(user, Role.REVIEWER, Role.DECIDER)
    if handling:
        condition |= Q(Exists(Task.objects.filter(case=OuterRef("pk"), department_id__in=handling)))
    regulating = departments_with_role(user, Role.REGULATOR)
    if regulating:
        condition |= Q(acceptance_mode=AcceptanceMode.COMMITMENT, department_id__in=regulating)
    return queryset.filter(condition)


@rules.predicate
def can_view_case(user: User, case: Case) -> bool:
    if case is None:
        return False
    return visible_cases(user, Case.objects.filter(pk=case.pk)).exists()


def actor_of(user: User) -> case_rules.Actor:
    """What ``cases.rules`` needs to know of ``user`` (its queries cached on the user)."""
    if not user.is_authenticated:
        return case_rules.Actor()
    staff = user.is_active and user.kind == UserKind.STAFF
    applicant = user.kind == UserKind.APPLICANT
    return case_rules.Actor(
        pk=user.pk,
        zone_id=user.zone_id,
        is_applicant=applicant,
        roles=user.role_set() if staff else frozenset(),
        department_roles=department_roles(user),
        applicant_ids=represented_applicant_ids(user) if applicant else frozenset(),
    )


def active_departments(case: Case) -> set[int]:
    """The departments with an active task of ``case`` (who handles it now)."""
    return set(case.tasks.active().values_list("department_id", flat=True))


@rules.predicate
def represents_case_applicant(user: User, case: Case) -> bool:
    return case is not None and case_rules.represents_applicant(actor_of(user), case)


@rules.predicate
def is_zone_clerk(user: User, case: Case) -> bool:
    return case is not None and case_rules.is_zone_clerk(actor_of(user), case)


@rules.predicate
def holds_task_role(user: User, task: Task) -> bool:
    return task is not None and case_rules.holds_task_role(actor_of(user), task)


@rules.predicate
def decides_for_case(user: User, case: Case) -> bool:
    return case is not None and case_rules.decides_for_case(actor_of(user), case)


@rules.predicate
def handles_case(user: User, case: Case) -> bool:
    """Holds a reviewer or decider role in a department with an active task of the case."""
    if case is None or not departments_with_role(user, Role.REVIEWER, Role.DECIDER):
        return False
    return case_rules.handles_case(actor_of(user), active_departments(case))


@rules.predicate
def submitted_case(user: User, case: Case) -> bool:
    return case is not None and user.is_authenticated and case.submitted_by_id == user.pk


#: The query code is the public progress lookup's credential: the one who submitted the
#: case (a clerk for a walk-in, who hands it over) and the applicant's representatives.
can_view_query_code = submitted_case | represents_case_applicant

#: Intake at the window: pre-review, corrections, acceptance, refusal, delivery.
can_intake = is_zone_clerk
#: The applicant's own acts: resubmit, supplement, withdraw.
can_act_as_applicant = represents_case_applicant
can_withdraw = represents_case_applicant | is_zone_clerk
can_upload = represents_case_applicant | is_zone_clerk
can_suspend = handles_case
can_extend = decides_for_case

rules.add_perm("cases.view_case_object", can_view_case)


def access_case_by_number(user: User, number: str, *, queryset=None) -> Case:
    """The case ``number`` if ``user`` may see it; "not found" for missing and forbidden."""
    base = Case.objects.select_related(
        "zone", "applicant", "department", "item_version", "bundle", "parent"
    )
    if queryset is not None:
        base = queryset
    case = visible_cases(user, base).filter(number=number).first()
    if case is None:
        raise NotFound(_("办件不存在"), code="case_not_found")
    return case
