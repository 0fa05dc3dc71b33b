"""The example's test site and people.

``example_site`` (every test of the package): the example's URL conf (the product's URLs
plus its pages and API) and its navigation registered, both undone after the package's
tests, so the rest of the suite sees neither. ``people``: a zone with an applicant's user,
a neighbour, a window clerk, a reviewer and a supervisor, and a clerk of another zone.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import override_settings

from onewindow.core import registry
from onewindow.org.constants import Role
from onewindow.org.models import User, Zone
from onewindow.testing.worlds import applicant_user, department_elsewhere, staff, zone_world
from suggestions import navigation, services
from suggestions.models import Suggestion


@pytest.fixture(scope="package", autouse=True)
def example_site():
    saved = (dict(registry._nav), dict(registry._landings), dict(registry._fragments))
    with override_settings(ROOT_URLCONF="suggestions.site_urls"):
        navigation.register()
        try:
            yield
        finally:
            for live, before in zip(
                (registry._nav, registry._landings, registry._fragments), saved, strict=True
            ):
                live.clear()
                live.update(before)


@dataclass
class People:
    zone: Zone
    other_zone: Zone
    author: User  # an applicant's user of the zone
    neighbour: User  # another applicant's user
    clerk: User  # window clerk of the zone
    other_clerk: User  # window clerk of another zone
    reviewer: User
    supervisor: User


def build_people() -> People:
    places = zone_world()
    elsewhere = department_elsewhere()
    return People(
        zone=places.zone,
        other_zone=elsewhere.zone,
        author=applicant_user(places.zone, "author"),
        neighbour=applicant_user(places.zone, "neighbour"),
        clerk=staff(places.zone, Role.WINDOW_CLERK, username="clerk", window=places.window),
        other_clerk=staff(elsewhere.zone, Role.WINDOW_CLERK, username="other_clerk"),
        reviewer=staff(places.zone, Role.REVIEWER, department=places.department),
        supervisor=staff(places.zone, Role.SUPERVISOR),
    )


@pytest.fixture
def people(db) -> People:
    return build_people()


def submit(people: People, **fields) -> Suggestion:
    """A suggestion of ``people.author`` to the zone (``fields`` override the text)."""
    values = {"subject": "取号机打印不清楚", "content": "B 区取号机的号码很淡。"} | fields
    return services.suggestion_submit(actor=people.author, zone_code=people.zone.code, **values)
