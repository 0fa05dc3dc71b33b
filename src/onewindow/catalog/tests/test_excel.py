"""Excel import and export (catalog.excel, docs/catalog-excel.md).

Catalogs are built with the domain factories (through the services); files are made by
exporting them and then editing cells as a clerk would.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from onewindow.catalog.constants import (
    DelegationLevel,
    DelegationStatus,
    HandlingKind,
    MaterialSource,
    OnlineDepth,
    StepKind,
    StepRole,
    VersionStatus,
)
from onewindow.catalog.excel import LAYOUT, Problem, export_catalog, import_catalog
from onewindow.catalog.models import Item, ItemVersion
from onewindow.catalog.tests.factories import (
    ensure_uscc,
    item_codes,
    make_certificate_type,
    make_item,
    material,
)
from onewindow.org.models import Department, Window, Zone

pytestmark = pytest.mark.django_db


# --- a catalog with every kind of element -----------------------------------------------


def parallel_steps() -> list[dict]:
    """受理 → (审查 ‖ 现场核查) → 决定 → 送达, with departments on the checks."""
    return [
        {"key": "accept", "name": "受理", "kind": StepKind.ACCEPTANCE,
         "role": StepRole.WINDOW_CLERK, "limit_days": 1},
        {"key": "review", "name": "材料审查", "kind": StepKind.REVIEW,
         "role": StepRole.REVIEWER, "limit_days": 3, "after": ["accept"]},
        {"key": "inspect", "name": "现场核查", "kind": StepKind.INSPECTION,
         "role": StepRole.REVIEWER, "limit_days": 4, "after": ["accept"]},
        {"key": "decide", "name": "决定", "kind": StepKind.DECISION,
         "role": StepRole.DECIDER, "limit_days": 1, "after": ["review", "inspect"]},
        {"key": "deliver", "name": "送达", "kind": StepKind.DELIVERY,
         "role": StepRole.WINDOW_CLERK, "limit_days": 1, "after": ["decide"]},
    ]  # fmt: skip


@pytest.fixture
def licence(db):
    return make_certificate_type(code="11320192MB0000011001", name="食品经营许可证")


@pytest.fixture
def business_licence(db):
    return make_certificate_type(code="11320192MB0000012001", name="营业执照")


@pytest.fixture
def second_window(zone):
    return Window.objects.create(zone=zone, code="B01", name="专窗", kind="specialized")


@pytest.fixture
def catalog(zone, department, other_department, window, second_window, licence, business_licence):
    """Three published items: a rich 承诺件, a 即办件, and one on its second version."""
    ensure_uscc(other_department)
    food = make_item(
        zone,
        department,
        name="食品经营许可",
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        legal_citations=["《中华人民共和国食品安全法》第三十五条", "《食品经营许可管理办法》"],
        legal_limit_days=20,
        promised_limit_days=10,
        fee_free=False,
        fee_amount=Decimal("120.50"),
        fee_basis="苏价费〔2020〕1号",
        online_depth=OnlineDepth.ONE_VISIT,
        delegated_from_level=DelegationLevel.CITY,
        delegated_from_organ="市市场监督管理局",
        delegation_agreement_date=dt.date(2025, 3, 1),
        delegation_status=DelegationStatus.ACCEPTED,
        certificate_type=licence,
        result_name="食品经营许可证",
        windows=[window, second_window],
        materials=[
            material("食品经营许可申请书", originals=1, copies=0, tolerable=False),
            material(
                "营业执照",
                source=MaterialSource.CERTIFICATE,
                certificate_type=business_licence,
                originals=0,
                notes="电子证照调取，无需提交\n如调取失败请提交复印件",
            ),
            material(
                "场所平面图",
                originals=1,
                copies=1,
                tolerable=True,
                commitment_allowed=True,
                source=MaterialSource.DEPARTMENT,
                source_department=other_department,
            ),
            material("委托书", required=False, originals=1),
        ],
        steps=parallel_steps(),
    )
    quick = make_item(
        zone,
        other_department,
        name="建筑工程施工许可证补办",
        item_type="20",
        handling_kind=HandlingKind.IMMEDIATE,
        legal_limit_days=1,
        online_depth=OnlineDepth.FULLY_ONLINE,
        required_visits=0,
    )
    revised = make_item(zone, department, name="公共场所卫生许可")
    from onewindow.catalog.services import item_draft, item_draft_update, item_publish

    draft = item_draft(item=revised.item, actor=None)
    item_draft_update(version=draft, elements={"promised_limit_days": 6}, actor=None)
    item_publish(version=draft, actor=None)
    return [food.item, quick.item, revised.item]


def dump(zone: Zone) -> list[dict]:
    """The zone's published catalog, independent of ids, versions and timestamps."""
    rows = []
    versions = (
        ItemVersion.objects.published()
        .filter(item__zone=zone)
        .select_related("item", "department", "certificate_type")
        .order_by("item__implementation_code")
    )
    for version in versions:
        elements = {
            name: getattr(version, name)
            for name in (
                "name", "item_type", "legal_basis", "legal_citations", "legal_limit_days",
                "promised_limit_days", "handling_kind", "acceptance_conditions", "fee_free",
                "fee_amount", "fee_basis", "required_visits", "online_depth",
                "delegated_from_level", "delegated_from_organ", "delegation_agreement_date",
                "delegation_status", "consultation_phone", "complaint_phone", "result_name",
                "name_pinyin", "name_initials",
            )
        }  # fmt: skip
        rows.append(
            {
                "code": version.item.implementation_code,
                "basic_code": version.item.basic_code,
                **elements,
                "department": version.department.code,
                "certificate_type": getattr(version.certificate_type, "code", None),
                "windows": sorted(w.code for w in version.windows.all()),
                "materials": [
                    (
                        m.position, m.name, m.required, m.originals, m.copies, m.medium,
                        m.source, getattr(m.certificate_type, "code", None),
                        getattr(m.source_department, "code", None), m.notes, m.tolerable,
                        m.commitment_allowed,
                    )
                    for m in version.materials.all()
                ],
                "steps": [
                    (
                        s.position, s.key, s.name, s.kind, s.role,
                        getattr(s.department, "code", None), s.limit_days, list(s.after),
                    )
                    for s in version.steps.all()
                ],
            }
        )  # fmt: skip
    return rows


