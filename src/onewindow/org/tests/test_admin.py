"""The admin: every model listed, identifiers validated, overrides through the services,
core records read-only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from conftest import otp_login
from onewindow.core.audit import AuditAction, audit_append
from onewindow.core.calendar import DayKind
from onewindow.core.models import AuditEvent, HolidayNotice
from onewindow.core.services import holiday_notice_load
from onewindow.demo.org_data import demo_id_number, demo_uscc
from onewindow.org.constants import ApplicantKind, CalendarOverrideKind, Capacity, Role
from onewindow.org.models import (
    Applicant,
    Department,
    Park,
    Representation,
    RoleAssignment,
    User,
    Window,
    Zone,
    ZoneCalendarOverride,
)
from onewindow.org.selectors import calendar_for_zone
from onewindow.org.services import applicant_register, calendar_override_set
from onewindow.testing.calendar import fresh_calendars  # noqa: F401 (autouse)

VALID_USCC = demo_uscc("91", 7)
VALID_ID = demo_id_number(dt.date(1985, 6, 1), 123)


@pytest.fixture
def superuser(make_staff) -> User:
    user = make_staff(Role.ADMINISTRATOR, username="root")
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


@pytest.fixture
def admin_client(client, superuser):
    otp_login(client, superuser)
    return client


@pytest.fixture
def security_client(client, make_staff):
    """Accounts and role grants are the security administrator's (ADR 0010)."""
    otp_login(client, make_staff(Role.SECURITY_ADMIN, username="security"))
    return client


