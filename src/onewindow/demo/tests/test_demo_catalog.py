"""The demo catalog: enough plausible items, every item the issue names, valid codes and
workflows, the five bundles, and materials a bundle asks for once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from onewindow.catalog.bundles import merge_materials
from onewindow.catalog.codes import validate_item_codes
from onewindow.catalog.constants import HandlingKind, MaterialSource, StepKind, VersionStatus
from onewindow.catalog.models import Bundle, Item, ItemVersion, Material
from onewindow.catalog.search import search_catalog
from onewindow.catalog.workflow import StepSpec, validate_workflow
from onewindow.certificates.models import CertificateType
from onewindow.demo.catalog_data import (
    BUNDLE_SEARCH_TERMS,
    BUNDLES,
    CHANGE_NOTE,
    ITEMS,
    SEARCH_TERMS,
)
from onewindow.demo.org_data import ZONE_CODE
from onewindow.org.models import Zone

pytestmark = pytest.mark.django_db

# Every item issue 3 names. "供水供气报装" is two items in the demo, as the utilities
# take them separately: 供水报装 and 供气报装 (both in 管线报装一件事).
NAMED_ITEMS = [
    "企业设立登记",
    "食品经营许可",
    "外国人来华工作许可",
    "外国人居留许可",
    "建设项目用地预审与选址意见书",
    "建设用地规划许可",
    "建设工程规划许可",
    "施工图设计文件审查",
    "建筑工程施工许可",
    "竣工验收备案",
    "消防设计审查",
    "环境影响评价审批",
    "环评登记表备案",
    "节能审查",
    "占用挖掘道路许可",
    "城市绿化许可",
    "排水许可",
    "供水报装",
    "供气报装",
]

BUNDLE_ITEMS = {
    "外国人来华工作一件事": {"外国人来华工作许可", "外国人居留许可"},
    "开办企业一件事": {
        "企业设立登记",
        "公章刻制备案",
        "税务登记信息确认",
        "发票领用",
        "社会保险登记",
        "单位医疗保险参保登记",
        "住房公积金单位缴存登记",
    },
    "开餐馆一件事": {
        "企业设立登记",
        "食品经营许可",
        "户外广告设置许可",
        "排水许可",
        "公众聚集场所投入使用、营业前消防安全检查",
    },
    "管线报装一件事": {"供水报装", "供气报装", "排水许可", "占用挖掘道路许可", "城市绿化许可"},
    "企业注销一件事": {
        "税务注销（清税证明开具）",
        "企业注销登记",
        "社会保险注销登记",
        "单位医疗保险注销登记",
        "住房公积金单位缴存注销登记",
        "报关单位备案注销",
    },
}


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The demo built once for this module (loading takes seconds), rolled back after it.

    Each test still runs in its own transaction (a savepoint inside this one), so what a
    test writes is undone before the next.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        # the catalog alone: cases, appeals and policies have their own tests
        call_command("demo", cases=0, appeals=0, policies=False, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def published():
    return ItemVersion.objects.filter(
        item__zone__code=ZONE_CODE, status=VersionStatus.PUBLISHED
    ).select_related("item", "department")


def bundle_versions(bundle: Bundle) -> list[ItemVersion]:
    return list(
        ItemVersion.objects.filter(
            item__in=bundle.items.all(), status=VersionStatus.PUBLISHED
        ).prefetch_related("materials")
    )


def test_at_least_60_published_items_across_the_departments(demo_output):
    versions = list(published())
    assert len(versions) >= 60
    assert len(versions) == len(ITEMS)
    per_department = Counter(version.department.code for version in versions)
    assert len(per_department) >= 14
    types = Counter(version.item_type for version in versions)
    assert types["01"] > len(versions) / 2  # mostly 行政许可
    assert {"05", "07", "10", "20"} <= set(types)
    assert f"已发布 {len(versions)} 个事项、5 个“一件事”" in demo_output


def test_every_item_the_issue_names_is_published(demo_output):
    names = set(published().values_list("name", flat=True))
    assert [name for name in NAMED_ITEMS if name not in names] == []
    assert len(names) == len(ITEMS)  # names are unique in the demo catalog


def test_every_item_code_is_valid_and_says_it_is_demo_data(demo_output):
    versions = list(published())
    for version in versions:
        item = version.item
        assert validate_item_codes(
            implementation_code=item.implementation_code,
            basic_code=item.basic_code,
            item_type=version.item_type,
            organ_uscc=version.department.uscc,
        ) == (item.implementation_code, item.basic_code)
        assert version.change_note == CHANGE_NOTE
        assert version.legal_basis and version.legal_citations
        assert version.promised_limit_days <= version.legal_limit_days
    assert len({version.item.basic_code for version in versions}) == len(versions)


def test_every_workflow_is_valid(demo_output):
    parallel = []
    for version in published().prefetch_related("steps"):
        plan = validate_workflow(
            [StepSpec.of(step) for step in version.steps.all()],
            promised_limit_days=version.promised_limit_days,
            handling_kind=version.handling_kind,
        )
        if version.handling_kind == HandlingKind.IMMEDIATE:
            assert len(plan.order) == 1 and version.promised_limit_days == 0
        if any(len(level) > 1 for level in plan.levels):
            parallel.append(version.name)
    assert {"消防设计审查", "施工图设计文件审查", "建筑工程施工许可", "食品经营许可"} <= set(
        parallel
    )


def test_the_catalog_exercises_every_element(demo_output):
    versions = list(published())
    immediate = [v.name for v in versions if v.handling_kind == HandlingKind.IMMEDIATE]
    assert {"公章刻制备案", "环评登记表备案", "占用挖掘道路许可"} <= set(immediate)
    assert sum(v.required_visits == 0 for v in versions) >= 20  # 全程网办
    assert all(v.online_depth == "4" for v in versions if v.required_visits == 0)
    assert {v.name for v in versions if not v.fee_free} >= {"外国人居留许可", "普通护照签发"}
    delegated = [v for v in versions if v.delegated_from_level]
    assert {"外国人来华工作许可", "环境影响评价审批"} <= {v.name for v in delegated}
    assert all(v.delegation_status == "accepted" for v in delegated)
    materials = Material.objects.filter(version__in=versions)
    assert materials.filter(tolerable=True).exists()
    food = materials.filter(version__name="食品经营许可")
    assert food.filter(commitment_allowed=True).count() >= 2
    assert materials.filter(source=MaterialSource.CERTIFICATE).count() >= 40
    assert materials.filter(source=MaterialSource.DEPARTMENT).exists()
    windows = {w.code for v in versions for w in v.windows.all()}
    assert {"A01", "A03", "B01", "B02"} <= windows


def test_certificate_types(demo_output):
    types = {t.name: t for t in CertificateType.objects.select_related("issuing_department")}
    assert types["营业执照"].validity == CertificateType.Validity.PERMANENT
    assert types["食品经营许可证"].validity_years == 5
    for certificate_type in types.values():
        certificate_type.full_clean()
        assert certificate_type.code[:-3] == certificate_type.issuing_department.uscc
        assert certificate_type.fields and all(
            set(f) == {"key", "label", "type"} for f in certificate_type.fields
        )
    issued = published().filter(certificate_type__isnull=False)
    assert {v.certificate_type.name for v in issued} >= {
        "营业执照",
        "食品经营许可证",
        "外国人工作许可证",
        "外国人居留许可",
        "建设用地规划许可证",
        "建设工程规划许可证",
        "建筑工程施工许可证",
        "排水许可证",
        "特殊建设工程消防设计审查意见书",
        "建设项目环境影响评价批复",
    }


def test_the_five_bundles_are_published_with_their_items(demo_output):
    bundles = {b.name: b for b in Bundle.objects.filter(zone__code=ZONE_CODE)}
    assert set(bundles) == set(BUNDLE_ITEMS) == {spec.name for spec in BUNDLES}
    for name, bundle in bundles.items():
        assert bundle.status == VersionStatus.PUBLISHED
        assert {v.name for v in bundle_versions(bundle)} == BUNDLE_ITEMS[name]
        assert bundle.form_fields and bundle.lead_department.zone.code == ZONE_CODE
        assert CHANGE_NOTE in bundle.description
    assert bundles["外国人来华工作一件事"].promised_limit_days == 4
    assert bundles["开办企业一件事"].promised_limit_days == 1
    assert bundles["开办企业一件事"].required_visits == 0


def test_a_bundle_asks_for_a_shared_material_once(demo_output):
    restaurant = Bundle.objects.get(zone__code=ZONE_CODE, name="开餐馆一件事")
    merged = merge_materials(bundle_versions(restaurant))
    licences = [line for line in merged if line.name == "营业执照"]
    assert len(licences) == 1
    assert len(licences[0].item_names) == 4  # every item but the one that issues it
    assert licences[0].source == MaterialSource.CERTIFICATE
    layout = next(line for line in merged if line.name == "经营场所平面布局图")
    assert layout.shared and not layout.commitment_allowed  # 消防检查 wants the drawing

    foreigner = Bundle.objects.get(zone__code=ZONE_CODE, name="外国人来华工作一件事")
    merged = merge_materials(bundle_versions(foreigner))
    passport = next(line for line in merged if line.name == "护照")
    assert passport.shared and passport.originals == 1 and passport.copies == 1
    names = [line.name for line in merged]
    assert len(names) == len(set(names))
    assert sum(line.shared for line in merged) >= 4


def test_running_twice_adds_nothing(demo_output):
    counts = (ItemVersion.objects.count(), Bundle.objects.count(), Material.objects.count())
    types = CertificateType.objects.count()
    steps = ItemVersion.objects.filter(steps__kind=StepKind.DECISION).count()

    again = StringIO()
    call_command("demo", cases=0, appeals=0, policies=False, stdout=again)

    assert again.getvalue() == demo_output
    assert (ItemVersion.objects.count(), Bundle.objects.count(), Material.objects.count()) == (
        counts
    )
    assert CertificateType.objects.count() == types
    assert ItemVersion.objects.filter(steps__kind=StepKind.DECISION).count() == steps


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # the everyday searches issue 14 found nothing for
        ("营业执照", {("item", "企业设立登记"), ("item", "个体工商户设立登记")}),
        ("开公司", {("bundle", "开办企业一件事"), ("item", "企业设立登记")}),
        ("办执照", {("bundle", "开办企业一件事"), ("item", "企业设立登记")}),
        ("社保", {("item", "社会保险登记"), ("item", "社会保险注销登记")}),
        ("work permit", {("bundle", "外国人来华工作一件事"), ("item", "外国人来华工作许可")}),
        ("药品经营许可(零售)", {("item", "药品经营许可（零售）")}),
        ("ｓｐｊｙ", {("item", "食品经营许可")}),
    ],
)
def test_the_words_people_type_find_the_demo_services(demo_output, query, expected):
    zone = Zone.objects.get(code=ZONE_CODE)
    found = search_catalog(zone=zone, query=query).page(page=1, page_size=50).results
    assert expected <= {(hit.kind, hit.name) for hit in found}


def test_the_colloquial_name_puts_the_bundle_first(demo_output):
    zone = Zone.objects.get(code=ZONE_CODE)
    found = search_catalog(zone=zone, query="开公司").page(page=1, page_size=5).results
    assert (found[0].kind, found[0].name) == ("bundle", "开办企业一件事")


def test_every_search_term_names_a_demo_item_or_bundle(demo_output):
    assert set(SEARCH_TERMS) <= {spec.name for spec in ITEMS}
    assert set(BUNDLE_SEARCH_TERMS) <= {spec.code for spec in BUNDLES}
    social = Item.objects.get(zone__code=ZONE_CODE, versions__name="社会保险登记")
    assert "社保" in social.search_terms.splitlines()
