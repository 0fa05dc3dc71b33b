"""The national vocabulary of items (GLOSSARY.md, "Identifiers" and "Item elements")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemType(models.TextChoices):
    """事项类型: the national type codes of items on application (GB/T 39554.1-2020 data)."""

    ADMINISTRATIVE_LICENSING = "01", _("行政许可")
    ADMINISTRATIVE_PAYMENT = "05", _("行政给付")
    ADMINISTRATIVE_CONFIRMATION = "07", _("行政确认")
    ADMINISTRATIVE_REWARD = "08", _("行政奖励")
    ADMINISTRATIVE_ADJUDICATION = "09", _("行政裁决")
    OTHER_POWER = "10", _("其他行政权力")
    PUBLIC_SERVICE = "20", _("公共服务")


class HandlingKind(models.TextChoices):
    """办件类型."""

    IMMEDIATE = "immediate", _("即办件")
    PROMISED = "promised", _("承诺件")


class OnlineDepth(models.TextChoices):
    """网办深度: Ⅰ online guide … Ⅳ fully online."""

    GUIDE = "1", _("Ⅰ级（网上咨询）")
    PRE_REVIEW = "2", _("Ⅱ级（网上预审）")
    ONE_VISIT = "3", _("Ⅲ级（网上办理，最多跑一次）")
    FULLY_ONLINE = "4", _("Ⅳ级（全程网办）")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


class DelegationLevel(models.TextChoices):
    """赋权: the level an item's power was handed down from (none when the zone's own)."""

    NONE = "", _("无（本级事项）")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县（区）级")


class DelegationStatus(models.TextChoices):
    ACCEPTED = "accepted", _("已承接")
    NOT_ACCEPTED = "not_accepted", _("未承接")


class MaterialMedium(models.TextChoices):
    PAPER = "paper", _("纸质")
    ELECTRONIC = "electronic", _("电子")
    BOTH = "both", _("纸质或电子")


class MaterialSource(models.TextChoices):
    """Where a material comes from (免提交 when the data is shared or a certificate exists)."""

    APPLICANT = "applicant", _("申请人自备")
    CERTIFICATE = "certificate", _("电子证照调取")
    DEPARTMENT = "department", _("部门共享")
    NOT_NEEDED = "not_needed", _("数据共享，免提交")


class StepKind(models.TextChoices):
    """The kind of a workflow step (受理 → 审查 → 决定 → 送达 for standard items)."""

    ACCEPTANCE = "acceptance", _("受理")
    REVIEW = "review", _("审查")
    INSPECTION = "inspection", _("现场核查")
    DECISION = "decision", _("决定")
    DELIVERY = "delivery", _("送达")


class StepRole(models.TextChoices):
    """Who holds a step's task (the roles of ``org.constants.Role`` that do casework)."""

    WINDOW_CLERK = "window_clerk", _("综合窗口人员")
    REVIEWER = "reviewer", _("审批科室审查人员")
    DECIDER = "decider", _("审批决定人")
