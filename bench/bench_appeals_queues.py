"""Benchmark: the department's appeal queue and the centre's board with 500,000 orders
(PostgreSQL).

Run with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/onewindow .venv/bin/python
bench/bench_appeals_queues.py``. It keeps a database ``test_onewindow_bench_appeals``
between runs (``--rebuild`` starts again), makes a zone with ten departments, a
dispatcher and one handler per department, and inserts the orders in SQL
(``generate_series``): three years of history, ~96.5 % closed; the open ones received in
the last twelve days (some in their warning band, some overdue) and spread over the
statuses, each dispatched one with its lead assignment (one in five with a co-department
too), one in ten handled ones with an extension pending. Then it times, ``--runs`` times
each after a warm-up, signed in through the whole middleware (Django's test client):

* ``department queue page``: ``GET /appeals/department/`` as a handler (five tab counts
  and the first page of 待签收);
* ``department queue API``: ``GET /api/v1/appeals?status=handling`` as the same handler;
* ``centre board page``: ``GET /appeals/centre/`` as the dispatcher (five counts, 待派单);
* ``centre board API``: ``GET /api/v1/appeals?overdue=true`` as the dispatcher.

Beside them, a reference (``bench/reference.py``): ``GET /healthz`` signed in, and
``pgbench -S`` on a scratch database of the same server. Figures go to
``bench/RESULTS.md`` under "Appeals: queues".
"""

from __future__ import annotations

import argparse
import os
import resource
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

HEADING = "## Appeals: queues"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
TARGET_P95_MS = 50.0
TEST_DB = "test_onewindow_bench_appeals"
DEPARTMENTS = 10


def people():
    """The zone, its departments, the dispatcher and one handler per department (made
    once; found again on a kept database)."""
    from onewindow.org.constants import Role
    from onewindow.org.models import Department, User, Zone
    from onewindow.testing import worlds

    zone = Zone.objects.filter(code="SFQ").first() or worlds.zone()
    departments = []
    for n in range(DEPARTMENTS):
        code = f"D{n:02d}"
        departments.append(
            Department.objects.filter(zone=zone, code=code).first()
            or worlds.department(zone, code, f"部门{n:02d}")
        )
    dispatcher = User.objects.filter(username="bench_dispatcher").first() or worlds.staff(
        zone, Role.DISPATCHER, username="bench_dispatcher"
    )
    handlers = [
        User.objects.filter(username=f"bench_handler_{n}").first()
        or worlds.staff(
            zone, Role.APPEAL_HANDLER, username=f"bench_handler_{n}", department=department
        )
        for n, department in enumerate(departments)
    ]
    return zone, departments, dispatcher, handlers


