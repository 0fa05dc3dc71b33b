"""Every write of cases: one use-case per function, each in a transaction.

Shape of each service: lock (case first, then tasks by primary key), guard, write with
``update_fields``, append an audit event, schedule side effects on commit. The status
moves only through :func:`_transition`, which checks ``ALLOWED_TRANSITIONS``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases import deadlines
from onewindow.cases.constants import (
    ACTIVE_TASK_STATUSES,
    ALLOWED_TRANSITIONS,
    CASE_OBJECT_TYPE,
    CLOCK_STATUSES,
    DEFAULT_TOLERANCE_DAYS,
    DEFAULT_VERIFICATION_DAYS,
    MAX_EXTENSION_DAYS,
    SATISFIED_MATERIAL_STATES,
    AcceptanceMode,
    CaseAction,
    CaseChannel,
    CaseEventAction,
    CaseStatus,
    Decision,
    MaterialState,
    SuspensionKind,
    TaskKind,
    TaskStatus,
)
from onewindow.cases.models import (
    Case,
    CaseMaterial,
    CaseNumberSequence,
    Commitment,
    Notification,
    Suspension,
    Task,
)
from onewindow.cases.permissions import (
    can_act_as_applicant,
    can_extend,
    can_intake,
    can_suspend,
    can_upload,
    can_withdraw,
    holds_task_role,
)
from onewindow.catalog.bundles import merge_materials
from onewindow.catalog.constants import (
    HandlingKind,
    MaterialSource,
    OnlineDepth,
    StepKind,
    VersionStatus,
)
from onewindow.catalog.models import Bundle, BundleItem, ItemVersion
from onewindow.catalog.workflow import StepSpec, WorkflowPlan, workflow_structure
from onewindow.certificates.models import Certificate, CertificateType
from onewindow.certificates.services import certificate_issue, certificate_use_for_material
from onewindow.core.audit import audit_append
from onewindow.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from onewindow.inspections.services import commitment_verification_open
from onewindow.org.constants import Role
from onewindow.org.models import Applicant, Department, User, Window
from onewindow.org.permissions import represented_applicant_ids
from onewindow.org.selectors import calendar_for_zone

#: 行政复议法 art. 20 (60 days) and 行政诉讼法 art. 46 (6 months): told with every denial.
DEFAULT_REMEDY_NOTICE = (
    "申请人如对本决定不服，可以自收到本决定之日起六十日内依法申请行政复议，"
    "或者在六个月内依法向人民法院提起行政诉讼。"
)
QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
QUERY_CODE_LENGTH = 8


# -- helpers ------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _actor_name(actor: User | None) -> str:
    if actor is None:
        return "system"
    return actor.get_username()


def _event(
    case: Case,
    action: str,
    *,
    actor: User | None,
    data: dict[str, Any] | None = None,
) -> None:
    audit_append(
        action=action,
        actor=_actor_name(actor),
        actor_id=actor.pk if actor is not None else "",
        object_type=CASE_OBJECT_TYPE,
        object_id=case.number,
        data=data or {},
    )


def _ensure(case: Case, action: str) -> str:
    """The status ``action`` leads to from the case's status, or a clear refusal."""
    target = ALLOWED_TRANSITIONS.get((case.status, action))
    if target is None:
        raise Conflict(
            _("办件当前状态为“{status}”，不能执行“{action}”").format(
                status=CaseStatus(case.status).label, action=CaseAction(action).label
            ),
            code="transition_not_allowed",
        )
    return target


def _transition(
    case: Case,
    action: str,
    *,
    actor: User | None,
    event: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
    fields: Sequence[str] = (),
) -> None:
    """The only place a case's status changes: checks the table, writes, records."""
    target = _ensure(case, action)
    before = case.status
    case.status = target
    case.save(update_fields=["status", "updated_at", *fields])
    payload = {"from": before, "to": target}
    if reason:
        payload["reason"] = reason
    payload.update(data or {})
    _event(case, event, actor=actor, data=payload)


def _lock(case: Case) -> Case:
    """The case row, locked and fresh (read → decide → write under the lock).

    A bundle child's parent is locked first: every bundle-wide service (acceptance,
    withdrawal, unified delivery, materials) holds the parent while it locks or updates the
    children, and a child's decision may decide the parent; child-then-parent against
    parent-then-children deadlocks (so does a child row against the audit chain head).
    """
    if case.parent_id is not None:  # a case's parent never changes
        Case.objects.select_for_update().filter(pk=case.parent_id).values_list("pk").get()
    return (
        # ``of=("self",)``: only the case row. PostgreSQL refuses FOR UPDATE on the nullable
        # side of an outer join (item_version, bundle), and would otherwise lock the zone,
        # department and applicant rows too, serialising every case of the zone.
        Case.objects.select_for_update(of=("self",))
        .select_related("zone", "item_version", "bundle", "department", "applicant")
        .get(pk=case.pk)
    )


def _lock_task(task: Task) -> tuple[Case, Task]:
    """Lock the task's case, then the task (the fixed order: case, then tasks by pk)."""
    case = _lock(task.case)
    locked = (
        Task.objects.select_for_update(of=("self",)).select_related("department").get(pk=task.pk)
    )
    locked.case = case
    return case, locked


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise Forbidden(message, code="not_permitted")


def _text(field: str, value: str | None, label: str, *, max_length: int = 2000) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed.for_field(
            field, _("{label}不能为空").format(label=label), code="required"
        )
    if len(value) > max_length:
        raise ValidationFailed.for_field(
            field,
            _("{label}不能超过 {max} 个字").format(label=label, max=max_length),
            code="too_long",
        )
    return value


