"""The demo zone's cases (办件): about 300 applications of the last ~40 calendar days.

Every case is built through the case services (``cases/services.py``) only, one step at a
time, each step run at its own past moment (``time_machine``, working hours 09:00–17:00
Asia/Shanghai on the zone's working days): online submission and uploads, pre-review,
correction, acceptance (normal, 容缺, 告知承诺), review, co-review, return, suspension,
extension, decision and delivery, 即办件 handled on the spot, bundles (一件事) with their
children and unified delivery. So every row, task, clock and audit event is what the real
services write, and the lights on the board follow from real dates: each case's
acceptance day is chosen so that today it is green, yellow or red as planned. The daily
reminder job (``cases.reminders``) runs at 08:30 of each working day of the period.

All steps of all cases are merged and run in time order, so case numbers and the audit
chain follow the calendar. A seeded ``random.Random(2026)`` picks items, applicants and
days: the same data each time, dated relative to the day the demo is loaded.

E-certificates (``certificate_data``): before the period, the zone's signing key and the
certificates the applicants already hold (营业执照 of every enterprise, …, one revoked and
one expired); a material whose source is a certificate type the applicant holds is left
for the submission to fill from the wallet (免提交); every approval of an item that issues
a certificate passes the facts a decider would give (``certificate_data.facts_for``).

Applicants: the demo's enterprise, person and foreigner (a handful of cases each, in
various states) and 30 generated enterprises with valid USCCs, each with its own online
account that nobody logs in with. Departments whose steps have no reviewer or decider
account get one of each (``reviewer-<code>`` / ``decider-<code>``, the demo password).

Idempotent: when the demo zone has any case, nothing is done.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import random
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from onewindow.cases import deadlines, services
from onewindow.cases.constants import (
    ACTIVE_TASK_STATUSES,
    AcceptanceMode,
    CaseChannel,
    CaseStatus,
    Decision,
    Light,
    MaterialState,
    SuspensionKind,
    TaskKind,
    TaskStatus,
)
from onewindow.cases.models import Case, CaseMaterial, Task
from onewindow.cases.reminders import remind_overdue_supplements, remind_warned_tasks
from onewindow.catalog.bundles import MergedMaterial, merge_materials
from onewindow.catalog.constants import MaterialSource, StepKind, StepRole, VersionStatus
from onewindow.catalog.models import Bundle, BundleItem, ItemVersion, Step
from onewindow.certificates.selectors import wallet
from onewindow.core.calendar import WorkingCalendar
from onewindow.demo import certificate_data
from onewindow.demo.org_data import DEMO_PASSWORD, demo_uscc
from onewindow.org.constants import ApplicantKind, Capacity, Role, UserKind
from onewindow.org.models import Applicant, Department, User, Window, Zone
from onewindow.org.selectors import calendar_for_zone
from onewindow.org.services import applicant_register, staff_create

SEED = 2026
DEFAULT_COUNT = 300
SPAN_DAYS = 40
WORK_START = dt.time(9, 0)
DAY_MINUTES = 8 * 60  # 09:00–17:00
REMINDER_MINUTE = -30  # the daily reminder job runs at 08:30
#: Generated staff accounts: ``reviewer-<department code>``, ``decider-<department code>``.
STAFF_USERNAME_REGEX = r"^(reviewer|decider)-[a-z0-9-]+$"
ENTERPRISE_SERIAL = 1000  # generated enterprises' USCC serials start above the demo's own

# Items an enterprise does not apply for on its own (the demo's person and foreigner do).
PERSON_ITEMS = {"普通护照签发", "个体工商户设立登记"}
FOREIGNER_ITEMS = {"外国人签证延期、换发、补发", "外国人居留许可"}

ENTERPRISES = [
    ("恒达精密机械有限公司", "高新技术产业园"),
    ("开元生物医药科技有限公司", "高新技术产业园"),
    ("锦程国际物流有限公司", "现代物流园"),
    ("新桥餐饮管理有限公司", "示范大道"),
    ("瑞丰食品有限公司", "高新技术产业园"),
    ("华泰建设工程有限公司", "示范大道"),
    ("蓝海跨境电子商务有限公司", "综合保税区"),
    ("启明软件技术有限公司", "高新技术产业园"),
    ("安泰化工贸易有限公司", "现代物流园"),
    ("康宁医疗器械有限公司", "高新技术产业园"),
    ("江源环保科技有限公司", "高新技术产业园"),
    ("远航供应链管理有限公司", "综合保税区"),
    ("金穗农产品加工有限公司", "现代物流园"),
    ("博雅人力资源服务有限公司", "示范大道"),
    ("鼎盛房地产开发有限公司", "示范大道"),
    ("晨光新材料有限公司", "高新技术产业园"),
    ("天成汽车零部件有限公司", "高新技术产业园"),
    ("绿洲酒店管理有限公司", "示范大道"),
    ("汇通进出口有限公司", "综合保税区"),
    ("慧眼智能装备有限公司", "高新技术产业园"),
    ("明德口腔诊所有限公司", "示范大道"),
    ("佳禾连锁药房有限公司", "示范大道"),
    ("海纳电子科技有限公司", "高新技术产业园"),
    ("润泽水务工程有限公司", "现代物流园"),
    ("凯旋烟花爆竹销售有限公司", "现代物流园"),
    ("星辰文化传媒有限公司", "示范大道"),
    ("众创孵化器管理有限公司", "高新技术产业园"),
    ("泰和检测技术有限公司", "高新技术产业园"),
    ("益民社区医院有限公司", "示范大道"),
    ("宏图建筑设计有限公司", "示范大道"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋"
GIVEN_NAMES = [
    "建华", "海燕", "志强", "秀英", "俊杰", "丽娟", "文博", "晓东", "雪梅", "国强",
    "静怡", "伟民", "玉兰", "子涵", "明辉", "婉清", "振宇", "佳琪", "德胜", "慧敏",
]  # fmt: skip
NEW_COMPANIES = [
    "示范云帆信息技术有限公司",
    "示范青禾餐饮有限公司",
    "示范启航智能科技有限公司",
    "示范同创新材料有限公司",
    "示范悦来商贸有限公司",
    "示范远景数据服务有限公司",
]
FOREIGN_WORKERS = [
    ("John Smith", "GB", "男"),
    ("Maria Rossi", "IT", "女"),
    ("Kenji Tanaka", "JP", "男"),
    ("Sophie Martin", "FR", "女"),
    ("Lukas Becker", "DE", "男"),
    ("Emily Clark", "US", "女"),
]
POSITIONS = ["研发总监", "高级工程师", "质量经理", "外籍教师", "市场总监", "首席技术官"]

REVIEW_COMMENTS = [
    "申请材料齐全，符合法定形式，审查通过。",
    "经审查，申请人符合法定条件。",
    "现场核查情况与申请材料一致，同意。",
    "材料真实有效，拟同意许可。",
]
CO_REVIEW_REASONS = [
    "涉及本部门以外的审查事项，请会签。",
    "项目涉及消防和规划要求，请相关部门出具意见。",
]
CO_REVIEW_COMMENTS = ["经会签，无不同意见。", "同意，请按相关规范实施。"]
APPROVAL_REASONS = ["", "符合法定条件、标准，准予许可。"]
DENIAL_REASONS = [
    "经现场核查，经营场所条件与申请材料不一致，不符合法定条件。",
    "申请人提交的技术文件不符合相关标准要求，经告知仍未整改到位。",
    "经审查，申请事项不符合本区产业规划要求。",
]
REFUSALS = [
    (
        "申请事项依法不需要取得行政许可，已告知申请人按备案程序办理。",
        "《中华人民共和国行政许可法》第三十二条第一款第（一）项",
    ),
    (
        "申请事项依法不属于本机关职权范围，请向示范市相关主管部门申请。",
        "《中华人民共和国行政许可法》第三十二条第一款第（二）项",
    ),
]
CORRECTION_ISSUES = [
    "未加盖单位公章，请盖章后重新提交",
    "复印件不清晰，请重新上传清晰的扫描件",
    "填写内容与营业执照记载不一致，请核对后重新提交",
]
SUSPENSIONS = [
    (SuspensionKind.HEARING, "申请事项直接关系他人重大利益，依申请组织听证。"),
    (SuspensionKind.TESTING, "需委托具备资质的第三方机构对相关设施进行检验检测。"),
    (SuspensionKind.EXPERT_REVIEW, "组织专家对技术方案进行评审。"),
    (SuspensionKind.PUBLIC_NOTICE, "拟准予许可事项依法公示，公示期 10 日。"),
]  # fmt: skip
RETURN_REASONS = ["现场核查记录缺少负责人签字，请补充完善后重新提交。"]
EXTENSION_REASONS = [
    "案情复杂，需进一步核实，经本机关负责人批准延长办理期限。",
    "涉及多个部门联合审查，经本机关负责人批准延长办理期限。",
]
WITHDRAWAL_REASONS = [
    "企业经营计划调整，申请撤回。",
    "选址变更，撤回本次申请，待重新准备材料后再申请。",
    "申请人误选事项，撤回后重新申请。",
]
COMMITMENT_TEXT = (
    "本人郑重承诺：所填写的信息真实、准确、完整；以告知承诺方式替代的材料所述条件已经具备，"
    "并将在许可后接受监管部门的核查；如有不实，愿意承担撤销许可、信用惩戒等法律责任。"
)


# --- the sample material (a real one-page PDF) ----------------------------------------

# Used only when the CJK font is not installed: a minimal, valid one-page PDF.
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@functools.cache
def sample_pdf() -> bytes:
    """One A4 page reading 示例材料 (演示数据), drawn once with the notices' CJK font."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from onewindow.cases.notices import FONT_NAME, FONT_PATH

    if not Path(FONT_PATH).exists():
        return MINIMAL_PDF
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH), subfontIndex=0))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    page.setTitle("示例材料")
    width, height = A4
    page.setFont(FONT_NAME, 28)
    page.drawCentredString(width / 2, height - 160, "示例材料")
    page.setFont(FONT_NAME, 12)
    page.drawCentredString(width / 2, height - 200, "示范经济技术开发区 · 演示数据，仅供参考")
    page.showPage()
    page.save()
    return buffer.getvalue()


