"""Resilience run: intake load, the app server killed with ``kill -9`` and restarted (PostgreSQL).

Run with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/onewindow .venv/bin/python
bench/bench_resilience.py`` (the database named in the URL need not exist; the script
uses its server and creates ``PREFIX_resilience``, ``--db-prefix``, default ``onewindow``).

1. Builds the throughput benchmark's data (the same builder, imported) and serves it with
   gunicorn (production settings) on 127.0.0.1.
2. Runs ``--duration`` seconds of intake load from threads of this process: each virtual
   user submits a case (``POST /api/v1/cases`` with a new ``Idempotency-Key``) and accepts
   it as a clerk. A submission is *acknowledged* when the server answers 201 or 200 with
   its number; until then it is sent again with the same key and the same body (a lost
   answer, a refused connection, a 5xx), also after the load's end, for ``--grace``
   seconds. An accept whose answer is lost is checked by reading the case.
3. At ``--kill-at`` seconds the gunicorn master and its workers are killed at once
   (``SIGKILL``), mid-request; after ``--down`` seconds gunicorn starts again on the same
   port. When the tree has ``onewindow audit-chain`` (events linked outside the request),
   the chainer runs beside the load and is killed the same way at ``--chain-kill-at``
   seconds, then started again.
4. Then checks, in SQL: every acknowledged case is stored exactly once, by number and by
   idempotency key, with the number it was acknowledged with; no key is stored twice; no
   case is half-written (each has all of its item's materials, at least one audit event,
   and, once in review, its tasks); every acknowledged accept left the case in review;
   and, after ``audit-chain --once`` when the tree has it, ``onewindow audit-verify``
   passes (every event linked once, the stored head's hash compared).

Prints a short report; writes the section "Resilience: the app server killed mid-load
(issue 15)" of ``bench/RESULTS.md`` unless ``--no-write``. Exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from pathlib import Path

import bench_throughput as throughput
from environment import database_label, machine, use_source_tree

HEADING = "## Resilience: the app server killed mid-load (issue 15)"
BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "RESULTS.md"
RETRY_PAUSE = 0.2


class Ledger:
    """What the clients were told, shared by the virtual users."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: dict[str, int] = {}  # idempotency key → attempts
        self.acknowledged: dict[str, dict] = {}  # key → {number, status, at}
        self.accepted: set[str] = set()  # numbers whose accept was acknowledged
        self.refused: list[str] = []  # 4xx answers: a client error, never retried
        self.acknowledged_at: list[float] = []

    def attempt(self, key: str) -> None:
        with self.lock:
            self.sent[key] = self.sent.get(key, 0) + 1

    def acknowledge(self, key: str, number: str, status: int) -> None:
        with self.lock:
            self.acknowledged[key] = {"number": number, "status": status}
            self.acknowledged_at.append(time.monotonic())

    def accept(self, number: str) -> None:
        with self.lock:
            self.accepted.add(number)

    def refuse(self, text: str) -> None:
        with self.lock:
            if len(self.refused) < 200:
                self.refused.append(text)


