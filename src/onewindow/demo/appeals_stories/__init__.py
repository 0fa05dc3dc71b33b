"""The stories of the demo appeals: a planner that tells each order's story in memory,
move by move through the transition table, with the clock, the 督办 job, the counts and
the history, and the recipes of the stories the demo shows (see ``appeals_data``, which
writes what is planned here in bulk).

A story that does not fit before the moment it is told up to (``Planner.now``) raises
``Stop`` and is told again from another receipt instant.

The planner is ``core`` (time, the order, 督办) and ``planner`` (the moves and the
stories); ``plan`` holds one order's story, ``recipes`` the stories the demo shows. The
names are re-exported here.
"""

from __future__ import annotations

from onewindow.demo.appeals_stories.core import PlannerCore
from onewindow.demo.appeals_stories.plan import (
    ADD_PART,
    ANSWER_SUPERVISION,
    APPROVE_EXTENSION,
    CLOSE_SUPERVISION,
    EXTEND,
    LATE_RETURN,
    MANUAL_SUPERVISION_DAYS,
    MERGEABLE,
    RECEIVE,
    REFUSE_EXTENSION,
    SPAN_DAYS,
    SUPERVISE,
    WATCHED,
    Event,
    Plan,
    Stop,
    Topic,
    Who,
)
from onewindow.demo.appeals_stories.planner import Planner
from onewindow.demo.appeals_stories.recipes import plan_orders

__all__ = [
    "ADD_PART",
    "ANSWER_SUPERVISION",
    "APPROVE_EXTENSION",
    "CLOSE_SUPERVISION",
    "EXTEND",
    "LATE_RETURN",
    "MANUAL_SUPERVISION_DAYS",
    "MERGEABLE",
    "RECEIVE",
    "REFUSE_EXTENSION",
    "SPAN_DAYS",
    "SUPERVISE",
    "WATCHED",
    "Event",
    "Plan",
    "Planner",
    "PlannerCore",
    "Stop",
    "Topic",
    "Who",
    "plan_orders",
]
