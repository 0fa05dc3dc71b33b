"""What the redemption tests share: enterprise facts in memory and a small evaluator of the
test conditions standing in for the profile and the rule engine (``services.matching``'s
``zone_facts`` and ``evaluate_version``) until those parts are on this branch."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import pytest

from onewindow.certificates.keys import key_generate
from onewindow.policies.services import matching


def _leaf(leaf: dict, facts: dict) -> bool | None:
    value = facts.get(leaf["fact"])
    if value is None:
        return None
    if leaf["op"] == ">=":
        return Decimal(str(value)) >= Decimal(str(leaf["value"]))
    if leaf["op"] == "not_in":
        return value not in leaf["value"]
    raise AssertionError(f"the test evaluator has no {leaf['op']}")


def fake_evaluate(version, facts, on):
    found = matching.VersionEvaluation(enterprises=len(facts))
    leaves = version.condition["all"]
    for enterprise_id, row in facts.items():
        outcomes = [_leaf(leaf, row) for leaf in leaves]
        reasons = [
            {"clause": leaf["clause"], "outcome": str(outcome), "text": leaf["fact"]}
            for leaf, outcome in zip(leaves, outcomes, strict=True)
        ]
        if all(outcome is True for outcome in outcomes):
            digest = hashlib.sha256(
                json.dumps(
                    [row, version.key, version.content(), on.isoformat()], default=str
                ).encode()
            ).hexdigest()
            found.eligible.append(
                matching.Match(enterprise_id, Decimal(version.amount["amount"]), reasons, digest)
            )
        elif None not in outcomes and outcomes.count(False) == 1:
            found.near += 1
        elif None in outcomes and False not in outcomes:
            found.unknown += 1
    return found


@pytest.fixture
def facts(monkeypatch) -> dict:
    """Enterprise id → facts, as the profile would answer for the zone."""
    table: dict = {}
    monkeypatch.setattr(matching, "zone_facts", lambda zone: dict(table))
    monkeypatch.setattr(matching, "evaluate_version", fake_evaluate)
    return table


@pytest.fixture
def zone_key(pw):
    return key_generate(zone=pw.zone)


QUALIFIED = {"rd_share": "0.06", "credit_status": "good"}
NEAR = {"rd_share": "0.04", "credit_status": "good"}
UNKNOWN = {"credit_status": "good"}


def make_enterprise(world, n: int):
    """One more enterprise of the zone (no representative)."""
    from onewindow.catalog.tests.factories import uscc_for
    from onewindow.org.constants import ApplicantKind
    from onewindow.org.models import Applicant

    enterprise = Applicant.objects.create(
        kind=ApplicantKind.ENTERPRISE,
        name=f"示范企业{n}有限公司",
        uscc=uscc_for(8300 + n, registration="91"),
        legal_representative="张三",
    )
    enterprise.registered_zones.add(world.zone)
    return enterprise
