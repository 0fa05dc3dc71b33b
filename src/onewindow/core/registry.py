"""What the apps contribute to the site's shell: navigation entries, the page each role lands
on after login, and fragments other apps' pages show (home-page panels among them).

The portal (the top app) reads this registry; the apps below it fill it from their
``navigation.py`` module, which the portal imports at start-up (``PortalConfig.ready``). So
a lower app's template never names a higher app's URL: the higher app registers the link or
the fragment, the lower page shows whatever is registered (docs/decisions/0022).

The registry only holds data: roles are the strings of ``org.constants.Role`` (core cannot
import org); who sees what is decided by the portal, which knows the user.

    from onewindow.core import registry

    registry.nav_entry("cases:desk", _("窗口工作台"), order=10, roles={Role.WINDOW_CLERK})
    registry.landing("cases:desk", order=10, roles={Role.WINDOW_CLERK})
    registry.fragment("catalog.item_guide.apply", "cases/_apply_item.html")
    registry.audit_labels({"case.accepted": _("受理")})

Registering the same entry twice (by its key) replaces it, so importing a module again is
harmless.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: The audience value for applicants (signed-in users of kind "applicant").
APPLICANT = "applicant"


@dataclass(frozen=True)
class NavEntry:
    """A link of the main navigation for signed-in users.

    ``roles``: the staff roles that see it; ``applicant``: applicants see it; ``shown``:
    instead of roles, a predicate on the user (for an audience no role set names).
    ``current_names``: other URL names under which the link marks the current page.
    """

    url_name: str
    label: Any  # a lazy translation
    order: int
    roles: frozenset[str] = frozenset()
    applicant: bool = False
    shown: Callable[[Any], bool] | None = None
    current_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Landing:
    """Where a user with one of ``roles`` (or an applicant) goes after logging in. A user
    matching several landings takes the one with the lowest ``order``."""

    url_name: str
    order: int
    roles: frozenset[str] = frozenset()
    applicant: bool = False


@dataclass(frozen=True)
class Fragment:
    """A piece of a page another app shows in its slot: ``template`` rendered with the page's
    context plus ``context(page_context, **arguments)``; a ``context`` that answers None
    leaves the fragment out (the slot shows it only to those it concerns)."""

    slot: str
    template: str
    order: int = 0
    context: Callable[..., dict | None] | None = None


_nav: dict[str, NavEntry] = {}
_landings: dict[str, Landing] = {}
_fragments: dict[tuple[str, str], Fragment] = {}


def nav_entry(
    url_name: str,
    label: Any,
    *,
    order: int,
    roles: Iterable[str] = (),
    applicant: bool = False,
    shown: Callable[[Any], bool] | None = None,
    current_names: Iterable[str] = (),
) -> NavEntry:
    entry = NavEntry(
        url_name=url_name,
        label=label,
        order=order,
        roles=frozenset(str(role) for role in roles),
        applicant=applicant,
        shown=shown,
        current_names=tuple(current_names),
    )
    _nav[url_name] = entry
    return entry


def landing(
    url_name: str, *, order: int, roles: Iterable[str] = (), applicant: bool = False
) -> Landing:
    key = f"{url_name}|{sorted(str(role) for role in roles)}|{applicant}"
    entry = Landing(
        url_name=url_name,
        order=order,
        roles=frozenset(str(role) for role in roles),
        applicant=applicant,
    )
    _landings[key] = entry
    return entry


def fragment(
    slot: str,
    template: str,
    *,
    order: int = 0,
    context: Callable[..., dict | None] | None = None,
) -> Fragment:
    entry = Fragment(slot=slot, template=template, order=order, context=context)
    _fragments[(slot, template)] = entry
    return entry


def nav_entries() -> list[NavEntry]:
    return sorted(_nav.values(), key=lambda entry: (entry.order, entry.url_name))


def landings() -> list[Landing]:
    return sorted(_landings.values(), key=lambda entry: (entry.order, entry.url_name))


def fragments(slot: str) -> list[Fragment]:
    found = [entry for (name, _template), entry in _fragments.items() if name == slot]
    return sorted(found, key=lambda entry: (entry.order, entry.template))


# -- audit action codes in words ------------------------------------------------------------

_audit_labels: dict[str, Any] = {}


def audit_labels(labels: Mapping[str, Any]) -> None:
    """Words (lazy translations) for audit action codes (``core.audit``: ``case.accepted``,
    ``org.role_granted`` …): each app registers the codes it writes, so the audit trail and
    the home pages show "受理", not a code."""
    _audit_labels.update(labels)


def audit_label(action: str) -> str:
    """The words of an audit action code; an unknown code (an old or foreign event) as is."""
    label = _audit_labels.get(action)
    return str(label) if label is not None else action


def audit_actions() -> list[str]:
    """Every registered audit action code, sorted (the audit trail's filter suggests them)."""
    return sorted(_audit_labels)


# -- the signer of audit checkpoints --------------------------------------------------------


@dataclass(frozen=True)
class AuditSigner:
    """Signs audit chain checkpoints with a zone's key (``certificates`` registers it: core
    cannot import the key machinery). ``sign(payload)`` answers ``(key id, signature)`` or
    None when no zone has a signing key; ``verify(key_id, payload, signature)`` is True only
    for a valid signature by a key the installation knows (retired keys included)."""

    sign: Callable[[str], tuple[str, str] | None]
    verify: Callable[[str, str, str], bool]


_audit_signer: list[AuditSigner] = []


def audit_signer(signer: AuditSigner | None = None) -> AuditSigner | None:
    """Register the checkpoint signer (with an argument), or the registered one (None when
    no app registered one)."""
    if signer is not None:
        _audit_signer[:] = [signer]
    return _audit_signer[0] if _audit_signer else None