def applicant_form(**overrides) -> dict:
    data = {
        "kind": ApplicantKind.ENTERPRISE,
        "name": "示范新材料有限公司",
        "park": "",
        "uscc": VALID_USCC,
        "id_number": "",
        "passport_number": "",
        "nationality": "",
        "legal_representative": "",
        "phone": "",
        "address": "",
        "representations-TOTAL_FORMS": "0",
        "representations-INITIAL_FORMS": "0",
        "representations-MIN_NUM_FORMS": "0",
        "representations-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def form_errors(response) -> dict:
    return response.context["adminform"].form.errors


# -- every model is registered and its pages open ----------------------------------------------


@pytest.mark.parametrize(
    "model",
    [
        Zone,
        Park,
        Department,
        Window,
        Applicant,
        Representation,
        ZoneCalendarOverride,
        HolidayNotice,
        AuditEvent,
    ],
)
def test_changelist_opens(admin_client, model, department, window):
    assert model in site._registry
    opts = model._meta
    response = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert response.status_code == 200


def test_user_changelist_opens_for_the_security_admin(security_client):
    assert User in site._registry
    assert security_client.get(reverse("admin:org_user_changelist")).status_code == 200


def test_admin_uses_chinese_names(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "一窗通办 · 管理后台" in html
    for name in [
        "开发区",
        "部门",
        "窗口",
        "申请人",
        "本区工作日调整",
        "审计事件",
        "节假日安排通知",
    ]:
        assert name in html


def test_admin_needs_a_staff_account(client, make_applicant_user):
    client.force_login(make_applicant_user())
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_staff_without_model_permissions_cannot_open_applicants_in_admin(client, make_staff):
    # is_staff (admin login) but no model permission: the applicant pages stay closed
    clerk = make_staff(Role.WINDOW_CLERK, Role.ADMINISTRATOR, username="clerk_admin")
    otp_login(client, clerk)
    assert not clerk.has_perm("org.view_applicant")
    response = client.get(reverse("admin:org_applicant_changelist"))
    assert response.status_code == 403


def test_department_list_filters_and_parent(admin_client, zone, department):
    child = Department.objects.create(
        zone=zone, code="SCJG-1", name="登记注册科", kind="office", parent=department
    )
    response = admin_client.get(reverse("admin:org_department_changelist"))
    html = response.content.decode()
    assert "登记注册科" in html and "市场监督管理局" in html
    filters = {spec.title for spec in response.context["cl"].filter_specs}
    assert {"类型", "启用", "上级部门"} <= {str(title) for title in filters}
    change = admin_client.get(reverse("admin:org_department_change", args=[child.pk]))
    assert change.status_code == 200


def test_zone_change_page_has_park_inline(admin_client, zone):
    Park.objects.create(zone=zone, code="P01", name="高新技术产业园")
    html = admin_client.get(reverse("admin:org_zone_change", args=[zone.pk])).content.decode()
    assert "高新技术产业园" in html


# -- users and roles ---------------------------------------------------------------------------


def test_user_change_page_shows_kind_zone_department_window_and_roles(
    security_client, make_staff, window
):
    reviewer = make_staff(Role.REVIEWER, username="li")
    response = security_client.get(reverse("admin:org_user_change", args=[reviewer.pk]))
    html = response.content.decode()
    for field in ["id_kind", "id_zone", "id_department", "id_window", "id_display_name"]:
        assert f'id="{field}"' in html
    assert "role_assignments-0-role" in html


def _user_post(user: User, **extra) -> dict:
    data = {
        "username": user.username,
        "display_name": user.display_name,
        "phone": "",
        "email": "",
        "first_name": "",
        "last_name": "",
        "kind": user.kind,
        "zone": user.zone_id or "",
        "department": user.department_id or "",
        "window": "",
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "role_assignments-TOTAL_FORMS": "1",
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
        "role_assignments-0-id": "",
        "role_assignments-0-user": user.pk,
    }
    data.update(extra)
    return data


def test_department_role_without_department_is_refused(security_client, make_staff):
    user = make_staff(username="new_staff")
    response = security_client.post(
        reverse("admin:org_user_change", args=[user.pk]),
        _user_post(user, **{"role_assignments-0-role": Role.REVIEWER}),
    )
    assert response.status_code == 200
    inline_errors = response.context["inline_admin_formsets"][0].formset.errors
    assert "需要所在部门" in str(inline_errors[0]["department"])
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_role_is_assigned_through_the_inline(security_client, make_staff, department):
    user = make_staff(username="new_staff")
    response = security_client.post(
        reverse("admin:org_user_change", args=[user.pk]),
        _user_post(
            user,
            **{
                "role_assignments-0-role": Role.REVIEWER,
                "role_assignments-0-department": department.pk,
            },
        ),
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    assert User.objects.get(pk=user.pk).role_set() == {Role.REVIEWER}


def test_user_add_page_opens(security_client):
    response = security_client.get(reverse("admin:org_user_add"))
    assert response.status_code == 200
    assert 'id="id_kind"' in response.content.decode()


# -- applicants ----------------------------------------------------------------------------------


def test_valid_enterprise_is_saved_normalised(admin_client):
    response = admin_client.post(
        reverse("admin:org_applicant_add"), applicant_form(uscc=VALID_USCC.lower())
    )
    assert response.status_code == 302
    assert Applicant.objects.get().uscc == VALID_USCC


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"uscc": ""}, "uscc", "统一社会信用代码不能为空"),
        ({"uscc": "91320192MA00000"}, "uscc", "应为18位"),
        ({"uscc": VALID_USCC[:-1] + ("0" if VALID_USCC[-1] != "0" else "1")}, "uscc", "校验位"),
        (
            {"kind": ApplicantKind.PERSON, "uscc": "", "id_number": "110101199001011234"},
            "id_number",
            "居民身份证号码校验位错误",
        ),
        (
            {"kind": ApplicantKind.PERSON, "uscc": "", "id_number": "1101"},
            "id_number",
            "应为18位",
        ),
        (
            {
                "kind": ApplicantKind.FOREIGNER,
                "uscc": "",
                "passport_number": "x!",
                "nationality": "DE",
            },
            "passport_number",
            "护照号码应为5至20位字母或数字",
        ),
        (
            {"kind": ApplicantKind.FOREIGNER, "uscc": "", "passport_number": "C4J7R9K2L"},
            "nationality",
            "国籍不能为空",
        ),
        (
            {
                "kind": ApplicantKind.FOREIGNER,
                "uscc": "",
                "passport_number": "E1234567",
                "nationality": "CN",
            },
            "nationality",
            "国籍不能是中国",
        ),
        ({"id_number": VALID_ID}, "id_number", "企业申请人不填写此项"),
        ({"nationality": "DE"}, "nationality", "只有外国人申请人填写国籍"),
    ],
)
def test_invalid_identifiers_are_refused_on_their_field(admin_client, data, field, message):
    response = admin_client.post(reverse("admin:org_applicant_add"), applicant_form(**data))
    assert response.status_code == 200
    errors = form_errors(response)
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert not Applicant.objects.exists()


