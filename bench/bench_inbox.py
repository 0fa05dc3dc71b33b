"""Benchmark: the reviewer inbox and the supervisor board with 1,000,000 cases (PostgreSQL).

Run with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/onewindow .venv/bin/python
bench/bench_inbox.py``. It keeps a database ``test_onewindow_bench_inbox`` between runs
(``--rebuild`` starts again; the first build takes a few minutes), loads the demo
organisation and catalog, and inserts the cases in SQL (``generate_series``): three years
of history, ~99 % delivered with their done tasks; ~1 % running (accepted in the last 12
days, plus one in 25 of those accepted 12–40 days ago, which are red), each with an open
review task in its item's department: a busy zone's green, yellow and red. Then it times, 300
times each after a warm-up:

* ``inbox``: ``selectors.task_inbox`` for a reviewer — the page's 50 rows and its count,
  as the inbox page asks for them;
* ``board``: ``selectors.board_counts`` + the first 50 of ``supervisor_board`` and of
  ``warned_cases`` for a supervisor;
* ``inbox page`` and ``board page``: the same through the pages (``GET /inbox/``,
  ``GET /board/``) with Django's test client, templates included.

In the same run it measures a reference (``bench/reference.py``): ``GET /healthz`` signed
in through the whole middleware, and ``pgbench -S`` on a scratch database of the same
server; each figure is printed with its ratio to them, so machines can be compared.
``--database NAME`` keeps the built data in another database (parallel runs).

Figures go to ``bench/RESULTS.md`` under "Inbox and board with 1,000,000 cases".
"""

from __future__ import annotations

import argparse
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

