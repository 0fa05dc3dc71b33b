"""The audit administrator's audit trail page (ADR 0010): newest first, filters, pages of
50 keeping the query string, each event's data, the last chain verification, and the
viewing itself audited."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from onewindow.core.audit import AuditAction, ChainStatus, audit_append, audit_chain_status
from onewindow.core.errors import Forbidden
from onewindow.core.models import AuditEvent
from onewindow.org import views_account
from onewindow.org.constants import Role
from onewindow.org.services import audit_trail_view_record

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def auditor(make_staff):
    return make_staff(Role.AUDIT_ADMIN, username="auditor")


@pytest.fixture
def auditor_client(client, auditor):
    sign_in(client, auditor)
    return client


def shown(response) -> list[int]:
    return [event.id for event in response.context["events"]]


def test_audit_admin_reads_the_trail_newest_first_with_each_events_data(auditor_client):
    audit_append(action="test.first", actor="wang", data={"名称": "甲"})
    audit_append(action="test.second", actor="li", object_type="case", object_id="SFQ-1")
    response = auditor_client.get(reverse("audit_trail"))
    assert response.status_code == 200
    sequences = shown(response)
    assert sequences == sorted(sequences, reverse=True)
    html = response.content.decode()
    assert "名称" in html and "甲" in html and "case:SFQ-1" in html


@pytest.mark.parametrize("role", [r for r in Role if r != Role.AUDIT_ADMIN])
def test_every_other_role_is_refused(client, make_staff, role):
    sign_in(client, make_staff(role, username="other"))
    assert client.get(reverse("audit_trail")).status_code == 403
    assert client.post(reverse("audit_trail_verify")).status_code == 403


def test_applicants_and_superusers_are_refused(client, make_applicant_user, django_user_model):
    client.force_login(make_applicant_user())
    assert client.get(reverse("audit_trail")).status_code == 403
    root = django_user_model.objects.create_superuser("root", password="Root-pass-2026")
    client.force_login(root)
    assert client.get(reverse("audit_trail")).status_code == 403


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("audit_trail"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_viewing_is_audited_with_the_filters(auditor_client, auditor):
    auditor_client.get(reverse("audit_trail"), {"actor": "wang", "action": "test.first"})
    event = AuditEvent.objects.filter(action=AuditAction.AUDIT_TRAIL_VIEWED).get()
    assert (event.actor, event.actor_id) == ("auditor", str(auditor.pk))
    assert event.data["filters"] == {"actor": "wang", "action": "test.first"}


def test_the_viewing_service_records_one_event_with_the_page_and_the_address(auditor):
    audit_trail_view_record(
        actor=auditor, filters={"actor": "wang"}, before=120, shown=50, ip_address="10.0.0.7"
    )
    event = AuditEvent.objects.filter(action=AuditAction.AUDIT_TRAIL_VIEWED).get()
    assert (event.object_type, event.ip_address) == ("audit_trail", "10.0.0.7")
    assert event.data == {"filters": {"actor": "wang"}, "before": 120, "shown": 50}


def test_the_viewing_service_refuses_anyone_but_the_audit_administrator(make_staff):
    clerk = make_staff(Role.WINDOW_CLERK, username="clerk")
    with pytest.raises(Forbidden):
        audit_trail_view_record(actor=clerk, filters={}, before=None, shown=0)
    assert not AuditEvent.objects.filter(action=AuditAction.AUDIT_TRAIL_VIEWED).exists()


def test_filters_action_actor_object_and_dates(auditor_client):
    with time_machine.travel(dt.datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI)):
        early = audit_append(action="test.a", actor="wang", object_type="case", object_id="1")
    with time_machine.travel(dt.datetime(2026, 3, 2, 0, 30, tzinfo=SHANGHAI)):
        late = audit_append(action="test.b", actor="li", object_type="user", object_id="7")
    url = reverse("audit_trail")
    assert shown(auditor_client.get(url, {"action": "test.a"})) == [early.id]
    assert shown(auditor_client.get(url, {"actor": "ｌｉ"})) == [late.id]  # NFKC
    assert shown(auditor_client.get(url, {"object_type": "user", "object_id": "7"})) == [late.id]
    # local days (Asia/Shanghai), the last day included
    day = {"date_from": "2026-03-02", "date_to": "2026-03-02", "action": "test.b"}
    assert shown(auditor_client.get(url, day)) == [late.id]
    assert shown(auditor_client.get(url, {**day, "action": "test.a"})) == []
    assert shown(auditor_client.get(url, {"date_to": "2026-03-01"})) == [early.id]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_from": "2026-03-05", "date_to": "2026-03-01"}, "date_to"),
        ({"before": "abc"}, "before"),
        ({"before": "0"}, "before"),
        ({"actor": "x" * 151}, "actor"),
    ],
)
def test_bad_filters_are_refused_next_to_their_field(auditor_client, query, field):
    response = auditor_client.get(reverse("audit_trail"), query)
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not AuditEvent.objects.filter(action=AuditAction.AUDIT_TRAIL_VIEWED).exists()


def test_pages_of_fifty_keep_the_query_string(auditor_client):
    for number in range(120):
        audit_append(action="test.paged", actor="wang", object_id=number)
    url = reverse("audit_trail")
    first = auditor_client.get(url, {"action": "test.paged"})
    assert len(shown(first)) == 50
    next_query = first.context["next_page_query"]
    assert "action=test.paged" in next_query and "before=" in next_query
    assert f"?{next_query}" in first.content.decode().replace("&amp;", "&")
    second = auditor_client.get(f"{url}?{next_query}")
    assert len(shown(second)) == 50
    assert max(shown(second)) == min(shown(first)) - 1
    third = auditor_client.get(f"{url}?{second.context['next_page_query']}")
    assert len(shown(third)) == 20
    assert third.context["next_page_query"] == ""
    assert "action=test.paged" in third.context["first_page_query"]


def test_the_page_does_not_walk_the_chain(auditor_client, django_assert_max_num_queries):
    for number in range(200):
        audit_append(action="test.many", object_id=number)
    # session, user, roles, second factor, zone, the page, the last verification, the
    # viewing event (lock, newest, insert, head): not one query per event
    with django_assert_max_num_queries(20):
        auditor_client.get(reverse("audit_trail"))


def test_the_last_verification_is_shown(auditor_client):
    html = auditor_client.get(reverse("audit_trail")).content.decode()
    assert "审计链尚未校验过" in html
    call_command("audit_verify")
    html = auditor_client.get(reverse("audit_trail")).content.decode()
    assert "审计链完整" in html and "定时任务" in html


def test_the_audit_admin_verifies_the_chain_now(auditor_client):
    audit_append(action="test.one")
    response = auditor_client.post(reverse("audit_trail_verify"))
    assert response.status_code == 302 and response["Location"] == reverse("audit_trail")
    event = AuditEvent.objects.filter(action=AuditAction.AUDIT_CHAIN_VERIFIED).get()
    assert event.actor == "auditor"
    assert event.data["ok"] is True
    assert event.data["checked"] + event.data["pending"] >= 1  # linked, or waiting (PostgreSQL)
    assert auditor_client.get(reverse("audit_trail_verify")).status_code == 405


def test_a_broken_chain_is_reported(auditor_client):
    from onewindow.core.audit import ChainBreak, VerifyResult, audit_record_verification

    audit_record_verification(VerifyResult(3, ChainBreak(4, "content does not match its hash")))
    html = auditor_client.get(reverse("audit_trail")).content.decode()
    assert "审计链在第 4 号事件断裂" in html and "content does not match its hash" in html


def test_every_platform_audit_action_has_words():
    """The audit trail and the home pages show each action of ``AuditAction`` in words."""
    from onewindow.core.audit import AuditAction
    from onewindow.org.pages import AUDIT_ACTION_LABELS

    actions = {
        value
        for name, value in vars(AuditAction).items()
        if name.isupper() and isinstance(value, str)
    }
    assert actions - set(AUDIT_ACTION_LABELS) == set()


# -- the chainer's lag (ADR 0004) ------------------------------------------------------------


def test_the_page_shows_how_far_the_chain_is_linked_and_what_waits(auditor_client):
    audit_append(action="test.one")

    html = auditor_client.get(reverse("audit_trail")).content.decode()

    # every event is linked (SQLite links at once) or waits for the chainer (PostgreSQL)
    lag = html[html.index('id="chain-lag"') :].split("</p>")[0]
    linked, pending = (int(n) for n in re.findall(r"已入链至第 (\d+) 号，待链接 (\d+) 条", lag)[0])
    assert linked + pending == AuditEvent.objects.count() >= 2
    assert linked == audit_chain_status().linked_up_to
    assert 'role="alert"' not in lag


def test_a_chainer_that_stopped_is_pointed_out(auditor_client, monkeypatch):
    stalled = ChainStatus(
        linked_up_to=41,
        pending=7,
        oldest_pending_at=timezone.now() - dt.timedelta(minutes=5),
        last_checkpoint_at=None,
        last_checkpoint_sequence=None,
    )
    monkeypatch.setattr(views_account, "audit_chain_status", lambda: stalled)

    html = auditor_client.get(reverse("audit_trail")).content.decode()

    lag = html[html.index('id="chain-lag"') :].split("</p>")[0]
    assert 'role="alert"' in lag
    assert "已入链至第 41 号，待链接 7 条" in lag
    assert "onewindow audit-chain" in lag
