"""Fixtures for certificates: a type with typed fields, a holder, the zone's signing key."""

from __future__ import annotations

import pytest

from onewindow.certificates.keys import key_generate
from onewindow.certificates.models import CertificateType
from onewindow.org.constants import ApplicantKind
from onewindow.org.models import Applicant

DEPARTMENT_USCC = "11320192MB1234567J"  # valid check character (stdnum.cn.uscc)


@pytest.fixture
def issuing_department(department):
    department.uscc = DEPARTMENT_USCC
    department.save()
    return department


@pytest.fixture
def food_licence(issuing_department) -> CertificateType:
    return CertificateType.objects.create(
        code="SCJG002",
        name="食品经营许可证",
        issuing_department=issuing_department,
        validity=CertificateType.Validity.YEARS,
        validity_years=5,
        fields=[
            {"key": "holder_name", "label": "名称", "type": "text"},
            {"key": "holder_uscc", "label": "统一社会信用代码", "type": "text"},
            {"key": "premises", "label": "经营场所", "type": "text"},
            {"key": "area", "label": "经营面积（平方米）", "type": "number"},
            {"key": "licence_number", "label": "许可证编号", "type": "text"},
            {"key": "issued_on", "label": "发证日期", "type": "date"},
            {"key": "valid_until", "label": "有效期至", "type": "date"},
        ],
    )


@pytest.fixture
def permanent_type(issuing_department) -> CertificateType:
    return CertificateType.objects.create(
        code="SCJG001",
        name="营业执照",
        issuing_department=issuing_department,
        fields=[
            {"key": "holder_name", "label": "名称", "type": "text"},
            {"key": "holder_uscc", "label": "统一社会信用代码", "type": "text"},
            {"key": "issued_on", "label": "发证日期", "type": "date"},
        ],
    )


@pytest.fixture
def enterprise(db) -> Applicant:
    return Applicant.objects.create(
        kind=ApplicantKind.ENTERPRISE,
        name="示范食品有限公司",
        uscc="91320192MA1W2K000P",
        legal_representative="王五",
    )


@pytest.fixture
def other_enterprise(db) -> Applicant:
    return Applicant.objects.create(
        kind=ApplicantKind.ENTERPRISE, name="另一家公司", uscc="91320192MA1W2K001T"
    )


@pytest.fixture
def signing_key(zone):
    return key_generate(zone=zone)