def _upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{name}.pdf", sample_pdf(), content_type="application/pdf")


# --- the period: working days and moments ----------------------------------------------


class Timeline:
    """The working days of the last ``SPAN_DAYS`` calendar days, oldest first.

    A moment is (``ago``, ``minute``): ``ago`` working days before the last working day
    (0 = the last), ``minute`` into the 09:00–17:00 working day. Today counts once the
    window has been open an hour; its minutes are squeezed into the time gone so far.
    """

    def __init__(self, calendar: WorkingCalendar, now: dt.datetime) -> None:
        self.calendar = calendar
        local = timezone.localtime(now)
        self.today = local.date()
        opened = timezone.make_aware(dt.datetime.combine(self.today, WORK_START))
        open_minutes = (now - opened).total_seconds() / 60 - 5
        days = []
        for offset in range(SPAN_DAYS, -1, -1):
            day = self.today - dt.timedelta(days=offset)
            if calendar.day(day, allow_provisional=True).is_working:
                days.append(day)
        if days and days[-1] == self.today and open_minutes < 60:
            days.pop()
        self.days = days
        self.last_minutes = (
            min(DAY_MINUTES, open_minutes) if days[-1] == self.today else DAY_MINUTES
        )
        self._lights: dict[tuple[int, int, int, int], str] = {}

    @property
    def span(self) -> int:
        return len(self.days)

    def day(self, ago: int) -> dt.date:
        return self.days[-1 - ago]

    def moment(self, ago: int, minute: float) -> dt.datetime:
        length = self.last_minutes if ago == 0 else DAY_MINUTES
        start = timezone.make_aware(dt.datetime.combine(self.day(ago), WORK_START))
        return start + dt.timedelta(minutes=minute * length / DAY_MINUTES)

    def light(self, limit: int, accepted_ago: int, paused: int = 0, extension: int = 0) -> str:
        """Today's light of a case accepted ``accepted_ago`` with these clock settings."""
        key = (limit, accepted_ago, paused, extension)
        if key not in self._lights:
            result = deadlines.clock(
                self.calendar,
                start=self.day(accepted_ago),
                limit_days=limit,
                paused_days=paused,
                extension_days=extension,
            )
            self._lights[key] = deadlines.light(
                today=self.today, deadline=result.deadline, yellow_from=result.yellow_from
            )
        return self._lights[key]

    def overdue(self, limit: int, opened_ago: int) -> bool:
        """A step of ``limit`` days opened ``opened_ago`` is past its deadline today."""
        due = self.calendar.deadline(self.day(opened_ago), limit, allow_provisional=True).date
        return due < self.today

    def after(self, ago: int, days: int) -> dt.date:
        return self.calendar.deadline(self.day(ago), days, allow_provisional=True).date


# --- what one may apply for ------------------------------------------------------------


@dataclass
class Offer:
    """An item version or a bundle, with what the planner needs to know about it."""

    name: str
    version: ItemVersion | None
    bundle: Bundle | None
    limit: int
    immediate: bool
    lines: list[MergedMaterial]
    department_id: int
    window: Window | None
    first_wave: tuple[int, ...] = ()  # limits of the steps that open at acceptance
    decision_limit: int = 0
    weight: int = 1
    members: list[ItemVersion] = field(default_factory=list)  # a bundle's items

    def applicant_lines(self, flag: str) -> list[str]:
        return [
            line.name
            for line in self.lines
            if line.required and line.source == MaterialSource.APPLICANT and getattr(line, flag)
        ]

    @property
    def tolerable(self) -> list[str]:
        return self.applicant_lines("tolerable")

    @property
    def committable(self) -> list[str]:
        return self.applicant_lines("commitment_allowed")

    @property
    def required_own(self) -> list[str]:
        return [
            line.name
            for line in self.lines
            if line.required and line.source == MaterialSource.APPLICANT
        ]


def _offers(zone: Zone) -> tuple[list[Offer], dict[str, Offer]]:
    """Published items (standard and 即办件) and bundles of the zone."""
    scjg = Department.objects.filter(zone=zone, code="SCJG").values_list("pk", flat=True).first()
    versions = list(
        ItemVersion.objects.published()
        .filter(item__zone=zone)
        .select_related("department")
        .prefetch_related("materials", "steps", "windows")
        .order_by("pk")
    )
    items = []
    for version in versions:
        steps = list(version.steps.all())
        accept = [step.key for step in steps if step.kind == StepKind.ACCEPTANCE]
        wave = tuple(
            step.limit_days
            for step in steps
            if step.after == accept and step.kind in (StepKind.REVIEW, StepKind.INSPECTION)
        )
        windows = list(version.windows.all())
        items.append(
            Offer(
                name=version.name,
                version=version,
                bundle=None,
                limit=version.promised_limit_days,
                immediate=version.is_immediate,
                lines=merge_materials([version]),
                department_id=version.department_id,
                window=windows[0] if windows else None,
                first_wave=wave,
                decision_limit=min(
                    (step.limit_days for step in steps if step.kind == StepKind.DECISION),
                    default=0,
                ),
                # More cases for the demo reviewer's and decider's department.
                weight=2 if any(step.department_id == scjg for step in steps) else 1,
            )
        )
    bundles = {}
    by_item = {version.item_id: version for version in versions}
    for bundle in Bundle.objects.filter(zone=zone, status=VersionStatus.PUBLISHED).order_by("pk"):
        order = BundleItem.objects.filter(bundle=bundle).order_by("position")
        members = [by_item[i] for i in order.values_list("item_id", flat=True) if i in by_item]
        bundles[bundle.code] = Offer(
            name=bundle.name,
            version=None,
            bundle=bundle,
            limit=bundle.promised_limit_days,
            immediate=False,
            lines=merge_materials(members),
            department_id=bundle.lead_department_id,
            window=None,
            members=members,
        )
    return items, bundles