def virtual_user(
    index: int, port: int, people: dict, item: str, ledger: Ledger, stop_at: float, give_up: float
) -> None:
    applicant = people["applicants"][index % len(people["applicants"])]
    clerk = people["clerks"][index % len(people["clerks"])]
    applicant_headers = throughput._api_headers(applicant["cookies"])
    clerk_headers = throughput._api_headers(clerk["cookies"])
    connection = throughput.Connection(port)

    def send(method: str, path: str, body: bytes, headers: dict) -> tuple[int, bytes] | None:
        """One attempt; None when no answer came (refused, reset, timed out)."""
        try:
            status, _response, data = connection.request(method, path, body, headers)
            return status, data
        except Exception:  # the server is down or died mid-request: try again
            connection.http.close()
            return None

    while time.monotonic() < stop_at:
        key = uuid.uuid4().hex
        body = json.dumps(
            {
                "item": item,
                "applicant": applicant["applicant"],
                "form": {"contact": "张三", "phone": "13800000000"},
            },
            ensure_ascii=False,
        ).encode()
        number = None
        while number is None and time.monotonic() < give_up:
            ledger.attempt(key)
            answer = send(
                "POST", "/api/v1/cases", body, applicant_headers | {"Idempotency-Key": key}
            )
            if answer is None or answer[0] >= 500:
                time.sleep(RETRY_PAUSE)
                continue
            status, data = answer
            if status in (200, 201):
                number = json.loads(data)["number"]
                ledger.acknowledge(key, number, status)
            else:
                ledger.refuse(f"create {status}: {data[:200]!r}")
                break
        if number is None:
            continue
        path = f"/api/v1/cases/{number}/actions/accept"
        while time.monotonic() < give_up:
            answer = send("POST", path, b"{}", clerk_headers)
            if answer is not None and answer[0] == 200:
                ledger.accept(number)
                break
            if answer is not None and answer[0] < 500 and answer[0] not in (409, 422):
                ledger.refuse(f"accept {answer[0]}: {answer[1][:200]!r}")
                break
            # No answer, a 5xx, or a conflict: was the case accepted after all?
            read = send("GET", f"/api/v1/cases/{number}", b"", clerk_headers)
            if read is not None and read[0] == 200 and json.loads(read[1])["status"] != "submitted":
                ledger.accept(number)
                break
            time.sleep(RETRY_PAUSE)


class Chainer:
    """``onewindow audit-chain`` running beside the load (when the tree has it)."""

    def __init__(self, log: Path) -> None:
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "onewindow", "audit-chain"],
            cwd=throughput.REPOSITORY,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()
        return self.process.returncode


# == checks =================================================================================


def check(ledger: Ledger, materials: int) -> dict:
    """The database against what the clients were told."""
    from django.db import connection

    keys = list(ledger.sent)
    acknowledged = ledger.acknowledged
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT idempotency_key, number FROM cases_case WHERE idempotency_key = ANY(%s)",
            [keys],
        )
        stored: dict[str, list[str]] = {}
        for key, number in cursor.fetchall():
            stored.setdefault(key, []).append(number)
        cursor.execute(
            "SELECT number, count(*) FROM cases_case WHERE number = ANY(%s) GROUP BY number",
            [[entry["number"] for entry in acknowledged.values()]],
        )
        by_number = dict(cursor.fetchall())
        cursor.execute(
            "SELECT count(*) FROM cases_case c WHERE (SELECT count(*) FROM cases_casematerial m "
            "WHERE m.case_id = c.id) <> %s",
            [materials],
        )
        (without_materials,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM cases_case c WHERE NOT EXISTS (SELECT 1 FROM core_auditevent e "
            "WHERE e.object_type = 'case' AND e.object_id = c.number)"
        )
        (without_events,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM cases_case c WHERE c.status <> 'submitted' AND NOT EXISTS "
            "(SELECT 1 FROM cases_task t WHERE t.case_id = c.id)"
        )
        (without_tasks,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM cases_case WHERE number = ANY(%s) AND status = 'submitted'",
            [sorted(ledger.accepted)],
        )
        (accept_lost,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'submitted') FROM cases_case"
        )
        cases, submitted = cursor.fetchone()
    missing = [key for key in acknowledged if key not in stored]
    duplicated_keys = [key for key, numbers in stored.items() if len(numbers) > 1]
    wrong_number = [
        key
        for key, entry in acknowledged.items()
        if key in stored and entry["number"] not in stored[key]
    ]
    duplicated_numbers = [number for number, count in by_number.items() if count != 1]
    unacknowledged = [key for key in ledger.sent if key not in acknowledged]
    return {
        "cases": cases,
        "submitted": submitted,
        "sent": len(keys),
        "attempts": sum(ledger.sent.values()),
        "retried": sum(1 for attempts in ledger.sent.values() if attempts > 1),
        "acknowledged": len(acknowledged),
        "replayed": sum(1 for entry in acknowledged.values() if entry["status"] == 200),
        "accepted": len(ledger.accepted),
        "unacknowledged": len(unacknowledged),
        "unacknowledged_stored": sum(1 for key in unacknowledged if key in stored),
        "missing": len(missing),
        "duplicated_keys": len(duplicated_keys),
        "duplicated_numbers": len(duplicated_numbers),
        "wrong_number": len(wrong_number),
        "without_materials": without_materials,
        "without_events": without_events,
        "without_tasks": without_tasks,
        "accept_lost": accept_lost,
        "refused": len(ledger.refused),
        "refused_samples": ledger.refused[:5],
    }


