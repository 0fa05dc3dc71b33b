"""cases.rules as tables: which action each user may take in each state, and why not.

Pure: the rules read attributes only, so plain stand-ins play the case, the task and the
material, and no test touches the database. The services raise these same refusals
(their own tests drive them end to end).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from onewindow.cases import rules
from onewindow.cases.constants import (
    CaseStatus,
    Decision,
    MaterialState,
    TaskKind,
    TaskStatus,
)
from onewindow.cases.rules import Actor
from onewindow.core.errors import Conflict, Forbidden
from onewindow.org.constants import Role

S = CaseStatus
ZONE, OTHER_ZONE = 1, 2
APPLICANT, OTHER_APPLICANT = 10, 11
LEAD, OTHER_DEPARTMENT = 5, 6

CLERK = Actor(pk=1, zone_id=ZONE, roles=frozenset({Role.WINDOW_CLERK}))
OTHER_ZONE_CLERK = Actor(pk=2, zone_id=OTHER_ZONE, roles=frozenset({Role.WINDOW_CLERK}))
OWNER = Actor(pk=3, is_applicant=True, applicant_ids=frozenset({APPLICANT}))
STRANGER = Actor(pk=4, is_applicant=True, applicant_ids=frozenset({OTHER_APPLICANT}))
REVIEWER = Actor(pk=5, zone_id=ZONE, department_roles=frozenset({(Role.REVIEWER, LEAD)}))
DECIDER = Actor(pk=6, zone_id=ZONE, department_roles=frozenset({(Role.DECIDER, LEAD)}))
OTHER_REVIEWER = Actor(
    pk=7, zone_id=ZONE, department_roles=frozenset({(Role.REVIEWER, OTHER_DEPARTMENT)})
)
SUPERVISOR = Actor(pk=8, zone_id=ZONE, roles=frozenset({Role.SUPERVISOR}))
ANONYMOUS = Actor()


DECIDED = {S.APPROVED: Decision.APPROVED, S.DENIED: Decision.DENIED, S.DELIVERED: Decision.APPROVED}


def make_version(**changes):
    values = {"is_immediate": False, "certificate_type_id": None, "issue_before_supplement": False}
    return SimpleNamespace(**(values | changes))


def make_case(status=S.SUBMITTED, **changes):
    values = {
        "status": status,
        "decision": DECIDED.get(status, ""),
        "zone_id": ZONE,
        "applicant_id": APPLICANT,
        "department_id": LEAD,
        "is_child": False,
        "is_bundle": False,
        "extension_days": 0,
        "item_version_id": 1,
        "item_version": make_version(),
    }
    values.update(changes)
    return SimpleNamespace(**values)


def make_task(case=None, **changes):
    values = {
        "status": TaskStatus.CLAIMED,
        "kind": TaskKind.REVIEW,
        "role": Role.REVIEWER,
        "department_id": LEAD,
        "assignee_id": REVIEWER.pk,
        "assignee": "审查员",
        "parent_task_id": None,
        "case": case if case is not None else make_case(S.IN_REVIEW),
    }
    values.update(changes)
    return SimpleNamespace(**values)


def make_row(state=MaterialState.MISSING):
    return SimpleNamespace(state=state)


def code(verdict) -> str:
    return "allowed" if verdict else verdict.code


# -- the case: in which statuses each action is open ------------------------------------

#: action → (who, the statuses where it is allowed). Everywhere else: transition_not_allowed.
CASE_TABLE = {
    "submit": (CLERK, {S.DRAFT}),
    "resubmit": (CLERK, {S.CORRECTION_REQUESTED}),
    "request_correction": (CLERK, {S.SUBMITTED}),
    "refuse": (CLERK, {S.SUBMITTED}),
    "accept": (CLERK, {S.SUBMITTED}),
    "withdraw": (
        OWNER,
        {S.DRAFT, S.SUBMITTED, S.CORRECTION_REQUESTED, S.ACCEPTED, S.IN_REVIEW, S.SUSPENDED},
    ),
    "suspend": (REVIEWER, {S.IN_REVIEW}),
    "resume": (REVIEWER, {S.SUSPENDED}),
    "extend": (DECIDER, {S.ACCEPTED, S.IN_REVIEW}),
}


@pytest.mark.parametrize("status", list(CaseStatus))
@pytest.mark.parametrize("action", list(CASE_TABLE))
def test_each_case_action_is_open_in_its_statuses_only(action, status):
    actor, open_in = CASE_TABLE[action]
    verdict = rules.case_action(actor, make_case(status), action, active_departments={LEAD})
    assert code(verdict) == ("allowed" if status in open_in else "transition_not_allowed")


def test_a_refused_move_names_the_status_and_the_action():
    verdict = rules.case_action(CLERK, make_case(S.DELIVERED), "accept")
    assert verdict.code == "transition_not_allowed"
    assert "已办结" in verdict.reason and "受理" in verdict.reason
    with pytest.raises(Conflict) as refused:
        verdict.raise_()
    assert refused.value.code == "transition_not_allowed"


# -- the case: who --------------------------------------------------------------------------

#: (action, status where it is open) × actor → allowed or not_permitted.
WHO = {
    ("submit", S.DRAFT): {CLERK, OWNER},
    ("resubmit", S.CORRECTION_REQUESTED): {CLERK, OWNER},
    ("request_correction", S.SUBMITTED): {CLERK},
    ("refuse", S.SUBMITTED): {CLERK},
    ("accept", S.SUBMITTED): {CLERK},
    ("withdraw", S.IN_REVIEW): {CLERK, OWNER},
    ("suspend", S.IN_REVIEW): {REVIEWER, DECIDER},
    ("resume", S.SUSPENDED): {REVIEWER, DECIDER},
    ("extend", S.IN_REVIEW): {DECIDER},
}
ACTORS = [
    CLERK,
    OTHER_ZONE_CLERK,
    OWNER,
    STRANGER,
    REVIEWER,
    DECIDER,
    OTHER_REVIEWER,
    SUPERVISOR,
    ANONYMOUS,
]


@pytest.mark.parametrize("actor", ACTORS, ids=lambda actor: f"actor{actor.pk}")
@pytest.mark.parametrize(("action", "status"), list(WHO), ids=lambda value: str(value))
def test_who_may_take_each_case_action(action, status, actor):
    # the lead department has the active task (who handles the case now)
    verdict = rules.case_action(actor, make_case(status), action, active_departments={LEAD})
    expected = "allowed" if actor in WHO[(action, status)] else "not_permitted"
    assert code(verdict) == expected
    if not verdict:
        assert verdict.error is Forbidden


def test_suspension_needs_an_active_task_of_ones_own_department():
    case = make_case(S.IN_REVIEW)
    assert rules.case_action(REVIEWER, case, "suspend", active_departments={LEAD})
    refused = rules.case_action(REVIEWER, case, "suspend", active_departments={OTHER_DEPARTMENT})
    assert refused.code == "not_permitted"
    assert rules.case_action(OTHER_REVIEWER, case, "suspend", active_departments={OTHER_DEPARTMENT})


@pytest.mark.parametrize(
    ("actor", "action", "status", "expected"),
    [
        # suspend and resume: the status first (nobody handles a case without tasks)
        (STRANGER, "suspend", S.SUBMITTED, "transition_not_allowed"),
        (STRANGER, "resume", S.IN_REVIEW, "transition_not_allowed"),
        # the others: who first
        (STRANGER, "accept", S.DELIVERED, "not_permitted"),
        (REVIEWER, "extend", S.DELIVERED, "not_permitted"),
        (OWNER, "refuse", S.DRAFT, "not_permitted"),
    ],
)
def test_the_first_refusal_is_the_one_the_service_gives(actor, action, status, expected):
    assert code(rules.case_action(actor, make_case(status), action)) == expected


@pytest.mark.parametrize(
    ("action", "status", "expected"),
    [
        ("submit", S.DRAFT, "child_case"),
        ("resubmit", S.CORRECTION_REQUESTED, "child_case"),
        ("request_correction", S.SUBMITTED, "child_case"),
        ("refuse", S.SUBMITTED, "child_case"),
        ("accept", S.SUBMITTED, "child_case"),
        ("withdraw", S.IN_REVIEW, "child_case"),
        # a child is handled on its own once in review
        ("suspend", S.IN_REVIEW, "allowed"),
        ("resume", S.SUSPENDED, "allowed"),
        ("extend", S.IN_REVIEW, "allowed"),
    ],
)
def test_a_bundle_child_moves_with_its_parent_until_review(action, status, expected):
    actor = CASE_TABLE[action][0]
    child = make_case(status, is_child=True)
    verdict = rules.case_action(actor, child, action, active_departments={LEAD})
    assert code(verdict) == expected


def test_a_deadline_is_extended_once():
    assert code(rules.case_action(DECIDER, make_case(S.IN_REVIEW, extension_days=5), "extend")) == (
        "already_extended"
    )


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (make_case(S.SUBMITTED, item_version=make_version(is_immediate=True)), "allowed"),
        (make_case(S.SUBMITTED), "not_immediate"),
        (make_case(S.SUBMITTED, is_bundle=True, item_version=None), "not_immediate"),
        (
            make_case(S.IN_REVIEW, item_version=make_version(is_immediate=True)),
            "transition_not_allowed",
        ),
    ],
)
def test_only_an_immediate_item_is_handled_on_the_spot(case, expected):
    assert code(rules.case_action(CLERK, case, "on_the_spot")) == expected


def test_case_actions_answers_every_action():
    verdicts = rules.case_actions(CLERK, make_case(S.SUBMITTED))
    assert set(verdicts) == set(rules.CASE_ACTIONS)
    allowed = {action for action, verdict in verdicts.items() if verdict}
    assert allowed == {"request_correction", "pre_review", "refuse", "accept", "withdraw"}


# -- tasks ----------------------------------------------------------------------------------

#: task status → action → code, for its assignee on a case in review.
TASK_TABLE = {
    TaskStatus.OPEN: {"claim": "allowed", "complete": "allowed", "transfer": "allowed"},
    TaskStatus.CLAIMED: {"claim": "allowed", "complete": "allowed", "transfer": "allowed"},
    TaskStatus.DONE: {
        "claim": "task_not_active",
        "complete": "task_not_active",
        "transfer": "task_not_active",
    },
    TaskStatus.RETURNED: {
        "claim": "task_not_active",
        "complete": "task_not_active",
        "transfer": "task_not_active",
    },
    TaskStatus.CANCELLED: {
        "claim": "task_not_active",
        "complete": "task_not_active",
        "transfer": "task_not_active",
    },
}


@pytest.mark.parametrize("status", list(TaskStatus))
@pytest.mark.parametrize("action", ["claim", "complete", "transfer"])
def test_only_an_active_task_is_worked_on(status, action):
    assignee = REVIEWER.pk if status != TaskStatus.OPEN else None
    task = make_task(status=status, assignee_id=assignee)
    assert code(rules.task_action(REVIEWER, task, action)) == TASK_TABLE[status][action]


@pytest.mark.parametrize(
    ("kind", "allowed"),
    [
        (TaskKind.REVIEW, {"claim", "complete", "return", "transfer", "co_review"}),
        (TaskKind.INSPECTION, {"claim", "complete", "return", "transfer", "co_review"}),
        (TaskKind.DECISION, {"claim", "return", "transfer", "decide"}),
        (TaskKind.DELIVERY, {"claim", "return", "transfer"}),
    ],
)
def test_the_actions_of_each_kind_of_task(kind, allowed):
    task = make_task(kind=kind)
    verdicts = rules.task_actions(REVIEWER, task)
    assert set(verdicts) == set(rules.TASK_ACTIONS)
    assert {action for action, verdict in verdicts.items() if verdict} == allowed
    assert {verdict.code for verdict in verdicts.values() if not verdict} <= {
        "wrong_task_action",
        "transition_not_allowed",  # deliver: the case in review is not decided yet
    }


def test_a_delivery_task_delivers_a_decided_case():
    case = make_case(S.APPROVED)
    task = make_task(case, kind=TaskKind.DELIVERY, role=Role.WINDOW_CLERK, assignee_id=None)
    assert rules.task_action(CLERK, task, "deliver")
    assert code(rules.task_action(OTHER_ZONE_CLERK, task, "deliver")) == "not_permitted"


def test_a_bundle_is_delivered_once_every_child_is_decided():
    case = make_case(S.APPROVED, is_bundle=True)
    task = make_task(case, kind=TaskKind.DELIVERY, role=Role.WINDOW_CLERK, assignee_id=None)
    decided = [make_case(S.APPROVED), make_case(S.DENIED)]
    pending = [make_case(S.APPROVED), make_case(S.IN_REVIEW)]
    assert rules.task_action(CLERK, task, "deliver", children=decided)
    assert code(rules.task_action(CLERK, task, "deliver", children=pending)) == "bundle_not_ready"


def test_a_co_review_is_completed_or_transferred_only():
    parent = make_task()
    co_review = make_task(kind=TaskKind.CO_REVIEW, parent_task_id=1, department_id=LEAD)
    assert rules.task_action(REVIEWER, co_review, "complete")
    assert code(rules.task_action(REVIEWER, co_review, "return")) == "wrong_task_action"
    assert code(rules.task_action(REVIEWER, co_review, "co_review")) == "wrong_task_action"
    assert code(rules.task_action(REVIEWER, parent, "complete", co_reviews_pending=True)) == (
        "co_review_pending"
    )


@pytest.mark.parametrize(
    ("actor", "assignee", "expected"),
    [
        (REVIEWER, None, "allowed"),
        (REVIEWER, REVIEWER.pk, "allowed"),
        (REVIEWER, 99, "task_taken"),
        (OTHER_REVIEWER, None, "not_permitted"),
        (DECIDER, None, "not_permitted"),  # a decider is not a reviewer of the step
        (CLERK, None, "not_permitted"),
        (OWNER, None, "not_permitted"),
        (ANONYMOUS, None, "not_permitted"),
    ],
)
def test_who_works_on_a_task(actor, assignee, expected):
    task = make_task(status=TaskStatus.CLAIMED if assignee else TaskStatus.OPEN)
    task.assignee_id = assignee
    assert code(rules.task_action(actor, task, "complete")) == expected


@pytest.mark.parametrize(
    ("status", "assignee", "expected"),
    [
        (TaskStatus.OPEN, None, "allowed"),
        (TaskStatus.CLAIMED, REVIEWER.pk, "allowed"),  # again: nothing changes
        (TaskStatus.CLAIMED, 99, "task_taken"),
        (TaskStatus.DONE, REVIEWER.pk, "task_not_active"),
    ],
)
def test_claiming(status, assignee, expected):
    task = make_task(status=status, assignee_id=assignee)
    assert code(rules.task_action(REVIEWER, task, "claim")) == expected
    if expected == "task_taken":
        assert "审查员" in rules.task_action(REVIEWER, task, "claim").reason


def test_a_window_task_is_any_clerk_of_the_zones():
    task = make_task(make_case(S.APPROVED), role=Role.WINDOW_CLERK, kind=TaskKind.DELIVERY)
    task.department_id, task.assignee_id, task.status = OTHER_DEPARTMENT, None, TaskStatus.OPEN
    assert rules.task_action(CLERK, task, "claim")
    assert code(rules.task_action(OTHER_ZONE_CLERK, task, "claim")) == "not_permitted"


def test_a_suspended_case_stops_every_task_but_the_delivery():
    case = make_case(S.SUSPENDED)
    review = make_task(case)
    decision = make_task(case, kind=TaskKind.DECISION, role=Role.DECIDER, assignee_id=None)
    delivery = make_task(case, kind=TaskKind.DELIVERY, role=Role.WINDOW_CLERK, assignee_id=None)
    assert code(rules.task_action(REVIEWER, review, "complete")) == "case_suspended"
    assert code(rules.task_action(REVIEWER, review, "transfer")) == "case_suspended"
    # a decision is refused by the table's rule (the case's status does not allow it)
    for decision_value in Decision.values:
        verdict = rules.task_action(DECIDER, decision, "decide", decision=decision_value)
        assert code(verdict) == "transition_not_allowed"
    # the delivery's own check is the table's: a suspended case is not decided
    assert code(rules.task_action(CLERK, delivery, "deliver")) == "transition_not_allowed"
    # claiming is not work: a task may be claimed while the procedure runs
    assert rules.task_action(REVIEWER, make_task(case, status=TaskStatus.OPEN), "claim")


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError):
        rules.case_action(CLERK, make_case(), "approve")
    with pytest.raises(ValueError):
        rules.task_action(REVIEWER, make_task(), "accept")
    with pytest.raises(ValueError):
        rules.material_action(CLERK, make_case(), make_row(), "scan")


# -- materials ------------------------------------------------------------------------------

M = MaterialState
BEFORE_ACCEPTANCE = {S.DRAFT, S.SUBMITTED, S.CORRECTION_REQUESTED}
SUPPLEMENTS = {S.ACCEPTED, S.IN_REVIEW, S.SUSPENDED, S.APPROVED, S.DELIVERED}  # not denied


@pytest.mark.parametrize("status", list(CaseStatus))
@pytest.mark.parametrize("state", list(MaterialState))
@pytest.mark.parametrize("action", rules.MATERIAL_ACTIONS)
def test_when_a_material_may_be_given(action, state, status):
    verdict = rules.material_action(CLERK, make_case(status), make_row(state), action)
    open_now = status in BEFORE_ACCEPTANCE or (state == M.TOLERATED and status in SUPPLEMENTS)
    assert code(verdict) == ("allowed" if open_now else "material_locked")


@pytest.mark.parametrize(
    ("actor", "upload", "paper"),
    [
        (CLERK, "allowed", "allowed"),
        (OWNER, "allowed", "not_permitted"),
        (OTHER_ZONE_CLERK, "not_permitted", "not_permitted"),
        (STRANGER, "not_permitted", "not_permitted"),
        (REVIEWER, "not_permitted", "not_permitted"),
        (ANONYMOUS, "not_permitted", "not_permitted"),
    ],
)
def test_who_gives_a_material(actor, upload, paper):
    case, row = make_case(S.SUBMITTED), make_row()
    assert code(rules.material_action(actor, case, row, "upload")) == upload
    assert code(rules.material_action(actor, case, row, "receive_paper")) == paper
    # who first: a stranger is told so even where the material is closed
    closed = make_case(S.IN_REVIEW)
    expected = "material_locked" if upload == "allowed" else "not_permitted"
    assert code(rules.material_action(actor, closed, row, "upload")) == expected


@pytest.mark.parametrize(
    ("status", "state", "upload", "paper"),
    [
        (S.SUBMITTED, M.MISSING, True, True),
        (S.SUBMITTED, M.UPLOADED, False, False),  # given already
        (S.SUBMITTED, M.SHARED, False, False),  # not asked of the applicant
        (S.DRAFT, M.UPLOADED, True, False),  # the applicant's own file, while drafting
        # 补正: paper is received at the window as an upload is taken (the service allows
        # both; the case page once offered only the upload)
        (S.CORRECTION_REQUESTED, M.MISSING, True, True),
        (S.CORRECTION_REQUESTED, M.UPLOADED, True, False),
        (S.IN_REVIEW, M.TOLERATED, True, True),  # 容缺 supplemented
        (S.DELIVERED, M.TOLERATED, True, True),
        (S.SUBMITTED, M.COMMITTED, False, True),
    ],
)
def test_which_materials_are_worth_offering(status, state, upload, paper):
    case, row = make_case(status), make_row(state)
    assert rules.material_wanted(case, row, "upload") is upload
    assert rules.material_wanted(case, row, "receive_paper") is paper


def test_a_supplement_is_a_tolerated_gap_after_acceptance():
    assert rules.supplements(make_case(S.IN_REVIEW), make_row(M.TOLERATED))
    assert not rules.supplements(make_case(S.SUBMITTED), make_row(M.TOLERATED))
    assert not rules.supplements(make_case(S.IN_REVIEW), make_row(M.MISSING))


def test_require_raises_the_refusal_and_passes_the_allowed():
    rules.require(rules.ALLOWED)
    with pytest.raises(Forbidden) as refused:
        rules.require(rules.case_action(OWNER, make_case(S.SUBMITTED), "accept"))
    assert refused.value.code == "not_permitted"
    assert "窗口人员" in str(refused.value)


# -- 容缺: what waits for the supplement ------------------------------------------------------

OWED = ["经营场所使用证明"]
DECIDER_ACTOR = Actor(pk=5, zone_id=ZONE, department_roles=frozenset({(Role.DECIDER, LEAD)}))


@pytest.mark.parametrize("status", list(CaseStatus))
@pytest.mark.parametrize("decision", ["", Decision.APPROVED, Decision.DENIED])
def test_tolerated_materials_are_owed_from_acceptance_unless_denied(status, decision):
    case = make_case(status, decision=decision)
    owed = status in SUPPLEMENTS and decision != Decision.DENIED
    assert rules.supplement_owed(case) is owed
    assert rules.supplements(case, make_row(M.TOLERATED)) is owed


def deciding(**version):
    case = make_case(S.IN_REVIEW, item_version=make_version(**version))
    task = make_task(case, kind=TaskKind.DECISION, role=Role.DECIDER, assignee_id=DECIDER_ACTOR.pk)
    return case, task


def test_an_approval_that_issues_a_certificate_waits_for_the_supplement():
    _case, task = deciding(certificate_type_id=7)
    held = rules.task_action(DECIDER_ACTOR, task, "decide", owed=OWED)
    assert code(held) == "supplement_pending"
    assert "经营场所使用证明" in held.reason and "签发证照" in held.reason
    # a denial needs no supplement; nothing owed, nothing held
    assert rules.task_action(DECIDER_ACTOR, task, "decide", decision=Decision.DENIED, owed=OWED)
    assert rules.task_action(DECIDER_ACTOR, task, "decide", owed=())


def test_issue_before_supplement_lets_the_approval_go_ahead():
    _case, task = deciding(certificate_type_id=7, issue_before_supplement=True)
    assert rules.task_action(DECIDER_ACTOR, task, "decide", owed=OWED)


def test_an_approval_without_a_certificate_is_not_held():
    _case, task = deciding(certificate_type_id=None)
    assert rules.task_action(DECIDER_ACTOR, task, "decide", owed=OWED)


def delivering(status=S.APPROVED, **changes):
    case = make_case(status, **changes)
    return make_task(case, kind=TaskKind.DELIVERY, role=Role.WINDOW_CLERK, assignee_id=None)


def test_an_approval_is_delivered_only_once_the_supplement_is_in():
    held = rules.task_action(CLERK, delivering(), "deliver", owed=OWED)
    assert code(held) == "supplement_pending" and "送达" in held.reason
    assert rules.task_action(CLERK, delivering(), "deliver", owed=())
    denied = delivering(S.DENIED)
    assert rules.task_action(CLERK, denied, "deliver", owed=OWED)
    marked = delivering(item_version=make_version(issue_before_supplement=True))
    assert rules.task_action(CLERK, marked, "deliver", owed=OWED)


def test_a_bundle_is_delivered_before_the_supplement_only_if_every_approved_item_allows_it():
    task = delivering(is_bundle=True, item_version_id=None, item_version=None)
    allows = make_case(S.APPROVED, item_version=make_version(issue_before_supplement=True))
    refuses = make_case(S.APPROVED)
    denied = make_case(S.DENIED)
    assert rules.task_action(CLERK, task, "deliver", children=[allows, denied], owed=OWED)
    held = rules.task_action(CLERK, task, "deliver", children=[allows, refuses], owed=OWED)
    assert code(held) == "supplement_pending"
