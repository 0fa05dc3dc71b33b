"""Every message to a requester links to their page of the order (appeals:my_appeal): the
answer sent out by the centre, the receipt, the merge; the link opens for the requester
and is a 404 for anyone else."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from onewindow.appeals.constants import ANSWERED_NOTIFICATION, AppealStatus
from onewindow.appeals.notifications import requester_link
from onewindow.appeals.services.followup import appeal_merge
from onewindow.appeals.services.handling import appeal_review_reply
from onewindow.appeals.tests.factories import at, make_appeal
from onewindow.core.models import Notification
from onewindow.testing.clients import client_for, send

pytestmark = pytest.mark.django_db

TUE = dt.date(2026, 3, 3)


def test_the_answer_links_to_the_requesters_page_of_the_order(aw):
    appeal = make_appeal(aw, AppealStatus.REPLIED)
    with time_machine.travel(at(TUE, 9), tick=False):
        appeal_review_reply(appeal=appeal, actor=aw.dispatcher, approve=True)
    message = Notification.objects.get(recipient=aw.requester, kind=ANSWERED_NOTIFICATION)
    assert message.link == f"/appeals/my/{appeal.number}/"
    assert message.link == requester_link(appeal.number)


def test_a_rejected_reply_tells_the_requester_nothing(aw):
    appeal = make_appeal(aw, AppealStatus.REPLIED)
    appeal_review_reply(appeal=appeal, actor=aw.dispatcher, approve=False, reason="未答复全部问题")
    assert not Notification.objects.filter(recipient=aw.requester).exists()


def test_every_message_to_a_requester_carries_the_link_of_their_order(aw):
    answered = make_appeal(aw, AppealStatus.REPLIED)
    appeal_review_reply(appeal=answered, actor=aw.dispatcher, approve=True)
    duplicate = make_appeal(aw, AppealStatus.RECEIVED)
    original = make_appeal(aw, AppealStatus.HANDLING, requester_user=aw.stranger)
    appeal_merge(appeal=duplicate, into=original, actor=aw.dispatcher)
    told = Notification.objects.filter(recipient__in=[aw.requester, aw.stranger])
    assert told.count() == 3
    links = {requester_link(order.number) for order in (answered, duplicate, original)}
    assert {message.link for message in told} == links


def _approve_over_http(aw, appeal):
    url = f"/api/v1/appeals/{appeal.number}/actions/approve_reply"
    return send(client_for(aw.dispatcher, csrf=True), "POST", url, json={"approve": True})


def test_the_link_of_the_answer_opens_the_order_for_the_requester(aw):
    appeal = make_appeal(aw, AppealStatus.REPLIED)
    assert _approve_over_http(aw, appeal).status_code == 200
    link = Notification.objects.get(recipient=aw.requester, kind=ANSWERED_NOTIFICATION).link
    page = client_for(aw.requester).get(link)
    assert page.status_code == 200
    assert appeal.number in page.content.decode()
    inbox = client_for(aw.requester).get("/notifications/")
    assert inbox.status_code == 200 and f'href="{link}"' in inbox.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("stranger", 404), ("handler", 403), ("dispatcher", 403), ("clerk", 403)],
)
def test_the_link_is_no_page_for_anyone_else(aw, who, status):
    # Another applicant does not learn that the order exists; staff have their own pages.
    appeal = make_appeal(aw, AppealStatus.REPLIED)
    assert _approve_over_http(aw, appeal).status_code == 200
    link = Notification.objects.get(recipient=aw.requester, kind=ANSWERED_NOTIFICATION).link
    assert client_for(getattr(aw, who)).get(link).status_code == status


def test_the_answer_is_sent_out_by_the_centre_only(aw):
    appeal = make_appeal(aw, AppealStatus.REPLIED)
    url = f"/api/v1/appeals/{appeal.number}/actions/approve_reply"
    for user in (aw.handler, aw.operator, aw.supervisor):
        response = send(client_for(user, csrf=True), "POST", url, json={"approve": True})
        assert response.status_code in (403, 404), user.username
    assert not Notification.objects.filter(kind=ANSWERED_NOTIFICATION).exists()
