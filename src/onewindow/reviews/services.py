"""Every write of reviews: rating a case, rectifying a bad rating, the return visit.

Rules (GLOSSARY.md "Ratings"; docs/reviews.md):

- A case is rated once per channel (一次一评: the unique constraint on (case, channel)
  decides races), after delivery and within the zone's rating window
  (``ReviewSettings.rating_window_days`` working days after the delivery day, in the zone
  calendar). A bundle (一件事) is rated as one, on its parent case.
- Online and mobile ratings come from the applicant's signed-in representatives (real
  name); window (QR code) and SMS ratings come through a signed link and are anonymous
  unless a representative is signed in. Anyone else is told the case does not exist.
- 不满意 and 非常不满意 open a rectification for the responsible department (the case's
  lead department), due ``rectification_days`` working days later; its reviewers and
  deciders are told. The department records what it verified and did, then a return
  visit (回访) within ``return_visit_days`` working days. Real-name bad ratings must all
  be revisited (an unreachable applicant is recorded with a note); an anonymous one may
  be closed without a visit for a recorded reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onewindow.cases.constants import CaseStatus
from onewindow.cases.models import Case, Notification
from onewindow.cases.notify import get_notifier
from onewindow.core.audit import audit_append
from onewindow.core.calendar import WorkingCalendar
from onewindow.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from onewindow.org.constants import UserKind
from onewindow.org.models import User
from onewindow.org.selectors import calendar_for_zone
from onewindow.reviews import links
from onewindow.reviews.constants import (
    ACCOUNT_CHANNELS,
    BAD_RATING_NOTIFICATION,
    MAX_COMMENT_LENGTH,
    MAX_TEXT_LENGTH,
    RATING_OBJECT_TYPE,
    RECTIFICATION_OBJECT_TYPE,
    SETTINGS_OBJECT_TYPE,
    ReviewEventAction,
)
from onewindow.reviews.models import (
    BAD_LEVELS,
    SATISFIED_LEVELS,
    Channel,
    Level,
    Rating,
    Rectification,
    RectificationStatus,
    ReturnVisitOutcome,
    ReviewSettings,
)
from onewindow.reviews.permissions import (
    HANDLER_ROLES,
    can_handle_rectification,
    can_rate_with_account,
)
from onewindow.reviews.selectors import RatingWindow, rating_window, review_settings_for

#: Return-visit outcomes that need a note saying what happened.
NOTE_REQUIRED_OUTCOMES = frozenset(
    {ReturnVisitOutcome.UNREACHABLE, ReturnVisitOutcome.DISSATISFIED}
)


# -- helpers --------------------------------------------------------------------------------


def _actor_name(actor: User | None) -> str:
    if actor is None or not actor.is_authenticated:
        return "anonymous"
    return actor.get_username()


def _actor_id(actor: User | None) -> str | int:
    return actor.pk if actor is not None and actor.is_authenticated else ""


def format_date(value: dt.date) -> str:
    return _("{year}年{month:02d}月{day:02d}日").format(
        year=value.year, month=value.month, day=value.day
    )


def _text(field: str, value: str | None, label: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed.for_field(
            field, _("{label}：请填写").format(label=label), code="required"
        )
    if len(value) > MAX_TEXT_LENGTH:
        raise ValidationFailed.for_field(
            field,
            _("{label}：不能超过 {max} 个字").format(label=label, max=MAX_TEXT_LENGTH),
            code="too_long",
        )
    return value


def case_not_found() -> NotFound:
    """The same answer for a case that does not exist and one the user may not rate."""
    return NotFound(_("办件不存在"), code="case_not_found")


# -- the satisfaction rate ---------------------------------------------------------------------


def satisfaction_rate(counts: Mapping[int, int]) -> float | None:
    """满意率 = (非常满意 + 满意 + 基本满意) / 全部评价数.

    Source: 《国务院办公厅关于建立政务服务“好差评”制度提高政务服务水平的意见》
    （国办发〔2019〕51号）, whose five levels are 非常满意, 满意, 基本满意, 不满意 and
    非常不满意; GLOSSARY.md "Ratings" takes the rate as the share of the first three
    among all ratings *(configurable)*.

    ``counts`` maps a level (5 … 1, :class:`~onewindow.reviews.models.Level`) to the
    number of ratings at that level; missing levels count 0. Returns the share as a
    number between 0 and 1, or ``None`` when there are no ratings (no rate, rather than
    0 % or 100 %).
    """
    total = 0
    satisfied = 0
    for level, count in counts.items():
        if int(level) not in Level.values:
            raise ValueError(f"not a rating level: {level!r}")
        if count < 0:
            raise ValueError(f"a negative count for level {level}: {count}")
        total += count
        if level in SATISFIED_LEVELS:
            satisfied += count
    if total == 0:
        return None
    return satisfied / total


# -- rating --------------------------------------------------------------------------------


def _check_channel(channel: str) -> None:
    if channel not in Channel.values:
        raise ValidationFailed.for_field(
            "channel", _("评价渠道：请从窗口、网上、移动端、短信中选择"), code="invalid_channel"
        )
    if channel == Channel.HOTLINE:
        raise ValidationFailed.for_field(
            "channel",
            _("评价渠道：12345 热线评价由热线系统录入，不能在此提交"),
            code="channel_not_offered",
        )


def _check_input(channel: str, level, comment: str | None) -> tuple[int, str]:
    _check_channel(channel)
    if isinstance(level, bool) or not isinstance(level, int) or level not in Level.values:
        raise ValidationFailed.for_field(
            "level",
            _("评价等级：请从非常满意、满意、基本满意、不满意、非常不满意中选择一项"),
            code="invalid_level",
        )
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise ValidationFailed.for_field(
            "comment",
            _("评价内容：不能超过 {max} 个字（现为 {count} 个字）").format(
                max=MAX_COMMENT_LENGTH, count=len(comment)
            ),
            code="too_long",
        )
    return level, comment


def rating_input_check(*, channel: str, level, comment: str | None) -> None:
    """Refuse a bad channel, level or comment (422 naming the field) before any case is
    looked up, so that the answer does not depend on whether the case exists."""
    _check_input(channel, level, comment)


def rating_link_claim(token: str | None) -> links.LinkClaim:
    """What the token of a window or SMS rating says; refused without a token (422) and for
    a token this installation did not sign (404), whatever case the rating names."""
    if not token:
        raise ValidationFailed.for_field(
            "token",
            _("评价链接：窗口和短信评价须通过窗口二维码或短信中的评价链接进行"),
            code="token_required",
        )
    return links.read_rating_token(token)


def _check_access(case: Case, channel: str, actor: User | None, token: str | None) -> bool:
    """Who may rate ``case`` on ``channel``; returns whether the rating is real-name."""
    if channel in ACCOUNT_CHANNELS:
        if actor is None or not can_rate_with_account(actor, case):
            raise case_not_found()
        return True
    claim = rating_link_claim(token)
    if claim.case_id != case.pk or claim.channel != channel:
        raise links.invalid_link()
    return actor is not None and can_rate_with_account(actor, case)


def rating_refusal(
    case: Case, channel: str, *, on: dt.date, window: RatingWindow | None = None
) -> Conflict | None:
    """Why ``case`` cannot be rated on ``channel`` today (None when it can): a bundle's
    item, not delivered, the window closed, already rated on this channel."""
    if case.parent_id is not None:
        return Conflict(
            _("“一件事”整体评价：请对一件事办件 {number} 评价").format(number=case.parent.number),
            code="child_case",
        )
    if case.status != CaseStatus.DELIVERED:
        return Conflict(
            _("办件尚未办结送达（当前状态：{status}），办结后才能评价").format(
                status=CaseStatus(case.status).label
            ),
            code="not_delivered",
        )
    window = window or rating_window(case)
    if window is not None and on > window.closes_on:
        return Conflict(
            _("评价期限已过：本办件须在送达后 {days} 个工作日内（{date}前）评价").format(
                days=window.days, date=format_date(window.closes_on)
            ),
            code="rating_closed",
        )
    existing = Rating.objects.filter(case=case, channel=channel).first()
    if existing is not None:
        return Conflict(already_rated_message(existing), code="already_rated")
    return None


def already_rated_message(rating: Rating) -> str:
    return _("本办件已通过“{channel}”评价过（{level}，{date}），同一渠道只能评价一次").format(
        channel=rating.get_channel_display(),
        level=rating.get_level_display(),
        date=format_date(rating.rated_on),
    )


@dataclass(frozen=True)
class RatingCheck:
    """A rating may be given: its window, and whether it will be real-name."""

    window: RatingWindow
    real_name: bool


def rating_check(
    *, case: Case, channel: str, actor: User | None = None, token: str | None = None
) -> RatingCheck:
    """Whether ``actor`` (or the holder of ``token``) may rate ``case`` on ``channel``
    now, without writing anything (the rating page asks before showing its form);
    raises what :func:`rating_submit` would."""
    _check_channel(channel)
    real_name = _check_access(case, channel, actor, token)
    window = rating_window(case)
    refusal = rating_refusal(case, channel, on=timezone.localdate(), window=window)
    if refusal is not None:
        raise refusal
    return RatingCheck(window=window, real_name=real_name)


@transaction.atomic
def rating_submit(
    *,
    case: Case,
    channel: str,
    level: int,
    comment: str = "",
    actor: User | None = None,
    token: str | None = None,
) -> Rating:
    """Rate a delivered case (好差评): once per channel, inside the rating window; a bad
    rating opens a rectification for the responsible department."""
    level, comment = _check_input(channel, level, comment)
    real_name = _check_access(case, channel, actor, token)
    case = Case.objects.select_related("zone", "department", "item_version", "parent").get(
        pk=case.pk
    )
    now = timezone.now()
    today = timezone.localdate(now)
    settings = review_settings_for(case.zone)
    calendar = calendar_for_zone(case.zone)
    window = rating_window(case, settings=settings, calendar=calendar)
    refusal = rating_refusal(case, channel, on=today, window=window)
    if refusal is not None:
        raise refusal
    rating = Rating(
        zone_id=case.zone_id,
        case=case,
        department_id=case.department_id,
        item_id=case.item_version.item_id if case.item_version_id else None,
        channel=channel,
        level=level,
        comment=comment,
        rater=actor if real_name else None,
        real_name=real_name,
        rated_at=now,
        rated_on=today,
    )
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:
        # Another request rated the case on this channel since the check (PostgreSQL).
        existing = Rating.objects.filter(case=case, channel=channel).first()
        if existing is None:
            raise
        raise Conflict(already_rated_message(existing), code="already_rated") from None
    audit_append(
        action=ReviewEventAction.RATING_SUBMITTED,
        actor=_actor_name(actor if real_name else None),
        actor_id=_actor_id(actor if real_name else None),
        object_type=RATING_OBJECT_TYPE,
        object_id=rating.pk,
        data={
            "case": case.number,
            "channel": channel,
            "level": level,
            "real_name": real_name,
            "department": case.department.code,
        },
    )
    if level in BAD_LEVELS:
        _open_rectification(rating, settings=settings, calendar=calendar, today=today)
    return rating


# -- rectification ---------------------------------------------------------------------------


def _handlers(department_id: int) -> list[User]:
    """The department's reviewers and deciders (who are told of a bad rating)."""
    return list(
        User.objects.filter(
            role_assignments__role__in=HANDLER_ROLES,
            role_assignments__department_id=department_id,
            is_active=True,
            kind=UserKind.STAFF,
        )
        .distinct()
        .order_by("pk")
    )


