"""材料预审: each material's pass / fail at the window with the reason, by whom and when."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_notice_number"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="casematerial",
            name="review_reason",
            field=models.CharField(blank=True, max_length=200, verbose_name="预审意见"),
        ),
        migrations.AddField(
            model_name="casematerial",
            name="review_verdict",
            field=models.CharField(
                blank=True,
                choices=[("passed", "通过"), ("failed", "不通过")],
                max_length=10,
                verbose_name="预审结论",
            ),
        ),
        migrations.AddField(
            model_name="casematerial",
            name="reviewed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="预审时间"),
        ),
        migrations.AddField(
            model_name="casematerial",
            name="reviewed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="预审人",
            ),
        ),
        migrations.AddConstraint(
            model_name="casematerial",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("review_verdict", "failed"), _negated=True),
                    models.Q(("review_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="case_material_failed_has_reason",
            ),
        ),
    ]
