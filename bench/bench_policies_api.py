"""Benchmark: one enterprise against 1,000 published items through the API (PostgreSQL).

Run with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/ow_calc .venv/bin/python
bench/bench_policies_api.py``. It keeps a database ``ow_calc_bench`` between runs
(``--rebuild`` starts again) holding the policy test world (a zone, an enterprise and its
representative) and ``--items`` published items of assorted rules: the R&D share, the
headcount, revenue and tax bands, the 高新技术企业 and 专精特新 qualifications, the credit
status, an industry prefix, the founding date and core IP (not in the profile: unknown);
amounts fixed, by rate with a cap, or none; one item in ten excludes the item before it.
The enterprise's profile is written with ``set_facts``.

Then it times ``POST /api/v1/policies/evaluate {"enterprise": <uscc>}`` signed in as the
representative, through the whole middleware (Django's test client), ``--runs`` times after
a warm-up, and reports p50/p95/p99 (target p95 < 50 ms). Beside it: ``GET /healthz``
signed in (the cost of a request that does nothing), and a profile of one evaluation
split into its parts (versions in force, facts, engine, result hashes, serialisation).
Figures go to ``bench/RESULTS.md`` under "Policies: one enterprise through the API"
(``--no-write`` leaves the file alone).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
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
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

HEADING = "## Policies: one enterprise through the API"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
TARGET_P95_MS = 50.0
TEST_DB = "ow_calc_bench"
PATH = "/api/v1/policies/evaluate"

FACTS = {
    "rd_share": "0.062",
    "rd_expense": "850",
    "employees": 180,
    "revenue": "42000",
    "total_assets": "36000",
    "tax_paid": "960",
    "credit_status": "normal",
    "industry_code": "C3919",
    "registered_on": "2015-03-18",
    "qualifications": [
        {
            "code": "high_tech",
            "number": "GR202433000123",
            "valid_from": "2024-12-01",
            "valid_until": "2027-11-30",
        }
    ],
}


def rule(n: int) -> tuple[dict, dict]:
    """The condition and amount of item ``n`` (a deterministic mix of the rule shapes)."""
    clause = f"第{n % 20 + 1}条"
    shapes = [
        {"fact": "rd_share", "op": ">=", "value": f"0.0{n % 9 + 1}", "clause": clause},
        {"fact": "employees", "op": ">=", "value": 50 + (n % 7) * 40, "clause": clause},
        {
            "fact": "revenue",
            "op": "between",
            "value": ["1000", str(20000 + n * 40)],
            "clause": clause,
        },
        {"fact": "qualifications", "op": "holds", "value": "high_tech", "clause": clause},
        {"fact": "qualifications", "op": "holds", "value": "specialised", "clause": clause},
        {"fact": "credit_status", "op": "not_in", "value": ["serious_bad"], "clause": clause},
        {"fact": "industry_code", "op": "starts_with", "value": ["C39", "I65"], "clause": clause},
        {
            "fact": "registered_on",
            "op": "years_before_at_least",
            "value": 1 + n % 12,
            "clause": clause,
        },
        {"fact": "tax_paid", "op": ">=", "value": str(100 + (n % 11) * 100), "clause": clause},
        {"fact": "owns_core_ip", "op": "is", "value": True, "clause": clause},
    ]
    picked = [shapes[(n + step * 3) % len(shapes)] for step in range(2 + n % 4)]
    condition = {"all": picked} if n % 5 else {"any": picked}
    amounts = [
        {"kind": "fixed", "amount": str(5 + n % 50)},
        {"kind": "rate", "of": "rd_expense", "rate": "0.1", "cap": str(50 + n % 200)},
        {"kind": "none"},
    ]
    return condition, amounts[n % len(amounts)]


def build(count: int):
    """The world, the enterprise's profile and ``count`` published items (made once)."""
    from onewindow.catalog.constants import VersionStatus
    from onewindow.org.models import Applicant, User
    from onewindow.policies.models import PolicyItem, PolicyItemVersion
    from onewindow.policies.models.profile import FactSource
    from onewindow.policies.services.profile import set_facts
    from onewindow.policies.tests.factories import make_policy, policy_world

    representative = User.objects.filter(username="p_representative").first()
    if representative is None:
        world = policy_world()
        representative = world.representative
        enterprise = world.enterprise
        officer = world.officer
        zone = world.zone
        policy = make_policy(world)
    else:
        enterprise = Applicant.objects.get(name="示范智能制造有限公司")
        officer = User.objects.get(username="p_officer")
        zone = officer.zone
        from onewindow.policies.models import Policy

        policy = Policy.objects.filter(zone=zone).first()
    have = PolicyItem.objects.filter(zone=zone).count()
    started = time.perf_counter()
    previous = None
    for n in range(have, count):
        item = PolicyItem.objects.create(zone=zone, code=f"ZC-B{n:04d}", policy=policy)
        condition, amount = rule(n)
        version = PolicyItemVersion.objects.create(
            item=item,
            number=1,
            status=VersionStatus.PUBLISHED,
            way="automatic",
            kind="award",
            effective_from=dt.date(2026, 1, 1),
            name=f"示例兑现事项 {n:04d}",
            beneficiary="区内企业",
            condition=condition,
            amount=amount,
            amount_text="",
            created_by=officer,
            published_at=timezone.now(),
        )
        if n % 10 == 9 and previous is not None:
            version.excludes.add(previous)
        previous = item
    if have < count:
        print(f"  {count - have} items built in {time.perf_counter() - started:.0f} s")
    set_facts(
        None,
        enterprise,
        FACTS,
        source=FactSource.DECLARED,
        as_of=timezone.localdate(),
    )
    return representative, enterprise, zone


