"""Reads behind the web pages: the portal's directory, the month calendar, each role's
workspace on ``/home/``. Every function runs a fixed number of queries, whatever the
size of the zone (the tests assert the counts)."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from onewindow.core import registry
from onewindow.core.audit import AuditAction
from onewindow.core.calendar import (
    KIND_LABELS,
    CalendarOutOfRange,
    DayInfo,
    DayKind,
    WorkingCalendar,
)
from onewindow.core.models import AuditEvent
from onewindow.org.constants import (
    DEPARTMENT_ROLES,
    DepartmentKind,
    Role,
    UserKind,
    WindowKind,
)
from onewindow.org.models import (
    Applicant,
    Department,
    Park,
    Representation,
    RoleAssignment,
    User,
    Window,
    Zone,
    ZoneCalendarOverride,
)
from onewindow.org.permissions import can_search_by_identifier, visible_applicants
from onewindow.org.services import fold_query, identifier_lookup_record, identifier_query

# -- the portal ---------------------------------------------------------------------


@dataclass
class DepartmentNode:
    department: Department
    children: list[DepartmentNode] = field(default_factory=list)


def department_tree(zone: Zone) -> list[DepartmentNode]:
    """The zone's active departments as a tree (parent → children), from one query.

    A department whose parent is inactive is shown at the top level rather than hidden.
    """
    departments = list(Department.objects.filter(zone=zone, is_active=True))
    nodes = {department.pk: DepartmentNode(department) for department in departments}
    roots: list[DepartmentNode] = []
    for department in departments:  # already in display order (sort_order, code)
        parent = nodes.get(department.parent_id)
        (parent.children if parent else roots).append(nodes[department.pk])
    return roots


@dataclass(frozen=True)
class PortalDirectory:
    parks: list[Park]
    departments: list[DepartmentNode]
    windows: list[Window]


def portal_directory(zone: Zone) -> PortalDirectory:
    """Parks, the department tree and the open windows of ``zone`` (three queries)."""
    return PortalDirectory(
        parks=list(Park.objects.filter(zone=zone)),
        departments=department_tree(zone),
        windows=list(
            Window.objects.filter(zone=zone, is_active=True).select_related("department", "park")
        ),
    )


# -- the month calendar ---------------------------------------------------------------

#: Short visible labels, so a day's status never depends on colour alone.
DAY_BADGES = {
    DayKind.WORKDAY: "",
    DayKind.WEEKEND: _("休"),
    DayKind.HOLIDAY: _("假"),
    DayKind.MAKEUP_WORKDAY: _("班"),
    DayKind.ZONE_CLOSED: _("停"),
    DayKind.ZONE_OPEN: _("开"),
}

#: (CSS modifier, label, badge) of each kind of day, for the calendar's legend.
LEGEND = [(str(kind).replace("_", "-"), KIND_LABELS[kind], DAY_BADGES[kind]) for kind in DayKind]


@dataclass(frozen=True)
class MonthCell:
    date: dt.date
    info: DayInfo | None  # None: a day of the neighbouring month (an empty cell)
    is_today: bool

    @property
    def css_kind(self) -> str:
        return str(self.info.kind).replace("_", "-") if self.info else ""

    @property
    def badge(self) -> str:
        return str(DAY_BADGES[self.info.kind]) if self.info else ""


@dataclass(frozen=True)
class MonthView:
    year: int
    month: int
    weeks: list[list[MonthCell]]
    provisional: bool
    previous: dt.date | None  # first day of the previous month, when the calendar reaches it
    next: dt.date | None

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def special_periods(self) -> list[SpecialPeriod]:
        """Holidays, make-up working days and zone changes of the month, consecutive days
        of the same kind and name joined (春节 15–23 February is one line, not nine)."""
        periods: list[SpecialPeriod] = []
        for week in self.weeks:
            for cell in week:
                info = cell.info
                if info is None or info.kind in (DayKind.WORKDAY, DayKind.WEEKEND):
                    continue
                last = periods[-1] if periods else None
                if (
                    last is not None
                    and last.info.kind == info.kind
                    and last.info.name == info.name
                    and last.last + dt.timedelta(days=1) == info.date
                ):
                    periods[-1] = SpecialPeriod(last.first, info.date, last.info)
                else:
                    periods.append(SpecialPeriod(info.date, info.date, info))
        return periods


@dataclass(frozen=True)
class SpecialPeriod:
    first: dt.date
    last: dt.date
    info: DayInfo

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_view(calendar: WorkingCalendar, year: int, month: int, today: dt.date) -> MonthView:
    """Every day of the month with its status (raises ``CalendarOutOfRange`` off the calendar).

    Months of years without a State Council notice come out ``provisional``: only
    weekends and the fixed-date holidays are known.
    """
    first = dt.date(year, month, 1)
    last = dt.date(year, month, month_calendar.monthrange(year, month)[1])
    calendar.day(first, allow_provisional=True)  # range check for the whole month
    calendar.day(last, allow_provisional=True)
    weeks: list[list[MonthCell]] = []
    provisional = False
    for week in month_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        row = []
        for day in week:
            info = calendar.day(day, allow_provisional=True) if day.month == month else None
            provisional = provisional or bool(info and info.provisional)
            row.append(MonthCell(day, info, day == today))
        weeks.append(row)
    previous = _add_months(first, -1)
    following = _add_months(first, 1)
    return MonthView(
        year=year,
        month=month,
        weeks=weeks,
        provisional=provisional,
        previous=previous if _reachable(calendar, previous) else None,
        next=following if _reachable(calendar, following) else None,
    )


def _reachable(calendar: WorkingCalendar, day: dt.date) -> bool:
    try:
        calendar.day(day, allow_provisional=True)
    except CalendarOutOfRange:
        return False
    return True


# -- /home/: every staff member ----------------------------------------------------------


def login_history(user: User, limit: int = 10) -> list[AuditEvent]:
    """The user's latest logins and failed attempts on the account name, newest first."""
    return list(
        AuditEvent.objects.filter(
            Q(action=AuditAction.LOGIN_SUCCEEDED, actor_id=str(user.pk))
            | Q(action=AuditAction.LOGIN_FAILED, actor=user.get_username())
        )
        .only("id", "occurred_at", "action", "ip_address")
        .order_by("-id")[:limit]
    )


