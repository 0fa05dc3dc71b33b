"""Item and bundle search: what is found, in what order, and what never appears."""

from __future__ import annotations

import pytest

from onewindow.catalog.constants import HandlingKind, ItemType, OnlineDepth, VersionStatus
from onewindow.catalog.models import Bundle, ItemVersion
from onewindow.catalog.search import (
    RANK_INITIALS_CONTAINS,
    RANK_INITIALS_PREFIX,
    RANK_PINYIN_CONTAINS,
    RANK_PINYIN_PREFIX,
    result_page,
    search_bundles,
    search_items,
)
from onewindow.catalog.services import item_draft, item_draft_update, item_retire
from onewindow.catalog.tests.factories import make_bundle, make_item
from onewindow.core.errors import ValidationFailed
from onewindow.org.constants import DepartmentKind
from onewindow.org.models import Department, Zone

pytestmark = pytest.mark.django_db


def publish(
    zone: Zone,
    department: Department,
    name: str,
    *,
    item_type: str = ItemType.ADMINISTRATIVE_LICENSING,
    handling_kind: str = HandlingKind.PROMISED,
    required_visits: int = 1,
    status: str = VersionStatus.PUBLISHED,
) -> ItemVersion:
    """An item through the services, left in ``status`` (retired: published, then retired)."""
    version = make_item(
        zone,
        department,
        name=name,
        item_type=item_type,
        handling_kind=handling_kind,
        required_visits=required_visits,
        online_depth=OnlineDepth.FULLY_ONLINE if required_visits == 0 else OnlineDepth.ONE_VISIT,
        publish=status != VersionStatus.DRAFT,
    )
    if status == VersionStatus.RETIRED:
        item_retire(item=version.item, actor=None)
        version.refresh_from_db()
    assert version.status == status
    return version


def names(versions) -> list[str]:
    return [version.name for version in versions]


@pytest.fixture
def catalog(zone, department, other_department):
    for name in [
        "食品经营许可",
        "食品经营许可变更",
        "小餐饮食品经营许可",
        "食品生产许可",
        "药品经营许可",
        "视频点播业务许可",
    ]:
        publish(zone, department, name)
    publish(zone, other_department, "建筑工程施工许可", required_visits=0)
    publish(
        zone,
        other_department,
        "竣工验收备案",
        item_type=ItemType.OTHER_POWER,
        handling_kind=HandlingKind.IMMEDIATE,
    )


# -- ranking ------------------------------------------------------------------------------


def test_exact_name_first_then_prefix_then_contains(zone, catalog):
    assert names(search_items(zone=zone, query="食品经营许可")) == [
        "食品经营许可",  # exact
        "食品经营许可变更",  # starts with
        "小餐饮食品经营许可",  # contains
    ]


def test_ties_are_ordered_by_name(zone, catalog):
    found = names(search_items(zone=zone, query="食品"))
    assert found == ["食品生产许可", "食品经营许可", "食品经营许可变更", "小餐饮食品经营许可"]
    assert found[:3] == sorted(found[:3])


def test_any_substring_of_the_name(zone, catalog):
    assert names(search_items(zone=zone, query="经营许可")) == [
        "小餐饮食品经营许可",
        "药品经营许可",
        "食品经营许可",
        "食品经营许可变更",
    ]


def test_pinyin_initials(zone, catalog):
    assert names(search_items(zone=zone, query="spjy")) == [
        "食品经营许可",
        "食品经营许可变更",
        "小餐饮食品经营许可",  # initials xcyspjyxk contain spjy
    ]


def test_pinyin_initials_ignore_case_and_spaces(zone, catalog):
    assert names(search_items(zone=zone, query=" SP JY ")) == names(
        search_items(zone=zone, query="spjy")
    )


def test_full_pinyin(zone, catalog):
    assert names(search_items(zone=zone, query="shipin")) == [
        # the full pinyin starts with it, by name
        "视频点播业务许可",
        "食品生产许可",
        "食品经营许可",
        "食品经营许可变更",
        # the full pinyin contains it
        "小餐饮食品经营许可",
    ]


def test_a_chinese_query_is_not_matched_by_its_sound(zone, catalog):
    # 食品 and 视频 are both "shipin": the characters decide.
    assert "视频点播业务许可" not in names(search_items(zone=zone, query="食品"))


