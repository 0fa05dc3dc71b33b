"""Benchmark: case intake throughput (submit + accept) through the HTTP API, on PostgreSQL.

Run with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/onewindow .venv/bin/python
bench/bench_throughput.py`` (PostgreSQL only; the database named in the URL need not exist:
the script uses its server). It needs gunicorn in the venv.

1. Creates a fresh database ``onewindow_bench_throughput`` on that server, migrates it,
   collects the static files into a temporary ``ONEWINDOW_VAR_DIR``, loads the demo zone
   and catalog, and adds a published item whose materials need no upload (two are shared
   by other systems, one is optional; standard steps 受理 → 审查 → 决定 → 送达), 50
   applicant users each representing an enterprise, and 4 window clerks.
2. Serves it with gunicorn (4 workers, production settings: DEBUG off, secure cookies,
   ``CONN_MAX_AGE`` 600) on a free port of 127.0.0.1.
3. Runs the load generator in a separate process (this file with ``--load-generator``):
   virtual users in threads, one keep-alive ``http.client`` connection each; every user
   logs in once through ``POST /login/`` (form + CSRF), then each virtual user loops:
   ``POST /api/v1/cases`` as an applicant (``X-CSRFToken``, an ``Idempotency-Key``), then
   ``POST /api/v1/cases/{number}/actions/accept`` as a clerk. Warm-up, then a measured
   window; cases accepted per second, errors, latency per request type.
   With ``--worker-class auto`` (the default) a short trial of gunicorn's ``sync`` and
   ``gthread`` workers comes first, and the measured run uses the faster.
4. While the load runs: the peak resident memory (``VmHWM``) of each gunicorn worker, the
   CPU used by the workers, the benchmark database's backends, the load generator and the
   rest of the machine, and ``pg_stat_activity`` (who waits on which row lock).
5. Runs pgbench tpcb-like (``-i -s 10``, then ``-c 8 -j 2 -T 30``) on a fresh database
   ``onewindow_pgbench`` of the same server, for the ratio cases/s ÷ TPS.
6. Counts the SQL statements of one submit and one accept in process (Django's test
   client, ``CaptureQueriesContext``), checks the audit chain, drops both databases.

The figures go to ``bench/RESULTS.md`` under "Case intake throughput (issue: cases)"
(a later run replaces that section), with issue 15's targets beside them: ≥ 100 cases/s
(200 the aim), ≤ 20 statements per case, < 2 ms per case holding any zone- or
installation-wide lock (the case-number row, the audit chain head, an advisory lock).

Options for before/after runs on one machine: ``--source TREE`` measures another checkout
(its ``src/`` is imported first, here and in gunicorn), ``--db-prefix`` names the databases
(``PREFIX_bench_throughput``, ``PREFIX_pgbench``), and ``--chain`` times ``onewindow
audit-chain --once`` after the load when the tree has that command (events linked outside
the request); the chain is verified with ``onewindow audit-verify`` at the end either way.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import http.client
import json
import os
import pstats
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.parse
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from environment import database_label, machine, use_source_tree

HEADING = "## Case intake throughput (issue: cases)"
BENCH_DIR = Path(__file__).resolve().parent
REPOSITORY = BENCH_DIR.parent
RESULTS = BENCH_DIR / "RESULTS.md"
VENV_BIN = Path(sys.executable).parent
BENCH_DB = "onewindow_bench_throughput"
PGBENCH_DB = "onewindow_pgbench"


def set_database_names(*, bench: str, pgbench: str) -> None:
    """Name the databases this module creates and samples (``--db-prefix``): runs of
    several people on one server must not drop each other's."""
    global BENCH_DB, PGBENCH_DB
    BENCH_DB, PGBENCH_DB = bench, pgbench


TARGET_CASES_PER_SECOND = 200.0
#: Issue 15's targets, printed next to each figure.
TARGET_NOW_CASES_PER_SECOND = 100.0
TARGET_STATEMENTS_PER_CASE = 20
TARGET_LOCK_HOLD_MS = 2.0
PASSWORD = "bench-Password-2026"
ZONE_CODE = "SFQ"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary_ms(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"n": 0, "p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
    return {
        "n": len(samples),
        "p50": statistics.median(samples) * 1e3,
        "p95": percentile(samples, 0.95) * 1e3,
        "p99": percentile(samples, 0.99) * 1e3,
        "max": max(samples) * 1e3,
    }


# == the load generator (its own process) ===================================================


class Connection:
    """One keep-alive HTTP/1.1 connection to the server (reopened when the server closes it,
    as gunicorn's sync workers do after every response)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.reconnects = 0

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, http.client.HTTPResponse, bytes]:
        for attempt in (1, 2):
            try:
                # As the reverse proxy of docs/deploy.md sends them: production settings
                # redirect plain HTTP and check the origin of unsafe requests.
                origin = f"https://127.0.0.1:{self.port}"
                sent = {"X-Forwarded-Proto": "https", "Origin": origin, "Referer": f"{origin}/"}
                sent.update(headers or {})
                self.http.request(method, path, body=body or None, headers=sent)
                response = self.http.getresponse()
                data = response.read()
                if response.will_close:
                    self.http.close()
                return response.status, response, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server closed while idle: the request never
                # reached the application; send it again on a new connection, once.
                self.http.close()
                if attempt == 2:
                    raise
                self.reconnects += 1
        raise AssertionError("unreachable")


def _set_cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]


def _cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def login(port: int, username: str, password: str) -> dict[str, str]:
    """Log in as a browser does: the form's CSRF cookie, then POST /login/."""
    connection = Connection(port)
    jar: dict[str, str] = {}
    status, response, _ = connection.request("GET", "/login/")
    if status != 200:
        raise RuntimeError(f"GET /login/ answered {status}")
    _set_cookies(response, jar)
    form = urllib.parse.urlencode(
        {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": jar["csrftoken"],
            "next": "",
        }
    ).encode()
    status, response, data = connection.request(
        "POST",
        "/login/",
        form,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": _cookie_header(jar),
        },
    )
    _set_cookies(response, jar)  # a new session and a rotated CSRF token
    if status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"login of {username} answered {status}: {data[:300]!r}")
    connection.http.close()
    return {"sessionid": jar["sessionid"], "csrftoken": jar["csrftoken"]}


def _api_headers(jar: dict[str, str]) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Cookie": _cookie_header(jar),
        "X-CSRFToken": jar["csrftoken"],
    }


