"""The web pages: portal, login, role home pages, calendar, applicant identities."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import PASSWORD, otp_login, sign_in
from onewindow.core.audit import (
    AuditAction,
    ChainBreak,
    VerifyResult,
    audit_append,
    audit_record_verification,
)
from onewindow.core.models import AuditEvent
from onewindow.demo.org_data import demo_id_number, demo_uscc
from onewindow.org.constants import (
    ApplicantKind,
    CalendarOverrideKind,
    Capacity,
    DepartmentKind,
    Role,
    WindowKind,
)
from onewindow.org.models import Applicant, Department, Park, Window, Zone
from onewindow.org.permissions import can_view_full_identifier
from onewindow.org.services import applicant_register, calendar_override_set
from onewindow.testing.calendar import fresh_calendars  # noqa: F401 (autouse)

PERSON_ID = demo_id_number(dt.date(1990, 3, 7), 451)
COMPANY_USCC = demo_uscc("91", 1)

#: The heading of each staff role's own section on /home/.
SECTION_HEADINGS = {
    Role.WINDOW_CLERK: 'id="section-window-clerk"',
    Role.ADMINISTRATOR: 'id="section-administrator"',
    Role.SUPERVISOR: 'id="section-supervisor"',
    Role.ANALYST: 'id="section-analyst"',
    Role.REVIEWER: 'class="panel section-department"',
    Role.DECIDER: 'class="panel section-department"',
    Role.REGULATOR: 'class="panel section-department"',
}

H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


def h1(response) -> str:
    return H1.search(response.content.decode()).group(1).strip()


@pytest.fixture
def zone_details(zone) -> Zone:
    zone.address = "示范大道 1 号"
    zone.service_hours = "工作日 9:00—17:30"
    zone.phone = "025-12345000"
    zone.complaint_phone = "12345"
    zone.save()
    return zone


@pytest.fixture
def person(make_applicant_user):
    """An applicant user who is a person, with their identity."""
    user = make_applicant_user("zhangming")
    applicant = applicant_register(
        kind=ApplicantKind.PERSON,
        name="张明",
        id_number=PERSON_ID,
        phone="13800000002",
        user=user,
        capacity=Capacity.SELF,
    )
    return user, applicant


@pytest.fixture
def company(make_applicant_user):
    user = make_applicant_user("liujingban")
    applicant = applicant_register(
        kind=ApplicantKind.ENTERPRISE,
        name="示范智造科技有限公司",
        uscc=COMPANY_USCC,
        user=user,
        capacity=Capacity.HANDLER,
    )
    return user, applicant


# -- portal ------------------------------------------------------------------------------


def test_portal_shows_the_zone_its_parks_departments_and_windows(client, zone_details, window):
    # given
    Park.objects.create(zone=zone_details, code="P01", name="高新技术产业园", area_km2="12.50")
    bureau = Department.objects.create(
        zone=zone_details, code="XZSPJ", name="行政审批局", kind=DepartmentKind.APPROVAL_BUREAU
    )
    Department.objects.create(
        zone=zone_details,
        code="SPJ-SCK",
        name="市场准入科",
        kind=DepartmentKind.OFFICE,
        parent=bureau,
    )
    # when
    response = client.get(reverse("portal"))
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert h1(response) == "示范经济技术开发区"
    for text in ["工作日 9:00—17:30", "示范大道 1 号", "025-12345000", "12345"]:
        assert text in html
    assert "高新技术产业园" in html and "12.50" in html
    assert "综合受理窗口一" in html
    # the office is nested under its bureau
    bureau_at = html.index("行政审批局</span>")
    office_at = html.index("市场准入科")
    assert bureau_at < html.index('<ul class="tree">', bureau_at) < office_at
    assert 'href="/calendar/"' in html
    assert 'href="/api/v1/docs"' in html


def test_portal_hides_inactive_departments_and_keeps_their_children(client, zone):
    parent = Department.objects.create(
        zone=zone, code="OLD", name="已撤销的局", kind=DepartmentKind.FUNCTIONAL, is_active=False
    )
    Department.objects.create(
        zone=zone, code="KID", name="仍在运行的科", kind=DepartmentKind.OFFICE, parent=parent
    )
    html = client.get(reverse("portal")).content.decode()
    assert "已撤销的局" not in html
    assert "仍在运行的科" in html


def test_portal_without_a_zone_says_so(client, db):
    response = client.get(reverse("portal"))
    assert response.status_code == 200
    assert "本平台尚未配置开发区" in response.content.decode()


def test_portal_queries_do_not_grow_with_the_zone(client, zone, django_assert_num_queries):
    def add(n: int) -> None:
        for i in range(n):
            Park.objects.create(zone=zone, code=f"P{n}{i}", name=f"园区{n}{i}")
            parent = Department.objects.create(
                zone=zone, code=f"D{n}{i}", name=f"部门{n}{i}", kind=DepartmentKind.FUNCTIONAL
            )
            Department.objects.create(
                zone=zone,
                code=f"D{n}{i}K",
                name=f"科室{n}{i}",
                kind=DepartmentKind.OFFICE,
                parent=parent,
            )
            Window.objects.create(
                zone=zone,
                code=f"W{n}{i}",
                name=f"窗口{n}{i}",
                kind=WindowKind.SPECIALIZED,
                department=parent,
            )

    add(2)
    # zone, parks, departments, windows (with their departments and parks); the popular
    # services (no applications: no second query), the bundles, the 好差评 figures
    with django_assert_num_queries(7):
        client.get(reverse("portal"))
    add(10)
    with django_assert_num_queries(7):
        response = client.get(reverse("portal"))
    assert "窗口109" in response.content.decode()


def test_portal_refuses_post(client, zone):
    assert client.post(reverse("portal")).status_code == 405


# -- base layout ---------------------------------------------------------------------------


def test_layout_has_skip_link_language_switcher_and_footer(client, zone_details):
    html = client.get(reverse("portal")).content.decode()
    assert 'class="skip-link" href="#main"' in html
    assert 'id="main"' in html
    assert 'action="/i18n/setlang/"' in html
    assert 'name="language" value="en"' in html
    assert 'value="zh-hans"' in html
    footer = html[html.index('<footer class="site-footer">') :]
    assert "示范大道 1 号" in footer and "025-12345000" in footer


def test_switching_to_english_sets_the_language(client, zone):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("portal")).content.decode()
    assert '<html lang="en">' in html
    assert "Skip to main content" in html  # the English catalogue is compiled
    assert h1(client.get(reverse("calendar"))) == "Working-day calendar"
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-Hans">' in client.get(reverse("portal")).content.decode()


def test_logout_is_a_post_form_in_the_header(client, clerk):
    client.force_login(clerk)
    html = client.get(reverse("home")).content.decode()
    assert re.search(r'<form action="/logout/" method="post"', html)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("portal")
    assert client.get(reverse("home")).status_code == 302


# -- login -----------------------------------------------------------------------------------


def test_login_page_has_chinese_labels_and_autocomplete(client, zone):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">用户名</label>' in html
    assert '<label for="id_password">密码</label>' in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html


@pytest.mark.parametrize(
    ("roles", "landing"),
    [
        # each role lands on its work page (registered by the app that owns it)
        ((Role.WINDOW_CLERK,), "cases:desk"),
        ((Role.REVIEWER,), "cases:inbox"),
        ((Role.DECIDER,), "cases:inbox"),
        ((Role.SUPERVISOR,), "cases:board"),
        ((Role.ANALYST,), "insights:dashboard"),
        # the others keep the home page
        ((Role.REGULATOR,), "home"),
        ((Role.ADMINISTRATOR,), "home"),
        ((Role.SECURITY_ADMIN,), "home"),
        ((Role.AUDIT_ADMIN,), "home"),
        ((), "home"),
        # several roles: the first work page in the order desk, inbox, board, dashboard
        ((Role.SUPERVISOR, Role.WINDOW_CLERK), "cases:desk"),
        ((Role.ANALYST, Role.DECIDER), "cases:inbox"),
        ((Role.ANALYST, Role.SUPERVISOR), "cases:board"),
        ((Role.ADMINISTRATOR, Role.ANALYST), "insights:dashboard"),
    ],
)
def test_login_lands_on_the_role_s_work_page(client, make_staff, roles, landing):
    make_staff(*roles, username="landing")
    response = client.post(reverse("login"), {"username": "landing", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse(landing)


def test_an_applicant_lands_on_their_cases(client, person):
    user, _applicant = person
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("cases:my_cases")


def test_the_landing_page_opens_for_the_clerk(client, clerk):
    response = client.post(
        reverse("login"), {"username": "clerk", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain == [(reverse("cases:desk"), 302)]
    assert response.status_code == 200


def test_login_follows_a_safe_next(client, clerk):
    response = client.post(
        reverse("login") + "?next=/calendar/",
        {"username": "clerk", "password": PASSWORD, "next": "/calendar/"},
    )
    assert response.url == "/calendar/"


def test_login_refuses_a_foreign_next(client, clerk):
    response = client.post(
        reverse("login"),
        {"username": "clerk", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.url == reverse("cases:desk")


def test_wrong_password_shows_the_error_beside_the_form(client, clerk):
    response = client.post(reverse("login"), {"username": "clerk", "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "用户名或密码不正确" in html
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor="clerk").exists()


def test_empty_login_names_each_missing_field(client, zone):
    response = client.post(reverse("login"), {"username": "", "password": ""})
    html = response.content.decode()
    assert "请填写用户名" in html and "请填写密码" in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_username_error"' in html


def test_inactive_account_cannot_log_in(client, clerk):
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])
    response = client.post(reverse("login"), {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_signed_in_user_visiting_login_goes_to_the_work_page(client, clerk):
    client.force_login(clerk)
    response = client.get(reverse("login"))
    assert response.status_code == 302 and response.url == reverse("cases:desk")


# -- /home/: access and the permission matrix ----------------------------------------------------


def test_home_sends_anonymous_visitors_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/home/"


@pytest.mark.parametrize(
    ("role", "title"),
    [
        (Role.WINDOW_CLERK, "综合窗口工作台"),
        (Role.REVIEWER, "审查工作台"),
        (Role.DECIDER, "审批决定工作台"),
        (Role.SUPERVISOR, "电子监察工作台"),
        (Role.REGULATOR, "监管工作台"),
        (Role.ADMINISTRATOR, "系统管理工作台"),
        (Role.ANALYST, "数据分析工作台"),
    ],
)
def test_each_role_sees_its_own_section_and_no_other(client, make_staff, role, title):
    # given
    user = make_staff(role, username=f"u_{role}")
    sign_in(client, user)
    # when
    response = client.get(reverse("home"))
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert h1(response) == title
    assert 'id="section-profile"' in html and 'id="section-logins"' in html
    assert SECTION_HEADINGS[role] in html
    for other, marker in SECTION_HEADINGS.items():
        if marker != SECTION_HEADINGS[role]:
            assert marker not in html, f"{role} sees the section of {other}"
    assert 'id="section-identities"' not in html


def test_a_user_with_several_roles_sees_each_section(client, make_staff):
    user = make_staff(Role.WINDOW_CLERK, Role.SUPERVISOR, username="two_roles")
    sign_in(client, user)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert h1(response) == "我的工作台"
    assert SECTION_HEADINGS[Role.WINDOW_CLERK] in html
    assert SECTION_HEADINGS[Role.SUPERVISOR] in html
    assert SECTION_HEADINGS[Role.ADMINISTRATOR] not in html


def test_staff_without_roles_is_told_to_ask_for_one(client, make_staff):
    user = make_staff(username="nobody")
    sign_in(client, user)
    response = client.get(reverse("home"))
    assert h1(response) == "我的工作台"
    assert "尚未分配角色" in response.content.decode()


def test_applicant_home_shows_identities_and_no_staff_section(client, person):
    user, _applicant = person
    sign_in(client, user)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert h1(response) == "我的办事主页"
    assert 'id="section-identities"' in html
    assert "张明" in html and "本人" in html
    for marker in [*SECTION_HEADINGS.values(), 'id="section-profile"']:
        assert marker not in html
    assert "申请人查询" not in html  # the staff-only navigation entry


def test_applicant_without_identity_is_told_so(client, zone_details, make_applicant_user):
    client.force_login(make_applicant_user("newcomer"))
    html = client.get(reverse("home")).content.decode()
    assert "尚未关联申请人身份" in html
    assert "025-12345000" in html


# -- /home/: the content of each section --------------------------------------------------------


def test_profile_shows_name_department_window_and_roles(client, make_staff, window, department):
    user = make_staff(Role.WINDOW_CLERK, Role.REVIEWER, username="wang")
    user.display_name = "王晓窗"
    user.window = window
    user.save()
    sign_in(client, user)
    profile = client.get(reverse("home")).content.decode()
    profile = profile[profile.index('id="section-profile"') : profile.index("</section>")]
    for text in [
        "王晓窗",
        "市场监督管理局",
        "A01 综合受理窗口一",
        "综合窗口人员",
        "审批科室审查人员",
    ]:
        assert text in profile


def test_clerk_sees_the_window_and_todays_status(client, clerk, window, time_machine):
    time_machine.move_to(dt.datetime(2026, 2, 16, 10, tzinfo=dt.UTC))  # 春节 holiday
    clerk.window = window
    clerk.save()
    client.force_login(clerk)
    html = client.get(reverse("home")).content.decode()
    assert "A01 综合受理窗口一" in html
    assert "非工作日" in html and "法定节假日（春节）" in html
    assert "2026年2月24日" in html  # the next working day
    assert "尚未分配窗口" not in html


def test_clerk_without_window_is_told_so(client, clerk):
    client.force_login(clerk)
    assert "尚未分配窗口" in client.get(reverse("home")).content.decode()


def test_clerk_calculates_a_deadline_on_the_home_page(client, clerk):
    client.force_login(clerk)
    response = client.get(reverse("home"), {"start": "2026-02-10", "days": "10"})
    html = response.content.decode()
    assert 'datetime="2026-03-02"' in html
    assert "2026年3月2日" in html


def test_clerk_deadline_errors_are_shown_beside_the_field(client, clerk):
    client.force_login(clerk)
    html = client.get(reverse("home"), {"start": "2026-02-10", "days": "-3"}).content.decode()
    assert "工作日数：不能为负数" in html
    assert 'id="id_days_error"' in html


def test_administrator_sees_counts_overrides_admin_links_and_the_audit_chain(
    client, make_staff, zone, department, other_department, window
):
    admin_user = make_staff(Role.ADMINISTRATOR, username="boss")
    admin_user.is_superuser = True
    admin_user.save()
    make_staff(Role.REVIEWER, username="r1")
    calendar_override_set(
        zone=zone,
        date=dt.date(2026, 9, 15),
        kind=CalendarOverrideKind.CLOSED,
        reason="台风停止办公",
        actor=admin_user,
    )
    otp_login(client, admin_user)
    response = client.get(reverse("home"))
    html = response.content.decode()
    section = html[html.index('id="section-administrator"') :]
    counts = re.findall(r'<span class="stat__value">(\d+)</span>', section)
    assert counts == ["2", "1", "2"]  # departments, windows, staff
    assert "台风停止办公" in section and "2026-09-15" in section and "停止办公" in section
    assert "上次校验：尚无记录" in section and "onewindow audit-verify" in section
    assert response.context["audit_verification"] is None
    assert reverse("admin:org_zonecalendaroverride_changelist") in section
    assert reverse("admin:core_auditevent_changelist") in section


def test_administrator_without_admin_permissions_gets_no_dead_admin_links(client, administrator):
    otp_login(client, administrator)  # is_staff, but no model permissions
    html = client.get(reverse("home")).content.decode()
    assert reverse("admin:org_department_changelist") not in html
    assert "本区没有自行调整的工作日" in html


def _administrator_panel(client) -> str:
    html = client.get(reverse("home")).content.decode()
    start = html.index('id="section-administrator"')
    return html[start : html.index("</section>", start)]


def test_administrator_sees_the_last_recorded_verification_and_when_it_ran(
    client, administrator, time_machine
):
    # given the daily job verified the chain, and an older failed result before it
    time_machine.move_to(dt.datetime(2026, 12, 6, 2, 0, tzinfo=dt.UTC), tick=False)
    audit_record_verification(VerifyResult(2, ChainBreak(3, "an older break")))
    time_machine.move_to(dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC), tick=False)
    call_command("audit_verify")
    checked = AuditEvent.objects.order_by("-pk").first().data["checked"]
    otp_login(client, administrator)

    # when
    panel = _administrator_panel(client)

    # then the newest result, its time (Asia/Shanghai) and who ran it
    assert f"上次校验：2026-12-07 10:00，结果：审计链完整，已校验 {checked} 条事件" in panel
    assert "校验人：定时任务" in panel
    assert "an older break" not in panel and "审计链断裂" not in panel
    assert "两天以前" not in panel


def test_administrator_is_alerted_to_a_failed_verification(client, administrator, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC), tick=False)
    audit_record_verification(VerifyResult(3, None))
    audit_record_verification(
        VerifyResult(4, ChainBreak(5, "content does not match its hash")), actor="auditor"
    )
    otp_login(client, administrator)

    panel = _administrator_panel(client)

    assert 'class="status status--error" role="alert"' in panel
    assert "上次校验：2026-12-07 10:00，结果：审计链断裂，第 5 号事件校验失败" in panel
    assert "content does not match its hash" in panel
    assert "校验人：auditor" in panel
    assert "审计链完整" not in panel


def test_a_failed_daily_job_is_shown_as_a_failure(client, administrator, monkeypatch):
    # given the daily `onewindow audit-verify` finds a break (exit status 1)
    from onewindow.core.management.commands import audit_verify as command

    broken = VerifyResult(6, ChainBreak(7, "previous_hash does not match the preceding event"))
    monkeypatch.setattr(command, "audit_verify", lambda **kwargs: broken)
    with pytest.raises(CommandError):
        call_command("audit_verify")
    otp_login(client, administrator)

    # then the job's result is recorded and the administrator's home shows it
    panel = _administrator_panel(client)
    assert "结果：审计链断裂，第 7 号事件校验失败" in panel
    assert "previous_hash does not match the preceding event" in panel


def test_administrator_is_told_when_the_daily_verification_stopped(
    client, administrator, time_machine
):
    time_machine.move_to(dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC), tick=False)
    audit_record_verification(VerifyResult(3, None))
    time_machine.move_to(dt.datetime(2026, 12, 3, 1, 0, tzinfo=dt.UTC), tick=False)
    otp_login(client, administrator)
    assert "两天以前" not in _administrator_panel(client)

    time_machine.move_to(dt.datetime(2026, 12, 3, 3, 0, tzinfo=dt.UTC), tick=False)
    otp_login(client, administrator)  # a new session: the old one has been idle too long

    assert "上次校验已是两天以前" in _administrator_panel(client)


def test_administrator_home_does_not_walk_the_audit_chain(
    client, administrator, django_assert_num_queries
):
    # given a long chain and a recorded verification in the middle of it
    for n in range(30):
        audit_append(action="test.event", actor=f"a{n}")
    audit_record_verification(VerifyResult(31, None))
    for n in range(30):
        audit_append(action="test.event", actor=f"b{n}")
    otp_login(client, administrator)
    client.get(reverse("home"))

    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))

    # then the page reads two lists of audit events, each by its action: the login history
    # and the recorded result; no chain head, no walk over the chain's hashes
    audit_reads = [
        q["sql"]
        for q in queries.captured_queries
        if "core_auditevent" in q["sql"] and "core_auditlink" not in q["sql"]
    ]  # (the chainer's lag is read beside the links: one count of the events waiting)
    assert len(audit_reads) == 2, audit_reads
    login_history, verification = audit_reads
    assert "auth.login_succeeded" in login_history
    assert "audit.chain_verified" in verification and "LIMIT 1" in verification.upper()
    assert "core_auditchainhead" not in " ".join(q["sql"] for q in queries.captured_queries)
    assert response.context["audit_verification"].data["checked"] == 31


def test_supervisor_reads_the_latest_twenty_audit_events(client, make_staff):
    supervisor = make_staff(Role.SUPERVISOR, username="watcher")
    for number in range(1, 26):
        audit_append(action="test.event", actor=f"actor{number:02d}", object_type="thing")
    client.force_login(supervisor)  # appends the 26th event, the login
    html = client.get(reverse("home")).content.decode()
    section = html[html.index('id="section-supervisor"') :]
    assert "登录成功" in section
    assert "actor25" in section and "actor07" in section
    assert "actor06" not in section
    assert len(re.findall(r"<tr>", section.split("</table>")[0])) == 21  # header + 20


def test_analyst_sees_organisation_figures(client, make_staff, zone, department, window):
    Window.objects.create(zone=zone, code="C01", name="统一出件窗口", kind=WindowKind.DELIVERY)
    Window.objects.create(
        zone=zone, code="X", name="停用的窗口", kind=WindowKind.DELIVERY, is_active=False
    )
    analyst = make_staff(Role.ANALYST, username="numbers")
    make_staff(Role.REVIEWER, Role.DECIDER, username="both")
    client.force_login(analyst)
    response = client.get(reverse("home"))
    figures = response.context["figures"]
    as_dict = lambda rows: {row.label: row.count for row in rows}  # noqa: E731
    assert as_dict(figures.departments_by_kind)["职能部门"] == 1
    assert as_dict(figures.windows_by_kind) == {
        "综合受理窗口": 1,
        "专业窗口": 0,
        "统一出件窗口": 1,
        "帮办代办窗口": 0,
    }
    staff = as_dict(figures.staff_by_role)
    assert staff["审批科室审查人员"] == 1 and staff["审批决定人"] == 1
    assert staff["领导与分析人员"] == 1 and staff["综合窗口人员"] == 0
    assert "组织机构统计" in response.content.decode()


def test_reviewer_sees_own_department_windows_and_colleagues_only(
    client, make_staff, zone, department, other_department
):
    Window.objects.create(
        zone=zone,
        code="B09",
        name="市场监管专窗",
        kind=WindowKind.SPECIALIZED,
        department=department,
    )
    Window.objects.create(
        zone=zone,
        code="B10",
        name="住建专窗",
        kind=WindowKind.SPECIALIZED,
        department=other_department,
    )
    reviewer = make_staff(Role.REVIEWER, username="li")
    make_staff(Role.DECIDER, username="zhao")
    make_staff(Role.REVIEWER, username="stranger", dept=other_department)
    client.force_login(reviewer)
    html = client.get(reverse("home")).content.decode()
    assert "本部门：市场监督管理局" in html
    assert "市场监管专窗" in html and "zhao" in html
    assert "住建专窗" not in html and "stranger" not in html


def test_login_history_lists_own_logins_and_failed_attempts(client, clerk, make_staff):
    other = make_staff(Role.REVIEWER, username="someone_else")
    client.post(reverse("login"), {"username": "clerk", "password": "guess"})
    client.post(reverse("login"), {"username": "someone_else", "password": PASSWORD})
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "clerk", "password": PASSWORD})
    response = client.get(reverse("home"))
    history = response.context["login_history"]
    assert [event.action for event in history] == [
        AuditAction.LOGIN_SUCCEEDED,
        AuditAction.LOGIN_FAILED,
    ]
    assert all(event.actor_id in ("", str(clerk.pk)) for event in history)
    assert str(other.pk) not in {event.actor_id for event in history}
    assert "登录失败" in response.content.decode()


# -- /home/: query counts --------------------------------------------------------------------


def _grow(zone, department, n: int) -> None:
    for i in range(n):
        Window.objects.create(
            zone=zone,
            code=f"G{n}{i}",
            name=f"窗口{n}{i}",
            kind=WindowKind.SPECIALIZED,
            department=department,
        )
        Department.objects.create(
            zone=zone, code=f"G{n}{i}", name=f"部门{n}{i}", kind=DepartmentKind.FUNCTIONAL
        )
        audit_append(action="test.event", actor=f"a{n}{i}")


@pytest.mark.parametrize(
    ("roles", "queries"),
    [
        # session, user, the roles for the audit-administrator gate (ADR 0010), roles with
        # departments, zone, profile (department, window), login history, the header's
        # unread messages + per role
        ((Role.WINDOW_CLERK,), 8),  # (+ calendar revision, read in the test's transaction)
        ((Role.SUPERVISOR,), 9),  # + latest events
        ((Role.ANALYST,), 11),  # + three aggregates
        ((Role.REVIEWER,), 11),  # + windows, colleagues, their roles
        # + overrides, 3 counts, the last recorded chain verification, the chainer's lag
        # (the newest link, the events waiting, the last checkpoint), 2 for perms,
        # background tasks needing a look, the second factor's device
        ((Role.ADMINISTRATOR,), 20),
    ],
)
def test_home_queries_do_not_grow_with_the_zone(
    client, make_staff, zone, department, window, roles, queries, django_assert_num_queries
):
    user = make_staff(*roles, username="counted")
    user.window = window
    user.save()
    make_staff(Role.DECIDER, username="colleague")
    _grow(zone, department, 2)
    sign_in(client, user)
    client.get(reverse("home"))  # warm the calendar cache
    with django_assert_num_queries(queries):
        client.get(reverse("home"))
    _grow(zone, department, 12)
    with django_assert_num_queries(queries):
        assert client.get(reverse("home")).status_code == 200


def test_applicant_home_queries(client, person, company, django_assert_num_queries):
    user, _applicant = person
    company_applicant = company[1]
    company_applicant.representations.create(user=user, capacity=Capacity.AGENT)
    sign_in(client, user)
    # session, user, zone, representations with applicants, the identifier predicate,
    # the header's unread messages
    with django_assert_num_queries(6):
        response = client.get(reverse("home"))
    assert len(response.context["representations"]) == 2


# -- identifiers: who sees the full number ------------------------------------------------------


def test_owner_sees_the_full_identifier_on_home(client, person):
    user, _applicant = person
    sign_in(client, user)
    assert PERSON_ID in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    ("who", "full"),
    [
        ("owner", True),
        ("clerk", True),
        ("reviewer", False),
        ("decider", False),
        ("supervisor", False),
        ("administrator", False),
        ("other_applicant", None),  # cannot see the record at all
        ("inactive_clerk", None),
    ],
)
def test_identifier_on_the_applicant_page(
    client, person, make_staff, make_applicant_user, who, full
):
    owner, applicant = person
    users = {
        "owner": lambda: owner,
        "clerk": lambda: make_staff(Role.WINDOW_CLERK, username="c"),
        "reviewer": lambda: make_staff(Role.REVIEWER, username="r"),
        "decider": lambda: make_staff(Role.DECIDER, username="d"),
        "supervisor": lambda: make_staff(Role.SUPERVISOR, username="s"),
        "administrator": lambda: make_staff(Role.ADMINISTRATOR, username="a"),
        "other_applicant": lambda: make_applicant_user("other"),
        "inactive_clerk": lambda: make_staff(Role.WINDOW_CLERK, username="gone"),
    }
    user = users[who]()
    sign_in(client, user)
    if who == "inactive_clerk":
        user.is_active = False
        user.save()
    response = client.get(reverse("applicant_detail", args=[applicant.pk]))
    if full is None:
        assert response.status_code in (302, 404)
        return
    html = response.content.decode()
    assert response.status_code == 200
    assert (PERSON_ID in html) is full
    assert (applicant.masked_identifier in html) is not full
    assert ("13800000002" in html) is full


def test_clerk_opening_a_full_identifier_is_audited(client, person, clerk):
    _owner, applicant = person
    client.force_login(clerk)
    before = AuditEvent.objects.count()
    html = client.get(reverse("applicant_detail", args=[applicant.pk])).content.decode()
    assert "本次查看已记入审计日志" in html
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.actor, event.object_id) == (
        "org.identifier_viewed",
        "clerk",
        str(applicant.pk),
    )
    assert event.data == {"channel": "page", "purpose": "applicant_detail", "kind": "person"}


def test_owner_and_masked_views_are_not_audited(client, person, make_staff):
    owner, applicant = person
    for user in (owner, make_staff(Role.REVIEWER, username="r")):
        sign_in(client, user)
        before = AuditEvent.objects.count()
        client.get(reverse("applicant_detail", args=[applicant.pk]))
        assert AuditEvent.objects.count() == before


def test_enterprise_code_is_public_and_not_audited(client, company, make_staff):
    _user, applicant = company
    reviewer = make_staff(Role.REVIEWER, username="r")
    client.force_login(reviewer)
    before = AuditEvent.objects.count()
    html = client.get(reverse("applicant_detail", args=[applicant.pk])).content.decode()
    assert COMPANY_USCC in html and "已脱敏" not in html
    assert AuditEvent.objects.count() == before


def test_missing_applicant_is_not_found(client, clerk):
    client.force_login(clerk)
    assert client.get(reverse("applicant_detail", args=[999999])).status_code == 404


def test_can_view_full_identifier_predicate(person, company, make_staff, make_applicant_user):
    owner, applicant = person
    company_user, company_applicant = company
    clerk = make_staff(Role.WINDOW_CLERK, username="c")
    reviewer = make_staff(Role.REVIEWER, username="r")
    assert can_view_full_identifier(owner, applicant)
    assert not can_view_full_identifier(owner, company_applicant)
    assert can_view_full_identifier(company_user, company_applicant)
    assert can_view_full_identifier(clerk, applicant)
    assert not can_view_full_identifier(reviewer, applicant)
    assert not can_view_full_identifier(make_applicant_user("x"), applicant)
    assert clerk.has_perm("org.view_full_identifier", applicant)
    assert not reviewer.has_perm("org.view_full_identifier", applicant)


# -- applicant search (staff) --------------------------------------------------------------------


def test_applicant_search_needs_login_and_a_staff_account(client, person):
    response = client.get(reverse("applicant_search"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(person[0])
    assert client.get(reverse("applicant_search")).status_code == 403


def test_applicant_search_by_name_lists_masked_identifiers(client, person, company, clerk):
    client.force_login(clerk)
    html = client.get(reverse("applicant_search"), {"q": "张"}).content.decode()
    assert "张明" in html and "示范智造" not in html
    assert PERSON_ID not in html  # lists are masked, even for a clerk
    assert Applicant.objects.get(name="张明").masked_identifier in html


def test_applicant_search_by_full_identifier_only(client, person, clerk):
    client.force_login(clerk)
    found = client.get(reverse("applicant_search"), {"q": PERSON_ID.lower()}).content.decode()
    assert "张明" in found
    partial = client.get(reverse("applicant_search"), {"q": PERSON_ID[:10]}).content.decode()
    assert "张明" not in partial and "没有找到" in partial


def test_applicant_search_validates_the_query(client, clerk):
    client.force_login(clerk)
    html = client.get(reverse("applicant_search"), {"q": ""}).content.decode()
    assert "名称或证件号码：请输入查询内容" in html
    html = client.get(reverse("applicant_search"), {"q": "x" * 101}).content.decode()
    assert "不能超过 100 个字符" in html


# -- the calendar page ---------------------------------------------------------------------------


def test_calendar_defaults_to_the_current_month(client, zone, time_machine):
    time_machine.move_to(dt.datetime(2026, 2, 10, 2, tzinfo=dt.UTC))
    response = client.get(reverse("calendar"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h2 id="month-title" class="month-nav__title">2026年2月</h2>' in html
    today = re.search(r'<td class="day[^"]*day--today[^"]*"[^>]*aria-current="date"', html)
    assert today and 'title="2026年2月10日 工作日"' in today.group(0)
    assert "?month=2026-01" in html and "?month=2026-03" in html


def test_calendar_labels_each_kind_of_day_in_text(client, zone):
    html = client.get(reverse("calendar"), {"month": "2026-02"}).content.decode()
    assert 'class="day day--holiday" title="2026年2月16日 法定节假日（春节）"' in html
    assert 'class="day day--makeup-workday" title="2026年2月14日 调休上班（春节）"' in html
    assert 'class="day day--weekend" title="2026年2月1日 周末"' in html
    assert 'class="day day--workday" title="2026年2月2日 工作日"' in html
    assert "02月15日</time>—<time" in html  # the holiday as one period
    assert "临时安排" not in html


def test_calendar_shows_zone_closures(client, zone, administrator):
    calendar_override_set(
        zone=zone,
        date=dt.date(2026, 9, 15),
        kind=CalendarOverrideKind.CLOSED,
        reason="台风",
        actor=administrator,
    )
    html = client.get(reverse("calendar"), {"month": "2026-09"}).content.decode()
    assert 'class="day day--zone-closed" title="2026年9月15日 本区停止办公（台风）"' in html


def test_calendar_marks_uncovered_months_provisional(client, zone):
    html = client.get(reverse("calendar"), {"month": "2027-10"}).content.decode()
    assert 'id="provisional-notice"' in html
    assert "2027 年的国务院节假日安排尚未载入" in html
    assert "month--provisional" in html
    assert "法定节假日（国庆节）" in html


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026/02", "月份：格式应为 YYYY-MM"),
        ("2026-13", "月份：格式应为 YYYY-MM"),
        ("abc", "月份：格式应为 YYYY-MM"),
        ("1990-01", "月份：1990-01 超出工作日历范围"),
        ("2099-01", "月份：2099-01 超出工作日历范围"),
    ],
)
def test_calendar_rejects_bad_months_and_shows_the_current_one(client, zone, month, message):
    response = client.get(reverse("calendar"), {"month": month})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'role="alert" id="month-error"' in html
    assert response.context["month_view"] is not None


def test_calendar_has_no_previous_link_at_the_first_month(client, zone):
    html = client.get(reverse("calendar"), {"month": "2004-01"}).content.decode()
    assert 'rel="prev"' not in html and 'rel="next"' in html


def test_deadline_calculator(client, zone):
    response = client.get(reverse("calendar"), {"start": "2026-02-10", "days": "10"})
    deadline = response.context["deadline"]
    assert deadline.date == dt.date(2026, 3, 2) and not deadline.provisional
    html = response.content.decode()
    assert "2026年3月2日" in html and "星期一" in html
    assert "第 10 个工作日" in html
    assert "?month=2026-03" in html


def test_deadline_with_zero_days_is_the_start_day(client, zone):
    response = client.get(reverse("calendar"), {"start": "2026-02-10", "days": "0"})
    assert response.context["deadline"].date == dt.date(2026, 2, 10)
    assert "截止日即受理日" in response.content.decode()


def test_deadline_keeps_the_month_being_viewed(client, zone):
    response = client.get(
        reverse("calendar"), {"month": "2026-05", "start": "2026-02-10", "days": "1"}
    )
    assert response.context["month_view"].month == 5
    assert '<input type="hidden" name="month" value="2026-05">' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"start": "2026-02-30", "days": "5"}, "start", "受理日期：格式应为 YYYY-MM-DD"),
        ({"start": "明天", "days": "5"}, "start", "受理日期：格式应为 YYYY-MM-DD"),
        ({"start": "", "days": "5"}, "start", "受理日期：请填写日期"),
        ({"start": "2026-02-10", "days": ""}, "days", "工作日数：请填写天数"),
        ({"start": "2026-02-10", "days": "abc"}, "days", "工作日数：应为整数"),
        ({"start": "2026-02-10", "days": "2.5"}, "days", "工作日数：应为整数"),
        ({"start": "2026-02-10", "days": "-1"}, "days", "工作日数：不能为负数"),
        ({"start": "2026-02-10", "days": "1001"}, "days", "工作日数：不能超过 1000 个工作日"),
        ({"start": "1990-01-01", "days": "5"}, "start", "超出工作日历范围"),
        ({"start": "2026-12-20", "days": "30"}, "start", "2027年的国务院节假日安排尚未载入"),
    ],
)
def test_deadline_calculator_rejects_bad_input_beside_the_field(
    client, zone, params, field, message
):
    response = client.get(reverse("calendar"), params)
    assert response.status_code == 200
    assert "deadline" not in response.context
    html = response.content.decode()
    errors = re.search(rf'<div class="field__errors" id="id_{field}_error">(.*?)</div>', html, re.S)
    assert errors and message in errors.group(1)
    assert f'aria-describedby="id_{field}_helptext id_{field}_error"' in html or (
        f'aria-describedby="id_{field}_error"' in html
    )


def test_uncovered_year_suggests_the_provisional_option(client, zone):
    html = client.get(reverse("calendar"), {"start": "2027-03-01", "days": "5"}).content.decode()
    assert "勾选“临时结果”后重新计算" in html


def test_provisional_deadline_is_flagged(client, zone):
    response = client.get(
        reverse("calendar"), {"start": "2027-09-29", "days": "3", "provisional": "on"}
    )
    deadline = response.context["deadline"]
    # 30 Sep (Thu) and 4, 5 Oct; 1–3 Oct are the fixed-date National Day holidays
    assert deadline.date == dt.date(2027, 10, 5) and deadline.provisional
    html = response.content.decode()
    assert "result--provisional" in html and "临时结果" in html


def test_calendar_without_a_zone_uses_the_national_calendar(client, db):
    response = client.get(
        reverse("calendar"), {"month": "2026-10", "start": "2026-09-30", "days": "1"}
    )
    assert response.status_code == 200
    assert response.context["deadline"].date == dt.date(2026, 10, 8)


def test_calendar_page_queries(client, zone, django_assert_num_queries):
    client.get(reverse("calendar"))  # warm the calendar cache
    # zone (the calendar revision is read once per transaction: the test's, here)
    with django_assert_num_queries(1):
        client.get(reverse("calendar"), {"month": "2026-02", "start": "2026-02-10", "days": "10"})
