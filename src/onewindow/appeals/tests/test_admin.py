"""Admin: a zone's appeal rules are edited with their legal basis, within their zone, and
every save and delete is recorded in the audit chain."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.appeals.constants import AppealEvent, LimitUnit, Nature, Urgency
from onewindow.appeals.models import (
    AppealCategory,
    AppealSettings,
    AppealTimeLimit,
    DispatchRule,
    SupervisionRule,
)
from onewindow.core.models import AuditEvent
from onewindow.org.models import User
from onewindow.testing import worlds
from onewindow.testing.clients import otp_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, zone):
    root = User.objects.create_superuser("root", "root@example.com", "test-Password-2026")
    otp_login(client, root)
    return client


def events():
    return list(AuditEvent.objects.filter(action=AppealEvent.SETTINGS_CHANGED).order_by("pk"))


def test_settings_changes_need_their_legal_basis_and_are_recorded(admin_client, aw):
    url = reverse("admin:appeals_appealsettings_change", args=[aw.settings.pk])
    form = {
        "workday_starts": "08:30",
        "workday_ends": "17:00",
        "sign_within_working_hours": 2,
        "return_window_hours": 48,
        "reopen_window_days": 10,
        "max_extensions": 1,
        "warn_percent": 80,
        "duplicate_window_days": 30,
        "legal_basis": "",
    }
    refused = admin_client.post(url, form)
    assert refused.status_code == 200 and "请填写设定时限所依据的文件" in refused.content.decode()
    assert events() == []

    form["legal_basis"] = "示范区12345热线工作规则（2026年修订）第八条"
    assert admin_client.post(url, form).status_code == 302
    aw.settings.refresh_from_db()
    assert aw.settings.return_window_hours == 48
    [event] = events()
    assert event.actor == "root"
    assert event.data["model"] == "appealsettings"
    assert event.data["from"]["return_window_hours"] == 24
    assert event.data["to"]["return_window_hours"] == 48
    assert event.data["to"]["workday_starts"] == "08:30:00"


def test_settings_are_not_deleted(admin_client, aw):
    url = reverse("admin:appeals_appealsettings_delete", args=[aw.settings.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert AppealSettings.objects.filter(pk=aw.settings.pk).exists()


def test_a_time_limit_is_added_with_its_legal_basis(admin_client, aw):
    form = {
        "zone": aw.zone.pk,
        "nature": Nature.COMPLAINT,
        "urgency": Urgency.NORMAL,
        "unit": LimitUnit.WORKING_DAYS,
        "amount": 3,
        "valid_from": "2026-07-01",
        "legal_basis": " ",
    }
    url = reverse("admin:appeals_appealtimelimit_add")
    assert admin_client.post(url, form).status_code == 200
    form["legal_basis"] = "示范区接诉即办办法第十条"
    assert admin_client.post(url, form).status_code == 302
    limit = AppealTimeLimit.objects.get(zone=aw.zone)
    [event] = events()
    assert event.object_id == str(limit.pk) and event.data["from"] is None
    assert event.data["to"]["amount"] == 3


def test_a_dispatch_rule_is_saved_with_its_co_departments_and_recorded(admin_client, aw):
    leaf = AppealCategory.objects.create(zone=aw.zone, parent=aw.root, code="0103", name="纳税")
    url = reverse("admin:appeals_dispatchrule_add")
    form = {
        "zone": aw.zone.pk,
        "category": leaf.pk,
        "lead_department": aw.other.pk,
        "co_departments": [aw.lead.pk],
    }
    assert admin_client.post(url, form).status_code == 302
    rule = DispatchRule.objects.get(category=leaf)
    assert list(rule.co_departments.all()) == [aw.lead]
    [event] = events()
    assert event.data["to"]["co_departments"] == [aw.lead.pk]

    delete = reverse("admin:appeals_dispatchrule_delete", args=[rule.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert not DispatchRule.objects.filter(pk=rule.pk).exists()
    deleted = events()[-1]
    assert deleted.data["to"] is None and deleted.data["from"]["lead_department_id"] == aw.other.pk


def test_a_dispatch_rule_stays_in_its_zone(admin_client, aw):
    elsewhere = worlds.zone("QTQ", "其他区")
    foreign = worlds.department(elsewhere, "QT", "其他区税务局")
    leaf = AppealCategory.objects.create(zone=aw.zone, parent=aw.root, code="0103", name="纳税")
    response = admin_client.post(
        reverse("admin:appeals_dispatchrule_add"),
        {"zone": aw.zone.pk, "category": leaf.pk, "lead_department": foreign.pk},
    )
    assert response.status_code == 200
    assert "主办部门：不是本开发区的部门" in response.content.decode()
    assert not DispatchRule.objects.filter(category=leaf).exists() and events() == []


def test_a_category_is_switched_off_not_deleted(admin_client, aw):
    url = reverse("admin:appeals_appealcategory_change", args=[aw.other_category.pk])
    response = admin_client.post(url, {"parent": aw.root.pk, "name": "工程建设", "is_active": ""})
    assert response.status_code == 302
    aw.other_category.refresh_from_db()
    assert not aw.other_category.is_active
    assert events()[-1].data["to"]["is_active"] is False
    delete = reverse("admin:appeals_appealcategory_delete", args=[aw.other_category.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403


def test_a_supervision_rule_is_recorded(admin_client, aw):
    response = admin_client.post(
        reverse("admin:appeals_supervisionrule_add"),
        {"zone": aw.zone.pk, "trigger": "overdue", "level": "listed", "answer_within_days": 3},
    )
    assert response.status_code == 302
    rule = SupervisionRule.objects.get(zone=aw.zone)
    assert events()[-1].object_id == str(rule.pk)


def test_staff_without_the_admin_flag_are_kept_out(client, aw):
    otp_login(client, aw.dispatcher)
    response = client.get(reverse("admin:appeals_appealsettings_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
