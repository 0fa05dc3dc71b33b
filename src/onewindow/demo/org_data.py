"""The demo zone's organisation: 示范经济技术开发区 (illustrative data, not a real zone).

Every identifier is generated with a valid check character, so the demo exercises the
same validation a real zone's data goes through.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from stdnum.cn import ric, uscc

from onewindow.core.identifiers import organisation_code_check_character
from onewindow.org.constants import (
    ApplicantKind,
    Capacity,
    DepartmentKind,
    Role,
    UserKind,
    WindowKind,
)
from onewindow.org.models import Applicant, Department, Park, User, Window, Zone
from onewindow.org.services import applicant_register, staff_create

ZONE_CODE = "SFQ"
DIVISION = "320192"  # illustrative division code of the demo zone
DEMO_PASSWORD = "OneWindow-demo-2026"


def demo_uscc(registration: str, serial: int) -> str:
    """A valid 统一社会信用代码: registration authority + type, division, org code, check."""
    org8 = f"MA{serial:06d}"
    org9 = org8 + organisation_code_check_character(org8)
    body = f"{registration}{DIVISION}{org9}"
    return body + uscc.calc_check_digit(body)


def demo_id_number(birth: dt.date, sequence: int, address: str = "320102") -> str:
    body = f"{address}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check


PARKS = [
    ("P01", "高新技术产业园", "示范大道 88 号", "12.50"),
    ("P02", "综合保税区", "保税路 1 号", "5.20"),
    ("P03", "现代物流园", "物流大道 16 号", "8.10"),
]

# (code, name, short name, kind, parent code)
DEPARTMENTS = [
    ("XZSPJ", "示范经济技术开发区行政审批局", "行政审批局", DepartmentKind.APPROVAL_BUREAU, None),
    ("ZWFWZX", "政务服务中心", "政务服务中心", DepartmentKind.SERVICE_CENTER, "XZSPJ"),
    ("SPJ-SCK", "行政审批局市场准入科", "市场准入科", DepartmentKind.OFFICE, "XZSPJ"),
    ("SPJ-JSK", "行政审批局建设项目审批科", "建设项目审批科", DepartmentKind.OFFICE, "XZSPJ"),
    ("SCJG", "市场监督管理局", "市场监管", DepartmentKind.FUNCTIONAL, None),
    ("GACRJ", "公安分局出入境管理大队", "公安出入境", DepartmentKind.VERTICAL, None),
    ("KJJ", "科技局（外国人来华工作管理服务）", "科技局", DepartmentKind.FUNCTIONAL, None),
    ("RSJ", "人力资源和社会保障局", "人社局", DepartmentKind.FUNCTIONAL, None),
    ("ZRZY", "自然资源和规划分局", "自然资源和规划", DepartmentKind.VERTICAL, None),
    ("ZJJ", "住房和城乡建设局", "住建局", DepartmentKind.FUNCTIONAL, None),
    ("STHJ", "生态环境分局", "生态环境", DepartmentKind.VERTICAL, None),
    ("YJGL", "应急管理局", "应急管理", DepartmentKind.FUNCTIONAL, None),
    ("SWJ", "税务局", "税务", DepartmentKind.VERTICAL, None),
    ("XFJY", "消防救援大队", "消防救援", DepartmentKind.VERTICAL, None),
    ("WJJ", "卫生健康局", "卫健局", DepartmentKind.FUNCTIONAL, None),
    ("DSJJ", "数据资源管理局（电子监察）", "数据局", DepartmentKind.FUNCTIONAL, None),
]

# (code, name, kind, department code, park code, location)
WINDOWS = [
    ("A01", "综合受理窗口一", WindowKind.COMPREHENSIVE, "ZWFWZX", None, "一楼 A 区"),
    ("A02", "综合受理窗口二", WindowKind.COMPREHENSIVE, "ZWFWZX", None, "一楼 A 区"),
    ("A03", "外国人服务窗口", WindowKind.COMPREHENSIVE, "ZWFWZX", None, "一楼 A 区"),
    ("B01", "工程建设项目专窗", WindowKind.SPECIALIZED, "SPJ-JSK", None, "二楼 B 区"),
    ("B02", "税务专窗", WindowKind.SPECIALIZED, "SWJ", None, "二楼 B 区"),
    ("C01", "统一出件窗口", WindowKind.DELIVERY, "ZWFWZX", None, "一楼 C 区"),
    ("D01", "帮办代办窗口", WindowKind.ASSISTANCE, "ZWFWZX", None, "一楼 D 区"),
    ("P01-1", "高新园区便民服务站", WindowKind.COMPREHENSIVE, "ZWFWZX", "P01", "园区服务中心"),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    name: str


# (username, display name, roles, department code, window code)
STAFF = [
    ("clerk", "王晓窗", [Role.WINDOW_CLERK], "ZWFWZX", "A01"),
    ("reviewer", "李审查", [Role.REVIEWER], "SCJG", None),
    ("decider", "赵决定", [Role.DECIDER], "SCJG", None),
    ("supervisor", "陈监察", [Role.SUPERVISOR], "DSJJ", None),
    ("regulator", "周监管", [Role.REGULATOR], "SCJG", None),
    ("admin", "孙管理", [Role.ADMINISTRATOR], "XZSPJ", None),
    ("analyst", "吴分析", [Role.ANALYST], "XZSPJ", None),
    # 三权分立 (ADR 0010): accounts and grants, and the audit trail, each their own person.
    ("security", "郑安全", [Role.SECURITY_ADMIN], "DSJJ", None),
    ("auditor", "钱审计", [Role.AUDIT_ADMIN], "DSJJ", None),
    # 诉求工单 (12345 一企来): the hotline seat and the centre sit in the service centre; the
    # appeal handlers are the departments that the dispatch catalogue sends orders to
    # (appeals_data.py); 电子监察 is the supervisor above.
    ("operator", "林晓菲", [Role.HOTLINE_OPERATOR], "ZWFWZX", None),
    ("dispatcher", "顾建明", [Role.DISPATCHER], "ZWFWZX", None),
    ("handler", "市场监管 黄丽萍", [Role.APPEAL_HANDLER], "SCJG", None),
    ("handler-zjj", "住建局 邓志远", [Role.APPEAL_HANDLER], "ZJJ", None),
    ("handler-rsj", "人社局 彭雅琴", [Role.APPEAL_HANDLER], "RSJ", None),
    ("handler-swj", "税务 曾德明", [Role.APPEAL_HANDLER], "SWJ", None),
    ("handler-sthj", "生态环境 田海波", [Role.APPEAL_HANDLER], "STHJ", None),
    ("handler-kjj", "科技局 潘思远", [Role.APPEAL_HANDLER], "KJJ", None),
    # 惠企政策: each department's policy officer (政策专员) enters its policies (policies_data.py).
    ("policy", "科技局 许文博", [Role.POLICY_OFFICER], "KJJ", None),
    ("policy-rsj", "人社局 方晓雯", [Role.POLICY_OFFICER], "RSJ", None),
    ("policy-swj", "税务 韩立新", [Role.POLICY_OFFICER], "SWJ", None),
]


def _applicants() -> list[dict]:
    return [
        {
            "username": "enterprise",
            "display_name": "刘经办（示范智造科技有限公司）",
            "capacity": Capacity.HANDLER,
            "role_label": "企业申请人",
            "applicant": {
                "kind": ApplicantKind.ENTERPRISE,
                "name": "示范智造科技有限公司",
                "uscc": demo_uscc("91", 1),
                "legal_representative": "刘建国",
                "phone": "025-80000001",
                "address": "示范经济技术开发区高新技术产业园创新路 6 号",
            },
        },
        {
            "username": "person",
            "display_name": "张明",
            "capacity": Capacity.SELF,
            "role_label": "个人申请人",
            "applicant": {
                "kind": ApplicantKind.PERSON,
                "name": "张明",
                "id_number": demo_id_number(dt.date(1990, 3, 7), 451),
                "phone": "13800000002",
                "address": "示范经济技术开发区示范大道 120 号",
            },
        },
        {
            "username": "foreigner",
            "display_name": "Anna Müller",
            "capacity": Capacity.SELF,
            "role_label": "外国人申请人",
            "applicant": {
                "kind": ApplicantKind.FOREIGNER,
                "name": "Anna Müller",
                "passport_number": "C4J7R9K2L",
                "nationality": "DE",
                "phone": "13800000003",
            },
        },
    ]


@transaction.atomic
def load() -> list[DemoLogin]:
    """Build the demo zone; running it again changes nothing."""
    zone, _ = Zone.objects.get_or_create(
        code=ZONE_CODE,
        defaults={
            "name": "示范经济技术开发区",
            "division_code": DIVISION,
            "address": "示范经济技术开发区政务服务中心（示范大道 1 号）",
            "service_hours": "工作日 9:00—12:00，13:30—17:30（周六上午延时服务）",
            "phone": "025-12345000",
            "complaint_phone": "12345",
            "document_prefix": "示经开",
        },
    )
    parks = {}
    for code, name, address, area in PARKS:
        parks[code], _ = Park.objects.get_or_create(
            zone=zone, code=code, defaults={"name": name, "address": address, "area_km2": area}
        )
    departments: dict[str, Department] = {}
    for index, (code, name, short, kind, parent) in enumerate(DEPARTMENTS, start=1):
        departments[code], _ = Department.objects.get_or_create(
            zone=zone,
            code=code,
            defaults={
                "name": name,
                "short_name": short,
                "kind": kind,
                "parent": departments.get(parent) if parent else None,
                "uscc": demo_uscc("11", 100 + index),
                "sort_order": index * 10,
            },
        )
    windows: dict[str, Window] = {}
    for code, name, kind, department, park, location in WINDOWS:
        windows[code], _ = Window.objects.get_or_create(
            zone=zone,
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "department": departments[department],
                "park": parks.get(park) if park else None,
                "location": location,
            },
        )
    logins: list[DemoLogin] = []
    for username, name, roles, department, window in STAFF:
        if not User.objects.filter(username=username).exists():
            staff_create(
                zone=zone,
                username=username,
                password=DEMO_PASSWORD,
                display_name=name,
                roles=list(roles),
                department=departments[department],
                window=windows.get(window) if window else None,
                is_superuser=Role.ADMINISTRATOR in roles,
            )
        logins.append(DemoLogin(username, DEMO_PASSWORD, str(roles[0].label), name))
    for spec in _applicants():
        user = User.objects.filter(username=spec["username"]).first()
        if user is None:
            user = User(
                username=spec["username"],
                display_name=spec["display_name"],
                kind=UserKind.APPLICANT,
                zone=zone,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        data = spec["applicant"]
        identifier = {k: data[k] for k in ("uscc", "id_number", "passport_number") if k in data}
        if not Applicant.objects.filter(**identifier).exists():
            applicant_register(**data, user=user, capacity=spec["capacity"])
        logins.append(
            DemoLogin(spec["username"], DEMO_PASSWORD, spec["role_label"], spec["display_name"])
        )
    return logins