@pytest.fixture
def exported(catalog, zone, tmp_path) -> Path:
    path = tmp_path / "catalog.xlsx"
    assert export_catalog(zone, path) == 3
    return path


@pytest.fixture
def fresh_zone(zone) -> Zone:
    """Another zone with the same departments (codes, USCCs) and windows, and no items."""
    other = Zone.objects.create(code="FRESH", name="新开发区", division_code="320192")
    for department in Department.objects.filter(zone=zone):
        Department.objects.create(
            zone=other,
            code=department.code,
            name=department.name,
            kind=department.kind,
            uscc=department.uscc,
        )
    for window in Window.objects.filter(zone=zone):
        Window.objects.create(zone=other, code=window.code, name=window.name, kind=window.kind)
    return other


def edit(path: Path, sheet: str, row: int, header: str, value) -> None:
    """Set one cell, found by its header, as a clerk would in Excel."""
    workbook = load_workbook(path)
    worksheet = workbook[sheet]
    headers = [cell.value for cell in worksheet[1]]
    # cell(value=None) would leave the cell as it is: assign to clear it
    worksheet.cell(row=row, column=headers.index(header) + 1).value = value
    workbook.save(path)


def cell(path: Path, sheet: str, row: int, header: str):
    worksheet = load_workbook(path, read_only=True)[sheet]
    rows = list(worksheet.iter_rows(values_only=True))
    return rows[row - 1][list(rows[0]).index(header)]


def row_of(path: Path, code: str) -> int:
    worksheet = load_workbook(path, read_only=True)["事项"]
    codes = [row[0] for row in worksheet.iter_rows(values_only=True)]
    return codes.index(code) + 1


def rows_of(path: Path, sheet: str, code: str) -> list[int]:
    worksheet = load_workbook(path, read_only=True)[sheet]
    codes = [row[0] for row in worksheet.iter_rows(values_only=True)]
    return [number for number, value in enumerate(codes, start=1) if value == code]


def versions_count() -> int:
    return ItemVersion.objects.count()


def only_problems(report) -> list[tuple]:
    return [(p.sheet, p.row, p.column, p.message) for p in report.problems]


# --- the file a clerk receives ---------------------------------------------------------


