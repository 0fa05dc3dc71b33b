"""Duplicate suggestions (重复诉求): the orders a new appeal may repeat (a read; nothing is
written). docs/appeals-duplicates.md gives the rules, the score and worked examples.

A candidate is an order of the same zone, received within the zone's duplicate window
(``AppealSettings.duplicate_window_days``, 30 days by default) either side of the
reference instant (now, for an appeal being taken; the receipt of an existing order), not
merged away, and

* by the same requester (``Appeal.requester``), or
* from the same caller without an account (no requester, the same ``contact_phone``), or
* about the same enterprise (``subject_uscc``) in the same category;

and whose text is similar enough (``similarity.DUPLICATE_THRESHOLD`` on the cosine of the
TF-IDF vectors of their words). Each branch is served by its own index
(``appeal_requester_created``, ``appeal_phone_created``, ``appeal_uscc_category``); at
most :data:`MAX_CANDIDATES` of the newest orders are scored.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.db.models import Case, F, Q, TextField, Value, When
from django.utils import timezone

from onewindow.appeals.constants import AppealStatus
from onewindow.appeals.models import Appeal
from onewindow.appeals.permissions import visible_appeals
from onewindow.appeals.selectors import appeal_settings_for
from onewindow.appeals.similarity import (
    DUPLICATE_THRESHOLD,
    cosine,
    stored_words,
    tfidf_vector,
    words_of,
)
from onewindow.org.models import User

#: The most orders scored for one suggestion (the newest first): a requester with
#: hundreds of orders in the window still answers in bounded time.
MAX_CANDIDATES = 300

#: Orders never offered as duplicates: a merged order lives on in the one it was merged into.
NOT_OFFERED = (AppealStatus.MERGED,)


def phone_key(phone: str | None) -> str:
    """A phone number as compared: NFKC (full-width digits), digits and ``+`` only."""
    folded = unicodedata.normalize("NFKC", phone or "")
    return "".join(ch for ch in folded if ch.isdigit() or ch == "+")


def _branches(
    *, requester_id: int | None, contact_phone: str, subject_uscc: str, category_id: int | None
) -> Q | None:
    branches = []
    if requester_id:
        branches.append(Q(requester_id=requester_id))
    phone = phone_key(contact_phone)
    if phone and not requester_id:
        branches.append(Q(requester__isnull=True, contact_phone=phone))
    uscc = unicodedata.normalize("NFKC", subject_uscc or "").strip().upper()
    if uscc and category_id:
        branches.append(Q(subject_uscc=uscc, category_id=category_id))
    if not branches:
        return None
    condition = branches[0]
    for branch in branches[1:]:
        condition |= branch
    return condition


def duplicate_candidates(
    *,
    zone_id: int,
    requester_id: int | None = None,
    contact_phone: str = "",
    subject_uscc: str = "",
    category_id: int | None = None,
    text: str = "",
    words: list[str] | None = None,
    exclude_pk: int | None = None,
    now: dt.datetime | None = None,
    limit: int = 5,
    user: User | None = None,
) -> list[tuple[Appeal, float]]:
    """The orders the appeal described may repeat, most similar first (then newest):
    ``[(order, score)]``, at most ``limit``. ``text`` is the new appeal's subject and
    description (or pass its ``words``); ``exclude_pk`` leaves an existing order out of
    its own list; ``user`` keeps to the orders that user may see."""
    condition = _branches(
        requester_id=requester_id,
        contact_phone=contact_phone,
        subject_uscc=subject_uscc,
        category_id=category_id,
    )
    if condition is None:
        return []
    vector = tfidf_vector(words if words is not None else words_of(text))
    if not vector:
        return []
    now = now or timezone.now()
    window = dt.timedelta(days=appeal_settings_for(zone_id).duplicate_window_days)
    orders = Appeal.objects.filter(
        condition,
        zone_id=zone_id,
        created_at__gte=now - window,
        created_at__lte=now + window,
    ).exclude(status__in=NOT_OFFERED)
    if exclude_pk is not None:
        orders = orders.exclude(pk=exclude_pk)
    if user is not None:
        orders = visible_appeals(user, orders)
    # The description is read only for an order received without its words.
    rows = (
        orders.annotate(
            missing_text=Case(
                When(words="", then=F("description")), default=Value(""), output_field=TextField()
            )
        )
        .only("pk", "number", "subject", "words", "status", "created_at", "category_id", "zone_id")
        .order_by("-created_at", "-pk")[:MAX_CANDIDATES]
    )
    scored = []
    for row in rows:
        score = cosine(vector, tfidf_vector(stored_words(row.words, row.subject, row.missing_text)))
        if score >= DUPLICATE_THRESHOLD:
            scored.append((row, score))
    scored.sort(key=lambda pair: (-pair[1], -pair[0].created_at.timestamp(), -pair[0].pk))
    return scored[:limit]


def duplicates_of(appeal: Appeal, *, user: User | None = None, limit: int = 5):
    """The suggested duplicates of an existing order (window around its receipt)."""
    return duplicate_candidates(
        zone_id=appeal.zone_id,
        requester_id=appeal.requester_id,
        contact_phone=appeal.contact_phone,
        subject_uscc=appeal.subject_uscc,
        category_id=appeal.category_id,
        words=stored_words(appeal.words, appeal.subject, appeal.description),
        exclude_pk=appeal.pk,
        now=appeal.created_at,
        limit=limit,
        user=user,
    )
