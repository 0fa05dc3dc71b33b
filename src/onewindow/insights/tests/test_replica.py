"""The dashboard reads from the read replica when one is configured (ADR 0031): its page,
drill-down, export and API, counted statement by statement on each database alias. In the
tests the ``replica`` alias mirrors ``default`` (settings_test.py), so these tests commit
their data (``transaction=True``) for the replica's connection to see it."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onewindow.insights import services
from onewindow.insights.tests.test_figures import MARCH_TOTALS
from onewindow.testing.clients import client_for

PERIOD = {"from": "2026-03-01", "to": "2026-03-31"}
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def rolled(world, march, now):
    services.rollup_due(zone=world.zone)
    cache.clear()
    return march


def _get(client, url, query):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get(url, query)
    return response, [q["sql"] for q in primary], [q["sql"] for q in replica]


def _reads_figures(statements: list[str]) -> bool:
    return any("insights_casefact" in sql or "insights_dailyfigures" in sql for sql in statements)


def test_with_a_replica_the_dashboard_reads_its_figures_there(client, world, rolled, settings):
    settings.ONEWINDOW_READ_REPLICA = "replica"
    client = client_for(world.analyst, client=client)

    response, primary, replica = _get(client, reverse("insights:dashboard"), PERIOD)

    assert response.status_code == 200
    # the replica answered with what the primary committed
    assert response.context["summary"].totals.accepted == MARCH_TOTALS["accepted"]
    assert _reads_figures(replica)
    assert not _reads_figures(primary)  # the session and the user still come from default
    assert any("cases_case" in sql for sql in replica)


def test_with_a_replica_the_drill_down_export_and_api_read_there(client, world, rolled, settings):
    settings.ONEWINDOW_READ_REPLICA = "replica"
    client = client_for(world.analyst, client=client)

    for url, query in [
        (reverse("insights:cases"), {**PERIOD, "figure": "accepted"}),
        (reverse("insights:cases"), {**PERIOD, "figure": "ratings"}),
        (reverse("insights:export"), PERIOD),
        ("/api/v1/insights/summary", PERIOD),
    ]:
        response, primary, replica = _get(client, url, query)

        assert response.status_code == 200, url
        assert replica, url
        assert not any("cases_case" in sql or "reviews_rating" in sql for sql in primary), url
    page = client.get(reverse("insights:cases"), {**PERIOD, "figure": "accepted"})
    assert page.context["page"].paginator.count == MARCH_TOTALS["accepted"]


def test_without_a_replica_everything_reads_the_primary(client, world, rolled, settings):
    settings.ONEWINDOW_READ_REPLICA = ""
    client = client_for(world.analyst, client=client)

    response, primary, replica = _get(client, reverse("insights:dashboard"), PERIOD)

    assert response.status_code == 200
    assert replica == []
    assert _reads_figures(primary)