def _new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def _next_number(case: Case, year: int) -> tuple[int, str]:
    """The next sequence of the zone's year, under a row lock (safe on PostgreSQL)."""
    CaseNumberSequence.objects.bulk_create(
        [CaseNumberSequence(zone_id=case.zone_id, year=year, last=0)], ignore_conflicts=True
    )
    counter = CaseNumberSequence.objects.select_for_update().get(zone_id=case.zone_id, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, f"{case.zone.code}-{year}-{counter.last:07d}"


def _number(case: Case) -> None:
    year = timezone.localdate().year
    case.year = year
    case.sequence, case.number = _next_number(case, year)
    case.query_code = _new_query_code()


def _material_rows(case: Case, versions: Sequence[ItemVersion]) -> list[CaseMaterial]:
    """The case's material list: one item's, or the bundle's merged (asked once)."""
    rows = []
    # In a bundle, a certificate that another item of the same bundle issues (the work
    # permit before the residence permit) is not asked of the applicant.
    produced = {version.certificate_type_id for version in versions if version.certificate_type_id}
    for position, line in enumerate(merge_materials(versions), start=1):
        state = MaterialState.MISSING
        reference = ""
        if line.source in (MaterialSource.DEPARTMENT, MaterialSource.NOT_NEEDED):
            state = MaterialState.SHARED
        elif len(versions) > 1 and line.certificate_type_id in produced:
            state = MaterialState.SHARED
            reference = "本一件事内其他事项的办理结果"  # stored data: the binding Chinese
        rows.append(
            CaseMaterial(
                case=case,
                material=line.materials[0],
                position=position,
                name=line.name,
                merge_key=line.key,
                required=line.required,
                tolerable=line.tolerable,
                commitment_allowed=line.commitment_allowed,
                state=state,
                reference=reference,
            )
        )
    return rows


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
    form_data = dict(form_data or {})

    if bundle is not None:
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
            .prefetch_related("materials")
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
        title, department = bundle.name, bundle.lead_department
    else:
        versions = [_published_version(item_version)]
        title, department = item_version.name, item_version.department
    if channel == CaseChannel.ONLINE:
        offline = [v.name for v in versions if v.online_depth < OnlineDepth.PRE_REVIEW]
        if offline:
            # 网办深度 Ⅰ: the guide is online, the application is made at the window.
            raise ValidationFailed.for_field(
                "item",
                _("以下事项暂不支持在线申请，请到窗口办理：{names}").format(
                    names="、".join(offline)
                ),
                code="not_online",
            )

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
    _number(case)
    try:
        with transaction.atomic():
            case.save(force_insert=True)
    except IntegrityError as error:
        if (
            idempotency_key
            and Case.objects.filter(submitted_by=actor, idempotency_key=idempotency_key).exists()
        ):
            raise Conflict(_("该幂等键已用于另一份申请"), code="idempotency_key_reused") from error
        raise
    CaseMaterial.objects.bulk_create(_material_rows(case, versions))
    _event(
        case,
        CaseEventAction.CREATED,
        actor=actor,
        data={"to": CaseStatus.DRAFT, "channel": channel, "title": title},
    )
    if bundle is not None:
        for version in versions:
            child = Case(
                zone=zone,
                parent=case,
                item_version=version,
                title=version.name,
                department=version.department,
                applicant=applicant,
                submitted_by=actor,
                channel=channel,
                window=window,
                language=case.language,
                form_data=form_data,
            )
            _number(child)
            child.query_code = case.query_code
            child.save(force_insert=True)
            _event(
                child,
                CaseEventAction.CREATED,
                actor=actor,
                data={"to": CaseStatus.DRAFT, "parent": case.number, "title": child.title},
            )
    if submit:
        case = case_submit(case=case, actor=actor)
    return case


@transaction.atomic
def case_submit(*, case: Case, actor: User) -> Case:
    case = _lock(case)
    _require(
        can_act_as_applicant(actor, case) or can_intake(actor, case),
        _("只有申请人或窗口人员可以提交申请"),
    )
    if case.is_child:
        raise Conflict(_("一件事的子件随主件一并提交"), code="child_case")
    now = timezone.now()
    case.submitted_at = now
    _transition(
        case,
        CaseAction.SUBMIT,
        actor=actor,
        event=CaseEventAction.SUBMITTED,
        fields=["submitted_at"],
    )
    children = _children(case)
    for child in children:
        child.submitted_at = now
        _transition(
            child,
            CaseAction.SUBMIT,
            actor=actor,
            event=CaseEventAction.SUBMITTED,
            fields=["submitted_at"],
        )
    _fill_from_wallet(case, actor=actor, children=children)
    return case


def _children(case: Case) -> list[Case]:
    if not case.is_bundle:
        return []
    return list(
        Case.objects.select_for_update(of=("self",))
        .select_related("zone", "item_version", "department", "applicant")
        .filter(parent=case)
        .order_by("pk")
    )


# -- 免提交: materials filled from the applicant's certificate wallet ----------------------


def _case_versions(case: Case, children: Sequence[Case] | None = None) -> list[ItemVersion]:
    """The item versions a case applies for: its own, or its children's (a bundle)."""
    if not case.is_bundle:
        return [case.item_version]
    if children is None:
        children = list(Case.objects.filter(parent=case).select_related("item_version"))
    ids = [child.item_version_id for child in sorted(children, key=lambda child: child.pk)]
    versions = ItemVersion.objects.filter(pk__in=ids).prefetch_related("materials").in_bulk()
    return [versions[pk] for pk in ids]


def wallet_material_lines(versions: Sequence[ItemVersion]) -> dict[str, int]:
    """merge key → certificate type of the material lines a certificate may fill: those
    whose source is an e-certificate type (a bundle asks the strictest source of its
    items, so a line another item wants brought in person is not among them)."""
    return {
        line.key: line.certificate_type_id
        for line in merge_materials(versions)
        if line.source == MaterialSource.CERTIFICATE and line.certificate_type_id
    }


def _fill_from_wallet(case: Case, *, actor: User, children: Sequence[Case] | None = None) -> None:
    """免提交 at submission: every material still missing whose source is a certificate
    type the applicant holds (its own, valid today) is filled by reference to that
    certificate, and the use is logged (调用记录: who, which case, what for). Revoked,
    expired and other holders' certificates never fill anything."""
    rows = [
        row
        for row in CaseMaterial.objects.select_for_update().filter(case=case).order_by("position")
        if row.state == MaterialState.MISSING
    ]
    if not rows:
        return
    lines = wallet_material_lines(_case_versions(case, children))
    wanted = [row for row in rows if row.merge_key in lines]
    if not wanted:
        return
    types = CertificateType.objects.in_bulk({lines[row.merge_key] for row in wanted})
    now = timezone.now()
    for row in wanted:
        certificate = certificate_use_for_material(
            holder=case.applicant,
            certificate_type=types[lines[row.merge_key]],
            actor=actor,
            case_number=case.number,
            purpose=f"{case.title}：{row.name}",
        )
        if certificate is None:
            continue
        row.state = MaterialState.CERTIFICATE
        row.reference = certificate.identifier
        row.uploaded_by = actor
        row.uploaded_at = now
        row.save(update_fields=["state", "reference", "uploaded_by", "uploaded_at"])
        _event(
            case,
            CaseEventAction.MATERIAL_FROM_CERTIFICATE,
            actor=actor,
            data={
                "material": row.name,
                "identifier": certificate.identifier,
                "type": certificate.certificate_type.name,
            },
        )


# -- materials ------------------------------------------------------------------------------


def _material(case: Case, material_id: int) -> CaseMaterial:
    owner = case.parent if case.is_child else case
    row = CaseMaterial.objects.select_for_update().filter(case=owner, pk=material_id).first()
    if row is None:
        raise ValidationFailed.for_field("material", _("该办件没有这项材料"), code="no_material")
    return row


#: Before acceptance any material may be given; after it, only a tolerated (容缺) one.
MATERIAL_OPEN_STATUSES = (CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUESTED)
#: A tolerated (容缺) material is owed from acceptance on, also after delivery: the case
#: goes on without it, and the applicant still supplies it (or it becomes a credit record).
SUPPLEMENT_STATUSES = (
    CaseStatus.ACCEPTED,
    CaseStatus.IN_REVIEW,
    CaseStatus.SUSPENDED,
    CaseStatus.APPROVED,
    CaseStatus.DENIED,
    CaseStatus.DELIVERED,
)


def _material_open(case: Case, row: CaseMaterial) -> bool:
    """Whether ``row`` may be given now; True when it supplements a tolerated gap."""
    supplementing = row.state == MaterialState.TOLERATED and case.status in SUPPLEMENT_STATUSES
    if not (case.status in MATERIAL_OPEN_STATUSES or supplementing):
        raise Conflict(
            _("办件当前状态为“{status}”，该材料不能再上传").format(
                status=CaseStatus(case.status).label
            ),
            code="material_locked",
        )
    return supplementing


def _clear_tolerance_when_supplied(case: Case) -> None:
    """Every tolerated gap is filled: no due date any more (on a bundle's children too)."""
    if case.materials.filter(state=MaterialState.TOLERATED).exists():
        return
    case.tolerance_due_on = None
    case.save(update_fields=["tolerance_due_on", "updated_at"])
    Case.objects.filter(parent=case).update(tolerance_due_on=None, updated_at=timezone.now())


@transaction.atomic
def material_upload(*, case: Case, material_id: int, uploaded, actor: User) -> CaseMaterial:
    """Attach a file to a material; checked by content first, so a bad file changes
    nothing. After acceptance only a tolerated (容缺) material may be supplemented."""
    from onewindow.cases.uploads import inspect_upload

    info = inspect_upload(uploaded)  # raises before anything is written
    # A bundle's materials live on its parent: given through a child, they go there.
    case = _lock(case.parent if case.is_child else case)
    _require(can_upload(actor, case), _("无权为该办件上传材料"))
    row = _material(case, material_id)
    supplementing = _material_open(case, row)
    old_file = row.file.name if row.file else ""
    row.token = secrets.token_hex(16)
    row.file.save(row.token + info.extension, uploaded, save=False)
    stored = row.file.name
    if old_file:  # the replaced file goes once the new one is committed
        transaction.on_commit(lambda: _delete_file(row, old_file))
    now = timezone.now()
    row.original_name = (getattr(uploaded, "name", "") or "")[:255]
    row.content_type = info.content_type
    row.size = info.size
    row.sha256 = info.sha256
    row.uploaded_by = actor
    row.uploaded_at = now
    event = CaseEventAction.MATERIAL_UPLOADED
    if supplementing:
        row.supplemented_at = now
        event = CaseEventAction.MATERIAL_SUPPLEMENTED
    row.state = MaterialState.UPLOADED
    try:
        row.save()
        _event(
            case,
            event,
            actor=actor,
            data={"material": row.name, "sha256": info.sha256, "size": info.size},
        )
    except Exception:
        _delete_file(row, stored)
        raise
    if supplementing:
        _clear_tolerance_when_supplied(case)
    return row


def _delete_file(row: CaseMaterial, name: str) -> None:
    if name:
        row.file.storage.delete(name)


@transaction.atomic
def material_receive_paper(*, case: Case, material_id: int, actor: User) -> CaseMaterial:
    """The clerk received the paper original at the window (the same states as an upload)."""
    case = _lock(case.parent if case.is_child else case)
    _require(can_intake(actor, case), _("只有窗口人员可以收取纸质材料"))
    row = _material(case, material_id)
    supplementing = _material_open(case, row)
    row.state = MaterialState.PAPER
    row.uploaded_by = actor
    row.uploaded_at = timezone.now()
    if supplementing:
        row.supplemented_at = row.uploaded_at
    row.save(update_fields=["state", "uploaded_by", "uploaded_at", "supplemented_at"])
    _event(
        case,
        CaseEventAction.MATERIAL_SUPPLEMENTED
        if supplementing
        else CaseEventAction.MATERIAL_UPLOADED,
        actor=actor,
        data={"material": row.name, "paper": True},
    )
    if supplementing:
        _clear_tolerance_when_supplied(case)
    return row


# -- pre-review at the window --------------------------------------------------------------


@transaction.atomic
def case_request_correction(*, case: Case, actor: User, items: Iterable[str]) -> Case:
    """补正告知: one complete list (行政许可法 art. 32). A second request may only repeat
    items of the first list that are still not put right, never add new ones."""
    case = _lock(case)
    _require(can_intake(actor, case), _("只有窗口人员可以作出补正告知"))
    if case.is_child:
        raise Conflict(_("一件事的子件随主件一并处理"), code="child_case")
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
    return case


@transaction.atomic
def case_resubmit(*, case: Case, actor: User) -> Case:
    case = _lock(case)
    _require(
        can_act_as_applicant(actor, case) or can_intake(actor, case),
        _("只有申请人或窗口人员可以重新提交"),
    )
    if case.is_child:
        raise Conflict(_("一件事的子件随主件一并提交"), code="child_case")
    _transition(case, CaseAction.RESUBMIT, actor=actor, event=CaseEventAction.RESUBMITTED)
    _fill_from_wallet(case, actor=actor)
    return case


@transaction.atomic
def case_refuse(*, case: Case, actor: User, reason: str, legal_basis: str) -> Case:
    """不予受理: with reasons and the legal basis."""
    case = _lock(case)
    _require(can_intake(actor, case), _("只有窗口人员可以作出不予受理决定"))
    if case.is_child:
        raise Conflict(_("一件事的子件随主件一并处理"), code="child_case")
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
    for child in _children(case):
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
    return case


# -- acceptance -----------------------------------------------------------------------------


def _set_clock(case: Case, *, start: dt.date) -> None:
    result = deadlines.clock(
        calendar_for_zone(case.zone),
        start=start,
        limit_days=case.limit_days or 0,
        paused_days=case.paused_days,
        extension_days=case.extension_days,
    )
    case.deadline = result.deadline
    case.yellow_from = result.yellow_from
    case.deadline_provisional = result.provisional


CLOCK_FIELDS = ["deadline", "yellow_from", "deadline_provisional"]


@transaction.atomic
def case_accept(
    *,
    case: Case,
    actor: User,
    mode: str = AcceptanceMode.NORMAL,
    tolerated: Sequence[int] = (),
    tolerance_due_on: dt.date | None = None,
    committed: Sequence[int] = (),
    commitment_text: str = "",
    commitment_signed_name: str = "",
) -> Case:
    """受理: normally, with tolerated missing materials (容缺), or on a commitment (告知承诺).

    Every required material must be satisfied, tolerated (if the catalog allows it for
    that material) or replaced by the signed commitment (idem). The clock starts today.
    """
    case = _lock(case)
    _require(can_intake(actor, case), _("只有窗口人员可以受理"))
    if case.is_child:
        raise Conflict(_("一件事的子件随主件一并受理"), code="child_case")
    _ensure(case, CaseAction.ACCEPT)
    if mode not in AcceptanceMode.values:
        raise ValidationFailed.for_field("mode", _("受理方式无效"), code="invalid_mode")
    materials = {row.pk: row for row in CaseMaterial.objects.select_for_update().filter(case=case)}
    tolerated, committed = set(tolerated), set(committed)
    errors: dict[str, list[str]] = {}
    unknown = (tolerated | committed) - set(materials)
    if unknown:
        errors.setdefault("materials", []).append(_("所选材料不属于该办件"))
    if mode == AcceptanceMode.TOLERATED:
        if not tolerated:
            errors.setdefault("tolerated", []).append(_("容缺受理须至少选择一项容缺材料"))
        for pk in tolerated & set(materials):
            row = materials[pk]
            if not row.tolerable:
                errors.setdefault("tolerated", []).append(
                    _("“{name}”不在可容缺材料之列").format(name=row.name)
                )
            elif row.state in SATISFIED_MATERIAL_STATES:
                errors.setdefault("tolerated", []).append(
                    _("“{name}”已提交，无需容缺").format(name=row.name)
                )
    elif tolerated:
        errors.setdefault("tolerated", []).append(_("只有容缺受理可以选择容缺材料"))
    if mode == AcceptanceMode.COMMITMENT:
        if not committed:
            errors.setdefault("committed", []).append(_("告知承诺须至少选择一项以承诺替代的材料"))
        for pk in committed & set(materials):
            if not materials[pk].commitment_allowed:
                errors.setdefault("committed", []).append(
                    _("“{name}”不适用告知承诺").format(name=materials[pk].name)
                )
        if not (commitment_text or "").strip():
            errors.setdefault("commitment_text", []).append(_("请出示并确认承诺书内容"))
        if not (commitment_signed_name or "").strip():
            errors.setdefault("commitment_signed_name", []).append(_("承诺人须签名"))
    elif committed:
        errors.setdefault("committed", []).append(_("只有告知承诺受理可以选择承诺替代材料"))
    covered = tolerated | committed
    missing = [
        row.name
        for pk, row in materials.items()
        if row.required and row.state not in SATISFIED_MATERIAL_STATES and pk not in covered
    ]
    if missing:
        errors.setdefault("materials", []).append(
            _("以下必要材料尚未提交：{names}").format(names="、".join(missing))
        )
    today = _today()
    calendar = calendar_for_zone(case.zone)
    if mode == AcceptanceMode.TOLERATED and not errors:
        if tolerance_due_on is None:
            tolerance_due_on = calendar.deadline(
                today, DEFAULT_TOLERANCE_DAYS, allow_provisional=True
            ).date
        elif tolerance_due_on <= today:
            errors.setdefault("tolerance_due_on", []).append(_("容缺补齐期限应晚于今天"))
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, code="acceptance_invalid", fields=errors)

    now = timezone.now()
    for pk in tolerated:
        materials[pk].state = MaterialState.TOLERATED
        materials[pk].save(update_fields=["state"])
    for pk in committed:
        materials[pk].state = MaterialState.COMMITTED
        materials[pk].save(update_fields=["state"])
    case.acceptance_mode = mode
    case.accepted_at = now
    case.accepted_on = today
    case.accepted_by = actor
    case.tolerance_due_on = tolerance_due_on if mode == AcceptanceMode.TOLERATED else None
    if case.is_bundle:
        case.limit_days = case.bundle.promised_limit_days
        case.legal_limit_days = None
    else:
        case.limit_days = case.item_version.promised_limit_days
        case.legal_limit_days = case.item_version.legal_limit_days
    _set_clock(case, start=today)
    accept_fields = [
        "acceptance_mode",
        "accepted_at",
        "accepted_on",
        "accepted_by",
        "tolerance_due_on",
        "limit_days",
        "legal_limit_days",
        *CLOCK_FIELDS,
    ]
    data = {
        "mode": mode,
        "deadline": str(case.deadline),
        "limit_days": case.limit_days,
        "tolerated": sorted(materials[pk].name for pk in tolerated),
        "committed": sorted(materials[pk].name for pk in committed),
    }
    if case.tolerance_due_on:
        data["tolerance_due_on"] = str(case.tolerance_due_on)
    _transition(
        case,
        CaseAction.ACCEPT,
        actor=actor,
        event=CaseEventAction.ACCEPTED,
        data=data,
        fields=accept_fields,
    )
    if mode == AcceptanceMode.COMMITMENT:
        _sign_commitment(
            case,
            actor=actor,
            text=commitment_text.strip(),
            signed_name=commitment_signed_name.strip(),
            materials=sorted(materials[pk].name for pk in committed),
            calendar=calendar,
        )
    children = _children(case)
    for child in children:
        child.acceptance_mode = mode
        child.accepted_at, child.accepted_on, child.accepted_by = now, today, actor
        child.tolerance_due_on = case.tolerance_due_on
        child.limit_days = child.item_version.promised_limit_days
        child.legal_limit_days = child.item_version.legal_limit_days
        _set_clock(child, start=today)
        _transition(
            child,
            CaseAction.ACCEPT,
            actor=actor,
            event=CaseEventAction.ACCEPTED,
            data={"mode": mode, "deadline": str(child.deadline), "parent": case.number},
            fields=accept_fields,
        )
    if case.is_bundle:
        _transition(
            case, CaseAction.START_REVIEW, actor=actor, event=CaseEventAction.REVIEW_STARTED
        )
        for child in children:
            _start(child, actor=actor)
    else:
        _start(case, actor=actor)
    return case


