"""快申快享 / 依申请: a redemption that runs as a case on the spine.

The online application's draft is not a case yet (ADR 0027: ``cases.ApplicationDraft`` until
``case_apply`` submits it), so the redemption is made in two steps:

1. ``start_application`` judges the enterprise by the version's conditions (快申快享: it must be
   eligible; 依申请: it must not be ineligible — unknown is left to the reviewer), keeps the
   online application's draft for the catalog item prefilled with the profile facts, and creates
   the Redemption (status applied, the evaluation's result and hash) in the same transaction;
   an enterprise holding a live or paid redemption of an item mutually exclusive with this one
   (不可同时享受, ``common.exclusive_items``) is refused, the enterprise's row locked first so
   two applications for exclusive items at once cannot both pass;
2. the case's submission (``cases.signals.case_submitted``) ties the case to the redemption;
   the case's decision (``cases.signals.case_decided``) approves it (→ 待拨付) or withdraws it
   with the decision's reason.

The time limit is the catalog item's promised limit: the case clock counts it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases import signals
from onewindow.cases.constants import Decision
from onewindow.cases.models import ApplicationDraft
from onewindow.cases.services import draft_keep
from onewindow.catalog.constants import VersionStatus
from onewindow.core.audit import audit_append
from onewindow.core.errors import Conflict, NotFound, ValidationFailed
from onewindow.core.locks import lock_first, lock_rows
from onewindow.core.transitions import transition
from onewindow.org.models import Applicant, User
from onewindow.policies.constants import (
    CASE_WAYS,
    REDEMPTION_TRANSITIONS,
    Event,
    RedemptionAction,
    RedemptionStatus,
    RedemptionWay,
)
from onewindow.policies.models import PolicyItemVersion, Redemption
from onewindow.policies.permissions import represents
from onewindow.policies.rules.evaluate import CompiledItem, compile_item, evaluate, result_hash
from onewindow.policies.rules.language import parse_amount, parse_condition
from onewindow.policies.rules.table import FactTable
from onewindow.policies.services.common import exclusions_held, next_redemption_number
from onewindow.policies.services.profile import facts_for, lock_enterprises

ELIGIBLE, UNKNOWN = "eligible", "unknown"


@dataclass(frozen=True)
class Judgement:
    """One enterprise judged by one version on a day (the engine's ItemResult, with its hash
    and the facts it read)."""

    outcome: str
    amount: Decimal | None
    reasons: list[dict] = field(default_factory=list)
    result_hash: str = ""
    facts: dict[str, Any] = field(default_factory=dict)


def enterprise_facts(enterprise: Applicant) -> dict[str, Any]:
    """The enterprise's profile facts (``services.profile.facts_for``)."""
    return facts_for(enterprise_ids=[enterprise.pk]).get(enterprise.pk, {})


def compiled(version: PolicyItemVersion) -> CompiledItem:
    """The version's rules ready for the engine."""
    return compile_item(
        version.key, parse_condition(version.condition), parse_amount(version.amount)
    )


def judge(version: PolicyItemVersion, facts: dict[str, Any], on: dt.date) -> Judgement:
    """The engine's verdict on ``facts`` for ``version`` on ``on`` (one row, vectorised path)."""
    item = compiled(version)
    result = evaluate([item], FactTable.from_rows([facts], on)).result(0, item.key)
    return Judgement(
        outcome=str(result.outcome),
        amount=result.amount,
        reasons=[
            {"clause": r.clause, "outcome": r.outcome, "text": r.text, "fact": r.fact}
            for r in result.reasons
        ],
        result_hash=result_hash(facts, version.key, version.content(), on),
        facts=facts,
    )


# -- what the confirmation page shows -------------------------------------------------------


@dataclass(frozen=True)
class ApplicationPlan:
    version: PolicyItemVersion
    enterprise: Applicant
    judgement: Judgement
    #: form values kept in the draft: the profile facts the version reads or names
    prefill: dict[str, str]
    #: materials as the version lists them: (name, fact, provided from the profile)
    materials: list[tuple[str, str, bool]]
    limit_days: int
    on: dt.date
    #: The enterprise's held redemption of an item this one may not be combined with (互斥)
    excluded_by: Redemption | None = None

    @property
    def allowed(self) -> bool:
        return self.excluded_by is None and _allowed(self.version, self.judgement)

    @property
    def exclusion_message(self) -> str:
        return exclusion_message(self.excluded_by) if self.excluded_by is not None else ""


def _allowed(version: PolicyItemVersion, judgement: Judgement) -> bool:
    if version.way == RedemptionWay.FAST:
        return judgement.outcome == ELIGIBLE
    # 依申请: only a definite "no" (a near miss is a "no") refuses; unknown goes to the reviewer
    return judgement.outcome in (ELIGIBLE, UNKNOWN)


