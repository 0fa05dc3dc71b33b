"""Subscriptions (政策提醒): a representative of an enterprise asks to be told when an item
of the policies matches it.

- :func:`subscribe` / :func:`unsubscribe`: the representative's own choice, audited;
- :func:`tell_version_published`: a version was published (``version_published``): every
  subscribed enterprise of its zone is judged against the items in force on the version's
  first day, and told if the new version is eligible (or near, when asked);
- :func:`tell_facts_changed`: facts of enterprises changed (``facts_changed``): each
  subscribed one is judged today and told of the items that read a changed fact and are now
  eligible (or near).

Each message is keyed ``policy-match:<enterprise>:<version>``: one per subscriber, enterprise
and version, however often a signal is sent again or a job re-runs. Only subscribers who
still represent the enterprise (and are active) are told.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.audit import audit_append
from onewindow.core.errors import NotFound
from onewindow.core.notifications import notify
from onewindow.org.models import Applicant, Representation, User
from onewindow.policies.constants import Event
from onewindow.policies.models import PolicyItemVersion, Subscription
from onewindow.policies.notifications import MATCH_NOTIFICATION
from onewindow.policies.permissions import represents
from onewindow.policies.rules.evaluate import ELIGIBLE, NEAR
from onewindow.policies.services import calculator
from onewindow.policies.services.common import versions_in_force
from onewindow.policies.services.profile import facts_for

SUBSCRIPTION_OBJECT = "policies.subscription"
logger = logging.getLogger("onewindow.policies")


def _audit(event: str, user: User, enterprise: Applicant, data: dict) -> None:
    audit_append(
        action=event,
        actor=user.get_username(),
        actor_id=user.pk,
        object_type=SUBSCRIPTION_OBJECT,
        object_id=enterprise.pk,
        data={"enterprise": enterprise.uscc, **data},
    )


def _own(user: User, enterprise: Applicant) -> None:
    if not represents(user, enterprise):
        raise NotFound(_("没有找到该企业"), code="enterprise_not_found")


@transaction.atomic
def subscribe(user: User, enterprise: Applicant, *, include_near: bool = True) -> Subscription:
    """``user`` (a representative of ``enterprise``) subscribes; subscribing again changes
    only ``include_near``. Anyone else: ``NotFound`` (as for an unknown enterprise)."""
    _own(user, enterprise)
    subscription, created = Subscription.objects.get_or_create(
        enterprise=enterprise, user=user, defaults={"include_near": include_near}
    )
    if not created and subscription.include_near == include_near:
        return subscription
    if not created:
        subscription.include_near = include_near
        subscription.save(update_fields=["include_near"])
    _audit(Event.SUBSCRIBED, user, enterprise, {"include_near": include_near})
    return subscription


@transaction.atomic
def unsubscribe(user: User, enterprise: Applicant) -> bool:
    """``user`` stops the reminders of ``enterprise``; False when there were none."""
    _own(user, enterprise)
    deleted, _rows = Subscription.objects.filter(enterprise=enterprise, user=user).delete()
    if not deleted:
        return False
    _audit(Event.UNSUBSCRIBED, user, enterprise, {})
    return True


# -- telling the subscribers -----------------------------------------------------------------


def _subscriptions(enterprise_ids: Iterable[int] | None = None, zone_id: int | None = None):
    """Subscriptions of active users who still represent the enterprise."""
    found = Subscription.objects.filter(user__is_active=True).select_related(
        "enterprise__park", "user"
    )
    if enterprise_ids is not None:
        found = found.filter(enterprise_id__in=list(enterprise_ids))
    represented = Representation.objects.values_list("user_id", "applicant_id")
    pairs = set(represented.filter(applicant_id__in=found.values("enterprise_id")))
    by_enterprise: dict[int, list[Subscription]] = {}
    for subscription in found.order_by("enterprise_id", "user_id"):
        if (subscription.user_id, subscription.enterprise_id) not in pairs:
            continue
        if (
            zone_id is not None
            and calculator.enterprise_zone_id(subscription.enterprise) != zone_id
        ):
            continue
        by_enterprise.setdefault(subscription.enterprise_id, []).append(subscription)
    return by_enterprise


def _tell(subscriptions: list[Subscription], result, on: dt.date) -> int:
    enterprise = subscriptions[0].enterprise
    version = result.version
    told = 0
    for subscription in subscriptions:
        if result.outcome == NEAR and not subscription.include_near:
            continue
        context = {
            "enterprise": enterprise.name,
            "item": version.name,
            "code": version.item.code,
            "outcome": result.outcome,
            "amount": f"{result.amount:f}" if result.amount is not None else "",
            "missing": "；".join(reason["text"] for reason in result.missing),
            "effective_from": (
                version.effective_from.isoformat() if version.effective_from > on else ""
            ),
        }
        sent = notify(
            subscription.user,
            MATCH_NOTIFICATION,
            context,
            link=f"{reverse('policies:calculator')}?enterprise={enterprise.uscc}",
            subject=("policies.version", version.pk),
            key=f"policy-match:{enterprise.pk}:{version.pk}",
        )
        told += sent is not None
    return told


def _worth_telling(result) -> bool:
    return result.outcome == NEAR or (result.outcome == ELIGIBLE and result.excluded_by is None)


def _judge_and_tell(by_enterprise, zone_id: int, on: dt.date, wanted) -> int:
    """Judge the subscribed enterprises of ``zone_id`` on ``on`` (one pass of the engine) and
    tell of each result ``wanted(enterprise_id, result)`` accepts."""
    if not by_enterprise:
        return 0
    ids = list(by_enterprise)
    facts = facts_for(enterprise_ids=ids)
    answers = calculator.evaluate_rows([facts.get(pk, {}) for pk in ids], zone_id, on)
    told = 0
    with transaction.atomic():
        for pk, results in zip(ids, answers, strict=True):
            for result in results:
                if _worth_telling(result) and wanted(pk, result):
                    told += _tell(by_enterprise[pk], result, on)
    return told


def tell_version_published(version_id: int, *, today: dt.date | None = None) -> int:
    """Tell the subscribers of the zone's enterprises that the published version matches
    them; the number of messages written."""
    version = PolicyItemVersion.objects.select_related("item").filter(pk=version_id).first()
    if version is None:
        return 0
    zone_id = version.item.zone_id
    on = max(today or timezone.localdate(), version.effective_from)
    by_enterprise = _subscriptions(zone_id=zone_id)
    return _judge_and_tell(
        by_enterprise, zone_id, on, lambda _pk, result: result.version.pk == version.pk
    )


def tell_facts_changed(
    enterprise_ids: Iterable[int], names: Iterable[str], *, today: dt.date | None = None
) -> int:
    """Tell the subscribers of the enterprises named of the items in force today that read
    one of the changed facts and now match; the number of messages written."""
    changed = set(names)
    on = today or timezone.localdate()
    by_zone: dict[int, dict[int, list[Subscription]]] = {}
    for pk, subscriptions in _subscriptions(enterprise_ids=enterprise_ids).items():
        zone_id = calculator.enterprise_zone_id(subscriptions[0].enterprise)
        if zone_id is not None:
            by_zone.setdefault(zone_id, {})[pk] = subscriptions
    told = 0
    for zone_id, by_enterprise in by_zone.items():
        reads = {
            item.key: {leaf.fact for leaf in item.leaves}
            for item in calculator.compiled_items(zone_id, list(versions_in_force(zone_id, on)))
        }
        told += _judge_and_tell(
            by_enterprise,
            zone_id,
            on,
            lambda _pk, result, reads=reads: bool(reads.get(result.key, set()) & changed),
        )
    return told


# -- the signals' receivers (connected in apps.py) -------------------------------------------
# They run after the sender's commit: a failure to tell is logged, never raised into the
# publication or the change of facts that already happened.


def on_version_published(sender, *, version_id: int, **kwargs) -> None:
    try:
        tell_version_published(version_id)
    except Exception:
        logger.exception("policy subscriptions: telling of version %s failed", version_id)


def on_facts_changed(sender, *, enterprise_ids, names, **kwargs) -> None:
    try:
        tell_facts_changed(enterprise_ids, names)
    except Exception:
        logger.exception("policy subscriptions: telling of enterprises %s failed", enterprise_ids)