def _sign_commitment(case, *, actor, text, signed_name, materials, calendar) -> None:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    Commitment.objects.create(
        case=case,
        text=text,
        text_sha256=digest,
        signed_name=signed_name[:100],
        signed_at=timezone.now(),
        materials=materials,
    )
    _event(
        case,
        CaseEventAction.COMMITMENT_SIGNED,
        actor=actor,
        data={"signed_name": signed_name, "sha256": digest, "materials": materials},
    )
    commitment_verification_open(
        zone=case.zone,
        case_number=case.number,
        item_name=case.title,
        applicant=case.applicant,
        department=case.department,
        materials=materials,
        commitment_sha256=digest,
        due_on=calendar.deadline(_today(), DEFAULT_VERIFICATION_DAYS, allow_provisional=True).date,
    )


# -- the workflow engine --------------------------------------------------------------------


def _plan(case: Case) -> WorkflowPlan:
    steps = [StepSpec.of(step) for step in case.item_version.steps.all()]
    return workflow_structure(steps)


def _start(case: Case, *, actor: User) -> None:
    """Accepted → in review: the acceptance step is done by the acceptance itself; the
    steps after it open as tasks at once (in parallel where the DAG allows)."""
    _transition(case, CaseAction.START_REVIEW, actor=actor, event=CaseEventAction.REVIEW_STARTED)
    plan = _plan(case)
    start = plan.steps[plan.order[0]]
    if start.kind == StepKind.ACCEPTANCE:
        task = _open_task(case, start, actor=actor)
        _finish_task(task, actor=actor, outcome="accepted", comment="")
    _advance(case, actor=actor, plan=plan)


