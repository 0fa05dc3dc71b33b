"""``onewindow demo``: the demo zone is complete, valid and built idempotently."""

from __future__ import annotations

import base64
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django_otp.oath import totp

from conftest import login_request
from onewindow.certificates.keys import active_key, private_key_path
from onewindow.certificates.models import CertificateType
from onewindow.core.identifiers import (
    validate_id_number,
    validate_passport_number,
    validate_uscc,
)
from onewindow.core.models import AuditEvent
from onewindow.demo.certificate_data import ensure_signing_key
from onewindow.demo.org_data import DEMO_PASSWORD, ZONE_CODE
from onewindow.org.constants import ApplicantKind, Role, UserKind
from onewindow.org.models import Applicant, Department, Park, RoleAssignment, User, Window, Zone

pytestmark = pytest.mark.django_db

REQUIRED_DEPARTMENTS = [
    "行政审批局",
    "市场监督管理局",
    "公安分局出入境管理大队",
    "科技局",
    "人社局",
    "自然资源和规划",
    "住建",
    "生态环境",
    "应急管理",
    "税务",
    "消防救援",
    "卫健",
]


def run_demo() -> str:
    out = StringIO()
    # cases: test_demo_cases.py; appeals: test_demo_appeals.py
    call_command("demo", cases=0, appeals=0, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[dict]]:
    """Every row of every org, core, certificates and catalog table (auto-created M2M
    tables too), every column."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in {"org", "core", "certificates", "catalog"}:
            tables[model._meta.db_table] = list(model._base_manager.order_by("pk").values())
    return tables


@pytest.fixture
def demo_output() -> str:
    return run_demo()


def test_zone_parks_and_windows(demo_output):
    zone = Zone.objects.get(code=ZONE_CODE)
    assert zone.name == "示范经济技术开发区"
    assert Park.objects.filter(zone=zone).count() >= 2
    assert Window.objects.filter(zone=zone).count() >= 5
    assert Window.objects.filter(zone=zone, department__isnull=True).count() == 0
    assert set(Window.objects.values_list("kind", flat=True)) >= {
        "comprehensive",
        "specialized",
        "delivery",
        "assistance",
    }


def test_departments(demo_output):
    departments = Department.objects.filter(zone__code=ZONE_CODE)
    assert departments.count() >= 12
    labels = [f"{d.name} {d.short_name}" for d in departments]
    missing = [name for name in REQUIRED_DEPARTMENTS if not any(name in label for label in labels)]
    assert missing == []


def test_every_department_uscc_is_valid(demo_output):
    codes = list(Department.objects.exclude(uscc="").values_list("uscc", flat=True))
    assert len(codes) == Department.objects.count()
    assert [validate_uscc(code) for code in codes] == codes
    assert len(set(codes)) == len(codes)


def test_every_certificate_type_is_issued_by_a_department_with_a_valid_uscc(demo_output):
    types = CertificateType.objects.select_related("issuing_department")

    assert types.count() >= 10
    for certificate_type in types:
        uscc = certificate_type.issuing_department.uscc
        assert validate_uscc(uscc) == uscc
        assert certificate_type.code == f"{uscc}{certificate_type.code[-3:]}"


def test_the_demo_prints_every_address_on_the_public_url(settings):
    # given the site served elsewhere (make demo PORT=8080, or a public address)
    settings.ONEWINDOW_PUBLIC_URL = "http://192.0.2.10:8080"

    output = run_demo()

    assert "打开 http://192.0.2.10:8080/  ·  API 文档 http://192.0.2.10:8080/api/v1/docs" in output
    assert "http://192.0.2.10:8080/.well-known/onewindow-keys.json" in output
    assert "127.0.0.1" not in output


def test_the_demo_zone_has_one_signing_key_with_its_private_file(demo_output):
    zone = Zone.objects.get(code=ZONE_CODE)
    key = active_key(zone)

    assert private_key_path(key).exists()
    assert f"电子证照签名密钥：{key.key_id}" in demo_output


def test_a_key_whose_private_file_is_gone_is_replaced(demo_output):
    zone = Zone.objects.get(code=ZONE_CODE)
    old = active_key(zone)
    private_key_path(old).unlink()

    new = ensure_signing_key(zone)

    assert new.key_id != old.key_id and private_key_path(new).exists()
    assert ensure_signing_key(zone) == new


def test_a_staff_user_for_each_role(demo_output):
    for role in Role:
        assignment = RoleAssignment.objects.filter(role=role).select_related("user").first()
        assert assignment is not None, role
        user = assignment.user
        assert user.kind == UserKind.STAFF and user.zone.code == ZONE_CODE
        assert user.has_role(role)
        assert user.check_password(DEMO_PASSWORD)


def test_an_applicant_user_of_each_kind_with_a_valid_identifier(demo_output):
    validate = {
        ApplicantKind.ENTERPRISE: lambda a: validate_uscc(a.uscc),
        ApplicantKind.PERSON: lambda a: validate_id_number(a.id_number),
        ApplicantKind.FOREIGNER: lambda a: validate_passport_number(a.passport_number),
    }
    for kind in ApplicantKind:
        applicants = list(Applicant.objects.filter(kind=kind).order_by("pk"))
        assert applicants, kind
        for applicant in applicants:
            assert validate[kind](applicant) == applicant.identifier.split()[-1]
        # the first of each kind is a demo login (the generated enterprises have none)
        user = applicants[0].users.get()
        assert user.kind == UserKind.APPLICANT
        assert user.check_password(DEMO_PASSWORD)


def test_output_lists_every_login(demo_output):
    assert "演示开发区已就绪" in demo_output
    for user in User.objects.all():
        line = next(
            (line for line in demo_output.splitlines() if line.split()[:1] == [user.username]),
            None,
        )
        assert line is not None, user.username
        assert DEMO_PASSWORD in line


def test_demo_logins_work(demo_output, client):
    for username in User.objects.values_list("username", flat=True):
        assert client.login(request=login_request(), username=username, password=DEMO_PASSWORD)
        client.logout()


def test_the_demo_administrator_passes_the_second_factor_with_the_printed_secret(
    demo_output, client
):
    line = next(line for line in demo_output.splitlines() if "验证器密钥 admin：" in line)
    secret = line.split("：", 1)[1].strip()
    assert f"secret={secret}" in demo_output  # the otpauth link carries the same secret
    client.post("/login/", {"username": "admin", "password": DEMO_PASSWORD})
    assert client.get("/home/").url.startswith("/account/second-factor/verify/")

    code = f"{totp(base64.b32decode(secret)):06d}"
    response = client.post("/account/second-factor/verify/", {"otp_token": code})

    assert response.status_code == 302
    assert client.get("/home/").status_code == 200


def test_running_twice_changes_nothing(demo_output):
    before = snapshot()
    events_before = AuditEvent.objects.count()

    second_output = run_demo()

    assert snapshot() == before
    assert AuditEvent.objects.count() == events_before
    assert second_output == demo_output
    assert sum(len(rows) for rows in before.values()) > 50
    assert len(before["catalog_itemversion"]) >= 60
    assert len(before["certificates_certificatetype"]) >= 10