def longest_gap(times: list[float], start: float, end: float) -> float:
    """The longest time without an acknowledged submission, within [start, end]."""
    points = [start, *sorted(t for t in times if start <= t <= end), end]
    return max(b - a for a, b in itertools.pairwise(points))


# == main ===================================================================================


def run(options, base_url: str, workdir: Path) -> dict:
    import django
    from django.core.management import call_command
    from django.db import connection

    bench_url = throughput._database_url(base_url, throughput.BENCH_DB)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "onewindow.settings",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": bench_url,
            "ONEWINDOW_VAR_DIR": str(workdir / "var"),
            "LOG_LEVEL": "WARNING",
        }
    )
    for name in ("ONEWINDOW_DEBUG", "CONN_MAX_AGE", "ONEWINDOW_HTTPS"):
        os.environ.pop(name, None)
    throughput.recreate_database(base_url, throughput.BENCH_DB)
    django.setup()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    data = throughput.build_data(options.applicants, options.clerks)
    database = database_label()
    connection.close()
    chaining = throughput.has_command("audit-chain")
    print(f"data ready ({database}); audit-chain in this tree: {chaining}", flush=True)

    log = workdir / "gunicorn.log"
    server = throughput.Server(options.worker_class, options.workers, options.threads, log)
    port = server.port
    people = {"applicants": [], "clerks": []}
    for kind, members in (("applicants", data["applicants"]), ("clerks", data["clerks"])):
        for person in members[: options.concurrency]:
            cookies = throughput.login(port, person["username"], throughput.PASSWORD)
            people[kind].append({"cookies": cookies, **person})

    ledger = Ledger()
    chainer = Chainer(workdir / "chainer.log") if chaining else None
    events: list[str] = []
    began = time.monotonic()
    stop_at = began + options.duration
    give_up = stop_at + options.grace
    load_before = os.getloadavg()[0]
    users = [
        threading.Thread(
            target=virtual_user,
            args=(index, port, people, data["item"], ledger, stop_at, give_up),
            daemon=True,
        )
        for index in range(options.concurrency)
    ]
    for user in users:
        user.start()
    killed_at = None
    chain_killed = False
    servers = [server]
    restarting = None
    try:
        while time.monotonic() < stop_at:
            elapsed = time.monotonic() - began
            if killed_at is None and elapsed >= options.kill_at:
                before = len(ledger.acknowledged)
                victims = server.kill()
                killed_at = time.monotonic()
                events.append(
                    f"{elapsed:.1f} s: `kill -9` of gunicorn's master and {len(victims) - 1} "
                    f"workers ({before} submissions acknowledged so far)"
                )
                print(events[-1], flush=True)

                def restart() -> None:
                    time.sleep(options.down)
                    spawned_at = time.monotonic()
                    servers.append(
                        throughput.Server(
                            options.worker_class, options.workers, options.threads, log, port
                        )
                    )
                    events.append(
                        f"{spawned_at - began:.1f} s: gunicorn started again on the same "
                        f"port; its health check answered with all workers up at "
                        f"{time.monotonic() - began:.1f} s (the clients' retries queue "
                        "beside it)"
                    )
                    print(events[-1], flush=True)

                # In the background, so that the chainer is killed on time meanwhile.
                restarting = threading.Thread(target=restart, daemon=True)
                restarting.start()
            if chainer is not None and not chain_killed and elapsed >= options.chain_kill_at:
                chainer.kill()
                chain_killed = True
                events.append(f"{elapsed:.1f} s: `kill -9` of the chainer (`audit-chain`)")
                time.sleep(1)
                chainer = Chainer(workdir / "chainer.log")
                events.append(f"{time.monotonic() - began:.1f} s: the chainer started again")
                print(events[-2], "; restarted", flush=True)
            time.sleep(0.1)
        if restarting is not None:
            restarting.join()
        for user in users:
            user.join(timeout=max(1.0, give_up - time.monotonic() + 5))
    finally:
        if restarting is not None:
            restarting.join()
        servers[-1].stop()
        chain_exit = chainer.stop() if chainer is not None else None
    load_after = os.getloadavg()[0]
    ended = time.monotonic()

    chain = throughput.chain_once() if chaining else {"ran": False}
    verify = throughput.audit_verify_command()
    checks = check(ledger, data["materials"])
    connection.close()
    gap = longest_gap(ledger.acknowledged_at, began + 1, stop_at) if killed_at else 0.0
    if killed_at is not None:
        after = [at for at in ledger.acknowledged_at if at > killed_at]
        events.append(
            f"first submission acknowledged after the kill: {min(after) - killed_at:.1f} s after it"
            if after
            else "no submission acknowledged after the kill"
        )
    return {
        "machine": machine(),
        "options": options,
        "database": database,
        "events": events,
        "checks": checks,
        "chain": chain,
        "chain_exit": chain_exit,
        "chaining": chaining,
        "verify": verify,
        "gap": gap,
        "seconds": ended - began,
        "rate": checks["acknowledged"] / options.duration,
        "load_before": load_before,
        "load_after": load_after,
        "source": os.environ.get("PYTHONPATH", "").split(os.pathsep)[0],
    }


