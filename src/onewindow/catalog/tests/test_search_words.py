"""Search by the words people type: synonyms and colloquial names, result names, several
words at once, full-width input, English names, and items and bundles in one list."""

from __future__ import annotations

import pytest

from onewindow.catalog.models import Bundle, Item
from onewindow.catalog.search import (
    RANK_DESCRIPTION,
    RANK_EXACT,
    RANK_INITIALS_PREFIX,
    RANK_NAME_PREFIX,
    RANK_RESULT,
    RANK_TERM,
    search_bundles,
    search_catalog,
    search_items,
)
from onewindow.catalog.search_keys import fold, parse_terms
from onewindow.catalog.services import (
    bundle_search_terms_set,
    bundle_withdraw,
    item_draft,
    item_draft_update,
    item_publish,
    item_search_terms_set,
)
from onewindow.catalog.tests.factories import make_bundle, make_certificate_type, make_item
from onewindow.core.errors import ValidationFailed
from onewindow.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def names(results) -> list[str]:
    return [result.name for result in results]


@pytest.fixture
def world(zone, department):
    """A small zone catalog shaped like the demo's: the words people use are terms."""
    licence = make_certificate_type(name="营业执照")
    drugs = make_certificate_type(code="11100000MB0000001A002", name="药品经营许可证")
    company = make_item(
        zone,
        department,
        name="企业设立登记",
        certificate_type=licence,
        result_name="营业执照",
    )
    make_item(zone, department, name="企业变更登记", certificate_type=licence)
    sole = make_item(zone, department, name="个体工商户设立登记", result_name="营业执照")
    social = make_item(zone, department, name="社会保险登记")
    make_item(zone, department, name="社会保险注销登记")
    make_item(zone, department, name="药品经营许可（零售）", certificate_type=drugs)
    make_item(zone, department, name="食品经营许可")
    work = make_item(zone, department, name="外国人来华工作许可")
    residence = make_item(zone, department, name="外国人居留许可")
    item_search_terms_set(item=company.item, terms="开公司、办执照\n注册公司", actor=None)
    item_search_terms_set(item=sole.item, terms="办执照，个体户", actor=None)
    item_search_terms_set(item=social.item, terms=["社保", "社保开户"], actor=None)
    item_search_terms_set(item=work.item, terms="Work Permit\n工作证", actor=None)
    item_search_terms_set(item=residence.item, terms="residence permit", actor=None)
    bundle = make_bundle(
        zone,
        department,
        items=[company.item, social.item],
        code="business-start",
        name="开办企业一件事",
        publish=True,
    )
    bundle_search_terms_set(bundle=bundle, terms="开公司\n办执照\nstart a business", actor=None)
    foreigners = make_bundle(
        zone,
        department,
        items=[work.item, residence.item],
        code="foreigner-work",
        name="外国人来华工作一件事",
        publish=True,
    )
    Bundle.objects.filter(pk=foreigners.pk).update(
        description_folded=fold("工作许可和居留许可同步受理")
    )


# -- the examples of the issue ---------------------------------------------------------------


def test_result_name_finds_the_items_that_issue_it(zone, world):
    # the holder of a 营业执照 (or one who wants one) types the certificate's name
    found = search_items(zone=zone, query="营业执照")
    assert set(names(found)) == {"企业设立登记", "企业变更登记", "个体工商户设立登记"}
    assert {version.rank for version in found} == {RANK_RESULT}


def test_certificate_type_name_alone_finds_the_item(zone, world):
    # 药品经营许可证 is the certificate type's name; the item names no result text
    assert names(search_items(zone=zone, query="药品经营许可证")) == ["药品经营许可（零售）"]


def test_colloquial_name_finds_the_bundle_and_its_item(zone, world):
    hits = search_catalog(zone=zone, query="开公司").page(page=1, page_size=10).results
    assert [(hit.kind, hit.name) for hit in hits] == [
        ("bundle", "开办企业一件事"),
        ("item", "企业设立登记"),
    ]
    assert hits[0].matched_on == ["synonym"]
    assert hits[0].url == "/bundles/business-start/"


def test_colloquial_name_shared_by_items(zone, world):
    assert set(names(search_items(zone=zone, query="办执照"))) == {
        "企业设立登记",
        "个体工商户设立登记",
    }
    assert names(search_bundles(zone=zone, query="办执照")) == ["开办企业一件事"]


def test_short_name_finds_social_insurance(zone, world):
    assert names(search_items(zone=zone, query="社保")) == ["社会保险登记"]