def test_valid_person_and_foreigner_are_saved(admin_client):
    person = applicant_form(
        kind=ApplicantKind.PERSON, name="李四", uscc="", id_number=VALID_ID.lower()
    )
    assert admin_client.post(reverse("admin:org_applicant_add"), person).status_code == 302
    foreigner = applicant_form(
        kind=ApplicantKind.FOREIGNER,
        name="Anna Müller",
        uscc="",
        passport_number="c4j7 r9k2l",
        nationality="DE",
    )
    assert admin_client.post(reverse("admin:org_applicant_add"), foreigner).status_code == 302
    assert Applicant.objects.get(kind=ApplicantKind.PERSON).id_number == VALID_ID
    assert Applicant.objects.get(kind=ApplicantKind.FOREIGNER).passport_number == "C4J7R9K2L"


def test_duplicate_identifier_is_refused(admin_client):
    applicant_register(kind=ApplicantKind.ENTERPRISE, name="已登记公司", uscc=VALID_USCC)
    response = admin_client.post(reverse("admin:org_applicant_add"), applicant_form())
    assert "该证件号码已登记" in " ".join(form_errors(response)["uscc"])


def test_editing_an_applicant_keeps_its_own_identifier(admin_client):
    applicant = applicant_register(kind=ApplicantKind.ENTERPRISE, name="旧名", uscc=VALID_USCC)
    response = admin_client.post(
        reverse("admin:org_applicant_change", args=[applicant.pk]), applicant_form(name="新名")
    )
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.name == "新名"


def test_applicant_list_masks_personal_identifiers(admin_client, make_applicant_user):
    applicant_register(
        kind=ApplicantKind.PERSON,
        name="张明",
        id_number=VALID_ID,
        user=make_applicant_user(),
        capacity=Capacity.SELF,
    )
    html = admin_client.get(reverse("admin:org_applicant_changelist")).content.decode()
    assert "张明" in html
    assert VALID_ID not in html
    assert Applicant.objects.get().masked_identifier in html


def test_applicant_search_needs_the_complete_identifier(admin_client, superuser):
    applicant_register(kind=ApplicantKind.PERSON, name="张明", id_number=VALID_ID)
    # A person's number is searched by the roles that may see it (ADR 0015).
    RoleAssignment.objects.create(user=superuser, role=Role.WINDOW_CLERK)
    url = reverse("admin:org_applicant_changelist")
    assert admin_client.get(url, {"q": VALID_ID}).context["cl"].result_count == 1
    assert admin_client.get(url, {"q": VALID_ID[:8]}).context["cl"].result_count == 0


def test_representation_admin(admin_client, make_applicant_user):
    user = make_applicant_user()
    applicant = applicant_register(
        kind=ApplicantKind.ENTERPRISE, name="公司", uscc=VALID_USCC, user=user
    )
    html = admin_client.get(reverse("admin:org_representation_changelist")).content.decode()
    assert "公司" in html and str(user) in html
    assert applicant.representations.count() == 1


# -- zone calendar overrides go through the services ----------------------------------------------


def override_form(zone, **overrides) -> dict:
    data = {"zone": zone.pk, "date": "2026-09-15", "kind": CalendarOverrideKind.CLOSED}
    data["reason"] = "台风停止办公"
    data.update(overrides)
    return data


def test_adding_an_override_bumps_the_calendar_and_audits(admin_client, zone, superuser):
    assert calendar_for_zone(zone).day(dt.date(2026, 9, 15)).kind == DayKind.WORKDAY
    response = admin_client.post(reverse("admin:org_zonecalendaroverride_add"), override_form(zone))
    assert response.status_code == 302
    override = ZoneCalendarOverride.objects.get()
    assert override.created_by == superuser
    assert calendar_for_zone(zone).day(dt.date(2026, 9, 15)).kind == DayKind.ZONE_CLOSED
    event = AuditEvent.objects.filter(action=AuditAction.CALENDAR_OVERRIDE_SET).get()
    assert event.actor == "root" and event.object_id == "SFQ:2026-09-15"


def test_changing_an_override_goes_through_the_service(admin_client, zone, superuser):
    override = calendar_override_set(
        zone=zone,
        date=dt.date(2026, 9, 15),
        kind=CalendarOverrideKind.CLOSED,
        reason="台风",
        actor=superuser,
    )
    url = reverse("admin:org_zonecalendaroverride_change", args=[override.pk])
    html = admin_client.get(url).content.decode()
    assert 'name="date"' not in html  # moving a day is a removal and a new override
    response = admin_client.post(url, {"kind": CalendarOverrideKind.CLOSED, "reason": "台风过境"})
    assert response.status_code == 302
    override.refresh_from_db()
    assert override.reason == "台风过境"
    assert AuditEvent.objects.filter(action=AuditAction.CALENDAR_OVERRIDE_SET).count() == 2
    assert calendar_for_zone(zone).day(dt.date(2026, 9, 15)).name == "台风过境"


