"""The history's words (readout.step_label), shared by the staff page, the requester's
page, the public query and the API: no step shows as its code."""

from __future__ import annotations

import pytest

from onewindow.appeals.constants import (
    STEP_RECEIVE,
    STEP_SUPERVISED,
    STEP_SUPERVISION_ANSWERED,
    STEP_SUPERVISION_CLOSED,
    AppealAction,
    HandlingStep,
)
from onewindow.appeals.readout import step_label


@pytest.mark.parametrize(
    ("action", "moved", "words"),
    [
        (STEP_RECEIVE, False, "受理登记"),
        (AppealAction.DISPATCH, True, "派单"),
        (HandlingStep.LATE_RETURN, False, "超时退回被拒"),
        (STEP_SUPERVISED, False, "督办"),
        (STEP_SUPERVISION_ANSWERED, False, "督办反馈"),
        (STEP_SUPERVISION_CLOSED, False, "督办销号"),
        # a good visit closes the order; a bad one is a plain 回访 (the 重办 follows)
        (AppealAction.VISIT, True, "回访办结"),
        (AppealAction.VISIT, False, "回访"),
    ],
)
def test_each_step_in_words(action, moved, words):
    assert step_label(action, moved=moved) == words


def test_every_step_code_has_words():
    codes = [
        *AppealAction.values,
        *HandlingStep.values,
        STEP_RECEIVE,
        STEP_SUPERVISED,
        STEP_SUPERVISION_ANSWERED,
        STEP_SUPERVISION_CLOSED,
    ]
    for code in codes:
        for moved in (True, False):
            assert not step_label(code, moved=moved).isascii(), code
