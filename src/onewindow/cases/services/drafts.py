"""申请草稿: an online application kept for its applicant user while it is not submitted,
with the files already given (ADR 0027). A form refused for a missing field keeps every
valid file here, so the applicant never chooses 25 files twice; they can leave and come
back; submission moves the files into the case (``case_apply``) and deletes the draft.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases.constants import DRAFT_KEEP_DAYS, DRAFT_OBJECT_TYPE, DraftEventAction
from onewindow.cases.models import ApplicationDraft, DraftFile, material_storage
from onewindow.cases.uploads import inspect_upload
from onewindow.catalog.models import Bundle, Item
from onewindow.core.audit import audit_append
from onewindow.core.errors import NotFound, ValidationFailed
from onewindow.core.locks import lock_first, lock_rows
from onewindow.org.models import User, Zone

if TYPE_CHECKING:
    from onewindow.cases.services.application import MaterialFile

#: Text values kept per field, at most (a draft is no place for a novel).
MAX_DRAFT_VALUE = 5000


def _draft_event(
    draft: ApplicationDraft, action: str, *, actor: User | None, data: dict[str, Any]
) -> None:
    audit_append(
        action=action,
        actor=actor.get_username() if actor is not None else "system",
        actor_id=actor.pk if actor is not None else "",
        object_type=DRAFT_OBJECT_TYPE,
        object_id=draft.pk,
        data={"title": draft.title, **data},
    )


def _delete_later(names: Sequence[str]) -> None:
    """Remove stored files once the transaction that dropped their rows has committed."""
    names = [name for name in names if name]
    if names:
        storage = material_storage()
        transaction.on_commit(lambda: [storage.delete(name) for name in names])


def _clean_form_data(form_data: dict[str, Any]) -> dict[str, str | list[str]]:
    """Strings (a choice of several: a list of strings), trimmed to a sane length."""
    cleaned: dict[str, str | list[str]] = {}
    for key, value in (form_data or {}).items():
        if isinstance(value, list | tuple):
            values = [str(entry)[:MAX_DRAFT_VALUE] for entry in value if str(entry)][:100]
            if values:
                cleaned[str(key)[:100]] = values
        elif value is not None and str(value) != "":
            cleaned[str(key)[:100]] = str(value)[:MAX_DRAFT_VALUE]
    return cleaned


def draft_for(
    *, user: User, item: Item | None = None, bundle: Bundle | None = None
) -> ApplicationDraft | None:
    """The user's live draft of ``item`` or ``bundle`` (an expired one counts as gone)."""
    if (item is None) == (bundle is None) or not user.is_authenticated:
        return None
    return (
        ApplicationDraft.objects.filter(
            user=user, item=item, bundle=bundle, expires_at__gt=timezone.now()
        )
        .prefetch_related("files")
        .first()
    )


def draft_keep(
    *,
    actor: User,
    zone: Zone,
    title: str,
    item: Item | None = None,
    bundle: Bundle | None = None,
    applicant_key: str = "",
    form_data: dict[str, Any] | None = None,
    files: Sequence[MaterialFile] = (),
) -> ApplicationDraft:
    """Keep what the applicant gave: the typed values (replacing the last ones) and each
    file for its material line (replacing the one kept for that line). Every file is
    checked by its content first; a refused file changes nothing. The draft is kept
    ``DRAFT_KEEP_DAYS`` days from now. All or nothing: a failure removes the files
    already written."""
    if (item is None) == (bundle is None):
        raise ValidationFailed.for_field("item", _("请选择一个事项或一件事"), code="item_or_bundle")
    if not actor.is_applicant or actor.zone_id != zone.pk:
        raise NotFound(_("事项不存在"), code="item_not_found")
    checked = []
    for given in files:
        try:
            checked.append((given, inspect_upload(given.file)))
        except ValidationFailed as error:
            messages = error.fields.get("file") or [error.message]
            raise ValidationFailed(
                error.message,
                code=error.code,
                fields={
                    given.field: [
                        _("{name}：{message}").format(name=given.name, message=message)
                        for message in messages
                    ]
                },
            ) from error
    stored: list[str] = []
    try:
        with transaction.atomic():
            draft = _save_draft(
                actor=actor,
                zone=zone,
                title=title,
                item=item,
                bundle=bundle,
                applicant_key=applicant_key,
                form_data=form_data,
            )
            _draft_event(draft, DraftEventAction.SAVED, actor=actor, data={"files": len(checked)})
            for given, info in checked:
                stored.append(_keep_file(draft, given, info, actor=actor))
    except Exception:
        storage = material_storage()
        for name in stored:
            storage.delete(name)
        raise
    return draft


