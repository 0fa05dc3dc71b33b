"""The permission walk: every page and API endpoint of certificates, with every role.

The expected answer of each (page, method) and (API method, path) is written out below and
checked against the URL resolver (namespace "certificates") and the certificates router,
so a new page or endpoint without a row fails the walk until someone decides who may use
it. Writes carry a real CSRF token through a client that enforces it. The world is built
once for the module; each test's changes are rolled back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from onewindow.certificates import api as certificates_api
from onewindow.certificates.identifiers import build_identifier
from onewindow.certificates.keys import key_generate
from onewindow.certificates.models import Certificate, CertificateStatus, CertificateType
from onewindow.certificates.services import certificate_issue
from onewindow.org.constants import ApplicantKind, Role
from onewindow.org.models import Applicant, User
from onewindow.testing import worlds
from onewindow.testing.clients import client_for, send
from onewindow.testing.walk import L, PermissionWalk, R, named_with, row_maker

pytestmark = pytest.mark.django_db

API = "/api/v1"
ISSUER_USCC = "11320192MB1234567J"

ROLES = (
    "anonymous",
    "holder",  # represents the certificate's holder
    "other_applicant",  # represents another enterprise
    "clerk",  # window clerk of the zone
    "reviewer",  # reviewer of the issuing department
    "decider",  # decider of the issuing department: may revoke
    "other_decider",  # decider of another department of the zone
    "supervisor",
    "analyst",
    "administrator",  # of the zone: may revoke
    "other_zone",  # administrator of another zone
)


row = row_maker(ROLES)


def everyone(status) -> dict[str, int | str]:
    return row(*([status] * len(ROLES)))


# -- pages ------------------------------------------------------------------------------------
#
#            anonymous holder other_applicant clerk reviewer decider other_decider
#            supervisor analyst administrator other_zone
PAGES: dict[tuple[str, str], dict] = {
    # Public: the keys, the check form and the check itself.
    ("public_keys", "GET"): everyone(200),
    ("public_keys", "POST"): everyone(405),
    ("verify_form", "GET"): everyone(200),
    ("verify_form", "POST"): everyone(405),
    ("verify", "GET"): everyone(200),
    ("verify", "POST"): everyone(405),
    # The holder's wallet: applicants only; another holder's certificate is not found.
    ("wallet", "GET"): row(L, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    ("wallet", "POST"): row(L, 405, 405, 403, 403, 403, 403, 403, 403, 403, 403),
    ("wallet_detail", "GET"): row(L, 200, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    ("wallet_detail", "POST"): row(L, 405, 405, 403, 403, 403, 403, 403, 403, 403, 403),
    # Staff pages: any role in the zone; another zone's staff list their own (none here).
    ("list", "GET"): row(L, 403, 403, 200, 200, 200, 200, 200, 200, 200, 200),
    ("list", "POST"): row(L, 403, 403, 405, 405, 405, 405, 405, 405, 405, 405),
    ("detail", "GET"): row(L, 403, 403, 200, 200, 200, 200, 200, 200, 200, 404),
    ("detail", "POST"): row(L, 403, 403, 405, 405, 405, 405, 405, 405, 405, 405),
    # Revocation: a decider of the issuing department or an administrator of the zone.
    ("revoke", "POST"): row(L, 403, 403, 403, 403, R, 403, 403, 403, R, 404),
    ("revoke", "GET"): row(L, 403, 403, 405, 405, 405, 405, 405, 405, 405, 405),
    # Statistics: supervisors, analysts, administrators (each of their own zone).
    ("stats", "GET"): row(L, 403, 403, 403, 403, 403, 403, 200, 200, 200, 200),
    ("stats", "POST"): row(L, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    # The file: the holder's representatives and the zone's staff.
    ("pdf", "GET"): row(L, 200, 404, 200, 200, 200, 200, 200, 200, 200, 404),
    ("pdf", "POST"): row(L, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
}

# -- API --------------------------------------------------------------------------------------
API_ROWS: dict[tuple[str, str], dict] = {
    ("GET", "/certificates/{identifier}/verify"): everyone(200),
    ("POST", "/certificates/{identifier}/verify"): everyone(405),
}


# -- the world, built once --------------------------------------------------------------------


@dataclass
class Walk:
    users: dict[str, User | None]
    certificate: Certificate


def _build() -> Walk:
    zone = worlds.zone()
    issuer = worlds.department(zone, uscc=ISSUER_USCC)
    other = worlds.department(zone, "ZJJ", "住房和城乡建设局")
    far_department = worlds.department_elsewhere(
        "SCJG",
        "另一区市场监督管理局",
        zone_code="QTQ",
        zone_name="另一个开发区",
        division_code="320193",
    )
    enterprise = Applicant.objects.create(
        kind=ApplicantKind.ENTERPRISE, name="示范食品有限公司", uscc="91320192MA1W2K000P"
    )
    stranger = Applicant.objects.create(
        kind=ApplicantKind.ENTERPRISE, name="另一家公司", uscc="91320192MA1W2K001T"
    )
    licence = CertificateType.objects.create(
        code="SCJG001",
        name="营业执照",
        issuing_department=issuer,
        fields=[
            {"key": "holder_name", "label": "名称", "type": "text"},
            {"key": "holder_uscc", "label": "统一社会信用代码", "type": "text"},
            {"key": "issued_on", "label": "发证日期", "type": "date"},
        ],
    )
    key_generate(zone=zone)
    #: role → (username, staff role, department)
    staff = {
        "clerk": ("p_clerk", Role.WINDOW_CLERK, issuer),
        "reviewer": ("p_reviewer", Role.REVIEWER, issuer),
        "decider": ("p_decider", Role.DECIDER, issuer),
        "other_decider": ("p_other_decider", Role.DECIDER, other),
        "supervisor": ("p_supervisor", Role.SUPERVISOR, issuer),
        "analyst": ("p_analyst", Role.ANALYST, issuer),
        "administrator": ("p_administrator", Role.ADMINISTRATOR, issuer),
        "other_zone": ("p_far_administrator", Role.ADMINISTRATOR, far_department),
    }
    users = {
        "anonymous": None,
        "holder": worlds.applicant_user(zone, "p_holder", represents=enterprise),
        "other_applicant": worlds.applicant_user(zone, "p_other", represents=stranger),
    } | {
        key: worlds.staff(department.zone, role, username=username, department=department)
        for key, (username, role, department) in staff.items()
    }
    decider = users["decider"]
    certificate = certificate_issue(certificate_type=licence, holder=enterprise, actor=decider)
    return Walk(users=users, certificate=certificate)


@pytest.fixture(scope="module")
def walk(django_db_setup, django_db_blocker):
    """The world, built once in a transaction that the module rolls back (each test runs in
    a savepoint inside it, rolled back after the test)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def fresh_cache():
    """The public check's rate limit counts in the cache: every test starts afresh."""
    cache.clear()
    yield
    cache.clear()


