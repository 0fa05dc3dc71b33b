"""A race (PostgreSQL): two window clerks answer the same suggestion at once. The row lock
(``core.locks.lock_row``) makes the second one read the answered row and meet the table's
refusal, so there is one answer, one audit event and one message."""

from __future__ import annotations

import pytest
from django.db import connection

from onewindow.core.audit import audit_verify
from onewindow.core.errors import Conflict
from onewindow.core.models import AuditEvent, Notification
from onewindow.org.constants import Role
from onewindow.testing.races import race, split
from onewindow.testing.worlds import staff
from suggestions.services import suggestion_answer
from suggestions.tests.conftest import submit

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers and does not share its "
        "in-memory test database between the threads' connections",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_two_clerks_answer_at_once(people):
    suggestion = submit(people)
    colleague = staff(people.zone, Role.WINDOW_CLERK, username="colleague")

    def answer(clerk, text):
        return lambda: suggestion_answer(suggestion=suggestion, actor=clerk, answer=text)

    done, errors = split(race(answer(people.clerk, "甲的答复"), answer(colleague, "乙的答复")))

    assert len(done) == 1 and len(errors) == 1
    assert isinstance(errors[0], Conflict) and errors[0].code == "transition_not_allowed"
    suggestion.refresh_from_db()
    assert suggestion.answer == done[0].answer
    assert AuditEvent.objects.filter(action="suggestion.answered").count() == 1
    assert Notification.objects.filter(recipient=people.author).count() == 1
    assert audit_verify().ok
