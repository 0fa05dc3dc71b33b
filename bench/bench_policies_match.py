"""Benchmark: the 免申即享 batch on PostgreSQL (issue 17, "Measure").

Run with::

    createdb -h 127.0.0.1 -U postgres ow_redeem_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ow_redeem_bench \\
        PYTHONPATH=src .venv/bin/python bench/bench_policies_match.py [--enterprises 160000]

It migrates the database, builds one zone with N enterprises (default 160,000) whose facts
are stored in the profile's table (``EnterpriseFact``, written with COPY in the profile's
JSON encoding; the same synthetic shapes as ``bench_policies_evaluate``) and 500 published
免申即享 versions, then times what ``policies-match`` does for the zone:

* reading the zone's facts (``facts_for``: one query) and building the engine's table once;
* ``run_match`` for every version: the engine over the whole zone, reading the eligible rows
  (amount, reasons, hash), numbers, ``bulk_create`` of the redemptions, the run, its audit
  event and the messages (the enterprises have no representatives: nobody to tell);
* a second schedule over the same facts (idempotent: nothing is created).

The evaluation time (engine only) is reported separately from the writes. Target: the
evaluation < 60 s for 160k × 500.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "src"))
sys.path.insert(0, HERE)

from environment import machine  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings_test")

import django  # noqa: E402

django.setup()

from bench_policies_evaluate import enterprise, item_data  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from onewindow.catalog.constants import VersionStatus  # noqa: E402
from onewindow.org.constants import ApplicantKind  # noqa: E402
from onewindow.org.models import Applicant, Department, Zone  # noqa: E402
from onewindow.policies import profile_values  # noqa: E402
from onewindow.policies.constants import PolicyLevel, RedemptionWay  # noqa: E402
from onewindow.policies.models import (  # noqa: E402
    MatchRun,
    Policy,
    PolicyItem,
    PolicyItemVersion,
    Redemption,
)
from onewindow.policies.models.profile import EnterpriseFact  # noqa: E402
from onewindow.policies.rules.evaluate import compile_item, evaluate  # noqa: E402
from onewindow.policies.rules.language import parse_amount, parse_condition  # noqa: E402
from onewindow.policies.services import matching  # noqa: E402

ON = dt.date(2025, 6, 30)
SEED = 17
ZONE = "BENCH"
BATCH = 5000


def seconds(start: float) -> float:
    return round(time.perf_counter() - start, 2)


def build(count: int, items: int) -> tuple[Zone, list[PolicyItemVersion], dict]:
    """The zone, its enterprises with facts, and the versions (once per database)."""
    timings: dict = {}
    zone = Zone.objects.filter(code=ZONE).first()
    if zone is not None and Applicant.objects.filter(registered_zones=zone).count() != count:
        raise SystemExit(f"{ZONE} holds another size: drop and create the database again")
    if zone is not None:
        versions = list(
            PolicyItemVersion.objects.filter(item__zone=zone).select_related("item__zone")
        )
        return zone, versions, {"reused": True}
    start = time.perf_counter()
    zone = Zone.objects.create(code=ZONE, name="基准开发区", division_code="320500")
    department = Department.objects.create(zone=zone, code="KJJ", name="科技局")
    rng = random.Random(SEED)
    through = Applicant.registered_zones.through
    table = EnterpriseFact._meta.db_table
    now = timezone.now().isoformat()
    for first in range(0, count, BATCH):
        rows = Applicant.objects.bulk_create(
            [
                Applicant(
                    kind=ApplicantKind.ENTERPRISE,
                    name=f"基准企业{n}有限公司",
                    uscc=f"91B{n:015d}",
                    legal_representative="张三",
                )
                for n in range(first, min(first + BATCH, count))
            ]
        )
        through.objects.bulk_create([through(applicant_id=row.pk, zone_id=zone.pk) for row in rows])
        with connection.cursor() as cursor:
            copy_sql = (
                f"COPY {table} (enterprise_id, name, value, source, source_detail, as_of, "
                "recorded_at) FROM STDIN"
            )
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    for name, value in enterprise(rng).items():
                        if name == "size_class":  # the profile derives it; stored as such
                            stored, source = value, "derived"
                        else:
                            stored = profile_values.encode(name, value, park_codes=None)
                            source = "imported"
                        copy.write_row((row.pk, name, json.dumps(stored), source, "", ON, now))
    timings["enterprises_and_facts_s"] = seconds(start)
    start = time.perf_counter()
    policy = Policy.objects.create(
        zone=zone,
        department=department,
        title="基准政策",
        doc_number="基准〔2025〕1号",
        issuer="基准开发区管委会",
        level=PolicyLevel.ZONE,
        effective_from=dt.date(2025, 1, 1),
    )
    versions = []
    for number in range(items):
        condition, amount = item_data(rng, number)
        item = PolicyItem.objects.create(zone=zone, policy=policy, code=f"B-{number:04d}")
        versions.append(
            PolicyItemVersion(
                item=item,
                number=1,
                status=VersionStatus.PUBLISHED,
                way=RedemptionWay.AUTOMATIC,
                name=f"基准兑现事项{number}",
                condition=condition,
                amount=amount,
                effective_from=dt.date(2025, 1, 1),
                published_at=timezone.now(),
            )
        )
    for version in versions:
        version.save()
    timings["versions_s"] = seconds(start)
    return zone, versions, timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=160_000)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument(
        "--match-items", type=int, default=None, help="run_match over only the first N versions"
    )
    arguments = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only: set DATABASE_URL")
    print(machine())
    call_command("migrate", verbosity=0)
    zone, versions, built = build(arguments.enterprises, arguments.items)
    print("built", built)

    start = time.perf_counter()
    facts = matching.zone_facts(zone)
    read = seconds(start)
    start = time.perf_counter()
    snapshot = matching.FactSnapshot.of(facts, ON)
    tabled = seconds(start)
    print(f"facts_for: {len(facts)} enterprises in {read} s; table in {tabled} s")

    # the engine alone (the evaluation the target is about)
    start = time.perf_counter()
    eligible = 0
    for version in versions:
        compiled = compile_item(
            version.key, parse_condition(version.condition), parse_amount(version.amount)
        )
        outcomes = evaluate([compiled], snapshot.table).arrays(0).outcomes()
        eligible += int((outcomes == "eligible").sum())
    engine = seconds(start)
    print(f"engine: {len(versions)} items × {len(snapshot.ids)} in {engine} s; {eligible} eligible")

    matched = versions[: arguments.match_items] if arguments.match_items else versions
    Redemption.objects.filter(zone=zone).delete()
    MatchRun.objects.filter(version__item__zone=zone).delete()
    start = time.perf_counter()
    created = 0
    for version in matched:
        with transaction.atomic():
            run = matching.run_match(version, trigger="schedule", on=ON, snapshot=snapshot)
        created += run.created
    first = seconds(start)
    print(f"first schedule: {created} redemptions in {first} s")

    start = time.perf_counter()
    again = sum(
        matching.run_match(version, trigger="schedule", on=ON, snapshot=snapshot).created
        for version in matched
    )
    second = seconds(start)
    print(f"second schedule (same facts): {again} created in {second} s")
    print(
        json.dumps(
            {
                "enterprises": len(snapshot.ids),
                "items": len(versions),
                "matched_items": len(matched),
                "facts_for_s": read,
                "table_s": tabled,
                "engine_s": engine,
                "eligible": eligible,
                "first_schedule_s": first,
                "created": created,
                "second_schedule_s": second,
                "second_created": again,
            }
        )
    )


if __name__ == "__main__":
    main()
