"""What a case keeps beside its own row: its materials and 告知承诺, the notices it was
issued (and their numbers), the agent who brought a walk-in application, and the online
applications not yet submitted (drafts)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.cases.constants import (
    MaterialState,
    MaterialVerdict,
)
from onewindow.cases.models.case import Case
from onewindow.catalog.models import Bundle, Item, Material
from onewindow.core.identifiers import mask_identifier
from onewindow.org.models import Zone


class NoticeNumberSequence(models.Model):
    """The last document number (文号) given out per zone, kind of notice and year (locked
    to number, so the numbers of a kind and year have no gaps)."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["zone_id", "kind", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "kind", "year"], name="notice_number_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.zone_id}-{self.kind}-{self.year}: {self.last}"


class IssuedNotice(models.Model):
    """A written notice of a case as issued: its document number (文号, e.g.
    示经开受字〔2026〕第123号), given once, its date and the staff member who acted."""

    case = models.ForeignKey(
        "Case", on_delete=models.PROTECT, related_name="issued_notices", verbose_name=_("办件")
    )
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("文书种类"), max_length=20)
    year = models.PositiveSmallIntegerField(_("年度"))
    sequence = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("文号"), max_length=64)
    issued_on = models.DateField(_("成文日期"))
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("经办人"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["zone_id", "kind", "year", "sequence"]
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="issued_notice_once_per_case"),
            models.UniqueConstraint(
                fields=["zone", "kind", "year", "sequence"], name="issued_notice_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.number


def material_upload_path(instance: CaseMaterial, filename: str) -> str:
    # ``filename`` is ours (a random token + the extension of the detected type), never
    # the uploader's name.
    return f"cases/{instance.case.zone_id}/{instance.case_id}/{filename}"


def material_storage():
    """Outside the web root: files are served only through the case's permission check."""
    from django.core.files.storage import storages

    return storages["case_materials"]


class CaseMaterial(models.Model):
    """A material of a case: uploaded, tolerated (容缺), replaced by a commitment, …"""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="materials")
    material = models.ForeignKey(
        Material, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("材料名称"), max_length=200)
    merge_key = models.CharField(max_length=220)
    required = models.BooleanField(_("必要"), default=True)
    tolerable = models.BooleanField(_("可容缺"), default=False)
    commitment_allowed = models.BooleanField(_("可告知承诺"), default=False)
    state = models.CharField(
        _("状态"), max_length=20, choices=MaterialState.choices, default=MaterialState.MISSING
    )
    token = models.CharField(max_length=40, blank=True)
    file = models.FileField(
        _("文件"),
        upload_to=material_upload_path,
        storage=material_storage,
        blank=True,
        max_length=200,
    )
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    supplemented_at = models.DateTimeField(_("补齐时间"), null=True, blank=True)
    reference = models.CharField(_("证照或共享数据标识"), max_length=200, blank=True)
    review_verdict = models.CharField(
        _("预审结论"), max_length=10, choices=MaterialVerdict.choices, blank=True
    )
    review_reason = models.CharField(_("预审意见"), max_length=200, blank=True)
    reviewed_at = models.DateTimeField(_("预审时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("预审人"),
    )

    class Meta:
        ordering = ["case_id", "position"]
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="case_material_position"),
            # A material failed at pre-review says why (the correction notice repeats it).
            models.CheckConstraint(
                condition=~Q(review_verdict="failed") | ~Q(review_reason=""),
                name="case_material_failed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Commitment(models.Model):
    """告知承诺: the text the applicant signed in place of named materials."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="commitment")
    text = models.TextField(_("承诺书内容"))
    text_sha256 = models.CharField(_("承诺书摘要（SHA-256）"), max_length=64)
    signed_name = models.CharField(_("承诺人"), max_length=100)
    signed_at = models.DateTimeField(_("签署时间"))
    materials = models.JSONField(_("以承诺替代的材料"), default=list)

    class Meta:
        ordering = ["case_id"]
        verbose_name = _("告知承诺书")
        verbose_name_plural = _("告知承诺书")

    def __str__(self) -> str:
        return f"{self.case} · {self.signed_name}"


def agent_authorisation_path(instance: CaseAgent, filename: str) -> str:
    # ``filename`` is ours (a random token + the extension of the detected type).
    return f"cases/{instance.case.zone_id}/{instance.case_id}/agent-{filename}"


class CaseAgent(models.Model):
    """经办人: the person who came to the window for the applicant, with a written
    authorisation (授权委托书) the clerk checked and filed (ADR 0026). The ID number is
    shown masked on every page."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="agent")
    name = models.CharField(_("经办人姓名"), max_length=100)
    id_number = models.CharField(_("经办人居民身份证号码"), max_length=18)
    phone = models.CharField(_("经办人联系电话"), max_length=20)
    authorisation = models.FileField(
        _("授权委托书"),
        upload_to=agent_authorisation_path,
        storage=material_storage,
        max_length=200,
    )
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        ordering = ["case_id"]
        verbose_name = _("经办人")
        verbose_name_plural = _("经办人")

    def __str__(self) -> str:
        return f"{self.case} · {self.name}"

    @property
    def masked_id_number(self) -> str:
        return mask_identifier(self.id_number)


def draft_upload_path(instance: DraftFile, filename: str) -> str:
    # ``filename`` is ours (a random token + the detected type's extension).
    return f"drafts/{instance.draft.user_id}/{filename}"


class ApplicationDraft(models.Model):
    """申请草稿: an online application not yet submitted, kept for its applicant user with
    the files already given, so that a form that failed (or that they left) loses
    nothing. One per user and item, or per user and bundle; it expires (ADR 0027)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="application_drafts",
        verbose_name=_("申请人账号"),
    )
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    bundle = models.ForeignKey(
        Bundle, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("申请事项"), max_length=200)
    applicant_key = models.CharField(_("所选申请人"), max_length=20, blank=True)
    form_data = models.JSONField(_("已填写的内容"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("保存时间"))
    expires_at = models.DateTimeField(_("保留至"))

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("申请草稿")
        verbose_name_plural = _("申请草稿")
        constraints = [
            models.CheckConstraint(
                name="draft_item_or_bundle",
                condition=Q(item__isnull=False, bundle__isnull=True)
                | Q(item__isnull=True, bundle__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["user", "item"], condition=Q(item__isnull=False), name="draft_user_item"
            ),
            models.UniqueConstraint(
                fields=["user", "bundle"],
                condition=Q(bundle__isnull=False),
                name="draft_user_bundle",
            ),
        ]
        indexes = [models.Index(fields=["expires_at"], name="draft_expires_at")]

    def __str__(self) -> str:
        return f"{self.user} · {self.title}"


class DraftFile(models.Model):
    """A file kept in a draft for one material line (checked like every upload)."""

    draft = models.ForeignKey(ApplicationDraft, on_delete=models.CASCADE, related_name="files")
    merge_key = models.CharField(_("材料"), max_length=200)
    name = models.CharField(_("材料名称"), max_length=200)
    file = models.FileField(upload_to=draft_upload_path, storage=material_storage, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=255, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        ordering = ["draft_id", "id"]
        verbose_name = _("草稿材料")
        verbose_name_plural = _("草稿材料")
        constraints = [
            models.UniqueConstraint(fields=["draft", "merge_key"], name="draft_file_per_material")
        ]

    def __str__(self) -> str:
        return f"{self.draft} · {self.name}"
