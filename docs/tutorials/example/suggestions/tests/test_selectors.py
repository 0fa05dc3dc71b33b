"""Who sees which suggestion: the list scope and the one chokepoint (ADR 0018)."""

from __future__ import annotations

import pytest

from onewindow.core.errors import NotFound
from suggestions.selectors import suggestion_for, suggestions_visible_to, waiting_count
from suggestions.services import suggestion_answer
from suggestions.tests.conftest import submit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("author", True),
        ("neighbour", False),
        ("clerk", True),
        ("supervisor", True),
        ("reviewer", False),
        ("other_clerk", False),
    ],
)
def test_who_sees_a_suggestion(people, who, sees):
    suggestion = submit(people)
    user = getattr(people, who)
    assert list(suggestions_visible_to(user)) == ([suggestion] if sees else [])
    if sees:
        assert suggestion_for(user, suggestion.pk) == suggestion
        return
    with pytest.raises(NotFound) as forbidden:
        suggestion_for(user, suggestion.pk)
    with pytest.raises(NotFound) as missing:
        suggestion_for(user, suggestion.pk + 1000)
    assert forbidden.value.as_dict() == missing.value.as_dict()


def test_the_list_filters_by_status_and_counts_the_waiting(people):
    first, second = submit(people), submit(people, subject="第二条")
    suggestion_answer(suggestion=first, actor=people.clerk, answer="已处理。")
    assert list(suggestions_visible_to(people.clerk, status="submitted")) == [second]
    assert waiting_count(people.clerk) == 1
    assert waiting_count(people.author) == 0  # the panel is for staff
