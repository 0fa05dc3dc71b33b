"""快申快享 / 依申请 and mutual exclusions (互斥): an enterprise holding a live or paid
redemption of an item may not start an application for an item it may not be combined with."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from onewindow.cases.models import ApplicationDraft
from onewindow.catalog.tests.factories import make_item
from onewindow.core.errors import Conflict
from onewindow.core.models import AuditEvent
from onewindow.policies.constants import Event, RedemptionStatus, RedemptionWay
from onewindow.policies.models import Redemption, RedemptionNumberCounter
from onewindow.policies.services import calculator
from onewindow.policies.services.applications import plan_application, start_application
from onewindow.policies.services.common import exclusive_items
from onewindow.policies.tests.factories import make_version
from onewindow.policies.tests.test_applications import application_world
from onewindow.testing.clients import client_for
from onewindow.testing.races import race, split

ON = dt.date(2026, 3, 2)
HELD = sorted(
    {
        RedemptionStatus.PENDING,
        RedemptionStatus.APPLIED,
        RedemptionStatus.PUBLICISING,
        RedemptionStatus.PAYABLE,
        RedemptionStatus.PAID,
    }
)
GONE = sorted({RedemptionStatus.DECLINED, RedemptionStatus.WITHDRAWN, RedemptionStatus.CLAWED_BACK})


def _case_version(pw, code: str, name: str, amount: str):
    catalog = make_item(
        pw.zone,
        pw.department,
        name=f"{name}申请",
        legal_limit_days=60,
        promised_limit_days=60,
        materials=["申请表"],
    )
    return make_version(
        pw,
        code=code,
        way=RedemptionWay.FAST,
        catalog_item=catalog.item,
        name=name,
        amount={"kind": "fixed", "amount": amount},
    )


def exclusion_world():
    """The application world's R&D award (20, ``first``), a high-tech award (50, ``second``)
    whose version excludes the first, and an unrelated item (``third``)."""
    cw, pw, first, _catalog = application_world()
    second = _case_version(pw, "ZC-2026-002", "高新技术企业奖励（示例）", "50")
    second.excludes.add(first.item)
    third = _case_version(pw, "ZC-2026-003", "稳岗补贴（示例）", "5")
    return cw, pw, first, second, third


@pytest.fixture
def world(db):
    return exclusion_world()


def _written():
    return (
        Redemption.objects.count(),
        ApplicationDraft.objects.count(),
        AuditEvent.objects.filter(action=Event.REDEMPTION_CREATED).count(),
        sum(RedemptionNumberCounter.objects.values_list("last", flat=True)),
    )


def test_exclusions_are_symmetric_and_only_published_versions_name_them(world):
    _cw, pw, first, second, third = world
    assert exclusive_items([first.item_id, second.item_id, third.item_id]) == {
        first.item_id: {second.item_id},
        second.item_id: {first.item_id},
    }
    draft = make_version(pw, code="ZC-2026-003", number=2, status="draft")
    draft.excludes.add(first.item)  # a draft is not a rule yet
    retired = make_version(pw, code="ZC-2026-004", status="retired")
    retired.excludes.add(first.item)  # nor is a retired version
    assert exclusive_items([first.item_id]) == {first.item_id: {second.item_id}}


@pytest.mark.parametrize("status", HELD)
def test_a_held_excluded_item_refuses_the_application_with_its_number(world, status):
    cw, _pw, first, second, _third = world
    held = start_application(cw.applicant_user, cw.applicant, first, on=ON)
    Redemption.objects.filter(pk=held.pk).update(status=status)
    before = _written()
    with pytest.raises(Conflict) as refused:
        start_application(cw.applicant_user, cw.applicant, second, on=ON)
    assert refused.value.code == "redemption_excluded"
    assert refused.value.message == (
        f"与已享受的“研发投入奖励（示例）”（兑现编号 {held.number}）互斥，不能同时申请"
    )
    assert _written() == before  # nothing written: no redemption, draft, event or number


def test_the_exclusion_holds_in_both_directions(world):
    cw, _pw, first, second, _third = world
    held = start_application(cw.applicant_user, cw.applicant, second, on=ON)
    # the first names nothing: the second's exclusion of it is enough
    with pytest.raises(Conflict) as refused:
        start_application(cw.applicant_user, cw.applicant, first, on=ON)
    assert "高新技术企业奖励（示例）" in refused.value.message
    assert held.number in refused.value.message
    assert list(Redemption.objects.values_list("pk", flat=True)) == [held.pk]


@pytest.mark.parametrize("status", GONE)
def test_a_declined_withdrawn_or_clawed_back_redemption_does_not_block(world, status):
    cw, _pw, first, second, _third = world
    held = start_application(cw.applicant_user, cw.applicant, first, on=ON)
    Redemption.objects.filter(pk=held.pk).update(status=status)
    assert plan_application(
        user=cw.applicant_user, enterprise=cw.applicant, version=second, on=ON
    ).allowed
    started = start_application(cw.applicant_user, cw.applicant, second, on=ON)
    assert started.status == RedemptionStatus.APPLIED and started.version == second


def test_unrelated_items_and_other_enterprises_are_not_blocked(world):
    cw, pw, first, _second, third = world
    start_application(cw.applicant_user, cw.applicant, first, on=ON)
    assert start_application(cw.applicant_user, cw.applicant, third, on=ON).version == third
    # another enterprise's redemption of the excluded item blocks nobody else
    Redemption.objects.filter(version=first).update(enterprise=pw.enterprise)
    plan = plan_application(user=cw.applicant_user, enterprise=cw.applicant, version=first, on=ON)
    assert plan.excluded_by is None and plan.allowed


def test_a_draft_naming_the_item_does_not_block(world):
    cw, pw, first, _second, third = world
    start_application(cw.applicant_user, cw.applicant, third, on=ON)
    draft = make_version(pw, code="ZC-2026-003", number=2, status="draft")
    draft.excludes.add(first.item)
    assert start_application(cw.applicant_user, cw.applicant, first, on=ON).version == first


# -- the pages ----------------------------------------------------------------------------------


def _url(version):
    return reverse("policies:apply_start", args=[version.pk])


def test_the_start_page_names_the_exclusion_before_the_click(client, world):
    cw, _pw, first, second, _third = world
    held = start_application(cw.applicant_user, cw.applicant, first, on=ON)
    client_for(cw.applicant_user, client=client)
    response = client.get(_url(second))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"与已享受的“研发投入奖励（示例）”（兑现编号 {held.number}）互斥" in page
    assert reverse("policies:my_redemption", args=[held.number]) in page
    assert "确认并开始申请" not in page


def test_the_refused_post_is_409_with_the_message_and_writes_nothing(client, world):
    cw, _pw, first, second, _third = world
    held = start_application(cw.applicant_user, cw.applicant, first, on=ON)
    client_for(cw.applicant_user, client=client)
    before = _written()
    response = client.post(_url(second), {"enterprise": cw.applicant.pk})
    assert response.status_code == 409
    page = response.content.decode()
    assert f"（兑现编号 {held.number}）互斥，不能同时申请" in page
    assert _written() == before


def test_the_calculator_offers_the_exclusion_instead_of_applying(client, world):
    cw, pw, first, second, third = world
    cw.applicant.registered_zones.add(pw.zone)  # the calculator judges in the enterprise's zone
    calculator.forget_compiled()
    client_for(cw.applicant_user, client=client)
    page = client.get("/policies/calculator/").content.decode()
    assert _url(second) in page  # the larger of the two is proposed, nothing held yet
    held = start_application(cw.applicant_user, cw.applicant, first, on=ON)
    page = client.get("/policies/calculator/").content.decode()
    assert _url(second) not in page
    assert f"与已享受的“研发投入奖励（示例）”（兑现编号 {held.number}）互斥" in page
    assert reverse("policies:my_redemption", args=[held.number]) in page
    assert _url(third) in page  # unrelated: still offered


# -- two starts at once (PostgreSQL) -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_starts_of_exclusive_items_at_once_let_exactly_one_win():
    if connection.vendor != "postgresql":
        pytest.skip("races run on PostgreSQL")
    cw, _pw, first, second, _third = exclusion_world()
    user, enterprise = cw.applicant_user, cw.applicant
    done, refused = split(
        race(
            lambda: start_application(user, enterprise, first, on=ON),
            lambda: start_application(user, enterprise, second, on=ON),
        )
    )
    assert len(done) == 1 and len(refused) == 1
    assert isinstance(refused[0], Conflict) and refused[0].code == "redemption_excluded"
    assert list(Redemption.objects.values_list("pk", flat=True)) == [done[0].pk]
    winner = done[0].version
    assert ApplicationDraft.objects.get().item_id == winner.catalog_item_id
