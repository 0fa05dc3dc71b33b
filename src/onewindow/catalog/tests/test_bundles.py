"""Bundles (一件事): the merged material list, the savings, saving and publishing."""

from __future__ import annotations

import pytest
from django.db.models import Prefetch

from onewindow.catalog.bundles import MergedMaterial, bundle_savings, merge_materials
from onewindow.catalog.constants import VersionStatus
from onewindow.catalog.models import Bundle, BundleItem, ItemVersion, Material
from onewindow.catalog.services import bundle_publish, bundle_save, bundle_withdraw, item_retire
from onewindow.catalog.tests.factories import (
    make_bundle,
    make_certificate_type,
    make_item,
    material,
)
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.core.models import AuditEvent
from onewindow.testing import worlds

pytestmark = pytest.mark.django_db


def fetched(*versions: ItemVersion) -> list[ItemVersion]:
    """The versions as a page fetches them: materials prefetched, nothing else queried."""
    by_pk = ItemVersion.objects.prefetch_related(
        Prefetch("materials", queryset=Material.objects.order_by("position"))
    ).in_bulk([v.pk for v in versions])
    return [by_pk[v.pk] for v in versions]


@pytest.fixture
def work_permit_and_residence(zone, department, other_department):
    """外国人来华工作一件事: the two items share the passport and the photo."""
    passport = make_certificate_type(code="11100000MB0000002B001", name="护照")
    work = make_item(
        zone,
        department,
        name="外国人来华工作许可",
        promised_limit_days=10,
        materials=[
            material("申请表", originals=1),
            material("护照", source="certificate", certificate_type=passport, copies=1),
            material("照片", originals=1, tolerable=True, commitment_allowed=True),
            material("工作资历证明", required=True),
        ],
    )
    residence = make_item(
        zone,
        other_department,
        name="外国人居留许可",
        item_type="20",
        promised_limit_days=7,
        required_visits=2,
        online_depth="2",
        materials=[
            material("居留许可申请表", originals=1),
            material(
                "护照原件及复印件",
                source="certificate",
                certificate_type=passport,
                originals=1,
                copies=2,
                medium="paper",
            ),
            material("照 片", originals=2, tolerable=True),
            material("体检证明", required=False),
        ],
    )
    return work, residence


# --- merge ------------------------------------------------------------------------------


def test_same_material_is_asked_once(work_permit_and_residence, django_assert_num_queries):
    work, residence = fetched(*work_permit_and_residence)

    with django_assert_num_queries(0):
        merged = merge_materials([work, residence])

    assert [m.name for m in merged] == [
        "申请表",
        "护照",
        "照片",
        "工作资历证明",
        "居留许可申请表",
        "体检证明",
    ]
    passport = merged[1]
    assert isinstance(passport, MergedMaterial)
    assert passport.item_names == ["外国人来华工作许可", "外国人居留许可"]
    assert [m.name for m in passport.materials] == ["护照", "护照原件及复印件"]
    assert (passport.originals, passport.copies) == (1, 2)  # the most any item asks
    assert passport.source == "certificate"
    assert passport.certificate_type_id is not None
    assert passport.medium == "paper"  # the stricter medium
    assert passport.shared


def test_names_differing_only_by_whitespace_merge(work_permit_and_residence):
    merged = merge_materials(fetched(*work_permit_and_residence))

    photo = merged[2]
    assert photo.key == "name:照片"
    assert photo.item_names == ["外国人来华工作许可", "外国人居留许可"]
    assert photo.originals == 2
    assert photo.tolerable  # both tolerate it
    assert not photo.commitment_allowed  # one item does not take a commitment


def test_required_if_any_item_requires_it(zone, department, other_department):
    a = make_item(zone, department, name="甲", materials=[material("租赁合同", required=False)])
    b = make_item(zone, other_department, name="乙", materials=[material("租赁合同")])
    c = make_item(zone, department, name="丙", materials=[material("租赁合同", required=False)])

    [both] = merge_materials(fetched(a, b))
    [neither] = merge_materials(fetched(a, c))

    assert both.required and both.item_names == ["甲", "乙"]
    assert not neither.required


def test_the_applicant_brings_it_if_any_item_needs_it_brought(zone, department):
    licence = make_certificate_type()
    a = make_item(
        zone,
        department,
        name="甲",
        materials=[material("营业执照", source="certificate", certificate_type=licence)],
    )
    b = make_item(
        zone,
        department,
        name="乙",
        materials=[material("营业执照副本", source="applicant", certificate_type=licence)],
    )

    [merged] = merge_materials(fetched(a, b))

    assert merged.source == "applicant"
    assert merged.get_source_display() == "申请人自备"


def test_different_materials_stay_apart(zone, department):
    a = make_item(zone, department, name="甲", materials=["申请书"])
    b = make_item(zone, department, name="乙", materials=["申请表"])

    assert [m.name for m in merge_materials(fetched(a, b))] == ["申请书", "申请表"]


# --- savings ----------------------------------------------------------------------------


