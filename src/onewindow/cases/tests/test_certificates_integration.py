"""Cases and e-certificates: an approval issues the item's signed certificate (or is
refused, with nothing written); a material whose source is a certificate type is filled
from the applicant's own wallet at submission (免提交), with the use logged; the pages show
both (the staff decide form, the 办理结果 section, the apply page, the walk-in page)."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from onewindow.cases.constants import CaseEventAction, CaseStatus, Decision, MaterialState
from onewindow.cases.models import Case, Task
from onewindow.cases.services import (
    case_accept,
    case_create,
    case_handle_on_the_spot,
    case_request_correction,
    case_resubmit,
    material_upload,
    task_claim,
    task_complete,
    task_decide,
)
from onewindow.cases.tests.factories import World, pdf_upload
from onewindow.catalog.tests.factories import make_bundle, make_item, material
from onewindow.certificates.keys import key_generate
from onewindow.certificates.models import (
    Certificate,
    CertificateStatus,
    CertificateType,
    CertificateUse,
)
from onewindow.certificates.services import (
    certificate_issue,
    certificate_revoke,
    certificate_verify,
)
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.core.models import AuditEvent
from onewindow.org.constants import Role

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)  # a Monday

FOOD_FIELDS = [
    {"key": "holder_name", "label": "名称", "type": "text"},
    {"key": "holder_uscc", "label": "统一社会信用代码", "type": "text"},
    {"key": "premises", "label": "经营场所", "type": "text"},
    {"key": "area", "label": "经营面积（平方米）", "type": "number"},
    {"key": "opened_on", "label": "开业日期", "type": "date"},
    {"key": "licence_number", "label": "许可证编号", "type": "text"},
    {"key": "issued_on", "label": "发证日期", "type": "date"},
    {"key": "valid_until", "label": "有效期至", "type": "date"},
]
FACTS = {"premises": "示范大道 8 号一楼", "area": "120.5", "opened_on": "2026-04-01"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def signing_key(zone):
    return key_generate(zone=zone)


@pytest.fixture
def food_licence(world: World) -> CertificateType:
    """食品经营许可证 (5 years), issued by the world's department (given a USCC by make_item)."""
    return CertificateType.objects.create(
        code=f"{world.department.uscc}002",
        name="食品经营许可证",
        issuing_department=world.department,
        validity=CertificateType.Validity.YEARS,
        validity_years=5,
        fields=FOOD_FIELDS,
    )


@pytest.fixture
def licence(world: World) -> CertificateType:
    """营业执照 (长期), only facts that fill themselves."""
    return CertificateType.objects.create(
        code=f"{world.department.uscc}001",
        name="营业执照",
        issuing_department=world.department,
        fields=[
            {"key": "holder_name", "label": "名称", "type": "text"},
            {"key": "holder_uscc", "label": "统一社会信用代码", "type": "text"},
            {"key": "issued_on", "label": "发证日期", "type": "date"},
        ],
    )


@pytest.fixture
def permit(world: World) -> CertificateType:
    """A one-year permit of the other department (to expire one)."""
    return CertificateType.objects.create(
        code=f"{world.other_department.uscc}001",
        name="劳务派遣经营许可证",
        issuing_department=world.other_department,
        validity=CertificateType.Validity.YEARS,
        validity_years=1,
        fields=[{"key": "holder_name", "label": "名称", "type": "text"}],
    )


@pytest.fixture
def issuing_item(world: World, food_licence):
    return make_item(
        world.zone,
        world.department,
        name="食品经营许可（新办）",
        materials=["申请表"],
        certificate_type=food_licence,
        promised_limit_days=10,
        legal_limit_days=20,
    )


@pytest.fixture
def reusing_item(world: World, licence):
    """An item asking for the 营业执照 (from the wallet) and an application form."""
    return make_item(
        world.zone,
        world.department,
        name="食品经营许可（变更）",
        materials=[
            material("申请表"),
            material("营业执照", source="certificate", certificate_type=licence, originals=0),
        ],
    )


