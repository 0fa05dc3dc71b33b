"""Insights test fixtures: the cases ``World`` and the hand-counted March of ``dataset``."""

from __future__ import annotations

import pytest
import time_machine

from onewindow.cases.tests.factories import World, make_world
from onewindow.insights.tests.dataset import TODAY, March, at, build_march
from onewindow.testing.calendar import reset_calendar_cache


@pytest.fixture(autouse=True)
def fresh_calendars():
    """Calendars are cached per process by revision; a test's database starts afresh."""
    reset_calendar_cache()
    yield
    reset_calendar_cache()


@pytest.fixture
def world(zone, department, other_department, window) -> World:
    return make_world(zone, department, other_department, window)


@pytest.fixture
def march(world) -> March:
    """The dataset of ``dataset.py`` with what happens on 1 Apr (nothing rolled up yet)."""
    return build_march(world)


@pytest.fixture
def now():
    """Wed 1 Apr 2026, 11:00 in Shanghai, frozen."""
    with time_machine.travel(at(TODAY, 11), tick=False):
        yield
