"""The catalog over HTTP, for anyone: search items and bundles, read their guides.

``GET /api/v1/items``, ``/items/{code}``, ``/bundles``, ``/bundles/{code}``, and
``/search`` (items and bundles in one ranked list). Each endpoint
parses its query, asks one search or selector, and shapes the answer; the rules (what is
public, how results rank, which inputs are refused) live in ``search`` and ``selectors``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Query, Router, Schema
from pydantic import Field

from onewindow.catalog.bundles import MergedMaterial
from onewindow.catalog.constants import ItemType
from onewindow.catalog.models import ItemVersion, Material
from onewindow.catalog.search import (
    MAX_QUERY_LENGTH,
    Hit,
    result_page,
    search_bundles,
    search_catalog,
    search_items,
)
from onewindow.catalog.selectors import BundleGuide, bundle_guide, filter_department, item_guide
from onewindow.core.schemas import ERROR_RESPONSES
from onewindow.org.selectors import zone_by_code

router = Router(tags=["catalog"])

MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000  # far past any catalog; keeps the offset a sane integer

# -- input ------------------------------------------------------------------------------


def _q() -> Any:
    # The length is documented here and enforced by the search (one message for the API
    # and the pages), so the schema does not refuse it first with a vaguer one.
    return Field(
        "",
        description=(
            "名称或其片段、别名俗称（如 社保、开公司）、英文名（如 work permit）、"
            "办理结果或证照名称（如 营业执照）、拼音首字母（如 spjy）或全拼（如 shipin）；"
            "全角字符按半角处理，多个词用空格分隔、须同时匹配"
        ),
        json_schema_extra={"maxLength": MAX_QUERY_LENGTH},
    )


def _page() -> Any:
    return Field(1, ge=1, le=MAX_PAGE, description="页码，从 1 开始")


def _page_size() -> Any:
    return Field(20, ge=1, le=MAX_PAGE_SIZE, description="每页条数，至多 100")


def _zone() -> Any:
    return Field(None, description="开发区代码，缺省为本平台的开发区")


class ItemListQuery(Schema):
    q: str = _q()
    department: str | None = Field(None, description="实施机关的部门代码（不含下属科室）")
    item_type: ItemType | None = Field(None, description="事项类型代码，如 01 行政许可")
    fully_online: bool | None = Field(None, description="true：只看全程网办（到现场 0 次）")
    immediate: bool | None = Field(None, description="true：只看即办件；false：只看承诺件")
    page: int = _page()
    page_size: int = _page_size()
    zone: str | None = _zone()


class BundleListQuery(Schema):
    q: str = _q()
    page: int = _page()
    page_size: int = _page_size()
    zone: str | None = _zone()


class SearchQuery(Schema):
    q: str = Field(
        "",
        description=(
            "搜索词（必填）：名称、别名俗称、英文名、办理结果或证照名称、拼音；"
            "多个词用空格分隔、须同时匹配"
        ),
        json_schema_extra={"maxLength": MAX_QUERY_LENGTH},
    )
    page: int = _page()
    page_size: int = _page_size()
    zone: str | None = _zone()


class ItemGuideQuery(Schema):
    version: int | None = Field(
        None, ge=1, le=1_000_000, description="版本号；缺省为现行版本（已停用的版本也可查）"
    )
    zone: str | None = _zone()


class BundleGuideQuery(Schema):
    zone: str | None = _zone()


# -- output -----------------------------------------------------------------------------


class DepartmentOut(Schema):
    code: str
    name: str


class CertificateTypeOut(Schema):
    code: str
    name: str


class WindowOut(Schema):
    code: str
    name: str
    location: str


class ItemSummaryOut(Schema):
    implementation_code: str
    basic_code: str
    name: str
    item_type: str
    item_type_label: str
    department: DepartmentOut
    promised_limit_days: int
    legal_limit_days: int
    handling_kind: str
    required_visits: int
    online_depth: str
    version: int

    @staticmethod
    def resolve_implementation_code(obj: ItemVersion) -> str:
        return obj.item.implementation_code

    @staticmethod
    def resolve_basic_code(obj: ItemVersion) -> str:
        return obj.item.basic_code

    @staticmethod
    def resolve_item_type_label(obj: ItemVersion) -> str:
        return obj.get_item_type_display()


class ItemPageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[ItemSummaryOut]


class SearchHitOut(Schema):
    kind: Literal["item", "bundle"] = Field(description="item：事项；bundle：一件事")
    code: str = Field(description="事项的实施编码，或一件事的编码")
    name: str
    url: str = Field(description="办事指南页面的地址")
    matched_on: list[Literal["name", "synonym", "result", "pinyin", "description"]] = Field(
        description=(
            "各搜索词命中的内容，最好的在前：name 名称、synonym 别名俗称或英文名、"
            "result 办理结果或证照、pinyin 拼音、description 简介"
        )
    )

    @staticmethod
    def resolve_url(obj: Hit) -> str:
        return obj.url


class SearchPageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[SearchHitOut] = Field(description="按相关程度排序；同等相关时一件事在前")


class FeeOut(Schema):
    free: bool
    amount: str | None = Field(description="元，两位小数；不收费时为 null")
    basis: str


class DelegationOut(Schema):
    from_level: str
    from_level_label: str
    from_organ: str
    agreement_date: dt.date | None
    status: str
    status_label: str


class MaterialOut(Schema):
    position: int
    name: str
    required: bool
    originals: int
    copies: int
    medium: str
    medium_label: str
    source: str
    source_label: str
    certificate_type: CertificateTypeOut | None
    source_department: DepartmentOut | None
    template_url: str | None
    sample_url: str | None
    notes: str
    tolerable: bool = Field(description="可容缺")
    commitment_allowed: bool = Field(description="可告知承诺")

    @staticmethod
    def resolve_medium_label(obj: Material) -> str:
        return obj.get_medium_display()

    @staticmethod
    def resolve_source_label(obj: Material) -> str:
        return obj.get_source_display()

    @staticmethod
    def resolve_template_url(obj: Material) -> str | None:
        return obj.template.url if obj.template else None

    @staticmethod
    def resolve_sample_url(obj: Material) -> str | None:
        return obj.sample.url if obj.sample else None


class StepOut(Schema):
    key: str
    name: str
    kind: str
    kind_label: str
    department: DepartmentOut | None
    role: str
    role_label: str
    limit_days: int
    after: list[str] = Field(description="前置环节的 key；空表示起始环节")

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_role_label(obj) -> str:
        return obj.get_role_display()


class ItemGuideOut(ItemSummaryOut):
    status: str = Field(description="published 现行；retired 已被新版本取代")
    effective_from: dt.date | None
    published_at: dt.datetime | None
    change_note: str
    handling_kind_label: str
    online_depth_label: str
    fully_online: bool
    legal_basis: str
    legal_citations: list[str]
    acceptance_conditions: str
    fee: FeeOut
    delegation: DelegationOut | None = Field(description="赋权事项的来源；本级事项为 null")
    windows: list[WindowOut]
    consultation_phone: str
    complaint_phone: str
    certificate_type: CertificateTypeOut | None = Field(description="办结后核发的证照")
    result_name: str
    materials: list[MaterialOut]
    steps: list[StepOut]

    @staticmethod
    def resolve_handling_kind_label(obj: ItemVersion) -> str:
        return obj.get_handling_kind_display()

    @staticmethod
    def resolve_online_depth_label(obj: ItemVersion) -> str:
        return obj.get_online_depth_display()

    @staticmethod
    def resolve_fully_online(obj: ItemVersion) -> bool:
        return obj.is_fully_online

    @staticmethod
    def resolve_fee(obj: ItemVersion) -> dict:
        amount = None if obj.fee_amount is None else f"{obj.fee_amount:.2f}"
        return {"free": obj.fee_free, "amount": amount, "basis": obj.fee_basis}

    @staticmethod
    def resolve_delegation(obj: ItemVersion) -> dict | None:
        if not obj.delegated_from_level:
            return None
        return {
            "from_level": obj.delegated_from_level,
            "from_level_label": obj.get_delegated_from_level_display(),
            "from_organ": obj.delegated_from_organ,
            "agreement_date": obj.delegation_agreement_date,
            "status": obj.delegation_status,
            "status_label": obj.get_delegation_status_display(),
        }

    @staticmethod
    def resolve_windows(obj: ItemVersion) -> list:
        return list(obj.windows.all())

    @staticmethod
    def resolve_materials(obj: ItemVersion) -> list:
        return list(obj.materials.all())

    @staticmethod
    def resolve_steps(obj: ItemVersion) -> list:
        return list(obj.steps.all())


class BundleItemOut(Schema):
    implementation_code: str
    name: str

    @staticmethod
    def resolve_implementation_code(obj: ItemVersion) -> str:
        return obj.item.implementation_code


class MergedMaterialOut(Schema):
    name: str
    required: bool = Field(description="任一事项要求即为必要")
    originals: int
    copies: int
    medium: str
    medium_label: str
    source: str
    source_label: str
    certificate_type: CertificateTypeOut | None
    tolerable: bool = Field(description="各事项均可容缺时才可容缺")
    commitment_allowed: bool = Field(description="各事项均可告知承诺时才可承诺")
    shared: bool = Field(description="多个事项共用，只交一次")
    items: list[BundleItemOut] = Field(description="需要这份材料的事项")

    @staticmethod
    def resolve_medium_label(obj: MergedMaterial) -> str:
        return str(obj.get_medium_display())

    @staticmethod
    def resolve_source_label(obj: MergedMaterial) -> str:
        return str(obj.get_source_display())

    @staticmethod
    def resolve_certificate_type(obj: MergedMaterial):
        return next((m.certificate_type for m in obj.materials if m.certificate_type_id), None)

    @staticmethod
    def resolve_items(obj: MergedMaterial) -> list:
        versions = {material.version_id: material.version for material in obj.materials}
        return list(versions.values())


class SavingsOut(Schema):
    visits_separately: int
    visits_bundle: int
    visits_saved: int
    materials_separately: int
    materials_bundle: int
    materials_saved: int
    days_separately: int = Field(description="各事项承诺时限之和（逐个办理）")
    days_bundle: int
    days_saved: int


class BundleSummaryOut(Schema):
    code: str
    name: str
    description: str
    lead_department: DepartmentOut
    promised_limit_days: int
    required_visits: int


class BundlePageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[BundleSummaryOut]


class BundleDetailOut(BundleSummaryOut):
    published_at: dt.datetime | None
    form_fields: list[dict[str, Any]] = Field(description="共用申请表的字段")


class BundleGuideOut(Schema):
    bundle: BundleDetailOut
    items: list[ItemSummaryOut] = Field(description="包含的事项（现行版本），按办理顺序")
    unavailable_items: list[str] = Field(
        description="已无现行版本的事项的实施编码（一件事发布后被停用）"
    )
    materials: list[MergedMaterialOut] = Field(description="合并后的材料清单，同一材料只交一次")
    savings: SavingsOut = Field(description="与逐个办理各事项相比")

    @staticmethod
    def resolve_items(obj: BundleGuide) -> list:
        return obj.versions

    @staticmethod
    def resolve_unavailable_items(obj: BundleGuide) -> list[str]:
        return [item.implementation_code for item in obj.unavailable_items]


# -- endpoints --------------------------------------------------------------------------


def _paginate(results, query: ItemListQuery | BundleListQuery) -> dict:
    page = result_page(results, page=query.page, page_size=query.page_size)
    return {
        "count": page.count,
        "page": query.page,
        "page_size": query.page_size,
        "results": page.results,
    }


@router.get(
    "/items",
    response={200: ItemPageOut, **ERROR_RESPONSES},
    summary="搜索事项（名称、拼音首字母、全拼；部门、类型、全程网办、即办件）",
    auth=None,
)
def item_list(request, query: Query[ItemListQuery]):
    zone = zone_by_code(query.zone)
    results = search_items(
        zone=zone,
        query=query.q,
        department=filter_department(zone=zone, code=query.department),
        item_type=query.item_type,
        fully_online=query.fully_online,
        immediate=query.immediate,
    )
    return _paginate(results, query)


@router.get(
    "/items/{code}",
    response={200: ItemGuideOut, **ERROR_RESPONSES},
    summary="事项办事指南（实施编码；可指定版本）",
    auth=None,
)
def item_detail(request, code: str, query: Query[ItemGuideQuery]):
    zone = zone_by_code(query.zone)
    return item_guide(zone=zone, code=code, version=query.version)


@router.get(
    "/bundles",
    response={200: BundlePageOut, **ERROR_RESPONSES},
    summary="搜索一件事",
    auth=None,
)
def bundle_list(request, query: Query[BundleListQuery]):
    zone = zone_by_code(query.zone)
    return _paginate(search_bundles(zone=zone, query=query.q), query)


@router.get(
    "/bundles/{code}",
    response={200: BundleGuideOut, **ERROR_RESPONSES},
    summary="一件事指南：包含的事项、合并后的材料清单、办理成效",
    auth=None,
)
def bundle_detail(request, code: str, query: Query[BundleGuideQuery]):
    zone = zone_by_code(query.zone)
    return bundle_guide(zone=zone, code=code)


@router.get(
    "/search",
    response={200: SearchPageOut, **ERROR_RESPONSES},
    summary="搜索事项和一件事（一个按相关程度排序的列表）",
    auth=None,
)
def catalog_search(request, query: Query[SearchQuery]):
    zone = zone_by_code(query.zone)
    page = search_catalog(zone=zone, query=query.q).page(page=query.page, page_size=query.page_size)
    return {
        "count": page.count,
        "page": query.page,
        "page_size": query.page_size,
        "results": page.results,
    }
