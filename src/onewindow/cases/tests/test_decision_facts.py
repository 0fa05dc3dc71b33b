"""Deciding an item with a certificate: the form offers every fact of the certificate type
(label, type; the holder's registered ones shown, the rest pre-filled from the application
and the applicant), worded by the item (准予登记 / 准予许可 / 准予); a required fact left
empty or invalid refuses the decision naming the field, with nothing written; the same
through the API (422 naming the field)."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from stdnum.cn import uscc

from onewindow.cases.constants import CaseStatus, Decision
from onewindow.cases.models import Case
from onewindow.cases.services import case_create, case_handle_on_the_spot, material_upload
from onewindow.cases.tests.factories import World, pdf_upload
from onewindow.catalog.constants import ItemType
from onewindow.catalog.tests.factories import make_item
from onewindow.catalog.wording import decision_wording
from onewindow.certificates.facts import fact_inputs
from onewindow.certificates.keys import key_generate
from onewindow.certificates.models import Certificate, CertificateType
from onewindow.core.errors import ValidationFailed
from onewindow.core.identifiers import organisation_code_check_character
from onewindow.core.models import AuditEvent
from onewindow.org.constants import ApplicantKind
from onewindow.org.models import Applicant

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)  # a Monday


def valid_uscc(serial: int, registration: str = "92") -> str:
    """A valid 统一社会信用代码 (个体工商户: registration code 92)."""
    org8 = f"MA{serial:06d}"
    body = f"{registration}320100{org8}{organisation_code_check_character(org8)}"
    return body + uscc.calc_check_digit(body)


SOLE_TRADER_USCC = valid_uscc(5001)
FIELDS = [
    {"key": "holder_name", "label": "名称", "type": "text"},
    {"key": "holder_uscc", "label": "统一社会信用代码", "type": "text"},
    {"key": "entity_type", "label": "类型", "type": "text", "options": ["个体工商户"]},
    {"key": "legal_representative", "label": "经营者", "type": "text"},
    {"key": "business_scope", "label": "经营范围", "type": "text"},
    {"key": "registered_on", "label": "注册日期", "type": "date"},
    {"key": "issued_on", "label": "发证日期", "type": "date"},
]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def signing_key(zone):
    return key_generate(zone=zone)


@pytest.fixture
def licence(world: World) -> CertificateType:
    """营业执照 of a 个体工商户: its 统一社会信用代码 and 经营者 are given at registration."""
    return CertificateType.objects.create(
        code=f"{world.department.uscc}001",
        name="营业执照",
        issuing_department=world.department,
        fields=FIELDS,
    )


@pytest.fixture
def person() -> Applicant:
    return Applicant.objects.create(
        kind=ApplicantKind.PERSON, name="李四", id_number="11010519491231002X"
    )


@pytest.fixture
def registration(world: World, licence):
    """个体工商户设立登记: a 即办件 issuing the 营业执照."""
    return make_item(
        world.zone,
        world.department,
        name="个体工商户设立登记",
        materials=["个体工商户登记（备案）申请书"],
        handling_kind="immediate",
        certificate_type=licence,
    )


@pytest.fixture
def walk_in(world: World, person, registration) -> Case:
    """The person's application at the window (submitted at once, its material uploaded),
    its form naming the business scope."""
    case = case_create(
        actor=world.clerk,
        applicant=person,
        item_version=registration,
        form_data={"contact": "李四", "phone": "13800000000", "business_scope": "小吃服务"},
    )
    for row in case.materials.all():
        material_upload(case=case, material_id=row.pk, uploaded=pdf_upload(), actor=world.clerk)
    return Case.objects.get(pk=case.pk)


GIVEN = {
    "holder_uscc": SOLE_TRADER_USCC,
    "entity_type": "个体工商户",
    "business_scope": "小吃服务",
    "registered_on": "2026-03-02",
}


# -- the wording ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item_type", "name", "approve", "deny"),
    [
        (ItemType.ADMINISTRATIVE_LICENSING, "个体工商户设立登记", "准予登记", "不予登记"),
        (ItemType.ADMINISTRATIVE_CONFIRMATION, "不动产登记", "准予登记", "不予登记"),
        (ItemType.ADMINISTRATIVE_LICENSING, "食品经营许可", "准予许可", "不予许可"),
        (ItemType.ADMINISTRATIVE_PAYMENT, "失业保险金申领", "准予", "不予"),
        (ItemType.PUBLIC_SERVICE, "", "准予", "不予"),
        (None, None, "准予", "不予"),
    ],
)
def test_a_decision_is_worded_by_the_item(item_type, name, approve, deny):
    wording = decision_wording(item_type=item_type, name=name)
    assert (str(wording.approve), str(wording.deny)) == (approve, deny)


# -- the facts offered ------------------------------------------------------------------------


def test_a_person_gives_the_uscc_and_is_the_operator(licence, person):
    inputs = {fact.key: fact for fact in fact_inputs(licence, holder=person, issued_on=NOW.date())}

    assert list(inputs) == [field["key"] for field in FIELDS]  # every fact, in order
    assert inputs["holder_name"].fixed and inputs["holder_name"].initial == "李四"
    uscc_input = inputs["holder_uscc"]
    assert (uscc_input.fixed, uscc_input.required, uscc_input.initial) == (False, True, None)
    operator = inputs["legal_representative"]  # a person is the 经营者 of its 个体工商户
    assert operator.fixed and operator.initial == "李四"
    assert inputs["legal_representative"].label == "经营者"
    assert inputs["registered_on"].type == "date" and not inputs["registered_on"].fixed
    assert inputs["entity_type"].options == ("个体工商户",)
    assert inputs["issued_on"].fixed and inputs["issued_on"].initial == "2026-03-02"


def test_an_enterprise_has_its_registered_facts_fixed(world, licence):
    inputs = {
        fact.key: fact
        for fact in fact_inputs(
            licence,
            holder=world.applicant,
            issued_on=NOW.date(),
            form_data={"business_scope": "技术服务"},
        )
    }

    assert inputs["holder_uscc"].fixed and inputs["holder_uscc"].initial == world.applicant.uscc
    assert inputs["business_scope"].initial == "技术服务"  # the application form's key
    assert not inputs["business_scope"].fixed


# -- the window -------------------------------------------------------------------------------


def test_the_sole_trader_form_says_register_and_asks_for_the_uscc_and_operator(
    client, world, walk_in, signing_key
):
    client.force_login(world.clerk)

    html = client.get(reverse("cases:case", args=[walk_in.number])).content.decode()

    assert "准予登记时签发电子证照：营业执照" in html
    assert ">准予登记</span>" in html and ">不予登记</span>" in html
    prefix = "on_the_spot-certificate_facts."
    assert f'<label for="id_{prefix}holder_uscc">统一社会信用代码</label>' in html
    assert f'name="{prefix}legal_representative" value="李四" disabled' in html
    assert f'name="{prefix}business_scope" value="小吃服务"' in html
    assert f'name="{prefix}holder_name" value="李四" disabled' in html
    assert f'<select name="{prefix}entity_type"' in html


def test_deciding_without_the_uscc_is_refused_beside_it_and_nothing_is_written(
    client, world, walk_in, signing_key
):
    client.force_login(world.clerk)
    before = AuditEvent.objects.order_by("pk").last().pk
    action = reverse("cases:case_action", args=[walk_in.number, "on_the_spot"])
    facts = {
        f"on_the_spot-certificate_facts.{k}": v for k, v in GIVEN.items() if k != "holder_uscc"
    }

    refused = client.post(action, {"on_the_spot-decision": "approved"} | facts)

    assert refused.status_code == 422
    body = refused.content.decode()
    assert 'id="id_on_the_spot-certificate_facts.holder_uscc_error"' in body
    assert "请填写证照字段「统一社会信用代码」" in body
    assert Case.objects.get(pk=walk_in.pk).status == CaseStatus.SUBMITTED
    assert not Certificate.objects.exists()
    written = AuditEvent.objects.filter(pk__gt=before).exclude(action="org.identifier_viewed")
    assert not written.exists()  # the page shown again audits only the identifier it shows


def test_an_invalid_uscc_is_refused_naming_the_field(client, world, walk_in, signing_key):
    client.force_login(world.clerk)
    action = reverse("cases:case_action", args=[walk_in.number, "on_the_spot"])
    facts = {f"on_the_spot-certificate_facts.{k}": v for k, v in GIVEN.items()}
    facts["on_the_spot-certificate_facts.holder_uscc"] = SOLE_TRADER_USCC[:-1] + (
        "1" if SOLE_TRADER_USCC[-1] != "1" else "2"
    )

    refused = client.post(action, {"on_the_spot-decision": "approved"} | facts)

    assert refused.status_code == 422
    assert "证照字段「统一社会信用代码」：统一社会信用代码校验位错误" in refused.content.decode()
    assert not Certificate.objects.exists()


def test_a_choice_fact_outside_its_options_is_refused(world, walk_in, signing_key):
    with pytest.raises(ValidationFailed) as refused:
        case_handle_on_the_spot(
            case=walk_in,
            actor=world.clerk,
            certificate_facts=GIVEN | {"entity_type": "有限责任公司"},
        )
    assert set(refused.value.fields) == {"certificate_facts.entity_type"}
    assert "个体工商户" in refused.value.message


def test_the_sole_trader_is_registered_and_the_licence_issued_at_the_window(
    client, world, walk_in, signing_key
):
    client.force_login(world.clerk)
    action = reverse("cases:case_action", args=[walk_in.number, "on_the_spot"])
    facts = {f"on_the_spot-certificate_facts.{k}": v for k, v in GIVEN.items()}
    # full-width input, as a Chinese input method types it, is folded
    facts["on_the_spot-certificate_facts.holder_uscc"] = SOLE_TRADER_USCC.translate(
        {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHJKLMNPQRTUWXY"}
    )

    done = client.post(action, {"on_the_spot-decision": "approved"} | facts, follow=True)

    assert done.status_code == 200
    case = Case.objects.get(pk=walk_in.pk)
    assert case.status == CaseStatus.DELIVERED and case.decision == Decision.APPROVED
    assert case.decision_display() == "准予登记"
    certificate = Certificate.objects.get(case_number=case.number)
    assert certificate.facts["holder_uscc"] == SOLE_TRADER_USCC
    assert certificate.facts["legal_representative"] == "李四"
    assert certificate.facts["holder_name"] == "李四"
    assert "已签发电子证照《营业执照》" in done.content.decode()


def test_the_api_refuses_a_missing_fact_with_422_naming_it(client, world, walk_in, signing_key):
    client.force_login(world.clerk)
    url = f"/api/v1/cases/{walk_in.number}/actions/on_the_spot"
    body = {"decision": "approved", "certificate_facts": {"entity_type": "个体工商户"}}

    refused = client.post(url, json.dumps(body), content_type="application/json")

    assert refused.status_code == 422, refused.content
    assert set(refused.json()["fields"]) == {
        "certificate_facts.holder_uscc",
        "certificate_facts.registered_on",
    }
    assert Case.objects.get(pk=walk_in.pk).status == CaseStatus.SUBMITTED

    body["certificate_facts"] = GIVEN
    done = client.post(url, json.dumps(body), content_type="application/json")

    assert done.status_code == 200, done.content
    assert done.json()["decision"]["decision_label"] == "准予登记"
    assert Certificate.objects.get().facts["holder_uscc"] == SOLE_TRADER_USCC
