"""The audit chain off the request path (ADR 0004): events are written unchained, their hash
links move to ``core_auditlink`` (insert-only), signed checkpoints to ``core_auditcheckpoint``.

Existing events keep their chain: each becomes a link with the same sequence and hashes (the
hashed payload is unchanged), so a chain that verified before verifies after. On PostgreSQL
events get the inserting transaction's id (``xid8``), which the chainer orders by.
"""

import django.db.models.deletion
from django.db import migrations, models

COPY_LINKS = """
INSERT INTO core_auditlink (sequence, event_id, previous_hash, hash)
SELECT sequence, id, previous_hash, hash FROM core_auditevent ORDER BY sequence
"""

POSTGRESQL_CREATE = """
ALTER TABLE core_auditevent ADD COLUMN transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX core_auditevent_transaction_idx ON core_auditevent (transaction_id, id);
CREATE OR REPLACE FUNCTION onewindow_audit_insert_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditlink_append_only
    BEFORE UPDATE OR DELETE ON core_auditlink
    FOR EACH ROW EXECUTE FUNCTION onewindow_audit_insert_only();
CREATE TRIGGER core_auditcheckpoint_append_only
    BEFORE UPDATE OR DELETE ON core_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION onewindow_audit_insert_only();
CREATE OR REPLACE FUNCTION onewindow_audit_head_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'core_auditchainhead cannot be deleted';
    END IF;
    IF NEW.sequence < OLD.sequence OR (NEW.sequence = OLD.sequence AND NEW.hash <> OLD.hash) THEN
        RAISE EXCEPTION 'core_auditchainhead moves forward only (#% to #%)',
            OLD.sequence, NEW.sequence;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditchainhead_forward_only
    BEFORE UPDATE OR DELETE ON core_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION onewindow_audit_head_forward_only();
"""

POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS core_auditchainhead_forward_only ON core_auditchainhead;
DROP FUNCTION IF EXISTS onewindow_audit_head_forward_only();
DROP TRIGGER IF EXISTS core_auditcheckpoint_append_only ON core_auditcheckpoint;
DROP TRIGGER IF EXISTS core_auditlink_append_only ON core_auditlink;
DROP FUNCTION IF EXISTS onewindow_audit_insert_only();
DROP INDEX IF EXISTS core_auditevent_transaction_idx;
ALTER TABLE core_auditevent DROP COLUMN IF EXISTS transaction_id;
"""


def _sqlite_append_only(table: str) -> list[str]:
    return [
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
           BEGIN SELECT RAISE(ABORT, '{table} is append-only (UPDATE refused)'); END;""",
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
           BEGIN SELECT RAISE(ABORT, '{table} is append-only (DELETE refused)'); END;""",
    ]


# Rebuilding core_auditevent (SQLite drops a unique column by copying the table) dropped
# its triggers: they are made again here, with those of the new tables.
SQLITE_CREATE = [
    *_sqlite_append_only("core_auditevent"),
    *_sqlite_append_only("core_auditlink"),
    *_sqlite_append_only("core_auditcheckpoint"),
    """CREATE TRIGGER core_auditchainhead_forward_only BEFORE UPDATE ON core_auditchainhead
       WHEN NEW.sequence < OLD.sequence OR (NEW.sequence = OLD.sequence AND NEW.hash <> OLD.hash)
       BEGIN SELECT RAISE(ABORT, 'core_auditchainhead moves forward only'); END;""",
    """CREATE TRIGGER core_auditchainhead_no_delete BEFORE DELETE ON core_auditchainhead
       BEGIN SELECT RAISE(ABORT, 'core_auditchainhead cannot be deleted'); END;""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS core_auditchainhead_no_delete;",
    "DROP TRIGGER IF EXISTS core_auditchainhead_forward_only;",
    "DROP TRIGGER IF EXISTS core_auditcheckpoint_no_update;",
    "DROP TRIGGER IF EXISTS core_auditcheckpoint_no_delete;",
    "DROP TRIGGER IF EXISTS core_auditlink_no_update;",
    "DROP TRIGGER IF EXISTS core_auditlink_no_delete;",
]


def copy_links(apps, schema_editor):
    schema_editor.execute(COPY_LINKS)


def create_database_objects(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # params=None: the "%" of RAISE must reach PostgreSQL, not the placeholder parser.
        schema_editor.execute(POSTGRESQL_CREATE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def drop_database_objects(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_notification_template"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sequence", models.PositiveBigIntegerField(unique=True, verbose_name="序号")),
                ("hash", models.CharField(max_length=64, verbose_name="哈希")),
                ("created_at", models.DateTimeField(verbose_name="签署时间")),
                ("key_id", models.CharField(max_length=64, verbose_name="密钥标识")),
                (
                    "algorithm",
                    models.CharField(default="Ed25519", max_length=16, verbose_name="算法"),
                ),
                ("signature", models.CharField(max_length=128, verbose_name="签名")),
            ],
            options={
                "verbose_name": "审计链检查点",
                "verbose_name_plural": "审计链检查点",
                "ordering": ["sequence"],
            },
        ),
        migrations.CreateModel(
            name="AuditLink",
            fields=[
                (
                    "sequence",
                    models.PositiveBigIntegerField(
                        primary_key=True, serialize=False, verbose_name="序号"
                    ),
                ),
                ("previous_hash", models.CharField(max_length=64, verbose_name="前一哈希")),
                ("hash", models.CharField(max_length=64, unique=True, verbose_name="哈希")),
            ],
            options={
                "verbose_name": "审计链环节",
                "verbose_name_plural": "审计链环节",
                "ordering": ["sequence"],
            },
        ),
        migrations.AddField(
            model_name="auditlink",
            name="event",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="link",
                to="core.auditevent",
                verbose_name="事件",
            ),
        ),
        migrations.RunPython(copy_links, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name="auditevent",
            options={
                "ordering": ["id"],
                "verbose_name": "审计事件",
                "verbose_name_plural": "审计事件",
            },
        ),
        migrations.RemoveIndex(
            model_name="auditevent",
            name="core_audite_object__04da63_idx",
        ),
        migrations.RemoveIndex(
            model_name="auditevent",
            name="core_audite_actor_i_a755e6_idx",
        ),
        migrations.RemoveField(
            model_name="auditevent",
            name="hash",
        ),
        migrations.RemoveField(
            model_name="auditevent",
            name="previous_hash",
        ),
        migrations.RemoveField(
            model_name="auditevent",
            name="sequence",
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["object_type", "object_id", "id"], name="core_audite_object__9f5c03_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["actor_id", "id"], name="core_audite_actor_i_6dfa73_idx"),
        ),
        migrations.RunPython(create_database_objects, drop_database_objects),
    ]
