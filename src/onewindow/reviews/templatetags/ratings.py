"""Template tags for other apps' pages that cannot import reviews (a lower layer): the
applicant's case list asks which of its rows may still be rated.

    {% load ratings %}
    {% rating_states rows as rating %}
    {% with state=rating|rating_state:case.number %}…{% endwith %}
"""

from __future__ import annotations

from django import template

from onewindow.reviews.selectors import rating_states as _rating_states

register = template.Library()


@register.simple_tag(takes_context=True)
def rating_states(context, cases) -> dict:
    """{case number: "ratable" | "rated"} for the signed-in user's delivered cases among
    ``cases`` (see ``reviews.selectors.rating_states``)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return _rating_states(user, cases)


@register.filter
def rating_state(states: dict, number: str) -> str:
    return (states or {}).get(number, "")
