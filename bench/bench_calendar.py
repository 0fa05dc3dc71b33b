"""Benchmark: the precomputed working-day calendar against day-by-day loops.

Run with ``.venv/bin/python bench/bench_calendar.py`` (or ``make bench``). It builds a
:class:`~onewindow.core.calendar.WorkingCalendar` purely from chinesecalendar's notices
(no database, no ``django.setup()``) and compares ``add_working_days`` with

* a day-by-day loop over ``chinese_calendar.is_workday`` (what one would write first), and
* chinesecalendar's own helper ``chinese_calendar.find_workday``.

``find_workday(delta, date)`` counts ``date`` itself when it is a working day
(``find_workday(0, d)`` is the first working day on or after ``d``), so the n-th working
day after ``d`` (n >= 1) is ``find_workday(n - 1, d + 1 day)``; for n = 0 it is ``d``.
All of them (and a plain loop over the package's tables) are first checked to agree on a
sample. The loops are slow, so they run fewer calls and are compared per call. The
figures are written to ``bench/RESULTS.md`` under "Working-day calendar (issue:
foundation)", replacing an earlier run's section.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

# Only needed if something asks Django for settings (e.g. an error message's gettext);
# the benchmark itself never does, so django.setup() is not called.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings_test")

import chinese_calendar
import environment

from onewindow.core.calendar import WorkingCalendar, chinesecalendar_notices

HEADING = "## Working-day calendar (issue: foundation)"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
FIRST_START = dt.date(2010, 1, 1)
# 60 working days after 30 Sep 2026 is 29 Dec 2026: every answer stays inside the
# years chinesecalendar covers, which its functions require.
LAST_START = dt.date(2026, 9, 30)
MAX_DAYS = 60
TARGET_RATIO = 50


def random_questions(count: int, seed: int) -> list[tuple[dt.date, int]]:
    rng = random.Random(seed)
    first, span = FIRST_START.toordinal(), (LAST_START - FIRST_START).days
    return [
        (dt.date.fromordinal(first + rng.randint(0, span)), rng.randint(0, MAX_DAYS))
        for _ in range(count)
    ]


def loop_add(start: dt.date, days: int) -> dt.date:
    """The n-th working day after ``start``, one day at a time."""
    day = start
    while days:
        day += dt.timedelta(days=1)
        if chinese_calendar.is_workday(day):
            days -= 1
    return day


def table_loop_add(start: dt.date, days: int) -> dt.date:
    """The same loop over chinesecalendar's tables, without is_workday's per-call checks."""
    holidays, workdays = chinese_calendar.holidays, chinese_calendar.workdays
    day = start
    while days:
        day += dt.timedelta(days=1)
        if day in workdays or (day.weekday() < 5 and day not in holidays):
            days -= 1
    return day


def find_workday_add(start: dt.date, days: int) -> dt.date:
    """The n-th working day after ``start`` through chinesecalendar's find_workday."""
    if days == 0:
        return start
    return chinese_calendar.find_workday(days - 1, start + dt.timedelta(days=1))


def per_call(function, questions) -> float:
    """Seconds per call, over all ``questions``."""
    began = time.perf_counter()
    for start, days in questions:
        function(start, days)
    return (time.perf_counter() - began) / len(questions)


def build_calendar() -> tuple[WorkingCalendar, float, float, int]:
    """The calendar, the seconds to read the notices and to build it, and its memory."""
    began = time.perf_counter()
    notices, years = chinesecalendar_notices()
    read = time.perf_counter() - began
    builds = []
    for _ in range(5):
        began = time.perf_counter()
        WorkingCalendar(notices=notices, covered_years=years)
        builds.append(time.perf_counter() - began)
    tracemalloc.start()
    before, _peak = tracemalloc.get_traced_memory()
    calendar = WorkingCalendar(notices=notices, covered_years=years)
    after, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return calendar, read, statistics.median(builds), after - before


def machine() -> dict[str, str]:
    return {
        **environment.machine(),
        "chinesecalendar": getattr(chinese_calendar, "__version__", "?"),
    }


def microseconds(seconds: float) -> str:
    return f"{seconds * 1e6:,.2f} µs"