def test_several_words_must_all_match(zone, world):
    assert names(search_items(zone=zone, query="社会保险 注销")) == ["社会保险注销登记"]
    assert names(search_items(zone=zone, query="外国人 许可")) == [
        "外国人居留许可",
        "外国人来华工作许可",
    ]
    # a full-width space separates words too
    assert names(search_items(zone=zone, query="外国人\u3000居留")) == ["外国人居留许可"]
    assert names(search_items(zone=zone, query="社保 食品")) == []


def test_words_of_different_kinds_combine(zone, world):
    # a synonym and a name word: 办执照 (term) and 个体 (name)
    found = search_items(zone=zone, query="办执照 个体")
    assert names(found) == ["个体工商户设立登记"]
    assert found[0].rank == RANK_TERM + RANK_NAME_PREFIX  # 个体 starts the name


def test_full_width_letters_are_folded(zone, world):
    assert "食品经营许可" in names(search_items(zone=zone, query="ｓｐｊｙ"))
    assert names(search_items(zone=zone, query="ＳＰＪＹ")) == names(
        search_items(zone=zone, query="spjy")
    )


def test_half_width_brackets_find_full_width_names(zone, world):
    found = search_items(zone=zone, query="药品经营许可(零售)")
    assert names(found) == ["药品经营许可（零售）"]
    assert found[0].rank == RANK_EXACT
    assert names(search_items(zone=zone, query="药品经营许可（零售）")) == ["药品经营许可（零售）"]


def test_english_names_for_foreigners(zone, world):
    assert names(search_items(zone=zone, query="work permit")) == ["外国人来华工作许可"]
    assert names(search_items(zone=zone, query="WORK PERMIT")) == ["外国人来华工作许可"]
    assert names(search_items(zone=zone, query="permit")) == [
        "外国人居留许可",
        "外国人来华工作许可",
    ]


def test_bundle_description_is_searched_last(zone, world):
    hits = search_catalog(zone=zone, query="同步受理").page(page=1, page_size=10).results
    assert [(hit.kind, hit.name, hit.rank) for hit in hits] == [
        ("bundle", "外国人来华工作一件事", RANK_DESCRIPTION)
    ]
    assert hits[0].matched_on == ["description"]


# -- one ranked list ---------------------------------------------------------------------------


def test_items_and_bundles_ranked_together(zone, world):
    hits = search_catalog(zone=zone, query="外国人").page(page=1, page_size=10).results
    assert [(hit.kind, hit.name) for hit in hits] == [
        ("bundle", "外国人来华工作一件事"),  # the same rank: the bundle first
        ("item", "外国人居留许可"),
        ("item", "外国人来华工作许可"),
    ]
    assert all(hit.matched_on == ["name"] for hit in hits)


def test_rank_name_above_synonym_above_result_above_pinyin(zone, department, world):
    make_item(zone, department, name="执照遗失补领")  # the name contains 执照
    item_search_terms_set(
        item=Item.objects.get(versions__name="食品经营许可"), terms="小餐饮执照", actor=None
    )
    found = search_items(zone=zone, query="执照")
    ranks = [(version.name, version.rank) for version in found]
    assert ranks[0] == ("执照遗失补领", RANK_NAME_PREFIX)
    assert ranks[1:3] == [("个体工商户设立登记", RANK_TERM), ("企业设立登记", RANK_TERM)]
    assert ranks[3] == ("食品经营许可", RANK_TERM)
    assert ranks[4:] == [("企业变更登记", RANK_RESULT)]


def test_pinyin_initials_below_the_other_matches(zone, world):
    hits = search_catalog(zone=zone, query="kbqy").page(page=1, page_size=10).results
    assert [(hit.name, hit.rank, hit.matched_on) for hit in hits] == [
        ("开办企业一件事", RANK_INITIALS_PREFIX, ["pinyin"])
    ]


def test_catalog_search_pages_and_counts(zone, world):
    first = search_catalog(zone=zone, query="登记").page(page=1, page_size=2)
    second = search_catalog(zone=zone, query="登记").page(page=2, page_size=2)
    past = search_catalog(zone=zone, query="登记").page(page=9, page_size=2)
    assert first.count == second.count == past.count == 5
    assert len(first.results) == 2 and len(second.results) == 2 and past.results == []
    assert not {hit.code for hit in first.results} & {hit.code for hit in second.results}


def test_catalog_search_leaves_out_drafts_and_withdrawn_bundles(zone, world):
    bundle_withdraw(bundle=Bundle.objects.get(code="business-start"), actor=None)
    hits = search_catalog(zone=zone, query="开公司").page(page=1, page_size=10).results
    assert [hit.kind for hit in hits] == ["item"]


