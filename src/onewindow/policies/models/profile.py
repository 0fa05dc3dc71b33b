"""The enterprise profile (一企一档): the current value of each fact with its source, and an
insert-only history of every change.

Values are JSON in the shapes :mod:`onewindow.policies.profile_values` documents (money and ratio
as decimal strings, dates ISO, the industry code with its edition, qualifications as a list
of ``{"code", "number", "valid_from", "valid_until"}``). Only the services write them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.org.models import Applicant


class FactSource(models.TextChoices):
    """Where a value came from."""

    DECLARED = "declared", _("申报")
    IMPORTED = "imported", _("导入")
    DEPARTMENT = "department", _("部门推送")
    CERTIFICATE = "certificate", _("证照")
    DERIVED = "derived", _("推算")


class EnterpriseFact(models.Model):
    """企业档案事实: the current value of one fact of one enterprise."""

    enterprise = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="facts", verbose_name=_("企业")
    )
    name = models.CharField(_("事实"), max_length=40)
    value = models.JSONField(_("值"))
    source = models.CharField(_("来源"), max_length=20, choices=FactSource.choices)
    #: The department, the import batch or the certificate number the value came from.
    source_detail = models.CharField(_("来源说明"), max_length=200, blank=True)
    as_of = models.DateField(_("数据日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        ordering = ["enterprise_id", "name"]
        verbose_name = _("企业档案事实")
        verbose_name_plural = _("企业档案事实")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "name"], name="enterprise_fact_unique")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.name}"


class FactChangeQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("fact changes are insert-only: they cannot be updated")

    def delete(self):
        raise TypeError("fact changes are insert-only: they cannot be deleted")


class FactChange(models.Model):
    """企业档案变更记录: one change of one fact (insert-only).

    ``old_value`` is None for a first value; ``new_value`` is None when a value was cleared.
    """

    enterprise = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="fact_changes", verbose_name=_("企业")
    )
    name = models.CharField(_("事实"), max_length=40)
    old_value = models.JSONField(_("原值"), null=True, blank=True)
    new_value = models.JSONField(_("新值"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=FactSource.choices)
    source_detail = models.CharField(_("来源说明"), max_length=200, blank=True)
    as_of = models.DateField(_("数据日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    objects = FactChangeQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise_id", "-recorded_at", "-id"]
        verbose_name = _("企业档案变更记录")
        verbose_name_plural = _("企业档案变更记录")
        indexes = [models.Index(fields=["enterprise", "name", "id"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.name} @ {self.recorded_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise TypeError("fact changes are insert-only: they cannot be updated")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("fact changes are insert-only: they cannot be deleted")
