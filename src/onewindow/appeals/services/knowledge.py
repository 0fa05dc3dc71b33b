"""The knowledge base (诉求知识库): saving an article (each change of its text is a new
version, which answers cite), searching a zone's published articles, and reading one with
its history and the orders that cited it.

Editors are the appeal handlers (诉求承办人员) of the article's department; the centre
(派单员) edits every article of its zone (``appeals.knowledge``). Search ranks are
``appeals.knowledge``'s, computed in SQL over the stored folded columns.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import StrIndex
from django.utils.translation import gettext as _

from onewindow.appeals import knowledge
from onewindow.appeals.constants import (
    ARTICLE_OBJECT_TYPE,
    MAX_TEXT_LENGTH,
    AppealEvent,
)
from onewindow.appeals.models import Appeal, AppealCategory, KnowledgeArticle, KnowledgeVersion
from onewindow.appeals.permissions import visible_appeals
from onewindow.appeals.services.common import actor_id, actor_name
from onewindow.appeals.similarity import tfidf_vector, words_of
from onewindow.catalog.constants import VersionStatus
from onewindow.catalog.models import Item, ItemVersion
from onewindow.catalog.search import normalise_query, pinyin_key, query_words
from onewindow.core.audit import audit_append
from onewindow.core.errors import Forbidden, NotFound, ValidationFailed
from onewindow.core.inputs import MAX_REFERENCE, text_problem
from onewindow.core.locks import lock_row
from onewindow.org.models import Department, User, Zone

MAX_TITLE_LENGTH = 120
MAX_POLICY_REFS_LENGTH = 300
#: The most results a search answers.
MAX_SEARCH_LIMIT = 50
#: The most orders listed as citing an article on its page.
MAX_CITING_ORDERS = 50
#: The most words of a free text (a call) searched one by one, the most telling first.
MAX_SUGGESTION_WORDS = 8


# -- input -----------------------------------------------------------------------------------


def _line(value: str | None) -> str:
    """A one-line text as typed, NFKC-folded (full-width letters and digits as ASCII), one
    space between words."""
    return " ".join(unicodedata.normalize("NFKC", value or "").split())


def _text(value: str | None) -> str:
    """A text of several lines: NFC, Windows line ends as ``\\n``, trimmed. Chinese
    punctuation stays as typed (NFKC would make ``，`` a ``,``)."""
    text = unicodedata.normalize("NFC", value or "")
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _check(problems: dict, field: str, value: str, label: str, limit: int, *, required: bool):
    problem = text_problem(value)
    if problem is not None:
        problems[field] = [f"{label}：{problem}"]
    elif required and not value:
        problems[field] = [_("{label}：请填写").format(label=label)]
    elif len(value) > limit:
        problems[field] = [
            _("{label}：不能超过 {limit} 个字，现为 {n} 个字").format(
                label=label, limit=limit, n=len(value)
            )
        ]


# -- saving ----------------------------------------------------------------------------------


def _refuse_editor(actor: User, zone: Zone, department_id: int | None) -> None:
    if not knowledge.edits_for_department(actor, zone.pk, department_id):
        raise Forbidden(
            _("只有该部门的诉求承办人员或本开发区的派单员可以编辑知识库条目"),
            code="not_permitted",
        )


@transaction.atomic
def article_save(
    *,
    actor: User,
    article: KnowledgeArticle | None = None,
    zone: Zone,
    department: Department | None,
    category: AppealCategory | None,
    title: str,
    body: str,
    items: list[Item] | tuple[Item, ...] = (),
    policy_refs: str = "",
    is_published: bool = True,
) -> KnowledgeArticle:
    """Create ``article`` (None) or save it. A new article, or a change of its title or
    body, writes a new version (numbered 1, 2, …) that becomes the current one; a change of
    the other fields (department, category, items, policies, published) does not. The
    search keys follow the current version; the save is audited.

    Editors: the appeal handlers of the article's department (of its old and its new
    department, when it moves) and the zone's centre."""
    if article is not None:
        if article.zone_id != zone.pk:
            raise NotFound(_("没有找到该知识库条目"), code="article_not_found")
        _refuse_editor(actor, zone, article.department_id)
    elif not (
        knowledge.edits_zone_articles(actor, zone.pk)
        or (actor.zone_id == zone.pk and knowledge.is_editor(actor))
    ):
        # Who may not write any article here is told so before their input is checked.
        _refuse_editor(actor, zone, None)
    title, body, policy_refs = _line(title), _text(body), _line(policy_refs)
    problems: dict[str, list[str]] = {}
    _check(problems, "title", title, _("标题"), MAX_TITLE_LENGTH, required=True)
    _check(problems, "body", body, _("内容"), MAX_TEXT_LENGTH, required=True)
    _check(
        problems, "policy_refs", policy_refs, _("相关政策"), MAX_POLICY_REFS_LENGTH, required=False
    )
    if department is None:
        problems["department"] = [_("编辑部门：请选择")]
    elif department.zone_id != zone.pk:
        problems["department"] = [_("编辑部门：不是本开发区的部门")]
    if category is not None and (category.zone_id != zone.pk or not category.is_active):
        problems["category"] = [_("诉求分类：不是本开发区启用的分类")]
    foreign = [item for item in items if item.zone_id != zone.pk]
    if foreign:
        problems["items"] = [_("相关事项：不是本开发区的事项")]
    if problems:
        raise ValidationFailed(next(iter(problems.values()))[0], fields=problems)
    _refuse_editor(actor, zone, department.pk)

    if article is None:
        article = KnowledgeArticle(zone=zone)
        changed_text = True
    else:
        article = lock_row(KnowledgeArticle, pk=article.pk)
        current = article.current_version
        changed_text = current is None or (current.title, current.body) != (title, body)
    article.department = department
    article.category = category
    article.title = title
    article.policy_refs = policy_refs
    article.is_published = is_published
    article.save()
    if changed_text:
        last = article.versions.order_by("-number").values_list("number", flat=True).first()
        version = KnowledgeVersion.objects.create(
            article=article, number=(last or 0) + 1, title=title, body=body, created_by=actor
        )
        keys = knowledge.search_keys(title, body)
        article.current_version = version
        article.search_folded = keys.folded
        article.search_pinyin = keys.pinyin
        article.search_initials = keys.initials
        article.save(
            update_fields=[
                "current_version",
                "search_folded",
                "search_pinyin",
                "search_initials",
                "updated_at",
            ]
        )
    article.items.set(items)
    audit_append(
        action=AppealEvent.ARTICLE_SAVED,
        actor=actor_name(actor),
        actor_id=actor_id(actor),
        object_type=ARTICLE_OBJECT_TYPE,
        object_id=article.pk,
        data={
            "title": title,
            "version": article.current_version.number,
            "new_version": changed_text,
            "department": department.code,
            "published": is_published,
        },
    )
    return article