def test_catalog_search_in_three_queries(zone, world, django_assert_num_queries):
    search = search_catalog(zone=zone, query="办执照")
    with django_assert_num_queries(3):
        page = search.page(page=1, page_size=10)
    assert page.count == 3


@pytest.mark.parametrize(
    ("query", "code", "message"),
    [
        ("", "required", "请输入要查找的事项或一件事"),
        ("   ", "required", "请输入要查找的事项或一件事"),
        ("食" * 51, "query_too_long", "搜索词最多 50 个字，现为 51 个字"),
        ("一 二 三 四 五 六 七 八 九", "too_many_words", "搜索词最多 8 个词，现为 9 个"),
        ("食品\x00", "invalid", "搜索词含有无效字符"),
    ],
)
def test_catalog_search_refuses_bad_queries(zone, query, code, message):
    with pytest.raises(ValidationFailed) as caught:
        search_catalog(zone=zone, query=query)
    assert caught.value.code == code
    assert caught.value.fields == {"q": [message]}


def test_the_same_word_twice_counts_once(zone, world):
    assert names(search_items(zone=zone, query="社保 社保 ＳＨＥＢＡＯ")) == []
    found = search_items(zone=zone, query="社保 社保")
    assert names(found) == ["社会保险登记"] and found[0].rank == RANK_TERM


# -- maintaining the terms -----------------------------------------------------------------------


def test_terms_change_on_a_published_item_at_once(zone, department, admin_user):
    version = make_item(zone, department, name="公章刻制备案")
    assert names(search_items(zone=zone, query="刻章")) == []
    item = item_search_terms_set(
        item=version.item, terms="刻章， 刻章\n印章  备案、", actor=admin_user
    )
    assert item.search_terms == "刻章\n印章 备案"
    assert names(search_items(zone=zone, query="刻章")) == ["公章刻制备案"]
    event = AuditEvent.objects.get(action="catalog.item_search_terms_changed")
    assert event.data == {"from": [], "to": ["刻章", "印章 备案"]}
    assert event.actor == admin_user.get_username()


def test_unchanged_terms_write_no_event(zone, department):
    version = make_item(zone, department)
    item_search_terms_set(item=version.item, terms="甲", actor=None)
    item_search_terms_set(item=version.item, terms="甲\n", actor=None)
    assert AuditEvent.objects.filter(action="catalog.item_search_terms_changed").count() == 1


def test_terms_survive_a_new_version(zone, department):
    version = make_item(zone, department, name="企业设立登记")
    item_search_terms_set(item=version.item, terms="开公司", actor=None)
    draft = item_draft(item=version.item, actor=None)
    item_draft_update(version=draft, elements={"name": "公司设立登记"}, actor=None)
    item_publish(version=draft, actor=None)
    assert names(search_items(zone=zone, query="开公司")) == ["公司设立登记"]


def test_terms_on_a_published_bundle(zone, department):
    items = [make_item(zone, department).item, make_item(zone, department).item]
    bundle = make_bundle(zone, department, items=items, name="企业注销一件事", publish=True)
    bundle_search_terms_set(bundle=bundle, terms="关公司", actor=None)
    assert names(search_bundles(zone=zone, query="关公司")) == ["企业注销一件事"]
    assert AuditEvent.objects.filter(action="catalog.bundle_search_terms_changed").exists()


@pytest.mark.parametrize(
    ("terms", "code", "message"),
    [
        ("\n".join(f"别名{n}" for n in range(31)), "too_many_search_terms", None),
        ("开" * 51, "search_term_too_long", "搜索别名“开开开开开开开开开开…”超过 50 个字"),
    ],
)
def test_bad_terms_are_refused_naming_the_field(zone, department, terms, code, message):
    version = make_item(zone, department)
    with pytest.raises(ValidationFailed) as caught:
        item_search_terms_set(item=version.item, terms=terms, actor=None)
    assert caught.value.code == code
    assert list(caught.value.fields) == ["search_terms"]
    if message:
        assert caught.value.fields["search_terms"] == [message]
    version.item.refresh_from_db()
    assert version.item.search_terms == ""


def test_parse_terms_splits_and_deduplicates():
    assert parse_terms("开公司、办执照，Work Permit\nwork  permit;；\n ") == [
        "开公司",
        "办执照",
        "Work Permit",
    ]
    assert parse_terms(None) == []


def test_fold():
    assert fold("ｓｐｊｙ") == "spjy"
    assert fold("药品经营许可（零售）") == "药品经营许可(零售)"
    assert fold("Work\u3000PERMIT ") == "work permit"
