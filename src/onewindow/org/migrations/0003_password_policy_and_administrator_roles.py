# The staff password policy and the three administrators (ADR 0010).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def passwords_changed_now(apps, schema_editor):
    """Existing accounts start their password age at the upgrade: nobody is locked out."""
    User = apps.get_model("org", "User")
    User.objects.filter(password_changed_at__isnull=True).update(
        password_changed_at=django.utils.timezone.now()
    )


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0002_user_manager'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='password_changed_at',
            field=models.DateTimeField(null=True, verbose_name='密码修改时间'),
        ),
        migrations.RunPython(passwords_changed_now, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name='roleassignment',
            name='role',
            field=models.CharField(choices=[('window_clerk', '综合窗口人员'), ('reviewer', '审批科室审查人员'), ('decider', '审批决定人'), ('supervisor', '电子监察人员'), ('regulator', '监管人员'), ('administrator', '系统管理员'), ('analyst', '领导与分析人员'), ('security_admin', '安全管理员'), ('audit_admin', '审计管理员')], max_length=30, verbose_name='角色'),
        ),
        migrations.CreateModel(
            name='PasswordHistory',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('password', models.CharField(max_length=128, verbose_name='密码哈希')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='设置时间')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='password_history', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '历史密码',
                'verbose_name_plural': '历史密码',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['user', '-created_at'], name='org_passwor_user_id_e41cde_idx')],
            },
        ),
    ]
