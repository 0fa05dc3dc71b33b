"""The certificate pages: the public check and the published keys, the holder's wallet, the
staff list, a certificate's page, revocation, the statistics and the PDF."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote, urlencode

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onewindow.certificates import throttle
from onewindow.certificates.identifiers import build_identifier
from onewindow.certificates.keys import key_rotate
from onewindow.certificates.models import (
    Certificate,
    CertificateStatus,
    CertificateType,
    CertificateUse,
    VerificationTally,
)
from onewindow.certificates.services import (
    certificate_issue,
    certificate_revoke,
    certificate_use_for_material,
)
from onewindow.certificates.tests.conftest import DEPARTMENT_USCC
from onewindow.certificates.views import pdf_filename, typed_identifier
from onewindow.core.models import AuditEvent
from onewindow.org.constants import ApplicantKind, Capacity, DepartmentKind, Role
from onewindow.org.models import Applicant, Department, Representation, Zone
from onewindow.org.services import staff_create
from onewindow.testing.clients import client_for

pytestmark = pytest.mark.django_db

PASSWORD = "test-Password-2026"
FACTS = {"premises": "示范区创新路 8 号一层", "area": "120"}
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
NEXT_FIELD = re.compile(r'name="next" value="[^"]*"')


@pytest.fixture(autouse=True)
def fresh_cache():
    """The check's rate limit counts in the cache: every test starts afresh."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def holder_user(make_applicant_user, enterprise):
    user = make_applicant_user("holder")
    Representation.objects.create(
        user=user, applicant=enterprise, capacity=Capacity.LEGAL_REPRESENTATIVE
    )
    return user


@pytest.fixture
def other_user(make_applicant_user, other_enterprise):
    user = make_applicant_user("other_holder")
    Representation.objects.create(user=user, applicant=other_enterprise, capacity=Capacity.HANDLER)
    return user


@pytest.fixture
def decider(make_staff, issuing_department):
    return make_staff(Role.DECIDER, username="decider", dept=issuing_department)


@pytest.fixture
def reviewer(make_staff, issuing_department):
    return make_staff(Role.REVIEWER, username="reviewer", dept=issuing_department)


@pytest.fixture
def other_decider(make_staff, other_department):
    return make_staff(Role.DECIDER, username="other_decider", dept=other_department)


@pytest.fixture
def supervisor(make_staff):
    return make_staff(Role.SUPERVISOR, username="supervisor")


@pytest.fixture
def other_zone_administrator(db):
    zone = Zone.objects.create(code="QTQ", name="另一个开发区", division_code="320193")
    department = Department.objects.create(
        zone=zone, code="SCJG", name="另一区市场监督管理局", kind=DepartmentKind.FUNCTIONAL
    )
    return staff_create(
        zone=zone,
        username="other_zone_admin",
        password=PASSWORD,
        display_name="另一区管理员",
        roles=[Role.ADMINISTRATOR],
        department=department,
    )


@pytest.fixture
def certificate(food_licence, enterprise, signing_key, decider) -> Certificate:
    return certificate_issue(
        certificate_type=food_licence,
        holder=enterprise,
        actor=decider,
        facts=FACTS,
        case_number="SFQ-2026-0000001",
    )


@pytest.fixture
def other_certificate(permanent_type, other_enterprise, signing_key, decider) -> Certificate:
    return certificate_issue(
        certificate_type=permanent_type, holder=other_enterprise, actor=decider
    )


@pytest.fixture
def person_certificate(issuing_department, signing_key, decider) -> Certificate:
    """A certificate held by a person: the public sees the ID number masked."""
    card_type = CertificateType.objects.create(
        code="SCJG003",
        name="食品从业人员健康证明",
        issuing_department=issuing_department,
        fields=[
            {"key": "name", "label": "姓名", "type": "text"},
            {"key": "id_number", "label": "身份证号码", "type": "text"},
            {"key": "issued_on", "label": "发证日期", "type": "date"},
        ],
    )
    person = Applicant.objects.create(
        kind=ApplicantKind.PERSON, name="李四", id_number="320102199001011234"
    )
    return certificate_issue(
        certificate_type=card_type,
        holder=person,
        actor=decider,
        facts={"id_number": "320102199001011234"},
    )


#: A well-formed 查验码 that belongs to no certificate of these tests.
SOME_CODE = "ABCD2345"
#: The start of a minute: request limits count in windows aligned on the clock.
MINUTE = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)


def verify_url(certificate_or_identifier, code: str | None = None) -> str:
    """The check of a certificate with its code, or of an identifier with ``code``."""
    if isinstance(certificate_or_identifier, Certificate) and code is None:
        return certificate_or_identifier.verification_path()
    identifier = getattr(certificate_or_identifier, "identifier", certificate_or_identifier)
    return (
        reverse("certificates:verify", args=[identifier])
        + "?"
        + urlencode({"c": code or SOME_CODE})
    )