def write_results(section: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _match: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000, help="calendar calls")
    parser.add_argument("--loop-calls", type=int, default=20_000, help="calls of each loop")
    parser.add_argument("--check", type=int, default=2_000, help="questions checked to agree")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    options = parser.parse_args(argv)

    calendar, read, build, memory = build_calendar()
    print(f"notices read in {read * 1e3:.1f} ms; calendar built in {build * 1e3:.1f} ms")
    print(f"one calendar holds {memory / 1024:.0f} KiB ({calendar.first_day}–{calendar.last_day})")

    # 1. The three agree.
    for start, days in random_questions(options.check, options.seed + 1):
        ours = calendar.add_working_days(start, days)
        assert ours == loop_add(start, days), (start, days)
        assert ours == find_workday_add(start, days), (start, days)
        assert ours == table_loop_add(start, days), (start, days)
    print(f"agreement: {options.check:,} random questions give the same day four ways")

    # 2. Timings.
    questions = random_questions(options.calls, options.seed)
    ours = per_call(calendar.add_working_days, questions)
    print(f"add_working_days   {microseconds(ours)} per call ({options.calls:,} calls)")
    loop_questions = questions[: options.loop_calls]
    loop = per_call(loop_add, loop_questions)
    print(f"is_workday loop    {microseconds(loop)} per call ({options.loop_calls:,} calls)")
    helper = per_call(find_workday_add, loop_questions)
    print(f"find_workday       {microseconds(helper)} per call ({options.loop_calls:,} calls)")
    table = per_call(table_loop_add, loop_questions)
    print(f"table loop         {microseconds(table)} per call ({options.loop_calls:,} calls)")
    is_workday = per_call(lambda day, _days: chinese_calendar.is_workday(day), loop_questions)
    is_working = per_call(lambda day, _days: calendar.is_working_day(day), questions)
    print(f"is_workday {microseconds(is_workday)}, is_working_day {microseconds(is_working)}")
    last = dt.date(2026, 12, 31)
    pairs = [(start, min(start + dt.timedelta(days=days * 2), last)) for start, days in questions]
    between = per_call(calendar.working_days_between, pairs)
    print(f"working_days_between {microseconds(between)} per call ({options.calls:,} calls)")
    loop_ratio, helper_ratio = loop / ours, helper / ours
    print(f"faster than the loop {loop_ratio:,.0f}×, than find_workday {helper_ratio:,.0f}×")

    info = machine()
    verdict = "met" if loop_ratio >= TARGET_RATIO else "NOT met"
    rows = [
        ("`WorkingCalendar.add_working_days`", options.calls, ours, "1×"),
        (
            "day-by-day loop on `chinese_calendar.is_workday`",
            options.loop_calls,
            loop,
            f"{loop_ratio:,.0f}× slower",
        ),
        (
            "`chinese_calendar.find_workday`",
            options.loop_calls,
            helper,
            f"{helper_ratio:,.0f}× slower",
        ),
        (
            "day-by-day loop on chinesecalendar's tables (no per-call checks)",
            options.loop_calls,
            table,
            f"{table / ours:,.0f}× slower",
        ),
        (
            "`WorkingCalendar.working_days_between` (spans of 0–120 days)",
            options.calls,
            between,
            "—",
        ),
    ]
    table_lines = "\n".join(
        f"| {what} | {calls:,} | {microseconds(seconds)} | {ratio} |"
        for what, calls, seconds, ratio in rows
    )
    section = f"""{HEADING}

`.venv/bin/python bench/bench_calendar.py` — {info["date"]} — {info["cpu"]},
nproc {info["nproc"]}, {info["python"]}, chinesecalendar {info["chinesecalendar"]}.

Questions: seeded random start dates 2010-01-01 … {LAST_START} and n in 0 … {MAX_DAYS}
(answers stay inside the years chinesecalendar covers). The four methods were first
checked to give the same day on {options.check:,} questions. `find_workday` counts its
start day, so the n-th working day after d is `find_workday(n - 1, d + 1 day)`.

| What | Calls | Per call | Compared with `add_working_days` |
|---|---:|---:|---:|
{table_lines}

- Target ≥ {TARGET_RATIO}× faster than the `is_workday` loop: **{verdict}** ({loop_ratio:,.0f}×).
- Building one calendar (2004–2031: covered years plus the five-year provisional
  horizon) takes {build * 1e3:.1f} ms (median of 5); reading chinesecalendar's notices
  {read * 1e3:.1f} ms. One calendar holds {memory / 1024:.0f} KiB (tracemalloc).
- One day: `chinese_calendar.is_workday` {microseconds(is_workday)}, `is_working_day`
  {microseconds(is_working)} (both through a lambda). `is_workday` recomputes the minimum
  and maximum of its holiday table on every call, and the loops pay that once per calendar
  day walked. The table loop shows what is left without that cost: a loop still walks
  about 1.4 calendar days per working day asked for, where the precomputed calendar does
  two array look-ups whatever n is.
"""
    if not options.no_write:
        write_results(section)
        print(f"written to {RESULTS}")
    return 0 if verdict == "met" else 1


if __name__ == "__main__":
    sys.exit(main())
