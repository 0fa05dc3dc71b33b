"""Full views and look-ups of personal identifiers by staff: the one rule applied and
recorded (ADR 0015)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db import transaction

from onewindow.core.audit import (
    AuditAction,
    audit_append,
)
from onewindow.org.models import (
    Applicant,
    User,
)
from onewindow.org.permissions import (
    full_view_is_audited,
    is_personal,
    represents_applicant,
    shown_identifier,
)
from onewindow.org.services.common import _actor_fields

# -- personal identifiers and applicant records (ADR 0015) -----------------------------------


class IdentifierChannel:
    """Where a full number left the server (the ``channel`` of ``org.identifier_viewed``)."""

    PAGE = "page"
    API = "api"
    PDF = "pdf"
    ADMIN = "admin"
    EXPORT = "export"

    ALL = frozenset({PAGE, API, PDF, ADMIN, EXPORT})


@dataclass(frozen=True)
class ShownIdentifier:
    """An applicant's identifier as one viewer sees it in one response."""

    value: str
    full: bool  # the complete number (a USCC is always complete)
    audited: bool  # this response wrote ``org.identifier_viewed``


@transaction.atomic
def identifier_view_record(
    *,
    actor: User,
    applicant: Applicant,
    channel: str,
    purpose: str = "",
    ip_address: str | None = None,
):
    """Append ``org.identifier_viewed``: ``actor`` was shown ``applicant``'s full number
    through ``channel`` (page, api, pdf, admin, export), for ``purpose`` (a case number, a
    certificate identifier, a page). The number itself never goes into the event."""
    if channel not in IdentifierChannel.ALL:
        raise ValueError(f"unknown identifier channel {channel!r}")
    return audit_append(
        action=AuditAction.IDENTIFIER_VIEWED,
        **_actor_fields(actor),
        object_type="applicant",
        object_id=applicant.pk,
        data={"channel": channel, "purpose": purpose[:200], "kind": applicant.kind},
        ip_address=ip_address,
    )


def identifier_show(
    *,
    viewer: User,
    applicant: Applicant,
    channel: str,
    purpose: str = "",
    ip_address: str | None = None,
) -> ShownIdentifier:
    """The identifier for one response to ``viewer``: full where the rule in
    ``org.permissions`` allows it, else masked; a staff member's full view of a personal
    number is recorded (one event per call: call it once per applicant per response)."""
    if full_view_is_audited(viewer, applicant):
        identifier_view_record(
            actor=viewer,
            applicant=applicant,
            channel=channel,
            purpose=purpose,
            ip_address=ip_address,
        )
        return ShownIdentifier(applicant.identifier, full=True, audited=True)
    full = not is_personal(applicant) or represents_applicant(viewer, applicant)
    return ShownIdentifier(shown_identifier(viewer, applicant), full=full, audited=False)


#: A query that may be a personal number: ASCII letters and digits, at least one digit.
_NUMBER_LIKE = re.compile(r"^(?=.*\d)[0-9A-Z]{5,20}$")


def fold_query(value: str) -> str:
    """What a person typed, folded (NFKC: full-width letters and digits become ASCII)."""
    return unicodedata.normalize("NFKC", value or "").strip()


def identifier_query(value: str) -> str:
    """A typed number as stored: folded, without spaces, upper case."""
    return re.sub(r"\s+", "", fold_query(value)).upper()


@transaction.atomic
def identifier_lookup_record(
    *,
    actor: User,
    query: str,
    found: list[Applicant],
    channel: str = IdentifierChannel.PAGE,
    ip_address: str | None = None,
) -> int:
    """Append ``org.identifier_looked_up`` for a search by a full number: one event per
    person found by their number, or one event (no object) when a number-like query found
    nobody. Returns the number of events written; the query is never stored."""
    if channel not in IdentifierChannel.ALL:
        raise ValueError(f"unknown identifier channel {channel!r}")
    people = [applicant for applicant in found if is_personal(applicant)]
    if not people and not _NUMBER_LIKE.match(identifier_query(query)):
        return 0
    for applicant in people or [None]:
        audit_append(
            action=AuditAction.IDENTIFIER_LOOKED_UP,
            **_actor_fields(actor),
            object_type="applicant",
            object_id=applicant.pk if applicant is not None else "",
            data={"channel": channel, "found": applicant is not None},
            ip_address=ip_address,
        )
    return len(people) or 1