def _open_task(
    case: Case,
    step: StepSpec,
    *,
    actor: User | None,
    kind: str | None = None,
    department: Department | None = None,
    parent_task: Task | None = None,
) -> Task:
    today = _today()
    result = deadlines.clock(calendar_for_zone(case.zone), start=today, limit_days=step.limit_days)
    task = Task.objects.create(
        case=case,
        step_key=step.key,
        name=step.name,
        kind=kind or step.kind,
        role=step.role,
        department_id=(department.pk if department else step.department_id or case.department_id),
        parent_task=parent_task,
        limit_days=step.limit_days,
        opened_at=timezone.now(),
        opened_on=today,
        deadline=result.deadline,
        yellow_from=result.yellow_from,
    )
    _event(
        case,
        CaseEventAction.TASK_OPENED,
        actor=actor,
        data={
            "task": task.pk,
            "step": step.key,
            "name": step.name,
            "department": task.department_id,
            "deadline": str(task.deadline),
        },
    )
    return task


def _finish_task(task: Task, *, actor: User, outcome: str, comment: str) -> None:
    task.status = TaskStatus.DONE
    task.assignee = task.assignee or actor
    task.completed_at = timezone.now()
    task.completed_by = actor
    task.outcome = outcome
    task.comment = comment
    task.save(
        update_fields=[
            "status",
            "assignee",
            "completed_at",
            "completed_by",
            "outcome",
            "comment",
            "updated_at",
        ]
    )
    _event(
        task.case,
        CaseEventAction.TASK_COMPLETED,
        actor=actor,
        data={"task": task.pk, "step": task.step_key, "outcome": outcome, "comment": comment},
    )


