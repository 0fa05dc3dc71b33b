"""Benchmark: ``policies.services.profile.facts_for`` over 160,000 enterprises.

Run with ``DATABASE_URL=postgres://…/ow_sizes .venv/bin/python bench/bench_policies_facts.py``
(PostgreSQL only: the target is the production database). The database is migrated, then
filled once (kept for later runs) with ``--enterprises`` enterprises of one zone, each with
the ten facts a typical profile holds (industry, people, revenue, assets, size class, R&D
share, registration day, tax credit grade, qualifications, tags), inserted with
``generate_series`` in SQL. Timed: ``facts_for(zone=…)`` (best and median of 5), the
whole zone without filter, and 1,000 enterprises by id. Target: a few seconds for 160,000.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings_test")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from environment import database_label, machine  # noqa: E402

PREFIX = "91BENCH"

FACTS_SQL = """
INSERT INTO policies_enterprisefact
    (enterprise_id, name, value, source, source_detail, as_of, recorded_at)
SELECT a.id, f.name, f.value, 'imported', 'bench', DATE '2025-03-31', now()
FROM org_applicant a
CROSS JOIN LATERAL (VALUES
    ('industry_code', jsonb_build_object('code', 'C39' || lpad((a.id %% 20)::text, 2, '1'),
                                         'edition', 'GB/T 4754-2017')),
    ('employees', to_jsonb(a.id %% 900)),
    ('revenue', to_jsonb(((a.id %% 50000)::numeric / 7)::numeric(14,2)::text)),
    ('total_assets', to_jsonb(((a.id %% 80000)::numeric / 3)::numeric(14,2)::text)),
    ('size_class', to_jsonb((ARRAY['large','medium','small','micro'])[a.id %% 4 + 1])),
    ('rd_share', to_jsonb(((a.id %% 100)::numeric / 1000)::text)),
    ('registered_on', to_jsonb((DATE '2000-01-01' + (a.id %% 9000)::int)::text)),
    ('tax_credit_grade', to_jsonb((ARRAY['A','B','M','C','D'])[a.id %% 5 + 1])),
    ('qualifications', jsonb_build_array(jsonb_build_object(
        'code', 'high_tech', 'number', 'GR' || a.id, 'valid_from', '2023-11-06',
        'valid_until', '2026-11-05'))),
    ('tags', '["总部企业"]'::jsonb)
) AS f(name, value)
WHERE a.uscc LIKE %s
  AND NOT EXISTS (SELECT 1 FROM policies_enterprisefact e WHERE e.enterprise_id = a.id)
"""


def fill(count: int):
    from onewindow.org.constants import ApplicantKind
    from onewindow.org.models import Applicant, Park, Zone

    zone, _ = Zone.objects.get_or_create(code="BCH", defaults={"name": "基准开发区"})
    park, _ = Park.objects.get_or_create(zone=zone, code="BP1", defaults={"name": "基准园区"})
    existing = Applicant.objects.filter(uscc__startswith=PREFIX).count()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO org_applicant (kind, name, uscc, id_number, passport_number, "
            "nationality, legal_representative, phone, address, park_id, created_at, updated_at) "
            "SELECT %s, '基准企业' || n, %s || lpad(n::text, 11, '0'), '', '', '', '', '', '', "
            "%s, now(), now() FROM generate_series(%s, %s) n",
            [ApplicantKind.ENTERPRISE, PREFIX, park.pk, existing + 1, count],
        )
        cursor.execute(FACTS_SQL, [PREFIX + "%"])
        if not cursor.rowcount:
            return zone
        cursor.execute("ANALYZE org_applicant")
        cursor.execute("ANALYZE policies_enterprisefact")
    print(f"filled {count:,} enterprises in {time.perf_counter() - started:.0f} s")
    return zone


def timed(label: str, function, runs: int) -> dict:
    times, size = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
        size = len(result)
    row = {"label": label, "best": min(times), "median": statistics.median(times), "size": size}
    print(f"{label}: {size:,} enterprises, best {row['best']:.2f} s, median {row['median']:.2f} s")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=160_000)
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("set DATABASE_URL to a PostgreSQL database")
    call_command("migrate", verbosity=0)
    zone = fill(arguments.enterprises)

    from onewindow.org.models import Applicant
    from onewindow.policies.services.profile import facts_for

    print(machine(), database_label())
    sample = list(
        Applicant.objects.filter(uscc__startswith=PREFIX).values_list("pk", flat=True)[:1000]
    )
    timed("facts_for(zone)", lambda: facts_for(zone=zone), arguments.runs)
    timed("facts_for()", lambda: facts_for(), arguments.runs)
    timed("facts_for(1,000 ids)", lambda: facts_for(enterprise_ids=sample), arguments.runs)
    one = facts_for(enterprise_ids=sample[:1])
    print("one enterprise:", one)


if __name__ == "__main__":
    main()
