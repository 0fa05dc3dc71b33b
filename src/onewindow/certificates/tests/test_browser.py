"""An e-certificate in a real browser (Debian's Chromium through Playwright), in Chinese.

The holder's representative opens 我的证照, downloads the certificate's PDF, and the test
reads the QR code printed on it (rendered with pdfium, decoded with zxing): the browser
goes to the address it encodes and finds the certificate valid with its Chinese facts.
A decider of the issuing department then revokes it on the staff page, and the same
address says 已注销.

Screenshots (committed): ``docs/screenshots/certificate-verify.png`` (1280 wide),
``certificate-verify-phone.png`` (390 wide) and ``certificate-wallet.png``.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from django.core.cache import cache
from playwright.sync_api import expect

from onewindow.certificates.keys import key_generate
from onewindow.certificates.models import Certificate, CertificateStatus, CertificateType
from onewindow.certificates.services import certificate_issue
from onewindow.org.constants import ApplicantKind, Capacity, Role
from onewindow.org.models import Applicant
from onewindow.testing import worlds
from onewindow.testing.browser import PHONE, SCREENSHOTS, screenshot

pytestmark = [pytest.mark.browser]

PREMISES = "示范经济技术开发区创新路 8 号一层 101 室"


@pytest.fixture
def issued(transactional_db, settings, live_server):
    """A 食品经营许可证 issued to an enterprise whose representative can sign in, with the
    QR code pointing at the live server."""
    settings.ONEWINDOW_PUBLIC_URL = live_server.url
    cache.clear()
    zone = worlds.zone()
    department = worlds.department(zone, uscc="11320192MB1234567J")
    licence = CertificateType.objects.create(
        code="SCJG002",
        name="食品经营许可证",
        issuing_department=department,
        validity=CertificateType.Validity.YEARS,
        validity_years=5,
        fields=[
            {"key": "holder_name", "label": "经营者名称", "type": "text"},
            {"key": "holder_uscc", "label": "统一社会信用代码", "type": "text"},
            {"key": "legal_representative", "label": "法定代表人", "type": "text"},
            {"key": "premises", "label": "经营场所", "type": "text"},
            {"key": "scope", "label": "经营项目", "type": "text"},
            {"key": "licence_number", "label": "许可证编号", "type": "text"},
            {"key": "issued_on", "label": "发证日期", "type": "date"},
            {"key": "valid_until", "label": "有效期至", "type": "date"},
        ],
    )
    enterprise = Applicant.objects.create(
        kind=ApplicantKind.ENTERPRISE,
        name="示范智造食品有限公司",
        uscc="91320192MA1W2K000P",
        legal_representative="王五",
    )
    worlds.applicant_user(
        zone,
        "holder",
        represents=enterprise,
        capacity=Capacity.LEGAL_REPRESENTATIVE,
        display_name="王五",
    )
    decider = worlds.staff(
        zone, Role.DECIDER, username="decider", display_name="赵决定", department=department
    )
    key_generate(zone=zone)
    registration = CertificateType.objects.create(
        code="SCJG001",
        name="营业执照",
        issuing_department=department,
        fields=[
            {"key": "holder_name", "label": "名称", "type": "text"},
            {"key": "holder_uscc", "label": "统一社会信用代码", "type": "text"},
            {"key": "legal_representative", "label": "法定代表人", "type": "text"},
            {"key": "issued_on", "label": "成立日期", "type": "date"},
        ],
    )
    certificate_issue(
        certificate_type=registration,
        holder=enterprise,
        actor=decider,
        issued_on=dt.date(2019, 4, 8),
    )
    certificate_issue(  # the previous licence, expired
        certificate_type=licence,
        holder=enterprise,
        actor=decider,
        facts={"premises": PREMISES, "scope": "预包装食品销售"},
        issued_on=dt.date(2019, 5, 6),
    )
    certificate = certificate_issue(
        certificate_type=licence,
        holder=enterprise,
        actor=decider,
        facts={"premises": PREMISES, "scope": "预包装食品销售（含冷藏冷冻食品）；热食类食品制售"},
        case_number="SFQ-2026-0000001",
    )
    yield certificate
    cache.clear()


@pytest.fixture
def sign_in(signed_in):
    """sign_in(username, viewport=DESKTOP) → a signed-in page that accepts downloads."""
    return functools.partial(signed_in, accept_downloads=True)


def qr_codes(pdf: bytes) -> list[str]:
    """The text of every QR code on the PDF's first page (rendered at about 220 dpi)."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=3).to_pil()
    finally:
        document.close()
    return [
        barcode.text
        for barcode in zxingcpp.read_barcodes(image)
        if barcode.format == zxingcpp.BarcodeFormat.QRCode
    ]


