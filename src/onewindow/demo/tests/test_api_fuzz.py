"""The whole API, fuzzed as every role over the demo zone (ADR 0013): no server error, and
every response as the OpenAPI document declares it (status, content type, body).

Schemathesis generates requests from ``/api/v1/openapi.json`` for every operation and
sends them straight to the WSGI application as anonymous, the enterprise applicant, the
window clerk, reviewer, decider, supervisor, regulator, administrator and analyst (each
with a real session, past the second factor where the role requires it, and a CSRF token,
as the site's own pages send them). Generated values
are mixed with real ones from the demo zone (case numbers, query codes, item and bundle
codes, certificate identifiers, applicant, task and material ids, action names), so the
requests get past "not found" into the services.

Checks: ``not_a_server_error`` above all; status code, content type and response schema
conformance, which the project holds for every endpoint (``org/tests/test_api_schema.py``).
The judgement of generated input (positive/negative data acceptance) is left to the
anonymous contract tests: a session and a real value turn a "negative" case valid.

Budget: ``FUZZ_EXAMPLES`` examples per operation and role (3 in the suite, derandomized;
``make fuzz`` runs 50 with the coverage phase).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import sign_in
from onewindow.cases.api import ACTIONS
from onewindow.cases.models import Case, CaseMaterial, Task
from onewindow.catalog.models import Bundle, ItemVersion
from onewindow.certificates.models import Certificate
from onewindow.demo import case_data, catalog_data, certificate_data, org_data, review_data
from onewindow.org.models import Applicant, Department, User, Zone
from onewindow.wsgi import application

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 3)
#: The demo cases built for the fuzz (enough for every status).
CASES = int(os.environ.get("FUZZ_CASES") or 24)
ROLES = [
    "anonymous",
    "enterprise",
    "clerk",
    "reviewer",
    "decider",
    "supervisor",
    "regulator",
    "admin",
    "analyst",
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
schema.config.generation.update(database="none")
if not os.environ.get("FUZZ_EXAMPLES"):
    # The suite's small budget: the coverage phase alone sends dozens of requests per
    # operation; the anonymous contract test runs it, `make fuzz` runs it as every role.
    schema.config.phases.coverage.enabled = False

#: Real values by parameter or body field name, filled by the ``demo_zone`` fixture.
REAL: dict[str, list[Any]] = {}


def _mixed(values: Any) -> st.SearchStrategy:
    """``values`` with each field that has real values either kept or replaced by one."""
    if not isinstance(values, dict):
        return st.just(values)
    known = [name for name in values if REAL.get(name)]
    if not known:
        return st.just(values)
    choices = {
        name: st.one_of(st.just(values[name]), st.sampled_from(REAL[name])) for name in known
    }
    return st.fixed_dictionaries(choices).map(lambda chosen: {**values, **chosen})


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    return _mixed(path_parameters)


@schema.hook
def flatmap_query(context, query):
    return _mixed(query)


@schema.hook
def flatmap_body(context, body):
    return _mixed(body)


def _real_values(zone: Zone) -> dict[str, list[Any]]:
    cases = list(Case.objects.filter(zone=zone).order_by("pk"))
    items = list(
        ItemVersion.objects.published()
        .filter(item__zone=zone)
        .values_list("item__implementation_code", flat=True)
    )
    bundles = list(Bundle.objects.filter(zone=zone).values_list("code", flat=True))
    departments = list(Department.objects.filter(zone=zone).values_list("code", flat=True))
    return {
        "number": [case.number for case in cases if case.number],
        "case_number": [case.number for case in cases if case.number],
        "code": [case.query_code for case in cases if case.query_code] + items + bundles,
        "action": list(ACTIONS),
        "item": items,
        "bundle": bundles,
        "identifier": list(Certificate.objects.values_list("identifier", flat=True)[:20]),
        "applicant": list(Applicant.objects.values_list("pk", flat=True)[:20]),
        "task": list(Task.objects.filter(case__zone=zone).values_list("pk", flat=True)[:40]),
        "tolerated": [[pk] for pk in CaseMaterial.objects.values_list("pk", flat=True)[:20]],
        "committed": [[pk] for pk in CaseMaterial.objects.values_list("pk", flat=True)[:20]],
        "department": departments,
        "to_user": list(User.objects.filter(zone=zone).values_list("username", flat=True)),
        "zone": [zone.code],
    }


@pytest.fixture(scope="module")
def demo_zone(django_db_setup, django_db_blocker):
    """The demo zone, loaded once for the module and rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        org_data.load()
        catalog_data.load()
        zone = Zone.objects.get(code=org_data.ZONE_CODE)
        certificate_data.ensure_signing_key(zone)
        case_data.load_cases(zone, count=CASES)
        review_data.load_reviews(zone)
        REAL.update(_real_values(zone))
        yield zone
        REAL.clear()
        transaction.set_rollback(True)


@pytest.fixture
def credentials(request, demo_zone, db) -> dict:
    """Headers and cookies of a real session for the role (none for anonymous)."""
    role = request.param
    if role == "anonymous":
        return {"headers": {"Host": "localhost"}, "cookies": {}}
    client = Client()
    # With the second factor where the role requires it (administrators), as they sign in.
    sign_in(client, User.objects.get(username=role))
    token = _get_new_csrf_string()
    return {
        "headers": {"Host": "localhost", "X-CSRFToken": token},
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
    }


@pytest.fixture
def straight_to_wsgi(credentials):
    """Requests sent straight to the WSGI application must not close the test's connection
    (see org/tests/test_api_schema.py)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_demo_zone_gives_real_values_for_every_kind(demo_zone, db):
    for name in ["number", "code", "item", "bundle", "identifier", "applicant", "task"]:
        assert REAL[name], name


@pytest.mark.parametrize("credentials", ROLES, indirect=True)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_for_any_role(case, credentials, straight_to_wsgi):
    case.headers = {**(case.headers or {}), **credentials["headers"]}
    case.cookies = {**(case.cookies or {}), **credentials["cookies"]}
    case.call_and_validate(checks=CHECKS)
