"""The knowledge base and duplicate suggestions over HTTP.

* ``GET /api/v1/knowledge?q=&category=&limit=``: the published articles of the user's zone,
  ranked (``appeals.knowledge``); staff of the zone who read appeals (the hotline, the
  centre, departments' appeal handlers, 电子监察).
* ``GET /api/v1/knowledge/{id}``: one article with its versions (404 outside the zone, or
  unpublished for a reader who does not edit it).
* ``GET /api/v1/appeals/{number}/duplicates``: the suggested duplicates of an order, for
  staff who may see it (404 otherwise), among the orders they may also see.
* ``POST /api/v1/appeals/duplicates/check``: what intake would offer before saving (the
  hotline and the centre).

Schemas live here (``appeals/schemas.py`` is intake's): types only; the rules are the
services'. Refusals render as ``{"message", "code", "fields"}``: 401, 403, 404, 422.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema
from pydantic import ConfigDict

from onewindow.appeals import knowledge
from onewindow.appeals.api.router import router
from onewindow.appeals.duplicates import duplicate_candidates, duplicates_of
from onewindow.appeals.models import Appeal, KnowledgeArticle
from onewindow.appeals.permissions import is_centre, is_operator
from onewindow.appeals.selectors import appeal_for
from onewindow.appeals.services.knowledge import (
    MAX_SEARCH_LIMIT,
    article_for,
    article_items,
    article_versions,
    category_by_code,
    knowledge_search,
)
from onewindow.core.api_auth import session_auth
from onewindow.core.errors import Forbidden, ValidationFailed
from onewindow.core.inputs import Reference
from onewindow.core.schemas import Error
from onewindow.org.models import Applicant

# -- schemas ---------------------------------------------------------------------------------


class KnowledgeQuery(Schema):
    q: str = Field("", description="搜索词（标题、正文、拼音；空格分隔的每个词都须匹配）")
    category: str = Field("", description="诉求分类编码（含下级分类）")
    limit: int = Field(20, ge=1, le=MAX_SEARCH_LIMIT, description="最多返回条数")


class KnowledgeHitOut(Schema):
    id: int
    title: str
    version: int
    category: str | None
    department: str
    snippet: str
    matched_on: list[str]
    rank: int


class KnowledgeVersionOut(Schema):
    number: int
    title: str
    body: str
    created_at: dt.datetime
    created_by: str


class KnowledgeArticleOut(Schema):
    id: int
    title: str
    body: str
    version: int
    category: str | None
    department: str
    policy_refs: str
    items: list[str]
    is_published: bool
    updated_at: dt.datetime
    versions: list[KnowledgeVersionOut]


class DuplicateOut(Schema):
    number: str
    subject: str
    status: str
    status_label: str
    received_at: dt.datetime
    score: float


class DuplicateCheckIn(Schema):
    model_config = ConfigDict(extra="forbid")

    requester: Reference | None = Field(
        None, description="诉求人（申请人 id；来电者没有账号时不填）"
    )
    contact_phone: str = Field("", max_length=40, description="联系电话（没有账号的来电者）")
    subject_uscc: str = Field("", max_length=40, description="涉及企业统一社会信用代码")
    category: str = Field("", max_length=20, description="诉求分类编码")
    subject: str = Field("", max_length=200, description="标题")
    description: str = Field("", max_length=8000, description="诉求内容")


# -- who may ---------------------------------------------------------------------------------


def _readers_only(request: HttpRequest) -> None:
    if not knowledge.reads_knowledge(request.user):
        raise Forbidden(_("只有本开发区的诉求工作人员可以查阅知识库"), code="not_permitted")


def _staff_only(request: HttpRequest) -> None:
    user = request.user
    if user.is_applicant or not knowledge.reads_knowledge(user):
        raise Forbidden(_("只有诉求工作人员可以查看疑似重复诉求"), code="not_permitted")


def _intake_only(request: HttpRequest) -> None:
    user = request.user
    if not (user.zone_id and (is_operator(user) or is_centre(user))):
        raise Forbidden(_("只有话务员和派单员可以查重"), code="not_permitted")


# -- outputs ---------------------------------------------------------------------------------


def _category(article: KnowledgeArticle) -> str | None:
    return article.category.code if article.category_id else None


def duplicate_out(appeal: Appeal, score: float) -> dict:
    return {
        "number": appeal.number,
        "subject": appeal.subject,
        "status": appeal.status,
        "status_label": appeal.get_status_display(),
        "received_at": appeal.created_at,
        "score": score,
    }


# -- operations ------------------------------------------------------------------------------


@router.get(
    "/knowledge",
    auth=session_auth,
    response={200: list[KnowledgeHitOut], 401: Error, 403: Error, 422: Error},
    summary="诉求知识库：搜索本开发区已发布的条目（标题、正文、拼音）",
)
def knowledge_list(request: HttpRequest, filters: Query[KnowledgeQuery]):
    _readers_only(request)
    zone = request.user.zone
    hits = knowledge_search(
        zone=zone,
        q=filters.q,
        category=category_by_code(zone, filters.category),
        limit=filters.limit,
    )
    return [
        {
            "id": hit.article.pk,
            "title": hit.article.title,
            "version": hit.version.number,
            "category": _category(hit.article),
            "department": hit.article.department.name,
            "snippet": hit.snippet,
            "matched_on": hit.matched_on,
            "rank": hit.rank,
        }
        for hit in hits
    ]


@router.get(
    "/knowledge/{pk}",
    auth=session_auth,
    response={200: KnowledgeArticleOut, 401: Error, 403: Error, 404: Error, 422: Error},
    summary="诉求知识库：一个条目的现行内容和历次版本",
)
def knowledge_detail(request: HttpRequest, pk: int):
    _readers_only(request)
    article = article_for(request.user, pk)
    current = article.current_version
    return {
        "id": article.pk,
        "title": current.title,
        "body": current.body,
        "version": current.number,
        "category": _category(article),
        "department": article.department.name,
        "policy_refs": article.policy_refs,
        "items": [name for _item, name in article_items(article)],
        "is_published": article.is_published,
        "updated_at": article.updated_at,
        "versions": [
            {
                "number": version.number,
                "title": version.title,
                "body": version.body,
                "created_at": version.created_at,
                "created_by": str(version.created_by) if version.created_by_id else "",
            }
            for version in article_versions(article)
        ],
    }


@router.post(
    "/appeals/duplicates/check",
    auth=session_auth,
    response={200: list[DuplicateOut], 401: Error, 403: Error, 422: Error},
    summary="诉求查重：受理前按诉求人、来电号码或涉及企业和分类查找相似诉求",
)
def duplicates_check(request: HttpRequest, body: DuplicateCheckIn):
    _intake_only(request)
    zone = request.user.zone
    requester_id = None
    if body.requester is not None:
        if not Applicant.objects.filter(pk=body.requester).exists():
            raise ValidationFailed.for_field(
                "requester", _("诉求人不存在"), code="unknown_requester"
            )
        requester_id = body.requester
    category = category_by_code(zone, body.category)
    text = f"{body.subject}\n{body.description}"
    if not text.strip():
        raise ValidationFailed.for_field(
            "description", _("诉求内容：请填写标题或内容"), code="required"
        )
    found = duplicate_candidates(
        zone_id=zone.pk,
        requester_id=requester_id,
        contact_phone=body.contact_phone,
        subject_uscc=body.subject_uscc,
        category_id=category.pk if category else None,
        text=text,
        user=request.user,
    )
    return [duplicate_out(appeal, score) for appeal, score in found]


@router.get(
    "/appeals/{number}/duplicates",
    auth=session_auth,
    response={200: list[DuplicateOut], 401: Error, 403: Error, 404: Error},
    summary="疑似重复诉求：同一诉求人（或来电号码）、同一企业同一分类，窗口期内文本相似的工单",
)
def appeal_duplicates(request: HttpRequest, number: str):
    _staff_only(request)
    appeal = appeal_for(request.user, number)
    return [duplicate_out(row, score) for row, score in duplicates_of(appeal, user=request.user)]