def test_savings_are_computed(zone, department, work_permit_and_residence):
    work, residence = work_permit_and_residence
    bundle = make_bundle(
        zone,
        department,
        items=[work.item, residence.item],
        promised_limit_days=4,
        required_visits=1,
    )

    savings = bundle_savings(bundle, fetched(work, residence))

    assert (savings.visits_separately, savings.visits_bundle, savings.visits_saved) == (3, 1, 2)
    assert (savings.materials_separately, savings.materials_bundle) == (8, 6)
    assert savings.materials_saved == 2
    assert (savings.days_separately, savings.days_bundle, savings.days_saved) == (17, 4, 13)


# --- bundle_save --------------------------------------------------------------------------


FORM = [
    {"key": "company_name", "label": "企业名称", "type": "text", "required": True},
    {"key": "employees", "label": "员工人数", "type": "number"},
    {"key": "kind", "label": "经营类别", "type": "select", "options": ["热食", "冷食"]},
]


def test_save_creates_and_edits_a_draft(zone, department, other_department, administrator):
    a = make_item(zone, department, name="食品经营许可")
    b = make_item(zone, department, name="公共场所卫生许可")
    c = make_item(zone, department, name="户外广告设置许可")

    bundle = make_bundle(
        zone, department, items=[a.item, b.item], name="开餐馆一件事", form_fields=FORM
    )

    assert (bundle.code, bundle.status) == ("test-bundle", VersionStatus.DRAFT)
    assert (bundle.name_pinyin, bundle.name_initials) == ("kaicanguanyijianshi", "kcgyjs")
    assert bundle.form_fields[1] == {
        "key": "employees",
        "label": "员工人数",
        "type": "number",
        "required": False,
    }
    assert bundle.form_fields[2]["options"] == ["热食", "冷食"]

    edited = bundle_save(
        zone=zone,
        code="test-bundle",
        name="开餐馆一件事",
        lead_department=other_department,
        promised_limit_days=5,
        required_visits=1,
        items=[c.item, a.item],
        description=" 一次申请 ",
        actor=administrator,
    )

    assert edited.pk == bundle.pk
    assert edited.lead_department == other_department and edited.description == "一次申请"
    assert list(BundleItem.objects.filter(bundle=bundle).values_list("item", "position")) == [
        (c.item.pk, 1),
        (a.item.pk, 2),
    ]
    assert list(
        AuditEvent.objects.filter(action__startswith="catalog.bundle").values_list(
            "action", flat=True
        )
    ) == ["catalog.bundle_created", "catalog.bundle_updated"]


def save_refused(zone, department, **overrides) -> dict[str, list[str]]:
    arguments = {
        "zone": zone,
        "code": "test",
        "name": "测试一件事",
        "lead_department": department,
        "promised_limit_days": 3,
        "required_visits": 1,
        "items": [],
        "actor": None,
    } | overrides
    with pytest.raises(ValidationFailed) as caught:
        bundle_save(**arguments)
    assert not Bundle.objects.exists()
    return caught.value.fields


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"code": "Kai Canguan"},
            {
                "code": [
                    "一件事编码应以小写字母或数字开头，只含小写字母、数字、下划线或连字符，最长40位"
                ]
            },
        ),
        ({"name": "  "}, {"name": ["一件事名称不能为空"]}),
        ({"name": "长" * 201}, {"name": ["一件事名称不能超过200字"]}),
        ({"promised_limit_days": -1}, {"promised_limit_days": ["承诺办结时限应为不小于0的整数"]}),
        ({"required_visits": "1"}, {"required_visits": ["到办事现场次数应为不小于0的整数"]}),
        (
            {"form_fields": [{"key": "Name", "label": "名称"}]},
            {
                "form_fields": [
                    "第1个表单字段的编码“Name”应以小写字母开头，只含小写字母、数字或下划线"
                ]
            },
        ),
        (
            {"form_fields": [{"key": "a", "label": "甲"}, {"key": "a", "label": ""}]},
            {"form_fields": ["表单字段编码“a”重复", "第2个表单字段的名称不能为空"]},
        ),
        (
            {"form_fields": [{"key": "a", "label": "甲", "type": "file"}]},
            {
                "form_fields": [
                    "第1个表单字段的类型“file”无效（应为 text、textarea、number、date、select）"
                ]
            },
        ),
        (
            {"form_fields": [{"key": "a", "label": "甲", "type": "select"}]},
            {"form_fields": ["第1个表单字段为下拉选择，应列出选项"]},
        ),
        ({"form_fields": ["a"]}, {"form_fields": ["第1个表单字段应为字段表"]}),
    ],
)
def test_save_field_rules(zone, department, overrides, expected):
    assert save_refused(zone, department, **overrides) == expected


def test_save_refuses_items_and_departments_of_another_zone(zone, department):
    organ = worlds.department_elsewhere()
    foreign = make_item(organ.zone, organ, name="外区事项")
    own = make_item(zone, department, name="本区事项")

    fields = save_refused(
        zone, department, lead_department=organ, items=[own.item, foreign.item, own.item]
    )

    assert fields == {
        "lead_department": ["牵头部门不属于该开发区"],
        "items": [
            f"事项“{foreign.item.implementation_code}”不属于该开发区",
            f"事项“{own.item.implementation_code}”重复",
        ],
    }