def in_review_decision(world: World, version, *, form_data=None) -> tuple[Case, Task]:
    """An application for ``version``, accepted and reviewed; its decision task claimed."""
    case = case_create(
        actor=world.applicant_user,
        applicant=world.applicant,
        item_version=version,
        form_data=form_data or {"contact": "张三", "phone": "13800000000"},
    )
    for row in case.materials.filter(state=MaterialState.MISSING):
        material_upload(
            case=case, material_id=row.pk, uploaded=pdf_upload(), actor=world.applicant_user
        )
    case_accept(case=case, actor=world.clerk)
    review = world.task(case, "review")
    task_claim(task=review, actor=world.reviewer)
    task_complete(task=review, actor=world.reviewer, comment="符合条件")
    decision = world.task(case, "decide")
    task_claim(task=decision, actor=world.decider)
    return Case.objects.get(pk=case.pk), decision


def events(case: Case, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="case", object_id=case.number, action=action))


# -- issue at approval -----------------------------------------------------------------------


def test_an_approval_issues_a_signed_certificate_that_verifies(world, issuing_item, signing_key):
    case, task = in_review_decision(world, issuing_item)

    task_decide(task=task, actor=world.decider, decision=Decision.APPROVED, certificate_facts=FACTS)

    certificate = Certificate.objects.get(case_number=case.number)
    assert certificate.holder == world.applicant
    assert certificate.issuing_department == world.department
    assert certificate.issued_by == world.decider
    assert certificate.valid_until == dt.date(2031, 3, 1)  # five years less a day
    assert certificate.facts["premises"] == "示范大道 8 号一楼"
    assert certificate.facts["area"] == "120.5"
    assert certificate.facts["holder_uscc"] == world.applicant.uscc
    verification = certificate_verify(
        certificate.identifier, code=certificate.verification_code, channel="page", count=False
    )
    assert verification.signature_valid and verification.status == CertificateStatus.VALID
    [issued] = events(case, CaseEventAction.CERTIFICATE_ISSUED)
    assert issued.data["identifier"] == certificate.identifier
    assert Case.objects.get(pk=case.pk).status == CaseStatus.APPROVED


def test_facts_from_the_application_form_fill_what_the_decider_leaves_out(
    world, issuing_item, signing_key
):
    form = {"contact": "张三", "phone": "13800000000", "premises": "科技路 1 号", "area": "60"}
    case, task = in_review_decision(world, issuing_item, form_data=form)

    task_decide(
        task=task,
        actor=world.decider,
        decision=Decision.APPROVED,
        certificate_facts={"opened_on": "2026-05-01"},
    )

    facts = Certificate.objects.get(case_number=case.number).facts
    assert (facts["premises"], facts["area"], facts["opened_on"]) == (
        "科技路 1 号",
        "60",
        "2026-05-01",
    )


def test_missing_facts_refuse_the_decision_and_nothing_is_written(world, issuing_item, signing_key):
    case, task = in_review_decision(world, issuing_item)
    before = AuditEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        task_decide(
            task=task,
            actor=world.decider,
            decision=Decision.APPROVED,
            certificate_facts={"premises": "示范大道 8 号"},
        )

    assert set(refused.value.fields) == {"certificate_facts.area", "certificate_facts.opened_on"}
    assert "经营面积" in refused.value.message
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_REVIEW
    assert Task.objects.get(pk=task.pk).is_active
    assert not Certificate.objects.exists()
    assert AuditEvent.objects.count() == before


def test_a_fact_of_the_wrong_type_is_refused_naming_it(world, issuing_item, signing_key):
    _case, task = in_review_decision(world, issuing_item)

    with pytest.raises(ValidationFailed) as refused:
        task_decide(
            task=task,
            actor=world.decider,
            decision=Decision.APPROVED,
            certificate_facts=FACTS | {"area": "一百"},
        )

    assert list(refused.value.fields) == ["certificate_facts.area"]
    assert not Certificate.objects.exists()


def test_without_a_signing_key_the_approval_is_refused(world, issuing_item):
    case, task = in_review_decision(world, issuing_item)

    with pytest.raises(Conflict) as refused:
        task_decide(
            task=task, actor=world.decider, decision=Decision.APPROVED, certificate_facts=FACTS
        )

    assert refused.value.code == "no_signing_key"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_REVIEW
    assert not Certificate.objects.exists()


