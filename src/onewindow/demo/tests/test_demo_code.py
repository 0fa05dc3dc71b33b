"""``onewindow demo-code``: the demo authenticator's current code, development mode only."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.demo import otp_data
from onewindow.org.constants import Role


@pytest.fixture
def demo_admin(make_staff):
    user = make_staff(Role.ADMINISTRATOR, username="admin")
    return TOTPDevice.objects.create(
        user=user, name=otp_data.DEVICE_NAME, key=otp_data.demo_key("admin"), confirmed=True
    )


def test_prints_a_code_the_device_accepts(demo_admin, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo_code", "admin", stdout=out)
    code = out.getvalue().split()[0]
    assert len(code) == 6 and code.isdigit()
    assert demo_admin.verify_token(code)


def test_refused_outside_development_mode(demo_admin, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="仅用于演示环境"):
        call_command("demo_code", "admin", stdout=io.StringIO())


def test_an_account_without_a_demo_device_is_named(db, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="nobody"):
        call_command("demo_code", "nobody", stdout=io.StringIO())
