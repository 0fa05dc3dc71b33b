"""Appeals test data: a zone with a category tree and a dispatch catalogue, a person of
every appeal role, an enterprise with its user, and orders put straight into any state
(``make_appeal``) so that a test of one action starts where that action starts.

``make_appeal`` writes rows directly (no service runs): use it to set the scene, and call
the service under test for the move you check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from onewindow.appeals.clock import Limit, due, working_hours_due
from onewindow.appeals.constants import (
    DEFAULT_LIMITS,
    AppealStatus,
    AssignmentRole,
    Channel,
    Nature,
    Urgency,
)
from onewindow.appeals.models import (
    Appeal,
    AppealAssignment,
    AppealCategory,
    AppealSettings,
    DispatchRule,
)
from onewindow.appeals.services.common import new_query_code, next_appeal_number
from onewindow.appeals.services.queue_counts import apply_delta, memberships
from onewindow.catalog.tests.factories import uscc_for
from onewindow.org.constants import ApplicantKind, Capacity, Role
from onewindow.org.models import Applicant, Department, User, Zone
from onewindow.org.selectors import calendar_for_zone
from onewindow.org.services import applicant_register
from onewindow.testing import worlds

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A Shanghai instant on ``day`` (10:00 unless told)."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class AppealWorld:
    zone: Zone
    lead: Department  # 市场监督管理局: the catalogue's lead for 企业开办
    other: Department  # 住房和城乡建设局: a co-department, and where misrouted orders go
    settings: AppealSettings
    root: AppealCategory  # 01 营商环境
    category: AppealCategory  # 0101 企业开办 (lead: lead, co: other)
    other_category: AppealCategory  # 0102 工程建设 (lead: other)
    rule: DispatchRule
    operator: User  # 话务员
    dispatcher: User  # 派单员 (the centre)
    handler: User  # 诉求承办人员 of ``lead``
    other_handler: User  # 诉求承办人员 of ``other``
    supervisor: User  # 电子监察人员
    clerk: User  # 综合窗口人员 (no appeal role)
    enterprise: Applicant
    requester: User  # the enterprise's user (its legal representative)
    stranger: User  # an applicant's user who represents nobody here


def appeal_world(places: worlds.Places | None = None) -> AppealWorld:
    places = places or worlds.zone_world()
    zone, lead, other = places.zone, places.department, places.other_department
    settings = AppealSettings.objects.create(zone=zone, legal_basis="示范区12345热线工作规则")
    root = AppealCategory.objects.create(zone=zone, code="01", name="营商环境")
    category = AppealCategory.objects.create(zone=zone, parent=root, code="0101", name="企业开办")
    other_category = AppealCategory.objects.create(
        zone=zone, parent=root, code="0102", name="工程建设"
    )
    rule = DispatchRule.objects.create(zone=zone, category=category, lead_department=lead)
    rule.co_departments.set([other])
    DispatchRule.objects.create(zone=zone, category=other_category, lead_department=other)
    requester = worlds.applicant_user(zone, "a_requester", display_name="李四")
    enterprise = applicant_register(
        kind=ApplicantKind.ENTERPRISE,
        name="示范科技有限公司",
        uscc=uscc_for(8101, registration="91"),
        legal_representative="李四",
        phone="13900000000",
        user=requester,
        capacity=Capacity.LEGAL_REPRESENTATIVE,
    )
    return AppealWorld(
        zone=zone,
        lead=lead,
        other=other,
        settings=settings,
        root=root,
        category=category,
        other_category=other_category,
        rule=rule,
        operator=worlds.staff(zone, Role.HOTLINE_OPERATOR, username="a_operator"),
        dispatcher=worlds.staff(zone, Role.DISPATCHER, username="a_dispatcher"),
        handler=worlds.staff(zone, Role.APPEAL_HANDLER, username="a_handler", department=lead),
        other_handler=worlds.staff(
            zone, Role.APPEAL_HANDLER, username="a_other_handler", department=other
        ),
        supervisor=worlds.staff(zone, Role.SUPERVISOR, username="a_supervisor"),
        clerk=worlds.staff(zone, Role.WINDOW_CLERK, username="a_clerk", window=places.window),
        enterprise=enterprise,
        requester=requester,
        stranger=worlds.applicant_user(zone, "a_stranger"),
    )


#: How far along each status is: the fields ``make_appeal`` fills to be consistent.
_DISPATCHED_OR_LATER = {
    AppealStatus.DISPATCHED,
    AppealStatus.HANDLING,
    AppealStatus.RETURN_REQUESTED,
    AppealStatus.REPLIED,
    AppealStatus.ANSWERED,
    AppealStatus.CLOSED,
}
_SIGNED_OR_LATER = {
    AppealStatus.HANDLING,
    AppealStatus.REPLIED,
    AppealStatus.ANSWERED,
    AppealStatus.CLOSED,
}
_REPLIED_OR_LATER = {AppealStatus.REPLIED, AppealStatus.ANSWERED, AppealStatus.CLOSED}


def make_appeal(
    world: AppealWorld,
    status: str = AppealStatus.RECEIVED,
    *,
    received: dt.datetime | None = None,
    nature: str = Nature.COMPLAINT,
    urgency: str = Urgency.NORMAL,
    category: AppealCategory | None = None,
    department: Department | None = None,
    requester: Applicant | None = None,
    requester_user: User | None = None,
    subject: str = "营业执照办理进度咨询",
    description: str = "我公司上周提交的设立登记至今没有消息，请帮忙催办。",
    **fields,
) -> Appeal:
    """An order of ``world`` already in ``status`` (received at ``received``, now unless
    told; dispatched, signed and replied one hour apart after it), by the world's
    enterprise unless told. ``fields`` set any other column (``designated=True``, ...)."""
    received = received or timezone.now()
    calendar = calendar_for_zone(world.zone)
    unit, amount = DEFAULT_LIMITS[urgency]
    limit = Limit(str(unit), amount)
    timing = due(
        calendar,
        start=received,
        limit=limit,
        workday_ends=world.settings.workday_ends,
        warn_percent=world.settings.warn_percent,
    )
    appeal = Appeal(
        zone=world.zone,
        number=next_appeal_number(world.zone, year=received.astimezone(SHANGHAI).year),
        query_code=new_query_code(),
        channel=Channel.ONLINE,
        nature=nature,
        urgency=urgency,
        category=category or world.category,
        subject=subject,
        description=description,
        requester=requester if requester is not None else world.enterprise,
        requester_user=requester_user if requester_user is not None else world.requester,
        status=status,
        limit_unit=limit.unit,
        limit_amount=limit.amount,
        clock_started_at=received,
        due_at=timing.due_at,
        warn_at=timing.warn_at,
        due_provisional=timing.provisional,
    )
    department = department or world.lead
    if status in _DISPATCHED_OR_LATER:
        appeal.lead_department = department
        appeal.dispatched_at = received + dt.timedelta(hours=1)
        appeal.return_until = appeal.dispatched_at + dt.timedelta(
            hours=world.settings.return_window_hours
        )
        appeal.sign_due_at = working_hours_due(
            calendar,
            start=appeal.dispatched_at,
            hours=world.settings.sign_within_working_hours,
            workday_starts=world.settings.workday_starts,
            workday_ends=world.settings.workday_ends,
        )
    if status in _SIGNED_OR_LATER:
        appeal.signed_at = received + dt.timedelta(hours=2)
    if status in _REPLIED_OR_LATER:
        appeal.replied_at = received + dt.timedelta(hours=3)
        appeal.reply = "已联系登记窗口，执照已于今日核发。"
        appeal.reopen_until = appeal.replied_at + dt.timedelta(
            days=world.settings.reopen_window_days
        )
    if status in (AppealStatus.ANSWERED, AppealStatus.CLOSED):
        appeal.answered_at = received + dt.timedelta(hours=4)
    if status == AppealStatus.CLOSED:
        appeal.closed_at = received + dt.timedelta(hours=5)
    for name, value in fields.items():
        setattr(appeal, name, value)
    appeal.save()
    Appeal.objects.filter(pk=appeal.pk).update(created_at=received)
    appeal.created_at = received
    if status in _DISPATCHED_OR_LATER:
        AppealAssignment.objects.create(
            appeal=appeal,
            department=department,
            role=AssignmentRole.LEAD,
            signed_at=appeal.signed_at,
        )
    # Made without the services: count it into the queue roll-up as they would.
    apply_delta({}, memberships([appeal.pk]))
    return appeal


# -- intake


def cases_beside(world: AppealWorld, places: worlds.Places):
    """The cases ``World`` in the same places as ``world`` (for appeals about cases and
    ratings). Both worlds register an enterprise with the same USCC, so the appeal world's
    takes another one first."""
    Applicant.objects.filter(pk=world.enterprise.pk).update(uscc=uscc_for(8199, registration="91"))
    world.enterprise.refresh_from_db()
    return worlds.case_world(places)
