"""Benchmark: the Excel import of enterprise facts (``policies.services.profile_import``)
with 5,000 rows, the most one file may hold.

Run with ``.venv/bin/python bench/bench_policies_facts_import.py`` (SQLite) or with
``DATABASE_URL=postgres://…`` (PostgreSQL). A fresh test database (destroyed at the end)
gets the demo zone's organisation (its ``policy`` officer) and 5,000 enterprises in one of
its parks; a seeded workbook gives each of them three facts (people, revenue, assets; no
industry, so no size class is derived). Timed, as the officer's upload runs them inside one
web request:

* **first import**: every fact new (read, check, write, one event per enterprise);
* **the same file again**: nothing changes (read, check, compare);
* **a file with one bad row** at the end: every row read and checked, nothing written.
"""

from __future__ import annotations

import io
import os
import random
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings_test")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from environment import database_label, machine  # noqa: E402
from openpyxl import Workbook  # noqa: E402

ROWS = 5_000
HEADERS = [
    "统一社会信用代码",
    "数据截至日期",
    "从业人员（人）",
    "上年度营业收入（万元）",
    "资产总额（万元）",
]


def workbook(codes: list[str], seed: int, bad_last: bool = False) -> bytes:
    rng = random.Random(seed)
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADERS)
    for index, code in enumerate(codes):
        people = "很多" if bad_last and index == len(codes) - 1 else rng.randint(5, 900)
        sheet.append(
            [
                code,
                "2025-12-31",
                people,
                rng.randint(100, 90_000),
                rng.randint(100, 120_000),
            ]
        )
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def main() -> None:
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(
            connection.settings_dict["NAME"], verbosity=0, keepdb=False
        )


def run() -> None:
    from onewindow.demo import org_data
    from onewindow.demo.org_data import demo_uscc
    from onewindow.org.constants import ApplicantKind
    from onewindow.org.models import Applicant, Park, User
    from onewindow.policies.models import EnterpriseFact
    from onewindow.policies.services.profile_import import facts_import

    org_data.load()
    officer = User.objects.get(username="policy")
    park = Park.objects.filter(zone_id=officer.zone_id).order_by("pk").first()
    codes = [demo_uscc("91", 700_000 + n) for n in range(ROWS)]
    Applicant.objects.bulk_create(
        [
            Applicant(kind=ApplicantKind.ENTERPRISE, name=f"基准企业{n}", uscc=code, park=park)
            for n, code in enumerate(codes)
        ],
        batch_size=1000,
    )
    files = {
        "first import": workbook(codes, 1),
        "the same file again": workbook(codes, 1),
        "one bad row at the end": workbook(codes, 2, bad_last=True),
    }
    print(f"## Facts import: {ROWS:,} rows ({database_label()})\n")
    print(" · ".join(machine().values()))
    print("\n| run | seconds | rows | facts changed | row errors |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, content in files.items():
        started = time.perf_counter()
        report = facts_import(actor=officer, file=io.BytesIO(content), file_name="档案.xlsx")
        elapsed = time.perf_counter() - started
        print(
            f"| {label} | {elapsed:.1f} | {report.rows:,} | {report.facts_changed:,} "
            f"| {len(report.errors)} |"
        )
    stored = EnterpriseFact.objects.filter(enterprise__uscc__in=codes[:1]).count()
    print(f"\nFacts stored for the first enterprise: {stored}.")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Peak RSS of the benchmark process: {peak:.0f} MiB.")


if __name__ == "__main__":
    main()
