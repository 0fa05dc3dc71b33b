"""Rating a case (好差评): who, when, how often, and the satisfaction rate.

The dates use the zone calendar of 2026: a case delivered on Fri 18 Sep 2026 has its
15-working-day rating window across 中秋节 (Fri 25 Sep) and 国庆节 (1–7 Oct), with the
make-up working days Sun 20 Sep and Sat 10 Oct. Counted by hand:

    Sun 20 Sep (调休) 1 · Mon 21 2 · Tue 22 3 · Wed 23 4 · Thu 24 5 · [Fri 25 中秋]
    Mon 28 6 · Tue 29 7 · Wed 30 8 · [1–7 Oct 国庆] · Thu 8 Oct 9 · Fri 9 10 ·
    Sat 10 (调休) 11 · Mon 12 12 · Tue 13 13 · Wed 14 14 · Thu 15 Oct 15

so the last day to rate is Thu 15 Oct 2026, and Fri 16 Oct is too late.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.core import signing
from django.db import IntegrityError
from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow.core.errors import Conflict, NotFound, ValidationFailed
from onewindow.core.models import AuditEvent, Notification
from onewindow.org.constants import Capacity
from onewindow.org.models import Representation, User
from onewindow.reviews import links
from onewindow.reviews.constants import ReviewEventAction
from onewindow.reviews.models import (
    Channel,
    Level,
    Rating,
    Rectification,
    RectificationStatus,
    ReviewSettings,
)
from onewindow.reviews.rates import satisfaction_rate
from onewindow.reviews.services import rating_check, rating_submit
from onewindow.reviews.tests.conftest import (
    D,
    at,
    deliver_bundle,
    deliver_immediate,
    deliver_item,
)

pytestmark = pytest.mark.django_db

DELIVERED = D(2026, 9, 18)
LAST_DAY = D(2026, 10, 15)


@pytest.fixture
def case(world):
    return deliver_immediate(world, DELIVERED)


def rate(case, *, day=DELIVERED, channel=Channel.ONLINE, level=Level.SATISFIED, **kwargs):
    with time_machine.travel(at(day, 15), tick=False):
        return rating_submit(case=case, channel=channel, level=level, **kwargs)


def token_for(case, channel):
    return links.rating_token(case, channel)


# -- who may rate -----------------------------------------------------------------------


def test_the_applicants_representative_rates_online_in_their_own_name(world, case):
    rating = rate(case, actor=world.applicant_user, level=Level.VERY_SATISFIED, comment=" 很快 ")

    assert rating.channel == Channel.ONLINE
    assert rating.level == Level.VERY_SATISFIED
    assert rating.comment == "很快"
    assert rating.real_name is True
    assert rating.rater == world.applicant_user
    # copied from the case so the dashboard needs no join
    assert rating.department == case.department
    assert rating.item == case.item_version.item
    assert rating.zone == case.zone
    assert rating.rated_on == DELIVERED
    assert not Rectification.objects.exists()  # a good rating opens nothing
    event = AuditEvent.objects.get(action=ReviewEventAction.RATING_SUBMITTED)
    assert event.object_id == str(rating.pk)
    assert event.actor == world.applicant_user.username
    assert event.data == {
        "case": case.number,
        "channel": "online",
        "level": 5,
        "real_name": True,
        "department": case.department.code,
    }


@pytest.mark.parametrize("who", ["stranger", "clerk", "reviewer", "supervisor", None])
def test_someone_else_is_told_the_case_does_not_exist(world, case, who):
    actor = getattr(world, who) if who else None
    for channel in (Channel.ONLINE, Channel.MOBILE):
        with pytest.raises(NotFound) as error:
            rate(case, actor=actor, channel=channel)
        assert error.value.code == "case_not_found"
        assert error.value.message == "办件不存在"
    assert not Rating.objects.exists()


def test_the_representative_of_another_applicant_may_not_rate(world, case, make_applicant_user):
    other = make_applicant_user("other_rep")
    Representation.objects.create(
        user=other, applicant=world.other_applicant, capacity=Capacity.HANDLER
    )
    with pytest.raises(NotFound):
        rate(case, actor=other)


def test_a_window_rating_needs_the_link_and_is_anonymous(world, case):
    with pytest.raises(ValidationFailed) as error:
        rate(case, channel=Channel.WINDOW)
    assert error.value.fields == {
        "token": ["评价链接：窗口和短信评价须通过窗口二维码或短信中的评价链接进行"]
    }

    rating = rate(case, channel=Channel.WINDOW, token=token_for(case, Channel.WINDOW))

    assert rating.real_name is False
    assert rating.rater is None
    event = AuditEvent.objects.get(action=ReviewEventAction.RATING_SUBMITTED)
    assert event.actor == "anonymous"


def test_a_link_used_by_the_signed_in_representative_is_real_name(world, case):
    rating = rate(
        case,
        channel=Channel.SMS,
        token=token_for(case, Channel.SMS),
        actor=world.applicant_user,
    )
    assert rating.real_name is True
    assert rating.rater == world.applicant_user


def test_a_link_used_by_staff_stays_anonymous(world, case):
    rating = rate(
        case, channel=Channel.WINDOW, token=token_for(case, Channel.WINDOW), actor=world.clerk
    )
    assert rating.real_name is False and rating.rater is None


def test_a_tampered_link_is_refused(world, case):
    token = token_for(case, Channel.WINDOW)
    case_id, rest = token.split(".", 1)
    forged = f"{int(case_id) + 1}.{rest}"  # another case, the same signature
    other_channel = token.replace(".window:", ".sms:")
    for bad in (forged, other_channel, token[:-2] + "xx", "garbage", "1.window", "x" * 300):
        with pytest.raises(NotFound) as error:
            rate(case, channel=Channel.WINDOW, token=bad)
        assert error.value.code == "token_invalid"
    # a valid link of the SMS channel does not rate on the window channel
    with pytest.raises(NotFound):
        rate(case, channel=Channel.WINDOW, token=token_for(case, Channel.SMS))
    # nor a link signed with another salt (another feature's signature)
    foreign = signing.TimestampSigner(salt="something.else").sign(f"{case.pk}.window")
    with pytest.raises(NotFound):
        rate(case, channel=Channel.WINDOW, token=foreign)
    assert not Rating.objects.exists()


def test_a_link_of_another_case_does_not_rate_this_one(world, case):
    other = deliver_immediate(world, DELIVERED)
    with pytest.raises(NotFound):
        rate(case, channel=Channel.WINDOW, token=token_for(other, Channel.WINDOW))


def test_an_expired_link_is_refused(world, case):
    with time_machine.travel(at(DELIVERED), tick=False):
        token = token_for(case, Channel.SMS)
    # 91 calendar days later (the window closed long before)
    with (
        time_machine.travel(at(DELIVERED + dt.timedelta(days=91)), tick=False),
        pytest.raises(NotFound) as error,
    ):
        rating_submit(case=case, channel=Channel.SMS, level=Level.SATISFIED, token=token)
    assert error.value.code == "token_expired"


def test_hotline_ratings_are_not_taken_here(world, case):
    with pytest.raises(ValidationFailed) as error:
        rate(case, channel=Channel.HOTLINE, actor=world.applicant_user)
    assert error.value.code == "channel_not_offered"
    assert "channel" in error.value.fields


# -- what may be rated ------------------------------------------------------------------


def test_a_case_not_delivered_is_refused(world):
    with time_machine.travel(at(DELIVERED), tick=False):
        case = world.decided()  # approved, the delivery task still open
        with pytest.raises(Conflict) as error:
            rating_submit(
                case=case, channel=Channel.ONLINE, level=Level.SATISFIED, actor=world.applicant_user
            )
    assert error.value.code == "not_delivered"
    assert error.value.message == "办件尚未办结送达（当前状态：准予许可），办结后才能评价"


def test_a_bundle_is_rated_on_its_parent_not_on_an_item(world):
    parent = deliver_bundle(world, DELIVERED)
    child = parent.children.order_by("pk").first()

    with pytest.raises(Conflict) as error:
        rate(child, actor=world.applicant_user)
    assert error.value.code == "child_case"
    assert parent.number in error.value.message

    rating = rate(parent, actor=world.applicant_user, level=Level.DISSATISFIED)
    assert rating.item is None  # a bundle has no single item
    assert rating.department == parent.department
    assert rating.rectification.department == parent.department


def test_an_ordinary_item_delivered_through_its_tasks_is_rated(world):
    case = deliver_item(world, DELIVERED)
    rating = rate(case, actor=world.applicant_user)
    assert rating.item == case.item_version.item


# -- once per channel -------------------------------------------------------------------


def test_once_per_case_and_channel(world, case):
    first = rate(case, actor=world.applicant_user, level=Level.SATISFIED)

    with pytest.raises(Conflict) as error:
        rate(case, actor=world.applicant_user, level=Level.VERY_SATISFIED)
    assert error.value.code == "already_rated"
    assert error.value.message == (
        "本办件已通过“网上办事大厅”评价过（满意，2026年09月18日），同一渠道只能评价一次"
    )
    # a second channel is another rating (一次一评 per channel)
    second = rate(case, channel=Channel.WINDOW, token=token_for(case, Channel.WINDOW))
    third = rate(case, channel=Channel.MOBILE, actor=world.applicant_user)

    assert {r.pk for r in Rating.objects.all()} == {first.pk, second.pk, third.pk}
    assert Rating.objects.get(pk=first.pk).level == Level.SATISFIED  # never changed


def test_the_database_refuses_a_second_rating_on_a_channel(world, case):
    rate(case, actor=world.applicant_user)
    with pytest.raises(IntegrityError):
        Rating.objects.create(
            zone=case.zone,
            case=case,
            department=case.department,
            channel=Channel.ONLINE,
            level=Level.SATISFIED,
            rated_at=at(DELIVERED),
            rated_on=DELIVERED,
        )


def test_a_race_lost_at_the_constraint_is_a_conflict(world, case):
    """The check passes in both requests; the second insert hits the unique constraint
    (PostgreSQL under concurrency): the loser gets the same 409."""
    winner = rate(case, actor=world.applicant_user)
    with (
        mock.patch("onewindow.reviews.services.rating.rating_refusal", return_value=None),
        pytest.raises(Conflict) as error,
    ):
        rate(case, actor=world.applicant_user)
    assert error.value.code == "already_rated"
    assert Rating.objects.get().pk == winner.pk


# -- the rating window ------------------------------------------------------------------


def test_rating_on_the_delivery_day_and_on_the_last_day(world, case):
    assert rate(case, day=DELIVERED, actor=world.applicant_user).rated_on == DELIVERED
    last = rate(case, day=LAST_DAY, channel=Channel.MOBILE, actor=world.applicant_user)
    assert last.rated_on == LAST_DAY


def test_too_late_after_the_window_across_the_holidays(world, case):
    with time_machine.travel(at(LAST_DAY, 23, 59), tick=False):
        check = rating_check(case=case, channel=Channel.ONLINE, actor=world.applicant_user)
    assert check.window.closes_on == LAST_DAY and not check.window.provisional

    with pytest.raises(Conflict) as error:
        rate(case, day=LAST_DAY + dt.timedelta(days=1), actor=world.applicant_user)
    assert error.value.code == "rating_closed"
    assert error.value.message == (
        "评价期限已过：本办件须在送达后 15 个工作日内（2026年10月15日前）评价"
    )


def test_the_window_is_the_zones_setting(world, case):
    ReviewSettings.objects.create(zone=world.zone, rating_window_days=5)
    # 5 working days after Fri 18 Sep: Sun 20 (调休), 21, 22, 23, Thu 24 Sep
    rate(case, day=D(2026, 9, 24), actor=world.applicant_user)
    with pytest.raises(Conflict):
        rate(case, day=D(2026, 9, 28), channel=Channel.MOBILE, actor=world.applicant_user)


# -- input ------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [0, 6, -1, "5", 4.0, None, True])
def test_a_level_outside_the_five_is_refused(world, case, level):
    with pytest.raises(ValidationFailed) as error:
        rate(case, actor=world.applicant_user, level=level)
    assert list(error.value.fields) == ["level"]


def test_a_comment_of_1000_characters_is_kept_and_1001_refused(world, case):
    with pytest.raises(ValidationFailed) as error:
        rate(case, actor=world.applicant_user, comment="慢" * 1001)
    assert error.value.fields == {"comment": ["评价内容：不能超过 1000 个字（现为 1001 个字）"]}

    rating = rate(case, actor=world.applicant_user, comment="好" * 1000)
    assert len(rating.comment) == 1000


def test_an_unknown_channel_is_refused(world, case):
    with pytest.raises(ValidationFailed) as error:
        rate(case, actor=world.applicant_user, channel="fax")
    assert list(error.value.fields) == ["channel"]


# -- bad ratings -------------------------------------------------------------------------


def test_a_bad_rating_opens_a_rectification_and_tells_the_department(
    world, case, django_capture_on_commit_callbacks
):
    sent = []

    class Gateway:
        def send(self, message):
            sent.append((message.recipient.username, message.text, message.subject_id))

    with (
        mock.patch("onewindow.core.notifications.backends.get_notifiers", return_value=[Gateway()]),
        django_capture_on_commit_callbacks(execute=True),
    ):
        rating = rate(
            case, actor=world.applicant_user, level=Level.VERY_DISSATISFIED, comment="等太久"
        )

    rectification = Rectification.objects.get()
    assert rectification.rating == rating
    assert rectification.status == RectificationStatus.OPEN
    assert rectification.department == case.department
    assert rectification.opened_on == DELIVERED
    # 15 working days after Fri 18 Sep 2026 (see the module docstring)
    assert rectification.due_on == LAST_DAY
    assert rectification.due_provisional is False
    # the department's reviewers and deciders, not the other department's nor others
    handlers = {world.reviewer.username, world.reviewer2.username, world.decider.username}
    notes = Notification.objects.filter(kind="rating_bad")
    assert {note.recipient.username for note in notes} == handlers
    assert {username for username, _text, _number in sent} == handlers
    assert {number for _username, _text, number in sent} == {case.number}
    assert {(note.subject_type, note.subject_id) for note in notes} == {("case", case.number)}
    text = notes.first().text
    assert case.number in text and "非常不满意" in text and "2026年10月15日" in text
    assert f"/reviews/rectifications/{rectification.pk}/" in text
    opened = AuditEvent.objects.get(action=ReviewEventAction.RECTIFICATION_OPENED)
    assert opened.data["due_on"] == "2026-10-15"


@pytest.mark.parametrize("level", [Level.DISSATISFIED, Level.VERY_DISSATISFIED])
def test_both_bad_levels_open_a_rectification(world, case, level):
    rate(case, actor=world.applicant_user, level=level)
    assert Rectification.objects.count() == 1


@pytest.mark.parametrize(
    "level", [Level.VERY_SATISFIED, Level.SATISFIED, Level.BASICALLY_SATISFIED]
)
def test_satisfied_levels_open_nothing(world, case, level):
    rate(case, actor=world.applicant_user, level=level)
    assert not Rectification.objects.exists()
    assert not Notification.objects.filter(kind="rating_bad").exists()


def test_a_refused_rating_writes_nothing(world, case):
    rate(case, actor=world.applicant_user)
    events = AuditEvent.objects.count()
    with pytest.raises(Conflict):
        rate(case, actor=world.applicant_user, level=Level.DISSATISFIED)
    assert AuditEvent.objects.count() == events
    assert not Rectification.objects.exists()
    assert not User.objects.filter(notifications__kind="rating_bad").exists()


# -- the satisfaction rate ---------------------------------------------------------------


def test_satisfaction_rate_by_hand():
    # 3 + 4 + 1 satisfied of 10
    assert satisfaction_rate({5: 3, 4: 4, 3: 1, 2: 1, 1: 1}) == 0.8
    assert satisfaction_rate({5: 2}) == 1.0
    assert satisfaction_rate({1: 2, 2: 3}) == 0.0
    assert satisfaction_rate({Level.BASICALLY_SATISFIED: 1, Level.DISSATISFIED: 3}) == 0.25


def test_no_ratings_no_rate():
    assert satisfaction_rate({}) is None
    assert satisfaction_rate({5: 0, 1: 0}) is None


def test_satisfaction_rate_refuses_nonsense():
    with pytest.raises(ValueError):
        satisfaction_rate({6: 1})
    with pytest.raises(ValueError):
        satisfaction_rate({5: -1})


@settings(max_examples=50)
@given(st.dictionaries(st.sampled_from(Level.values), st.integers(0, 10_000)))
def test_satisfaction_rate_is_the_share_of_the_first_three_levels(counts):
    rate_ = satisfaction_rate(counts)
    total = sum(counts.values())
    if total == 0:
        assert rate_ is None
        return
    assert 0.0 <= rate_ <= 1.0
    satisfied = sum(count for level, count in counts.items() if level >= 3)
    assert rate_ == satisfied / total
    # one more bad rating never raises the rate
    worse = {**counts, 1: counts.get(1, 0) + 1}
    assert satisfaction_rate(worse) <= rate_