def test_export_layout_headers_frozen_pane_widths_and_drop_down_lists(exported):
    workbook = load_workbook(exported)
    assert workbook.sheetnames == ["事项", "材料", "环节"]
    items = workbook["事项"]
    assert [c.value for c in items[1]] == [column.header for column in LAYOUT["事项"]]
    assert [c.value for c in items[1]][:5] == [
        "实施编码",
        "基本编码",
        "事项名称",
        "事项类型",
        "实施机关",
    ]
    assert items.freeze_panes == "B2"
    assert items.column_dimensions["A"].width == 36
    validations = {str(v.sqref): v.formula1 for v in items.data_validations.dataValidation}
    assert (
        validations["D2:D1048576"]
        == '"行政许可,行政给付,行政确认,行政奖励,行政裁决,其他行政权力,公共服务"'
    )
    assert validations["J2:J1048576"] == '"即办件,承诺件"'
    assert "Ⅲ级（网上办理，最多跑一次）" in validations["P2:P1048576"]
    assert [c.value for c in workbook["材料"][1]][:4] == ["实施编码", "序号", "材料名称", "必要"]
    assert [c.value for c in workbook["环节"][1]][-1] == "前置环节"


def test_export_writes_labels_a_clerk_reads(exported, catalog):
    food = catalog[0]
    row = {
        header: cell(exported, "事项", 2, header)
        for header in ("实施编码", "事项类型", "是否收费", "收费金额", "网办深度", "赋权层级",
                       "承接状态", "办理窗口", "依据条款", "状态", "版本", "赋权协议日期")
    }  # fmt: skip
    # rows follow the implementation code; the food item was created first
    assert row["实施编码"] == food.implementation_code
    assert row["事项类型"] == "行政许可"
    assert row["是否收费"] == "是"
    assert row["收费金额"] == 120.5
    assert row["网办深度"] == "Ⅲ级（网上办理，最多跑一次）"
    assert row["赋权层级"] == "市级"
    assert row["承接状态"] == "已承接"
    assert row["办理窗口"] == "A01,B01"
    assert row["依据条款"] == "《中华人民共和国食品安全法》第三十五条\n《食品经营许可管理办法》"
    assert row["状态"] == "已发布"
    assert row["版本"] == 1
    assert row["赋权协议日期"] == dt.datetime(2025, 3, 1)
    assert cell(exported, "材料", 3, "来源渠道") == "电子证照调取"
    assert cell(exported, "材料", 3, "证照类型代码") == "11320192MB0000012001"
    assert cell(exported, "环节", 5, "前置环节") == "review,inspect"


def test_export_of_the_second_version_only(exported, catalog):
    codes = [cell(exported, "事项", row, "实施编码") for row in (2, 3, 4)]
    revised = codes.index(catalog[2].implementation_code) + 2
    assert cell(exported, "事项", revised, "版本") == 2
    assert cell(exported, "事项", revised, "承诺时限") == 6


def test_text_that_looks_like_a_formula_stays_text(exported, zone, catalog):
    edit(exported, "事项", 2, "受理条件", "x")  # a change, so the item gets a new version
    edit(exported, "材料", 2, "填报说明", '=HYPERLINK("http://example.com","点击")')
    workbook = load_workbook(exported)
    workbook["材料"]["M2"].data_type = "s"  # typed as text by the clerk
    workbook.save(exported)
    assert import_catalog(zone, exported, actor=None).new_versions == 1
    again = exported.with_name("again.xlsx")
    export_catalog(zone, again)
    worksheet = load_workbook(again)["材料"]
    assert worksheet["M2"].data_type == "s"
    assert worksheet["M2"].value == '=HYPERLINK("http://example.com","点击")'


def test_export_of_an_empty_zone_is_a_template(zone, tmp_path):
    path = tmp_path / "empty.xlsx"
    assert export_catalog(zone, path) == 0
    workbook = load_workbook(path)
    assert [workbook[name].max_row for name in ("事项", "材料", "环节")] == [1, 1, 1]


def test_export_to_a_stream(catalog, zone):
    stream = io.BytesIO()
    export_catalog(zone, stream)
    assert zipfile.is_zipfile(io.BytesIO(stream.getvalue()))


# --- round trip ------------------------------------------------------------------------


def test_reimport_into_the_same_zone_changes_nothing(exported, zone):
    before, count = dump(zone), versions_count()
    report = import_catalog(zone, exported, actor=None)
    assert report.ok, report.problems
    assert (report.items, report.created, report.new_versions, report.unchanged) == (3, 0, 0, 3)
    assert versions_count() == count
    assert dump(zone) == before


