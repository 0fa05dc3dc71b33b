"""``onewindow demo-code USERNAME``: the current six-digit code of a demo staff member's
demo authenticator (docs/decisions/0009), for a person trying the demo without an
authenticator app at hand. Development mode only: a production instance refuses."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.demo.otp_data import DEVICE_NAME


class Command(BaseCommand):
    help = "Print the current code of a demo account's demo authenticator (development mode)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="a demo account that needs a second factor")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo-code 仅用于演示环境（ONEWINDOW_DEBUG=1）。")
        device = (
            TOTPDevice.objects.filter(user__username=options["username"], name=DEVICE_NAME)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise CommandError(
                f"账号 {options['username']} 没有演示验证器（先运行 onewindow demo）。"
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        seconds_left = device.step - (int(time.time()) - device.t0) % device.step
        self.stdout.write(f"{totp.token():0{device.digits}d}  （{seconds_left} 秒内有效）")
