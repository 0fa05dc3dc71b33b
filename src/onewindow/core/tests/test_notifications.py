"""core.notifications: notify() writes the in-app row once per key and hands it to the
configured backends after commit; a failing backend is logged and the row stays; the
console, e-mail and SMS backends; the kind registry; the data migration from cases."""

from __future__ import annotations

import importlib
import logging
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from onewindow.core.models import Notification
from onewindow.core.notifications import (
    ConsoleNotifier,
    Contact,
    EmailNotifier,
    LoggingSmsGateway,
    Notifier,
    OutboundMessage,
    SmsNotifier,
    backends,
    kinds,
    mask_phone,
    notifications_mark_read,
    notify,
    notify_contact,
    register_kind,
    unread_count,
)
from onewindow.org.constants import Role

pytestmark = pytest.mark.django_db

KIND = "core_test_greeting"
HERE = "onewindow.core.tests.test_notifications"


def _greeting(context) -> str:
    return f"你好，{context['name']}"


def _greeting_title(context) -> str:
    return f"问候：{context['name']}"


register_kind(KIND, render=_greeting, title=_greeting_title, link_label="查看问候")


class Recorder(Notifier):
    sent: list = []

    def send(self, message) -> None:
        Recorder.sent.append(message)


class Broken(Notifier):
    def send(self, message) -> None:
        raise RuntimeError("gateway down")


class RecordingSms(SmsNotifier):
    texts: list = []

    def send_sms(self, phone: str, text: str) -> None:
        RecordingSms.texts.append((phone, text))


@pytest.fixture
def recorder(settings):
    settings.ONEWINDOW_NOTIFIERS = [f"{HERE}.Recorder"]
    Recorder.sent = []
    return Recorder.sent


@pytest.fixture
def user(make_staff):
    staff = make_staff(Role.REVIEWER, username="li")
    staff.phone = "13812345678"
    staff.email = "li@example.gov.cn"
    return staff


# -- notify ---------------------------------------------------------------------------------


def test_notify_writes_the_row_and_sends_it_after_commit(
    user, recorder, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        notification = notify(
            user, KIND, {"name": "李"}, link="/somewhere/", subject=("thing", 7), key="k1"
        )
        # then: written now, sent only once the transaction commits
        assert Notification.objects.get() == notification
        assert recorder == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert recorder == [notification]
    notification.refresh_from_db()
    assert notification.recipient == user
    assert notification.kind == KIND
    assert notification.text == "你好，李"
    assert notification.title == "问候：李"
    assert notification.link == "/somewhere/"
    assert (notification.subject_type, notification.subject_id) == ("thing", "7")
    assert notification.key == "k1"
    assert notification.read_at is None
    assert notification.link_label == "查看问候"


def test_a_key_makes_it_once_per_recipient(
    user, make_staff, recorder, django_capture_on_commit_callbacks
):
    other = make_staff(Role.DECIDER, username="wang")
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(user, KIND, {"name": "李"}, key="task:1:task_yellow")
        again = notify(user, KIND, {"name": "李"}, key="task:1:task_yellow")
        someone_else = notify(other, KIND, {"name": "王"}, key="task:1:task_yellow")
        no_key = [notify(user, KIND, {"name": "李"}) for _ in range(2)]

    assert first is not None and again is None and someone_else is not None
    assert all(no_key)
    assert Notification.objects.filter(recipient=user).count() == 3
    assert len(recorder) == 4  # nothing sent for the duplicate


def test_the_unique_constraint_decides_a_race(user, recorder):
    notify(user, KIND, {"name": "李"}, key="race")
    # another worker checked before this row existed: the insert itself is refused
    with mock.patch.object(Notification.objects, "filter") as filtered:
        filtered.return_value.exists.side_effect = [False, True]
        assert notify(user, KIND, {"name": "李"}, key="race") is None
    assert Notification.objects.filter(key="race").count() == 1


def test_nothing_is_sent_when_the_transaction_rolls_back(
    user, recorder, django_capture_on_commit_callbacks
):
    class Abort(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Abort),
        transaction.atomic(),
    ):
        notify(user, KIND, {"name": "李"})
        raise Abort
    assert callbacks == []
    assert recorder == []
    assert not Notification.objects.exists()


