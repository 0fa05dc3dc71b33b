"""The registry of notification kinds: each app says how its messages read.

Core names no app. An app registers each kind it sends, once, from its
``AppConfig.ready()`` (``cases/notifications.py``, ``reviews/notifications.py``)::

    register_kind(
        "task_yellow",
        render=lambda context: _("办件 {number} … 到期").format(**context),
        title=lambda context: _("办件提醒：{number}").format(**context),
        link_label=_("查看办件"),
    )

``render`` turns the caller's context into the message text (the in-app row, the SMS,
the e-mail body); ``title`` (optional) into a short heading (the e-mail subject);
``link_label`` is the words of the inbox link. A formatter chooses its own language
(``translation.override``) when the context says whose it is.

A kind whose words administrators may change registers with
:func:`register_template_kind` instead: a built-in title and body (gettext strings with
named placeholders), the placeholders it offers (name → what it holds) and ``values``,
which turns the caller's context into the placeholders' text. An administrator's
``core.NotificationTemplate`` for the kind and the recipient's language replaces the
built-in words (``core/notifications/templates.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

Formatter = Callable[[Mapping[str, Any]], str]

DEFAULT_LINK_LABEL = _("查看详情")


Values = Callable[[Mapping[str, Any]], Mapping[str, str]]


@dataclass(frozen=True)
class TemplateSpec:
    """The built-in words of an editable kind and the placeholders they may use."""

    title: Any  # a lazy gettext string with {placeholders}
    body: Any
    placeholders: Mapping[str, Any]  # name -> what it holds (shown to administrators)
    values: Values


@dataclass(frozen=True)
class NotificationKind:
    name: str
    render: Formatter
    title: Formatter | None = None
    link_label: str = DEFAULT_LINK_LABEL
    template: TemplateSpec | None = None


_kinds: dict[str, NotificationKind] = {}


def _same(first: Formatter | None, second: Formatter | None) -> bool:
    def name(formatter: Formatter | None) -> tuple[str, str] | None:
        if formatter is None:
            return None
        return (getattr(formatter, "__module__", ""), getattr(formatter, "__qualname__", ""))

    return name(first) == name(second)


def register_kind(
    name: str,
    *,
    render: Formatter,
    title: Formatter | None = None,
    link_label: str | None = None,
) -> NotificationKind:
    """Register (or register again, identically) the kind ``name``; two apps may not
    claim the same name."""
    kind = NotificationKind(
        name=name, render=render, title=title, link_label=link_label or DEFAULT_LINK_LABEL
    )
    known = _kinds.get(name)
    if known is not None and not (_same(known.render, render) and _same(known.title, title)):
        raise ImproperlyConfigured(f"notification kind {name!r} is already registered")
    _kinds[name] = kind
    return kind


def register_template_kind(
    name: str,
    *,
    title: Any,
    body: Any,
    placeholders: Mapping[str, Any],
    values: Values,
    link_label: str | None = None,
) -> NotificationKind:
    """Register the kind ``name`` whose words an administrator may replace per language
    (``core.NotificationTemplate``); ``title`` and ``body`` are the built-in words, in
    gettext with ``{placeholder}`` names taken from ``placeholders``."""
    from onewindow.core.notifications.templates import check_placeholders, render_part

    spec = TemplateSpec(title=title, body=body, placeholders=dict(placeholders), values=values)
    for part, text in (("title", title), ("body", body)):
        problems = check_placeholders(str(text), spec.placeholders)
        if problems:
            raise ImproperlyConfigured(f"notification kind {name!r} {part}: {problems}")
    known = _kinds.get(name)
    if known is not None and (
        known.template is None
        or str(known.template.body) != str(body)
        or not _same(known.template.values, values)
    ):
        raise ImproperlyConfigured(f"notification kind {name!r} is already registered")
    kind = NotificationKind(
        name=name,
        render=lambda context: render_part(name, spec, context, "body"),
        title=lambda context: render_part(name, spec, context, "title"),
        link_label=link_label or DEFAULT_LINK_LABEL,
        template=spec,
    )
    _kinds[name] = kind
    return kind


def template_kinds() -> list[NotificationKind]:
    """The kinds administrators may word (sorted by name)."""
    return [_kinds[name] for name in sorted(_kinds) if _kinds[name].template is not None]


def get_kind(name: str) -> NotificationKind:
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"notification kind {name!r} is not registered") from None


def link_label(name: str) -> str:
    kind = _kinds.get(name)
    return kind.link_label if kind is not None else DEFAULT_LINK_LABEL


def registered_kinds() -> list[str]:
    return sorted(_kinds)
