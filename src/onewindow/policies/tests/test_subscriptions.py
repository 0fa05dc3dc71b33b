"""Subscriptions: subscribe and unsubscribe (audited), the page's toggle, and the messages
when a version is published or an enterprise's facts change (once per enterprise and
version, only to subscribers, never for an item the enterprise does not qualify for)."""

from __future__ import annotations

import pytest

from onewindow.catalog.constants import VersionStatus
from onewindow.core.errors import NotFound
from onewindow.core.models import AuditEvent, Notification
from onewindow.org.models import Representation
from onewindow.policies.constants import Event
from onewindow.policies.models import Subscription
from onewindow.policies.notifications import MATCH_NOTIFICATION
from onewindow.policies.services import catalogue, subscriptions
from onewindow.policies.tests.calculator_support import (  # noqa: F401
    GOOD_FACTS,
    declare,
    give_facts_fixture,
)
from onewindow.policies.tests.factories import (
    NOT_SERIOUS_BAD_CREDIT,
    RD_SHARE_AT_LEAST_5,
    make_version,
)
from onewindow.testing.clients import client_for

pytestmark = pytest.mark.django_db

TOGGLE = "/policies/calculator/subscription/"
AT_LEAST_100_STAFF = {"fact": "employees", "op": ">=", "value": 100, "clause": "第三条"}


def messages_to(user):
    return list(Notification.objects.filter(recipient=user, kind=MATCH_NOTIFICATION))


# -- subscribe / unsubscribe ---------------------------------------------------------------------