def api_url(certificate: Certificate, code: str | None = None) -> str:
    query = urlencode({"c": certificate.verification_code if code is None else code})
    return f"/api/v1/certificates/{certificate.identifier}/verify?{query}"


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def unknown_identifier() -> str:
    """Well formed, right check character, no certificate."""
    return build_identifier(type_code="SCJG002", issuer_code=DEPARTMENT_USCC, serial=9_999_999)


def wrong_check(identifier: str) -> str:
    last = identifier[-1]
    return identifier[:-1] + ("0" if last != "0" else "1")


# -- the published keys --------------------------------------------------------------------------


def test_the_keys_are_published_as_json_for_anyone(client, signing_key):
    response = client.get("/.well-known/onewindow-keys.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Access-Control-Allow-Origin"] == "*"
    keys = response.json()["keys"]
    assert [key["kid"] for key in keys] == [signing_key.key_id]
    assert keys[0] | {"created_at": None} == {
        "kty": "OKP",
        "crv": "Ed25519",
        "alg": "EdDSA",
        "use": "sig",
        "kid": signing_key.key_id,
        "x": keys[0]["x"],
        "zone": "SFQ",
        "status": "active",
        "created_at": None,
        "retired_at": None,
    }


def test_rotated_out_keys_stay_published(client, zone, signing_key):
    new = key_rotate(zone=zone)
    keys = {
        key["kid"]: key for key in client.get("/.well-known/onewindow-keys.json").json()["keys"]
    }
    assert set(keys) == {signing_key.key_id, new.key_id}
    assert keys[signing_key.key_id]["status"] == "retired"
    assert keys[signing_key.key_id]["retired_at"]
    assert keys[new.key_id]["status"] == "active"


def test_the_keys_file_is_read_only(client, signing_key):
    assert client.post("/.well-known/onewindow-keys.json").status_code == 405
    assert client.head("/.well-known/onewindow-keys.json").status_code == 200


# -- the check: the form -------------------------------------------------------------------------


def test_the_form_asks_for_the_identifier_and_the_code(client):
    response = client.get(reverse("certificates:verify_form"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_id">证照标识</label>' in html
    assert '<label for="id_c">查验码</label>' in html
    assert "公钥列表" in html


def test_the_form_sends_a_good_identifier_to_its_page(client, certificate):
    response = client.get(
        reverse("certificates:verify_form"),
        {"id": certificate.identifier, "c": full_width(certificate.verification_code.lower())},
    )
    assert response.status_code == 302
    assert response["Location"] == verify_url(certificate)


def test_the_form_asks_for_the_code_when_it_is_left_out(client, certificate):
    response = client.get(reverse("certificates:verify_form"), {"id": certificate.identifier})
    assert response.status_code == 422
    assert '<p class="field__error">查验码：请填写证照上印制的查验码</p>' in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    "typed",
    [
        "  {id}  ",
        "{lower}",
        "{spaced}",
        "{fullwidth}",
        "http://example.test/verify/{id}?c={code}",
        "https://zwfw.example.gov.cn/verify/{id}?from=qr&c={code}",
    ],
)
def test_what_people_type_or_paste_is_understood(client, certificate, typed):
    identifier = certificate.identifier
    value = typed.format(
        code=certificate.verification_code,
        id=identifier,
        lower=identifier.lower(),
        spaced=identifier.replace(".", " . "),
        fullwidth=identifier.replace(".", "。").translate(
            {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
        ),
    )
    code = "" if "{code}" in typed else certificate.verification_code
    response = client.get(reverse("certificates:verify_form"), {"id": value, "c": code})
    assert response.status_code == 302
    assert response["Location"] == verify_url(certificate)


def test_typed_identifier_normalises():
    assert typed_identifier(" 1．2。156 ") == "1.2.156"
    assert typed_identifier("") == ""


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "证照标识：请填写"),
        ("   ", "证照标识：请填写"),
        ("SFQ-2026-0000001", "证照标识：格式不正确，应以 1.2.156.3005.2 开头，各段以英文句点分隔"),
        (
            "1.2.156.3005.2.SCJG002",
            "证照标识：格式不正确，应以 1.2.156.3005.2 开头，各段以英文句点分隔",
        ),
        ("<script>", "证照标识：格式不正确，应以 1.2.156.3005.2 开头，各段以英文句点分隔"),
        ("x" * 201, "证照标识：过长，请核对"),
    ],
)
def test_bad_input_is_named_on_the_field(client, value, message):
    response = client.get(reverse("certificates:verify_form"), {"id": value})
    assert response.status_code == 422
    html = response.content.decode()
    assert f'<p class="field__error">{message}</p>' in html
    assert 'aria-invalid="true"' in html


