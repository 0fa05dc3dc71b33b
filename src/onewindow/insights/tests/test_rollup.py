"""The roll-up job: idempotent facts, the rolled-through mark, calendar changes, the
command and the background jobs."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from onewindow.core.errors import ValidationFailed
from onewindow.insights import selectors, services, tasks
from onewindow.insights.models import (
    CalendarDay,
    CaseFact,
    DailyFigures,
    DailyRatings,
    RollupState,
)
from onewindow.insights.tests.dataset import MARCH, TODAY, at
from onewindow.org.services import calendar_override_set

pytestmark = pytest.mark.django_db

D = dt.date
FACT_FIELDS = [
    field.attname for field in CaseFact._meta.concrete_fields if field.name != "rolled_at"
]


def _facts() -> list[tuple]:
    return list(CaseFact.objects.order_by("case_id").values_list(*FACT_FIELDS))


def _daily() -> list[tuple]:
    figures = DailyFigures.objects.order_by("day", "department", "item").values_list()
    ratings = DailyRatings.objects.order_by("day", "department", "item", "level")
    return [row[1:] for row in figures] + [row[1:] for row in ratings.values_list()]


def test_rolling_a_day_twice_gives_the_same_rows(world, march, now):
    first = services.rollup(zone=world.zone, day_from=D(2026, 3, 12), day_to=D(2026, 3, 12))
    rows, daily = _facts(), _daily()
    second = services.rollup(zone=world.zone, day_from=D(2026, 3, 12), day_to=D(2026, 3, 12))

    # 12 Mar: C2 decided (accepted 3 Mar) — its fact, and nothing else; the day adds up
    # to one decision in department A (7 working days, on time, two visits).
    assert [row[0] for row in rows] == [march.cases["C2"].pk]
    assert _facts() == rows
    assert _daily() == daily
    day = DailyFigures.objects.get()
    assert (day.day, day.department_id, day.item_id) == (
        D(2026, 3, 12),
        world.department.pk,
        world.item.item_id,
    )
    assert (day.decided, day.on_time, day.decision_days_total, day.online, day.one_visit) == (
        1,
        1,
        7,
        0,
        0,
    )
    assert first.facts == second.facts == 1
    # Rolling the whole of March after it rewrites C2's row with the same values.
    services.rollup(zone=world.zone, day_from=MARCH[0], day_to=MARCH[1])
    again = {row[0]: row for row in _facts()}
    assert again[march.cases["C2"].pk] == rows[0]
    assert len(again) == 13
    march_daily = _daily()
    services.rollup(zone=world.zone, day_from=MARCH[0], day_to=MARCH[1])
    assert _daily() == march_daily
    # 7 ratings in March: one row per day, department, item and level.
    assert sum(DailyRatings.objects.values_list("ratings", flat=True)) == 7


def test_a_fact_holds_the_case_as_the_dashboard_counts_it(world, march, now):
    services.rollup(zone=world.zone, day_from=MARCH[0], day_to=MARCH[1])

    c2 = CaseFact.objects.get(case=march.cases["C2"])
    c9a = CaseFact.objects.get(case=march.cases["C9a"])

    assert (c2.acceptance_mode, c2.channel, c2.window_visits) == ("tolerated", "window", 2)
    assert (c2.decision_days, c2.delivery_days, c2.on_time) == (7, 8, True)
    assert (c9a.item_id, c9a.department_id) == (world.item.item_id, world.department.pk)
    assert not CaseFact.objects.filter(case=march.cases["C9"]).exists()  # the parent
    assert not CaseFact.objects.filter(case=march.cases["C13"]).exists()  # refused


def test_the_mark_moves_only_over_contiguous_finished_days(world, march, now):
    zone = world.zone
    state = lambda: RollupState.objects.get(zone=zone).rolled_through  # noqa: E731

    # A day after the first acceptance (27 Feb) leaves a gap: not rolled through.
    services.rollup(zone=zone, day_from=D(2026, 3, 2), day_to=D(2026, 3, 2))
    assert state() is None
    # From the first acceptance on: through 5 Mar.
    services.rollup(zone=zone, day_from=D(2026, 2, 27), day_to=D(2026, 3, 5))
    assert state() == D(2026, 3, 5)
    # A later day with a gap before it does not move it …
    services.rollup(zone=zone, day_from=D(2026, 3, 10), day_to=D(2026, 3, 12))
    assert state() == D(2026, 3, 5)
    # … the next days do; today is not a finished day.
    services.rollup(zone=zone, day_from=D(2026, 3, 6), day_to=TODAY)
    assert state() == D(2026, 3, 31)
    # Rolling an earlier day again never moves it back.
    services.rollup(zone=zone, day_from=D(2026, 3, 3), day_to=D(2026, 3, 3))
    assert state() == D(2026, 3, 31)


def test_rollup_due_catches_up_from_the_last_rolled_day(world, march):
    with time_machine.travel(at(D(2026, 3, 20), 1), tick=False):
        services.rollup_due(zone=world.zone)
    assert RollupState.objects.get(zone=world.zone).rolled_through == D(2026, 3, 19)

    with time_machine.travel(at(TODAY, 1), tick=False):
        result = services.rollup_due(zone=world.zone)

    # Again from 19 Mar (one day of overlap) through yesterday.
    assert (result.day_from, result.day_to) == (D(2026, 3, 19), D(2026, 3, 31))
    assert result.rolled_through == D(2026, 3, 31)
    assert CaseFact.objects.count() == 13


def test_rollup_due_in_an_empty_zone_marks_yesterday(zone):
    with time_machine.travel(at(TODAY, 1), tick=False):
        result = services.rollup_due(zone=zone)

    assert result.facts == 0
    assert result.rolled_through == D(2026, 3, 31)


def test_a_bad_range_is_refused(zone):
    with pytest.raises(ValidationFailed) as reversed_:
        services.rollup(zone=zone, day_from=D(2026, 3, 2), day_to=D(2026, 3, 1))
    assert reversed_.value.fields == {"from": ["开始日期不能晚于结束日期"]}
    with pytest.raises(ValidationFailed):
        services.rollup(zone=zone, day_from=D(2010, 1, 1), day_to=D(2026, 3, 1))


def test_a_changed_working_day_moves_the_durations(world, march, now, administrator):
    services.rollup_due(zone=world.zone)
    c1 = march.cases["C1"]
    assert CaseFact.objects.get(case=c1).decision_days == 4  # 3, 4, 5, 6 Mar

    # The zone closes on Wed 4 Mar (a typhoon day): C1 took 3 working days, not 4.
    calendar_override_set(
        zone=world.zone, date=D(2026, 3, 4), kind="closed", reason="台风", actor=administrator
    )
    assert not selectors.calendar_ready(world.zone.pk)
    services.calendar_refresh(zone=world.zone)

    assert selectors.calendar_ready(world.zone.pk)
    assert CaseFact.objects.get(case=c1).decision_days == 3
    assert not CalendarDay.objects.get(zone=world.zone, date=D(2026, 3, 4)).working
    # The days were added up again: C1, decided on Fri 6 Mar, alone that day.
    assert DailyFigures.objects.get(day=D(2026, 3, 6)).decision_days_total == 3


def test_the_calendar_change_signal_enqueues_the_refresh(
    zone, administrator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        calendar_override_set(
            zone=zone, date=D(2026, 3, 4), kind="closed", reason="台风", actor=administrator
        )

    job = DBTaskResult.objects.get(task_path="onewindow.insights.tasks.refresh_calendar")
    assert job.args_kwargs["kwargs"] == {"zone_id": zone.pk}


def test_the_jobs_call_the_services(world, march, now):
    written = tasks.rollup_all_zones.call()
    refreshed = tasks.refresh_calendar.call(zone_id=world.zone.pk)

    assert written == {"SFQ": 13}
    assert refreshed == 0  # already fresh after the roll-up
    assert RollupState.objects.get(zone=world.zone).rolled_through == D(2026, 3, 31)


# -- the command ---------------------------------------------------------------------------


def _run(*args) -> str:
    out = StringIO()
    call_command("insights_rollup", *args, stdout=out)
    return out.getvalue()


def test_command_rolls_what_is_due(world, march, now):
    output = _run()

    assert "SFQ：2026-02-27 至 2026-03-31 汇总办件 13 件" in output
    assert "已汇总至 2026-03-31" in output


def test_command_rolls_one_day_or_a_range(world, march, now):
    assert "汇总办件 1 件" in _run("--day", "2026-03-12")
    assert "汇总办件 13 件" in _run("--from", "2026-02-01", "--to", "2026-03-31", "--zone", "sfq")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--day", "2026-13-01"], "日期格式应为 YYYY-MM-DD"),
        (["--day", "2026-03-01", "--from", "2026-03-01"], "--day 不能与 --from、--to 同时使用"),
        (["--from", "2026-03-01"], "--from 和 --to 须同时给出"),
        (["--from", "2026-03-02", "--to", "2026-03-01"], "开始日期不能晚于结束日期"),
        (["--zone", "NOPE"], "开发区 NOPE 不存在"),
        (["--enqueue", "--day", "2026-03-01"], "--enqueue 不能与"),
    ],
)
def test_command_refuses_bad_arguments(zone, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)


def test_command_enqueues_the_daily_job(zone):
    output = _run("--enqueue")

    job = DBTaskResult.objects.get()
    assert job.task_path == "onewindow.insights.tasks.rollup_all_zones"
    assert output == f"汇总任务已加入后台队列（任务编号 {job.id}）\n"
    assert not RollupState.objects.exists()  # nothing runs until a worker takes it