def _latest_tasks(case: Case) -> dict[str, Task]:
    latest: dict[str, Task] = {}
    for task in case.tasks.filter(parent_task__isnull=True).order_by("opened_at", "pk"):
        latest[task.step_key] = task
    return latest


def _advance(case: Case, *, actor: User | None, plan: WorkflowPlan | None = None) -> None:
    """Open every step whose predecessors are all done and that is not open or done."""
    if case.status != CaseStatus.IN_REVIEW:
        return
    plan = plan or _plan(case)
    latest = _latest_tasks(case)
    for key in plan.order:
        step = plan.steps[key]
        current = latest.get(key)
        if current is not None and current.status in (*ACTIVE_TASK_STATUSES, TaskStatus.DONE):
            continue
        before = plan.predecessors.get(key) or list(step.after)
        if not all(
            latest.get(b) is not None and latest[b].status == TaskStatus.DONE for b in before
        ):
            continue
        if step.kind == StepKind.DELIVERY:
            continue  # delivery follows the decision (see _after_decision)
        latest[key] = _open_task(case, step, actor=actor)


# -- tasks --------------------------------------------------------------------------------


def _task_for(actor: User, task: Task, *, action: str | None = None) -> tuple[Case, Task]:
    """Lock and check a task its holder acts on; ``action`` is the case transition the act
    makes (decisions), refused by the table's rule when the case's status does not allow it."""
    case, task = _lock_task(task)
    if not task.is_active:
        raise Conflict(
            _("该任务已{status}，不能再办理").format(status=TaskStatus(task.status).label),
            code="task_not_active",
        )
    if not holds_task_role(actor, task):
        raise Forbidden(_("您不是该任务所在部门的办理人员"), code="not_permitted")
    if task.assignee_id is not None and task.assignee_id != actor.pk:
        raise Conflict(_("该任务已由{name}签收办理").format(name=task.assignee), code="task_taken")
    if case.status == CaseStatus.SUSPENDED and task.kind != TaskKind.DELIVERY:
        if action is not None:
            _ensure(case, action)
        raise Conflict(_("办件处于特别程序中，请先结束特别程序"), code="case_suspended")
    return case, task


@transaction.atomic
def task_claim(*, task: Task, actor: User) -> Task:
    case, task = _lock_task(task)
    if task.status == TaskStatus.CLAIMED and task.assignee_id == actor.pk:
        return task
    if task.status != TaskStatus.OPEN:
        if task.status == TaskStatus.CLAIMED:
            raise Conflict(
                _("该任务已由{name}签收办理").format(name=task.assignee), code="task_taken"
            )
        raise Conflict(
            _("该任务已{status}，不能签收").format(status=TaskStatus(task.status).label),
            code="task_not_active",
        )
    if not holds_task_role(actor, task):
        raise Forbidden(_("您不是该任务所在部门的办理人员"), code="not_permitted")
    task.status = TaskStatus.CLAIMED
    task.assignee = actor
    task.save(update_fields=["status", "assignee", "updated_at"])
    _event(case, CaseEventAction.TASK_CLAIMED, actor=actor, data={"task": task.pk})
    return task


