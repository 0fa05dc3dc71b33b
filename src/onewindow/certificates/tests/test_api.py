"""``GET /api/v1/certificates/{identifier}/verify``: the public check over HTTP."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from onewindow.api import api
from onewindow.certificates import throttle
from onewindow.certificates.identifiers import build_identifier
from onewindow.certificates.keys import key_rotate
from onewindow.certificates.models import Certificate, CertificateType, VerificationTally
from onewindow.certificates.services import certificate_issue, certificate_revoke
from onewindow.certificates.tests.conftest import DEPARTMENT_USCC
from onewindow.org.constants import ApplicantKind, Role
from onewindow.org.models import Applicant

pytestmark = pytest.mark.django_db

FACTS = {"premises": "示范区创新路 8 号一层", "area": "120"}


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def decider(make_staff, issuing_department):
    return make_staff(Role.DECIDER, username="decider", dept=issuing_department)


@pytest.fixture
def certificate(food_licence, enterprise, signing_key, decider) -> Certificate:
    return certificate_issue(
        certificate_type=food_licence, holder=enterprise, actor=decider, facts=FACTS
    )


#: A well-formed 查验码 that belongs to no certificate of these tests.
SOME_CODE = "ABCD2345"
#: The start of a minute: request limits count in windows aligned on the clock.
MINUTE = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)


def url(identifier: str, code: str = SOME_CODE) -> str:
    return f"/api/v1/certificates/{identifier}/verify?{urlencode({'c': code})}"


def check_url(certificate: Certificate) -> str:
    return url(certificate.identifier, certificate.verification_code)


def test_a_valid_certificate(client, certificate):
    response = client.get(check_url(certificate))
    assert response.status_code == 200
    body = response.json()
    licence_number = certificate.facts["licence_number"]
    issued_on, valid_until = certificate.issued_on.isoformat(), certificate.valid_until.isoformat()
    assert body == {
        "identifier": certificate.identifier,
        "status": "valid",
        "status_label": "有效",
        "signature_valid": True,
        "trustworthy": True,
        "type": {"code": "SCJG002", "name": "食品经营许可证"},
        "issuer": {"code": DEPARTMENT_USCC, "name": "市场监督管理局"},
        "holder_name": "示范食品有限公司",
        "holder_identifier": "91320192MA1W2K000P",
        "issued_on": issued_on,
        "valid_until": valid_until,
        "revoked_on": None,
        "facts": [
            {"key": "holder_name", "label": "名称", "value": "示范食品有限公司"},
            {"key": "holder_uscc", "label": "统一社会信用代码", "value": "91320192MA1W2K000P"},
            {"key": "premises", "label": "经营场所", "value": "示范区创新路 8 号一层"},
            {"key": "area", "label": "经营面积（平方米）", "value": "120"},
            {"key": "licence_number", "label": "许可证编号", "value": licence_number},
            {"key": "issued_on", "label": "发证日期", "value": issued_on},
            {
                "key": "valid_until",
                "label": "有效期至",
                "value": certificate.valid_until.isoformat(),
            },
        ],
        "key_id": certificate.signing_key.key_id,
    }
    # Chinese is written as such, not escaped.
    assert "食品经营许可证".encode() in response.content
    assert b"\\u" not in response.content


def test_a_lower_case_identifier_is_the_same_certificate(client, certificate):
    response = client.get(
        url(certificate.identifier.lower(), certificate.verification_code.lower())
    )
    assert response.json()["identifier"] == certificate.identifier


def test_a_revoked_certificate(client, certificate, decider):
    certificate_revoke(certificate=certificate, actor=decider, reason="歇业")
    body = client.get(check_url(certificate)).json()
    assert (body["status"], body["status_label"]) == ("revoked", "已注销")
    assert body["revoked_on"] == timezone.localdate().isoformat()
    assert body["signature_valid"] is True
    assert body["trustworthy"] is False
    assert "歇业" not in str(body)


def test_an_expired_certificate(client, food_licence, enterprise, signing_key):
    old = certificate_issue(
        certificate_type=food_licence,
        holder=enterprise,
        actor=None,
        facts=FACTS,
        issued_on=dt.date(2015, 3, 2),
    )
    body = client.get(check_url(old)).json()
    assert (body["status"], body["status_label"]) == ("expired", "已过期")
    assert body["valid_until"] == "2020-03-01"
    assert body["trustworthy"] is False


def test_a_permanent_certificate_has_no_end(client, permanent_type, enterprise, signing_key):
    certificate = certificate_issue(certificate_type=permanent_type, holder=enterprise, actor=None)
    body = client.get(check_url(certificate)).json()
    assert body["valid_until"] is None
    assert body["status"] == "valid"


def test_a_tampered_certificate_has_an_invalid_signature(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(
        payload=certificate.payload.replace("120", "1200")
    )
    body = client.get(check_url(certificate)).json()
    assert body["signature_valid"] is False
    assert body["trustworthy"] is False


def test_a_certificate_signed_by_a_rotated_out_key_verifies(client, zone, certificate):
    key_rotate(zone=zone)
    body = client.get(check_url(certificate)).json()
    assert body["signature_valid"] is True
    assert body["key_id"] == certificate.signing_key.key_id


def test_a_person_s_name_and_numbers_are_masked(client, issuing_department, signing_key):
    card_type = CertificateType.objects.create(
        code="SCJG003",
        name="食品从业人员健康证明",
        issuing_department=issuing_department,
        fields=[
            {"key": "name", "label": "姓名", "type": "text"},
            {"key": "id_number", "label": "身份证号码", "type": "text"},
        ],
    )
    person = Applicant.objects.create(
        kind=ApplicantKind.PERSON, name="李四", id_number="320102199001011234"
    )
    certificate = certificate_issue(
        certificate_type=card_type,
        holder=person,
        actor=None,
        facts={"id_number": "320102199001011234"},
    )
    response = client.get(check_url(certificate))
    assert b"320102199001011234" not in response.content
    assert "李四" not in response.content.decode()
    body = response.json()
    assert body["holder_name"] == "李*"
    assert body["facts"][0]["value"] == "李*"
    assert body["holder_identifier"] == "3201**********1234"
    assert body["facts"][1]["value"] == "3201**********1234"


def test_a_signed_in_user_gets_the_same_answer(client, certificate, decider):
    anonymous = client.get(check_url(certificate)).json()
    client.force_login(decider)
    assert client.get(check_url(certificate)).json() == anonymous


def test_each_check_is_counted_on_the_api_channel(client, certificate):
    client.get(check_url(certificate))
    tally = VerificationTally.objects.get()
    assert (tally.channel, tally.count) == ("api", 1)


def test_not_found_is_the_same_whatever_was_asked(client, certificate):
    wrong_check = certificate.identifier[:-1] + ("0" if certificate.identifier[-1] != "0" else "1")
    unknown = build_identifier(type_code="SCJG002", issuer_code=DEPARTMENT_USCC, serial=9_999_999)
    answers = []
    for asked in (unknown, wrong_check, "nonsense", "1.2.156.3005.2", "%E8%AF%81", " "):
        response = client.get(url(asked))
        assert response.status_code == 404, asked
        answers.append((response.status_code, response.content))
    # the right identifier with a wrong code, whatever was typed for it
    for code in (SOME_CODE, "Ａ", "\u00e9", "😀", "码" * 8, "A" * 3000, "\u0301", ""):
        response = client.get(url(certificate.identifier, code))
        assert response.status_code == 404, code
        answers.append((response.status_code, response.content))
    assert len(set(answers)) == 1
    assert (
        answers[0][1].decode()
        == '{"message": "未找到该电子证照", "code": "not_found", "fields": {}}'
    )
    assert not VerificationTally.objects.exists()


@time_machine.travel(MINUTE, tick=False)
def test_too_many_checks_are_refused(client, certificate, monkeypatch):
    monkeypatch.setattr(throttle, "VERIFY", throttle.FixedWindow("test:verify", 2, 60))
    assert client.get(check_url(certificate)).status_code == 200
    assert client.get(url("nonsense")).status_code == 404
    response = client.get(check_url(certificate))
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert response.json() == {
        "message": "查验过于频繁，请 1 分钟后再试。",
        "code": "throttled",
        "fields": {},
    }
    assert client.get(check_url(certificate), REMOTE_ADDR="192.0.2.9").status_code == 200


def test_the_code_is_required_and_folded_as_typed(client, certificate):
    missing = client.get(f"/api/v1/certificates/{certificate.identifier}/verify")
    assert missing.status_code == 422
    assert "c" in missing.json()["fields"]
    code = certificate.verification_code
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code.lower())
    response = client.get(url(certificate.identifier, full_width))
    assert response.json()["identifier"] == certificate.identifier


def test_only_get(client, certificate):
    assert client.post(check_url(certificate)).status_code == 405


def test_every_answer_is_declared():
    schema = api.get_openapi_schema()
    operation = schema["paths"]["/api/v1/certificates/{identifier}/verify"]["get"]
    assert {str(code) for code in operation["responses"]} == {"200", "404", "422", "429"}
    assert [(p["name"], p["in"], p["required"]) for p in operation["parameters"]] == [
        ("identifier", "path", True),
        ("c", "query", True),
    ]
    assert "security" not in operation
    out = schema["components"]["schemas"]["VerificationOut"]
    assert set(out["required"]) >= {
        "identifier",
        "status",
        "status_label",
        "signature_valid",
        "type",
        "issuer",
        "holder_name",
        "holder_identifier",
        "issued_on",
        "valid_until",
        "revoked_on",
        "facts",
        "key_id",
    }


@time_machine.travel(MINUTE, tick=False)
def test_the_check_takes_three_queries(client, certificate, django_assert_num_queries):
    client.get(check_url(certificate))
    # The request count, the certificate with its type, issuer and key, the tally; no
    # session, no zone.
    with django_assert_num_queries(3):
        assert client.get(check_url(certificate)).status_code == 200
