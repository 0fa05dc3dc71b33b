"""The shapes of the appeals API. No rules here: what a value may be beyond its type (a
category of the zone, who may be anonymous, what an outcome needs) is the services'
business, which name each field in a 422.

Inputs forbid unknown fields, so a misspelt field is named instead of silently ignored.
Other parts keep their action schemas beside their own API module.
"""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import ConfigDict, Field

from onewindow.appeals.constants import (
    MAX_NAME_LENGTH,
    MAX_POLICY_LENGTH,
    MAX_SUBJECT_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_UPSTREAM_ID_LENGTH,
)
from onewindow.core.inputs import Integer

# -- intake ------------------------------------------------------------------------------------

#: Generous bounds on raw text (the services fold and count, then name the field).
_LINE = MAX_SUBJECT_LENGTH * 4
_TEXT = MAX_TEXT_LENGTH * 2


class AppealInputSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class AppealSubmitIn(AppealInputSchema):
    """我要反映 (an applicant's user)."""

    zone: str = Field("", max_length=20, description="开发区代码（不填为账号所属开发区）")
    nature: str = Field(
        max_length=20,
        description=(
            "诉求性质：consult 咨询、help 求助、complaint 投诉、report 举报、suggestion 建议"
        ),
    )
    category: str = Field(max_length=40, description="诉求分类编码（本开发区启用的末级分类）")
    subject: str = Field(max_length=_LINE, description="标题")
    description: str = Field(max_length=_TEXT, description="诉求内容")
    requester: Integer | None = Field(
        None,
        description="以哪个企业或个人的名义反映（申请人编号，须为本账号代表的申请人；匿名时不填）",
    )
    anonymous: bool = Field(False, description="匿名（仅举报、建议可匿名；匿名后只能凭查询码查询）")
    confidential: bool = Field(False, description="要求对承办部门保密姓名和电话")
    linked_case: str = Field("", max_length=40, description="关联办件编号（须为本人可查看的办件）")
    linked_item: str = Field("", max_length=40, description="关联事项实施编码")
    linked_policy: str = Field("", max_length=MAX_POLICY_LENGTH * 2, description="相关政策")


class AppealCallIn(AppealInputSchema):
    """来电登记 (the hotline seat)."""

    outcome: str = Field(
        max_length=20,
        description=(
            "处理方式：dispatch 登记转派单；answer_now 知识库即时答复（即时办结，须填 reply 和 "
            "knowledge_version）；refuse 不予受理（须填 redirect_channel 和 reply）；emergency "
            "转紧急热线（须填 emergency_service，不计时）"
        ),
    )
    nature: str = Field(max_length=20, description="诉求性质")
    urgency: str = Field("normal", max_length=20, description="紧急程度：normal 一般、urgent 紧急")
    category: str = Field(max_length=40, description="诉求分类编码")
    subject: str = Field(max_length=_LINE, description="标题")
    description: str = Field(max_length=_TEXT, description="来电内容")
    caller_name: str = Field("", max_length=MAX_NAME_LENGTH * 2, description="来电人姓名")
    caller_phone: str = Field("", max_length=40, description="来电人电话")
    applicant: Integer | None = Field(None, description="本开发区已登记的企业或个人（申请人编号）")
    anonymous: bool = Field(False, description="匿名（仅举报、建议）")
    confidential: bool = Field(False, description="来电人要求保密")
    reply: str = Field("", max_length=_TEXT, description="答复或告知来电人的内容")
    knowledge_version: Integer | None = Field(None, description="即时答复引用的知识库版本编号")
    redirect_channel: str = Field("", max_length=30, description="不予受理时告知的渠道")
    emergency_service: str = Field("", max_length=5, description="转接热线：110、119、120、122")


class AppealImportIn(AppealInputSchema):
    """A work order pushed by the upstream 12345 platform."""

    upstream_id: str = Field(
        max_length=MAX_UPSTREAM_ID_LENGTH * 2, description="上游工单号（幂等键）"
    )
    category: str = Field(
        max_length=40, description="诉求分类编码（未知编码答复 422，不会默认归类）"
    )
    nature: str = Field(max_length=20, description="诉求性质")
    urgency: str = Field("normal", max_length=20, description="紧急程度")
    subject: str = Field(max_length=_LINE, description="标题")
    description: str = Field(max_length=_TEXT, description="诉求内容")
    contact_name: str = Field("", max_length=MAX_NAME_LENGTH * 2, description="联系人")
    contact_phone: str = Field("", max_length=40, description="联系电话")
    subject_uscc: str = Field("", max_length=40, description="涉及企业统一社会信用代码")
    anonymous: bool = False
    confidential: bool = False
    received_at: str = Field(
        "",
        max_length=40,
        description="上游受理时间（带时区，如 2026-03-02T09:30:00+08:00）；计时起点",
    )


class AppealFromRatingIn(AppealInputSchema):
    """差评转诉求 (the centre or 电子监察 of the rating's zone)."""

    rating: Integer = Field(description="差评的编号（本开发区“不满意”“非常不满意”的评价）")
    category: str = Field(max_length=40, description="诉求分类编码（本开发区启用的末级分类）")


class AppealLookupQuery(Schema):
    number: str = Field("", max_length=100, description="工单编号")
    code: str = Field("", max_length=100, description="查询码")


class AppealStepOut(Schema):
    action: str
    action_label: str
    status_label: str
    at: dt.datetime
    department: str
    note: str


class AppealCategoryOut(Schema):
    code: str
    name: str


class AppealOut(Schema):
    number: str
    query_code: str | None = Field(
        None, description="查询码：只在受理时答复一次（匿名诉求凭它和编号查询）"
    )
    status: str
    status_label: str
    channel: str
    channel_label: str
    nature: str
    nature_label: str
    urgency: str
    urgency_label: str
    category: AppealCategoryOut
    subject: str
    description: str
    anonymous: bool
    confidential: bool
    requester_name: str = Field(description="诉求人（对承办部门保密时部分隐去）")
    requester_phone: str
    lead_department: str
    received_at: dt.datetime
    due_at: dt.datetime | None
    due_provisional: bool = Field(description="期限暂定：所在年度的放假安排尚未公布")
    reply: str | None = Field(None, description="答复（已答复、办结或不予受理后）")
    redirect_channel_label: str
    emergency_service_label: str
    steps: list[AppealStepOut]


class PublicAppealOut(Schema):
    number: str
    status: str
    status_label: str
    nature_label: str
    category: str
    subject: str
    received_at: dt.datetime
    due_at: dt.datetime | None
    due_provisional: bool
    reply: str | None
    steps: list[AppealStepOut]
