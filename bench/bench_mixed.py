"""Benchmark: a mixed workload through wrk on loopback, on PostgreSQL (issue 15).

Run with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/onewindow .venv/bin/python
bench/bench_mixed.py`` (PostgreSQL only: the database named in the URL need not exist, the
script uses its server). It needs gunicorn in the venv and ``wrk`` (Debian package) on the
path.

1. Builds a fresh database ``PREFIX_mixed`` (``--db-prefix``, default ``onewindow``) as
   ``bench_throughput.py`` does (demo zone and catalog, an item whose materials need no
   upload, applicant users, window clerks; the same builder, imported), then issues
   ``--certificates`` e-certificates to the applicants (the zone's Ed25519 key in a
   temporary directory) and submits and accepts ``--cases`` cases through the API in
   process, whose numbers and query codes the public lookup asks for.
2. Serves it with gunicorn (production settings, ``--workers`` workers) on 127.0.0.1 with
   ``ONEWINDOW_TRUSTED_PROXY_HEADER=HTTP_X_FORWARDED_FOR``: the public lookups (progress,
   certificate check) are limited per client address, and wrk sends a random address per
   request there, as many citizens behind the real proxy would be.
3. Runs ``wrk`` with ``bench/wrk/mixed.lua`` for ``--duration`` seconds, ``--connections``
   threads of one connection each, every thread cycling through one fixed mix of request
   kinds (``MIX`` below): browse the catalog (the portal, the item list, item and bundle
   guides), search (``GET /api/v1/search``), track a case (``/track/``), verify a
   certificate (``/verify/<identifier>?c=…``), a window clerk's inbox (``/inbox/``), the
   supervisor's board (``/board/``), submit a case (``POST /api/v1/cases``) and accept it
   (``POST …/actions/accept``, the thread's next request). The Lua script times each
   request and writes its kind, time and status to a file per thread; the latencies
   and statuses per kind are computed from those.
4. The yardstick, measured in the same run: wrk alone on a trivial signed-in page (the
   clerk's password form) for ``--reference-seconds``, and pgbench select-only on a fresh
   database ``PREFIX_mixed_pgbench``; the figures are also given as ratios to them, since
   machines differ.

Prints a table and writes the section "Mixed workload (issue 15)" of ``bench/RESULTS.md``
(``--no-write`` to leave it). ``--source TREE`` measures another checkout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse
import uuid
from pathlib import Path

import bench_throughput as throughput
from environment import database_label, machine, use_source_tree

HEADING = "## Mixed workload (issue 15)"
BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "RESULTS.md"
LUA = BENCH_DIR / "wrk" / "mixed.lua"
#: One cycle of request kinds (each "submit" is followed by the "accept" of its case, so
#: a cycle sends 40 requests): mostly reading, as a service hall's day is.
MIX = (
    ["catalog"] * 10
    + ["search"] * 6
    + ["track"] * 6
    + ["verify"] * 4
    + ["inbox"] * 4
    + ["board"] * 2
    + ["submit"] * 4
)
KINDS = ["catalog", "search", "track", "verify", "inbox", "board", "submit", "accept"]
LABELS = {
    "catalog": "browse the catalog (portal, item list, guides)",
    "search": "`GET /api/v1/search?q=…`",
    "track": "track a case (`/track/`, public)",
    "verify": "verify a certificate (`/verify/…`, public)",
    "inbox": "clerk's inbox (`/inbox/`)",
    "board": "supervisor's board (`/board/`)",
    "submit": "`POST /api/v1/cases` (submit)",
    "accept": "`POST …/actions/accept`",
    "reference": "reference: the clerk's password form, alone",
}
SEARCH_TERMS = ["食品", "营业执照", "建设", "外国人", "许可", "餐饮", "spjy", "yyzz", "备案"]


# == data ===================================================================================


def build(options) -> dict:
    """The throughput benchmark's data, certificates, accepted cases and a supervisor."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.test import Client

    from onewindow.catalog.models import Bundle, ItemVersion
    from onewindow.certificates.services import certificate_issue
    from onewindow.demo.certificate_data import certificate_type, ensure_signing_key, facts_for
    from onewindow.org.models import Applicant, User, Zone

    data = throughput.build_data(options.applicants, options.clerks)
    zone = Zone.objects.get(code=throughput.ZONE_CODE)
    User.objects.filter(username="supervisor").update(password=make_password(throughput.PASSWORD))

    ensure_signing_key(zone)
    licence = certificate_type(zone, "yyzz")
    holders = list(Applicant.objects.filter(pk__in=[a["applicant"] for a in data["applicants"]]))
    verify = []
    for index in range(options.certificates):
        holder = holders[index % len(holders)]
        facts = facts_for(licence, holder=holder, form_data={}, seed=f"bench:{index}")
        facts.setdefault("established_on", "2020-01-02")
        certificate = certificate_issue(
            certificate_type=licence, holder=holder, actor=None, facts=facts
        )
        verify.append(
            f"/verify/{certificate.identifier}?"
            + urllib.parse.urlencode({"c": certificate.verification_code})
        )

    applicant = data["applicants"][0]
    submitter = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    submitter.force_login(User.objects.get(username=applicant["username"]))
    clerk = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    clerk.force_login(User.objects.get(username=data["clerks"][0]["username"]))
    numbers = []
    for _ in range(options.cases):
        response = submitter.post(
            "/api/v1/cases",
            {"item": data["item"], "applicant": applicant["applicant"], "form": {}},
            content_type="application/json",
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert response.status_code == 201, response.content
        number = response.json()["number"]
        response = clerk.post(
            f"/api/v1/cases/{number}/actions/accept", {}, content_type="application/json"
        )
        assert response.status_code == 200, response.content
        numbers.append(number)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT number, query_code FROM cases_case WHERE number = ANY(%s)", [numbers]
        )
        track = [
            "/track/?" + urllib.parse.urlencode({"number": number, "code": code})
            for number, code in cursor.fetchall()
        ]

    items = list(
        ItemVersion.objects.filter(item__zone=zone, status="published")
        .order_by("item__implementation_code")
        .values_list("item__implementation_code", flat=True)[:40]
    )
    bundles = list(
        Bundle.objects.filter(zone=zone, status="published").values_list("code", flat=True)[:10]
    )
    catalog = ["/", "/items/", "/items/?" + urllib.parse.urlencode({"q": "许可"})]
    catalog += [f"/items/{code}/" for code in items]
    catalog += [f"/bundles/{code}/" for code in bundles]
    search = ["/api/v1/search?" + urllib.parse.urlencode({"q": term}) for term in SEARCH_TERMS]
    connection.close()
    return data | {
        "catalog": catalog,
        "search": search,
        "track": track,
        "verify": verify,
        "items": len(items),
        "bundles": len(bundles),
    }