def _save_draft(
    *,
    actor: User,
    zone: Zone,
    title: str,
    item: Item | None,
    bundle: Bundle | None,
    applicant_key: str,
    form_data: dict[str, Any] | None,
) -> ApplicationDraft:
    now = timezone.now()
    values = {
        "title": title[:200],
        "applicant_key": (applicant_key or "")[:20],
        "form_data": _clean_form_data(form_data or {}),
        "updated_at": now,
        "expires_at": now + dt.timedelta(days=DRAFT_KEEP_DAYS),
    }
    draft = lock_first(ApplicationDraft, user=actor, item=item, bundle=bundle)
    if draft is None:
        try:
            with transaction.atomic():
                return ApplicationDraft.objects.create(
                    user=actor, zone=zone, item=item, bundle=bundle, **values
                )
        except IntegrityError:
            # The same form posted twice at once (a double click): the other post made
            # the draft a moment ago; this one adds to it.
            draft = lock_first(ApplicationDraft, user=actor, item=item, bundle=bundle)
            if draft is None:
                raise
    for name, value in values.items():
        setattr(draft, name, value)
    draft.save(update_fields=list(values))
    return draft


def _keep_file(draft: ApplicationDraft, given: MaterialFile, info, *, actor: User) -> str:
    """Store ``given`` for its line (the line's earlier file goes after the commit);
    return the stored name."""
    old = DraftFile.objects.filter(draft=draft, merge_key=given.merge_key[:200]).first()
    if old is not None:
        _delete_later([old.file.name])
        old.delete()
    row = DraftFile(
        draft=draft,
        merge_key=given.merge_key[:200],
        name=given.name[:200],
        original_name=(getattr(given.file, "name", "") or "")[:255],
        content_type=info.content_type,
        size=info.size,
        sha256=info.sha256,
        uploaded_at=timezone.now(),
    )
    row.file.save(secrets.token_hex(16) + info.extension, given.file, save=False)
    try:
        row.save(force_insert=True)
        _draft_event(
            draft,
            DraftEventAction.FILE_KEPT,
            actor=actor,
            data={"material": row.name, "sha256": info.sha256, "size": info.size},
        )
    except Exception:
        row.file.storage.delete(row.file.name)
        raise
    return row.file.name


def _owned_file(actor: User, file_id: int) -> DraftFile:
    """The locked kept file of one of ``actor``'s live drafts; anything else is "not
    found" (missing and someone else's alike)."""
    row = lock_first(
        DraftFile,
        pk=file_id,
        draft__user_id=actor.pk,
        draft__expires_at__gt=timezone.now(),
    )
    if row is None:
        raise NotFound(_("草稿材料不存在"), code="draft_file_not_found")
    return row


def draft_file_open(*, actor: User, file_id: int) -> DraftFile:
    """A kept file for its owner to look at (404 for anyone else)."""
    row = (
        DraftFile.objects.filter(
            pk=file_id, draft__user_id=actor.pk, draft__expires_at__gt=timezone.now()
        )
        .select_related("draft")
        .first()
    )
    if row is None:
        raise NotFound(_("草稿材料不存在"), code="draft_file_not_found")
    return row


@transaction.atomic
def draft_file_remove(*, actor: User, file_id: int) -> ApplicationDraft:
    """The applicant takes a kept file out of their draft."""
    row = _owned_file(actor, file_id)
    draft = row.draft
    _draft_event(draft, DraftEventAction.FILE_REMOVED, actor=actor, data={"material": row.name})
    _delete_later([row.file.name])
    row.delete()
    return draft


@transaction.atomic
def draft_discard(*, actor: User, draft_id: int) -> None:
    """The applicant throws a draft away, with its files."""
    draft = lock_first(ApplicationDraft, pk=draft_id, user_id=actor.pk)
    if draft is None:
        raise NotFound(_("草稿不存在"), code="draft_not_found")
    _draft_event(draft, DraftEventAction.DISCARDED, actor=actor, data={})
    _drop(draft)


def _drop(draft: ApplicationDraft) -> None:
    _delete_later([row.file.name for row in draft.files.all()])
    draft.delete()


def draft_submitted(*, draft: ApplicationDraft, actor: User, case_number: str) -> None:
    """Inside ``case_apply``'s transaction: the draft became ``case_number``; its rows go
    now, its stored files once the case (which holds copies) is committed."""
    _draft_event(draft, DraftEventAction.SUBMITTED, actor=actor, data={"case": case_number})
    _drop(draft)


@transaction.atomic
def drafts_expire(*, now: dt.datetime | None = None) -> int:
    """Remove every draft not saved for ``DRAFT_KEEP_DAYS`` days, with its files; the
    number removed. Run daily (``onewindow expire_drafts``)."""
    now = now or timezone.now()
    removed = 0
    for draft in lock_rows(ApplicationDraft, skip_locked=True, expires_at__lte=now):
        _draft_event(draft, DraftEventAction.EXPIRED, actor=None, data={"user": draft.user_id})
        _drop(draft)
        removed += 1
    return removed