def test_import_into_a_fresh_zone_rebuilds_the_same_catalog(exported, zone, fresh_zone):
    report = import_catalog(fresh_zone, exported, actor=None)
    assert report.ok, report.problems
    assert (report.created, report.new_versions, report.unchanged) == (3, 0, 0)
    assert dump(fresh_zone) == dump(zone)
    assert set(
        ItemVersion.objects.filter(item__zone=fresh_zone).values_list("version", "status")
    ) == {(1, VersionStatus.PUBLISHED)}
    # and the rebuilt catalog exports to the same file, but for the version numbers
    again = exported.with_name("again.xlsx")
    export_catalog(fresh_zone, again)
    for sheet in ("事项", "材料", "环节"):
        first = list(load_workbook(exported, read_only=True)[sheet].iter_rows(values_only=True))
        second = list(load_workbook(again, read_only=True)[sheet].iter_rows(values_only=True))
        if sheet == "事项":  # 版本 is the last column: 2 for the revised item, 1 when rebuilt
            assert sorted(row[-1] for row in first[1:]) == [1, 1, 2]
            first, second = [row[:-1] for row in first], [row[:-1] for row in second]
        assert first == second


def test_a_changed_row_makes_a_new_version_and_retires_the_old(exported, zone, catalog, clerk):
    food = catalog[0]
    edit(exported, "事项", 2, "承诺时限", 8)
    edit(exported, "材料", 2, "材料名称", "食品经营许可申请表")
    report = import_catalog(zone, exported, actor=clerk)
    assert report.ok, report.problems
    assert (report.created, report.new_versions, report.unchanged) == (0, 1, 2)
    versions = {v.version: v for v in food.versions.all()}
    assert versions[1].status == VersionStatus.RETIRED
    assert versions[1].retired_at is not None
    assert versions[1].promised_limit_days == 10  # the old version is never rewritten
    assert versions[1].materials.get(position=1).name == "食品经营许可申请书"
    new = versions[2]
    assert new.status == VersionStatus.PUBLISHED
    assert new.promised_limit_days == 8
    assert new.created_by == clerk
    assert new.change_note == "Excel 导入：catalog.xlsx"
    assert new.materials.get(position=1).name == "食品经营许可申请表"
    assert new.materials.count() == 4 and new.steps.count() == 5
    # importing the same file again is now a no-op
    again = import_catalog(zone, exported, actor=clerk)
    assert (again.new_versions, again.unchanged) == (0, 3)


def test_a_new_row_creates_and_publishes_an_item(exported, zone, department):
    code, basic = item_codes(department, "01")
    edit(exported, "事项", 5, "实施编码", code)
    for header in [c.header for c in LAYOUT["事项"]][1:25]:
        edit(exported, "事项", 5, header, cell(exported, "事项", 4, header))
    edit(exported, "事项", 5, "基本编码", basic)
    edit(exported, "事项", 5, "实施机关", department.code)
    edit(exported, "事项", 5, "事项名称", "新增事项")
    edit(exported, "事项", 5, "事项类型", "行政许可")
    for step, (key, name, kind, role, after) in enumerate(
        [("decide", "当场办结", "决定", "综合窗口人员", None)], start=1
    ):
        row = 100 + step
        for header, value in zip(
            ("实施编码", "序号", "环节编码", "环节名称", "环节类型", "办理角色", "前置环节"),
            (code, step, key, name, kind, role, after),
            strict=True,
        ):
            edit(exported, "环节", row, header, value)
    edit(exported, "材料", 100, "实施编码", code)
    edit(exported, "材料", 100, "序号", 1)
    edit(exported, "材料", 100, "材料名称", "申请表")
    edit(exported, "材料", 100, "必要", "是")
    edit(exported, "材料", 100, "材料形式", "纸质")
    edit(exported, "材料", 100, "来源渠道", "申请人自备")
    report = import_catalog(zone, exported, actor=None)
    assert report.ok, report.problems
    assert (report.created, report.unchanged) == (1, 3)
    version = Item.objects.get(implementation_code=code).versions.get()
    assert version.status == VersionStatus.PUBLISHED and version.name == "新增事项"
    assert version.name_initials == "xzsx"