def _lua(value) -> str:
    """A Python value as a Lua literal (strings, numbers, lists, dicts)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a Lua string
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in value.items()) + "}"
    return "{" + ", ".join(_lua(item) for item in value) + "}"


def sessions(port: int, data: dict, connections: int) -> dict:
    """Log in (``POST /login/``, as a browser) the people the wrk threads act as."""
    from concurrent.futures import ThreadPoolExecutor

    people = {
        "applicants": data["applicants"][: max(1, connections)],
        "clerks": data["clerks"],
        "supervisors": [{"username": "supervisor"}],
    }
    result: dict[str, list[dict]] = {}
    with ThreadPoolExecutor(max_workers=4) as pool:
        for group, members in people.items():
            jars = pool.map(
                lambda person: throughput.login(port, person["username"], throughput.PASSWORD),
                members,
            )
            result[group] = [
                {
                    "sessionid": jar["sessionid"],
                    "csrftoken": jar["csrftoken"],
                    "applicant": person.get("applicant", 0),
                }
                for person, jar in zip(members, jars, strict=True)
            ]
    return result


# == running wrk ============================================================================


def run_wrk(port: int, data_file: Path, connections: int, seconds: int) -> dict:
    """One wrk run with the mix in ``data_file``: wrk's totals and, from the lines the
    threads wrote, each kind's count, latency percentiles and statuses."""
    with tempfile.TemporaryDirectory(prefix="wrk-mix-") as out:
        environment = dict(os.environ, OW_MIX_DATA=str(data_file), OW_MIX_OUT=out)
        output = subprocess.run(
            [
                "wrk",
                "-t",
                str(connections),
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "--timeout",
                "30s",
                "-s",
                str(LUA),
                f"http://127.0.0.1:{port}",
            ],
            env=environment,
            capture_output=True,
            text=True,
            timeout=seconds + 120,
            check=False,
        )
        line = next(
            (row for row in output.stdout.splitlines() if row.startswith("MIXRESULT ")), None
        )
        if line is None:
            raise RuntimeError(
                f"wrk exited with {output.returncode} and printed no result:\n"
                f"{output.stdout}\n{output.stderr}"
            )
        result = json.loads(line[len("MIXRESULT ") :])
        latencies: dict[str, list[float]] = {}
        statuses: dict[str, dict[str, int]] = {}
        for path in Path(out).glob("thread-*.tsv"):
            for row in path.read_text(encoding="utf-8").splitlines():
                kind, seconds_taken, status = row.split("\t")
                statuses.setdefault(kind, {}).setdefault(status, 0)
                statuses[kind][status] += 1
                if status != "socket":
                    latencies.setdefault(kind, []).append(float(seconds_taken))
    result["kinds"] = {}
    for kind, status in statuses.items():
        samples = latencies.get(kind, [])
        result["kinds"][kind] = {
            "n": len(samples),
            "status": status,
            **{
                name: throughput.percentile(samples, fraction) if samples else 0.0
                for name, fraction in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
            },
            "max": max(samples, default=0.0),
        }
    return result