def test_duplicate_override_day_is_refused(admin_client, zone, superuser):
    calendar_override_set(
        zone=zone, date=dt.date(2026, 9, 15), kind="closed", reason="台风", actor=superuser
    )
    response = admin_client.post(
        reverse("admin:org_zonecalendaroverride_add"), override_form(zone, kind="open")
    )
    assert response.status_code == 200
    assert ZoneCalendarOverride.objects.get().kind == "closed"


def test_override_without_reason_is_refused(admin_client, zone):
    response = admin_client.post(
        reverse("admin:org_zonecalendaroverride_add"), override_form(zone, reason="")
    )
    assert "reason" in form_errors(response)
    assert not ZoneCalendarOverride.objects.exists()


def test_deleting_an_override_goes_through_the_service(admin_client, zone, superuser):
    override = calendar_override_set(
        zone=zone, date=dt.date(2026, 9, 15), kind="closed", reason="台风", actor=superuser
    )
    calendar_for_zone(zone)  # cached with the closure
    response = admin_client.post(
        reverse("admin:org_zonecalendaroverride_delete", args=[override.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not ZoneCalendarOverride.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.CALENDAR_OVERRIDE_REMOVED).count() == 1
    assert calendar_for_zone(zone).day(dt.date(2026, 9, 15)).kind == DayKind.WORKDAY


def test_bulk_delete_removes_each_override_through_the_service(admin_client, zone, superuser):
    for day in (15, 16, 17):
        calendar_override_set(
            zone=zone, date=dt.date(2026, 9, day), kind="closed", reason="台风", actor=superuser
        )
    response = admin_client.post(
        reverse("admin:org_zonecalendaroverride_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(ZoneCalendarOverride.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not ZoneCalendarOverride.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.CALENDAR_OVERRIDE_REMOVED).count() == 3


# -- core records are read-only -------------------------------------------------------


def test_audit_events_are_read_only(admin_client):
    event = audit_append(action="test.event", actor="someone", object_type="thing", object_id=1)
    changelist = admin_client.get(reverse("admin:core_auditevent_changelist"))
    html = changelist.content.decode()
    assert "thing:1" in html and "someone" in html
    assert "delete_selected" not in html
    assert admin_client.get(reverse("admin:core_auditevent_add")).status_code == 403
    change_url = reverse("admin:core_auditevent_change", args=[event.pk])
    page = admin_client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.post(change_url, {"actor": "forged"}).status_code == 403
    delete_url = reverse("admin:core_auditevent_delete", args=[event.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.actor == "someone"


def test_audit_event_list_columns_and_search(admin_client):
    audit_append(action="test.event", actor="alice", object_type="thing", object_id=7)
    audit_append(action="test.event", actor="bob")
    url = reverse("admin:core_auditevent_changelist")
    response = admin_client.get(url, {"q": "alice"})
    assert response.context["cl"].result_count == 1
    columns = [name for name in response.context["cl"].list_display if name != "action_checkbox"]
    assert columns == [
        "id",
        "occurred_at",
        "actor",
        "action",
        "object_display",
    ]
    assert admin_client.get(url, {"q": "not-a-number"}).status_code == 200


def test_holiday_notices_are_read_only_with_their_days(admin_client):
    notice = holiday_notice_load(
        payload={
            "year": 2027,
            "title": "国务院办公厅关于2027年部分节假日安排的通知",
            "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"}],
            "workdays": [],
        },
        actor="root",
    )
    assert admin_client.get(reverse("admin:core_holidaynotice_add")).status_code == 403
    page = admin_client.get(reverse("admin:core_holidaynotice_change", args=[notice.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "2027年1月3日" in html or "2027-01-03" in html
    assert 'name="_save"' not in html
    delete_url = reverse("admin:core_holidaynotice_delete", args=[notice.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert HolidayNotice.objects.filter(pk=notice.pk).exists()


def test_window_admin_lists_department_and_park(admin_client, zone, department):
    park = Park.objects.create(zone=zone, code="P01", name="高新技术产业园")
    Window.objects.create(
        zone=zone, code="B01", name="专窗", kind="specialized", department=department, park=park
    )
    html = admin_client.get(reverse("admin:org_window_changelist")).content.decode()
    assert "专窗" in html and "市场监督管理局" in html and "高新技术产业园" in html