def test_the_qr_code_of_a_downloaded_certificate_opens_its_check(
    issued, sign_in, open_page, live_server
):
    certificate: Certificate = issued
    bare_url = f"{live_server.url}/verify/{certificate.identifier}"
    expected_url = f"{bare_url}?c={certificate.verification_code}"

    # The holder finds the certificate in 我的证照 and downloads its PDF.
    holder = sign_in("holder")
    nav = holder.get_by_role("navigation", name="主导航")
    nav.get_by_role("link", name="我的证照", exact=True).click()
    holder.wait_for_url("**/my/certificates/")
    cards = holder.locator(".cert-card")
    expect(cards).to_have_count(3)
    expect(cards.filter(has_text="营业执照")).to_contain_text("✓ 有效")
    expect(cards.filter(has_text="2024-05-05")).to_contain_text("! 已过期")
    card = cards.filter(has_text=certificate.identifier)
    expect(card).to_contain_text("✓ 有效")
    screenshot(holder, SCREENSHOTS / "certificate-wallet.png")
    with holder.expect_download() as download_info:
        card.get_by_role("link", name="下载 PDF 食品经营许可证").click()
    download = download_info.value
    assert download.suggested_filename == f"食品经营许可证-{certificate.identifier}.pdf"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF")

    # The QR code on it is the certificate's public check, its 查验码 included.
    assert qr_codes(content) == [expected_url]

    # Anyone who scans it (a fresh browser, not signed in) sees the verdict at once.
    page = open_page()
    # Typed without its code, the address asks for it: the keyboard alone gets on.
    page.goto(bare_url)
    expect(page.get_by_label("证照标识")).to_have_value(certificate.identifier)
    expect(page.get_by_label("查验码")).to_be_focused()
    page.keyboard.type(certificate.verification_code.lower())
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").get_by_role("heading", level=1)).to_have_text("✓ 有效")
    # The scanned address shows the verdict at once.
    page.goto(expected_url)
    verdict = page.get_by_role("status")
    expect(verdict.get_by_role("heading", level=1)).to_have_text("✓ 有效")
    expect(verdict).to_contain_text("签名验证通过，证照未注销，有效期至")
    facts = page.get_by_role("table", name="证照记载的信息")
    expect(facts.get_by_role("row", name="经营场所")).to_contain_text(PREMISES)
    expect(facts.get_by_role("row", name="法定代表人")).to_contain_text("王五")
    expect(page.get_by_text("签名有效")).to_be_visible()
    screenshot(page, SCREENSHOTS / "certificate-verify.png")
    small = open_page(viewport=PHONE, is_mobile=True)
    small.goto(expected_url)
    expect(small.get_by_role("heading", level=1)).to_have_text("✓ 有效")
    width = small.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a phone"
    screenshot(small, SCREENSHOTS / "certificate-verify-phone.png")

    # A decider of the issuing department revokes it, giving the reason.
    decider = sign_in("decider")
    decider_nav = decider.get_by_role("navigation", name="主导航")
    decider_nav.get_by_role("link", name="电子证照", exact=True).click()
    decider.wait_for_url("**/certificates/")
    decider.get_by_label("持证主体").fill(certificate.identifier)
    decider.get_by_role("button", name="筛选").click()
    expect(decider.locator("#certificates tbody tr")).to_have_count(1)
    decider.get_by_role("link", name="食品经营许可证").click()
    decider.get_by_label("注销原因").fill("经营者申请注销：门店停止营业")
    decider.get_by_role("button", name="注销", exact=True).click()
    expect(decider.locator(".messages")).to_contain_text("已注销证照")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED

    # The same address now says so, with the date.
    page.reload()
    expect(page.get_by_role("status").get_by_role("heading", level=1)).to_have_text("✕ 已注销")
    expect(page.get_by_role("status")).to_contain_text("注销，不再有效")
