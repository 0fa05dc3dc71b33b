"""Issued notices (ADR 0023): the document number, gap-free per zone, kind and year and
given once; the layout facts of GB/T 9704 (title centred, number, issuer, date, handler
and phone, seal, correction period, 送达回证); the notice download issuing them."""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from onewindow.cases.constants import CaseEventAction, CaseStatus
from onewindow.cases.models import Case, IssuedNotice, NoticeNumberSequence
from onewindow.cases.notices import NoticeKind, render_notice
from onewindow.cases.services import case_refuse, case_request_correction
from onewindow.cases.services.notices import document_number, notice_issue
from onewindow.core.errors import NotFound
from onewindow.core.models import AuditEvent
from onewindow.testing import worlds

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: A Tuesday.
NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)
ISSUER = "示范经济技术开发区市场监督管理局"


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def official(world):
    """The world's zone with its 机关代字 and phone."""
    world.zone.document_prefix = "示经开"
    world.zone.phone = "025-12345000"
    world.zone.save(update_fields=["document_prefix", "phone"])
    return world


def pages_text(data: bytes) -> list[str]:
    return [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def issued_text(case: Case, kind: str, **options) -> str:
    notice_issue(case=case, kind=kind, actor=None)
    return "".join(pages_text(render_notice(case, kind, **options)))


def accepted_on(world, day: dt.date) -> Case:
    at = dt.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)
    with time_machine.travel(at, tick=False):
        return world.accepted()


# -- the number ---------------------------------------------------------------------------------


def test_document_number_format(official):
    zone = official.zone
    assert document_number(zone, "acceptance", 2026, 123) == "示经开受字〔2026〕第123号"
    assert document_number(zone, "correction", 2026, 1) == "示经开补字〔2026〕第1号"
    assert document_number(zone, "refusal", 2027, 9) == "示经开不受字〔2027〕第9号"
    assert document_number(zone, "decision", 2026, 40) == "示经开决字〔2026〕第40号"
    zone.document_prefix = ""  # a zone without 机关代字 uses its code
    assert document_number(zone, "acceptance", 2026, 5) == "SFQ受字〔2026〕第5号"


def test_a_notice_is_numbered_once_and_keeps_its_number(official):
    case = official.accepted()
    first = notice_issue(case=case, kind=NoticeKind.ACCEPTANCE, actor=official.clerk)
    again = notice_issue(case=case, kind="acceptance", actor=official.applicant_user)
    assert again.pk == first.pk
    assert first.number == "示经开受字〔2026〕第1号"
    assert IssuedNotice.objects.filter(case=case).count() == 1
    events = AuditEvent.objects.filter(action=CaseEventAction.NOTICE_ISSUED, object_id=case.number)
    assert [event.data["number"] for event in events] == [first.number]
    assert events.get().actor == official.clerk.get_username()
    # Downloaded again (another day), the same number and date.
    with time_machine.travel(NOW + dt.timedelta(days=3), tick=False):
        assert render_notice(case, "acceptance") == render_notice(case, "acceptance")
        assert "示经开受字〔2026〕第1号" in issued_text(case, "acceptance")


def test_numbers_are_gap_free_per_kind(official):
    cases = [official.accepted() for _ in range(3)]
    numbers = [
        notice_issue(case=case, kind="acceptance", actor=official.clerk).number for case in cases
    ]
    assert numbers == [f"示经开受字〔2026〕第{n}号" for n in (1, 2, 3)]
    # Another kind counts on its own.
    case = official.submit()
    case_request_correction(case=case, actor=official.clerk, items=["申请表缺少签字"])
    issued = notice_issue(case=Case.objects.get(pk=case.pk), kind="correction", actor=None)
    assert issued.number == "示经开补字〔2026〕第1号"
    assert NoticeNumberSequence.objects.get(zone=official.zone, kind="acceptance").last == 3


def test_numbers_restart_each_year_from_the_act_date(official):
    december = accepted_on(official, dt.date(2026, 12, 31))
    january = accepted_on(official, dt.date(2027, 1, 4))
    # Issued in January, the December acceptance still takes its number in 2026.
    with time_machine.travel(dt.datetime(2027, 1, 5, 9, tzinfo=SHANGHAI), tick=False):
        later = notice_issue(case=january, kind="acceptance", actor=None)
        earlier = notice_issue(case=december, kind="acceptance", actor=None)
    assert later.number == "示经开受字〔2027〕第1号"
    assert earlier.number == "示经开受字〔2026〕第1号"
    assert earlier.issued_on == dt.date(2026, 12, 31)


def test_numbers_are_per_zone(official):
    notice_issue(case=official.accepted(), kind="acceptance", actor=None)
    other = worlds.zone(code="XQ", name="新区")
    other.document_prefix = "新"
    other.save()
    case = Case.objects.create(
        zone=other,
        number="XQ-2026-0000001",
        title="食品经营许可",
        item_version=official.item,
        department=worlds.department(other),
        applicant=official.applicant,
        submitted_by=official.applicant_user,
        channel="online",
        status=CaseStatus.ACCEPTED,
        submitted_at=NOW,
        accepted_at=NOW,
        accepted_on=NOW.date(),
    )
    assert notice_issue(case=case, kind="acceptance", actor=None).number == "新受字〔2026〕第1号"


def test_a_notice_the_case_does_not_have_is_not_numbered(official):
    case = official.submit()
    with pytest.raises(NotFound) as refused:
        notice_issue(case=case, kind="acceptance", actor=None)
    assert refused.value.code == "notice_not_available"
    assert not IssuedNotice.objects.exists()
    assert not NoticeNumberSequence.objects.exists()


