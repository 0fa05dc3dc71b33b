"""Issuing, revoking, verifying and reusing certificates (the services and selectors)."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone, translation

from onewindow.certificates.facts import (
    LONG_TERM,
    assemble_facts,
    fields_to_give,
    valid_until_for,
)
from onewindow.certificates.identifiers import parse_identifier
from onewindow.certificates.models import (
    Certificate,
    CertificateStatus,
    CertificateType,
    CertificateUse,
    HolderKind,
    VerificationTally,
)
from onewindow.certificates.selectors import stats_by_type, wallet
from onewindow.certificates.services import (
    certificate_issue,
    certificate_record_download,
    certificate_revoke,
    certificate_use_for_material,
    certificate_verify,
)
from onewindow.certificates.signing import canonical_json, verify
from onewindow.certificates.tests.conftest import DEPARTMENT_USCC
from onewindow.core.audit import audit_verify
from onewindow.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from onewindow.core.models import AuditEvent
from onewindow.org.constants import ApplicantKind, Role
from onewindow.org.models import Applicant

pytestmark = pytest.mark.django_db

FACTS = {"premises": "示范区创新路 8 号", "area": "120.50"}
TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(
        datetime(2026, 11, 25, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        yield


@pytest.fixture
def issue(signing_key, food_licence, enterprise):
    def issue(**overrides) -> Certificate:
        arguments = {
            "certificate_type": food_licence,
            "holder": enterprise,
            "actor": None,
            "facts": dict(FACTS),
        } | overrides
        return certificate_issue(**arguments)

    return issue


@pytest.fixture
def decider(make_staff, issuing_department):
    return make_staff(Role.DECIDER, username="decider", dept=issuing_department)


# --- issue ---------------------------------------------------------------------------------


def test_issue_signs_the_facts_with_the_zone_key(issue, signing_key, enterprise, decider):
    certificate = issue(actor=decider, case_number="SFQ-2026-0000001")

    assert certificate.status == CertificateStatus.VALID
    assert certificate.signing_key == signing_key
    assert verify(bytes(signing_key.public_key), certificate.payload, certificate.signature)
    payload = json.loads(certificate.payload)
    assert canonical_json(payload) == certificate.payload
    assert payload == {
        "format": "onewindow-certificate/1",
        "id": certificate.identifier,
        "zone": "SFQ",
        "type": {"code": "SCJG002", "name": "食品经营许可证"},
        "issuer": {"name": "市场监督管理局", "code": DEPARTMENT_USCC},
        "holder": {"kind": "uscc", "id": enterprise.uscc, "name": "示范食品有限公司"},
        "issued_on": "2026-11-25",
        "valid_until": "2031-11-24",
        "facts": [
            {"key": "holder_name", "label": "名称", "value": "示范食品有限公司"},
            {"key": "holder_uscc", "label": "统一社会信用代码", "value": enterprise.uscc},
            {"key": "premises", "label": "经营场所", "value": "示范区创新路 8 号"},
            {"key": "area", "label": "经营面积（平方米）", "value": "120.5"},
            {"key": "licence_number", "label": "许可证编号", "value": "SFQ2026002000001"},
            {"key": "issued_on", "label": "发证日期", "value": "2026-11-25"},
            {"key": "valid_until", "label": "有效期至", "value": "2031-11-24"},
        ],
        "kid": signing_key.key_id,
    }
    assert certificate.facts["area"] == "120.5"
    assert (certificate.holder_kind, certificate.holder_identifier) == ("uscc", enterprise.uscc)
    assert certificate.issued_by == decider and certificate.case_number == "SFQ-2026-0000001"
    parsed = parse_identifier(certificate.identifier)
    assert (parsed.type_code, parsed.issuer_code, parsed.serial, parsed.version) == (
        "SCJG002",
        DEPARTMENT_USCC,
        1,
        1,
    )
    event = AuditEvent.objects.get(action="certificate.issued")
    assert event.object_id == certificate.identifier and event.actor == "decider"
    assert event.data == {"type": "SCJG002", "case": "SFQ-2026-0000001", "kid": signing_key.key_id}
    assert audit_verify().ok


def test_serials_increase_per_type(issue, permanent_type):
    first, second = issue(), issue()
    other = issue(certificate_type=permanent_type, facts={})

    assert (first.serial, second.serial, other.serial) == (1, 2, 1)
    assert len({first.identifier, second.identifier, other.identifier}) == 3
    assert second.facts["licence_number"] == "SFQ2026002000002"


def test_missing_facts_name_every_field(issue, food_licence):
    with pytest.raises(ValidationFailed) as refused:
        issue(facts={})

    error = refused.value
    assert error.code == "certificate_facts_missing"
    assert set(error.fields) == {"certificate_facts.premises", "certificate_facts.area"}
    assert error.fields["certificate_facts.premises"] == ["请填写证照字段「经营场所」"]
    assert "经营场所" in error.message and "经营面积（平方米）" in error.message
    assert "食品经营许可证" in error.message
    assert not Certificate.objects.exists()


def test_facts_come_from_the_form_when_the_decider_gave_none(issue):
    certificate = issue(facts={"area": "60"}, form_data={"premises": "表单里的地址", "area": "99"})
    assert certificate.facts["premises"] == "表单里的地址"
    assert certificate.facts["area"] == "60"  # what the decider gave wins


def test_a_given_licence_number_is_kept(issue):
    certificate = issue(facts=FACTS | {"licence_number": "JY13201920000001"})
    assert certificate.facts["licence_number"] == "JY13201920000001"


@pytest.mark.parametrize(
    ("given", "stored"),
    [("120.50", "120.5"), ("1,200", "1200"), ("100", "100"), ("0.0", "0"), ("-3.25", "-3.25")],
)
def test_numbers_are_normalised(issue, given, stored):
    assert issue(facts=FACTS | {"area": given}).facts["area"] == stored


@pytest.mark.parametrize("given", ["一百", "1e3", "12..5", "NaN", "Infinity", "12 m2"])
def test_numbers_that_are_not_numbers_are_refused(issue, given):
    with pytest.raises(ValidationFailed) as refused:
        issue(facts=FACTS | {"area": given})
    assert list(refused.value.fields) == ["certificate_facts.area"]
    assert "应为数字" in refused.value.message


def test_dates_are_checked_and_written_iso(food_licence, enterprise):
    dated = CertificateType(
        code="SCJG009",
        name="测试证",
        fields=[{"key": "opened_on", "label": "开业日期", "type": "date"}],
    )
    facts = assemble_facts(
        certificate_type=dated,
        holder=enterprise,
        issued_on=TODAY,
        valid_until=None,
        number="N1",
        given={"opened_on": " 2026-01-05 "},
    )
    assert facts == [{"key": "opened_on", "label": "开业日期", "value": "2026-01-05"}]
    with pytest.raises(ValidationFailed) as refused:
        assemble_facts(
            certificate_type=dated,
            holder=enterprise,
            issued_on=TODAY,
            valid_until=None,
            number="N1",
            given={"opened_on": "2026-02-30"},
        )
    assert list(refused.value.fields) == ["certificate_facts.opened_on"]


def test_text_longer_than_500_characters_is_refused(issue):
    with pytest.raises(ValidationFailed) as refused:
        issue(facts=FACTS | {"premises": "路" * 501})
    assert list(refused.value.fields) == ["certificate_facts.premises"]


def test_a_permanent_certificate_says_long_term(issue, permanent_type):
    certificate = issue(certificate_type=permanent_type, facts={})
    assert certificate.valid_until is None
    assert json.loads(certificate.payload)["valid_until"] is None
    long_term = CertificateType(
        code="X001", name="长期证", fields=[{"key": "valid_until", "label": "有效期至"}]
    )
    facts = assemble_facts(
        certificate_type=long_term,
        holder=certificate.holder,
        issued_on=TODAY,
        valid_until=None,
        number="",
    )
    assert facts[0]["value"] == LONG_TERM == "长期"


def test_fields_to_give_leave_out_what_fills_itself(food_licence):
    assert [field["key"] for field in fields_to_give(food_licence)] == ["premises", "area"]


@pytest.mark.parametrize(
    ("issued_on", "valid_until"),
    [
        (date(2026, 11, 25), date(2031, 11, 24)),
        (date(2026, 1, 1), date(2030, 12, 31)),
        (date(2024, 2, 29), date(2029, 2, 28)),  # the anniversary in a common year is 1 March
        (date(2024, 3, 1), date(2029, 2, 28)),
        (date(2024, 2, 28), date(2029, 2, 27)),
        (date(2023, 2, 28), date(2028, 2, 27)),
        (date(2023, 3, 1), date(2028, 2, 29)),  # ends on a leap day
    ],
)
def test_valid_until_for_five_year_types(food_licence, issued_on, valid_until):
    assert valid_until_for(food_licence, issued_on) == valid_until


def test_valid_until_for_a_leap_day_with_four_year_validity(food_licence):
    food_licence.validity_years = 4
    assert valid_until_for(food_licence, date(2024, 2, 29)) == date(2028, 2, 28)


def test_issue_is_refused_without_a_signing_key(zone, food_licence, enterprise):
    with pytest.raises(Conflict) as refused:
        certificate_issue(certificate_type=food_licence, holder=enterprise, actor=None, facts=FACTS)
    assert refused.value.code == "no_signing_key"


def test_issue_is_refused_when_the_issuer_has_no_credit_code(issue, issuing_department):
    issuing_department.uscc = ""
    issuing_department.save()
    with pytest.raises(ValidationFailed) as refused:
        issue()
    assert refused.value.code == "issuer_without_uscc"
    assert issuing_department.name in refused.value.message


@pytest.fixture
def personal_type(issuing_department) -> CertificateType:
    return CertificateType.objects.create(
        code="RSJ001",
        name="外国人工作许可证",
        issuing_department=issuing_department,
        fields=[
            {"key": "name", "label": "姓名", "type": "text"},
            {"key": "nationality", "label": "国籍", "type": "text"},
            {"key": "passport_number", "label": "护照号码", "type": "text"},
            {"key": "permit_number", "label": "许可证号", "type": "text"},
        ],
    )


def test_a_person_holder_is_masked_when_verified(issue, personal_type):
    person = Applicant.objects.create(
        kind=ApplicantKind.PERSON, name="张三", id_number="11010519491231002X"
    )
    certificate = issue(
        holder=person,
        certificate_type=personal_type,
        facts={"nationality": "中国", "passport_number": "E12345678"},
    )
    assert (certificate.holder_kind, certificate.holder_identifier) == (
        HolderKind.PERSON,
        "11010519491231002X",
    )
    verification = certificate_verify(
        certificate.identifier, code=certificate.verification_code, channel="page", count=False
    )
    assert verification.holder_identifier == "1101**********002X"
    assert {fact["key"]: fact["value"] for fact in verification.facts}[
        "passport_number"
    ] == "E1*****78"
    assert verification.holder_name == "张*"
    assert {fact["key"]: fact["value"] for fact in verification.facts}["name"] == "张*"


def test_a_foreign_holder_is_named_by_nationality_and_passport(issue, personal_type):
    foreigner = Applicant.objects.create(
        kind=ApplicantKind.FOREIGNER,
        name="Anna Muster",
        nationality="DE",
        passport_number="C01X00T47",
    )
    with translation.override("en"):  # a decider working in English
        certificate = issue(holder=foreigner, certificate_type=personal_type, facts={})
    assert certificate.holder_identifier == "DE:C01X00T47"
    payload = json.loads(certificate.payload)
    assert payload["holder"]["kind"] == "passport"
    assert [fact["value"] for fact in payload["facts"]][:3] == ["Anna Muster", "德国", "C01X00T47"]
    verification = certificate_verify(
        certificate.identifier, code=certificate.verification_code, channel="page", count=False
    )
    assert "C01X00T47" not in verification.holder_identifier
    assert "C01X00T47" not in str(verification.facts)
    assert verification.holder_name == "A*** M*****"
    assert "Anna" not in str(verification.facts)


@pytest.mark.parametrize("code", ["", "ABCD2345", "Ａ", "\u00e9", "😀", "码" * 8, "A" * 3000])
def test_a_wrong_code_is_answered_as_an_unknown_identifier(issue, code):
    certificate = issue()
    with pytest.raises(NotFound) as refused:
        certificate_verify(certificate.identifier, code=code, channel="page")
    assert (refused.value.message, refused.value.code) == ("未找到该电子证照", "not_found")
    assert not VerificationTally.objects.exists()


# --- revoke --------------------------------------------------------------------------------


def test_the_issuing_departments_decider_revokes_with_a_reason(issue, decider):
    certificate = issue()

    revoked = certificate_revoke(certificate=certificate, actor=decider, reason=" 企业申请注销 ")

    assert revoked.status == CertificateStatus.REVOKED
    assert revoked.revoked_reason == "企业申请注销" and revoked.revoked_by == decider
    assert revoked.revoked_at == timezone.now()
    event = AuditEvent.objects.get(action="certificate.revoked")
    assert event.data == {"from": "valid", "to": "revoked", "reason": "企业申请注销"}
    assert event.object_id == certificate.identifier


def test_an_administrator_may_revoke(issue, administrator):
    certificate = issue()
    certificate_revoke(certificate=certificate, actor=administrator, reason="错误签发")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_revoking_needs_a_reason(issue, decider, reason):
    certificate = issue()
    with pytest.raises(ValidationFailed) as refused:
        certificate_revoke(certificate=certificate, actor=decider, reason=reason)
    assert list(refused.value.fields) == ["reason"]
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


def test_a_reason_over_500_characters_is_refused(issue, decider):
    with pytest.raises(ValidationFailed):
        certificate_revoke(certificate=issue(), actor=decider, reason="因" * 501)


@pytest.mark.parametrize("who", ["other_decider", "reviewer", "clerk", "applicant"])
def test_others_may_not_revoke(
    issue, who, make_staff, other_department, make_applicant_user, enterprise
):
    if who == "other_decider":
        actor = make_staff(Role.DECIDER, username="other_decider", dept=other_department)
    elif who == "reviewer":
        actor = make_staff(Role.REVIEWER, username="reviewer")
    elif who == "clerk":
        actor = make_staff(Role.WINDOW_CLERK, username="clerk")
    else:
        actor = make_applicant_user()
        enterprise.users.add(actor, through_defaults={"capacity": "legal_representative"})
    certificate = issue()

    with pytest.raises(Forbidden):
        certificate_revoke(certificate=certificate, actor=actor, reason="想注销")

    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    assert not AuditEvent.objects.filter(action="certificate.revoked").exists()


def test_revoking_twice_is_a_conflict(issue, decider):
    certificate = issue()
    certificate_revoke(certificate=certificate, actor=decider, reason="第一次")

    with pytest.raises(Conflict) as refused:
        certificate_revoke(certificate=certificate, actor=decider, reason="第二次")

    assert (refused.value.status, refused.value.code) == (409, "transition_not_allowed")
    assert refused.value.message == "电子证照当前状态为“已注销”，不能执行“注销”"
    certificate.refresh_from_db()
    assert certificate.revoked_reason == "第一次"


# --- verify ----------------------------------------------------------------------------------


def test_a_valid_certificate_verifies(issue, signing_key):
    certificate = issue()

    result = certificate_verify(
        f" {certificate.identifier.lower()} ",
        code=certificate.verification_code.lower(),
        channel="api",
    )

    assert result.status == "valid" and result.status_label == "有效"
    assert result.signature_valid and result.trustworthy
    assert result.key_id == signing_key.key_id
    assert result.type_name == "食品经营许可证" and result.issuer_name == "市场监督管理局"
    assert result.holder_identifier == certificate.holder_identifier  # enterprises: in full
    assert [fact["key"] for fact in result.facts][:3] == ["holder_name", "holder_uscc", "premises"]
    assert VerificationTally.objects.get(channel="api").count == 1


def test_revoked_and_expired_certificates_say_so(issue, decider):
    revoked = issue()
    certificate_revoke(certificate=revoked, actor=decider, reason="吊销")
    expired = issue(issued_on=date(2020, 1, 1))

    first = certificate_verify(revoked.identifier, code=revoked.verification_code, channel="page")
    second = certificate_verify(expired.identifier, code=expired.verification_code, channel="page")

    assert (first.status, first.status_label) == ("revoked", "已注销")
    assert first.revoked_at is not None and first.signature_valid and not first.trustworthy
    assert (second.status, second.status_label) == ("expired", "已过期")
    assert second.valid_until == date(2024, 12, 31) and not second.trustworthy


def test_expiry_is_derived_from_the_day_asked(issue):
    certificate = issue()  # valid until 2031-11-24
    assert (
        certificate_verify(
            certificate.identifier,
            code=certificate.verification_code,
            channel="page",
            today=date(2031, 11, 24),
        ).status
        == "valid"
    )
    assert (
        certificate_verify(
            certificate.identifier,
            code=certificate.verification_code,
            channel="page",
            today=date(2031, 11, 25),
        ).status
        == "expired"
    )
    assert certificate.effective_status(date(2031, 11, 25)) == CertificateStatus.EXPIRED


def test_a_tampered_payload_is_reported(issue):
    certificate = issue()
    Certificate.objects.filter(pk=certificate.pk).update(
        payload=certificate.payload.replace("120.5", "1200.5")
    )
    assert not certificate_verify(
        certificate.identifier, code=certificate.verification_code, channel="page"
    ).signature_valid


@pytest.mark.parametrize(
    "identifier",
    ["", "nonsense", "1.2.156.3005.2.SCJG002.11320192MB1234567J.0000099.001.C"],
)
def test_unknown_identifiers_are_not_found(issue, identifier):
    issue()
    with pytest.raises(NotFound) as missing:
        certificate_verify(identifier, code="ABCD2345", channel="page")
    assert missing.value.message == "未找到该电子证照"
    assert not VerificationTally.objects.exists()


def test_verifications_are_tallied_per_day_and_channel(issue):
    certificate = issue()
    for channel in ("page", "page", "api"):
        certificate_verify(
            certificate.identifier, code=certificate.verification_code, channel=channel
        )
    certificate_verify(
        certificate.identifier, code=certificate.verification_code, channel="page", count=False
    )
    counts = dict(VerificationTally.objects.values_list("channel", "count"))
    assert counts == {"page": 2, "api": 1}


# --- wallet and reuse (免提交) --------------------------------------------------------------


@pytest.fixture
def clerk_user(make_staff):
    return make_staff(Role.WINDOW_CLERK, username="window")


def reuse(holder, certificate_type, actor, today=None):
    return certificate_use_for_material(
        holder=holder,
        certificate_type=certificate_type,
        actor=actor,
        case_number="SFQ-2026-0000042",
        purpose="食品经营许可（变更）：食品经营许可证",
        today=today,
    )


def test_the_holders_own_valid_certificate_fills_the_material(
    issue, enterprise, food_licence, clerk_user
):
    certificate = issue()

    used = reuse(enterprise, food_licence, clerk_user)

    assert used == certificate
    use = CertificateUse.objects.get()
    assert use.certificate == certificate and use.kind == CertificateUse.Kind.MATERIAL
    assert use.used_by == clerk_user and use.case_number == "SFQ-2026-0000042"
    assert use.purpose == "食品经营许可（变更）：食品经营许可证"
    assert use.used_at == timezone.now()


def test_another_holders_certificate_never_fills_it(
    issue, other_enterprise, food_licence, clerk_user
):
    issue()  # held by `enterprise`
    assert reuse(other_enterprise, food_licence, clerk_user) is None
    assert not CertificateUse.objects.exists()


def test_a_revoked_certificate_never_fills_it(issue, enterprise, food_licence, decider, clerk_user):
    certificate_revoke(certificate=issue(), actor=decider, reason="吊销")
    assert reuse(enterprise, food_licence, clerk_user) is None
    assert not CertificateUse.objects.exists()


def test_an_expired_certificate_never_fills_it(issue, enterprise, food_licence, clerk_user):
    issue(issued_on=date(2020, 1, 1))  # expired 2024-12-31
    assert reuse(enterprise, food_licence, clerk_user) is None
    # ... though on a day it was valid it would have
    assert reuse(enterprise, food_licence, clerk_user, today=date(2024, 12, 31)) is not None


def test_a_certificate_of_another_type_never_fills_it(
    issue, enterprise, permanent_type, clerk_user
):
    issue()
    assert reuse(enterprise, permanent_type, clerk_user) is None


def test_the_newest_valid_certificate_is_used(issue, enterprise, food_licence, decider, clerk_user):
    older = issue(issued_on=date(2025, 1, 2))
    newer = issue()
    assert reuse(enterprise, food_licence, clerk_user) == newer
    certificate_revoke(certificate=newer, actor=decider, reason="换证")
    assert reuse(enterprise, food_licence, clerk_user) == older


def test_the_wallet_holds_only_valid_certificates(issue, enterprise, decider, permanent_type):
    valid = issue()
    permanent = issue(certificate_type=permanent_type, facts={})
    certificate_revoke(certificate=issue(), actor=decider, reason="吊销")
    issue(issued_on=date(2020, 1, 1))

    assert set(wallet(enterprise)) == {valid, permanent}
    assert set(wallet(enterprise, today=date(2040, 1, 1))) == {permanent}


def test_downloads_are_logged(issue, enterprise, make_applicant_user):
    user = make_applicant_user()
    certificate = issue()
    certificate_record_download(certificate=certificate, actor=user)
    use = CertificateUse.objects.get()
    assert (use.kind, use.used_by, use.certificate) == ("download", user, certificate)


# --- stats -----------------------------------------------------------------------------------


def test_stats_by_type_count_what_happened_in_the_period(
    issue, zone, enterprise, food_licence, permanent_type, decider, clerk_user
):
    old = issue(issued_on=date(2025, 6, 1))
    issue()
    issue()
    issue(certificate_type=permanent_type, facts={})
    certificate_revoke(certificate=old, actor=decider, reason="吊销")
    certificate_verify(old.identifier, code=old.verification_code, channel="page")
    certificate_verify(old.identifier, code=old.verification_code, channel="api")
    reuse(enterprise, food_licence, clerk_user)
    reuse(enterprise, food_licence, clerk_user)
    reuse(enterprise, permanent_type, clerk_user)

    rows = {row["type"].code: row for row in stats_by_type(zone.pk)}
    assert {
        code: (r["issued"], r["revoked"], r["verified"], r["reused"]) for code, r in rows.items()
    } == {
        "SCJG002": (3, 1, 2, 2),
        "SCJG001": (1, 0, 0, 1),
    }

    # This month: the certificate issued last year was revoked and verified this month.
    this_month = stats_by_type(zone.pk, date_from=date(2026, 11, 1), date_to=date(2026, 11, 30))
    counts = {
        row["type"].code: (row["issued"], row["revoked"], row["verified"], row["reused"])
        for row in this_month
    }
    assert counts == {"SCJG002": (2, 1, 2, 2), "SCJG001": (1, 0, 0, 1)}

    last_year = stats_by_type(zone.pk, date_from=date(2025, 1, 1), date_to=date(2025, 12, 31))
    assert [(row["type"].code, row["issued"], row["revoked"]) for row in last_year] == [
        ("SCJG002", 1, 0)
    ]
    assert stats_by_type(zone.pk, date_from=date(2027, 1, 1)) == []
    assert stats_by_type(zone.pk + 1) == []


def test_stats_need_few_queries(issue, zone, django_assert_max_num_queries):
    issue()
    with django_assert_max_num_queries(5):
        stats_by_type(zone.pk)