def staff_profile(user: User) -> User:
    """The user with their department and window (and the window's department and park)
    loaded in one query."""
    return User.objects.select_related(
        "department", "window", "window__department", "window__park"
    ).get(pk=user.pk)


def role_assignments(user: User) -> list[RoleAssignment]:
    assignments = list(user.role_assignments.select_related("department"))
    # The same rows answer ``user.role_set()`` for the rest of the request.
    user._role_cache = frozenset(assignment.role for assignment in assignments)
    user._role_pairs = frozenset(
        (assignment.role, assignment.department_id) for assignment in assignments
    )
    return assignments


# -- /home/: the administrator ----------------------------------------------------------


@dataclass(frozen=True)
class OrganisationCounts:
    departments: int
    windows: int
    staff: int


def organisation_counts(zone: Zone) -> OrganisationCounts:
    """Active departments, windows and staff accounts of the zone."""
    return OrganisationCounts(
        departments=Department.objects.filter(zone=zone, is_active=True).count(),
        windows=Window.objects.filter(zone=zone, is_active=True).count(),
        staff=User.objects.filter(zone=zone, kind=UserKind.STAFF, is_active=True).count(),
    )


def calendar_overrides(zone: Zone, limit: int = 30) -> tuple[list[ZoneCalendarOverride], bool]:
    """The zone's latest overrides (newest date first) and whether there are more."""
    rows = list(
        ZoneCalendarOverride.objects.filter(zone=zone)
        .select_related("created_by")
        .order_by("-date")[: limit + 1]
    )
    return rows[:limit], len(rows) > limit


# -- /home/: the supervisor -----------------------------------------------------------------

AUDIT_ACTION_LABELS = {
    AuditAction.LOGIN_SUCCEEDED: _("登录成功"),
    AuditAction.LOGIN_FAILED: _("登录失败"),
    AuditAction.LOGGED_OUT: _("退出登录"),
    AuditAction.CALENDAR_NOTICE_LOADED: _("载入节假日安排通知"),
    AuditAction.CALENDAR_OVERRIDE_SET: _("设置本区工作日调整"),
    AuditAction.CALENDAR_OVERRIDE_REMOVED: _("删除本区工作日调整"),
    # Events written before ADR 0015 named every full view "org.applicant_viewed".
    "org.applicant_viewed": _("查看申请人完整证件号码"),
    AuditAction.IDENTIFIER_VIEWED: _("查看申请人完整证件号码"),
    AuditAction.IDENTIFIER_LOOKED_UP: _("按完整证件号码查询申请人"),
    AuditAction.APPLICANT_ADDED: _("登记申请人"),
    AuditAction.APPLICANT_CHANGED: _("修改申请人信息"),
    AuditAction.APPLICANT_REMOVED: _("删除申请人"),
    AuditAction.REPRESENTATION_ADDED: _("添加代表关系"),
    AuditAction.REPRESENTATION_CHANGED: _("修改代表关系"),
    AuditAction.REPRESENTATION_REMOVED: _("删除代表关系"),
    AuditAction.APPLICANT_ZONE_LINKED: _("窗口核对证件，将其他开发区的申请人纳入本区"),
    AuditAction.LOCKED_OUT: _("登录锁定"),
    AuditAction.UNLOCKED: _("解除登录锁定"),
    AuditAction.SECOND_FACTOR_ENROLLED: _("启用双因素验证"),
    AuditAction.SECOND_FACTOR_VERIFIED: _("通过双因素验证"),
    AuditAction.SECOND_FACTOR_FAILED: _("双因素验证码错误"),
    AuditAction.SECOND_FACTOR_DISABLED: _("停用双因素验证"),
    AuditAction.TASK_RECLAIMED: _("收回中断的后台任务"),
    AuditAction.TASK_FAILED: _("后台任务失败"),
    AuditAction.TASK_RETRIED: _("重新执行后台任务"),
    AuditAction.STAFF_CREATED: _("新建工作人员账号"),
    AuditAction.ROLE_GRANTED: _("授予角色"),
    AuditAction.ROLE_REVOKED: _("撤销角色"),
    AuditAction.PASSWORD_CHANGED: _("修改密码"),
    AuditAction.AUDIT_TRAIL_VIEWED: _("查阅审计日志"),
    AuditAction.AUDIT_CHAIN_VERIFIED: _("校验审计链"),
}