@transaction.atomic
def task_complete(*, task: Task, actor: User, comment: str = "") -> Task:
    """Approve a review, inspection or co-review step; the next steps open."""
    case, task = _task_for(actor, task)
    if task.kind in (TaskKind.DECISION, TaskKind.DELIVERY):
        raise Conflict(_("决定和送达环节请使用对应的操作"), code="wrong_task_action")
    if task.co_reviews.filter(status__in=ACTIVE_TASK_STATUSES).exists():
        raise Conflict(_("会签尚未全部完成，不能提交"), code="co_review_pending")
    _finish_task(task, actor=actor, outcome="approved", comment=(comment or "").strip()[:2000])
    if task.parent_task_id is None:
        _advance(case, actor=actor)
    return task


@transaction.atomic
def task_return(*, task: Task, actor: User, reason: str) -> Task:
    """Send the case back to the previous step(s) with a reason."""
    case, task = _task_for(actor, task)
    reason = _text("reason", reason, _("退回理由"))
    if task.parent_task_id is not None:
        raise Conflict(_("会签任务不能退回，请填写会签意见"), code="wrong_task_action")
    plan = _plan(case)
    previous = [plan.steps[key] for key in plan.steps[task.step_key].after]
    targets = [step for step in previous if step.kind != StepKind.ACCEPTANCE]
    if not targets:
        raise Conflict(
            _("上一环节为窗口受理，不能退回；如材料有误，请联系申请人或作出决定"),
            code="cannot_return",
        )
    task.status = TaskStatus.RETURNED
    task.completed_at = timezone.now()
    task.completed_by = actor
    task.comment = reason
    task.save(update_fields=["status", "completed_at", "completed_by", "comment", "updated_at"])
    for co_review in task.co_reviews.filter(status__in=ACTIVE_TASK_STATUSES):
        _cancel_task(co_review, actor=actor, reason=reason)
    _event(
        case,
        CaseEventAction.TASK_RETURNED,
        actor=actor,
        data={"task": task.pk, "step": task.step_key, "to": [s.key for s in targets]},
    )
    for step in targets:
        _open_task(case, step, actor=actor)
    return task


def _cancel_task(task: Task, *, actor: User | None, reason: str) -> None:
    task.status = TaskStatus.CANCELLED
    task.completed_at = timezone.now()
    task.comment = reason
    task.save(update_fields=["status", "completed_at", "comment", "updated_at"])
    _event(task.case, CaseEventAction.TASK_CANCELLED, actor=actor, data={"task": task.pk})


@transaction.atomic
def task_transfer(*, task: Task, actor: User, to_user: User, reason: str) -> Task:
    """Hand the task to a colleague holding the same role in the same department."""
    case, task = _task_for(actor, task)
    reason = _text("reason", reason, _("转办理由"))
    if to_user.pk == actor.pk:
        raise ValidationFailed.for_field("to_user", _("不能转给自己"), code="same_user")
    if not to_user.is_active or not holds_task_role(to_user, task):
        raise ValidationFailed.for_field(
            "to_user", _("接收人不是该任务所在部门的办理人员"), code="not_a_holder"
        )
    task.assignee = to_user
    task.status = TaskStatus.CLAIMED
    task.save(update_fields=["assignee", "status", "updated_at"])
    _event(
        case,
        CaseEventAction.TASK_TRANSFERRED,
        actor=actor,
        data={"task": task.pk, "to": to_user.get_username(), "reason": reason},
    )
    return task


@transaction.atomic
def task_request_co_review(
    *, task: Task, actor: User, department: Department, reason: str, limit_days: int = 3
) -> Task:
    """会签: ask another department to review in parallel; this task waits for it."""
    case, task = _task_for(actor, task)
    reason = _text("reason", reason, _("会签事由"))
    if department.zone_id != case.zone_id:
        raise ValidationFailed.for_field("department", _("部门不属于该开发区"))
    if department.pk == task.department_id:
        raise ValidationFailed.for_field(
            "department", _("请选择其他部门会签"), code="same_department"
        )
    if task.kind not in (TaskKind.REVIEW, TaskKind.INSPECTION):
        raise Conflict(_("只有审查环节可以发起会签"), code="wrong_task_action")
    if not 1 <= limit_days <= 20:
        raise ValidationFailed.for_field("limit_days", _("会签时限应为 1 至 20 个工作日"))
    if task.co_reviews.filter(department=department, status__in=ACTIVE_TASK_STATUSES).exists():
        raise Conflict(_("已向该部门发起会签"), code="co_review_exists")
    step = StepSpec(
        key=task.step_key,
        name=_("会签：{name}").format(name=task.name)[:100],
        kind=TaskKind.CO_REVIEW,
        role=Role.REVIEWER,
        limit_days=limit_days,
    )
    co_review = _open_task(
        case,
        step,
        actor=actor,
        kind=TaskKind.CO_REVIEW,
        department=department,
        parent_task=task,
    )
    _event(
        case,
        CaseEventAction.CO_REVIEW_REQUESTED,
        actor=actor,
        data={
            "task": task.pk,
            "co_review": co_review.pk,
            "department": department.name,
            "reason": reason,
        },
    )
    return co_review


# -- suspension and extension ---------------------------------------------------------------


@transaction.atomic
def case_suspend(*, case: Case, actor: User, kind: str, reason: str) -> Suspension:
    """特别程序: hearing, testing, expert review, public notice… the clock pauses."""
    case = _lock(case)
    # The status first: in a status without active tasks no one "handles" the case, and
    # the role check below would wrongly blame the user instead of the status.
    _ensure(case, CaseAction.SUSPEND)
    if kind not in SuspensionKind.values:
        raise ValidationFailed.for_field("kind", _("请选择特别程序类型"), code="invalid_kind")
    reason = _text("reason", reason, _("特别程序理由"))
    _require(can_suspend(actor, case), _("只有正在办理该办件的审查或决定人员可以启动特别程序"))
    now = timezone.now()
    _transition(
        case,
        CaseAction.SUSPEND,
        actor=actor,
        event=CaseEventAction.SUSPENDED,
        reason=reason,
        data={"kind": kind},
    )
    return Suspension.objects.create(
        case=case,
        kind=kind,
        reason=reason,
        started_at=now,
        started_on=timezone.localdate(now),
        started_by=actor,
    )