def test_materials_are_ordered_by_their_position_numbers(exported, zone, catalog):
    # the first two materials swap their 序号 and so their order
    edit(exported, "材料", 2, "序号", 2)
    edit(exported, "材料", 3, "序号", 1)
    report = import_catalog(zone, exported, actor=None)
    assert report.new_versions == 1
    names = list(
        catalog[0].versions.get(status="published").materials.values_list("position", "name")
    )
    assert names[:2] == [(1, "营业执照"), (2, "食品经营许可申请书")]


# --- all or nothing --------------------------------------------------------------------


def test_three_bad_rows_in_three_sheets_import_nothing_and_report_exactly_those(
    exported, zone, catalog
):
    edit(exported, "事项", 2, "承诺时限", 8)  # a good change that must not be imported
    edit(exported, "事项", 3, "事项类型", "行政审核")
    edit(exported, "材料", 4, "必要", "也许")
    edit(exported, "环节", 6, "环节时限", "三天")
    before, count = dump(zone), versions_count()
    report = import_catalog(zone, exported, actor=None)
    assert only_problems(report) == [
        (
            "事项",
            3,
            "事项类型",
            "“行政审核”不是可选值，应为：行政许可、行政给付、行政确认、行政奖励、行政裁决、"
            "其他行政权力、公共服务",
        ),
        ("材料", 4, "必要", "应填“是”或“否”，收到“也许”"),
        ("环节", 6, "环节时限", "应为不小于 0 的整数，收到“三天”"),
    ]
    assert (report.created, report.new_versions, report.unchanged) == (0, 0, 0)
    assert versions_count() == count
    assert dump(zone) == before


def test_a_service_refusal_rolls_back_the_items_already_written(exported, zone, catalog):
    # row 2 changes validly (a new version), a later row breaks a service rule: neither is kept
    edit(exported, "事项", 2, "承诺时限", 8)
    last = row_of(exported, catalog[2].implementation_code)
    assert last > 2
    edit(exported, "事项", last, "承诺时限", 30)
    before, count = dump(zone), versions_count()
    report = import_catalog(zone, exported, actor=None)
    assert only_problems(report) == [
        (
            "事项",
            last,
            "承诺时限",
            "承诺办结时限（30个工作日）不能超过法定办结时限（20个工作日）",
        )
    ]
    assert versions_count() == count
    assert dump(zone) == before


def test_service_refusals_are_placed_on_material_and_step_cells(exported, zone, catalog):
    # the food item's second material, and the revised item's review step
    edit(exported, "材料", 3, "证照类型代码", None)  # 电子证照调取 without a certificate type
    review = rows_of(exported, "环节", catalog[2].implementation_code)[1]
    edit(exported, "环节", review, "前置环节", "nowhere")
    report = import_catalog(zone, exported, actor=None)
    assert only_problems(report) == [
        ("材料", 3, "证照类型代码", "第2项材料：“营业执照”来源为电子证照调取，应选择对应证照"),
        ("环节", review, "前置环节", "环节“review”的前置环节“nowhere”不存在"),
    ]


def test_a_workflow_longer_than_the_promised_limit_is_placed_on_the_steps(exported, zone):
    edit(exported, "环节", 4, "环节时限", 9)  # 现场核查: 1 + 9 + 1 > 10
    report = import_catalog(zone, exported, actor=None)
    # the rule is about the whole flow: it is placed on the item's first step
    assert only_problems(report) == [
        (
            "环节",
            2,
            "环节时限",
            "办理流程最长路径“受理 → 现场核查 → 决定 → 送达”共12个工作日，"
            "超过承诺办结时限10个工作日",
        )
    ]


def test_an_item_with_an_unpublished_draft_is_not_overwritten(exported, zone, catalog):
    from onewindow.catalog.services import item_draft

    item_draft(item=catalog[0], actor=None)
    edit(exported, "事项", 2, "承诺时限", 8)
    report = import_catalog(zone, exported, actor=None)
    assert only_problems(report) == [
        (
            "事项",
            2,
            "实施编码",
            "该事项有未发布的草稿版本（v2），导入会覆盖其中的修改：请先在管理后台发布或放弃该草稿",
        )
    ]


def test_an_unchanged_item_with_a_draft_is_left_alone(exported, zone, catalog):
    from onewindow.catalog.services import item_draft

    item_draft(item=catalog[0], actor=None)
    assert import_catalog(zone, exported, actor=None).unchanged == 3


# --- each kind of parse error ----------------------------------------------------------


