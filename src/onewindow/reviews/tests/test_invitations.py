"""SMS rating invitations: the link of each delivered case sent once, by the periodic job
or ``onewindow send-rating-invitations``."""

from __future__ import annotations

import re
from io import StringIO
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from onewindow.core.models import AuditEvent
from onewindow.org.models import Applicant, Representation
from onewindow.reviews import invitations, links
from onewindow.reviews.constants import ReviewEventAction
from onewindow.reviews.models import Channel, InvitationStatus, Level, RatingInvitation
from onewindow.reviews.services import rating_submit
from onewindow.reviews.tests.conftest import D, at, deliver_bundle, deliver_immediate

pytestmark = pytest.mark.django_db

DELIVERED = D(2026, 9, 18)


class Gateway:
    def __init__(self):
        self.sent = []

    def send(self, message):
        self.sent.append((message.recipient, message.text, message.subject_id))


@pytest.fixture
def gateway():
    gateway = Gateway()
    with mock.patch("onewindow.core.notifications.backends.get_notifiers", return_value=[gateway]):
        yield gateway


def run(day, capture):
    with time_machine.travel(at(day, 20), tick=False), capture(execute=True):
        return invitations.send_invitations()


def test_a_delivered_case_is_invited_once(world, gateway, django_capture_on_commit_callbacks):
    world.applicant_user.phone = "13811112222"
    world.applicant_user.save(update_fields=["phone"])
    case = deliver_immediate(world, DELIVERED)

    assert run(DELIVERED, django_capture_on_commit_callbacks) == 1
    assert run(D(2026, 9, 21), django_capture_on_commit_callbacks) == 0  # the next run

    ((user, text, number),) = gateway.sent
    assert user == world.applicant_user and number == case.number
    assert text.startswith("【示范经济技术开发区】您申请的“个体工商户名称变更”")
    assert case.number in text and "2026年10月15日前有效" in text
    # the link in the text rates this case on the SMS channel
    token = re.search(r"/rate/t/([^/]+)/", text).group(1)
    claim = links.read_rating_token(token)
    assert (claim.case_id, claim.channel) == (case.pk, Channel.SMS)
    invitation = RatingInvitation.objects.get()
    assert invitation.case == case and invitation.status == InvitationStatus.SENT
    assert invitation.recipient == world.applicant_user
    assert invitation.phone == "138****2222"  # never the full number
    event = AuditEvent.objects.get(action=ReviewEventAction.RATING_INVITATION_SENT)
    assert event.data == {"case": case.number, "status": "sent", "phone": "138****2222"}


def test_an_applicant_without_a_numbered_account_gets_it_on_the_registered_number(
    world, gateway, django_capture_on_commit_callbacks
):
    deliver_immediate(world, DELIVERED)  # the representative's account has no phone
    assert run(DELIVERED, django_capture_on_commit_callbacks) == 1
    ((contact, _text, _number),) = gateway.sent
    assert contact.phone == world.applicant.phone == "13900000000"
    invitation = RatingInvitation.objects.get()
    assert invitation.recipient is None and invitation.phone == "139****0000"


def test_a_case_with_no_one_to_text_is_recorded_and_not_tried_again(
    world, gateway, django_capture_on_commit_callbacks
):
    case = deliver_immediate(world, DELIVERED)
    Representation.objects.filter(applicant=world.applicant).delete()
    Applicant.objects.filter(pk=world.applicant.pk).update(phone="")

    assert run(DELIVERED, django_capture_on_commit_callbacks) == 0
    assert run(DELIVERED, django_capture_on_commit_callbacks) == 0
    assert gateway.sent == []
    invitation = RatingInvitation.objects.get()
    assert invitation.case == case and invitation.status == InvitationStatus.NO_RECIPIENT


def test_who_is_not_invited(world, gateway, django_capture_on_commit_callbacks):
    # not delivered yet
    with time_machine.travel(at(DELIVERED), tick=False):
        world.decided()
    # already rated (online)
    rated = deliver_immediate(world, DELIVERED)
    with time_machine.travel(at(DELIVERED, 12), tick=False):
        rating_submit(
            case=rated, channel=Channel.ONLINE, level=Level.SATISFIED, actor=world.applicant_user
        )
    # delivered too long ago: its window closed on Thu 15 Oct (see test_rating.py)
    deliver_immediate(world, D(2026, 9, 17))

    assert run(D(2026, 10, 16), django_capture_on_commit_callbacks) == 0
    assert not RatingInvitation.objects.exists()


def test_a_bundle_is_invited_on_its_parent_only(world, gateway, django_capture_on_commit_callbacks):
    parent = deliver_bundle(world, DELIVERED)
    assert run(DELIVERED, django_capture_on_commit_callbacks) == 1
    assert RatingInvitation.objects.get().case == parent


def test_the_last_day_of_the_window_still_invites(
    world, gateway, django_capture_on_commit_callbacks
):
    deliver_immediate(world, DELIVERED)
    assert run(D(2026, 10, 15), django_capture_on_commit_callbacks) == 1


def test_two_workers_racing_invite_once(world, gateway, django_capture_on_commit_callbacks):
    case = deliver_immediate(world, DELIVERED)
    with time_machine.travel(at(DELIVERED, 20), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert invitations._invite(case.pk, today=DELIVERED) == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert invitations._invite(case.pk, today=DELIVERED) == 0
    assert len(gateway.sent) == 1
    assert RatingInvitation.objects.count() == 1


def test_the_command_sends_and_reports(world, gateway, django_capture_on_commit_callbacks):
    deliver_immediate(world, DELIVERED)
    out = StringIO()
    with (
        time_machine.travel(at(DELIVERED, 20), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("send_rating_invitations", stdout=out)
    assert out.getvalue().strip() == "已发送短信评价邀请 1 条；重新计算暂定整改期限 0 件"
    assert len(gateway.sent) == 1
    assert not DBTaskResult.objects.exists()


def test_the_command_can_hand_the_job_to_the_workers(world):
    out = StringIO()
    call_command("send_rating_invitations", "--enqueue", stdout=out)
    job = DBTaskResult.objects.get()
    assert job.task_path.endswith("send_rating_invitations")
    assert str(job.id) in out.getvalue()
    assert not RatingInvitation.objects.exists()


def test_the_job_does_the_same_work(world, gateway, django_capture_on_commit_callbacks):
    from onewindow.reviews.tasks import send_rating_invitations

    deliver_immediate(world, DELIVERED)
    with (
        time_machine.travel(at(DELIVERED, 20), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = send_rating_invitations.call()
    assert result == {"invitations": 1, "deadlines": 0}
    assert RatingInvitation.objects.count() == 1
