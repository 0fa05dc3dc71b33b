"""The calculator's API: evaluate by facts (anyone, throttled) or by enterprise (its
representatives and the zone's readers), and an enterprise's matches; bad input names the
field; refused roles get the same 404 as an unknown code."""

from __future__ import annotations

import pytest

from onewindow.policies.constants import RedemptionWay
from onewindow.policies.tests.calculator_support import (  # noqa: F401
    GOOD_FACTS,
    give_facts_fixture,
    scene,
)
from onewindow.testing.clients import client_for, send

pytestmark = pytest.mark.django_db

EVALUATE = "/api/v1/policies/evaluate"


def post(user, body):
    return send(client_for(user, csrf=True), "POST", EVALUATE, json=body)


def matches(user, uscc, query=None):
    return send(client_for(user, csrf=True), "GET", f"/api/v1/enterprises/{uscc}/matches", query)


def outcomes(response) -> dict[str, str]:
    return {row["code"]: row["outcome"] for row in response.json()["results"]}


def test_anyone_evaluates_typed_facts(pw, give_facts):
    scene(pw)
    response = post(None, {"facts": {**GOOD_FACTS, "rd_expense": "300"}, "on": "2026-06-01"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["indicative"] is True
    assert outcomes(response)["ZC-001"] == "eligible"
    assert outcomes(response)["ZC-004"] == "unknown"
    rate = next(row for row in body["results"] if row["code"] == "ZC-003")
    assert rate["amount"] == "30" and len(rate["result_hash"]) == 64
    assert rate["way"] == RedemptionWay.FAST and rate["way_label"] == str(RedemptionWay.FAST.label)
    assert rate["reasons"][0]["clause"] == "第十一条(四)"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"facts": {"turnover": 1}}, "facts.turnover"),
        ({"facts": {"employees": "many"}}, "facts.employees"),
        ({"facts": {}, "on": "2026-02-30"}, "on"),
        ({}, "facts"),
        ({"facts": {}, "enterprise": "x"}, "facts"),
    ],
)
def test_bad_input_names_the_field(pw, body, field):
    response = post(None, body)
    assert response.status_code == 422, response.content
    fields = response.json()["fields"]
    assert any(name.endswith(field) for name in fields), fields


def test_anonymous_tries_are_throttled(pw, settings, monkeypatch):
    from onewindow.policies.services import calculator

    monkeypatch.setattr(
        calculator, "TRY_LIMIT", calculator.FixedWindow("policies:try-test", limit=1, seconds=60)
    )
    assert post(None, {"facts": {}}).status_code == 200
    refused = post(None, {"facts": {}})
    assert refused.status_code == 429 and refused["Retry-After"]


def test_representative_evaluates_own_enterprise(pw, give_facts):
    scene(pw)
    give_facts(pw.enterprise, GOOD_FACTS)
    response = post(pw.representative, {"enterprise": pw.enterprise.uscc, "on": "2026-06-01"})
    assert response.status_code == 200, response.content
    assert response.json()["enterprise"] == pw.enterprise.uscc
    assert outcomes(response)["ZC-001"] == "eligible"


@pytest.mark.parametrize("who", ["officer", "administrator", "supervisor", "analyst"])
def test_zone_readers_may_name_an_enterprise(pw, give_facts, who):
    scene(pw)
    give_facts(pw.enterprise, GOOD_FACTS)
    assert post(getattr(pw, who), {"enterprise": pw.enterprise.uscc}).status_code == 200
    assert matches(getattr(pw, who), pw.enterprise.uscc).status_code == 200


@pytest.mark.parametrize("who", ["other_representative", "stranger", "clerk"])
def test_others_get_the_same_404_as_an_unknown_code(pw, give_facts, who):
    scene(pw)
    refused = post(getattr(pw, who), {"enterprise": pw.enterprise.uscc})
    unknown = post(getattr(pw, who), {"enterprise": "91000000000000000X"})
    assert refused.status_code == unknown.status_code == 404
    assert refused.json() == unknown.json()
    assert matches(getattr(pw, who), pw.enterprise.uscc).status_code == 404