# --- people ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """An applicant and the account that applies online for it."""

    applicant: Applicant
    user: User


@dataclass
class Cast:
    clerk: User
    holders: dict[tuple[str, int], User]  # (role, department id) → the account doing it

    def for_task(self, task: Task) -> User:
        if task.role == StepRole.WINDOW_CLERK:
            return self.clerk
        return self.holders[(task.role, task.department_id)]


def _person_name(index: int) -> str:
    return SURNAMES[index % len(SURNAMES)] + GIVEN_NAMES[(index * 7) % len(GIVEN_NAMES)]


def _staff(zone: Zone) -> Cast:
    """The window clerk, and a reviewer and decider for every department with steps."""
    clerk = User.objects.get(username="clerk")
    needed = (
        Step.objects.filter(
            version__in=ItemVersion.objects.published().filter(item__zone=zone),
            role__in=[StepRole.REVIEWER, StepRole.DECIDER],
        )
        .values_list("department_id", "version__department_id")
        .distinct()
    )
    departments = {step or own for step, own in needed}
    holders: dict[tuple[str, int], User] = {}
    for user in User.objects.filter(zone=zone, kind=UserKind.STAFF, is_active=True).order_by("pk"):
        for role, department in user.role_assignments.values_list("role", "department_id"):
            if role in (Role.REVIEWER, Role.DECIDER) and department:
                holders.setdefault((role, department), user)
    index = 0
    for department in Department.objects.filter(pk__in=departments).order_by("sort_order", "pk"):
        for role in (Role.REVIEWER, Role.DECIDER):
            if (role, department.pk) in holders:
                continue
            username = f"{role}-{department.code.lower()}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = staff_create(
                    zone=zone,
                    username=username,
                    password=DEMO_PASSWORD,
                    display_name=f"{_person_name(index + 11)}（{department.short_name}）",
                    roles=[role],
                    department=department,
                )
            index += 1
            holders[(role, department.pk)] = user
    return Cast(clerk=clerk, holders=holders)


def _enterprises(zone: Zone) -> list[Party]:
    parties = []
    for index, (name, place) in enumerate(ENTERPRISES, start=1):
        serial = ENTERPRISE_SERIAL + index
        uscc = demo_uscc("91", serial)
        applicant = Applicant.objects.filter(uscc=uscc).first()
        if applicant is None:
            user = User(
                username=f"ent{serial}",
                display_name=f"经办人（{name}）",
                kind=UserKind.APPLICANT,
                zone=zone,
            )
            user.set_unusable_password()  # an online account of the story, not a demo login
            user.save()
            applicant = applicant_register(
                kind=ApplicantKind.ENTERPRISE,
                name=name,
                uscc=uscc,
                legal_representative=_person_name(index),
                phone=f"025-8{serial:07d}",
                address=f"示范经济技术开发区{place}{index * 3 + 5} 号",
                user=user,
                capacity=Capacity.HANDLER,
            )
        user = applicant.users.order_by("pk").first()
        parties.append(Party(applicant, user))
    return parties


def _demo_party(username: str) -> Party:
    user = User.objects.get(username=username)
    return Party(user.applicants.order_by("pk").first(), user)


# --- stories: the steps of one case ----------------------------------------------------


@dataclass
class Story:
    """One case's steps; ``case`` is set by the first step when it runs.

    Steps are run day by day (oldest first); steps of the same day in the order they
    were added, a few minutes apart.
    """

    number: int
    party: Party
    offer: Offer
    channel: str
    case: Case | None = None
    steps: list[tuple[int, Callable[[], object]]] = field(default_factory=list)

    def at(self, ago: int, action: Callable[[], object]) -> None:
        """Run ``action`` on the working day ``ago`` working days back."""
        if ago < 0:
            raise ValueError("a demo step cannot be in the future")
        self.steps.append((ago, action))

    def schedule(self, rng: random.Random) -> Iterator[tuple[int, float, Callable[[], object]]]:
        """(ago, minute, action) of each step, in the order they run."""
        ordered = sorted(enumerate(self.steps), key=lambda entry: (-entry[1][0], entry[0]))
        previous, minute = None, 0.0
        for _index, (ago, action) in ordered:
            if ago == previous:
                minute = min(minute + rng.uniform(3, 40), DAY_MINUTES - 1)
            else:
                minute = rng.uniform(0, 330)
            previous = ago
            yield ago, minute, action

    @property
    def targets(self) -> list[Case]:
        """The cases that hold tasks: the case, or a bundle's children."""
        if self.offer.bundle is not None:
            return list(Case.objects.filter(parent=self.case).order_by("pk"))
        return [self.case]


REVIEW_KINDS = (TaskKind.REVIEW, TaskKind.INSPECTION, TaskKind.CO_REVIEW)


def _active(case: Case, kinds: Sequence[str]) -> list[Task]:
    return list(
        Task.objects.filter(case=case, status__in=ACTIVE_TASK_STATUSES, kind__in=kinds)
        .select_related("case")
        .order_by(F("parent_task_id").asc(nulls_last=True), "pk")  # co-reviews first
    )


# --- the planner -----------------------------------------------------------------------


@dataclass(frozen=True)
class CasesSummary:
    cases: int  # top-level cases (a bundle counts once)
    by_status: dict[str, int]
    staff: int  # generated reviewer and decider accounts
    sample: tuple[str, str] | None = None  # a case number and its query code (查询码)


def summary(zone: Zone) -> CasesSummary:
    rows = (
        Case.objects.filter(zone=zone, parent__isnull=True).values_list("status").order_by("status")
    )
    counts = Counter(status for (status,) in rows)
    staff = User.objects.filter(zone=zone, username__regex=STAFF_USERNAME_REGEX).count()
    by_status = {status: counts[status] for status in CaseStatus.values if counts[status]}
    sample = (
        Case.objects.filter(
            zone=zone,
            parent__isnull=True,
            status=CaseStatus.IN_REVIEW,
            applicant__users__username="enterprise",
        )
        .order_by("number")
        .values_list("number", "query_code")
        .first()
    )
    return CasesSummary(cases=sum(counts.values()), by_status=by_status, staff=staff, sample=sample)


@dataclass(frozen=True)
class DepartmentDesk:
    """Who reviews and decides a department's demo items, for the logins the demo prints."""

    department: str
    reviewers: list[str]
    deciders: list[str]
    items: list[str]  # the published items whose steps the department reviews or decides
    open_tasks: int  # review and decision tasks waiting in the department now