def load_generator(config_path: str) -> int:
    """``--load-generator CONFIG``: log in (or reuse the sessions file), run the virtual
    users, print ``WARMUP_START <monotonic>`` when they start and ``RESULT <json>`` at the
    end."""
    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    port = config["port"]
    sessions_file = Path(config["sessions_file"])
    login_started = time.perf_counter()
    if sessions_file.exists():
        sessions = json.loads(sessions_file.read_text(encoding="utf-8"))
        login_seconds = None
    else:
        people = [("applicant", user) for user in config["applicants"]] + [
            ("clerk", user) for user in config["clerks"]
        ]
        with ThreadPoolExecutor(max_workers=8) as pool:
            jars = list(
                pool.map(lambda person: login(port, person[1]["username"], PASSWORD), people)
            )
        sessions = {"applicants": [], "clerks": []}
        for (kind, user), jar in zip(people, jars, strict=True):
            sessions[kind + "s"].append({"cookies": jar, **user})
        sessions_file.write_text(json.dumps(sessions), encoding="utf-8")
        login_seconds = time.perf_counter() - login_started

    concurrency = config["concurrency"]
    warmup, duration = config["warmup"], config["duration"]
    item = config["item"]
    records: list[tuple[str, float, float]] = []  # (kind, started, finished), successes only
    errors: Counter = Counter()
    error_samples: list[str] = []
    reconnects = [0] * concurrency
    applicants, clerks = sessions["applicants"], sessions["clerks"]

    def failed(kind: str, status: int | str, data: bytes | str) -> None:
        errors[f"{kind} {status}"] += 1
        if len(error_samples) < 5:
            error_samples.append(f"{kind} {status}: {str(data)[:300]}")

    def virtual_user(index: int, stop_at: float) -> None:
        connection = Connection(port)
        clerk = clerks[index % len(clerks)]
        clerk_headers = _api_headers(clerk["cookies"])
        turn = index
        while time.monotonic() < stop_at:
            applicant = applicants[turn % len(applicants)]
            turn += concurrency  # the virtual users take the applicants in turn
            body = json.dumps(
                {
                    "item": item,
                    "applicant": applicant["applicant"],
                    "form": {"contact": "张三", "phone": "13800000000"},
                },
                ensure_ascii=False,
            ).encode()
            headers = _api_headers(applicant["cookies"]) | {"Idempotency-Key": uuid.uuid4().hex}
            try:
                started = time.monotonic()
                status, _, data = connection.request("POST", "/api/v1/cases", body, headers)
                finished = time.monotonic()
                if status != 201:
                    failed("create", status, data)
                    continue
                records.append(("create", started, finished))
                number = json.loads(data)["number"]
                started = time.monotonic()
                status, _, data = connection.request(
                    "POST", f"/api/v1/cases/{number}/actions/accept", b"{}", clerk_headers
                )
                finished = time.monotonic()
                if status != 200 or json.loads(data).get("status") != "in_review":
                    failed("accept", status, data)
                    continue
                records.append(("accept", started, finished))
            except Exception as error:  # counted and reported; the run goes on
                failed("exception", type(error).__name__, str(error))
                connection.http.close()
                time.sleep(0.05)
        reconnects[index] = connection.reconnects

    began = time.monotonic()
    print(f"WARMUP_START {began}", flush=True)
    stop_at = began + warmup + duration
    threads = [
        threading.Thread(target=virtual_user, args=(index, stop_at), daemon=True)
        for index in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    window_start, window_end = began + warmup, stop_at

    latencies: dict[str, list[float]] = defaultdict(list)
    per_second = [0] * int(duration)
    for kind, started, finished in records:
        if window_start <= finished <= window_end:
            latencies[kind].append(finished - started)
            if kind == "accept":
                per_second[min(int(finished - window_start), len(per_second) - 1)] += 1
    accepted = len(latencies["accept"])
    result = {
        "accepted": accepted,
        "created": len(latencies["create"]),
        "cases_per_second": accepted / duration,
        "per_second": per_second,
        "latency": {kind: summary_ms(values) for kind, values in latencies.items()},
        "errors": dict(errors),
        "error_samples": error_samples,
        "reconnects": sum(reconnects),
        "login_seconds": login_seconds,
        "logins": len(applicants) + len(clerks),
        "window": [window_start, window_end],
    }
    print("RESULT " + json.dumps(result), flush=True)
    return 0


# == the database server ====================================================================


def _database_url(base: str, name: str) -> str:
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def _admin_connection(base: str):
    """An autocommit connection to the server: to the URL's database, else ``postgres``."""
    import psycopg

    for name in (urllib.parse.urlsplit(base).path.lstrip("/") or "postgres", "postgres"):
        try:
            return psycopg.connect(_database_url(base, name), autocommit=True)
        except psycopg.OperationalError as error:
            if "does not exist" not in str(error):
                raise
    raise RuntimeError("cannot connect to the server's postgres database")


def recreate_database(base: str, name: str) -> None:
    with _admin_connection(base) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(base: str, name: str) -> None:
    with _admin_connection(base) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_environment(url: str) -> tuple[list[str], dict[str, str]]:
    parts = urllib.parse.urlsplit(url)
    arguments = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    if parts.username:
        arguments += ["-U", urllib.parse.unquote(parts.username)]
    environment = dict(os.environ)
    if parts.password:
        environment["PGPASSWORD"] = urllib.parse.unquote(parts.password)
    return arguments, environment


def run_pgbench(base: str, seconds: int) -> dict:
    """pgbench tpcb-like on a fresh database of the same server: TPS and mean latency."""
    recreate_database(base, PGBENCH_DB)
    arguments, environment = _pg_environment(base)
    started = time.perf_counter()
    subprocess.run(
        ["pgbench", *arguments, "-i", "-q", "-s", "10", PGBENCH_DB],
        env=environment,
        check=True,
        capture_output=True,
    )
    initialised = time.perf_counter() - started
    output = subprocess.run(
        ["pgbench", *arguments, "-c", "8", "-j", "2", "-T", str(seconds), PGBENCH_DB],
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", output)
    latency = re.search(r"latency average = ([\d.]+) ms", output)
    if tps is None:
        raise RuntimeError(f"pgbench printed no TPS:\n{output}")
    return {
        "tps": float(tps.group(1)),
        "latency_ms": float(latency.group(1)) if latency else None,
        "init_seconds": initialised,
        "seconds": seconds,
    }


# == data ===================================================================================


def build_data(applicants: int, clerks: int) -> dict:
    """Demo zone and catalog, the benchmark item, applicant users and clerks."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from onewindow.catalog.constants import MaterialMedium, MaterialSource
    from onewindow.catalog.tests.factories import item_codes, make_item, material, uscc_for
    from onewindow.demo import catalog_data, org_data
    from onewindow.org.constants import ApplicantKind, Capacity, Role, UserKind
    from onewindow.org.models import Department, User, Window, Zone
    from onewindow.org.services import applicant_register, staff_create

    org_data.load()
    catalog_data.load()
    zone = Zone.objects.get(code=ZONE_CODE)
    department = Department.objects.get(zone=zone, code="SCJG")
    tax = Department.objects.get(zone=zone, code="SWJ")
    code, basic = item_codes(department, "01", number=99001)
    materials = [
        material(
            "营业执照信息",
            source=MaterialSource.NOT_NEEDED,
            medium=MaterialMedium.ELECTRONIC,
            notes="通过企业信用信息共享核验，免提交",
        ),
        material(
            "纳税信用证明",
            source=MaterialSource.DEPARTMENT,
            source_department=tax,
            medium=MaterialMedium.ELECTRONIC,
            notes="税务局共享，免提交",
        ),
        material("情况说明", required=False),
    ]
    version = make_item(
        zone,
        department,
        name="食品经营许可（吞吐量基准）",
        materials=materials,
        promised_limit_days=10,
        legal_limit_days=20,
        implementation_code=code,
        basic_code=basic,
    )
    password = make_password(PASSWORD)  # hashed once: 54 hashes would take half a minute
    applicant_rows = []
    with transaction.atomic():
        for serial in range(1, applicants + 1):
            user = User(
                username=f"bench_applicant_{serial:03d}",
                display_name=f"经办人{serial:03d}",
                kind=UserKind.APPLICANT,
                zone=zone,
                password=password,
            )
            user.save()
            applicant = applicant_register(
                kind=ApplicantKind.ENTERPRISE,
                name=f"基准测试第{serial:03d}有限公司",
                uscc=uscc_for(70000 + serial, registration="91"),
                legal_representative=f"法人{serial:03d}",
                phone="13900000000",
                user=user,
                capacity=Capacity.LEGAL_REPRESENTATIVE,
            )
            applicant_rows.append({"username": user.username, "applicant": applicant.pk})
        center = Department.objects.get(zone=zone, code="ZWFWZX")
        window = Window.objects.get(zone=zone, code="A01")
        clerk_rows = []
        for serial in range(1, clerks + 1):
            user = staff_create(
                zone=zone,
                username=f"bench_clerk_{serial}",
                password="unused-Password-2026",
                display_name=f"窗口{serial}",
                roles=[Role.WINDOW_CLERK],
                department=center,
                window=window,
            )
            User.objects.filter(pk=user.pk).update(password=password)
            clerk_rows.append({"username": user.username})
    return {
        "item": version.item.implementation_code,
        "item_name": version.name,
        "materials": len(materials),
        "applicants": applicant_rows,
        "clerks": clerk_rows,
    }


# == the server and what it uses ============================================================


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_version() -> str:
    output = subprocess.run(
        [str(VENV_BIN / "gunicorn"), "--version"], capture_output=True, text=True, check=True
    ).stdout
    return output.strip().split("(version ")[-1].rstrip(")")


def _gunicorn_accepts_no_control_socket() -> bool:
    output = subprocess.run(
        [str(VENV_BIN / "gunicorn"), "--help"], capture_output=True, text=True, check=True
    ).stdout
    return "--no-control-socket" in output


class Server:
    """gunicorn serving the benchmark database on a free port of 127.0.0.1."""

    def __init__(
        self, worker_class: str, workers: int, threads: int, log: Path, port: int | None = None
    ) -> None:
        self.worker_class, self.workers, self.threads = worker_class, workers, threads
        self.port = port or free_port()
        command = [
            str(VENV_BIN / "gunicorn"),
            "onewindow.wsgi:application",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--timeout",
            "120",
        ]
        if worker_class == "gthread":
            command += ["--threads", str(threads)]
        if _gunicorn_accepts_no_control_socket():
            command.append("--no-control-socket")
        self.log = log
        self.log_file = log.open("ab")
        self.process = subprocess.Popen(
            command, cwd=REPOSITORY, stdout=self.log_file, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {log}:\n{log.read_text()[-2000:]}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200 and len(self.worker_pids()) == workers:
                    connection.close()
                    break
                connection.close()
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within 60 s; see {log}")
            time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        return [pid for pid in _pids() if _parent(pid) == self.process.pid]

    def kill(self) -> list[int]:
        """``kill -9`` of the master and its workers at once, as a crash would end them;
        returns the process ids killed."""
        victims = [self.process.pid, *self.worker_pids()]
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait()
        deadline = time.monotonic() + 10
        while any(_parent(pid) is not None for pid in victims[1:]):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.log_file.close()
        return victims

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _stat_fields(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            text = stat.read()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from "state" on


def _parent(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[1]) if fields else None


def _cpu_ticks(pid: int) -> int:
    fields = _stat_fields(pid)
    return int(fields[11]) + int(fields[12]) if fields else 0  # utime + stime


def _status_kib(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _bench_backends() -> list[int]:
    """PostgreSQL backends connected to the benchmark database (by their process title)."""
    backends = []
    for pid in _pids():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                title = cmdline.read().decode("utf-8", "replace")
        except OSError:
            continue
        if title.startswith("postgres:") and f" {BENCH_DB} " in title:
            backends.append(pid)
    return backends


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot."""
    with open("/proc/stat", encoding="utf-8") as stat:
        values = [int(value) for value in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # guest time is already counted in user time
    return total - idle, total


TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"', re.I)


class Sampler(threading.Thread):
    """Samples the workers' memory all along, and, during the measured window, the
    database's sessions; takes CPU snapshots at the window's two ends."""

    def __init__(self, server: Server, database_url: str, load_pid: int) -> None:
        super().__init__(daemon=True)
        import psycopg

        self.server, self.load_pid = server, load_pid
        self.database = psycopg.connect(database_url, autocommit=True)
        self.window: tuple[float, float] | None = None
        self.stopping = threading.Event()
        self.hwm: dict[int, int] = {}
        self.rss_max: dict[int, int] = {}
        self.start_rss = {pid: _status_kib(pid, "VmRSS") for pid in server.worker_pids()}
        self.pss: dict[int, int] = {}
        self.snapshots: list[dict] = []
        self.sessions: list[Counter] = []

    def snapshot(self) -> dict:
        workers = self.server.worker_pids()
        backends = _bench_backends()
        busy, total = _machine_ticks()
        return {
            "at": time.monotonic(),
            "workers": {pid: _cpu_ticks(pid) for pid in workers},
            "master": _cpu_ticks(self.server.process.pid),
            "backends": {pid: _cpu_ticks(pid) for pid in backends},
            "load": _cpu_ticks(self.load_pid),
            "machine": (busy, total),
        }

    def sample_sessions(self) -> None:
        rows = self.database.execute(
            "SELECT state, wait_event_type, wait_event, query FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [BENCH_DB],
        ).fetchall()
        counts: Counter = Counter()
        for state, wait_type, wait_event, query in rows:
            counts["connections"] += 1
            if state == "idle in transaction":
                counts["idle in transaction"] += 1
            elif state == "active":
                counts["active"] += 1
                if wait_type == "Lock":
                    match = TABLE.search(query or "")
                    counts[f"lock wait: {match.group(1) if match else wait_event}"] += 1
                elif wait_type in ("IO", "LWLock") and wait_event:
                    counts[f"{wait_type}: {wait_event}"] += 1
        self.sessions.append(counts)

    def run(self) -> None:
        started = ended = False
        while not self.stopping.is_set():
            for pid in self.server.worker_pids():
                self.hwm[pid] = max(self.hwm.get(pid, 0), _status_kib(pid, "VmHWM"))
                self.rss_max[pid] = max(self.rss_max.get(pid, 0), _status_kib(pid, "VmRSS"))
            now = time.monotonic()
            if self.window is not None:
                start, end = self.window
                if not started and now >= start:
                    self.snapshots.append(self.snapshot())
                    started = True
                if started and not ended and now < end:
                    with contextlib.suppress(Exception):  # a sample lost, not the run
                        self.sample_sessions()
                if started and not ended and now >= end:
                    self.snapshots.append(self.snapshot())
                    self.pss = {pid: _pss_kib(pid) for pid in self.server.worker_pids()}
                    ended = True
            self.stopping.wait(0.2)

    def stop(self) -> None:
        self.stopping.set()
        self.join()
        self.database.close()

    def cpu(self) -> dict[str, float] | None:
        """Cores used by each party over the window (1.0 = one core busy all the time)."""
        if len(self.snapshots) != 2:
            return None
        first, last = self.snapshots
        seconds = last["at"] - first["at"]

        def delta(key: str) -> int:
            return sum(
                last[key][pid] - first[key].get(pid, 0)
                for pid in last[key]
                if pid in first[key] or key == "workers"
            )

        workers = delta("workers") + last["master"] - first["master"]
        backends = delta("backends")
        load = last["load"] - first["load"]
        busy = last["machine"][0] - first["machine"][0]
        total = last["machine"][1] - first["machine"][1]
        cores = os.cpu_count() or 1  # /proc/stat counts every CPU of the machine
        per_core_tick = total / cores  # ticks one core had over the window
        return {
            "seconds": seconds,
            "workers": workers / CLK_TCK / seconds,
            "backends": backends / CLK_TCK / seconds,
            "load": load / CLK_TCK / seconds,
            "machine": busy / per_core_tick,
            "others": max(0.0, (busy - (workers + backends + load)) / per_core_tick),
            "cores": cores,
        }

    def session_means(self) -> dict[str, float]:
        if not self.sessions:
            return {}
        keys = set().union(*self.sessions)
        return {key: sum(s[key] for s in self.sessions) / len(self.sessions) for key in keys}


def run_load(
    server: Server, config: dict, workdir: Path, database_url: str, sample: bool
) -> tuple[dict, Sampler | None]:
    """One load-generator process against ``server`` (with the samplers when ``sample``)."""
    config_path = workdir / f"load-{server.worker_class}-{time.monotonic_ns()}.json"
    config_path.write_text(json.dumps(config | {"port": server.port}), encoding="utf-8")
    errors_path = config_path.with_suffix(".stderr")
    errors_file = errors_path.open("w")
    process = subprocess.Popen(
        [sys.executable, __file__, "--load-generator", str(config_path)],
        cwd=REPOSITORY,
        stdout=subprocess.PIPE,
        stderr=errors_file,
        text=True,
    )
    sampler = Sampler(server, database_url, process.pid) if sample else None
    result = None
    try:
        if sampler is not None:
            sampler.start()
        for line in process.stdout:
            if line.startswith("WARMUP_START ") and sampler is not None:
                began = float(line.split()[1])
                sampler.window = (
                    began + config["warmup"],
                    began + config["warmup"] + config["duration"],
                )
            elif line.startswith("RESULT "):
                result = json.loads(line[len("RESULT ") :])
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if sampler is not None:
            sampler.stop()
        errors_file.close()
    if result is None:
        raise RuntimeError(f"the load generator failed:\n{errors_path.read_text()[-3000:]}")
    return result, sampler


# == in-process profile =====================================================================


#: Rows and locks every writer of a zone (or of the installation) must pass through one at a
#: time: the zone's case-number row, the audit chain head row, and any advisory lock.
NUMBER_TABLE = "cases_casenumbersequence"
HEAD_TABLE = "core_auditchainhead"
ADVISORY = re.compile(r"pg_(?:try_)?advisory(?:_xact)?_lock\b", re.I)


def _locks(sql: str, table: str) -> bool:
    """Does ``sql`` lock a row of ``table`` until the end of its transaction?"""
    head = sql.lstrip()[:12].upper()
    if table not in sql:
        return False
    if head.startswith("SELECT"):
        return "FOR UPDATE" in sql or "FOR NO KEY UPDATE" in sql
    return head.startswith(("UPDATE", "INSERT", "DELETE"))


def _lock_holds(events: list[tuple[float, float, str]]) -> dict[str, float]:
    """How long one request held what serialises writers, from its statements' times:
    the zone's case-number row, the audit chain head row and any advisory lock, each from
    the end of the statement that took it (its first ``SELECT … FOR UPDATE``, ``UPDATE`` or
    ``INSERT`` of the row, or ``pg_advisory_xact_lock``) to the end of ``COMMIT``; and the
    head updates sent after the commit, each its own transaction. A lock the request never
    takes is held 0 ms: after the case number comes from a sequence, or the chain is
    linked outside the request, the figure drops to 0 on its own."""

    def first(predicate, before: int) -> int | None:
        return next((i for i, (_s, _e, sql) in enumerate(events[:before]) if predicate(sql)), None)

    commit = next((i for i, (_s, _e, sql) in enumerate(events) if sql == "COMMIT"), None)
    if commit is None:
        return {}
    committed = events[commit][1]
    holds = {"number": 0.0, "head": 0.0, "advisory": 0.0}
    for key, predicate in (
        ("number", lambda sql: _locks(sql, NUMBER_TABLE)),
        ("head", lambda sql: _locks(sql, HEAD_TABLE)),
        ("advisory", lambda sql: bool(ADVISORY.search(sql))),
    ):
        taken = first(predicate, commit)
        if taken is not None:
            holds[key] = committed - events[taken][1]
    after = [
        finished - started
        for started, finished, sql in events[commit + 1 :]
        if sql.lstrip().upper().startswith("UPDATE") and HEAD_TABLE in sql
    ]
    holds["head_updates"] = len(after)
    holds["head_after"] = sum(after)
    return holds


CPU_CATEGORIES = [
    ("test client", ("/django/test/", "/bench_throughput.py")),
    ("psycopg", ("/psycopg/", "/psycopg_binary/")),
    ("Django ORM", ("/django/db/",)),
    ("django-ninja and pydantic", ("/ninja/", "/pydantic/", "/pydantic_core/")),
    ("Django request handling, middleware, sessions, auth, i18n", ("/django/",)),
    ("OneWindow code", ("/onewindow/",)),
]


def _category(filename: str) -> str:
    for name, fragments in CPU_CATEGORIES:
        if any(fragment in filename for fragment in fragments):
            return name
    return "standard library and other packages"


def _cpu_shares(stats: pstats.Stats) -> dict[str, float]:
    """Own time per category, the test client left out; a C function's time goes to the
    category of its callers (``str.join`` called by the ORM is the ORM's)."""
    own: Counter = Counter()
    for (filename, _line, _name), (_cc, _nc, total, _cumulative, callers) in stats.stats.items():
        if filename != "~":
            own[_category(filename)] += total
            continue
        for caller, figures in callers.items():
            own[_category(caller[0])] += figures[2]
    own.pop("test client", None)
    whole = sum(own.values()) or 1.0
    return {name: value / whole for name, value in own.most_common()}


def profile_requests(data: dict, rounds: int = 20) -> dict:
    """SQL statements, time and lock holds of one submit and one accept, in process, one
    request at a time (Django's test client; this process only times the statements and
    the commit, the application runs unchanged)."""
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from onewindow.org.models import User

    applicant = data["applicants"][0]
    applicant_client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    applicant_client.force_login(User.objects.get(username=applicant["username"]))
    clerk_client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    clerk_client.force_login(User.objects.get(username=data["clerks"][0]["username"]))
    body = {"item": data["item"], "applicant": applicant["applicant"], "form": {"contact": "张三"}}
    figures: dict[str, dict[str, list]] = {
        "create": defaultdict(list),
        "accept": defaultdict(list),
    }
    statements: dict[str, list[str]] = {}
    events: list[tuple[float, float, str]] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            events.append((started, time.perf_counter(), sql))

    default = connections["default"]
    original_commit = default._commit

    def timed_commit():
        started = time.perf_counter()
        try:
            return original_commit()
        finally:
            events.append((started, time.perf_counter(), "COMMIT"))

    def measure(kind: str, call) -> object:
        events.clear()
        with CaptureQueriesContext(connection) as captured:
            started, cpu = time.perf_counter(), time.process_time()
            response = call()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        figures[kind]["wall"].append(elapsed)
        figures[kind]["cpu"].append(cpu)
        # The statements' own times (CaptureQueriesContext rounds each to the millisecond).
        figures[kind]["sql"].append(sum(finished - begun for begun, finished, _sql in events))
        figures[kind]["count"].append(len(captured.captured_queries))
        for key, value in _lock_holds(events).items():
            figures[kind][key].append(value)
        statements[kind] = [q["sql"] for q in captured.captured_queries]
        return response

    default._commit = timed_commit
    try:
        with connection.execute_wrapper(timed):
            for index in range(rounds + 3):
                response = measure(
                    "create",
                    lambda: applicant_client.post(
                        "/api/v1/cases",
                        body,
                        content_type="application/json",
                        headers={"Idempotency-Key": uuid.uuid4().hex},
                    ),
                )
                assert response.status_code == 201, response.content
                number = response.json()["number"]
                response = measure(
                    "accept",
                    lambda number=number: clerk_client.post(
                        f"/api/v1/cases/{number}/actions/accept",
                        {},
                        content_type="application/json",
                    ),
                )
                assert response.status_code == 200, response.content
                if index < 3:  # warm-up
                    for kind in figures:
                        for values in figures[kind].values():
                            values.pop()
    finally:
        del default._commit

    # Where this process's CPU goes (cProfile on process time, separate requests: the
    # profiler slows Python down, so only the shares are kept).
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(rounds):
        response = applicant_client.post(
            "/api/v1/cases",
            body,
            content_type="application/json",
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert response.status_code == 201, response.content
        number = response.json()["number"]
        response = clerk_client.post(
            f"/api/v1/cases/{number}/actions/accept", {}, content_type="application/json"
        )
        assert response.status_code == 200, response.content
    profiler.disable()
    result: dict = {"cpu_shares": _cpu_shares(pstats.Stats(profiler))}
    for kind, values in figures.items():
        kinds: Counter = Counter()
        tables: Counter = Counter()
        for sql in statements[kind]:
            verb = sql.split(None, 1)[0].upper()
            kinds[verb] += 1
            match = TABLE.search(sql)
            if verb in ("SELECT", "INSERT", "UPDATE", "DELETE") and match:
                tables[match.group(1)] += 1
        audit = sum(count for table, count in tables.items() if table.startswith("core_audit"))
        result[kind] = {
            "statements": statistics.median(values["count"]),
            "wall_ms": statistics.median(values["wall"]) * 1e3,
            "cpu_ms": statistics.median(values["cpu"]) * 1e3,
            "sql_ms": statistics.median(values["sql"]) * 1e3,
            "verbs": dict(kinds),
            "tables": dict(tables.most_common()),
            "audit": audit,
            **{
                f"{lock}_hold_ms": statistics.median(values[lock]) * 1e3
                if values.get(lock)
                else 0.0
                for lock in ("number", "head", "advisory")
            },
            "head_updates": statistics.median(values["head_updates"])
            if values.get("head_updates")
            else 0,
            "head_after_ms": statistics.median(values["head_after"]) * 1e3
            if values.get("head_after")
            else 0.0,
        }
    return result


# == the audit chain (``onewindow audit-chain`` / ``audit-verify``) ===========================


def onewindow_command(*arguments: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    """``onewindow <arguments>`` in a child process, with this process's environment (the
    database, settings and source tree: ``PYTHONPATH``)."""
    return subprocess.run(
        [sys.executable, "-m", "onewindow", *arguments],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def has_command(name: str) -> bool:
    """Does this source tree's ``onewindow help`` list the command ``name`` (dashed)?"""
    listed = onewindow_command("help", "--commands", timeout=120).stdout.split()
    return name.replace("-", "_") in listed


def audit_events() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM core_auditevent")
        return cursor.fetchone()[0]


def chain_once() -> dict:
    """Run ``onewindow audit-chain --once`` when this tree has it, and time it. Without the
    command (events chained in the request, the older design) nothing is run."""
    if not has_command("audit-chain"):
        return {"ran": False}
    events = audit_events()
    started = time.perf_counter()
    done = onewindow_command("audit-chain", "--once")
    seconds = time.perf_counter() - started
    return {
        "ran": True,
        "ok": done.returncode == 0,
        "seconds": seconds,
        "events": events,
        "output": (done.stdout + done.stderr).strip()[-600:],
    }


def audit_verify_command(*arguments: str) -> dict:
    """``onewindow audit-verify``: its exit status and what it printed."""
    started = time.perf_counter()
    done = onewindow_command("audit-verify", *arguments)
    return {
        "ok": done.returncode == 0,
        "seconds": time.perf_counter() - started,
        "output": (done.stdout + done.stderr).strip()[-600:],
    }


def _case_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        return cursor.fetchone()[0]


def audit_check() -> dict:
    """The cases the load left, and ``onewindow audit-verify`` over the whole chain (the
    command, so that the check is the one this source tree ships)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE status = 'in_review'), "
            "count(*) FILTER (WHERE status = 'submitted') FROM cases_case"
        )
        in_review, submitted = cursor.fetchone()
    if has_command("audit-chain"):  # link what the profile and the load left, first
        onewindow_command("audit-chain", "--once")
    verified = audit_verify_command()
    return {
        "events": audit_events(),
        "ok": verified["ok"],
        "break": "" if verified["ok"] else verified["output"],
        "verify_seconds": verified["seconds"],
        "in_review": in_review,
        "submitted": submitted,
    }


# == the report =============================================================================


def _mib(kib: int) -> float:
    return kib / 1024


def _verdict(met: bool | None) -> str:
    return "n/a" if met is None else ("met" if met else "**not met**")


def targets_table(report: dict) -> list[str]:
    """Issue 15's figures, each beside its target."""
    main, pgbench, cpu, profile = (
        report["main"],
        report["pgbench"],
        report["cpu"],
        report["profile"],
    )
    rate = main["cases_per_second"]
    errors = sum(main["errors"].values())
    create, accept = profile["create"], profile["accept"]
    statements = create["statements"] + accept["statements"]
    rows = [
        (
            "cases/s (submit + accept over HTTP)",
            f"{rate:.1f}",
            f"≥ {TARGET_NOW_CASES_PER_SECOND:.0f} now, {TARGET_CASES_PER_SECOND:.0f} aim",
            _verdict(rate >= TARGET_NOW_CASES_PER_SECOND),
        ),
        ("… ÷ pgbench tpcb-like TPS (same run)", f"{rate / pgbench['tps']:.3f}", "", ""),
        ("errors", f"{errors}", "0", _verdict(errors == 0)),
        (
            "SQL statements per case (create + accept)",
            f"{statements:.0f} ({create['statements']:.0f} + {accept['statements']:.0f})",
            f"≤ {TARGET_STATEMENTS_PER_CASE}",
            _verdict(statements <= TARGET_STATEMENTS_PER_CASE),
        ),
    ]
    if cpu is not None and rate:
        app, database = cpu["workers"] / rate * 1e3, cpu["backends"] / rate * 1e3
        budget = cpu["cores"] * 1e3 / TARGET_CASES_PER_SECOND
        rows += [
            ("CPU ms per case: application (gunicorn)", f"{app:.1f}", "", ""),
            ("CPU ms per case: database (its backends)", f"{database:.1f}", "", ""),
            (
                "CPU ms per case, both",
                f"{app + database:.1f}",
                f"< {budget:.0f} (for {TARGET_CASES_PER_SECOND:.0f}/s on {cpu['cores']} cores)",
                _verdict(app + database < budget),
            ),
        ]
    locks = (
        ("zone's case-number row (`cases_casenumbersequence`)", "number"),
        ("audit chain head row (`core_auditchainhead`) in the request", "head"),
        ("advisory lock in the request", "advisory"),
    )
    for label, key in locks:
        held = create[f"{key}_hold_ms"] + accept[f"{key}_hold_ms"]
        if key == "head":
            held += create["head_after_ms"] + accept["head_after_ms"]
        rows.append(
            (
                f"ms per case holding the {label}",
                f"{held:.1f}",
                f"< {TARGET_LOCK_HOLD_MS:.0f}",
                _verdict(held < TARGET_LOCK_HOLD_MS),
            )
        )
    chain = report.get("chain") or {}
    if chain.get("ran"):
        per_case = chain["seconds"] / chain["cases"] * 1e3 if chain.get("cases") else 0.0
        rows.append(
            (
                "`audit-chain --once` after the load (the chainer alone holds its lock)",
                f"{chain['events']:,} events in {chain['seconds']:.1f} s "
                f"({per_case:.2f} ms per case){'' if chain['ok'] else ', FAILED'}",
                "keeps up with intake",
                _verdict(chain["ok"] and per_case * TARGET_NOW_CASES_PER_SECOND < 1e3),
            )
        )
    audit = report["audit"]
    rows.append(
        (
            "`audit-verify` after the load",
            "passes" if audit["ok"] else "FAILS",
            "passes",
            _verdict(audit["ok"]),
        )
    )
    lines = ["| Issue 15 figure | Measured | Target | |", "|---|---:|---|---|"]
    lines += [
        f"| {label} | {value} | {target} | {verdict} |" for label, value, target, verdict in rows
    ]
    return lines


def section_for(report: dict) -> str:
    info, options, main = report["machine"], report["options"], report["main"]
    pgbench, cpu, profile = report["pgbench"], report["cpu"], report["profile"]
    rate = main["cases_per_second"]
    ratio = rate / pgbench["tps"]
    verdict = (
        "aim met"
        if rate >= TARGET_CASES_PER_SECOND
        else "met"
        if rate >= TARGET_NOW_CASES_PER_SECOND
        else "not met"
    )
    errors = sum(main["errors"].values())
    error_text = (
        "0 errors"
        if not errors
        else f"{errors} errors ({', '.join(f'{k}: {v}' for k, v in main['errors'].items())})"
    )
    worker_class = report["worker_class"]
    server = f"{options.workers} workers, `{worker_class}`" + (
        f" with {options.threads} threads each" if worker_class == "gthread" else ""
    )
    lines = [
        report.get("heading") or HEADING,
        "",
        textwrap.fill(
            f"`DATABASE_URL=… .venv/bin/python bench/bench_throughput.py` — {info['date']} — "
            f"{info['cpu']}, nproc {info['nproc']}, {info['python']}, {report['database']}, "
            f"gunicorn {report['gunicorn']}, source `{report['source']}`. Load average (1 min) "
            f"{report['load_before']:.2f} before the run, {report['load_after']:.2f} after "
            "(other work was running on the machine).",
            width=92,
        ),
        "",
        textwrap.fill(
            f"A fresh database `{BENCH_DB}` with the demo zone and catalog, an item whose "
            f"{report['data']['materials']} materials need no upload (two shared by other "
            "systems, one optional; steps 受理 → 审查 → 决定 → 送达), "
            f"{options.applicants} applicant users each representing an enterprise and "
            f"{options.clerks} window clerks. Server: gunicorn, {server}, on 127.0.0.1, "
            "production settings (DEBUG off, secure cookies, `CONN_MAX_AGE` 600). Load: a "
            f"separate process, {options.concurrency} virtual users (threads, one keep-alive "
            "`http.client` connection each; every user logged in once through `POST /login/`), "
            "each looping `POST /api/v1/cases` as an applicant (`X-CSRFToken`, an "
            "`Idempotency-Key`) then `POST /api/v1/cases/{number}/actions/accept` as a clerk; "
            f"{options.warmup} s warm-up, then {options.duration} s measured. pgbench ran "
            f"right after on the same server (`-i -s 10`, then tpcb-like `-c 8 -j 2 "
            f"-T {pgbench['seconds']}`).",
            width=92,
        ),
        "",
    ]
    if report["trials"]:
        lines += [
            textwrap.fill(
                f"Worker class, {options.trial} s trials ({options.trial_warmup} s warm-up): "
                + "; ".join(
                    f"`{name}` {trial['cases_per_second']:.1f} cases/s"
                    + (f" ({sum(trial['errors'].values())} errors)" if trial["errors"] else "")
                    for name, trial in report["trials"].items()
                )
                + f" → measured with `{worker_class}`.",
                width=92,
            ),
            "",
        ]
    hwm = report["hwm"]
    lines += [
        "| What | Figure |",
        "|---|---:|",
        f"| cases submitted and accepted per second | **{rate:.1f}** |",
        f"| pgbench tpcb-like, same server, same run | {pgbench['tps']:,.0f} TPS |",
        f"| ratio cases/s ÷ TPS | {ratio:.3f} |",
        f"| peak RSS of one worker (`VmHWM`, max of {len(hwm)}) | "
        f"{_mib(max(hwm.values())):.0f} MiB |",
        f"| … after start-up, before any request (`VmRSS`) | "
        f"{_mib(max(report['start_rss'].values())):.0f} MiB |",
        f"| … proportional share at the end of the load (PSS, max) | "
        f"{_mib(max(report['pss'].values() or [0])):.0f} MiB |",
        f"| requests completed in the window (create + accept) | "
        f"{main['created'] + main['accepted']:,} |",
        f"| errors | {errors} |",
        "",
        textwrap.fill(
            f"Target ≥ {TARGET_NOW_CASES_PER_SECOND:.0f} cases/s on 2 cores now, "
            f"{TARGET_CASES_PER_SECOND:.0f} the aim: **{verdict}** "
            f"({rate:.1f}; {error_text}). Accepts per second over the window: min "
            f"{min(main['per_second'])}, median {statistics.median(main['per_second']):.0f}, "
            f"max {max(main['per_second'])}.",
            width=92,
        ),
        "",
        "| Request (ms) | n | p50 | p95 | p99 | max |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind, label in (
        ("create", "`POST /api/v1/cases` (create + submit)"),
        ("accept", "`POST …/actions/accept`"),
    ):
        s = main["latency"].get(kind) or summary_ms([])
        lines.append(
            f"| {label} | {s['n']:,} | {s['p50']:.1f} | {s['p95']:.1f} | {s['p99']:.1f} | "
            f"{s['max']:.1f} |"
        )
    lines += ["", *targets_table(report), "", "### Where the time goes", ""]
    findings = []
    per_case = ceiling = 0.0
    if cpu is not None:
        per_case = (cpu["workers"] + cpu["backends"]) / rate * 1e3 if rate else 0.0
        app = cpu["workers"] / rate * 1e3 if rate else 0.0
        pg = cpu["backends"] / rate * 1e3 if rate else 0.0
        ceiling = cpu["cores"] * 1e3 / per_case if per_case else 0.0
        findings.append(
            f"**CPU.** Over the window the machine's {cpu['cores']} cores were "
            f"{cpu['machine'] / cpu['cores']:.0%} busy: gunicorn {cpu['workers']:.2f} cores, "
            f"the benchmark database's PostgreSQL backends {cpu['backends']:.2f}, the load "
            f"generator {cpu['load']:.2f}, everything else (other engineers' work, the "
            f"system) {cpu['others']:.2f}. One case costs {app:.1f} ms of application CPU "
            f"and {pg:.1f} ms of PostgreSQL CPU: with both cores for the server and nothing "
            f"else running, at most about {ceiling:.0f} cases/s."
        )
    sessions = report["sessions"]
    if sessions:
        waits = sorted(
            ((key, value) for key, value in sessions.items() if key.startswith("lock wait")),
            key=lambda pair: -pair[1],
        )
        wait_text = (
            ", ".join(f"`{key.split(': ', 1)[1]}` {value:.1f}" for key, value in waits) or "none"
        )
        other = sorted(
            (
                (key, value)
                for key, value in sessions.items()
                if key.startswith(("IO:", "LWLock:")) and value >= 0.05
            ),
            key=lambda pair: -pair[1],
        )
        findings.append(
            f"**Locks.** `pg_stat_activity` every 0.2 s ({len(report['session_samples'])} "
            f"samples): of {sessions.get('connections', 0):.1f} connections on average, "
            f"{sessions.get('active', 0):.1f} were running a statement and "
            f"{sessions.get('idle in transaction', 0):.1f} were inside a transaction waiting "
            "for the application; statements waiting on a row lock, by table: "
            f"{wait_text}"
            + (
                "; waiting on I/O or internal locks: "
                + ", ".join(f"`{key}` {value:.2f}" for key, value in other)
                if other
                else ""
            )
            + "."
        )
    create, accept = profile["create"], profile["accept"]
    findings.append(
        "**Statements** (in process, Django's test client, one request at a time, median of "
        f"{report['profile_rounds']}): a create sends {create['statements']:.0f} statements, "
        f"{create['audit']} of them on the audit tables, in {create['wall_ms']:.1f} ms "
        f"({create['cpu_ms']:.1f} ms of CPU in this process, {create['sql_ms']:.1f} ms "
        f"waiting on the database); an accept {accept['statements']:.0f}, {accept['audit']} "
        f"on the audit tables, in {accept['wall_ms']:.1f} ms ({accept['cpu_ms']:.1f} ms CPU, "
        f"{accept['sql_ms']:.1f} ms SQL). Busiest tables — create: "
        + ", ".join(f"`{t}` {n}" for t, n in list(create["tables"].items())[:5])
        + "; accept: "
        + ", ".join(f"`{t}` {n}" for t, n in list(accept["tables"].items())[:5])
        + "."
    )
    shares = profile.get("cpu_shares") or {}
    if shares:
        findings.append(
            "**Application CPU** (cProfile on process time over another "
            f"{report['profile_rounds']} cases, the test client left out; shares only, as the "
            "profiler slows Python down): "
            + ", ".join(f"{name} {share:.0%}" for name, share in shares.items())
            + ". A C function's time is its caller's (`str.join` called by the ORM is the ORM's)."
        )
    head_total = (
        create["head_hold_ms"]
        + accept["head_hold_ms"]
        + create["head_after_ms"]
        + accept["head_after_ms"]
    )
    if head_total:
        findings.append(
            "**Serialised sections** (same in-process requests, timed statement by "
            f"statement): a create holds the zone's case-number row {create['number_hold_ms']:.1f}"
            " ms (from its `SELECT … FOR UPDATE` to the end of `COMMIT`) and the audit chain "
            f"head {create['head_hold_ms']:.1f} ms; an accept holds the chain head "
            f"{accept['head_hold_ms']:.1f} ms. After committing, each sends one `UPDATE` of the "
            f"head per event ({create['head_updates']:.0f} + {accept['head_updates']:.0f}, each "
            "its own transaction and commit, each waiting for whoever holds the head): "
            f"{create['head_after_ms'] + accept['head_after_ms']:.1f} ms. The head is thus "
            f"held about {head_total:.0f} ms per case, one case at a time: at most about "
            f"{1e3 / head_total:.0f} cases/s at this machine's speed, whatever the cores and "
            "workers"
            + (
                f" (the case-number row alone: about {1e3 / create['number_hold_ms']:.0f}/s)."
                if create["number_hold_ms"]
                else "."
            )
        )
    audit = report["audit"]
    findings.append(
        f"**Integrity after the load.** {audit['in_review']:,} cases in review, "
        f"{audit['submitted']:,} left submitted (cut off by the end of the run or by an "
        f"error), {audit['events']:,} audit events; the chain verifies: "
        f"{'yes' if audit['ok'] else 'NO — ' + audit['break']}."
    )
    if per_case and head_total:
        budget = cpu["cores"] * 1e3 / TARGET_CASES_PER_SECOND
        lines += [
            textwrap.fill(
                f"Two ceilings, measured separately: CPU (about {ceiling:.0f} cases/s: "
                f"{per_case:.0f} ms of application and PostgreSQL CPU per case on "
                f"{cpu['cores']} cores) and the audit chain head (about "
                f"{1e3 / head_total:.0f} cases/s: held {head_total:.0f} ms per case, one case "
                f"at a time). {TARGET_CASES_PER_SECOND:.0f} cases/s on {cpu['cores']} cores "
                f"needs under {budget:.0f} ms of CPU per case in all and under "
                f"{1e3 / TARGET_CASES_PER_SECOND:.0f} ms of chain-head hold per case.",
                width=92,
            ),
            "",
        ]
    for finding in findings:
        lines.append(textwrap.fill(finding, width=92, initial_indent="- ", subsequent_indent="  "))
    if (report.get("chain") or {}).get("ran"):
        lines += [
            "",
            textwrap.fill(
                "What serialises writers (from the code): nothing zone- or installation-wide. "
                "On PostgreSQL a case number is the zone's sequence's `nextval` (not "
                "transactional: nothing is held); an audit event is one `INSERT` that locks "
                "nothing, and one chainer (`onewindow audit-chain`, under an advisory lock) "
                "links committed events after the fact (ADR 0004). What is left is CPU: the "
                "application's share per case is most of it (the ORM building and reading "
                "rows), then PostgreSQL's; adding cores raises the rate.",
                width=92,
            ),
        ]
        return "\n".join(lines) + "\n"
    lines += [
        "",
        textwrap.fill(
            "What serialises writers (from the code): a create takes the zone's case-number "
            "row (`CaseNumberSequence`, `SELECT … FOR UPDATE`) before it inserts the case and "
            "keeps it to commit; every audit event (2 per create: created, submitted; 5 per "
            "accept: accepted, review started, acceptance task opened and completed, review "
            "task opened) locks the one audit chain-head row (`core.audit.audit_append`) and "
            "keeps it to commit, and moves the head forward after commit with an `UPDATE` per "
            "event, in autocommit, which waits for the current holder (unless a later event "
            "has moved the head already). Every create and "
            "accept of the zone therefore passes one at a time through the part of its "
            "transaction after its first audit event, Python between statements and the "
            "commit's WAL flush included; with more concurrent requests than cores, a worker "
            "descheduled while it holds the head stalls all the others. Adding workers or "
            "cores does not raise that ceiling; fewer statements and less Python inside the "
            "locked part, one head update per transaction instead of one per event, and taking "
            "the locks as late as possible do.",
            width=92,
        ),
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


# == main ===================================================================================


def measure(options, base_url: str, workdir: Path) -> dict:
    import django
    from django.core.management import call_command
    from django.db import connection

    bench_url = _database_url(base_url, BENCH_DB)
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
    recreate_database(base_url, BENCH_DB)
    django.setup()
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    data = build_data(options.applicants, options.clerks)
    database = database_label()
    connection.close()
    print(f"database ready in {time.perf_counter() - started:.1f} s ({database})", flush=True)

    config = {
        "sessions_file": str(workdir / "sessions.json"),
        "applicants": data["applicants"],
        "clerks": data["clerks"],
        "item": data["item"],
        "concurrency": options.concurrency,
    }
    log = workdir / "gunicorn.log"
    trials: dict[str, dict] = {}
    worker_class = options.worker_class
    if worker_class == "auto":
        for candidate in ("sync", "gthread"):
            server = Server(candidate, options.workers, options.threads, log)
            try:
                trial, _ = run_load(
                    server,
                    config | {"warmup": options.trial_warmup, "duration": options.trial},
                    workdir,
                    bench_url,
                    sample=False,
                )
            finally:
                server.stop()
            trials[candidate] = trial
            print(
                f"trial {candidate}: {trial['cases_per_second']:.1f} cases/s, "
                f"errors {trial['errors'] or 0}"
                + (
                    f", {trial['logins']} logins in {trial['login_seconds']:.1f} s"
                    if trial["login_seconds"]
                    else ""
                ),
                flush=True,
            )
        worker_class = max(trials, key=lambda name: trials[name]["cases_per_second"])

    load_before = os.getloadavg()[0]
    server = Server(worker_class, options.workers, options.threads, log)
    try:
        main_run, sampler = run_load(
            server,
            config | {"warmup": options.warmup, "duration": options.duration},
            workdir,
            bench_url,
            sample=True,
        )
    finally:
        server.stop()
    load_after = os.getloadavg()[0]
    print(
        f"measured ({worker_class}): {main_run['cases_per_second']:.1f} cases/s, "
        f"errors {main_run['errors'] or 0}, reconnects {main_run['reconnects']}",
        flush=True,
    )
    for sample in main_run["error_samples"]:
        print("  error:", sample)

    chain = chain_once() if options.chain else {"ran": False}
    if chain["ran"]:
        chain["cases"] = _case_count()
        print(
            f"audit-chain --once: {chain['events']:,} events in {chain['seconds']:.1f} s "
            f"({'ok' if chain['ok'] else 'FAILED: ' + chain['output']})",
            flush=True,
        )
    elif options.chain:
        print("audit-chain: not in this source tree (events are chained in the request)")
    pgbench = run_pgbench(base_url, options.pgbench_seconds)
    print(f"pgbench tpcb-like: {pgbench['tps']:.0f} TPS", flush=True)
    profile = profile_requests(data, options.profile_rounds)
    audit = audit_check()
    print(f"audit-verify: {'ok' if audit['ok'] else 'FAILED: ' + audit['break']}", flush=True)
    connection.close()
    return {
        "machine": machine(),
        "options": options,
        "database": database,
        "gunicorn": gunicorn_version(),
        "data": data,
        "trials": trials,
        "worker_class": worker_class,
        "main": main_run,
        "hwm": sampler.hwm,
        "rss_max": sampler.rss_max,
        "start_rss": sampler.start_rss,
        "pss": sampler.pss,
        "cpu": sampler.cpu(),
        "sessions": sampler.session_means(),
        "session_samples": sampler.sessions,
        "pgbench": pgbench,
        "profile": profile,
        "profile_rounds": options.profile_rounds,
        "audit": audit,
        "chain": chain,
        "source": os.environ.get("PYTHONPATH", "").split(os.pathsep)[0],
        "load_before": load_before,
        "load_after": load_after,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load-generator", metavar="CONFIG", help=argparse.SUPPRESS)
    parser.add_argument("--concurrency", type=int, default=24, help="virtual users")
    parser.add_argument("--warmup", type=int, default=5, help="seconds before measuring")
    parser.add_argument("--duration", type=int, default=30, help="seconds measured")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument(
        "--worker-class",
        choices=["auto", "sync", "gthread"],
        default="auto",
        help="auto: a short trial of each, then the faster",
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--trial", type=int, default=10, help="seconds measured per trial")
    parser.add_argument("--trial-warmup", type=int, default=3)
    parser.add_argument("--applicants", type=int, default=50)
    parser.add_argument("--clerks", type=int, default=4)
    parser.add_argument("--pgbench-seconds", type=int, default=30)
    parser.add_argument("--profile-rounds", type=int, default=20)
    parser.add_argument("--keep-databases", action="store_true")
    parser.add_argument(
        "--source",
        metavar="TREE",
        help="the source tree to measure (its src/ is imported first; default: this one)",
    )
    parser.add_argument(
        "--db-prefix",
        default="onewindow",
        help="databases created on the server: PREFIX_bench_throughput, PREFIX_pgbench",
    )
    parser.add_argument(
        "--chain",
        action="store_true",
        help="after the load, time `onewindow audit-chain --once` (when the tree has it)",
    )
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    parser.add_argument(
        "--heading",
        default=HEADING[3:],
        help="the RESULTS.md section written (replaced when it exists), e.g. "
        '"Case intake throughput (issue 15, before)"',
    )
    options = parser.parse_args(argv)
    if options.load_generator:
        return load_generator(options.load_generator)

    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        print("DATABASE_URL must point at a PostgreSQL server (postgres://user@host:port/db)")
        return 2
    if not (VENV_BIN / "gunicorn").exists():
        print(f"gunicorn is missing: {VENV_BIN / 'pip'} install gunicorn")
        return 2
    use_source_tree(options.source)
    set_database_names(
        bench=f"{options.db_prefix}_bench_throughput", pgbench=f"{options.db_prefix}_pgbench"
    )
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as scratch:
        try:
            report = measure(options, base_url, Path(scratch))
        finally:
            if not options.keep_databases:
                with contextlib.suppress(Exception):
                    drop_database(base_url, BENCH_DB)
                with contextlib.suppress(Exception):
                    drop_database(base_url, PGBENCH_DB)
    report["heading"] = "## " + options.heading
    section = section_for(report)
    print()
    print(section)
    if not options.no_write:
        write_results(section, report["heading"])
        print(f"written to {RESULTS}")
    return 0  # the verdict is in the figures; a slow run still records them


if __name__ == "__main__":
    sys.exit(main())
