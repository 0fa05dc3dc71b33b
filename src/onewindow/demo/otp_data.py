"""Demo-only second factors (docs/decisions/0009): the demo staff whose roles require one
get a TOTP device with a fixed secret, which ``onewindow demo`` prints beside the logins,
so a person trying the demo adds it to any authenticator app. The secrets are public, like
the demo password: never load the demo into a real installation."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.demo import org_data
from onewindow.org.constants import UserKind
from onewindow.org.models import User
from onewindow.org.second_factor import requires_device

DEVICE_NAME = "demo TOTP"


@dataclass(frozen=True)
class DemoSecondFactor:
    username: str
    secret: str  # base32, as authenticator apps take it
    otpauth_uri: str


def demo_key(username: str) -> str:
    """The fixed demo secret of ``username`` (20 bytes, hex, as django-otp stores it)."""
    return hashlib.sha256(f"onewindow-demo-totp:{username}".encode()).hexdigest()[:40]


def load() -> list[DemoSecondFactor]:
    """Give each demo staff member whose roles require a second factor their demo device
    (running it twice changes nothing) and return what to print."""
    usernames = [spec[0] for spec in org_data.STAFF]
    factors = []
    for user in User.objects.filter(kind=UserKind.STAFF, username__in=usernames).order_by(
        "username"
    ):
        if not requires_device(user):
            continue
        device = TOTPDevice.objects.filter(user=user, name=DEVICE_NAME).first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=user, name=DEVICE_NAME, key=demo_key(user.username), confirmed=True
            )
        secret = base64.b32encode(device.bin_key).decode("ascii")
        factors.append(DemoSecondFactor(user.username, secret, device.config_url))
    return factors