def test_a_wrong_check_character_is_named(client, certificate):
    response = client.get(
        reverse("certificates:verify_form"), {"id": wrong_check(certificate.identifier)}
    )
    assert response.status_code == 422
    assert "证照标识：校验位不符，请逐位核对是否输错" in response.content.decode()


# -- the check: the page -------------------------------------------------------------------------


def test_a_valid_certificate_says_so_at_once(client, certificate):
    response = client.get(verify_url(certificate))
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-cache" in response["Cache-Control"]
    html = response.content.decode()
    verdict = html.split('class="verdict verdict--valid"')[1].split("</div>")[0]
    assert '<span class="verdict__mark" aria-hidden="true">✓</span> 有效</h1>' in verdict
    until = certificate.valid_until.isoformat()
    assert f"签名验证通过，证照未注销，有效期至 {until}。" in verdict
    for fact in ("经营场所", "示范区创新路 8 号一层", "经营面积（平方米）", "120", "许可证编号"):
        assert fact in html
    assert "<dt>持证主体</dt><dd>示范食品有限公司<br>" in html
    assert "91320192MA1W2K000P" in html  # an enterprise's credit code is public
    assert "市场监督管理局" in html
    assert certificate.signing_key.key_id in html
    assert "签名有效" in html
    assert certificate.identifier in html


def test_a_permanent_certificate_is_valid_for_the_long_term(client, other_certificate):
    html = client.get(verify_url(other_certificate)).content.decode()
    assert "签名验证通过，证照未注销，长期有效。" in html
    assert "<dt>有效期至</dt><dd>长期</dd>" in html


def test_a_person_s_name_and_numbers_are_masked(client, person_certificate):
    html = client.get(verify_url(person_certificate)).content.decode()
    assert "李四" not in html
    assert "<dt>持证主体</dt><dd>李*<br>" in html
    assert "320102199001011234" not in html
    assert "3201**********1234" in html
    assert (
        '<span class="hint">居民身份证</span> <span class="identifier">3201**********1234</span>'
        in html
    )
    assert "个人证件号码等已部分隐去。" in html


def test_a_revoked_certificate_says_so_with_the_date(client, certificate, decider):
    certificate_revoke(certificate=certificate, actor=decider, reason="以欺骗手段取得许可")
    html = client.get(verify_url(certificate)).content.decode()
    today = timezone.localdate().isoformat()
    assert '<span class="verdict__mark" aria-hidden="true">✕</span> 已注销</h1>' in html
    assert f"该证照已于 {today} 注销，不再有效。" in html
    assert "以欺骗手段取得许可" not in html  # the reason stays inside


def test_an_expired_certificate_says_so_with_the_date(
    client, food_licence, enterprise, signing_key
):
    old = certificate_issue(
        certificate_type=food_licence,
        holder=enterprise,
        actor=None,
        facts=FACTS,
        issued_on=dt.date(2015, 3, 2),
    )
    html = client.get(verify_url(old)).content.decode()
    assert '<span class="verdict__mark" aria-hidden="true">!</span> 已过期</h1>' in html
    assert "该证照有效期至 2020-03-01，已过期。" in html


