"""Search terms of items and bundles: the synonyms, colloquial and English names
administrators maintain so people find a service by the words they use (开公司, 社保,
work permit). They are not part of an item's legal elements: they change at once, on a
published item or bundle too, without a new version."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.catalog.models import Bundle, Item
from onewindow.catalog.search_keys import MAX_TERM_LENGTH, MAX_TERMS, folded_terms, parse_terms
from onewindow.catalog.services.common import CatalogAction, _actor_fields
from onewindow.core.audit import audit_append
from onewindow.core.errors import ValidationFailed
from onewindow.core.locks import lock_row
from onewindow.org.models import User


def clean_search_terms(terms: str | list[str] | None) -> list[str]:
    """The terms as stored, or ``ValidationFailed`` on ``search_terms`` naming the problem."""
    cleaned = parse_terms(terms)
    if len(cleaned) > MAX_TERMS:
        raise ValidationFailed.for_field(
            "search_terms",
            _("搜索别名最多 {limit} 个，现为 {n} 个").format(limit=MAX_TERMS, n=len(cleaned)),
            code="too_many_search_terms",
        )
    for term in cleaned:
        if len(term) > MAX_TERM_LENGTH:
            raise ValidationFailed.for_field(
                "search_terms",
                _("搜索别名“{term}…”超过 {limit} 个字").format(
                    term=term[:10], limit=MAX_TERM_LENGTH
                ),
                code="search_term_too_long",
            )
        if "\x00" in term:
            raise ValidationFailed.for_field(
                "search_terms", _("搜索别名含有无效字符"), code="invalid"
            )
    return cleaned


@transaction.atomic
def item_search_terms_set(*, item: Item, terms: str | list[str], actor: User | None) -> Item:
    """Replace ``item``'s search terms (one per line, or separated by commas or 、)."""
    cleaned = clean_search_terms(terms)
    item = lock_row(Item, pk=item.pk)
    before = item.search_terms
    item.search_terms = "\n".join(cleaned)
    item.terms_folded = folded_terms(cleaned)
    if item.search_terms == before:
        return item
    item.save(update_fields=["search_terms", "terms_folded"])
    audit_append(
        action=CatalogAction.ITEM_SEARCH_TERMS_CHANGED,
        object_type="item",
        object_id=item.implementation_code,
        data={"from": parse_terms(before), "to": cleaned},
        **_actor_fields(actor),
    )
    return item


@transaction.atomic
def bundle_search_terms_set(
    *, bundle: Bundle, terms: str | list[str], actor: User | None
) -> Bundle:
    """Replace ``bundle``'s search terms, whatever its status."""
    cleaned = clean_search_terms(terms)
    bundle = lock_row(Bundle, related=("zone",), pk=bundle.pk)
    before = bundle.search_terms
    bundle.search_terms = "\n".join(cleaned)
    bundle.terms_folded = folded_terms(cleaned)
    if bundle.search_terms == before:
        return bundle
    bundle.save(update_fields=["search_terms", "terms_folded", "updated_at"])
    audit_append(
        action=CatalogAction.BUNDLE_SEARCH_TERMS_CHANGED,
        object_type="bundle",
        object_id=f"{bundle.zone.code}:{bundle.code}",
        data={"from": parse_terms(before), "to": cleaned},
        **_actor_fields(actor),
    )
    return bundle
