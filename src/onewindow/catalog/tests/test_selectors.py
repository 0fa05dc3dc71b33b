"""The guide readers: which version the public sees, and every row a guide shows in a
fixed number of queries."""

from __future__ import annotations

import pytest

from onewindow.catalog.constants import MaterialSource, VersionStatus
from onewindow.catalog.selectors import bundle_guide, filter_department, item_guide
from onewindow.catalog.services import item_draft, item_publish, item_retire
from onewindow.catalog.tests.factories import make_bundle, make_certificate_type, make_item
from onewindow.core.errors import NotFound, ValidationFailed
from onewindow.org.constants import DepartmentKind
from onewindow.org.models import Department, Zone

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_zone(db) -> Zone:
    return Zone.objects.create(code="BQ", name="另一开发区", division_code="320193")


@pytest.fixture
def full_item(zone, department, other_department, window):
    """An item with every related row a guide shows."""
    licence = make_certificate_type()
    steps = [
        {"key": "accept", "name": "受理", "kind": "acceptance", "role": "window_clerk",
         "limit_days": 1, "department": department},
        {"key": "review", "name": "审查", "kind": "review", "role": "reviewer",
         "limit_days": 2, "after": ["accept"], "department": other_department},
        {"key": "decide", "name": "决定", "kind": "decision", "role": "decider",
         "limit_days": 1, "after": ["review"], "department": department},
    ]  # fmt: skip
    return make_item(
        zone,
        department,
        name="食品经营许可",
        promised_limit_days=4,
        materials=[
            {"name": "食品经营许可申请书", "originals": 1},
            {"name": "营业执照", "source": MaterialSource.CERTIFICATE, "certificate_type": licence},
            {
                "name": "健康证明",
                "source": MaterialSource.DEPARTMENT,
                "source_department": other_department,
                "tolerable": True,
            },
        ],
        steps=steps,
        windows=[window],
        certificate_type=licence,
    )


def touch_guide(version) -> None:
    """Read everything a guide page or the API shows."""
    assert version.item.implementation_code
    assert version.department.name
    assert version.certificate_type is None or version.certificate_type.name
    for material in version.materials.all():
        assert material.certificate_type is None or material.certificate_type.name
        assert material.source_department is None or material.source_department.name
    for step in version.steps.all():
        assert step.department is None or step.department.name
    for window in version.windows.all():
        assert window.name


# -- item_guide ---------------------------------------------------------------------------


def test_item_guide_is_the_published_version(zone, full_item):
    guide = item_guide(zone=zone, code=full_item.item.implementation_code)
    assert guide == full_item
    assert guide.status == VersionStatus.PUBLISHED
    assert [m.name for m in guide.materials.all()] == ["食品经营许可申请书", "营业执照", "健康证明"]
    assert [s.key for s in guide.steps.all()] == ["accept", "review", "decide"]


def test_item_guide_code_is_trimmed_and_case_insensitive(zone, full_item):
    code = full_item.item.implementation_code
    assert item_guide(zone=zone, code=f" {code.lower()} ") == full_item


def test_item_guide_in_four_queries(zone, full_item, django_assert_num_queries):
    # the version with item, department and certificate type; materials; steps; windows
    with django_assert_num_queries(4):
        touch_guide(item_guide(zone=zone, code=full_item.item.implementation_code))


def test_item_guide_queries_do_not_grow_with_the_guide(
    zone, department, other_department, window, django_assert_num_queries
):
    licences = [
        make_certificate_type(code=f"11100000MB0000001A{n:03d}", name=f"证照{n}") for n in range(6)
    ]
    materials = [
        {"name": f"证照{n}", "source": MaterialSource.CERTIFICATE, "certificate_type": licence}
        for n, licence in enumerate(licences)
    ] + [
        {
            "name": f"共享材料{n}",
            "source": MaterialSource.DEPARTMENT,
            "source_department": other_department,
        }
        for n in range(6)
    ]
    big = make_item(zone, department, materials=materials, windows=[window])
    with django_assert_num_queries(4):
        touch_guide(item_guide(zone=zone, code=big.item.implementation_code))


def test_item_guide_after_a_new_version(zone, department):
    first = make_item(zone, department, name="食品经营许可")
    draft = item_draft(item=first.item, actor=None)
    # the draft is not public
    assert item_guide(zone=zone, code=first.item.implementation_code) == first
    with pytest.raises(NotFound) as caught:
        item_guide(zone=zone, code=first.item.implementation_code, version=draft.version)
    assert caught.value.code == "item_version_not_found"
    assert list(caught.value.fields) == ["version"]
    # published, it replaces the first; the first stays readable by number
    second = item_publish(version=draft, actor=None)
    code = first.item.implementation_code
    assert item_guide(zone=zone, code=code) == second
    assert item_guide(zone=zone, code=code, version=2) == second
    old = item_guide(zone=zone, code=code, version=1)
    assert (old.pk, old.status) == (first.pk, VersionStatus.RETIRED)


def test_item_guide_unknown_version(zone, full_item):
    with pytest.raises(NotFound) as caught:
        item_guide(zone=zone, code=full_item.item.implementation_code, version=9)
    code = full_item.item.implementation_code
    assert caught.value.fields == {"version": [f"事项 {code} 没有可公开的第 9 版"]}