def test_a_notice_not_issued_is_not_rendered(official):
    case = official.accepted()
    with pytest.raises(NotFound) as refused:
        render_notice(case, "acceptance")
    assert refused.value.code == "notice_not_issued"


# -- the layout ---------------------------------------------------------------------------------


def test_acceptance_notice_layout_facts(official):
    case = official.accepted()
    text = issued_text(case, "acceptance")
    # 版头, then the title (after the page number, drawn first).
    assert text.startswith("—1—" + ISSUER + "示经开受字〔2026〕第1号受理通知书")
    for expected in (
        f"{official.applicant.name}：",
        f"经办人：{official.clerk}",  # the clerk who accepted
        "联系电话：025-12345000",
        "2026年11月24日",  # the acceptance date, the 成文日期
        "2026年11月24日印发",  # 版记
        "—1—",  # the page number
    ):
        assert expected in text, expected
    assert "送达回证" not in text


def title_x(data: bytes, title: str) -> tuple[float, float]:
    """Where the title's text starts on page 1 and its font size."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip() == title:
            found.append((tm[4] * cm[0] + cm[4], size * tm[0]))

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    assert found, title
    return found[0]


def test_the_page_follows_gb_t_9704(official):
    case = official.accepted()
    notice_issue(case=case, kind="acceptance", actor=None)
    data = render_notice(case, "acceptance")
    page = PdfReader(io.BytesIO(data)).pages[0]
    mm = 72 / 25.4
    assert (round(float(page.mediabox.width) / mm), round(float(page.mediabox.height) / mm)) == (
        210,
        297,
    )
    # The title in 2号 (22 pt), centred on the 版心 (28 mm left, 26 mm right margin).
    x, size = title_x(data, "受理通知书")
    assert size == pytest.approx(22)
    centre = x + 5 * size / 2
    assert centre / mm == pytest.approx(28 + 156 / 2, abs=1)


def test_correction_notice_states_the_period_and_what_happens_after(official, settings):
    settings.ONEWINDOW_CORRECTION_PERIOD_DAYS = 5
    case = official.submit()
    case_request_correction(case=case, actor=official.clerk, items=["申请表缺少签字"])
    text = issued_text(Case.objects.get(pk=case.pk), "correction")
    # Tuesday 24 November + 5 working days = Tuesday 1 December.
    assert "自收到本通知书之日起5个工作日内（2026年12月1日前）" in text
    assert "逾期未补正的，视为撤回申请" in text
    assert f"经办人：{official.clerk}" in text
    assert "示经开补字〔2026〕第1号" in text


def test_refusal_notice_names_the_clerk_who_refused(official):
    case = official.submit()
    case_refuse(
        case=case, actor=official.clerk, reason="不属于本机关职权范围", legal_basis="第三十二条"
    )
    text = issued_text(Case.objects.get(pk=case.pk), "refusal")
    assert "示经开不受字〔2026〕第1号不予受理通知书" in text
    assert f"经办人：{official.clerk}" in text


@pytest.mark.parametrize("demo", [True, False])
def test_the_seal_is_drawn_and_says_demo_on_a_demo_instance(official, settings, demo):
    settings.ONEWINDOW_DEMO_SEAL = demo
    text = issued_text(official.accepted(), "acceptance")
    assert ("演示专用章" in text) is demo
    # The organ's name: 版头, signature, 版记 and once more on the seal's arc.
    assert text.count("督") == 4


def test_the_receipt_page_for_paper_delivery(official):
    case = official.accepted()
    notice_issue(case=case, kind="acceptance", actor=None)
    plain = pages_text(render_notice(case, "acceptance"))
    pages = pages_text(render_notice(case, "acceptance", receipt=True))
    assert len(pages) == len(plain) + 1
    receipt = pages[-1]
    for expected in (
        "送达回证",
        "送达文书受理通知书（示经开受字〔2026〕第1号）",
        f"受送达人{official.applicant.name}",
        "送达地点",
        "送达方式□直接送达□邮寄送达",
        "送达人（签名或盖章）年月日",
        "受送达人签收",
        "备注",
    ):
        assert expected in receipt, expected


# -- the download -------------------------------------------------------------------------------


def download(client, user, case: Case, kind: str, **params):
    client.force_login(user)
    return client.get(reverse("cases:notice", args=[case.number, kind]), params)


def test_the_first_download_issues_the_notice(client, official):
    case = official.accepted()
    response = download(client, official.applicant_user, case, "acceptance")
    assert response.status_code == 200
    issued = IssuedNotice.objects.get(case=case, kind="acceptance")
    assert issued.handler == official.clerk  # who accepted, not who downloaded
    assert download(client, official.clerk, case, "acceptance").content == response.content
    assert IssuedNotice.objects.count() == 1


def test_the_receipt_is_for_staff(client, official):
    case = official.accepted()
    response = download(client, official.clerk, case, "acceptance", receipt="1")
    assert response.status_code == 200
    assert "送达回证" in "".join(pages_text(response.content))
    assert "%E9%80%81%E8%BE%BE%E5%9B%9E%E8%AF%81.pdf" in response["Content-Disposition"]
    assert (
        download(client, official.applicant_user, case, "acceptance", receipt="1").status_code
        == 404
    )
    assert download(client, official.stranger, case, "acceptance").status_code == 404
    assert download(client, official.clerk, case, "decision").status_code == 404
    assert not IssuedNotice.objects.filter(kind="decision").exists()
    page = client.get(reverse("cases:case", args=[case.number])).content.decode()
    assert reverse("cases:notice", args=[case.number, "acceptance"]) + "?receipt=1" in page