def test_published_bundle_is_edited_only_after_withdrawal(zone, department):
    a = make_item(zone, department, name="甲")
    b = make_item(zone, department, name="乙")
    bundle = make_bundle(zone, department, items=[a.item, b.item], publish=True)

    with pytest.raises(Conflict) as caught:
        make_bundle(zone, department, items=[a.item, b.item], name="改名")
    assert caught.value.message == "已发布的一件事不可修改，请先撤回为草稿"

    withdrawn = bundle_withdraw(bundle=bundle, actor=None)
    assert (withdrawn.status, withdrawn.published_at) == (VersionStatus.DRAFT, None)
    renamed = make_bundle(zone, department, items=[a.item, b.item], name="改名")
    assert renamed.name == "改名"
    with pytest.raises(Conflict) as caught:
        bundle_withdraw(bundle=renamed, actor=None)
    assert caught.value.message == "该一件事尚未发布"


# --- bundle_publish -------------------------------------------------------------------


def publish_refused(bundle) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        bundle_publish(bundle=bundle, actor=None)
    bundle.refresh_from_db()
    assert bundle.status == VersionStatus.DRAFT
    return caught.value.fields


def test_publish(zone, department):
    a = make_item(zone, department, name="甲", promised_limit_days=3)
    b = make_item(zone, department, name="乙", promised_limit_days=3)
    bundle = make_bundle(zone, department, items=[a.item, b.item], promised_limit_days=6)

    published = bundle_publish(bundle=bundle, actor=None)

    assert published.status == VersionStatus.PUBLISHED and published.published_at
    assert AuditEvent.objects.filter(action="catalog.bundle_published").count() == 1
    with pytest.raises(Conflict) as caught:
        bundle_publish(bundle=bundle, actor=None)
    assert caught.value.message == "该一件事已发布"


def test_publish_needs_two_items(zone, department):
    a = make_item(zone, department, name="甲")

    assert publish_refused(make_bundle(zone, department, items=[a.item])) == {
        "items": ["一件事至少需要包含两个事项"]
    }


def test_publish_needs_published_items(zone, department):
    a = make_item(zone, department, name="甲")
    b = make_item(zone, department, name="乙", publish=False)
    c = make_item(zone, department, name="丙")
    item_retire(item=c.item, actor=None)

    fields = publish_refused(make_bundle(zone, department, items=[a.item, b.item, c.item]))

    assert fields == {
        "items": [
            f"事项“{b.item.implementation_code}”没有已发布的版本",
            f"事项“{c.item.implementation_code}”没有已发布的版本",
        ]
    }


def test_bundle_limit_at_most_the_items_one_after_another(zone, department):
    a = make_item(zone, department, name="甲", promised_limit_days=3)
    b = make_item(zone, department, name="乙", promised_limit_days=4)

    fields = publish_refused(
        make_bundle(zone, department, items=[a.item, b.item], promised_limit_days=8)
    )

    assert fields == {
        "promised_limit_days": [
            "一件事的承诺办结时限（8个工作日）不能超过各事项承诺时限之和（7个工作日）"
        ]
    }


def test_bundle_limit_zero_only_for_immediate_items(zone, department):
    a = make_item(zone, department, name="甲", handling_kind="immediate")
    b = make_item(zone, department, name="乙", handling_kind="immediate")
    c = make_item(zone, department, name="丙", promised_limit_days=3)

    assert (
        bundle_publish(
            bundle=make_bundle(
                zone, department, items=[a.item, b.item], code="quick", promised_limit_days=0
            ),
            actor=None,
        ).status
        == VersionStatus.PUBLISHED
    )
    assert publish_refused(
        make_bundle(zone, department, items=[a.item, c.item], promised_limit_days=0)
    ) == {
        "promised_limit_days": ["一件事的承诺办结时限应至少为1个工作日（只有全部为即办件时可为0）"]
    }


def test_bundle_visits(zone, department):
    online = {"required_visits": 0, "online_depth": "4"}
    a = make_item(zone, department, name="甲", **online)
    b = make_item(zone, department, name="乙", **online)
    c = make_item(zone, department, name="丙")

    assert publish_refused(
        make_bundle(zone, department, items=[a.item, b.item], required_visits=1)
    ) == {"required_visits": ["一件事的到办事现场次数（1次）不能超过各事项之和（0次）"]}
    assert publish_refused(
        make_bundle(zone, department, items=[a.item, c.item], code="b2", required_visits=0)
    ) == {"required_visits": ["只有全部事项均为全程网办时，一件事的到办事现场次数才可为0"]}
    fully_online = make_bundle(
        zone, department, items=[a.item, b.item], code="b3", required_visits=0
    )
    assert bundle_publish(bundle=fully_online, actor=None).status == VersionStatus.PUBLISHED