def profile_parts(enterprise, zone, runs: int) -> dict[str, float]:
    """Median milliseconds of each part of one evaluation, in the service."""
    import statistics

    from onewindow.policies.rules.evaluate import evaluate
    from onewindow.policies.rules.table import FactTable
    from onewindow.policies.services import calculator, in_force

    on = timezone.localdate()
    parts: dict[str, list[float]] = {
        k: [] for k in ("stamp", "facts", "in force", "engine", "hashes", "whole")
    }
    for _run in range(runs):
        t0 = time.perf_counter()
        in_force.zone_stamp(zone.pk)
        t1 = time.perf_counter()
        facts = calculator.enterprise_facts(enterprise)
        t2 = time.perf_counter()
        kept = in_force.in_force(zone.pk, on)  # the stamp again, and the kept versions
        versions = list(kept.versions)
        t3 = time.perf_counter()
        evaluate(kept.compiled, FactTable.from_rows([facts], on)).results(0)
        t4 = time.perf_counter()
        calculator.result_hashes(facts, versions, on)
        t5 = time.perf_counter()
        calculator.evaluate_enterprise(enterprise, on)
        t6 = time.perf_counter()
        for name, value in zip(
            parts, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5), strict=True
        ):
            value_ms = value * 1000
            parts[name].append(value_ms)
    return {name: statistics.median(values) for name, values in parts.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--database", default=TEST_DB)
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    arguments = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("This benchmark runs on PostgreSQL: set DATABASE_URL.")
    setup_test_environment()
    connection.settings_dict["TEST"]["NAME"] = arguments.database
    connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=not arguments.rebuild, serialize=False
    )
    representative, enterprise, zone = build(arguments.items)
    with connection.cursor() as cursor:
        # The planner's statistics, as autovacuum keeps them on a live database: without them
        # it takes the freshly filled tables for empty and joins 1,000 rows by nested loops.
        cursor.execute("ANALYZE")

    from django.test import Client

    from onewindow.policies.services import calculator

    client = Client()
    client.force_login(representative)
    body = json.dumps({"enterprise": enterprise.uscc})

    def call():
        return client.post(PATH, body, content_type="application/json")

    response = call()
    if response.status_code != 200:
        sys.exit(f"{PATH} answered {response.status_code}: {response.content[:300]!r}")
    answer = response.json()
    counts = answer["counts"]
    listed = arguments.items - counts["ineligible"]
    if len(answer["results"]) != listed or sum(counts.values()) != arguments.items:
        sys.exit(f"expected {listed} results of {arguments.items}, got {len(answer['results'])}")
    full = client.post(
        PATH,
        json.dumps({"enterprise": enterprise.uscc, "include_ineligible": True}),
        content_type="application/json",
    )
    if len(full.json()["results"]) != arguments.items:
        sys.exit(f"include_ineligible: expected {arguments.items} results")
    healthz = reference.signed_in_request(client, arguments.runs)
    load_before = os.getloadavg()
    calculator.forget_compiled()  # the versions in force, compiled items and hash parts
    cold_started = time.perf_counter()
    call()
    cold_ms = (time.perf_counter() - cold_started) * 1000
    values = reference.percentiles(reference.timed(call, arguments.runs, 20))
    load_after = os.getloadavg()
    parts = profile_parts(enterprise, zone, 30)
    info = machine()
    lines = [
        HEADING,
        "",
        f"{info['date']} · {info['cpu']} · {info['nproc']} cores · {info['python']} · "
        f"{database_label()}",
        "",
        f"Load average (1, 5, 15 min) before the timed runs: "
        f"{load_before[0]:.2f}, {load_before[1]:.2f}, {load_before[2]:.2f}; after: "
        f"{load_after[0]:.2f}, {load_after[1]:.2f}, {load_after[2]:.2f} (the machine is "
        f"shared: read the figures against the reference below).",
        "",
        f"Data: {arguments.items:,} published items in force in one zone (one in ten excludes "
        f"another); the enterprise's profile holds {len(FACTS)} facts. Its results: "
        f"{counts['eligible']} eligible, {counts['near']} near, {counts['unknown']} unknown, "
        f"{counts['ineligible']} ineligible; the response (the ineligible only counted) is "
        f"{len(response.content) / 1024:.0f} KiB, {len(full.content) / 1024:.0f} KiB with "
        f"include_ineligible=true.",
        "",
        "| request | p50 ms | p95 ms | p99 ms | target p95 |",
        "| --- | --- | --- | --- | --- |",
        f"| POST {PATH} (enterprise, signed in), {arguments.runs} runs | {values['p50']:.1f} | "
        f"{values['p95']:.1f} | {values['p99']:.1f} | < {TARGET_P95_MS:.0f} |",
        f"| reference: GET {reference.REFERENCE_PATH} signed in | {healthz['p50']:.1f} | "
        f"{healthz['p95']:.1f} | {healthz['p99']:.1f} | |",
        "",
        f"First request after the process forgot what it keeps (loads the 1,000 versions in "
        f"force and compiles their rules): {cold_ms:.0f} ms.",
        "",
        "One evaluation in the service, median of 30, ms: "
        + ", ".join(f"{name} {value:.1f}" for name, value in parts.items())
        + " (stamp = the zone's stamp query alone; in force = that query and the kept versions; "
        "whole = evaluate_enterprise; the rest of a request is the JSON of the results listed "
        "and the middleware).",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not arguments.no_write:
        write_results(text)


EARLIER = "### Earlier runs"


def write_results(section: str) -> None:
    """Replace the section with ``section``, keeping its "Earlier runs" part (the runs before
    a change, labelled by hand)."""
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    earlier = ""
    if HEADING in current:
        start = current.index(HEADING)
        end = current.find("\n## ", start + len(HEADING))
        old = current[start:end] if end != -1 else current[start:]
        if EARLIER in old:
            earlier = "\n" + old[old.index(EARLIER) :].rstrip() + "\n"
        current = current[:start] + current[end + 1 :] if end != -1 else current[:start]
    RESULTS.write_text(
        current.rstrip() + "\n\n" + textwrap.dedent(section) + earlier, encoding="utf-8"
    )


if __name__ == "__main__":
    main()
