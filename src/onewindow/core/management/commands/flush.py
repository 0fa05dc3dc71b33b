"""``flush`` that also works on SQLite, where the audit log's triggers refuse DELETE.

Django's flush empties tables with ``TRUNCATE`` on PostgreSQL (row triggers do not fire)
and with ``DELETE`` on SQLite, where the audit tables' append-only triggers abort it:
``onewindow flush`` and every transactional test (``live_server``, ``transaction=True``)
then fail. On SQLite the triggers are set aside for the flush and restored verbatim
afterwards, so both databases behave the same: flush empties everything, audit log included.
"""

from django.core.management.commands.flush import Command as DjangoFlushCommand
from django.db import DEFAULT_DB_ALIAS, connections

AUDIT_TABLES = ("core_auditevent", "core_auditlink", "core_auditcheckpoint", "core_auditchainhead")


class Command(DjangoFlushCommand):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                f"AND tbl_name IN ({', '.join(['%s'] * len(AUDIT_TABLES))})",
                list(AUDIT_TABLES),
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                for _name, sql in triggers:
                    cursor.execute(sql)