# -- searching -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnowledgeHit:
    """One search result: the article (with its current version), the rank (lower is
    better), a piece of the text around the match and what the words matched."""

    article: KnowledgeArticle
    rank: int
    snippet: str
    matched_on: list[str]

    @property
    def version(self) -> KnowledgeVersion:
        return self.article.current_version

    @property
    def matched_labels(self) -> list[str]:
        return [str(knowledge.MATCHED_ON_LABELS[key]) for key in self.matched_on]


def _word_rank(word: str, index: int) -> tuple[Q, dict, Case]:
    """(the condition that ``word`` matches, the annotations it needs, its rank)."""
    at = f"kb_at_{index}"
    position = {at: StrIndex("search_folded", Value(word))}
    in_title = Q(**{f"{at}__gt": 0}) & Q(**{f"{at}__lt": F("kb_title_end")})
    ranks = [
        (Q(search_folded__startswith=word + knowledge.TITLE_END), knowledge.RANK_TITLE_EXACT),
        (Q(search_folded__startswith=word), knowledge.RANK_TITLE_PREFIX),
        (in_title, knowledge.RANK_TITLE_CONTAINS),
        (Q(**{f"{at}__gt": 0}), knowledge.RANK_BODY),
    ]
    key = pinyin_key(word)
    if key:
        ranks += [
            (Q(search_initials__startswith=key), knowledge.RANK_INITIALS_PREFIX),
            (Q(search_initials__contains=key), knowledge.RANK_INITIALS_CONTAINS),
            (Q(search_pinyin__startswith=key), knowledge.RANK_PINYIN_PREFIX),
            (Q(search_pinyin__contains=key), knowledge.RANK_PINYIN_CONTAINS),
        ]
    matches = Q(**{f"{at}__gt": 0})
    if key:
        matches |= Q(search_initials__contains=key) | Q(search_pinyin__contains=key)
    expression = Case(
        *[When(condition, then=Value(rank)) for condition, rank in ranks],
        default=Value(knowledge.RANK_PINYIN_CONTAINS),
        output_field=IntegerField(),
    )
    return matches, position, expression


