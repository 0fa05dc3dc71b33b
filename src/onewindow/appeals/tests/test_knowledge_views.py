"""The knowledge base pages (rendered, posted, refused; who may use each page is in the
app's permission walk, test_permission_walk.py), and the duplicates panel of the staff
order page (rendered through its slot)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from onewindow.appeals.constants import AppealStatus
from onewindow.appeals.models import KnowledgeArticle
from onewindow.appeals.services.knowledge import article_save
from onewindow.appeals.similarity import words_of
from onewindow.appeals.tests.factories import make_appeal
from onewindow.testing.clients import client_for, send

pytestmark = pytest.mark.django_db


def make_article(aw, **fields):
    values = {
        "actor": aw.handler,
        "zone": aw.zone,
        "department": aw.lead,
        "category": aw.category,
        "title": "企业名称自主申报",
        "body": "企业名称可在网上自主申报，系统即时比对，无需预先核准。",
    }
    values.update(fields)
    return article_save(**values)


# Who may open and post each knowledge page is in the app's permission walk
# (test_permission_walk.py, which posts empty forms); here each editor's full form goes through.


@pytest.mark.parametrize("who", ["dispatcher", "handler", "other_handler"])
def test_each_editor_saves_a_new_article_of_a_department_they_may_edit(aw, who):
    department = aw.other if who == "other_handler" else aw.lead
    data = {
        "title": "企业名称自主申报",
        "body": "企业名称可在网上自主申报。",
        "department": department.pk,
        "is_published": "on",
    }
    url = reverse("appeals:knowledge_new")
    response = send(client_for(getattr(aw, who), csrf=True), "POST", url, data)
    article = KnowledgeArticle.objects.get(title="企业名称自主申报")
    assert response.status_code == 302
    assert response["Location"] == reverse("appeals:knowledge_detail", args=[article.pk])
    assert article.department == department


@pytest.mark.parametrize(
    ("who", "status"), [("dispatcher", 302), ("handler", 302), ("other_handler", 403)]
)
def test_the_centre_and_the_articles_department_save_an_edit(aw, who, status):
    article = make_article(aw)
    data = {
        "title": "企业名称自主申报（修订）",
        "body": "改为全程网办。",
        "department": aw.lead.pk,
        "is_published": "on",
    }
    url = reverse("appeals:knowledge_edit", args=[article.pk])
    response = send(client_for(getattr(aw, who), csrf=True), "POST", url, data)
    assert response.status_code == status
    article.refresh_from_db()
    edited = article.current_version.body == "改为全程网办。"
    assert edited is (status == 302)


# -- the list and search ---------------------------------------------------------------------


def test_the_list_searches_and_shows_what_matched(aw):
    make_article(aw)
    make_article(
        aw, title="施工许可办理时限", body="7 个工作日。", department=aw.other, actor=aw.dispatcher
    )
    client = client_for(aw.operator)
    page = client.get(reverse("appeals:knowledge_list"), {"q": "zzsb"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "企业名称自主申报" in text and "施工许可办理时限" not in text
    assert "匹配：拼音" in text and "第 1 版" in text
    everything = client.get(reverse("appeals:knowledge_list")).content.decode()
    assert "企业名称自主申报" in everything and "施工许可办理时限" in everything
    assert "新建条目" not in everything  # the operator does not edit


def test_a_bad_query_is_shown_beside_the_field(aw):
    page = client_for(aw.operator).get(reverse("appeals:knowledge_list"), {"q": "长" * 51})
    assert page.status_code == 422
    assert "搜索词最多 50 个字" in page.content.decode()
    page = client_for(aw.operator).get(reverse("appeals:knowledge_list"), {"category": "999999"})
    assert page.status_code == 422


def test_the_navigation_shows_the_knowledge_base_to_its_readers(aw):
    home = client_for(aw.operator).get(reverse("appeals:knowledge_list")).content.decode()
    assert "诉求知识库" in home and reverse("appeals:knowledge_list") in home


# -- an article: versions and citing orders --------------------------------------------------


def test_the_article_page_shows_each_version_and_the_orders_citing_it(aw):
    article = make_article(aw)
    first = article.current_version
    article = make_article(aw, article=article, body="企业名称自主申报已全程网办，无需到窗口。")
    cited = make_appeal(aw, AppealStatus.CLOSED, knowledge_version=first)
    page = client_for(aw.dispatcher).get(reverse("appeals:knowledge_detail", args=[article.pk]))
    text = page.content.decode()
    assert "现行内容（第 2 版）" in text
    assert "企业名称自主申报已全程网办" in text
    assert "第 1 版" in text and cited.number in text
    assert "1 件工单引用了本条目" in text
    assert "修改" in text


def test_an_id_beyond_the_column_is_not_found(aw):
    url = reverse("appeals:knowledge_detail", args=[2**63])
    assert client_for(aw.operator).get(url).status_code == 404


def test_a_department_sees_only_the_citing_orders_it_holds(aw):
    article = make_article(aw)
    held_elsewhere = make_appeal(
        aw, AppealStatus.HANDLING, department=aw.other, knowledge_version=article.current_version
    )
    text = (
        client_for(aw.handler)
        .get(reverse("appeals:knowledge_detail", args=[article.pk]))
        .content.decode()
    )
    assert held_elsewhere.number not in text


# -- the editor ------------------------------------------------------------------------------


def test_a_handler_writes_an_article_for_their_department(aw):
    client = client_for(aw.handler, csrf=False)
    form = client.get(reverse("appeals:knowledge_new")).content.decode()
    assert "市场监督管理局" in form and "住房和城乡建设局" not in form
    response = client.post(
        reverse("appeals:knowledge_new"),
        {
            "title": "ＡＢＣ 名称变更",
            "body": "名称变更登记，1 个工作日办结。",
            "department": aw.lead.pk,
            "category": aw.category.pk,
            "is_published": "on",
        },
    )
    article = KnowledgeArticle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("appeals:knowledge_detail", args=[article.pk])
    assert article.title == "ABC 名称变更" and article.current_version.number == 1


def test_the_editor_names_the_missing_fields(aw):
    client = client_for(aw.handler)
    page = client.post(reverse("appeals:knowledge_new"), {"title": "", "body": ""})
    text = page.content.decode()
    assert page.status_code == 422
    assert "标题：请填写" in text and "内容：请填写" in text and "编辑部门：请选择" in text
    assert not KnowledgeArticle.objects.exists()


def test_editing_the_text_makes_a_new_version(aw):
    article = make_article(aw)
    client = client_for(aw.dispatcher)
    form = client.get(reverse("appeals:knowledge_edit", args=[article.pk])).content.decode()
    assert "企业名称可在网上自主申报" in form
    client.post(
        reverse("appeals:knowledge_edit", args=[article.pk]),
        {
            "title": article.title,
            "body": "新口径。",
            "department": aw.lead.pk,
            "is_published": "on",
        },
    )
    article.refresh_from_db()
    assert article.current_version.number == 2 and article.current_version.body == "新口径。"


def test_a_handler_may_not_move_an_article_to_another_department(aw):
    article = make_article(aw)
    page = client_for(aw.handler).post(
        reverse("appeals:knowledge_edit", args=[article.pk]),
        {"title": article.title, "body": "x", "department": aw.other.pk, "is_published": "on"},
    )
    assert page.status_code == 422  # not a department the form offers them
    article.refresh_from_db()
    assert article.department == aw.lead and article.current_version.number == 1


# -- the duplicates panel of the staff order page --------------------------------------------

EARLIER = "营业执照办理进度咨询。我公司上周提交的设立登记至今没有消息，请帮忙催办。"
NEW = (
    "设立登记一直没有结果。"
    "我们9月20日在网上提交了公司设立登记申请，到现在营业执照还没有下来，请催一下。"
)


def render_panel(user, appeal) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template('{% load slots %}{% slot "appeals.order_page.panels" appeal=appeal %}')
    return template.render(Context({"request": request, "appeal": appeal}))


def order(aw, text, days_ago, status=AppealStatus.HANDLING):
    subject, _dot, description = text.partition("。")
    return make_appeal(
        aw,
        status,
        received=timezone.now() - dt.timedelta(days=days_ago),
        subject=subject,
        description=description,
        words=" ".join(words_of(text)),
    )


def test_the_panel_lists_the_suggested_duplicates_with_scores_and_links(aw):
    earlier = order(aw, EARLIER, 3)
    new = order(aw, NEW, 1, status=AppealStatus.RECEIVED)
    html = render_panel(aw.dispatcher, new)
    assert "疑似重复诉求" in html
    assert f'href="/appeals/staff/{earlier.number}/"' in html
    assert "0.55" in html and "前后 30 天内" in html


def test_the_panel_says_so_when_there_is_none_and_hides_what_the_viewer_may_not_see(aw):
    order(aw, EARLIER, 3, status=AppealStatus.RECEIVED)  # not held by the department
    mine = order(aw, NEW, 1)
    assert "没有发现疑似重复的诉求" in render_panel(aw.handler, mine)
    assert render_panel(aw.requester, mine) == ""