def test_a_failing_backend_is_logged_and_the_others_still_run(
    user, settings, caplog, django_capture_on_commit_callbacks
):
    settings.ONEWINDOW_NOTIFIERS = [f"{HERE}.Broken", f"{HERE}.Recorder"]
    Recorder.sent = []

    with (
        caplog.at_level(logging.ERROR, logger="onewindow.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notification = notify(user, KIND, {"name": "李"})

    assert Notification.objects.get() == notification  # the in-app row stays
    assert Recorder.sent == [notification]
    assert "notifier Broken failed" in caplog.text and "gateway down" in caplog.text


def test_no_backend_in_tests_unless_a_test_sets_one(
    user, settings, django_capture_on_commit_callbacks
):
    assert settings.ONEWINDOW_NOTIFIERS == []
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(user, KIND, {"name": "李"}) is not None
    assert backends.get_notifiers() == []


def test_an_unregistered_kind_is_a_programming_error(user):
    with pytest.raises(LookupError, match="not registered"):
        notify(user, "no_such_kind", {})
    assert not Notification.objects.exists()


def test_notify_contact_sends_without_a_row(recorder, django_capture_on_commit_callbacks):
    contact = Contact(username="某公司", phone="13900000000")
    with django_capture_on_commit_callbacks(execute=True):
        message = notify_contact(contact, KIND, {"name": "某公司"}, subject=("case", "N-1"))

    assert recorder == [message]
    assert isinstance(message, OutboundMessage)
    assert message.recipient == contact and message.text == "你好，某公司"
    assert message.subject_id == "N-1"
    assert not Notification.objects.exists()


# -- the inbox -------------------------------------------------------------------------------


def test_mark_read_and_unread_count_touch_only_the_user_s_unread_ones(user, make_staff):
    other = make_staff(Role.DECIDER, username="wang")
    mine = notify(user, KIND, {"name": "李"})
    theirs = notify(other, KIND, {"name": "王"})
    assert unread_count(user) == 1

    assert notifications_mark_read(user=user) == 1
    assert notifications_mark_read(user=user) == 0

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    assert unread_count(user) == 0 and unread_count(other) == 1


# -- kinds -----------------------------------------------------------------------------------


def test_registering_a_kind_again_is_allowed_only_identically():
    register_kind(KIND, render=_greeting, title=_greeting_title, link_label="查看问候")
    with pytest.raises(ImproperlyConfigured, match="already registered"):
        register_kind(KIND, render=lambda context: "另一个")


def test_the_apps_register_their_kinds():
    assert {"task_yellow", "task_red", "supplement_overdue", "rating_bad"} <= set(
        kinds.registered_kinds()
    )


def test_an_unknown_kind_gets_the_default_link_words():
    assert str(Notification(kind="unknown").link_label) == "查看详情"


# -- backends --------------------------------------------------------------------------------


def message_to(recipient, text="请及时办理。", title="办件提醒：SFQ-2026-0000001"):
    return OutboundMessage(recipient=recipient, kind=KIND, text=text, title=title)


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+8613812345678", "+86*******5678"),
        ("", ""),
        ("1234", "****"),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


def test_console_notifier_logs_one_masked_line(user, caplog):
    with caplog.at_level(logging.INFO, logger="onewindow.notify"):
        ConsoleNotifier().send(message_to(user, text="办件提醒"))

    assert caplog.messages == ["[提醒] to li (138****5678): 办件提醒"]


def test_console_notifier_never_raises():
    ConsoleNotifier().send(message_to(object()))


def test_email_notifier_mails_users_with_an_address(user, make_staff):
    without = make_staff(Role.DECIDER, username="wang")

    EmailNotifier().send(message_to(user))
    EmailNotifier().send(message_to(without))
    EmailNotifier().send(message_to(Contact(username="某公司", phone="13900000000")))

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["li@example.gov.cn"]
    assert mail.outbox[0].body == "请及时办理。"
    assert mail.outbox[0].subject == "办件提醒：SFQ-2026-0000001"


def test_email_notifier_links_the_page_on_the_public_url(user, settings):
    settings.ONEWINDOW_PUBLIC_URL = "https://zwfw.example.gov.cn/"
    message = OutboundMessage(
        recipient=user, kind=KIND, text="请及时办理。", link="/cases/SFQ-2026-0000001/"
    )

    EmailNotifier().send(message)

    assert mail.outbox[0].body == (
        "请及时办理。\n\nhttps://zwfw.example.gov.cn/cases/SFQ-2026-0000001/"
    )


def test_email_notifier_has_a_subject_without_a_title(user):
    EmailNotifier().send(message_to(user, title=""))
    assert mail.outbox[0].subject == "消息提醒"


def test_sms_notifier_texts_recipients_with_a_number(user, make_staff):
    RecordingSms.texts = []
    without = make_staff(Role.DECIDER, username="wang")

    RecordingSms().send(message_to(user))
    RecordingSms().send(message_to(without))
    RecordingSms().send(message_to(Contact(username="某公司", phone=" 13900000000 ")))

    assert RecordingSms.texts == [("13812345678", "请及时办理。"), ("13900000000", "请及时办理。")]


def test_the_sms_interface_needs_a_gateway(user):
    with pytest.raises(NotImplementedError):
        SmsNotifier().send(message_to(user))


def test_logging_sms_gateway_logs_the_masked_number(user, caplog):
    with caplog.at_level(logging.INFO, logger="onewindow.notify"):
        LoggingSmsGateway().send(message_to(user, text="办件提醒"))

    assert caplog.messages == ["[短信] to 138****5678: 办件提醒"]


def test_the_setting_lists_the_backends(settings):
    settings.ONEWINDOW_NOTIFIERS = [
        "onewindow.core.notifications.ConsoleNotifier",
        "onewindow.core.notifications.EmailNotifier",
    ]
    built = backends.get_notifiers()
    assert [type(notifier) for notifier in built] == [ConsoleNotifier, EmailNotifier]


# -- the data migration from cases.Notification ----------------------------------------------


def test_the_data_migration_copies_case_messages(world, recorder):
    """``cases/migrations/0003``: the case becomes the subject and link, the task the
    dedup key; creation and read times are kept. The historical models are stood in for
    by small fakes around the real core model."""
    migration = importlib.import_module("onewindow.cases.migrations.0003_notifications_to_core")
    case = world.accepted()
    task = case.tasks.order_by("pk").first()
    read_at = case.accepted_at

    class Row:
        def __init__(self, pk, **fields):
            self.pk = pk
            self.recipient_id = world.reviewer.pk
            self.case = fields.get("case")
            self.case_id = self.case.pk if self.case is not None else None
            self.task_id = fields.get("task_id")
            self.kind = fields["kind"]
            self.text = fields["text"]
            self.created_at = fields["created_at"]
            self.read_at = fields.get("read_at")

    old_rows = [
        Row(1, case=case, task_id=task.pk, kind="task_yellow", text="黄灯",
            created_at=case.accepted_at, read_at=read_at),
        Row(2, case=case, kind="rating_bad", text="差评", created_at=case.accepted_at),
        Row(3, kind="status", text="无办件", created_at=case.accepted_at),
    ]  # fmt: skip

    class OldManager:
        def select_related(self, *fields):
            return self

        def order_by(self, *fields):
            return self

        def iterator(self, chunk_size):
            return iter(old_rows)

    class OldModel:
        objects = OldManager()

    class FakeApps:
        def get_model(self, app_label, name):
            if (app_label, name) == ("cases", "Notification"):
                return OldModel
            return django_apps.get_model(app_label, name)

    migration.copy_to_core(FakeApps(), None)

    # (the applicant's own messages about the case are not the reviewer's)
    copied = list(Notification.objects.filter(recipient=world.reviewer).order_by("pk"))
    assert [row.text for row in copied] == ["黄灯", "差评", "无办件"]
    yellow, bad, bare = copied
    assert yellow.key == f"task:{task.pk}:task_yellow"
    assert (yellow.subject_type, yellow.subject_id) == ("case", case.number)
    assert yellow.link == f"/cases/{case.number}/"
    assert yellow.created_at == case.accepted_at and yellow.read_at == read_at
    assert bad.key == "" and bad.subject_id == case.number and bad.read_at is None
    assert (bare.subject_type, bare.subject_id, bare.link, bare.key) == ("", "", "", "")
    assert recorder == []  # a migration sends nothing
    # a reminder already sent before the move is not sent again
    context = {"number": case.number, "step": "审查", "deadline": case.accepted_at.date()}
    before = Notification.objects.count()
    assert notify(world.reviewer, "task_yellow", context, key=yellow.key) is None
    assert Notification.objects.count() == before