def department_desks(zone: Zone) -> list[DepartmentDesk]:
    """Every department with review or decision steps in the published catalog, with the
    usernames holding those roles there (three queries)."""
    items: dict[int, list[str]] = {}
    steps = (
        Step.objects.filter(
            version__in=ItemVersion.objects.published().filter(item__zone=zone),
            role__in=[StepRole.REVIEWER, StepRole.DECIDER],
        )
        .values_list("department_id", "version__department_id", "version__name")
        .order_by("version__name")
        .distinct()
    )
    for step_department, own, name in steps:
        names = items.setdefault(step_department or own, [])
        if name not in names:
            names.append(name)
    holders: dict[tuple[int, str], list[str]] = {}
    assignments = (
        User.objects.filter(
            zone=zone,
            kind=UserKind.STAFF,
            is_active=True,
            role_assignments__role__in=[Role.REVIEWER, Role.DECIDER],
            role_assignments__department_id__in=list(items),
        )
        .values_list("role_assignments__department_id", "role_assignments__role", "username")
        .order_by("pk")
    )
    for department, role, username in assignments:
        holders.setdefault((department, role), []).append(username)
    waiting = Counter(
        dict(
            Task.objects.active()
            .filter(department_id__in=list(items), role__in=[Role.REVIEWER, Role.DECIDER])
            .values_list("department_id")
            .annotate(count=Count("pk"))
            .order_by()
        )
    )
    return [
        DepartmentDesk(
            department=department.name,
            reviewers=holders.get((department.pk, Role.REVIEWER), []),
            deciders=holders.get((department.pk, Role.DECIDER), []),
            items=items[department.pk],
            open_tasks=waiting[department.pk],
        )
        for department in Department.objects.filter(pk__in=list(items)).order_by("sort_order", "pk")
    ]


