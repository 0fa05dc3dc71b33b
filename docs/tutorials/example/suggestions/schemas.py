"""The shapes of the suggestions API: types only. What a value may be beyond its type
(required, lengths, the zone) is the services' business, so page and API refuse alike.
Inputs forbid unknown fields: a misspelt field is named in the 422."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import ConfigDict, Field


class SuggestionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    zone: str = Field(max_length=20, description="开发区代码")
    subject: str = Field(max_length=200, description="标题（不超过 60 个字）")
    content: str = Field(max_length=5000, description="内容（不超过 1000 个字）")


class AnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    answer: str = Field(max_length=5000, description="答复（不超过 1000 个字）")


class SuggestionOut(Schema):
    id: int
    zone: str
    subject: str
    content: str
    status: str
    status_label: str
    answer: str
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    created_at: dt.datetime