def test_initials_rank_above_full_pinyin(zone, department):
    for name in ["建设工程规划许可", "安全生产许可", "平安年货市场备案", "安宁疗护机构设置"]:
        publish(zone, department, name)
    found = search_items(zone=zone, query="an")
    assert [(version.rank, version.name) for version in found] == [
        (RANK_INITIALS_PREFIX, "安宁疗护机构设置"),  # initials anlhjgsz start with it
        (RANK_INITIALS_CONTAINS, "平安年货市场备案"),  # initials panhscba contain it
        (RANK_PINYIN_PREFIX, "安全生产许可"),  # full pinyin anquan… starts with it
        (RANK_PINYIN_CONTAINS, "建设工程规划许可"),  # full pinyin jianshe… contains it
    ]


def test_latin_letters_in_names_ignore_case(zone, department):
    publish(zone, department, "ICP经营许可")
    assert names(search_items(zone=zone, query="icp经营")) == ["ICP经营许可"]
    assert names(search_items(zone=zone, query="ICP经营许可")) == ["ICP经营许可"]


def test_like_wildcards_are_literal(zone, catalog):
    assert names(search_items(zone=zone, query="%")) == []
    assert names(search_items(zone=zone, query="食品_营")) == []


def test_nothing_found(zone, catalog):
    assert names(search_items(zone=zone, query="外国人")) == []


def test_empty_query_lists_everything_by_department_then_name(
    zone, catalog, department, other_department
):
    other_department.sort_order = 1
    other_department.save(update_fields=["sort_order"])
    department.sort_order = 2
    department.save(update_fields=["sort_order"])
    found = names(search_items(zone=zone, query="  "))
    assert found == [
        "建筑工程施工许可",
        "竣工验收备案",
        "小餐饮食品经营许可",
        "药品经营许可",
        "视频点播业务许可",
        "食品生产许可",
        "食品经营许可",
        "食品经营许可变更",
    ]


# -- filters ------------------------------------------------------------------------------


def test_department_filter(zone, catalog, other_department):
    found = names(search_items(zone=zone, department=other_department))
    assert found == ["建筑工程施工许可", "竣工验收备案"]


def test_department_filter_is_the_organ_itself_not_its_sections(zone, department):
    section = Department.objects.create(
        zone=zone, parent=department, code="SCJG-SP", name="食品科", kind=DepartmentKind.OFFICE
    )
    publish(zone, section, "食品经营许可")
    assert names(search_items(zone=zone, department=department)) == []
    assert names(search_items(zone=zone, department=section)) == ["食品经营许可"]


def test_item_type_filter(zone, catalog):
    assert names(search_items(zone=zone, item_type=ItemType.OTHER_POWER)) == ["竣工验收备案"]
    assert names(search_items(zone=zone, query="许可", item_type=ItemType.PUBLIC_SERVICE)) == []


def test_unknown_item_type_is_refused(zone, catalog):
    with pytest.raises(ValidationFailed) as caught:
        search_items(zone=zone, item_type="99")
    assert caught.value.fields == {"item_type": ["事项类型“99”不存在"]}


def test_fully_online_filter(zone, catalog):
    assert names(search_items(zone=zone, fully_online=True)) == ["建筑工程施工许可"]
    assert "建筑工程施工许可" not in names(search_items(zone=zone, fully_online=False))
    assert len(search_items(zone=zone, fully_online=False)) == 7


def test_immediate_filter(zone, catalog):
    assert names(search_items(zone=zone, immediate=True)) == ["竣工验收备案"]
    assert len(search_items(zone=zone, immediate=False)) == 7


def test_filters_combine_with_the_query(zone, catalog, department):
    found = search_items(zone=zone, query="许可", department=department, immediate=False)
    assert "建筑工程施工许可" not in names(found)
    assert len(found) == 6


# -- what never appears -------------------------------------------------------------------


def test_drafts_and_retired_versions_never_appear(zone, department):
    publish(zone, department, "食品经营许可（草稿）", status=VersionStatus.DRAFT)
    publish(zone, department, "食品经营许可（停用）", status=VersionStatus.RETIRED)
    published = publish(zone, department, "食品经营许可")
    assert list(search_items(zone=zone, query="食品")) == [published]
    assert list(search_items(zone=zone)) == [published]
    assert list(search_items(zone=zone, query="spjy")) == [published]


def test_a_published_items_new_draft_does_not_appear(zone, department):
    published = publish(zone, department, "食品经营许可")
    draft = item_draft(item=published.item, actor=None)
    item_draft_update(version=draft, elements={"name": "食品经营许可（修订稿）"}, actor=None)
    assert list(search_items(zone=zone, query="修订稿")) == []
    assert list(search_items(zone=zone, query="食品")) == [published]