@pytest.mark.parametrize(
    ("sheet", "row", "header", "value", "message"),
    [
        ("事项", 2, "办件类型", "立即办", "“立即办”不是可选值，应为：即办件、承诺件"),
        ("事项", 2, "网办深度", "Ⅲ", "“Ⅲ”不是可选值，应为：Ⅰ级（网上咨询）、Ⅱ级（网上预审）、"
         "Ⅲ级（网上办理，最多跑一次）、Ⅳ级（全程网办）"),
        ("事项", 2, "法定时限", "二十", "应为不小于 0 的整数，收到“二十”"),
        ("事项", 2, "法定时限", 20.5, "应为不小于 0 的整数，收到“20.5”"),
        ("事项", 2, "到现场次数", -1, "应为不小于 0 的整数，收到“-1”"),
        ("事项", 2, "收费金额", "一百元", "应为金额（元），收到“一百元”"),
        ("事项", 2, "收费金额", 12.345, "金额最多保留两位小数，收到“12.345”"),
        ("事项", 2, "是否收费", "收费", "应填“是”或“否”，收到“收费”"),
        ("事项", 2, "赋权协议日期", "去年", "应为日期（如 2026-01-31），收到“去年”"),
        ("事项", 2, "实施机关", "NOPE", "部门代码“NOPE”在本区不存在"),
        ("事项", 2, "办理窗口", "A01,Z99", "窗口编号“Z99”在本区不存在"),
        ("事项", 2, "办理窗口", "A01,A01", "窗口编号重复"),
        ("事项", 2, "证照类型代码", "11320192MB0000099001",
         "证照类型代码“11320192MB0000099001”不存在"),
        ("事项", 2, "事项名称", None, "不能为空"),
        ("事项", 2, "事项名称", "长" * 201, "不能超过200个字，现有201个字"),
        ("材料", 2, "材料形式", "复印件", "“复印件”不是可选值，应为：纸质、电子、纸质或电子"),
        ("材料", 2, "共享部门代码", "XX", "部门代码“XX”在本区不存在"),
        ("材料", 3, "证照类型代码", "NOPE001", "证照类型代码“NOPE001”不存在"),
        ("材料", 2, "原件", "一份", "应为不小于 0 的整数，收到“一份”"),
        ("环节", 2, "办理角色", "科员",
         "“科员”不是可选值，应为：综合窗口人员、审批科室审查人员、审批决定人"),
        ("环节", 2, "环节编码", "a,b", "只能填一个环节编码"),
        ("环节", 3, "办理部门代码", "ZZZ", "部门代码“ZZZ”在本区不存在"),
    ],
)  # fmt: skip
def test_a_bad_cell_is_reported_with_its_place(exported, zone, sheet, row, header, value, message):
    count = versions_count()
    edit(exported, sheet, row, header, value)
    report = import_catalog(zone, exported, actor=None)
    assert only_problems(report) == [(sheet, row, header, message)]
    assert versions_count() == count


def test_a_material_for_an_unknown_item(exported, zone):
    edit(exported, "材料", 3, "实施编码", "X" * 31)
    report = import_catalog(zone, exported, actor=None)
    assert only_problems(report) == [("材料", 3, "实施编码", f"实施编码“{'X' * 31}”不在“事项”表中")]


def test_a_step_for_an_unknown_item(exported, zone):
    edit(exported, "环节", 2, "实施编码", "UNKNOWN")
    report = import_catalog(zone, exported, actor=None)
    assert only_problems(report) == [("环节", 2, "实施编码", "实施编码“UNKNOWN”不在“事项”表中")]


def test_a_duplicate_implementation_code(exported, zone):
    code = cell(exported, "事项", 2, "实施编码")
    edit(exported, "事项", 3, "实施编码", code.lower())  # the same code, typed in lower case
    report = import_catalog(zone, exported, actor=None)
    problems = only_problems(report)
    assert ("事项", 3, "实施编码", f"实施编码“{code}”与第2行重复") in problems