def _open_rectification(
    rating: Rating, *, settings: ReviewSettings, calendar: WorkingCalendar, today: dt.date
) -> Rectification:
    due = calendar.deadline(today, settings.rectification_days, allow_provisional=True)
    rectification = Rectification.objects.create(
        rating=rating,
        zone_id=rating.zone_id,
        department_id=rating.department_id,
        status=RectificationStatus.OPEN,
        opened_on=today,
        due_on=due.date,
        due_provisional=due.provisional,
    )
    audit_append(
        action=ReviewEventAction.RECTIFICATION_OPENED,
        actor="system",
        object_type=RECTIFICATION_OBJECT_TYPE,
        object_id=rectification.pk,
        data={
            "rating": rating.pk,
            "case": rating.case.number,
            "department": rating.case.department.code,
            "due_on": str(due.date),
            "provisional": due.provisional,
            "limit_days": settings.rectification_days,
        },
    )
    _notify_handlers(rectification, rating)
    return rectification


def _notify_handlers(rectification: Rectification, rating: Rating) -> None:
    """In-app message to the department's reviewers and deciders, and the gateway
    (``ONEWINDOW_NOTIFIER``) after commit."""
    notifier = get_notifier()
    case = rating.case
    link = reverse("reviews:rectification", args=[rectification.pk])
    for recipient in _handlers(rectification.department_id):
        # Staff are written to in the zone's working language.
        with translation.override(django_settings.LANGUAGE_CODE):
            text = _(
                "办件 {number}（{title}）收到差评“{level}”（{channel}），请于 {due} 前核实整改"
                "并回访：{link}"
            ).format(
                number=case.number,
                title=case.title,
                level=rating.get_level_display(),
                channel=rating.get_channel_display(),
                due=format_date(rectification.due_on),
                link=link,
            )
        Notification.objects.create(
            recipient=recipient, case=case, kind=BAD_RATING_NOTIFICATION, text=text
        )
        transaction.on_commit(
            partial(notifier.send, user=recipient, text=text, case_number=case.number),
            robust=True,
        )


