"""Search the zone's published items and bundles: Chinese substrings, pinyin initials and
full pinyin, ranked in SQL (the same results and order on SQLite and PostgreSQL), read a
page at a time with :func:`result_page`.

Ranking (lower is better), ties by name:

====  ==========================================================
0     the name is the query (食品经营许可)
1     the name starts with it (食品 → 食品经营许可)
2     the name contains it (经营 → 食品经营许可)
3     the pinyin initials start with it (spjy → shipinjingyingxuke)
4     the pinyin initials contain it (jyxk)
5     the full pinyin starts with it (shipin → shipinjingyingxuke)
6     the full pinyin contains it (jingying)
====  ==========================================================

The pinyin ranks apply only to a query of Latin letters and digits (spaces and apostrophes
ignored, lower-cased): a Chinese query is matched by its characters, not by its sound,
so 食品 does not find 视频. Name matches ignore the case of Latin letters on both
databases (``ICP`` and ``icp`` find the same names).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When, Window
from django.utils.translation import gettext as _

from onewindow.catalog.constants import HandlingKind, ItemType, VersionStatus
from onewindow.catalog.models import Bundle, ItemVersion
from onewindow.core.errors import ValidationFailed
from onewindow.org.models import Department, Zone

#: The longest query accepted. Most item names are far shorter; a longer name is still
#: found by any part of it.
MAX_QUERY_LENGTH = 50

RANK_EXACT = 0
RANK_NAME_PREFIX = 1
RANK_NAME_CONTAINS = 2
RANK_INITIALS_PREFIX = 3
RANK_INITIALS_CONTAINS = 4
RANK_PINYIN_PREFIX = 5
RANK_PINYIN_CONTAINS = 6


def normalise_query(query: str | None) -> str:
    """The query as matched against names: trimmed, at most :data:`MAX_QUERY_LENGTH`."""
    text = (query or "").strip()
    if "\x00" in text:  # no name holds one, and PostgreSQL refuses it in a parameter
        raise ValidationFailed.for_field("q", _("搜索词含有无效字符"), code="invalid")
    if len(text) > MAX_QUERY_LENGTH:
        raise ValidationFailed.for_field(
            "q",
            _("搜索词最多 {limit} 个字，现为 {n} 个字").format(limit=MAX_QUERY_LENGTH, n=len(text)),
            code="query_too_long",
        )
    return text


def pinyin_key(text: str) -> str:
    """The query as matched against pinyin keys, or "" when it is not pinyin.

    Only Latin letters and digits can be pinyin; spaces and apostrophes (xi'an) are
    dropped and the rest lower-cased, as :func:`~onewindow.catalog.search_keys.name_search_keys`
    stores the keys.
    """
    key = "".join(ch for ch in text.lower() if ch not in " \t'’")
    if key and key.isascii() and key.isalnum():
        return key
    return ""


def _ranked(queryset: QuerySet, text: str) -> QuerySet:
    """Filter ``queryset`` (of a model with name, name_pinyin, name_initials) by ``text``
    and annotate ``rank``; order by rank, then name."""
    key = pinyin_key(text)
    # Chinese has no letter case: without a cased letter in the query the plain lookups
    # mean the same and spare PostgreSQL an UPPER() of every name.
    cased = text.lower() != text.upper()
    exact, prefix, contains = (
        ("iexact", "istartswith", "icontains") if cased else ("exact", "startswith", "contains")
    )
    ranks = [
        When(Q(**{f"name__{exact}": text}), then=Value(RANK_EXACT)),
        When(Q(**{f"name__{prefix}": text}), then=Value(RANK_NAME_PREFIX)),
        When(Q(**{f"name__{contains}": text}), then=Value(RANK_NAME_CONTAINS)),
    ]
    matches = Q(**{f"name__{contains}": text})
    if key:
        ranks += [
            When(name_initials__startswith=key, then=Value(RANK_INITIALS_PREFIX)),
            When(name_initials__contains=key, then=Value(RANK_INITIALS_CONTAINS)),
            When(name_pinyin__startswith=key, then=Value(RANK_PINYIN_PREFIX)),
            When(name_pinyin__contains=key, then=Value(RANK_PINYIN_CONTAINS)),
        ]
        # The initials are a subsequence of the full pinyin's letters, not a substring,
        # so both are asked for.
        matches |= Q(name_initials__contains=key) | Q(name_pinyin__contains=key)
    return (
        queryset.filter(matches)
        .annotate(
            rank=Case(*ranks, default=Value(RANK_PINYIN_CONTAINS), output_field=IntegerField())
        )
        .order_by("rank", "name", "pk")
    )


def search_items(
    *,
    zone: Zone,
    query: str = "",
    department: Department | None = None,
    item_type: str | None = None,
    fully_online: bool | None = None,
    immediate: bool | None = None,
) -> QuerySet[ItemVersion]:
    """The published versions of ``zone``'s items matching ``query`` and the filters.

    ``department`` is the implementing organ itself (its child units are not included:
    items are implemented by organs, not by their sections). ``fully_online`` means
    全程网办 (no visit); ``immediate`` means 即办件. ``None`` leaves a filter off.
    An empty query lists everything by department (its sort order), then name.
    """
    text = normalise_query(query)
    if item_type and item_type not in ItemType.values:
        raise ValidationFailed.for_field(
            "item_type",
            _("事项类型“{value}”不存在").format(value=item_type),
            code="unknown_item_type",
        )
    versions = ItemVersion.objects.filter(
        item__zone=zone, status=VersionStatus.PUBLISHED
    ).select_related("item", "department")
    if department is not None:
        versions = versions.filter(department=department)
    if item_type:
        versions = versions.filter(item_type=item_type)
    if fully_online is not None:
        versions = (
            versions.filter(required_visits=0)
            if fully_online
            else versions.exclude(required_visits=0)
        )
    if immediate is not None:
        kind = HandlingKind.IMMEDIATE if immediate else HandlingKind.PROMISED
        versions = versions.filter(handling_kind=kind)
    if not text:
        return versions.order_by("department__sort_order", "department__code", "name", "pk")
    return _ranked(versions, text)


def search_bundles(*, zone: Zone, query: str = "") -> QuerySet[Bundle]:
    """The published bundles (一件事) of ``zone`` matching ``query``, ranked like items;
    an empty query lists them all by name."""
    text = normalise_query(query)
    bundles = Bundle.objects.filter(zone=zone, status=VersionStatus.PUBLISHED).select_related(
        "lead_department"
    )
    if not text:
        return bundles.order_by("name", "pk")
    return _ranked(bundles, text)


@dataclass(frozen=True)
class ResultPage:
    count: int
    results: list


def result_page(results: QuerySet, *, page: int, page_size: int) -> ResultPage:
    """Page ``page`` (from 1) of a search, with the number of all results.

    Two queries, one scan of the matching rows: the page's primary keys, ranked, each
    carrying the number of matches as ``COUNT(*) OVER ()`` (narrow rows sort and count
    fast); then those rows in full, by primary key, in the same order. A page past the
    end has no rows to carry the count, so it is asked for separately. Measured against
    counting first and against ranking whole rows in bench/RESULTS.md ("Catalog search").
    """
    start = (page - 1) * page_size
    window = results.annotate(matches=Window(Count("pk"))).values_list("pk", "matches")
    keys = list(window[start : start + page_size])
    if not keys:
        return ResultPage(count=results.count() if start else 0, results=[])
    rows = list(results.filter(pk__in=[key for key, _matches in keys]))
    return ResultPage(count=keys[0][1], results=rows)
