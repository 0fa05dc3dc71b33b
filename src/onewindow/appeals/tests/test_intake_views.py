"""The intake pages render and post: 我要反映 and its confirmation, 我的诉求 and the
requester's order page, the public query, 来电登记 and its confirmation."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from onewindow.appeals import throttle
from onewindow.appeals.constants import AppealStatus
from onewindow.appeals.models import Appeal, AppealAttachment, KnowledgeArticle, KnowledgeVersion
from onewindow.appeals.tests.factories import make_appeal
from onewindow.core.throttle import FixedWindow
from onewindow.testing.clients import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def page(user, name, *args, data=None, method="get", **kwargs):
    client = client_for(user)
    url = reverse(f"appeals:{name}", args=args)
    return getattr(client, method)(url, data, **kwargs), client


def form(aw, **overrides) -> dict:
    data = {
        "nature": "complaint",
        "category": "0101",
        "subject": "营业执照迟迟未发",
        "description": "上周提交的设立登记至今没有消息。",
        "requester": str(aw.enterprise.pk),
    }
    data.update(overrides)
    return data


# -- 我要反映 -------------------------------------------------------------------------------------


def test_the_form_renders_for_an_applicant(aw):
    response, _ = page(aw.requester, "new")
    assert response.status_code == 200
    text = response.content.decode()
    assert "我要反映" in text and "营商环境 · 企业开办" in text and "示范科技有限公司" in text
    assert 'value="01"' not in text  # a category with children is not offered


@pytest.mark.parametrize("who", ["operator", "dispatcher", "handler"])
def test_staff_are_refused_the_form(aw, who):
    assert page(getattr(aw, who), "new")[0].status_code == 403


def test_anonymous_visitors_sign_in_first(aw):
    response, _ = page(None, "new")
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_filed_appeal_shows_its_number_once(aw):
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, format="PNG")
    photo = SimpleUploadedFile("照片.png", png.getvalue(), content_type="image/png")
    response, client = page(
        aw.requester, "new", data={**form(aw), "attachments": [photo]}, method="post"
    )
    assert response.status_code == 302 and response["Location"] == reverse("appeals:submitted")
    appeal = Appeal.objects.get()
    assert AppealAttachment.objects.get(appeal=appeal).name == "照片.png"
    done = client.get(reverse("appeals:submitted"))
    text = done.content.decode()
    assert appeal.number in text and appeal.query_code in text
    assert reverse("appeals:my_appeal", args=[appeal.number]) in text
    again = client.get(reverse("appeals:submitted"))
    assert again.status_code == 302 and again["Location"] == reverse("appeals:mine")


def test_an_anonymous_report_is_told_to_keep_its_code(aw):
    data = form(aw, nature="report", anonymous="on", requester="")
    response, client = page(aw.requester, "new", data=data, method="post")
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    text = client.get(reverse("appeals:submitted")).content.decode()
    assert appeal.query_code in text and "只在此显示一次" in text
    assert reverse("appeals:my_appeal", args=[appeal.number]) not in text


def test_refusals_are_shown_next_to_their_field(aw):
    data = form(aw, nature="help", anonymous="on", subject="")
    response, _ = page(aw.requester, "new", data=data, method="post")
    assert response.status_code == 422
    text = response.content.decode()
    assert "只有举报和建议可以匿名反映" in text and "标题：请填写" in text
    assert not Appeal.objects.exists()


def test_a_disguised_attachment_is_refused_on_the_page(aw):
    fake = SimpleUploadedFile("合同.pdf", b"MZ\x90\x00", content_type="application/pdf")
    response, _ = page(aw.requester, "new", data={**form(aw), "attachments": [fake]}, method="post")
    assert response.status_code == 422
    assert "附件“合同.pdf”" in response.content.decode()


# -- 我的诉求 -------------------------------------------------------------------------------------


def test_my_appeals_lists_the_users_orders(aw):
    mine = make_appeal(aw)
    theirs = make_appeal(aw, requester_user=aw.stranger)
    Appeal.objects.filter(pk=theirs.pk).update(requester=None)  # filed by someone else
    response, _ = page(aw.requester, "mine")
    text = response.content.decode()
    assert response.status_code == 200
    assert mine.number in text and theirs.number not in text


def test_the_requesters_order_page(aw):
    appeal = make_appeal(aw, AppealStatus.ANSWERED)
    response, _ = page(aw.requester, "my_appeal", appeal.number)
    assert response.status_code == 200
    text = response.content.decode()
    assert appeal.subject in text and appeal.reply in text and appeal.query_code in text


def test_a_provisional_due_date_is_flagged(aw):
    appeal = make_appeal(aw, due_provisional=True)
    text = page(aw.requester, "my_appeal", appeal.number)[0].content.decode()
    assert "暂定" in text


def test_someone_elses_order_is_not_found(aw):
    appeal = make_appeal(aw)
    assert page(aw.stranger, "my_appeal", appeal.number)[0].status_code == 404
    assert page(aw.dispatcher, "my_appeal", appeal.number)[0].status_code == 403


# -- the public query ------------------------------------------------------------------------


def test_the_query_page(aw):
    appeal = make_appeal(aw, AppealStatus.ANSWERED)
    blank, _ = page(None, "query")
    assert blank.status_code == 200 and "诉求查询" in blank.content.decode()
    found, _ = page(None, "query", data={"number": appeal.number, "code": appeal.query_code})
    assert found.status_code == 200
    assert appeal.subject in found.content.decode() and appeal.reply in found.content.decode()
    wrong, _ = page(None, "query", data={"number": appeal.number, "code": "WRONG123"})
    missing, _ = page(None, "query", data={"number": "SFQ-SQ2026-9", "code": appeal.query_code})
    assert wrong.status_code == missing.status_code == 404
    assert "工单编号或查询码不正确" in wrong.content.decode()
    assert appeal.subject not in wrong.content.decode()


def test_the_query_page_is_throttled(aw, monkeypatch):
    monkeypatch.setattr(throttle, "LOOKUP", FixedWindow("appeals:lookup:page", 1, 60))
    client = client_for(None)
    url = reverse("appeals:query")
    assert client.get(url, {"number": "x", "code": "y"}).status_code == 404
    assert client.get(url, {"number": "x", "code": "y"}).status_code == 429


# -- 来电登记 -------------------------------------------------------------------------------------


def call_form(**overrides) -> dict:
    data = {
        "outcome": "dispatch",
        "nature": "help",
        "urgency": "normal",
        "category": "0102",
        "subject": "施工许可咨询",
        "description": "住建局电话无人接听。",
        "caller_name": "王五",
        "caller_phone": "13800000000",
    }
    data.update(overrides)
    return data


def test_the_hotline_form_renders_for_operators_only(aw):
    response, _ = page(aw.operator, "hotline_new")
    assert response.status_code == 200
    text = response.content.decode()
    assert "来电登记" in text and "知识库即时答复" in text and "120 急救" in text
    for who in ("dispatcher", "handler", "requester"):
        assert page(getattr(aw, who), "hotline_new")[0].status_code == 403


def test_a_call_for_dispatch_lands_on_what_to_tell_the_caller(aw):
    response, client = page(aw.operator, "hotline_new", data=call_form(), method="post")
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    done = client.get(reverse("appeals:hotline_done"))
    text = done.content.decode()
    assert appeal.number in text and appeal.query_code in text and "请告诉来电人" in text
    assert client.get(reverse("appeals:hotline_done")).status_code == 302


def test_a_call_answered_from_the_knowledge_base(aw):
    article = KnowledgeArticle.objects.create(
        zone=aw.zone, department=aw.lead, category=aw.category, title="企业开办时限"
    )
    version = KnowledgeVersion.objects.create(article=article, number=1, title="t", body="b")
    article.current_version = version
    article.save()
    data = call_form(
        outcome="answer_now",
        nature="consult",
        category="0101",
        knowledge_version=str(version.pk),
        reply="1个工作日内办结。",
    )
    response, client = page(aw.operator, "hotline_new", data=data, method="post")
    assert response.status_code == 302
    assert Appeal.objects.get().status == AppealStatus.CLOSED
    assert "1个工作日内办结。" in client.get(reverse("appeals:hotline_done")).content.decode()


def test_a_refused_call_and_an_emergency(aw):
    data = call_form(outcome="refuse", redirect_channel="petition", reply="请向信访部门反映。")
    response, client = page(aw.operator, "hotline_new", data=data, method="post")
    assert response.status_code == 302
    assert "信访" in client.get(reverse("appeals:hotline_done")).content.decode()
    data = call_form(outcome="emergency", emergency_service="119", caller_name="")
    response, client = page(aw.operator, "hotline_new", data=data, method="post")
    assert response.status_code == 302
    text = client.get(reverse("appeals:hotline_done")).content.decode()
    assert "119 火警" in text and "不计时" in text


def test_an_unknown_applicant_and_missing_fields_are_named(aw):
    response, _ = page(
        aw.operator, "hotline_new", data=call_form(applicant="91000000000000000X"), method="post"
    )
    assert response.status_code == 422
    assert "本开发区没有登记" in response.content.decode()
    response, _ = page(aw.operator, "hotline_new", data=call_form(outcome="refuse"), method="post")
    assert response.status_code == 422
    assert "告知渠道：请从列表中选择" in response.content.decode()


def test_a_call_for_a_registered_enterprise(aw):
    data = call_form(applicant=aw.enterprise.uscc.lower(), caller_name="", caller_phone="")
    response, _ = page(aw.operator, "hotline_new", data=data, method="post")
    assert response.status_code == 302
    assert Appeal.objects.get().requester == aw.enterprise


# -- navigation ------------------------------------------------------------------------------


def test_the_navigation_offers_each_desk(aw):
    applicant = page(aw.requester, "mine")[0].content.decode()
    assert reverse("appeals:mine") in applicant and reverse("appeals:hotline_new") not in applicant
    operator = page(aw.operator, "hotline_new")[0].content.decode()
    assert reverse("appeals:hotline_new") in operator
