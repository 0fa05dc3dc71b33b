from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "onewindow.certificates"
    label = "certificates"
    verbose_name = _("电子证照")

    def ready(self) -> None:
        from onewindow.certificates import checks  # noqa: F401  (registers the key checks)
        from onewindow.certificates.audit_signing import SIGNER
        from onewindow.core import registry

        registry.audit_signer(SIGNER)
