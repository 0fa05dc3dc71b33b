import pytest

from onewindow.cases.tests.factories import World, make_world


@pytest.fixture
def world(zone, department, other_department, window) -> World:
    return make_world(zone, department, other_department, window)