def test_anonymous_may_not_name_an_enterprise(pw):
    assert post(None, {"enterprise": pw.enterprise.uscc}).status_code == 401
    assert matches(None, pw.enterprise.uscc).status_code == 401


def test_matches_of_the_enterprise(pw, give_facts):
    scene(pw)
    give_facts(pw.enterprise, {"rd_share": "0.046", "credit_status": "normal"})
    response = matches(pw.representative, pw.enterprise.uscc, {"on": "2026-06-01"})
    assert response.status_code == 200
    assert outcomes(response)["ZC-001"] == "near"
    assert response.json()["counts"]["near"] >= 1
    assert matches(pw.representative, pw.enterprise.uscc, {"on": "x"}).status_code == 422


# -- the ineligible: counted, listed only when asked -------------------------------------------

POOR_FACTS = {
    "rd_share": "0.01",
    "credit_status": "serious_bad",
    "rd_expense": "1",
    "tax_paid": "1",
    "employees": 3,
    "revenue": "10",
}


def test_ineligible_are_counted_and_listed_only_when_asked(pw, give_facts):
    scene(pw)
    body = {"facts": POOR_FACTS, "on": "2026-06-01"}
    default = post(None, body)
    assert default.status_code == 200, default.content
    answer = default.json()
    assert answer["include_ineligible"] is False
    asked = post(None, {**body, "include_ineligible": True})
    assert asked.status_code == 200, asked.content
    assert asked.json()["include_ineligible"] is True
    listed = outcomes(asked)
    assert set(listed) == {"ZC-001", "ZC-002", "ZC-003", "ZC-004"}
    assert listed["ZC-004"] == "ineligible"  # three leaves off: not near
    shown = {code: outcome for code, outcome in listed.items() if outcome != "ineligible"}
    assert shown and outcomes(default) == shown
    ineligible = len(listed) - len(shown)
    assert answer["counts"]["ineligible"] == ineligible >= 1
    reasons = next(r for r in asked.json()["results"] if r["code"] == "ZC-004")["reasons"]
    assert [reason["outcome"] for reason in reasons] == ["false", "false", "false"]
    assert asked.json()["counts"] == answer["counts"]


def test_enterprise_and_matches_list_the_ineligible_only_when_asked(pw, give_facts):
    scene(pw)
    give_facts(pw.enterprise, POOR_FACTS)
    body = {"enterprise": pw.enterprise.uscc, "on": "2026-06-01"}
    default = outcomes(post(pw.representative, body))
    assert "ZC-004" not in default and "ineligible" not in default.values()
    asked = post(pw.representative, {**body, "include_ineligible": True})
    assert outcomes(asked)["ZC-004"] == "ineligible" and len(outcomes(asked)) == 4
    uscc = pw.enterprise.uscc
    assert outcomes(matches(pw.representative, uscc, {"on": "2026-06-01"})) == default
    listed = matches(pw.representative, uscc, {"on": "2026-06-01", "include_ineligible": "true"})
    assert listed.status_code == 200 and len(outcomes(listed)) == 4


def test_include_ineligible_must_be_a_yes_or_no(pw, give_facts):
    scene(pw)
    refused = post(None, {"facts": {}, "include_ineligible": "perhaps"})
    assert refused.status_code == 422
    assert any(name.endswith("include_ineligible") for name in refused.json()["fields"])
    uscc = pw.enterprise.uscc
    bad = matches(pw.representative, uscc, {"include_ineligible": "perhaps"})
    assert bad.status_code == 422


def test_openapi_documents_include_ineligible(client):
    schema = client.get("/api/v1/openapi.json").json()
    text = str(schema)
    assert "include_ineligible" in text and "不符合的事项" in text
