"""The item catalog (事项清单): items with versions, materials, workflows; bundles (一件事).

An :class:`Item` is the stable identity of an implementation-list entry (its codes); every
element a guide shows lives on an :class:`ItemVersion`. A published version is immutable;
editing makes a new draft; publishing it retires the previous one. Cases keep the exact
version they were accepted under.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.constants import (
    DelegationLevel,
    DelegationStatus,
    HandlingKind,
    ItemType,
    MaterialMedium,
    MaterialSource,
    OnlineDepth,
    StepKind,
    StepRole,
    VersionStatus,
)
from onewindow.certificates.models import CertificateType
from onewindow.core.errors import Conflict
from onewindow.org.models import Department, Window, Zone

# What may still change on a published version: its retirement, nothing else.
RETIREMENT_FIELDS = frozenset({"status", "retired_at", "updated_at"})


def _frozen() -> Conflict:
    return Conflict(_("已发布的事项版本不可修改，请先创建新的草稿版本"), code="version_not_draft")


class Item(models.Model):
    """政务服务事项: the identity of one implementation-list entry in a zone.

    ``implementation_code`` (实施编码, 31 characters) = the implementing organ's USCC (18)
    + level digit (1) + ``basic_code`` (基本编码, 12). Both are checked by
    :func:`onewindow.catalog.codes.validate_item_codes`.
    """

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="items")
    implementation_code = models.CharField(_("实施编码"), max_length=31)
    basic_code = models.CharField(_("基本编码"), max_length=12, db_index=True)
    search_terms = models.TextField(
        _("搜索别名"),
        blank=True,
        help_text=_(
            "群众常用的叫法，每行一个（也可用逗号或顿号分隔）：俗称、简称、口语说法和英文名，"
            "如“办执照”“社保”“work permit”。搜索事项名称、办理结果和这些别名都能找到本事项；"
            "修改后立即生效，无需发布新版本。"
        ),
    )
    # ``search_terms`` folded for matching (search_keys.folded_terms), kept by the services.
    terms_folded = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["implementation_code"]
        verbose_name = _("事项")
        verbose_name_plural = _("事项")
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "implementation_code"], name="item_code_unique_in_zone"
            )
        ]

    def __str__(self) -> str:
        return self.implementation_code


class ItemVersionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=VersionStatus.PUBLISHED)


class ItemVersion(models.Model):
    """One version of an item's implementation-list elements (实施清单要素)."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(
        _("状态"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    change_note = models.CharField(_("修订说明"), max_length=200, blank=True)

    name = models.CharField(_("事项名称"), max_length=200)
    item_type = models.CharField(_("事项类型"), max_length=2, choices=ItemType.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="item_versions",
        verbose_name=_("实施机关"),
    )
    legal_basis = models.TextField(_("设定依据"))
    legal_citations = models.JSONField(
        _("依据条款"),
        default=list,
        blank=True,
        help_text=_("每条一项，如《中华人民共和国行政许可法》第四十二条"),
    )
    legal_limit_days = models.PositiveSmallIntegerField(_("法定办结时限（工作日）"))
    promised_limit_days = models.PositiveSmallIntegerField(_("承诺办结时限（工作日）"))
    handling_kind = models.CharField(_("办件类型"), max_length=20, choices=HandlingKind.choices)
    acceptance_conditions = models.TextField(_("受理条件"), blank=True)
    fee_free = models.BooleanField(_("不收费"), default=True)
    fee_amount = models.DecimalField(
        _("收费金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    fee_basis = models.TextField(_("收费依据"), blank=True)
    required_visits = models.PositiveSmallIntegerField(_("到办事现场次数"), default=1)
    online_depth = models.CharField(_("网办深度"), max_length=1, choices=OnlineDepth.choices)
    delegated_from_level = models.CharField(
        _("赋权来源层级"), max_length=20, choices=DelegationLevel.choices, blank=True, default=""
    )
    delegated_from_organ = models.CharField(_("赋权来源机关"), max_length=100, blank=True)
    delegation_agreement_date = models.DateField(_("赋权协议日期"), null=True, blank=True)
    delegation_status = models.CharField(
        _("承接状态"), max_length=20, choices=DelegationStatus.choices, blank=True, default=""
    )
    windows = models.ManyToManyField(Window, blank=True, verbose_name=_("办理窗口"))
    consultation_phone = models.CharField(_("咨询电话"), max_length=50, blank=True)
    complaint_phone = models.CharField(_("投诉电话"), max_length=50, blank=True)
    certificate_type = models.ForeignKey(
        CertificateType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issuing_item_versions",
        verbose_name=_("办理结果（证照）"),
    )
    result_name = models.CharField(_("办理结果名称"), max_length=100, blank=True)
    #: 先出证后补: a 容缺 case of this item may be issued its certificate and handed its
    #: result before the tolerated materials are in (by default it may not); the legal
    #: basis that allows it is required.
    issue_before_supplement = models.BooleanField(
        _("先出证后补"),
        default=False,
        help_text=_("容缺受理的办件可在容缺材料补齐前签发证照、送达结果；须填写依据"),
    )
    issue_before_supplement_basis = models.TextField(_("先出证后补依据"), blank=True)

    # Search columns, derived from the name by the services (pypinyin, search_keys.fold),
    # and from the result: its name and the certificate type's, folded.
    name_pinyin = models.CharField(max_length=800, blank=True, editable=False, db_index=True)
    name_initials = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    name_folded = models.CharField(max_length=200, blank=True, editable=False)
    result_folded = models.CharField(max_length=300, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ItemVersionQuerySet.as_manager()

    class Meta:
        ordering = ["item_id", "-version"]
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="item_version_unique"),
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(status="published"),
                name="item_one_published_version",
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(status="draft"),
                name="item_one_draft_version",
            ),
            models.CheckConstraint(
                name="item_promised_within_legal_limit",
                condition=models.Q(promised_limit_days__lte=models.F("legal_limit_days")),
            ),
            models.CheckConstraint(
                name="item_issue_before_supplement_has_basis",
                condition=models.Q(issue_before_supplement=False)
                | ~models.Q(issue_before_supplement_basis=""),
            ),
            models.CheckConstraint(
                name="item_fee_amount_matches_free_flag",
                condition=models.Q(fee_free=True, fee_amount__isnull=True)
                | models.Q(fee_free=False, fee_amount__gt=0),
            ),
        ]
        indexes = [models.Index(fields=["status", "item_type"])]

    def __str__(self) -> str:
        return f"{self.name}（v{self.version}）"

    # A published or retired version is what cases were accepted under: the services
    # never write it again but to retire it, and these guards refuse anyone else who tries
    # (an admin form, a script). ``_stored_status`` is the status as last read or saved.
    def save(self, *args, **kwargs):
        if self.is_frozen:
            update_fields = kwargs.get("update_fields")
            if update_fields is None or not set(update_fields) <= RETIREMENT_FIELDS:
                raise _frozen()
        super().save(*args, **kwargs)
        self._stored_status = self.status

    def delete(self, *args, **kwargs):
        if self.is_frozen:
            raise _frozen()
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_status = instance.__dict__.get("status")
        return instance

    @property
    def is_frozen(self) -> bool:
        """Published or retired (as stored): its elements, materials and steps are final."""
        stored = getattr(self, "_stored_status", None)
        return stored is not None and stored != VersionStatus.DRAFT

    @property
    def is_fully_online(self) -> bool:
        return self.required_visits == 0

    @property
    def is_immediate(self) -> bool:
        return self.handling_kind == HandlingKind.IMMEDIATE


class VersionPart(models.Model):
    """A row belonging to one item version: frozen with it once the version is published."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.version.is_frozen:
            raise _frozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.version.is_frozen:
            raise _frozen()
        return super().delete(*args, **kwargs)


class Material(VersionPart):
    """申请材料 of one item version."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("材料名称"), max_length=200)
    required = models.BooleanField(_("必要"), default=True)
    originals = models.PositiveSmallIntegerField(_("原件份数"), default=0)
    copies = models.PositiveSmallIntegerField(_("复印件份数"), default=0)
    medium = models.CharField(
        _("材料形式"), max_length=20, choices=MaterialMedium.choices, default=MaterialMedium.BOTH
    )
    source = models.CharField(
        _("来源渠道"),
        max_length=20,
        choices=MaterialSource.choices,
        default=MaterialSource.APPLICANT,
    )
    certificate_type = models.ForeignKey(
        CertificateType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="materials",
        verbose_name=_("对应证照"),
    )
    source_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("共享部门"),
    )
    template = models.FileField(_("空白表格"), upload_to="catalog/templates/", blank=True)
    sample = models.FileField(_("示例样表"), upload_to="catalog/samples/", blank=True)
    notes = models.TextField(_("填报说明"), blank=True)
    tolerable = models.BooleanField(_("可容缺"), default=False)
    commitment_allowed = models.BooleanField(_("可告知承诺"), default=False)

    class Meta:
        ordering = ["version_id", "position"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"], name="material_position_unique"
            ),
            models.CheckConstraint(
                name="material_certificate_source",
                condition=models.Q(source="certificate", certificate_type__isnull=False)
                | ~models.Q(source="certificate"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def merge_key(self) -> str:
        """Two materials with the same key are the same document (asked once in a bundle)."""
        if self.certificate_type_id:
            return f"certificate:{self.certificate_type_id}"
        return "name:" + "".join(self.name.split())


class Step(VersionPart):
    """环节: one step of an item version's workflow, a node of a small DAG."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("序号"))
    key = models.SlugField(_("环节编码"), max_length=40)
    name = models.CharField(_("环节名称"), max_length=100)
    kind = models.CharField(_("环节类型"), max_length=20, choices=StepKind.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办理部门"),
    )
    role = models.CharField(_("办理角色"), max_length=20, choices=StepRole.choices)
    limit_days = models.PositiveSmallIntegerField(_("环节时限（工作日）"), default=0)
    after = models.JSONField(_("前置环节"), default=list, blank=True)

    class Meta:
        ordering = ["version_id", "position"]
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="step_key_unique"),
            models.UniqueConstraint(fields=["version", "position"], name="step_position_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Bundle(models.Model):
    """一件事: several items handled as one (one form, one set of materials, one delivery)."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="bundles")
    code = models.SlugField(_("一件事编码"), max_length=40)
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("简介"), blank=True)
    lead_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("牵头部门")
    )
    promised_limit_days = models.PositiveSmallIntegerField(_("承诺办结时限（工作日）"))
    required_visits = models.PositiveSmallIntegerField(_("到办事现场次数"), default=1)
    form_fields = models.JSONField(
        _("共用申请表字段"),
        default=list,
        blank=True,
        help_text=_(
            '[{"key": "company_name", "label": "企业名称", "type": "text", "required": true}]'
        ),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    items = models.ManyToManyField(Item, through="BundleItem", related_name="bundles")
    search_terms = models.TextField(
        _("搜索别名"),
        blank=True,
        help_text=_(
            "群众常用的叫法，每行一个（也可用逗号或顿号分隔）：俗称、口语说法和英文名，"
            "如“开公司”“办执照”。搜索名称、简介和这些别名都能找到本一件事。"
        ),
    )
    # Search columns kept by the services: pinyin of the name, and the name, the terms and
    # the description folded (search_keys.fold).
    name_pinyin = models.CharField(max_length=800, blank=True, editable=False)
    name_initials = models.CharField(max_length=200, blank=True, editable=False)
    name_folded = models.CharField(max_length=200, blank=True, editable=False)
    terms_folded = models.TextField(blank=True, editable=False)
    description_folded = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["zone_id", "code"]
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")
        constraints = [
            models.UniqueConstraint(fields=["zone", "code"], name="bundle_code_unique_in_zone")
        ]

    def __str__(self) -> str:
        return self.name


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="bundle_items")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("序号"))

    class Meta:
        ordering = ["bundle_id", "position"]
        verbose_name = _("一件事包含的事项")
        verbose_name_plural = _("一件事包含的事项")
        constraints = [
            models.UniqueConstraint(fields=["bundle", "item"], name="bundle_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.bundle} · {self.item}"
