"""Reviews test data: delivered cases of the cases ``World`` (the root conftest's ``world``)
made through the case services at a chosen moment."""

from __future__ import annotations

import contextlib
import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from onewindow.cases.constants import CaseStatus, TaskStatus
from onewindow.cases.models import Case, Task
from onewindow.cases.services import (
    case_accept,
    case_handle_on_the_spot,
    task_claim,
    task_complete,
    task_decide,
    task_deliver,
)
from onewindow.cases.tests.factories import World
from onewindow.testing.calendar import fresh_calendars  # noqa: F401 (autouse)
from onewindow.testing.worlds import case_in

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def deliver_immediate(world: World, day: dt.date | None, *, applicant_user=None) -> Case:
    """A 即办件 applied for online and handled on the spot on ``day`` (delivered then;
    ``None``: now, without moving the clock)."""
    with time_machine.travel(at(day, 9), tick=False) if day else contextlib.nullcontext():
        case = world.submit(world.immediate, actor=applicant_user)
        case_handle_on_the_spot(case=case, actor=world.clerk)
    case = Case.objects.select_related("zone", "department", "parent").get(pk=case.pk)
    assert case.status == CaseStatus.DELIVERED
    assert day is None or case.delivered_on == day
    return case


def deliver_item(world: World, day: dt.date) -> Case:
    """A 承诺件 accepted, reviewed, approved and delivered through its tasks on ``day``."""
    with time_machine.travel(at(day, 9), tick=False):
        case = case_in(world, CaseStatus.DELIVERED)
    return Case.objects.select_related("zone", "department", "parent").get(pk=case.pk)


def deliver_bundle(world: World, day: dt.date) -> Case:
    """一件事: both children reviewed and decided in their departments, then the unified
    delivery (统一出件) of the parent on ``day``."""
    with time_machine.travel(at(day, 9), tick=False):
        parent = world.submit(bundle=world.bundle)
        case_accept(case=parent, actor=world.clerk)
        for child in Case.objects.filter(parent=parent).order_by("pk"):
            reviewer, decider = (
                (world.reviewer, world.decider)
                if child.department_id == world.department.pk
                else (world.other_reviewer, world.other_decider)
            )
            review = Task.objects.get(case=child, kind="review", status=TaskStatus.OPEN)
            task_claim(task=review, actor=reviewer)
            task_complete(task=review, actor=reviewer, comment="符合条件")
            decide = Task.objects.get(case=child, kind="decision", status=TaskStatus.OPEN)
            task_decide(task=decide, actor=decider, decision="approved")
        delivery = Task.objects.get(case=parent, kind="delivery", status=TaskStatus.OPEN)
        task_deliver(task=delivery, actor=world.clerk)
    parent = Case.objects.select_related("zone", "department", "parent").get(pk=parent.pk)
    assert parent.status == CaseStatus.DELIVERED
    return parent
