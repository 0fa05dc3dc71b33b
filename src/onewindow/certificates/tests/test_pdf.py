"""The certificate PDF: what it shows, its font, a QR code that scans, the signed data inside."""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pypdfium2
import pytest
import time_machine
import zxingcpp
from pypdf import PdfReader

from onewindow.certificates.keys import published_keys
from onewindow.certificates.models import CertificateType
from onewindow.certificates.offline import (
    ATTACHMENT_NAME,
    envelope_for,
    extract_envelope,
    keys_from_jwks,
    verify_envelope,
)
from onewindow.certificates.pdf import render_certificate_pdf, verification_url
from onewindow.certificates.services import certificate_issue, certificate_revoke
from onewindow.core import pdf_fonts
from onewindow.org.constants import ApplicantKind, Role
from onewindow.org.models import Applicant

pytestmark = pytest.mark.django_db

FACTS = {"premises": "示范区创新路 8 号", "area": "120.50"}


@pytest.fixture(autouse=True)
def frozen_today():
    when = datetime(2026, 11, 25, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(when, tick=False):
        yield


@pytest.fixture
def certificate(signing_key, food_licence, enterprise):
    return certificate_issue(
        certificate_type=food_licence, holder=enterprise, actor=None, facts=dict(FACTS)
    )


@pytest.fixture
def pdf(certificate) -> bytes:
    return render_certificate_pdf(certificate)


def text_of(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    # Joined without line breaks: wrapped values read as one.
    return "".join(page.extract_text() for page in reader.pages).replace("\n", "")


def keys() -> dict[str, bytes]:
    return keys_from_jwks({"keys": published_keys()})


def test_the_page_reads_as_the_certificate(certificate, pdf):
    text = text_of(pdf)

    assert pdf.startswith(b"%PDF-")
    for expected in (
        "食品经营许可证",
        "电子证照",
        "持证主体",
        "示范食品有限公司",
        "统一社会信用代码",
        "91320192MA1W2K000P",
        "经营场所",
        "示范区创新路 8 号",
        "经营面积（平方米）",
        "120.5",
        "许可证编号",
        "SFQ2026002000001",
        "发证机关：市场监督管理局",
        "发证日期：2026年11月25日",
        "有效期至：2031年11月24日",
        "状态说明",
        certificate.identifier,
        f"查验码：{certificate.verification_code}",
        "扫码查验",
        "如何查验本证照",
        "请提供本PDF文件本身",
    ):
        assert expected in text, expected
    assert verification_url(certificate) in text
    # The page speaks to the holder: no command-line tools, no file or key names.
    for unexpected in ("onewindow", "verify-cert", "certificate.json", "Ed25519", "命令"):
        assert unexpected not in text, unexpected


@pytest.mark.parametrize("demo", [True, False])
def test_the_seal_says_demo_only_on_a_demo_instance(certificate, settings, demo):
    settings.ONEWINDOW_DEMO_SEAL = demo
    text = text_of(render_certificate_pdf(certificate))
    assert ("演示专用章" in text) is demo
    # The organ's name is on the seal's arc, one character at a time, as well as printed.
    assert text.count("监") == 2


def test_the_verification_url_is_the_public_page_with_the_code(certificate, settings):
    settings.ONEWINDOW_PUBLIC_URL = "https://zwfw.example.gov.cn"
    assert verification_url(certificate) == (
        f"https://zwfw.example.gov.cn/verify/{certificate.identifier}"
        f"?c={certificate.verification_code}"
    )


def test_the_cjk_font_is_embedded(pdf):
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    fonts = page["/Resources"]["/Font"]
    names = [str(fonts[key].get_object()["/BaseFont"]) for key in fonts]
    assert any(name.endswith("+UMingCN-0") for name in names), names  # the serif body
    assert b"/FontFile2" in pdf  # the TrueType outlines themselves


def test_the_qr_code_scans_to_the_verification_url(certificate, pdf):
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=200 / 72).to_pil()
    finally:
        document.close()

    found = zxingcpp.read_barcodes(image)

    assert [(code.format, code.text) for code in found] == [
        (zxingcpp.BarcodeFormat.QRCode, verification_url(certificate))
    ]


def test_metadata_names_the_certificate(certificate, pdf):
    metadata = PdfReader(io.BytesIO(pdf)).metadata
    assert metadata.title == "食品经营许可证"
    assert metadata.subject == certificate.identifier
    assert metadata.author == "市场监督管理局"


def test_the_same_certificate_gives_the_same_bytes(certificate, pdf):
    certificate.refresh_from_db()
    assert render_certificate_pdf(certificate) == pdf


def test_the_embedded_envelope_verifies_offline(certificate, pdf):
    attachments = PdfReader(io.BytesIO(pdf)).attachments
    assert list(attachments) == [ATTACHMENT_NAME]

    envelope = extract_envelope(pdf)

    assert envelope == envelope_for(certificate)
    result = verify_envelope(envelope, keys(), today=date(2026, 11, 25))
    assert result.valid, result.reasons
    assert result.payload["id"] == certificate.identifier


def test_flipping_a_byte_inside_the_attachment_payload_fails(certificate, pdf):
    """Every 5th byte of the embedded payload, one at a time, and the value 120.5 itself."""
    start = pdf.index(b'"payload": "') + len(b'"payload": "')
    end = pdf.index(b'",\n  "signature"', start)
    assert end - start > len(certificate.payload) * 0.9  # the payload is stored as it is
    positions = [*range(start, end, 5), pdf.index(b"120.5", start)]
    for position in positions:
        changed = bytearray(pdf)
        changed[position] ^= 0x04
        try:
            envelope = extract_envelope(bytes(changed))
        except ValueError:
            continue  # no longer readable: refused as well
        assert not verify_envelope(envelope, keys()).valid, position
    # ... and the intact file still passes (the loop did not break the original).
    assert verify_envelope(extract_envelope(pdf), keys()).valid


def test_a_long_value_wraps_inside_its_cell(signing_key, food_licence, enterprise):
    premises = "示范区创新路 8 号创新创业园区 A 座 18 层 1801 室（集中办公区）" * 4
    certificate = certificate_issue(
        certificate_type=food_licence,
        holder=enterprise,
        actor=None,
        facts=FACTS | {"premises": premises},
    )
    data = render_certificate_pdf(certificate)

    assert premises.replace(" ", "") in text_of(data).replace(" ", "")
    assert len(PdfReader(io.BytesIO(data)).pages) == 1


def test_many_facts_flow_to_a_second_page_and_the_qr_stays_on_the_first(
    signing_key, issuing_department, enterprise
):
    many = CertificateType.objects.create(
        code="ZJJ101",
        name="建筑工程施工许可证",
        issuing_department=issuing_department,
        fields=[{"key": f"f{n}", "label": f"第{n}项", "type": "text"} for n in range(40)],
    )
    certificate = certificate_issue(
        certificate_type=many,
        holder=enterprise,
        actor=None,
        facts={f"f{n}": f"内容{n}" for n in range(40)},
    )
    data = render_certificate_pdf(certificate)

    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    assert "（续）" in reader.pages[1].extract_text()
    assert "内容39" in text_of(data)
    document = pypdfium2.PdfDocument(data)
    try:
        image = document[0].render(scale=200 / 72).to_pil()
    finally:
        document.close()
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [verification_url(certificate)]


def test_a_revoked_certificate_says_so_on_the_page(certificate, pdf, make_staff):
    decider = make_staff(Role.DECIDER, username="decider")
    certificate_revoke(certificate=certificate, actor=decider, reason="吊销")
    certificate.refresh_from_db()

    data = render_certificate_pdf(certificate)

    assert data != pdf
    assert "【已注销】本证照已于2026年11月25日注销，不再有效。" in text_of(data)
    # The signed data is unchanged: the signature still holds; revocation is told online.
    assert verify_envelope(extract_envelope(data), keys()).valid


def test_a_person_is_named_by_the_identity_card(signing_key, issuing_department):
    person_type = CertificateType.objects.create(
        code="RSJ002",
        name="专业技术资格证书",
        issuing_department=issuing_department,
        fields=[{"key": "name", "label": "姓名"}, {"key": "speciality", "label": "专业"}],
    )
    person = Applicant.objects.create(
        kind=ApplicantKind.PERSON, name="张三", id_number="11010519491231002X"
    )
    certificate = certificate_issue(
        certificate_type=person_type, holder=person, actor=None, facts={"speciality": "食品安全"}
    )
    text = text_of(render_certificate_pdf(certificate))
    assert "居民身份证号码" in text and "11010519491231002X" in text
    assert "长期" in text  # no end date


def test_a_foreigner_is_named_by_passport_and_nationality(signing_key, issuing_department):
    permit = CertificateType.objects.create(
        code="RSJ001",
        name="外国人工作许可证",
        issuing_department=issuing_department,
        fields=[
            {"key": "name", "label": "姓名"},
            {"key": "nationality", "label": "国籍"},
            {"key": "passport_number", "label": "护照号码"},
            {"key": "permit_number", "label": "许可证号"},
        ],
    )
    foreigner = Applicant.objects.create(
        kind=ApplicantKind.FOREIGNER,
        name="Anna Muster",
        nationality="DE",
        passport_number="C01X00T47",
    )
    certificate = certificate_issue(certificate_type=permit, holder=foreigner, actor=None, facts={})
    text = text_of(render_certificate_pdf(certificate))
    assert "外国人工作许可证" in text and "Anna Muster" in text
    assert "护照号码C01X00T47（DE）" in text.replace(" ", "")
    assert "国籍德国" in text.replace(" ", "")
    assert text.count("C01X00T47") == 1  # not again in the facts table


def test_the_envelope_is_readable_json_in_the_file(certificate, pdf):
    match = re.search(rb'\{\s*"format": "onewindow-certificate-envelope/1".*?\n\}', pdf, re.S)
    assert match is not None
    assert json.loads(match.group(0)) == envelope_for(certificate)


def test_a_missing_font_names_the_debian_package(certificate, monkeypatch, tmp_path):
    missing = tuple(
        pdf_fonts.CjkFont(f"Absent{i}", tmp_path / f"absent{i}.ttc", 0, package)
        for i, package in enumerate(["fonts-arphic-uming", "fonts-wqy-zenhei"])
    )
    monkeypatch.setattr(pdf_fonts, "BODY_FONTS", missing)
    pdf_fonts.reset_fonts()
    try:
        with pytest.raises(RuntimeError, match="fonts-arphic-uming fonts-wqy-zenhei"):
            render_certificate_pdf(certificate)
    finally:
        pdf_fonts.reset_fonts()
