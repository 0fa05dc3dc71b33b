"""References measured in the same run as a benchmark's figures, so that runs on machines
of different speed (or on one machine under different load) can be compared by ratio:

* a trivial signed-in request: ``GET /healthz`` through the whole middleware stack (session,
  user, roles, second factor, the account checks) as the same staff member who reads the
  measured pages, timed with the same test client;
* ``pgbench -S`` (select-only, scale 1) on a scratch database of the same server.

A figure's ratio to the first (``p95 ÷ reference p95``) says how many trivial requests a
page costs; its product with the second (``p95 × TPS / 1000``) says how many primary-key
selects of this server the page costs. Both move less from machine to machine than the
milliseconds do.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Callable

REFERENCE_PATH = "/healthz"


def timed(function: Callable[[], object], runs: int, warm: int) -> list[float]:
    for _ in range(warm):
        function()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pick(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return {"p50": pick(0.5), "p95": pick(0.95), "p99": pick(0.99)}


def signed_in_request(client, runs: int, warm: int = 20) -> dict[str, float]:
    """p50/p95/p99 of ``GET /healthz`` with ``client`` (already signed in)."""
    response = client.get(REFERENCE_PATH)
    if response.status_code != 200:
        raise RuntimeError(f"{REFERENCE_PATH} answered {response.status_code}")
    return percentiles(timed(lambda: client.get(REFERENCE_PATH), runs, warm))


def pgbench_select_only(settings: dict, scratch: str, seconds: int) -> dict[str, float]:
    """``pgbench -S -c 2 -j 2`` for ``seconds`` on a scratch database (created at scale 1,
    dropped afterwards) of the server in Django's connection ``settings``."""
    import psycopg

    arguments = ["-h", settings.get("HOST") or "127.0.0.1", "-p", str(settings.get("PORT") or 5432)]
    if settings.get("USER"):
        arguments += ["-U", settings["USER"]]
    environment = dict(os.environ)
    if settings.get("PASSWORD"):
        environment["PGPASSWORD"] = settings["PASSWORD"]
    admin = {
        "host": settings.get("HOST") or "127.0.0.1",
        "port": settings.get("PORT") or 5432,
        "user": settings.get("USER") or None,
        "password": settings.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{scratch}"')
    try:
        subprocess.run(
            ["pgbench", *arguments, "-i", "-q", "-s", "1", scratch],
            env=environment,
            check=True,
            capture_output=True,
        )
        output = subprocess.run(
            ["pgbench", *arguments, "-S", "-c", "2", "-j", "2", "-T", str(seconds), scratch],
            env=environment,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        with psycopg.connect(**admin) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", output)
    if tps is None:
        raise RuntimeError(f"pgbench printed no TPS:\n{output}")
    return {"tps": float(tps.group(1)), "seconds": seconds}


def table_header() -> list[str]:
    return [
        "| read | p50 ms | p95 ms | p99 ms | target p95 | p95 ÷ reference p95 "
        "| p95 × select-only TPS |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]


def table_row(name: str, values: dict, target_ms: float, reference: dict, tps: float) -> str:
    return (
        f"| {name} | {values['p50']:.1f} | {values['p95']:.1f} | {values['p99']:.1f} | "
        f"< {target_ms:.0f} | {values['p95'] / reference['p95']:.1f} | "
        f"{values['p95'] * tps / 1000:,.0f} |"
    )


def describe(reference: dict, pgbench: dict, load: tuple[float, float]) -> str:
    return (
        f"Reference, same run: `GET {REFERENCE_PATH}` signed in as the same staff member, "
        f"whole middleware: p50 {reference['p50']:.1f} ms, p95 {reference['p95']:.1f} ms; "
        f"`pgbench -S -c 2 -j 2 -T {pgbench['seconds']}` (scale 1, scratch database, same "
        f"server): {pgbench['tps']:,.0f} TPS. Load average (1 min) {load[0]:.2f} at the start "
        f"of the timings, {load[1]:.2f} at the end."
    )
