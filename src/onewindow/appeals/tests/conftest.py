"""Appeals fixtures: ``aw`` is the appeal world (tests/factories.py) on the root conftest's
zone and departments."""

from __future__ import annotations

import pytest

from onewindow.appeals.tests.factories import AppealWorld, appeal_world
from onewindow.testing import worlds
from onewindow.testing.calendar import fresh_calendars  # noqa: F401 (autouse)


@pytest.fixture
def aw(zone, department, other_department, window) -> AppealWorld:
    return appeal_world(worlds.Places(zone, department, other_department, window))