# -- requests ---------------------------------------------------------------------------------


def _page_request(walk: Walk, name: str, method: str, identifier: str | None = None):
    identifier = identifier or walk.certificate.identifier
    if name in ("public_keys", "verify_form", "wallet", "list", "stats"):
        return reverse(f"certificates:{name}"), None
    if name == "revoke" and method == "POST":
        return reverse("certificates:revoke", args=[identifier]), {"reason": "以欺骗手段取得许可"}
    if name == "verify":  # with its 查验码, as the QR code and every link carry it
        return walk.certificate.verification_path(), None
    if name in ("wallet_detail", "detail", "revoke", "pdf"):
        return reverse(f"certificates:{name}", args=[identifier]), None
    raise AssertionError(f"no request for the page {name!r}: add it to _page_request")


def _api_request(walk: Walk, method: str, path: str) -> tuple[str, dict | None, None]:
    url = API + path.format(identifier=walk.certificate.identifier)
    if path.endswith("/verify"):
        url += f"?c={walk.certificate.verification_code}"
    return url, None, None


def _after_page(walk: Walk, key, role: str, response) -> None:
    if key == ("revoke", "POST"):
        certificate = Certificate.objects.get(pk=walk.certificate.pk)
        revoked = certificate.status == CertificateStatus.REVOKED
        assert revoked == (PAGES[key][role] == R)
        if revoked:
            assert response["Location"] == reverse(
                "certificates:detail", args=[certificate.identifier]
            )


def _after_api(walk: Walk, key, role: str, response) -> None:
    if response.status_code == 200:
        assert response.json()["identifier"] == walk.certificate.identifier


# -- the walk ---------------------------------------------------------------------------------

WALK = PermissionWalk(
    roles=ROLES,
    namespace="certificates",
    pages=PAGES,
    page_request=_page_request,
    every_page_both_methods=True,
    router=certificates_api.router,
    api_rows=API_ROWS,
    api_request=_api_request,
    after_page=_after_page,
    after_api=_after_api,
)
globals().update(WALK.tests())


def test_revoking_without_the_csrf_token_is_refused(walk):
    url, data = _page_request(walk, "revoke", "POST")
    response = send(client_for(walk.users["decider"], csrf=True), "POST", url, data, token=False)
    assert response.status_code == 403
    certificate = Certificate.objects.get(pk=walk.certificate.pk)
    assert certificate.status == CertificateStatus.VALID


# -- "not found" tells nothing ----------------------------------------------------------------

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')

#: (page, role): a role that may open the page but not this certificate.
LEAKS = [
    ("wallet_detail", "other_applicant"),
    ("pdf", "other_applicant"),
    ("detail", "other_zone"),
    ("revoke", "other_zone"),
    ("pdf", "other_zone"),
]


def _normalised(response, asked: str) -> tuple[int, str]:
    text = response.content.decode().replace(asked, "<asked>").replace(quote(asked), "<asked>")
    return response.status_code, CSRF_FIELD.sub("", text)


@pytest.mark.parametrize(("name", "role"), LEAKS)
def test_not_found_is_the_same_for_a_forbidden_certificate_and_a_missing_one(walk, name, role):
    missing = build_identifier(type_code="SCJG001", issuer_code=ISSUER_USCC, serial=9_999_999)
    client = client_for(walk.users[role], csrf=True)
    method = "POST" if name == "revoke" else "GET"
    answers = []
    for asked in (walk.certificate.identifier, missing):
        url, data = _page_request(walk, name, method, asked)
        answers.append(_normalised(send(client, method, url, data), asked))
    assert answers[0][0] == 404
    assert answers[0] == answers[1]


def test_the_leak_walk_covers_every_page_naming_a_certificate():
    named = named_with("certificates", "identifier")
    # The public check answers for every certificate; its own sameness (unknown,
    # malformed, wrong check character) is tested with the page and the API.
    assert named - {"verify"} == {name for name, _role in LEAKS}
