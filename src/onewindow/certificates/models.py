"""E-certificates (电子证照). This issue brings the certificate types that catalog items
issue and accept; issuing, signing and verifying come with the certificates issue."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.org.models import Department


class CertificateType(models.Model):
    """证照类型: a kind of licence or certificate, e.g. 营业执照, 食品经营许可证.

    ``code`` is the type code of the national e-certificate identifier: the issuing
    authority's code followed by three digits (GLOSSARY.md, "E-certificate identifier").
    ``fields`` lists the certified facts: ``[{"key", "label", "type"}]`` with type one of
    text, date, number.
    """

    class Validity(models.TextChoices):
        PERMANENT = "permanent", _("长期有效")
        YEARS = "years", _("按年计算")

    code = models.CharField(
        _("证照类型代码"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                r"^[0-9A-Z]{1,37}[0-9]{3}$", _("证照类型代码应为发证机构代码加 3 位数字")
            )
        ],
    )
    name = models.CharField(_("证照名称"), max_length=100)
    issuing_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificate_types",
        verbose_name=_("发证部门"),
    )
    fields = models.JSONField(_("证照字段"), default=list, blank=True)
    validity = models.CharField(
        _("有效期规则"), max_length=20, choices=Validity.choices, default=Validity.PERMANENT
    )
    validity_years = models.PositiveSmallIntegerField(_("有效年限"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("证照类型")
        verbose_name_plural = _("证照类型")
        constraints = [
            models.CheckConstraint(
                name="certificate_type_validity_years",
                condition=(models.Q(validity="permanent", validity_years__isnull=True))
                | (models.Q(validity="years", validity_years__gte=1)),
            )
        ]

    def __str__(self) -> str:
        return self.name