FAILURES = (
    ("missing", "acknowledged cases not stored"),
    ("duplicated_keys", "idempotency keys stored more than once"),
    ("duplicated_numbers", "acknowledged numbers stored more than once"),
    ("wrong_number", "keys stored under another number than acknowledged"),
    ("without_materials", "cases without all their materials"),
    ("without_events", "cases without an audit event"),
    ("without_tasks", "cases past submission without tasks"),
    ("accept_lost", "acknowledged accepts not in the database"),
    ("unacknowledged", "submissions never acknowledged (after retries)"),
)


def verdict(report: dict) -> list[str]:
    """What failed (empty when everything held)."""
    checks = report["checks"]
    failed = [f"{checks[key]} {label}" for key, label in FAILURES if checks[key]]
    if not report["verify"]["ok"]:
        failed.append("audit-verify failed: " + report["verify"]["output"])
    if report["chain"].get("ran") and not report["chain"]["ok"]:
        failed.append("audit-chain --once failed: " + report["chain"]["output"])
    return failed


def _event_time(event: str) -> float:
    """Events in the order they happened (those without a time last)."""
    match = re.match(r"([\d.]+) s:", event)
    return float(match.group(1)) if match else float("inf")


def section_for(report: dict) -> str:
    info, options, checks = report["machine"], report["options"], report["checks"]
    failed = verdict(report)
    chain = report["chain"]
    lines = [
        HEADING,
        "",
        textwrap.fill(
            f"`DATABASE_URL=… .venv/bin/python bench/bench_resilience.py --db-prefix …` — "
            f"{info['date']} — {info['cpu']}, nproc {info['nproc']}, {info['python']}, "
            f"{report['database']}, source `{report['source']}`. Load average (1 min) "
            f"{report['load_before']:.2f} before, {report['load_after']:.2f} after.",
            width=92,
        ),
        "",
        textwrap.fill(
            f"Method: {options.duration} s of intake (submit + accept over HTTP, "
            f"{options.concurrency} virtual users, gunicorn {options.workers} "
            f"`{options.worker_class}` workers, production settings); at {options.kill_at} s "
            f"the master and workers are killed with `SIGKILL` mid-request and gunicorn is "
            f"started again {options.down} s later on the same port. A submission counts as "
            "acknowledged on 201/200 with its number; until then the client sends it again "
            f"with the same `Idempotency-Key` and body (up to {options.grace} s after the "
            "load). "
            + (
                f"The chainer (`onewindow audit-chain`) runs beside the load and is killed "
                f"with `SIGKILL` at {options.chain_kill_at} s, then started again. "
                if report["chaining"]
                else "This tree has no `audit-chain` (events are chained in the request). "
            )
            + "Checked in SQL afterwards, then `onewindow audit-verify`.",
            width=92,
        ),
        "",
        *[f"- {event}" for event in sorted(report["events"], key=_event_time)],
        "",
        "| Check | Result |",
        "|---|---:|",
        f"| submissions sent / acknowledged (answers replayed: 200) | {checks['sent']:,} / "
        f"{checks['acknowledged']:,} ({checks['replayed']}) |",
        f"| submissions sent more than once (same key) / attempts | {checks['retried']} / "
        f"{checks['attempts']:,} |",
        f"| accepts acknowledged | {checks['accepted']:,} |",
        f"| acknowledged cases per second over the run | {report['rate']:.1f} |",
        f"| longest time without an acknowledged submission | {report['gap']:.1f} s |",
        *[f"| {label} | {checks[key]} |" for key, label in FAILURES],
        f"| submissions never acknowledged but stored (allowed: the client gave up) | "
        f"{checks['unacknowledged_stored']} |",
        f"| client errors (4xx, not retried) | {checks['refused']} |",
        f"| cases in the database / left submitted | {checks['cases']:,} / "
        f"{checks['submitted']:,} |",
    ]
    if report["chaining"]:
        lines.append(
            f"| the chainer's exit status when stopped at the end (SIGTERM: -15) | "
            f"{report['chain_exit']} |"
        )
    if chain.get("ran"):
        lines.append(
            f"| `audit-chain --once` afterwards | {chain['events']:,} events, "
            f"{chain['seconds']:.1f} s, {'ok' if chain['ok'] else 'FAILED'} |"
        )
    lines += [
        f"| `audit-verify` | {'passes' if report['verify']['ok'] else 'FAILS'} |",
        "",
        "**Verdict: "
        + ("every check held.**" if not failed else "FAILED** — " + "; ".join(failed)),
    ]
    return "\n".join(lines) + "\n"


