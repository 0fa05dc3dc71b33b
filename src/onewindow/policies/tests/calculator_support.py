"""Shared scene for the calculator's tests: items of the zone, and enterprise facts written to
the profile the way the site writes them (``services.profile.set_facts``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.policies.constants import RedemptionWay
from onewindow.policies.models.profile import FactSource
from onewindow.policies.services import calculator
from onewindow.policies.services.profile import set_facts
from onewindow.policies.tests.factories import (
    NOT_SERIOUS_BAD_CREDIT,
    RD_SHARE_AT_LEAST_5,
    make_version,
)

ON = dt.date(2026, 6, 1)
HIGH_TECH = {"fact": "qualifications", "op": "holds", "value": "high_tech", "clause": "第三条"}
GOOD_FACTS = {"rd_share": "0.06", "credit_status": "normal"}


def declare(enterprise, facts, actor=None):
    """Write ``facts`` to the enterprise's profile as its declaration of today."""
    return set_facts(
        actor, enterprise, facts, source=FactSource.DECLARED, as_of=timezone.localdate()
    )


@pytest.fixture(name="give_facts")
def give_facts_fixture():
    """``give_facts(enterprise, {...})``: the enterprise declares these facts (the compiled
    items are forgotten first, so each test compiles its own)."""
    calculator.forget_compiled()
    return declare


def scene(pw):
    """Four items: R&D award (20), high-tech award excluding it (50, needs the
    qualification), a rate on R&D expense (fast, 快申快享), one needing tax paid ≥ 1000."""
    rd = make_version(pw, code="ZC-001")
    high_tech = make_version(
        pw,
        code="ZC-002",
        name="高新技术企业奖励（示例）",
        condition={"all": [HIGH_TECH, NOT_SERIOUS_BAD_CREDIT]},
        amount={"kind": "fixed", "amount": "50"},
    )
    high_tech.excludes.add(rd.item)
    rate = make_version(
        pw,
        code="ZC-003",
        name="研发费用补助（示例）",
        way=RedemptionWay.FAST,
        condition={"all": [RD_SHARE_AT_LEAST_5]},
        amount={"kind": "rate", "of": "rd_expense", "rate": "0.1", "cap": "200"},
    )
    tax = make_version(
        pw,
        code="ZC-004",
        name="纳税大户奖励（示例）",
        condition={
            "all": [
                {"fact": "tax_paid", "op": ">=", "value": "1000", "clause": "第八条"},
                {"fact": "employees", "op": ">=", "value": 500, "clause": "第八条"},
                {"fact": "revenue", "op": ">=", "value": "100000", "clause": "第八条"},
            ]
        },
        amount={"kind": "fixed", "amount": "100"},
    )
    return {"rd": rd, "high_tech": high_tech, "rate": rate, "tax": tax}
