"""The staff password policy (ADR 0010): length, character classes, history, expiry,
the password-change page and the expiry gate."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, sign_in
from onewindow.core.audit import AuditAction
from onewindow.core.errors import ValidationFailed
from onewindow.core.models import AuditEvent
from onewindow.org.constants import Role, UserKind
from onewindow.org.models import PasswordHistory, User
from onewindow.org.passwords import character_classes, password_expired
from onewindow.org.services import password_change, staff_create

pytestmark = pytest.mark.django_db

NEW = ["Second-pass-2026", "Third-pass-2026", "Fourth-pass-2026", "Fifth-pass-2026"]


def errors(password: str, user) -> list[str]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        return list(error.messages)
    return []


# -- pure rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "classes"),
    [
        ("abcdefghij", {"lower"}),
        ("ABCdef", {"upper", "lower"}),
        ("abc123", {"lower", "digit"}),
        ("abc-123", {"lower", "digit", "symbol"}),
        ("Ａｂｃ１２３", {"upper", "lower", "digit"}),  # full-width, folded with NFKC
        ("政务Abc", {"symbol", "upper", "lower"}),
    ],
)
def test_character_classes(password, classes):
    assert character_classes(password) == classes


def test_password_expiry_arithmetic():
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    assert not password_expired(now - dt.timedelta(days=89), now=now, days=90)
    assert password_expired(now - dt.timedelta(days=90), now=now, days=90)
    assert not password_expired(now - dt.timedelta(days=900), now=now, days=0)
    assert password_expired(None, now=now, days=90)


# -- each rule, for staff ---------------------------------------------------------------------


def test_the_shared_test_password_and_the_demo_password_pass(zone):
    from onewindow.demo.org_data import DEMO_PASSWORD

    staff = User(username="new", kind=UserKind.STAFF, zone=zone)
    assert errors(PASSWORD, staff) == []
    assert errors(DEMO_PASSWORD, staff) == []


def test_too_short_is_refused_for_staff(zone):
    staff = User(username="new", kind=UserKind.STAFF, zone=zone)
    assert errors("Ab-45678x", staff) == ["工作人员密码至少需要 10 个字符。"]


def test_two_character_classes_are_refused_for_staff(zone):
    staff = User(username="new", kind=UserKind.STAFF, zone=zone)
    assert errors("onlylowercase2026", staff) == [
        "工作人员密码需包含大写字母、小写字母、数字、符号中的至少 3 类。"
    ]


def test_applicants_keep_djangos_validators(zone):
    applicant = User(username="app", kind=UserKind.APPLICANT, zone=zone)
    assert errors("onlylowercase2026", applicant) == []
    assert errors("Ab-45678x", applicant) == []


@override_settings(ONEWINDOW_PASSWORD_MIN_LENGTH=14, ONEWINDOW_PASSWORD_MIN_CHARACTER_CLASSES=4)
def test_limits_are_settings(zone):
    staff = User(username="new", kind=UserKind.STAFF, zone=zone)
    assert "工作人员密码至少需要 14 个字符。" in errors("Abc-12345678", staff)
    assert errors("Abcd12345678xyz", staff) == [
        "工作人员密码需包含大写字母、小写字母、数字、符号中的至少 4 类。"
    ]


def test_help_texts_are_chinese():
    texts = password_validation.password_validators_help_texts()
    assert "工作人员密码至少 10 个字符。" in texts
    assert "不能与最近 5 次用过的密码相同。" in texts


def test_reuse_within_the_history_is_refused(clerk):
    # given the clerk changed the password four times (five passwords in all)
    for password in NEW:
        password_change(user=clerk, password=password)
    # then each of the last five is refused, the first one included
    for old in [PASSWORD, *NEW]:
        assert errors(old, clerk) == ["不能使用最近 5 次用过的密码。"], old


def test_reuse_after_n_other_passwords_is_allowed(clerk):
    for password in [*NEW, "Sixth-pass-2026"]:
        password_change(user=clerk, password=password)
    assert errors(PASSWORD, clerk) == []
    assert errors(NEW[0], clerk) == ["不能使用最近 5 次用过的密码。"]


def test_history_keeps_only_hashes_and_only_the_last_n(clerk):
    for password in [*NEW, "Sixth-pass-2026", "Seventh-pass-2026"]:
        password_change(user=clerk, password=password)
    rows = list(PasswordHistory.objects.filter(user=clerk))
    assert len(rows) == 5
    assert all(not row.password.startswith(("Second", "Third")) for row in rows)
    assert check_password("Seventh-pass-2026", rows[0].password)


def test_staff_create_runs_the_policy(zone):
    with pytest.raises(ValidationFailed) as caught:
        staff_create(zone=zone, username="weak", password="short", display_name="弱", roles=[])
    assert "工作人员密码至少需要 10 个字符。" in caught.value.fields["password"]
    assert not User.objects.filter(username="weak").exists()


def test_password_change_is_audited_without_the_password(clerk):
    password_change(user=clerk, password=NEW[0], ip_address="198.51.100.7")
    event = AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED).get()
    assert (event.actor, event.object_id, event.ip_address) == (
        "clerk",
        str(clerk.pk),
        "198.51.100.7",
    )
    assert NEW[0] not in str(event.data)
    clerk.refresh_from_db()
    assert clerk.check_password(NEW[0])


# -- the password-change page ----------------------------------------------------------------


def page_post(client, old=PASSWORD, new=NEW[0], again=None, **extra):
    data = {"old_password": old, "new_password1": new, "new_password2": again or new, **extra}
    return client.post(reverse("password_change"), data)


def test_page_needs_a_login(client, db):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_page_opens_with_three_labelled_fields(client, clerk):
    sign_in(client, clerk)
    html = client.get(reverse("password_change")).content.decode()
    for field in ["id_old_password", "id_new_password1", "id_new_password2"]:
        assert f'<label for="{field}"' in html


def test_page_changes_the_password_and_keeps_the_session(client, clerk):
    sign_in(client, clerk)
    response = page_post(client)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    clerk.refresh_from_db()
    assert clerk.check_password(NEW[0])
    assert client.get(reverse("home")).status_code == 200  # still signed in
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED).count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"old": "wrong-Password-1"}, "old_password", "原密码不正确"),
        ({"again": "Other-pass-2026"}, "new_password2", "两次输入的新密码不一致"),
        ({"new": "Short-1"}, "new_password1", "工作人员密码至少需要 10 个字符"),
        ({"new": "nouppercase-2026"}, None, None),  # three classes: accepted
        ({"new": "onlylowercase2026"}, "new_password1", "至少 3 类"),
        ({"new": PASSWORD}, "new_password1", "不能使用最近 5 次用过的密码"),
    ],
)
def test_page_refuses_each_bad_input_next_to_its_field(client, clerk, data, field, message):
    sign_in(client, clerk)
    response = page_post(client, **data)
    if field is None:
        assert response.status_code == 302
        return
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)


def test_page_returns_to_a_safe_next_only(client, clerk):
    sign_in(client, clerk)
    assert page_post(client, next="/calendar/")["Location"] == "/calendar/"
    clerk.refresh_from_db()
    assert page_post(client, old=NEW[0], new=NEW[1], next="https://evil.example/")[
        "Location"
    ] == reverse("home")


# -- expiry ------------------------------------------------------------------------------


def test_existing_accounts_are_not_expired_on_upgrade(clerk):
    assert clerk.password_changed_at is not None
    assert timezone.now() - clerk.password_changed_at < dt.timedelta(minutes=5)


def test_expired_staff_are_sent_to_change_their_password_first(client, clerk):
    with time_machine.travel(timezone.now() + dt.timedelta(days=91)):
        sign_in(client, clerk)
        response = client.get(reverse("cases:desk"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("password_change") + "?next=")
        api = client.get("/api/v1/tasks")
        assert api.status_code == 403 and api.json()["code"] == "password_expired"
        page = client.get(reverse("password_change"))
        assert page.status_code == 200 and "您的密码已超过 90 天未修改" in page.content.decode()
        # after the change everything opens again
        assert page_post(client).status_code == 302
        assert client.get(reverse("cases:desk")).status_code == 200


def test_fresh_staff_are_not_redirected(client, clerk):
    with time_machine.travel(timezone.now() + dt.timedelta(days=89)):
        sign_in(client, clerk)
        assert client.get(reverse("cases:desk")).status_code == 200


@override_settings(ONEWINDOW_PASSWORD_MAX_AGE_DAYS=0)
def test_max_age_zero_never_expires(client, clerk):
    with time_machine.travel(timezone.now() + dt.timedelta(days=3000)):
        sign_in(client, clerk)
        assert client.get(reverse("cases:desk")).status_code == 200


def test_applicants_never_expire(client, make_applicant_user):
    user = make_applicant_user()
    with time_machine.travel(timezone.now() + dt.timedelta(days=400)):
        client.force_login(user)
        assert client.get(reverse("home")).status_code == 200


def test_an_expired_session_may_still_log_out(client, clerk):
    with time_machine.travel(timezone.now() + dt.timedelta(days=91)):
        sign_in(client, clerk)
        response = client.post(reverse("logout"))
        assert response.status_code == 302
        assert not response["Location"].startswith(reverse("password_change"))


def test_demo_staff_pass_the_policy_and_are_not_expired(db):
    from onewindow.demo import org_data

    org_data.load()
    staff = User.objects.filter(kind=UserKind.STAFF)
    assert staff.exists()
    now = timezone.now()
    for user in staff:
        assert now - user.password_changed_at < dt.timedelta(days=1), user.username
    assert {Role.SECURITY_ADMIN, Role.AUDIT_ADMIN} <= {
        role for user in staff for role in user.role_set()
    }
