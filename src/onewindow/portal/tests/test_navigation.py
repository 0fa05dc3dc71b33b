"""What the apps register (core.registry) and how the portal reads it: the main navigation
in order, the current page, the slots of other apps' pages (docs/decisions/0022)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from onewindow.core import registry
from onewindow.demo.org_data import demo_uscc
from onewindow.org.constants import ApplicantKind, Capacity, Role
from onewindow.org.services import applicant_register
from onewindow.portal.context_processors import nav_links


@pytest.fixture
def scratch_slot():
    """A slot of this test's own; its fragments are removed afterwards."""
    name = "test.scratch"
    yield name
    for key in [key for key in registry._fragments if key[0] == name]:
        del registry._fragments[key]


def labels(request) -> list[str]:
    return [str(link.label) for link in nav_links(request)]


def request_for(user, path: str = "/items/"):
    request = RequestFactory().get(path)
    request.user = user
    request.resolver_match = None
    return request


def test_every_app_registered_its_entries_in_the_old_order(make_staff):
    # given a user with every role one person may hold together (三权分立: not the security
    # and audit administrators besides the administrator)
    user = make_staff(*(set(Role) - {Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}), username="everything")

    # then the desks come in the order the navigation always had
    assert labels(request_for(user)) == [
        "窗口工作台",
        "来电登记",
        "待办任务",
        "红黄牌监察",
        "差评整改",
        "诉求派单",
        "诉求办理",
        "诉求督办",
        "差评监督",
        "兑现管理",
        "政策管理",
        "统计分析",
        "诉求统计",
        "政策兑现统计",
        "电子证照",
        "诉求知识库",
        "证照统计",
        "惠企政策",
        "政策兑现公示",
        "申请人查询",
    ]


def test_the_audit_administrator_sees_the_audit_trail_only(make_staff):
    user = make_staff(Role.AUDIT_ADMIN, username="auditor")
    assert labels(request_for(user)) == ["审计日志"]


def test_a_staff_member_without_a_role_may_still_search_applicants(make_staff):
    user = make_staff(username="nobody")
    # and read the public policy pages, as everyone may
    assert labels(request_for(user)) == ["惠企政策", "政策兑现公示", "申请人查询"]


def test_applicants_see_their_cases_certificates_and_appeals(make_applicant_user):
    user = make_applicant_user()
    assert labels(request_for(user)) == [
        "我的办件",
        "我的证照",
        "我的诉求",
        "我的政策兑现",
        "政策计算器",
        "企业画像",
        "惠企政策",
        "政策兑现公示",
    ]


def test_the_current_page_is_marked(client, make_staff, make_applicant_user):
    user = make_staff(Role.WINDOW_CLERK, username="marked")
    client.force_login(user)
    applicant = applicant_register(
        kind=ApplicantKind.ENTERPRISE,
        name="示范智造科技有限公司",
        uscc=demo_uscc("91", 1),
        user=make_applicant_user("handler"),
        capacity=Capacity.HANDLER,
    )

    desk = client.get("/desk/").content.decode()
    detail = client.get(f"/applicants/{applicant.pk}/").content.decode()

    assert '<a href="/desk/" aria-current="page">窗口工作台</a>' in desk
    assert '<a href="/applicants/" aria-current="page">申请人查询</a>' in detail
    assert 'href="/desk/" aria-current' not in detail


def _render(slot: str, **values) -> str:
    template = Template("{% load slots %}[{% slot '" + slot + "' item=item %}]")
    return template.render(Context({"request": None, **values}))


def test_an_empty_slot_renders_nothing(scratch_slot):
    assert _render(scratch_slot, item=None) == "[]"


def test_a_slot_renders_its_fragments_in_order_with_their_context(scratch_slot):
    class Item:
        implementation_code = "CODE-1"

    class Bundle:
        code = "B1"

    registry.fragment(scratch_slot, "cases/guide/_apply_item.html", order=2)
    registry.fragment(
        scratch_slot,
        "cases/guide/_apply_bundle.html",
        order=1,
        context=lambda context, **arguments: {"bundle": Bundle()},
    )

    html = _render(scratch_slot, item=Item())

    assert html.index("/apply/bundles/B1/") < html.index("/apply/items/CODE-1/")


def test_a_fragment_whose_context_answers_none_is_left_out(scratch_slot):
    registry.fragment(
        scratch_slot, "cases/guide/_apply_item.html", context=lambda context, **arguments: None
    )
    assert _render(scratch_slot, item=None) == "[]"


def test_registering_again_replaces_the_entry():
    before = len(registry.nav_entries())
    entry = next(e for e in registry.nav_entries() if e.url_name == "cases:desk")
    registry.nav_entry(
        entry.url_name, entry.label, order=entry.order, roles=entry.roles, applicant=False
    )
    assert len(registry.nav_entries()) == before
