"""Written notices as PDF: content of each kind, the official layout (document number,
issuer, date, handler, seal, 送达回证), the embedded serif CJK font, determinism."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from pypdf import PdfReader

from onewindow.cases.constants import AcceptanceMode, CaseStatus, Decision, MaterialState
from onewindow.cases.models import Case, CaseMaterial, Commitment
from onewindow.cases.notices import (
    NoticeKind,
    available_notices,
    format_date,
    notice_filename,
    render_notice,
)
from onewindow.cases.services.notices import notice_issue
from onewindow.catalog.tests.factories import make_item, uscc_for
from onewindow.core.errors import NotFound
from onewindow.org.constants import ApplicantKind
from onewindow.org.models import Applicant

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)
USCC = uscc_for(9001, registration="91")


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 30, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def applicant(db) -> Applicant:
    return Applicant.objects.create(
        kind=ApplicantKind.ENTERPRISE, name="南京示范食品有限公司", uscc=USCC
    )


@pytest.fixture
def make_case(zone, department, applicant, make_applicant_user):
    version = make_item(zone, department, name="食品经营许可")
    user = make_applicant_user()
    serial = iter(range(1, 100))

    def make(**fields) -> Case:
        sequence = next(serial)
        values = {
            "zone": zone,
            "number": f"SFQ-2026-{sequence:07d}",
            "year": 2026,
            "sequence": sequence,
            "item_version": version,
            "title": "食品经营许可",
            "department": department,
            "applicant": applicant,
            "submitted_by": user,
            "channel": "online",
            "status": CaseStatus.SUBMITTED,
            "submitted_at": at(dt.date(2026, 11, 16)),
        } | fields
        return Case.objects.create(**values)

    return make


def accepted(make_case, **fields) -> Case:
    values = {
        "status": CaseStatus.ACCEPTED,
        "acceptance_mode": AcceptanceMode.NORMAL,
        "accepted_at": at(dt.date(2026, 11, 17)),
        "accepted_on": dt.date(2026, 11, 17),
        "limit_days": 5,
        "legal_limit_days": 20,
        "deadline": dt.date(2026, 11, 24),
        "query_code": "K7Q2M9",
    } | fields
    return make_case(**values)


FOOTER = re.compile(r"^— \d+ —$", re.M)


def issued_pdf(case: Case, kind: str, **options) -> bytes:
    """Issue the notice (its number, once), then render it."""
    notice_issue(case=case, kind=kind, actor=None)
    return render_notice(case, kind, **options)


def pdf_text(data: bytes, *, footer: bool = True) -> str:
    """All text of the PDF with whitespace removed (wrapping breaks lines anywhere).

    ``footer=False`` drops the page footers, so text broken across pages reads whole.
    """
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    if not footer:
        pages = [FOOTER.sub("", page) for page in pages]
    return re.sub(r"\s+", "", "".join(pages))


def assert_contains(text: str, *needles: str) -> None:
    for needle in needles:
        assert re.sub(r"\s+", "", needle) in text, needle


def assert_common(text: str, case: Case) -> None:
    assert_contains(
        text,
        "示范经济技术开发区",  # the zone's name heads the notice
        "市场监督管理局",  # the issuer
        "示范经济技术开发区市场监督管理局",  # the issuing organ, signature and seal
        case.number,
        "南京示范食品有限公司",
        USCC,
        "食品经营许可",
        "2026年11月16日",  # submission
    )


def test_format_date():
    assert format_date(dt.date(2026, 1, 5)) == "2026年1月5日"
    # A datetime is taken in Shanghai time: 20:00 UTC is the next day there.
    assert format_date(dt.datetime(2026, 11, 23, 20, 0, tzinfo=dt.UTC)) == "2026年11月24日"
    assert format_date(None) == "—"


def test_available_notices_follow_the_case(make_case):
    case = make_case()
    assert available_notices(case) == []

    case.correction_items = ["营业执照复印件不清晰"]
    case.status = CaseStatus.CORRECTION_REQUESTED
    assert available_notices(case) == [NoticeKind.CORRECTION]

    case.status = CaseStatus.NOT_ACCEPTED
    assert available_notices(case) == [NoticeKind.CORRECTION, NoticeKind.REFUSAL]

    case.status = CaseStatus.APPROVED
    case.accepted_at = at(dt.date(2026, 11, 17))
    case.decision = Decision.APPROVED
    assert available_notices(case) == [
        NoticeKind.CORRECTION,
        NoticeKind.ACCEPTANCE,
        NoticeKind.DECISION,
    ]


def test_correction_notice(make_case):
    case = make_case(
        status=CaseStatus.CORRECTION_REQUESTED,
        correction_items=[
            "营业执照复印件不清晰，请提交清晰的复印件",
            {"material": "食品安全管理制度", "reason": "缺少进货查验记录制度"},
        ],
        correction_requested_at=at(dt.date(2026, 11, 18)),
    )
    text = pdf_text(issued_pdf(case, NoticeKind.CORRECTION))
    assert_common(text, case)
    assert_contains(
        text,
        "补正材料通知书",
        "一次性告知",
        "1.营业执照复印件不清晰，请提交清晰的复印件",
        "2.食品安全管理制度：缺少进货查验记录制度",
        "补正告知日期2026年11月18日",
    )
    assert "凭办件编号和查询码" not in text


def test_acceptance_notice(make_case):
    case = accepted(make_case)
    text = pdf_text(issued_pdf(case, NoticeKind.ACCEPTANCE))
    assert_common(text, case)
    assert_contains(
        text,
        "受理通知书",
        "本机关决定予以受理",
        "受理日期2026年11月17日",
        "受理方式正常受理",
        "承诺办结时限5个工作日",
        "法定办结时限20个工作日",
        "办结期限2026年11月24日",
        "查询码K7Q2M9",
        "凭办件编号和查询码可在网上查询办理进度",
    )
    assert "暂定" not in text


def test_acceptance_notice_marks_a_provisional_deadline(make_case):
    case = accepted(make_case, deadline=dt.date(2027, 1, 8), deadline_provisional=True)
    text = pdf_text(issued_pdf(case, NoticeKind.ACCEPTANCE))
    assert_contains(text, "办结期限2027年1月8日（暂定）", "上述办结期限为暂定")


def test_acceptance_notice_lists_tolerated_materials(make_case):
    case = accepted(
        make_case,
        acceptance_mode=AcceptanceMode.TOLERATED,
        tolerance_due_on=dt.date(2026, 11, 24),
    )
    for position, (name, state) in enumerate(
        [
            ("申请表", MaterialState.UPLOADED),
            ("从业人员健康证明", MaterialState.TOLERATED),
            ("食品安全管理人员培训合格证明", MaterialState.TOLERATED),
        ],
        start=1,
    ):
        CaseMaterial.objects.create(
            case=case, position=position, name=name, merge_key=name, state=state
        )
    text = pdf_text(issued_pdf(case, NoticeKind.ACCEPTANCE))
    assert_contains(
        text,
        "受理方式容缺受理",
        "容缺后补材料",
        "1.从业人员健康证明",
        "2.食品安全管理人员培训合格证明",
        "请于2026年11月24日前补齐上述材料",
    )
    assert "1.申请表" not in text


def test_acceptance_notice_prints_the_commitment(make_case):
    case = accepted(make_case, acceptance_mode=AcceptanceMode.COMMITMENT)
    CaseMaterial.objects.create(
        case=case,
        position=1,
        name="经营场所使用证明",
        merge_key="经营场所使用证明",
        state=MaterialState.COMMITTED,
    )
    promise = "本人承诺所填写的经营场所信息真实有效，" * 12 + "如有不实，愿承担相应法律责任。"
    digest = hashlib.sha256(promise.encode()).hexdigest()
    Commitment.objects.create(
        case=case,
        text=promise,
        text_sha256=digest,
        signed_name="张三",
        signed_at=at(dt.date(2026, 11, 17), hour=14),
    )
    text = pdf_text(issued_pdf(case, NoticeKind.ACCEPTANCE), footer=False)
    assert_contains(
        text,
        "受理方式告知承诺",
        "以承诺替代的材料：经营场所使用证明",
        "承诺人：张三",
        "签署时间：2026年11月17日14:30",
        digest,
        promise,  # the long text wraps, all of it is there
    )


def test_refusal_notice(make_case):
    reason = "申请事项不属于本机关职权范围，" * 8 + "请向有关行政机关申请。"
    case = make_case(
        status=CaseStatus.NOT_ACCEPTED,
        refusal_reason=reason,
        refusal_legal_basis="《中华人民共和国行政许可法》第三十二条第一款第（二）项",
    )
    text = pdf_text(issued_pdf(case, NoticeKind.REFUSAL))
    assert_common(text, case)
    assert_contains(
        text,
        "不予受理通知书",
        reason,
        "《中华人民共和国行政许可法》第三十二条第一款第（二）项",
        "六十日内依法申请行政复议",
        "六个月内依法向人民法院提起行政诉讼",
    )


def test_approval_decision(make_case):
    case = accepted(
        make_case,
        status=CaseStatus.APPROVED,
        decision=Decision.APPROVED,
        decision_reason="经现场核查，经营场所符合要求。",
        decided_at=at(dt.date(2026, 11, 20)),
        decided_on=dt.date(2026, 11, 20),
        on_time=True,
    )
    text = pdf_text(issued_pdf(case, NoticeKind.DECISION))
    assert_common(text, case)
    assert_contains(
        text,
        "准予行政许可决定书",
        "决定准予行政许可",
        "经现场核查，经营场所符合要求。",
        "受理日期2026年11月17日",
        "决定日期2026年11月20日",
    )
    assert "不予行政许可" not in text
    assert "按时" not in text


def test_denial_decision_prints_the_remedy(make_case):
    case = accepted(
        make_case,
        status=CaseStatus.DENIED,
        decision=Decision.DENIED,
        decision_reason="经营场所与住宅未有效隔离，不符合食品经营许可审查通则。",
        remedy_notice="如不服本决定，可以在六十日内向示范经济技术开发区管理委员会申请行政复议。",
        decided_on=dt.date(2026, 11, 21),
    )
    text = pdf_text(issued_pdf(case, NoticeKind.DECISION))
    assert_contains(
        text,
        "不予行政许可决定书",
        "决定不予行政许可",
        "经营场所与住宅未有效隔离，不符合食品经营许可审查通则。",
        "如不服本决定，可以在六十日内向示范经济技术开发区管理委员会申请行政复议。",
        "决定日期2026年11月21日",
    )


def test_denial_without_remedy_text_prints_the_default_one(make_case):
    case = accepted(
        make_case,
        status=CaseStatus.DENIED,
        decision=Decision.DENIED,
        decision_reason="不符合条件。",
        decided_on=dt.date(2026, 11, 21),
    )
    text = pdf_text(issued_pdf(case, NoticeKind.DECISION))
    assert_contains(text, "六十日内依法申请行政复议", "六个月内依法向人民法院提起行政诉讼")


def test_a_person_is_shown_with_the_masked_identifier(make_case):
    person = Applicant.objects.create(
        kind=ApplicantKind.PERSON, name="李四", id_number="11010519491231002X"
    )
    case = accepted(make_case, applicant=person)
    text = pdf_text(issued_pdf(case, NoticeKind.ACCEPTANCE))
    assert_contains(text, "李四：", "居民身份证号码1101**********002X")
    assert "11010519491231002X" not in text


def test_unavailable_notice_is_not_found(make_case):
    case = make_case()
    with pytest.raises(NotFound) as refused:
        render_notice(case, NoticeKind.ACCEPTANCE)
    assert refused.value.code == "notice_not_available"
    assert "受理通知书" in refused.value.message
    with pytest.raises(NotFound) as unknown:
        render_notice(case, "certificate")
    assert unknown.value.code == "notice_not_available"


def test_notice_is_chinese_whatever_the_active_language(make_case):
    case = accepted(make_case)
    with translation.override("en"):
        data = issued_pdf(case, NoticeKind.ACCEPTANCE)
        name = notice_filename(case, NoticeKind.ACCEPTANCE)
    assert_contains(pdf_text(data), "受理通知书", "本机关决定予以受理")
    assert name == f"{case.number}-受理通知书.pdf"


def fonts_of(data: bytes) -> list[str]:
    names = []
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page["/Resources"]["/Font"]
        names += [str(fonts[key].get_object()["/BaseFont"]) for key in fonts]
    return names


def test_the_serif_font_is_embedded(make_case):
    """The body is AR PL UMing (a Ming serif), titles AR PL UKai; no sans face is used."""
    data = issued_pdf(accepted(make_case), NoticeKind.ACCEPTANCE)
    names = fonts_of(data)
    assert any(name.endswith("+UMingCN-0") for name in names), names
    assert any(name.endswith("+UKaiCN-0") for name in names), names
    assert not any("WenQuanYi" in name for name in names), names
    assert b"/FontFile2" in data  # the TrueType outlines themselves


def test_same_case_same_day_same_bytes(make_case):
    case = accepted(make_case)
    first = issued_pdf(case, NoticeKind.ACCEPTANCE)
    again = render_notice(Case.objects.get(pk=case.pk), NoticeKind.ACCEPTANCE)
    assert first == again
    assert first.startswith(b"%PDF-")


def test_filenames(make_case):
    case = accepted(make_case, decision=Decision.DENIED, status=CaseStatus.DENIED)
    assert notice_filename(case, NoticeKind.ACCEPTANCE) == f"{case.number}-受理通知书.pdf"
    assert notice_filename(case, NoticeKind.REFUSAL) == f"{case.number}-不予受理通知书.pdf"
    assert notice_filename(case, NoticeKind.CORRECTION) == f"{case.number}-补正材料通知书.pdf"
    assert notice_filename(case, NoticeKind.DECISION) == f"{case.number}-不予行政许可决定书.pdf"
    case.decision = Decision.APPROVED
    assert notice_filename(case, NoticeKind.DECISION) == f"{case.number}-准予行政许可决定书.pdf"


def test_a_missing_serif_falls_back_to_the_sans(make_case, monkeypatch, tmp_path, caplog):
    from onewindow.core import pdf_fonts

    absent = pdf_fonts.CjkFont("Absent", tmp_path / "absent.ttc", 0, "fonts-arphic-uming")
    monkeypatch.setattr(pdf_fonts, "BODY_FONTS", (absent, pdf_fonts.SANS))
    monkeypatch.setattr(pdf_fonts, "TITLE_FONTS", (absent, pdf_fonts.SANS))
    pdf_fonts.reset_fonts()
    try:
        names = fonts_of(issued_pdf(accepted(make_case), NoticeKind.ACCEPTANCE))
    finally:
        pdf_fonts.reset_fonts()
    assert any("WenQuanYi" in name for name in names), names
    assert not any("UMing" in name for name in names), names
    assert "install fonts-arphic-uming" in caplog.text


def test_no_font_at_all_names_the_debian_packages(make_case, monkeypatch, tmp_path):
    from onewindow.core import pdf_fonts

    missing = tuple(
        pdf_fonts.CjkFont(f"Absent{i}", tmp_path / f"absent{i}.ttc", 0, package)
        for i, package in enumerate(["fonts-arphic-uming", "fonts-wqy-zenhei"])
    )
    monkeypatch.setattr(pdf_fonts, "BODY_FONTS", missing)
    pdf_fonts.reset_fonts()
    try:
        with pytest.raises(RuntimeError, match="fonts-arphic-uming fonts-wqy-zenhei"):
            issued_pdf(accepted(make_case), NoticeKind.ACCEPTANCE)
    finally:
        pdf_fonts.reset_fonts()


@pytest.mark.parametrize(
    ("decision", "status", "title", "sentence", "not_there"),
    [
        (Decision.APPROVED, CaseStatus.APPROVED, "准予登记通知书", "决定准予登记", "行政许可"),
        (Decision.DENIED, CaseStatus.DENIED, "不予登记通知书", "决定不予登记", "不予许可"),
    ],
)
def test_a_registration_item_is_decided_in_the_words_of_a_registration(
    make_case, zone, department, decision, status, title, sentence, not_there
):
    version = make_item(zone, department, name="个体工商户设立登记")
    case = accepted(
        make_case,
        item_version=version,
        title="个体工商户设立登记",
        status=status,
        decision=decision,
        decision_reason="经营范围不属于个体工商户可以经营的项目。" if decision == "denied" else "",
        decided_on=dt.date(2026, 11, 20),
    )
    assert notice_filename(case, NoticeKind.DECISION) == f"{case.number}-{title}.pdf"
    text = pdf_text(issued_pdf(case, NoticeKind.DECISION))
    assert_contains(text, title, sentence)
    assert not_there not in text
