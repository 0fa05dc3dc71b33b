"""Search the zone's published items and bundles by the words people type: names, the
synonyms, colloquial and English names administrators maintain (``search_terms``), the
names of results and certificates, pinyin initials and full pinyin, and a bundle's
description. Ranked in SQL (the same results and order on SQLite and PostgreSQL), read a
page at a time with :func:`result_page`; :func:`search_catalog` ranks items and bundles
in one list.

The query is folded like every stored search column (:func:`~onewindow.catalog.search_keys.fold`:
NFKC and case folding, so ``ｓｐｊｙ`` is ``spjy`` and ``药品经营许可(零售)`` finds
``药品经营许可（零售）``) and split into words at spaces (the ideographic space too).
Every word must match something; each word scores the best rank it reaches (lower is
better), a result's rank is the sum over its words, ties by name:

====  ==========================================================
0     the name is the word (食品经营许可)
1     the name starts with it (食品 → 食品经营许可)
2     the name contains it (经营 → 食品经营许可)
3     a search term contains it (社保 → 社会保险登记, work permit → 外国人来华工作许可)
4     the result or its certificate type contains it (营业执照 → 企业设立登记)
5     the pinyin initials start with it (spjy → shipinjingyingxuke)
6     the pinyin initials contain it (jyxk)
7     the full pinyin starts with it (shipin → shipinjingyingxuke)
8     the full pinyin contains it (jingying)
9     a bundle's description contains it
====  ==========================================================

The pinyin ranks apply only to a word of Latin letters and digits (apostrophes ignored):
a Chinese word is matched by its characters, not by its sound, so 食品 does not find 视频.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.urls import reverse
from django.utils.translation import gettext as _

from onewindow.catalog.constants import HandlingKind, ItemType, VersionStatus
from onewindow.catalog.models import Bundle, ItemVersion
from onewindow.catalog.search_keys import fold
from onewindow.core.errors import ValidationFailed
from onewindow.org.models import Department, Zone

#: The longest query accepted. Most item names are far shorter; a longer name is still
#: found by any part of it.
MAX_QUERY_LENGTH = 50
#: The most words a query may have (each is one more condition on every row).
MAX_QUERY_WORDS = 8

RANK_EXACT = 0
RANK_NAME_PREFIX = 1
RANK_NAME_CONTAINS = 2
RANK_TERM = 3
RANK_RESULT = 4
RANK_INITIALS_PREFIX = 5
RANK_INITIALS_CONTAINS = 6
RANK_PINYIN_PREFIX = 7
RANK_PINYIN_CONTAINS = 8
RANK_DESCRIPTION = 9

#: What a word matched, by its rank: the ``matched_on`` of a result.
MATCHED_ON = {
    RANK_EXACT: "name",
    RANK_NAME_PREFIX: "name",
    RANK_NAME_CONTAINS: "name",
    RANK_TERM: "synonym",
    RANK_RESULT: "result",
    RANK_INITIALS_PREFIX: "pinyin",
    RANK_INITIALS_CONTAINS: "pinyin",
    RANK_PINYIN_PREFIX: "pinyin",
    RANK_PINYIN_CONTAINS: "pinyin",
    RANK_DESCRIPTION: "description",
}


def normalise_query(query: str | None) -> str:
    """The query as typed, trimmed, at most :data:`MAX_QUERY_LENGTH` (not yet folded)."""
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


def query_words(text: str) -> list[str]:
    """The distinct folded words of ``text`` (split at any space, full-width too)."""
    words = list(dict.fromkeys(fold(text).split()))
    if len(words) > MAX_QUERY_WORDS:
        raise ValidationFailed.for_field(
            "q",
            _("搜索词最多 {limit} 个词，现为 {n} 个").format(limit=MAX_QUERY_WORDS, n=len(words)),
            code="too_many_words",
        )
    return words


def pinyin_key(word: str) -> str:
    """``word`` as matched against pinyin keys, or "" when it is not pinyin.

    Only Latin letters and digits can be pinyin; apostrophes (xi'an) are dropped and the
    rest lower-cased, as :func:`~onewindow.catalog.search_keys.name_search_keys` stores
    the keys.
    """
    key = "".join(ch for ch in word.lower() if ch not in " \t'’")
    if key and key.isascii() and key.isalnum():
        return key
    return ""


@dataclass(frozen=True)
class Columns:
    """Where a model keeps its search columns (``None``: it has no such column)."""

    name: str
    terms: str
    result: str | None
    description: str | None


ITEM_COLUMNS = Columns(
    name="name_folded", terms="item__terms_folded", result="result_folded", description=None
)
BUNDLE_COLUMNS = Columns(
    name="name_folded", terms="terms_folded", result=None, description="description_folded"
)


def _word_rank(word: str, columns: Columns) -> tuple[Q, Case]:
    """(the condition that ``word`` matches, its rank) over ``columns``."""
    ranks = [
        (Q(**{columns.name: word}), RANK_EXACT),
        (Q(**{f"{columns.name}__startswith": word}), RANK_NAME_PREFIX),
        (Q(**{f"{columns.name}__contains": word}), RANK_NAME_CONTAINS),
        (Q(**{f"{columns.terms}__contains": word}), RANK_TERM),
    ]
    if columns.result:
        ranks.append((Q(**{f"{columns.result}__contains": word}), RANK_RESULT))
    key = pinyin_key(word)
    if key:
        ranks += [
            (Q(name_initials__startswith=key), RANK_INITIALS_PREFIX),
            (Q(name_initials__contains=key), RANK_INITIALS_CONTAINS),
            # The initials are a subsequence of the full pinyin's letters, not a
            # substring, so both are asked for.
            (Q(name_pinyin__startswith=key), RANK_PINYIN_PREFIX),
            (Q(name_pinyin__contains=key), RANK_PINYIN_CONTAINS),
        ]
    if columns.description:
        ranks.append((Q(**{f"{columns.description}__contains": word}), RANK_DESCRIPTION))
    # The name's exact and prefix matches imply the contains one: it alone filters.
    matches = Q()
    for condition, rank in ranks:
        if rank not in (RANK_EXACT, RANK_NAME_PREFIX, RANK_INITIALS_PREFIX, RANK_PINYIN_PREFIX):
            matches |= condition
    expression = Case(
        *[When(condition, then=Value(rank)) for condition, rank in ranks],
        default=Value(RANK_DESCRIPTION),
        output_field=IntegerField(),
    )
    return matches, expression


def _ranked(queryset: QuerySet, words: list[str], columns: Columns) -> QuerySet:
    """Filter ``queryset`` to the rows every word matches; annotate each word's rank
    (``rank_0``, ``rank_1``…) and their sum ``rank``; order by rank, then name."""
    annotations = {}
    for index, word in enumerate(words):
        matches, expression = _word_rank(word, columns)
        queryset = queryset.filter(matches)
        annotations[f"rank_{index}"] = expression
    queryset = queryset.annotate(**annotations)
    total = sum((F(name) for name in annotations), Value(0))
    return queryset.annotate(rank=total).order_by("rank", "name", "pk")


def matched_on(row, words: int) -> list[str]:
    """What the words of a ranked result matched (``name``, ``synonym``, ``result``,
    ``pinyin``, ``description``), best first, each once. ``row`` is a result of
    :func:`search_items`, :func:`search_bundles` or :func:`search_catalog`."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    ranks = sorted(get(f"rank_{index}") for index in range(words))
    return list(dict.fromkeys(MATCHED_ON[rank] for rank in ranks))


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
    words = query_words(text)
    if not words:
        return versions.order_by("department__sort_order", "department__code", "name", "pk")
    return _ranked(versions, words, ITEM_COLUMNS)


def search_bundles(*, zone: Zone, query: str = "") -> QuerySet[Bundle]:
    """The published bundles (一件事) of ``zone`` matching ``query``, ranked like items;
    an empty query lists them all by name."""
    text = normalise_query(query)
    bundles = Bundle.objects.filter(zone=zone, status=VersionStatus.PUBLISHED).select_related(
        "lead_department"
    )
    words = query_words(text)
    if not words:
        return bundles.order_by("name", "pk")
    return _ranked(bundles, words, BUNDLE_COLUMNS)


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


# -- items and bundles in one list ----------------------------------------------------------

#: The columns of a :func:`search_catalog` row besides the word ranks.
HIT_COLUMNS = ("hit_kind", "hit_code", "hit_name", "rank")


@dataclass(frozen=True)
class Hit:
    """One result of :func:`search_catalog`: an item's published version or a bundle."""

    kind: str  # "item" | "bundle"
    code: str  # the implementation code (实施编码) or the bundle's code
    name: str
    rank: int
    matched_on: list[str]

    @property
    def url(self) -> str:
        if self.kind == "item":
            return reverse("item_guide", args=[self.code])
        return reverse("bundle_guide", args=[self.code])


@dataclass(frozen=True)
class CatalogSearch:
    """The ranked union of items and bundles matching ``words``; page it with :meth:`page`."""

    words: list[str]
    items: QuerySet
    bundles: QuerySet

    def _rows(self) -> QuerySet:
        columns = [*HIT_COLUMNS, *(f"rank_{index}" for index in range(len(self.words)))]
        items = self.items.order_by().values(*columns)
        bundles = self.bundles.order_by().values(*columns)
        # At the same rank a bundle comes first: it does the whole job (开公司 → 开办企业一件事).
        return items.union(bundles, all=True).order_by("rank", "hit_kind", "hit_name", "hit_code")

    def page(self, *, page: int, page_size: int) -> ResultPage:
        """Page ``page`` (from 1): three queries (the two counts and the page's rows)."""
        count = self.items.count() + self.bundles.count()
        start = (page - 1) * page_size
        rows = list(self._rows()[start : start + page_size]) if start < count else []
        hits = [
            Hit(
                kind=row["hit_kind"],
                code=row["hit_code"],
                name=row["hit_name"],
                rank=row["rank"],
                matched_on=matched_on(row, len(self.words)),
            )
            for row in rows
        ]
        return ResultPage(count=count, results=hits)


def search_catalog(*, zone: Zone, query: str) -> CatalogSearch:
    """``zone``'s published items and bundles matching ``query``, ranked together (at the
    same rank bundles first, then by name).

    An empty query is refused (``ValidationFailed`` on ``q``): listing the catalog is
    :func:`search_items` and :func:`search_bundles`' work.
    """
    words = query_words(normalise_query(query))
    if not words:
        raise ValidationFailed.for_field("q", _("请输入要查找的事项或一件事"), code="required")
    items = _ranked(
        ItemVersion.objects.filter(item__zone=zone, status=VersionStatus.PUBLISHED),
        words,
        ITEM_COLUMNS,
    ).annotate(
        hit_kind=Value("item", output_field=CharField()),
        hit_code=F("item__implementation_code"),
        hit_name=F("name"),
    )
    bundles = _ranked(
        Bundle.objects.filter(zone=zone, status=VersionStatus.PUBLISHED), words, BUNDLE_COLUMNS
    ).annotate(
        hit_kind=Value("bundle", output_field=CharField()),
        hit_code=F("code"),
        hit_name=F("name"),
    )
    return CatalogSearch(words=words, items=items, bundles=bundles)