def test_a_tampered_certificate_says_its_signature_is_invalid(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(
        payload=certificate.payload.replace("120", "1200")
    )
    html = client.get(verify_url(certificate)).content.decode()
    assert 'class="verdict verdict--invalid"' in html
    assert '<span class="verdict__mark" aria-hidden="true">✕</span> 签名无效</h1>' in html
    assert "证照内容与签名不符" in html
    assert "签名验证通过" not in html


def test_a_certificate_signed_by_a_rotated_out_key_still_verifies(client, zone, certificate):
    key_rotate(zone=zone)
    html = client.get(verify_url(certificate)).content.decode()
    assert '<span class="verdict__mark" aria-hidden="true">✓</span> 有效</h1>' in html


def test_each_check_is_counted(client, certificate):
    client.get(verify_url(certificate))
    client.get(verify_url(certificate))
    tally = VerificationTally.objects.get(certificate_type=certificate.certificate_type)
    assert (tally.channel, tally.count) == ("page", 2)


#: Codes that are wrong for every certificate (and must never make the check fail).
WRONG_CODES = [SOME_CODE, "Ａ", "\u00e9", "😀", "码" * 8, "A" * 3000, "\u0301"]


def _normalised(response, asked: str) -> tuple[int, str]:
    text = response.content.decode().replace(asked, "<asked>").replace(quote(asked), "<asked>")
    text = NEXT_FIELD.sub("", text)  # the language switch echoes the address asked
    return response.status_code, CSRF_FIELD.sub("", text)


def test_not_found_is_the_same_whatever_was_asked(client, certificate):
    answers = set()
    for asked in (
        unknown_identifier(),
        wrong_check(certificate.identifier),
        "1.2.156.3005.9.X",
        "nonsense",
        certificate.identifier + ".0",
    ):
        response = client.get(verify_url(asked))
        assert response.status_code == 404, asked
        answers.add(_normalised(response, asked))
    # the right identifier with a wrong code, whatever was typed for it
    for code in WRONG_CODES:
        response = client.get(verify_url(certificate.identifier, code))
        assert response.status_code == 404, code
        answers.add(_normalised(response, certificate.identifier))
    assert len(answers) == 1
    _status, html = answers.pop()
    assert "未找到该电子证照" in html
    for secret in ("示范食品有限公司", "食品经营许可证", certificate.signing_key.key_id):
        assert secret not in html
    assert not VerificationTally.objects.exists()


def test_without_its_code_the_page_asks_for_it_and_shows_nothing(client, certificate):
    # given the address of a certificate without the code (typed, or an old link)
    bare = reverse("certificates:verify", args=[certificate.identifier])
    unknown = reverse("certificates:verify", args=[unknown_identifier()])
    answers = {}
    for identifier, url in ((certificate.identifier, bare), (unknown_identifier(), unknown)):
        response = client.get(url)
        # then the form with the identifier filled in and the code field ready to type
        assert response.status_code == 200
        html = response.content.decode()
        assert f'value="{identifier}"' in html
        assert re.search(r'<input type="text" name="c"[^>]*autofocus', html)
        assert "请输入证照上印在证照标识旁的查验码" in html
        answers[identifier] = _normalised(response, identifier)
    # and nothing about the certificate, the same page as for an unknown identifier
    assert len(set(answers.values())) == 1
    html = answers[certificate.identifier][1]
    for secret in ("示范食品有限公司", "食品经营许可证", "verdict", certificate.signing_key.key_id):
        assert secret not in html
    assert not VerificationTally.objects.exists()


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "{full_width}", " {code} "])
def test_the_code_is_taken_as_people_type_it(client, certificate, typed):
    code = certificate.verification_code
    value = typed.format(code=code, lower=code.lower(), full_width=full_width(code))
    response = client.get(verify_url(certificate.identifier, value))
    assert response.status_code == 200
    assert "示范食品有限公司" in response.content.decode()


def test_the_code_is_random_and_from_an_unambiguous_alphabet(certificate, other_certificate):
    codes = {certificate.verification_code, other_certificate.verification_code}
    assert len(codes) == 2
    for code in codes:
        assert len(code) == 8 and set(code) <= set("23456789ABCDEFGHJKMNPQRSTUVWXYZ")


def test_the_holder_s_and_the_staff_s_pages_link_to_the_check_with_its_code(
    client, certificate, holder_user, clerk
):
    link = f'href="{certificate.verification_path()}"'.replace("&", "&amp;")
    client_for(holder_user, client=client)
    assert link in client.get(reverse("certificates:wallet")).content.decode()
    wallet_detail = reverse("certificates:wallet_detail", args=[certificate.identifier])
    assert link in client.get(wallet_detail).content.decode()
    client_for(clerk, client=client)
    assert link in client.get(detail_url(certificate)).content.decode()


def test_the_page_is_read_only(client, certificate):
    assert client.post(verify_url(certificate)).status_code == 405