def test_without_a_signing_key_the_decider_is_told_why(client, world, issuing_item):
    case, task = in_review_decision(world, issuing_item)
    client.force_login(world.decider)
    prefix = f"t{task.pk}-decide-"
    data = {"task": task.pk, f"{prefix}decision": "approved"}
    data |= {f"{prefix}certificate_facts.{key}": value for key, value in FACTS.items()}

    response = client.post(reverse("cases:case_action", args=[case.number, "decide"]), data)

    assert response.status_code == 409
    assert "开发区尚未生成电子证照签名密钥" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_REVIEW


def test_a_denial_issues_nothing(world, issuing_item, signing_key):
    case, task = in_review_decision(world, issuing_item)

    task_decide(task=task, actor=world.decider, decision=Decision.DENIED, reason="场所不符合要求")

    assert Case.objects.get(pk=case.pk).status == CaseStatus.DENIED
    assert not Certificate.objects.exists()
    assert not events(case, CaseEventAction.CERTIFICATE_ISSUED)


def test_a_type_without_an_issuing_department_is_issued_by_the_case_department(world, signing_key):
    anonymous = CertificateType.objects.create(
        code=f"{world.department.uscc}009",
        name="备案证明",
        fields=[{"key": "holder_name", "label": "名称", "type": "text"}],
    )
    version = make_item(
        world.zone, world.department, name="备案", materials=["申请表"], certificate_type=anonymous
    )
    case, task = in_review_decision(world, version)

    task_decide(task=task, actor=world.decider, decision=Decision.APPROVED)

    assert Certificate.objects.get(case_number=case.number).issuing_department == world.department


def test_an_on_the_spot_item_issues_its_certificate(world, licence, signing_key):
    quick = make_item(
        world.zone,
        world.department,
        name="营业执照补领",
        materials=["申请表"],
        handling_kind="immediate",
        certificate_type=licence,
    )
    case = world.submit(quick, actor=world.applicant_user)

    case_handle_on_the_spot(case=case, actor=world.clerk)

    case.refresh_from_db()
    assert case.status == CaseStatus.DELIVERED
    certificate = Certificate.objects.get(case_number=case.number)
    assert certificate.issued_by == world.clerk
    assert certificate.facts["holder_name"] == world.applicant.name


def test_bundle_children_issue_their_own_certificates(world, food_licence, permit, signing_key):
    first = make_item(
        world.zone, world.department, name="食品经营许可证核发", materials=["申请表"],
        certificate_type=food_licence,
    )  # fmt: skip
    second = make_item(
        world.zone, world.other_department, name="劳务派遣经营许可", materials=["章程"],
        certificate_type=permit,
    )  # fmt: skip
    bundle = make_bundle(
        world.zone, world.department, items=[first.item, second.item], code="open-shop",
        publish=True,
    )  # fmt: skip
    parent = world.submit(bundle=bundle)
    case_accept(case=parent, actor=world.clerk)
    children = list(Case.objects.filter(parent=parent).order_by("pk"))
    holders = {world.department.pk: world.decider, world.other_department.pk: world.other_decider}
    reviewers = {
        world.department.pk: world.reviewer,
        world.other_department.pk: world.other_reviewer,
    }

    for child in children:
        review = world.task(child, "review")
        task_claim(task=review, actor=reviewers[child.department_id])
        task_complete(task=review, actor=reviewers[child.department_id])
        decision = world.task(child, "decide")
        task_claim(task=decision, actor=holders[child.department_id])
        task_decide(
            task=decision,
            actor=holders[child.department_id],
            decision=Decision.APPROVED,
            certificate_facts=FACTS,
        )

    issued = {c.case_number: c.certificate_type for c in Certificate.objects.all()}
    assert issued == {children[0].number: food_licence, children[1].number: permit}
    assert Certificate.objects.get(certificate_type=permit).issuing_department == (
        world.other_department
    )
    assert Case.objects.get(pk=parent.pk).status == CaseStatus.APPROVED


# -- wallet reuse (免提交) --------------------------------------------------------------------


def issue(certificate_type, holder, *, issued_on=None) -> Certificate:
    return certificate_issue(
        certificate_type=certificate_type, holder=holder, actor=None, issued_on=issued_on
    )