HEADING = "## Inbox and board with 1,000,000 cases (issue: cases)"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
TARGET_P95_MS = 50.0
TEST_DB = "test_onewindow_bench_inbox"


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
        # Lookup tables the generator indexes into by i % n.
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
        # age: days since acceptance, 0 … 1,094.
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
              withdrawal_reason, created_at, updated_at)
            SELECT %(zone)s, 'SFQ-2019-' || lpad(g::text, 9, '0'), 2019, NULL, 'BENCHCODE',
              v.id, v.name, v.department_id, a.id, %(staff)s, 'online', 'zh-hans',
              CASE WHEN running THEN 'in_review' ELSE 'delivered' END,
              '{}', '', '', acc - interval '1 day', '[]', '', '', 'normal', acc,
              acc::date, %(staff)s, 10, 20, 0, 0, '', acc::date + 14, acc::date + 11,
              false, false,
              CASE WHEN running THEN '' ELSE 'approved' END, '', '',
              CASE WHEN running THEN NULL ELSE acc + interval '9 days' END,
              CASE WHEN running THEN NULL ELSE acc::date + 9 END,
              CASE WHEN running THEN NULL ELSE %(staff)s END,
              CASE WHEN running THEN NULL ELSE (g %% 17 <> 0) END,
              CASE WHEN running THEN NULL ELSE acc + interval '10 days' END,
              CASE WHEN running THEN NULL ELSE acc::date + 10 END,
              '', acc - interval '1 day', acc
            FROM (
              SELECT g, (g::bigint * 7919) %% 1095 AS age,
                     ((g::bigint * 7919) %% 1095 < 12
                      OR ((g::bigint * 7919) %% 1095 < 40 AND g %% 25 = 0)) AS running,
                     (%(today)s::date - ((g::bigint * 7919) %% 1095)::int) + time '10:00' AS acc
              FROM generate_series(1, %(total)s) AS g
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
        # Tasks: two done per delivered case; one open (review) per running case.
        cursor.execute(
            """
            INSERT INTO cases_task (case_id, step_key, name, kind, role, department_id,
              status, limit_days, opened_at, opened_on, deadline, yellow_from,
              light_notified, completed_at, outcome, comment, created_at, updated_at)
            SELECT c.id, s.key, s.name, s.kind, s.role, c.department_id, 'done', s.days,
              c.accepted_at, c.accepted_on, c.accepted_on + s.days, c.accepted_on + s.days - 1,
              '', c.decided_at, 'approved', '', c.accepted_at, c.accepted_at
            FROM cases_case c
            CROSS JOIN (VALUES ('accept', '受理', 'acceptance', 'window_clerk', 1),
                               ('review', '审查', 'review', 'reviewer', 7)) AS s(key, name,
                               kind, role, days)
            WHERE c.status = 'delivered'
            """
        )
        cursor.execute(
            """
            INSERT INTO cases_task (case_id, step_key, name, kind, role, department_id,
              status, limit_days, opened_at, opened_on, deadline, yellow_from,
              light_notified, outcome, comment, created_at, updated_at)
            SELECT c.id, 'review', '审查', 'review', 'reviewer', c.department_id, 'open', 7,
              c.accepted_at, c.accepted_on, c.accepted_on + 9, c.accepted_on + 7, '', '', '',
              c.accepted_at, c.accepted_at
            FROM cases_case c WHERE c.status = 'in_review'
            """
        )
        cursor.execute("ANALYZE")
    print(f"  built in {time.perf_counter() - started:.0f} s")


def timed(function, runs: int) -> list[float]:
    for _ in range(20):
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
    parser.add_argument("--runs", type=int, default=300)
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

    from onewindow.cases import selectors
    from onewindow.cases.models import Case, Task
    from onewindow.org.constants import Role
    from onewindow.org.models import RoleAssignment, User

    today = timezone.localdate()
    reviewer_assignment = (
        RoleAssignment.objects.filter(role=Role.REVIEWER).select_related("user").first()
    )
    reviewer = reviewer_assignment.user
    supervisor = User.objects.get(
        pk=RoleAssignment.objects.filter(role=Role.SUPERVISOR).values("user")[:1]
    )
    inbox_size = selectors.task_inbox(reviewer, on=today).count()

    def inbox():
        tasks = selectors.task_inbox(User.objects.get(pk=reviewer.pk), on=today)
        selectors.with_remaining(tasks[:50], on=today)
        tasks.count()

    def board():
        user = User.objects.get(pk=supervisor.pk)
        selectors.board_counts(user, on=today)
        list(selectors.supervisor_board(user, on=today)[:50])
        list(selectors.warned_cases(user, on=today)[:50])

    pgbench = reference.pgbench_select_only(
        connection.settings_dict, f"{arguments.database}_pgbench", arguments.pgbench_seconds
    )
    load_before = os.getloadavg()[0]
    figures = {
        "inbox": summary(timed(inbox, arguments.runs)),
        "board": summary(timed(board, arguments.runs)),
    }
    references = {}
    for name, path, user in (
        ("inbox page", "/inbox/", reviewer),
        ("board page", "/board/", supervisor),
    ):
        client = Client()
        client.force_login(user)
        references[name] = reference.signed_in_request(client, arguments.runs)
        if client.get(path).status_code != 200:
            print(f"{path} did not answer 200; page timing skipped")
            continue
        figures[name] = summary(timed(lambda c=client, p=path: c.get(p), arguments.runs))
    counts = {
        "cases": Case.objects.count(),
        "running": Case.objects.running().count(),
        "tasks": Task.objects.count(),
        "inbox": inbox_size,
        "board": selectors.board_counts(supervisor, on=today),
    }
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    info = machine()
    lines = [
        HEADING,
        "",
        f"{info['date']} · {info['cpu']} · {info['nproc']} cores · {info['python']} · "
        f"{database_label()}",
        "",
        f"Data: {counts['cases']:,} cases ({counts['running']:,} running), "
        f"{counts['tasks']:,} tasks; the reviewer's inbox holds {counts['inbox']:,} tasks; "
        f"the board: {counts['board']}.",
        "",
        *reference.table_header(),
    ]
    # Each row's reference is its own user's signed-in request (reviewer: inbox, supervisor:
    # board); they differ only by noise.
    for name, values in figures.items():
        own = references.get("inbox page" if name.startswith("inbox") else "board page")
        lines.append(reference.table_row(name, values, TARGET_P95_MS, own, pgbench["tps"]))
    load_after = os.getloadavg()[0]
    lines += [
        "",
        reference.describe(references["board page"], pgbench, (load_before, load_after))
        + f" As the reviewer: p95 {references['inbox page']['p95']:.1f} ms.",
        "",
        f"Peak RSS of the benchmark process: {rss:.0f} MiB.",
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