@time_machine.travel(MINUTE, tick=False)
def test_too_many_checks_from_one_address_are_refused(client, certificate, monkeypatch):
    monkeypatch.setattr(throttle, "VERIFY", throttle.FixedWindow("test:verify", 3, 60))
    for _ in range(3):
        assert client.get(verify_url(certificate)).status_code == 200
    response = client.get(verify_url(certificate))
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "查验过于频繁，请 1 分钟后再试。" in response.content.decode()
    # Unknown identifiers count too (walking through serials is what the limit stops),
    # and another address has its own allowance.
    assert client.get(verify_url(unknown_identifier())).status_code == 429
    other = client.get(verify_url(certificate), REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200


@time_machine.travel(MINUTE, tick=False)
def test_the_check_shares_its_allowance_with_the_api(client, certificate, monkeypatch):
    monkeypatch.setattr(throttle, "VERIFY", throttle.FixedWindow("test:verify", 2, 60))
    assert client.get(api_url(certificate)).status_code == 200
    assert client.get(verify_url(certificate)).status_code == 200
    assert client.get(verify_url(certificate)).status_code == 429


@time_machine.travel(MINUTE, tick=False)
def test_the_page_takes_four_queries(client, certificate, django_assert_num_queries):
    client.get(verify_url(certificate))  # the day's tally row exists from now on
    # The request count, the zone (page header), the certificate with its type, issuer and
    # key, the tally.
    with django_assert_num_queries(4):
        assert client.get(verify_url(certificate)).status_code == 200


# -- the wallet ----------------------------------------------------------------------------------


def test_the_wallet_lists_the_holder_s_certificates_with_their_states(
    client, holder_user, certificate, food_licence, enterprise, decider, other_certificate
):
    expired = certificate_issue(
        certificate_type=food_licence,
        holder=enterprise,
        actor=None,
        facts=FACTS,
        issued_on=dt.date(2015, 3, 2),
    )
    revoked = certificate_issue(
        certificate_type=food_licence, holder=enterprise, actor=None, facts=FACTS
    )
    certificate_revoke(certificate=revoked, actor=decider, reason="歇业")
    response = client_for(holder_user, client=client).get(reverse("certificates:wallet"))
    assert response.status_code == 200
    html = response.content.decode()
    cards = html.split('<li class="cert-card ')[1:]
    assert len(cards) == 3
    states = {}
    for card in cards:
        identifier = re.search(r'<dd class="identifier">([^<]+)</dd>', card)[1]
        states[identifier] = re.search(r"cert-status--(\w+)", card)[1]
    assert states == {
        certificate.identifier: "valid",
        expired.identifier: "expired",
        revoked.identifier: "revoked",
    }
    assert other_certificate.identifier not in html
    assert reverse("certificates:pdf", args=[certificate.identifier]) in html
    assert verify_url(certificate) in html
    assert "✓</span> 有效" in html and "✕</span> 已注销" in html and "!</span> 已过期" in html


def test_the_wallet_shows_the_holder_when_the_user_represents_several(
    client, holder_user, certificate, other_certificate, other_enterprise
):
    Representation.objects.create(
        user=holder_user, applicant=other_enterprise, capacity=Capacity.AGENT
    )
    html = (
        client_for(holder_user, client=client).get(reverse("certificates:wallet")).content.decode()
    )
    assert "<dt>持证主体</dt><dd>另一家公司</dd>" in html
    assert "<dt>持证主体</dt><dd>示范食品有限公司</dd>" in html


def test_an_empty_wallet_says_what_will_come(client, make_applicant_user):
    html = client_for(make_applicant_user("nobody"), client=client).get(
        reverse("certificates:wallet")
    )
    assert "还没有电子证照" in html.content.decode()


def test_the_wallet_costs_the_same_for_one_certificate_or_many(
    client, holder_user, certificate, food_licence, enterprise, django_assert_max_num_queries
):
    client_for(holder_user, client=client)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("certificates:wallet"))
    for _ in range(4):
        certificate_issue(certificate_type=food_licence, holder=enterprise, actor=None, facts=FACTS)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("certificates:wallet"))
    assert response.content.decode().count('<li class="cert-card ') == 5


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_the_wallet_is_for_applicants(client, who, decider):
    if who == "staff":
        client_for(decider, client=client)
    response = client.get(reverse("certificates:wallet"))
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == 403


def test_a_certificate_in_the_wallet_shows_its_facts_and_its_uses(
    client, holder_user, certificate, enterprise, food_licence, clerk
):
    certificate_use_for_material(
        holder=enterprise,
        certificate_type=food_licence,
        actor=clerk,
        case_number="SFQ-2026-0000042",
        purpose="食品经营许可变更：食品经营许可证（免提交）",
    )
    url = reverse("certificates:wallet_detail", args=[certificate.identifier])
    response = client_for(holder_user, client=client).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<th scope="row">经营场所</th><td>示范区创新路 8 号一层</td>' in html
    uses = html.split('id="uses"')[1]
    assert '调用记录 <span class="count">1</span>' in uses
    for text in (
        "免提交材料",
        "clerk",
        "SFQ-2026-0000042",
        "食品经营许可变更：食品经营许可证（免提交）",
    ):
        assert text in uses


def test_another_holder_s_certificate_is_not_found_in_the_wallet(client, other_user, certificate):
    mine = reverse("certificates:wallet_detail", args=[certificate.identifier])
    missing = reverse("certificates:wallet_detail", args=[unknown_identifier()])
    client_for(other_user, client=client)
    assert client.get(mine).status_code == 404
    assert client.get(missing).status_code == 404


def test_staff_use_their_own_page_for_a_certificate(client, decider, certificate):
    url = reverse("certificates:wallet_detail", args=[certificate.identifier])
    assert client_for(decider, client=client).get(url).status_code == 403


# -- the staff list ------------------------------------------------------------------------------


