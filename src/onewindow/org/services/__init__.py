"""Writes of the organisation: one use-case per function, each in a transaction.

By use-case: ``applicants`` (registration, the admin's edits, representations),
``accounts`` (staff accounts, role grants, passwords, the audit trail's viewing and
verification), ``identifiers`` (a staff member's full view of a personal number:
``identifier_show``, the one service every page, API, PDF and admin response calls; and
look-ups by number), ``walkin`` (a clerk registers the applicant at the window, or opens
the registered one), ``calendar`` (the zone's working-day overrides). Callers import from
``onewindow.org.services``.
"""

from onewindow.org.services.accounts import (
    account_recorded,
    audit_chain_verify,
    audit_trail_view_record,
    password_change,
    role_grant,
    role_revoke,
    staff_create,
)
from onewindow.org.services.applicants import (
    APPLICANT_FIELDS,
    applicant_add,
    applicant_change,
    applicant_register,
    applicant_remove,
    representation_add,
    representation_change,
    representation_remove,
)
from onewindow.org.services.calendar import calendar_override_remove, calendar_override_set
from onewindow.org.services.identifiers import (
    IdentifierChannel,
    ShownIdentifier,
    fold_query,
    identifier_lookup_record,
    identifier_query,
    identifier_show,
    identifier_view_record,
)
from onewindow.org.services.walkin import (
    WalkInRegistration,
    applicant_register_walk_in,
)

__all__ = [
    "APPLICANT_FIELDS",
    "IdentifierChannel",
    "ShownIdentifier",
    "WalkInRegistration",
    "account_recorded",
    "applicant_add",
    "applicant_change",
    "applicant_register",
    "applicant_register_walk_in",
    "applicant_remove",
    "audit_chain_verify",
    "audit_trail_view_record",
    "calendar_override_remove",
    "calendar_override_set",
    "fold_query",
    "identifier_lookup_record",
    "identifier_query",
    "identifier_show",
    "identifier_view_record",
    "password_change",
    "representation_add",
    "representation_change",
    "representation_remove",
    "role_grant",
    "role_revoke",
    "staff_create",
]
