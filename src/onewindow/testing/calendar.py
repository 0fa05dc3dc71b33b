"""The working calendars cached per process (``onewindow.core.selectors``), forgotten.

Calendars are cached by calendar revision; a test's database starts afresh (or is rolled
back), so a later test may meet a revision number it did not build and get a stale
calendar. Tests that load notices, overrides or a whole demo zone start and end with
``reset_calendar_cache()``, or use the ``fresh_calendars`` fixture (a module or conftest
imports it; ``autouse`` there). This is the one place outside ``core`` that knows where the
cache lives.
"""

from __future__ import annotations

import pytest

from onewindow.core import selectors


def reset_calendar_cache() -> None:
    """Forget every cached calendar: the next read builds it from the database."""
    selectors._cache.clear()


@pytest.fixture(autouse=True)
def fresh_calendars():
    """Every test of the module (or conftest) that imports this starts and ends with no
    cached calendar."""
    reset_calendar_cache()
    yield
    reset_calendar_cache()
