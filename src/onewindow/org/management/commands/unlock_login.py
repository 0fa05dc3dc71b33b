"""``onewindow unlock-login --username NAME | --address IP``: lift a login lock early.

Calls the same service as the admin's unlock action; the unlock is an audit-chain event
naming who ran the command (the operating-system account).
"""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError

from onewindow.core.errors import ValidationFailed
from onewindow.org.auth_services import login_unlock


class Command(BaseCommand):
    help = "Lift the login lock of one account or one network address (audited)."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--username", help="the account name")
        target.add_argument("--address", help="the client IP address")

    def handle(self, *args, username: str | None, address: str | None, **options):
        actor = f"cli:{getpass.getuser()}"
        try:
            cleared = login_unlock(actor=actor, username=username, ip_address=address)
        except ValidationFailed as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            self.style.SUCCESS(f"已解除锁定：{username or address}（清除 {cleared} 条失败记录）")
        )
