"""A 免申即享 policy item in a real browser (Debian's Chromium through Playwright), in
Chinese, from publication to payment, through the pages only:

1. the policy officer (政策专员) opens a prepared draft of a 免申即享 item that asks for 公示
   and publishes it; the batch match runs on publish and matches the qualified enterprise
   (the one 4.6 % short of the 5 % is not matched);
2. the enterprise's representative, on a phone (390 px, no sideways scroll), opens
   我的政策兑现 → the redemption and confirms it with an account, with the keyboard only
   (Tab between the fields, Space on the statement, Enter on the button);
3. the officer finds it on the desk (待拨付), lists it in a 公示; the public 公示 page shows
   it; the 公示 ends after its end date (set in the scene: the browser follows the real
   clock), and the officer records the payment;
4. the payment shows on the enterprise's redemption page;
5. the other enterprise's calculator shows the near miss with its reason
   ("研发费用占比 4.6%" and the clause 第十一条(四)), never as ineligible.

Screenshots (committed, looked at): ``docs/screenshots/policies-*.png``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from onewindow.catalog.constants import VersionStatus
from onewindow.policies.constants import PaymentKind, RedemptionStatus
from onewindow.policies.models import Payment, PolicyItemVersion, Publicity, Redemption
from onewindow.policies.tests.factories import make_version
from onewindow.policies.tests.test_matching_support import NEAR, QUALIFIED, Profiles
from onewindow.testing.browser import PHONE, SCREENSHOTS, horizontal_overflow, screenshot

pytestmark = [pytest.mark.browser]

CODE = "ZC-2026-017"
ITEM_NAME = "研发投入奖励（示例）"
#: Milliseconds a page may take on a busy shared machine.
SLOW = 60_000


def shot(page: Page, name: str) -> None:
    screenshot(page, SCREENSHOTS / f"policies-{name}.png")


def click(page: Page, button_name: str, *, within=None) -> None:
    button = (within or page).get_by_role("button", name=button_name, exact=True)
    with page.expect_navigation():
        button.click()


def tab_to(page: Page, label: str) -> None:
    page.keyboard.press("Tab")
    expect(page.get_by_label(label, exact=True)).to_be_focused()


def fits_the_phone(page: Page) -> None:
    assert horizontal_overflow(page) <= 0, page.url


@pytest.fixture
def scene(transactional_db, pw):
    """The enterprise qualifies (研发费用占比 6 %), the other is 4.6 % short of 5 %; a draft
    of a 免申即享 item with 5 days of 公示 waits for the officer."""
    from onewindow.certificates.keys import key_generate

    expect.set_options(timeout=SLOW)
    key_generate(zone=pw.zone)
    profiles = Profiles()
    profiles[pw.enterprise.pk] = dict(QUALIFIED)
    profiles[pw.other_enterprise.pk] = {**NEAR, "rd_share": "0.046"}
    draft = make_version(
        pw,
        code=CODE,
        status=VersionStatus.DRAFT,
        requires_publicity=True,
        publicity_days=5,
        effective_from=dt.date(2026, 1, 1),
    )
    return pw, draft


def test_a_policy_from_publication_to_payment(scene, signed_in, open_page, live_server):
    pw, draft = scene
    base = live_server.url
    problems: list[str] = []

    # 1. the officer publishes the prepared draft; the match runs on publish
    officer = signed_in(pw.officer.username, errors=problems, timeout=SLOW)
    officer.goto(f"{base}/policies/manage/")
    expect(officer.get_by_role("heading", level=1)).to_be_visible()
    shot(officer, "officer-desk")
    officer.goto(f"{base}/policies/manage/items/{CODE}/draft/")
    expect(officer.get_by_label("事项名称")).to_have_value(ITEM_NAME)
    shot(officer, "draft-edit")
    officer.goto(f"{base}/policies/manage/items/{CODE}/")
    row = officer.locator("tbody tr").filter(has_text=ITEM_NAME)
    expect(row).to_contain_text("草稿")
    click(officer, "发布", within=row)
    expect(officer.locator("tbody tr").filter(has_text=ITEM_NAME)).to_contain_text("已发布")
    shot(officer, "item-published")
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    matched = Redemption.objects.get(version=draft)
    assert matched.enterprise_id == pw.enterprise.pk
    assert matched.status == RedemptionStatus.PENDING
    assert not Redemption.objects.filter(enterprise=pw.other_enterprise).exists()

    # the public list and detail of the policy show it
    visitor = open_page("/policies/", errors=problems, timeout=SLOW)
    expect(visitor.get_by_role("main")).to_contain_text("示范区促进科技创新若干政策")
    shot(visitor, "public-list")

    # 2. the representative, on a phone, confirms with the keyboard only
    representative = signed_in(
        pw.representative.username, PHONE, errors=problems, timeout=SLOW, is_mobile=True
    )
    representative.goto(f"{base}/policies/redemptions/")
    expect(representative.get_by_role("heading", level=1)).to_have_text("我的政策兑现")
    fits_the_phone(representative)
    shot(representative, "mine-phone")
    representative.get_by_role("link", name=matched.number).click()
    representative.wait_for_url(f"**/policies/redemptions/{matched.number}/")
    reasons = representative.locator("#reasons-title").locator("..")
    expect(reasons).to_contain_text("第十一条(四)")
    assert "（第十一条(四)）（第十一条(四)）" not in reasons.inner_text()  # the clause once
    confirm = representative.locator("section").filter(
        has=representative.get_by_role("heading", name="确认兑现")
    )
    confirm.get_by_label("收款账户名称").focus()
    representative.keyboard.type(pw.enterprise.name)
    tab_to(representative, "开户银行")
    representative.keyboard.type("示范银行高新支行")
    tab_to(representative, "银行账号")
    representative.keyboard.type("６２２２ 0000 1111 2222")  # full width, as typed on a phone
    tab_to(representative, "本企业确认所填信息真实并申请兑现")
    representative.keyboard.press("Space")
    fits_the_phone(representative)
    shot(representative, "confirm-phone")
    representative.keyboard.press("Tab")
    expect(confirm.get_by_role("button", name="确认兑现")).to_be_focused()
    with representative.expect_navigation():
        representative.keyboard.press("Enter")
    expect(representative.get_by_role("status")).to_contain_text("已确认兑现")
    fits_the_phone(representative)
    matched.refresh_from_db()
    assert matched.status == RedemptionStatus.PAYABLE
    assert matched.account_number == "6222000011112222"
    assert matched.confirmation_signature

    # 3. the officer lists it in a 公示 from the desk
    officer.goto(f"{base}/policies/manage/redemptions/")
    desk_row = officer.locator("tbody tr").filter(has_text=ITEM_NAME)
    desk_row.locator("td[data-label='待拨付'] a").click()
    officer.wait_for_url("**/policies/manage/redemptions/?version=*")
    officer.get_by_label(f"选择 {matched.number}").check()
    officer.get_by_label("公示标题（选填）").fill("研发投入奖励拟兑现名单 第一批")
    shot(officer, "redemption-desk")
    click(officer, "将所选列入公示")
    officer.wait_for_url("**/policies/publicity/*/")
    publicity = Publicity.objects.get()
    expect(officer.get_by_role("heading", level=1)).to_have_text("研发投入奖励拟兑现名单 第一批")
    listed = officer.locator("table").filter(has_text="拟兑现名单")
    expect(listed).to_contain_text(pw.enterprise.name)
    matched.refresh_from_db()
    assert matched.status == RedemptionStatus.PUBLICISING

    # the public 公示 list and page, read by a visitor (no account data shown)
    visitor.goto(f"{base}/policies/publicity/")
    visitor.get_by_role("link", name="研发投入奖励拟兑现名单 第一批").click()
    visitor.wait_for_url(f"**/policies/publicity/{publicity.pk}/")
    expect(visitor.get_by_role("main")).to_contain_text(matched.number)
    expect(visitor.get_by_role("main")).not_to_contain_text("6222")
    expect(visitor.get_by_role("heading", name="提出异议")).to_be_visible()
    shot(visitor, "publicity")

    # the 公示 ended yesterday: set in the scene, the browser follows the real clock
    today = timezone.localdate()
    Publicity.objects.filter(pk=publicity.pk).update(
        starts_on=today - dt.timedelta(days=6), ends_on=today - dt.timedelta(days=1)
    )
    officer.goto(f"{base}/policies/manage/redemptions/{matched.number}/")
    click(officer, "公示期满，结束公示")
    expect(officer.get_by_role("status")).to_contain_text("公示已结束")
    matched.refresh_from_db()
    assert matched.status == RedemptionStatus.PAYABLE
    pay = officer.locator("section").filter(has=officer.get_by_role("heading", name="登记拨付"))
    pay.get_by_label("凭证号").fill("PZ-2026-0017")
    pay.get_by_label("拨付日期").fill(today.isoformat())
    shot(officer, "redemption-pay")
    click(officer, "登记拨付", within=pay)
    expect(officer.get_by_role("status")).to_contain_text("拨付已登记")
    matched.refresh_from_db()
    assert matched.status == RedemptionStatus.PAID
    payment = Payment.objects.get(redemption=matched)
    assert (payment.kind, payment.voucher, payment.amount) == (
        PaymentKind.PAYMENT,
        "PZ-2026-0017",
        matched.amount,
    )

    # 4. the enterprise sees the payment; the public 公示 is closed
    representative.goto(f"{base}/policies/redemptions/{matched.number}/")
    payments = representative.locator("#payments-title").locator("..")
    expect(payments).to_contain_text("PZ-2026-0017")
    expect(payments).to_contain_text(today.isoformat())
    expect(representative.locator(".facts")).to_contain_text("已拨付")
    fits_the_phone(representative)
    shot(representative, "paid-phone")
    visitor.reload()
    expect(visitor.get_by_role("main")).to_contain_text("已结束")
    expect(visitor.get_by_role("heading", name="提出异议")).to_have_count(0)

    # 5. the other enterprise's calculator: the near miss, its reason and clause
    other = signed_in(pw.other_representative.username, errors=problems, timeout=SLOW)
    other.goto(f"{base}/policies/calculator/")
    expect(other.get_by_role("heading", level=1)).to_have_text("政策计算器")
    near = other.get_by_role("region", name="接近符合")
    expect(near).to_contain_text(ITEM_NAME)
    near.locator("summary").first.click()
    expect(near).to_contain_text("4.6%")
    expect(near).to_contain_text("第十一条(四)")
    shot(other, "calculator-near")
    other.set_viewport_size(PHONE)
    other.reload()
    fits_the_phone(other)

    # the phone width on the other pages
    for path in (
        "/policies/",
        f"/policies/{CODE}/",
        "/policies/publicity/",
        f"/policies/publicity/{publicity.pk}/",
        "/policies/try/",
    ):
        visitor.set_viewport_size(PHONE)
        visitor.goto(base + path)
        fits_the_phone(visitor)
    officer.set_viewport_size(PHONE)
    for path in (
        "/policies/manage/",
        f"/policies/manage/items/{CODE}/",
        f"/policies/manage/items/{CODE}/draft/",
        "/policies/manage/redemptions/",
        f"/policies/manage/redemptions/{matched.number}/",
    ):
        officer.goto(base + path)
        fits_the_phone(officer)
    assert PolicyItemVersion.objects.get(pk=draft.pk).status == VersionStatus.PUBLISHED
    assert problems == [], problems