def _shown(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "、".join(
            str(entry.get("code", entry)) if isinstance(entry, dict) else str(entry)
            for entry in value
        )
    return "" if value is None else str(value)


def _check_version(version: PolicyItemVersion) -> None:
    if version.way not in CASE_WAYS:
        raise ValidationFailed.for_field(
            "version",
            _("“{name}”为免申即享事项，无需申请，请等待匹配结果并确认").format(name=version.name),
            code="not_an_application",
        )
    if version.status != VersionStatus.PUBLISHED or version.catalog_item_id is None:
        raise ValidationFailed.for_field("version", _("该兑现事项暂不接受申请"), code="not_open")


def plan_application(
    *, user: User, enterprise: Applicant, version: PolicyItemVersion, on: dt.date | None = None
) -> ApplicationPlan:
    """What ``start_application`` would do, without doing it (the confirmation page)."""
    if not represents(user, enterprise):
        raise NotFound(_("企业不存在"), code="enterprise_not_found")
    _check_version(version)
    on = on or timezone.localdate()
    catalog_version = _catalog_version(version)
    facts = enterprise_facts(enterprise)
    judgement = judge(version, facts, on)
    materials, prefill = [], {}
    for entry in version.materials or []:
        name, fact = str(entry.get("name", "")), str(entry.get("fact") or "")
        provided = bool(fact) and facts.get(fact) not in (None, "", [])
        if provided:
            prefill[fact] = _shown(facts[fact])
        materials.append((name, fact, provided))
    for reason in judgement.reasons:
        fact = reason.get("fact") or ""
        if fact and facts.get(fact) not in (None, "", []):
            prefill.setdefault(fact, _shown(facts[fact]))
    return ApplicationPlan(
        version=version,
        enterprise=enterprise,
        judgement=judgement,
        prefill=prefill,
        materials=materials,
        limit_days=catalog_version.promised_limit_days,
        on=on,
        excluded_by=exclusion_held(enterprise, version),
    )


def exclusion_held(enterprise: Applicant, version: PolicyItemVersion) -> Redemption | None:
    """The enterprise's oldest live or paid redemption of an item mutually exclusive with
    ``version``'s item, or None. Under the enterprise's lock (``start_application``) the answer
    holds until the commit."""
    return exclusions_held(enterprise.pk, [version.item_id]).get(version.item_id)


def exclusion_message(held: Redemption) -> str:
    """The refusal in words: the other item and its redemption number."""
    return _("与已享受的“{name}”（兑现编号 {number}）互斥，不能同时申请").format(
        name=held.version.name, number=held.number
    )


def _catalog_version(version: PolicyItemVersion):
    catalog_version = version.catalog_item.versions.published().order_by("-id").first()
    if catalog_version is None:
        raise ValidationFailed.for_field("version", _("对应办理事项未发布"), code="not_open")
    return catalog_version


def _refusal(judgement: Judgement) -> ValidationFailed:
    lines = [
        reason.get("text", "")
        for reason in judgement.reasons
        if reason.get("outcome") not in ("true", True, ELIGIBLE)
    ]
    words = _("不符合申报条件") if judgement.outcome != UNKNOWN else _("信息不全，暂无法判定")
    message = "；".join([words, *[line for line in lines if line]])
    return ValidationFailed(message, code="not_eligible", fields={"version": [message]})


def start_application(
    user: User, enterprise: Applicant, version: PolicyItemVersion, *, on: dt.date | None = None
) -> Redemption:
    """Start the enterprise's application for a 快申快享 / 依申请 version: judged, the draft kept
    prefilled, the redemption created (applied). Starting again returns the live redemption
    and keeps the draft again."""
    plan = plan_application(user=user, enterprise=enterprise, version=version, on=on)
    if not _allowed(version, plan.judgement):
        raise _refusal(plan.judgement)
    catalog_version = _catalog_version(version)
    with transaction.atomic():
        # the enterprise's row first: two starts for one enterprise queue here, so the second
        # sees the first's redemption when it checks the exclusions (lock order: enterprise,
        # then its redemptions)
        lock_enterprises([enterprise.pk])
        held = exclusion_held(enterprise, version)
        if held is not None:
            raise Conflict(exclusion_message(held), code="redemption_excluded")
        existing = lock_first(
            Redemption,
            version=version,
            enterprise=enterprise,
            status=RedemptionStatus.APPLIED,
        )
        draft_keep(
            actor=user,
            zone=version.item.zone,
            title=catalog_version.name,
            item=version.catalog_item,
            applicant_key=str(enterprise.pk),
            form_data=plan.prefill,
        )
        if existing is not None:
            return existing
        if Redemption.objects.filter(
            version=version,
            enterprise=enterprise,
            status__in=(
                RedemptionStatus.PUBLICISING,
                RedemptionStatus.PAYABLE,
                RedemptionStatus.PAID,
            ),
        ).exists():
            raise Conflict(_("该事项已兑现或正在兑现，无需重复申请"), code="already_redeemed")
        judgement = plan.judgement
        redemption = Redemption(
            number=next_redemption_number(version.item.zone, year=plan.on.year),
            zone=version.item.zone,
            version=version,
            enterprise=enterprise,
            way=version.way,
            status=RedemptionStatus.APPLIED,
            amount=judgement.amount,
            result={
                "outcome": judgement.outcome,
                "amount": None if judgement.amount is None else str(judgement.amount),
                "reasons": judgement.reasons,
                "limit_days": plan.limit_days,
            },
            result_hash=judgement.result_hash,
            evaluated_on=plan.on,
        )
        try:
            with transaction.atomic():
                redemption.save()
        except IntegrityError as error:
            raise Conflict(
                _("该事项已有进行中的兑现，请勿重复申请"), code="redemption_live"
            ) from error
        audit_append(
            action=Event.REDEMPTION_CREATED,
            actor=user.username,
            actor_id=user.pk,
            object_type="redemption",
            object_id=redemption.pk,
            data={
                "number": redemption.number,
                "version": version.key,
                "way": version.way,
                "outcome": judgement.outcome,
                "result_hash": judgement.result_hash,
                "catalog_item": version.catalog_item_id,
            },
        )
    return redemption


# -- following the case -----------------------------------------------------------------------


def case_submitted(case) -> Redemption | None:
    """Tie the submitted case to the enterprise's applied redemption of a version whose
    catalog item the case is for (the oldest one without a case)."""
    if case.item_version_id is None:
        return None
    redemption = lock_first(
        Redemption.objects.order_by("created_at", "id"),
        enterprise_id=case.applicant_id,
        status=RedemptionStatus.APPLIED,
        case__isnull=True,
        version__catalog_item_id=case.item_version.item_id,
    )
    if redemption is None:
        return None
    redemption.case = case
    redemption.save(update_fields=["case", "updated_at"])
    audit_append(
        action=Event.REDEMPTION_MOVED,
        actor="system",
        object_type="redemption",
        object_id=redemption.pk,
        data={"case": case.number, "status": redemption.status},
    )
    return redemption


def case_decided(case) -> Redemption | None:
    """The case's decision moves its redemption: approved → 待拨付, denied → withdrawn with
    the decision's reason."""
    redemption = lock_first(Redemption, case=case, status=RedemptionStatus.APPLIED)
    if redemption is None:
        return None
    approved = case.decision == Decision.APPROVED
    reason = "" if approved else (case.decision_reason or _("办件不予许可"))[:500]
    if not approved:
        redemption.reason = reason
    transition(
        redemption,
        RedemptionAction.APPROVE if approved else RedemptionAction.WITHDRAW,
        table=REDEMPTION_TRANSITIONS,
        event=Event.REDEMPTION_MOVED,
        object_type="redemption",
        object_id=redemption.pk,
        actor=case.decided_by.username if case.decided_by_id else "system",
        actor_id=case.decided_by_id or "",
        reason=reason,
        data={"case": case.number, "decision": case.decision},
        fields=["reason"] if not approved else (),
    )
    return redemption


def case_deadline(redemption: Redemption) -> dt.date | None:
    """The case clock's deadline (the catalog item's promised limit in working days)."""
    return redemption.case.deadline if redemption.case_id else None


def draft_dropped(enterprise_id: int, item_id: int, *, expired: bool) -> list[Redemption]:
    """After a draft of the online application went (discarded or expired) without becoming
    a case: the enterprise's applied redemptions for the catalog item that have no case and
    no draft left are withdrawn. Run on commit, so a draft that became a case (its case tied
    the redemption in the same transaction) withdraws nothing."""
    withdrawn = []
    with transaction.atomic():
        if ApplicationDraft.objects.filter(
            item_id=item_id, applicant_key=str(enterprise_id)
        ).exists():
            return withdrawn
        reason = _("申请草稿逾期未提交") if expired else _("申请草稿已删除，未提交")
        for redemption in lock_rows(
            Redemption,
            enterprise_id=enterprise_id,
            status=RedemptionStatus.APPLIED,
            case__isnull=True,
            version__catalog_item_id=item_id,
        ):
            redemption.reason = reason
            transition(
                redemption,
                RedemptionAction.WITHDRAW,
                table=REDEMPTION_TRANSITIONS,
                event=Event.REDEMPTION_MOVED,
                object_type="redemption",
                object_id=redemption.pk,
                actor="system",
                actor_id="",
                reason=reason,
                data={"draft": "expired" if expired else "discarded"},
                fields=["reason"],
            )
            withdrawn.append(redemption)
    return withdrawn


@receiver(post_delete, sender=ApplicationDraft, dispatch_uid="policies.applications.draft")
def _on_draft_deleted(sender, instance: ApplicationDraft, **kwargs) -> None:
    # cases sends no signal of its own for a discarded or expired draft: the row's deletion
    # is the hook (submission deletes it too; the on-commit check tells them apart).
    if instance.item_id is None or not instance.applicant_key.isdigit():
        return
    enterprise_id, item_id = int(instance.applicant_key), instance.item_id
    expired = instance.expires_at <= timezone.now()
    transaction.on_commit(lambda: draft_dropped(enterprise_id, item_id, expired=expired))


@receiver(signals.case_submitted, dispatch_uid="policies.applications.case_submitted")
def _on_case_submitted(sender, case, **kwargs) -> None:
    case_submitted(case)


@receiver(signals.case_decided, dispatch_uid="policies.applications.case_decided")
def _on_case_decided(sender, case, **kwargs) -> None:
    case_decided(case)
