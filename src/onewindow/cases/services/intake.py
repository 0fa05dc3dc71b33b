"""From the application to acceptance's door: create, submit, the correction notice
(补正), resubmission, refusal (不予受理) and withdrawal (撤回).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases import applicant_messages, signals
from onewindow.cases.constants import (
    ACTIVE_TASK_STATUSES,
    CASE_TRANSITIONS,
    CaseAction,
    CaseChannel,
    CaseEventAction,
    CaseStatus,
    MaterialState,
)
from onewindow.cases.models import (
    Case,
    CaseMaterial,
    Suspension,
    Task,
)
from onewindow.cases.services.common import _children, _event, _lock, _may, _text, _transition
from onewindow.cases.services.materials import (
    _fill_from_wallet,
    _material_rows,
    _missing_materials,
)
from onewindow.cases.services.numbering import _number
from onewindow.cases.services.workflow import _cancel_task
from onewindow.catalog.constants import (
    OnlineDepth,
    VersionStatus,
)
from onewindow.catalog.models import Bundle, BundleItem, ItemVersion
from onewindow.core.errors import Conflict, NotFound, ValidationFailed
from onewindow.core.locks import lock_rows
from onewindow.core.transitions import transition_new
from onewindow.org.constants import Role
from onewindow.org.models import Applicant, User, Window, Zone
from onewindow.org.permissions import represented_applicant_ids


def _published_version(version: ItemVersion) -> ItemVersion:
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationFailed.for_field(
            "item", _("该事项版本未发布或已停用，不能申请"), code="item_not_published"
        )
    return version


# -- creating and submitting ---------------------------------------------------------------


@transaction.atomic
def case_create(
    *,
    actor: User,
    applicant: Applicant,
    item_version: ItemVersion | None = None,
    bundle: Bundle | None = None,
    channel: str = CaseChannel.ONLINE,
    form_data: dict[str, Any] | None = None,
    language: str = "zh-hans",
    window: Window | None = None,
    idempotency_key: str = "",
    request_digest: str = "",
    submit: bool = True,
) -> Case:
    """A new application for an item or a bundle (by the applicant online, or by a clerk
    at the window for a walk-in). A bundle becomes a parent case with a child per item."""
    if (item_version is None) == (bundle is None):
        raise ValidationFailed.for_field("item", _("请选择一个事项或一件事"), code="item_or_bundle")
    zone = bundle.zone if bundle is not None else item_version.item.zone
    _check_applicant(actor, applicant, zone=zone, channel=channel, window=window)
    form_data = dict(form_data or {})
    if bundle is not None:
        versions = _bundle_versions(bundle, form_data)
        title, department = bundle.name, bundle.lead_department
    else:
        versions = [_published_version(item_version)]
        title, department = item_version.name, item_version.department
    if channel == CaseChannel.ONLINE:
        _check_online(versions)

    case = Case(
        zone=zone,
        bundle=bundle,
        item_version=None if bundle is not None else versions[0],
        title=title,
        department=department,
        applicant=applicant,
        submitted_by=actor,
        channel=channel,
        window=window,
        language=(language or "zh-hans")[:10],
        form_data=form_data,
        idempotency_key=idempotency_key,
        request_digest=request_digest,
    )
    if submit:
        # Created directly as submitted (the table's draft → submitted, one event), so
        # the new row is neither updated nor locked again in this transaction.
        _may(actor, case, "submit")
        transition_new(case, CaseAction.SUBMIT, table=CASE_TRANSITIONS)
        case.submitted_at = timezone.now()
    _insert(case)
    rows = CaseMaterial.objects.bulk_create(_material_rows(case, versions))
    _event(
        case,
        CaseEventAction.CREATED,
        actor=actor,
        data={"to": case.status, "channel": channel, "title": title},
    )
    children = _create_children(case, versions, actor=actor) if bundle is not None else []
    if submit:
        missing = [row for row in rows if row.state == MaterialState.MISSING]
        _fill_from_wallet(case, actor=actor, rows=missing, children=children)
        applicant_messages.case_submitted(case)
        signals.case_submitted.send(sender=Case, case=case)
    return case


def _check_applicant(
    actor: User, applicant: Applicant, *, zone: Zone, channel: str, window: Window | None
) -> None:
    """A clerk takes a walk-in application for anyone; an applicant applies online for
    themselves or for whom they represent; anyone else sees "not found"."""
    if actor.zone_id != zone.pk:
        raise NotFound(_("事项不存在"), code="item_not_found")
    if channel not in CaseChannel.values:
        raise ValidationFailed.for_field("channel", _("申请渠道无效"), code="invalid_channel")
    if actor.has_role(Role.WINDOW_CLERK):
        pass  # a walk-in application taken at the desk, for any applicant
    elif actor.is_applicant and applicant.pk in represented_applicant_ids(actor):
        if channel != CaseChannel.ONLINE:
            raise ValidationFailed.for_field(
                "channel", _("申请人只能网上申请"), code="invalid_channel"
            )
    else:
        raise NotFound(_("申请人不存在"), code="applicant_not_found")
    if window is not None and window.zone_id != zone.pk:
        raise ValidationFailed.for_field("window", _("窗口不属于该开发区"))


def _bundle_versions(bundle: Bundle, form_data: dict[str, Any]) -> list[ItemVersion]:
    """The published versions of a published bundle's items, in the bundle's order, once
    the bundle's own form has every required field."""
    if bundle.status != VersionStatus.PUBLISHED:
        raise ValidationFailed.for_field(
            "bundle", _("该一件事未发布，不能申请"), code="bundle_not_published"
        )
    order = list(
        BundleItem.objects.filter(bundle=bundle)
        .order_by("position")
        .values_list("item_id", flat=True)
    )
    published = {
        version.item_id: version
        for version in ItemVersion.objects.published()
        .filter(item_id__in=order)
        .select_related("department")
    }
    versions = [published[item_id] for item_id in order if item_id in published]
    if not versions:
        raise ValidationFailed.for_field(
            "bundle", _("该一件事没有可申请的事项"), code="bundle_empty"
        )
    missing = [
        field["label"]
        for field in bundle.form_fields or []
        if field.get("required") and not str(form_data.get(field["key"], "")).strip()
    ]
    if missing:
        raise ValidationFailed(
            _("申请表有必填项未填写：{fields}").format(fields="、".join(missing)),
            code="form_incomplete",
            fields={"form_data": [_("请填写：{f}").format(f=name) for name in missing]},
        )
    return versions


