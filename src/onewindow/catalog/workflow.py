"""An item's workflow (办理流程) as data: a small DAG of steps, checked without the database.

Each step names the steps it comes ``after``. A valid workflow has one start step (no
``after``), one decision step (kind ``decision``); every step before the decision leads to
it, and only delivery steps (送达) follow it; the longest path from the start, summing the
step limits in working days, fits inside the item's promised limit. A 即办件 (immediate
item) has exactly one step: the window clerk decides on the spot (kind ``decision``, role
``window_clerk``, limit 0).

:func:`validate_workflow` returns a :class:`WorkflowPlan` (topological order, parallel
levels for drawing, the longest path) or raises ``ValidationFailed`` with every problem
it found under ``fields["steps"]``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from onewindow.catalog.constants import HandlingKind, StepKind, StepRole
from onewindow.core.errors import ValidationFailed

STEP_KEY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
ARROW = " → "


@dataclass(frozen=True)
class StepSpec:
    """One step as the workflow rules see it (a ``catalog.Step`` row or an input dict)."""

    key: str
    name: str
    kind: str
    role: str
    limit_days: int
    after: tuple[str, ...] = ()
    department_id: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "after", tuple(self.after or ()))

    @classmethod
    def of(cls, step: Any) -> StepSpec:
        """The spec of a ``catalog.Step`` row (or anything with the same attributes)."""
        return cls(
            key=step.key,
            name=step.name,
            kind=step.kind,
            role=step.role,
            limit_days=step.limit_days,
            after=tuple(step.after or ()),
            department_id=getattr(step, "department_id", None),
        )


@dataclass
class WorkflowPlan:
    """A checked workflow: what pages draw and what cases (later) walk."""

    steps: dict[str, StepSpec]
    order: list[str]  # topological: every step after the steps it comes after
    levels: list[list[str]]  # steps that can run in parallel, depth by depth
    longest_path: list[str]
    longest_days: int
    successors: dict[str, list[str]]
    start: str = ""
    decision: str = ""
    predecessors: dict[str, list[str]] = field(default_factory=dict)

    def path_names(self, keys: Sequence[str] | None = None) -> str:
        keys = self.longest_path if keys is None else keys
        return ARROW.join(self.steps[key].name for key in keys)


def _fail(messages: list[str]) -> ValidationFailed:
    return ValidationFailed(messages[0], fields={"steps": list(messages)})


def step_field_errors(steps: Sequence[StepSpec]) -> list[str]:
    """The checks of each step on its own and of the references between steps.

    Drafts are held to these (the database needs unique keys); publishing checks the
    whole workflow with :func:`validate_workflow`.
    """
    errors: list[str] = []
    seen: set[str] = set()
    keys = {step.key for step in steps}
    for step in steps:
        key = step.key
        if not isinstance(key, str) or not STEP_KEY_RE.match(key):
            errors.append(
                _(
                    "环节编码“{key}”应以小写字母开头，只含小写字母、数字、下划线或连字符，最长40位"
                ).format(key=key)
            )
        elif key in seen:
            errors.append(_("环节编码“{key}”重复").format(key=key))
        seen.add(key)
        if not (step.name or "").strip():
            errors.append(_("环节“{key}”的名称不能为空").format(key=key))
        if step.kind not in StepKind.values:
            errors.append(_("环节“{key}”的类型“{kind}”无效").format(key=key, kind=step.kind))
        if step.role not in StepRole.values:
            errors.append(_("环节“{key}”的办理角色“{role}”无效").format(key=key, role=step.role))
        if (
            not isinstance(step.limit_days, int)
            or isinstance(step.limit_days, bool)
            or step.limit_days < 0
        ):
            errors.append(_("环节“{key}”的时限应为不小于0的整数（工作日）").format(key=key))
        listed: set[str] = set()
        for before in step.after:
            if before == key:
                errors.append(_("环节“{key}”不能以自身为前置环节").format(key=key))
            elif before not in keys:
                errors.append(
                    _("环节“{key}”的前置环节“{after}”不存在").format(key=key, after=before)
                )
            elif before in listed:
                errors.append(_("环节“{key}”的前置环节“{after}”重复").format(key=key, after=before))
            listed.add(before)
    return errors


def _find_cycle(keys: list[str], successors: dict[str, list[str]]) -> list[str] | None:
    """A cycle as a list of keys (first key repeated at the end), or None."""
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(keys, white)
    for root in keys:
        if colour[root] != white:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = [root]
        colour[root] = grey
        while stack:
            node, index = stack[-1]
            children = successors[node]
            if index < len(children):
                stack[-1] = (node, index + 1)
                child = children[index]
                if colour[child] == grey:
                    return [*path[path.index(child) :], child]
                if colour[child] == white:
                    colour[child] = grey
                    stack.append((child, 0))
                    path.append(child)
            else:
                colour[node] = black
                stack.pop()
                path.pop()
    return None


def _reachable(start: str, successors: dict[str, list[str]]) -> set[str]:
    seen = {start}
    pending = [start]
    while pending:
        for child in successors[pending.pop()]:
            if child not in seen:
                seen.add(child)
                pending.append(child)
    return seen


def workflow_structure(steps: Sequence[StepSpec]) -> WorkflowPlan:
    """Check the steps and their order (no cycles) and compute the plan.

    Raises ``ValidationFailed`` for field errors or a cycle; start, decision and time
    rules are :func:`validate_workflow`'s.
    """
    steps = list(steps)
    if not steps:
        raise _fail([_("办理流程至少需要一个环节")])
    errors = step_field_errors(steps)
    if errors:
        raise _fail(errors)
    keys = [step.key for step in steps]
    by_key = {step.key: step for step in steps}
    successors: dict[str, list[str]] = {key: [] for key in keys}
    predecessors: dict[str, list[str]] = {key: list(by_key[key].after) for key in keys}
    for step in steps:
        for before in step.after:
            successors[before].append(step.key)
    cycle = _find_cycle(keys, successors)
    if cycle is not None:
        raise _fail(
            [
                _("办理流程存在循环：{path}").format(
                    path=ARROW.join(f"{by_key[key].name}（{key}）" for key in cycle)
                )
            ]
        )
    # Kahn's algorithm in input order; depth = the longest chain of steps before a step.
    indegree = {key: len(predecessors[key]) for key in keys}
    depth = dict.fromkeys(keys, 0)
    order: list[str] = []
    ready = [key for key in keys if indegree[key] == 0]
    while ready:
        key = ready.pop(0)
        order.append(key)
        for child in successors[key]:
            depth[child] = max(depth[child], depth[key] + 1)
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    levels: list[list[str]] = [[] for _level in range(max(depth.values()) + 1)]
    for key in keys:
        levels[depth[key]].append(key)
    # Longest path by days (ties: the path through steps listed first).
    best_days: dict[str, int] = {}
    best_next: dict[str, str | None] = {}
    for key in reversed(order):
        best_days[key] = by_key[key].limit_days
        best_next[key] = None
        for child in successors[key]:
            if by_key[key].limit_days + best_days[child] > best_days[key]:
                best_days[key] = by_key[key].limit_days + best_days[child]
                best_next[key] = child
    starts = [key for key in keys if not predecessors[key]]
    decisions = [key for key in keys if by_key[key].kind == StepKind.DECISION]
    first = max(starts, key=lambda key: best_days[key])  # max keeps the first of equals
    path: list[str] = [first]
    while best_next[path[-1]] is not None:
        path.append(best_next[path[-1]])  # type: ignore[arg-type]
    return WorkflowPlan(
        steps=by_key,
        order=order,
        levels=levels,
        longest_path=path,
        longest_days=best_days[first],
        successors=successors,
        start=starts[0] if len(starts) == 1 else "",
        decision=decisions[0] if len(decisions) == 1 else "",
        predecessors=predecessors,
    )


def validate_workflow(
    steps: Sequence[StepSpec], *, promised_limit_days: int, handling_kind: str
) -> WorkflowPlan:
    """Check every workflow rule; return the plan or raise with all problems found."""
    steps = list(steps)
    if handling_kind == HandlingKind.IMMEDIATE and len(steps) > 1:
        raise _fail([_("即办件的办理流程应只有一个环节（窗口当场决定）")])
    plan = workflow_structure(steps)
    by_key = plan.steps
    errors: list[str] = []

    def label(key: str) -> str:
        return f"“{by_key[key].name}”（{key}）"

    if handling_kind == HandlingKind.IMMEDIATE:
        only = steps[0]
        if (
            only.kind != StepKind.DECISION
            or only.role != StepRole.WINDOW_CLERK
            or only.limit_days != 0
        ):
            errors.append(
                _(
                    "即办件的唯一环节应为窗口当场决定：类型“决定”、办理角色“综合窗口人员”、"
                    "时限0个工作日"
                )
            )
    starts = [key for key in plan.order if not plan.predecessors[key]]
    if len(starts) > 1:
        errors.append(
            _("办理流程只能有一个起始环节（没有前置环节的环节），现有{n}个：{steps}").format(
                n=len(starts), steps="、".join(label(key) for key in starts)
            )
        )
    decisions = [step.key for step in steps if step.kind == StepKind.DECISION]
    if handling_kind == HandlingKind.IMMEDIATE:
        pass  # the one-step rule above says it all
    elif not decisions:
        errors.append(_("办理流程需要一个决定环节（类型为“决定”）"))
    elif len(decisions) > 1:
        errors.append(
            _("办理流程只能有一个决定环节，现有{n}个：{steps}").format(
                n=len(decisions), steps="、".join(label(key) for key in decisions)
            )
        )
    else:
        decision = decisions[0]
        after_decision = _reachable(decision, plan.successors) - {decision}
        for step in steps:
            key = step.key
            if key == decision:
                continue
            if key in after_decision:
                if step.kind != StepKind.DELIVERY:
                    errors.append(
                        _("决定环节之后只能是送达环节，{step}的类型是“{kind}”").format(
                            step=label(key), kind=StepKind(step.kind).label
                        )
                    )
            elif decision not in _reachable(key, plan.successors):
                errors.append(
                    _("环节{step}既不通向决定环节，也不在决定环节之后").format(step=label(key))
                )
    if plan.longest_days > promised_limit_days:
        errors.append(
            _("办理流程最长路径“{path}”共{days}个工作日，超过承诺办结时限{limit}个工作日").format(
                path=plan.path_names(), days=plan.longest_days, limit=promised_limit_days
            )
        )
    if errors:
        raise _fail(errors)
    return plan
