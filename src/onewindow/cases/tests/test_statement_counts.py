"""How many SQL statements intake costs (issue 15: the lean write path), pinned.

A create (``POST /api/v1/cases``, submitted at once) and an accept
(``POST /api/v1/cases/{number}/actions/accept``) of an item whose materials need no
upload, first as service calls (``case_create``, ``case_accept``), then as whole requests,
each in its own transaction as in production (``transaction=True``). The statements are
counted by kind and table; the expected tables are the figures reached, with no slack: a
change that adds a statement fails here and says where. When a change removes one, lower
the figure.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onewindow.cases.models import Case
from onewindow.cases.services import case_accept, case_create
from onewindow.catalog.constants import MaterialMedium, MaterialSource
from onewindow.catalog.tests.factories import make_item, material

pytestmark = pytest.mark.django_db(transaction=True)

TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)


def statements(captured: CaptureQueriesContext) -> Counter:
    """``{"VERB table": count}`` ("BEGIN", "COMMIT", "SAVEPOINT" … alone)."""
    counted: Counter = Counter()
    for query in captured.captured_queries:
        sql = query["sql"]
        verb = sql.split(None, 1)[0].upper()
        if "nextval(" in sql:  # the case number from the zone's sequence (PostgreSQL)
            counted["SELECT nextval"] += 1
            continue
        match = TABLE.search(sql) if verb in ("SELECT", "INSERT", "UPDATE", "DELETE") else None
        counted[f"{verb} {match.group(1)}" if match else verb] += 1
    return counted


@pytest.fixture
def version(world):
    """An item whose materials need no upload (shared, optional), as in the benchmark."""
    return make_item(
        world.zone,
        world.department,
        name="免提交事项",
        materials=[
            material(
                "营业执照信息", source=MaterialSource.NOT_NEEDED, medium=MaterialMedium.ELECTRONIC
            ),
            material("情况说明", required=False),
        ],
        promised_limit_days=10,
        legal_limit_days=20,
    )


def _create(world, version) -> Case:
    return case_create(
        actor=world.applicant_user,
        applicant=world.applicant,
        item_version=version,
        form_data={"contact": "张三"},
        idempotency_key=uuid.uuid4().hex,
    )


def _accept(world, case: Case) -> Case:
    return case_accept(case=Case.objects.get(pk=case.pk), actor=world.clerk)


#: Statements of the services' own work that other parts of the code own: the audit
#: chain (core.audit) and the case number (cases.services.numbering).
AUDIT_AND_NUMBER = ("core_audit", "cases_casenumbersequence", "nextval")


def _split(counted: Counter) -> tuple[dict, int]:
    """The statements but the audit chain's and the case number's, and how many those are."""
    own = {key: n for key, n in counted.items() if not any(t in key for t in AUDIT_AND_NUMBER)}
    return own, sum(counted.values()) - sum(own.values())


def test_a_create_sends_these_statements(world, version):
    _accept(world, _create(world, version))  # a running process: calendar, catalog cached
    with CaptureQueriesContext(connection) as captured:
        case = _create(world, version)

    own, audit_and_number = _split(statements(captured))
    assert own == {
        "BEGIN": 1,
        "INSERT cases_case": 1,  # created as submitted: no update, no second lock
        "INSERT cases_casematerial": 1,  # the material list from the cached version
        "SELECT org_user": 1,  # who is told (applicant_messages)
        # The message, once per key: INSERT … ON CONFLICT DO NOTHING (no read before, no
        # savepoint); the wording from the process's templates (no query).
        "INSERT core_notification": 1,
        # An applied policy redemption waiting for a case of this item (policies, through
        # cases.signals.case_submitted): none here, one read.
        "SELECT policies_redemption": 1,
        "COMMIT": 1,
    }
    # PostgreSQL: the event (one INSERT, linked later by the chainer) and the number's
    # nextval; SQLite: the event, its link and the chain head (4), the counter row (3).
    assert audit_and_number == {"postgresql": 2, "sqlite": 7}[connection.vendor]
    assert case.status == "submitted"


def test_an_accept_sends_these_statements(world, version):
    _accept(world, _create(world, version))
    case = Case.objects.get(pk=_create(world, version).pk)
    with CaptureQueriesContext(connection) as captured:
        case_accept(case=case, actor=world.clerk)

    own, audit_and_number = _split(statements(captured))
    assert own == {
        "BEGIN": 1,
        "SELECT cases_case": 1,  # the case, locked (only its own row)
        "SELECT cases_casematerial": 1,  # its materials, locked
        "SELECT core_calendarrevision": 1,  # once in the transaction
        "UPDATE cases_case": 2,  # accepted, then in review
        "INSERT cases_task": 2,  # the acceptance step written done, the review opened
        "SELECT org_user": 1,
        "INSERT core_notification": 1,
        "COMMIT": 1,
    }
    # 5 events: one multi-row INSERT on PostgreSQL (core.audit.audit_batch), 4 statements
    # each on SQLite, which links them as they come (ADR 0004).
    assert audit_and_number == {"postgresql": 1, "sqlite": 20}[connection.vendor]
    assert Case.objects.get(pk=case.pk).status == "in_review"


def test_the_requests_send_these_statements(world, version):
    """The whole requests: the session and the user, the service, the response."""
    applicant = Client(HTTP_X_FORWARDED_PROTO="https")
    applicant.force_login(world.applicant_user)
    clerk = Client(HTTP_X_FORWARDED_PROTO="https")
    clerk.force_login(world.clerk)
    body = json.dumps(
        {
            "item": version.item.implementation_code,
            "applicant": world.applicant.pk,
            "form": {"contact": "张三"},
        },
        ensure_ascii=False,
    )
    counts = []
    for _round in range(2):  # the second, as in a running process
        with CaptureQueriesContext(connection) as created:
            response = applicant.post(
                "/api/v1/cases",
                body,
                content_type="application/json",
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
        assert response.status_code == 201, response.content
        number = response.json()["number"]
        with CaptureQueriesContext(connection) as accepted:
            response = clerk.post(
                f"/api/v1/cases/{number}/actions/accept", "{}", content_type="application/json"
            )
        assert response.status_code == 200, response.content
        counts = [_split(statements(created)), _split(statements(accepted))]

    (create_own, create_audit), (accept_own, accept_audit) = counts
    assert (sum(create_own.values()), create_audit) == {
        "postgresql": (13, 2),
        "sqlite": (13, 7),
    }[connection.vendor]
    assert (sum(accept_own.values()), accept_audit) == {
        "postgresql": (18, 1),
        "sqlite": (18, 20),
    }[connection.vendor]
    assert "SELECT cases_case" not in create_own  # no key read first, no re-read for the answer
    assert accept_own.get("SELECT core_calendarrevision", 0) == 1  # once per request
    assert not any("catalog_" in key for key in accept_own)  # plans come from the cache
