"""What certificates contributes to the site's shell (``core.registry``, read by the portal):
the certificate list, its figures and the applicant's wallet in the main navigation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.core import registry
from onewindow.org.constants import Role

# Every staff role but the audit administrator, who reads the audit trail only.
registry.nav_entry(
    "certificates:list", _("电子证照"), order=70, roles=set(Role) - {Role.AUDIT_ADMIN}
)
registry.nav_entry(
    "certificates:stats",
    _("证照统计"),
    order=80,
    roles={Role.SUPERVISOR, Role.ANALYST, Role.ADMINISTRATOR},
)
registry.nav_entry("certificates:wallet", _("我的证照"), order=20, applicant=True)

# The audit codes certificates writes, in words (the audit trail, the home pages).
registry.audit_labels(
    {
        "certificate.issued": _("签发电子证照"),
        "certificate.revoked": _("注销电子证照"),
        "certificate.downloaded": _("下载电子证照"),
        "certificates.key_generated": _("生成证照签名密钥"),
        "certificates.key_rotated": _("轮换证照签名密钥"),
    }
)
