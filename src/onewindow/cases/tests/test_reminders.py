"""Reminders: yellow and red tasks notify their holders; overdue supplements are recorded."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from onewindow.cases import reminders
from onewindow.cases.constants import (
    CaseChannel,
    CaseStatus,
    Decision,
    Light,
    MaterialState,
    TaskKind,
    TaskStatus,
)
from onewindow.cases.models import Case, CaseMaterial, Task
from onewindow.cases.notifications import task_key
from onewindow.cases.reminders import remind_overdue_supplements, remind_warned_tasks
from onewindow.cases.tasks import send_reminders
from onewindow.catalog.tests.factories import make_item, uscc_for
from onewindow.core.models import AuditEvent, Notification
from onewindow.org.constants import ApplicantKind, Capacity, Role
from onewindow.org.models import Applicant, Representation

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)
RECORDER = "onewindow.cases.tests.test_reminders.RecordingNotifier"


class RecordingNotifier:
    """A notifier backend that remembers what it was asked to send."""

    sent: list[dict] = []

    def send(self, message) -> None:
        RecordingNotifier.sent.append(
            {"user": message.recipient.username, "text": message.text, "case": message.subject_id}
        )


@pytest.fixture(autouse=True)
def recording_notifier(settings):
    settings.ONEWINDOW_NOTIFIERS = [RECORDER]
    RecordingNotifier.sent = []
    return RecordingNotifier.sent


@pytest.fixture
def applicant(db) -> Applicant:
    return Applicant.objects.create(
        kind=ApplicantKind.ENTERPRISE,
        name="南京示范食品有限公司",
        uscc=uscc_for(9101, registration="91"),
    )


@pytest.fixture
def make_case(zone, department, applicant, make_applicant_user):
    version = make_item(zone, department, name="食品经营许可")
    submitter = make_applicant_user("submitter")
    serial = itertools.count(1)

    def make(status: str = CaseStatus.IN_REVIEW, **fields) -> Case:
        sequence = next(serial)
        values = {
            "zone": zone,
            "number": f"SFQ-2026-{sequence:07d}",
            "year": 2026,
            "sequence": sequence,
            "item_version": version,
            "title": "食品经营许可",
            "department": department,
            "applicant": applicant,
            "submitted_by": submitter,
            "channel": CaseChannel.ONLINE,
            "status": status,
            "accepted_on": dt.date(2026, 11, 16),
        }
        return Case.objects.create(**(values | fields))

    return make


def make_task(
    case: Case,
    *,
    deadline: dt.date,
    yellow_from: dt.date,
    department=None,
    role: str = Role.REVIEWER,
    assignee=None,
    status: str = TaskStatus.OPEN,
    name: str = "审查",
    step_key: str = "review",
) -> Task:
    return Task.objects.create(
        case=case,
        step_key=step_key,
        name=name,
        kind=TaskKind.REVIEW,
        role=role,
        department=department or case.department,
        status=status,
        assignee=assignee,
        limit_days=5,
        opened_at=timezone.now(),
        opened_on=dt.date(2026, 11, 17),
        deadline=deadline,
        yellow_from=yellow_from,
    )


def yellow_task(case, **fields) -> Task:
    return make_task(
        case, deadline=dt.date(2026, 12, 1), yellow_from=dt.date(2026, 11, 24), **fields
    )


def red_task(case, **fields) -> Task:
    return make_task(
        case, deadline=dt.date(2026, 11, 20), yellow_from=dt.date(2026, 11, 19), **fields
    )


def green_task(case, **fields) -> Task:
    return make_task(
        case, deadline=dt.date(2026, 12, 10), yellow_from=dt.date(2026, 12, 8), **fields
    )


def run(capture, **kwargs) -> int:
    with capture(execute=True):
        return remind_warned_tasks(today=TODAY, **kwargs)


def recipients(task: Task, kind: str) -> set[str]:
    return set(
        Notification.objects.filter(key=task_key(task.pk, kind)).values_list(
            "recipient__username", flat=True
        )
    )


# --- task lights ----------------------------------------------------------------------


def test_yellow_task_notifies_its_assignee_only(
    make_case, make_staff, recording_notifier, django_capture_on_commit_callbacks
):
    # given
    reviewer = make_staff(Role.REVIEWER, username="li")
    make_staff(Role.REVIEWER, username="wang")  # same role and department, not assigned
    case = make_case()
    task = yellow_task(case, assignee=reviewer, status=TaskStatus.CLAIMED)

    # when
    created = run(django_capture_on_commit_callbacks)

    # then
    assert created == 1
    notification = Notification.objects.get()
    assert notification.recipient == reviewer
    assert (notification.subject_type, notification.subject_id) == ("case", case.number)
    assert notification.link == f"/cases/{case.number}/"
    assert notification.key == f"task:{task.pk}:task_yellow"
    assert notification.kind == "task_yellow"
    assert notification.title == f"办件提醒：{case.number}"
    assert notification.text == (
        f"办件 {case.number}「审查」环节将于 2026年12月01日 到期（黄灯），请及时办理。"
    )
    assert recording_notifier == [{"user": "li", "text": notification.text, "case": case.number}]
    task.refresh_from_db()
    assert task.light_notified == Light.YELLOW


def test_unassigned_red_task_notifies_the_role_holders_of_its_department(
    make_case, make_staff, department, other_department, recording_notifier,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    # given
    make_staff(Role.REVIEWER, username="li")
    make_staff(Role.REVIEWER, Role.DECIDER, username="zhao")
    make_staff(Role.DECIDER, username="chen")  # other role
    make_staff(Role.REVIEWER, username="sun", dept=other_department)  # other department
    gone = make_staff(Role.REVIEWER, username="zhou")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    task = red_task(make_case())

    # when
    created = run(django_capture_on_commit_callbacks)

    # then
    assert created == 2
    assert recipients(task, "task_red") == {"li", "zhao"}
    assert {message["user"] for message in recording_notifier} == {"li", "zhao"}
    text = Notification.objects.filter(key__startswith=f"task:{task.pk}:").first().text
    assert "已超期（红灯）" in text
    assert "2026年11月20日" in text
    assert task.case.number in text


def test_window_clerk_step_notifies_the_clerks_of_the_zone(
    make_case, make_staff, django_capture_on_commit_callbacks
):
    make_staff(Role.WINDOW_CLERK, username="clerk1")
    make_staff(Role.REVIEWER, username="li")
    task = yellow_task(make_case(), role=Role.WINDOW_CLERK, name="送达", step_key="deliver")

    run(django_capture_on_commit_callbacks)

    assert recipients(task, "task_yellow") == {"clerk1"}


def test_a_second_run_creates_and_sends_nothing(
    make_case, make_staff, recording_notifier, django_capture_on_commit_callbacks
):
    make_staff(Role.REVIEWER, username="li")
    case = make_case()
    yellow_task(case)
    red_task(case, step_key="inspect", name="现场核查")
    assert run(django_capture_on_commit_callbacks) == 2
    events = AuditEvent.objects.count()
    recording_notifier.clear()

    assert run(django_capture_on_commit_callbacks) == 0

    assert Notification.objects.count() == 2
    assert recording_notifier == []
    assert AuditEvent.objects.count() == events


def test_a_yellow_task_turning_red_notifies_again(
    make_case, make_staff, recording_notifier, django_capture_on_commit_callbacks
):
    make_staff(Role.REVIEWER, username="li")
    task = make_task(make_case(), deadline=TODAY, yellow_from=dt.date(2026, 11, 23))
    assert run(django_capture_on_commit_callbacks) == 1

    with django_capture_on_commit_callbacks(execute=True):
        created = remind_warned_tasks(today=TODAY + dt.timedelta(days=1))

    assert created == 1
    assert recipients(task, "task_yellow") == {"li"}
    assert recipients(task, "task_red") == {"li"}
    assert len(recording_notifier) == 2
    task.refresh_from_db()
    assert task.light_notified == Light.RED


def test_tasks_not_warned_are_not_reminded(
    make_case, make_staff, recording_notifier, django_capture_on_commit_callbacks
):
    make_staff(Role.REVIEWER, username="li")
    green_task(make_case())
    red_task(make_case(status=CaseStatus.SUSPENDED))  # the clock is paused
    red_task(make_case(), status=TaskStatus.DONE)
    red_task(make_case(), status=TaskStatus.CANCELLED)

    assert run(django_capture_on_commit_callbacks) == 0

    assert not Notification.objects.exists()
    assert recording_notifier == []
    assert Task.objects.exclude(light_notified="").count() == 0


def test_a_light_change_is_audited(make_case, make_staff, django_capture_on_commit_callbacks):
    make_staff(Role.REVIEWER, username="li")
    case = make_case()
    task = red_task(case)

    run(django_capture_on_commit_callbacks)

    event = AuditEvent.objects.get(action="task.light_changed")
    assert event.actor == "system"
    assert event.object_type == "case"
    assert event.object_id == case.number
    assert event.data == {
        "task": task.pk,
        "step": "review",
        "light": "red",
        "deadline": "2026-11-20",
    }


def test_a_task_nobody_holds_still_records_its_light(make_case, django_capture_on_commit_callbacks):
    task = yellow_task(make_case())

    assert run(django_capture_on_commit_callbacks) == 0

    task.refresh_from_db()
    assert task.light_notified == Light.YELLOW
    assert AuditEvent.objects.filter(action="task.light_changed").count() == 1


def test_messages_are_sent_only_after_commit(
    make_case, make_staff, recording_notifier, django_capture_on_commit_callbacks
):
    make_staff(Role.REVIEWER, username="li")
    yellow_task(make_case())

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        remind_warned_tasks(today=TODAY)

    assert len(callbacks) >= 1
    assert recording_notifier == []


def test_one_failing_task_does_not_stop_the_others(
    make_case, make_staff, monkeypatch, django_capture_on_commit_callbacks
):
    make_staff(Role.REVIEWER, username="li")
    broken = yellow_task(make_case())
    fine = yellow_task(make_case())
    real = reminders.task_reminder_context

    def context(task):
        if task.pk == broken.pk:
            raise RuntimeError("boom")
        return real(task)

    monkeypatch.setattr(reminders, "task_reminder_context", context)

    assert run(django_capture_on_commit_callbacks) == 1

    assert recipients(fine, "task_yellow") == {"li"}
    broken.refresh_from_db()
    assert broken.light_notified == ""  # tried again next run


# --- overdue supplements --------------------------------------------------------------


@pytest.fixture
def representative(applicant, make_applicant_user):
    user = make_applicant_user("zhangsan")
    Representation.objects.create(user=user, applicant=applicant, capacity=Capacity.HANDLER)
    return user


def add_material(case: Case, name: str, state: str, position: int) -> CaseMaterial:
    return CaseMaterial.objects.create(
        case=case, position=position, name=name, merge_key=name, state=state, tolerable=True
    )


def test_an_overdue_supplement_is_recorded_once(
    make_case, representative, recording_notifier, django_capture_on_commit_callbacks
):
    # given
    case = make_case(tolerance_due_on=dt.date(2026, 11, 24))
    add_material(case, "申请表", MaterialState.UPLOADED, 1)
    add_material(case, "食品安全管理制度", MaterialState.TOLERATED, 2)
    add_material(case, "场所平面图", MaterialState.TOLERATED, 3)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        recorded = remind_overdue_supplements(today=TODAY)

    # then
    assert recorded == 1
    case.refresh_from_db()
    assert case.supplement_overdue_recorded is True
    event = AuditEvent.objects.get(action="case.supplement_overdue")
    assert event.object_type == "case"
    assert event.object_id == case.number
    assert event.actor == "system"
    assert event.data == {"materials": ["食品安全管理制度", "场所平面图"], "due_on": "2026-11-24"}
    notification = Notification.objects.get(kind="supplement_overdue")
    assert notification.recipient == representative
    assert (notification.subject_type, notification.subject_id) == ("case", case.number)
    assert notification.key == f"case:{case.pk}:supplement_overdue"
    assert "食品安全管理制度、场所平面图" in notification.text
    assert "2026年11月24日" in notification.text

    # and a second run records nothing
    assert remind_overdue_supplements(today=TODAY) == 0
    assert AuditEvent.objects.filter(action="case.supplement_overdue").count() == 1
    assert Notification.objects.filter(kind="supplement_overdue").count() == 1


def test_supplements_not_overdue_are_not_recorded(make_case, representative):
    supplied = make_case(tolerance_due_on=dt.date(2026, 11, 20))
    add_material(supplied, "场所平面图", MaterialState.UPLOADED, 1)
    due_today = make_case(tolerance_due_on=TODAY)
    add_material(due_today, "场所平面图", MaterialState.TOLERATED, 1)
    withdrawn = make_case(status=CaseStatus.WITHDRAWN, tolerance_due_on=dt.date(2026, 11, 20))
    add_material(withdrawn, "场所平面图", MaterialState.TOLERATED, 1)

    assert remind_overdue_supplements(today=TODAY) == 0

    assert not AuditEvent.objects.filter(action="case.supplement_overdue").exists()
    assert not Notification.objects.exists()
    assert not Case.objects.filter(supplement_overdue_recorded=True).exists()


@pytest.mark.parametrize(
    ("status", "decision", "recorded"),
    [
        (CaseStatus.ACCEPTED, "", 1),
        (CaseStatus.IN_REVIEW, "", 1),
        (CaseStatus.SUSPENDED, "", 1),
        (CaseStatus.APPROVED, Decision.APPROVED, 1),
        # 先出证后补: delivered before the supplement, still owed
        (CaseStatus.DELIVERED, Decision.APPROVED, 1),
        # a denied application owes nothing, delivered or not (rules.supplement_owed)
        (CaseStatus.DENIED, Decision.DENIED, 0),
        (CaseStatus.DELIVERED, Decision.DENIED, 0),
    ],
)
def test_overdue_supplements_are_recorded_while_owed(make_case, status, decision, recorded):
    case = make_case(status=status, decision=decision, tolerance_due_on=dt.date(2026, 11, 20))
    add_material(case, "场所平面图", MaterialState.TOLERATED, 1)

    assert remind_overdue_supplements(today=TODAY) == recorded


# --- the job --------------------------------------------------------------------------


def test_send_reminders_runs_both(make_case, make_staff, django_capture_on_commit_callbacks):
    make_staff(Role.REVIEWER, username="li")
    yellow_task(make_case())
    case = make_case(tolerance_due_on=dt.date(2026, 1, 5))
    add_material(case, "场所平面图", MaterialState.TOLERATED, 1)

    with django_capture_on_commit_callbacks(execute=True):
        result = send_reminders.call()

    assert result == {"tasks": 1, "supplements": 1, "supplements_due_soon": 0}


def test_send_reminders_can_be_enqueued():
    result = send_reminders.enqueue()

    assert result.task.name == "send_reminders"


# --- a real worker ------------------------------------------------------------------
# (The backends themselves are tested in core/tests/test_notifications.py.)


@pytest.mark.django_db(transaction=True)
def test_real_commits_while_iterating(make_case, make_staff, recording_notifier):
    # Outside a test transaction: each task commits on its own while the query streams.
    make_staff(Role.REVIEWER, username="li")
    tasks = [yellow_task(make_case()) for _ in range(3)] + [red_task(make_case())]

    assert remind_warned_tasks(today=TODAY) == 4

    assert len(recording_notifier) == 4
    assert all(task.light_notified for task in Task.objects.filter(pk__in=[t.pk for t in tasks]))
    assert remind_warned_tasks(today=TODAY) == 0


def test_a_task_changed_since_the_query_is_left_alone(
    make_case, make_staff, recording_notifier, django_capture_on_commit_callbacks
):
    make_staff(Role.REVIEWER, username="li")
    task = Task.objects.with_light(TODAY).get(pk=yellow_task(make_case()).pk)
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.DONE)  # completed meanwhile

    with django_capture_on_commit_callbacks(execute=True):
        created = reminders._remind_task(task, light=task.light, today=TODAY)

    assert created == 0
    assert not Notification.objects.exists()
    assert recording_notifier == []


def test_a_delivered_case_still_owing_a_tolerated_material_is_recorded(make_case, representative):
    """容缺 lets the case go on, up to delivery; the material is still owed after it."""
    delivered = make_case(status=CaseStatus.DELIVERED, tolerance_due_on=dt.date(2026, 11, 20))
    add_material(delivered, "场所平面图", MaterialState.TOLERATED, 1)

    assert remind_overdue_supplements(today=TODAY) == 1
    assert AuditEvent.objects.filter(
        action="case.supplement_overdue", object_id=delivered.number
    ).exists()


# --- a run killed midway (docs/decisions/0012) ----------------------------------------


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside the job: nothing after it runs (``except
    Exception`` does not catch it)."""


