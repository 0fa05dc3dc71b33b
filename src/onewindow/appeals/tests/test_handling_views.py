"""Handling pages: the department's queue and the centre's board (tabs, counts, lights),
the staff order page (masked requester, the forms this user may use now, the timeline,
the slots), and its actions (success back to the page with a message, 422 next to the
field, 409 above the forms, a late return shown refused and still counted)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from onewindow.appeals.constants import AppealEvent, AppealStatus
from onewindow.appeals.models import Appeal
from onewindow.appeals.services.handling import appeal_dispatch, appeal_extension_request
from onewindow.appeals.tests.factories import at, make_appeal
from onewindow.core.models import AuditEvent
from onewindow.testing.clients import client_for, send

pytestmark = pytest.mark.django_db

MON = dt.date(2026, 3, 2)


def page(user, url, query=None):
    return send(client_for(user, csrf=True), "GET", url, query)


def act(user, appeal: Appeal, action: str, data=None):
    url = reverse("appeals:staff_action", args=[appeal.number, action])
    return send(client_for(user, csrf=True), "POST", url, data or {})


def order_url(appeal: Appeal) -> str:
    return reverse("appeals:staff_order", args=[appeal.number])


# -- the queues ------------------------------------------------------------------------------------


def test_the_department_queue_has_its_tabs_and_lights(aw):
    with time_machine.travel(at(MON, 9), tick=False):
        waiting = make_appeal(aw, AppealStatus.DISPATCHED, received=at(MON, 9))
        make_appeal(aw, AppealStatus.HANDLING, received=at(MON, 9))
        late = make_appeal(aw, AppealStatus.HANDLING, received=at(dt.date(2026, 2, 2), 9))
        make_appeal(aw, AppealStatus.HANDLING, department=aw.other)  # not theirs
    with time_machine.travel(at(MON, 12), tick=False):
        response = page(aw.handler, reverse("appeals:department_queue"))
        assert response.status_code == 200
        tabs = {tab["key"]: tab["count"] for tab in response.context["tabs"]}
        assert tabs == {"sign": 1, "handling": 2, "warning": 0, "overdue": 1, "returns": 0}
        html = response.content.decode()
        assert waiting.number in html and "待签收" in html
        overdue = page(aw.handler, reverse("appeals:department_queue"), {"tab": "overdue"})
        html = overdue.content.decode()
        assert late.number in html and waiting.number not in html
        assert "signal--red" in html and "红灯" in html
        assert (
            page(aw.handler, reverse("appeals:department_queue"), {"tab": "x"}).status_code == 404
        )


def test_the_centre_board_counts_what_waits_for_the_centre(aw):
    make_appeal(aw)
    make_appeal(aw, AppealStatus.RETURN_REQUESTED)
    make_appeal(aw, AppealStatus.REPLIED)
    extended = make_appeal(aw, AppealStatus.HANDLING)
    appeal_extension_request(appeal=extended, actor=aw.handler, days=2, reason="需核查")
    response = page(aw.dispatcher, reverse("appeals:centre_board"))
    assert response.status_code == 200
    tabs = {tab["key"]: tab["count"] for tab in response.context["tabs"]}
    assert tabs == {"received": 1, "returns": 1, "extensions": 1, "replies": 1, "overdue": 0}
    listed = page(aw.dispatcher, reverse("appeals:centre_board"), {"tab": "extensions"})
    assert extended.number in listed.content.decode()


def test_the_queues_are_for_their_roles(aw):
    assert page(aw.dispatcher, reverse("appeals:department_queue")).status_code == 403
    assert page(aw.handler, reverse("appeals:centre_board")).status_code == 403
    assert page(aw.supervisor, reverse("appeals:centre_board")).status_code == 403


# -- the order page --------------------------------------------------------------------------------


def test_the_order_page_shows_the_forms_this_user_may_use_now(aw):
    appeal = make_appeal(aw)
    centre = page(aw.dispatcher, order_url(appeal))
    assert centre.status_code == 200
    assert [action["key"] for action in centre.context["actions"]] == ["dispatch"]
    html = centre.content.decode()
    assert "示范科技有限公司" in html and "营业执照办理进度咨询" in html
    assert reverse("appeals:staff_action", args=[appeal.number, "dispatch"]) in html
    appeal_dispatch(appeal=appeal, actor=aw.dispatcher)
    lead = page(aw.handler, order_url(appeal))
    assert [action["key"] for action in lead.context["actions"]] == ["sign", "return"]
    co = page(aw.other_handler, order_url(appeal))
    assert [action["key"] for action in co.context["actions"]] == ["co_sign"]
    assert "派单" in lead.content.decode()  # the timeline's step
    assert page(aw.operator, order_url(appeal)).context["actions"] == []


def test_a_confidential_requester_is_masked_from_departments_and_audited_for_the_centre(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING, confidential=True)
    masked = page(aw.handler, order_url(appeal)).content.decode()
    assert "示范科技有限公司" not in masked and "13900000000" not in masked
    assert not AuditEvent.objects.filter(action=AppealEvent.REQUESTER_VIEWED).exists()
    full = page(aw.dispatcher, order_url(appeal)).content.decode()
    assert "示范科技有限公司" in full
    event = AuditEvent.objects.get(action=AppealEvent.REQUESTER_VIEWED)
    assert event.actor == aw.dispatcher.username and event.data["number"] == appeal.number


def test_the_order_page_is_for_staff_who_see_the_order(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING)
    assert page(aw.other_handler, order_url(appeal)).status_code == 404
    assert page(aw.requester, order_url(appeal)).status_code == 403
    assert page(aw.clerk, order_url(appeal)).status_code == 403
    missing = reverse("appeals:staff_order", args=["SFQ-SQ2026-999999"])
    assert page(aw.dispatcher, missing).status_code == 404


# -- actions ---------------------------------------------------------------------------------------


def test_an_action_lands_back_on_the_page_with_a_message(aw):
    appeal = make_appeal(aw)
    response = act(aw.dispatcher, appeal, "dispatch", {"lead": "ZJJ"})
    assert response.status_code == 302 and response["Location"] == order_url(appeal)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.DISPATCHED and appeal.lead_department == aw.other
    client = client_for(aw.other_handler, csrf=True)
    send(client, "POST", reverse("appeals:staff_action", args=[appeal.number, "sign"]), {})
    followed = client.get(order_url(appeal))
    assert "已签收，请在办理期限内答复。" in followed.content.decode()


def test_bad_input_is_shown_beside_its_field(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING)
    response = act(aw.handler, appeal, "extend", {"days": "三", "reason": ""})
    assert response.status_code == 422
    form = next(a["form"] for a in response.context["actions"] if a["key"] == "extend")
    assert form.errors["days"] == ["延期工作日：请填写 1 到 30 之间的整数"]
    reply = act(aw.handler, appeal, "reply", {"reply": ""})
    assert reply.status_code == 422
    assert "答复内容：请填写" in reply.content.decode()


def test_a_late_return_is_refused_on_the_page_and_counted(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING, received=at(MON, 9))
    with time_machine.travel(at(dt.date(2026, 3, 4), 9), tick=False):
        response = act(aw.handler, appeal, "return", {"reason": "不属于本部门"})
    assert response.status_code == 409
    assert "已超过退回时限" in response.context["refusal"]
    appeal.refresh_from_db()
    assert appeal.late_return_count == 1 and appeal.status == AppealStatus.HANDLING
    assert "超时退回被拒" in response.content.decode()


def test_an_action_of_someone_else_is_refused(aw):
    appeal = make_appeal(aw, AppealStatus.DISPATCHED)
    assert act(aw.dispatcher, appeal, "sign").status_code == 403
    assert act(aw.handler, appeal, "fly").status_code == 404
    assert act(aw.other_handler, appeal, "sign").status_code == 404
    assert (
        send(
            client_for(aw.handler),
            "GET",
            reverse("appeals:staff_action", args=[appeal.number, "sign"]),
        ).status_code
        == 405
    )


def test_the_centre_refuses_an_extension_with_its_reason_shown(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING)
    appeal_extension_request(appeal=appeal, actor=aw.handler, days=2, reason="需核查")
    missing = act(aw.dispatcher, appeal, "approve_extension", {"decision": "refuse"})
    assert missing.status_code == 422
    done = act(
        aw.dispatcher, appeal, "approve_extension", {"decision": "refuse", "reason": "应按期办结"}
    )
    assert done.status_code == 302
    assert "应按期办结" in page(aw.handler, order_url(appeal)).content.decode()