def _errors(status: dict[str, int]) -> int:
    """Responses other than 2xx and 3xx."""
    return sum(int(count) for code, count in status.items() if code.isdigit() and int(code) >= 400)


def _unanswered(status: dict[str, float]) -> int:
    """Requests that got no response (the connection failed; wrk sent the next one)."""
    return int(status.get("socket", 0))


def _error_codes(status: dict[str, float]) -> str:
    return ", ".join(
        f"{code} × {int(count)}"
        for code, count in sorted(status.items())
        if code.isdigit() and int(code) >= 400
    )


def write_data_file(path: Path, data: dict, people: dict, port: int, mix: list[str]) -> None:
    table = {
        "origin": f"https://127.0.0.1:{port}",
        "mix": mix,
        "item": data["item"],
        "catalog": data["catalog"],
        "search": data["search"],
        "track": data["track"],
        "verify": data["verify"],
        **people,
    }
    path.write_text("return " + _lua(table) + "\n", encoding="utf-8")


# == main ===================================================================================


def measure(options, base_url: str, workdir: Path) -> dict:
    import django
    from django.core.management import call_command

    bench_url = throughput._database_url(base_url, throughput.BENCH_DB)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "onewindow.settings",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": bench_url,
            "ONEWINDOW_VAR_DIR": str(workdir / "var"),
            "ONEWINDOW_KEY_DIR": str(workdir / "keys"),
            "ONEWINDOW_ALLOW_PLAINTEXT_KEYS": "1",
            "ONEWINDOW_TRUSTED_PROXY_HEADER": "HTTP_X_FORWARDED_FOR",
            "LOG_LEVEL": "WARNING",
        }
    )
    for name in ("ONEWINDOW_DEBUG", "CONN_MAX_AGE", "ONEWINDOW_HTTPS"):
        os.environ.pop(name, None)
    throughput.recreate_database(base_url, throughput.BENCH_DB)
    django.setup()
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    with contextlib.suppress(Exception):  # the database cache's table, when the tree uses it
        call_command("createcachetable", verbosity=0)
    data = build(options)
    database = database_label()
    print(f"database ready in {time.perf_counter() - started:.1f} s ({database})", flush=True)

    log = workdir / "gunicorn.log"
    server = throughput.Server(options.worker_class, options.workers, options.threads, log)
    try:
        people = sessions(server.port, data, options.connections)
        mix_file = workdir / "mix.lua"
        write_data_file(mix_file, data, people, server.port, MIX)
        reference_file = workdir / "reference.lua"
        write_data_file(reference_file, data, people, server.port, ["reference"])
        # A short warm-up (every worker imports and caches what it reads first).
        run_wrk(server.port, mix_file, options.connections, min(5, options.duration))
        load_before = os.getloadavg()[0]
        cpu_before = _cpu_snapshot(server)
        mixed = run_wrk(server.port, mix_file, options.connections, options.duration)
        cpu = _cpu_used(server, cpu_before)
        load_after = os.getloadavg()[0]
        reference = run_wrk(
            server.port, reference_file, options.connections, options.reference_seconds
        )
    finally:
        server.stop()
    print(
        f"mixed: {mixed['requests'] / mixed['duration']:.0f} requests/s; "
        f"reference: {reference['requests'] / reference['duration']:.0f} requests/s",
        flush=True,
    )
    pgbench = run_pgbench_select_only(base_url, options.pgbench_seconds)
    print(f"pgbench select-only: {pgbench:,.0f} TPS", flush=True)
    return {
        "machine": machine(),
        "options": options,
        "database": database,
        "gunicorn": throughput.gunicorn_version(),
        "data": data,
        "mixed": mixed,
        "reference": reference,
        "pgbench_select_only": pgbench,
        "cpu": cpu,
        "load_before": load_before,
        "load_after": load_after,
        "source": os.environ.get("PYTHONPATH", "").split(os.pathsep)[0],
    }


