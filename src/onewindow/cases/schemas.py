"""The shapes of the cases API: one schema per input (each action has its own) and the
outputs. No rules here: what a value may be beyond its type is the services' business.

Inputs forbid unknown fields, so a misspelt field ("reasons") is named in the 422 instead
of being silently ignored. Numbers are strict (``core.inputs.Reference``/``Integer``):
``true`` or ``"1"`` is not an id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from onewindow.cases.constants import AcceptanceMode, Decision, SuspensionKind
from onewindow.core.inputs import Integer, Reference

#: Pagination of the inbox.
MAX_LIMIT = 200
MAX_OFFSET = 1_000_000
#: Idempotency keys (the column's length).
MAX_IDEMPOTENCY_KEY_LENGTH = 100

AcceptanceModeIn = Literal[tuple(AcceptanceMode.values)]  # type: ignore[valid-type]
DecisionIn = Literal[tuple(Decision.values)]  # type: ignore[valid-type]
SuspensionKindIn = Literal[tuple(SuspensionKind.values)]  # type: ignore[valid-type]


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid")


# -- creating a case ---------------------------------------------------------------------


class CaseCreateIn(InputSchema):
    item: str | None = Field(None, max_length=31, description="事项实施编码（与 bundle 二选一）")
    bundle: str | None = Field(None, max_length=40, description="一件事编码（与 item 二选一）")
    applicant: Reference = Field(description="申请人编号")
    form: dict[str, Any] = Field(default_factory=dict, description="申请表内容")
    channel: Literal["online", "window"] | None = Field(
        None, description="online 网上申请；window 窗口受理（申请人只能网上申请）"
    )
    language: str | None = Field(
        None, max_length=10, description="申请人语言（zh-hans、en），缺省为请求的语言"
    )


# -- actions -----------------------------------------------------------------------------


class NoInput(InputSchema):
    """submit, resubmit, resume: no fields."""


class RequestCorrectionIn(InputSchema):
    items: list[str] = Field(description="一次性列明需要补正的全部内容")


class RefuseIn(InputSchema):
    reason: str = Field(description="不予受理理由")
    legal_basis: str = Field(description="不予受理依据")


class AcceptIn(InputSchema):
    mode: AcceptanceModeIn = Field(
        AcceptanceMode.NORMAL.value, description="normal 正常；tolerated 容缺；commitment 告知承诺"
    )
    tolerated: list[Reference] = Field(default_factory=list, description="容缺材料的编号")
    tolerance_due_on: dt.date | None = Field(
        None,
        description="容缺补齐期限：晚于今天，不晚于办结期限；缺省为 5 个工作日（不超过办结期限）",
    )
    committed: list[Reference] = Field(default_factory=list, description="以承诺替代的材料的编号")
    commitment_text: str = Field("", description="承诺书内容")
    commitment_signed_name: str = Field("", description="承诺人签名")


class WithdrawIn(InputSchema):
    reason: str = Field("", description="撤回原因")


class SuspendIn(InputSchema):
    kind: SuspensionKindIn = Field(description="特别程序类型")
    reason: str = Field(description="理由")


class ExtendIn(InputSchema):
    days: Integer = Field(description="延长的工作日数（1 至 10，只能延长一次）")
    reason: str = Field(description="延长理由（告知申请人）")


class TaskIn(InputSchema):
    """claim, deliver: the task of this case."""

    task: Reference = Field(description="任务编号（须属于该办件）")


class DeliverIn(TaskIn):
    comment: str = Field("", description="送达说明")


class CompleteIn(TaskIn):
    comment: str = Field("", description="办理意见")


class ReturnIn(TaskIn):
    reason: str = Field(description="退回理由")


class TransferIn(TaskIn):
    to_user: str = Field(description="接收人的用户名")
    reason: str = Field(description="转办理由")


class CoReviewIn(TaskIn):
    department: str = Field(description="会签部门的代码")
    reason: str = Field(description="会签事由")
    limit_days: Integer = Field(3, description="会签时限（1 至 20 个工作日）")


CERTIFICATE_FACTS_DESCRIPTION = (
    "准予许可时签发电子证照的证照信息（字段编码 → 值；日期为 YYYY-MM-DD）。"
    "持证主体名称、证件号码、发证日期、有效期和证照编号自动填写；"
    "未给出的字段取申请表中同名字段；缺少的字段以 certificate_facts.<字段编码> 指明"
)


class DecideIn(TaskIn):
    decision: DecisionIn = Field(description="approved 准予许可；denied 不予许可")
    reason: str = Field("", description="决定理由（不予许可时必填）")
    remedy_notice: str = Field("", description="救济途径告知，不予许可时缺省为法定告知")
    certificate_facts: dict[str, str] = Field(
        default_factory=dict, description=CERTIFICATE_FACTS_DESCRIPTION
    )


class OnTheSpotIn(InputSchema):
    decision: DecisionIn = Field(Decision.APPROVED.value, description="即办件当场决定")
    reason: str = Field("", description="决定理由（不予许可时必填）")
    certificate_facts: dict[str, str] = Field(
        default_factory=dict, description=CERTIFICATE_FACTS_DESCRIPTION
    )


# -- queries -----------------------------------------------------------------------------


class InboxQuery(Schema):
    light: Literal["green", "yellow", "red"] | None = Field(None, description="只看某种灯")
    mine: bool = Field(False, description="true：只看本人已签收的任务")
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="每页条数，至多 200")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")


class TrackQuery(Schema):
    code: str = Field(description="查询码（受理回执上）")


# -- output ------------------------------------------------------------------------------


class CaseDepartmentOut(Schema):
    code: str
    name: str


class CasePersonOut(Schema):
    username: str
    name: str


class CaseApplicantOut(Schema):
    name: str
    kind: str
    identifier_label: str
    identifier: str = Field(description="证件号码；无权查看全号者为脱敏号码")
    identifier_masked: bool


class CaseMaterialOut(Schema):
    id: int
    position: int
    name: str
    required: bool
    tolerable: bool = Field(description="可容缺")
    commitment_allowed: bool = Field(description="可告知承诺")
    state: str
    state_label: str
    certificate: str | None = Field(None, description="电子证照调取（免提交）时所用电子证照的标识")


class CaseCertificateOut(Schema):
    identifier: str = Field(description="电子证照标识")
    type: str = Field(description="证照名称")
    case: str = Field(description="签发该证照的办件编号（一件事为子件编号）")
    status: str = Field(description="valid 有效；revoked 已注销；expired 已过期")
    status_label: str
    issued_on: dt.date
    valid_until: dt.date | None = Field(description="有效期至；长期有效为 null")
    verify_url: str = Field(description="查验页面地址（含查验码）")


class CaseTaskOut(Schema):
    id: int
    step: str
    name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    department: CaseDepartmentOut
    assignee: CasePersonOut | None
    opened_on: dt.date
    deadline: dt.date
    remaining: int | None = Field(description="剩余工作日（逾期为负数；暂停计时为 null）")
    light: str = Field(description="green、yellow、red；paused 特别程序中")


class CaseChildOut(Schema):
    number: str
    title: str
    status: str
    status_label: str
    decision: str


class CaseExtensionOut(Schema):
    days: int
    reason: str


class CaseDecisionOut(Schema):
    decision: str
    decision_label: str
    reason: str
    remedy_notice: str
    decided_on: dt.date | None
    on_time: bool | None


class CaseRefusalOut(Schema):
    reason: str
    legal_basis: str


class CaseOut(Schema):
    number: str
    query_code: str | None = Field(description="查询码：只给提交人和申请人本人")
    status: str
    status_label: str
    title: str
    item: str | None = Field(description="事项实施编码；一件事为 null")
    bundle: str | None = Field(description="一件事编码")
    parent: str | None = Field(description="一件事主件的编号（子件）")
    channel: str
    channel_label: str
    applicant: CaseApplicantOut
    department: CaseDepartmentOut
    submitted_at: dt.datetime | None
    accepted_on: dt.date | None
    decided_on: dt.date | None
    delivered_on: dt.date | None
    withdrawn_at: dt.datetime | None
    limit_days: int | None = Field(description="承诺时限（工作日）")
    legal_limit_days: int | None = Field(description="法定时限（工作日）")
    deadline: dt.date | None
    deadline_provisional: bool
    remaining: int | None = Field(description="剩余工作日（逾期为负数；未计时或暂停为 null）")
    light: str = Field(description="green、yellow、red；paused 特别程序中；none 不计时")
    acceptance_mode: str
    acceptance_mode_label: str
    tolerance_due_on: dt.date | None = Field(description="容缺材料补齐期限")
    correction_items: list[str]
    extension: CaseExtensionOut | None
    refusal: CaseRefusalOut | None
    decision: CaseDecisionOut | None
    children: list[CaseChildOut] = Field(description="一件事的子件")
    materials: list[CaseMaterialOut]
    certificates: list[CaseCertificateOut] = Field(
        description="办理结果：准予许可时签发的电子证照（一件事含各子件的）"
    )
    tasks: list[CaseTaskOut] = Field(description="正在办理的任务")


class InboxTaskOut(CaseTaskOut):
    case: str = Field(description="办件编号")
    title: str
    applicant: str
    opened_at: dt.datetime


class InboxPageOut(Schema):
    count: int
    limit: int
    offset: int
    results: list[InboxTaskOut]


class TrackStepOut(Schema):
    name: str
    status: str
    done: bool


class TrackOut(Schema):
    number: str
    item: str
    status: str
    status_label: str
    submitted_on: dt.date | None
    accepted_on: dt.date | None
    deadline: dt.date | None
    deadline_provisional: bool
    extension_days: int
    extension_reason: str
    suspended: bool
    decided_on: dt.date | None
    decision: str = Field(description="决定结果：approved 准予、denied 不予，未决定为空")
    decision_label: str
    delivered_on: dt.date | None
    steps: list[TrackStepOut]
