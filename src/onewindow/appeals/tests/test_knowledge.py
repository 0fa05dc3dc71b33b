"""The knowledge base: versions, editors, search ranking (catalog-like, with pinyin),
snippets, and which orders cited which version."""

from __future__ import annotations

import pytest

from onewindow.appeals import knowledge
from onewindow.appeals.constants import AppealEvent, AppealStatus
from onewindow.appeals.models import KnowledgeVersion
from onewindow.appeals.services.knowledge import (
    article_for,
    article_save,
    article_versions,
    category_by_code,
    citing_orders,
    knowledge_search,
)
from onewindow.appeals.tests.factories import make_appeal
from onewindow.core.audit import AuditEvent
from onewindow.core.errors import Forbidden, NotFound, ValidationFailed
from onewindow.org.constants import Role
from onewindow.testing import worlds

pytestmark = pytest.mark.django_db

BODY = "企业开办可在“一网通办”平台全程网办：名称自主申报、设立登记、公章刻制、发票申领一日办结。"


def save(aw, actor=None, article=None, **fields):
    values = {
        "zone": aw.zone,
        "department": aw.lead,
        "category": aw.category,
        "title": "企业开办流程",
        "body": BODY,
    }
    values.update(fields)
    return article_save(actor=actor or aw.handler, article=article, **values)


# -- versions --------------------------------------------------------------------------------


def test_the_first_save_is_version_one_and_keeps_the_search_keys(aw):
    article = save(aw, title="ＡＢＣ 企业开办流程")
    assert article.current_version.number == 1
    assert article.current_version.title == "ABC 企业开办流程"  # folded as typed (NFKC)
    assert article.search_folded.startswith("abc 企业开办流程\n")
    assert article.search_initials == "abcqykblc"
    assert article.search_pinyin == "abcqiyekaibanliucheng"
    event = AuditEvent.objects.get(action=AppealEvent.ARTICLE_SAVED)
    assert event.data["version"] == 1 and event.data["new_version"] is True


def test_each_change_of_the_text_is_a_new_version_and_the_old_one_stays(aw):
    article = save(aw)
    article = save(aw, article=article, body=BODY + "另可预约上门帮办。")
    article = save(aw, article=article, title="企业开办全流程")
    versions = article_versions(article)
    assert [version.number for version in versions] == [3, 2, 1]
    assert versions[2].body == BODY  # the first text is kept as it was
    assert article.current_version == versions[0]
    assert article.search_folded.startswith("企业开办全流程\n")


def test_a_save_without_a_text_change_writes_no_version(aw):
    article = save(aw)
    article = save(aw, article=article, is_published=False, policy_refs="示范区〔2026〕1号")
    assert KnowledgeVersion.objects.filter(article=article).count() == 1
    assert article.is_published is False
    assert AuditEvent.objects.filter(action=AppealEvent.ARTICLE_SAVED).count() == 2


# -- editors ---------------------------------------------------------------------------------


def test_a_department_edits_its_own_articles_only(aw):
    article = save(aw, actor=aw.handler)
    with pytest.raises(Forbidden):
        save(aw, actor=aw.other_handler, article=article, body="改写")
    with pytest.raises(Forbidden):  # nor writes one for another department
        save(aw, actor=aw.other_handler, department=aw.lead)
    with pytest.raises(Forbidden):  # nor takes one over
        save(aw, actor=aw.handler, article=article, department=aw.other)


def test_the_centre_edits_every_article_of_its_zone(aw):
    article = save(aw, actor=aw.handler)
    article = save(aw, actor=aw.dispatcher, article=article, department=aw.other)
    assert article.department == aw.other


@pytest.mark.parametrize("who", ["operator", "supervisor", "clerk", "requester"])
def test_others_may_not_edit(aw, who):
    with pytest.raises(Forbidden):
        save(aw, actor=getattr(aw, who))
    with pytest.raises(Forbidden):  # refused before their input is looked at
        save(aw, actor=getattr(aw, who), title="")


def test_staff_of_another_zone_may_not_edit(aw):
    elsewhere = worlds.zone("QTQ", "其他开发区")
    centre = worlds.staff(elsewhere, Role.DISPATCHER, username="far_centre")
    with pytest.raises(Forbidden):
        save(aw, actor=centre)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": "  "}, "title", "标题：请填写"),
        ({"title": "长" * 121}, "title", "标题：不能超过 120 个字，现为 121 个字"),
        ({"body": ""}, "body", "内容：请填写"),
        ({"body": "x\x00"}, "body", "内容：含有不允许的控制字符（如 NUL）"),
        ({"policy_refs": "政" * 301}, "policy_refs", "相关政策：不能超过 300 个字，现为 301 个字"),
        ({"department": None}, "department", "编辑部门：请选择"),
    ],
)
def test_bad_input_is_named(aw, fields, field, message):
    with pytest.raises(ValidationFailed) as refused:
        save(aw, actor=aw.dispatcher, **fields)
    assert refused.value.fields[field] == [message]


def test_a_category_or_department_of_another_zone_is_refused(aw):
    elsewhere = worlds.zone("QTQ", "其他开发区")
    far = worlds.department(elsewhere, "FAR", "远方局")
    with pytest.raises(ValidationFailed) as refused:
        save(aw, actor=aw.dispatcher, department=far)
    assert "department" in refused.value.fields
    aw.category.is_active = False
    aw.category.save()
    with pytest.raises(ValidationFailed) as refused:
        save(aw, actor=aw.dispatcher)
    assert "category" in refused.value.fields


