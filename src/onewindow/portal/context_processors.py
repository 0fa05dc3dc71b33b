"""The main navigation of a signed-in user: the entries the apps registered
(``core.registry.nav_entry``) that concern the user, in order (one query for the roles,
cached on the user; nothing for anonymous visitors), and the count of unread messages
beside 我的消息 (one query, only when a page shows it)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse, reverse_lazy
from django.utils.functional import SimpleLazyObject

from onewindow.core import registry
from onewindow.core.notifications import unread_count
from onewindow.org.admin_roles import is_audit_admin
from onewindow.org.constants import UserKind


@dataclass(frozen=True)
class NavLink:
    url: str
    label: str
    current: bool


def _concerns(entry: registry.NavEntry, user) -> bool:
    if entry.shown is not None:
        return entry.shown(user)
    if user.kind == UserKind.APPLICANT:
        return entry.applicant
    return bool(entry.roles & user.role_set())


def nav_links(request) -> list[NavLink]:
    user = request.user
    if not user.is_authenticated:
        return []
    match = request.resolver_match
    current_name = match.url_name if match is not None and not match.namespace else None
    links = []
    for entry in registry.nav_entries():
        if not _concerns(entry, user):
            continue
        url = reverse(entry.url_name)
        current = request.path == url or (current_name in entry.current_names)
        links.append(NavLink(url, entry.label, current))
    return links


def _unread(request):
    """The signed-in user's unread messages, counted once per page when the template asks
    (one indexed query: ``core_notification_unread``); 0 for anonymous visitors."""
    counted: list[int] = []

    def count() -> int:
        if not counted:
            user = request.user
            counted.append(unread_count(user) if user.is_authenticated else 0)
        return counted[0]

    return count


def _reads_messages(request):
    """Whether the header offers 我的消息: every signed-in user but the audit
    administrator, who is confined to the audit trail (ADR 0010)."""

    def reads() -> bool:
        user = request.user
        return user.is_authenticated and not is_audit_admin(user)

    return reads


def navigation(request) -> dict:
    return {
        "nav_links": SimpleLazyObject(lambda: nav_links(request)),
        "messages_in_header": _reads_messages(request),
        "messages_unread": _unread(request),
        # Lower apps' pages link the portal's pages through these, never by their names.
        "home_url": reverse_lazy("home"),
        "portal_url": reverse_lazy("portal"),
        "messages_url": reverse_lazy("notifications"),
    }
