"""The case lifecycle (DESIGN.md, "The spine") as one table, and the cases vocabulary.

``ALLOWED_TRANSITIONS`` maps (status, action) to the next status, and
``ALLOWED_TASK_TRANSITIONS`` does the same for a task. The one transition helper
(``core.transitions.transition``, through ``services.common``) consults them
(``CASE_TRANSITIONS``, ``TASK_TRANSITIONS``); no other code assigns a status (ADR 0017).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.transitions import TransitionTable


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    CORRECTION_REQUESTED = "correction_requested", _("待补正")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    ACCEPTED = "accepted", _("已受理")
    IN_REVIEW = "in_review", _("审查中")
    SUSPENDED = "suspended", _("特别程序中")
    APPROVED = "approved", _("准予许可")
    DENIED = "denied", _("不予许可")
    DELIVERED = "delivered", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")


class CaseAction(models.TextChoices):
    """What moves a case (the verbs of the transition table)."""

    SUBMIT = "submit", _("提交")
    REQUEST_CORRECTION = "request_correction", _("补正告知")
    RESUBMIT = "resubmit", _("补正后重新提交")
    REFUSE = "refuse", _("不予受理")
    ACCEPT = "accept", _("受理")
    START_REVIEW = "start_review", _("进入审查")
    SUSPEND = "suspend", _("启动特别程序")
    RESUME = "resume", _("结束特别程序")
    APPROVE = "approve", _("准予许可")
    DENY = "deny", _("不予许可")
    DELIVER = "deliver", _("送达办结")
    WITHDRAW = "withdraw", _("撤回")


S, A = CaseStatus, CaseAction

#: (from status, action) → to status. Anything else is refused.
ALLOWED_TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, A.REQUEST_CORRECTION): S.CORRECTION_REQUESTED,
    (S.CORRECTION_REQUESTED, A.RESUBMIT): S.SUBMITTED,
    (S.SUBMITTED, A.REFUSE): S.NOT_ACCEPTED,
    (S.SUBMITTED, A.ACCEPT): S.ACCEPTED,
    (S.ACCEPTED, A.START_REVIEW): S.IN_REVIEW,
    (S.IN_REVIEW, A.SUSPEND): S.SUSPENDED,
    (S.SUSPENDED, A.RESUME): S.IN_REVIEW,
    (S.IN_REVIEW, A.APPROVE): S.APPROVED,
    (S.IN_REVIEW, A.DENY): S.DENIED,
    (S.APPROVED, A.DELIVER): S.DELIVERED,
    (S.DENIED, A.DELIVER): S.DELIVERED,
    # 撤回: from any state before a decision.
    (S.DRAFT, A.WITHDRAW): S.WITHDRAWN,
    (S.SUBMITTED, A.WITHDRAW): S.WITHDRAWN,
    (S.CORRECTION_REQUESTED, A.WITHDRAW): S.WITHDRAWN,
    (S.ACCEPTED, A.WITHDRAW): S.WITHDRAWN,
    (S.IN_REVIEW, A.WITHDRAW): S.WITHDRAWN,
    (S.SUSPENDED, A.WITHDRAW): S.WITHDRAWN,
}

del S, A

CASE_TRANSITIONS = TransitionTable(
    subject=_("办件"), statuses=CaseStatus, actions=CaseAction, moves=ALLOWED_TRANSITIONS
)

TERMINAL_STATUSES = frozenset({CaseStatus.NOT_ACCEPTED, CaseStatus.DELIVERED, CaseStatus.WITHDRAWN})
#: The clock runs (or is paused) in these statuses; lights are shown for them.
CLOCK_STATUSES = frozenset({CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW, CaseStatus.SUSPENDED})
DECIDED_STATUSES = frozenset({CaseStatus.APPROVED, CaseStatus.DENIED, CaseStatus.DELIVERED})
#: Waiting at the window (pre-review or correction).
INTAKE_STATUSES = frozenset({CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUESTED})


class CaseChannel(models.TextChoices):
    WINDOW = "window", _("窗口受理")
    ONLINE = "online", _("网上申请")


class AcceptanceMode(models.TextChoices):
    NORMAL = "normal", _("正常受理")
    TOLERATED = "tolerated", _("容缺受理")
    COMMITMENT = "commitment", _("告知承诺")


class Decision(models.TextChoices):
    APPROVED = "approved", _("准予许可")
    DENIED = "denied", _("不予许可")


class SuspensionKind(models.TextChoices):
    """特别程序 (行政许可法 art. 45): time not counted in the limit."""

    HEARING = "hearing", _("听证")
    TESTING = "testing", _("检验检测")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    PUBLIC_NOTICE = "public_notice", _("公示")
    INSPECTION = "inspection", _("检疫鉴定")
    BIDDING = "bidding", _("招标拍卖")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待签收")
    CLAIMED = "claimed", _("办理中")
    DONE = "done", _("已完成")
    RETURNED = "returned", _("已退回")
    CANCELLED = "cancelled", _("已取消")


ACTIVE_TASK_STATUSES = frozenset({TaskStatus.OPEN, TaskStatus.CLAIMED})


class TaskAction(models.TextChoices):
    """What moves a task (the verbs of its transition table)."""

    CLAIM = "claim", _("签收")
    COMPLETE = "complete", _("完成")
    RETURN = "return", _("退回")
    TRANSFER = "transfer", _("转办")
    CANCEL = "cancel", _("取消")


T, A = TaskStatus, TaskAction

#: (from status, action) → to status of a task. An open task may be worked on without
#: being claimed first (the acceptance step, done by the acceptance; a delivery); a
#: transfer hands it to a colleague claimed; a decision or a withdrawal cancels the rest.
ALLOWED_TASK_TRANSITIONS: dict[tuple[str, str], str] = {
    (T.OPEN, A.CLAIM): T.CLAIMED,
    (T.OPEN, A.COMPLETE): T.DONE,
    (T.CLAIMED, A.COMPLETE): T.DONE,
    (T.OPEN, A.RETURN): T.RETURNED,
    (T.CLAIMED, A.RETURN): T.RETURNED,
    (T.OPEN, A.TRANSFER): T.CLAIMED,
    (T.CLAIMED, A.TRANSFER): T.CLAIMED,
    (T.OPEN, A.CANCEL): T.CANCELLED,
    (T.CLAIMED, A.CANCEL): T.CANCELLED,
}

del T, A

TASK_TRANSITIONS = TransitionTable(
    subject=_("任务"), statuses=TaskStatus, actions=TaskAction, moves=ALLOWED_TASK_TRANSITIONS
)


class TaskKind(models.TextChoices):
    """A task's work: a workflow step (its kind from the catalog) or a co-review."""

    ACCEPTANCE = "acceptance", _("受理")
    REVIEW = "review", _("审查")
    INSPECTION = "inspection", _("现场核查")
    DECISION = "decision", _("决定")
    DELIVERY = "delivery", _("送达")
    CO_REVIEW = "co_review", _("会签")


