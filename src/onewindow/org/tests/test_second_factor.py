"""The second factor (TOTP, docs/decisions/0009): required for administrators, offered to
all staff; enrolment, the code step, recovery codes, disabling; wrong codes are audited and
throttled; the admin site and the API wait for it. Codes are real TOTP codes."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD, otp_login
from onewindow.core.audit import AuditAction
from onewindow.core.models import AuditEvent
from onewindow.org.constants import Role

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 5, 12, 9, 0, tzinfo=dt.UTC)
SETUP = "/account/second-factor/"
VERIFY = "/account/second-factor/verify/"
DISABLE = "/account/second-factor/disable/"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(START, tick=False) as clock:
        yield clock


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def wrong(device: TOTPDevice) -> str:
    return f"{(int(code(device)) + 1) % 1_000_000:06d}"


def log_in(client, username: str, password: str = PASSWORD, next_url: str = ""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def enrolled_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


# -- administrators must enrol -----------------------------------------------------------------


def test_an_administrator_without_a_device_is_sent_to_enrolment_and_nowhere_else(
    client, administrator
):
    response = log_in(client, "admin")
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home.url == f"{SETUP}?next=%2Fhome%2F"
    for url in ("/admin/", reverse("applicant_search"), "/admin/org/user/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(SETUP), url
    api = client.get("/api/v1/tasks")
    assert api.status_code == 403
    assert json.loads(api.content)["code"] == "second_factor_required"
    assert client.get(SETUP).status_code == 200
    assert client.post(reverse("logout")).status_code == 302


def test_enrolment_shows_the_secret_and_confirms_with_a_code(client, administrator, frozen_clock):
    client.force_login(administrator)

    page = client.get(SETUP, {"next": "/admin/"})

    html = page.content.decode()
    device = TOTPDevice.objects.get(user=administrator, confirmed=False)
    secret = base64.b32encode(device.bin_key).decode()
    assert re.sub(r"\s", "", re.search(r'id="otp-secret">([^<]+)<', html)[1]) == secret
    assert "otpauth://totp/" in html and "<svg" in html
    # a wrong code: refused and audited, nothing enabled
    refused = client.post(SETUP, {"otp_token": wrong(device), "next": "/admin/"})
    assert refused.status_code == 200 and "验证码不正确" in refused.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    frozen_clock.shift(dt.timedelta(seconds=2))  # django-otp's own wait after a wrong code
    # the right code, typed with full-width digits and a space
    typed = code(device).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    done = client.post(SETUP, {"otp_token": typed[:3] + " " + typed[3:], "next": "/admin/"})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([^<]+)</code></li>", done.content.decode())
    assert len(codes) == 5 and StaticToken.objects.count() == 5
    assert TOTPDevice.objects.get(user=administrator).confirmed
    assert client.get(reverse("home")).status_code == 200  # this session has passed it
    assert actions()[-2:] == [
        AuditAction.SECOND_FACTOR_FAILED,
        AuditAction.SECOND_FACTOR_ENROLLED,
    ]


# -- the code step ------------------------------------------------------------------------------


def test_a_staff_member_with_a_device_passes_the_code_step(client, administrator, frozen_clock):
    device = enrolled_device(administrator)
    log_in(client, "admin", next_url="/admin/")

    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    assert client.post(VERIFY, {"otp_token": wrong(device), "next": "/admin/"}).status_code == 200
    frozen_clock.shift(dt.timedelta(seconds=2))
    verified = client.post(VERIFY, {"otp_token": code(device), "next": "/admin/"})

    assert verified.status_code == 302 and verified.url == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert AuditAction.SECOND_FACTOR_FAILED in actions()
    assert actions()[-1] == AuditAction.SECOND_FACTOR_VERIFIED


def test_a_code_is_accepted_once(client, administrator):
    device = enrolled_device(administrator)
    log_in(client, "admin")
    token = code(device)
    assert client.post(VERIFY, {"otp_token": token}).status_code == 302

    other = type(client)()
    log_in(other, "admin")
    assert other.post(VERIFY, {"otp_token": token}).status_code == 200  # replay refused


def test_the_next_address_must_stay_on_the_site(client, administrator):
    device = enrolled_device(administrator)
    log_in(client, "admin")
    response = client.post(VERIFY, {"otp_token": code(device), "next": "https://evil.example/"})
    assert response.url == reverse("home")


def test_a_recovery_code_works_once(client, administrator):
    enrolled_device(administrator)
    otp_login(client, administrator)
    client.logout()
    static = administrator.staticdevice_set.create(name="recovery", confirmed=True)
    static.token_set.create(token="abcd2345")

    log_in(client, "admin")
    assert client.post(VERIFY, {"otp_token": "ABCD 2345"}).status_code == 302
    client.logout()
    log_in(client, "admin")
    assert client.post(VERIFY, {"otp_token": "abcd2345"}).status_code == 200


def test_wrong_codes_count_toward_the_login_throttle(client, administrator):
    device = enrolled_device(administrator)
    log_in(client, "admin")

    for _attempt in range(4):
        assert client.post(VERIFY, {"otp_token": wrong(device)}).status_code == 200
    locked = client.post(VERIFY, {"otp_token": wrong(device)})

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session  # the half-finished session ends
    assert log_in(client, "admin").status_code == 429  # the password no longer opens it
    assert actions().count(AuditAction.SECOND_FACTOR_FAILED) == 5
    assert AuditAction.LOCKED_OUT in actions()
    # a wrong code is not also recorded as a wrong password
    assert AuditAction.LOGIN_FAILED not in actions()[: actions().index(AuditAction.LOCKED_OUT)]


# -- other staff: offered, not required ---------------------------------------------------------


def test_a_clerk_without_a_device_is_not_asked(client, clerk):
    log_in(client, "clerk")
    assert client.get(reverse("home")).status_code == 200


def test_a_clerk_may_enrol_and_is_then_asked_at_each_login(client, clerk):
    log_in(client, "clerk")
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=clerk)
    client.post(SETUP, {"otp_token": code(device)})
    client.post(reverse("logout"))

    log_in(client, "clerk")

    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(VERIFY)


def test_a_clerk_disables_with_a_fresh_code(client, clerk, frozen_clock):
    device = enrolled_device(clerk)
    otp_login(client, clerk)
    frozen_clock.shift(dt.timedelta(seconds=60))

    assert client.post(DISABLE, {"otp_token": wrong(device)}).status_code == 422
    assert TOTPDevice.objects.filter(user=clerk).exists()
    frozen_clock.shift(dt.timedelta(seconds=2))
    assert client.post(DISABLE, {"otp_token": code(device)}).status_code == 302

    assert not TOTPDevice.objects.filter(user=clerk).exists()
    assert actions()[-1] == AuditAction.SECOND_FACTOR_DISABLED
    assert client.get(reverse("home")).status_code == 200


def test_an_administrator_cannot_disable(client, administrator, frozen_clock):
    device = enrolled_device(administrator)
    otp_login(client, administrator)
    frozen_clock.shift(dt.timedelta(seconds=60))

    response = client.post(DISABLE, {"otp_token": code(device)})

    assert response.status_code == 422 and "不能停用" in response.content.decode()
    assert TOTPDevice.objects.filter(user=administrator).exists()


def test_applicants_have_no_second_factor_pages(client, make_applicant_user):
    client.force_login(make_applicant_user())
    for url in (SETUP, VERIFY):
        assert client.get(url).status_code == 403
    assert client.post(DISABLE, {"otp_token": "123456"}).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    for url in (SETUP, VERIFY):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


@override_settings(ONEWINDOW_OTP_REQUIRED_ROLES=["window_clerk"])
def test_the_required_roles_are_a_setting(client, clerk):
    log_in(client, "clerk")
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(SETUP)


def test_the_default_setting_names_the_administrator_roles(settings):
    assert {"administrator", "security_admin", "audit_admin"} <= set(
        settings.ONEWINDOW_OTP_REQUIRED_ROLES
    )


def test_the_profile_links_to_the_second_factor(client, clerk):
    client.force_login(clerk)
    html = client.get(reverse("home")).content.decode()
    assert 'id="second-factor-link"' in html and "未启用" in html


# -- the admin site ----------------------------------------------------------------------------


def test_the_admin_login_sends_to_the_site_login(client, db):
    response = client.get("/admin/login/", {"next": "/admin/org/user/"})
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/admin/org/user/"


def test_a_verified_administrator_reaches_the_admin_an_unverified_one_does_not(client, make_staff):
    root = make_staff(Role.ADMINISTRATOR, username="root")
    root.is_superuser = True
    root.save(update_fields=["is_superuser"])
    enrolled_device(root)
    client.force_login(root)
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/login/").url.startswith(VERIFY)

    otp_login(client, root)

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/org/department/").status_code == 200


def test_the_admin_refuses_a_signed_in_non_staff_user(client, make_applicant_user):
    client.force_login(make_applicant_user())
    assert client.get("/admin/login/").status_code == 403