def test_the_applicants_own_valid_certificate_fills_the_material_and_logs_the_use(
    world, reusing_item, licence, signing_key
):
    held = issue(licence, world.applicant, issued_on=dt.date(2019, 6, 3))

    case = world.submit(reusing_item)

    row = case.materials.get(name="营业执照")
    assert row.state == MaterialState.CERTIFICATE
    assert row.reference == held.identifier
    use = CertificateUse.objects.get()
    assert use.certificate == held and use.kind == CertificateUse.Kind.MATERIAL
    assert use.case_number == case.number and use.used_by == world.applicant_user
    assert use.purpose == "食品经营许可（变更）：营业执照"
    [event] = events(case, CaseEventAction.MATERIAL_FROM_CERTIFICATE)
    assert event.data["identifier"] == held.identifier
    # the filled required material does not hold up acceptance
    case_accept(case=case, actor=world.clerk)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_REVIEW


@pytest.mark.parametrize("kind", ["another_holder", "revoked", "expired"])
def test_no_other_certificate_ever_fills_the_material(
    world, reusing_item, licence, signing_key, make_staff, kind
):
    if kind == "another_holder":
        issue(licence, world.other_applicant)
    elif kind == "revoked":
        administrator = make_staff(Role.ADMINISTRATOR, username="cert_admin")
        certificate_revoke(
            certificate=issue(licence, world.applicant), actor=administrator, reason="吊销"
        )
    else:
        short = CertificateType.objects.filter(pk=licence.pk)
        short.update(validity=CertificateType.Validity.YEARS, validity_years=1)
        issue(
            CertificateType.objects.get(pk=licence.pk),
            world.applicant,
            issued_on=dt.date(2024, 1, 5),
        )

    case = world.submit(reusing_item, upload=False)

    assert case.materials.get(name="营业执照").state == MaterialState.MISSING
    assert not CertificateUse.objects.exists()


def test_a_draft_uses_nothing_until_it_is_submitted(world, reusing_item, licence, signing_key):
    issue(licence, world.applicant)

    draft = case_create(
        actor=world.applicant_user,
        applicant=world.applicant,
        item_version=reusing_item,
        submit=False,
    )

    assert draft.materials.get(name="营业执照").state == MaterialState.MISSING
    assert not CertificateUse.objects.exists()


def test_a_certificate_obtained_during_correction_fills_at_resubmission(
    world, reusing_item, licence, signing_key
):
    case = world.submit(reusing_item, upload=False)
    case_request_correction(case=case, actor=world.clerk, items=["营业执照：未提交"])
    held = issue(licence, world.applicant)

    case_resubmit(case=Case.objects.get(pk=case.pk), actor=world.applicant_user)

    row = case.materials.get(name="营业执照")
    assert (row.state, row.reference) == (MaterialState.CERTIFICATE, held.identifier)


def test_a_window_clerk_registering_a_walk_in_fills_from_the_wallet(
    world, reusing_item, licence, signing_key
):
    held = issue(licence, world.applicant)

    case = case_create(
        actor=world.clerk,
        applicant=world.applicant,
        item_version=reusing_item,
        channel="window",
        window=world.window,
    )

    assert case.materials.get(name="营业执照").reference == held.identifier
    assert CertificateUse.objects.get().used_by == world.clerk


# -- pages -------------------------------------------------------------------------------------


