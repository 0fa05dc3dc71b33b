"""Benchmark: the dashboard (统计分析) with 1,000,000 cases and 600,000 ratings (PostgreSQL).

Run with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/onewindow .venv/bin/python
bench/bench_insights.py``. It keeps a database ``test_onewindow_bench_insights`` between
runs (``--rebuild`` starts again), loads the demo organisation and catalog, and inserts in
SQL (``generate_series``):

* 1,000,000 item cases accepted over three years (~915 a day, numbered in the order they
  came), a third at the window;
  one in 13 容缺, one in 17 告知承诺; decided 0–18 days after acceptance (those past their
  14-day deadline are late), delivered 0–2 days after; one in 97 withdrawn; the newest
  still running (in review or decided, not delivered), plus one in 25 of those accepted
  12–40 days ago, which are red — a busy zone's running cases;
* one material per case (scanned at the window by staff for a window application; for
  one online application in 20, the paper original brought the next day);
* 600,000 ratings of delivered cases (60 % 非常满意, 25 % 满意, 10 % 基本满意, 3 % 不满意,
  2 % 非常不满意) and a rectification for each bad one (open, overdue, rectified, closed).

Then it times:

* ``backfill``: the first roll-up (``rollup_due``: every day through yesterday), once;
* ``one day``: the roll-up job for yesterday's cases (``rollup(day_from=day_to=yesterday)``:
  the cases accepted, decided or delivered that day), 5 runs;
* the summary selector (``insights.selectors.summary``: every figure, per department and
  per item) for this month so far (facts + today live; the page's default), for the
  twelve months that ended yesterday (facts only), and for the last 30 days of one
  department; 100 runs each after a warm-up;
* the dashboard page (``GET /insights/``, templates and chart data included) and the API
  (``GET /api/v1/insights/summary``), each for this month and for twelve months, through
  Django's test client as an analyst; 50 runs each.

In the same run it measures a reference (``bench/reference.py``): ``GET /healthz`` signed
in through the whole middleware, and ``pgbench -S`` on a scratch database of the same
server; each figure is printed with its ratio to them, so machines can be compared.
``--database NAME`` keeps the built data in another database (parallel runs).

Figures go to ``bench/RESULTS.md`` under "Dashboard with 1,000,000 cases".
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import sys
import textwrap
import time
from pathlib import Path

import reference
from environment import database_label, machine

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings_test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

HEADING = "## Dashboard with 1,000,000 cases (issue: insights)"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
TARGET_P95_MS = 500.0
TEST_DB = "test_onewindow_bench_insights"
RATINGS = 600_000
#: What autovacuum does soon after the roll-up writes: statistics and the visibility map of
#: every roll-up table (the daily ratings' estimate of 6 rows for 70,960 sent a sort to disk).
ROLLUP_VACUUM = (
    "VACUUM (ANALYZE) insights_casefact, insights_dailyfigures, insights_dailyratings, "
    "insights_monthlyfigures, insights_monthlyratings, insights_monthlydurations"
)


def build(total: int) -> None:
    from onewindow.cases.models import Case
    from onewindow.demo import catalog_data, org_data

    if Case.objects.count() >= total:
        print(f"{Case.objects.count():,} cases already there")
        return
    org_data.load()
    catalog_data.load()
    started = time.perf_counter()
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM org_zone WHERE code = 'SFQ'")
        (zone_id,) = cursor.fetchone()
        cursor.execute(
            "SELECT v.id, v.department_id, v.name FROM catalog_itemversion v "
            "JOIN catalog_item i ON i.id = v.item_id WHERE v.status = 'published' "
            "AND i.zone_id = %s ORDER BY v.id",
            [zone_id],
        )
        versions = cursor.fetchall()
        cursor.execute("SELECT id FROM org_applicant ORDER BY id")
        applicants = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT id FROM org_user WHERE kind = 'staff' ORDER BY id LIMIT 1")
        (staff_id,) = cursor.fetchone()
        cursor.execute("DROP TABLE IF EXISTS bench_versions, bench_applicants")
        cursor.execute(
            "CREATE TEMP TABLE bench_versions (n int, id bigint, department_id bigint, name text)"
        )
        cursor.executemany(
            "INSERT INTO bench_versions VALUES (%s, %s, %s, %s)",
            [(n, *row) for n, row in enumerate(versions)],
        )
        cursor.execute("CREATE TEMP TABLE bench_applicants (n int, id bigint)")
        cursor.executemany(
            "INSERT INTO bench_applicants VALUES (%s, %s)", list(enumerate(applicants))
        )
        print(f"{len(versions)} items, {len(applicants)} applicants; inserting {total:,} cases")
        # age: days since acceptance (0 … 1,094), in the order the cases came (case 1 the
        # oldest, as a zone's table grows); d: days to the decision (0 … 18, late after
        # 14); e: days from the decision to the delivery (0 … 2).
        cursor.execute(
            """
            INSERT INTO cases_case (
              zone_id, number, year, sequence, query_code, item_version_id, title,
              department_id, applicant_id, submitted_by_id, channel, language, status,
              form_data, idempotency_key, request_digest, submitted_at, correction_items,
              refusal_reason, refusal_legal_basis, acceptance_mode, accepted_at, accepted_on,
              accepted_by_id, limit_days, legal_limit_days, paused_days, extension_days,
              extension_reason, deadline, yellow_from, deadline_provisional,
              supplement_overdue_recorded, decision, decision_reason, remedy_notice,
              decided_at, decided_on, decided_by_id, on_time, delivered_at, delivered_on,
              withdrawn_at, withdrawal_reason, created_at, updated_at)
            SELECT %(zone)s, 'SFQ-2019-' || lpad(g::text, 9, '0'), 2019, NULL, 'BENCHCODE',
              v.id, v.name, v.department_id, a.id, %(staff)s,
              CASE WHEN g %% 3 = 0 THEN 'window' ELSE 'online' END, 'zh-hans',
              CASE WHEN running THEN 'in_review' WHEN withdrawn THEN 'withdrawn'
                   WHEN delivered THEN 'delivered' ELSE 'approved' END,
              '{}', '', '', acc - interval '1 hour', '[]', '', '',
              CASE WHEN g %% 13 = 0 THEN 'tolerated' WHEN g %% 17 = 1 THEN 'commitment'
                   ELSE 'normal' END,
              acc, acc::date, %(staff)s, 10, 20, 0, 0, '', acc::date + 14, acc::date + 11,
              false, false,
              CASE WHEN decided THEN 'approved' ELSE '' END, '', '',
              CASE WHEN decided THEN acc + d * interval '1 day' END,
              CASE WHEN decided THEN acc::date + d END,
              CASE WHEN decided THEN %(staff)s END,
              CASE WHEN decided THEN d <= 14 END,
              CASE WHEN delivered THEN acc + (d + e) * interval '1 day' END,
              CASE WHEN delivered THEN acc::date + d + e END,
              CASE WHEN withdrawn THEN acc + interval '2 days' END, '',
              acc - interval '1 hour', acc
            FROM (
              SELECT g, age, d, e, acc, running,
                     (NOT running AND g %% 97 = 0) AS withdrawn,
                     (NOT running AND g %% 97 <> 0) AS decided,
                     (NOT running AND g %% 97 <> 0 AND age >= d + e) AS delivered
              FROM (
                SELECT g, age, g %% 19 AS d, g %% 3 AS e,
                       (%(today)s::date - age) + time '02:00' AS acc,
                       (age < g %% 19 OR (age < 40 AND g %% 25 = 0)) AS running
                FROM (
                  SELECT g, ((%(total)s - g)::bigint * 1095 / %(total)s)::int AS age
                  FROM generate_series(1, %(total)s) AS g
                ) numbered
              ) raw
            ) s
            JOIN bench_versions v ON v.n = g %% %(nv)s
            JOIN bench_applicants a ON a.n = g %% %(na)s
            """,
            {
                "zone": zone_id,
                "staff": staff_id,
                "today": today,
                "total": total,
                "nv": len(versions),
                "na": len(applicants),
            },
        )
        print(f"  cases: {time.perf_counter() - started:.0f} s")
        cursor.execute(
            """
            INSERT INTO cases_casematerial (case_id, position, name, merge_key, required,
              tolerable, commitment_allowed, state, token, file, original_name, content_type,
              size, sha256, uploaded_by_id, uploaded_at, reference, review_verdict,
              review_reason)
            SELECT c.id, 1, '申请表', '申请表', true, false, false,
              CASE WHEN c.channel = 'online' AND c.id %% 20 = 1 THEN 'paper' ELSE 'uploaded' END,
              '', '', '', 'application/pdf', 1000, '',
              CASE WHEN c.channel = 'window' OR c.id %% 20 = 1 THEN %(staff)s END,
              CASE WHEN c.channel = 'online' AND c.id %% 20 = 1
                   THEN c.submitted_at + interval '1 day' ELSE c.submitted_at END, '', '', ''
            FROM cases_case c
            """,
            {"staff": staff_id},
        )
        print(f"  materials: {time.perf_counter() - started:.0f} s")
        cursor.execute(
            """
            INSERT INTO reviews_rating (zone_id, case_id, department_id, item_id, channel,
              level, comment, real_name, rated_at, rated_on)
            SELECT c.zone_id, c.id, c.department_id, v.item_id, 'online',
              CASE WHEN c.id %% 100 < 60 THEN 5 WHEN c.id %% 100 < 85 THEN 4
                   WHEN c.id %% 100 < 95 THEN 3 WHEN c.id %% 100 < 98 THEN 2 ELSE 1 END,
              '', false,
              LEAST(c.delivered_at + (c.id %% 5) * interval '1 day', now()),
              LEAST(c.delivered_on + (c.id %% 5)::int, %(today)s::date)
            FROM cases_case c JOIN catalog_itemversion v ON v.id = c.item_version_id
            WHERE c.status = 'delivered' ORDER BY c.id LIMIT %(ratings)s
            """,
            {"today": today, "ratings": RATINGS},
        )
        # Bad ratings: a rectification due 21 days later; older ones mostly done.
        cursor.execute(
            """
            INSERT INTO reviews_rectification (rating_id, zone_id, department_id, status,
              opened_on, due_on, due_provisional, verified_facts, measures, rectified_at,
              visit_due_on, visit_due_provisional, visit_outcome, visit_note, visited_at,
              closed_at, close_reason, on_time, created_at)
            SELECT r.id, r.zone_id, r.department_id, x.status, r.rated_on, r.rated_on + 21,
              false, '', CASE WHEN x.status <> 'open' THEN '整改' ELSE '' END,
              CASE WHEN x.status <> 'open' THEN r.rated_at + interval '10 days' END,
              CASE WHEN x.status <> 'open' THEN r.rated_on + 17 END, false,
              CASE WHEN x.status = 'closed' THEN 'satisfied' ELSE '' END, '',
              CASE WHEN x.status = 'closed' THEN r.rated_at + interval '12 days' END,
              CASE WHEN x.status = 'closed' THEN r.rated_at + interval '12 days' END, '',
              CASE WHEN x.status <> 'open' THEN true END, r.rated_at
            FROM reviews_rating r
            CROSS JOIN LATERAL (SELECT CASE
              WHEN r.rated_on > %(today)s::date - 20 THEN 'open'
              WHEN r.id %% 4 = 0 THEN 'open' WHEN r.id %% 4 = 1 THEN 'rectified'
              ELSE 'closed' END AS status) x
            WHERE r.level <= 2
            """,
            {"today": today},
        )
        cursor.execute("ANALYZE")
    print(f"  built in {time.perf_counter() - started:.0f} s")


def timed(function, runs: int, warm: int = 5) -> list[float]:
    for _ in range(warm):
        function()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pick(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return {"p50": statistics.median(ordered), "p95": pick(0.95), "p99": pick(0.99)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--page-runs", type=int, default=50)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument(
        "--database",
        default=TEST_DB,
        help=f"the benchmark database, kept between runs (default {TEST_DB})",
    )
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    parser.add_argument(
        "--pgbench-seconds", type=int, default=10, help="length of the pgbench -S reference"
    )
    arguments = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("This benchmark runs on PostgreSQL: set DATABASE_URL.")
    setup_test_environment()
    connection.settings_dict["TEST"]["NAME"] = arguments.database
    connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=not arguments.rebuild, serialize=False
    )
    build(arguments.cases)

    from onewindow.cases.models import Case
    from onewindow.insights import selectors, services
    from onewindow.insights.models import CaseFact, RollupState
    from onewindow.org.constants import Role
    from onewindow.org.models import Department, RoleAssignment, User, Zone
    from onewindow.reviews.models import Rating, Rectification

    zone = Zone.objects.get(code="SFQ")
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    state = RollupState.objects.filter(zone=zone).first()
    backfill = None
    months_only = (
        state is not None
        and state.rolled_through is not None
        and state.rolled_through >= yesterday
        and state.months_through is None  # a database rolled before the month roll-up
    )
    if (
        state is None
        or state.rolled_through is None
        or state.rolled_through < yesterday
        or (months_only)
    ):
        started = time.perf_counter()
        result = services.rollup_due(zone=zone)
        backfill = (time.perf_counter() - started, result.facts if result else 0)
        print(f"backfill: {backfill[0]:.1f} s, {backfill[1]:,} facts")
        # What autovacuum does soon after a bulk write: statistics and the visibility map
        # (index-only scans read the heap for pages not yet marked all-visible).
        with connection.cursor() as cursor:
            cursor.execute(ROLLUP_VACUUM)

    pgbench = reference.pgbench_select_only(
        connection.settings_dict, f"{arguments.database}_pgbench", arguments.pgbench_seconds
    )
    load_before = os.getloadavg()[0]
    day_runs = []
    for _ in range(5):
        started = time.perf_counter()
        result = services.rollup(zone=zone, day_from=yesterday, day_to=yesterday)
        day_runs.append(time.perf_counter() - started)
    day_facts = result.facts
    # Autovacuum's next pass (the facts table is tuned to vacuum after 5,000 changes).
    with connection.cursor() as cursor:
        cursor.execute(ROLLUP_VACUUM)

    department = (
        Department.objects.filter(zone=zone, pk__in=Case.objects.values("department_id")[:1])
        .order_by("pk")
        .first()
    )
    this_month = selectors.Filters(zone.pk, *selectors.default_period(today))
    twelve_months = selectors.Filters(zone.pk, *selectors.public_period(today))
    last_30 = selectors.Filters(
        zone.pk, today - dt.timedelta(days=29), today, department_id=department.pk
    )
    figures = {}
    for name, filters in (
        ("summary: this month (facts + today live)", this_month),
        ("summary: 12 months (facts)", twelve_months),
        ("summary: 30 days, one department", last_30),
    ):
        figures[name] = summary(
            timed(lambda f=filters: selectors.summary(f, on=today), arguments.runs)
        )
        print(name, figures[name])
    totals = selectors.summary(twelve_months, on=today).totals

    analyst = User.objects.get(
        pk=RoleAssignment.objects.filter(role=Role.ANALYST).values("user")[:1]
    )
    client = Client()
    client.force_login(analyst)
    baseline = reference.signed_in_request(client, arguments.page_runs * 2)
    year_query = f"?from={twelve_months.day_from.isoformat()}&to={twelve_months.day_to.isoformat()}"
    for name, path in (
        ("page: /insights/ (this month)", "/insights/"),
        ("page: /insights/ (12 months)", "/insights/" + year_query),
        ("API: /api/v1/insights/summary (this month)", "/api/v1/insights/summary"),
        ("API: /api/v1/insights/summary (12 months)", "/api/v1/insights/summary" + year_query),
    ):
        if client.get(path).status_code != 200:
            print(f"{path} did not answer 200; timing skipped")
            continue
        figures[name] = summary(timed(lambda p=path: client.get(p), arguments.page_runs, warm=3))
        print(name, figures[name])

    counts = {
        "cases": Case.objects.count(),
        "running": Case.objects.running().count(),
        "facts": CaseFact.objects.count(),
        "ratings": Rating.objects.count(),
        "rectifications": Rectification.objects.count(),
    }
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    info = machine()
    load_after = os.getloadavg()[0]
    lines = [
        HEADING,
        "",
        f"{info['date']} · {info['cpu']} · {info['nproc']} cores · {info['python']} · "
        f"{database_label()}",
        "",
        f"Data: {counts['cases']:,} cases ({counts['running']:,} running), "
        f"{counts['ratings']:,} ratings, {counts['rectifications']:,} rectifications; "
        f"{counts['facts']:,} facts after the roll-up. Twelve months: "
        f"{totals.accepted:,} accepted, {totals.decided:,} decided, "
        f"{totals.ratings:,} ratings.",
        "",
        *reference.table_header(),
    ]
    for name, values in figures.items():
        lines.append(reference.table_row(name, values, TARGET_P95_MS, baseline, pgbench["tps"]))
    lines.append("")
    lines.append(reference.describe(baseline, pgbench, (load_before, load_after)))
    lines.append("")
    lines.append(
        f"Roll-up job for one day's cases (yesterday: {day_facts:,} facts written): "
        f"median {statistics.median(day_runs) * 1000:.0f} ms, "
        f"worst {max(day_runs) * 1000:.0f} ms over {len(day_runs)} runs."
    )
    if backfill is not None and months_only:
        lines.append(
            f"First roll-up of the closed months (the days rolled before; yesterday's "
            f"{backfill[1]:,} facts rolled again): {backfill[0]:.1f} s."
        )
    elif backfill is not None:
        lines.append(
            f"First roll-up (back-fill of three years): {backfill[0]:.0f} s for "
            f"{backfill[1]:,} facts."
        )
    lines += [
        "",
        f"Peak RSS of the benchmark process: {rss:.0f} MiB (other work on the machine shows "
        "as a higher load average).",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not arguments.no_write:
        write_results(text)


def write_results(section: str) -> None:
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    if HEADING in current:
        start = current.index(HEADING)
        end = current.find("\n## ", start + len(HEADING))
        current = current[:start] + current[end + 1 :] if end != -1 else current[:start]
    RESULTS.write_text(current.rstrip() + "\n\n" + textwrap.dedent(section), encoding="utf-8")


if __name__ == "__main__":
    main()