def write_results(section: str, heading: str = HEADING) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _match: section + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--kill-at", type=float, default=25, help="kill gunicorn at (s)")
    parser.add_argument("--down", type=float, default=2, help="seconds before the restart")
    parser.add_argument("--chain-kill-at", type=float, default=40, help="kill the chainer at (s)")
    parser.add_argument("--grace", type=float, default=60, help="retrying after the load (s)")
    parser.add_argument("--concurrency", type=int, default=16, help="virtual users")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--applicants", type=int, default=20)
    parser.add_argument("--clerks", type=int, default=4)
    parser.add_argument("--source", metavar="TREE", help="the source tree to run")
    parser.add_argument("--db-prefix", default="onewindow", help="creates PREFIX_resilience")
    parser.add_argument("--keep-databases", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    parser.add_argument(
        "--heading",
        default=HEADING[3:],
        help="the RESULTS.md section written (replaced when it exists), e.g. for a run of "
        "the tree before the change",
    )
    options = parser.parse_args(argv)

    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        print("DATABASE_URL must point at a PostgreSQL server (postgres://user@host:port/db)")
        return 2
    use_source_tree(options.source)
    name = f"{options.db_prefix}_resilience"
    throughput.set_database_names(bench=name, pgbench=f"{name}_pgbench")
    with tempfile.TemporaryDirectory(prefix="bench-resilience-") as scratch:
        try:
            report = run(options, base_url, Path(scratch))
        finally:
            if not options.keep_databases:
                with contextlib.suppress(Exception):
                    throughput.drop_database(base_url, name)
    section = section_for(report)
    heading = "## " + options.heading
    section = heading + section[len(HEADING) :]
    print()
    print(section)
    if not options.no_write:
        write_results(section, heading)
        print(f"written to {RESULTS}")
    return 1 if verdict(report) else 0


if __name__ == "__main__":
    sys.exit(main())
