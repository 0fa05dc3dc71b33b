"""Workflow rules (pure, no database): every rule with its exact message, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onewindow.catalog.workflow import StepSpec, validate_workflow, workflow_structure
from onewindow.core.errors import ValidationFailed


def step(key, kind="review", after=(), limit=1, role="reviewer", name=None):
    return StepSpec(
        key=key, name=name or key.upper(), kind=kind, role=role, limit_days=limit, after=after
    )


STANDARD = [
    step("accept", "acceptance", role="window_clerk"),
    step("review", after=("accept",), limit=2),
    step("decide", "decision", after=("review",), role="decider"),
    step("deliver", "delivery", after=("decide",), role="window_clerk"),
]


def problems(steps, *, limit=20, kind="promised") -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        validate_workflow(steps, promised_limit_days=limit, handling_kind=kind)
    error = caught.value
    assert list(error.fields) == ["steps"]
    assert error.message == error.fields["steps"][0]
    return error.fields["steps"]


# --- a valid workflow and its plan ----------------------------------------------------


def test_standard_workflow_plan():
    plan = validate_workflow(STANDARD, promised_limit_days=5, handling_kind="promised")

    assert plan.order == ["accept", "review", "decide", "deliver"]
    assert plan.levels == [["accept"], ["review"], ["decide"], ["deliver"]]
    assert plan.longest_path == ["accept", "review", "decide", "deliver"]
    assert plan.longest_days == 5
    assert plan.successors == {
        "accept": ["review"],
        "review": ["decide"],
        "decide": ["deliver"],
        "deliver": [],
    }
    assert (plan.start, plan.decision) == ("accept", "decide")
    assert plan.path_names() == "ACCEPT → REVIEW → DECIDE → DELIVER"


def test_parallel_reviews_share_a_level_and_the_longest_branch_counts():
    # given: two departments review in parallel (并联审批), 3 and 5 days
    steps = [
        step("accept", "acceptance", role="window_clerk"),
        step("fire", after=("accept",), limit=3),
        step("environment", after=("accept",), limit=5),
        step("decide", "decision", after=("fire", "environment"), role="decider"),
        step("deliver", "delivery", after=("decide",), limit=1),
    ]

    plan = validate_workflow(steps, promised_limit_days=8, handling_kind="promised")

    assert plan.levels == [["accept"], ["fire", "environment"], ["decide"], ["deliver"]]
    assert plan.longest_path == ["accept", "environment", "decide", "deliver"]
    assert plan.longest_days == 8
    assert plan.order.index("decide") > plan.order.index("environment")


def test_level_is_the_longest_chain_before_a_step():
    steps = [
        step("a", "acceptance"),
        step("b", after=("a",)),
        step("c", after=("b",)),
        step("d", "decision", after=("a", "c")),
    ]

    plan = validate_workflow(steps, promised_limit_days=20, handling_kind="promised")

    assert plan.levels == [["a"], ["b"], ["c"], ["d"]]


def test_decision_without_delivery_is_valid():
    steps = [step("accept", "acceptance"), step("decide", "decision", after=("accept",))]

    plan = validate_workflow(steps, promised_limit_days=2, handling_kind="promised")

    assert plan.longest_days == 2


def test_immediate_item_has_one_on_the_spot_decision():
    only = step("decide", "decision", role="window_clerk", limit=0)

    plan = validate_workflow([only], promised_limit_days=0, handling_kind="immediate")

    assert plan.order == ["decide"] and plan.longest_days == 0


def test_step_spec_from_a_row_like_object():
    class Row:
        key, name, kind, role, limit_days, after, department_id = (
            "review", "审查", "review", "reviewer", 2, ["accept"], 7
        )  # fmt: skip

    assert StepSpec.of(Row()) == StepSpec("review", "审查", "review", "reviewer", 2, ("accept",), 7)


# --- each rule, its message ------------------------------------------------------------


def test_no_steps():
    assert problems([]) == ["办理流程至少需要一个环节"]


@pytest.mark.parametrize("key", ["", "Accept", "1st", "审查", "a b", "a" * 41])
def test_key_must_be_slug_like(key):
    steps = [step(key, "decision", name="决定")]

    assert problems(steps) == [
        f"环节编码“{key}”应以小写字母开头，只含小写字母、数字、下划线或连字符，最长40位"
    ]


def test_keys_unique():
    steps = [step("a", "acceptance"), step("a", "decision")]

    assert problems(steps) == ["环节编码“a”重复"]


def test_name_required():
    assert problems([step("a", "decision", name=" ")]) == ["环节“a”的名称不能为空"]


def test_kind_and_role_known():
    steps = [step("a", "approve", role="boss")]

    assert problems(steps) == ["环节“a”的类型“approve”无效", "环节“a”的办理角色“boss”无效"]


@pytest.mark.parametrize("limit", [-1, 1.5, True])
def test_limit_is_a_whole_number(limit):
    assert problems([step("a", "decision", limit=limit)]) == [
        "环节“a”的时限应为不小于0的整数（工作日）"
    ]


def test_after_names_existing_steps_not_itself_once():
    steps = [
        step("a", "acceptance"),
        step("b", "decision", after=("a", "a")),
        step("c", "delivery", after=("c",)),
        step("d", "delivery", after=("ghost",)),
    ]

    assert problems(steps) == [
        "环节“b”的前置环节“a”重复",
        "环节“c”不能以自身为前置环节",
        "环节“d”的前置环节“ghost”不存在",
    ]


def test_cycle_is_named():
    steps = [
        step("accept", "acceptance", name="受理"),
        step("review", after=("accept", "inspect"), name="审查"),
        step("inspect", "inspection", after=("review",), name="核查"),
        step("decide", "decision", after=("inspect",), name="决定"),
    ]

    assert problems(steps) == [
        "办理流程存在循环：审查（review） → 核查（inspect） → 审查（review）"
    ]


def test_one_start_step():
    steps = [
        step("accept", "acceptance", name="受理"),
        step("prereview", name="预审"),
        step("decide", "decision", after=("accept", "prereview")),
    ]

    assert problems(steps) == [
        "办理流程只能有一个起始环节（没有前置环节的环节），现有2个：“受理”（accept）、“预审”（prereview）"
    ]


def test_a_decision_step_is_needed():
    steps = [step("accept", "acceptance"), step("review", after=("accept",))]

    assert problems(steps) == ["办理流程需要一个决定环节（类型为“决定”）"]


def test_only_one_decision_step():
    steps = [
        step("accept", "acceptance"),
        step("decide", "decision", after=("accept",), name="决定"),
        step("approve", "decision", after=("decide",), name="批准"),
    ]

    assert problems(steps) == [
        "办理流程只能有一个决定环节，现有2个：“决定”（decide）、“批准”（approve）"
    ]


def test_only_delivery_after_the_decision():
    steps = [
        step("accept", "acceptance"),
        step("decide", "decision", after=("accept",)),
        step("archive", "review", after=("decide",), name="归档"),
    ]

    assert problems(steps) == ["决定环节之后只能是送达环节，“归档”（archive）的类型是“审查”"]


def test_every_step_reaches_the_decision():
    # given: an inspection hanging off the review, leading nowhere
    steps = [
        step("accept", "acceptance"),
        step("review", after=("accept",)),
        step("inspect", "inspection", after=("review",), name="现场核查"),
        step("decide", "decision", after=("review",)),
    ]

    assert problems(steps) == ["环节“现场核查”（inspect）既不通向决定环节，也不在决定环节之后"]


def test_longest_path_fits_the_promised_limit():
    assert problems(STANDARD, limit=4) == [
        "办理流程最长路径“ACCEPT → REVIEW → DECIDE → DELIVER”共5个工作日，超过承诺办结时限4个工作日"
    ]


def test_immediate_item_has_one_step():
    assert problems(STANDARD, limit=0, kind="immediate") == [
        "即办件的办理流程应只有一个环节（窗口当场决定）"
    ]


@pytest.mark.parametrize(
    "only",
    [
        step("decide", "review", role="window_clerk", limit=0),
        step("decide", "decision", role="decider", limit=0),
    ],
)
def test_immediate_step_is_the_window_decision(only):
    assert problems([only], limit=0, kind="immediate") == [
        "即办件的唯一环节应为窗口当场决定：类型“决定”、办理角色“综合窗口人员”、时限0个工作日"
    ]


def test_immediate_step_takes_no_days():
    only = step("decide", "decision", role="window_clerk", limit=1)

    assert problems([only], limit=0, kind="immediate") == [
        "即办件的唯一环节应为窗口当场决定：类型“决定”、办理角色“综合窗口人员”、时限0个工作日",
        "办理流程最长路径“DECIDE”共1个工作日，超过承诺办结时限0个工作日",
    ]


def test_several_problems_are_reported_together():
    steps = [
        step("a", "acceptance"),
        step("b", "acceptance"),
        step("c", after=("a", "b")),
    ]

    assert problems(steps, limit=1) == [
        "办理流程只能有一个起始环节（没有前置环节的环节），现有2个：“A”（a）、“B”（b）",
        "办理流程需要一个决定环节（类型为“决定”）",
        "办理流程最长路径“A → C”共2个工作日，超过承诺办结时限1个工作日",
    ]


# --- properties -------------------------------------------------------------------------


@st.composite
def dags(draw):
    """A random DAG over steps s0…sN-1: edges only from lower to higher index."""
    size = draw(st.integers(min_value=1, max_value=12))
    steps = []
    for index in range(size):
        after = draw(st.sets(st.integers(min_value=0, max_value=index - 1))) if index else set()
        steps.append(
            step(
                f"s{index}",
                limit=draw(st.integers(min_value=0, max_value=5)),
                after=tuple(f"s{before}" for before in sorted(after)),
            )
        )
    order = draw(st.permutations(steps))
    return list(order)


@given(dags())
def test_random_dags_pass_the_structure_checks(steps):
    plan = workflow_structure(steps)

    position = {key: index for index, key in enumerate(plan.order)}
    assert sorted(plan.order) == sorted(s.key for s in steps)
    for s in steps:
        for before in s.after:
            assert position[before] < position[s.key]
    depth = {key: level for level, keys in enumerate(plan.levels) for key in keys}
    for s in steps:
        for before in s.after:
            assert depth[before] < depth[s.key]
    assert plan.longest_days == sum(plan.steps[key].limit_days for key in plan.longest_path)
    for here, there in zip(plan.longest_path, plan.longest_path[1:], strict=False):
        assert there in plan.successors[here]


def _descendants(key, successors):
    seen, pending = set(), [key]
    while pending:
        for child in successors[pending.pop()]:
            if child not in seen:
                seen.add(child)
                pending.append(child)
    return sorted(seen)


@given(dags(), st.data())
def test_a_back_edge_always_reports_a_cycle(steps, data):
    # given: u and a step v reachable from u; the back edge v → u closes a cycle
    if len(steps) == 1:
        steps = [*steps, step("extra", after=(steps[0].key,))]
    plan = workflow_structure(steps)
    pairs = [(u, v) for u in plan.order for v in _descendants(u, plan.successors)]
    if not pairs:  # no edges at all: chain two of the steps
        u, v = steps[0].key, steps[1].key
        steps = [s if s.key != v else StepSpec(v, s.name, s.kind, s.role, 0, (u,)) for s in steps]
        pairs = [(u, v)]
    first, last = data.draw(st.sampled_from(pairs))
    looped = [
        StepSpec(s.key, s.name, s.kind, s.role, s.limit_days, (*s.after, last))
        if s.key == first
        else s
        for s in steps
    ]

    with pytest.raises(ValidationFailed) as caught:
        workflow_structure(looped)

    [message] = caught.value.fields["steps"]
    assert message.startswith("办理流程存在循环：")
    assert f"（{first}）" in message and f"（{last}）" in message
