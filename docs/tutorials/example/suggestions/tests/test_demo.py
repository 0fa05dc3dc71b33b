"""The demo builder: through the services, once."""

from __future__ import annotations

import pytest

from suggestions import demo
from suggestions.constants import SuggestionStatus

pytestmark = pytest.mark.django_db


def test_the_demo_builds_once(people):
    built = demo.build(zone=people.zone, applicant=people.author, clerk=people.clerk)
    assert [row.status for row in built] == [SuggestionStatus.ANSWERED, SuggestionStatus.SUBMITTED]
    again = demo.build(zone=people.zone, applicant=people.author, clerk=people.clerk)
    assert [row.pk for row in again] == [row.pk for row in built]
