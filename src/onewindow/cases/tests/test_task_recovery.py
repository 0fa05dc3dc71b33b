"""The deadline recomputation after a calendar change survives a killed worker
(docs/decisions/0012): it is reclaimed and run again, and a run cut off midway, run again,
ends as one clean run does."""

from __future__ import annotations

import datetime as dt
import signal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from onewindow.cases.constants import CaseEventAction
from onewindow.cases.models import Case
from onewindow.cases.services import clock, recompute_deadlines
from onewindow.core.audit import AuditAction, audit_verify
from onewindow.core.models import AuditEvent, TaskLease
from onewindow.org.constants import CalendarOverrideKind
from onewindow.org.services import calendar_override_set

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date
MONDAY = dt.datetime(2026, 11, 2, 10, tzinfo=SHANGHAI)


class WorkerKilled(BaseException):
    """A SIGKILL as the job sees it: nothing after it runs."""


@pytest.fixture
def keep_signal_handlers():
    """The worker installs SIGINT/SIGTERM handlers: give pytest its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def close_on_wednesday(world) -> None:
    calendar_override_set(
        zone=world.zone,
        date=D(2026, 11, 11),
        kind=CalendarOverrideKind.CLOSED,
        reason="台风停止办公",
        actor=world.supervisor,
    )


def recomputed_events() -> int:
    return AuditEvent.objects.filter(action=CaseEventAction.DEADLINE_RECOMPUTED).count()


@pytest.mark.django_db(transaction=True)  # the worker runs in-process and commits
def test_a_calendar_change_whose_worker_was_killed_still_moves_the_deadlines(
    world, keep_signal_handlers
):
    with time_machine.travel(MONDAY, tick=False):
        cases = [world.accepted() for _ in range(3)]  # 10 working days: Mon 16 Nov
        assert {case.deadline for case in Case.objects.all()} == {D(2026, 11, 16)}
        # given: a closure on Wed 11 Nov hands the recomputation to a worker …
        close_on_wednesday(world)
        job = DBTaskResult.objects.get(task_path__endswith="recompute_case_deadlines")
        # … which claimed it and was killed (kill -9): RUNNING, its lease long expired
        DBTaskResult.objects.filter(pk=job.pk).update(
            status="RUNNING",
            started_at=timezone.now() - dt.timedelta(minutes=30),
            worker_ids=["killed-worker"],
        )
        TaskLease.objects.create(
            task_result_id=job.pk,
            worker_id="killed-worker",
            taken_at=timezone.now() - dt.timedelta(minutes=30),
            renewed_at=timezone.now() - dt.timedelta(minutes=20),
            expires_at=timezone.now() - dt.timedelta(minutes=15),
        )

        # when a worker starts
        call_command("db_worker", "--batch", "--no-startup-delay", "--verbosity", "0")

    # then it took the task back and finished it: every running case moved to Tue 17 Nov
    job.refresh_from_db()
    assert job.status == "SUCCESSFUL"
    assert len(job.worker_ids) == 2 and job.worker_ids[0] == "killed-worker"
    assert job.return_value == len(cases)
    assert {case.deadline for case in Case.objects.all()} == {D(2026, 11, 17)}
    assert recomputed_events() == len(cases)
    [reclaimed] = AuditEvent.objects.filter(action=AuditAction.TASK_RECLAIMED)
    assert reclaimed.object_id == str(job.pk)
    assert not TaskLease.objects.exists()
    assert audit_verify().ok


@pytest.mark.django_db
def test_a_recomputation_cut_off_midway_then_run_again_ends_as_one_clean_run(world):
    with time_machine.travel(MONDAY, tick=False):
        for _ in range(3):
            world.accepted()
        close_on_wednesday(world)
        set_clock = clock._set_clock
        calls = 0

        def dies_on_the_second_case(case, **kwargs):
            nonlocal calls
            calls += 1
            if calls == 2:
                raise WorkerKilled
            return set_clock(case, **kwargs)

        # given a run killed while on the second case
        with (
            mock.patch.object(clock, "_set_clock", dies_on_the_second_case),
            pytest.raises(WorkerKilled),
        ):
            recompute_deadlines(zone_id=world.zone.pk)
        deadlines = sorted(Case.objects.values_list("deadline", flat=True))
        assert deadlines == [D(2026, 11, 16), D(2026, 11, 16), D(2026, 11, 17)]

        # when it runs again, and again
        assert recompute_deadlines(zone_id=world.zone.pk) == 2
        assert recompute_deadlines(zone_id=world.zone.pk) == 0

    # then: every deadline moved once, one event per case, as one clean run
    assert {case.deadline for case in Case.objects.all()} == {D(2026, 11, 17)}
    assert recomputed_events() == 3
