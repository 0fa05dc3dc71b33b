"""case_view: the case as one user sees it, read once for both the API's case and the
case page (their own tests check what each renders; test_personal_identifiers the
identifier each shows and records)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.cases.models import Case
from onewindow.cases.selectors import case_view
from onewindow.cases.services import case_accept
from onewindow.org.services import IdentifierChannel

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_an_accepted_case_as_its_reviewer_sees_it(world):
    # given
    case = world.accepted()
    # when
    view = case_view(viewer=world.reviewer, case=case, channel=IdentifierChannel.PAGE)
    # then
    assert view.today == NOW.date()
    assert view.clock.deadline == case.deadline
    assert [row.pk for row in view.materials] == list(
        case.materials.order_by("position").values_list("pk", flat=True)
    )
    assert [task.step_key for task in view.active_tasks] == ["review"]
    assert all(task.light and task.remaining is not None for task in view.active_tasks)
    assert (view.children, view.certificates) == ([], [])
    assert view.identifier.value  # the applicant's identifier, by the one rule


def test_a_bundle_child_shows_its_parents_materials_and_the_parent_its_children(world):
    parent = world.submit(bundle=world.bundle)
    case_accept(case=parent, actor=world.clerk)
    parent = Case.objects.get(pk=parent.pk)
    child = Case.objects.filter(parent=parent).order_by("pk").first()

    parent_view = case_view(viewer=world.clerk, case=parent, channel=IdentifierChannel.API)
    child_view = case_view(viewer=world.clerk, case=child, channel=IdentifierChannel.API)

    assert [row.pk for row in child_view.materials] == [row.pk for row in parent_view.materials]
    assert [row.pk for row in parent_view.children] == list(
        Case.objects.filter(parent=parent).order_by("pk").values_list("pk", flat=True)
    )
    assert all(row.light for row in parent_view.children)
