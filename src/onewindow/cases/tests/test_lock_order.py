"""The locks of a decision that issues a certificate and of a withdrawal, in the order of
ADR 0019 (PostgreSQL): the case rows (the case, then its tasks), then the serial counter;
never the installation-wide audit chain head (ADR 0004: events are linked after commit)."""

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
    assert CHAIN_HEAD not in tables
    assert tables[-1] == "certificates_certificatesequence"


def test_an_approval_locks_no_case_row_after_the_counter(
    world,
    issuing_item,  # noqa: F811
    signing_key,  # noqa: F811
):
    tables = decide(world, issuing_item)
    counter = tables.index("certificates_certificatesequence")
    # Before the counter: the case's rows, then the domain rows that follow a decided case
    # (a policy redemption waiting for it, through cases.signals.case_decided).
    followers = {"policies_redemption"}
    assert all(t.startswith("cases_") or t in followers for t in tables[:counter]), tables
    assert tables[counter + 1 :] == []


def test_a_withdrawal_locks_the_case_and_its_tasks_only(world):
    case = world.accepted()

    with locked_tables() as tables:
        case_withdraw(case=case, actor=world.applicant_user, reason="不办了")

    assert tables == ["cases_case", "cases_task"]
