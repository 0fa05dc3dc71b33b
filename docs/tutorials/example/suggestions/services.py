"""Every write of suggestions: one use-case per function, keyword-only, ``actor=`` first.

Each runs in one transaction, locks the row it decides on through ``core.locks`` (ADR
0019), moves the status only through ``core.transitions.transition`` (which writes the
audit event, ADR 0017) and tells the author through ``core.notifications`` (ADR 0021).
"""

from __future__ import annotations

import unicodedata

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.audit import audit_append
from onewindow.core.errors import Forbidden, ValidationFailed
from onewindow.core.identifiers import fold_code
from onewindow.core.locks import lock_row
from onewindow.core.notifications import notify
from onewindow.core.transitions import transition
from onewindow.org.models import User, Zone
from suggestions.constants import (
    ANSWERED_NOTIFICATION,
    MAX_SUBJECT_LENGTH,
    MAX_TEXT_LENGTH,
    SUGGESTION_OBJECT_TYPE,
    SUGGESTION_TRANSITIONS,
    SuggestionAction,
    SuggestionEvent,
)
from suggestions.models import Suggestion
from suggestions.permissions import is_author_kind, why_not_answer, why_not_close

# -- what people type --------------------------------------------------------------------------

#: Full-width letters and digits and the ideographic space, typed with a Chinese input
#: method, fold to ASCII (their NFKC form); Chinese punctuation (，：（）) stays as typed,
#: which NFKC would turn into ASCII too.
_WIDE = {
    code: unicodedata.normalize("NFKC", chr(code))
    for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B), 0x3000)
}


def fold_line(value: str | None) -> str:
    """A one-line text as typed, folded: NFKC (full-width letters, digits, punctuation and
    spaces become ASCII), blanks collapsed to one space, trimmed."""
    return " ".join(unicodedata.normalize("NFKC", value or "").split())


def fold_text(value: str | None) -> str:
    """A text of several lines, folded: NFC, full-width letters and digits and the
    ideographic space as ASCII, Windows line ends as ``\\n``, trimmed."""
    text = unicodedata.normalize("NFC", value or "").translate(_WIDE)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _checked(field: str, value: str, label: str, limit: int, problems: dict) -> str:
    """``value`` (folded), or a problem named after ``field`` with the label people read."""
    if not value:
        problems[field] = [_("{label}：请填写").format(label=label)]
    elif len(value) > limit:
        problems[field] = [_("{label}：不能超过 {max} 个字").format(label=label, max=limit)]
    return value


def _refuse(problems: dict[str, list[str]]) -> None:
    if problems:
        message = _("；").join(message for messages in problems.values() for message in messages)
        raise ValidationFailed(message, code="invalid", fields=problems)


# -- use-cases ---------------------------------------------------------------------------------


@transaction.atomic
def suggestion_submit(*, actor: User, zone_code: str, subject: str, content: str) -> Suggestion:
    """提出意见建议: an applicant's user tells the zone ``zone_code`` about its service hall.
    Every field is checked at once, each problem named after its field."""
    if not is_author_kind(actor):
        raise Forbidden(_("只有申请人可以提出意见建议"), code="not_permitted")
    problems: dict[str, list[str]] = {}
    zone = Zone.objects.filter(code=fold_code(zone_code)).first() if zone_code else None
    if zone is None:
        problems["zone"] = [_("开发区：请从列表中选择")]
    subject = _checked("subject", fold_line(subject), _("标题"), MAX_SUBJECT_LENGTH, problems)
    content = _checked("content", fold_text(content), _("内容"), MAX_TEXT_LENGTH, problems)
    _refuse(problems)
    suggestion = Suggestion.objects.create(
        zone=zone, author=actor, subject=subject, content=content
    )
    audit_append(
        action=SuggestionEvent.SUBMITTED,
        actor=actor.get_username(),
        actor_id=actor.pk,
        object_type=SUGGESTION_OBJECT_TYPE,
        object_id=suggestion.pk,
        data={"zone": zone.code, "subject": subject},
    )
    return suggestion


@transaction.atomic
def suggestion_answer(*, suggestion: Suggestion, actor: User, answer: str) -> Suggestion:
    """答复: a window clerk of the zone answers; the author is told (in-app, then the
    notifier backends after commit)."""
    suggestion = lock_row(Suggestion, pk=suggestion.pk, related=("zone", "author"))
    refusal = why_not_answer(actor, suggestion)
    if refusal is not None:
        raise refusal
    problems: dict[str, list[str]] = {}
    answer = _checked("answer", fold_text(answer), _("答复"), MAX_TEXT_LENGTH, problems)
    _refuse(problems)
    suggestion.answer = answer
    suggestion.answered_by = actor
    suggestion.answered_at = timezone.now()
    transition(
        suggestion,
        SuggestionAction.ANSWER,
        table=SUGGESTION_TRANSITIONS,
        event=SuggestionEvent.ANSWERED,
        object_type=SUGGESTION_OBJECT_TYPE,
        object_id=suggestion.pk,
        actor=actor.get_username(),
        actor_id=actor.pk,
        fields=["answer", "answered_by", "answered_at"],
    )
    notify(
        suggestion.author,
        ANSWERED_NOTIFICATION,
        {"subject": suggestion.subject, "zone": suggestion.zone.name},
        link=reverse("suggestions:detail", args=[suggestion.pk]),
        subject=(SUGGESTION_OBJECT_TYPE, suggestion.pk),
        key=f"suggestion:{suggestion.pk}:answered",
    )
    return suggestion


@transaction.atomic
def suggestion_close(*, suggestion: Suggestion, actor: User) -> Suggestion:
    """办结: the author accepts the answer, or a window clerk closes one left answered for
    ``STAFF_CLOSE_AFTER_DAYS`` days."""
    suggestion = lock_row(Suggestion, pk=suggestion.pk)
    now = timezone.now()
    refusal = why_not_close(actor, suggestion, now=now)
    if refusal is not None:
        raise refusal
    suggestion.closed_at = now
    transition(
        suggestion,
        SuggestionAction.CLOSE,
        table=SUGGESTION_TRANSITIONS,
        event=SuggestionEvent.CLOSED,
        object_type=SUGGESTION_OBJECT_TYPE,
        object_id=suggestion.pk,
        actor=actor.get_username(),
        actor_id=actor.pk,
        data={"by_author": suggestion.author_id == actor.pk},
        fields=["closed_at"],
    )
    return suggestion
