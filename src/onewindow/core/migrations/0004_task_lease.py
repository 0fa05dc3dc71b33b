import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_throttle_count"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.CreateModel(
            name="TaskLease",
            fields=[
                (
                    "task_result",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="lease",
                        serialize=False,
                        to="django_tasks_database.dbtaskresult",
                        verbose_name="任务",
                    ),
                ),
                ("worker_id", models.CharField(max_length=64, verbose_name="执行进程")),
                ("taken_at", models.DateTimeField(verbose_name="开始时间")),
                ("renewed_at", models.DateTimeField(verbose_name="最近心跳")),
                ("expires_at", models.DateTimeField(db_index=True, verbose_name="到期时间")),
            ],
            options={
                "verbose_name": "任务租约",
                "verbose_name_plural": "任务租约",
                "ordering": ["expires_at"],
            },
        ),
    ]