# -- search ----------------------------------------------------------------------------------


@pytest.fixture
def library(aw):
    def put(title, body, category=None, published=True):
        return save(
            aw,
            actor=aw.dispatcher,
            title=title,
            body=body,
            category=category or aw.category,
            is_published=published,
        )

    return {
        "exact": put("营业执照", "营业执照的领取方式：窗口领取或邮寄。"),
        "prefix": put("营业执照遗失补领", "执照遗失后登报声明，再申请补领。"),
        "contains": put("电子营业执照下载", "在微信小程序下载电子营业执照。"),
        "body": put("企业开办一件事", "办结后同时发放营业执照和公章。"),
        "other": put("施工许可办理时限", "施工许可证 7 个工作日内办结。", aw.other_category),
        "hidden": put("营业执照内部口径", "不对外。", published=False),
    }


def titles(hits):
    return [hit.article.title for hit in hits]


def test_ranked_like_the_catalog_exact_prefix_title_body(aw, library):
    hits = knowledge_search(zone=aw.zone, q="营业执照")
    assert titles(hits) == ["营业执照", "营业执照遗失补领", "电子营业执照下载", "企业开办一件事"]
    assert [hit.matched_on for hit in hits] == [["title"], ["title"], ["title"], ["body"]]
    assert [hit.rank for hit in hits] == [0, 1, 2, 3]
    assert hits[3].snippet == "办结后同时发放营业执照和公章。"
    assert hits[0].version.number == 1


def test_pinyin_initials_and_full_pinyin(aw, library):
    assert titles(knowledge_search(zone=aw.zone, q="yyzz"))[:2] == ["营业执照", "营业执照遗失补领"]
    # Typed full-width.
    assert titles(knowledge_search(zone=aw.zone, q="ｓｇｘｋ")) == ["施工许可办理时限"]
    assert titles(knowledge_search(zone=aw.zone, q="shigong")) == ["施工许可办理时限"]
    hit = knowledge_search(zone=aw.zone, q="xukeban")[0]
    assert hit.article.title == "施工许可办理时限" and hit.matched_on == ["pinyin"]


def test_every_word_must_match_split_at_any_space(aw, library):
    # U+3000 (the ideographic space) separates words too.
    assert titles(knowledge_search(zone=aw.zone, q="营业执照\u3000邮寄")) == ["营业执照"]
    assert titles(knowledge_search(zone=aw.zone, q="营业执照 施工")) == []


def test_category_filter_includes_the_categories_below(aw, library):
    assert titles(knowledge_search(zone=aw.zone, q="", category=aw.other_category)) == [
        "施工许可办理时限"
    ]
    assert len(knowledge_search(zone=aw.zone, q="", category=aw.root)) == 5


def test_unpublished_and_other_zones_are_not_found(aw, library):
    assert "营业执照内部口径" not in titles(knowledge_search(zone=aw.zone, q="营业执照"))
    elsewhere = worlds.zone("QTQ", "其他开发区")
    assert knowledge_search(zone=elsewhere, q="营业执照") == []


def test_a_long_query_is_refused_on_q(aw):
    with pytest.raises(ValidationFailed) as refused:
        knowledge_search(zone=aw.zone, q="长" * 51)
    assert "q" in refused.value.fields
    with pytest.raises(ValidationFailed):
        category_by_code(aw.zone, "9999")
    assert category_by_code(aw.zone, "０１０１") == aw.category  # typed full-width


def test_the_snippet_cuts_around_the_match():
    body = "前" * 100 + "营业执照" + "后" * 100
    piece = knowledge.snippet(body, ["营业执照"], length=40)
    assert piece.startswith("…") and piece.endswith("…")
    assert "营业执照" in piece and len(piece) == 42
    assert knowledge.snippet("ＡＢＣ营业执照", ["abc"]) == "ＡＢＣ营业执照"
    assert knowledge.snippet("短文。", ["无"]) == "短文。"


# -- reading one, and who cited it -----------------------------------------------------------


def test_a_reader_sees_published_articles_of_the_zone_and_editors_their_drafts(aw, library):
    hidden = library["hidden"]
    assert article_for(aw.operator, library["exact"].pk) == library["exact"]
    with pytest.raises(NotFound):
        article_for(aw.operator, hidden.pk)
    assert article_for(aw.dispatcher, hidden.pk) == hidden
    with pytest.raises(NotFound):
        article_for(aw.clerk, library["exact"].pk)
    with pytest.raises(NotFound):
        article_for(aw.requester, library["exact"].pk)


def test_the_orders_citing_a_version_are_listed_for_those_who_see_them(aw):
    article = save(aw)
    first = article.current_version
    article = save(aw, article=article, body=BODY + "（2026 年修订）")
    cited_first = make_appeal(aw, AppealStatus.CLOSED, knowledge_version=first)
    cited_second = make_appeal(
        aw, AppealStatus.HANDLING, department=aw.other, knowledge_version=article.current_version
    )
    assert citing_orders(aw.dispatcher, article) == [cited_second, cited_first]
    orders = citing_orders(aw.dispatcher, article)
    by_version = {order.number: order.knowledge_version.number for order in orders}
    assert by_version == {cited_first.number: 1, cited_second.number: 2}
    # A department sees only the orders it holds.
    assert citing_orders(aw.other_handler, article) == [cited_second]