class Planner:
    """Plans every story (choosing items, applicants and days), then runs all steps."""

    def __init__(self, zone: Zone, *, now: dt.datetime, rng: random.Random) -> None:
        self.zone = zone
        self.rng = rng
        self.timeline = Timeline(calendar_for_zone(zone), now)
        self.items, self.bundles = _offers(zone)
        self.standard = [
            offer
            for offer in self.items
            if not offer.immediate and offer.name not in PERSON_ITEMS | FOREIGNER_ITEMS
        ]
        self.immediate = [
            offer
            for offer in self.items
            if offer.immediate and offer.name not in PERSON_ITEMS | FOREIGNER_ITEMS
        ]
        self.by_name = {offer.name: offer for offer in self.items}
        self.stories: list[Story] = []
        self.cast: Cast | None = None
        self.parties: list[Party] = []
        self.demo: dict[str, Party] = {}

    # -- choosing ----------------------------------------------------------------------

    @property
    def last(self) -> int:
        return self.timeline.span - 1

    def choose(
        self,
        pool: Sequence[Offer],
        agos: Sequence[int],
        *,
        light: str | None = None,
        paused: int = 0,
        extension: int = 0,
        test: Callable[[Offer, int], bool] | None = None,
        prefer: Callable[[Offer, int], bool] | None = None,
    ) -> tuple[Offer, int]:
        """An offer (weighted) and an acceptance day giving today's ``light`` and passing
        ``test``; among those, the ones passing ``prefer`` if there are any."""
        options = []
        for offer in pool:
            fits = [
                ago
                for ago in agos
                if 0 <= ago <= self.last
                and (
                    light is None
                    or self.timeline.light(offer.limit, ago, paused, extension) == light
                )
                and (test is None or test(offer, ago))
            ]
            if fits:
                options.append((offer, fits))
        if not options:
            raise LookupError("no demo item fits the planned days")
        if prefer is not None:
            preferred = [
                (offer, [ago for ago in fits if prefer(offer, ago)]) for offer, fits in options
            ]
            options = [(offer, fits) for offer, fits in preferred if fits] or options
        weights = [offer.weight for offer, _fits in options]
        offer, fits = self.rng.choices(options, weights=weights)[0]
        return offer, self.rng.choice(fits)

    def party(self) -> Party:
        return self.rng.choice(self.parties)

    def story(self, offer: Offer, party: Party | None = None, channel: str | None = None) -> Story:
        if channel is None:
            channel = CaseChannel.WINDOW if self.rng.random() < 0.3 else CaseChannel.ONLINE
        story = Story(len(self.stories), party or self.party(), offer, channel)
        self.stories.append(story)
        return story

    def form(self, offer: Offer, party: Party) -> dict[str, str]:
        applicant = party.applicant
        contact = applicant.legal_representative or applicant.name
        if offer.bundle is None:
            return {"contact_name": contact, "contact_phone": applicant.phone}
        worker = self.rng.choice(FOREIGN_WORKERS)
        if applicant.kind == ApplicantKind.FOREIGNER:
            worker = (applicant.name, applicant.nationality.code, "女")
        employer = (
            self.demo["enterprise"].applicant if applicant.kind != "enterprise" else applicant
        )
        new_company = self.rng.choice(NEW_COMPANIES)
        known = {
            "company_name": new_company if offer.bundle.code == "business-start" else employer.name,
            "uscc": employer.uscc,
            "employer_name": employer.name,
            "employer_uscc": employer.uscc,
            "foreigner_name": worker[0],
            "nationality": worker[1],
            "gender": worker[2],
            "passport_number": applicant.passport_number
            or f"{worker[1]}{self.rng.randint(1000000, 9999999)}",
            "position": self.rng.choice(POSITIONS),
            "contact_name": contact,
            "contact_phone": applicant.phone or "025-12345000",
            "legal_representative": contact,
            "liquidator": contact,
            "project_name": f"{employer.name[:-4]}新建厂房项目",
            "project_code": f"2026-320192-34-03-{self.rng.randint(1, 999999):06d}",
            "road_name": "创新路（示范大道至科技路段）",
            "works_period": f"{self.rng.randint(15, 60)} 日",
            "signboard": "门头招牌 6 米 × 1.2 米，设于建筑一层外墙",
            "business_scope": "技术开发、技术咨询、技术服务；货物进出口",
            "birth_date": dt.date(
                self.rng.randint(1970, 1995), self.rng.randint(1, 12), self.rng.randint(1, 28)
            ).isoformat(),
            # 简易注销: the creditors' notice ran 20 days, some time before applying.
            "notice_date": (
                self.timeline.today - dt.timedelta(days=self.rng.randint(70, 100))
            ).isoformat(),
        }
        values = {}
        for spec in offer.bundle.form_fields or []:
            key, kind = spec["key"], spec.get("type", "text")
            if key in known:
                values[key] = known[key]
            elif kind == "select":
                values[key] = self.rng.choice(spec["options"])
            elif kind == "number":
                values[key] = str(self.rng.randint(3, 300))
            elif kind == "date":
                day = self.timeline.today + dt.timedelta(days=self.rng.randint(20, 90))
                values[key] = day.isoformat()
            elif key.endswith("address") or key == "premises":
                values[key] = applicant.address or "示范经济技术开发区示范大道 1 号"
            else:
                values[key] = f"{spec['label']}（演示）"
        return values

    # -- actions (run later, at their moments) ------------------------------------------

    def _fill(self, story: Story, *, skip: Sequence[str], optional: bool) -> None:
        case, window = story.case, story.channel == CaseChannel.WINDOW
        actor = self.cast.clerk if window else story.party.user
        held = self._held(story)
        for row in CaseMaterial.objects.filter(case=case).order_by("position"):
            if row.state != MaterialState.MISSING or row.name in skip:
                continue
            if not row.required and not optional:
                continue
            if row.merge_key in held:
                continue  # 免提交: the submission fills it from the applicant's wallet
            if window and row.material.source == MaterialSource.APPLICANT:
                services.material_receive_paper(case=case, material_id=row.pk, actor=actor)
            else:
                services.material_upload(
                    case=case, material_id=row.pk, uploaded=_upload(row.name), actor=actor
                )

    def _held(self, story: Story) -> set[str]:
        """Merge keys of the story's materials its applicant's wallet fills today."""
        lines = services.wallet_material_lines(
            story.offer.members if story.offer.bundle is not None else [story.offer.version]
        )
        if not lines:
            return set()
        types = set(
            wallet(story.party.applicant)
            .filter(certificate_type_id__in=set(lines.values()))
            .values_list("certificate_type_id", flat=True)
        )
        return {key for key, type_id in lines.items() if type_id in types}

    def facts(self, case: Case) -> dict[str, str] | None:
        """What the decider gives when approving ``case`` (None: it issues nothing)."""
        kind = services.certificate_type_of(case)
        if kind is None:
            return None
        return certificate_data.facts_for(
            kind, holder=case.applicant, form_data=case.form_data, seed=case.number
        )

    def apply(
        self,
        story: Story,
        submit_ago: int,
        *,
        skip: Sequence[str] = (),
        optional: bool = False,
    ) -> None:
        """Fill in (online, or by the clerk for a walk-in), attach materials, submit."""
        party, offer, window = story.party, story.offer, story.channel == CaseChannel.WINDOW
        form = self.form(offer, party)
        place = (offer.window or self.cast.clerk.window) if window else None

        def create() -> None:
            story.case = services.case_create(
                actor=self.cast.clerk if window else party.user,
                applicant=party.applicant,
                item_version=offer.version,
                bundle=offer.bundle,
                channel=story.channel,
                window=place,
                form_data=form,
                language="en" if party.applicant.kind == ApplicantKind.FOREIGNER else "zh-hans",
                submit=False,
            )
            self._fill(story, skip=skip, optional=optional)

        def submit() -> None:
            actor = self.cast.clerk if window else party.user
            services.case_submit(case=story.case, actor=actor)

        story.at(submit_ago, create)
        story.at(submit_ago, submit)

    def accept(
        self,
        story: Story,
        ago: int,
        *,
        mode: str = AcceptanceMode.NORMAL,
        tolerated: Sequence[str] = (),
        due: dt.date | None = None,
        committed: Sequence[str] = (),
    ) -> None:
        def run() -> None:
            rows = dict(CaseMaterial.objects.filter(case=story.case).values_list("name", "pk"))
            signer = story.party.applicant.legal_representative or story.party.applicant.name
            services.case_accept(
                case=story.case,
                actor=self.cast.clerk,
                mode=mode,
                tolerated=[rows[name] for name in tolerated],
                tolerance_due_on=due,
                committed=[rows[name] for name in committed],
                commitment_text=COMMITMENT_TEXT if committed else "",
                commitment_signed_name=signer if committed else "",
            )

        story.at(ago, run)

    def intake(
        self,
        story: Story,
        accept_ago: int,
        *,
        correction: bool = False,
        **accept,
    ) -> None:
        """Submission (online: a few days earlier), an optional correction round, then
        acceptance on ``accept_ago``. Tolerated and committed materials are not attached."""
        keep_out = [*accept.get("tolerated", ()), *accept.get("committed", ())]
        if story.channel == CaseChannel.WINDOW:
            self.apply(story, accept_ago, skip=keep_out, optional=self.rng.random() < 0.3)
            self.accept(story, accept_ago, **accept)
            return
        room = self.last - accept_ago
        own = [name for name in story.offer.required_own if name not in keep_out]
        if correction and room >= 2 and own:
            submitted = accept_ago + self.rng.randint(2, min(room, 5))
            missing = self.rng.choice(own)
            self.apply(story, submitted, skip=[*keep_out, missing])
            self.correct(story, submitted - self.rng.randint(0, 1), missing)
            self.resubmit(story, accept_ago, missing)
        else:
            submitted = accept_ago + min(room, self.rng.choice([0, 1, 1, 2, 3]))
            self.apply(story, submitted, skip=keep_out, optional=self.rng.random() < 0.3)
        self.accept(story, accept_ago, **accept)

    def correct(self, story: Story, ago: int, missing: str) -> None:
        others = [name for name in story.offer.required_own if name != missing]
        items = [f"{missing}：未提交，请补充提交"]
        if others and self.rng.random() < 0.5:
            items.append(f"{self.rng.choice(others)}：{self.rng.choice(CORRECTION_ISSUES)}")

        def run() -> None:
            services.case_request_correction(case=story.case, actor=self.cast.clerk, items=items)

        story.at(ago, run)

    def resubmit(self, story: Story, ago: int, missing: str) -> None:
        def run() -> None:
            row = CaseMaterial.objects.get(case=story.case, name=missing)
            services.material_upload(
                case=story.case,
                material_id=row.pk,
                uploaded=_upload(missing),
                actor=story.party.user,
            )
            services.case_resubmit(case=story.case, actor=story.party.user)

        story.at(ago, run)

    def claim(self, story: Story, ago: int, kinds: Sequence[str] = REVIEW_KINDS) -> None:
        def run() -> None:
            for case in story.targets:
                for task in _active(case, kinds):
                    if task.status == TaskStatus.OPEN:
                        services.task_claim(task=task, actor=self.cast.for_task(task))

        story.at(ago, run)

    def _complete(self, task: Task, comment: str) -> None:
        actor = self.cast.for_task(task)
        if task.status == TaskStatus.OPEN:
            services.task_claim(task=task, actor=actor)
        services.task_complete(task=task, actor=actor, comment=comment)

    def review(self, story: Story, ago: int, *, waves: int = 1) -> None:
        """Complete the review, inspection and co-review tasks open now (``waves`` times:
        a sequential review opens the next step)."""
        comment = self.rng.choice(REVIEW_COMMENTS)
        answer = self.rng.choice(CO_REVIEW_COMMENTS)

        def run() -> None:
            for _wave in range(waves):
                done = False
                for case in story.targets:
                    for task in _active(case, REVIEW_KINDS):
                        is_co_review = task.kind == TaskKind.CO_REVIEW
                        self._complete(task, answer if is_co_review else comment)
                        done = True
                if not done:
                    return

        story.at(ago, run)

    def co_review(self, story: Story, ago: int, *, days: int) -> None:
        reason = self.rng.choice(CO_REVIEW_REASONS)
        choice = self.rng.random()

        def run() -> None:
            task = _active(story.case, (TaskKind.REVIEW, TaskKind.INSPECTION))[0]
            others = sorted(
                {
                    department
                    for role, department in self.cast.holders
                    if role == Role.REVIEWER and department != task.department_id
                }
            )
            department = Department.objects.get(pk=others[int(choice * len(others))])
            actor = self.cast.for_task(task)
            if task.status == TaskStatus.OPEN:
                services.task_claim(task=task, actor=actor)
            services.task_request_co_review(
                task=task, actor=actor, department=department, reason=reason, limit_days=days
            )

        story.at(ago, run)

    def send_back(self, story: Story, ago: int) -> None:
        reason = self.rng.choice(RETURN_REASONS)

        def run() -> None:
            task = _active(story.case, (TaskKind.DECISION,))[0]
            actor = self.cast.for_task(task)
            services.task_claim(task=task, actor=actor)
            services.task_return(task=task, actor=actor, reason=reason)

        story.at(ago, run)

    def decide(
        self, story: Story, ago: int, decision: str = Decision.APPROVED, *, only: int | None = None
    ) -> None:
        """Finish the reviews, then decide (every child of a bundle, or child ``only``)."""
        reason = self.rng.choice(
            APPROVAL_REASONS if decision == Decision.APPROVED else DENIAL_REASONS
        )
        comment = self.rng.choice(REVIEW_COMMENTS)

        def run() -> None:
            targets = story.targets
            for case in targets if only is None else [targets[only]]:
                for _wave in range(4):
                    pending = _active(case, REVIEW_KINDS)
                    if not pending:
                        break
                    for task in pending:
                        self._complete(task, comment)
                task = _active(case, (TaskKind.DECISION,))[0]
                actor = self.cast.for_task(task)
                if task.status == TaskStatus.OPEN:
                    services.task_claim(task=task, actor=actor)
                services.task_decide(
                    task=task,
                    actor=actor,
                    decision=decision,
                    reason=reason,
                    certificate_facts=(self.facts(case) if decision == Decision.APPROVED else None),
                )

        story.at(ago, run)

    def deliver(self, story: Story, ago: int) -> None:
        def run() -> None:
            task = _active(story.case, (TaskKind.DELIVERY,))[0]
            services.task_claim(task=task, actor=self.cast.clerk)
            services.task_deliver(task=task, actor=self.cast.clerk, comment="申请人现场领取")

        story.at(ago, run)

    def on_the_spot(self, story: Story, ago: int) -> None:
        def run() -> None:
            services.case_handle_on_the_spot(
                case=story.case, actor=self.cast.clerk, certificate_facts=self.facts(story.case)
            )

        story.at(ago, run)

    def suspend(self, story: Story, ago: int) -> None:
        kind, reason = self.rng.choice(SUSPENSIONS)

        def run() -> None:
            task = _active(story.case, (*REVIEW_KINDS, TaskKind.DECISION))[0]
            services.case_suspend(
                case=story.case, actor=self.cast.for_task(task), kind=kind, reason=reason
            )

        story.at(ago, run)

    def resume(self, story: Story, ago: int) -> None:
        def run() -> None:
            task = _active(story.case, (*REVIEW_KINDS, TaskKind.DECISION))[0]
            services.case_resume(case=story.case, actor=self.cast.for_task(task))

        story.at(ago, run)

    def extend(self, story: Story, ago: int, days: int) -> None:
        reason = self.rng.choice(EXTENSION_REASONS)
        decider = self.cast.holders[(Role.DECIDER, story.offer.department_id)]

        def run() -> None:
            services.case_extend(case=story.case, actor=decider, days=days, reason=reason)

        story.at(ago, run)

    def supplement(self, story: Story, ago: int, names: Sequence[str]) -> None:
        online = story.channel == CaseChannel.ONLINE

        def run() -> None:
            for name in names:
                row = CaseMaterial.objects.get(case=story.case, name=name)
                if online:
                    services.material_upload(
                        case=story.case, material_id=row.pk, uploaded=_upload(name),
                        actor=story.party.user,
                    )  # fmt: skip
                else:
                    services.material_receive_paper(
                        case=story.case, material_id=row.pk, actor=self.cast.clerk
                    )

        story.at(ago, run)

    def withdraw(self, story: Story, ago: int) -> None:
        reason = self.rng.choice(WITHDRAWAL_REASONS)
        actor = self.cast.clerk if story.channel == CaseChannel.WINDOW else story.party.user

        def run() -> None:
            services.case_withdraw(case=story.case, actor=actor, reason=reason)

        story.at(ago, run)

    # -- work after acceptance ----------------------------------------------------------

    def between(self, newest: int, oldest: int) -> int:
        """A day from ``oldest`` to ``newest`` days ago (inclusive, clipped to the period)."""
        newest, oldest = max(0, newest), min(self.last, oldest)
        return self.rng.randint(newest, max(newest, oldest))

    def in_review_work(self, story: Story, accepted: int, light: str) -> None:
        """Progress of a case still in review: on time when green, late otherwise."""
        offer = story.offer
        wave = min(offer.first_wave or (1,))
        if light == Light.GREEN:
            # Reviewed on time (by the step's deadline), best while the decision step
            # that opens then is not overdue yet.
            on_time = range(max(accepted - wave, 0), accepted + 1)
            calm = [day for day in on_time if not self.timeline.overdue(offer.decision_limit, day)]
            late = self.timeline.overdue(wave, accepted)
            if late or (calm and self.rng.random() < 0.5):
                done = self.rng.choice(calm or list(on_time))
                self.review(story, done)
                if done >= 1 and self.rng.random() < 0.5:
                    self.claim(story, self.between(0, done - 1), (TaskKind.DECISION,))
                return
            if self.rng.random() < 0.6:
                self.claim(story, self.between(0, accepted))
            return
        if accepted >= 2 and self.rng.random() < 0.5:
            done = self.between(1, accepted - 1)
            self.review(story, done)
            self.claim(story, self.between(0, done - 1), (TaskKind.DECISION,))
        else:
            self.claim(story, self.between(max(accepted - 1, 0), accepted))

    def decided(
        self,
        story: Story,
        accepted: int,
        decided: int,
        decision: str = Decision.APPROVED,
        *,
        deliver: bool = True,
    ) -> None:
        if decided < accepted and self.rng.random() < 0.7:
            self.review(story, self.between(decided + 1, accepted - 1))
        self.decide(story, decided, decision)
        if deliver:
            self.deliver(
                story, decided if decided == 0 else self.rng.choice([decided, decided - 1])
            )

    # -- the recipes --------------------------------------------------------------------

    def submitted(self) -> None:
        offer = self.rng.choices(self.standard, weights=[o.weight for o in self.standard])[0]
        story = self.story(offer, channel=CaseChannel.ONLINE)
        own = offer.required_own
        skip = [self.rng.choice(own)] if own and self.rng.random() < 0.2 else []
        self.apply(story, self.rng.choice([0, 0, 0, 1, 1, 2, 3]), skip=skip)

    def correction(self, party: Party | None = None) -> None:
        pool = [offer for offer in self.standard if offer.required_own]
        offer = self.rng.choices(pool, weights=[o.weight for o in pool])[0]
        story = self.story(offer, party, channel=CaseChannel.ONLINE)
        submitted = self.rng.randint(1, min(6, self.last))
        missing = self.rng.choice(offer.required_own)
        self.apply(story, submitted, skip=[missing])
        self.correct(story, submitted - self.rng.randint(0, 1), missing)

    def refused(self) -> None:
        offer = self.rng.choice(self.standard + self.immediate)
        story = self.story(offer)
        submitted = self.rng.randint(0, self.last)
        self.apply(story, submitted)
        reason, basis = self.rng.choice(REFUSALS)

        def run() -> None:
            services.case_refuse(
                case=story.case, actor=self.cast.clerk, reason=reason, legal_basis=basis
            )

        refused = submitted if story.channel == CaseChannel.WINDOW else max(0, submitted - 1)
        story.at(refused, run)

    def in_review(self, light: str, party: Party | None = None, pool=None) -> None:
        offer, accepted = self.choose(pool or self.standard, range(self.timeline.span), light=light)
        story = self.story(offer, party)
        self.intake(story, accepted, correction=self.rng.random() < 0.1)
        self.in_review_work(story, accepted, light)

    def red_task_in_green_case(self) -> None:
        """A green case whose first review step is long overdue (still claimed)."""
        offer, accepted = self.choose(
            self.standard,
            range(2, self.timeline.span),
            light=Light.GREEN,
            test=lambda o, a: bool(o.first_wave) and self.timeline.overdue(min(o.first_wave), a),
        )
        story = self.story(offer)
        self.intake(story, accepted)
        self.claim(story, self.between(accepted - 1, accepted))

    def resumed(self) -> None:
        """Green after a special procedure that paused the clock and has ended."""
        start = self.rng.randint(2, min(12, self.last - 1))
        end = self.rng.randint(0, start - 1)
        offer, accepted = self.choose(
            self.standard, range(start + 1, self.timeline.span), light=Light.GREEN,
            paused=start - end,
        )  # fmt: skip
        story = self.story(offer)
        self.intake(story, accepted)
        self.claim(story, self.between(start + 1, accepted))
        self.suspend(story, start)
        self.resume(story, end)

    def co_reviewed(self, red: bool = False) -> None:
        """A review waiting for another department's co-review (会签)."""
        offer, accepted = self.choose(
            [o for o in self.standard if o.first_wave],
            range(3 if red else 1, self.timeline.span),
            light=Light.GREEN,
        )
        story = self.story(offer)
        self.intake(story, accepted)
        asked = self.between(2, accepted - 1) if red else self.between(0, accepted - 1)
        self.co_review(story, asked, days=1 if red else 3)

    def returned(self) -> None:
        offer, accepted = self.choose(self.standard, range(3, self.timeline.span))
        story = self.story(offer)
        self.intake(story, accepted)
        reviewed = self.between(1, accepted - 1)
        self.review(story, reviewed, waves=3)
        self.send_back(story, self.between(0, reviewed - 1))

    def tolerated(self, state: str, party: Party | None = None, delivered: bool = False) -> None:
        """容缺: ``state`` is overdue (past due, not supplied), supplied or pending."""
        pool = [offer for offer in self.standard if offer.tolerable]
        due_days = self.rng.choice([2, 3] if state == "overdue" else [2, 3, 5])
        if state == "overdue":
            agos = range(due_days + 1, self.timeline.span)
        elif state == "pending":
            agos = range(0, due_days)
        else:
            agos = range(2, self.timeline.span)
        offer, accepted = self.choose(
            pool,
            agos,
            prefer=lambda o, a: delivered or self.timeline.light(o.limit, a) != Light.RED,
        )
        story = self.story(offer, party)
        names = offer.tolerable[: self.rng.randint(1, len(offer.tolerable))]
        due_days = min(due_days, offer.limit)  # never after the case's deadline
        self.intake(
            story,
            accepted,
            mode=AcceptanceMode.TOLERATED,
            tolerated=names,
            due=self.timeline.after(accepted, due_days),
        )
        if state == "supplied" or delivered:
            supplied = self.between(max(accepted - due_days, 1), accepted - 1)
            self.supplement(story, supplied, names)
            if delivered:
                # decided after the supplement, inside the limit where the dates allow
                decided = self.between(min(max(accepted - offer.limit, 0), supplied), supplied)
                self.decided(story, accepted, decided)
                return
        self.in_review_work(story, accepted, self.timeline.light(offer.limit, accepted))

    def commitment(self, delivered: bool) -> None:
        pool = [offer for offer in self.standard if offer.committable]
        offer, accepted = self.choose(
            pool,
            range(1 if delivered else 0, self.timeline.span),
            test=lambda o, a: delivered or self.timeline.light(o.limit, a) == Light.GREEN,
        )
        story = self.story(offer)
        names = offer.committable[: self.rng.randint(1, min(2, len(offer.committable)))]
        self.intake(story, accepted, mode=AcceptanceMode.COMMITMENT, committed=names)
        if delivered:
            # 告知承诺: decided at once or within a day or two.
            self.decided(story, accepted, self.between(max(accepted - 2, 0), accepted))
        else:
            self.in_review_work(story, accepted, Light.GREEN)

    def suspended(self) -> None:
        offer, accepted = self.choose(self.standard, range(2, self.timeline.span))
        story = self.story(offer)
        self.intake(story, accepted)
        started = self.between(0, accepted - 1)
        self.claim(story, self.between(started, accepted))
        self.suspend(story, started)

    def extended(self) -> None:
        # Extended cases are mostly back in time: an extension is granted to finish.
        light = self.rng.choice([Light.GREEN, Light.GREEN, Light.GREEN, Light.YELLOW])
        days = self.rng.randint(3, 10)
        pool = [o for o in self.standard if (Role.DECIDER, o.department_id) in self.cast.holders]
        offer, accepted = self.choose(
            pool, range(2, self.timeline.span), light=light, extension=days
        )
        story = self.story(offer)
        self.intake(story, accepted)
        self.claim(story, self.between(accepted - 1, accepted))
        # Extended before the promised deadline ran out, by the organ's decider.
        self.extend(story, self.between(max(accepted - offer.limit, 0), accepted - 1), days)

    def delivered(
        self, *, late: bool = False, party: Party | None = None, recent: bool = False
    ) -> None:
        """Delivered on time (or ``late``); ``recent``: within the last two days, so the
        applicant can still rate it (好差评) when the demo is opened."""
        if recent:
            offer, accepted = self.choose(
                self.standard, range(1, self.timeline.span),
                test=lambda o, a: a - o.limit <= 2,
            )  # fmt: skip
            decided = self.between(max(accepted - offer.limit, 0), min(accepted, 2))
        elif late:
            offer, accepted = self.choose(
                self.standard, range(2, self.timeline.span),
                test=lambda o, a: a - o.limit - 1 >= 0,
            )  # fmt: skip
            decided = self.between(0, accepted - offer.limit - 1)
        else:
            offer, accepted = self.choose(self.standard, range(1, self.timeline.span))
            decided = self.between(max(accepted - offer.limit, 0), accepted)
        story = self.story(offer, party)
        self.intake(story, accepted, correction=self.rng.random() < 0.15)
        decision = Decision.DENIED if self.rng.random() < 0.1 else Decision.APPROVED
        self.decided(story, accepted, decided, decision)

    def awaiting_delivery(self, decision: str) -> None:
        """Decided in the last day or two, inside the limit, the result not yet out."""
        offer, accepted = self.choose(
            self.standard, range(1, self.timeline.span),
            test=lambda o, a: a - o.limit <= 1,
        )  # fmt: skip
        decided = self.between(max(accepted - offer.limit, 0), min(1, accepted))
        story = self.story(offer)
        self.intake(story, accepted)
        self.decided(story, accepted, decided, decision, deliver=False)

    def handled_on_the_spot(
        self, party: Party | None = None, pool=None, *, walk_in: bool = True
    ) -> None:
        """即办件: a walk-in handled at the window, or an online application the clerk
        finishes on the spot the same or the next day."""
        offer = self.rng.choice(pool or self.immediate)
        channel = CaseChannel.WINDOW if walk_in else CaseChannel.ONLINE
        story = self.story(offer, party, channel)
        day = self.rng.randint(0, self.last)
        if walk_in:
            self.apply(story, day, optional=True)
            self.on_the_spot(story, day)
            return
        submitted = min(self.last, day + self.rng.choice([0, 1]))
        self.apply(story, submitted)
        self.on_the_spot(story, day)

    def withdrawn(self) -> None:
        offer = self.rng.choices(self.standard, weights=[o.weight for o in self.standard])[0]
        stage = self.rng.choice(["submitted", "correction", "in_review", "in_review"])
        story = self.story(offer, channel=CaseChannel.ONLINE)
        if stage == "in_review":
            accepted = self.rng.randint(2, self.last)
            self.intake(story, accepted)
            self.withdraw(story, self.between(0, accepted - 1))
            return
        submitted = self.rng.randint(2, self.last)
        if stage == "correction" and offer.required_own:
            missing = self.rng.choice(offer.required_own)
            self.apply(story, submitted, skip=[missing])
            self.correct(story, submitted - 1, missing)
        else:
            self.apply(story, submitted)
        self.withdraw(story, self.between(0, submitted - 1))

    def bundle(self, code: str, state: str, party: Party | None = None) -> None:
        """A bundle case: ``state`` is submitted, review, one_decided, awaiting or
        delivered (unified delivery done); ``tolerated`` is 容缺 in review."""
        offer = self.bundles[code]
        story = self.story(offer, party, channel=CaseChannel.ONLINE)
        if state == "submitted":
            self.apply(story, self.rng.randint(0, 2))
            return
        # The children keep their own items' limits: a running child stays inside its
        # limit, a decided one was decided inside it, a 即办件 child is decided at the
        # window on the day of acceptance (so the dashboard shows a zone that works).
        immediate = [i for i, version in enumerate(offer.members) if version.is_immediate]
        standard = [i for i in range(len(offer.members)) if i not in immediate]
        limit = min([offer.members[i].promised_limit_days for i in standard] or [offer.limit])
        if state in ("review", "tolerated", "one_decided"):
            earliest = 1 if state == "one_decided" else 0
            accepted = self.rng.randint(earliest, min(self.last, max(earliest, limit)))
        else:
            accepted = self.rng.randint(2, min(self.last, 2 + limit + 4))
        if state == "tolerated":
            names = offer.tolerable[:1]
            # never after the bundle's deadline nor any of its items'
            room = min(5, offer.limit, *(m.promised_limit_days for m in offer.members))
            self.intake(
                story, accepted, mode=AcceptanceMode.TOLERATED, tolerated=names,
                due=self.timeline.after(accepted, room),
            )  # fmt: skip
        else:
            self.intake(story, accepted)
        for index in immediate:
            self.decide(story, accepted, only=index)
        if state in ("review", "tolerated"):
            self.claim(story, self.between(0, accepted))
            return
        decided = self.between(
            max(accepted - limit, 1 if state == "delivered" else 0), accepted - 1
        )
        if state == "one_decided":
            if not immediate:
                self.decide(story, decided, only=0)
            self.claim(story, self.between(0, decided))
            return
        for index in standard:
            self.decide(story, decided, only=index)
        if state == "delivered":
            self.deliver(story, self.between(0, decided - 1) if decided >= 1 else 0)

    def bundle_decided_children(self, offer: Offer) -> list[int]:
        """Which children a half-decided bundle has decided: the 即办件 children (decided
        at the window), or else the first."""
        immediate = [index for index, version in enumerate(offer.members) if version.is_immediate]
        return immediate or [0]

    # -- the mix ------------------------------------------------------------------------

    def recipes(self) -> list[tuple[int, Callable[[], None]]]:
        """(count for 300 cases, recipe). Bundles and the demo applicants' own cases are
        listed in :meth:`fixed`. The figures are those of a zone that works: most running
        cases green, about one in ten yellow, a few red (about 5 %) so the board has
        something to show, and about 95 % of the decisions on time."""
        return [
            (28, self.submitted),
            (9, self.correction),
            (8, self.refused),
            (66, lambda: self.in_review(Light.GREEN)),
            (4, self.red_task_in_green_case),
            (4, self.resumed),
            (2, self.co_reviewed),
            (1, lambda: self.co_reviewed(red=True)),
            (2, self.returned),
            (9, lambda: self.in_review(Light.YELLOW)),
            (4, lambda: self.in_review(Light.RED)),
            (3, lambda: self.tolerated("overdue")),
            (5, lambda: self.tolerated("supplied")),
            (2, lambda: self.tolerated("pending")),
            (5, lambda: self.commitment(delivered=False)),
            (8, self.suspended),
            (5, self.extended),
            (11, self.handled_on_the_spot),
            (4, lambda: self.handled_on_the_spot(walk_in=False)),
            (37, self.delivered),
            (2, lambda: self.delivered(late=True)),
            (6, lambda: self.tolerated("supplied", delivered=True)),
            (9, lambda: self.commitment(delivered=True)),
            (10, lambda: self.awaiting_delivery(Decision.APPROVED)),
            (5, lambda: self.awaiting_delivery(Decision.DENIED)),
            (8, self.withdrawn),
        ]

    def fixed(self, small: bool) -> list[Callable[[], None]]:
        """The demo applicants' own cases, and the bundles (a core set when ``small``)."""
        enterprise, person, foreigner = (
            self.demo[k] for k in ("enterprise", "person", "foreigner")
        )
        own = [
            lambda: self.correction(enterprise),
            lambda: self.tolerated("pending", enterprise),
            lambda: self.delivered(party=enterprise),
            # delivered in the last days and left unrated: the visitor rates it (好差评)
            lambda: self.delivered(party=enterprise, recent=True),
            lambda: self.in_review(Light.GREEN, enterprise),
            lambda: self.handled_on_the_spot(
                person, [self.by_name["个体工商户设立登记"]], walk_in=False
            ),
            lambda: self.in_review(Light.GREEN, person, [self.by_name["普通护照签发"]]),
            lambda: self.bundle("foreigner-work", "review", foreigner),
        ]
        core = [
            lambda: self.bundle("foreigner-work", "one_decided"),
            lambda: self.bundle("foreigner-work", "delivered"),
            lambda: self.bundle("business-start", "delivered"),
            lambda: self.bundle("business-start", "one_decided"),
        ]
        more = [
            lambda: self.bundle("foreigner-work", "delivered"),
            lambda: self.bundle("foreigner-work", "awaiting"),
            lambda: self.bundle("business-start", "delivered"),
            lambda: self.bundle("business-start", "delivered"),
            lambda: self.bundle("business-start", "awaiting"),
            lambda: self.bundle("restaurant-open", "tolerated"),
            lambda: self.bundle("restaurant-open", "delivered"),
            lambda: self.bundle("pipeline-connection", "one_decided"),
            lambda: self.bundle("pipeline-connection", "submitted"),
            lambda: self.bundle("business-deregistration", "delivered"),
            lambda: self.bundle("business-deregistration", "review"),
        ]
        return own + (core if small else core + more)

    def plan(self, count: int) -> None:
        scale = count / DEFAULT_COUNT
        small = count < DEFAULT_COUNT / 2
        for recipe in self.fixed(small):
            recipe()
        for base, recipe in self.recipes():
            for _index in range(max(1, round(base * scale))):
                recipe()

    # -- running ------------------------------------------------------------------------

    def run(self) -> None:
        """Every step of every story, in time order, each at its moment; the reminder
        job at 08:30 of each working day."""
        events: list[tuple[dt.datetime, int, int, Callable[[], object]]] = []
        for story in self.stories:
            for index, (ago, minute, action) in enumerate(story.schedule(self.rng)):
                events.append((self.timeline.moment(ago, minute), story.number, index, action))
        for ago in range(self.last, -1, -1):
            events.append((self.timeline.moment(ago, REMINDER_MINUTE), -1, 0, _remind))
        events.sort(key=lambda event: event[:3])
        with time_machine.travel(events[0][0], tick=False) as traveller:
            for moment, _story, _index, action in events:
                traveller.move_to(moment)
                action()


