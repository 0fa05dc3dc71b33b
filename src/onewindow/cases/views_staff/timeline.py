"""The case page's timeline: the case's audit events as rows a reader understands
(an applicant sees neither task steps nor internal handling)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from onewindow.cases import selectors
from onewindow.cases.constants import AcceptanceMode, CaseEventAction, CaseStatus, SuspensionKind
from onewindow.cases.event_labels import EVENT_LABELS
from onewindow.cases.models import Case, Task
from onewindow.cases.views_staff.common import MATERIAL_VIEWED
from onewindow.org.constants import UserKind
from onewindow.org.models import User

#: Events an applicant does not see on their case page (internal handling).
INTERNAL_EVENTS = frozenset(
    {
        MATERIAL_VIEWED,
        CaseEventAction.TASK_LIGHT_CHANGED,
        # The window's working verdicts: the applicant gets the correction notice.
        CaseEventAction.MATERIALS_PRE_REVIEWED,
    }
)


@dataclass
class EventRow:
    occurred_at: dt.datetime
    actor: str
    label: str
    from_label: str
    to_label: str
    detail: str


def _status_label(value) -> str:
    if value in CaseStatus.values:
        return str(CaseStatus(value).label)
    return ""


def _event_detail(event, *, task_names: dict, names: dict, staff: bool) -> str:
    data = event.data or {}
    action = event.action
    parts: list[str] = []
    task_name = task_names.get(data.get("task")) or data.get("name") or ""
    if action.startswith("task.") and task_name:
        parts.append(task_name)
    if action == CaseEventAction.CORRECTION_REQUESTED:
        parts.append("；".join(data.get("items") or []))
    elif action == CaseEventAction.ACCEPTED:
        mode = data.get("mode")
        if mode in AcceptanceMode.values:
            parts.append(str(AcceptanceMode(mode).label))
        if data.get("deadline"):
            parts.append(_("办结期限 {date}").format(date=data["deadline"]))
        for key, label in (("tolerated", _("容缺")), ("committed", _("承诺替代"))):
            if data.get(key):
                parts.append(f"{label}：{'、'.join(data[key])}")
    elif action == CaseEventAction.NOTICE_ISSUED and data.get("number"):
        parts.append(f"{data.get('title') or ''}{data['number']}")
    elif action == CaseEventAction.REFUSED and data.get("legal_basis"):
        parts.append(_("依据：{basis}").format(basis=data["legal_basis"]))
    elif action == CaseEventAction.SUSPENDED and data.get("kind") in SuspensionKind.values:
        parts.append(str(SuspensionKind(data["kind"]).label))
    elif action == CaseEventAction.RESUMED and data.get("paused_days") is not None:
        parts.append(_("不计时 {n} 个工作日").format(n=data["paused_days"]))
    elif action == CaseEventAction.EXTENDED:
        parts.append(_("延长 {n} 个工作日").format(n=data.get("days")))
    elif action in (
        CaseEventAction.MATERIAL_UPLOADED,
        CaseEventAction.MATERIAL_SUPPLEMENTED,
        MATERIAL_VIEWED,
    ):
        parts.append(data.get("material", ""))
        if data.get("paper"):
            parts.append(_("纸质材料"))
    elif action == CaseEventAction.MATERIALS_PRE_REVIEWED:
        if data.get("passed"):
            parts.append(_("通过：{names}").format(names="、".join(data["passed"])))
        for failed in data.get("failed") or []:
            parts.append(
                _("不通过：{name}（{reason}）").format(
                    name=failed.get("material", ""), reason=failed.get("reason", "")
                )
            )
        if data.get("cleared"):
            parts.append(_("撤销结论：{names}").format(names="、".join(data["cleared"])))
    elif action == CaseEventAction.MATERIAL_FROM_CERTIFICATE:
        parts.append(data.get("material", ""))
        parts.append(_("证照标识 {identifier}").format(identifier=data.get("identifier", "")))
    elif action == CaseEventAction.CERTIFICATE_ISSUED:
        parts.append(data.get("type", ""))
        parts.append(_("证照标识 {identifier}").format(identifier=data.get("identifier", "")))
    elif action == CaseEventAction.AGENT_RECORDED:
        parts.append(_("经办人：{name}").format(name=data.get("name", "")))
        parts.append(_("身份证 {number}").format(number=data.get("id_number", "")))
    elif action == CaseEventAction.ISSUED_BEFORE_SUPPLEMENT:
        parts.append(_("待补：{names}").format(names="、".join(data.get("materials") or [])))
        if data.get("basis"):
            parts.append(_("依据：{basis}").format(basis=data["basis"]))
    elif action == CaseEventAction.COMMITMENT_SIGNED:
        parts.append(_("承诺人：{name}").format(name=data.get("signed_name", "")))
    elif action == CaseEventAction.TASK_OPENED and data.get("deadline"):
        parts.append(_("环节期限 {date}").format(date=data["deadline"]))
    elif action == CaseEventAction.TASK_TRANSFERRED:
        receiver = _receiver(data)
        parts.append(_("转给 {name}").format(name=names.get(receiver, receiver)))
    elif action == CaseEventAction.CO_REVIEW_REQUESTED:
        parts.append(_("会签部门：{name}").format(name=data.get("department", "")))
    elif action == CaseEventAction.TASK_COMPLETED and staff and data.get("comment"):
        parts.append(_("意见：{comment}").format(comment=data["comment"]))
    if data.get("reason"):
        parts.append(_("理由：{reason}").format(reason=data["reason"]))
    return " · ".join(part for part in parts if part)


def _receiver(data: dict) -> str:
    """Who a task was transferred to (``to`` in events written before the task table,
    where ``to`` is now the task's status)."""
    return data.get("assignee") or data.get("to", "")


def _event_label(case: Case, action: str, data: dict) -> str:
    """The event in words; a decision in the item's (准予登记 / 准予许可 / 准予 …); a
    case created already submitted reads as its submission."""
    if action == CaseEventAction.CREATED and data.get("to") == CaseStatus.SUBMITTED:
        action = CaseEventAction.SUBMITTED
    if action == CaseEventAction.APPROVED:
        return str(case.decision_wording.approve)
    if action == CaseEventAction.DENIED:
        return str(case.decision_wording.deny)
    return str(EVENT_LABELS.get(action, action))


def timeline_rows(case: Case, tasks: list[Task], *, staff: bool) -> list[EventRow]:
    events = list(selectors.case_timeline(case))
    usernames = {event.actor for event in events if event.actor and event.actor != "system"}
    for event in events:
        if event.action == CaseEventAction.TASK_TRANSFERRED:
            usernames.add(_receiver(event.data or {}))
    people = {
        user.username: user
        for user in User.objects.filter(username__in=usernames).only(
            "username", "display_name", "kind"
        )
    }
    names = {username: str(user) for username, user in people.items()}
    task_names = {task.pk: task.name for task in tasks}
    rows = []
    for event in events:
        if not staff and (event.action.startswith("task.") or event.action in INTERNAL_EVENTS):
            continue
        person = people.get(event.actor)
        if event.actor == "system" or not event.actor:
            actor = _("系统")
        elif staff:
            actor = names.get(event.actor, event.actor)
        elif person is not None and person.kind == UserKind.APPLICANT:
            actor = _("申请人")
        else:
            actor = _("工作人员")
        data = event.data or {}
        is_status = event.action.startswith("case.")
        rows.append(
            EventRow(
                occurred_at=event.occurred_at,
                actor=actor,
                label=_event_label(case, event.action, data),
                from_label=_status_label(data.get("from")) if is_status else "",
                to_label=_status_label(data.get("to")) if is_status else "",
                detail=_event_detail(event, task_names=task_names, names=names, staff=staff),
            )
        )
    return rows