def category_and_below(category: AppealCategory) -> list[int]:
    """The ids of ``category`` and of every category under it (the zone's tree is small:
    read once)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in AppealCategory.objects.filter(zone_id=category.zone_id).values_list(
        "pk", "parent_id"
    ):
        children.setdefault(parent, []).append(pk)
    found, waiting = [], [category.pk]
    while waiting:
        pk = waiting.pop()
        found.append(pk)
        waiting.extend(children.get(pk, []))
    return found


def category_by_code(zone: Zone, code: str | None) -> AppealCategory | None:
    """The zone's category with ``code`` (folded), None for no code; 422 on ``category``
    for a code the zone does not have."""
    code = _line(code)
    if not code:
        return None
    found = AppealCategory.objects.filter(zone=zone, code=code).first()
    if found is None:
        raise ValidationFailed.for_field(
            "category",
            _("诉求分类“{code}”不存在").format(code=code),
            code="unknown_category",
        )
    return found


def knowledge_search(
    *,
    zone: Zone,
    q: str | None,
    category: AppealCategory | None = None,
    limit: int = 20,
    published_only: bool = True,
) -> list[KnowledgeHit]:
    """``zone``'s published articles matching ``q`` (ranked, see ``appeals.knowledge``),
    in ``category`` or below it; an empty query lists them by title. At most ``limit``
    (capped at :data:`MAX_SEARCH_LIMIT`). ``q`` longer than 50 characters or of more than 8
    words is refused (422 on ``q``), as the catalog's search refuses it."""
    words = query_words(normalise_query(q))
    limit = max(1, min(limit, MAX_SEARCH_LIMIT))
    articles: QuerySet = KnowledgeArticle.objects.filter(
        zone=zone, current_version__isnull=False
    ).select_related("current_version", "category", "department")
    if published_only:
        articles = articles.filter(is_published=True)
    if category is not None:
        articles = articles.filter(category_id__in=category_and_below(category))
    if not words:
        rows = list(articles.order_by("title", "pk")[:limit])
        return [
            KnowledgeHit(
                article=row,
                rank=0,
                snippet=knowledge.snippet(row.current_version.body, []),
                matched_on=[],
            )
            for row in rows
        ]
    articles = articles.annotate(kb_title_end=StrIndex("search_folded", Value(knowledge.TITLE_END)))
    ranks = {}
    for index, word in enumerate(words):
        matches, position, expression = _word_rank(word, index)
        articles = articles.annotate(**position).filter(matches)
        ranks[f"kb_rank_{index}"] = expression
    articles = articles.annotate(**ranks)
    total = sum((F(name) for name in ranks), Value(0))
    rows = list(articles.annotate(kb_rank=total).order_by("kb_rank", "title", "pk")[:limit])
    return [
        KnowledgeHit(
            article=row,
            rank=row.kb_rank,
            snippet=knowledge.snippet(row.current_version.body, words),
            matched_on=knowledge.matched_on([getattr(row, name) for name in ranks]),
        )
        for row in rows
    ]


