"""Who sees a case and who may act on it (``cases.permissions`` and the services' guards).

Three layers (STYLE.md): list scoping (``visible_cases``), one object chokepoint
(``access_case_by_number``: "not found" for missing and forbidden alike), and a role check
in every service.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser

from onewindow.cases.constants import AcceptanceMode, CaseChannel, CaseStatus, SuspensionKind
from onewindow.cases.models import Case, CaseMaterial
from onewindow.cases.permissions import access_case_by_number, visible_cases
from onewindow.cases.services import (
    case_accept,
    case_create,
    case_extend,
    case_refuse,
    case_request_correction,
    case_resume,
    case_submit,
    case_suspend,
    case_withdraw,
    material_receive_paper,
    material_upload,
    task_claim,
    task_complete,
    task_decide,
    task_deliver,
    task_request_co_review,
    task_transfer,
)
from onewindow.cases.tests.factories import World, pdf_upload
from onewindow.catalog.tests.factories import make_item
from onewindow.core.errors import Forbidden, NotFound, ValidationFailed
from onewindow.core.models import AuditEvent
from onewindow.org.constants import DepartmentKind, Role
from onewindow.org.models import Department, Zone
from onewindow.org.services import staff_create
from onewindow.testing.worlds import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world: World) -> dict[str, Case]:
    """A case at each place the rules look at."""
    own = world.accepted()  # review task in world.department
    walk_in = case_create(  # another applicant's, taken at the window; no task yet
        actor=world.clerk,
        applicant=world.other_applicant,
        item_version=world.item,
        channel=CaseChannel.WINDOW,
        window=world.window,
    )
    parallel = world.accepted(world.parallel)  # tasks in both departments
    committed = world.submit(skip=("安全管理制度",))
    case_accept(
        case=committed,
        actor=world.clerk,
        mode=AcceptanceMode.COMMITMENT,
        committed=[CaseMaterial.objects.get(case=committed, name="安全管理制度").pk],
        commitment_text="本人承诺已建立食品安全管理制度。",
        commitment_signed_name="李四",
    )
    elsewhere = world.accepted(world.other_item)  # review task in world.other_department
    return {
        "own": own,
        "walk_in": walk_in,
        "parallel": parallel,
        "committed": committed,
        "elsewhere": elsewhere,
    }


@pytest.fixture
def far_zone_clerk(db):
    zone = Zone.objects.create(code="QT", name="其他开发区", division_code="320100")
    return staff_create(
        zone=zone,
        username="far_clerk",
        password=PASSWORD,
        display_name="外区窗口",
        roles=[Role.WINDOW_CLERK, Role.SUPERVISOR],
    )


def seen(user, cases: dict[str, Case]) -> set[str]:
    numbers = set(visible_cases(user).values_list("number", flat=True))
    return {name for name, case in cases.items() if case.number in numbers}


EVERYTHING = {"own", "walk_in", "parallel", "committed", "elsewhere"}


#: What each user of the world sees among ``cases`` (one fixture, compared as a whole).
VISIBLE = {
    "applicant_user": {"own", "parallel", "committed", "elsewhere"},  # their applicant's
    "stranger": set(),  # an applicant account representing nobody
    "clerk": EVERYTHING,  # zone-wide
    "supervisor": EVERYTHING,  # zone-wide
    "reviewer": {"own", "parallel", "committed"},  # a task in their department
    "decider": {"own", "parallel", "committed"},
    "other_reviewer": {"parallel", "elsewhere"},
    "other_decider": {"parallel", "elsewhere"},
    "regulator": {"committed"},  # commitment cases of their department
    "analyst": set(),
}


def test_each_role_sees_its_cases_and_no_other(world, cases):
    assert {who: seen(getattr(world, who), cases) for who in VISIBLE} == VISIBLE


def test_nobody_outside_sees_a_case(world, cases, far_zone_clerk):
    assert seen(AnonymousUser(), cases) == set()
    assert seen(far_zone_clerk, cases) == set()
    world.reviewer.is_active = False
    assert seen(world.reviewer, cases) == set()


def test_a_bundle_parent_is_seen_by_the_departments_of_its_children_only_through_them(world):
    parent = world.submit(bundle=world.bundle)
    case_accept(case=parent, actor=world.clerk)
    numbers = set(visible_cases(world.other_reviewer).values_list("number", flat=True))

    child = Case.objects.get(parent=parent, department=world.other_department)
    assert child.number in numbers
    assert parent.number not in numbers  # the parent has no task of theirs
    assert parent.number in set(
        visible_cases(world.applicant_user).values_list("number", flat=True)
    )


def test_access_by_number_answers_not_found_for_missing_and_forbidden_alike(world, cases):
    number = cases["own"].number

    assert access_case_by_number(world.applicant_user, number).pk == cases["own"].pk
    assert access_case_by_number(world.reviewer, number).pk == cases["own"].pk
    with pytest.raises(NotFound) as missing:
        access_case_by_number(world.applicant_user, "SFQ-2026-9999999")
    with pytest.raises(NotFound) as forbidden:
        access_case_by_number(world.stranger, number)
    with pytest.raises(NotFound) as other_department:
        access_case_by_number(world.other_reviewer, number)

    assert missing.value.status == forbidden.value.status == 404
    assert missing.value.as_dict() == forbidden.value.as_dict() == other_department.value.as_dict()
    assert missing.value.code == "case_not_found"


# -- the services refuse the wrong role -------------------------------------------------------


def in_review(world: World) -> Case:
    return world.accepted()


def ready_to_decide(world: World) -> Case:
    case = world.accepted()
    review = world.task(case, "review")
    task_claim(task=review, actor=world.reviewer)
    task_complete(task=review, actor=world.reviewer)
    return case


REFUSALS: dict[str, tuple[Callable[[World], Case], Callable[[World, Case], object]]] = {
    "claim by another department's reviewer": (
        in_review,
        lambda w, c: task_claim(task=w.task(c, "review"), actor=w.other_reviewer),
    ),
    "claim by a clerk": (
        in_review,
        lambda w, c: task_claim(task=w.task(c, "review"), actor=w.clerk),
    ),
    "review completed by the decider": (
        in_review,
        lambda w, c: task_complete(task=w.task(c, "review"), actor=w.decider),
    ),
    "transfer by another department's reviewer": (
        in_review,
        lambda w, c: task_transfer(
            task=w.task(c, "review"), actor=w.other_reviewer, to_user=w.reviewer2, reason="转"
        ),
    ),
    "co-review asked by the decider": (
        in_review,
        lambda w, c: task_request_co_review(
            task=w.task(c, "review"), actor=w.decider, department=w.other_department, reason="会签"
        ),
    ),
    "decision by a reviewer": (
        ready_to_decide,
        lambda w, c: task_decide(task=w.task(c, "decide"), actor=w.reviewer, decision="approved"),
    ),
    "decision by another department's decider": (
        ready_to_decide,
        lambda w, c: task_decide(
            task=w.task(c, "decide"), actor=w.other_decider, decision="approved"
        ),
    ),
    "delivery by a reviewer": (
        lambda w: w.decided(),
        lambda w, c: task_deliver(task=w.task(c, "deliver"), actor=w.reviewer),
    ),
    "extension by a reviewer": (
        in_review,
        lambda w, c: case_extend(case=c, actor=w.reviewer, days=5, reason="复杂"),
    ),
    "extension by another department's decider": (
        in_review,
        lambda w, c: case_extend(case=c, actor=w.other_decider, days=5, reason="复杂"),
    ),
    "extension by a clerk": (
        in_review,
        lambda w, c: case_extend(case=c, actor=w.clerk, days=5, reason="复杂"),
    ),
    "suspension by a clerk": (
        in_review,
        lambda w, c: case_suspend(
            case=c, actor=w.clerk, kind=SuspensionKind.HEARING, reason="听证"
        ),
    ),
    "suspension by another department's reviewer": (
        in_review,
        lambda w, c: case_suspend(
            case=c, actor=w.other_reviewer, kind=SuspensionKind.HEARING, reason="听证"
        ),
    ),
    "acceptance by a reviewer": (
        lambda w: w.submit(),
        lambda w, c: case_accept(case=c, actor=w.reviewer),
    ),
    "acceptance by the applicant": (
        lambda w: w.submit(),
        lambda w, c: case_accept(case=c, actor=w.applicant_user),
    ),
    "refusal by the applicant": (
        lambda w: w.submit(),
        lambda w, c: case_refuse(case=c, actor=w.applicant_user, reason="理由", legal_basis="依据"),
    ),
    "correction asked by a reviewer": (
        lambda w: w.submit(),
        lambda w, c: case_request_correction(case=c, actor=w.reviewer, items=["缺少签字"]),
    ),
    "paper received by a reviewer": (
        lambda w: w.submit(upload=False),
        lambda w, c: material_receive_paper(
            case=c, material_id=c.materials.first().pk, actor=w.reviewer
        ),
    ),
    "upload by a stranger": (
        lambda w: w.submit(upload=False),
        lambda w, c: material_upload(
            case=c, material_id=c.materials.first().pk, uploaded=pdf_upload(), actor=w.stranger
        ),
    ),
    "submission by a stranger": (
        lambda w: case_create(
            actor=w.applicant_user, applicant=w.applicant, item_version=w.item, submit=False
        ),
        lambda w, c: case_submit(case=c, actor=w.stranger),
    ),
    "withdrawal by a stranger": (
        in_review,
        lambda w, c: case_withdraw(case=c, actor=w.stranger, reason="撤回"),
    ),
    "withdrawal by a reviewer": (
        in_review,
        lambda w, c: case_withdraw(case=c, actor=w.reviewer, reason="撤回"),
    ),
}


@pytest.mark.parametrize("name", list(REFUSALS))
def test_services_refuse_the_wrong_role_and_change_nothing(world, name):
    prepare, act = REFUSALS[name]
    case = prepare(world)
    status = Case.objects.get(pk=case.pk).status
    before = AuditEvent.objects.count()

    with pytest.raises(Forbidden) as refused:
        act(world, case)

    assert refused.value.status == 403
    assert refused.value.message  # a sentence in Chinese for the user
    assert Case.objects.get(pk=case.pk).status == status
    assert AuditEvent.objects.count() == before


def test_resume_by_someone_not_handling_the_case_is_refused(world):
    case = world.accepted()
    case_suspend(case=case, actor=world.reviewer, kind=SuspensionKind.TESTING, reason="送检")

    with pytest.raises(Forbidden):
        case_resume(case=case, actor=world.other_reviewer)

    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUSPENDED


def test_an_applicant_applies_only_for_whom_they_represent_and_only_online(world):
    with pytest.raises(NotFound):
        case_create(actor=world.stranger, applicant=world.applicant, item_version=world.item)
    with pytest.raises(NotFound):
        case_create(
            actor=world.applicant_user, applicant=world.other_applicant, item_version=world.item
        )
    with pytest.raises(NotFound):  # staff other than the clerk take no applications
        case_create(actor=world.reviewer, applicant=world.applicant, item_version=world.item)
    with pytest.raises(ValidationFailed) as refused:
        case_create(
            actor=world.applicant_user,
            applicant=world.applicant,
            item_version=world.item,
            channel=CaseChannel.WINDOW,
        )
    assert "channel" in refused.value.fields
    assert not Case.objects.exists()


def test_an_item_of_another_zone_is_not_found(world, far_zone_clerk):
    department = Department.objects.create(
        zone=far_zone_clerk.zone, code="QTJ", name="其他局", kind=DepartmentKind.FUNCTIONAL
    )
    far_item = make_item(far_zone_clerk.zone, department, name="外区事项")

    with pytest.raises(NotFound):
        case_create(actor=world.clerk, applicant=world.applicant, item_version=far_item)
    assert not Case.objects.exists()