def _remind() -> None:
    remind_warned_tasks()
    remind_overdue_supplements()


@contextmanager
def _quiet_gateway() -> Iterator[None]:
    """The demo's past reminders were "sent" in the past: keep the console gateway from
    printing them all when the load commits."""
    logger = logging.getLogger("onewindow.notify")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def load_cases(zone: Zone, *, count: int = DEFAULT_COUNT) -> CasesSummary:
    """Build about ``count`` demo cases in ``zone`` (once: nothing when it has cases)."""
    if not Case.objects.filter(zone=zone).exists() and count > 0:
        now = timezone.now()
        planner = Planner(zone, now=now, rng=random.Random(SEED))
        with _quiet_gateway(), transaction.atomic():
            start = planner.timeline.moment(planner.last, REMINDER_MINUTE - 30)
            with time_machine.travel(start, tick=False):
                certificate_data.ensure_signing_key(zone)
                planner.cast = _staff(zone)
                planner.parties = _enterprises(zone)
                planner.demo = {
                    name: _demo_party(name) for name in ("enterprise", "person", "foreigner")
                }
                certificate_data.issue_wallets(
                    zone,
                    enterprises=[party.applicant for party in planner.parties],
                    demo={name: party.applicant for name, party in planner.demo.items()},
                    today=planner.timeline.today,
                    administrator=User.objects.get(username="admin"),
                    rng=random.Random(f"{SEED}:wallets"),
                )
            planner.plan(count)
            planner.run()
    return summary(zone)