def _check_online(versions: Sequence[ItemVersion]) -> None:
    offline = [v.name for v in versions if v.online_depth < OnlineDepth.PRE_REVIEW]
    if offline:
        # 网办深度 Ⅰ: the guide is online, the application is made at the window.
        raise ValidationFailed.for_field(
            "item",
            _("以下事项暂不支持在线申请，请到窗口办理：{names}").format(names="、".join(offline)),
            code="not_online",
        )


def _insert(case: Case) -> None:
    """Number and insert the new case. The unique constraint on (submitter, idempotency
    key) is the check, not a read before: a reused key is a conflict, and the caller,
    out of this (lost) transaction, looks up the case the key made first."""
    _number(case)
    try:
        case.save(force_insert=True)
    except IntegrityError as error:
        if case.idempotency_key and "idempotency_key" in str(error):
            raise Conflict(_("该幂等键已用于另一份申请"), code="idempotency_key_reused") from error
        raise


def _create_children(case: Case, versions: Sequence[ItemVersion], *, actor: User) -> list[Case]:
    """A bundle's child case per item: same applicant, channel, form and status, the
    parent's query code."""
    children = []
    for version in versions:
        child = Case(
            zone=case.zone,
            parent=case,
            item_version=version,
            title=version.name,
            department=version.department,
            applicant=case.applicant,
            submitted_by=case.submitted_by,
            channel=case.channel,
            window=case.window,
            language=case.language,
            form_data=case.form_data,
            status=case.status,
            submitted_at=case.submitted_at,
        )
        _number(child)
        child.query_code = case.query_code
        child.save(force_insert=True)
        _event(
            child,
            CaseEventAction.CREATED,
            actor=actor,
            data={"to": child.status, "parent": case.number, "title": child.title},
        )
        children.append(child)
    return children


@transaction.atomic
def case_submit(*, case: Case, actor: User) -> Case:
    case = _lock(case)
    _may(actor, case, "submit")
    children = _children(case)
    missing = _missing_materials(case)
    now = timezone.now()
    case.submitted_at = now
    _transition(
        case,
        CaseAction.SUBMIT,
        actor=actor,
        event=CaseEventAction.SUBMITTED,
        fields=["submitted_at"],
    )
    for child in children:
        child.submitted_at = now
        _transition(
            child,
            CaseAction.SUBMIT,
            actor=actor,
            event=CaseEventAction.SUBMITTED,
            fields=["submitted_at"],
        )
    _fill_from_wallet(case, actor=actor, rows=missing, children=children)
    applicant_messages.case_submitted(case)
    signals.case_submitted.send(sender=Case, case=case)
    return case


