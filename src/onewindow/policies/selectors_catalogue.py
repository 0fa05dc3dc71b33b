"""Reads of the policy catalogue: what the public sees (the items in force on a day) and
what an officer manages (the policies of their departments, outside which all is 404)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from onewindow.catalog.constants import VersionStatus
from onewindow.core.errors import NotFound
from onewindow.org.models import User, Zone
from onewindow.policies.models import Policy, PolicyItem, PolicyItemVersion
from onewindow.policies.permissions import managed_policies
from onewindow.policies.services.common import versions_in_force

MAX_QUERY_LENGTH = 50


def fold_query(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").split())[:MAX_QUERY_LENGTH]


def public_versions(
    zone: Zone,
    on: dt.date,
    *,
    kind: str | None = None,
    way: str | None = None,
    department: str | None = None,
    q: str = "",
) -> QuerySet[PolicyItemVersion]:
    """The zone's published items in force on ``on`` (one version each), filtered by kind,
    way, the policy's department (code) and words (every word in the item's or the policy's
    name, the 文号 or the item code)."""
    versions = versions_in_force(zone.pk, on).select_related("item__policy__department")
    if kind:
        versions = versions.filter(kind=kind)
    if way:
        versions = versions.filter(way=way)
    if department:
        versions = versions.filter(item__policy__department__code=department)
    for word in fold_query(q).split():
        versions = versions.filter(
            Q(name__icontains=word)
            | Q(item__code__icontains=word)
            | Q(item__policy__title__icontains=word)
            | Q(item__policy__doc_number__icontains=word)
            | Q(beneficiary__icontains=word)
        )
    return versions


@dataclass(frozen=True)
class PublicItem:
    item: PolicyItem
    version: PolicyItemVersion
    #: The item's published and retired versions, newest first (drafts are never shown).
    history: list[PolicyItemVersion]


def public_item(zone: Zone, code: str, on: dt.date) -> PublicItem:
    """Item ``code`` as it stands on ``on``; ``NotFound`` when unknown or not in force."""
    code = "".join(unicodedata.normalize("NFKC", code or "").split()).upper()
    version = public_versions(zone, on).filter(item__code=code).first()
    if version is None:
        raise NotFound(_("没有找到该政策兑现事项"), code="policy_item_not_found")
    history = list(
        version.item.versions.filter(
            status__in=(VersionStatus.PUBLISHED, VersionStatus.RETIRED)
        ).order_by("-effective_from", "-number")
    )
    return PublicItem(item=version.item, version=version, history=history)


def officer_policies(user: User) -> list[Policy]:
    """The officer's policies, each with its items and their versions (newest first)."""
    versions = PolicyItemVersion.objects.order_by("-number")
    items = PolicyItem.objects.order_by("code").prefetch_related(
        Prefetch("versions", queryset=versions)
    )
    return list(
        managed_policies(user)
        .select_related("department")
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("-effective_from", "id")
    )


def managed_policy(user: User, pk: int) -> Policy:
    policy = managed_policies(user).filter(pk=pk).first()
    if policy is None:
        raise NotFound(_("没有找到该政策"), code="policy_not_found")
    return policy


def managed_item(user: User, code: str) -> PolicyItem:
    code = "".join(unicodedata.normalize("NFKC", code or "").split()).upper()
    item = (
        PolicyItem.objects.filter(code=code, policy__in=managed_policies(user))
        .select_related("policy")
        .first()
    )
    if item is None:
        raise NotFound(_("没有找到该兑现事项"), code="item_not_found")
    return item