def build(total: int) -> None:
    from onewindow.appeals.models import Appeal, AppealCategory

    zone, departments, dispatcher, _handlers = people()
    if Appeal.objects.count() >= total:
        print(f"{Appeal.objects.count():,} orders already there")
        return
    root = AppealCategory.objects.get_or_create(
        zone=zone, code="01", defaults={"name": "营商环境"}
    )[0]
    categories = [
        AppealCategory.objects.get_or_create(
            zone=zone, code=f"01{n:02d}", defaults={"name": f"分类{n:02d}", "parent": root}
        )[0].pk
        for n in range(1, 11)
    ]
    started = time.perf_counter()
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_departments, bench_categories")
        cursor.execute("CREATE TEMP TABLE bench_departments (n int, id bigint)")
        cursor.executemany(
            "INSERT INTO bench_departments VALUES (%s, %s)",
            [(n, department.pk) for n, department in enumerate(departments)],
        )
        cursor.execute("CREATE TEMP TABLE bench_categories (n int, id bigint)")
        cursor.executemany(
            "INSERT INTO bench_categories VALUES (%s, %s)", list(enumerate(categories))
        )
        print(f"inserting {total:,} orders")
        # Per g % 200: 0 received, 1 dispatched, 2–3 handling, 4 sent back, 5 replied,
        # 6 answered; the rest closed. Open orders were received 0–11 days ago (due after 7
        # days, warned after 5); closed ones 12 days to three years ago.
        cursor.execute(
            """
            INSERT INTO appeals_appeal (
              zone_id, number, query_code, channel, nature, urgency, category_id, subject,
              description, words, anonymous, contact_name, contact_phone, confidential,
              subject_uscc, linked_policy, status, lead_department_id, designated,
              limit_unit, limit_amount, extended_days, clock_started_at, due_at, warn_at,
              due_provisional, dispatched_at, sign_due_at, signed_at, return_until,
              replied_at, answered_at, closed_at, overdue, sign_overdue, extension_count,
              return_count, late_return_count, reopen_count, reply, closing_kind,
              redirect_channel, emergency_service, satisfaction, created_at, updated_at)
            SELECT %(zone)s, 'SFQ-SQ2019-' || lpad(g::text, 9, '0'), 'BENCHCOD', 'online',
              'complaint', 'normal', c.id, '营业执照办理进度咨询', '请帮忙催办。', '', false,
              '张三', '13900000000', false, '', '', s.status,
              CASE WHEN s.status = 'received' THEN NULL ELSE d.id END, false,
              'working_days', 5, 0, s.received, s.received + interval '7 days',
              s.received + interval '5 days', false,
              CASE WHEN s.status = 'received' THEN NULL ELSE s.received + interval '1 hour' END,
              CASE WHEN s.status = 'received' THEN NULL ELSE s.received + interval '3 hours' END,
              CASE WHEN s.status IN ('received', 'dispatched', 'return_requested') THEN NULL
                   ELSE s.received + interval '2 hours' END,
              CASE WHEN s.status = 'received' THEN NULL ELSE s.received + interval '25 hours' END,
              CASE WHEN s.status IN ('replied', 'answered', 'closed')
                   THEN s.received + interval '4 days' END,
              CASE WHEN s.status IN ('answered', 'closed') THEN s.received + interval '5 days' END,
              CASE WHEN s.status = 'closed' THEN s.received + interval '6 days' END,
              s.status = 'closed' AND g %% 23 = 0, false, 0, 0, 0, 0,
              CASE WHEN s.status IN ('replied', 'answered', 'closed') THEN '已办理。' ELSE '' END,
              CASE WHEN s.status = 'closed' THEN 'visited' ELSE '' END, '', '',
              CASE WHEN s.status = 'closed' THEN 'satisfied' ELSE '' END,
              s.received, s.received
            FROM (
              SELECT g,
                CASE g %% 200 WHEN 0 THEN 'received' WHEN 1 THEN 'dispatched'
                  WHEN 2 THEN 'handling' WHEN 3 THEN 'handling' WHEN 4 THEN 'return_requested'
                  WHEN 5 THEN 'replied' WHEN 6 THEN 'answered' ELSE 'closed' END AS status,
                %(now)s::timestamptz - CASE WHEN g %% 200 <= 6
                  THEN (((g / 200)::bigint * 7919 + g) %% 1000) * interval '17 minutes'
                  ELSE (12 + (g::bigint * 7919) %% 1083) * interval '1 day' END AS received
              FROM generate_series(1, %(total)s) AS g
            ) s
            JOIN bench_departments d ON d.n = (s.g / 200) %% %(nd)s
            JOIN bench_categories c ON c.n = s.g %% %(nc)s
            """,
            {
                "zone": zone.pk,
                "now": now,
                "total": total,
                "nd": len(departments),
                "nc": len(categories),
            },
        )
        print(f"  orders: {time.perf_counter() - started:.0f} s")
        cursor.execute(
            """
            INSERT INTO appeals_appealassignment (appeal_id, department_id, role, is_current,
              signed_at, part_reply, created_at)
            SELECT id, lead_department_id, 'lead', true, signed_at, '', dispatched_at
            FROM appeals_appeal WHERE lead_department_id IS NOT NULL
            """
        )
        cursor.execute(
            """
            INSERT INTO appeals_appealassignment (appeal_id, department_id, role, is_current,
              signed_at, part_reply, created_at)
            SELECT a.id, d.id, 'co', true, a.signed_at, '', a.dispatched_at
            FROM appeals_appeal a
            JOIN bench_departments d ON d.n = (a.id + 3) %% %(nd)s
            WHERE a.lead_department_id IS NOT NULL AND a.id %% 5 = 0
              AND d.id <> a.lead_department_id
            """,
            {"nd": len(departments)},
        )
        cursor.execute(
            """
            INSERT INTO appeals_appealextension (appeal_id, department_id, days, reason,
              status, requested_by_id, requested_at, decision_reason)
            SELECT id, lead_department_id, 3, '需现场核查', 'pending', %(user)s, created_at, ''
            FROM appeals_appeal WHERE status = 'handling' AND id %% 10 = 0
            """,
            {"user": dispatcher.pk},
        )
    # Inserted around the services: count them into the queue roll-up.
    from onewindow.appeals.services.queue_counts import queue_counts_rebuild

    queue_counts_rebuild(zone)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  built in {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=200)
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
    parser.add_argument("--explain", action="store_true", help="print the plans of the counts")
    arguments = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("This benchmark runs on PostgreSQL: set DATABASE_URL.")
    setup_test_environment()
    connection.settings_dict["TEST"]["NAME"] = arguments.database
    connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=not arguments.rebuild, serialize=False
    )
    build(arguments.orders)

    from onewindow.appeals import queues
    from onewindow.appeals.models import Appeal, AppealAssignment

    _zone, _departments, dispatcher, handlers = people()
    handler = handlers[0]
    now = timezone.now()
    department_counts = queues.queue_counts(
        queues.department_scope(handler), queues.DEPARTMENT_QUEUES, now
    )
    centre_counts = queues.queue_counts(queues.centre_scope(dispatcher), queues.CENTRE_QUEUES, now)
    if arguments.explain:
        for key in ("sign", "handling", "overdue"):
            rows = queues.queue_rows(queues.department_scope(handler), key, now)[:25]
            print(key, rows.explain(analyze=True))

    pgbench = reference.pgbench_select_only(
        connection.settings_dict, f"{arguments.database}_pgbench", arguments.pgbench_seconds
    )
    clients = {}
    for name, user in (("handler", handler), ("dispatcher", dispatcher)):
        client = Client()
        client.force_login(user)
        clients[name] = client
    references = {
        name: reference.signed_in_request(client, arguments.runs)
        for name, client in clients.items()
    }
    load_before = os.getloadavg()[0]
    cases = (
        ("department queue page", "handler", "/appeals/department/", {}),
        ("department queue API", "handler", "/api/v1/appeals", {"status": "handling"}),
        ("centre board page", "dispatcher", "/appeals/centre/", {}),
        ("centre board API", "dispatcher", "/api/v1/appeals", {"overdue": "true"}),
    )
    figures = {}
    for name, who, path, query in cases:
        client = clients[who]
        response = client.get(path, query)
        if response.status_code != 200:
            sys.exit(f"{path} answered {response.status_code}")
        figures[name] = (
            who,
            reference.percentiles(
                reference.timed(lambda c=client, p=path, q=query: c.get(p, q), arguments.runs, 20)
            ),
        )
    load_after = os.getloadavg()[0]
    counts = {
        "orders": Appeal.objects.count(),
        "open": Appeal.objects.filter(status__in=queues.RUNNING).count(),
        "assignments": AppealAssignment.objects.count(),
        "held": queues.department_scope(handler).count(),
    }
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    info = machine()
    lines = [
        HEADING,
        "",
        f"{info['date']} · {info['cpu']} · {info['nproc']} cores · {info['python']} · "
        f"{database_label()}",
        "",
        f"Data: {counts['orders']:,} orders ({counts['open']:,} not yet replied), "
        f"{counts['assignments']:,} assignments; the handler's department holds "
        f"{counts['held']:,} orders, its queues {department_counts}; the centre's board "
        f"{centre_counts}.",
        "",
        *reference.table_header(),
    ]
    for name, (who, values) in figures.items():
        lines.append(
            reference.table_row(name, values, TARGET_P95_MS, references[who], pgbench["tps"])
        )
    lines += [
        "",
        reference.describe(references["dispatcher"], pgbench, (load_before, load_after))
        + f" As the handler: p95 {references['handler']['p95']:.1f} ms.",
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
