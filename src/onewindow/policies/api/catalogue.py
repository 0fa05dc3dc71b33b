"""The public policy catalogue over HTTP: ``GET /api/v1/policies`` (the items in force,
filtered and paged like the catalog's lists) and ``GET /api/v1/policies/{code}`` (one item
with its conditions in words and its version history). No login; drafts are never shown.

Imported last by ``api/__init__``: ``/policies/{code}`` would otherwise take the literal
paths of the other parts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Query, Schema
from pydantic import Field

from onewindow.catalog.search import result_page
from onewindow.core.schemas import ERROR_RESPONSES
from onewindow.org.selectors import zone_by_code
from onewindow.policies.api.router import router
from onewindow.policies.constants import ItemKind, RedemptionWay
from onewindow.policies.models import PolicyItemVersion
from onewindow.policies.selectors_catalogue import MAX_QUERY_LENGTH, public_item, public_versions
from onewindow.policies.wording import describe_amount, describe_condition_safely

MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000


def _zone() -> Any:
    return Field(None, description="开发区代码，缺省为本平台的开发区")


def _on() -> Any:
    return Field(None, description="按哪一天的现行版本（年-月-日），缺省为今天")


class PolicyListQuery(Schema):
    q: str = Field(
        "",
        max_length=MAX_QUERY_LENGTH,
        description="事项名称、政策名称、文号、事项编码或支持对象中的词；多个词用空格分隔、须同时匹配",
    )
    kind: ItemKind | None = Field(
        None, description="类别：relief 减免、award 奖补、entitlement 权益、qualification 资质"
    )
    way: RedemptionWay | None = Field(
        None, description="兑现方式：automatic 免申即享、fast 快申快享、on_application 依申请"
    )
    department: str | None = Field(None, max_length=40, description="政策负责部门的代码")
    on: dt.date | None = _on()
    page: int = Field(1, ge=1, le=MAX_PAGE, description="页码，从 1 开始")
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description="每页条数，至多 100")
    zone: str | None = _zone()


class PolicyItemQuery(Schema):
    on: dt.date | None = _on()
    zone: str | None = _zone()


class PolicyDepartmentOut(Schema):
    code: str
    name: str


class PolicyDocumentOut(Schema):
    title: str
    doc_number: str = Field(description="文号")
    issuer: str = Field(description="发文机关")
    level: str
    level_label: str
    department: PolicyDepartmentOut
    effective_from: dt.date
    expires_on: dt.date | None
    interpretation_url: str = Field(description="政策解读链接（可为空）")
    illustrative: bool = Field(description="true：示例政策")

    @staticmethod
    def resolve_level_label(obj) -> str:
        return str(obj.get_level_display())


class PolicyItemSummaryOut(Schema):
    code: str = Field(description="事项编码（开发区内唯一，版本间不变）")
    version: int = Field(description="现行版本号")
    name: str
    kind: str
    kind_label: str
    way: str
    way_label: str
    beneficiary: str = Field(description="支持对象")
    amount_words: str = Field(description="支持标准（文字）")
    effective_from: dt.date
    effective_until: dt.date | None
    illustrative: bool = Field(description="true：示例政策的事项")
    policy: PolicyDocumentOut

    @staticmethod
    def resolve_code(obj: PolicyItemVersion) -> str:
        return obj.item.code

    @staticmethod
    def resolve_version(obj: PolicyItemVersion) -> int:
        return obj.number

    @staticmethod
    def resolve_kind_label(obj: PolicyItemVersion) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_way_label(obj: PolicyItemVersion) -> str:
        return str(obj.get_way_display())

    @staticmethod
    def resolve_amount_words(obj: PolicyItemVersion) -> str:
        return obj.amount_text or describe_amount(obj.amount)

    @staticmethod
    def resolve_illustrative(obj: PolicyItemVersion) -> bool:
        return obj.item.policy.illustrative

    @staticmethod
    def resolve_policy(obj: PolicyItemVersion):
        return obj.item.policy


class PolicyPageOut(Schema):
    count: int
    page: int
    page_size: int
    on: dt.date
    results: list[PolicyItemSummaryOut]


class PolicyConditionLineOut(Schema):
    depth: int = Field(description="缩进层级，0 为最外层")
    text: str
    clause: str = Field(description="条款出处（条件行）")
    heading: bool = Field(description="true：“同时满足以下全部条件”等组合行")


class PolicyMaterialOut(Schema):
    name: str
    fact: str | None = Field(description="可由企业档案中的哪一项代替（企业信息项名称）")


class PolicyVersionOut(Schema):
    number: int
    status: str
    effective_from: dt.date
    effective_until: dt.date | None
    published_at: dt.datetime | None


class PolicyItemDetailOut(PolicyItemSummaryOut):
    conditions: list[PolicyConditionLineOut] = Field(description="申报条件（文字）")
    condition: dict[str, Any] = Field(description="申报条件（规则 JSON）")
    amount: dict[str, Any] = Field(description="支持标准（规则 JSON，万元）")
    materials: list[PolicyMaterialOut]
    time_limit_days: int = Field(description="兑现时限（工作日）")
    requires_publicity: bool
    publicity_days: int
    stacking_note: str
    excludes: list[str] = Field(description="不可同时享受的事项编码")
    history: list[PolicyVersionOut] = Field(description="已发布和已停用的版本，新的在前")

    @staticmethod
    def resolve_conditions(obj: PolicyItemVersion) -> list[dict]:
        lines, _error = describe_condition_safely(obj.condition)
        return [line.__dict__ for line in lines]

    @staticmethod
    def resolve_materials(obj: PolicyItemVersion) -> list:
        return obj.materials or []

    @staticmethod
    def resolve_excludes(obj: PolicyItemVersion) -> list[str]:
        return sorted(item.code for item in obj.excludes.all())

    @staticmethod
    def resolve_history(obj: PolicyItemVersion) -> list:
        return obj.public_history


@router.get(
    "/policies",
    response={200: PolicyPageOut, **ERROR_RESPONSES},
    summary="惠企政策：现行兑现事项（类别、兑现方式、部门、关键词）",
    auth=None,
)
def policy_list(request, query: Query[PolicyListQuery]):
    zone = zone_by_code(query.zone)
    on = query.on or timezone.localdate()
    versions = public_versions(
        zone,
        on,
        kind=query.kind,
        way=query.way,
        department=query.department,
        q=query.q,
    ).select_related("item__policy__department")
    page = result_page(versions, page=query.page, page_size=query.page_size)
    return {
        "count": page.count,
        "page": query.page,
        "page_size": query.page_size,
        "on": on,
        "results": page.results,
    }


@router.get(
    "/policies/{code}",
    response={200: PolicyItemDetailOut, **ERROR_RESPONSES},
    summary="惠企政策：一个兑现事项的现行版本、申报条件（文字）和版本记录",
    auth=None,
)
def policy_detail(request, code: str, query: Query[PolicyItemQuery]):
    zone = zone_by_code(query.zone)
    found = public_item(zone, code, query.on or timezone.localdate())
    found.version.public_history = found.history
    return found.version
