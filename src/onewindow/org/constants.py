"""Roles and kinds of the organisation."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Staff roles (DESIGN.md, "Who uses it")."""

    WINDOW_CLERK = "window_clerk", _("综合窗口人员")
    REVIEWER = "reviewer", _("审批科室审查人员")
    DECIDER = "decider", _("审批决定人")
    SUPERVISOR = "supervisor", _("电子监察人员")
    REGULATOR = "regulator", _("监管人员")
    #: The system administrator (系统管理员): catalog, calendar, zone settings.
    ADMINISTRATOR = "administrator", _("系统管理员")
    ANALYST = "analyst", _("领导与分析人员")
    #: The security administrator (安全管理员): staff accounts, role grants, unlocks.
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    #: The audit administrator (审计管理员): reads the audit trail and nothing else.
    AUDIT_ADMIN = "audit_admin", _("审计管理员")
    #: The hotline seat (话务员 / 坐席): records calls as appeals, answers from the knowledge base.
    HOTLINE_OPERATOR = "hotline_operator", _("话务员")
    #: The centre's dispatcher (派单员): dispatches appeals, reviews returns, extensions, replies.
    DISPATCHER = "dispatcher", _("派单员")
    #: A department's appeal handler (诉求承办人员): signs, works and replies to appeals.
    APPEAL_HANDLER = "appeal_handler", _("诉求承办人员")
    #: A department's policy officer (政策专员): enters policies and their redeemable items.
    POLICY_OFFICER = "policy_officer", _("政策专员")


#: Roles whose work is bound to a department (the assignment must name one).
DEPARTMENT_ROLES = frozenset(
    {Role.REVIEWER, Role.DECIDER, Role.REGULATOR, Role.APPEAL_HANDLER, Role.POLICY_OFFICER}
)

#: The three administrators of 等保三级 三权分立: one person holds at most one of them.
ADMINISTRATOR_ROLES = frozenset({Role.ADMINISTRATOR, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

#: Roles whose holders sign in to the admin site (``is_staff``).
ADMIN_SITE_ROLES = frozenset({Role.ADMINISTRATOR, Role.SECURITY_ADMIN})


class UserKind(models.TextChoices):
    STAFF = "staff", _("工作人员")
    APPLICANT = "applicant", _("申请人")


class DepartmentKind(models.TextChoices):
    APPROVAL_BUREAU = "approval_bureau", _("行政审批局")
    FUNCTIONAL = "functional", _("职能部门")
    VERTICAL = "vertical", _("垂直管理部门")
    SERVICE_CENTER = "service_center", _("政务服务中心")
    OFFICE = "office", _("内设科室")


class WindowKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("综合受理窗口")
    SPECIALIZED = "specialized", _("专业窗口")
    DELIVERY = "delivery", _("统一出件窗口")
    ASSISTANCE = "assistance", _("帮办代办窗口")


class ApplicantKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    PERSON = "person", _("个人")
    FOREIGNER = "foreigner", _("外国人")


class Capacity(models.TextChoices):
    """In what capacity a user acts for an applicant."""

    SELF = "self", _("本人")
    LEGAL_REPRESENTATIVE = "legal_representative", _("法定代表人")
    HANDLER = "handler", _("经办人")
    AGENT = "agent", _("代办员")


class CalendarOverrideKind(models.TextChoices):
    CLOSED = "closed", _("停止办公")
    OPEN = "open", _("照常办公")
