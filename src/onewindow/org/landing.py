"""Where a user lands after logging in: their work page, as the apps registered it
(``core.registry.landing``: the window clerk's desk, the reviewer's inbox, the
applicant's cases, ...); a user no landing concerns goes to ``settings.LOGIN_REDIRECT_URL``
(the home page). A safe ``next`` of the request still wins (the login view's own rule)."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from onewindow.core import registry
from onewindow.org.constants import UserKind


def landing_url(user) -> str:
    if user.is_authenticated:
        applicant = user.kind == UserKind.APPLICANT
        roles = frozenset() if applicant else user.role_set()
        for entry in registry.landings():
            if entry.applicant if applicant else entry.roles & roles:
                return reverse(entry.url_name)
    return resolve_url(settings.LOGIN_REDIRECT_URL)
