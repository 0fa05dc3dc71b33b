"""Audit action codes in words: every code an app writes has a label in
``core.registry.audit_labels``, and the pages that show events (the audit trail, the
supervisor's home page) show the words with the code kept as a tooltip."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from conftest import sign_in
from onewindow.cases.constants import CaseEventAction
from onewindow.catalog.services.common import CatalogAction
from onewindow.core import registry
from onewindow.core.audit import AuditAction, audit_append
from onewindow.org.constants import Role
from onewindow.reviews.constants import ReviewEventAction


def _codes(holder) -> set[str]:
    return {value for name, value in vars(holder).items() if name.isupper()}


#: Action strings written literally (not through a constants class) in the services.
LITERAL_ACTION = re.compile(r"""(?:action|event)="([a-z_]+\.[a-z_]+)\"""")


def _literal_codes() -> set[str]:
    source = Path(settings.REPOSITORY_DIR) / "src" / "onewindow"
    found = set()
    for path in source.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        found.update(LITERAL_ACTION.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_audit_code_the_apps_write_has_words():
    codes = (
        _codes(AuditAction)
        | _codes(CaseEventAction)
        | _codes(CatalogAction)
        | _codes(ReviewEventAction)
        | _literal_codes()
    )
    assert "certificate.issued" in codes  # the literal scan finds something
    missing = sorted(code for code in codes if registry.audit_label(code) == code)
    assert missing == []


def test_an_unknown_code_is_shown_as_it_is():
    assert registry.audit_label("legacy.something_done") == "legacy.something_done"
    assert registry.audit_label(CaseEventAction.ACCEPTED) == "受理"


@pytest.mark.django_db
def test_the_audit_trail_shows_words(client, make_staff):
    audit_append(action=CaseEventAction.ACCEPTED, actor="clerk", object_type="case", object_id="1")
    audit_append(action="certificate.issued", actor="decider")
    sign_in(client, make_staff(Role.AUDIT_ADMIN, username="auditor"))

    html = client.get(reverse("audit_trail")).content.decode()

    assert '<span title="case.accepted">受理</span>' in html
    assert '<span title="certificate.issued">签发电子证照</span>' in html
    # the filter suggests every known code with its words
    assert '<option value="rating.submitted">提交评价</option>' in html
