"""The audit chain off the request path (issue 15, ADR 0004), on PostgreSQL.

    DATABASE_URL=postgres://…/throwaway .venv/bin/python bench/bench_audit_chain.py

Migrates the database named by ``DATABASE_URL`` and EMPTIES its audit tables: use a
throwaway database. Prints, with the machine and the load average:

1. the statements and row locks of one audited transaction (one and two events): what a
   writer pays and what it holds that every other writer waits for;
2. appends from concurrent writers (threads, one connection each, one short transaction
   per event pair): transactions per second, and the chainer's lag while they run;
3. the chainer alone on a backlog: events linked per second and the chainer process's CPU
   time per 1,000 events.

Run against an older checkout (``PYTHONPATH=<old>/src``) it measures parts 1 and 2 only
(there is no chainer there): the before and after of the same machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from environment import database_label, machine


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-0123456789-0123456789")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    assert connection.vendor == "postgresql", "this benchmark measures PostgreSQL"
    tables = ["core_auditevent", "core_auditchainhead"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('core_auditlink') IS NOT NULL")
        if cursor.fetchone()[0]:
            tables += ["core_auditlink", "core_auditcheckpoint"]
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


def chainer():
    try:
        from onewindow.core.audit import audit_chain_run, audit_chain_status
    except ImportError:
        return None, None
    return audit_chain_run, audit_chain_status


def statements(events: int) -> tuple[int, int, int]:
    """(statements, of them on audit tables, row locks taken) of one audited transaction,
    including what runs after commit."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from onewindow.core.audit import audit_append

    audit_append(action="bench.warm")  # the head row exists, as in a used database
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        for index in range(events):
            audit_append(action="bench.statements", data={"i": index})
    sqls = [query["sql"] for query in queries.captured_queries]
    real = [sql for sql in sqls if sql not in ("BEGIN", "COMMIT") and "SAVEPOINT" not in sql]
    audit = [sql for sql in real if "core_audit" in sql]
    locks = [sql for sql in real if "FOR UPDATE" in sql]
    return len(real), len(audit), len(locks)


def writers(threads: int, seconds: float, run, status) -> dict:
    from django.db import connection, transaction

    from onewindow.core.audit import audit_append

    stop = threading.Event()
    counts = [0] * threads
    lag = {"pending": 0, "age": 0.0}

    def write(number: int) -> None:
        try:
            while not stop.is_set():
                with transaction.atomic():
                    audit_append(action="bench.case_created", data={"w": number})
                    audit_append(action="bench.case_accepted", data={"w": number})
                counts[number] += 1
        finally:
            connection.close()

    def chain() -> None:
        try:
            while not stop.is_set():
                run()
                current = status()
                lag["pending"] = max(lag["pending"], current.pending)
                age = current.oldest_pending_age
                lag["age"] = max(lag["age"], age.total_seconds() if age else 0.0)
                time.sleep(0.2)
        finally:
            connection.close()

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    if run is not None:
        workers.append(threading.Thread(target=chain))
    started = time.monotonic()
    cpu = time.process_time()
    for worker in workers:
        worker.start()
    time.sleep(seconds)
    stop.set()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    return {
        "transactions": sum(counts),
        "per_second": sum(counts) / elapsed,
        "cpu_ms_per_transaction": (time.process_time() - cpu) * 1000 / max(sum(counts), 1),
        "max_pending": lag["pending"],
        "max_age": lag["age"],
    }


def chain_backlog(count: int, run) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditevent (occurred_at, actor, actor_id, action, object_type, "
            "object_id, data) SELECT now(), 'bench', '', 'bench.backlog', 'case', g::text, "
            "jsonb_build_object('n', g) FROM generate_series(1, %s) AS g",
            [count],
        )
    started, cpu = time.monotonic(), time.process_time()
    linked = run()
    elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
    return {"linked": linked, "per_second": linked / elapsed, "cpu_ms_per_1000": cpu * 1e6 / linked}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--backlog", type=int, default=100_000)
    arguments = parser.parse_args()
    setup()
    run, status = chainer()
    from django.db import connection

    print(machine(), database_label(), "load average", os.getloadavg())
    print("mode:", "chainer" if run else "chain head locked by each writer (before)")
    for events in (1, 2):
        total, audit, locks = statements(events)
        print(
            f"{events} event(s) per transaction: {total} statements "
            f"({audit} on audit tables), {locks} row locks"
        )
    connection.close()
    figures = writers(arguments.threads, arguments.seconds, run, status)
    print(
        f"{arguments.threads} writers, {arguments.seconds:.0f} s: "
        f"{figures['transactions']} transactions of 2 events, "
        f"{figures['per_second']:.0f}/s, {figures['cpu_ms_per_transaction']:.2f} ms "
        "of this process's CPU each"
    )
    if run is not None:
        run()
        print(
            f"chainer lag while writing: at most {figures['max_pending']} events waiting, "
            f"the oldest at most {figures['max_age']:.2f} s; pending after: "
            f"{status().pending}"
        )
        backlog = chain_backlog(arguments.backlog, run)
        print(
            f"chainer on a backlog of {arguments.backlog}: {backlog['linked']} linked, "
            f"{backlog['per_second']:.0f} events/s, {backlog['cpu_ms_per_1000']:.1f} ms of "
            "chainer CPU per 1,000 events"
        )
        from onewindow.core.audit import audit_verify

        started = time.monotonic()
        result = audit_verify()
        print(
            f"audit_verify: ok={result.ok}, {result.checked} links in "
            f"{time.monotonic() - started:.1f} s"
        )
    print("load average after", os.getloadavg())


if __name__ == "__main__":
    main()
