"""Registering a walk-in applicant on the desk (``/desk/new/``, step ``register``):
success, an existing identifier, each bad input, each refused role, the audit event."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.core.audit import AuditAction
from onewindow.core.models import AuditEvent
from onewindow.demo.org_data import demo_uscc
from onewindow.org.constants import ApplicantKind, Role
from onewindow.org.models import Applicant, Zone
from onewindow.org.permissions import visible_applicants
from onewindow.testing import worlds

pytestmark = pytest.mark.django_db

NEW_USCC = demo_uscc("91", 7201)
PERSON_ID = "11010519491231002X"
URL = "/desk/new/"


def register(client: Client, user, **fields):
    client.force_login(user)
    data = {
        "step": "register",
        "reg-kind": ApplicantKind.ENTERPRISE,
        "reg-name": "新开科技有限公司",
    }
    data.update({f"reg-{key}" if key != "target" else key: value for key, value in fields.items()})
    return client.post(reverse("cases:desk_new"), data)


def text(response) -> str:
    return response.content.decode()


def test_the_url_is_the_desks():
    assert reverse("cases:desk_new") == URL


def test_the_walk_in_page_offers_registration_where_the_search_finds_nobody(client, world):
    client.force_login(world.clerk)
    html = text(client.get(URL, {"q": "没有这个公司"}))
    assert "没有找到申请人" in html and "管理后台" not in html
    assert '<details class="action walkin__register" id="register" open>' in html
    assert 'name="reg-uscc"' in html and 'form="walkin-register"' in html
    html = text(client.get(URL))
    assert '<details class="action walkin__register" id="register">' in html  # closed


def test_a_new_enterprise_comes_back_chosen_with_the_item_kept(client, world):
    # when
    response = register(
        client,
        world.clerk,
        uscc=NEW_USCC.lower(),
        phone="13900000001",
        target=f"item:{world.item.pk}",
    )
    # then: one applicant, of the clerk's zone, and the walk-in page with it and the item chosen
    applicant = Applicant.objects.get(uscc=NEW_USCC)
    assert response.status_code == 302
    assert response["Location"] == (
        f"{URL}?applicant={applicant.pk}&target=item%3A{world.item.pk}#what-title"
    )
    assert visible_applicants(world.clerk).filter(pk=applicant.pk).exists()
    page = client.get(response["Location"])
    html = text(page)
    assert "已登记申请人 新开科技有限公司，请选择事项或一件事" in html
    assert "已选择申请人：" in html and NEW_USCC in html
    assert 'name="contact"' in html  # the application form is open, ready to submit
    (event,) = AuditEvent.objects.filter(action=AuditAction.APPLICANT_ADDED)
    assert event.actor_id == str(world.clerk.pk) and event.object_id == str(applicant.pk)


def test_an_existing_identifier_opens_that_applicant_with_a_message(client, world):
    existing = world.applicant
    response = register(client, world.clerk, uscc=existing.uscc, name="别的名字")
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?applicant={existing.pk}#what-title"
    html = text(client.get(response["Location"]))
    assert f"该证件号码已登记，已打开申请人 {existing.name}（未重复登记）" in html
    assert Applicant.objects.filter(uscc=existing.uscc).count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.APPLICANT_ADDED).exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"uscc": NEW_USCC[:-1]}, "uscc", "统一社会信用代码应为18位，现为17位"),
        (
            {"uscc": NEW_USCC[:-1] + ("0" if NEW_USCC[-1] != "0" else "1")},
            "uscc",
            "统一社会信用代码校验位错误",
        ),
        ({"uscc": ""}, "uscc", "统一社会信用代码不能为空"),
        (
            {"kind": ApplicantKind.PERSON, "id_number": "110105194912310021"},
            "id_number",
            "居民身份证号码校验位错误",
        ),
        (
            {"kind": ApplicantKind.PERSON, "id_number": "1101051949"},
            "id_number",
            "居民身份证号码应为18位，现为10位",
        ),
        (
            {"kind": ApplicantKind.FOREIGNER, "passport_number": "C4J7R9K2L"},
            "nationality",
            "国籍不能为空",
        ),
        (
            {"kind": ApplicantKind.FOREIGNER, "passport_number": "C4J7R9K2L", "nationality": "XX"},
            "nationality",
            "国籍：请从列表中选择",
        ),
        ({"kind": ApplicantKind.FOREIGNER, "nationality": "US"}, "passport_number", "护照号码"),
        ({"uscc": NEW_USCC, "name": " "}, "name", "名称或姓名不能为空"),
        ({"kind": "robot"}, "kind", "申请人类型：请选择企业、个人或外国人"),
        ({"uscc": NEW_USCC, "phone": "1" * 21}, "phone", "联系电话：不能超过 20 个字"),
    ],
)
def test_each_bad_input_is_named_next_to_its_field_and_writes_nothing(
    client, world, fields, field, message
):
    response = register(client, world.clerk, **fields)
    assert response.status_code == 422
    html = text(response)
    assert f'id="id_reg-{field}_error"' in html
    assert message in html
    assert '<details class="action walkin__register" id="register" open>' in html
    assert Applicant.objects.count() == 2  # the world's two
    assert not AuditEvent.objects.filter(action=AuditAction.APPLICANT_ADDED).exists()


def test_another_zones_applicant_with_another_name_is_refused_without_showing_it(client, world):
    zone_b = Zone.objects.create(code="SZB", name="第二开发区", division_code="320193")
    clerk_b = worlds.staff(zone_b, Role.WINDOW_CLERK, username="clerk_b")
    register(Client(), clerk_b, uscc=NEW_USCC, name="第二区科技有限公司")
    response = register(client, world.clerk, uscc=NEW_USCC, name="冒名公司")
    assert response.status_code == 409
    html = text(response)
    assert "该证件号码已在其他开发区登记，名称或姓名与登记信息不一致" in html
    assert "第二区科技" not in html
    assert Applicant.objects.filter(uscc=NEW_USCC).count() == 1


@pytest.mark.parametrize("role", ["reviewer", "decider", "supervisor", "applicant_user"])
def test_other_roles_cannot_register(client, world, role):
    response = register(client, getattr(world, role), uscc=NEW_USCC)
    assert response.status_code == 403
    assert not Applicant.objects.filter(uscc=NEW_USCC).exists()


def test_anonymous_goes_to_the_login_page(client, world):
    response = client.post(
        URL, {"step": "register", "reg-kind": "enterprise", "reg-uscc": NEW_USCC}
    )
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Applicant.objects.filter(uscc=NEW_USCC).exists()