class Light(models.TextChoices):
    """电子监察 lights (GLOSSARY.md, "Time limits")."""

    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")
    PAUSED = "paused", _("暂停计时")
    NONE = "none", _("不计时")


class MaterialState(models.TextChoices):
    UPLOADED = "uploaded", _("已提交")
    PAPER = "paper", _("窗口收取纸质材料")
    TOLERATED = "tolerated", _("容缺待补")
    COMMITTED = "committed", _("告知承诺替代")
    CERTIFICATE = "certificate", _("电子证照调取")
    SHARED = "shared", _("部门共享免提交")
    MISSING = "missing", _("未提交")


class MaterialVerdict(models.TextChoices):
    """The window's pre-review of one submitted material (预审结论); blank: not reviewed."""

    PASSED = "passed", _("通过")
    FAILED = "failed", _("不通过")


#: States in which a material counts as satisfied for acceptance.
SATISFIED_MATERIAL_STATES = frozenset(
    {
        MaterialState.UPLOADED,
        MaterialState.PAPER,
        MaterialState.CERTIFICATE,
        MaterialState.SHARED,
    }
)


class CaseEventAction:
    """Audit actions of cases (past tense; ``core.audit`` stores them)."""

    CREATED = "case.created"
    SUBMITTED = "case.submitted"
    CORRECTION_REQUESTED = "case.correction_requested"
    RESUBMITTED = "case.resubmitted"
    REFUSED = "case.refused"
    ACCEPTED = "case.accepted"
    REVIEW_STARTED = "case.review_started"
    SUSPENDED = "case.suspended"
    RESUMED = "case.resumed"
    EXTENDED = "case.extended"
    APPROVED = "case.approved"
    DENIED = "case.denied"
    DELIVERED = "case.delivered"
    WITHDRAWN = "case.withdrawn"
    MATERIAL_UPLOADED = "case.material_uploaded"
    MATERIAL_SUPPLEMENTED = "case.material_supplemented"
    MATERIAL_VIEWED = "case.material_viewed"
    #: 材料预审: the clerk's pass / fail (with the reason) of each submitted material.
    MATERIALS_PRE_REVIEWED = "case.materials_pre_reviewed"
    SUPPLEMENT_OVERDUE = "case.supplement_overdue"
    COMMITMENT_SIGNED = "case.commitment_signed"
    #: 经办人: the agent at the window and their written authorisation (ADR 0026).
    AGENT_RECORDED = "case.agent_recorded"
    #: 电子证照调取: a material filled from the applicant's certificate wallet (免提交).
    MATERIAL_FROM_CERTIFICATE = "case.material_from_certificate"
    #: 签发电子证照: the approval issued the item's certificate (its identifier in data).
    CERTIFICATE_ISSUED = "case.certificate_issued"
    #: 先出证后补: approved (and issued) before the tolerated materials were in.
    ISSUED_BEFORE_SUPPLEMENT = "case.issued_before_supplement"
    DEADLINE_RECOMPUTED = "case.deadline_recomputed"
    #: 文书编号: a written notice got its document number (文号), once (kind, number in data).
    NOTICE_ISSUED = "case.notice_issued"
    TASK_OPENED = "task.opened"
    TASK_CLAIMED = "task.claimed"
    TASK_COMPLETED = "task.completed"
    TASK_RETURNED = "task.returned"
    TASK_TRANSFERRED = "task.transferred"
    TASK_CANCELLED = "task.cancelled"
    TASK_LIGHT_CHANGED = "task.light_changed"
    CO_REVIEW_REQUESTED = "task.co_review_requested"


