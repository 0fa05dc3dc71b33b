"""The shapes of the reviews API. No rules here: what a value may be beyond its type (the
level's range, the comment's length, who may use which channel) is the services' business.

Inputs forbid unknown fields, so a misspelt field is named in the 422 instead of being
silently ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from onewindow.core.inputs import Integer
from onewindow.reviews.models import Channel

ChannelIn = Literal[tuple(Channel.values)]  # type: ignore[valid-type]


class RatingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    case_number: str = Field(max_length=32, description="办件编号（一件事填主件编号）")
    channel: ChannelIn = Field(
        description=(
            "评价渠道：online 网上、mobile 移动端（须以申请人身份登录）；"
            "window 窗口二维码、sms 短信（须带评价链接中的 token，无需登录）；"
            "hotline 由 12345 热线系统录入，不在此提交"
        )
    )
    level: Integer = Field(
        description="评价等级：5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意"
    )
    comment: str = Field("", description="评价内容（选填，不超过 1000 字）")
    token: str | None = Field(
        None, max_length=200, description="评价链接中的 token（窗口二维码、短信渠道必填）"
    )


class RectificationBriefOut(Schema):
    status: str
    status_label: str
    department: str
    due_on: dt.date
    due_provisional: bool


class RatingOut(Schema):
    id: int
    case_number: str
    channel: str
    channel_label: str
    level: int
    level_label: str
    comment: str
    real_name: bool
    rated_at: dt.datetime
    rated_on: dt.date
    department: str
    rectification: RectificationBriefOut | None = Field(
        None, description="差评（不满意、非常不满意）转交责任部门整改的情况"
    )