@transaction.atomic
def case_resume(*, case: Case, actor: User) -> Suspension:
    """End the special procedure: the deadline (and open tasks') move by the paused days."""
    case = _lock(case)
    _ensure(case, CaseAction.RESUME)
    _require(can_suspend(actor, case), _("只有正在办理该办件的审查或决定人员可以结束特别程序"))
    suspension = (
        Suspension.objects.select_for_update().filter(case=case, ended_at__isnull=True).first()
    )
    if suspension is None:
        raise Conflict(_("该办件不在特别程序中"), code="transition_not_allowed")
    now = timezone.now()
    calendar = calendar_for_zone(case.zone)
    paused = deadlines.paused_working_days(calendar, suspension.started_on, timezone.localdate(now))
    suspension.ended_at, suspension.ended_on, suspension.ended_by = (
        now,
        timezone.localdate(now),
        actor,
    )
    suspension.paused_days = paused
    suspension.save(update_fields=["ended_at", "ended_on", "ended_by", "paused_days"])
    case.paused_days += paused
    _set_clock(case, start=case.accepted_on)
    _transition(
        case,
        CaseAction.RESUME,
        actor=actor,
        event=CaseEventAction.RESUMED,
        data={"paused_days": paused, "deadline": str(case.deadline)},
        fields=["paused_days", *CLOCK_FIELDS],
    )
    if paused:
        for task in case.tasks.select_for_update().filter(status__in=ACTIVE_TASK_STATUSES):
            _push_task(task, calendar, paused)
    return suspension


def _push_task(task: Task, calendar, days: int) -> None:
    task.deadline = calendar.deadline(task.deadline, days, allow_provisional=True).date
    task.yellow_from = calendar.deadline(task.yellow_from, days, allow_provisional=True).date
    task.save(update_fields=["deadline", "yellow_from", "updated_at"])


@transaction.atomic
def case_extend(*, case: Case, actor: User, days: int, reason: str) -> Case:
    """延长: once, at most 10 working days, approved by a decider (行政许可法 art. 42);
    the reason is told to the applicant (it is on the case's public progress)."""
    case = _lock(case)
    _require(can_extend(actor, case), _("延长办理期限须经本部门审批决定人批准"))
    reason = _text("reason", reason, _("延长理由"), max_length=500)
    if case.status not in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW):
        raise Conflict(_("只有审查中的办件可以延长期限"), code="transition_not_allowed")
    if case.extension_days:
        raise Conflict(_("办理期限只能延长一次"), code="already_extended")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationFailed.for_field(
            "days",
            _("延长天数应为 1 至 {max} 个工作日").format(max=MAX_EXTENSION_DAYS),
            code="days_out_of_range",
        )
    case.extension_days = days
    case.extension_reason = reason
    case.extended_by = actor
    _set_clock(case, start=case.accepted_on)
    case.save(
        update_fields=[
            "extension_days",
            "extension_reason",
            "extended_by",
            *CLOCK_FIELDS,
            "updated_at",
        ]
    )
    _event(
        case,
        CaseEventAction.EXTENDED,
        actor=actor,
        data={"days": days, "reason": reason, "deadline": str(case.deadline)},
    )
    return case


# -- decision and delivery ------------------------------------------------------------------


@transaction.atomic
def task_decide(
    *,
    task: Task,
    actor: User,
    decision: str,
    reason: str = "",
    remedy_notice: str = "",
    certificate_facts: dict[str, Any] | None = None,
) -> Case:
    """决定: approve, or deny with reasons and the rights to review and litigation.

    Approving an item that issues a certificate (its version's ``certificate_type``)
    issues and signs it in the same transaction: ``certificate_facts`` are the facts the
    decider gives (the rest come from the applicant, the application form and the issue
    itself). A missing fact refuses the whole decision, naming ``certificate_facts.<key>``.
    """
    action = CaseAction.DENY if decision == Decision.DENIED else CaseAction.APPROVE
    case, task = _task_for(actor, task, action=action)
    if task.kind != TaskKind.DECISION:
        raise Conflict(_("该任务不是决定环节"), code="wrong_task_action")
    _decide(case, actor=actor, decision=decision, reason=reason, remedy_notice=remedy_notice)
    if decision == Decision.APPROVED:
        _issue_certificate(case, actor=actor, facts=certificate_facts)
    _finish_task(task, actor=actor, outcome=decision, comment=case.decision_reason)
    _after_decision(case, actor=actor)
    return case


def certificate_type_of(case: Case) -> CertificateType | None:
    """The certificate an approval of ``case`` issues (a bundle parent issues none: each
    child issues its own item's)."""
    if case.item_version_id is None:
        return None
    return case.item_version.certificate_type


def _issue_certificate(case: Case, *, actor: User, facts: dict[str, Any] | None) -> None:
    certificate_type = certificate_type_of(case)
    if certificate_type is None:
        return
    if facts is not None and not isinstance(facts, dict):
        raise ValidationFailed.for_field("certificate_facts", _("证照信息格式无效"))
    certificate: Certificate = certificate_issue(
        certificate_type=certificate_type,
        holder=case.applicant,
        actor=actor,
        facts=facts,
        form_data=case.form_data,
        department=certificate_type.issuing_department or case.department,
        case_number=case.number,
    )
    _event(
        case,
        CaseEventAction.CERTIFICATE_ISSUED,
        actor=actor,
        data={
            "identifier": certificate.identifier,
            "type": certificate_type.name,
            "type_code": certificate_type.code,
        },
    )


def _decide(case: Case, *, actor: User, decision: str, reason: str, remedy_notice: str) -> None:
    if decision not in Decision.values:
        raise ValidationFailed.for_field("decision", _("请选择准予或不予许可"), code="invalid")
    reason = (reason or "").strip()
    if decision == Decision.DENIED:
        reason = _text("reason", reason, _("不予许可理由"))
        remedy_notice = (remedy_notice or "").strip() or DEFAULT_REMEDY_NOTICE
    else:
        remedy_notice = ""
    if len(reason) > 2000:
        raise ValidationFailed.for_field("reason", _("理由不能超过 2000 个字"))
    now = timezone.now()
    case.decision = decision
    case.decision_reason = reason
    case.remedy_notice = remedy_notice
    case.decided_at = now
    case.decided_on = timezone.localdate(now)
    case.decided_by = actor
    case.on_time = deadlines.on_time(decided_on=case.decided_on, deadline=case.deadline)
    _transition(
        case,
        CaseAction.APPROVE if decision == Decision.APPROVED else CaseAction.DENY,
        actor=actor,
        event=CaseEventAction.APPROVED if decision == Decision.APPROVED else CaseEventAction.DENIED,
        reason=reason,
        data={"on_time": case.on_time, "deadline": str(case.deadline)},
        fields=[
            "decision",
            "decision_reason",
            "remedy_notice",
            "decided_at",
            "decided_on",
            "decided_by",
            "on_time",
        ],
    )
    for task in case.tasks.select_for_update().filter(status__in=ACTIVE_TASK_STATUSES):
        if task.kind != TaskKind.DECISION:
            _cancel_task(task, actor=actor, reason="已作出决定")  # stored: Chinese