def list_rows(response) -> list[str]:
    html = response.content.decode()
    body = html.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in html else ""
    return re.findall(r'<span class="hint identifier">(1\.2\.156[^<]+)</span>', body)


def test_staff_see_the_zone_s_certificates(
    client, clerk, certificate, other_certificate, person_certificate
):
    response = client_for(clerk, client=client).get(reverse("certificates:list"))
    assert response.status_code == 200
    assert set(list_rows(response)) == {
        certificate.identifier,
        other_certificate.identifier,
        person_certificate.identifier,
    }
    html = response.content.decode()
    assert "3201**********1234" in html and "320102199001011234" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "valid"}, {"certificate", "other"}),
        ({"status": "revoked"}, {"revoked"}),
        ({"status": "expired"}, {"expired"}),
        ({"type": "food"}, {"certificate", "revoked", "expired"}),
        ({"q": "另一家"}, {"other"}),
        ({"q": "91320192MA1W2K001T"}, {"other"}),
        ({"q": "SFQ-2026-0000001"}, {"certificate"}),
        ({"q": "identifier"}, {"certificate"}),
        ({"q": "没有这家"}, set()),
        ({"type": "food", "status": "valid"}, {"certificate"}),
    ],
)
def test_the_list_filters(
    client,
    clerk,
    certificate,
    other_certificate,
    food_licence,
    enterprise,
    decider,
    query,
    expected,
):
    revoked = certificate_issue(
        certificate_type=food_licence, holder=enterprise, actor=None, facts=FACTS
    )
    certificate_revoke(certificate=revoked, actor=decider, reason="歇业")
    expired = certificate_issue(
        certificate_type=food_licence,
        holder=enterprise,
        actor=None,
        facts=FACTS,
        issued_on=dt.date(2015, 3, 2),
    )
    names = {
        certificate.identifier: "certificate",
        other_certificate.identifier: "other",
        revoked.identifier: "revoked",
        expired.identifier: "expired",
    }
    params = dict(query)
    if params.get("type") == "food":
        params["type"] = food_licence.pk
    if params.get("q") == "identifier":
        params["q"] = certificate.identifier.lower()
    response = client_for(clerk, client=client).get(reverse("certificates:list"), params)
    assert response.status_code == 200
    assert {names[identifier] for identifier in list_rows(response)} == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"status": "lost"}, "状态：请从列表中选择"),
        ({"type": "999999"}, "证照类型：请从列表中选择"),
        ({"type": "abc"}, "证照类型：请从列表中选择"),
        ({"q": "x" * 101}, "持证主体：不能超过 100 个字"),
    ],
)
def test_bad_filters_are_named(client, clerk, certificate, query, message):
    response = client_for(clerk, client=client).get(reverse("certificates:list"), query)
    assert response.status_code == 422
    assert f'<p class="field__error">{message}</p>' in response.content.decode()


def test_the_list_pages_by_25_in_constant_queries(
    client, clerk, food_licence, enterprise, signing_key, django_assert_max_num_queries
):
    certificate_issue(certificate_type=food_licence, holder=enterprise, actor=None, facts=FACTS)
    client_for(clerk, client=client)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("certificates:list"))
    for _ in range(25):
        certificate_issue(certificate_type=food_licence, holder=enterprise, actor=None, facts=FACTS)
    with django_assert_max_num_queries(len(one.captured_queries)):
        first = client.get(reverse("certificates:list"))
    assert len(list_rows(first)) == 25
    assert "第 1 页，共 2 页" in first.content.decode()
    second = client.get(reverse("certificates:list"), {"page": 2})
    assert len(list_rows(second)) == 1


def test_another_zone_s_staff_see_none_of_ours(client, other_zone_administrator, certificate):
    response = client_for(other_zone_administrator, client=client).get(reverse("certificates:list"))
    assert response.status_code == 200
    assert list_rows(response) == []


@pytest.mark.parametrize("who", ["anonymous", "applicant"])
def test_the_list_is_for_staff(client, who, holder_user):
    if who == "applicant":
        client_for(holder_user, client=client)
    response = client.get(reverse("certificates:list"))
    if who == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == 403


# -- a certificate's staff page and revocation ---------------------------------------------------


def detail_url(certificate) -> str:
    return reverse("certificates:detail", args=[certificate.identifier])


def revoke_url(certificate) -> str:
    return reverse("certificates:revoke", args=[certificate.identifier])