def _cpu_snapshot(server) -> dict:
    workers = [*server.worker_pids(), server.process.pid]
    return {
        "at": time.monotonic(),
        "app": {pid: throughput._cpu_ticks(pid) for pid in workers},
        "db": {pid: throughput._cpu_ticks(pid) for pid in throughput._bench_backends()},
    }


def _cpu_used(server, before: dict) -> dict:
    after = _cpu_snapshot(server)
    seconds = after["at"] - before["at"]

    def cores(key: str) -> float:
        ticks = sum(value - before[key].get(pid, 0) for pid, value in after[key].items())
        return ticks / throughput.CLK_TCK / seconds

    return {"app": cores("app"), "db": cores("db"), "cores": os.cpu_count() or 1}


def run_pgbench_select_only(base: str, seconds: int) -> float:
    """pgbench select-only (``-S``) TPS on a fresh database of the same server."""
    throughput.recreate_database(base, throughput.PGBENCH_DB)
    arguments, environment = throughput._pg_environment(base)
    subprocess.run(
        ["pgbench", *arguments, "-i", "-q", "-s", "10", throughput.PGBENCH_DB],
        env=environment,
        check=True,
        capture_output=True,
    )
    output = subprocess.run(
        [
            "pgbench",
            *arguments,
            "-S",
            "-c",
            "8",
            "-j",
            "2",
            "-T",
            str(seconds),
            throughput.PGBENCH_DB,
        ],
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", output)
    if tps is None:
        raise RuntimeError(f"pgbench printed no TPS:\n{output}")
    return float(tps.group(1))


def section_for(report: dict) -> str:
    info, options = report["machine"], report["options"]
    mixed, reference = report["mixed"], report["reference"]
    cores = int(info["nproc"])
    rate = mixed["requests"] / mixed["duration"]
    reference_rate = reference["requests"] / reference["duration"]
    reference_p95 = reference["kinds"]["reference"]["p95"] * 1e3
    cpu = report["cpu"]
    lines = [
        HEADING,
        "",
        textwrap.fill(
            f"`DATABASE_URL=… .venv/bin/python bench/bench_mixed.py --db-prefix …` — "
            f"{info['date']} — {info['cpu']}, nproc {info['nproc']}, {info['python']}, "
            f"{report['database']}, gunicorn {report['gunicorn']} ({options.workers} "
            f"`{options.worker_class}` workers), wrk, source `{report['source']}`. Load "
            f"average (1 min) {report['load_before']:.2f} before the measured run, "
            f"{report['load_after']:.2f} after (the machine was shared).",
            width=92,
        ),
        "",
        textwrap.fill(
            "Method: the throughput benchmark's data (demo zone and catalog, an item whose "
            f"materials need no upload, {options.applicants} applicant users, "
            f"{options.clerks} window clerks), {options.certificates} issued certificates, "
            f"{options.cases} accepted cases to track; gunicorn with production settings on "
            "127.0.0.1, trusting `X-Forwarded-For` (wrk sends a random address on the "
            "public lookups, so their per-address limits see many citizens). wrk on "
            f"loopback, {options.connections} threads of one connection each, "
            f"{options.duration} s after a 5 s warm-up; every thread cycles through a fixed "
            "mix of 40 requests (catalog pages 10, search API 6, track 6, verify 4, inbox "
            "4, board 2, submit 4, each followed by the accept of its case 4), "
            "`bench/wrk/mixed.lua` timing each request by kind. Errors: responses other "
            "than 2xx/3xx and requests without a response. Reference, same run: wrk alone on "
            f"a trivial signed-in page for {options.reference_seconds} s, and pgbench "
            f"select-only (`-S -c 8 -j 2 -T {options.pgbench_seconds}`, scale 10).",
            width=92,
        ),
        "",
        "| Request kind | requests | per s | p50 ms | p95 ms | p99 ms | p95 ÷ ref. p95 | errors "
        "| no answer |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    total_errors = unanswered = 0
    codes = []
    for kind in KINDS:
        figures = mixed["kinds"].get(kind)
        if not figures:
            continue
        errors = _errors(figures["status"])
        total_errors += errors
        unanswered += _unanswered(figures["status"])
        if errors:
            codes.append(f"{kind}: {_error_codes(figures['status'])}")
        lines.append(
            f"| {LABELS[kind]} | {figures['n']:,} | {figures['n'] / mixed['duration']:.1f} | "
            f"{figures['p50'] * 1e3:.1f} | {figures['p95'] * 1e3:.1f} | "
            f"{figures['p99'] * 1e3:.1f} | {figures['p95'] * 1e3 / reference_p95:.1f} | "
            f"{errors} | {_unanswered(figures['status'])} |"
        )
    figures = reference["kinds"]["reference"]
    lines.append(
        f"| {LABELS['reference']} | {figures['n']:,} | {figures['n'] / reference['duration']:.1f}"
        f" | {figures['p50'] * 1e3:.1f} | {reference_p95:.1f} | {figures['p99'] * 1e3:.1f} | "
        f"1.0 | {_errors(figures['status'])} | {_unanswered(figures['status'])} |"
    )
    cases = mixed["kinds"].get("accept", {}).get("n", 0) / mixed["duration"]
    lines += [
        "",
        "| Figure | Value |",
        "|---|---:|",
        f"| requests per second, all kinds | **{rate:,.0f}** |",
        f"| … per core ({cores} cores) | **{rate / cores:,.0f}** |",
        f"| … ÷ the reference page's requests per second ({reference_rate:,.0f}) | "
        f"{rate / reference_rate:.2f} |",
        f"| cases submitted and accepted per second inside the mix | {cases:.1f} |",
        f"| errors (non-2xx/3xx), all kinds | {total_errors}"
        + (f" ({'; '.join(codes)})" if codes else "")
        + " |",
        f"| requests without an answer (connection failed), all kinds | {unanswered} |",
        f"| pgbench select-only, same server, same run | "
        f"{report['pgbench_select_only']:,.0f} TPS |",
        f"| requests/s ÷ pgbench select-only TPS | {rate / report['pgbench_select_only']:.4f} |",
        f"| CPU over the window: gunicorn / the benchmark database's backends | "
        f"{cpu['app']:.2f} / {cpu['db']:.2f} cores |",
        "| socket errors (connect, read, write, timeout) | "
        + ", ".join(
            str(int(mixed["socket_errors"][k])) for k in ("connect", "read", "write", "timeout")
        )
        + " |",
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
    parser.add_argument("--duration", type=int, default=30, help="seconds measured")
    parser.add_argument(
        "--connections", type=int, default=12, help="wrk threads, 1 connection each"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--applicants", type=int, default=50)
    parser.add_argument("--clerks", type=int, default=4)
    parser.add_argument("--certificates", type=int, default=100)
    parser.add_argument("--cases", type=int, default=100, help="accepted cases to track")
    parser.add_argument("--reference-seconds", type=int, default=10)
    parser.add_argument("--pgbench-seconds", type=int, default=15)
    parser.add_argument("--source", metavar="TREE", help="the source tree to measure")
    parser.add_argument(
        "--db-prefix", default="onewindow", help="PREFIX_mixed, PREFIX_mixed_pgbench"
    )
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
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install wrk")
        return 2
    use_source_tree(options.source)
    throughput.set_database_names(
        bench=f"{options.db_prefix}_mixed", pgbench=f"{options.db_prefix}_mixed_pgbench"
    )
    with tempfile.TemporaryDirectory(prefix="bench-mixed-") as scratch:
        try:
            report = measure(options, base_url, Path(scratch))
        finally:
            if not options.keep_databases:
                for name in (throughput.BENCH_DB, throughput.PGBENCH_DB):
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