class DyingNotifier(RecordingNotifier):
    """Delivers its message, then the worker dies on the ``die_after``-th one."""

    die_after = 0

    def send(self, message) -> None:
        super().send(message)
        if len(RecordingNotifier.sent) == DyingNotifier.die_after:
            raise WorkerKilled


@pytest.mark.django_db(transaction=True)  # each task's transaction really commits
def test_a_run_killed_midway_then_run_again_sends_each_reminder_once(
    make_case, make_staff, settings
):
    make_staff(Role.REVIEWER, username="li")
    tasks = [yellow_task(make_case()) for _ in range(3)]
    # given a worker killed right after the second message went out
    settings.ONEWINDOW_NOTIFIERS = ["onewindow.cases.tests.test_reminders.DyingNotifier"]
    DyingNotifier.die_after = 2
    with pytest.raises(WorkerKilled):
        remind_warned_tasks(today=TODAY)
    assert len(RecordingNotifier.sent) == 2

    # when the job runs again (and once more)
    settings.ONEWINDOW_NOTIFIERS = [RECORDER]
    assert remind_warned_tasks(today=TODAY) == 1
    assert remind_warned_tasks(today=TODAY) == 0

    # then every holder was told once of every task, as by one clean run
    assert sorted(message["case"] for message in RecordingNotifier.sent) == sorted(
        task.case.number for task in tasks
    )
    assert Notification.objects.filter(kind="task_yellow").count() == 3
    assert set(Task.objects.values_list("light_notified", flat=True)) == {Light.YELLOW}
