"""受理: normal, tolerated (容缺) or on a commitment (告知承诺); the clock starts and the
workflow's first steps open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases import applicant_messages, deadlines
from onewindow.cases.constants import (
    DEFAULT_TOLERANCE_DAYS,
    DEFAULT_VERIFICATION_DAYS,
    SATISFIED_MATERIAL_STATES,
    AcceptanceMode,
    CaseAction,
    CaseChannel,
    CaseEventAction,
    MaterialState,
)
from onewindow.cases.models import (
    Case,
    CaseMaterial,
    Commitment,
)
from onewindow.cases.services.commitments import commitment_errors, commitment_record
from onewindow.cases.services.common import (
    CLOCK_FIELDS,
    _children,
    _lock,
    _may,
    _set_clock,
    _today,
    _transition,
)
from onewindow.cases.services.workflow import _start
from onewindow.core.audit import audit_batch
from onewindow.core.calendar import WorkingCalendar
from onewindow.core.errors import ValidationFailed
from onewindow.core.locks import lock_rows
from onewindow.inspections.services import commitment_verification_open
from onewindow.org.models import User
from onewindow.org.selectors import calendar_for_zone

# -- acceptance -----------------------------------------------------------------------------


_ACCEPT_FIELDS = (
    "acceptance_mode",
    "accepted_at",
    "accepted_on",
    "accepted_by",
    "tolerance_due_on",
    "limit_days",
    "legal_limit_days",
    *CLOCK_FIELDS,
)


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
    with audit_batch():  # its five events in one INSERT (PostgreSQL)
        case = _lock(case)
        _may(actor, case, "accept")
        if mode not in AcceptanceMode.values:
            raise ValidationFailed.for_field("mode", _("受理方式无效"), code="invalid_mode")
        materials = {row.pk: row for row in lock_rows(CaseMaterial, case=case)}
        children = _children(case)  # every row before the first event (ADR 0019)
        tolerated, committed = set(tolerated), set(committed)
        today = _today()
        calendar = calendar_for_zone(case.zone)
        # Signed online with the application: its materials are the committed ones.
        committed_online = any(row.state == MaterialState.COMMITTED for row in materials.values())
        signed = Commitment.objects.filter(case=case).first() if committed_online else None
        if signed is not None:
            _check_signed_online(materials, mode=mode, committed=committed)
            commitment_text, commitment_signed_name = signed.text, signed.signed_name
        tolerance_due_on = _check_choice(
            materials,
            mode=mode,
            tolerated=tolerated,
            committed=committed,
            tolerance_due_on=tolerance_due_on,
            commitment_text=commitment_text,
            commitment_signed_name=commitment_signed_name,
            today=today,
            calendar=calendar,
            deadline=acceptance_deadline(case, children, calendar=calendar, today=today),
        )

        now = timezone.now()
        _mark_materials(materials, tolerated=tolerated, committed=committed)
        _record_acceptance(
            case,
            actor=actor,
            mode=mode,
            now=now,
            today=today,
            tolerance_due_on=tolerance_due_on if mode == AcceptanceMode.TOLERATED else None,
            tolerated=sorted(materials[pk].name for pk in tolerated),
            committed=sorted(materials[pk].name for pk in committed),
        )
        if mode == AcceptanceMode.COMMITMENT and signed is None:
            _sign_commitment(
                case,
                actor=actor,
                text=commitment_text.strip(),
                signed_name=commitment_signed_name.strip(),
                rows=[materials[pk] for pk in sorted(committed)],
                calendar=calendar,
            )
        elif mode == AcceptanceMode.COMMITMENT:
            _open_verification(
                case, materials=signed.materials, digest=signed.text_sha256, calendar=calendar
            )
        for child in children:
            _record_child_acceptance(child, parent=case, actor=actor, now=now, today=today)
        _open_review(case, children, actor=actor)
        applicant_messages.case_accepted(
            case,
            tolerated=[
                row.name
                for row in sorted(materials.values(), key=lambda row: row.position)
                if row.state == MaterialState.TOLERATED
            ],
        )
        return case


def _check_choice(
    materials: dict[int, CaseMaterial],
    *,
    mode: str,
    tolerated: set[int],
    committed: set[int],
    tolerance_due_on: dt.date | None,
    commitment_text: str,
    commitment_signed_name: str,
    today: dt.date,
    calendar: WorkingCalendar,
    deadline: dt.date,
) -> dt.date | None:
    """Refuse the acceptance with every error by field, or return the tolerance due date
    (the one asked for, or the default number of working days from today, never after
    the ``deadline`` the case gets today)."""
    errors = _selection_errors(
        materials,
        mode=mode,
        tolerated=tolerated,
        committed=committed,
        commitment_text=commitment_text,
        commitment_signed_name=commitment_signed_name,
    )
    if mode == AcceptanceMode.TOLERATED and not errors:
        if tolerance_due_on is None:
            tolerance_due_on = deadlines.tolerance_due_default(
                calendar, today=today, deadline=deadline, days=DEFAULT_TOLERANCE_DAYS
            )
        problem = deadlines.tolerance_due_problem(tolerance_due_on, today=today, deadline=deadline)
        if problem:
            errors.setdefault("tolerance_due_on", []).append(
                _tolerance_due_message(problem, deadline)
            )
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, code="acceptance_invalid", fields=errors)
    return tolerance_due_on


def acceptance_deadline(
    case: Case, children: Sequence[Case], *, calendar: WorkingCalendar, today: dt.date
) -> dt.date:
    """The deadline ``case`` gets when accepted ``today``; for a bundle the earliest of
    its own and its items' (each child's certificate waits for the same supplement)."""
    versions = [child.item_version for child in children]
    if case.is_bundle:
        limits = [case.bundle.promised_limit_days]
    else:
        limits = [case.item_version.promised_limit_days]
    limits += [version.promised_limit_days for version in versions]
    return min(
        deadlines.clock(calendar, start=today, limit_days=limit).deadline for limit in limits
    )


def _tolerance_due_message(problem: str, deadline: dt.date) -> str:
    if problem == "no_room":
        return _(
            "容缺补齐期限：本办件的办结期限为 {deadline}，没有补齐容缺材料的时间，不能容缺受理"
        ).format(deadline=deadline.isoformat())
    if problem == "not_after_today":
        return _("容缺补齐期限：应晚于今天")
    return _("容缺补齐期限：不能晚于办结期限 {deadline}").format(deadline=deadline.isoformat())


def _selection_errors(
    materials: dict[int, CaseMaterial],
    *,
    mode: str,
    tolerated: set[int],
    committed: set[int],
    commitment_text: str,
    commitment_signed_name: str,
) -> dict[str, list[str]]:
    """What is wrong with the clerk's choice of tolerated and committed materials, by field
    (in the order a reader meets the fields); empty when the choice may be accepted."""
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
        # The rule the online application follows too (``commitments``).
        chosen = [materials[pk] for pk in sorted(committed & set(materials))]
        found = commitment_errors(chosen, text=commitment_text, signed_name=commitment_signed_name)
        if committed and not chosen:  # only unknown materials: "materials" says so
            found.pop("committed", None)
        for field, messages in found.items():
            errors.setdefault(field, []).extend(messages)
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
    return errors


def _mark_materials(
    materials: dict[int, CaseMaterial], *, tolerated: set[int], committed: set[int]
) -> None:
    for pk in tolerated:
        materials[pk].state = MaterialState.TOLERATED
        materials[pk].save(update_fields=["state"])
    for pk in committed:
        materials[pk].state = MaterialState.COMMITTED
        materials[pk].save(update_fields=["state"])


def _record_acceptance(
    case: Case,
    *,
    actor: User,
    mode: str,
    now: dt.datetime,
    today: dt.date,
    tolerance_due_on: dt.date | None,
    tolerated: list[str],
    committed: list[str],
) -> None:
    """The case's acceptance fields, its time limit and clock, and the ACCEPTED transition."""
    case.acceptance_mode = mode
    case.accepted_at = now
    case.accepted_on = today
    case.accepted_by = actor
    case.tolerance_due_on = tolerance_due_on
    if case.is_bundle:
        case.limit_days = case.bundle.promised_limit_days
        case.legal_limit_days = None
    else:
        case.limit_days = case.item_version.promised_limit_days
        case.legal_limit_days = case.item_version.legal_limit_days
    _set_clock(case, start=today)
    data = {
        "mode": mode,
        "deadline": str(case.deadline),
        "limit_days": case.limit_days,
        "tolerated": tolerated,
        "committed": committed,
    }
    if case.tolerance_due_on:
        data["tolerance_due_on"] = str(case.tolerance_due_on)
    _transition(
        case,
        CaseAction.ACCEPT,
        actor=actor,
        event=CaseEventAction.ACCEPTED,
        data=data,
        fields=_ACCEPT_FIELDS,
    )