def _lock_rectification(rectification: Rectification) -> Rectification:
    return (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("rating", "zone", "department")
        .get(pk=rectification.pk)
    )


def _require_handler(actor: User, rectification: Rectification) -> None:
    if not can_handle_rectification(actor, rectification):
        raise Forbidden(
            _("只有责任部门（{department}）的审查或决定人员可以办理整改").format(
                department=rectification.department.name
            ),
            code="not_permitted",
        )


@transaction.atomic
def rectification_record(
    *, rectification: Rectification, actor: User, verified_facts: str, measures: str
) -> Rectification:
    """整改: the department records what it verified and what it did; the return visit
    is then due ``return_visit_days`` working days later."""
    rectification = _lock_rectification(rectification)
    _require_handler(actor, rectification)
    if rectification.status != RectificationStatus.OPEN:
        raise Conflict(_("该差评已登记整改情况"), code="already_rectified")
    verified_facts = _text("verified_facts", verified_facts, _("核实情况"))
    measures = _text("measures", measures, _("整改措施"))
    now = timezone.now()
    today = timezone.localdate(now)
    settings = review_settings_for(rectification.zone)
    visit_due = calendar_for_zone(rectification.zone).deadline(
        today, settings.return_visit_days, allow_provisional=True
    )
    rectification.status = RectificationStatus.RECTIFIED
    rectification.verified_facts = verified_facts
    rectification.measures = measures
    rectification.rectified_at = now
    rectification.rectified_by = actor
    rectification.on_time = today <= rectification.due_on
    rectification.visit_due_on = visit_due.date
    rectification.visit_due_provisional = visit_due.provisional
    rectification.save(
        update_fields=[
            "status",
            "verified_facts",
            "measures",
            "rectified_at",
            "rectified_by",
            "on_time",
            "visit_due_on",
            "visit_due_provisional",
        ]
    )
    audit_append(
        action=ReviewEventAction.RECTIFICATION_RECORDED,
        actor=_actor_name(actor),
        actor_id=_actor_id(actor),
        object_type=RECTIFICATION_OBJECT_TYPE,
        object_id=rectification.pk,
        data={
            "on_time": rectification.on_time,
            "due_on": str(rectification.due_on),
            "visit_due_on": str(visit_due.date),
        },
    )
    return rectification