def test_item_guide_unknown_code(zone, full_item):
    with pytest.raises(NotFound) as caught:
        item_guide(zone=zone, code="NOPE")
    assert caught.value.code == "item_not_found"
    assert caught.value.fields == {"code": ["事项 NOPE 不存在或未发布"]}


def test_an_item_only_drafted_has_no_guide(zone, department):
    draft = make_item(zone, department, publish=False)
    with pytest.raises(NotFound):
        item_guide(zone=zone, code=draft.item.implementation_code)
    with pytest.raises(NotFound):
        item_guide(zone=zone, code=draft.item.implementation_code, version=1)


def test_a_retired_item_is_readable_only_by_version(zone, department):
    version = make_item(zone, department)
    item_retire(item=version.item, actor=None)
    with pytest.raises(NotFound):
        item_guide(zone=zone, code=version.item.implementation_code)
    assert item_guide(zone=zone, code=version.item.implementation_code, version=1) == version


def test_another_zones_item_is_not_found(zone, other_zone, full_item):
    with pytest.raises(NotFound):
        item_guide(zone=other_zone, code=full_item.item.implementation_code)


# -- filter_department --------------------------------------------------------------------


def test_filter_department(zone, department):
    assert filter_department(zone=zone, code=None) is None
    assert filter_department(zone=zone, code="  ") is None
    assert filter_department(zone=zone, code="SCJG") == department
    assert filter_department(zone=zone, code="scjg") == department


@pytest.mark.parametrize("code", ["NOPE", "SCJG-X"])
def test_filter_department_unknown(zone, department, code):
    with pytest.raises(ValidationFailed) as caught:
        filter_department(zone=zone, code=code)
    assert caught.value.code == "unknown_department"
    assert caught.value.fields == {"department": [f"部门“{code}”不存在"]}


def test_filter_department_of_another_zone(zone, other_zone):
    Department.objects.create(
        zone=other_zone, code="WJJ", name="卫生健康局", kind=DepartmentKind.FUNCTIONAL
    )
    with pytest.raises(ValidationFailed):
        filter_department(zone=zone, code="WJJ")


# -- bundle_guide -------------------------------------------------------------------------


def bundle_of(zone, department, count: int, code: str = "kcg"):
    licence = make_certificate_type(code=f"11100000MB00000{count}1A001", name=f"营业执照{count}")
    versions = [
        make_item(
            zone,
            department,
            name=f"事项{n}",
            promised_limit_days=3 + n,
            materials=[
                "申请表",  # every item asks for it: asked once
                {
                    "name": "营业执照",
                    "source": MaterialSource.CERTIFICATE,
                    "certificate_type": licence,
                },
                f"事项{n}专用材料",
            ],
        )
        for n in range(count)
    ]
    bundle = make_bundle(
        zone,
        department,
        items=[version.item for version in reversed(versions)],  # bundle order differs
        code=code,
        name="开餐馆一件事",
        promised_limit_days=3,
        publish=True,
    )
    return bundle, versions


def test_bundle_guide(zone, department):
    bundle, versions = bundle_of(zone, department, 2)
    guide = bundle_guide(zone=zone, code="kcg")
    assert guide.bundle == bundle
    assert guide.versions == list(reversed(versions))
    assert [line.name for line in guide.materials] == [
        "申请表",
        "营业执照",
        "事项1专用材料",
        "事项0专用材料",
    ]
    assert guide.materials[0].item_names == ["事项1", "事项0"]
    assert guide.materials[0].shared
    assert not guide.materials[2].shared
    assert guide.savings.materials_separately == 6
    assert guide.savings.materials_bundle == 4
    assert guide.savings.days_separately == 3 + 4
    assert guide.savings.days_bundle == 3
    assert guide.unavailable_items == []


@pytest.mark.parametrize("count", [2, 5])
def test_bundle_guide_in_five_queries(zone, department, django_assert_num_queries, count):
    bundle_of(zone, department, count)
    with django_assert_num_queries(5):
        guide = bundle_guide(zone=zone, code="kcg")
        assert guide.bundle.lead_department.name
        for version in guide.versions:
            touch_guide_without_windows(version)
        for line in guide.materials:
            for material in line.materials:
                assert material.version.item.implementation_code


def touch_guide_without_windows(version) -> None:
    assert version.item.implementation_code
    assert version.department.name
    for material in version.materials.all():
        assert material.certificate_type is None or material.certificate_type.name
    for step in version.steps.all():
        assert step.department is None or step.department.name


def test_a_draft_bundle_is_not_found(zone, department):
    a = make_item(zone, department, name="甲")
    b = make_item(zone, department, name="乙")
    make_bundle(zone, department, items=[a.item, b.item], code="draft")
    with pytest.raises(NotFound) as caught:
        bundle_guide(zone=zone, code="draft")
    assert caught.value.code == "bundle_not_found"
    assert caught.value.fields == {"code": ["一件事 draft 不存在或未发布"]}


def test_another_zones_bundle_is_not_found(zone, other_zone, department):
    bundle_of(zone, department, 2)
    with pytest.raises(NotFound):
        bundle_guide(zone=other_zone, code="kcg")


def test_an_item_retired_after_publishing_is_named(zone, department):
    _bundle, versions = bundle_of(zone, department, 3)
    item_retire(item=versions[1].item, actor=None)
    guide = bundle_guide(zone=zone, code="kcg")
    assert guide.versions == [versions[2], versions[0]]
    assert guide.unavailable_items == [versions[1].item]
