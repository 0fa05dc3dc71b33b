"""The demo zone's item catalog (事项清单) and bundles (一件事): illustrative data.

The items are real kinds of government service with plausible elements: names as used in
implementation lists, legal bases naming real laws and regulations (article numbers as the
national texts number them, to the best of our reading; a zone publishing real data must
check each against the current text), legal and promised limits in working days, and the
materials a window asks for. Codes, phones, dates and the demo organs are invented. Every
version carries the change note ``演示数据，仅供参考`` and every bundle says so too.

Everything goes through the catalog services (``item_create`` / ``item_publish`` /
``bundle_save`` / ``bundle_publish``), so every element, material and workflow here passed
the same checks as an administrator's input. Loading is idempotent: an item whose
implementation code exists and a bundle whose code exists are left alone, so running
``onewindow demo`` twice changes nothing.

Codes. Basic code (基本编码) = region level (``00`` for items of the national basic
catalogue, ``32`` for the province's own public services) + the item type code + main
item (5 digits, invented, grouped by sector) + sub-item (3 digits, ``000`` when none).
Implementation code = the implementing organ's USCC + level digit ``4`` (the zone acts at
county level) + the basic code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from onewindow.catalog.constants import (
    DelegationLevel,
    DelegationStatus,
    HandlingKind,
    ItemType,
    MaterialMedium,
    MaterialSource,
    OnlineDepth,
    StepKind,
    StepRole,
    VersionStatus,
)
from onewindow.catalog.models import Bundle, Item, ItemVersion
from onewindow.catalog.services import (
    bundle_publish,
    bundle_save,
    bundle_search_terms_set,
    item_create,
    item_publish,
    item_search_terms_set,
)
from onewindow.certificates.models import CertificateType
from onewindow.demo.org_data import ZONE_CODE, demo_uscc
from onewindow.org.constants import DepartmentKind
from onewindow.org.models import Department, User, Window, Zone

CHANGE_NOTE = "演示数据，仅供参考"
LEVEL_DIGIT = "4"  # the zone implements at county level (1 national … 5 township)

# Organs the catalog needs beyond org_data's list: the public-security unit that keeps
# the seal register, the housing-fund centre's office, the medical-insurance bureau and
# the customs office of the bonded zone. (code, name, short name, kind)
EXTRA_DEPARTMENTS = [
    ("GAZA", "公安分局治安管理大队", "公安治安", DepartmentKind.VERTICAL),
    ("YBJ", "医疗保障局", "医保局", DepartmentKind.FUNCTIONAL),
    ("GJJ", "住房公积金管理中心示范区管理部", "公积金", DepartmentKind.VERTICAL),
    ("HG", "示范海关（综合保税区）", "海关", DepartmentKind.VERTICAL),
]

# Consultation phones (咨询电话) of the implementing organs; complaints go to 12345.
PHONES = {
    "XZSPJ": "025-12345001",
    "SCJG": "025-12345002",
    "GACRJ": "025-12345003",
    "GAZA": "025-12345004",
    "KJJ": "025-12345005",
    "RSJ": "025-12345006",
    "YBJ": "025-12345007",
    "GJJ": "025-12345008",
    "HG": "025-12345009",
    "SWJ": "12366",
    "ZRZY": "025-12345011",
    "ZJJ": "025-12345012",
    "STHJ": "025-12345013",
    "YJGL": "025-12345014",
    "XFJY": "025-12345015",
    "WJJ": "025-12345016",
}

# --- certificate types (证照类型) ----------------------------------------------------
# key: (name, issuing department, serial, validity in years or None = 长期, fields).
# The type code is the issuing department's USCC + the 3-digit serial.

T, D, N = "text", "date", "number"


def _fields(*pairs: tuple[str, str, str]) -> list[dict]:
    return [{"key": key, "label": label, "type": kind} for key, label, kind in pairs]


HOLDER = (("holder_name", "名称", T), ("holder_uscc", "统一社会信用代码", T))
LEGAL_REP = ("legal_representative", "法定代表人（负责人）", T)
LICENCE_NO = ("licence_number", "许可证编号", T)
ISSUED = ("issued_on", "发证日期", D)
VALID_UNTIL = ("valid_until", "有效期至", D)
PROJECT = (
    ("project_name", "项目名称", T),
    ("builder", "建设单位", T),
    ("project_address", "建设位置", T),
)

CERTIFICATE_TYPES: dict[str, tuple[str, str, int, int | None, list[dict]]] = {
    "yyzz": ("营业执照", "XZSPJ", 1, None, _fields(
        *HOLDER, ("entity_type", "类型", T), LEGAL_REP,
        ("registered_capital", "注册资本（万元）", N), ("established_on", "成立日期", D),
        ("address", "住所", T), ("business_scope", "经营范围", T), ISSUED)),
    # 个体工商户's licence names its 经营者 (the person), not a 法定代表人.
    "gtyyzz": ("营业执照（个体工商户）", "XZSPJ", 4, None, _fields(
        *HOLDER, ("entity_type", "组成形式", T), ("legal_representative", "经营者", T),
        ("premises", "经营场所", T), ("business_scope", "经营范围", T),
        ("established_on", "注册日期", D), ISSUED)),
    "spjy": ("食品经营许可证", "XZSPJ", 2, 5, _fields(
        *HOLDER, LEGAL_REP, ("premises", "经营场所", T), ("main_format", "主体业态", T),
        ("business_items", "经营项目", T), LICENCE_NO, ISSUED, VALID_UNTIL)),
    "sgxk": ("建筑工程施工许可证", "XZSPJ", 3, None, _fields(
        ("permit_number", "施工许可证编号", T), *PROJECT,
        ("contract_price", "合同价格（万元）", N), ("building_area", "建设规模（平方米）", N),
        ("contractor", "施工单位", T), ("supervisor", "监理单位", T), ISSUED)),
    "spsc": ("食品生产许可证", "SCJG", 1, 5, _fields(
        *HOLDER, LEGAL_REP, ("premises", "生产地址", T), ("food_category", "食品类别", T),
        LICENCE_NO, ISSUED, VALID_UNTIL)),
    "ypjy": ("药品经营许可证", "SCJG", 2, 5, _fields(
        *HOLDER, LEGAL_REP, ("business_mode", "经营方式", T), ("business_scope", "经营范围", T),
        ("premises", "经营地址", T), LICENCE_NO, ISSUED, VALID_UNTIL)),
    "tzsb": ("特种设备使用登记证", "SCJG", 3, None, _fields(
        ("registration_number", "使用登记证编号", T), ("user_name", "使用单位", T),
        ("equipment_category", "设备类别", T), ("equipment_code", "设备代码", T),
        ("location", "设备使用地点", T), ISSUED)),
    "wrjl": ("外国人居留许可", "GACRJ", 1, 1, _fields(
        ("name", "姓名", T), ("nationality", "国籍", T), ("passport_number", "护照号码", T),
        ("residence_purpose", "居留事由", T), ("employer", "工作单位", T), ISSUED,
        VALID_UNTIL)),
    "hz": ("普通护照", "GACRJ", 2, 10, _fields(
        ("name", "姓名", T), ("passport_number", "护照号码", T), ("birth_date", "出生日期", D),
        ("issue_place", "签发地点", T), ISSUED, VALID_UNTIL)),
    "tzhy": ("特种行业许可证", "GAZA", 1, None, _fields(
        *HOLDER, LEGAL_REP, ("trade", "行业类别", T), ("premises", "经营地址", T),
        LICENCE_NO, ISSUED)),
    "wrxk": ("外国人工作许可证", "KJJ", 1, 1, _fields(
        ("permit_number", "工作许可证号", T), ("name", "姓名", T), ("nationality", "国籍", T),
        ("passport_number", "护照号码", T), ("category", "人员类别（A/B/C类）", T),
        ("employer", "工作单位", T), ("position", "职务", T), ISSUED, VALID_UNTIL)),
    "lwpq": ("劳务派遣经营许可证", "RSJ", 1, 3, _fields(
        *HOLDER, LEGAL_REP, ("registered_capital", "注册资本（万元）", N), LICENCE_NO,
        ISSUED, VALID_UNTIL)),
    "qszm": ("清税证明", "SWJ", 1, None, _fields(
        *HOLDER, ("tax_office", "主管税务机关", T), ("document_number", "清税文书号", T),
        ISSUED)),
    "ydys": ("建设项目用地预审与选址意见书", "ZRZY", 1, 3, _fields(
        ("document_number", "文号", T), *PROJECT, ("land_area", "拟用地面积（公顷）", N),
        ("construction_scale", "拟建设规模", T), ISSUED, VALID_UNTIL)),
    "ydgh": ("建设用地规划许可证", "ZRZY", 2, None, _fields(
        ("permit_number", "证书编号", T), ("land_user", "用地单位", T),
        ("project_name", "项目名称", T), ("land_location", "用地位置", T),
        ("land_area", "用地面积（平方米）", N), ("land_use", "土地用途", T), ISSUED)),
    "gcgh": ("建设工程规划许可证", "ZRZY", 3, None, _fields(
        ("permit_number", "证书编号", T), *PROJECT,
        ("building_area", "建设规模（平方米）", N), ISSUED)),
    "bdcq": ("不动产权证书", "ZRZY", 4, None, _fields(
        ("certificate_number", "不动产权证号", T), ("right_holder", "权利人", T),
        ("unit_number", "不动产单元号", T), ("location", "坐落", T),
        ("right_type", "权利类型", T), ("land_use", "用途", T),
        ("area", "面积（平方米）", N), ("term_until", "使用期限至", D), ISSUED)),
    "sgtsc": ("施工图设计文件审查合格书", "ZJJ", 1, None, _fields(
        ("document_number", "合格书编号", T), *PROJECT, ("review_agency", "审查机构", T),
        ISSUED)),
    "xfsj": ("特殊建设工程消防设计审查意见书", "ZJJ", 2, None, _fields(
        ("document_number", "文号", T), *PROJECT, ("conclusion", "审查结论", T), ISSUED)),
    "psxk": ("排水许可证", "ZJJ", 3, 5, _fields(
        ("permit_number", "许可证编号", T), ("discharger", "排水户名称", T),
        ("address", "排水户地址", T), ("category", "排水类别", T),
        ("outlets", "排放口数量", N), ("daily_volume", "许可排水量（立方米/日）", N), ISSUED,
        VALID_UNTIL)),
    "hppf": ("建设项目环境影响评价批复", "STHJ", 1, 5, _fields(
        ("document_number", "批复文号", T), *PROJECT,
        ("document_kind", "环评文件类型（报告书/报告表）", T), ISSUED, VALID_UNTIL)),
    "pwxk": ("排污许可证", "STHJ", 2, 5, _fields(
        ("permit_number", "证书编号", T), *HOLDER, ("industry", "行业类别", T),
        ("premises", "生产经营场所地址", T), ("management", "管理类别（重点/简化）", T), ISSUED,
        VALID_UNTIL)),
    "whjy": ("危险化学品经营许可证", "YJGL", 1, 3, _fields(
        *HOLDER, LEGAL_REP, ("business_mode", "经营方式", T), ("licensed_scope", "许可范围", T),
        LICENCE_NO, ISSUED, VALID_UNTIL)),
    "xfjc": ("公众聚集场所投入使用、营业前消防安全检查合格证", "XFJY", 1, None, _fields(
        ("document_number", "文号", T), ("venue_name", "场所名称", T), ("address", "场所地址", T),
        ("area", "使用面积（平方米）", N), ("use", "场所用途", T), ISSUED)),
    "ggcs": ("公共场所卫生许可证", "WJJ", 1, 4, _fields(
        *HOLDER, LEGAL_REP, ("premises", "经营地址", T), ("trade", "许可项目", T), LICENCE_NO,
        ISSUED, VALID_UNTIL)),
    "yljg": ("医疗机构执业许可证", "WJJ", 2, 5, _fields(
        ("institution_name", "机构名称", T), ("registration_number", "登记号", T),
        ("address", "地址", T), ("principal", "主要负责人", T),
        ("subjects", "诊疗科目", T), ("beds", "床位（张）", N), ISSUED, VALID_UNTIL)),
    "fszl": ("放射诊疗许可证", "WJJ", 3, None, _fields(
        ("institution_name", "医疗机构名称", T), LICENCE_NO,
        ("licensed_items", "许可项目", T), ISSUED)),
}  # fmt: skip

# --- materials (申请材料) -------------------------------------------------------------
# Helpers keep each item's list short. A certificate-sourced material names its type by
# key; a shared one names the department by code; the loader turns both into objects.


def form(name: str, **fields: Any) -> dict:
    """A form the applicant fills in (online or at the window)."""
    return {"name": name, "originals": 1, "copies": 0} | fields


def doc(name: str, originals: int = 0, copies: int = 1, **fields: Any) -> dict:
    """A document the applicant brings (by default one copy; originals are checked)."""
    return {"name": name, "originals": originals, "copies": copies} | fields


def online(name: str, **fields: Any) -> dict:
    """A document uploaded electronically."""
    return {"name": name, "originals": 1, "medium": MaterialMedium.ELECTRONIC} | fields


def optional(name: str, notes: str, **fields: Any) -> dict:
    return {"name": name, "required": False, "originals": 1, "notes": notes} | fields


def certificate(key: str, **fields: Any) -> dict:
    """免提交: the window reads it from the e-certificate library (电子证照调取)."""
    return {
        "name": CERTIFICATE_TYPES[key][0],
        "source": MaterialSource.CERTIFICATE,
        "certificate_type": key,
        "medium": MaterialMedium.ELECTRONIC,
        "notes": "通过电子证照库调取，申请人无需提交",
    } | fields


def shared(name: str, department: str, notes: str) -> dict:
    """免提交: another department shares the data."""
    return {
        "name": name,
        "source": MaterialSource.DEPARTMENT,
        "source_department": department,
        "medium": MaterialMedium.ELECTRONIC,
        "notes": notes,
    }


def verified(name: str, notes: str) -> dict:
    """免提交: the data is checked in a shared system (real-name login, registers)."""
    return {
        "name": name,
        "source": MaterialSource.NOT_NEEDED,
        "medium": MaterialMedium.ELECTRONIC,
        "notes": notes,
    }


LICENCE = certificate("yyzz")
IDENTITY = verified("法定代表人身份证件", "通过实名认证核验身份，免提交")
TAX_AGENT = verified("办税人员身份证件", "办税人员通过电子税务局实名认证，免提交")
MANDATE = optional("授权委托书", "委托他人办理的，提交授权委托书及受托人身份证件")
CLOSURE = doc("注销决议或决定", originals=1, copies=0)
PROJECT_FILING = verified(
    "投资项目备案证明（核准批复）", "通过投资项目在线审批监管平台共享，免提交"
)
PASSPORT = doc("护照", originals=1, copies=1, notes="原件查验，留存信息页复印件")
PHOTO = doc("近期正面免冠照片", originals=1, copies=0, notes="符合出入境证件照片标准")
HEALTH = shared("境外人员体检证明", "HG", "由国际旅行卫生保健中心体检系统共享（海关），免提交")
LAYOUT = doc("经营场所平面布局图", originals=1, copies=0)
PIPES = doc("管线施工图及施工方案", originals=1, copies=0)
PREMISES = doc("经营场所产权证明或租赁合同")
FIRE_ACCEPTANCE = shared(
    "建设工程消防验收或备案凭证", "ZJJ", "由住房和城乡建设局消防验收系统共享，免提交"
)


# --- workflows (办理流程) -------------------------------------------------------------


def step(
    key: str,
    name: str,
    kind: str,
    role: str,
    days: int,
    after: tuple[str, ...] = (),
    department: str | None = None,
) -> dict:
    return {
        "key": key,
        "name": name,
        "kind": kind,
        "role": role,
        "limit_days": days,
        "after": list(after),
        "department": department,
    }


def inspection(days: int, department: str, name: str = "现场核查") -> tuple:
    """A site visit running beside the document review (并联)."""
    return ("inspect", name, StepKind.INSPECTION, days, department)


def coreview(key: str, name: str, days: int, department: str) -> tuple:
    """Another reviewer working at the same time (会签)."""
    return (key, name, StepKind.REVIEW, days, department)


def standard(
    department: str,
    review: int,
    decide: int = 1,
    *,
    parallel: tuple[tuple, ...] = (),
    accept: str = "ZWFWZX",
    review_name: str = "审查",
    decide_name: str = "决定",
    deliver: int = 0,
    deliver_name: str = "送达",
) -> list[dict]:
    """受理 → 审查 (∥ parallel steps) → 决定 → 送达.

    Acceptance and delivery are at the comprehensive window (``accept``); the longest
    path is ``max(review, parallel days) + decide + deliver`` working days.
    """
    steps = [step("accept", "受理", StepKind.ACCEPTANCE, StepRole.WINDOW_CLERK, 0, (), accept)]
    steps.append(
        step("review", review_name, StepKind.REVIEW, StepRole.REVIEWER, review, ("accept",),
             department)
    )  # fmt: skip
    for key, name, kind, days, by in parallel:
        steps.append(step(key, name, kind, StepRole.REVIEWER, days, ("accept",), by))
    before = ("review", *(entry[0] for entry in parallel))
    steps.append(
        step("decide", decide_name, StepKind.DECISION, StepRole.DECIDER, decide, before,
             department)
    )  # fmt: skip
    steps.append(
        step("deliver", deliver_name, StepKind.DELIVERY, StepRole.WINDOW_CLERK, deliver,
             ("decide",), accept)
    )  # fmt: skip
    return steps


def on_the_spot(department: str = "ZWFWZX", name: str = "窗口受理并当场办结") -> list[dict]:
    """即办件: one step, the window clerk decides the same day."""
    return [step("decide", name, StepKind.DECISION, StepRole.WINDOW_CLERK, 0, (), department)]


# --- items (事项) ---------------------------------------------------------------------


@dataclass(frozen=True)
class Delegation:
    """赋权: the power was handed down to the zone, which has accepted it (已承接)."""

    level: str
    organ: str
    agreed_on: dt.date


PROVINCE_SCIENCE = Delegation(
    DelegationLevel.PROVINCE, "省科学技术厅（省外国专家局）", dt.date(2020, 11, 20)
)
CITY_MARKET = Delegation(DelegationLevel.CITY, "示范市市场监督管理局", dt.date(2022, 3, 15))
CITY_ECOLOGY = Delegation(DelegationLevel.CITY, "示范市生态环境局", dt.date(2021, 7, 1))
CITY_EMERGENCY = Delegation(DelegationLevel.CITY, "示范市应急管理局", dt.date(2022, 6, 30))


@dataclass(frozen=True)
class ItemSpec:
    """One implementation-list entry. ``promised=0`` makes it a 即办件."""

    name: str
    department: str  # implementing organ (its USCC starts the implementation code)
    item_type: str
    code: str  # main item (5 digits) + sub-item (3 digits)
    basis: str
    citations: list[str]
    legal: int
    promised: int
    visits: int
    conditions: str
    materials: list[dict]
    steps: list[dict]
    windows: list[str] = field(default_factory=lambda: ["A01", "A02"])
    result: str = ""
    certificate: str | None = None
    fee: tuple[str, str] | None = None  # (amount in yuan, basis)
    fee_note: str = ""  # why a free item is free, when worth saying
    delegation: Delegation | None = None
    region: str = "00"

    @property
    def basic_code(self) -> str:
        return f"{self.region}{self.item_type}{self.code}"

    @property
    def handling_kind(self) -> str:
        return HandlingKind.IMMEDIATE if self.promised == 0 else HandlingKind.PROMISED

    @property
    def online_depth(self) -> str:
        if self.visits == 0:
            return OnlineDepth.FULLY_ONLINE
        return OnlineDepth.ONE_VISIT if self.visits == 1 else OnlineDepth.PRE_REVIEW


LICENSING = ItemType.ADMINISTRATIVE_LICENSING
PAYMENT = ItemType.ADMINISTRATIVE_PAYMENT
CONFIRMATION = ItemType.ADMINISTRATIVE_CONFIRMATION
OTHER = ItemType.OTHER_POWER
SERVICE = ItemType.PUBLIC_SERVICE

REGISTRATION_LAW = "《中华人民共和国市场主体登记管理条例》"
FOOD_LAW = "《中华人民共和国食品安全法》"
PLANNING_LAW = "《中华人民共和国城乡规划法》"
FIRE_LAW = "《中华人民共和国消防法》"
FIRE_RULES = "《建设工程消防设计审查验收管理暂行规定》（住房和城乡建设部令第51号）"
EXIT_ENTRY_LAW = "《中华人民共和国出境入境管理法》"
SOCIAL_INSURANCE_LAW = "《中华人民共和国社会保险法》"
TAX_LAW = "《中华人民共和国税收征收管理法》"
EIA_LAW = "《中华人民共和国环境影响评价法》"
HOUSING_FUND = "《住房公积金管理条例》"
LICENSING_LAW_42 = "《中华人民共和国行政许可法》第四十二条"
BUSINESS_ENVIRONMENT_25 = "《优化营商环境条例》第二十五条"

CONSTRUCTION = ["B01"]
FOREIGNERS = ["A03"]
TAX = ["B02", "A01"]
START_UP = ["A01", "A02", "P01-1", "D01"]

ITEMS: list[ItemSpec] = [
    # ---- 行政审批局（相对集中行政许可权）: market access (市场准入科) ----
    ItemSpec(
        name="企业设立登记",
        department="XZSPJ",
        item_type=LICENSING,
        code="12001001",
        basis=f"《中华人民共和国公司法》；{REGISTRATION_LAW}及其实施细则。",
        citations=[
            "《中华人民共和国公司法》第二十九条",
            f"{REGISTRATION_LAW}第三条",
            f"{REGISTRATION_LAW}第十九条",
        ],
        legal=3,
        promised=1,
        visits=0,
        conditions=(
            "企业名称已自主申报且不与已登记名称相同；住所（经营场所）真实、合法；"
            "申请材料齐全、符合法定形式。通过“企业开办一网通办”平台全程网上办理，"
            "营业执照同步生成电子证照。"
        ),
        result="营业执照",
        certificate="yyzz",
        windows=START_UP,
        materials=[
            online("公司登记（备案）申请书", notes="在线填报，全体股东电子签名"),
            online("公司章程", notes="可选用平台提供的章程参考文本"),
            verified(
                "股东主体资格证明或自然人身份证明",
                "自然人股东通过实名认证核验，法人股东的营业执照通过电子证照库调取",
            ),
            IDENTITY,
            online("董事、监事和高级管理人员的任职文件"),
            doc(
                "住所（经营场所）使用证明",
                commitment_allowed=True,
                notes="可签署《住所（经营场所）申报承诺书》代替",
            ),
            MANDATE,
        ],
        steps=standard("SPJ-SCK", review=1, decide=0, review_name="审核", decide_name="核准登记"),
    ),
    ItemSpec(
        name="企业变更登记",
        department="XZSPJ",
        item_type=LICENSING,
        code="12001002",
        basis=f"{REGISTRATION_LAW}及其实施细则。",
        citations=[f"{REGISTRATION_LAW}第十九条", f"{REGISTRATION_LAW}第二十四条"],
        legal=3,
        promised=1,
        visits=0,
        conditions="登记事项变更的，自作出变更决议、决定或法定变更事项发生之日起30日内申请。",
        result="准予变更登记通知书（换发营业执照）",
        certificate="yyzz",
        windows=START_UP,
        materials=[
            online("企业变更登记申请书"),
            online("变更决议或者决定"),
            optional("章程修正案", "变更事项涉及章程修改的提交"),
            LICENCE,
            IDENTITY,
            MANDATE,
        ],
        steps=standard("SPJ-SCK", review=1, decide=0, review_name="审核", decide_name="核准登记"),
    ),
    ItemSpec(
        name="企业注销登记",
        department="XZSPJ",
        item_type=LICENSING,
        code="12001003",
        basis=f"《中华人民共和国公司法》；{REGISTRATION_LAW}及其实施细则。",
        citations=[
            f"{REGISTRATION_LAW}第三十一条",
            f"{REGISTRATION_LAW}第三十二条",
            f"{REGISTRATION_LAW}第三十三条",
        ],
        legal=3,
        promised=1,
        visits=0,
        conditions=(
            "已依法清算（适用简易注销的，未发生或已清偿债权债务并经20日公示无异议）；"
            "已办结清税；无未办结的海关手续。"
        ),
        result="准予注销登记通知书",
        windows=START_UP,
        materials=[
            online("企业注销登记申请书"),
            CLOSURE,
            online("清算报告或全体投资人承诺书", notes="简易注销的提交全体投资人承诺书"),
            certificate("qszm"),
            LICENCE | {"notes": "电子营业执照在线缴销；领取纸质执照的一并交回正副本"},
        ],
        steps=standard("SPJ-SCK", review=1, decide=0, review_name="审核", decide_name="核准注销"),
    ),
    ItemSpec(
        name="个体工商户设立登记",
        department="XZSPJ",
        item_type=LICENSING,
        code="12002001",
        basis=f"《促进个体工商户发展条例》；{REGISTRATION_LAW}。",
        citations=[f"{REGISTRATION_LAW}第二条", f"{REGISTRATION_LAW}第十九条"],
        legal=3,
        promised=0,
        visits=0,
        conditions="申请材料齐全、符合法定形式的，当场予以登记。",
        result="营业执照",
        certificate="gtyyzz",
        windows=START_UP,
        materials=[
            online("个体工商户登记（备案）申请书"),
            verified("经营者身份证件", "通过实名认证核验身份，免提交"),
            doc("经营场所使用证明", commitment_allowed=True, notes="可以承诺书代替"),
        ],
        steps=on_the_spot(),
    ),
    ItemSpec(
        name="食品经营许可",
        department="XZSPJ",
        item_type=LICENSING,
        code="12003000",
        basis=f"{FOOD_LAW}；《食品经营许可和备案管理办法》。",
        citations=[
            f"{FOOD_LAW}第三十三条",
            f"{FOOD_LAW}第三十五条",
            "《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）",
        ],
        legal=10,
        promised=3,
        visits=1,
        conditions=(
            "具有与经营的食品品种、数量相适应的场所和设备设施；有食品安全管理人员和"
            "保证食品安全的规章制度；设备布局和工艺流程合理。申请人承诺符合条件的，"
            "可就标注“可告知承诺”的材料签署承诺书，先证后查。"
        ),
        result="食品经营许可证",
        certificate="spjy",
        materials=[
            form("食品经营许可申请书"),
            LICENCE,
            IDENTITY,
            LAYOUT | {"commitment_allowed": True},
            doc("主要设备设施清单及操作流程", originals=1, copies=0, commitment_allowed=True),
            doc("食品安全管理制度", originals=1, copies=0, commitment_allowed=True),
            doc("食品安全管理人员任职及培训考核证明", tolerable=True),
            MANDATE,
        ],
        steps=standard("SPJ-SCK", review=2, parallel=(inspection(2, "SCJG"),)),
    ),
    ItemSpec(
        name="仅销售预包装食品备案",
        department="XZSPJ",
        item_type=CONFIRMATION,
        code="12004000",
        basis=f"{FOOD_LAW}；《食品经营许可和备案管理办法》。",
        citations=[
            f"{FOOD_LAW}第三十五条",
            "《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）",
        ],
        legal=1,
        promised=0,
        visits=0,
        conditions="仅销售预包装食品的，不需取得食品经营许可，向所在地市场监管部门备案。",
        result="备案信息采集表（备案编号）",
        materials=[online("仅销售预包装食品备案信息采集表"), LICENCE],
        steps=on_the_spot(),
    ),
    ItemSpec(
        name="企业投资项目备案",
        department="XZSPJ",
        item_type=CONFIRMATION,
        code="15001000",
        basis="《企业投资项目核准和备案管理条例》；《企业投资项目核准和备案管理办法》。",
        citations=[
            "《企业投资项目核准和备案管理条例》第三条",
            "《企业投资项目核准和备案管理条例》第十三条",
            "《企业投资项目核准和备案管理条例》第十四条",
        ],
        legal=1,
        promised=0,
        visits=0,
        conditions="不属于《政府核准的投资项目目录》的企业投资项目，开工前通过在线平台告知。",
        result="项目备案证明（项目代码）",
        windows=CONSTRUCTION,
        materials=[
            online(
                "项目备案信息表",
                notes="项目单位基本情况、项目名称、建设地点、建设规模和内容、总投资额、"
                "符合产业政策的声明",
            ),
            LICENCE,
        ],
        steps=on_the_spot("SPJ-JSK"),
    ),
    ItemSpec(
        name="节能审查",
        department="XZSPJ",
        item_type=LICENSING,
        code="15002000",
        basis="《中华人民共和国节约能源法》；《固定资产投资项目节能审查办法》。",
        citations=[
            "《中华人民共和国节约能源法》第十五条",
            "《固定资产投资项目节能审查办法》（国家发展改革委令2023年第2号）",
            LICENSING_LAW_42,
        ],
        legal=20,
        promised=5,
        visits=1,
        conditions=(
            "年综合能源消费量1000吨标准煤及以上或年电力消费量500万千瓦时及以上的固定资产"
            "投资项目，开工建设前申请；低于该标准的项目不单独进行节能审查。专家评审时间"
            "不计入办理时限。"
        ),
        result="节能审查意见",
        windows=CONSTRUCTION,
        materials=[
            form("节能审查申请函"),
            doc("节能报告", originals=1, copies=0),
            PROJECT_FILING,
            LICENCE,
        ],
        steps=standard("SPJ-JSK", review=3, decide=2, accept="SPJ-JSK"),
    ),
    ItemSpec(
        name="建筑工程施工许可",
        department="XZSPJ",
        item_type=LICENSING,
        code="22010000",
        basis="《中华人民共和国建筑法》；《建筑工程施工许可管理办法》。",
        citations=[
            "《中华人民共和国建筑法》第七条",
            "《中华人民共和国建筑法》第八条",
            "《建筑工程施工许可管理办法》（住房和城乡建设部令第18号）第四条",
            "《建筑工程施工许可管理办法》（住房和城乡建设部令第18号）第五条",
        ],
        legal=7,
        promised=3,
        visits=0,
        conditions=(
            "已办理用地批准手续；已取得建设工程规划许可证；已确定施工企业；有满足施工需要的"
            "资金安排、施工图纸及技术资料；有保证工程质量和安全的具体措施。"
        ),
        result="建筑工程施工许可证",
        certificate="sgxk",
        windows=CONSTRUCTION,
        materials=[
            online("建筑工程施工许可证申请表"),
            certificate("bdcq"),
            certificate("gcgh"),
            online("中标通知书及施工合同"),
            certificate("sgtsc"),
            online("建设资金已经落实承诺书"),
            online("保证工程质量安全的具体措施（施工组织设计）", tolerable=True),
            online("危险性较大的分部分项工程清单及安全管理措施", tolerable=True),
        ],
        steps=standard(
            "SPJ-JSK",
            review=2,
            accept="SPJ-JSK",
            parallel=(inspection(2, "ZJJ", "施工现场核查"),),
        ),
    ),
    ItemSpec(
        name="占用挖掘道路许可",
        department="XZSPJ",
        item_type=LICENSING,
        code="22020000",
        basis="《城市道路管理条例》。",
        citations=[
            "《城市道路管理条例》第三十条",
            "《城市道路管理条例》第三十一条",
            "《城市道路管理条例》第三十三条",
            LICENSING_LAW_42,
        ],
        legal=20,
        promised=0,
        visits=1,
        conditions=(
            "因工程建设需要挖掘或临时占用城市道路的，持规划批准文件和设计文件申请；"
            "市政基础设施工程实行容缺受理、承诺即办，容缺材料在5个工作日内补齐。"
        ),
        result="占用挖掘城市道路许可决定书",
        windows=CONSTRUCTION,
        materials=[
            form("占用挖掘城市道路申请表"),
            LICENCE,
            certificate("gcgh"),
            PIPES | {"tolerable": True},
            doc("交通组织方案及公安交通管理部门意见", tolerable=True),
            form("道路修复承诺书"),
        ],
        steps=on_the_spot("SPJ-JSK"),
    ),
    ItemSpec(
        name="城市绿化许可",
        department="XZSPJ",
        item_type=LICENSING,
        code="22021000",
        basis="《城市绿化条例》（临时占用城市绿地、砍伐或迁移城市树木的审批）。",
        citations=["《城市绿化条例》第十九条", "《城市绿化条例》第二十条", LICENSING_LAW_42],
        legal=20,
        promised=0,
        visits=1,
        conditions=(
            "因建设或其他特殊需要临时占用城市绿地，或砍伐、迁移城市树木的；"
            "实行容缺受理、承诺即办，按承诺恢复绿化或补植。"
        ),
        result="城市绿化许可决定书",
        windows=CONSTRUCTION,
        materials=[
            form("城市绿化许可申请表"),
            LICENCE,
            doc("绿化现状及占用（迁移）范围图", originals=1, copies=0, tolerable=True),
            PIPES | {"tolerable": True},
            form("绿化恢复（补植）承诺书"),
        ],
        steps=on_the_spot("SPJ-JSK"),
    ),
    # ---- 市场监督管理局 ----
    ItemSpec(
        name="食品生产许可",
        department="SCJG",
        item_type=LICENSING,
        code="12005000",
        basis=f"{FOOD_LAW}；《食品生产许可管理办法》。",
        citations=[
            f"{FOOD_LAW}第三十五条",
            "《食品生产许可管理办法》（国家市场监督管理总局令第24号）",
        ],
        legal=10,
        promised=7,
        visits=1,
        conditions="具有与生产的食品品种、数量相适应的场所、设备设施、专业技术人员和管理制度。",
        result="食品生产许可证",
        certificate="spsc",
        delegation=CITY_MARKET,
        materials=[
            form("食品生产许可申请书"),
            LICENCE,
            doc("生产场所平面图及工艺流程图", originals=1, copies=0),
            doc("主要生产设备设施清单", originals=1, copies=0),
            doc("食品安全管理制度及专业技术人员名单", originals=1, copies=0),
        ],
        steps=standard("SCJG", review=3, decide=2, parallel=(inspection(5, "SCJG"),)),
    ),
    ItemSpec(
        name="特种设备使用登记",
        department="SCJG",
        item_type=LICENSING,
        code="12006000",
        basis="《中华人民共和国特种设备安全法》；《特种设备使用管理规则》（TSG 08）。",
        citations=["《中华人民共和国特种设备安全法》第三十三条"],
        legal=15,
        promised=2,
        visits=0,
        conditions="特种设备投入使用前或投入使用后30日内办理；设备已经监督检验合格。",
        result="特种设备使用登记证",
        certificate="tzsb",
        materials=[
            online("特种设备使用登记表"),
            LICENCE,
            online("特种设备产品合格证（含产品数据表）"),
            online("特种设备监督检验证明"),
        ],
        steps=standard("SCJG", review=1, decide=1),
    ),
    ItemSpec(
        name="药品经营许可（零售）",
        department="SCJG",
        item_type=LICENSING,
        code="12007000",
        basis="《中华人民共和国药品管理法》；《药品经营和使用质量监督管理办法》。",
        citations=[
            "《中华人民共和国药品管理法》第五十一条",
            "《中华人民共和国药品管理法》第五十二条",
            "《药品经营和使用质量监督管理办法》（国家市场监督管理总局令第84号）",
        ],
        legal=20,
        promised=10,
        visits=1,
        conditions="有依法经过资格认定的药师或其他药学技术人员；有相适应的营业场所、设备、"
        "仓储设施和卫生环境；有质量管理机构或人员和质量管理制度。",
        result="药品经营许可证",
        certificate="ypjy",
        materials=[
            form("药品经营许可证申请表"),
            LICENCE,
            doc("执业药师注册证及身份证明"),
            LAYOUT,
            doc("质量管理文件及主要设施设备目录", originals=1, copies=0),
        ],
        steps=standard("SCJG", review=5, decide=3, parallel=(inspection(7, "SCJG"),)),
    ),
    ItemSpec(
        name="第二类医疗器械经营备案",
        department="SCJG",
        item_type=CONFIRMATION,
        code="12008000",
        basis="《医疗器械监督管理条例》；《医疗器械经营监督管理办法》。",
        citations=[
            "《医疗器械监督管理条例》第四十一条",
            "《医疗器械经营监督管理办法》（国家市场监督管理总局令第54号）",
        ],
        legal=1,
        promised=0,
        visits=0,
        conditions="从事第二类医疗器械经营的企业，具备与经营规模和范围相适应的场所、"
        "贮存条件和质量管理制度，备案后即可经营。",
        result="第二类医疗器械经营备案凭证",
        delegation=CITY_MARKET,
        materials=[
            online("第二类医疗器械经营备案表"),
            LICENCE,
            online("质量负责人身份证明及学历或职称证明"),
            online("经营场所和库房的地理位置图、平面图及使用证明"),
            online("经营质量管理制度、工作程序文件目录"),
        ],
        steps=on_the_spot(),
    ),
    # ---- 公安分局 ----
    ItemSpec(
        name="外国人居留许可",
        department="GACRJ",
        item_type=LICENSING,
        code="06001000",
        basis=f"{EXIT_ENTRY_LAW}；《中华人民共和国外国人入境出境管理条例》。",
        citations=[f"{EXIT_ENTRY_LAW}第三十条", f"{EXIT_ENTRY_LAW}第四十一条"],
        legal=15,
        promised=4,
        visits=1,
        conditions=(
            "持工作签证入境的外国人自入境之日起30日内申请；已取得外国人工作许可；"
            "已办理住宿登记；本人到场留存指纹和照片。"
        ),
        result="外国人居留许可（工作类）",
        certificate="wrjl",
        fee=(
            "400",
            "按国家发展改革委、财政部核定的外国人居留许可收费标准：居留期不满1年400元，"
            "1年至不满3年800元，3年至5年1000元（按申请居留期收取）。",
        ),
        windows=FOREIGNERS,
        materials=[
            form("外国人签证证件申请表"),
            PASSPORT,
            PHOTO,
            certificate("wrxk"),
            LICENCE | {"notes": "用人单位营业执照，通过电子证照库调取"},
            HEALTH,
            verified("境外人员住宿登记信息", "由公安机关住宿登记系统核验，免提交"),
            doc("用人单位出具的证明函件", originals=1, copies=0),
        ],
        steps=standard(
            "GACRJ", review=2, deliver=1, decide_name="签发", deliver_name="送达（制证）"
        ),
    ),
    ItemSpec(
        name="外国人签证延期、换发、补发",
        department="GACRJ",
        item_type=LICENSING,
        code="06002000",
        basis=f"{EXIT_ENTRY_LAW}；《中华人民共和国外国人入境出境管理条例》。",
        citations=[f"{EXIT_ENTRY_LAW}第二十九条"],
        legal=7,
        promised=5,
        visits=1,
        conditions="在签证注明的停留期限届满7日前申请；有正当理由需要延长停留期限。",
        result="外国人签证",
        fee=("160", "按国家发展改革委、财政部核定的外国人签证收费标准，每人次160元。"),
        windows=FOREIGNERS,
        materials=[
            form("外国人签证证件申请表"),
            PASSPORT,
            PHOTO,
            doc("申请事由相关证明材料"),
            verified("境外人员住宿登记信息", "由公安机关住宿登记系统核验，免提交"),
        ],
        steps=standard(
            "GACRJ", review=3, deliver=1, decide_name="签发", deliver_name="送达（制证）"
        ),
    ),
    ItemSpec(
        name="普通护照签发",
        department="GACRJ",
        item_type=LICENSING,
        code="06003000",
        basis="《中华人民共和国护照法》。",
        citations=["《中华人民共和国护照法》第五条", "《中华人民共和国护照法》第六条"],
        legal=15,
        promised=7,
        visits=1,
        conditions="中国公民因前往外国定居、探亲、学习、就业、旅行、从事商务活动等非公务原因"
        "出国的，本人到场申请。",
        result="普通护照",
        certificate="hz",
        fee=(
            "120",
            "《国家发展改革委 财政部关于降低部分行政事业性收费标准的通知》"
            "（2019年起普通护照每本120元）。",
        ),
        materials=[
            form("中国公民出入境证件申请表"),
            doc("居民身份证", originals=1, copies=0, notes="原件查验"),
            verified("出入境证件照片", "受理现场免费采集，免提交"),
        ],
        steps=standard(
            "GACRJ", review=5, deliver=1, decide_name="签发", deliver_name="送达（制证邮寄）"
        ),
    ),
    ItemSpec(
        name="公章刻制备案",
        department="GAZA",
        item_type=CONFIRMATION,
        code="06010000",
        basis="《国务院关于第三批取消中央指定地方实施行政许可事项的决定》（公章刻制审批改为备案）。",
        citations=["《国务院关于第三批取消中央指定地方实施行政许可事项的决定》（国发〔2017〕7号）"],
        legal=1,
        promised=0,
        visits=0,
        conditions="在公章刻制企业刻制印章，由刻章企业通过印章治安管理信息系统在线备案；"
        "新开办企业首套印章由政府购买服务，免费刻制。",
        result="印章备案信息（印模）",
        fee_note="新开办企业首套印章免费",
        windows=START_UP,
        materials=[online("印章刻制备案表"), LICENCE, IDENTITY, MANDATE],
        steps=on_the_spot(),
    ),
    ItemSpec(
        name="旅馆业特种行业许可",
        department="GAZA",
        item_type=LICENSING,
        code="06011000",
        basis="《旅馆业治安管理办法》。",
        citations=["《旅馆业治安管理办法》第四条", LICENSING_LAW_42],
        legal=20,
        promised=5,
        visits=1,
        conditions="房屋建筑、消防设备、出入口和通道符合治安、消防要求；有治安保卫制度和人员。",
        result="特种行业许可证",
        certificate="tzhy",
        materials=[
            form("旅馆业特种行业许可申请登记表"),
            LICENCE,
            LAYOUT,
            PREMISES,
            certificate("xfjc"),
            doc("治安保卫制度及安全管理人员名单", originals=1, copies=0),
        ],
        steps=standard("GAZA", review=3, decide=2, parallel=(inspection(3, "GAZA", "现场检查"),)),
    ),
    # ---- 科技局（外国人来华工作管理服务）----
    ItemSpec(
        name="外国人来华工作许可",
        department="KJJ",
        item_type=LICENSING,
        code="20001001",
        basis=(
            f"{EXIT_ENTRY_LAW}；《外国人在中国就业管理规定》；外国人来华工作许可制度的实施通知。"
        ),
        citations=[
            f"{EXIT_ENTRY_LAW}第四十一条",
            "《外国人在中国就业管理规定》第五条",
            "《关于全面实施外国人来华工作许可制度的通知》（外专发〔2017〕40号）",
        ],
        legal=15,
        promised=3,
        visits=0,
        conditions=(
            "用人单位依法设立、无严重失信记录；外国人年满18周岁、身体健康、无犯罪记录，"
            "具有所需专业技能或工作经历，属于A、B、C类人才之一。用人单位承诺电子材料真实"
            "后全程网上申请、审批和决定。"
        ),
        result="外国人工作许可证",
        certificate="wrxk",
        delegation=PROVINCE_SCIENCE,
        windows=FOREIGNERS,
        materials=[
            online("外国人来华工作许可申请表"),
            online("工作资历证明", commitment_allowed=True),
            online("最高学位（学历）证书或相关批准文书、职业资格证明", commitment_allowed=True),
            online("无犯罪记录证明", commitment_allowed=True, tolerable=True),
            HEALTH | {"tolerable": True},
            online("劳动合同或聘用合同"),
            PASSPORT
            | {"medium": MaterialMedium.ELECTRONIC, "originals": 0, "notes": "上传护照信息页"},
            PHOTO | {"medium": MaterialMedium.ELECTRONIC},
            LICENCE | {"notes": "用人单位营业执照，通过电子证照库调取"},
        ],
        steps=standard("KJJ", review=2),
    ),
    ItemSpec(
        name="外国人来华工作许可延期",
        department="KJJ",
        item_type=LICENSING,
        code="20001002",
        basis=f"{EXIT_ENTRY_LAW}；《外国人在中国就业管理规定》。",
        citations=[f"{EXIT_ENTRY_LAW}第四十一条", "《外国人在中国就业管理规定》第十八条"],
        legal=15,
        promised=3,
        visits=0,
        conditions="工作许可期满需继续聘用的，在期满30日前申请。",
        result="外国人工作许可证",
        certificate="wrxk",
        delegation=PROVINCE_SCIENCE,
        windows=FOREIGNERS,
        materials=[
            online("外国人来华工作许可延期申请表"),
            online("劳动合同或聘用合同", notes="续签的劳动合同"),
            certificate("wrxk"),
            LICENCE,
        ],
        steps=standard("KJJ", review=2),
    ),
    ItemSpec(
        name="外国人来华工作许可注销",
        department="KJJ",
        item_type=LICENSING,
        code="20001003",
        basis=f"{EXIT_ENTRY_LAW}；《外国人在中国就业管理规定》。",
        citations=[f"{EXIT_ENTRY_LAW}第四十一条"],
        legal=15,
        promised=0,
        visits=0,
        conditions="劳动合同解除或终止的，用人单位在10个工作日内申请注销。",
        result="外国人工作许可注销证明",
        delegation=PROVINCE_SCIENCE,
        windows=FOREIGNERS,
        materials=[
            online("外国人来华工作许可注销申请表"),
            online("解除或终止劳动合同证明"),
            certificate("wrxk"),
        ],
        steps=on_the_spot(),
    ),
    ItemSpec(
        name="技术合同认定登记",
        department="KJJ",
        item_type=CONFIRMATION,
        code="20002000",
        basis="《中华人民共和国民法典》合同编技术合同章；《技术合同认定登记管理办法》。",
        citations=[
            "《中华人民共和国民法典》第八百四十三条",
            "《技术合同认定登记管理办法》（国科发政字〔2000〕063号）",
        ],
        legal=30,
        promised=5,
        visits=0,
        conditions="依法订立的技术开发、技术转让、技术许可、技术咨询和技术服务合同。",
        result="技术合同登记证明",
        materials=[online("技术合同认定登记申请表"), online("技术合同文本"), LICENCE],
        steps=standard("KJJ", review=3, decide=2),
    ),
    # ---- 惠企政策兑现 (快申快享 / 依申请: policies_data.py maps its items to these) ----
    ItemSpec(
        name="科技型中小企业研发费用补贴兑现",
        department="KJJ",
        item_type=PAYMENT,
        code="20010000",
        basis="《示范经济技术开发区关于促进科技创新的若干政策（示例）》第五条。",
        citations=["示经开发〔2026〕3号 第五条（示例）"],
        legal=60,
        promised=60,
        visits=0,
        conditions="入库的科技型中小企业，上年度有研发投入；快申快享，60个工作日内拨付。",
        result="补贴资金拨付",
        materials=[online("研发费用补贴申请表"), online("单位银行账户信息"), LICENCE],
        steps=standard("KJJ", review=10, decide=5, deliver=5, deliver_name="资金拨付"),
    ),
    ItemSpec(
        name="工业企业技术改造补助兑现",
        department="KJJ",
        item_type=PAYMENT,
        code="20011000",
        basis="《示范经济技术开发区推动制造业和软件产业高质量发展若干政策（示例）》第三条。",
        citations=["示经开发〔2026〕15号 第三条（示例）"],
        legal=60,
        promised=60,
        visits=0,
        conditions="上年度完成技术改造设备投资500万元以上的区内工业企业；快申快享。",
        result="补助资金拨付",
        materials=[
            online("技术改造补助申请表"),
            online("设备购置发票清单"),
            online("单位银行账户信息"),
            LICENCE,
        ],
        steps=standard("KJJ", review=10, decide=5, deliver=5, deliver_name="资金拨付"),
    ),
    ItemSpec(
        name="高新技术企业培育库入库申请",
        department="KJJ",
        item_type=CONFIRMATION,
        code="20012000",
        basis="《高新技术企业认定管理办法》（国科发火〔2016〕32号）第十一条；示经开发〔2026〕3号（示例）。",
        citations=["国科发火〔2016〕32号 第十一条"],
        legal=20,
        promised=20,
        visits=0,
        conditions="注册满一年，拥有核心自主知识产权，科技人员、研发投入和高新技术收入达到规定比例。",
        result="入库通知",
        materials=[online("培育库入库申请表"), online("知识产权清单"), LICENCE],
        steps=standard("KJJ", review=10, decide=5),
    ),
    ItemSpec(
        name="总部企业落户奖励兑现",
        department="KJJ",
        item_type=PAYMENT,
        code="20013000",
        basis="《示范经济技术开发区推动制造业和软件产业高质量发展若干政策（示例）》第十条。",
        citations=["示经开发〔2026〕15号 第十条（示例）"],
        legal=60,
        promised=60,
        visits=0,
        conditions="经认定的总部企业，营业收入5亿元以上。",
        result="奖励资金拨付",
        materials=[online("总部企业奖励申请表"), online("单位银行账户信息"), LICENCE],
        steps=standard("KJJ", review=10, decide=5, deliver=5, deliver_name="资金拨付"),
    ),
    # ---- 人力资源和社会保障局 ----
    ItemSpec(
        name="社会保险登记",
        department="RSJ",
        item_type=CONFIRMATION,
        code="14001001",
        basis=f"{SOCIAL_INSURANCE_LAW}。",
        citations=[f"{SOCIAL_INSURANCE_LAW}第五十七条", f"{SOCIAL_INSURANCE_LAW}第五十八条"],
        legal=15,
        promised=0,
        visits=0,
        conditions="用人单位自成立之日起30日内办理；“多证合一”登记的企业确认参保信息即可。",
        result="社会保险登记信息（单位参保编号）",
        windows=START_UP,
        materials=[online("社会保险单位参保登记表"), LICENCE, IDENTITY],
        steps=on_the_spot(),
    ),
    ItemSpec(
        name="社会保险注销登记",
        department="RSJ",
        item_type=CONFIRMATION,
        code="14001002",
        basis=f"{SOCIAL_INSURANCE_LAW}；《社会保险费征缴暂行条例》。",
        citations=[f"{SOCIAL_INSURANCE_LAW}第五十七条"],
        legal=15,
        promised=1,
        visits=0,
        conditions="用人单位依法终止的，结清应缴社会保险费、滞纳金后办理注销。",
        result="社会保险注销登记结果",
        windows=START_UP,
        materials=[online("社会保险注销登记表"), CLOSURE, LICENCE],
        steps=standard("RSJ", review=1, decide=0, review_name="核查缴费"),
    ),
    ItemSpec(
        name="劳务派遣经营许可",
        department="RSJ",
        item_type=LICENSING,
        code="14002000",
        basis="《中华人民共和国劳动合同法》；《劳务派遣行政许可实施办法》。",
        citations=[
            "《中华人民共和国劳动合同法》第五十七条",
            "《劳务派遣行政许可实施办法》（人力资源社会保障部令第19号）",
        ],
        legal=20,
        promised=10,
        visits=1,
        conditions="注册资本不少于人民币200万元；有固定的经营场所和设施；有符合法律规定的"
        "劳务派遣管理制度。",
        result="劳务派遣经营许可证",
        certificate="lwpq",
        materials=[
            form("劳务派遣经营许可申请书"),
            LICENCE,
            IDENTITY,
            doc("公司章程及注册资本实缴证明"),
            PREMISES,
            doc("劳务派遣管理制度", originals=1, copies=0),
        ],
        steps=standard("RSJ", review=7, decide=3, parallel=(inspection(5, "RSJ"),)),
    ),
    ItemSpec(
        name="人力资源服务许可",
        department="RSJ",
        item_type=LICENSING,
        code="14003000",
        basis="《人力资源市场暂行条例》；《人力资源服务机构管理规定》。",
        citations=[
            "《人力资源市场暂行条例》第十八条",
            "《人力资源服务机构管理规定》（人力资源社会保障部令第50号）",
        ],
        legal=20,
        promised=5,
        visits=0,
        conditions="经营性人力资源服务机构从事职业中介活动的，有明确的章程和管理制度、"
        "开展业务必备的场所设施和专职工作人员；实行告知承诺。",
        result="人力资源服务许可证",
        materials=[
            online("人力资源服务许可申请表"),
            LICENCE,
            online("经营场所证明", commitment_allowed=True),
            online("管理制度及专职工作人员名单", commitment_allowed=True),
        ],
        steps=standard("RSJ", review=3, decide=2),
    ),
    ItemSpec(
        name="企业实行不定时工作制和综合计算工时工作制审批",
        department="RSJ",
        item_type=LICENSING,
        code="14004000",
        basis="《中华人民共和国劳动法》；《关于企业实行不定时工作制和综合计算工时工作制的"
        "审批办法》。",
        citations=[
            "《中华人民共和国劳动法》第三十九条",
            "《关于企业实行不定时工作制和综合计算工时工作制的审批办法》（劳部发〔1994〕503号）",
        ],
        legal=20,
        promised=10,
        visits=0,
        conditions="因生产特点不能实行标准工时制度的岗位；已听取工会和职工意见。",
        result="特殊工时工作制准予许可决定书",
        materials=[
            online("特殊工时工作制申请表"),
            online("实行岗位、人数及工作休息安排方案"),
            online("工会或职工代表意见"),
            LICENCE,
        ],
        steps=standard("RSJ", review=7, decide=3),
    ),
    ItemSpec(
        name="失业保险稳岗返还",
        department="RSJ",
        item_type=PAYMENT,
        code="14010000",
        basis="《失业保险条例》；《中华人民共和国就业促进法》；国家和省失业保险稳岗返还政策。",
        citations=["《中华人民共和国就业促进法》第十五条", "《失业保险条例》"],
        legal=20,
        promised=10,
        visits=0,
        conditions="参保企业上年度未裁员或裁员率不高于规定标准，足额缴纳失业保险费满12个月；"
        "符合条件的企业经系统比对“免申即享”，确认后拨付。",
        result="稳岗返还资金拨付",
        materials=[
            online("稳岗返还确认表"),
            online("单位银行账户信息"),
            LICENCE,
        ],
        steps=standard("RSJ", review=5, decide=3, deliver=2, deliver_name="资金拨付"),
    ),
    ItemSpec(
        name="一次性吸纳就业补贴",
        department="RSJ",
        item_type=PAYMENT,
        code="14011000",
        basis="《中华人民共和国就业促进法》；国家和省就业补贴政策。",
        citations=["《中华人民共和国就业促进法》第十七条"],
        legal=20,
        promised=10,
        visits=0,
        conditions="招用毕业年度或离校2年内未就业高校毕业生、登记失业的16—24岁青年，"
        "签订1年以上劳动合同并按规定缴纳社会保险费。",
        result="补贴资金拨付",
        materials=[
            online("一次性吸纳就业补贴申请表"),
            online("招用人员名单及劳动合同"),
            verified("社会保险缴费记录", "人社系统内部核验，免提交"),
            online("单位银行账户信息"),
        ],
        steps=standard("RSJ", review=5, decide=3, deliver=2, deliver_name="资金拨付"),
    ),
    ItemSpec(
        name="工伤认定",
        department="RSJ",
        item_type=CONFIRMATION,
        code="14005000",
        basis="《工伤保险条例》；《工伤认定办法》。",
        citations=[
            "《工伤保险条例》第十四条",
            "《工伤保险条例》第十七条",
            "《工伤保险条例》第二十条",
        ],
        legal=60,
        promised=30,
        visits=1,
        conditions="职工发生事故伤害或被诊断、鉴定为职业病，用人单位在30日内、职工或其近亲属"
        "在1年内提出申请。",
        result="认定工伤（或不予认定）决定书",
        materials=[
            form("工伤认定申请表"),
            doc("劳动合同或其他劳动关系证明"),
            doc("医疗诊断证明或职业病诊断证明书", originals=1, copies=0),
            doc("受伤职工居民身份证"),
            optional("事故调查报告或证人证言", "有的提交"),
        ],
        steps=standard("RSJ", review=20, decide=10, parallel=(inspection(15, "RSJ", "调查核实"),)),
    ),
    # ---- 医疗保障局 ----
    ItemSpec(
        name="单位医疗保险参保登记",
        department="YBJ",
        item_type=CONFIRMATION,
        code="33001001",
        basis=f"{SOCIAL_INSURANCE_LAW}。",
        citations=[f"{SOCIAL_INSURANCE_LAW}第二十三条", f"{SOCIAL_INSURANCE_LAW}第五十七条"],
        legal=15,
        promised=0,
        visits=0,
        conditions="用人单位自成立之日起30日内为职工办理职工基本医疗保险参保登记。",
        result="医疗保险单位参保信息",
        windows=START_UP,
        materials=[online("医疗保险单位参保登记表"), LICENCE, IDENTITY],
        steps=on_the_spot(),
    ),
    ItemSpec(
        name="单位医疗保险注销登记",
        department="YBJ",
        item_type=CONFIRMATION,
        code="33001002",
        basis=f"{SOCIAL_INSURANCE_LAW}。",
        citations=[f"{SOCIAL_INSURANCE_LAW}第五十七条"],
        legal=15,
        promised=0,
        visits=0,
        conditions="用人单位依法终止、已结清医疗保险费的。",
        result="医疗保险单位注销结果",
        windows=START_UP,
        materials=[online("医疗保险单位注销登记表"), CLOSURE, LICENCE],
        steps=on_the_spot(),
    ),
    # ---- 住房公积金管理中心 ----
    ItemSpec(
        name="住房公积金单位缴存登记",
        department="GJJ",
        item_type=SERVICE,
        code="35001001",
        basis=f"{HOUSING_FUND}。",
        citations=[f"{HOUSING_FUND}第十四条"],
        legal=5,
        promised=1,
        visits=0,
        conditions="新设立的单位自设立之日起30日内办理缴存登记，并为职工设立住房公积金账户。",
        result="单位住房公积金账户",
        windows=START_UP,
        materials=[online("住房公积金单位缴存登记表"), LICENCE, IDENTITY, MANDATE],
        steps=standard("GJJ", review=1, decide=0, review_name="核验开户信息", decide_name="开户"),
    ),
    ItemSpec(
        name="住房公积金单位缴存注销登记",
        department="GJJ",
        item_type=SERVICE,
        code="35001002",
        basis=f"{HOUSING_FUND}。",
        citations=[f"{HOUSING_FUND}第十四条"],
        legal=5,
        promised=1,
        visits=0,
        conditions="单位撤销、解散或破产的，自发生之日起30日内办理注销登记；职工账户已转移或封存。",
        result="单位住房公积金账户注销",
        windows=START_UP,
        materials=[online("住房公积金单位缴存注销登记表"), CLOSURE, LICENCE],
        steps=standard("GJJ", review=1, decide=0, review_name="核查账户"),
    ),
    # ---- 海关 ----
    ItemSpec(
        name="报关单位备案",
        department="HG",
        item_type=CONFIRMATION,
        code="40001001",
        basis="《中华人民共和国海关法》；《中华人民共和国海关报关单位备案管理规定》。",
        citations=[
            "《中华人民共和国海关法》第十一条",
            "《中华人民共和国海关报关单位备案管理规定》（海关总署令第253号）",
        ],
        legal=1,
        promised=0,
        visits=0,
        conditions="进出口货物收发货人、报关企业通过国际贸易“单一窗口”提交备案信息。",
        result="报关单位备案信息（海关编码）",
        materials=[online("报关单位备案信息表"), LICENCE],
        steps=on_the_spot(),
    ),
    ItemSpec(
        name="报关单位备案注销",
        department="HG",
        item_type=CONFIRMATION,
        code="40001002",
        basis="《中华人民共和国海关法》；《中华人民共和国海关报关单位备案管理规定》。",
        citations=[
            "《中华人民共和国海关法》第十一条",
            "《中华人民共和国海关报关单位备案管理规定》（海关总署令第253号）",
        ],
        legal=1,
        promised=0,
        visits=0,
        conditions="无未办结的海关手续、无欠缴税款的报关单位。",
        result="报关单位备案注销结果",
        materials=[online("报关单位备案注销申请表"), CLOSURE, LICENCE],
        steps=on_the_spot(),
    ),
    # ---- 税务局 ----
    ItemSpec(
        name="税务登记信息确认",
        department="SWJ",
        item_type=CONFIRMATION,
        code="28001001",
        basis=f"{TAX_LAW}及其实施细则。",
        citations=[f"{TAX_LAW}第十五条"],
        legal=1,
        promised=0,
        visits=0,
        conditions="“多证合一”登记的新办纳税人，首次办理涉税事宜时确认登记信息。",
        result="税务登记信息确认结果",
        windows=TAX,
        materials=[online("新办纳税人涉税事项综合申请表"), LICENCE, IDENTITY, TAX_AGENT],
        steps=on_the_spot("SWJ", "税务专窗当场办结"),
    ),
    ItemSpec(
        name="发票领用",
        department="SWJ",
        item_type=OTHER,
        code="28002000",
        basis=f"《中华人民共和国发票管理办法》；{TAX_LAW}。",
        citations=["《中华人民共和国发票管理办法》第十五条", f"{TAX_LAW}第二十一条"],
        legal=1,
        promised=0,
        visits=0,
        conditions="已办理设立登记的纳税人，首次领用发票（含数电发票开票额度）。",
        result="发票票种核定及领用",
        windows=TAX,
        materials=[online("发票票种核定及领用申请表"), LICENCE, TAX_AGENT],
        steps=on_the_spot("SWJ", "税务专窗当场办结"),
    ),
    ItemSpec(
        name="增值税专用发票最高开票限额审批",
        department="SWJ",
        item_type=LICENSING,
        code="28003000",
        basis="《国务院对确需保留的行政审批项目设定行政许可的决定》（国务院令第412号）附件"
        "第236项。",
        citations=["《国务院对确需保留的行政审批项目设定行政许可的决定》（国务院令第412号）"],
        legal=20,
        promised=5,
        visits=0,
        conditions="增值税一般纳税人（及自愿使用专票的小规模纳税人）根据经营需要申请。",
        result="准予税务行政许可决定书",
        windows=TAX,
        materials=[
            online("增值税专用发票最高开票限额申请单"),
            LICENCE,
            optional("经营情况说明", "申请百万元及以上限额的提交"),
        ],
        steps=standard(
            "SWJ", review=3, decide=2, accept="SWJ", parallel=(inspection(3, "SWJ", "实地核查"),)
        ),
    ),
    ItemSpec(
        name="税务注销（清税证明开具）",
        department="SWJ",
        item_type=CONFIRMATION,
        code="28001002",
        basis=f"{TAX_LAW}及其实施细则。",
        citations=[f"{TAX_LAW}第十六条", "《中华人民共和国税收征收管理法实施细则》第十五条"],
        legal=20,
        promised=0,
        visits=0,
        conditions="未办理过涉税事宜，或已结清税款、滞纳金、罚款并缴销发票的纳税人，即时出具清税证明。",
        result="清税证明",
        certificate="qszm",
        windows=TAX,
        materials=[online("清税申报表"), LICENCE, CLOSURE, TAX_AGENT],
        steps=on_the_spot("SWJ", "税务专窗当场办结"),
    ),
    ItemSpec(
        name="跨区域涉税事项报告",
        department="SWJ",
        item_type=OTHER,
        code="28004000",
        basis="《国家税务总局关于创新跨区域涉税事项报验管理制度的通知》。",
        citations=[
            "《国家税务总局关于创新跨区域涉税事项报验管理制度的通知》（税总发〔2017〕103号）"
        ],
        legal=1,
        promised=0,
        visits=0,
        conditions="纳税人跨省（自治区、直辖市和计划单列市）临时从事生产经营活动的。",
        result="跨区域涉税事项报告表",
        windows=TAX,
        materials=[
            online("跨区域涉税事项报告表"),
            LICENCE,
            optional("跨区域经营合同", "税务机关需要时提供"),
        ],
        steps=on_the_spot("SWJ", "税务专窗当场办结"),
    ),
    # ---- 自然资源和规划分局 ----
    ItemSpec(
        name="建设项目用地预审与选址意见书",
        department="ZRZY",
        item_type=LICENSING,
        code="21001000",
        basis=f"《中华人民共和国土地管理法》；{PLANNING_LAW}；《建设项目用地预审管理办法》。",
        citations=[
            "《中华人民共和国土地管理法》第五十二条",
            f"{PLANNING_LAW}第三十六条",
            "《自然资源部关于以“多规合一”为基础推进规划用地“多审合一、多证合一”改革的通知》"
            "（自然资规〔2019〕2号）",
        ],
        legal=20,
        promised=5,
        visits=1,
        conditions="需要办理用地预审的建设项目和以划拨方式提供国有土地使用权的建设项目；"
        "符合国土空间规划、用途管制和节约集约用地要求。",
        result="建设项目用地预审与选址意见书",
        certificate="ydys",
        windows=CONSTRUCTION,
        materials=[
            form("建设项目用地预审与选址申请表"),
            doc("建设项目用地预审与选址申请报告", originals=1, copies=0),
            doc("建设项目拟选址位置及用地范围图", originals=1, copies=0),
            PROJECT_FILING,
            LICENCE,
        ],
        steps=standard(
            "ZRZY",
            review=3,
            decide=2,
            accept="SPJ-JSK",
            parallel=(inspection(2, "ZRZY", "现场踏勘"),),
        ),
    ),
    ItemSpec(
        name="建设用地规划许可",
        department="ZRZY",
        item_type=LICENSING,
        code="21002000",
        basis=f"{PLANNING_LAW}。",
        citations=[f"{PLANNING_LAW}第三十七条", f"{PLANNING_LAW}第三十八条", LICENSING_LAW_42],
        legal=20,
        promised=0,
        visits=1,
        conditions="以出让方式取得国有土地使用权、已签订出让合同并缴清出让价款的地块，"
        "来了即办、当场核发（以划拨方式取得的，先办理用地预审与选址意见书）。",
        result="建设用地规划许可证",
        certificate="ydgh",
        windows=CONSTRUCTION,
        materials=[
            form("建设用地规划许可申请表"),
            doc("国有建设用地使用权出让合同"),
            verified("土地出让价款缴纳凭证", "通过非税收入缴款信息共享核验，免提交"),
            PROJECT_FILING,
            LICENCE,
        ],
        steps=on_the_spot("SPJ-JSK"),
    ),
    ItemSpec(
        name="建设工程规划许可",
        department="ZRZY",
        item_type=LICENSING,
        code="21003000",
        basis=f"{PLANNING_LAW}。",
        citations=[f"{PLANNING_LAW}第四十条", LICENSING_LAW_42],
        legal=20,
        promised=5,
        visits=1,
        conditions="已取得土地使用权；建设工程设计方案符合控制性详细规划和规划条件。"
        "批前公示时间不计入办理时限。",
        result="建设工程规划许可证",
        certificate="gcgh",
        windows=CONSTRUCTION,
        materials=[
            form("建设工程规划许可申请表"),
            certificate("bdcq"),
            doc("建设工程设计方案（总平面图及建筑单体图）", originals=1, copies=0),
            optional("日照分析报告", "涉及日照影响的提交"),
            LICENCE,
        ],
        steps=standard(
            "ZRZY",
            review=3,
            decide=2,
            accept="SPJ-JSK",
            review_name="方案审查",
            parallel=(
                inspection(1, "ZRZY", "现场踏勘"),
                coreview("consult", "住建、消防、人防意见征询", 2, "ZJJ"),
            ),
        ),
    ),
    ItemSpec(
        name="建设工程规划核实",
        department="ZRZY",
        item_type=CONFIRMATION,
        code="21004000",
        basis=f"{PLANNING_LAW}。",
        citations=[f"{PLANNING_LAW}第四十五条"],
        legal=20,
        promised=5,
        visits=1,
        conditions="建设工程竣工后、竣工验收前，对是否符合规划条件予以核实。",
        result="建设工程规划核实合格证明",
        windows=CONSTRUCTION,
        materials=[
            form("建设工程规划核实申请表"),
            certificate("gcgh"),
            doc("竣工测绘成果报告（“多测合一”）", originals=1, copies=0),
            LICENCE,
        ],
        steps=standard(
            "ZRZY",
            review=2,
            decide=2,
            accept="SPJ-JSK",
            parallel=(inspection(3, "ZRZY", "现场核实"),),
        ),
    ),
    ItemSpec(
        name="国有建设用地使用权首次登记",
        department="ZRZY",
        item_type=CONFIRMATION,
        code="21005001",
        basis="《中华人民共和国民法典》物权编；《不动产登记暂行条例》及其实施细则。",
        citations=["《不动产登记暂行条例》第十四条", "《不动产登记暂行条例》第二十条"],
        legal=30,
        promised=0,
        visits=1,
        conditions="出让地块缴清出让价款和税费后，来了即办、当日领证。",
        result="不动产权证书",
        certificate="bdcq",
        fee=(
            "550",
            "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》"
            "（发改价格规〔2016〕2559号）：非住宅类不动产登记每件550元。",
        ),
        windows=CONSTRUCTION,
        materials=[
            form("不动产登记申请书"),
            doc("国有建设用地使用权出让合同"),
            verified("土地出让价款缴纳凭证", "通过非税收入缴款信息共享核验，免提交"),
            shared("契税完税信息", "SWJ", "由税务局共享完税信息，免提交"),
            doc("不动产权籍调查成果（宗地图、界址点成果表）", originals=1, copies=0),
            LICENCE,
        ],
        steps=on_the_spot(),
    ),
    ItemSpec(
        name="临时用地审批",
        department="ZRZY",
        item_type=LICENSING,
        code="21006000",
        basis="《中华人民共和国土地管理法》及其实施条例。",
        citations=["《中华人民共和国土地管理法》第五十七条", LICENSING_LAW_42],
        legal=20,
        promised=5,
        visits=1,
        conditions="建设项目施工、地质勘查需要临时使用土地，期限一般不超过2年，不修建永久性建筑物。",
        result="临时用地批准文件",
        windows=CONSTRUCTION,
        materials=[
            form("临时用地申请表"),
            doc("临时使用土地合同", originals=1, copies=0),
            doc("土地复垦方案报告表", originals=1, copies=0),
            doc("临时用地勘测定界图", originals=1, copies=0),
            LICENCE,
        ],
        steps=standard(
            "ZRZY",
            review=2,
            decide=3,
            accept="SPJ-JSK",
            parallel=(inspection(2, "ZRZY", "现场踏勘"),),
        ),
    ),
    # ---- 住房和城乡建设局（含市政、园林、人防和城市管理职能）----
    ItemSpec(
        name="施工图设计文件审查",
        department="ZJJ",
        item_type=OTHER,
        code="22001000",
        basis="《建设工程质量管理条例》；《房屋建筑和市政基础设施工程施工图设计文件审查管理办法》。",
        citations=[
            "《建设工程质量管理条例》第十一条",
            "《房屋建筑和市政基础设施工程施工图设计文件审查管理办法》（住房和城乡建设部令第13号）",
        ],
        legal=15,
        promised=10,
        visits=0,
        conditions="施工图设计文件由具备相应资质的设计单位编制，达到规定深度；建筑、结构、"
        "消防、人防等专业在数字化审图系统中联合审查。低风险产业类项目实行告知承诺，"
        "可豁免审查。",
        result="施工图设计文件审查合格书",
        certificate="sgtsc",
        fee_note="审查费用由政府购买服务支付，不向建设单位收取",
        windows=CONSTRUCTION,
        materials=[
            online("施工图设计文件审查申请表"),
            online("施工图设计文件（电子图纸）"),
            online("岩土工程勘察报告"),
            verified("设计单位资质及注册执业人员信息", "通过全国建筑市场监管公共服务平台核验"),
            certificate("gcgh"),
        ],
        steps=standard(
            "ZJJ",
            review=8,
            decide=2,
            accept="SPJ-JSK",
            review_name="建筑结构审查",
            decide_name="出具审查合格书",
            parallel=(
                coreview("fire", "消防设计审查", 8, "ZJJ"),
                coreview("civil-defence", "人防设计审查", 6, "ZJJ"),
            ),
        ),
    ),
    ItemSpec(
        name="消防设计审查",
        department="ZJJ",
        item_type=LICENSING,
        code="22002000",
        basis=f"{FIRE_LAW}；{FIRE_RULES}。",
        citations=[f"{FIRE_LAW}第十一条", FIRE_RULES],
        legal=15,
        promised=7,
        visits=0,
        conditions="特殊建设工程（人员密集场所等）施工前申请；需组织专家评审的，评审时间不计入"
        "办理时限。",
        result="特殊建设工程消防设计审查意见书",
        certificate="xfsj",
        windows=CONSTRUCTION,
        materials=[
            online("特殊建设工程消防设计审查申请表"),
            online("消防设计文件"),
            certificate("gcgh"),
            optional("特殊消防设计文件", "采用特殊消防设计的提交"),
            optional("临时性建筑批准文件", "依法需要批准的临时性建筑提交"),
        ],
        steps=standard(
            "ZJJ",
            review=5,
            decide=2,
            accept="SPJ-JSK",
            review_name="消防技术审查",
            parallel=(coreview("civil-defence", "人防设计会审", 3, "ZJJ"),),
        ),
    ),
    ItemSpec(
        name="特殊建设工程消防验收",
        department="ZJJ",
        item_type=LICENSING,
        code="22003000",
        basis=f"{FIRE_LAW}；{FIRE_RULES}。",
        citations=[f"{FIRE_LAW}第十三条", FIRE_RULES],
        legal=15,
        promised=10,
        visits=1,
        conditions="特殊建设工程竣工验收后、投入使用前申请；建设单位已组织竣工验收消防查验。",
        result="特殊建设工程消防验收意见书",
        windows=CONSTRUCTION,
        materials=[
            form("特殊建设工程消防验收申请表"),
            doc("工程竣工验收报告", originals=1, copies=0),
            online("涉及消防的建设工程竣工图纸"),
            certificate("xfsj"),
        ],
        steps=standard(
            "ZJJ",
            review=3,
            decide=3,
            accept="SPJ-JSK",
            parallel=(inspection(7, "ZJJ", "现场评定"),),
        ),
    ),
    ItemSpec(
        name="其他建设工程消防验收备案",
        department="ZJJ",
        item_type=CONFIRMATION,
        code="22004000",
        basis=f"{FIRE_LAW}；{FIRE_RULES}。",
        citations=[f"{FIRE_LAW}第十三条", FIRE_RULES],
        legal=5,
        promised=0,
        visits=0,
        conditions="特殊建设工程以外的其他建设工程竣工验收合格后备案，主管部门依法抽查。",
        result="消防验收备案凭证",
        windows=CONSTRUCTION,
        materials=[
            online("建设工程消防验收备案表"),
            doc("工程竣工验收报告", originals=1, copies=0),
            online("涉及消防的建设工程竣工图纸"),
        ],
        steps=on_the_spot("SPJ-JSK"),
    ),
    ItemSpec(
        name="竣工验收备案",
        department="ZJJ",
        item_type=CONFIRMATION,
        code="22005000",
        basis="《建设工程质量管理条例》；《房屋建筑和市政基础设施工程竣工验收备案管理办法》。",
        citations=[
            "《建设工程质量管理条例》第四十九条",
            "《房屋建筑和市政基础设施工程竣工验收备案管理办法》",
        ],
        legal=15,
        promised=3,
        visits=0,
        conditions="建设单位自工程竣工验收合格之日起15日内备案（联合验收的一并办理）。",
        result="建设工程竣工验收备案证明",
        windows=CONSTRUCTION,
        materials=[
            online("工程竣工验收备案表"),
            doc("工程竣工验收报告", originals=1, copies=0),
            online("工程质量保修书"),
            shared("建设工程规划核实合格证明", "ZRZY", "由自然资源和规划分局共享，免提交"),
            FIRE_ACCEPTANCE,
            optional("住宅质量保证书和住宅使用说明书", "商品住宅工程提交"),
        ],
        steps=standard("ZJJ", review=2, accept="SPJ-JSK"),
    ),
    ItemSpec(
        name="排水许可",
        department="ZJJ",
        item_type=LICENSING,
        code="22006000",
        basis="《城镇排水与污水处理条例》；《城镇污水排入排水管网许可管理办法》。",
        citations=[
            "《城镇排水与污水处理条例》第二十一条",
            "《城镇污水排入排水管网许可管理办法》（住房和城乡建设部令第21号）",
            LICENSING_LAW_42,
        ],
        legal=20,
        promised=5,
        visits=1,
        conditions="从事工业、建筑、餐饮、医疗等活动向城镇排水设施排放污水的排水户；"
        "内部排水管网、专用检测井和排放口符合规范，餐饮排水户设置隔油设施。实行告知承诺。",
        result="排水许可证",
        certificate="psxk",
        windows=CONSTRUCTION,
        materials=[
            form("排水许可申请表"),
            LICENCE,
            doc("排水管网平面图及排放口说明", originals=1, copies=0),
            doc("污水预处理设施（隔油池等）说明", originals=1, copies=0, commitment_allowed=True),
            doc("排水水质检测报告", originals=1, copies=0, tolerable=True, commitment_allowed=True),
        ],
        steps=standard("ZJJ", review=3, decide=2, parallel=(inspection(3, "ZJJ"),)),
    ),
    ItemSpec(
        name="供水报装",
        department="ZJJ",
        item_type=SERVICE,
        code="22030001",
        region="32",
        basis="《优化营商环境条例》；《城市供水条例》；本省水电气报装服务规范。",
        citations=[BUSINESS_ENVIRONMENT_25, "《城市供水条例》"],
        legal=10,
        promised=3,
        visits=0,
        conditions="用水地址位于公共供水管网覆盖范围内；网上申请，供水企业上门勘查；"
        "建筑区划红线外接入工程不由用户承担费用。",
        result="供水方案答复及接水通水",
        windows=CONSTRUCTION,
        materials=[
            online("用水报装申请表"),
            LICENCE,
            certificate(
                "gcgh", required=False, notes="新建项目通过电子证照库调取，非新建项目免提交"
            ),
            online("用水地址产权证明或使用证明"),
        ],
        steps=[
            step("accept", "受理", StepKind.ACCEPTANCE, StepRole.WINDOW_CLERK, 0, (), "ZWFWZX"),
            step(
                "survey",
                "现场勘查（供水企业）",
                StepKind.INSPECTION,
                StepRole.REVIEWER,
                1,
                ("accept",),
                "ZJJ",
            ),
            step(
                "design", "供水方案审查", StepKind.REVIEW, StepRole.REVIEWER, 1, ("survey",), "ZJJ"
            ),
            step("decide", "方案答复", StepKind.DECISION, StepRole.DECIDER, 1, ("design",), "ZJJ"),
            step(
                "deliver",
                "送达",
                StepKind.DELIVERY,
                StepRole.WINDOW_CLERK,
                0,
                ("decide",),
                "ZWFWZX",
            ),
        ],
    ),
    ItemSpec(
        name="供气报装",
        department="ZJJ",
        item_type=SERVICE,
        code="22030002",
        region="32",
        basis="《优化营商环境条例》；《城镇燃气管理条例》；本省水电气报装服务规范。",
        citations=[BUSINESS_ENVIRONMENT_25, "《城镇燃气管理条例》"],
        legal=10,
        promised=3,
        visits=0,
        conditions="用气地址位于燃气管网覆盖范围内、用气场所符合燃气安全要求；网上申请，"
        "燃气企业上门勘查。",
        result="供气方案答复及通气",
        windows=CONSTRUCTION,
        materials=[
            online("用气报装申请表"),
            LICENCE,
            certificate(
                "gcgh", required=False, notes="新建项目通过电子证照库调取，非新建项目免提交"
            ),
            online("用气场所平面图及用气设备清单"),
        ],
        steps=[
            step("accept", "受理", StepKind.ACCEPTANCE, StepRole.WINDOW_CLERK, 0, (), "ZWFWZX"),
            step(
                "survey",
                "现场勘查（燃气企业）",
                StepKind.INSPECTION,
                StepRole.REVIEWER,
                1,
                ("accept",),
                "ZJJ",
            ),
            step(
                "design", "供气方案审查", StepKind.REVIEW, StepRole.REVIEWER, 1, ("survey",), "ZJJ"
            ),
            step("decide", "方案答复", StepKind.DECISION, StepRole.DECIDER, 1, ("design",), "ZJJ"),
            step(
                "deliver",
                "送达",
                StepKind.DELIVERY,
                StepRole.WINDOW_CLERK,
                0,
                ("decide",),
                "ZWFWZX",
            ),
        ],
    ),
    ItemSpec(
        name="户外广告设置许可",
        department="ZJJ",
        item_type=LICENSING,
        code="22040000",
        basis="《城市市容和环境卫生管理条例》；《中华人民共和国广告法》。",
        citations=[
            "《城市市容和环境卫生管理条例》第十一条",
            "《中华人民共和国广告法》第四十一条",
            LICENSING_LAW_42,
        ],
        legal=20,
        promised=3,
        visits=1,
        conditions="设置户外广告及大型招牌设施，符合户外广告设置规划和安全技术规范。",
        result="户外广告设置许可决定书",
        materials=[
            form("户外广告设置申请表"),
            LICENCE,
            doc("广告（招牌）设置效果图及尺寸、材质说明", originals=1, copies=0),
            doc("设置场地产权证明或使用协议"),
            doc("结构安全检测报告", originals=1, copies=0, commitment_allowed=True),
        ],
        steps=standard("ZJJ", review=2),
    ),
    ItemSpec(
        name="商品房预售许可",
        department="ZJJ",
        item_type=LICENSING,
        code="22007000",
        basis="《中华人民共和国城市房地产管理法》；《城市商品房预售管理办法》。",
        citations=[
            "《中华人民共和国城市房地产管理法》第四十五条",
            "《城市商品房预售管理办法》",
        ],
        legal=10,
        promised=5,
        visits=1,
        conditions="已交付全部土地使用权出让金、取得土地使用权证书；持有建设工程规划许可证"
        "和施工许可证；投入开发建设的资金达到工程建设总投资的25%以上，并已确定施工进度"
        "和竣工交付日期。",
        result="商品房预售许可证",
        materials=[
            form("商品房预售许可申请表"),
            LICENCE,
            certificate("bdcq"),
            certificate("gcgh"),
            certificate("sgxk"),
            doc("投入开发建设资金达到总投资25%以上的证明", originals=1, copies=0),
            doc("商品房预售方案", originals=1, copies=0),
        ],
        steps=standard("ZJJ", review=2, decide=3, parallel=(inspection(2, "ZJJ", "现场查勘"),)),
    ),
    # ---- 生态环境分局 ----
    ItemSpec(
        name="环境影响评价审批",
        department="STHJ",
        item_type=LICENSING,
        code="25001000",
        basis=f"{EIA_LAW}；《中华人民共和国环境保护法》。",
        citations=[
            "《中华人民共和国环境保护法》第十九条",
            f"{EIA_LAW}第十六条",
            f"{EIA_LAW}第二十二条",
        ],
        legal=60,
        promised=15,
        visits=1,
        conditions=(
            "编制环境影响报告书、报告表的建设项目，开工建设前报批；符合生态环境分区管控"
            "要求。法定时限：报告书60日、报告表30日。受理公示和批前公示期间不计入办理时限。"
        ),
        result="建设项目环境影响评价批复",
        certificate="hppf",
        delegation=CITY_ECOLOGY,
        windows=CONSTRUCTION,
        materials=[
            form("建设项目环境影响评价审批申请书"),
            doc("环境影响报告书（表）", originals=1, copies=0),
            online("环境影响报告书（表）全本公开说明"),
            optional("公众参与说明", "编制报告书的项目提交"),
            PROJECT_FILING,
            LICENCE,
        ],
        steps=[
            step("accept", "受理", StepKind.ACCEPTANCE, StepRole.WINDOW_CLERK, 0, (), "SPJ-JSK"),
            step("assess", "技术评估", StepKind.REVIEW, StepRole.REVIEWER, 8, ("accept",), "STHJ"),
            step(
                "inspect",
                "现场踏勘",
                StepKind.INSPECTION,
                StepRole.REVIEWER,
                3,
                ("accept",),
                "STHJ",
            ),
            step(
                "review",
                "审查",
                StepKind.REVIEW,
                StepRole.REVIEWER,
                4,
                ("assess", "inspect"),
                "STHJ",
            ),
            step("decide", "审批决定", StepKind.DECISION, StepRole.DECIDER, 3, ("review",), "STHJ"),
            step(
                "deliver",
                "送达",
                StepKind.DELIVERY,
                StepRole.WINDOW_CLERK,
                0,
                ("decide",),
                "SPJ-JSK",
            ),
        ],
    ),
    ItemSpec(
        name="环评登记表备案",
        department="STHJ",
        item_type=CONFIRMATION,
        code="25002000",
        basis=f"{EIA_LAW}；《建设项目环境影响登记表备案管理办法》。",
        citations=[
            f"{EIA_LAW}第二十二条",
            "《建设项目环境影响登记表备案管理办法》（环境保护部令第41号）",
        ],
        legal=1,
        promised=0,
        visits=0,
        conditions="按《建设项目环境影响评价分类管理名录》应填报环境影响登记表的项目，"
        "在网上备案系统填报，来了即办结。",
        result="建设项目环境影响登记表备案回执",
        windows=CONSTRUCTION,
        materials=[online("建设项目环境影响登记表"), LICENCE],
        steps=on_the_spot("SPJ-JSK"),
    ),
    ItemSpec(
        name="排污许可证核发",
        department="STHJ",
        item_type=LICENSING,
        code="25003000",
        basis="《中华人民共和国环境保护法》；《排污许可管理条例》。",
        citations=["《中华人民共和国环境保护法》第四十五条", "《排污许可管理条例》第二条"],
        legal=20,
        promised=10,
        visits=0,
        conditions="纳入固定污染源排污许可分类管理名录、实行重点或简化管理的排污单位，"
        "在全国排污许可证管理信息平台申请。",
        result="排污许可证",
        certificate="pwxk",
        delegation=CITY_ECOLOGY,
        windows=CONSTRUCTION,
        materials=[
            online("排污许可证申请表"),
            online("自行监测方案"),
            online("守法承诺书"),
            certificate("hppf"),
            LICENCE,
        ],
        steps=standard(
            "STHJ", review=6, decide=4, accept="SPJ-JSK", parallel=(inspection(4, "STHJ"),)
        ),
    ),
    ItemSpec(
        name="固定污染源排污登记",
        department="STHJ",
        item_type=CONFIRMATION,
        code="25004000",
        basis="《排污许可管理条例》；《固定污染源排污许可分类管理名录》。",
        citations=["《排污许可管理条例》第二十四条"],
        legal=1,
        promised=0,
        visits=0,
        conditions="污染物产生量、排放量和对环境的影响程度很小、实行登记管理的排污单位。",
        result="固定污染源排污登记回执",
        windows=CONSTRUCTION,
        materials=[online("固定污染源排污登记表"), LICENCE],
        steps=on_the_spot("SPJ-JSK"),
    ),
    # ---- 应急管理局 ----
    ItemSpec(
        name="危险化学品经营许可",
        department="YJGL",
        item_type=LICENSING,
        code="27001000",
        basis="《危险化学品安全管理条例》；《危险化学品经营许可证管理办法》。",
        citations=[
            "《危险化学品安全管理条例》第三十三条",
            "《危险化学品安全管理条例》第三十四条",
            "《危险化学品安全管理条例》第三十五条",
            "《危险化学品经营许可证管理办法》（国家安全生产监督管理总局令第55号）",
        ],
        legal=30,
        promised=10,
        visits=1,
        conditions="经营和储存场所、设施、建筑物符合国家标准；从业人员经专业培训合格；"
        "有健全的安全管理制度和事故应急预案。带有储存设施的经营许可由市级赋权本区实施。",
        result="危险化学品经营许可证",
        certificate="whjy",
        delegation=CITY_EMERGENCY,
        materials=[
            form("危险化学品经营许可证申请表"),
            LICENCE,
            PREMISES,
            doc("主要负责人和安全生产管理人员考核合格证明"),
            doc("安全生产规章制度和岗位操作规程目录", originals=1, copies=0),
            verified("生产安全事故应急预案备案信息", "应急管理系统内部核验，免提交"),
        ],
        steps=standard("YJGL", review=5, decide=5, parallel=(inspection(5, "YJGL"),)),
    ),
    ItemSpec(
        name="生产经营单位生产安全事故应急预案备案",
        department="YJGL",
        item_type=CONFIRMATION,
        code="27002000",
        basis="《中华人民共和国安全生产法》；《生产安全事故应急预案管理办法》。",
        citations=[
            "《中华人民共和国安全生产法》第八十一条",
            "《生产安全事故应急预案管理办法》（应急管理部令第2号）",
        ],
        legal=5,
        promised=0,
        visits=0,
        conditions="应急预案经评审或论证、由主要负责人签署公布后20个工作日内备案。",
        result="应急预案备案登记表",
        materials=[
            online("应急预案备案申报表"),
            online("应急预案评审或论证意见"),
            online("应急预案文本及风险评估、应急资源调查报告"),
            LICENCE,
        ],
        steps=on_the_spot(),
    ),
    ItemSpec(
        name="烟花爆竹经营（零售）许可",
        department="YJGL",
        item_type=LICENSING,
        code="27003000",
        basis="《烟花爆竹安全管理条例》；《烟花爆竹经营许可实施办法》。",
        citations=[
            "《烟花爆竹安全管理条例》第十八条",
            "《烟花爆竹安全管理条例》第十九条",
            "《烟花爆竹经营许可实施办法》（国家安全生产监督管理总局令第65号）",
        ],
        legal=20,
        promised=5,
        visits=1,
        conditions="零售场所符合布点规划和安全要求，主要负责人经过安全培训合格。",
        result="烟花爆竹经营（零售）许可证",
        materials=[
            form("烟花爆竹经营（零售）许可证申请书"),
            LICENCE,
            PREMISES,
            LAYOUT,
            doc("主要负责人安全培训合格证明"),
        ],
        steps=standard("YJGL", review=2, decide=3, parallel=(inspection(2, "YJGL"),)),
    ),
    # ---- 消防救援大队 ----
    ItemSpec(
        name="公众聚集场所投入使用、营业前消防安全检查",
        department="XFJY",
        item_type=LICENSING,
        code="30001000",
        basis=f"{FIRE_LAW}；《公众聚集场所投入使用、营业前消防安全检查规则》。",
        citations=[f"{FIRE_LAW}第十五条"],
        legal=10,
        promised=5,
        visits=1,
        conditions="公众聚集场所投入使用、营业前申请。选择告知承诺方式的，材料审查合格后"
        "当场作出许可决定，并在许可后进行核查。",
        result="公众聚集场所投入使用、营业前消防安全检查合格证",
        certificate="xfjc",
        materials=[
            form("公众聚集场所投入使用、营业前消防安全检查申请表"),
            LICENCE,
            LAYOUT,
            doc("消防安全制度及灭火和应急疏散预案", originals=1, copies=0, commitment_allowed=True),
            FIRE_ACCEPTANCE,
            optional("消防安全告知承诺书", "选择告知承诺方式的提交"),
        ],
        steps=standard("XFJY", review=1, decide=2, parallel=(inspection(3, "XFJY", "现场检查"),)),
    ),
    # ---- 卫生健康局 ----
    ItemSpec(
        name="公共场所卫生许可",
        department="WJJ",
        item_type=LICENSING,
        code="31001000",
        basis="《公共场所卫生管理条例》及其实施细则。",
        citations=[
            "《公共场所卫生管理条例》第八条",
            "《公共场所卫生管理条例实施细则》第二十二条",
        ],
        legal=20,
        promised=5,
        visits=1,
        conditions="宾馆、美容美发、游泳场所等需取得卫生许可的公共场所；实行告知承诺。",
        result="公共场所卫生许可证",
        certificate="ggcs",
        materials=[
            form("公共场所卫生许可申请表"),
            LICENCE,
            IDENTITY,
            doc("场所平面图及卫生设施布局图", originals=1, copies=0),
            doc("公共场所卫生检测或评价报告", originals=1, copies=0, commitment_allowed=True),
            doc("卫生管理制度", originals=1, copies=0, commitment_allowed=True),
        ],
        steps=standard("WJJ", review=2, decide=2, parallel=(inspection(3, "WJJ", "现场审查"),)),
    ),
    ItemSpec(
        name="诊所备案",
        department="WJJ",
        item_type=CONFIRMATION,
        code="31002000",
        basis="《医疗机构管理条例》；《诊所备案管理暂行办法》。",
        citations=["《医疗机构管理条例》第十五条", "《诊所备案管理暂行办法》"],
        legal=1,
        promised=0,
        visits=1,
        conditions="材料齐全的当场备案，发放诊所备案凭证；备案后30日内现场核查。",
        result="诊所备案凭证",
        materials=[
            form("诊所备案信息表"),
            doc("诊所房屋平面布局图", originals=1, copies=0),
            doc("诊所用房产权证明或使用证明"),
            doc("医疗卫生技术人员名录及执业证书"),
            doc("诊所规章制度", originals=1, copies=0),
            LICENCE | {"required": False, "notes": "营利性诊所通过电子证照库调取"},
        ],
        steps=on_the_spot(),
    ),
    ItemSpec(
        name="医疗机构执业登记",
        department="WJJ",
        item_type=LICENSING,
        code="31003000",
        basis="《医疗机构管理条例》及其实施细则。",
        citations=["《医疗机构管理条例》第十五条", "《医疗机构管理条例实施细则》"],
        legal=45,
        promised=20,
        visits=1,
        conditions="符合医疗机构基本标准，有相应的名称、组织机构、场所、设施设备和专业卫生"
        "技术人员，有规章制度。",
        result="医疗机构执业许可证",
        certificate="yljg",
        materials=[
            form("医疗机构申请执业登记注册书"),
            optional("设置医疗机构批准书", "二级及以上医疗机构提交"),
            doc("医疗机构用房产权证明或使用证明"),
            doc("医疗机构建筑设计平面图", originals=1, copies=0),
            doc("医疗机构规章制度", originals=1, copies=0),
            doc("主要负责人及卫生技术人员名录和执业证书"),
        ],
        steps=standard("WJJ", review=10, decide=10, parallel=(inspection(10, "WJJ", "现场核查"),)),
    ),
    ItemSpec(
        name="放射诊疗许可",
        department="WJJ",
        item_type=LICENSING,
        code="31004000",
        basis="《放射诊疗管理规定》。",
        citations=["《放射诊疗管理规定》（原卫生部令第46号）", LICENSING_LAW_42],
        legal=20,
        promised=10,
        visits=1,
        conditions="医疗机构开展放射诊疗工作，具备相应的专业人员、设备、防护设施和管理制度，"
        "放射诊疗建设项目已经竣工验收合格。",
        result="放射诊疗许可证",
        certificate="fszl",
        materials=[
            form("放射诊疗许可申请表"),
            certificate("yljg"),
            doc("放射诊疗专业技术人员资格证书"),
            doc("放射诊疗设备清单", originals=1, copies=0),
            doc("放射诊疗建设项目竣工验收合格证明"),
            doc("放射防护管理制度", originals=1, copies=0),
        ],
        steps=standard("WJJ", review=5, decide=5, parallel=(inspection(5, "WJJ", "现场审查"),)),
    ),
]

# --- bundles (一件事) -----------------------------------------------------------------


def text(key: str, label: str, required: bool = True, kind: str = "text") -> dict:
    return {"key": key, "label": label, "type": kind, "required": required}


def choice(key: str, label: str, options: list[str], required: bool = True) -> dict:
    return {"key": key, "label": label, "type": "select", "required": required,
            "options": options}  # fmt: skip


COMPANY = [
    text("company_name", "企业名称"),
    text("uscc", "统一社会信用代码"),
    text("contact_name", "联系人"),
    text("contact_phone", "联系电话"),
]


@dataclass(frozen=True)
class BundleSpec:
    code: str
    name: str
    lead: str
    promised: int
    visits: int
    items: list[str]  # item names, in the order the guide lists them
    description: str
    form_fields: list[dict]


BUNDLES: list[BundleSpec] = [
    BundleSpec(
        code="foreigner-work",
        name="外国人来华工作一件事",
        lead="XZSPJ",
        promised=4,
        visits=1,
        items=["外国人来华工作许可", "外国人居留许可"],
        description=(
            "外国人来华工作一站式服务专窗：工作许可和居留许可同步受理、内部流转、并联审批，"
            "申请材料一次提交，4个工作日内办结（单独办理需先后跑两个窗口）。"
        ),
        form_fields=[
            text("employer_name", "用人单位名称"),
            text("employer_uscc", "用人单位统一社会信用代码"),
            text("foreigner_name", "外国人姓名（与护照一致）"),
            text("nationality", "国籍"),
            text("passport_number", "护照号码"),
            choice("gender", "性别", ["男", "女"]),
            text("birth_date", "出生日期", kind="date"),
            choice(
                "talent_category",
                "人员类别",
                ["A类（高端人才）", "B类（专业人才）", "C类（其他人员）"],
            ),
            text("position", "拟任职务"),
            text("work_start", "拟工作起始日期", kind="date"),
            text("contract_months", "劳动合同期限（月）", kind="number"),
            text("annual_salary", "年薪（万元）", kind="number"),
            text("residence_address", "在华居住地址", kind="textarea"),
            text("contact_phone", "联系电话"),
        ],
    ),
    BundleSpec(
        code="business-start",
        name="开办企业一件事",
        lead="XZSPJ",
        promised=1,
        visits=0,
        items=[
            "企业设立登记",
            "公章刻制备案",
            "税务登记信息确认",
            "发票领用",
            "社会保险登记",
            "单位医疗保险参保登记",
            "住房公积金单位缴存登记",
        ],
        description=(
            "营业执照、印章刻制、发票领用、社保医保登记、公积金缴存登记一表申请、一网通办，"
            "1个工作日内全部办结，新开办企业首套印章免费。"
        ),
        form_fields=[
            text("company_name", "企业名称（自主申报）"),
            choice(
                "company_type",
                "企业类型",
                ["有限责任公司", "股份有限公司", "个人独资企业", "合伙企业"],
            ),
            text("registered_capital", "注册资本（万元）", kind="number"),
            text("address", "住所（经营场所）", kind="textarea"),
            text("business_scope", "经营范围", kind="textarea"),
            text("legal_representative", "法定代表人"),
            text("contact_phone", "联系电话"),
            text("employees", "参保职工人数", kind="number"),
            text("seal_count", "刻制印章数量", kind="number"),
            choice(
                "invoice_kind",
                "申领发票种类",
                ["数电发票（普通发票）", "数电发票（增值税专用发票）", "暂不申领"],
            ),
            choice("housing_fund_rate", "公积金缴存比例", ["5%", "8%", "10%", "12%"]),
        ],
    ),
    BundleSpec(
        code="restaurant-open",
        name="开餐馆一件事",
        lead="XZSPJ",
        promised=5,
        visits=1,
        items=[
            "企业设立登记",
            "食品经营许可",
            "户外广告设置许可",
            "排水许可",
            "公众聚集场所投入使用、营业前消防安全检查",
        ],
        description=(
            "开餐馆涉及的营业执照、食品经营许可、户外招牌设置、排水许可和营业前消防安全检查"
            "一次告知、一表申请、并联审批、统一出件，5个工作日内办结。"
        ),
        form_fields=[
            *COMPANY,
            text("premises", "经营场所地址", kind="textarea"),
            text("floor_area", "经营场所面积（平方米）", kind="number"),
            text("seats", "餐位数", kind="number"),
            choice("main_format", "主体业态", ["餐饮服务经营者", "单位食堂", "食品销售经营者"]),
            choice(
                "service_items",
                "经营项目",
                ["热食类食品制售", "冷食类食品制售", "糕点类食品制售", "自制饮品制售"],
            ),
            text("signboard", "招牌尺寸和位置"),
            text("daily_discharge", "日均排水量（立方米）", kind="number"),
        ],
    ),
    BundleSpec(
        code="pipeline-connection",
        name="管线报装一件事",
        lead="ZJJ",
        promised=5,
        visits=1,
        items=["供水报装", "供气报装", "排水许可", "占用挖掘道路许可", "城市绿化许可"],
        description=(
            "工程建设项目供水、供气、排水接入涉及的报装、排水许可以及占用挖掘道路、"
            "城市绿化许可一口受理、并联办理，5个工作日内办结，占挖、绿化实行容缺受理、承诺即办。"
        ),
        form_fields=[
            *COMPANY,
            text("project_name", "项目名称"),
            text("project_code", "投资项目代码"),
            text("project_address", "建设地点", kind="textarea"),
            text("water_demand", "日用水量（立方米）", kind="number"),
            text("gas_demand", "日用气量（立方米）", kind="number"),
            text("daily_discharge", "日均排水量（立方米）", kind="number"),
            text("road_name", "占用挖掘道路名称及路段"),
            text("dig_area", "挖掘面积（平方米）", kind="number"),
            text("green_area", "占用绿地面积（平方米）", kind="number", required=False),
            text("works_period", "施工期限"),
        ],
    ),
    BundleSpec(
        code="business-deregistration",
        name="企业注销一件事",
        lead="XZSPJ",
        promised=2,
        visits=0,
        items=[
            "税务注销（清税证明开具）",
            "企业注销登记",
            "社会保险注销登记",
            "单位医疗保险注销登记",
            "住房公积金单位缴存注销登记",
            "报关单位备案注销",
        ],
        description=(
            "清税、营业执照注销、社保医保注销、公积金注销和报关单位备案注销一网申请、信息共享、"
            "同步办理，2个工作日内办结。"
        ),
        form_fields=[
            *COMPANY,
            choice(
                "reason", "注销原因", ["决议解散", "营业期限届满", "依法被吊销营业执照", "其他"]
            ),
            choice("procedure", "注销方式", ["简易注销", "一般注销"]),
            text("liquidator", "清算组负责人"),
            text("notice_date", "债权人公告（简易注销公示）日期", kind="date"),
            choice("customs_registered", "是否在海关备案", ["是", "否"]),
        ],
    ),
]


# --- the words people use (搜索别名) ------------------------------------------------------
# Colloquial and short names, and English names for the services foreigners use, that the
# zone's administrators keep beside the official names (item name → terms).

SEARCH_TERMS: dict[str, list[str]] = {
    "企业设立登记": ["开公司", "注册公司", "办执照", "办营业执照", "company registration"],
    "企业变更登记": ["公司变更", "换法人", "改公司名", "变更营业执照"],
    "企业注销登记": ["关公司", "注销公司"],
    "个体工商户设立登记": ["个体户", "办执照", "开店", "individual business"],
    "食品经营许可": ["食品许可证", "开饭店", "开餐馆", "food business licence"],
    "药品经营许可（零售）": ["开药店", "药店", "pharmacy licence"],
    "外国人来华工作许可": ["工作证", "外国人工作证", "work permit", "foreigner work permit"],
    "外国人来华工作许可延期": ["工作证延期", "work permit extension"],
    "外国人居留许可": ["居留证", "residence permit"],
    "外国人签证延期、换发、补发": ["签证延期", "visa extension", "visa"],
    "普通护照签发": ["办护照", "passport"],
    "社会保险登记": ["社保", "社保开户", "五险", "social insurance"],
    "社会保险注销登记": ["社保注销", "社保销户"],
    "单位医疗保险参保登记": ["医保", "医保开户", "medical insurance"],
    "住房公积金单位缴存登记": ["公积金", "公积金开户", "housing fund"],
    "公章刻制备案": ["刻章", "刻公章", "company seal"],
    "税务登记信息确认": ["税务报到", "新办纳税人"],
    "发票领用": ["领发票", "申领发票", "invoice"],
    "建筑工程施工许可": ["施工许可证", "开工许可"],
    "供水报装": ["接水", "装水表"],
    "供气报装": ["接燃气", "开通燃气"],
    "环境影响评价审批": ["环评"],
    "户外广告设置许可": ["招牌", "广告牌", "门头招牌"],
    "公众聚集场所投入使用、营业前消防安全检查": ["消防检查", "开业消防"],
    "诊所备案": ["开诊所"],
    "工伤认定": ["工伤"],
    "报关单位备案": ["海关备案", "报关"],
}

#: Bundle code → terms.
BUNDLE_SEARCH_TERMS: dict[str, list[str]] = {
    "business-start": ["开公司", "注册公司", "办执照", "start a business"],
    "foreigner-work": ["来华工作", "外国人工作", "work permit", "work in China"],
    "restaurant-open": ["开饭店", "开饭馆", "餐饮店"],
    "pipeline-connection": ["水电气报装", "接水接气"],
    "business-deregistration": ["关公司", "注销公司"],
}


# --- loading --------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogSummary:
    items: int  # published items of the demo zone
    bundles: int  # published bundles of the demo zone


def _departments(zone: Zone) -> dict[str, Department]:
    existing = Department.objects.filter(zone=zone).order_by("sort_order", "code")
    departments = {department.code: department for department in existing}
    for index, (code, name, short, kind) in enumerate(EXTRA_DEPARTMENTS, start=1):
        if code not in departments:
            departments[code] = Department.objects.create(
                zone=zone,
                code=code,
                name=name,
                short_name=short,
                kind=kind,
                uscc=demo_uscc("11", 200 + index),
                sort_order=1000 + index * 10,
            )
    return departments


def _certificate_types(departments: dict[str, Department]) -> dict[str, CertificateType]:
    types: dict[str, CertificateType] = {}
    for key, (name, department_code, serial, years, fields) in CERTIFICATE_TYPES.items():
        department = departments[department_code]
        code = f"{department.uscc}{serial:03d}"
        found = CertificateType.objects.filter(code=code).first()
        if found is None:
            found = CertificateType(
                code=code,
                name=name,
                issuing_department=department,
                fields=fields,
                validity=(
                    CertificateType.Validity.YEARS if years else CertificateType.Validity.PERMANENT
                ),
                validity_years=years,
            )
            found.full_clean()
            found.save()
        types[key] = found
    return types


def _resolve(
    rows: list[dict],
    departments: dict[str, Department],
    certificates: dict[str, CertificateType] | None = None,
) -> list[dict]:
    resolved = []
    for row in rows:
        row = dict(row)
        for field_name in ("department", "source_department"):
            if row.get(field_name):
                row[field_name] = departments[row[field_name]]
        if certificates is not None and row.get("certificate_type"):
            row["certificate_type"] = certificates[row["certificate_type"]]
        resolved.append(row)
    return resolved


def _elements(spec: ItemSpec, department: Department, certificates) -> dict[str, Any]:
    elements: dict[str, Any] = {
        "name": spec.name,
        "item_type": spec.item_type,
        "department": department,
        "legal_basis": spec.basis,
        "legal_citations": list(spec.citations),
        "legal_limit_days": spec.legal,
        "promised_limit_days": spec.promised,
        "handling_kind": spec.handling_kind,
        "acceptance_conditions": spec.conditions,
        "fee_free": spec.fee is None,
        "fee_amount": spec.fee[0] if spec.fee else None,
        "fee_basis": spec.fee[1] if spec.fee else spec.fee_note,
        "required_visits": spec.visits,
        "online_depth": spec.online_depth,
        "consultation_phone": PHONES[spec.department],
        "certificate_type": certificates[spec.certificate] if spec.certificate else None,
        "result_name": spec.result,
        "change_note": CHANGE_NOTE,
    }
    if spec.delegation is not None:
        elements |= {
            "delegated_from_level": spec.delegation.level,
            "delegated_from_organ": spec.delegation.organ,
            "delegation_agreement_date": spec.delegation.agreed_on,
            "delegation_status": DelegationStatus.ACCEPTED,
        }
    return elements


def implementation_code(spec: ItemSpec, departments: dict[str, Department]) -> str:
    return f"{departments[spec.department].uscc}{LEVEL_DIGIT}{spec.basic_code}"


@transaction.atomic
def load() -> CatalogSummary:
    """Build the demo catalog after ``org_data.load()``; running it again changes nothing."""
    zone = Zone.objects.get(code=ZONE_CODE)
    actor = User.objects.filter(username="admin").first()
    departments = _departments(zone)
    certificates = _certificate_types(departments)
    windows = {window.code: window for window in Window.objects.filter(zone=zone)}
    items: dict[str, Item] = {}
    for spec in ITEMS:
        code = implementation_code(spec, departments)
        item = Item.objects.filter(zone=zone, implementation_code=code).first()
        if item is None:
            version = item_create(
                zone=zone,
                implementation_code=code,
                basic_code=spec.basic_code,
                elements=_elements(spec, departments[spec.department], certificates),
                materials=_resolve(spec.materials, departments, certificates),
                steps=_resolve(spec.steps, departments),
                windows=[windows[window] for window in spec.windows],
                actor=actor,
            )
            item = item_publish(version=version, actor=actor).item
        items[spec.name] = item
    for bundle_spec in BUNDLES:
        if Bundle.objects.filter(zone=zone, code=bundle_spec.code).exists():
            continue
        bundle = bundle_save(
            zone=zone,
            code=bundle_spec.code,
            name=bundle_spec.name,
            lead_department=departments[bundle_spec.lead],
            promised_limit_days=bundle_spec.promised,
            required_visits=bundle_spec.visits,
            items=[items[name] for name in bundle_spec.items],
            form_fields=bundle_spec.form_fields,
            description=f"{bundle_spec.description}（{CHANGE_NOTE}）",
            actor=actor,
        )
        bundle_publish(bundle=bundle, actor=actor)
    # The terms are set on every run: a term added here reaches a demo already loaded.
    for name, terms in SEARCH_TERMS.items():
        item_search_terms_set(item=items[name], terms=terms, actor=actor)
    for code, terms in BUNDLE_SEARCH_TERMS.items():
        bundle = Bundle.objects.get(zone=zone, code=code)
        bundle_search_terms_set(bundle=bundle, terms=terms, actor=actor)
    return CatalogSummary(
        items=ItemVersion.objects.filter(item__zone=zone, status=VersionStatus.PUBLISHED).count(),
        bundles=Bundle.objects.filter(zone=zone, status=VersionStatus.PUBLISHED).count(),
    )
