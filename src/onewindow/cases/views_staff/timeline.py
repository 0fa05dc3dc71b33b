"""The case page's timeline: the case's audit events as rows a reader understands
(an applicant sees neither task steps nor internal handling)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.cases import selectors
from onewindow.cases.constants import AcceptanceMode, CaseEventAction, CaseStatus, SuspensionKind
from onewindow.cases.models import Case, Task
from onewindow.cases.views_staff.common import MATERIAL_VIEWED
from onewindow.org.constants import UserKind
from onewindow.org.models import User

EVENT_LABELS = {
    CaseEventAction.CREATED: gettext_lazy("创建申请"),
    CaseEventAction.SUBMITTED: gettext_lazy("提交申请"),
    CaseEventAction.CORRECTION_REQUESTED: gettext_lazy("一次性告知补正"),
    CaseEventAction.RESUBMITTED: gettext_lazy("补正后重新提交"),
    CaseEventAction.REFUSED: gettext_lazy("不予受理"),
    CaseEventAction.ACCEPTED: gettext_lazy("受理"),
    CaseEventAction.REVIEW_STARTED: gettext_lazy("进入审查"),
    CaseEventAction.SUSPENDED: gettext_lazy("启动特别程序"),
    CaseEventAction.RESUMED: gettext_lazy("结束特别程序"),
    CaseEventAction.EXTENDED: gettext_lazy("延长办理期限"),
    CaseEventAction.APPROVED: gettext_lazy("准予许可"),
    CaseEventAction.DENIED: gettext_lazy("不予许可"),
    CaseEventAction.DELIVERED: gettext_lazy("送达办结"),
    CaseEventAction.WITHDRAWN: gettext_lazy("撤回申请"),
    CaseEventAction.MATERIAL_UPLOADED: gettext_lazy("提交材料"),
    CaseEventAction.MATERIAL_SUPPLEMENTED: gettext_lazy("补齐容缺材料"),
    CaseEventAction.SUPPLEMENT_OVERDUE: gettext_lazy("容缺材料逾期未补齐"),
    CaseEventAction.COMMITMENT_SIGNED: gettext_lazy("签署告知承诺书"),
    CaseEventAction.DEADLINE_RECOMPUTED: gettext_lazy("重新计算办结期限"),
    CaseEventAction.TASK_OPENED: gettext_lazy("环节到达"),
    CaseEventAction.TASK_CLAIMED: gettext_lazy("签收任务"),
    CaseEventAction.TASK_COMPLETED: gettext_lazy("完成环节"),
    CaseEventAction.TASK_RETURNED: gettext_lazy("退回"),
    CaseEventAction.TASK_TRANSFERRED: gettext_lazy("转办"),
    CaseEventAction.TASK_CANCELLED: gettext_lazy("取消任务"),
    CaseEventAction.TASK_LIGHT_CHANGED: gettext_lazy("亮灯提醒"),
    CaseEventAction.CO_REVIEW_REQUESTED: gettext_lazy("发起会签"),
    CaseEventAction.MATERIAL_FROM_CERTIFICATE: gettext_lazy("电子证照调取"),
    CaseEventAction.CERTIFICATE_ISSUED: gettext_lazy("签发电子证照"),
    CaseEventAction.ISSUED_BEFORE_SUPPLEMENT: gettext_lazy("先出证后补：容缺材料补齐前准予"),
    MATERIAL_VIEWED: gettext_lazy("查看材料文件"),
}

#: Events an applicant does not see on their case page (internal handling).
INTERNAL_EVENTS = frozenset({MATERIAL_VIEWED, CaseEventAction.TASK_LIGHT_CHANGED})


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
    elif action == CaseEventAction.MATERIAL_FROM_CERTIFICATE:
        parts.append(data.get("material", ""))
        parts.append(_("证照标识 {identifier}").format(identifier=data.get("identifier", "")))
    elif action == CaseEventAction.CERTIFICATE_ISSUED:
        parts.append(data.get("type", ""))
        parts.append(_("证照标识 {identifier}").format(identifier=data.get("identifier", "")))
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


def _event_label(case: Case, action: str) -> str:
    """The event in words; a decision in the item's (准予登记 / 准予许可 / 准予 …)."""
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
                label=_event_label(case, event.action),
                from_label=_status_label(data.get("from")) if is_status else "",
                to_label=_status_label(data.get("to")) if is_status else "",
                detail=_event_detail(event, task_names=task_names, names=names, staff=staff),
            )
        )
    return rows
