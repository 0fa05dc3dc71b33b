"""告知承诺: the rule that says which materials a signed commitment may replace, shared by
the window (the clerk accepts on a commitment the applicant signs at the desk,
``acceptance.case_accept``) and the online application (the applicant signs on the apply
page, ``commitment_sign_online`` inside ``case_apply``). Either way the case records it
alike: a ``Commitment`` (the text, its SHA-256, the signer, the time, the materials), the
materials in the state ``committed`` and the audit event ``case.commitment_signed``; the
regulator's verification opens when the case is accepted.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onewindow.cases.constants import (
    CASE_OBJECT_TYPE,
    COMMITMENT_TEXT,
    SATISFIED_MATERIAL_STATES,
    CaseChannel,
    CaseEventAction,
    MaterialState,
)
from onewindow.cases.models import Case, CaseMaterial, Commitment
from onewindow.core.audit import audit_append
from onewindow.core.errors import ValidationFailed
from onewindow.core.locks import lock_rows
from onewindow.org.models import User

#: Longest signature kept (``Commitment.signed_name``).
MAX_SIGNED_NAME = 100


def commitment_text() -> str:
    """The binding (Chinese) text of the commitment, whatever the page's language."""
    with translation.override("zh-hans"):
        return str(COMMITMENT_TEXT)


def commitment_errors(
    rows: Iterable[CaseMaterial], *, text: str, signed_name: str
) -> dict[str, list[str]]:
    """What is wrong with a commitment replacing ``rows`` (the chosen materials), by
    field: at least one; each one a material the catalog lets a commitment replace and
    not already given; the text shown; the signer's name. Empty when it may be signed."""
    errors: dict[str, list[str]] = {}
    rows = list(rows)
    if not rows:
        errors.setdefault("committed", []).append(_("告知承诺须至少选择一项以承诺替代的材料"))
    for row in rows:
        if not row.commitment_allowed:
            errors.setdefault("committed", []).append(
                _("“{name}”不适用告知承诺").format(name=row.name)
            )
        elif row.state in SATISFIED_MATERIAL_STATES:
            errors.setdefault("committed", []).append(
                _("“{name}”已提交，无需承诺").format(name=row.name)
            )
    if not (text or "").strip():
        errors.setdefault("commitment_text", []).append(_("请出示并确认承诺书内容"))
    if not (signed_name or "").strip():
        errors.setdefault("commitment_signed_name", []).append(_("承诺人须签名"))
    return errors


def commitment_record(
    case: Case,
    rows: Sequence[CaseMaterial],
    *,
    actor: User,
    text: str,
    signed_name: str,
    channel: str,
    ip_address: str | None = None,
) -> Commitment:
    """Record a signed commitment on ``case`` (locked by the caller), the same at the
    window and online: the commitment, the materials committed, the audit event."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    names = sorted(row.name for row in rows)
    commitment = Commitment.objects.create(
        case=case,
        text=text,
        text_sha256=digest,
        signed_name=signed_name[:MAX_SIGNED_NAME],
        signed_at=timezone.now(),
        materials=names,
    )
    for row in rows:
        row.state = MaterialState.COMMITTED
        row.save(update_fields=["state"])
    audit_append(
        action=CaseEventAction.COMMITMENT_SIGNED,
        actor=actor.get_username(),
        actor_id=actor.pk,
        object_type=CASE_OBJECT_TYPE,
        object_id=case.number,
        data={"signed_name": signed_name, "sha256": digest, "materials": names, "channel": channel},
        ip_address=ip_address,
    )
    return commitment


@dataclass(frozen=True)
class OnlineCommitment:
    """The applicant's choice of 告知承诺 on the apply page: the material lines (merge
    keys) the commitment replaces, the name typed as a signature, the box ticked to say
    the text was read and agreed, and where the request came from."""

    merge_keys: tuple[str, ...]
    signed_name: str
    agreed: bool
    ip_address: str | None = None


def _fold_name(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value or "").split())


def commitment_sign_online(*, case: Case, actor: User, commitment: OnlineCommitment) -> Commitment:
    """Inside ``case_apply``'s transaction, after the files: the applicant's signature of
    the commitment for the chosen lines, refused by field as at the window."""
    rows = {row.merge_key: row for row in lock_rows(CaseMaterial, case=case)}
    chosen = [rows[key] for key in dict.fromkeys(commitment.merge_keys) if key in rows]
    signed_name = _fold_name(commitment.signed_name)
    errors: dict[str, list[str]] = {}
    if len(chosen) < len(set(commitment.merge_keys)):
        errors["committed"] = [_("材料清单已更新，请刷新页面后重新选择")]
    text = commitment_text()
    for field, messages in commitment_errors(chosen, text=text, signed_name=signed_name).items():
        errors.setdefault(field, []).extend(messages)
    if len(signed_name) > MAX_SIGNED_NAME:
        errors.setdefault("commitment_signed_name", []).append(
            _("承诺人签名不能超过 {n} 个字").format(n=MAX_SIGNED_NAME)
        )
    if not commitment.agreed:
        errors.setdefault("commitment_agreed", []).append(_("请阅读承诺书全文并勾选同意"))
    if errors:
        labels = {
            "committed": _("以告知承诺代替的材料"),
            "commitment_signed_name": _("承诺人签名"),
            "commitment_agreed": _("同意承诺"),
            "commitment_text": _("承诺书内容"),
        }
        named = {
            field: [f"{labels[field]}：{message}" for message in messages]
            for field, messages in errors.items()
        }
        first = next(iter(named.values()))[0]
        raise ValidationFailed(first, code="commitment_invalid", fields=named)
    return commitment_record(
        case,
        chosen,
        actor=actor,
        text=text,
        signed_name=signed_name,
        channel=CaseChannel.ONLINE,
        ip_address=commitment.ip_address,
    )
