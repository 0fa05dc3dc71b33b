# Every account has a password age from now on (filled by 0003 for existing ones).

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0003_password_policy_and_administrator_roles'),
    ]

    operations = [
        migrations.AlterField(
            model_name='user',
            name='password_changed_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='密码修改时间'),
        ),
    ]
