from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "onewindow.org"
    label = "org"
    verbose_name = _("组织机构")

    def ready(self) -> None:
        from onewindow.org import auth_audit  # noqa: F401  (connects the login recorders)