def _delivery_step(case: Case) -> StepSpec | None:
    plan = _plan(case)
    for key in plan.order:
        if plan.steps[key].kind == StepKind.DELIVERY:
            return plan.steps[key]
    return None


def _after_decision(case: Case, *, actor: User) -> None:
    """Open the delivery: the item's delivery step, the bundle's unified delivery once
    every child is decided, or none for an on-the-spot item (delivered at once)."""
    if case.is_child:
        parent = _lock(case.parent)
        siblings = list(Case.objects.filter(parent=parent).values_list("status", "decision"))
        if all(status in (CaseStatus.APPROVED, CaseStatus.DENIED) for status, _d in siblings):
            decision = (
                Decision.APPROVED
                if all(d == Decision.APPROVED for _s, d in siblings)
                else Decision.DENIED
            )
            reason = "" if decision == Decision.APPROVED else _("部分事项不予许可，详见各子件决定")
            _decide(parent, actor=actor, decision=decision, reason=reason, remedy_notice="")
            step = StepSpec(
                key="unified_delivery",
                name=_("统一出件"),
                kind=StepKind.DELIVERY,
                role=Role.WINDOW_CLERK,
                limit_days=1,
            )
            _open_task(parent, step, actor=actor, department=parent.department)
        return
    step = _delivery_step(case)
    if step is None or case.item_version.handling_kind == HandlingKind.IMMEDIATE:
        _deliver(case, actor=actor)
        return
    _open_task(case, step, actor=actor)


def _deliver(case: Case, *, actor: User) -> None:
    now = timezone.now()
    case.delivered_at = now
    case.delivered_on = timezone.localdate(now)
    _transition(
        case,
        CaseAction.DELIVER,
        actor=actor,
        event=CaseEventAction.DELIVERED,
        fields=["delivered_at", "delivered_on"],
    )


@transaction.atomic
def task_deliver(*, task: Task, actor: User, comment: str = "") -> Case:
    """送达 / 统一出件: hand over the result; a bundle's children are delivered together."""
    case, task = _task_for(actor, task)
    if task.kind != TaskKind.DELIVERY:
        raise Conflict(_("该任务不是送达环节"), code="wrong_task_action")
    children = _children(case)
    if any(child.status not in (CaseStatus.APPROVED, CaseStatus.DENIED) for child in children):
        raise Conflict(_("一件事的事项尚未全部办结，不能统一出件"), code="bundle_not_ready")
    _finish_task(task, actor=actor, outcome="delivered", comment=(comment or "").strip()[:500])
    _deliver(case, actor=actor)
    for child in children:
        _deliver(child, actor=actor)
    return case


@transaction.atomic
def case_handle_on_the_spot(
    *,
    case: Case,
    actor: User,
    decision: str = Decision.APPROVED,
    reason: str = "",
    certificate_facts: dict[str, Any] | None = None,
) -> Case:
    """即办件: accepted, decided and delivered at the window in one go (an item that
    issues a certificate issues it then, as any approval does)."""
    locked = _lock(case)
    if locked.is_bundle or locked.item_version.handling_kind != HandlingKind.IMMEDIATE:
        raise Conflict(_("只有即办件可以当场办结"), code="not_immediate")
    case_accept(case=locked, actor=actor)
    task = locked.tasks.filter(kind=TaskKind.DECISION, status__in=ACTIVE_TASK_STATUSES).first()
    if task is None:
        raise Conflict(_("即办件的办理流程缺少决定环节"), code="workflow_invalid")
    return task_decide(
        task=task,
        actor=actor,
        decision=decision,
        reason=reason,
        certificate_facts=certificate_facts,
    )


# -- withdrawal -----------------------------------------------------------------------------


@transaction.atomic
def case_withdraw(*, case: Case, actor: User, reason: str = "") -> Case:
    """撤回: by the applicant (or the clerk for them) at any time before a decision."""
    case = _lock(case)
    _require(can_withdraw(actor, case), _("只有申请人或窗口人员可以撤回申请"))
    if case.is_child:
        raise Conflict(_("一件事须整体撤回"), code="child_case")
    reason = (reason or "").strip()[:500]
    now = timezone.now()
    for target in [case, *_children(case)]:
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
        for task in target.tasks.select_for_update().filter(status__in=ACTIVE_TASK_STATUSES):
            _cancel_task(task, actor=actor, reason="申请人已撤回")  # stored: Chinese
    return case


# -- calendar changes ---------------------------------------------------------------------


def recompute_deadlines(*, zone_id: int | None = None) -> int:
    """After a change of working days (a notice loaded, a zone's own day set or removed):
    recompute the clock of every running case of the zone (of all zones for a national
    notice), one case per transaction; returns how many deadlines moved."""
    changed = 0
    pks = Case.objects.running().order_by("pk")
    if zone_id is not None:
        pks = pks.filter(zone_id=zone_id)
    for pk in pks.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(of=("self",))
                .select_related("zone")
                .filter(pk=pk, status__in=CLOCK_STATUSES)
                .first()
            )
            if case is None or case.accepted_on is None:
                continue
            before = (case.deadline, case.yellow_from, case.deadline_provisional)
            _set_clock(case, start=case.accepted_on)
            if (case.deadline, case.yellow_from, case.deadline_provisional) == before:
                continue
            case.save(update_fields=[*CLOCK_FIELDS, "updated_at"])
            if case.deadline != before[0]:
                changed += 1
                _event(
                    case,
                    CaseEventAction.DEADLINE_RECOMPUTED,
                    actor=None,
                    data={"from": str(before[0]), "to": str(case.deadline)},
                )
    return changed


# -- notifications --------------------------------------------------------------------------


def notifications_mark_read(*, user: User) -> int:
    """Mark every unread in-app message of ``user`` read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