def _require_rectified(rectification: Rectification) -> None:
    if rectification.status == RectificationStatus.OPEN:
        raise Conflict(_("请先登记核实情况和整改措施，再回访"), code="not_rectified")
    if rectification.status == RectificationStatus.CLOSED:
        raise Conflict(_("该整改事项已办结"), code="already_closed")


@transaction.atomic
def return_visit_record(
    *, rectification: Rectification, actor: User, outcome: str, note: str = ""
) -> Rectification:
    """回访: the applicant's response after the rectification; closes it. An applicant
    who cannot be reached, or is still dissatisfied, is recorded with a note."""
    rectification = _lock_rectification(rectification)
    _require_handler(actor, rectification)
    _require_rectified(rectification)
    if outcome not in ReturnVisitOutcome.values:
        raise ValidationFailed.for_field(
            "outcome", _("回访结果：请从列表中选择"), code="invalid_outcome"
        )
    note = _text("note", note, _("回访记录"), required=outcome in NOTE_REQUIRED_OUTCOMES)
    now = timezone.now()
    rectification.status = RectificationStatus.CLOSED
    rectification.visit_outcome = outcome
    rectification.visit_note = note
    rectification.visited_at = now
    rectification.visited_by = actor
    rectification.closed_at = now
    rectification.closed_by = actor
    rectification.save(
        update_fields=[
            "status",
            "visit_outcome",
            "visit_note",
            "visited_at",
            "visited_by",
            "closed_at",
            "closed_by",
        ]
    )
    audit_append(
        action=ReviewEventAction.RETURN_VISIT_RECORDED,
        actor=_actor_name(actor),
        actor_id=_actor_id(actor),
        object_type=RECTIFICATION_OBJECT_TYPE,
        object_id=rectification.pk,
        data={
            "outcome": outcome,
            "visit_due_on": str(rectification.visit_due_on),
            "visited_on": str(timezone.localdate(now)),
        },
    )
    return rectification


