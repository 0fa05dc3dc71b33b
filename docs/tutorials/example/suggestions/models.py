"""意见建议: what an applicant tells a zone about its service hall, and the zone's answer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.org.models import Zone
from suggestions.constants import MAX_SUBJECT_LENGTH, MAX_TEXT_LENGTH, SuggestionStatus


class Suggestion(models.Model):
    """意见建议: submitted by an applicant's user, answered by a window clerk of the zone,
    closed by the author accepting the answer (or by staff some days after it)."""

    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, related_name="+", verbose_name=_("开发区")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提出人"),
    )
    subject = models.CharField(_("标题"), max_length=MAX_SUBJECT_LENGTH)
    content = models.TextField(_("内容"), max_length=MAX_TEXT_LENGTH)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=SuggestionStatus.choices,
        default=SuggestionStatus.SUBMITTED,
    )
    answer = models.TextField(_("答复"), blank=True, max_length=MAX_TEXT_LENGTH)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("答复人"),
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("意见建议")
        verbose_name_plural = _("意见建议")
        constraints = [
            models.CheckConstraint(
                name="suggestion_status_known",
                condition=Q(status__in=SuggestionStatus.values),
            ),
            # An answered or closed suggestion has its answer.
            models.CheckConstraint(
                name="suggestion_answered_has_answer",
                condition=Q(status=SuggestionStatus.SUBMITTED)
                | (~Q(answer="") & Q(answered_at__isnull=False)),
            ),
        ]
        indexes = [models.Index(fields=["zone", "status"], name="suggestion_zone_status")]

    def __str__(self) -> str:
        return self.subject
