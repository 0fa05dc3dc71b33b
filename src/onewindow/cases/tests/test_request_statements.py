"""The statements a signed-in API request costs besides its service: the session, the user,
the roles, the rows the endpoint reads and the response (bench/RESULTS.md, intake).

A regression (a middleware reading the roles again, a session written on every request, a
response that reads the case again) fails here. The service's own statements are pinned
by the intake tests; the calendar revision reads are left to those tests too.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.testing.clients import sign_in

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases"


def post(client: Client, url: str, body=None):
    data = "" if body is None else json.dumps(body, ensure_ascii=False)
    return client.post(url, data=data, content_type="application/json")


def client_of(user) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    sign_in(client, user)
    return client


def tables(statements: list[str]) -> list[str]:
    """What each statement reads or writes: its first table, or its verb."""
    names = []
    for sql in statements:
        match = re.search(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"', sql)
        names.append(match.group(1) if match else sql.split()[0])
    return names


class ServiceWindow:
    """The statements of one request split into those of a service and the others."""

    def __init__(self, monkeypatch, name: str) -> None:
        self.marks: list[int] = []
        original = getattr(services, name)

        def watched(*args, **kwargs):
            self.marks.append(len(connection.queries_log))
            try:
                return original(*args, **kwargs)
            finally:
                self.marks.append(len(connection.queries_log))

        monkeypatch.setattr(services, name, watched)

    def outside(self, queries: CaptureQueriesContext) -> list[str]:
        start, end = (mark - queries.initial_queries for mark in (self.marks[0], self.marks[-1]))
        captured = queries.captured_queries
        return [query["sql"] for query in captured[:start] + captured[end:]]


# -- the middleware and the authentication alone ---------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("applicant_user", ["django_session", "org_user"]),
        # the roles, once: the second-factor gate, the audit administrator's confinement
        # and the case permissions share them (``User.role_pairs``)
        ("clerk", ["django_session", "org_user", "org_roleassignment"]),
    ],
)
def test_an_authenticated_api_request_costs_the_session_the_user_and_the_roles(
    world, who, expected
):
    client = client_of(getattr(world, who))
    post(client, f"{CASES}/SFQ-2026-0000001/actions/unknown")  # the last-seen stamp

    with CaptureQueriesContext(connection) as queries:
        response = post(client, f"{CASES}/SFQ-2026-0000001/actions/unknown")

    assert response.status_code == 404
    assert response.json()["code"] == "unknown_action"
    assert tables([query["sql"] for query in queries.captured_queries]) == expected


def test_a_staff_session_is_written_once_a_minute_not_on_every_request(world):
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        client = client_of(world.clerk)
    url = f"{CASES}/SFQ-2026-0000001/actions/unknown"

    def session_writes() -> int:
        with CaptureQueriesContext(connection) as queries:
            post(client, url)
        return sum(
            1
            for query in queries.captured_queries
            if "django_session" in query["sql"] and not query["sql"].startswith("SELECT")
        )

    # the login stamped the session (``mark_seen``)
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        within_the_minute = session_writes()
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        after_a_minute = session_writes()
    with time_machine.travel(start + dt.timedelta(seconds=100), tick=False):
        after_that = session_writes()

    assert within_the_minute == 0
    assert after_a_minute == 1
    assert after_that == 0


# -- the two intake requests ----------------------------------------------------------------


def body(world) -> dict:
    return {
        "item": world.item.item.implementation_code,
        "applicant": world.applicant.pk,
        "form": {"contact": "张三", "phone": "13800000000"},
    }


def test_create_reads_only_what_it_checks_and_answers_without_reading_the_case_again(
    world, monkeypatch
):
    client = client_of(world.applicant_user)
    assert post(client, CASES, body(world)).status_code == 201  # warm: the last-seen stamp
    window = ServiceWindow(monkeypatch, "case_create")

    with CaptureQueriesContext(connection) as queries:
        response = post(client, CASES, body(world))

    assert response.status_code == 201, response.content.decode()
    assert tables(window.outside(queries)) == [
        "django_session",
        "org_user",
        "org_representation",  # the applicants the user represents (kept for the request)
        "org_applicant",
        "catalog_itemversion",  # with its item, zone and department
        "cases_casematerial",  # the response: the materials to upload
    ]
    answer = response.json()
    case = Case.objects.get(number=answer["number"])
    assert answer["item"] == world.item.item.implementation_code
    assert answer["applicant"]["name"] == world.applicant.name
    assert answer["department"]["code"] == case.department.code
    assert answer["tasks"] == [] and answer["certificates"] == []
    assert len(answer["materials"]) == case.materials.count()


def test_accept_answers_with_the_case_its_service_returned(world, monkeypatch):
    case = world.submit()
    clerk = client_of(world.clerk)
    post(clerk, f"{CASES}/{case.number}/actions/unknown")  # warm: the last-seen stamp
    window = ServiceWindow(monkeypatch, "case_accept")

    with CaptureQueriesContext(connection) as queries:
        response = post(clerk, f"{CASES}/{case.number}/actions/accept", {"mode": "normal"})

    assert response.status_code == 200, response.content.decode()
    outside = [
        table
        for table in tables(window.outside(queries))
        if table != "core_calendarrevision"  # the calendar's cache check (intake's tests)
    ]
    assert outside == [
        "django_session",
        "org_user",
        "org_roleassignment",
        "cases_case",  # the case the clerk may see, with its applicant, item and zone
        "cases_task",  # the response: the tasks the acceptance opened
        "certificates_certificate",
        "cases_casematerial",
    ]
    answer = response.json()
    case.refresh_from_db()
    assert answer["status"] == case.status
    assert answer["accepted_on"] == case.accepted_on.isoformat()
    assert answer["deadline"] == case.deadline.isoformat()
    assert answer["remaining"] is not None
    assert [task["step"] for task in answer["tasks"]] == list(
        case.tasks.active().order_by("opened_at", "pk").values_list("step_key", flat=True)
    )
