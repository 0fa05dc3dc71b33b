"""The system administrator's background-task page (docs/decisions/0012): who may see it,
what it lists, "run again" for a failed task, and the count on the home page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conftest import sign_in
from onewindow.core.audit import AuditAction
from onewindow.core.models import AuditEvent
from onewindow.core.tests import tasks_for_tests
from onewindow.core.workers import tasks_reclaim
from onewindow.org.constants import Role

pytestmark = pytest.mark.django_db

PAGE = reverse("background_tasks")


def lost_task(*, workers: list[str]) -> DBTaskResult:
    result = tasks_for_tests.slow_journal.enqueue("/nonexistent", 0)
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING",
        started_at=timezone.now() - dt.timedelta(hours=1),
        worker_ids=workers,
    )
    return DBTaskResult.objects.get(pk=result.id)


def failed_task() -> DBTaskResult:
    row = lost_task(workers=["w1", "w2", "w3"])
    tasks_reclaim()
    row.refresh_from_db()
    assert row.status == "FAILED"
    return row


def retry_url(row: DBTaskResult) -> str:
    return reverse("background_task_retry", args=[row.pk])


@pytest.fixture
def signed_in(client):
    def sign(user):
        sign_in(client, user)
        return client

    return sign


# -- who may see it -------------------------------------------------------------------------


def test_the_system_administrator_sees_stuck_and_failed_tasks(signed_in, administrator):
    failed = failed_task()
    stuck = lost_task(workers=["gone-worker"])

    response = signed_in(administrator).get(PAGE)

    assert response.status_code == 200
    page = response.content.decode()
    assert "gone-worker" in page and stuck.task_path in page
    assert retry_url(failed) in page
    assert "TaskAbandoned" in page
    assert retry_url(stuck) not in page  # only failed tasks are run again


@pytest.mark.parametrize(
    "role",
    [Role.WINDOW_CLERK, Role.REVIEWER, Role.SUPERVISOR, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN],
)
def test_other_staff_are_refused(signed_in, make_staff, role):
    row = failed_task()
    client = signed_in(make_staff(role, username=f"user_{role}"))

    assert client.get(PAGE).status_code == 403
    assert client.post(retry_url(row)).status_code == 403
    row.refresh_from_db()
    assert row.status == "FAILED"


def test_applicants_are_refused(signed_in, make_applicant_user):
    row = failed_task()
    client = signed_in(make_applicant_user())

    assert client.get(PAGE).status_code == 403
    assert client.post(retry_url(row)).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    row = failed_task()

    for response in (client.get(PAGE), client.post(retry_url(row))):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    row.refresh_from_db()
    assert row.status == "FAILED"


# -- run again ----------------------------------------------------------------------------


def test_run_again_puts_the_failed_task_back_and_audits_it(signed_in, administrator):
    row = failed_task()

    response = signed_in(administrator).post(retry_url(row), follow=True)

    assert response.redirect_chain == [(PAGE, 302)]
    assert "已重新排队" in response.content.decode()
    row.refresh_from_db()
    assert (row.status, row.worker_ids) == ("READY", [])
    [event] = AuditEvent.objects.filter(action=AuditAction.TASK_RETRIED)
    assert event.actor == administrator.username
    assert event.object_id == str(row.pk)


def test_run_again_refuses_a_task_that_has_not_failed(signed_in, administrator):
    row = lost_task(workers=["w1"])

    response = signed_in(administrator).post(retry_url(row), follow=True)

    assert "只有失败的任务可以重新执行" in response.content.decode()
    row.refresh_from_db()
    assert row.status == "RUNNING"
    assert not AuditEvent.objects.filter(action=AuditAction.TASK_RETRIED).exists()


def test_run_again_of_a_missing_task(signed_in, administrator):
    response = signed_in(administrator).post(
        reverse("background_task_retry", args=["00000000-0000-0000-0000-000000000000"]),
        follow=True,
    )

    assert "任务不存在" in response.content.decode()


def test_run_again_takes_post_only_and_the_page_get_only(signed_in, administrator):
    row = failed_task()
    client = signed_in(administrator)

    assert client.get(retry_url(row)).status_code == 405
    assert client.post(PAGE).status_code == 405


def test_a_malformed_task_id_is_not_found(signed_in, administrator):
    response = signed_in(administrator).post("/admin-tasks/not-a-uuid/retry/")

    assert response.status_code == 404


# -- the home page --------------------------------------------------------------------------


def test_the_administrators_home_counts_tasks_needing_a_look(signed_in, administrator):
    failed_task()
    lost_task(workers=["gone-worker"])

    page = signed_in(administrator).get(reverse("home")).content.decode()

    assert "失去联系 1 个，久未执行 0 个，近 7 天失败 1 个" in page
    assert PAGE in page


def test_the_administrators_home_says_when_all_is_well(signed_in, administrator):
    page = signed_in(administrator).get(reverse("home")).content.decode()

    assert "后台任务运行正常" in page


def test_other_homes_do_not_show_tasks(signed_in, make_staff):
    page = signed_in(make_staff(Role.REVIEWER, username="li")).get(reverse("home")).content
    assert PAGE not in page.decode()