def test_staff_see_a_certificate_with_its_uses(client, clerk, reviewer, certificate, enterprise):
    certificate_use_for_material(
        holder=enterprise,
        certificate_type=certificate.certificate_type,
        actor=clerk,
        case_number="SFQ-2026-0000042",
        purpose="食品经营许可变更：食品经营许可证（免提交）",
    )
    response = client_for(reviewer, client=client).get(detail_url(certificate))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<th scope="row">经营面积（平方米）</th><td>120</td>' in html
    assert "SFQ-2026-0000042" in html and "SFQ-2026-0000001" in html
    assert "注销证照" not in html  # a reviewer may not revoke


def test_the_decider_of_the_issuing_department_sees_the_revocation_form(
    client, decider, certificate
):
    html = client_for(decider, client=client).get(detail_url(certificate)).content.decode()
    assert f'action="{revoke_url(certificate)}"' in html
    assert '<label for="id_reason">注销原因</label>' in html


def test_a_person_s_number_is_shown_in_full_to_a_window_clerk_only(
    client, clerk, reviewer, person_certificate
):
    html = client_for(reviewer, client=client).get(detail_url(person_certificate)).content.decode()
    assert "320102199001011234" not in html and "3201**********1234" in html
    html = client_for(clerk, client=client).get(detail_url(person_certificate)).content.decode()
    assert "320102199001011234" in html


def test_a_certificate_of_another_zone_is_not_found(client, other_zone_administrator, certificate):
    client_for(other_zone_administrator, client=client)
    assert client.get(detail_url(certificate)).status_code == 404
    assert client.post(revoke_url(certificate), {"reason": "x"}).status_code == 404
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


def test_revoking_takes_a_reason_and_shows_everywhere(client, decider, certificate):
    response = client_for(decider, client=client).post(
        revoke_url(certificate), {"reason": "  以欺骗手段取得许可 "}
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(certificate)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.revoked_reason == "以欺骗手段取得许可"
    assert certificate.revoked_by == decider
    assert AuditEvent.objects.filter(
        action="certificate.revoked", object_id=certificate.identifier
    ).exists()
    page = client.get(detail_url(certificate)).content.decode()
    assert "已注销证照" in page  # the message
    assert "以欺骗手段取得许可" in page
    assert "注销证照</h2>" not in page  # no second revocation form
    public = client.get(verify_url(certificate)).content.decode()
    assert "已注销</h1>" in public


def test_an_administrator_may_revoke(client, administrator, certificate):
    response = client_for(administrator, client=client).post(
        revoke_url(certificate), {"reason": "撤销许可"}
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "注销原因：请填写"),
        ("   ", "注销原因：请填写"),
        ("长" * 501, "注销原因：不能超过 500 个字"),
    ],
)
def test_a_revocation_without_a_good_reason_is_refused_on_the_field(
    client, decider, certificate, reason, message
):
    response = client_for(decider, client=client).post(revoke_url(certificate), {"reason": reason})
    assert response.status_code == 422
    html = response.content.decode()
    reason_field = html.split('id="revoke"')[1]
    assert f'<p class="field__error">{message}</p>' in reason_field
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


def test_a_certificate_is_revoked_once(client, decider, administrator, certificate):
    certificate_revoke(certificate=certificate, actor=administrator, reason="撤销许可")
    response = client_for(decider, client=client).post(
        revoke_url(certificate), {"reason": "再次注销"}
    )
    assert response.status_code == 409
    assert "电子证照当前状态为“已注销”，不能执行“注销”" in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoked_reason == "撤销许可"


@pytest.mark.parametrize("who", ["reviewer", "other_decider", "supervisor", "clerk"])
def test_only_a_decider_of_the_issuing_department_or_an_administrator_revokes(
    client, request, certificate, who
):
    user = request.getfixturevalue(who)
    response = client_for(user, client=client).post(revoke_url(certificate), {"reason": "注销"})
    assert response.status_code == 403
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


@pytest.mark.parametrize("who", ["anonymous", "holder_user"])
def test_applicants_and_visitors_do_not_revoke(client, request, certificate, who):
    if who != "anonymous":
        client_for(request.getfixturevalue(who), client=client)
    response = client.post(revoke_url(certificate), {"reason": "注销"})
    if who == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == 403
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


def test_revoking_is_a_post(client, decider, certificate):
    assert client_for(decider, client=client).get(revoke_url(certificate)).status_code == 405


# -- the statistics ------------------------------------------------------------------------------


def stats_rows(response) -> dict[str, list[int]]:
    html = response.content.decode()
    if "<tbody>" not in html:
        return {}
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    rows = {}
    for row in body.split("<tr>")[1:]:
        name = re.search(r"<th[^>]*><div>([^<]+)</div></th>", row)[1]
        rows[name] = [int(value) for value in re.findall(r"<div>(\d+)</div></td>", row)]
    return rows


