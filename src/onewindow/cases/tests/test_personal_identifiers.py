"""Personal identifiers on cases (ADR 0015): every API response and page that gives staff a
person's full number is one audited event; other roles get it masked; applicants are
scoped by zone (a case of the zone ties its applicant to it)."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from onewindow.cases.models import Case
from onewindow.cases.tests.test_api import (
    CASES,
    NOW,
    action_url,
    case_url,
    error_body,
    item_body,
    ok,
    post,
    upload,
)
from onewindow.core.audit import AuditAction
from onewindow.core.models import AuditEvent
from onewindow.org.constants import ApplicantKind, Capacity, DepartmentKind, Role, UserKind
from onewindow.org.models import Department, User, Zone
from onewindow.org.services import applicant_register, staff_create

ID_NUMBER = "11010519491231002X"
MASKED = "1101**********002X"
PASSWORD = "test-Password-2026"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def person(world):
    """A person tied to the zone by their own account (a user of the zone)."""
    user = User(username="wang_wu", kind=UserKind.APPLICANT, zone=world.zone)
    user.set_password(PASSWORD)
    user.save()
    return applicant_register(
        kind=ApplicantKind.PERSON,
        name="王五",
        id_number=ID_NUMBER,
        user=user,
        capacity=Capacity.SELF,
    )


@pytest.fixture
def clerk_b(db) -> User:
    zone_b = Zone.objects.create(code="SZB", name="第二开发区", division_code="320193")
    department = Department.objects.create(
        zone=zone_b, code="SCJG", name="市场监督管理局", kind=DepartmentKind.FUNCTIONAL
    )
    return staff_create(
        zone=zone_b,
        username="clerk_b",
        password=PASSWORD,
        display_name="clerk_b",
        roles=[Role.WINDOW_CLERK],
        department=department,
    )


def viewed() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.IDENTIFIER_VIEWED).order_by("id"))


def person_case(client, world, person) -> str:
    client.force_login(world.clerk)
    body = ok(post(client, CASES, item_body(world, applicant=person.pk)), 201)
    upload(body["number"], world.clerk)
    return body["number"]


def test_creating_a_case_for_a_person_is_one_api_event(client, world, person):
    client.force_login(world.clerk)
    response = post(client, CASES, item_body(world, applicant=person.pk))
    body = ok(response, 201)
    assert body["applicant"]["identifier"] == ID_NUMBER
    [event] = viewed()
    assert (event.actor, event.object_id) == ("w_clerk", str(person.pk))
    assert event.data == {"channel": "api", "purpose": body["number"], "kind": "person"}


def test_reading_a_case_is_one_event_per_response(client, world, person):
    number = person_case(client, world, person)
    before = len(viewed())
    client.force_login(world.clerk)
    for _ in range(2):
        assert ok(client.get(case_url(number)))["applicant"]["identifier"] == ID_NUMBER
    assert len(viewed()) == before + 2
    assert {event.data["channel"] for event in viewed()} == {"api"}


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("accept", {}),
        ("refuse", {"reason": "不属于本机关职权范围", "legal_basis": "《行政许可法》第三十二条"}),
        ("request_correction", {"items": ["申请表缺少签字"]}),
        ("withdraw", {"reason": "申请人要求撤回"}),
    ],
)
def test_each_action_response_is_one_event(client, world, person, action, body):
    number = person_case(client, world, person)
    before = len(viewed())
    client.force_login(world.clerk)
    shown = ok(post(client, action_url(number, action), body))["applicant"]
    assert shown == {
        "name": "王五",
        "kind": "person",
        "identifier_label": "居民身份证号码",
        "identifier": ID_NUMBER,
        "identifier_masked": False,
    }
    events = viewed()[before:]
    assert len(events) == 1 and events[0].data["purpose"] == number


@pytest.mark.parametrize("who", ["reviewer", "decider", "supervisor"])
def test_other_staff_get_the_masked_number_and_no_event(client, world, person, who):
    number = person_case(client, world, person)
    client.force_login(world.clerk)
    ok(post(client, action_url(number, "accept"), {}))
    before = len(viewed())
    client.force_login(getattr(world, who))
    response = client.get(case_url(number))
    assert ok(response)["applicant"]["identifier"] == MASKED
    assert ID_NUMBER not in response.content.decode()
    assert len(viewed()) == before


def test_the_applicant_sees_their_own_number_without_an_event(client, world, person):
    number = person_case(client, world, person)
    before = len(viewed())
    client.force_login(person.representations.get().user)
    assert ok(client.get(case_url(number)))["applicant"]["identifier"] == ID_NUMBER
    assert len(viewed()) == before


# -- zones -----------------------------------------------------------------------------------


def test_another_zones_clerk_cannot_apply_for_its_applicant(client, world, person, clerk_b):
    client.force_login(clerk_b)
    out_of_zone = post(client, CASES, item_body(world, applicant=person.pk))
    missing = post(client, CASES, item_body(world, applicant=999999))
    assert error_body(out_of_zone, 404, "applicant_not_found") == missing.json()
    assert ID_NUMBER not in out_of_zone.content.decode()


def test_a_case_ties_its_applicant_to_the_zone(client, world, clerk_b):
    # given: registered without an account or a park, then a case of zone A names it
    person = applicant_register(kind=ApplicantKind.PERSON, name="赵六", id_number=ID_NUMBER)
    client.force_login(clerk_b)
    assert client.get(reverse("applicant_detail", args=[person.pk])).status_code == 200
    client.force_login(world.clerk)
    ok(post(client, CASES, item_body(world, applicant=person.pk)), 201)
    # then: zone A sees it, zone B no longer does, and finds it neither by name nor number
    assert client.get(reverse("applicant_detail", args=[person.pk])).status_code == 200
    client.force_login(clerk_b)
    assert client.get(reverse("applicant_detail", args=[person.pk])).status_code == 404
    for query in ("赵六", ID_NUMBER):
        html = client.get(reverse("applicant_search"), {"q": query}).content.decode()
        assert "没有找到" in html and MASKED not in html


def test_the_walk_in_desk_refuses_another_zones_applicant(client, world, person, clerk_b):
    client.force_login(clerk_b)
    response = client.get(reverse("cases:desk_new"), {"applicant": person.pk, "q": "王五"})
    html = response.content.decode()
    assert response.status_code == 200
    # neither offered in the search results nor taken as the chosen applicant
    assert MASKED not in html and ID_NUMBER not in html
    assert f'value="{person.pk}"' not in html
    assert not Case.objects.filter(applicant=person).exists()
