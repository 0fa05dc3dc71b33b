"""The OpenAPI document tells the truth: schemathesis generates requests from it and
checks every response (status declared, body matching its schema, no server error).

One built-in check is left out: "positive data acceptance" expects every schema-valid
request to succeed, but a well-formed date can still lie outside the years the calendar
knows (a 422 that names the year), and a well-formed department code can name no
department (a 422 that names it), which no static schema can express.

The catalog endpoints get a small published catalog, so the lists answer with rows; the
guides, whose codes generated data would never hit, are also called with real ones.
"""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from onewindow.catalog.constants import DelegationLevel, DelegationStatus, HandlingKind, OnlineDepth
from onewindow.catalog.tests.factories import make_bundle, make_certificate_type, make_item
from onewindow.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django closes stale connections when a request starts and ends, and inside a test's
    transaction it takes PostgreSQL's for stale: the test client disconnects that handler,
    and requests sent straight to the WSGI application need the same."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _demo_zone(db, zone):
    """The calendar endpoints answer for a zone; the default zone must exist."""


@pytest.fixture(autouse=True)
def catalog(_demo_zone, zone, department, other_department, window):
    """Published items (one with every optional element) and a published bundle."""
    licence = make_certificate_type(name="食品经营许可证")
    permit = make_item(
        zone,
        department,
        name="食品经营许可",
        fee_free=False,
        fee_amount="20",
        fee_basis="测试收费依据",
        delegated_from_level=DelegationLevel.CITY,
        delegated_from_organ="市市场监督管理局",
        delegation_agreement_date=dt.date(2025, 3, 1),
        delegation_status=DelegationStatus.ACCEPTED,
        certificate_type=licence,
        materials=[
            "申请书",
            {"name": "食品经营许可证", "source": "certificate", "certificate_type": licence},
        ],
        windows=[window],
    )
    fire = make_item(
        zone,
        other_department,
        name="消防安全检查",
        required_visits=0,
        online_depth=OnlineDepth.FULLY_ONLINE,
        materials=["申请书", "消防安全检查申报表"],
    )
    make_item(zone, other_department, name="竣工验收备案", handling_kind=HandlingKind.IMMEDIATE)
    make_bundle(
        zone,
        department,
        items=[permit.item, fire.item],
        code="restaurant",
        name="开餐馆一件事",
        publish=True,
    )
    return {"permit": permit, "fire": fire}


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_endpoint_keeps_its_documented_contract(case):
    case.headers = {**(case.headers or {}), "Host": "localhost"}
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


def test_the_guides_keep_their_documented_contract(catalog):
    permit = catalog["permit"].item.implementation_code
    cases = [
        ("/api/v1/items/{code}", {"code": permit}, {}),
        ("/api/v1/items/{code}", {"code": permit}, {"version": 1}),
        ("/api/v1/items/{code}", {"code": catalog["fire"].item.implementation_code}, {}),
        ("/api/v1/bundles/{code}", {"code": "restaurant"}, {}),
        ("/api/v1/search", {}, {"q": "食品经营许可证"}),  # an item by its certificate
        ("/api/v1/search", {}, {"q": "开餐馆"}),  # a bundle
    ]
    for path, path_parameters, query in cases:
        case = schema[path]["GET"].Case(
            path_parameters=path_parameters, query=query, headers={"Host": "localhost"}
        )
        response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
        assert response.status_code == 200, response.text
