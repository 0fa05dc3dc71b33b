"""What every benchmark records beside its figures: the machine and the database."""

from __future__ import annotations

import datetime as dt
import os
import platform


def machine() -> dict[str, str]:
    """CPU model, usable cores, Python and the local time of the run."""
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": model,
        "nproc": str(cpus),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "date": dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="minutes"),
    }


def database_label() -> str:
    """The database engine and server version of Django's default connection."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def use_source_tree(root: str | os.PathLike | None) -> str:
    """Import ``onewindow`` from the source tree ``root`` (its ``src`` directory), in this
    process and in every process it starts (``PYTHONPATH``), ahead of the installed one.

    The benchmarks can so measure an older or newer checkout with the same script, one
    after the other on the same machine. Returns the ``src`` directory used."""
    import sys
    from pathlib import Path

    base = Path(root) if root else Path(__file__).resolve().parent.parent
    source = (base / "src") if (base / "src" / "onewindow").is_dir() else base
    if not (source / "onewindow").is_dir():
        raise SystemExit(f"no onewindow package under {base}")
    text = str(source.resolve())
    if text not in sys.path:
        sys.path.insert(0, text)
    paths = [path for path in os.environ.get("PYTHONPATH", "").split(os.pathsep) if path]
    os.environ["PYTHONPATH"] = os.pathsep.join([text, *[p for p in paths if p != text]])
    return text
