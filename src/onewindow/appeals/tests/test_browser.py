"""An enterprise's appeal (诉求工单) in a real browser (Debian's Chromium through Playwright),
in Chinese, from the call to the weekly 督查通报, through the pages only:

1. the hotline operator (话务员) records a call of the enterprise, a 投诉 in a category of
   the dispatch catalogue, for dispatch, with the keyboard (Tab between the fields, Enter
   on the button);
2. the dispatcher (派单员) opens it from the centre's board and dispatches it by the
   catalogue (lead: 市场监督管理局, co: 住房和城乡建设局);
3. the lead department's handler finds it in the department's queue and signs it;
4. the handler asks to send it back after the return window (closed through the ORM
   between loading the page and the click: the browser follows the real clock): the page
   shows the refusal, the order stays with them and the late return is counted;
5. the handler replies; the dispatcher approves the reply;
6. on a phone (390 px wide, no sideways scroll), the enterprise's user opens 我的诉求 → the
   order and rates the reply 不满意 / 未解决: the order is back in 办理中 with a fresh
   deadline and one reopen;
7. 电子监察 raises a 挂牌督办 on it and finds it on the supervision board, under the
   department;
8. the handler replies again, the dispatcher approves, and records the return visit
   满意 / 已解决: 已办结;
9. the weekly report of this week counts it for the department (one received, replied on
   time, satisfied, one late return, one reopen).

Screenshots (committed, looked at): ``docs/screenshots/appeals-hotline-call.png`` (the
operator's form, filled), ``appeals-department-queue.png`` (the queue with the order),
``appeals-weekly-report.png`` (the report). Nothing here reads the audit trail: on
PostgreSQL its events wait for the chainer.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from onewindow.appeals import reports
from onewindow.appeals.clock import Limit, due
from onewindow.appeals.constants import AppealStatus, LimitUnit, ReturnStatus, SupervisionLevel
from onewindow.appeals.models import Appeal, AppealSupervision
from onewindow.appeals.selectors import appeal_settings_for, zone_calendar
from onewindow.testing.browser import PHONE, SCREENSHOTS, horizontal_overflow, screenshot

pytestmark = [pytest.mark.browser]

SUBJECT = "设立登记提交后十个工作日无回音"
DESCRIPTION = "我公司 11 月 20 日在网上提交设立登记，至今没有审核结果，电话咨询也无人接听。"
FIRST_REPLY = "经核实，材料已于今日审核通过，营业执照可在综合窗口领取。"
SECOND_REPLY = "已安排专人联系企业，营业执照已由邮政寄递送达，并说明了延误原因。"


def tab_and_type(page: Page, text: str, *, into: str) -> None:
    """Press Tab and type ``text``: the field labelled ``into`` must have the focus."""
    page.keyboard.press("Tab")
    expect(page.get_by_label(into, exact=True)).to_be_focused()
    page.keyboard.type(text)


def press_enter_on(page: Page, button_name: str, *, within=None) -> None:
    """Focus the button and press Enter (how a clerk submits without the mouse)."""
    button = (within or page).get_by_role("button", name=button_name, exact=True)
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def click(page: Page, button_name: str, *, within=None) -> None:
    button = (within or page).get_by_role("button", name=button_name, exact=True)
    with page.expect_navigation():
        button.click()


def expect_message(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def fresh_due(aw, start: dt.datetime) -> dt.datetime:
    """The deadline of an order of 5 working days whose clock starts at ``start``."""
    settings = appeal_settings_for(aw.zone.pk)
    limit = Limit(LimitUnit.WORKING_DAYS, 5)
    return due(
        zone_calendar(aw.zone),
        start=start,
        limit=limit,
        workday_ends=settings.workday_ends,
        warn_percent=settings.warn_percent,
    ).due_at


def status_of(appeal: Appeal) -> str:
    appeal.refresh_from_db()
    return appeal.status


@pytest.fixture
def browser_aw(transactional_db, aw):
    return aw


def test_an_appeal_from_the_call_to_the_weekly_report(browser_aw, signed_in, live_server):
    aw = browser_aw
    base = live_server.url
    problems: list[str] = []

    # 1. the operator records the call, with the keyboard
    operator = signed_in(aw.operator.username, errors=problems)
    operator.wait_for_url("**/appeals/hotline/new/")
    expect(operator.get_by_role("heading", level=1)).to_have_text("来电登记")
    outcomes = operator.get_by_role("group", name="处理方式")
    expect(outcomes.get_by_role("radio", name="登记转派单")).to_be_checked()
    operator.get_by_label("诉求性质").select_option(label="投诉")
    operator.get_by_label("诉求分类").select_option(label="营商环境 · 企业开办")
    operator.get_by_label("标题").focus()
    operator.keyboard.type(SUBJECT)
    tab_and_type(operator, DESCRIPTION, into="诉求内容")
    tab_and_type(operator, aw.enterprise.uscc, into="已登记的企业或个人（选填）")
    tab_and_type(operator, "李四", into="来电人")
    tab_and_type(operator, "13900000000", into="联系电话")
    screenshot(operator, SCREENSHOTS / "appeals-hotline-call.png")
    press_enter_on(operator, "保存登记")
    operator.wait_for_url("**/appeals/hotline/done/")
    expect(operator.get_by_role("heading", level=1)).to_have_text("来电已登记")
    appeal = Appeal.objects.get()
    assert (appeal.status, appeal.nature, appeal.category_id) == (
        AppealStatus.RECEIVED,
        "complaint",
        aw.category.pk,
    )
    assert appeal.requester_id == aw.enterprise.pk
    expect(operator.get_by_role("status")).to_contain_text(appeal.number)
    expect(operator.get_by_role("status")).to_contain_text(appeal.query_code)

    # 2. the dispatcher opens it from the centre's board and dispatches it by the catalogue
    dispatcher = signed_in(aw.dispatcher.username, errors=problems)
    dispatcher.wait_for_url("**/appeals/centre/")
    dispatcher.get_by_role("link", name=appeal.number).click()
    dispatcher.wait_for_url(f"**/appeals/staff/{appeal.number}/")
    dispatch = dispatcher.locator("#action-dispatch")
    expect(dispatch.get_by_label("主办部门")).to_have_value("")  # 按派单目录
    click(dispatcher, "派单", within=dispatch)
    expect_message(dispatcher, "已派单")
    assert status_of(appeal) == AppealStatus.DISPATCHED
    assert appeal.lead_department_id == aw.lead.pk
    departments = dispatcher.locator("#departments-title").locator("..")
    expect(departments).to_contain_text(aw.lead.name)
    expect(departments).to_contain_text(aw.other.name)

    # 3. the handler finds it in the department's queue and signs it
    handler = signed_in(aw.handler.username, errors=problems)
    handler.wait_for_url("**/appeals/department/")
    row = handler.locator("tbody tr").filter(has_text=appeal.number)
    expect(row).to_contain_text(SUBJECT)
    expect(row).to_contain_text("待签收")
    screenshot(handler, SCREENSHOTS / "appeals-department-queue.png")
    row.get_by_role("link", name=appeal.number).click()
    handler.wait_for_url(f"**/appeals/staff/{appeal.number}/")
    press_enter_on(handler, "签收")
    expect_message(handler, "已签收")
    assert status_of(appeal) == AppealStatus.HANDLING

    # 4. a return after the window is refused, counted, and the order stays
    Appeal.objects.filter(pk=appeal.pk).update(
        return_until=timezone.now() - dt.timedelta(minutes=5)
    )
    back = handler.locator("#action-return")
    back.get_by_label("退回理由").fill("企业设立登记不属于本局职责，建议改派行政审批局。")
    click(handler, "申请退回", within=back)
    expect(handler.get_by_role("alert")).to_contain_text("退回时限")
    expect(back).to_contain_text("退回时限已于")  # the form now says the window is past
    screenshot(handler, "appeals-late-return")
    expect(handler.locator("#appeal-title").locator("..")).to_contain_text("办理中")
    assert status_of(appeal) == AppealStatus.HANDLING
    assert appeal.late_return_count == 1
    assert list(appeal.returns.values_list("status", flat=True)) == [ReturnStatus.LATE]

    # 5. the handler replies; the dispatcher approves the reply
    handler.goto(f"{base}/appeals/staff/{appeal.number}/")
    reply = handler.locator("#action-reply")
    reply.get_by_label("答复内容").fill(FIRST_REPLY)
    press_enter_on(handler, "答复", within=reply)
    expect_message(handler, "已答复")
    assert status_of(appeal) == AppealStatus.REPLIED

    dispatcher.goto(f"{base}/appeals/staff/{appeal.number}/")
    review = dispatcher.locator("#action-approve_reply")
    expect(review.get_by_role("radio", name="同意", exact=True)).to_be_checked()
    click(dispatcher, "审核答复", within=review)
    expect_message(dispatcher, "已审核答复")
    assert status_of(appeal) == AppealStatus.ANSWERED
    first_start = appeal.clock_started_at

    # 6. the requester, on a phone, rates the reply 不满意: the order reopens
    requester = signed_in(aw.requester.username, PHONE, errors=problems, is_mobile=True)
    requester.goto(f"{base}/appeals/mine/")
    requester.get_by_role("link", name=appeal.number).click()
    requester.wait_for_url(f"**/appeals/my/{appeal.number}/")
    expect(requester.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    expect(requester.locator("#reply-title").locator("..")).to_contain_text(FIRST_REPLY)
    verdict = requester.locator("form").filter(has_text="评价办理结果")
    verdict.get_by_label("满意度").select_option(label="不满意")
    verdict.get_by_label("问题是否已解决").select_option(label="未解决")
    verdict.get_by_label("回访记录").fill("执照还是没有拿到，窗口说没有收到审核结果。")
    assert horizontal_overflow(requester) <= 0
    click(requester, "提交评价", within=verdict)
    requester.wait_for_url(f"**/appeals/my/{appeal.number}/")
    expect_message(requester, "回访结果已登记")
    expect(requester.locator(".facts")).to_contain_text("办理中")
    assert horizontal_overflow(requester) <= 0
    screenshot(requester, "appeals-requester-phone")
    # the history in words: the bad verdict is a 回访 (not 回访办结), then the 重办
    history = requester.locator("#steps-title").locator("..").locator("tbody th")
    labels = history.all_inner_texts()
    assert labels[-2:] == ["回访", "重办"], labels
    assert not any(label.isascii() for label in labels), labels  # no step code shows
    assert status_of(appeal) == AppealStatus.HANDLING
    assert appeal.reopen_count == 1
    # a fresh clock, counted from the verdict (5 working days, the day itself not counted)
    assert appeal.clock_started_at > first_start and appeal.replied_at is None
    assert appeal.due_at == fresh_due(aw, appeal.clock_started_at)

    # 7. 电子监察 raises a 挂牌督办 and finds it on the board, under the department
    supervisor = signed_in(aw.supervisor.username, errors=problems)
    supervisor.goto(f"{base}/appeals/staff/{appeal.number}/")
    expect(supervisor.locator("#clock-title").locator("..")).to_contain_text("重办 1")
    supervise = supervisor.locator("form").filter(has_text="督办意见")
    supervise.get_by_label("督办级别").select_option(label="挂牌督办")
    supervise.get_by_label("反馈时限（工作日）").select_option("2")
    supervise.get_by_label("督办意见").fill("企业两次反映未果，请主要负责人督促办理。")
    click(supervisor, "督办", within=supervise)
    expect_message(supervisor, "已督办")
    supervision = AppealSupervision.objects.get(appeal=appeal)
    assert (supervision.level, supervision.department_id) == (SupervisionLevel.LISTED, aw.lead.pk)
    supervisor.get_by_role("link", name="诉求督办").click()
    supervisor.wait_for_url("**/appeals/supervision/")
    by_department = supervisor.locator("table").first
    expect(by_department.locator("tbody tr").filter(has_text=aw.lead.name)).to_be_visible()
    listed = supervisor.locator("#list-title").locator("..").locator("tbody tr")
    expect(listed.filter(has_text=appeal.number)).to_contain_text("挂牌督办")

    # 8. the second reply, approved, and the visit 满意: closed
    handler.goto(f"{base}/appeals/staff/{appeal.number}/")
    reply = handler.locator("#action-reply")
    reply.get_by_label("答复内容").fill(SECOND_REPLY)
    click(handler, "答复", within=reply)
    expect_message(handler, "已答复")

    dispatcher.goto(f"{base}/appeals/staff/{appeal.number}/")
    click(dispatcher, "审核答复", within=dispatcher.locator("#action-approve_reply"))
    expect_message(dispatcher, "已审核答复")
    visit = dispatcher.locator("form").filter(has_text="登记回访结果")
    visit.get_by_label("满意度").select_option(label="满意")
    visit.get_by_label("问题是否已解决").select_option(label="已解决")
    visit.get_by_label("回访记录").fill("企业已收到执照，对处理结果满意。")
    click(dispatcher, "登记回访结果", within=visit)
    expect_message(dispatcher, "回访结果已登记")
    expect(dispatcher.locator("#appeal-title").locator("..")).to_contain_text("已办结")
    screenshot(dispatcher, "appeals-order-closed")
    assert status_of(appeal) == AppealStatus.CLOSED
    assert (appeal.reopen_count, appeal.satisfaction, appeal.resolved) == (1, "satisfied", True)

    # 9. the weekly report counts it for the department
    monday = reports.monday_of(timezone.localdate())
    supervisor.goto(f"{base}/appeals/reports/weekly/?week={monday.isoformat()}")
    figures = supervisor.locator("#departments-title").locator("..")
    headers = [text.strip() for text in figures.locator("thead th").all_inner_texts()]
    cells = figures.locator("tbody tr").filter(has_text=aw.lead.name).locator("td")
    row = dict(zip(headers[1:], [text.strip() for text in cells.all_inner_texts()], strict=True))
    assert row == {
        "受理": "1",
        "已答复": "1",
        "在办": "0",
        "响应率": "100.0%",
        "按时办结率": "100.0%",
        "解决率": "100.0%",
        "满意率": "100.0%",
        "退回": "0",
        "超时退回": "1",
        "重办": "1",
    }, row
    expect(supervisor.locator("#late-title").locator("..")).to_contain_text("没有超期")
    screenshot(supervisor, SCREENSHOTS / "appeals-weekly-report.png")
    # on a phone the figures stack as labelled lines, without sideways scrolling
    supervisor.set_viewport_size(PHONE)
    supervisor.reload()
    assert horizontal_overflow(supervisor) <= 0
    on_time = figures.locator("tbody tr").first.locator("td[data-label='按时办结率']")
    expect(on_time).to_have_text("100.0%")
    screenshot(supervisor, "appeals-weekly-report-phone")
    # no script error on any page; the one failed request is the refused return (409)
    assert problems == [
        "Failed to load resource: the server responded with a status of 409 (Conflict)"
    ], problems