def test_the_statistics_count_by_type(
    client, supervisor, certificate, other_certificate, decider, enterprise, clerk
):
    certificate_revoke(certificate=other_certificate, actor=decider, reason="歇业")
    client.get(verify_url(certificate))
    client.get(verify_url(certificate))
    client.get(api_url(certificate))
    certificate_use_for_material(
        holder=enterprise,
        certificate_type=certificate.certificate_type,
        actor=clerk,
        case_number="SFQ-2026-0000042",
        purpose="免提交",
    )
    response = client_for(supervisor, client=client).get(reverse("certificates:stats"))
    assert response.status_code == 200
    # issued, revoked, verified, reused
    assert stats_rows(response) == {"食品经营许可证": [1, 0, 3, 1], "营业执照": [1, 1, 0, 0]}
    html = response.content.decode()
    assert '<span class="stat__value">2</span><span class="stat__label">签发</span>' in html


def test_the_statistics_take_a_date_range(client, supervisor, certificate):
    today = timezone.localdate()
    client_for(supervisor, client=client)
    later = {"date_from": (today + dt.timedelta(days=1)).isoformat()}
    assert stats_rows(client.get(reverse("certificates:stats"), later)) == {}
    around = {"date_from": today.isoformat(), "date_to": today.isoformat()}
    assert stats_rows(client.get(reverse("certificates:stats"), around)) == {
        "食品经营许可证": [1, 0, 0, 0]
    }


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"date_from": "2026-13-01"}, "date_from", "开始日期：日期格式应为 YYYY-MM-DD"),
        ({"date_to": "昨天"}, "date_to", "结束日期：日期格式应为 YYYY-MM-DD"),
        (
            {"date_from": "2026-03-02", "date_to": "2026-03-01"},
            "date_to",
            "结束日期：不能早于开始日期",
        ),
    ],
)
def test_a_bad_date_range_is_named_on_the_field(client, supervisor, query, field, message):
    response = client_for(supervisor, client=client).get(reverse("certificates:stats"), query)
    assert response.status_code == 422
    html = response.content.decode()
    assert f'<div class="field__errors" id="id_{field}_error">' in html
    assert f'<p class="field__error">{message}</p>' in html


@pytest.mark.parametrize("who", ["analyst", "administrator"])
def test_analysts_and_administrators_see_the_statistics(client, make_staff, administrator, who):
    user = administrator if who == "administrator" else make_staff(Role.ANALYST, username="a")
    assert client_for(user, client=client).get(reverse("certificates:stats")).status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "holder_user", "clerk", "decider", "reviewer"])
def test_the_statistics_are_for_supervisors_analysts_and_administrators(client, request, who):
    if who != "anonymous":
        client_for(request.getfixturevalue(who), client=client)
    response = client.get(reverse("certificates:stats"))
    if who == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == 403


# -- the PDF ------------------------------------------------------------------------------------


def pdf_url(certificate_or_identifier) -> str:
    identifier = getattr(certificate_or_identifier, "identifier", certificate_or_identifier)
    return reverse("certificates:pdf", args=[identifier])


@pytest.mark.parametrize("who", ["holder_user", "clerk", "reviewer"])
def test_the_holder_and_the_zone_s_staff_download_the_pdf(client, request, certificate, who):
    user = request.getfixturevalue(who)
    response = client_for(user, client=client).get(pdf_url(certificate))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert quote(f"食品经营许可证-{certificate.identifier}.pdf") in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    use = CertificateUse.objects.get(certificate=certificate)
    assert (use.kind, use.used_by) == (CertificateUse.Kind.DOWNLOAD, user)


def test_the_pdf_and_the_pages_are_never_stored(client, certificate, holder_user):
    """A shared window terminal keeps nothing (ADR 0014): private, no-store."""
    client_for(holder_user, client=client)
    for url in (
        pdf_url(certificate),
        reverse("certificates:wallet"),
        verify_url(certificate),
        api_url(certificate),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, url


def test_another_holder_or_zone_gets_not_found(
    client, other_user, other_zone_administrator, certificate
):
    for user in (other_user, other_zone_administrator):
        client_for(user, client=client)
        assert client.get(pdf_url(certificate)).status_code == 404
        assert client.get(pdf_url(unknown_identifier())).status_code == 404
    assert not CertificateUse.objects.exists()


def test_a_visitor_signs_in_to_download(client, certificate):
    response = client.get(pdf_url(certificate))
    assert response["Location"].startswith(reverse("login"))


def test_the_file_name_is_safe(certificate):
    certificate.certificate_type.name = '进出口/许可:"证"\n'
    assert pdf_filename(certificate) == f"进出口_许可_证-{certificate.identifier}.pdf"
    certificate.certificate_type.name = "../"
    assert pdf_filename(certificate) == f"证照-{certificate.identifier}.pdf"