def audit_action_label(action: str) -> str:
    """Any app's audit action code in words (``core.registry.audit_labels``; org registers
    ``AUDIT_ACTION_LABELS`` in ``org/navigation.py``)."""
    return registry.audit_label(action)


def recent_audit_events(limit: int = 20) -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("-id")[:limit])


# -- /home/: the analyst ---------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    label: str
    count: int


@dataclass(frozen=True)
class OrganisationFigures:
    departments_by_kind: list[Figure]
    windows_by_kind: list[Figure]
    staff_by_role: list[Figure]


def _figures(choices, counts: dict[str, int]) -> list[Figure]:
    return [Figure(str(label), counts.get(value, 0)) for value, label in choices]


def organisation_figures(zone: Zone) -> OrganisationFigures:
    """Departments by kind, windows by kind and staff by role: three aggregate queries."""
    departments = dict(
        Department.objects.filter(zone=zone, is_active=True)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    windows = dict(
        Window.objects.filter(zone=zone, is_active=True)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    staff = dict(
        RoleAssignment.objects.filter(
            user__zone=zone, user__kind=UserKind.STAFF, user__is_active=True
        )
        .values_list("role")
        .annotate(n=Count("user", distinct=True))
        .order_by()
    )
    return OrganisationFigures(
        departments_by_kind=_figures(DepartmentKind.choices, departments),
        windows_by_kind=_figures(WindowKind.choices, windows),
        staff_by_role=_figures(Role.choices, staff),
    )


# -- /home/: reviewers, deciders, regulators --------------------------------------------------


@dataclass(frozen=True)
class DepartmentOverview:
    department: Department
    windows: list[Window]
    colleagues: list[User]
    roles: list[str]  # the user's department-bound roles here, as labels


def department_overviews(user: User, assignments: list[RoleAssignment]) -> list[DepartmentOverview]:
    """Each department the user works in through a department-bound role: its windows and
    colleagues (three queries for all departments together)."""
    departments: dict[int, Department] = {}
    roles: dict[int, list[str]] = {}
    for assignment in assignments:
        if assignment.role in DEPARTMENT_ROLES and assignment.department is not None:
            departments.setdefault(assignment.department_id, assignment.department)
            roles.setdefault(assignment.department_id, []).append(
                str(assignment.get_role_display())
            )
    if not departments:
        return []
    windows: dict[int, list[Window]] = {pk: [] for pk in departments}
    for window in Window.objects.filter(department__in=list(departments), is_active=True):
        windows[window.department_id].append(window)
    colleagues: dict[int, list[User]] = {pk: [] for pk in departments}
    for colleague in (
        User.objects.filter(department__in=list(departments), kind=UserKind.STAFF, is_active=True)
        .exclude(pk=user.pk)
        .prefetch_related("role_assignments")
        .order_by("username")
    ):
        colleagues[colleague.department_id].append(colleague)
    return [
        DepartmentOverview(department, windows[pk], colleagues[pk], roles[pk])
        for pk, department in departments.items()
    ]


# -- applicants --------------------------------------------------------------------------------

APPLICANT_SEARCH_LIMIT = 50


def applicant_search(
    user: User, query: str, *, ip_address: str | None = None
) -> tuple[list[Applicant], bool]:
    """The applicants of ``user``'s zone whose name contains ``query`` or, for the roles
    that may see full numbers (``can_search_by_identifier``), whose identifier equals it
    exactly; other staff find a USCC (public) but never a person by their number.

    A partial identifier finds nothing, so a search cannot be used to guess a number. A
    search by a person's number is recorded (``identifier_lookup_record``). Full-width
    input is folded first. Returns at most ``APPLICANT_SEARCH_LIMIT`` rows and whether
    there were more.
    """
    query = fold_query(query)
    number = identifier_query(query)
    by_number = Q(uscc=number)
    searches_numbers = can_search_by_identifier(user)
    if searches_numbers:
        by_number |= Q(id_number=number) | Q(passport_number=number)
    rows = list(
        visible_applicants(user)
        .filter(Q(name__icontains=query) | by_number)
        .select_related("park")
        .order_by("kind", "name", "pk")[: APPLICANT_SEARCH_LIMIT + 1]
    )
    if searches_numbers:
        found = [row for row in rows if number and number in (row.id_number, row.passport_number)]
        identifier_lookup_record(actor=user, query=number, found=found, ip_address=ip_address)
    return rows[:APPLICANT_SEARCH_LIMIT], len(rows) > APPLICANT_SEARCH_LIMIT


def user_applicants(user: User) -> list[Representation]:
    """The identities ``user`` represents, with their applicants (one query)."""
    return list(
        user.representations.select_related("applicant", "applicant__park").order_by(
            "applicant__name"
        )
    )
