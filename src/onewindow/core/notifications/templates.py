"""Message templates (消息模板): administrators word the messages of the editable kinds.

A kind registered with :func:`~onewindow.core.notifications.kinds.register_template_kind`
has built-in words (gettext, so translated) with named placeholders (``{number}``,
``{deadline}``). A ``core.NotificationTemplate`` row for the kind and a language replaces
them for recipients in that language; without a row the built-in words are used. The
placeholders' text comes from the kind's ``values`` under the recipient's language, so a
template can say no more than the kind offers (nothing the recipient may not see).

A template may use only the kind's placeholders, plainly (``{number}``: no attributes,
indexes, conversions or formats); anything else is refused on save, naming the field
and the placeholder. ``{{`` and ``}}`` write a brace.

Each process keeps every template in memory (the table holds a few dozen rows) and reads
them again at most every ``TEMPLATES_MAX_AGE`` seconds: a message costs no query for its
words. A save or delete refreshes the saving process at once; other processes (other
servers) take the new words within ``TEMPLATES_MAX_AGE``.

See docs/notifications.md and docs/decisions/0024-message-templates-and-recipients.md.
"""

from __future__ import annotations

import logging
import string
import threading
import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from onewindow.core.audit import audit_append

logger = logging.getLogger("onewindow.notify")

TEMPLATE_OBJECT_TYPE = "notification_template"
TEMPLATE_CHANGED = "notification_template.changed"
TEMPLATE_DELETED = "notification_template.deleted"

#: How long a process trusts the templates it read (seconds).
TEMPLATES_MAX_AGE = 30.0

_templates: dict[tuple[str, str], tuple[str, str]] = {}
_templates_read_at: float | None = None
_templates_lock = threading.Lock()


def templates_forget() -> None:
    """Read the templates afresh at the next message (after a save, a delete, a test)."""
    global _templates_read_at
    with _templates_lock:
        _templates_read_at = None


def placeholders_in(text: str) -> list[str]:
    """The placeholder fields of ``text`` as written (``ValueError`` if the braces do
    not pair)."""
    fields = []
    for _literal, field, spec, conversion in string.Formatter().parse(text):
        if field is None:
            continue
        written = field
        if conversion:
            written += "!" + conversion
        if spec:
            written += ":" + spec
        fields.append(written)
    return fields


def check_placeholders(text: str, allowed: Mapping[str, Any]) -> str:
    """An explanation of what is wrong with ``text``'s placeholders, or ``""``."""
    try:
        used = placeholders_in(text)
    except ValueError:
        return _("花括号不成对（要写花括号本身，请写 {{ 或 }}）")
    unknown = [name for name in used if name not in allowed]
    if unknown:
        return _("未知的占位符：{unknown}；可用的占位符：{allowed}").format(
            unknown="、".join("{" + name + "}" for name in dict.fromkeys(unknown)),
            allowed="、".join("{" + name + "}" for name in allowed),
        )
    return ""


def validate_template(*, kind: str, title: str, body: str) -> None:
    """Raise ``ValidationError`` naming the field when ``kind`` is not an editable kind
    or a placeholder is not one of the kind's."""
    from onewindow.core.notifications.kinds import _kinds

    spec = _kinds.get(kind)
    if spec is None or spec.template is None:
        raise ValidationError({"kind": _("未知的消息类别：{kind}").format(kind=kind)})
    errors = {}
    for field, text in (("title", title), ("body", body)):
        problem = check_placeholders(text or "", spec.template.placeholders)
        if problem:
            errors[field] = problem
    if not (body or "").strip():
        errors["body"] = _("请填写消息正文")
    if errors:
        raise ValidationError(errors)


def _language(context: Mapping[str, Any]) -> str:
    return context.get("language") or settings.LANGUAGE_CODE


def template_row_changed(sender, **kwargs) -> None:
    """A template row was written or removed (any way but a bulk write): forget now, and
    again once the change commits (a read in between may have taken the old words)."""
    templates_forget()
    transaction.on_commit(templates_forget)


def _template_words(kind: str, language: str) -> tuple[str, str] | None:
    """``(title, body)`` of the administrator's wording of ``kind`` in ``language``, or
    None: from the process's copy of every template, read again once it is too old."""
    global _templates, _templates_read_at
    now = time.monotonic()
    read_at = _templates_read_at
    if read_at is None or now - read_at > TEMPLATES_MAX_AGE:
        from onewindow.core.models import NotificationTemplate

        rows = NotificationTemplate.objects.values_list("kind", "language", "title", "body")
        fresh = {(k, lang): (title, body) for k, lang, title, body in rows}
        with _templates_lock:
            _templates, _templates_read_at = fresh, now
        return fresh.get((kind, language))
    return _templates.get((kind, language))


def _fill(kind: str, words: str, fallback: Any, values: Mapping[str, str]) -> str:
    try:
        return words.format_map(values)
    except (KeyError, ValueError, IndexError, AttributeError):
        # A template saved before the kind's placeholders changed: the built-in words.
        logger.error("notification template of %r no longer fits its placeholders", kind)
        return str(fallback).format_map(values)


def render_message(name: str, spec: Any, context: Mapping[str, Any]) -> tuple[str, str]:
    """``(title, body)`` of a message of the editable kind ``name`` (no query while the
    process's templates are fresh)."""
    language = _language(context)
    row = _template_words(name, language)
    with translation.override(language):
        values = {key: str(value) for key, value in spec.values(context).items()}
        title_words = row[0] if row is not None and row[0].strip() else str(spec.title)
        body_words = row[1] if row is not None else str(spec.body)
        return (
            _fill(name, title_words, spec.title, values),
            _fill(name, body_words, spec.body, values),
        )


def render_part(name: str, spec: Any, context: Mapping[str, Any], part: str) -> str:
    title, body = render_message(name, spec, context)
    return title if part == "title" else body


@transaction.atomic
def notification_template_save(*, template: Any, actor: Any) -> Any:
    """Save an administrator's wording of a kind (validated: the kind must be editable and
    every placeholder its own), with an audit event."""
    template.full_clean()
    template.updated_by = actor
    template.save()
    transaction.on_commit(templates_forget)
    audit_append(
        action=TEMPLATE_CHANGED,
        actor=actor.get_username(),
        actor_id=actor.pk,
        object_type=TEMPLATE_OBJECT_TYPE,
        object_id=f"{template.kind}:{template.language}",
        data={"title": template.title, "body": template.body},
    )
    return template


@transaction.atomic
def notification_template_delete(*, template: Any, actor: Any) -> None:
    """Remove a wording: the kind's built-in words apply again."""
    audit_append(
        action=TEMPLATE_DELETED,
        actor=actor.get_username(),
        actor_id=actor.pk,
        object_type=TEMPLATE_OBJECT_TYPE,
        object_id=f"{template.kind}:{template.language}",
        data={},
    )
    template.delete()
    transaction.on_commit(templates_forget)