def test_subscribe_and_unsubscribe_are_audited(pw):
    subscriptions.subscribe(pw.representative, pw.enterprise, include_near=False)
    subscription = Subscription.objects.get(user=pw.representative, enterprise=pw.enterprise)
    assert subscription.include_near is False
    subscriptions.subscribe(pw.representative, pw.enterprise, include_near=False)  # no change
    assert subscriptions.unsubscribe(pw.representative, pw.enterprise) is True
    assert subscriptions.unsubscribe(pw.representative, pw.enterprise) is False
    actions = list(
        AuditEvent.objects.filter(object_type="policies.subscription")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [Event.SUBSCRIBED, Event.UNSUBSCRIBED]


@pytest.mark.parametrize("who", ["other_representative", "officer", "stranger"])
def test_only_a_representative_may_subscribe(pw, who):
    with pytest.raises(NotFound):
        subscriptions.subscribe(getattr(pw, who), pw.enterprise)
    assert not Subscription.objects.exists()


def test_the_page_toggle_subscribes_and_unsubscribes(pw):
    client = client_for(pw.representative)
    response = client.post(
        TOGGLE, {"enterprise": pw.enterprise.uscc, "subscribe": "1", "include_near": "1"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?enterprise={pw.enterprise.uscc}")
    assert Subscription.objects.get(enterprise=pw.enterprise).include_near is True
    page = client.get(response["Location"]).content.decode()
    assert "取消政策提醒" in page
    client.post(TOGGLE, {"enterprise": pw.enterprise.uscc, "subscribe": "0"})
    assert not Subscription.objects.exists()


def test_the_toggle_without_near_leaves_near_out(pw):
    client_for(pw.representative).post(TOGGLE, {"enterprise": pw.enterprise.uscc, "subscribe": "1"})
    assert Subscription.objects.get(enterprise=pw.enterprise).include_near is False


def test_the_toggle_refuses_a_missing_choice(pw):
    response = client_for(pw.representative).post(TOGGLE, {"enterprise": pw.enterprise.uscc})
    assert response.status_code == 302
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("uscc", ["other", "unknown", ""])
def test_the_toggle_is_404_for_an_enterprise_not_represented(pw, uscc):
    code = {"other": pw.other_enterprise.uscc, "unknown": "91000000000000000X", "": ""}[uscc]
    response = client_for(pw.representative).post(TOGGLE, {"enterprise": code, "subscribe": "1"})
    assert response.status_code == 404
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("who", ["officer", "clerk"])
def test_the_toggle_refuses_staff(pw, who):
    response = client_for(getattr(pw, who)).post(
        TOGGLE, {"enterprise": pw.enterprise.uscc, "subscribe": "1"}
    )
    assert response.status_code == 403


def test_the_toggle_needs_sign_in_and_post(pw):
    assert client_for(None).post(TOGGLE, {"subscribe": "1"}).status_code == 302
    assert client_for(pw.representative).get(TOGGLE).status_code == 405


# -- messages ------------------------------------------------------------------------------------


def test_a_published_version_tells_subscribers_once(
    pw, give_facts, django_capture_on_commit_callbacks
):
    give_facts(pw.enterprise, {**GOOD_FACTS, "employees": 200})
    give_facts(
        pw.other_enterprise, {"rd_share": "0.01", "credit_status": "serious_bad", "employees": 5}
    )
    subscriptions.subscribe(pw.representative, pw.enterprise)
    subscriptions.subscribe(pw.other_representative, pw.other_enterprise)
    draft = make_version(
        pw,
        code="ZC-101",
        status=VersionStatus.DRAFT,
        condition={"all": [RD_SHARE_AT_LEAST_5, NOT_SERIOUS_BAD_CREDIT, AT_LEAST_100_STAFF]},
    )
    with django_capture_on_commit_callbacks(execute=True):
        catalogue.version_publish(actor=pw.officer, version=draft)
    (message,) = messages_to(pw.representative)
    assert "研发投入奖励" in message.text and "20 万元" in message.text
    assert message.link == f"/policies/calculator/?enterprise={pw.enterprise.uscc}"
    # the other enterprise fails all three conditions: ineligible, nobody told
    assert messages_to(pw.other_representative) == []
    # sent again (a job re-run): nothing more
    assert subscriptions.tell_version_published(draft.pk) == 0
    assert len(messages_to(pw.representative)) == 1


def test_non_subscribers_are_not_told(pw, give_facts):
    give_facts(pw.enterprise, GOOD_FACTS)
    version = make_version(pw, code="ZC-102")
    assert subscriptions.tell_version_published(version.pk) == 0
    assert not Notification.objects.filter(kind=MATCH_NOTIFICATION).exists()


def test_a_subscriber_who_no_longer_represents_is_not_told(pw, give_facts):
    give_facts(pw.enterprise, GOOD_FACTS)
    subscriptions.subscribe(pw.representative, pw.enterprise)
    Representation.objects.filter(user=pw.representative).delete()
    version = make_version(pw, code="ZC-103")
    assert subscriptions.tell_version_published(version.pk) == 0


def test_near_only_when_asked(pw, give_facts):
    give_facts(pw.enterprise, {"rd_share": "0.046", "credit_status": "normal"})
    subscriptions.subscribe(pw.representative, pw.enterprise, include_near=False)
    version = make_version(pw, code="ZC-104")
    assert subscriptions.tell_version_published(version.pk) == 0
    subscriptions.subscribe(pw.representative, pw.enterprise, include_near=True)
    assert subscriptions.tell_version_published(version.pk) == 1
    (message,) = messages_to(pw.representative)
    assert "接近符合" in message.title and "4.6%" in message.text


def test_changed_facts_tell_of_items_now_eligible_once(
    pw, give_facts, django_capture_on_commit_callbacks
):
    make_version(pw, code="ZC-105")
    make_version(
        pw,
        code="ZC-106",
        name="纳税奖励（示例）",
        condition={"all": [{"fact": "tax_paid", "op": ">=", "value": "10", "clause": "第八条"}]},
    )
    give_facts(pw.enterprise, {"rd_share": "0.01", "credit_status": "normal", "tax_paid": "50"})
    subscriptions.subscribe(pw.representative, pw.enterprise, include_near=False)
    with django_capture_on_commit_callbacks(execute=True):
        declare(pw.enterprise, {"rd_share": "0.08"}, actor=pw.representative)
    (message,) = messages_to(pw.representative)
    assert "研发投入奖励" in message.text  # ZC-106 reads no changed fact: not told
    with django_capture_on_commit_callbacks(execute=True):
        declare(pw.enterprise, {"rd_share": "0.09"}, actor=pw.representative)
    assert len(messages_to(pw.representative)) == 1  # once per (enterprise, version)


def test_changed_facts_that_leave_an_item_ineligible_tell_nothing(pw, give_facts):
    make_version(
        pw,
        code="ZC-107",
        condition={"all": [RD_SHARE_AT_LEAST_5, NOT_SERIOUS_BAD_CREDIT, AT_LEAST_100_STAFF]},
    )
    give_facts(pw.enterprise, {"rd_share": "0.01", "credit_status": "serious_bad", "employees": 5})
    subscriptions.subscribe(pw.representative, pw.enterprise)
    assert subscriptions.tell_facts_changed([pw.enterprise.pk], ["rd_share"]) == 0
    assert messages_to(pw.representative) == []