def test_the_apply_page_lists_the_wallet_line_without_an_upload(
    client, world, reusing_item, licence, signing_key
):
    held = issue(licence, world.applicant)
    url = reverse("cases:apply_item", args=[reusing_item.item.implementation_code])
    client.force_login(world.applicant_user)

    html = client.get(url).content.decode()

    line = html[html.index("将从您的电子证照库调取：") :]
    assert line.startswith("将从您的电子证照库调取：营业执照 <a ")
    assert f'href="{held.verification_path()}">{held.identifier}</a>' in line[:400]
    assert 'name="material_1"' in html and 'name="material_2"' not in html
    response = client.post(
        url,
        {
            "applicant": world.applicant.pk,
            "contact": "张三",
            "phone": "13800000000",
            "material_1": pdf_upload(),
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.materials.get(name="营业执照").state == MaterialState.CERTIFICATE
    page = client.get(reverse("cases:case", args=[case.number])).content.decode()
    assert "电子证照调取" in page
    assert f'href="{held.verification_path()}"' in page


def test_the_apply_page_asks_for_an_upload_when_the_wallet_has_none(
    client, world, reusing_item, licence, signing_key
):
    issue(licence, world.other_applicant)  # another holder's: never offered
    url = reverse("cases:apply_item", args=[reusing_item.item.implementation_code])
    client.force_login(world.applicant_user)

    html = client.get(url).content.decode()

    assert "将从您的电子证照库调取" not in html
    assert 'name="material_2"' in html
    assert "您的电子证照库中没有该证照的有效电子证照，请上传" in html


def test_the_walk_in_page_shows_what_the_wallet_fills(
    client, world, reusing_item, licence, signing_key
):
    held = issue(licence, world.applicant)
    client.force_login(world.clerk)

    html = client.get(
        reverse("cases:desk_new"),
        {"applicant": world.applicant.pk, "target": f"item:{reusing_item.pk}"},
    ).content.decode()

    assert "将从申请人的电子证照库调取：营业执照" in html and held.identifier in html
    other = client.get(
        reverse("cases:desk_new"),
        {"applicant": world.other_applicant.pk, "target": f"item:{reusing_item.pk}"},
    ).content.decode()
    assert "申请人的电子证照库中没有该证照的有效电子证照" in other


def test_the_decide_form_asks_for_each_fact_prefilled_and_refuses_beside_the_field(
    client, world, issuing_item, signing_key
):
    form = {"contact": "张三", "phone": "13800000000", "premises": "科技路 1 号"}
    case, task = in_review_decision(world, issuing_item, form_data=form)
    url = reverse("cases:case", args=[case.number])
    client.force_login(world.decider)
    prefix = f"t{task.pk}-decide-certificate_facts."

    html = client.get(url).content.decode()

    assert "准予许可时签发电子证照：食品经营许可证" in html
    assert f'<label for="id_{prefix}premises">经营场所</label>' in html
    assert f'name="{prefix}premises" value="科技路 1 号"' in html
    assert f'type="number" name="{prefix}area"' in html
    assert f'type="date" name="{prefix}opened_on"' in html
    # Every fact is offered; what fills itself is shown, not typed.
    assert f'name="{prefix}holder_name" value="{world.applicant.name}" disabled' in html
    assert f'name="{prefix}holder_uscc" value="{world.applicant.uscc}" disabled' in html
    assert f'name="{prefix}issued_on" value="2026-03-02" disabled' in html
    assert f'name="{prefix}valid_until" value="2031-03-01" disabled' in html
    assert f'name="{prefix}licence_number"' in html and "留空则自动编号" in html
    action = reverse("cases:case_action", args=[case.number, "decide"])
    data = {"task": task.pk, f"t{task.pk}-decide-decision": "approved"}

    refused = client.post(action, data | {f"{prefix}premises": "科技路 1 号"})

    assert refused.status_code == 422
    body = refused.content.decode()
    assert f'id="id_{prefix}area_error"' in body and "请填写证照字段「经营面积（平方米）」" in body
    assert not Certificate.objects.exists()

    done = client.post(
        action,
        data
        | {
            f"{prefix}premises": "科技路 1 号",
            f"{prefix}area": "80",
            f"{prefix}opened_on": "2026-04-01",
            f"{prefix}holder_name": "别人的名称",  # a fixed fact: ignored
        },
    )

    assert done.status_code == 302
    certificate = Certificate.objects.get(case_number=case.number)
    assert certificate.facts["area"] == "80"
    assert certificate.facts["holder_name"] == world.applicant.name
    page = client.get(url).content.decode()
    assert "办理结果" in page and certificate.identifier in page
    assert certificate.verification_path() in page
    assert reverse("certificates:pdf", args=[certificate.identifier]) in page
    assert "签发电子证照" in page  # the timeline


def test_the_on_the_spot_form_issues_the_certificate_at_the_window(
    client, world, food_licence, signing_key
):
    quick = make_item(
        world.zone,
        world.department,
        name="食品经营许可证补办",
        materials=["申请表"],
        handling_kind="immediate",
        certificate_type=food_licence,
    )
    case = world.submit(quick)
    client.force_login(world.clerk)
    url = reverse("cases:case", args=[case.number])

    html = client.get(url).content.decode()

    assert '<label for="id_on_the_spot-certificate_facts.premises">经营场所</label>' in html
    action = reverse("cases:case_action", args=[case.number, "on_the_spot"])
    facts = {f"on_the_spot-certificate_facts.{key}": value for key, value in FACTS.items()}
    refused = client.post(action, {"on_the_spot-decision": "approved"})
    assert refused.status_code == 422
    assert 'id="id_on_the_spot-certificate_facts.area_error"' in refused.content.decode()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED

    done = client.post(action, {"on_the_spot-decision": "approved"} | facts)

    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DELIVERED
    assert Certificate.objects.get(case_number=case.number).facts["premises"] == FACTS["premises"]


def test_the_applicant_sees_the_result_on_the_case_page(client, world, issuing_item, signing_key):
    case, task = in_review_decision(world, issuing_item)
    task_decide(task=task, actor=world.decider, decision=Decision.APPROVED, certificate_facts=FACTS)
    certificate = Certificate.objects.get()
    client.force_login(world.applicant_user)

    html = client.get(reverse("cases:case", args=[case.number])).content.decode()

    assert "办理结果" in html and "食品经营许可证" in html
    assert reverse("certificates:pdf", args=[certificate.identifier]) in html
    assert "有效" in html


def test_a_bundle_child_decide_form_asks_for_its_own_certificate(
    client, world, food_licence, signing_key
):
    first = make_item(
        world.zone, world.department, name="食品经营许可证核发", materials=["申请表"],
        certificate_type=food_licence,
    )  # fmt: skip
    bundle = make_bundle(
        world.zone, world.department, items=[first.item, world.other_item.item], code="shop",
        publish=True,
    )  # fmt: skip
    parent = world.submit(bundle=bundle)
    case_accept(case=parent, actor=world.clerk)
    child = Case.objects.get(parent=parent, item_version=first)
    review = world.task(child, "review")
    task_claim(task=review, actor=world.reviewer)
    task_complete(task=review, actor=world.reviewer)
    decision = world.task(child, "decide")
    task_claim(task=decision, actor=world.decider)
    client.force_login(world.decider)

    html = client.get(reverse("cases:case", args=[child.number])).content.decode()

    assert f'name="t{decision.pk}-decide-certificate_facts.premises"' in html
    sibling = Case.objects.get(parent=parent, item_version=world.other_item)
    assert (
        "准予许可时签发电子证照"
        not in client.get(reverse("cases:case", args=[sibling.number])).content.decode()
    )


def test_the_api_decides_with_certificate_facts(client, world, issuing_item, signing_key):
    case, task = in_review_decision(world, issuing_item)
    client.force_login(world.decider)
    url = f"/api/v1/cases/{case.number}/actions/decide"
    body = {"task": task.pk, "decision": "approved", "certificate_facts": {"premises": "A 座"}}

    refused = client.post(url, json.dumps(body), content_type="application/json")

    assert refused.status_code == 422
    assert set(refused.json()["fields"]) == {
        "certificate_facts.area",
        "certificate_facts.opened_on",
    }
    assert not Certificate.objects.exists()

    body["certificate_facts"] = FACTS
    response = client.post(url, json.dumps(body), content_type="application/json")

    assert response.status_code == 200, response.content
    [result] = response.json()["certificates"]
    certificate = Certificate.objects.get()
    assert result["identifier"] == certificate.identifier
    assert result["status"] == "valid" and result["type"] == "食品经营许可证"
    assert result["verify_url"].endswith(
        f"/verify/{certificate.identifier}?c={certificate.verification_code}"
    )


def test_the_api_refuses_facts_that_are_not_text(client, world, issuing_item, signing_key):
    case, task = in_review_decision(world, issuing_item)
    client.force_login(world.decider)
    body = {"task": task.pk, "decision": "approved", "certificate_facts": ["premises"]}

    response = client.post(
        f"/api/v1/cases/{case.number}/actions/decide",
        json.dumps(body),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert "certificate_facts" in response.json()["fields"]


def test_the_api_shows_a_material_filled_from_the_wallet(
    client, world, reusing_item, licence, signing_key
):
    held = issue(licence, world.applicant)
    case = world.submit(reusing_item)
    client.force_login(world.applicant_user)

    body = client.get(f"/api/v1/cases/{case.number}").json()

    rows = {row["name"]: row for row in body["materials"]}
    assert rows["营业执照"]["certificate"] == held.identifier
    assert rows["申请表"]["certificate"] is None
    assert body["certificates"] == []
