"""``onewindow grant-role``: grant (or ``--revoke``) a staff role from the command line.

The path to the first security administrator (ADR 0010)::

    onewindow createsuperuser --username root          # the bootstrap account, no role
    onewindow grant-role --by root alice security_admin

``--by`` names the account the grant is made by: a security administrator, or the
bootstrap superuser (a superuser holding no role). The grant goes through ``role_grant``,
so it is refused for oneself and across 三权分立, and is an ``org.role_granted`` event.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from onewindow.core.errors import ApplicationError
from onewindow.org.constants import Role
from onewindow.org.models import Department, User
from onewindow.org.services import role_grant, role_revoke


class Command(BaseCommand):
    help = "Grant a staff role (or revoke it with --revoke), as a security administrator."

    def add_arguments(self, parser):
        parser.add_argument("username", help="the staff account that receives the role")
        parser.add_argument("role", choices=Role.values, help="the role")
        parser.add_argument(
            "--by",
            required=True,
            help="the security administrator (or bootstrap superuser) making the grant",
        )
        parser.add_argument("--department", default="", help="department code (reviewer …)")
        parser.add_argument("--revoke", action="store_true", help="revoke instead of grant")

    def handle(self, *args, username: str, role: str, by: str, department: str, **options):
        actor = User.objects.filter(username=by).first()
        if actor is None:
            raise CommandError(f"账号 {by} 不存在")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"账号 {username} 不存在")
        unit = None
        if department:
            unit = Department.objects.filter(zone_id=user.zone_id, code=department).first()
            if unit is None:
                raise CommandError(f"部门 {department} 不存在")
        try:
            if options["revoke"]:
                role_revoke(actor=actor, user=user, role=role, department=unit)
            else:
                role_grant(actor=actor, user=user, role=role, department=unit)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        done = "已撤销" if options["revoke"] else "已授予"
        self.stdout.write(
            self.style.SUCCESS(f"{done} {username} 角色：{Role(role).label}（操作人 {by}）")
        )
