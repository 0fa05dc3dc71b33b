"""One definition of 超期 (docs/decisions/0030): the supervision board (/board/) and the
dashboard (/insights/) count the same overdue and due-soon cases at the same moment.

The world: six weeks ago a standalone case of each department, a bundle (parent and two
children) and a case that is then suspended were accepted; two weeks ago one more case.
Today (Tue 24 Nov 2026) the four running item cases of six weeks ago are red: the two
standalone cases and the bundle's two children. The bundle's parent is red by its own
deadline but is not an item case, the suspended case is paused, and the case of two
weeks ago is still inside its limit.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from onewindow.cases import selectors as case_selectors
from onewindow.cases.constants import CaseStatus, SuspensionKind
from onewindow.cases.models import Case
from onewindow.cases.services import (
    case_accept,
    case_suspend,
    task_claim,
    task_complete,
    task_decide,
)
from onewindow.insights.rows import Filters
from onewindow.insights.selectors import summary
from onewindow.testing.clients import client_for

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)
SIX_WEEKS_AGO = dt.datetime(2026, 10, 12, 10, 0, tzinfo=SHANGHAI)
TWO_WEEKS_AGO = dt.datetime(2026, 11, 10, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def late_world(world):
    with time_machine.travel(SIX_WEEKS_AGO, tick=False):
        standalone = [world.accepted(), world.accepted(world.other_item)]
        parent = world.submit(bundle=world.bundle)
        case_accept(case=parent, actor=world.clerk)
        paused = world.accepted()
        task_claim(task=world.task(paused, "review"), actor=world.reviewer)
        case_suspend(case=paused, actor=world.reviewer, kind=SuspensionKind.TESTING, reason="送检")
    with time_machine.travel(TWO_WEEKS_AGO, tick=False):
        recent = world.accepted()
    with time_machine.travel(NOW, tick=False):
        yield {
            "standalone": standalone,
            "parent": Case.objects.get(pk=parent.pk),
            "children": list(Case.objects.filter(parent=parent)),
            "paused": Case.objects.get(pk=paused.pk),
            "recent": recent,
        }


def _kpi(html: str, label: str) -> int:
    """The number shown next to ``label`` (the figure's value comes first)."""
    flat = re.sub(r"<[^>]+>", " ", html)
    match = re.search(r"(\d+)\s+(?:\S+\s+)?" + re.escape(label), flat)
    assert match, label
    return int(match.group(1))


def test_the_board_and_the_dashboard_count_the_same_overdue_cases(world, late_world):
    # given: the world above
    today = NOW.date()
    parent, paused = late_world["parent"], late_world["paused"]
    assert parent.deadline < today and parent.status == CaseStatus.IN_REVIEW
    assert paused.status == CaseStatus.SUSPENDED and paused.deadline < today
    expected = {case.pk for case in late_world["standalone"] + late_world["children"]}

    # when: both read at the same moment
    board = case_selectors.board_counts(world.supervisor, on=today)
    figures = summary(Filters(world.zone.pk, today.replace(day=1), today), on=today).totals

    # then: one number, the four running item cases past their deadline
    assert board["cases_red"] == figures.red == len(expected) == 4
    assert board["cases_yellow"] == figures.yellow
    assert set(
        Case.objects.filter(zone=world.zone).overdue(today).values_list("pk", flat=True)
    ) == (expected)
    # and the pages show it, each saying what it counts
    supervisor = client_for(world.supervisor)
    board_html = supervisor.get(reverse("cases:board")).content.decode()
    dashboard_html = supervisor.get(reverse("insights:dashboard")).content.decode()
    assert _kpi(board_html, "超期办件") == _kpi(dashboard_html, "超期办件（当前）") == 4
    definition = "超期：已受理、正在计时（特别程序暂停的不计）且今天已过办结期限的办件"
    assert definition in board_html and definition in dashboard_html
    # the board lists the same cases it counts: the children, not the bundle's parent
    assert parent.number not in board_html
    for case in late_world["children"]:
        assert case.number in board_html


def test_a_case_decided_after_its_deadline_is_late_not_overdue(world, late_world):
    today = NOW.date()
    late = late_world["standalone"][0]
    task_claim(task=world.task(late, "review"), actor=world.reviewer)
    task_complete(task=world.task(late, "review"), actor=world.reviewer, comment="符合条件")
    task_decide(task=world.task(late, "decide"), actor=world.decider, decision="approved")
    late.refresh_from_db()
    assert late.status == CaseStatus.APPROVED and late.on_time is False
    assert not Case.objects.filter(pk=late.pk).overdue(today).exists()
    assert case_selectors.board_counts(world.supervisor, on=today)["cases_red"] == 3