def _record_child_acceptance(
    child: Case, *, parent: Case, actor: User, now: dt.datetime, today: dt.date
) -> None:
    """A bundle's child is accepted with its parent: same mode and moment, its own limit."""
    child.acceptance_mode = parent.acceptance_mode
    child.accepted_at, child.accepted_on, child.accepted_by = now, today, actor
    child.tolerance_due_on = parent.tolerance_due_on
    child.limit_days = child.item_version.promised_limit_days
    child.legal_limit_days = child.item_version.legal_limit_days
    _set_clock(child, start=today)
    _transition(
        child,
        CaseAction.ACCEPT,
        actor=actor,
        event=CaseEventAction.ACCEPTED,
        data={
            "mode": parent.acceptance_mode,
            "deadline": str(child.deadline),
            "parent": parent.number,
        },
        fields=_ACCEPT_FIELDS,
    )


def _open_review(case: Case, children: Sequence[Case], *, actor: User) -> None:
    """A bundle starts its review and each child's workflow; a single case its own."""
    if case.is_bundle:
        _transition(
            case, CaseAction.START_REVIEW, actor=actor, event=CaseEventAction.REVIEW_STARTED
        )
        for child in children:
            _start(child, actor=actor)
    else:
        _start(case, actor=actor)


def _check_signed_online(
    materials: dict[int, CaseMaterial], *, mode: str, committed: set[int]
) -> None:
    """The applicant signed the commitment online: the case is accepted on it, for the
    materials it names (the window neither drops nor adds one)."""
    online = {pk for pk, row in materials.items() if row.state == MaterialState.COMMITTED}
    names = "、".join(sorted(materials[pk].name for pk in online))
    if mode != AcceptanceMode.COMMITMENT:
        raise ValidationFailed.for_field(
            "mode",
            _("受理方式：申请人已在线签署告知承诺（{names}），请选择“告知承诺”受理").format(
                names=names
            ),
            code="signed_online",
        )
    if committed != online:
        raise ValidationFailed.for_field(
            "committed",
            _("以承诺替代的材料：申请人在线承诺的是“{names}”，受理时不能更改").format(names=names),
            code="signed_online",
        )


def _sign_commitment(case, *, actor, text, signed_name, rows, calendar) -> None:
    """Signed at the window, at acceptance: recorded as online (``commitment_record``),
    then the regulator's verification opens."""
    commitment = commitment_record(
        case, rows, actor=actor, text=text, signed_name=signed_name, channel=CaseChannel.WINDOW
    )
    _open_verification(
        case, materials=commitment.materials, digest=commitment.text_sha256, calendar=calendar
    )


def _open_verification(case, *, materials, digest, calendar) -> None:
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
