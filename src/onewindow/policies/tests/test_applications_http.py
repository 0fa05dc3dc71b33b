"""The confirmation page (``apply_start``) and the clean-up of a draft that never became a case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from onewindow.cases.models import ApplicationDraft
from onewindow.cases.services import case_apply, draft_discard, drafts_expire
from onewindow.policies.constants import RedemptionStatus, RedemptionWay
from onewindow.policies.models import Redemption
from onewindow.policies.services.applications import start_application
from onewindow.policies.tests.factories import make_version
from onewindow.policies.tests.test_applications import application_world, declare
from onewindow.testing.clients import client_for


@pytest.fixture
def world(db):
    return application_world()


def _url(version, **query):
    url = reverse("policies:apply_start", args=[version.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_get_shows_what_will_be_filled_and_asks_to_confirm(client, world):
    cw, _pw, version, _catalog = world
    client_for(cw.applicant_user, client=client)
    response = client.get(_url(version))
    assert response.status_code == 200
    page = response.content.decode()
    assert "研发费用专项审计报告" in page and "已由企业档案提供" in page
    assert "知识产权证明" in page and "需上传" in page
    assert "受理后 60 个工作日内办结" in page
    assert "第十一条(四)" in page
    assert "确认并开始申请" in page
    assert not Redemption.objects.exists() and not ApplicationDraft.objects.exists()


def test_post_starts_and_lands_on_the_online_application(client, world):
    cw, _pw, version, catalog = world
    client_for(cw.applicant_user, client=client)
    response = client.post(_url(version), {"enterprise": cw.applicant.pk})
    assert response.status_code == 302
    assert response.url == reverse("cases:apply_item", args=[catalog.item.implementation_code])
    redemption = Redemption.objects.get()
    assert redemption.status == RedemptionStatus.APPLIED
    assert ApplicationDraft.objects.get().form_data["rd_share"] == "0.06"


def test_an_ineligible_enterprise_sees_the_reasons_and_cannot_start(client, world):
    cw, _pw, version, _catalog = world
    declare(cw.applicant, rd_share="0.046")
    client_for(cw.applicant_user, client=client)
    page = client.get(_url(version)).content.decode()
    assert "4.6%" in page and "确认并开始申请" not in page
    response = client.post(_url(version))
    assert response.status_code == 422
    assert "不符合申报条件" in response.content.decode()
    assert not Redemption.objects.exists()


def test_refused_people_and_bad_input(client, world):
    cw, pw, version, catalog = world
    assert client.get(_url(version)).status_code == 302  # anonymous: the login page
    client_for(cw.clerk, client=client)
    assert client.get(_url(version)).status_code == 403
    assert client.post(_url(version)).status_code == 403
    client_for(pw.representative, client=client)  # another enterprise's user
    assert client.get(_url(version, enterprise=cw.applicant.pk)).status_code == 404
    assert client.post(_url(version), {"enterprise": cw.applicant.pk}).status_code == 404
    client_for(cw.stranger, client=client)  # represents no enterprise
    assert client.get(_url(version)).status_code == 404
    client_for(cw.applicant_user, client=client)
    assert client.get(_url(version, enterprise="abc")).status_code == 404
    assert client.get(reverse("policies:apply_start", args=[999999])).status_code == 404
    automatic = make_version(
        pw, code="ZC-2026-003", way=RedemptionWay.AUTOMATIC, catalog_item=catalog.item
    )
    assert client.get(_url(automatic)).status_code == 404
    assert not Redemption.objects.exists()


def test_a_discarded_draft_withdraws_the_redemption(world, django_capture_on_commit_callbacks):
    cw, _pw, version, _catalog = world
    redemption = start_application(cw.applicant_user, cw.applicant, version)
    draft = ApplicationDraft.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        draft_discard(actor=cw.applicant_user, draft_id=draft.pk)
    redemption.refresh_from_db()
    assert redemption.status == RedemptionStatus.WITHDRAWN
    assert redemption.reason == "申请草稿已删除，未提交"


def test_an_expired_draft_withdraws_the_redemption(world, django_capture_on_commit_callbacks):
    cw, _pw, version, _catalog = world
    redemption = start_application(cw.applicant_user, cw.applicant, version)
    with django_capture_on_commit_callbacks(execute=True):
        ApplicationDraft.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
        assert drafts_expire() == 1
    redemption.refresh_from_db()
    assert redemption.status == RedemptionStatus.WITHDRAWN
    assert redemption.reason == "申请草稿逾期未提交"


def test_a_submitted_draft_keeps_the_redemption(world, django_capture_on_commit_callbacks):
    cw, _pw, version, catalog = world
    redemption = start_application(cw.applicant_user, cw.applicant, version)
    draft = ApplicationDraft.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        case = case_apply(
            actor=cw.applicant_user,
            applicant=cw.applicant,
            item_version=catalog,
            form_data=draft.form_data,
            draft=draft,
        )
    assert not ApplicationDraft.objects.exists()
    redemption.refresh_from_db()
    assert redemption.status == RedemptionStatus.APPLIED
    assert redemption.case_id == case.pk
