"""Every row lock goes through core.locks (ADR 0019): no other product module writes
``select_for_update``, so the lock order is read, and changed, in one place."""

from __future__ import annotations

from pathlib import Path

import onewindow

PACKAGE = Path(onewindow.__file__).parent
#: The lock module itself (the audit chain takes an advisory lock, no row lock: ADR 0004).
ALLOWED = ("core/locks.py",)


def lockers(package: Path) -> list[str]:
    """Product modules of ``package`` (tests and migrations aside) that lock rows themselves."""
    found = []
    for path in package.rglob("*.py"):
        relative = path.relative_to(package)
        name = relative.as_posix()
        if {"tests", "migrations"} & set(relative.parts) or name in ALLOWED:
            continue
        if "select_for_update" in path.read_text(encoding="utf-8"):
            found.append(name)
    return sorted(found)


def test_only_core_locks_takes_row_locks():
    assert lockers(PACKAGE) == []


def test_a_lock_taken_outside_core_locks_is_found(tmp_path):
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "locks.py").write_text("Case.objects.select_for_update()\n")
    (tmp_path / "appeals" / "tests").mkdir(parents=True)
    (tmp_path / "appeals" / "tests" / "test_x.py").write_text("qs.select_for_update()\n")
    (tmp_path / "appeals" / "services.py").write_text("Appeal.objects.select_for_update()\n")

    assert lockers(tmp_path) == ["appeals/services.py"]
