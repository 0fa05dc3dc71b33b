"""Inspections: for now, the verification of commitments (告知承诺核查).

A case accepted on a commitment opens one verification for the regulator of the item's
department (国办发〔2020〕42号: the organ verifies afterwards). The case is kept as plain
data (its number): ``inspections`` sits below ``cases`` and never imports it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.org.models import Applicant, Department, Zone


class VerificationStatus(models.TextChoices):
    OPEN = "open", _("待核查")
    CONFIRMED = "confirmed", _("核查属实")
    FALSE_COMMITMENT = "false_commitment", _("承诺不实")


class CommitmentVerification(models.Model):
    """告知承诺核查任务."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="+")
    case_number = models.CharField(_("办件编号"), max_length=32, db_index=True)
    item_name = models.CharField(_("事项名称"), max_length=200)
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("核查部门")
    )
    materials = models.JSONField(_("承诺替代的材料"), default=list)
    commitment_sha256 = models.CharField(_("承诺书摘要"), max_length=64)
    due_on = models.DateField(_("核查期限"))
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=VerificationStatus.choices,
        default=VerificationStatus.OPEN,
    )
    result_note = models.TextField(_("核查情况"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("告知承诺核查")
        verbose_name_plural = _("告知承诺核查")
        indexes = [
            models.Index(fields=["department", "status", "due_on"], name="verification_inbox")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "case_number"], name="one_verification_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_number} · {self.item_name}"