@transaction.atomic
def rectification_close_without_visit(
    *, rectification: Rectification, actor: User, reason: str
) -> Rectification:
    """Close an anonymous bad rating's rectification without a return visit, for a
    recorded reason. Real-name bad ratings must all be revisited."""
    rectification = _lock_rectification(rectification)
    _require_handler(actor, rectification)
    _require_rectified(rectification)
    if rectification.rating.real_name:
        raise Conflict(
            _("实名差评必须回访：请登记回访结果（无法联系的请选择“无法联系”并说明）"),
            code="visit_required",
        )
    reason = _text("reason", reason, _("未回访理由"))
    now = timezone.now()
    rectification.status = RectificationStatus.CLOSED
    rectification.close_reason = reason
    rectification.closed_at = now
    rectification.closed_by = actor
    rectification.save(update_fields=["status", "close_reason", "closed_at", "closed_by"])
    audit_append(
        action=ReviewEventAction.CLOSED_WITHOUT_VISIT,
        actor=_actor_name(actor),
        actor_id=_actor_id(actor),
        object_type=RECTIFICATION_OBJECT_TYPE,
        object_id=rectification.pk,
        data={"reason": reason},
    )
    return rectification


def rectification_deadlines_recompute(*, zone_id: int | None = None) -> int:
    """Provisional deadlines (a year whose holiday notice was not known) are counted again
    once it is: each pending rectification with a provisional deadline, one per
    transaction; returns how many moved."""
    moved = 0
    pending = Rectification.objects.filter(
        Q(status=RectificationStatus.OPEN, due_provisional=True)
        | Q(status=RectificationStatus.RECTIFIED, visit_due_provisional=True)
    ).order_by("pk")
    if zone_id is not None:
        pending = pending.filter(zone_id=zone_id)
    for pk in pending.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            row = (
                Rectification.objects.select_for_update(of=("self",))
                .select_related("zone")
                .get(pk=pk)
            )
            if _recompute(row):
                moved += 1
    return moved


def _recompute(row: Rectification) -> bool:
    settings = review_settings_for(row.zone)
    calendar = calendar_for_zone(row.zone)
    before = {"due_on": str(row.due_on), "visit_due_on": str(row.visit_due_on)}
    changed = []
    if row.status == RectificationStatus.OPEN and row.due_provisional:
        # The limit in force when it was opened is not stored: the zone's current one.
        due = calendar.deadline(row.opened_on, settings.rectification_days, allow_provisional=True)
        row.due_on, row.due_provisional = due.date, due.provisional
        changed += ["due_on", "due_provisional"]
    if row.status == RectificationStatus.RECTIFIED and row.visit_due_provisional:
        start = timezone.localdate(row.rectified_at)
        due = calendar.deadline(start, settings.return_visit_days, allow_provisional=True)
        row.visit_due_on, row.visit_due_provisional = due.date, due.provisional
        changed += ["visit_due_on", "visit_due_provisional"]
    after = {"due_on": str(row.due_on), "visit_due_on": str(row.visit_due_on)}
    row.save(update_fields=changed)
    if after == before:
        return False
    audit_append(
        action=ReviewEventAction.DEADLINES_RECOMPUTED,
        actor="system",
        object_type=RECTIFICATION_OBJECT_TYPE,
        object_id=row.pk,
        data={"from": before, "to": after},
    )
    return True


# -- settings ----------------------------------------------------------------------------------


SETTINGS_FIELDS = ("rating_window_days", "rectification_days", "return_visit_days", "legal_basis")


@transaction.atomic
def review_settings_save(*, settings: ReviewSettings, actor: User | None) -> ReviewSettings:
    """Save a zone's 好差评 limits (the admin's form) and record the change. New limits
    apply to ratings and rectifications from now on; deadlines already set stay."""
    before = (
        ReviewSettings.objects.filter(pk=settings.pk).values(*SETTINGS_FIELDS).first()
        if settings.pk
        else None
    )
    if not (settings.legal_basis or "").strip():
        raise ValidationFailed.for_field(
            "legal_basis", _("时限依据：请填写设定时限所依据的文件"), code="required"
        )
    settings.save()
    after = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
    audit_append(
        action=ReviewEventAction.SETTINGS_CHANGED,
        actor=_actor_name(actor),
        actor_id=_actor_id(actor),
        object_type=SETTINGS_OBJECT_TYPE,
        object_id=settings.zone_id,
        data={"from": before, "to": after},
    )
    return settings
