"""``onewindow send-reminders``: one run of the reminder job, or the job enqueued."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from onewindow.cases.constants import AcceptanceMode, CaseEventAction
from onewindow.cases.models import Case
from onewindow.cases.services import case_accept
from onewindow.cli import main
from onewindow.core.models import AuditEvent, Notification

pytestmark = pytest.mark.django_db

TOLERATED = "营业场所证明"


def run(*args: str) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def summary_line(tasks: int, supplements: int, due_soon: int = 0) -> str:
    return (
        f"已发送黄灯、红灯提醒 {tasks} 条；记录容缺材料逾期未补齐 {supplements} 件；"
        f"提醒容缺材料即将到期 {due_soon} 条\n"
    )


@pytest.fixture
def overdue(world) -> Case:
    """Accepted three weeks ago with a tolerated material: the review step is red and
    the material is past its due date."""
    with time_machine.travel(timezone.now() - dt.timedelta(days=21), tick=False):
        case = world.submit(skip=(TOLERATED,))
        row = case.materials.get(name=TOLERATED)
        case_accept(case=case, actor=world.clerk, mode=AcceptanceMode.TOLERATED, tolerated=[row.pk])
    return Case.objects.get(pk=case.pk)


def test_run_reminds_red_tasks_and_records_the_overdue_supplement(overdue, world):
    output = run()

    about_the_case = Notification.objects.filter(subject_type="case", subject_id=overdue.number)
    reminders = about_the_case.filter(kind="task_red")
    assert {n.recipient for n in reminders} == {world.reviewer, world.reviewer2}
    assert output == summary_line(2, 1)
    assert about_the_case.filter(kind="supplement_overdue").count() == 1
    assert AuditEvent.objects.filter(
        action=CaseEventAction.SUPPLEMENT_OVERDUE, object_id=overdue.number
    ).exists()


def test_a_second_run_sends_nothing_new(overdue):
    run()
    notifications = Notification.objects.count()

    assert run() == summary_line(0, 0)
    assert Notification.objects.count() == notifications


def test_nothing_to_remind(world):
    world.accepted()  # accepted today: its steps are still green
    told = Notification.objects.count()  # the applicant's submitted and accepted messages

    assert run() == summary_line(0, 0)
    assert Notification.objects.count() == told


def test_enqueue_hands_the_job_to_the_workers(overdue):
    told = Notification.objects.count()  # the applicant's submitted and accepted messages
    output = run("--enqueue")

    job = DBTaskResult.objects.get()
    assert job.task_path == "onewindow.cases.tasks.send_reminders"
    assert output == f"提醒任务已加入后台队列（任务编号 {job.id}）\n"
    assert Notification.objects.count() == told  # nothing runs until a worker takes it


def test_the_dashed_command_name_works(overdue, capsys):
    main(["onewindow", "send-reminders"])

    assert capsys.readouterr().out == summary_line(2, 1)


def test_an_unknown_option_is_refused():
    with pytest.raises(CommandError, match="--now"):
        call_command("send_reminders", "--now")
    assert not DBTaskResult.objects.exists()


@time_machine.travel(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC), tick=False)  # a Monday
def test_run_reminds_a_supplement_due_soon(world):
    case = world.submit(skip=(TOLERATED,))
    row = case.materials.get(name=TOLERATED)
    case_accept(
        case=case,
        actor=world.clerk,
        mode=AcceptanceMode.TOLERATED,
        tolerated=[row.pk],
        tolerance_due_on=dt.date(2026, 3, 4),
    )

    assert run() == summary_line(0, 0, 1)
    assert run() == summary_line(0, 0, 0)
    assert Notification.objects.filter(kind="supplement_due_soon").count() == 1