def test_only_the_zones_items(zone, department):
    other_zone = Zone.objects.create(code="BQ", name="另一开发区", division_code="320193")
    other = Department.objects.create(
        zone=other_zone, code="SCJG", name="市场监督管理局", kind=DepartmentKind.FUNCTIONAL
    )
    publish(other_zone, other, "食品经营许可")
    mine = publish(zone, department, "食品生产许可")
    assert list(search_items(zone=zone, query="食品")) == [mine]
    assert list(search_items(zone=zone)) == [mine]


# -- guards and queries -------------------------------------------------------------------


def test_query_of_fifty_characters_is_accepted(zone, catalog):
    assert list(search_items(zone=zone, query="食" * 50)) == []


def test_query_too_long(zone):
    with pytest.raises(ValidationFailed) as caught:
        search_items(zone=zone, query="食" * 51)
    assert caught.value.code == "query_too_long"
    assert caught.value.fields == {"q": ["搜索词最多 50 个字，现为 51 个字"]}


@pytest.mark.parametrize("query", ["", "食品", "spjy"])
def test_one_query_whatever_the_number_of_results(zone, catalog, django_assert_num_queries, query):
    with django_assert_num_queries(1):
        for version in search_items(zone=zone, query=query):
            assert version.department.name
            assert version.item.implementation_code


# -- bundles ------------------------------------------------------------------------------


def make_named_bundle(zone, department, code, name, publish=True) -> Bundle:
    items = [version.item for version in (make_item(zone, department), make_item(zone, department))]
    return make_bundle(zone, department, items=items, code=code, name=name, publish=publish)


@pytest.fixture
def bundles(zone, department):
    make_named_bundle(zone, department, "foreigner-work", "外国人来华工作一件事")
    make_named_bundle(zone, department, "restaurant", "开餐馆一件事")
    make_named_bundle(zone, department, "company", "开办企业一件事")
    make_named_bundle(zone, department, "draft", "外国人就业一件事", publish=False)


def test_bundles_by_name(zone, bundles):
    assert names(search_bundles(zone=zone, query="外国人")) == ["外国人来华工作一件事"]
    assert names(search_bundles(zone=zone, query="开")) == ["开办企业一件事", "开餐馆一件事"]


def test_bundles_by_pinyin(zone, bundles):
    assert names(search_bundles(zone=zone, query="kcg")) == ["开餐馆一件事"]
    assert names(search_bundles(zone=zone, query="waiguoren")) == ["外国人来华工作一件事"]


def test_bundles_empty_query_lists_the_published_by_name(zone, bundles):
    assert names(search_bundles(zone=zone)) == [
        "外国人来华工作一件事",
        "开办企业一件事",
        "开餐馆一件事",
    ]


def test_bundle_query_too_long(zone):
    with pytest.raises(ValidationFailed) as caught:
        search_bundles(zone=zone, query="x" * 51)
    assert list(caught.value.fields) == ["q"]


# -- result pages -------------------------------------------------------------------------


def test_result_pages(zone, catalog):
    results = search_items(zone=zone, query="许可")
    every = names(results)
    assert len(every) == 7
    first = result_page(results, page=1, page_size=3)
    assert (first.count, names(first.results)) == (7, every[:3])
    last = result_page(results, page=3, page_size=3)
    assert (last.count, names(last.results)) == (7, every[6:])
    past = result_page(results, page=4, page_size=3)
    assert (past.count, past.results) == (7, [])


def test_result_page_of_nothing(zone, catalog):
    page = result_page(search_items(zone=zone, query="外国人"), page=1, page_size=20)
    assert (page.count, page.results) == (0, [])


def test_result_page_keeps_the_rank(zone, catalog):
    page = result_page(search_items(zone=zone, query="食品经营许可"), page=1, page_size=2)
    assert [(version.rank, version.name) for version in page.results] == [
        (0, "食品经营许可"),
        (1, "食品经营许可变更"),
    ]


@pytest.mark.parametrize("query", ["", "食品", "spjy"])
def test_result_page_in_two_queries(zone, catalog, django_assert_num_queries, query):
    with django_assert_num_queries(2):
        page = result_page(search_items(zone=zone, query=query), page=1, page_size=3)
        for version in page.results:
            assert version.department.name
            assert version.item.implementation_code
