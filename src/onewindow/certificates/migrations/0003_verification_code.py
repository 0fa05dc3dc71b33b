"""The 查验码 of every certificate: a random code of its own for each existing row (a
callable default in AddField would give them all one and the same)."""

from django.db import migrations, models

import onewindow.certificates.models


def fill_codes(apps, schema_editor):
    Certificate = apps.get_model("certificates", "Certificate")
    rows = list(Certificate.objects.only("pk"))
    for row in rows:
        row.verification_code = onewindow.certificates.models.new_verification_code()
    Certificate.objects.bulk_update(rows, ["verification_code"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0002_signing_and_certificates"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="verification_code",
            field=models.CharField(default="", editable=False, max_length=8, verbose_name="查验码"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_codes, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="certificate",
            name="verification_code",
            field=models.CharField(
                default=onewindow.certificates.models.new_verification_code,
                editable=False,
                max_length=8,
                verbose_name="查验码",
            ),
        ),
    ]