def test_a_blank_code_or_position_is_reported_once(exported, zone):
    edit(exported, "事项", 3, "实施编码", None)
    edit(exported, "事项", 4, "实施编码", " ")
    edit(exported, "材料", 2, "实施编码", None)
    edit(exported, "材料", 3, "序号", None)
    edit(exported, "材料", 4, "序号", None)
    problems = only_problems(import_catalog(zone, exported, actor=None))
    assert problems[:5] == [
        ("事项", 3, "实施编码", "不能为空"),
        ("事项", 4, "实施编码", "不能为空"),
        ("材料", 2, "实施编码", "不能为空"),
        ("材料", 3, "序号", "不能为空"),
        ("材料", 4, "序号", "不能为空"),
    ]
    # the items of rows 3 and 4 have no code any more: their materials and steps are orphans
    assert problems[5:]
    assert all(problem[3].endswith("不在“事项”表中") for problem in problems[5:])


def test_a_duplicate_position_and_step_key(exported, zone):
    edit(exported, "材料", 3, "序号", 1)
    edit(exported, "环节", 3, "环节编码", "accept")
    report = import_catalog(zone, exported, actor=None)
    assert only_problems(report) == [
        ("材料", 3, "序号", "序号 1 与第2行重复（同一事项）"),
        ("环节", 3, "环节编码", "环节编码“accept”与第2行重复（同一事项）"),
    ]


def test_a_missing_unknown_or_repeated_header(exported, zone):
    edit(exported, "事项", 1, "承诺时限", "承诺期限")
    edit(exported, "环节", 1, "环节时限", "环节名称")
    report = import_catalog(zone, exported, actor=None)
    assert only_problems(report) == [
        ("事项", 1, "承诺期限", "不是本表的列（列名应与导出文件的表头一致）"),
        ("事项", 1, "承诺时限", "缺少此列"),
        ("环节", 1, "环节名称", "列名重复"),
        ("环节", 1, "环节时限", "缺少此列"),
    ]


def test_other_sheets_and_the_export_only_columns_are_ignored(exported, zone):
    edit(exported, "事项", 2, "状态", "草稿")
    edit(exported, "事项", 2, "版本", 7)
    workbook = load_workbook(exported)
    workbook.create_sheet("填表说明").append(["实施编码", "随便写"])
    workbook.save(exported)
    assert import_catalog(zone, exported, actor=None).unchanged == 3


def test_export_only_columns_may_be_left_out(exported, zone):
    workbook = load_workbook(exported)
    workbook["事项"].delete_cols(26, 2)  # 状态, 版本
    workbook.save(exported)
    assert import_catalog(zone, exported, actor=None).unchanged == 3


def test_columns_in_another_order_and_empty_rows_are_fine(exported, zone):
    workbook = load_workbook(exported)
    sheet = workbook["材料"]
    sheet.move_range("A1:A20", cols=20)  # 实施编码 moved to the far right
    sheet.insert_rows(3, 2)  # two empty rows
    workbook.save(exported)
    assert import_catalog(zone, exported, actor=None).unchanged == 3


def test_wrong_sheet_names(exported, zone):
    workbook = load_workbook(exported)
    workbook["材料"].title = "申请材料"
    workbook.save(exported)
    report = import_catalog(zone, exported, actor=None)
    assert only_problems(report) == [
        (
            "材料",
            None,
            "",
            "缺少工作表“材料”（应有“事项”“材料”“环节”三张表，现有：事项、申请材料、环节）",
        )
    ]
    assert str(report.problems[0]).startswith("材料：缺少工作表")


def test_not_an_xlsx_file(zone, tmp_path):
    path = tmp_path / "catalog.xlsx"
    path.write_text("实施编码,事项名称\n", encoding="utf-8")
    report = import_catalog(zone, path, actor=None)
    assert only_problems(report) == [
        ("", None, "", "不是有效的 .xlsx 文件（无法作为 Excel 工作簿打开）")
    ]
    assert str(report.problems[0]) == "文件：不是有效的 .xlsx 文件（无法作为 Excel 工作簿打开）"


def test_an_old_xls_file(zone, tmp_path):
    path = tmp_path / "catalog.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    report = import_catalog(zone, path, actor=None)
    assert report.problems[0].message.startswith("不支持 Excel 97–2003 的 .xls 文件")


def test_an_empty_workbook_with_the_right_sheets_imports_nothing(zone, tmp_path):
    path = tmp_path / "blank.xlsx"
    workbook = Workbook()
    workbook.active.title = "事项"
    workbook.create_sheet("材料")
    workbook.create_sheet("环节")
    workbook.save(path)
    report = import_catalog(zone, path, actor=None)
    # no header at all: every column is missing
    assert {p.message for p in report.problems} == {"缺少此列"}
    assert {p.sheet for p in report.problems} == {"事项", "材料", "环节"}


