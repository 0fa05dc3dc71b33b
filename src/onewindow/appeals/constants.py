"""The appeals vocabulary (诉求工单, GLOSSARY.md "Appeals"): statuses, actions and the
transition table, audit names, roles, limits."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.transitions import TransitionTable
from onewindow.org.constants import Role


class Nature(models.TextChoices):
    """诉求性质 (GB/T 39666-2020)."""

    CONSULT = "consult", _("咨询")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")
    SUGGESTION = "suggestion", _("建议")


#: Natures that may be filed anonymously (anyone else must say who they are).
ANONYMOUS_NATURES = frozenset({Nature.REPORT, Nature.SUGGESTION})


class Urgency(models.TextChoices):
    """紧急程度: picks the time limit together with the nature."""

    NORMAL = "normal", _("一般")
    DIFFICULT = "difficult", _("疑难")
    URGENT = "urgent", _("紧急")


class LimitUnit(models.TextChoices):
    """How a time limit counts: working days of the zone calendar (day of receipt not
    counted, due at the end of the working day) or natural hours round the clock."""

    WORKING_DAYS = "working_days", _("工作日")
    NATURAL_HOURS = "natural_hours", _("自然小时")


class Channel(models.TextChoices):
    """Where the appeal came in."""

    ONLINE = "online", _("网上提交")
    HOTLINE = "hotline", _("热线来电")
    IMPORT = "import", _("12345平台推送")
    RATING = "rating", _("差评转诉求")


class AppealStatus(models.TextChoices):
    RECEIVED = "received", _("待派单")
    DISPATCHED = "dispatched", _("待签收")
    HANDLING = "handling", _("办理中")
    RETURN_REQUESTED = "return_requested", _("退回待审")
    REPLIED = "replied", _("答复待审")
    ANSWERED = "answered", _("已答复待回访")
    CLOSED = "closed", _("已办结")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    TRANSFERRED = "transferred", _("已转紧急热线")
    MERGED = "merged", _("已合并")


#: Statuses where the order is still being worked (its clock runs).
OPEN_STATUSES = frozenset(
    {
        AppealStatus.RECEIVED,
        AppealStatus.DISPATCHED,
        AppealStatus.HANDLING,
        AppealStatus.RETURN_REQUESTED,
        AppealStatus.REPLIED,
    }
)
#: Statuses that end the order for good (no reopen).
FINAL_STATUSES = frozenset(
    {AppealStatus.NOT_ACCEPTED, AppealStatus.TRANSFERRED, AppealStatus.MERGED}
)


class AppealAction(models.TextChoices):
    """What moves an appeal (the verbs of its transition table)."""

    ANSWER_NOW = "answer_now", _("即时办结")
    REFUSE = "refuse", _("不予受理")
    TRANSFER = "transfer", _("转紧急热线")
    DISPATCH = "dispatch", _("派单")
    SIGN = "sign", _("签收")
    RETURN = "return", _("申请退回")
    REDISPATCH = "redispatch", _("改派")
    DESIGNATE = "designate", _("指定承办")
    REPLY = "reply", _("答复")
    APPROVE_REPLY = "approve_reply", _("审核通过答复")
    REJECT_REPLY = "reject_reply", _("退回重办")
    VISIT = "visit", _("回访办结")
    REOPEN = "reopen", _("重办")
    CLOSE = "close", _("办结")
    MERGE = "merge", _("合并")


S, A = AppealStatus, AppealAction

#: 受理 → 派单 → 签收 → 办理 → 答复 → 审核 → 回访 → 办结, with 退回 / 指定, 重办 and 合并
#: (GLOSSARY.md). Anything else is refused with a 409 naming the status and the action.
#: Extensions and 督办 do not move the status (they are rows of their own).
APPEAL_TRANSITIONS = TransitionTable(
    subject=_("诉求工单"),
    statuses=AppealStatus,
    actions=AppealAction,
    moves={
        (S.RECEIVED, A.ANSWER_NOW): S.CLOSED,
        (S.RECEIVED, A.REFUSE): S.NOT_ACCEPTED,
        (S.RECEIVED, A.TRANSFER): S.TRANSFERRED,
        (S.RECEIVED, A.DISPATCH): S.DISPATCHED,
        (S.DISPATCHED, A.SIGN): S.HANDLING,
        (S.DISPATCHED, A.RETURN): S.RETURN_REQUESTED,
        (S.HANDLING, A.RETURN): S.RETURN_REQUESTED,
        (S.RETURN_REQUESTED, A.REDISPATCH): S.DISPATCHED,
        (S.RETURN_REQUESTED, A.DESIGNATE): S.DISPATCHED,
        (S.HANDLING, A.REPLY): S.REPLIED,
        (S.REPLIED, A.APPROVE_REPLY): S.ANSWERED,
        (S.REPLIED, A.REJECT_REPLY): S.HANDLING,
        (S.ANSWERED, A.VISIT): S.CLOSED,
        (S.ANSWERED, A.REOPEN): S.HANDLING,
        (S.CLOSED, A.REOPEN): S.HANDLING,
        (S.ANSWERED, A.CLOSE): S.CLOSED,
        (S.RECEIVED, A.MERGE): S.MERGED,
        (S.DISPATCHED, A.MERGE): S.MERGED,
        (S.HANDLING, A.MERGE): S.MERGED,
        (S.RETURN_REQUESTED, A.MERGE): S.MERGED,
    },
)

del S, A


class ClosingKind(models.TextChoices):
    """How a closed order ended (for the figures)."""

    INSTANT = "instant", _("即时办结")
    VISITED = "visited", _("回访办结")
    CENTRE = "centre", _("中心办结")


class RedirectChannel(models.TextChoices):
    """不予受理: the channel the requester is told to use instead (not counted as overdue)."""

    LITIGATION = "litigation", _("诉讼")
    ARBITRATION = "arbitration", _("仲裁")
    PETITION = "petition", _("信访")
    DISCIPLINE = "discipline", _("纪检监察")
    ADMINISTRATIVE_REVIEW = "administrative_review", _("行政复议")
    DISCLOSURE = "disclosure", _("政府信息公开")
    REPEAT = "repeat", _("重复诉求（无新情况）")


class EmergencyService(models.TextChoices):
    """Emergencies transferred at once, recorded without a clock (国办发〔2022〕12号)."""

    POLICE = "110", _("110 报警")
    FIRE = "119", _("119 火警")
    AMBULANCE = "120", _("120 急救")
    TRAFFIC = "122", _("122 交通事故")


class Satisfaction(models.TextChoices):
    """回访满意度."""

    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


#: Satisfaction levels counted as satisfied in the satisfaction rate (docs/appeals.md).
SATISFIED_LEVELS = frozenset({Satisfaction.SATISFIED, Satisfaction.BASICALLY})


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("主办")
    CO = "co", _("协办")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("未同意")


class ReturnStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    REDISPATCHED = "redispatched", _("已改派")
    DESIGNATED = "designated", _("已指定承办")
    LATE = "late", _("超时退回被拒")


class SupervisionLevel(models.TextChoices):
    """督办 levels, mildest first."""

    DAILY = "daily", _("日常督办")
    LISTED = "listed", _("挂牌督办")
    INTERVIEW = "interview", _("约谈督办")


class SupervisionTrigger(models.TextChoices):
    OVERDUE = "overdue", _("超期未办结")
    SIGN_REFUSED = "sign_refused", _("拒签退回")
    REOPENED_TWICE = "reopened_twice", _("两次及以上重办")
    BAD_VISIT = "bad_visit", _("回访不满意")
    MANUAL = "manual", _("人工督办")


class SupervisionStatus(models.TextChoices):
    OPEN = "open", _("督办中")
    ANSWERED = "answered", _("已反馈")
    CLOSED = "closed", _("已销号")


class AppealEvent:
    """Audit actions (past tense; ``core.audit`` stores them)."""

    RECEIVED = "appeal.received"
    ANSWERED_NOW = "appeal.answered_now"
    REFUSED = "appeal.refused"
    TRANSFERRED = "appeal.transferred"
    DISPATCHED = "appeal.dispatched"
    SIGNED = "appeal.signed"
    RETURN_REQUESTED = "appeal.return_requested"
    RETURN_REFUSED_LATE = "appeal.return_refused_late"
    REDISPATCHED = "appeal.redispatched"
    DESIGNATED = "appeal.designated"
    EXTENSION_REQUESTED = "appeal.extension_requested"
    EXTENSION_DECIDED = "appeal.extension_decided"
    REPLIED = "appeal.replied"
    REPLY_APPROVED = "appeal.reply_approved"
    REPLY_REJECTED = "appeal.reply_rejected"
    VISITED = "appeal.visited"
    REOPENED = "appeal.reopened"
    CLOSED = "appeal.closed"
    MERGED = "appeal.merged"
    SUPERVISED = "appeal.supervised"
    SUPERVISION_ANSWERED = "appeal.supervision_answered"
    SUPERVISION_CLOSED = "appeal.supervision_closed"
    PART_ADDED = "appeal.part_added"
    IMPORTED = "appeal.imported"
    DEADLINES_RECOMPUTED = "appeal.deadlines_recomputed"
    REQUESTER_VIEWED = "appeal.requester_viewed"
    SETTINGS_CHANGED = "appeal_settings.changed"
    ARTICLE_SAVED = "knowledge.article_saved"


#: Audit object types (``object_id`` is the row's primary key).
APPEAL_OBJECT_TYPE = "appeal"
SETTINGS_OBJECT_TYPE = "appeal_settings"
ARTICLE_OBJECT_TYPE = "knowledge_article"

#: Who does what (DESIGN.md "Who uses it"; the permission walk writes it down).
OPERATOR_ROLES = frozenset({Role.HOTLINE_OPERATOR})
CENTRE_ROLES = frozenset({Role.DISPATCHER})
DEPARTMENT_ROLES = frozenset({Role.APPEAL_HANDLER})
SUPERVISION_ROLES = frozenset({Role.SUPERVISOR})
#: Staff who may see the requester of a confidential appeal (the centre; audited).
CONFIDENTIAL_READER_ROLES = OPERATOR_ROLES | CENTRE_ROLES | SUPERVISION_ROLES
#: Staff who read appeals at all (each within their scope: zone or department).
READER_ROLES = OPERATOR_ROLES | CENTRE_ROLES | DEPARTMENT_ROLES | SUPERVISION_ROLES

#: Defaults of a zone's AppealSettings (GLOSSARY.md, "Appeals").
DEFAULT_RETURN_WINDOW_HOURS = 24
DEFAULT_SIGN_WITHIN_WORKING_HOURS = 2
DEFAULT_REOPEN_WINDOW_DAYS = 10
DEFAULT_MAX_EXTENSIONS = 1
DEFAULT_WARN_PERCENT = 80
DEFAULT_DUPLICATE_WINDOW_DAYS = 30
#: (nature-independent) default limits per urgency: (unit, amount).
DEFAULT_LIMITS = {
    Urgency.NORMAL: (LimitUnit.WORKING_DAYS, 5),
    Urgency.DIFFICULT: (LimitUnit.WORKING_DAYS, 15),
    Urgency.URGENT: (LimitUnit.NATURAL_HOURS, 2),
}

MAX_SUBJECT_LENGTH = 80
MAX_TEXT_LENGTH = 4000
NUMBER_PREFIX = "SQ"


# -- follow-up and supervision (回访, 重办, 办结, 合并, 督办) ----------------------------------


class SupervisionAction(models.TextChoices):
    """What moves a 督办 (the verbs of its own small table)."""

    ANSWER = "answer", _("督办反馈")
    CLOSE = "close", _("督办销号")


_SS, _SA = SupervisionStatus, SupervisionAction

#: 督办中 → 已反馈 → 已销号; a supervisor may also close (销号) one not yet answered.
SUPERVISION_TRANSITIONS = TransitionTable(
    subject=_("督办"),
    statuses=SupervisionStatus,
    actions=SupervisionAction,
    moves={
        (_SS.OPEN, _SA.ANSWER): _SS.ANSWERED,
        (_SS.OPEN, _SA.CLOSE): _SS.CLOSED,
        (_SS.ANSWERED, _SA.CLOSE): _SS.CLOSED,
    },
)

del _SS, _SA

#: Open orders that may be merged into another (and the open orders they may go into).
MERGEABLE_STATUSES = frozenset(
    {
        AppealStatus.RECEIVED,
        AppealStatus.DISPATCHED,
        AppealStatus.HANDLING,
        AppealStatus.RETURN_REQUESTED,
    }
)
#: Orders a department holds, against which a 督办 may be raised.
SUPERVISABLE_STATUSES = frozenset(
    {
        AppealStatus.DISPATCHED,
        AppealStatus.HANDLING,
        AppealStatus.RETURN_REQUESTED,
        AppealStatus.REPLIED,
    }
)
#: Who raises a 督办 by hand: 电子监察 and the centre.
SUPERVISE_ROLES = SUPERVISION_ROLES | CENTRE_ROLES
#: A reopen that brings the count to this raises the REOPENED_TWICE 督办.
REOPENS_FOR_SUPERVISION = 2
#: The longest deadline a manual 督办 may give (working days).
MAX_SUPERVISION_DAYS = 30

#: Step actions of 督办 (AppealStep.action; they do not move the order's status).
STEP_SUPERVISED = "supervise"
STEP_SUPERVISION_ANSWERED = "supervision_answer"
STEP_SUPERVISION_CLOSED = "supervision_close"

#: Notification kinds of follow-up and supervision (appeals/notifications.py).
MERGED_NOTIFICATION = "appeal_merged"
SUPERVISED_NOTIFICATION = "appeal_supervised"
# -- reports (figures, weekly 督查通报, public statistics) ------------------------------------

#: Notification kind: the weekly 督查通报 is ready (to the zone's 电子监察人员).
WEEKLY_REPORT_NOTIFICATION = "appeal_weekly_report"
#: Who reads the figures, the weekly report and a department's late and open orders.
REPORT_READER_ROLES = SUPERVISION_ROLES | CENTRE_ROLES | frozenset({Role.ANALYST})
# -- the clock ---------------------------------------------------------------------------------

#: Orders whose deadline follows a change of the calendar: open and not yet replied. A
#: replied order keeps the deadline its reply was judged against (``overdue`` is fixed
#: then); if the centre sends the reply back, the order is open again and follows.
RECOUNTED_STATUSES = OPEN_STATUSES - {AppealStatus.REPLIED}
#: Orders recomputed per transaction (their rows are locked meanwhile).
RECOMPUTE_CHUNK_SIZE = 10_000
# -- intake -----------------------------------------------------------------------------------


class CallOutcome(models.TextChoices):
    """What the hotline seat did with a call (来电登记)."""

    DISPATCH = "dispatch", _("登记转派单")
    ANSWER_NOW = "answer_now", _("知识库即时答复（即时办结）")
    REFUSE = "refuse", _("不予受理（告知其他渠道）")
    EMERGENCY = "emergency", _("紧急求助，转 110/119/120/122")


#: The history step of an order received (created in status "received"; not a move).
STEP_RECEIVE = "receive"
#: Words of the steps that are not actions of the transition table.
STEP_LABELS = {STEP_RECEIVE: _("受理登记")}

#: Notification kind: the requester's user is told the number on receipt.
RECEIVED_NOTIFICATION = "appeal_received"

#: Attachments of one appeal (each checked by content, cases/uploads.py).
MAX_ATTACHMENTS = 5
MAX_NAME_LENGTH = 100
MAX_PHONE_LENGTH = 20
MAX_UPSTREAM_ID_LENGTH = 64
MAX_POLICY_LENGTH = 64
# -- handling (the centre and the departments) --------------------------------------------------


class HandlingStep(models.TextChoices):
    """Steps of the order's history that do not move its status (``AppealStep.action``
    besides the moves of ``AppealAction``)."""

    CO_SIGN = "co_sign", _("协办签收")
    ADD_PART = "add_part", _("协办意见")
    LATE_RETURN = "late_return", _("超时退回被拒")
    EXTENSION_REQUEST = "extension_request", _("申请延期")
    EXTENSION_APPROVE = "extension_approve", _("同意延期")
    EXTENSION_REFUSE = "extension_refuse", _("不同意延期")


class HandlingEvent:
    """Audit actions of handling that ``AppealEvent`` does not name."""

    CO_SIGNED = "appeal.co_signed"


#: Notification kinds of handling: an order dispatched to a department (its handlers), a
#: reply sent out to the requester.
DISPATCHED_NOTIFICATION = "appeal_dispatched"
ANSWERED_NOTIFICATION = "appeal_answered"

#: The most working days one extension may add.
MAX_EXTENSION_DAYS = 30
