"""The OpenAPI document tells the truth: schemathesis generates requests from it and
checks every response (status declared, body matching its schema, no server error).

One built-in check is left out: "positive data acceptance" expects every schema-valid
request to succeed, but a well-formed date can still lie outside the years the calendar
knows (a 422 that names the year), which no static schema can express.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from onewindow.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _demo_zone(db, zone):
    """The calendar endpoints answer for a zone; the default zone must exist."""


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_endpoint_keeps_its_documented_contract(case):
    case.headers = {**(case.headers or {}), "Host": "localhost"}
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
