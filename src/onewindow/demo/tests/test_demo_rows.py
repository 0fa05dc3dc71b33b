"""The demo builds the same rows, table by table, as before a change that should not touch it.

A refactoring (moving code between modules, taking locks through core.locks, statuses
through core.transitions) must not change what ``onewindow demo`` writes. The demo is
built with 40 cases on a fixed day (its data depends on the calendar), and the number of
rows of every model is compared with ``demo_rows.json``.

A change that means to change the demo data rewrites the file and says so in its commit:

    ONEWINDOW_WRITE_DEMO_ROWS=1 .venv/bin/pytest -p no:xdist \
        src/onewindow/demo/tests/test_demo_rows.py
"""

from __future__ import annotations

import datetime as dt
import json
import os
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from django.apps import apps
from django.core.management import call_command

EXPECTED = Path(__file__).with_name("demo_rows.json")
#: The day the demo is built on: a Monday with red, yellow and green cases around it.
BUILT_AT = dt.datetime(2026, 12, 7, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
#: Tables whose rows depend on the installed apps, not on the demo.
#: … and on the database: PostgreSQL numbers cases from sequences and links the audit
#: chain after commit (a chainer's work), SQLite keeps counter rows and links at once.
NOT_DEMO = (
    "auth.permission",
    "contenttypes.",
    "suggestions.",
    "cases.casenumbersequence",
    "core.auditchainhead",
    "core.auditlink",
    "core.auditcheckpoint",
)


def rows() -> dict[str, int]:
    counts = {
        model._meta.label_lower: model._default_manager.count() for model in apps.get_models()
    }
    return {
        label: count
        for label, count in sorted(counts.items())
        if count and not label.startswith(NOT_DEMO)
    }


def test_the_demo_builds_the_same_rows(db):
    with time_machine.travel(BUILT_AT, tick=True):
        call_command("demo", cases=40, stdout=StringIO())

    built = rows()

    if os.environ.get("ONEWINDOW_WRITE_DEMO_ROWS"):
        EXPECTED.write_text(json.dumps(built, indent=1, sort_keys=True) + "\n")
    assert built == json.loads(EXPECTED.read_text())
