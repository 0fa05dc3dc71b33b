"""The locks of a decision that issues a certificate and of a withdrawal, in the order of
ADR 0019 (PostgreSQL): the case rows (the case, then its tasks), then the audit chain
head, then the serial counter."""

from __future__ import annotations

from onewindow.cases.constants import Decision
from onewindow.cases.services import case_withdraw, task_decide
from onewindow.cases.tests.test_certificates_integration import (  # noqa: F401 (fixtures)
    FACTS,
    food_licence,
    frozen,
    in_review_decision,
    issuing_item,
    signing_key,
)
from onewindow.testing.locks import CHAIN_HEAD, locked_tables, postgresql_only

pytestmark = postgresql_only


def decide(world, item) -> list[str]:
    _case, task = in_review_decision(world, item)
    with locked_tables() as tables:
        task_decide(
            task=task, actor=world.decider, decision=Decision.APPROVED, certificate_facts=FACTS
        )
    return tables


def test_an_approval_locks_the_case_and_its_task_first_and_the_serial_last(
    world,
    issuing_item,  # noqa: F811
    signing_key,  # noqa: F811
):
    tables = decide(world, issuing_item)
    assert tables[:2] == ["cases_case", "cases_task"]
    assert CHAIN_HEAD in tables
    assert tables[-1] == "certificates_certificatesequence"


def test_an_approval_locks_no_case_row_after_the_chain_head(
    world,
    issuing_item,  # noqa: F811
    signing_key,  # noqa: F811
):
    tables = decide(world, issuing_item)
    head = tables.index(CHAIN_HEAD)
    assert all(table.startswith("cases_") for table in tables[:head])
    assert tables[head + 1 :] == ["certificates_certificatesequence"]


def test_a_withdrawal_locks_the_case_and_its_tasks_before_the_chain_head(world):
    case = world.accepted()

    with locked_tables() as tables:
        case_withdraw(case=case, actor=world.applicant_user, reason="不办了")

    head = tables.index(CHAIN_HEAD)
    assert tables[:head] == ["cases_case", "cases_task"]
    assert not [table for table in tables[head + 1 :] if table.startswith("cases_")]
