from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("policies", "0002_profile")]

    operations = [
        migrations.AddField(
            model_name="matchrun",
            name="over_budget",
            field=models.PositiveIntegerField(default=0, verbose_name="超出预算未生成"),
        ),
    ]
