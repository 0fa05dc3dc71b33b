"""Catalog services: creating, versioning and publishing items; every element rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from onewindow.catalog.constants import ItemType, VersionStatus
from onewindow.catalog.models import Item, ItemVersion, Material, Step
from onewindow.catalog.services import (
    item_check,
    item_create,
    item_draft,
    item_draft_update,
    item_publish,
    item_retire,
)
from onewindow.catalog.tests.factories import (
    ensure_uscc,
    item_codes,
    item_elements,
    make_certificate_type,
    make_item,
    material,
    standard_steps,
)
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.core.models import AuditEvent
from onewindow.testing import worlds
from onewindow.testing.races import race

pytestmark = pytest.mark.django_db


def create(zone, organ, *, materials=None, steps=None, codes=None, **elements):
    """item_create with complete elements of ``organ``; keywords override them."""
    item_type = elements.get("item_type", "01")
    implementation_code, basic_code = codes or item_codes(
        organ, item_type if item_type in ItemType.values else "01"
    )
    return item_create(
        zone=zone,
        implementation_code=implementation_code,
        basic_code=basic_code,
        elements=item_elements(organ, **elements),
        materials=[material("申请表")] if materials is None else materials,
        steps=standard_steps() if steps is None else steps,
        actor=None,
    )


def refused(call, *args, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        call(*args, **kwargs)
    return caught.value.fields


# --- create -------------------------------------------------------------------------------


def test_create_makes_item_and_draft_version_one(zone, department, window, administrator):
    ensure_uscc(department)
    code, basic = item_codes(department, "01", number=123)

    version = item_create(
        zone=zone,
        implementation_code=code.lower(),
        basic_code=f" {basic} ",
        elements=item_elements(department, name=" 食品经营许可 "),
        materials=[material("食品经营许可申请书"), {"name": "营业执照", "required": False}],
        steps=standard_steps(),
        windows=[window],
        actor=administrator,
    )

    version.refresh_from_db()
    assert version.item.implementation_code == code
    assert version.item.basic_code == basic == "320100123000"
    assert (version.version, version.status) == (1, VersionStatus.DRAFT)
    assert version.name == "食品经营许可"
    assert (version.name_pinyin, version.name_initials) == ("shipinjingyingxuke", "spjyxk")
    assert [m.name for m in version.materials.all()] == ["食品经营许可申请书", "营业执照"]
    assert [m.position for m in version.materials.all()] == [1, 2]
    assert [s.key for s in version.steps.all()] == ["accept", "review", "decide", "deliver"]
    assert list(version.windows.all()) == [window]
    assert version.created_by == administrator
    event = AuditEvent.objects.get(action="catalog.item_created")
    assert (event.actor, event.object_id) == ("admin", code)


def test_phones_default_from_the_zone(zone, department):
    zone.phone, zone.complaint_phone = "025-81234567", "12345"
    zone.save()

    version = create(zone, department, consultation_phone="", complaint_phone=" ")

    assert (version.consultation_phone, version.complaint_phone) == ("025-81234567", "12345")


def test_a_draft_edit_that_empties_the_phones_falls_back_to_the_zone(zone, department):
    zone.phone, zone.complaint_phone = "025-81234567", "12345"
    zone.save()
    version = create(zone, department, consultation_phone="025-1", complaint_phone="025-2")

    updated = item_draft_update(
        version=version, elements={"consultation_phone": "", "complaint_phone": ""}, actor=None
    )

    assert (updated.consultation_phone, updated.complaint_phone) == ("025-81234567", "12345")


def test_implementation_code_unique_in_zone(zone, department):
    codes = item_codes(department)
    create(zone, department, codes=codes)

    with pytest.raises(Conflict) as caught:
        create(zone, department, codes=codes)

    message = f"本区已有实施编码为“{codes[0]}”的事项"
    assert caught.value.message == message
    assert caught.value.fields == {"implementation_code": [message]}
    assert Item.objects.count() == 1


def test_same_code_in_another_zone_is_fine(zone, department):
    codes = item_codes(department)
    create(zone, department, codes=codes)
    organ = worlds.department_elsewhere("SCJG", "市场监管", uscc=department.uscc)

    create(organ.zone, organ, codes=codes)

    assert Item.objects.filter(implementation_code=codes[0]).count() == 2


# --- versions ---------------------------------------------------------------------------


@time_machine.travel(
    dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC), tick=False
)  # 07:30, 3 March in Shanghai
def test_publish_sets_dates(zone, department):
    version = create(zone, department)

    published = item_publish(version=version, actor=None)

    published.refresh_from_db()
    assert published.status == VersionStatus.PUBLISHED
    assert published.effective_from == dt.date(2026, 3, 3)
    assert published.published_at == dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)
    assert AuditEvent.objects.filter(action="catalog.item_published").count() == 1


def test_publish_with_an_effective_date(zone, department):
    version = create(zone, department)

    published = item_publish(version=version, actor=None, effective_from=dt.date(2026, 5, 1))

    assert published.effective_from == dt.date(2026, 5, 1)


def test_new_draft_copies_the_published_version(zone, department, window):
    certificate = make_certificate_type()
    v1 = make_item(
        zone,
        department,
        name="食品经营许可",
        materials=[
            material("营业执照", source="certificate", certificate_type=certificate),
            material("申请书", notes="法定代表人签字"),
        ],
        windows=[window],
        change_note="首次发布",
    )

    draft = item_draft(item=v1.item, actor=None)

    assert (draft.version, draft.status) == (2, VersionStatus.DRAFT)
    assert draft.pk != v1.pk
    assert draft.name == "食品经营许可" and draft.change_note == ""
    assert [(m.name, m.certificate_type, m.notes) for m in draft.materials.all()] == [
        ("营业执照", certificate, ""),
        ("申请书", None, "法定代表人签字"),
    ]
    assert [(s.key, s.after) for s in draft.steps.all()] == [
        (s.key, s.after) for s in v1.steps.all()
    ]
    assert list(draft.windows.all()) == [window]
    assert item_draft(item=v1.item, actor=None) == draft  # the existing draft comes back


def test_publishing_a_new_version_retires_the_old_one(zone, department):
    v1 = make_item(zone, department)
    draft = item_draft(item=v1.item, actor=None)
    item_draft_update(
        version=draft, elements={"promised_limit_days": 4}, steps=standard_steps(4), actor=None
    )

    v2 = item_publish(version=draft, actor=None)

    v1.refresh_from_db()
    assert v1.status == VersionStatus.RETIRED and v1.retired_at is not None
    assert v2.status == VersionStatus.PUBLISHED
    assert list(ItemVersion.objects.published().filter(item=v1.item)) == [v2]


def test_a_case_facing_version_never_changes(zone, department):
    # given: version 1 is published (a case was accepted under it)
    v1 = make_item(zone, department, name="食品经营许可", promised_limit_days=5)
    before = ItemVersion.objects.values().get(pk=v1.pk)
    materials_before = list(Material.objects.filter(version=v1).values())
    steps_before = list(Step.objects.filter(version=v1).values())

    # when: a new version changes the elements, materials and steps and is published
    draft = item_draft(item=v1.item, actor=None)
    item_draft_update(
        version=draft,
        elements={"name": "食品经营许可（仅销售预包装食品）", "promised_limit_days": 3},
        materials=[material("承诺书")],
        steps=standard_steps(3),
        actor=None,
    )
    item_publish(version=draft, actor=None)

    # then: version 1 holds exactly what it held, but for its retirement
    after = ItemVersion.objects.values().get(pk=v1.pk)
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"status", "retired_at", "updated_at"}
    assert list(Material.objects.filter(version=v1).values()) == materials_before
    assert list(Step.objects.filter(version=v1).values()) == steps_before


def test_published_version_cannot_be_updated(zone, department):
    v1 = make_item(zone, department)

    with pytest.raises(Conflict) as caught:
        item_draft_update(version=v1, elements={"name": "改名"}, actor=None)

    assert caught.value.message == "已发布的事项版本不可修改，请先创建新的草稿版本"
    v1.refresh_from_db()
    assert v1.name == "测试事项"


def test_published_version_cannot_be_published_again(zone, department):
    v1 = make_item(zone, department)

    with pytest.raises(Conflict) as caught:
        item_publish(version=v1, actor=None)

    assert caught.value.message == "只有草稿版本可以发布，该版本（v1）已发布"


def test_retire(zone, department):
    v1 = make_item(zone, department)

    item_retire(item=v1.item, actor=None)

    v1.refresh_from_db()
    assert v1.status == VersionStatus.RETIRED
    with pytest.raises(Conflict) as caught:
        item_retire(item=v1.item, actor=None)
    assert caught.value.message == "该事项没有已发布的版本"


def test_a_retired_item_gets_a_draft_from_its_newest_version(zone, department):
    v1 = make_item(zone, department, name="旧事项")
    item_retire(item=v1.item, actor=None)

    draft = item_draft(item=v1.item, actor=None)

    assert (draft.version, draft.name) == (2, "旧事项")


def test_database_allows_one_published_and_one_draft_per_item(zone, department):
    v1 = make_item(zone, department)
    draft = item_draft(item=v1.item, actor=None)

    with pytest.raises(IntegrityError), transaction.atomic():
        ItemVersion.objects.filter(pk=draft.pk).update(status=VersionStatus.PUBLISHED)
    fields = {f: getattr(draft, f) for f in ("name", "item_type", "department", "legal_basis")}
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemVersion.objects.create(
            item=v1.item,
            version=3,
            status=VersionStatus.DRAFT,
            legal_limit_days=1,
            promised_limit_days=1,
            handling_kind="promised",
            online_depth="3",
            **fields,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemVersion.objects.filter(pk=draft.pk).update(version=1)


# --- concurrency (PostgreSQL) ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_publishes_of_one_draft_publish_it_once(zone, department):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the in-memory SQLite database is not shared by threads")
    v1 = make_item(zone, department)
    draft = item_draft(item=v1.item, actor=None)

    results = race(*[partial(item_publish, version=draft, actor=None)] * 6)

    published = [r for r in results if isinstance(r, ItemVersion)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(published) == 1 and len(refused) == 5, results
    assert {r.message for r in refused} == {"只有草稿版本可以发布，该版本（v2）已发布"}
    assert list(ItemVersion.objects.filter(item=v1.item).values_list("version", "status")) == [
        (2, "published"),
        (1, "retired"),
    ]
    assert AuditEvent.objects.filter(action="catalog.item_published").count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_draft_and_publish_keep_one_of_each(zone, department):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the in-memory SQLite database is not shared by threads")
    v1 = make_item(zone, department, publish=False)

    def work(number):
        if number % 2:
            return item_draft(item=v1.item, actor=None)
        return item_publish(version=v1, actor=None)

    results = race(*(partial(work, n) for n in range(6)))

    errors = [r for r in results if not isinstance(r, ItemVersion | Conflict)]
    assert errors == []
    statuses = list(ItemVersion.objects.filter(item=v1.item).values_list("status", flat=True))
    assert statuses.count("published") == 1
    assert statuses.count("draft") <= 1


# --- element rules (checked on create, on update and again on publish) -------------------


@pytest.mark.parametrize(
    ("elements", "expected"),
    [
        ({"name": " "}, {"name": ["事项名称不能为空"]}),
        ({"name": "长" * 201}, {"name": ["事项名称不能超过200字"]}),
        ({"name": 12}, {"name": ["事项名称应为文字", "事项名称不能为空"]}),
        (
            {"item_type": "02"},
            {
                "item_type": [
                    "事项类型应为依申请事项的类型：行政许可、行政给付、行政确认、行政奖励、"
                    "行政裁决、其他行政权力或公共服务"
                ]
            },
        ),
        ({"legal_limit_days": None}, {"legal_limit_days": ["法定办结时限（工作日）不能为空"]}),
        (
            {"legal_limit_days": -1},
            {"legal_limit_days": ["法定办结时限（工作日）应为不小于0的整数"]},
        ),
        (
            {"promised_limit_days": 2.5},
            {"promised_limit_days": ["承诺办结时限（工作日）应为不小于0的整数"]},
        ),
        (
            {"legal_limit_days": 4},
            {"promised_limit_days": ["承诺办结时限（5个工作日）不能超过法定办结时限（4个工作日）"]},
        ),
        ({"handling_kind": "quick"}, {"handling_kind": ["办件类型应为即办件或承诺件"]}),
        (
            {"handling_kind": "immediate", "promised_limit_days": 1},
            {"promised_limit_days": ["即办件的承诺办结时限应为0个工作日"]},
        ),
        (
            {"promised_limit_days": 0},
            {"promised_limit_days": ["承诺件的承诺办结时限应至少为1个工作日"]},
        ),
        ({"fee_amount": Decimal("10")}, {"fee_amount": ["不收费的事项不应填写收费金额"]}),
        (
            {"fee_free": False},
            {"fee_amount": ["收费事项的收费金额应大于0"], "fee_basis": ["收费事项应填写收费依据"]},
        ),
        (
            {"fee_free": False, "fee_amount": "0", "fee_basis": "发改价格〔2017〕1186号"},
            {"fee_amount": ["收费事项的收费金额应大于0"]},
        ),
        (
            {"fee_free": False, "fee_amount": "十元", "fee_basis": "x"},
            {"fee_amount": ["收费金额应为数字"]},
        ),
        (
            {"fee_free": False, "fee_amount": "1.005", "fee_basis": "x"},
            {"fee_amount": ["收费金额最多保留两位小数"]},
        ),
        ({"fee_free": None}, {"fee_free": ["是否收费应为是或否"]}),
        ({"online_depth": "5"}, {"online_depth": ["网办深度应为Ⅰ级至Ⅳ级之一"]}),
        (
            {"required_visits": 0},
            {"online_depth": ["到办事现场次数为0（全程网办）时，网办深度应为Ⅳ级"]},
        ),
        (
            {"online_depth": "4"},
            {"required_visits": ["网办深度为Ⅳ级（全程网办）时，到办事现场次数应为0"]},
        ),
        (
            {"required_visits": 2},
            {"required_visits": ["网办深度为Ⅲ级（最多跑一次）时，到办事现场次数不能超过1次"]},
        ),
        (
            {"delegated_from_level": "village"},
            {"delegated_from_level": ["赋权来源层级应为省级、市级或县（区）级"]},
        ),
        (
            {"delegated_from_level": "city"},
            {
                "delegated_from_organ": ["赋权事项应填写赋权来源机关"],
                "delegation_agreement_date": ["赋权事项应填写赋权协议日期"],
                "delegation_status": ["赋权事项应填写承接状态"],
            },
        ),
        (
            {
                "delegated_from_level": "city",
                "delegated_from_organ": "市市场监督管理局",
                "delegation_agreement_date": "2026-01-01",
                "delegation_status": "done",
            },
            {
                "delegation_status": ["承接状态应为已承接或未承接"],
                "delegation_agreement_date": ["赋权协议日期应为日期"],
            },
        ),
        (
            {"delegated_from_organ": "市市场监督管理局"},
            {
                "delegated_from_level": [
                    "未选择赋权来源层级时，赋权来源机关、赋权协议日期和承接状态应为空"
                ]
            },
        ),
        ({"legal_citations": "第四十二条"}, {"legal_citations": ["依据条款应为逐条列出的文字"]}),
        (
            {"certificate_type": "营业执照"},
            {"certificate_type": ["办理结果（证照）应为一种证照类型"]},
        ),
        ({"department": None}, {"department": ["实施机关不能为空"]}),
        ({"colour": "red"}, {"colour": ["未知的事项要素“colour”"]}),
    ],
)
def test_element_rules(zone, department, elements, expected):
    fields = refused(create, zone, department, **elements)

    assert fields == expected
    assert not Item.objects.exists()


def test_several_problems_are_reported_together(zone, department):
    with pytest.raises(ValidationFailed) as caught:
        create(zone, department, name="", handling_kind="quick", online_depth="4")

    assert caught.value.message == "事项名称不能为空"
    assert caught.value.fields == {
        "name": ["事项名称不能为空"],
        "handling_kind": ["办件类型应为即办件或承诺件"],
        "required_visits": ["网办深度为Ⅳ级（全程网办）时，到办事现场次数应为0"],
    }


def test_valid_variants(zone, department):
    version = create(
        zone,
        department,
        fee_free=False,
        fee_amount="120.50",
        fee_basis="发改价格〔2017〕1186号",
        required_visits=0,
        online_depth="4",
        delegated_from_level="city",
        delegated_from_organ="市市场监督管理局",
        delegation_agreement_date=dt.date(2025, 12, 1),
        delegation_status="accepted",
        legal_citations=[" 第四十二条 ", ""],
    )

    item_publish(version=version, actor=None)
    version.refresh_from_db()
    assert version.fee_amount == Decimal("120.50")
    assert version.legal_citations == ["第四十二条"]


# --- codes --------------------------------------------------------------------------------


def test_department_of_another_zone(zone, department):
    organ = worlds.department_elsewhere()

    assert refused(create, zone, department, department=organ) == {
        "department": ["实施机关不属于该开发区"]
    }


def test_department_needs_a_uscc(zone, department, other_department):
    codes = item_codes(department)

    assert refused(create, zone, department, codes=codes, department=other_department) == {
        "department": ["实施机关“住房和城乡建设局”尚未填写统一社会信用代码（实施编码的前18位）"]
    }


def test_codes_are_the_departments(zone, department, other_department):
    codes = item_codes(department)
    theirs = ensure_uscc(other_department)

    assert refused(create, zone, department, codes=codes, department=other_department) == {
        "implementation_code": [
            f"实施编码前18位“{department.uscc}”不是实施机关的统一社会信用代码“{theirs}”"
        ]
    }


def test_basic_code_type_matches_item_type(zone, department):
    codes = item_codes(department, "01")

    assert refused(create, zone, department, codes=codes, item_type="20") == {
        "basic_code": ["基本编码第3至4位“01”与事项类型“公共服务”（20）不一致"]
    }


def test_draft_update_keeps_codes_consistent(zone, department):
    draft = create(zone, department)

    assert refused(item_draft_update, version=draft, elements={"item_type": "07"}, actor=None) == {
        "basic_code": ["基本编码第3至4位“01”与事项类型“行政确认”（07）不一致"]
    }


# --- materials ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"name": " "}, {"materials.1.name": ["第2项材料：材料名称不能为空"]}),
        (
            {"name": "长" * 201},
            {"materials.1.name": ["第2项材料：材料名称不能超过200字"]},
        ),
        (
            {"name": "证明", "source": "certificate"},
            {
                "materials.1.certificate_type": [
                    "第2项材料：“证明”来源为电子证照调取，应选择对应证照"
                ]
            },
        ),
        (
            {"name": "证明", "source": "department"},
            {"materials.1.source_department": ["第2项材料：“证明”来源为部门共享，应选择共享部门"]},
        ),
        (
            {"name": "证明", "required": False, "tolerable": True},
            {"materials.1.tolerable": ["第2项材料：“证明”不是必要材料，容缺受理只适用于必要材料"]},
        ),
        (
            {"name": "证明", "required": False, "commitment_allowed": True},
            {
                "materials.1.commitment_allowed": [
                    "第2项材料：“证明”不是必要材料，告知承诺只适用于必要材料"
                ]
            },
        ),
        (
            {"name": "证明", "required": "yes"},
            {"materials.1.required": ["第2项材料：“必要”应为是或否"]},
        ),
        (
            {"name": "证明", "copies": -1},
            {"materials.1.copies": ["第2项材料：复印件份数应为不小于0的整数"]},
        ),
        (
            {"name": "证明", "medium": "fax"},
            {"materials.1.medium": ["第2项材料：材料形式应为纸质、电子或纸质或电子"]},
        ),
        ({"name": "证明", "source": "mail"}, {"materials.1.source": ["第2项材料：来源渠道无效"]}),
        (
            {"name": "证明", "certificate_type": "营业执照"},
            {"materials.1.certificate_type": ["第2项材料：对应证照应为一种证照类型"]},
        ),
        (
            {"name": "申 请 表"},
            {"materials.1.name": ["第2项材料：与第1项材料重复"]},
        ),
        (
            {"name": "证明", "colour": "red"},
            {"materials.1.colour": ["第2项材料：未知的材料字段“colour”"]},
        ),
        ("证明", {"materials.1": ["第2项材料应为字段表"]}),
    ],
)
def test_material_rules(zone, department, row, expected):
    fields = refused(create, zone, department, materials=[material("申请表"), row])

    assert fields == expected


def test_material_shared_by_a_department_of_the_zone(zone, department, other_department):
    foreign = worlds.department_elsewhere()
    row = {"name": "不动产权证明", "source": "department", "source_department": foreign}

    assert refused(create, zone, department, materials=[row]) == {
        "materials.0.source_department": ["第1项材料：共享部门不属于该开发区"]
    }
    version = create(zone, department, materials=[row | {"source_department": other_department}])
    assert version.materials.get().source_department == other_department


def test_same_certificate_twice_is_a_duplicate(zone, department):
    licence = make_certificate_type()
    rows = [
        material("营业执照", source="certificate", certificate_type=licence),
        material("营业执照副本", certificate_type=licence),
    ]

    assert refused(create, zone, department, materials=rows) == {
        "materials.1.name": ["第2项材料：与第1项材料重复"]
    }


# --- steps and windows through the service ---------------------------------------------


def test_step_rules_on_a_draft(zone, department, other_department):
    foreign = worlds.department_elsewhere()
    steps = standard_steps()
    steps[1] = steps[1] | {"department": foreign}
    steps[2] = steps[2] | {"after": "review"}
    steps[3] = steps[3] | {"key": "accept", "colour": "red"}

    assert refused(create, zone, department, steps=steps) == {
        "steps": [
            "第2个环节：办理部门不属于该开发区",
            "第3个环节：前置环节应为环节编码的列表",
            "第4个环节：未知的环节字段“colour”",
        ]
    }
    steps = standard_steps()
    steps[3] = steps[3] | {"key": "accept"}
    assert refused(create, zone, department, steps=steps) == {"steps": ["环节编码“accept”重复"]}


def test_a_draft_may_hold_an_incomplete_workflow(zone, department, other_department):
    steps = standard_steps()[:2]  # no decision yet
    steps[1] = steps[1] | {"department": other_department}

    draft = create(zone, department, steps=steps)

    assert draft.steps.get(key="review").department == other_department
    assert refused(item_publish, version=draft, actor=None) == {
        "steps": ["办理流程需要一个决定环节（类型为“决定”）"]
    }


def test_windows_of_the_zone(zone, department):
    foreign = worlds.window(worlds.zone("QT", "其他开发区"), "Z9", "外区窗口")

    code, basic = item_codes(department)

    with pytest.raises(ValidationFailed) as caught:
        item_create(
            zone=zone,
            implementation_code=code,
            basic_code=basic,
            elements=item_elements(department),
            windows=[foreign],
            actor=None,
        )

    assert caught.value.fields == {"windows": ["窗口“Z9 外区窗口”不属于该开发区"]}


# --- publish: completeness ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("elements", "expected"),
    [
        ({"legal_basis": ""}, {"legal_basis": ["设定依据不能为空"]}),
        (
            {"consultation_phone": "", "complaint_phone": ""},
            {
                "consultation_phone": ["咨询电话不能为空（本区也未设置咨询电话）"],
                "complaint_phone": ["投诉电话不能为空（本区也未设置投诉电话）"],
            },
        ),
    ],
)
def test_publish_needs_complete_elements(zone, department, elements, expected):
    draft = create(zone, department, **elements)  # a draft may be incomplete

    assert refused(item_publish, version=draft, actor=None) == expected
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_publish_needs_a_material(zone, department):
    draft = create(zone, department, materials=[])

    assert refused(item_publish, version=draft, actor=None) == {
        "materials": ["至少需要一项申请材料"]
    }


def test_publish_needs_a_workflow(zone, department):
    draft = create(zone, department, steps=[])

    assert refused(item_publish, version=draft, actor=None) == {
        "steps": ["办理流程至少需要一个环节"]
    }


def test_publish_checks_the_workflow_against_the_limit(zone, department):
    draft = create(zone, department, steps=standard_steps(5), promised_limit_days=4)

    assert refused(item_publish, version=draft, actor=None) == {
        "steps": [
            "办理流程最长路径“受理 → 审查 → 决定 → 送达”共5个工作日，超过承诺办结时限4个工作日"
        ]
    }


def test_immediate_item_publishes_with_one_step(zone, department):
    version = make_item(zone, department, handling_kind="immediate")

    assert version.promised_limit_days == 0
    assert [s.key for s in version.steps.all()] == ["decide"]
    draft = item_draft(item=version.item, actor=None)
    item_draft_update(version=draft, steps=standard_steps(0), actor=None)
    assert refused(item_publish, version=draft, actor=None) == {
        "steps": ["即办件的办理流程应只有一个环节（窗口当场决定）"]
    }


# --- draft updates ----------------------------------------------------------------------------


def test_draft_update_changes_only_what_is_given(zone, department, window, administrator):
    draft = create(zone, department, name="旧名称")

    item_draft_update(
        version=draft, elements={"name": "食品经营许可"}, windows=[window], actor=administrator
    )

    draft.refresh_from_db()
    assert draft.name == "食品经营许可" and draft.name_initials == "spjyxk"
    assert [m.name for m in draft.materials.all()] == ["申请表"]
    assert draft.steps.count() == 4
    assert list(draft.windows.all()) == [window]
    event = AuditEvent.objects.get(action="catalog.item_draft_updated")
    assert event.data == {"version": 1, "changed": ["name", "windows"]}


def test_draft_update_replaces_materials_and_steps(zone, department):
    draft = create(zone, department)

    item_draft_update(
        version=draft,
        materials=[material("承诺书"), material("身份证明")],
        steps=[
            standard_steps(5)[0],
            {
                "key": "decide",
                "name": "决定",
                "kind": "decision",
                "role": "decider",
                "limit_days": 2,
                "after": ["accept"],
            },
        ],
        actor=None,
    )

    assert [(m.position, m.name) for m in draft.materials.all()] == [(1, "承诺书"), (2, "身份证明")]
    assert [s.key for s in draft.steps.all()] == ["accept", "decide"]


def test_failed_update_changes_nothing(zone, department):
    draft = create(zone, department, name="原名称")

    refused(
        item_draft_update,
        version=draft,
        elements={"name": "新名称"},
        materials=[{"name": ""}],
        actor=None,
    )

    draft.refresh_from_db()
    assert draft.name == "原名称"
    assert [m.name for m in draft.materials.all()] == ["申请表"]


# --- published rows refuse edits from anywhere ------------------------------------------------

FROZEN = "已发布的事项版本不可修改，请先创建新的草稿版本"


def test_published_rows_refuse_edits_outside_the_services(zone, department):
    published = ItemVersion.objects.get(pk=make_item(zone, department).pk)
    material_row = published.materials.first()
    step_row = published.steps.first()

    published.name = "改名"
    for attempt in (
        published.save,
        lambda: published.save(update_fields=["name"]),
        published.delete,
        material_row.save,
        material_row.delete,
        step_row.save,
        step_row.delete,
        lambda: Material.objects.create(version=published, position=9, name="新增材料"),
    ):
        with pytest.raises(Conflict) as caught:
            attempt()
        assert caught.value.message == FROZEN

    assert ItemVersion.objects.get(pk=published.pk).name == "测试事项"
    assert published.materials.count() == 2 and published.steps.count() == 4


def test_draft_rows_can_be_edited_directly(zone, department):
    draft = ItemVersion.objects.get(pk=make_item(zone, department, publish=False).pk)

    draft.acceptance_conditions = "无"
    draft.save()
    row = draft.materials.first()
    row.notes = "加盖公章"
    row.save()

    assert draft.materials.first().notes == "加盖公章"


def test_item_check_runs_the_publish_rules_without_writing(zone, department):
    draft = create(zone, department, legal_basis="")

    assert refused(item_check, draft) == {"legal_basis": ["设定依据不能为空"]}
    item_draft_update(version=draft, elements={"legal_basis": "《食品安全法》"}, actor=None)
    draft.refresh_from_db()
    item_check(draft)  # passes
    assert draft.status == VersionStatus.DRAFT


def test_every_write_is_audited(zone, department, administrator):
    v1 = make_item(zone, department, actor=administrator)
    item_draft(item=v1.item, actor=administrator)
    item_retire(item=v1.item, actor=administrator)

    events = AuditEvent.objects.filter(object_type="item").order_by("id")
    assert [(e.action, e.actor, e.data.get("version")) for e in events] == [
        ("catalog.item_created", "admin", 1),
        ("catalog.item_published", "admin", 1),
        ("catalog.item_draft_created", "admin", 2),
        ("catalog.item_retired", "admin", 1),
    ]