def test_cells_typed_as_text_or_numbers_are_read_alike(exported, zone):
    edit(exported, "事项", 2, "法定时限", "20")  # a number typed into a text cell
    edit(exported, "事项", 2, "收费金额", "120.50")
    edit(exported, "事项", 2, "赋权协议日期", "2025-03-01")
    edit(exported, "事项", 2, "办理窗口", "B01， A01")
    edit(exported, "材料", 2, "必要", " 是 ")
    assert import_catalog(zone, exported, actor=None).unchanged == 3


def test_problem_text_names_sheet_row_and_column():
    assert str(Problem("材料", 7, "必要", "应填“是”或“否”")) == "材料 第7行 必要：应填“是”或“否”"


# --- the commands ------------------------------------------------------------------------


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_export_and_import_commands(catalog, zone, tmp_path):
    path = tmp_path / "out.xlsx"
    out, _ = run("export_items", str(path), "--zone", "SFQ")
    assert out == f"已导出 示范经济技术开发区（SFQ）的 3 个事项到 {path}\n"
    out, err = run("import_items", str(path))
    assert out == "已导入 示范经济技术开发区（SFQ）的 3 个事项：新建 0 个，新版本 0 个，未变 3 个\n"
    # not a terminal: no bar, only the final line
    assert err.startswith("已处理 3/3 个事项，用时 ") and err.count("\n") == 1


def test_import_command_lists_every_problem_and_exits_non_zero(exported, zone):
    edit(exported, "事项", 3, "事项类型", "行政审核")
    edit(exported, "材料", 4, "必要", "也许")
    with pytest.raises(CommandError) as raised:
        run("import_items", str(exported), "--zone", "sfq")
    assert str(raised.value) == f"{exported}：发现 2 个问题，未导入任何内容"
    with pytest.raises(SystemExit) as exited:
        call_command_via_cli("import-items", str(exported))
    assert exited.value.code == 1


def call_command_via_cli(*args):
    from onewindow.cli import main

    main(["onewindow", *args])


def test_import_command_output_on_problems(exported, zone, capsys):
    edit(exported, "事项", 3, "事项类型", "行政审核")
    edit(exported, "环节", 6, "环节时限", "三天")
    with pytest.raises(SystemExit):
        call_command_via_cli("import-items", str(exported))
    err = capsys.readouterr().err.splitlines()
    assert err[:2] == [
        "  事项 第3行 事项类型：“行政审核”不是可选值，应为："
        "行政许可、行政给付、行政确认、行政奖励、行政裁决、其他行政权力、公共服务",
        "  环节 第6行 环节时限：应为不小于 0 的整数，收到“三天”",
    ]
    assert err[-1] == f"CommandError: {exported}：发现 2 个问题，未导入任何内容"


def test_import_command_records_the_actor(exported, zone, catalog, clerk):
    edit(exported, "事项", 2, "承诺时限", 8)
    out, _ = run("import_items", str(exported), "--actor", "clerk")
    assert "新版本 1 个" in out
    assert catalog[0].versions.get(status="published").created_by == clerk


def test_import_command_refuses_unknown_zone_actor_and_file(exported, zone, tmp_path):
    with pytest.raises(CommandError, match="没有代码为“NOPE”的开发区（已有：SFQ）"):
        run("import_items", str(exported), "--zone", "NOPE")
    with pytest.raises(CommandError, match="没有用户名为“ghost”的用户"):
        run("import_items", str(exported), "--actor", "ghost")
    with pytest.raises(CommandError, match="找不到文件"):
        run("import_items", str(tmp_path / "missing.xlsx"))


def test_progress_bar_on_a_terminal(exported, zone):
    from onewindow.catalog.management.commands.import_items import ProgressBar

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    from django.core.management.base import OutputWrapper

    stream = Terminal()
    bar = ProgressBar(OutputWrapper(stream), interactive=True)
    bar(1, 4)
    bar(4, 4)
    bar.finish(4, 4)
    text = stream.getvalue()
    assert "\r导入 [" + "#" * 7 + "-" * 23 + "] 1/4  25%" in text
    assert "\r导入 [" + "#" * 30 + "] 4/4 100%" in text
    assert text.splitlines()[-1].startswith("已处理 4/4 个事项")
