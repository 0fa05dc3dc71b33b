"""``POST /api/v1/applicants``: a window clerk registers a walk-in applicant. Success, the
409 with the registered applicant, each bad input (422 naming the field), each refused
role, the audit event."""

from __future__ import annotations

import pytest

from onewindow.core.audit import AuditAction
from onewindow.core.models import AuditEvent
from onewindow.demo.org_data import demo_uscc
from onewindow.org.constants import ApplicantKind, Role
from onewindow.org.models import Applicant, Zone
from onewindow.org.permissions import visible_applicants
from onewindow.testing import worlds
from onewindow.testing.clients import client_for, send

pytestmark = pytest.mark.django_db

URL = "/api/v1/applicants"
USCC = demo_uscc("91", 7301)
PERSON_ID = "11010519491231002X"


def post(user, body, *, token=True):
    return send(client_for(user, csrf=True), "POST", URL, json=body, token=token)


def test_a_clerk_registers_an_enterprise(clerk):
    response = post(
        clerk,
        {"kind": "enterprise", "name": "示范科技有限公司", "uscc": USCC.lower(), "phone": "１３９"},
    )
    assert response.status_code == 201, response.content
    applicant = Applicant.objects.get()
    assert response.json() == {
        "id": applicant.pk,
        "kind": "enterprise",
        "name": "示范科技有限公司",
        "identifier_label": "统一社会信用代码",
        "identifier": USCC,
    }
    assert applicant.phone == "139"
    assert visible_applicants(clerk).filter(pk=applicant.pk).exists()
    (event,) = AuditEvent.objects.filter(action=AuditAction.APPLICANT_ADDED)
    assert event.data["channel"] == "api" and event.object_id == str(applicant.pk)


def test_a_person_and_a_foreigner_come_back_masked(clerk):
    person = post(clerk, {"kind": "person", "name": "张明", "id_number": PERSON_ID})
    assert person.status_code == 201
    assert person.json()["identifier"] == "1101**********002X"
    foreigner = post(
        clerk,
        {
            "kind": "foreigner",
            "name": "John Smith",
            "passport_number": "C4J7R9K2L",
            "nationality": "US",
        },
    )
    assert foreigner.status_code == 201
    assert foreigner.json()["identifier"] == "US C4*****2L"


def test_an_existing_identifier_is_409_with_the_registered_applicant(clerk):
    first = post(clerk, {"kind": "person", "name": "张明", "id_number": PERSON_ID}).json()
    response = post(clerk, {"kind": "person", "name": "张三", "id_number": PERSON_ID.lower()})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "applicant_exists"
    assert body["fields"] == {"id_number": ["该证件号码已登记"]}
    assert body["applicant"] == first
    assert Applicant.objects.count() == 1


def test_another_zones_number_under_another_name_is_409_without_a_reference(clerk):
    zone_b = Zone.objects.create(code="SZB", name="第二开发区", division_code="320193")
    clerk_b = worlds.staff(zone_b, Role.WINDOW_CLERK, username="clerk_b")
    assert (
        post(clerk_b, {"kind": "enterprise", "name": "第二区公司", "uscc": USCC}).status_code == 201
    )
    response = post(clerk, {"kind": "enterprise", "name": "冒名公司", "uscc": USCC})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "applicant_exists_elsewhere"
    assert body.get("applicant") is None and "第二区" not in response.content.decode()
    assert list(body["fields"]) == ["name"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"kind": "enterprise", "name": "公司", "uscc": USCC[:-1]},
            "uscc",
            "统一社会信用代码应为18位，现为17位",
        ),
        ({"kind": "enterprise", "name": "公司"}, "uscc", "统一社会信用代码不能为空"),
        (
            {"kind": "person", "name": "张明", "id_number": "110105194912310021"},
            "id_number",
            "居民身份证号码校验位错误",
        ),
        (
            {"kind": "foreigner", "name": "John", "passport_number": "C4J7R9K2L"},
            "nationality",
            "国籍不能为空",
        ),
        (
            {
                "kind": "foreigner",
                "name": "John",
                "passport_number": "C4J7R9K2L",
                "nationality": "ZZ",
            },
            "nationality",
            "国籍应为 ISO 3166 两位国家代码",
        ),
        ({"kind": "enterprise", "name": " ", "uscc": USCC}, "name", "名称或姓名不能为空"),
        ({"kind": "robot", "name": "公司", "uscc": USCC}, "kind", "取值无效"),
        ({"name": "公司", "uscc": USCC}, "kind", "必填"),
        ({"kind": "enterprise", "name": "公司", "uscc": USCC, "extra": 1}, "extra", ""),
        (
            {"kind": "enterprise", "name": "公司", "uscc": USCC, "phone": "1" * 21},
            "phone",
            "长度不符合要求",
        ),
    ],
)
def test_bad_input_is_422_naming_the_field(clerk, body, field, message):
    response = post(clerk, body)
    assert response.status_code == 422
    payload = response.json()
    assert list(payload["fields"]) == [field]
    assert message in payload["message"] + "".join(payload["fields"][field])
    assert not Applicant.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.APPLICANT_ADDED).exists()


def test_a_body_that_is_not_an_object_is_422(clerk):
    response = send(client_for(clerk, csrf=True), "POST", URL, body="[1]")
    assert response.status_code == 422 and list(response.json()["fields"]) == ["body"]


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.DECIDER, Role.SUPERVISOR, Role.ADMINISTRATOR])
def test_other_staff_are_refused(zone, department, role):
    user = worlds.staff(zone, role, username=f"u_{role}", department=department)
    response = post(user, {"kind": "enterprise", "name": "公司", "uscc": USCC})
    assert response.status_code == 403
    assert response.json()["code"] == "window_clerk_only"
    assert not Applicant.objects.exists()


def test_an_applicant_user_is_refused(zone):
    response = post(
        worlds.applicant_user(zone), {"kind": "enterprise", "name": "公司", "uscc": USCC}
    )
    assert response.status_code == 403
    assert not Applicant.objects.exists()


def test_anonymous_is_401_and_a_missing_csrf_token_403(clerk):
    assert post(None, {"kind": "enterprise", "name": "公司", "uscc": USCC}).status_code == 401
    response = post(clerk, {"kind": "enterprise", "name": "公司", "uscc": USCC}, token=False)
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
    assert not Applicant.objects.exists()


def test_the_kinds_are_the_models():
    assert {"enterprise", "person", "foreigner"} == set(ApplicantKind.values)
