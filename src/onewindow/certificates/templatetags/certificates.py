"""``{% verification_path identifier %}``: the public check of the certificate named by a
stored identifier (a material's reference), its 查验码 included; "" when none."""

from django import template

from onewindow.certificates.identifiers import normalise
from onewindow.certificates.models import Certificate

register = template.Library()


@register.simple_tag
def verification_path(identifier: str) -> str:
    certificate = (
        Certificate.objects.filter(identifier=normalise(identifier))
        .only("identifier", "verification_code")
        .first()
    )
    return certificate.verification_path() if certificate else ""
