"""容缺 that cannot go wrong: the due date is never after the case deadline (refused naming
it); the certificate is issued and the result delivered only once the tolerated materials
are in, unless the item is 先出证后补 (then the decision page warns and the decision is
recorded); the desk's selector lists the cases held only by a supplement; the applicant's
list, the reminders and the uploads agree on what is owed."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from onewindow.cases import deadlines
from onewindow.cases.constants import (
    AcceptanceMode,
    CaseEventAction,
    CaseStatus,
    Decision,
    MaterialState,
)
from onewindow.cases.models import Case, CaseMaterial
from onewindow.cases.selectors import waiting_only_for_supplement
from onewindow.cases.services import (
    case_accept,
    material_upload,
    task_claim,
    task_complete,
    task_decide,
    task_deliver,
)
from onewindow.cases.tests.factories import World, pdf_upload
from onewindow.catalog.tests.factories import make_item, material
from onewindow.certificates.keys import key_generate
from onewindow.certificates.models import Certificate, CertificateType
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.core.models import AuditEvent
from onewindow.org.selectors import calendar_for_zone

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 3, 2)  # a Monday
DEADLINE = dt.date(2026, 3, 5)  # 3 working days later
BASIS = "《示范开发区容缺受理办法》第八条"
MATERIALS = [material("申请表"), material("营业场所证明", tolerable=True)]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def signing_key(zone):
    return key_generate(zone=zone)


@pytest.fixture
def licence(world: World) -> CertificateType:
    return CertificateType.objects.create(
        code=f"{world.department.uscc}001",
        name="营业执照",
        issuing_department=world.department,
        fields=[{"key": "holder_name", "label": "名称", "type": "text"}],
    )


def item(world: World, *, certificate=None, before_supplement=False, name="食品经营许可（容缺）"):
    return make_item(
        world.zone,
        world.department,
        name=name,
        materials=MATERIALS,
        promised_limit_days=3,
        legal_limit_days=20,
        certificate_type=certificate,
        issue_before_supplement=before_supplement,
        issue_before_supplement_basis=BASIS if before_supplement else "",
    )


def tolerated(world: World, version, **accept) -> Case:
    case = world.submit(version, skip=("营业场所证明",))
    premises = case.materials.get(name="营业场所证明")
    case_accept(
        case=case,
        actor=world.clerk,
        mode=AcceptanceMode.TOLERATED,
        tolerated=[premises.pk],
        **accept,
    )
    return Case.objects.get(pk=case.pk)


def at_decision(world: World, case: Case):
    review = world.task(case, "review")
    task_claim(task=review, actor=world.reviewer)
    task_complete(task=review, actor=world.reviewer, comment="符合条件")
    decision = world.task(case, "decide")
    task_claim(task=decision, actor=world.decider)
    return decision


def supplement(world: World, case: Case) -> None:
    row = case.materials.get(name="营业场所证明")
    material_upload(case=case, material_id=row.pk, uploaded=pdf_upload(), actor=world.clerk)


# -- the due date -----------------------------------------------------------------------------


def test_a_due_date_after_the_deadline_is_refused_naming_it(world):
    version = item(world)
    case = world.submit(version, skip=("营业场所证明",))
    premises = case.materials.get(name="营业场所证明")
    before = AuditEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        case_accept(
            case=case,
            actor=world.clerk,
            mode=AcceptanceMode.TOLERATED,
            tolerated=[premises.pk],
            tolerance_due_on=dt.date(2026, 3, 6),
        )

    assert set(refused.value.fields) == {"tolerance_due_on"}
    assert refused.value.message == "容缺补齐期限：不能晚于办结期限 2026-03-05"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED
    assert CaseMaterial.objects.get(pk=premises.pk).state == MaterialState.MISSING
    assert AuditEvent.objects.count() == before

    accepted = tolerated(world, version, tolerance_due_on=DEADLINE)  # the deadline itself
    assert accepted.tolerance_due_on == DEADLINE == accepted.deadline


def test_the_default_due_date_is_clipped_to_the_deadline(world):
    case = tolerated(world, item(world))
    # five working days would be 9 March; the case is due on the 5th
    assert case.tolerance_due_on == DEADLINE == case.deadline


def test_an_item_due_today_leaves_no_room_to_tolerate(world):
    version = make_item(
        world.zone, world.department, name="当日办结事项", materials=MATERIALS,
        handling_kind="immediate", promised_limit_days=0, legal_limit_days=1,
    )  # fmt: skip
    case = world.submit(version, skip=("营业场所证明",))
    premises = case.materials.get(name="营业场所证明")

    with pytest.raises(ValidationFailed) as refused:
        case_accept(
            case=case, actor=world.clerk, mode=AcceptanceMode.TOLERATED, tolerated=[premises.pk]
        )

    assert "办结期限为 2026-03-02" in refused.value.fields["tolerance_due_on"][0]


def test_the_accept_form_offers_the_clipped_due_date_and_names_the_deadline(client, world):
    case = world.submit(item(world), skip=("营业场所证明",))
    client.force_login(world.clerk)

    html = client.get(reverse("cases:case", args=[case.number])).content.decode()

    assert 'name="accept-tolerance_due_on" value="2026-03-05"' in html
    assert "不能晚于办结期限 2026-03-05" in html

    response = client.post(
        reverse("cases:case_action", args=[case.number, "accept"]),
        {
            "accept-mode": "tolerated",
            "accept-tolerated": [case.materials.get(name="营业场所证明").pk],
            "accept-tolerance_due_on": "2026-03-09",
        },
    )

    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="id_accept-tolerance_due_on_error"' in body
    assert "容缺补齐期限：不能晚于办结期限 2026-03-05" in body


# -- issue and delivery wait for the supplement ---------------------------------------------


def test_the_certificate_waits_for_the_supplement(world, licence, signing_key):
    case = tolerated(world, item(world, certificate=licence))
    decision = at_decision(world, case)
    trail = AuditEvent.objects.count()

    with pytest.raises(Conflict) as held:
        task_decide(task=decision, actor=world.decider, decision=Decision.APPROVED)

    assert held.value.code == "supplement_pending"
    assert "营业场所证明" in held.value.message
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_REVIEW
    assert not Certificate.objects.exists()
    assert AuditEvent.objects.count() == trail
    assert list(waiting_only_for_supplement(world.clerk)) == [case]

    supplement(world, case)

    assert not waiting_only_for_supplement(world.clerk).exists()
    task_decide(task=decision, actor=world.decider, decision=Decision.APPROVED)
    assert Certificate.objects.filter(case_number=case.number).exists()
    assert not AuditEvent.objects.filter(
        object_id=case.number, action=CaseEventAction.ISSUED_BEFORE_SUPPLEMENT
    ).exists()


def test_a_denial_does_not_wait_and_then_nothing_is_owed(world, licence, signing_key):
    case = tolerated(world, item(world, certificate=licence))
    decision = at_decision(world, case)

    task_decide(task=decision, actor=world.decider, decision=Decision.DENIED, reason="条件不符")

    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.DENIED
    row = case.materials.get(name="营业场所证明")
    with pytest.raises(Conflict):  # nothing owed: no supplement after a denial
        material_upload(case=case, material_id=row.pk, uploaded=pdf_upload(), actor=world.clerk)
    deliver = world.task(case, "deliver")
    task_deliver(task=deliver, actor=world.clerk)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DELIVERED


def test_the_result_is_delivered_only_after_the_supplement(client, world):
    case = tolerated(world, item(world))  # no certificate: the approval goes ahead
    decision = at_decision(world, case)
    task_decide(task=decision, actor=world.decider, decision=Decision.APPROVED)
    deliver = world.task(case, "deliver")

    with pytest.raises(Conflict) as held:
        task_deliver(task=deliver, actor=world.clerk)
    assert held.value.code == "supplement_pending" and "送达" in held.value.message
    assert list(waiting_only_for_supplement(world.clerk)) == [case]
    client.force_login(world.clerk)
    html = client.get(reverse("cases:case", args=[case.number])).content.decode()
    assert "容缺材料尚未补齐：营业场所证明；补齐后方可送达办理结果（补齐期限 2026-03-05）" in html
    assert f'name="t{deliver.pk}-deliver-comment"' not in html

    supplement(world, case)

    task_deliver(task=deliver, actor=world.clerk)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DELIVERED


def test_issue_before_supplement_warns_and_is_recorded(client, world, licence, signing_key):
    case = tolerated(world, item(world, certificate=licence, before_supplement=True))
    decision = at_decision(world, case)
    assert not waiting_only_for_supplement(world.clerk).exists()
    client.force_login(world.decider)

    html = client.get(reverse("cases:case", args=[case.number])).content.decode()

    assert "先出证后补：容缺材料（营业场所证明）尚未补齐，准予后即签发证照" in html
    assert BASIS in html

    task_decide(task=decision, actor=world.decider, decision=Decision.APPROVED)

    assert Certificate.objects.filter(case_number=case.number).exists()
    [event] = AuditEvent.objects.filter(
        object_id=case.number, action=CaseEventAction.ISSUED_BEFORE_SUPPLEMENT
    )
    assert event.data == {"materials": ["营业场所证明"], "basis": BASIS, "due_on": "2026-03-05"}
    task_deliver(task=world.task(case, "deliver"), actor=world.clerk)
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.DELIVERED
    # still owed after delivery: the applicant is told so in 我的办件
    client.force_login(world.applicant_user)
    listing = client.get(reverse("cases:my_cases")).content.decode()
    assert "容缺待补" in listing
    supplement(world, case)
    assert "容缺待补" not in client.get(reverse("cases:my_cases")).content.decode()


def test_the_decision_page_says_an_approval_waits_and_a_denial_is_possible(
    client, world, licence, signing_key
):
    case = tolerated(world, item(world, certificate=licence))
    decision = at_decision(world, case)
    client.force_login(world.decider)

    html = client.get(reverse("cases:case", args=[case.number])).content.decode()

    assert "容缺材料尚未补齐：营业场所证明；补齐后方可准予并签发证照" in html
    assert "现在只能作出不予决定" in html
    assert f'name="t{decision.pk}-decide-decision"' in html


# -- the catalog -----------------------------------------------------------------------------


def test_issue_before_supplement_needs_its_legal_basis(world):
    with pytest.raises(ValidationFailed) as refused:
        make_item(
            world.zone, world.department, name="无依据事项", materials=MATERIALS,
            issue_before_supplement=True,
        )  # fmt: skip
    assert refused.value.fields["issue_before_supplement_basis"] == [
        "选择先出证后补的，须填写先出证后补依据"
    ]


def test_the_zone_calendar_is_the_one_the_rule_uses(world):
    """The service's deadline for the due date is the case's own deadline."""
    case = tolerated(world, item(world))
    calendar = calendar_for_zone(world.zone)
    assert case.deadline == deadlines.clock(calendar, start=TODAY, limit_days=3).deadline


# -- the API ---------------------------------------------------------------------------------


def test_the_api_refuses_a_due_date_after_the_deadline_naming_it(client, world):
    case = world.submit(item(world), skip=("营业场所证明",))
    premises = case.materials.get(name="营业场所证明")
    client.force_login(world.clerk)
    body = {"mode": "tolerated", "tolerated": [premises.pk], "tolerance_due_on": "2026-03-06"}

    response = client.post(
        f"/api/v1/cases/{case.number}/actions/accept",
        json.dumps(body),
        content_type="application/json",
    )

    assert response.status_code == 422, response.content
    assert response.json()["fields"] == {
        "tolerance_due_on": ["容缺补齐期限：不能晚于办结期限 2026-03-05"]
    }
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


def test_the_api_holds_the_approval_until_the_supplement(client, world, licence, signing_key):
    case = tolerated(world, item(world, certificate=licence))
    decision = at_decision(world, case)
    client.force_login(world.decider)
    body = {"task": decision.pk, "decision": "approved"}

    response = client.post(
        f"/api/v1/cases/{case.number}/actions/decide",
        json.dumps(body),
        content_type="application/json",
    )

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "supplement_pending"
    assert not Certificate.objects.exists()
