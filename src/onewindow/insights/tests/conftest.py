"""Insights test fixtures: the hand-counted March of ``dataset`` over the cases ``World``
(the root conftest's ``world``)."""

from __future__ import annotations

import pytest
import time_machine

from onewindow.insights.tests.dataset import TODAY, March, at, build_march
from onewindow.testing.calendar import fresh_calendars  # noqa: F401 (autouse)


@pytest.fixture
def march(world) -> March:
    """The dataset of ``dataset.py`` with what happens on 1 Apr (nothing rolled up yet)."""
    return build_march(world)


@pytest.fixture
def now():
    """Wed 1 Apr 2026, 11:00 in Shanghai, frozen."""
    with time_machine.travel(at(TODAY, 11), tick=False):
        yield