# -- pre-review at the window --------------------------------------------------------------


@transaction.atomic
def case_request_correction(*, case: Case, actor: User, items: Iterable[str]) -> Case:
    """补正告知: one complete list (行政许可法 art. 32). A second request may only repeat
    items of the first list that are still not put right, never add new ones."""
    case = _lock(case)
    _may(actor, case, "request_correction")
    cleaned = [str(item).strip() for item in items if str(item).strip()]
    if not cleaned:
        raise ValidationFailed.for_field(
            "items", _("请一次性列明需要补正的全部内容"), code="required"
        )
    if len(cleaned) > 50 or any(len(item) > 500 for item in cleaned):
        raise ValidationFailed.for_field("items", _("补正内容过长"), code="too_long")
    if case.correction_items:
        new = [item for item in cleaned if item not in case.correction_items]
        if new:
            raise ValidationFailed(
                _("补正告知须一次性提出，不能追加首次告知以外的内容：{items}").format(
                    items="；".join(new)
                ),
                code="correction_not_at_once",
                fields={"items": [_("首次告知未列出：{i}").format(i=item) for item in new]},
            )
    case.correction_items = cleaned
    case.correction_requested_at = timezone.now()
    _transition(
        case,
        CaseAction.REQUEST_CORRECTION,
        actor=actor,
        event=CaseEventAction.CORRECTION_REQUESTED,
        data={"items": cleaned},
        fields=["correction_items", "correction_requested_at"],
    )
    applicant_messages.case_correction_requested(case)
    return case


@transaction.atomic
def case_resubmit(*, case: Case, actor: User) -> Case:
    case = _lock(case)
    _may(actor, case, "resubmit")
    missing = _missing_materials(case)
    _transition(case, CaseAction.RESUBMIT, actor=actor, event=CaseEventAction.RESUBMITTED)
    _fill_from_wallet(case, actor=actor, rows=missing)
    return case


@transaction.atomic
def case_refuse(*, case: Case, actor: User, reason: str, legal_basis: str) -> Case:
    """不予受理: with reasons and the legal basis."""
    case = _lock(case)
    _may(actor, case, "refuse")
    children = _children(case)
    case.refusal_reason = _text("reason", reason, _("不予受理理由"))
    case.refusal_legal_basis = _text("legal_basis", legal_basis, _("不予受理依据"))
    fields = ["refusal_reason", "refusal_legal_basis"]
    _transition(
        case,
        CaseAction.REFUSE,
        actor=actor,
        event=CaseEventAction.REFUSED,
        reason=case.refusal_reason,
        data={"legal_basis": case.refusal_legal_basis},
        fields=fields,
    )
    for child in children:
        child.refusal_reason = case.refusal_reason
        child.refusal_legal_basis = case.refusal_legal_basis
        _transition(
            child,
            CaseAction.REFUSE,
            actor=actor,
            event=CaseEventAction.REFUSED,
            reason=case.refusal_reason,
            fields=fields,
        )
    applicant_messages.case_refused(case)
    return case


# -- withdrawal -----------------------------------------------------------------------------


@transaction.atomic
def case_withdraw(*, case: Case, actor: User, reason: str = "") -> Case:
    """撤回: by the applicant (or the clerk for them) at any time before a decision."""
    case = _lock(case)
    _may(actor, case, "withdraw")
    reason = (reason or "").strip()[:500]
    now = timezone.now()
    targets = [case, *_children(case)]
    tasks = lock_rows(Task, case__in=targets, status__in=ACTIVE_TASK_STATUSES)
    for target in targets:
        target.withdrawn_at = now
        target.withdrawal_reason = reason
        if target.status == CaseStatus.SUSPENDED:
            Suspension.objects.filter(case=target, ended_at__isnull=True).update(
                ended_at=now, ended_on=timezone.localdate(now), ended_by=actor
            )
        _transition(
            target,
            CaseAction.WITHDRAW,
            actor=actor,
            event=CaseEventAction.WITHDRAWN,
            reason=reason,
            fields=["withdrawn_at", "withdrawal_reason"],
        )
        for task in [task for task in tasks if task.case_id == target.pk]:
            task.case = target
            _cancel_task(task, actor=actor, reason="申请人已撤回")  # stored: Chinese
    return case
