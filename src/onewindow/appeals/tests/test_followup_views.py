"""Follow-up pages: the fragments on the order pages (rendered through their slots), the
action POSTs landing back on the order pages, the supervisor's board and the page of one
督办 with its answer and 销号 forms."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.template import engines
from django.test import RequestFactory

from onewindow.appeals.constants import AppealStatus, SupervisionStatus, SupervisionTrigger
from onewindow.appeals.models import Appeal, AppealSupervision, AppealVisit
from onewindow.appeals.services.supervision import appeal_supervise, supervise_on
from onewindow.appeals.tests.factories import at, make_appeal
from onewindow.testing.clients import client_for, send

pytestmark = pytest.mark.django_db

RECEIVED = at(dt.date(2026, 3, 2), 10)
LATER = at(dt.date(2026, 3, 5), 10)


def slot(name: str, user, appeal) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = engines["django"].from_string(
        "{% load slots %}{% slot '" + name + "' appeal=appeal %}"
    )
    return template.render({"appeal": appeal}, request)


def staff_slot(user, appeal) -> str:
    return slot("appeals.order_page.actions", user, appeal)


def requester_slot(user, appeal) -> str:
    return slot("appeals.requester_page.actions", user, appeal)


# -- the fragments ------------------------------------------------------------------------------


def test_the_centre_sees_visit_and_close_on_an_answered_order(aw):
    appeal = make_appeal(aw, AppealStatus.ANSWERED, received=RECEIVED)
    html = staff_slot(aw.dispatcher, appeal)
    assert f'action="/appeals/staff/{appeal.number}/followup/visit/"' in html
    assert f'action="/appeals/staff/{appeal.number}/followup/close/"' in html
    assert "followup/merge/" not in html and "followup/supervise/" not in html
    assert 'name="visit-satisfaction"' in html and "csrfmiddlewaretoken" in html


def test_the_centre_sees_merge_and_supervise_on_an_order_being_worked(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING, received=RECEIVED)
    html = staff_slot(aw.dispatcher, appeal)
    assert "followup/merge/" in html and "followup/supervise/" in html
    assert "followup/visit/" not in html and "followup/close/" not in html


def test_a_supervisor_sees_only_supervise(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING, received=RECEIVED)
    html = staff_slot(aw.supervisor, appeal)
    assert "followup/supervise/" in html and "followup/merge/" not in html


@pytest.mark.parametrize("who", ["handler", "operator", "requester"])
def test_others_see_no_follow_up_forms_on_the_staff_page(aw, who):
    for status in (AppealStatus.HANDLING, AppealStatus.ANSWERED):
        appeal = make_appeal(aw, status, received=RECEIVED)
        assert staff_slot(getattr(aw, who), appeal).strip() == ""


def test_the_requester_sees_the_verdict_and_the_reopen_request(aw):
    appeal = make_appeal(aw, AppealStatus.ANSWERED, received=RECEIVED)
    with time_machine.travel(LATER, tick=False):
        html = requester_slot(aw.requester, appeal)
    assert f'action="/appeals/my/{appeal.number}/visit/"' in html
    assert f'action="/appeals/my/{appeal.number}/reopen/"' in html
    assert "2026-03-12 13:00" in html  # the end of the reopen window


def test_after_the_window_the_reopen_request_is_not_offered(aw):
    appeal = make_appeal(aw, AppealStatus.ANSWERED, received=RECEIVED)
    with time_machine.travel(at(dt.date(2026, 3, 13), 10), tick=False):
        html = requester_slot(aw.requester, appeal)
    assert "/visit/" in html and "/reopen/" not in html


def test_nothing_is_offered_on_an_order_being_worked_or_to_staff(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING, received=RECEIVED)
    assert requester_slot(aw.requester, appeal).strip() == ""
    answered = make_appeal(aw, AppealStatus.ANSWERED, received=RECEIVED)
    assert requester_slot(aw.dispatcher, answered).strip() == ""


# -- the action POSTs ---------------------------------------------------------------------------


def post(user, path, data):
    with time_machine.travel(LATER, tick=False):
        return send(client_for(user, csrf=True), "POST", path, data)


def staff_url(appeal, action):
    return f"/appeals/staff/{appeal.number}/followup/{action}/"


def my_url(appeal, action):
    return f"/appeals/my/{appeal.number}/{action}/"


def test_a_visit_posted_lands_back_on_the_staff_order_page(aw):
    appeal = make_appeal(aw, AppealStatus.ANSWERED, received=RECEIVED)
    response = post(
        aw.dispatcher,
        staff_url(appeal, "visit"),
        {"visit-satisfaction": "satisfied", "visit-resolved": "yes", "visit-note": ""},
    )
    assert response.status_code == 302
    assert response.url == f"/appeals/staff/{appeal.number}/"
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.CLOSED


def test_a_merge_and_a_supervision_posted_by_the_centre(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING, received=RECEIVED)
    target = make_appeal(aw, AppealStatus.HANDLING, received=RECEIVED)
    response = post(
        aw.dispatcher,
        staff_url(appeal, "supervise"),
        {"supervise-level": "daily", "supervise-days": "3", "supervise-note": "请加快"},
    )
    assert response.status_code == 302
    assert AppealSupervision.objects.get().trigger == SupervisionTrigger.MANUAL
    response = post(aw.dispatcher, staff_url(appeal, "merge"), {"merge-into": target.number})
    assert response.status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).merged_into == target


def test_a_close_posted_without_a_reason_shows_the_form_again(aw):
    appeal = make_appeal(aw, AppealStatus.ANSWERED, received=RECEIVED)
    response = post(aw.dispatcher, staff_url(appeal, "close"), {"close-reason": ""})
    assert response.status_code == 422
    assert "办结理由：请填写" in response.content.decode()
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.ANSWERED


def test_a_merge_into_an_unknown_number_is_named(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING, received=RECEIVED)
    response = post(aw.dispatcher, staff_url(appeal, "merge"), {"merge-into": "SFQ-SQ2026-9"})
    assert response.status_code == 422
    assert "合并目标：没有找到工单 SFQ-SQ2026-9" in response.content.decode()


def test_the_wrong_moment_is_409_with_the_reason(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING, received=RECEIVED)
    response = post(aw.dispatcher, staff_url(appeal, "close"), {"close-reason": "无法联系"})
    assert response.status_code == 409
    assert "不能执行“办结”" in response.content.decode()


def test_a_department_may_not_visit(aw):
    appeal = make_appeal(aw, AppealStatus.ANSWERED, received=RECEIVED)
    data = {"visit-satisfaction": "satisfied", "visit-resolved": "yes"}
    assert post(aw.handler, staff_url(appeal, "visit"), data).status_code == 403
    assert not AppealVisit.objects.exists()


def test_staff_pages_refuse_applicants_and_hide_orders_out_of_sight(aw):
    appeal = make_appeal(aw, AppealStatus.ANSWERED, received=RECEIVED)
    data = {"close-reason": "无法联系"}
    assert post(aw.requester, staff_url(appeal, "close"), data).status_code == 403
    assert post(aw.clerk, staff_url(appeal, "close"), data).status_code == 404
    assert post(aw.other_handler, staff_url(appeal, "close"), data).status_code == 404
    response = post(None, staff_url(appeal, "close"), data)
    assert response.status_code == 302 and "login" in response.url
    assert post(aw.dispatcher, staff_url(appeal, "reopen"), {}).status_code == 404
    with time_machine.travel(LATER, tick=False):
        assert client_for(aw.dispatcher).get(staff_url(appeal, "close")).status_code == 405


def test_the_requester_answers_the_visit_online_and_lands_on_their_order(aw):
    appeal = make_appeal(aw, AppealStatus.ANSWERED, received=RECEIVED)
    response = post(
        aw.requester,
        my_url(appeal, "visit"),
        {"visit-satisfaction": "dissatisfied", "visit-resolved": "no", "visit-note": "未解决"},
    )
    assert response.status_code == 302
    assert response.url == f"/appeals/my/{appeal.number}/"
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.HANDLING and appeal.reopen_count == 1
    assert AppealVisit.objects.get().by_requester is True


def test_the_requester_reopens_and_after_the_window_is_told_the_date(aw):
    appeal = make_appeal(aw, AppealStatus.ANSWERED, received=RECEIVED)
    response = post(aw.requester, my_url(appeal, "reopen"), {"reopen-reason": "又出现了"})
    assert response.status_code == 302
    late = make_appeal(aw, AppealStatus.ANSWERED, received=at(dt.date(2026, 2, 2), 10))
    response = post(aw.requester, my_url(late, "reopen"), {"reopen-reason": ""})
    assert response.status_code == 409
    assert "2026年02月12日 13:00" in response.content.decode()


def test_requester_pages_refuse_staff_and_strangers(aw):
    appeal = make_appeal(aw, AppealStatus.ANSWERED, received=RECEIVED)
    data = {"reopen-reason": ""}
    assert post(aw.dispatcher, my_url(appeal, "reopen"), data).status_code == 403
    assert post(aw.stranger, my_url(appeal, "reopen"), data).status_code == 404


# -- the board and one 督办 ---------------------------------------------------------------------


def supervised(aw, *, department=None, received=RECEIVED, days=2):
    appeal = make_appeal(aw, AppealStatus.HANDLING, received=received, department=department)
    with time_machine.travel(received, tick=False):
        return appeal_supervise(
            appeal=appeal, actor=aw.supervisor, level="listed", note="请加快", days=days
        )


def get(user, path):
    with time_machine.travel(LATER, tick=False):
        return client_for(user).get(path)


def test_the_board_lists_the_overdue_first_with_counts_per_department(aw):
    on_time = supervised(aw, received=at(dt.date(2026, 3, 4), 10))  # due Fri 6 Mar
    late = supervised(aw)  # due Wed 4 Mar 17:30: late on Thu 5 Mar
    elsewhere = supervised(aw, department=aw.other, received=at(dt.date(2026, 3, 4), 9), days=5)
    response = get(aw.supervisor, "/appeals/supervision/")
    assert response.status_code == 200
    rows = list(response.context["page"].object_list)
    assert [row.pk for row in rows] == [late.pk, on_time.pk, elsewhere.pk]
    counts = {row["department__name"]: row for row in response.context["by_department"]}
    assert counts[aw.lead.name]["open"] == 2 and counts[aw.lead.name]["overdue"] == 1
    assert counts[aw.other.name]["overdue"] == 0
    assert "已逾期" in response.content.decode()


def test_a_department_sees_only_the_supervisions_against_it(aw):
    mine = supervised(aw)
    supervised(aw, department=aw.other)
    response = get(aw.handler, "/appeals/supervision/")
    assert response.status_code == 200
    assert [row.pk for row in response.context["page"].object_list] == [mine.pk]


@pytest.mark.parametrize("who", ["clerk", "operator", "requester"])
def test_the_board_refuses_others(aw, who):
    assert get(getattr(aw, who), "/appeals/supervision/").status_code == 403


def test_the_department_answers_and_the_supervisor_closes_on_the_page(aw):
    row = supervised(aw)
    page = get(aw.handler, f"/appeals/supervision/{row.pk}/")
    assert page.status_code == 200 and "提交反馈" in page.content.decode()
    assert "销号</button>" not in page.content.decode()
    url = f"/appeals/supervision/{row.pk}/answer/"
    assert post(aw.handler, url, {"answer-response": ""}).status_code == 422
    response = post(aw.handler, url, {"answer-response": "已联系企业并办结"})
    assert response.status_code == 302 and response.url == f"/appeals/supervision/{row.pk}/"
    assert post(aw.handler, url, {"answer-response": "再答"}).status_code == 409
    page = get(aw.supervisor, f"/appeals/supervision/{row.pk}/")
    assert "已联系企业并办结" in page.content.decode() and "销号</button>" in page.content.decode()
    close_url = f"/appeals/supervision/{row.pk}/close/"
    assert post(aw.handler, close_url, {"close-note": "x"}).status_code == 403
    assert post(aw.supervisor, close_url, {"close-note": "同意销号"}).status_code == 302
    assert AppealSupervision.objects.get().status == SupervisionStatus.CLOSED


def test_a_supervision_of_another_department_is_not_found(aw):
    row = supervised(aw)
    assert get(aw.other_handler, f"/appeals/supervision/{row.pk}/").status_code == 404
    url = f"/appeals/supervision/{row.pk}/answer/"
    assert post(aw.other_handler, url, {"answer-response": "x"}).status_code == 404


def test_a_sent_back_department_still_answers_its_supervision(aw):
    # The department that sent the order back no longer holds it, but answers the 督办.
    from onewindow.appeals.models import SupervisionRule

    SupervisionRule.objects.create(zone=aw.zone, trigger="sign_refused", level="daily")
    appeal = make_appeal(aw, AppealStatus.DISPATCHED, received=RECEIVED, department=aw.other)
    row = supervise_on(appeal, SupervisionTrigger.SIGN_REFUSED, department=aw.lead)
    assert get(aw.handler, f"/appeals/supervision/{row.pk}/").status_code == 200
