"""Rating a case (好差评): channels, access, the rating window, one rating per channel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases.constants import CaseStatus
from onewindow.cases.models import Case
from onewindow.core.audit import audit_append
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.org.models import User
from onewindow.org.selectors import calendar_for_zone
from onewindow.reviews import links
from onewindow.reviews.constants import (
    ACCOUNT_CHANNELS,
    MAX_COMMENT_LENGTH,
    RATING_OBJECT_TYPE,
    ReviewEventAction,
)
from onewindow.reviews.models import (
    BAD_LEVELS,
    Channel,
    Level,
    Rating,
)
from onewindow.reviews.permissions import (
    can_rate_with_account,
)
from onewindow.reviews.selectors import RatingWindow, rating_window, review_settings_for
from onewindow.reviews.services.common import (
    _actor_id,
    _actor_name,
    case_not_found,
    format_date,
)
from onewindow.reviews.services.rectifications import _open_rectification

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
