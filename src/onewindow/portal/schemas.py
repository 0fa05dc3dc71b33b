"""The API schemas of 我的消息 (``/api/v1/me/messages``)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema
from pydantic import ConfigDict

from onewindow.core.inputs import Reference

#: At most this many messages on one page, or marked read in one request.
MAX_LIMIT = 100
MAX_OFFSET = 1_000_000


class MessagesQuery(Schema):
    unread: bool = Field(False, description="true：只看未读消息")
    limit: int = Field(20, ge=1, le=MAX_LIMIT, description="每页条数，至多 100")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")


class MessageOut(Schema):
    id: int
    kind: str = Field(description="消息类别，如 case_accepted")
    title: str
    text: str
    link: str = Field(description="相关页面的路径（可为空）")
    link_label: str
    subject_type: str
    subject_id: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class MessagesPageOut(Schema):
    count: int = Field(description="符合条件的消息总数")
    unread: int = Field(description="未读消息总数")
    limit: int
    offset: int
    results: list[MessageOut]


class MessagesReadIn(Schema):
    """Unknown fields are refused, numbers are strict (``core.inputs.Reference``)."""

    model_config = ConfigDict(extra="forbid")

    ids: list[Reference] | None = Field(
        None, max_length=MAX_LIMIT, description="要标为已读的消息编号；不填则全部标为已读"
    )


class MessagesReadOut(Schema):
    marked: int = Field(description="本次标为已读的条数")
    unread: int = Field(description="剩余未读条数")
