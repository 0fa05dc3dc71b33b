"""The hotline seat's lookup on 来电登记 (``lookup``): the knowledge base's articles for the
call (one may be cited, then saved as 即时办结) and the possible duplicates, shown while the
call is taken; the lookup records nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from onewindow.appeals.constants import AppealStatus, ClosingKind
from onewindow.appeals.models import Appeal, KnowledgeArticle, KnowledgeVersion
from onewindow.appeals.services.knowledge import article_save
from onewindow.appeals.tests.factories import make_appeal
from onewindow.core.models import AuditEvent
from onewindow.testing import worlds
from onewindow.testing.browser import PHONE, SCREENSHOTS, horizontal_overflow, screenshot
from onewindow.testing.clients import client_for

pytestmark = pytest.mark.django_db

URL = reverse("appeals:hotline_new")
# An earlier order and a new call about the same thing (docs/appeals-duplicates.md, the
# first worked example: 0.5491).
EARLIER_SUBJECT = "营业执照办理进度咨询"
EARLIER_TEXT = "我公司上周提交的设立登记至今没有消息，请帮忙催办。"
CALL_SUBJECT = "设立登记一直没有结果"
CALL_TEXT = "我们9月20日在网上提交了公司设立登记申请，到现在营业执照还没有下来，请催一下。"


def call(aw, **overrides) -> dict:
    data = {
        "outcome": "dispatch",
        "nature": "consult",
        "urgency": "normal",
        "category": "0101",
        "subject": CALL_SUBJECT,
        "description": CALL_TEXT,
        "applicant": aw.enterprise.uscc,
        "caller_name": "",
        "caller_phone": "",
    }
    data.update(overrides)
    return data


def lookup(user, data):
    return client_for(user).post(URL, {**data, "lookup": "1"})


def make_article(aw, **fields) -> KnowledgeArticle:
    values = {
        "actor": aw.dispatcher,
        "zone": aw.zone,
        "department": aw.lead,
        "category": aw.category,
        "title": "设立登记办理时限",
        "body": "企业设立登记材料齐全的，1个工作日内办结；营业执照可在综合窗口领取或免费邮寄。",
    }
    values.update(fields)
    return article_save(**values)


def foreign_version(aw, *, published: bool = True, zone=None) -> KnowledgeVersion:
    article = KnowledgeArticle.objects.create(
        zone=zone or aw.zone,
        department=aw.lead,
        title="设立登记进度查询",
        is_published=published,
    )
    version = KnowledgeVersion.objects.create(
        article=article, number=1, title=article.title, body="设立登记进度可在网上查询。"
    )
    article.current_version = version
    article.save(update_fields=["current_version"])
    return version


def test_lookup_shows_a_matching_article_and_a_duplicate(aw):
    # given
    article = make_article(aw)
    earlier = make_appeal(aw, subject=EARLIER_SUBJECT, description=EARLIER_TEXT)
    make_appeal(aw, subject="厂区门口道路积水", description="下雨积水，货车无法进出。")
    make_article(aw, title="施工许可办理", body="施工许可证全程网办。")
    # when
    response = lookup(aw.operator, call(aw))
    # then
    assert response.status_code == 200
    text = response.content.decode()
    assert "设立登记办理时限" in text and "第 1 版" in text and "1个工作日内办结" in text
    cite = f'name="knowledge_version" id="cite-{article.current_version_id}"'
    assert cite in text
    assert "施工许可办理" not in text
    assert earlier.number in text and EARLIER_SUBJECT in text and "相似度 0.5" in text
    assert reverse("appeals:staff_order", args=[earlier.number]) in text
    assert "厂区门口道路积水" not in text
    assert "合并由中心派单员办理" in text
    # what was typed is kept
    assert CALL_SUBJECT in text and CALL_TEXT in text and aw.enterprise.uscc in text


def test_a_caller_without_an_account_is_matched_by_phone(aw):
    earlier = make_appeal(
        aw,
        subject=EARLIER_SUBJECT,
        description=EARLIER_TEXT,
        requester=None,
        requester_user=None,
    )
    Appeal.objects.filter(pk=earlier.pk).update(requester=None, contact_phone="13800000000")
    data = call(aw, applicant="", caller_name="王五", caller_phone="138 0000 0000")
    text = lookup(aw.operator, data).content.decode()
    assert earlier.number in text


def test_lookup_writes_nothing(aw):
    make_article(aw)
    make_appeal(aw, subject=EARLIER_SUBJECT, description=EARLIER_TEXT)
    client = client_for(aw.operator)  # signing in is audited: before counting
    appeals, events = Appeal.objects.count(), AuditEvent.objects.count()
    data = call(aw, outcome="answer_now", reply="1个工作日内办结。", lookup="1")
    response = client.post(URL, data)
    assert response.status_code == 200
    assert Appeal.objects.count() == appeals
    assert AuditEvent.objects.count() == events


def test_empty_states_in_words(aw):
    response = lookup(aw.operator, call(aw))
    text = response.content.decode()
    assert response.status_code == 200
    assert "没有找到相关的知识库文章" in text
    assert "最近 30 天没有相似的诉求" in text
    # nothing found: the full choice of articles stays in its place
    assert 'id="id_knowledge_version"' in text


def test_the_form_without_lookup_shows_no_panels(aw):
    text = client_for(aw.operator).get(URL).content.decode()
    assert "查找知识库和相似诉求" in text
    assert "可能重复的诉求" not in text


def test_an_older_order_and_an_unpublished_article_are_not_offered(aw):
    make_article(aw, is_published=False)
    old = make_appeal(
        aw,
        subject=EARLIER_SUBJECT,
        description=EARLIER_TEXT,
        received=timezone.now() - dt.timedelta(days=aw.settings.duplicate_window_days + 1),
    )
    text = lookup(aw.operator, call(aw)).content.decode()
    assert "设立登记办理时限" not in text
    assert old.number not in text


def test_citing_a_found_version_then_saving_an_instant_answer(aw):
    # given: the lookup offered the article
    article = make_article(aw)
    version = article.current_version
    client = client_for(aw.operator)
    found = client.post(URL, {**call(aw), "lookup": "1"}).content.decode()
    assert f'value="{version.pk}"' in found
    # when: the seat cites it, picks 即时办结 and saves
    data = call(
        aw, outcome="answer_now", knowledge_version=str(version.pk), reply="1个工作日内办结。"
    )
    response = client.post(URL, data)
    # then
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.status == AppealStatus.CLOSED
    assert appeal.closing_kind == ClosingKind.INSTANT
    assert appeal.knowledge_version == version


def test_a_chosen_version_stays_chosen_after_another_lookup(aw):
    chosen = make_article(aw, title="企业名称自主申报", body="名称可自主申报，系统即时比对。")
    make_article(aw)
    data = call(aw, knowledge_version=str(chosen.current_version_id))
    text = lookup(aw.operator, data).content.decode()
    assert "企业名称自主申报" in text and "已选择，不在本次查找结果中" in text
    assert f'value="{chosen.current_version_id}" checked' in text


@pytest.mark.parametrize("which", ["elsewhere", "unpublished"])
def test_a_version_of_another_zone_or_unpublished_is_refused(aw, which):
    if which == "elsewhere":
        version = foreign_version(aw, zone=worlds.zone("QTQ", "其他区"))
    else:
        version = foreign_version(aw, published=False)
    data = call(aw, outcome="answer_now", knowledge_version=str(version.pk), reply="答复")
    response = client_for(aw.operator).post(URL, data)
    assert response.status_code == 422
    text = response.content.decode()
    assert 'id="id_knowledge_version_error"' in text
    assert "引用知识：不是本开发区已发布的知识库条目" in text
    assert not Appeal.objects.exists()
    # a lookup does not offer it either
    assert f'id="cite-{version.pk}"' not in lookup(aw.operator, data).content.decode()


def test_a_version_beyond_any_id_is_refused_by_the_form(aw):
    data = call(aw, outcome="answer_now", knowledge_version=str(2**70), reply="答复")
    response = client_for(aw.operator).post(URL, data)
    assert response.status_code == 422
    assert 'id="id_knowledge_version_error"' in response.content.decode()


def test_who_may_look_up(aw):
    response = client_for(None).post(URL, {**call(aw), "lookup": "1"})
    assert response.status_code == 302 and "login" in response["Location"]
    for who in ("requester", "clerk", "dispatcher", "handler"):
        assert lookup(getattr(aw, who), call(aw)).status_code == 403, who


# -- in a real browser ----------------------------------------------------------------------


@pytest.mark.browser
def test_the_seat_looks_up_cites_and_answers_at_once(transactional_db, aw, signed_in):
    """The operator types a call, looks up, cites the article the lookup found, picks
    即时办结 and saves; the screenshot (``docs/screenshots/appeals-hotline-lookup.png``)
    is the form with both panels, on a phone's width."""
    # given
    article = make_article(aw)
    with transaction.atomic():  # its number's counter row is locked (autocommit here)
        earlier = make_appeal(aw, subject=EARLIER_SUBJECT, description=EARLIER_TEXT)
    problems: list[str] = []
    page = signed_in(aw.operator.username, PHONE, errors=problems, is_mobile=True)
    page.wait_for_url("**/appeals/hotline/new/")
    # when: the call is typed and looked up
    page.get_by_label("诉求性质").select_option(label="咨询")
    page.get_by_label("诉求分类").select_option(label="营商环境 · 企业开办")
    page.get_by_label("标题").fill(CALL_SUBJECT)
    page.get_by_label("诉求内容").fill(CALL_TEXT)
    page.get_by_label("已登记的企业或个人（选填）").fill(aw.enterprise.uscc)
    with page.expect_navigation():
        page.get_by_role("button", name="查找知识库和相似诉求").click()
    # then: both panels, and nothing recorded
    assert not Appeal.objects.filter(pk__gt=earlier.pk).exists()
    expect(page.get_by_label("标题")).to_have_value(CALL_SUBJECT)
    cite = page.get_by_role("radio", name="设立登记办理时限", exact=False)
    expect(cite).not_to_be_checked()
    duplicates = page.locator("#lookup-duplicates").locator("..")
    expect(duplicates.get_by_role("link", name=earlier.number)).to_be_visible()
    expect(duplicates).to_contain_text("相似度 0.5")
    # when: the seat cites the article, answers at once and saves (with the keyboard)
    cite.check()
    page.get_by_role("group", name="处理方式").get_by_role("radio", name="知识库即时答复").check()
    page.get_by_label("答复或告知来电人的内容（即时答复、不予受理）").fill(
        "材料齐全的设立登记1个工作日内办结，已为您催办。"
    )
    assert horizontal_overflow(page) <= 0
    screenshot(page, SCREENSHOTS / "appeals-hotline-lookup.png")
    save = page.get_by_role("button", name="保存登记", exact=True)
    save.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # then: the done page, and the order closed citing the version
    page.wait_for_url("**/appeals/hotline/done/")
    expect(page.get_by_role("heading", level=1)).to_have_text("来电已登记")
    appeal = Appeal.objects.exclude(pk=earlier.pk).get()
    assert appeal.status == AppealStatus.CLOSED
    assert appeal.knowledge_version_id == article.current_version_id
    assert problems == []