def knowledge_suggestions(*, zone: Zone, text: str, limit: int = 5) -> list[KnowledgeHit]:
    """``zone``'s published articles that may answer a free ``text`` (a call's subject and
    description, as the hotline seat types it). Every word of a query must match in
    :func:`knowledge_search`, so the text is not one query: each of its most telling
    words (TF-IDF, ``appeals.similarity``; at most :data:`MAX_SUGGESTION_WORDS`) is searched
    alone, and an article matching more of them comes first, then the lower sum of ranks,
    then the title. Nothing for a text without such a word."""
    vector = tfidf_vector(words_of(text))
    words = sorted(vector, key=lambda word: (-vector[word], word))[:MAX_SUGGESTION_WORDS]
    found: dict[int, tuple[KnowledgeHit, list[str], int]] = {}
    for word in words:
        try:
            hits = knowledge_search(zone=zone, q=word, limit=MAX_SEARCH_LIMIT)
        except ValidationFailed:  # a word the search refuses (too long) is not searched
            continue
        for hit in hits:
            first, matched, rank = found.get(hit.article.pk, (hit, [], 0))
            found[hit.article.pk] = (first, [*matched, word], rank + hit.rank)
    ordered = sorted(
        found.values(),
        key=lambda entry: (-len(entry[1]), entry[2], entry[0].article.title, entry[0].article.pk),
    )
    return [
        KnowledgeHit(
            article=hit.article,
            rank=rank,
            snippet=knowledge.snippet(hit.article.current_version.body, matched),
            matched_on=[],
        )
        for hit, matched, rank in ordered[: max(1, min(limit, MAX_SEARCH_LIMIT))]
    ]


def published_version(zone: Zone, pk: int | None) -> KnowledgeVersion | None:
    """Version ``pk`` of a published article of ``zone`` (the versions an instant answer
    may cite), with its article; None for any other."""
    if pk is None or not 1 <= pk <= MAX_REFERENCE:
        return None
    return (
        KnowledgeVersion.objects.select_related("article")
        .filter(pk=pk, article__zone=zone, article__is_published=True)
        .first()
    )


def item_names(item_ids) -> dict[int, str]:
    """The name of each item (its published version's; the implementation code of an item
    with none published)."""
    item_ids = list(item_ids)
    names = dict(
        ItemVersion.objects.filter(item_id__in=item_ids, status=VersionStatus.PUBLISHED)
        .order_by("item_id", "-pk")
        .values_list("item_id", "name")
    )
    for pk, code in Item.objects.filter(pk__in=item_ids).values_list("pk", "implementation_code"):
        names.setdefault(pk, code)
    return names


def article_items(article: KnowledgeArticle) -> list[tuple[Item, str]]:
    """The article's related items with their names, by name."""
    items = list(article.items.all())
    names = item_names(item.pk for item in items)
    return sorted(((item, names[item.pk]) for item in items), key=lambda pair: pair[1])


# -- reading one -----------------------------------------------------------------------------


def article_for(user: User, pk: int) -> KnowledgeArticle:
    """Article ``pk`` for a reader of the knowledge base: of the user's zone and published,
    or unpublished and the user may edit it; the same 404 otherwise (an id beyond the
    column's range included: the database would refuse it)."""
    article = (
        KnowledgeArticle.objects.select_related("current_version", "category", "department")
        .filter(pk=pk, current_version__isnull=False)
        .first()
        if 1 <= pk <= MAX_REFERENCE
        else None
    )
    if (
        article is None
        or not knowledge.reads_knowledge(user)
        or article.zone_id != user.zone_id
        or not (
            article.is_published
            or knowledge.edits_for_department(user, article.zone_id, article.department_id)
        )
    ):
        raise NotFound(_("没有找到该知识库条目"), code="article_not_found")
    return article


def article_versions(article: KnowledgeArticle) -> list[KnowledgeVersion]:
    """Every version of ``article``, the newest first, with who wrote it."""
    return list(article.versions.select_related("created_by").order_by("-number"))


def citing_orders(user: User, article: KnowledgeArticle) -> list[Appeal]:
    """The orders that cited a version of ``article`` and ``user`` may see (newest first,
    at most :data:`MAX_CITING_ORDERS`), each with the version it cited."""
    orders = visible_appeals(
        user, Appeal.objects.filter(knowledge_version__article=article)
    ).select_related("knowledge_version")
    return list(orders.order_by("-created_at", "-pk")[:MAX_CITING_ORDERS])