class DraftEventAction:
    """Audit actions of application drafts (申请草稿; ``object_id`` is the draft's pk)."""

    SAVED = "draft.saved"
    FILE_KEPT = "draft.file_kept"
    FILE_REMOVED = "draft.file_removed"
    DISCARDED = "draft.discarded"
    SUBMITTED = "draft.submitted"
    EXPIRED = "draft.expired"


#: The audit object type of draft events.
DRAFT_OBJECT_TYPE = "application_draft"
#: A draft is kept this many days after it was last saved, then removed with its files.
DRAFT_KEEP_DAYS = 30


#: The audit object type of case events (``object_id`` is the case number).
CASE_OBJECT_TYPE = "case"

#: 行政许可法 art. 42: one extension of at most 10 working days.
MAX_EXTENSION_DAYS = 10
#: GLOSSARY.md: 容缺 due date default, 5 working days from acceptance (configurable).
DEFAULT_TOLERANCE_DAYS = 5
#: GLOSSARY.md: lights; yellow when remaining ≤ max(1, ceil(20 % of the limit)).
YELLOW_SHARE_PERCENT = 20
#: The commitment verification deadline (zone's choice; GLOSSARY "Commitments").
DEFAULT_VERIFICATION_DAYS = 20

#: The text the applicant signs for 告知承诺 (shown, then hashed with the signature). Its
#: Chinese text is the binding one: it is what is signed, stored and printed, whatever the
#: page language (``services.commitment_text``); the translation helps a reader only.
COMMITMENT_TEXT = _(
    "告知承诺书\n"
    "申请人郑重承诺：\n"
    "一、已知晓行政机关告知的全部许可条件、所需材料和违反承诺的法律后果；\n"
    "二、所提交的申请材料及以本承诺替代的材料所涉事实真实、准确、完整，"
    "本申请符合许可条件；\n"
    "三、自愿接受行政机关及监管部门的核查；\n"
    "四、如承诺不实或违反承诺，愿意承担相应法律责任：行政机关可依法撤销已作出的许可决定，"
    "失信行为记入申请人信用记录。"
)
