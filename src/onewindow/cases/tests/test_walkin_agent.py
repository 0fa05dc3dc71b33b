"""The 经办人 of a walk-in application (ADR 0026): recorded with the case or nothing is,
each bad field named, shown masked on the case page and in the timeline, the
authorisation served to who may see the case."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onewindow.cases.constants import CaseEventAction, CaseStatus
from onewindow.cases.models import Case, CaseAgent
from onewindow.cases.services import AgentInput, case_create_at_window
from onewindow.cases.tests.factories import pdf_upload
from onewindow.cases.views_staff.common import MATERIAL_VIEWED
from onewindow.core.errors import Forbidden, ValidationFailed
from onewindow.core.models import AuditEvent

pytestmark = pytest.mark.django_db

AGENT_ID = "11010519491231002X"
MASKED = "1101**********002X"


def agent(**changes) -> AgentInput:
    fields = {
        "name": "周敏",
        "id_number": AGENT_ID,
        "phone": "139-1234-5678",
        "authorisation": pdf_upload("授权委托书.pdf"),
    }
    fields.update(changes)
    return AgentInput(**fields)


def test_the_agent_is_recorded_with_the_case(world):
    case = case_create_at_window(
        actor=world.clerk,
        applicant=world.applicant,
        item_version=world.item,
        window=world.window,
        agent=agent(id_number=AGENT_ID.lower(), name=" 周 敏 "),
    )
    assert case.status == CaseStatus.SUBMITTED and case.channel == "window"
    row = CaseAgent.objects.get(case=case)
    assert (row.name, row.id_number, row.phone) == ("周 敏", AGENT_ID, "139-1234-5678")
    assert row.content_type == "application/pdf" and row.original_name == "授权委托书.pdf"
    assert row.authorisation.name.startswith(f"cases/{case.zone_id}/{case.pk}/agent-")
    assert row.recorded_by == world.clerk
    (event,) = AuditEvent.objects.filter(action=CaseEventAction.AGENT_RECORDED)
    assert event.object_id == case.number
    assert event.data["id_number"] == MASKED and AGENT_ID not in str(event.data)


def test_without_an_agent_nothing_is_recorded(world):
    case = case_create_at_window(
        actor=world.clerk, applicant=world.applicant, item_version=world.item
    )
    assert case.walk_in_agent is None
    assert not CaseAgent.objects.exists()


def test_a_bundle_childs_agent_is_its_parents(world):
    parent = case_create_at_window(
        actor=world.clerk, applicant=world.applicant, bundle=world.bundle, agent=agent()
    )
    child = parent.children.first()
    assert Case.objects.get(pk=child.pk).walk_in_agent == parent.walk_in_agent != None  # noqa: E711


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": " "}, "agent_name", "经办人姓名不能为空"),
        ({"id_number": "110105194912310021"}, "agent_id_number", "经办人居民身份证号码校验位错误"),
        ({"id_number": ""}, "agent_id_number", "经办人居民身份证号码不能为空"),
        ({"phone": ""}, "agent_phone", "经办人联系电话不能为空"),
        ({"phone": "打电话"}, "agent_phone", "经办人联系电话应为 6 至 20 位数字"),
        ({"authorisation": None}, "agent_authorisation", "授权委托书：请上传"),
        (
            {"authorisation": SimpleUploadedFile("a.pdf", b"MZ\x90\x00not a pdf")},
            "agent_authorisation",
            "授权委托书：文件类型不允许",
        ),
        (
            {"authorisation": SimpleUploadedFile("a.pdf", b"")},
            "agent_authorisation",
            "授权委托书：文件为空",
        ),
    ],
)
def test_each_bad_agent_field_is_named_and_nothing_is_written(world, changes, field, message):
    with pytest.raises(ValidationFailed) as raised:
        case_create_at_window(
            actor=world.clerk,
            applicant=world.applicant,
            item_version=world.item,
            agent=agent(**changes),
        )
    assert list(raised.value.fields) == [field]
    assert raised.value.message.startswith(message)
    assert not Case.objects.exists() and not CaseAgent.objects.exists()


def test_only_a_window_clerk_records_a_walk_in(world):
    with pytest.raises(Forbidden):
        case_create_at_window(
            actor=world.reviewer, applicant=world.applicant, item_version=world.item
        )
    assert not Case.objects.exists()


# -- the pages -------------------------------------------------------------------------------


def walk_in_post(client, world, **agent_fields):
    client.force_login(world.clerk)
    data = {"applicant": world.applicant.pk, "target": f"item:{world.item.pk}", "contact": "周敏"}
    data.update(agent_fields)
    return client.post(reverse("cases:desk_new"), data)


def test_the_walk_in_page_records_the_agent_and_the_case_page_shows_it_masked(client, world):
    response = walk_in_post(
        client,
        world,
        agent_name="周敏",
        agent_id_number=AGENT_ID,
        agent_phone="13912345678",
        agent_authorisation=pdf_upload("委托书.pdf"),
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case", args=[case.number])
    html = client.get(response["Location"]).content.decode()
    assert "经办人" in html and "周敏" in html and MASKED in html
    assert AGENT_ID not in html
    assert "经办人持授权委托书办理" in html  # the timeline
    link = reverse("cases:agent_authorisation", args=[case.number])
    assert link in html
    # the clerk who filed it opens it without an audit record; the reviewer is recorded
    assert client.get(link).status_code == 200
    assert not AuditEvent.objects.filter(action=MATERIAL_VIEWED).exists()
    case_accept_for_reviewer(world, case)
    client.force_login(world.reviewer)
    response = client.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    (viewed,) = AuditEvent.objects.filter(action=MATERIAL_VIEWED)
    assert viewed.data["material"] == "授权委托书" and viewed.actor_id == str(world.reviewer.pk)


def case_accept_for_reviewer(world, case):
    """The reviewer sees a case with a task in their department: accept it."""
    from onewindow.cases.services import case_accept, material_receive_paper

    for row in case.materials.filter(required=True):
        material_receive_paper(case=case, material_id=row.pk, actor=world.clerk)
    case_accept(case=Case.objects.get(pk=case.pk), actor=world.clerk, mode="normal")


def test_a_bad_agent_field_is_shown_beside_it_and_nothing_is_written(client, world):
    response = walk_in_post(
        client,
        world,
        agent_name="周敏",
        agent_id_number="110105194912310021",
        agent_phone="13912345678",
        agent_authorisation=pdf_upload(),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_agent_id_number_error"' in html
    assert "经办人居民身份证号码校验位错误" in html
    assert '<details class="action walkin__agent" id="agent" open>' in html
    assert not Case.objects.exists() and not CaseAgent.objects.exists()


def test_the_authorisation_of_a_case_without_an_agent_is_not_found(client, world):
    case = case_create_at_window(
        actor=world.clerk, applicant=world.applicant, item_version=world.item
    )
    client.force_login(world.clerk)
    response = client.get(reverse("cases:agent_authorisation", args=[case.number]))
    assert response.status_code == 404
