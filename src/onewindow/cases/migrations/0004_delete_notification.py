"""``cases.Notification`` is gone: its rows live on in ``core.Notification`` (0003)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_notifications_to_core"),
    ]

    operations = [migrations.DeleteModel(name="Notification")]
