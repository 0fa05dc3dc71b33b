"""The words of the applicant's messages (``cases.applicant_messages`` sends them): one
editable template kind per step, with its built-in title and body (gettext, named
placeholders) and the placeholders it offers administrators (``core.NotificationTemplate``).

Placeholders hold only what the applicant sees on the case page; ``values`` functions turn
the sender's context into their text under the recipient's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.cases.constants import AcceptanceMode, SuspensionKind
from onewindow.core.notifications import register_template_kind

SUBMITTED = "case_submitted"
CORRECTION_REQUESTED = "case_correction_requested"
ACCEPTED = "case_accepted"
REFUSED = "case_refused"
SUSPENDED = "case_suspended"
RESUMED = "case_resumed"
EXTENDED = "case_extended"
APPROVED = "case_approved"
DENIED = "case_denied"
CERTIFICATE_ISSUED = "certificate_issued"
READY = "case_ready"
DELIVERED = "case_delivered"
SUPPLEMENT_DUE_SOON = "supplement_due_soon"
SUPPLEMENT_OVERDUE = "supplement_overdue"

#: 行政复议法 art. 20 and 行政诉讼法 art. 46: told with every refusal and denial.
REMEDIES = gettext_lazy(
    "如对本决定不服，可以自收到本决定之日起六十日内依法申请行政复议，"
    "或者在六个月内依法向人民法院提起行政诉讼。"
)


# --- words ------------------------------------------------------------------------------


def format_date(value: dt.date | None) -> str:
    if value is None:
        return ""
    return _("{year}年{month:02d}月{day:02d}日").format(
        year=value.year, month=value.month, day=value.day
    )


def _listed(names) -> str:
    return _("、").join(str(name) for name in names)


def _sentence(text: str) -> str:
    """A reason as written, without its final full stop (the words add their own)."""
    return (text or "").strip().rstrip("。.")


def _common(context: Mapping[str, Any]) -> dict[str, str]:
    return {"number": context["number"], "item": context["item"], "link": context["link"]}


def _submitted(context: Mapping[str, Any]) -> dict[str, str]:
    return {
        **_common(context),
        "query_code": context["query_code"],
        "track_link": context["track_link"],
    }


def _correction(context: Mapping[str, Any]) -> dict[str, str]:
    return {
        **_common(context),
        "items": _("；").join(context["items"]),
        "due_on": format_date(context["due_on"]) if context.get("due_on") else "",
    }


def _accepted(context: Mapping[str, Any]) -> dict[str, str]:
    tolerated = context["tolerated"]
    tolerance = ""
    if tolerated:
        tolerance = _("容缺受理的材料（{materials}）请于 {due_on} 前补齐。").format(
            materials=_listed(tolerated), due_on=format_date(context["tolerance_due_on"])
        )
    return {
        **_common(context),
        "mode": str(AcceptanceMode(context["mode"]).label),
        "deadline": format_date(context["deadline"]),
        "tolerated": _listed(tolerated),
        "tolerance_due_on": format_date(context["tolerance_due_on"]),
        "tolerance": tolerance,
    }


def _refused(context: Mapping[str, Any]) -> dict[str, str]:
    return {
        **_common(context),
        "reason": _sentence(context["reason"]),
        "legal_basis": _sentence(context["legal_basis"]),
        "remedies": str(REMEDIES),
    }


def _suspended(context: Mapping[str, Any]) -> dict[str, str]:
    return {
        **_common(context),
        "procedure": str(SuspensionKind(context["procedure"]).label),
        "reason": _sentence(context["reason"]),
    }


def _resumed(context: Mapping[str, Any]) -> dict[str, str]:
    return {
        **_common(context),
        "paused_days": str(context["paused_days"]),
        "deadline": format_date(context["deadline"]),
    }


def _extended(context: Mapping[str, Any]) -> dict[str, str]:
    return {
        **_common(context),
        "days": str(context["days"]),
        "reason": _sentence(context["reason"]),
        "deadline": format_date(context["deadline"]),
    }


def _approved(context: Mapping[str, Any]) -> dict[str, str]:
    return {**_common(context), "decided_on": format_date(context["decided_on"])}


def _denied(context: Mapping[str, Any]) -> dict[str, str]:
    # The applicant's own remedy notice when the decider wrote one, else the default.
    remedies = context.get("remedies") or str(REMEDIES)
    return {
        **_common(context),
        "decided_on": format_date(context["decided_on"]),
        "reason": _sentence(context["reason"]),
        "remedies": remedies,
    }


def _certificate(context: Mapping[str, Any]) -> dict[str, str]:
    return {
        **_common(context),
        "certificate": context["certificate"],
        "identifier": context["identifier"],
        "wallet_link": context["wallet_link"],
        "verify_link": context["verify_link"],
    }


def _delivered(context: Mapping[str, Any]) -> dict[str, str]:
    return {**_common(context), "delivered_on": format_date(context["delivered_on"])}


def _supplement(context: Mapping[str, Any]) -> dict[str, str]:
    return {
        **_common(context),
        "materials": _listed(context["materials"]),
        "due_on": format_date(context["due_on"]),
    }


COMMON_PLACEHOLDERS = {
    "number": gettext_lazy("办件编号"),
    "item": gettext_lazy("事项名称"),
    "link": gettext_lazy("办件页面地址"),
}

KINDS: dict[str, dict[str, Any]] = {
    SUBMITTED: {
        "title": gettext_lazy("申请已提交：{number}"),
        "body": gettext_lazy(
            "您申请的“{item}”已提交，办件编号 {number}，查询码 {query_code}。"
            "可凭办件编号和查询码查询办理进度：{track_link}"
        ),
        "placeholders": {
            "query_code": gettext_lazy("查询码"),
            "track_link": gettext_lazy("进度查询地址"),
        },
        "values": _submitted,
    },
    CORRECTION_REQUESTED: {
        "title": gettext_lazy("请补正材料：{number}"),
        "body": gettext_lazy(
            "您申请的“{item}”（办件编号 {number}）需要补正，一次性告知如下：{items}。"
            "请于 {due_on} 前补正后重新提交，逾期未补正的，视为撤回申请：{link}"
        ),
        "placeholders": {
            "items": gettext_lazy("补正内容"),
            "due_on": gettext_lazy("补正期限"),
        },
        "values": _correction,
    },
    ACCEPTED: {
        "title": gettext_lazy("申请已受理：{number}"),
        "body": gettext_lazy(
            "您申请的“{item}”（办件编号 {number}）已受理（{mode}），办结期限为 {deadline}。"
            "{tolerance}详情：{link}"
        ),
        "placeholders": {
            "mode": gettext_lazy("受理方式"),
            "deadline": gettext_lazy("办结期限"),
            "tolerated": gettext_lazy("容缺材料"),
            "tolerance_due_on": gettext_lazy("容缺补齐期限"),
            "tolerance": gettext_lazy("容缺说明（无容缺时为空）"),
        },
        "values": _accepted,
    },
    REFUSED: {
        "title": gettext_lazy("申请不予受理：{number}"),
        "body": gettext_lazy(
            "您申请的“{item}”（办件编号 {number}）不予受理。理由：{reason}。"
            "依据：{legal_basis}。{remedies}"
        ),
        "placeholders": {
            "reason": gettext_lazy("不予受理理由"),
            "legal_basis": gettext_lazy("法律依据"),
            "remedies": gettext_lazy("救济途径"),
        },
        "values": _refused,
    },
    SUSPENDED: {
        "title": gettext_lazy("办件暂停计时：{number}"),
        "body": gettext_lazy(
            "您申请的“{item}”（办件编号 {number}）进入特别程序（{procedure}），"
            "所需时间不计入办理期限。理由：{reason}。"
        ),
        "placeholders": {
            "procedure": gettext_lazy("特别程序类型"),
            "reason": gettext_lazy("理由"),
        },
        "values": _suspended,
    },
    RESUMED: {
        "title": gettext_lazy("办件恢复计时：{number}"),
        "body": gettext_lazy(
            "您申请的“{item}”（办件编号 {number}）特别程序已结束，恢复计时"
            "（不计时 {paused_days} 个工作日），办结期限为 {deadline}。"
        ),
        "placeholders": {
            "paused_days": gettext_lazy("不计时工作日数"),
            "deadline": gettext_lazy("新的办结期限"),
        },
        "values": _resumed,
    },
    EXTENDED: {
        "title": gettext_lazy("办理期限延长：{number}"),
        "body": gettext_lazy(
            "您申请的“{item}”（办件编号 {number}）办理期限延长 {days} 个工作日，"
            "理由：{reason}。新的办结期限为 {deadline}。"
        ),
        "placeholders": {
            "days": gettext_lazy("延长工作日数"),
            "reason": gettext_lazy("延长理由"),
            "deadline": gettext_lazy("新的办结期限"),
        },
        "values": _extended,
    },
    APPROVED: {
        "title": gettext_lazy("准予许可：{number}"),
        "body": gettext_lazy(
            "您申请的“{item}”（办件编号 {number}）已于 {decided_on} 作出准予许可的决定。"
            "详情：{link}"
        ),
        "placeholders": {"decided_on": gettext_lazy("决定日期")},
        "values": _approved,
    },
    DENIED: {
        "title": gettext_lazy("不予许可：{number}"),
        "body": gettext_lazy(
            "您申请的“{item}”（办件编号 {number}）已于 {decided_on} 作出不予许可的决定。"
            "理由：{reason}。{remedies}"
        ),
        "placeholders": {
            "decided_on": gettext_lazy("决定日期"),
            "reason": gettext_lazy("不予许可理由"),
            "remedies": gettext_lazy("救济途径"),
        },
        "values": _denied,
    },
    CERTIFICATE_ISSUED: {
        "title": gettext_lazy("电子证照已签发：{certificate}"),
        "body": gettext_lazy(
            "您申请的“{item}”（办件编号 {number}）的{certificate}已签发，证照标识 {identifier}。"
            "在我的证照中查看：{wallet_link}；核验：{verify_link}"
        ),
        "placeholders": {
            "certificate": gettext_lazy("证照名称"),
            "identifier": gettext_lazy("证照标识"),
            "wallet_link": gettext_lazy("我的证照地址"),
            "verify_link": gettext_lazy("核验页面地址"),
        },
        "values": _certificate,
    },
    READY: {
        "title": gettext_lazy("办理结果待领取：{number}"),
        "body": gettext_lazy(
            "您申请的“{item}”（办件编号 {number}）办理结果已出，请凭办件编号到窗口领取，"
            "或等待送达。详情：{link}"
        ),
        "placeholders": {},
        "values": _common,
    },
    DELIVERED: {
        "title": gettext_lazy("办理结果已送达：{number}"),
        "body": gettext_lazy(
            "您申请的“{item}”（办件编号 {number}）办理结果已于 {delivered_on} 送达，本办件已办结。"
        ),
        "placeholders": {"delivered_on": gettext_lazy("送达日期")},
        "values": _delivered,
    },
    SUPPLEMENT_DUE_SOON: {
        "title": gettext_lazy("容缺材料即将到期：{number}"),
        "body": gettext_lazy(
            "办件 {number} 容缺受理的材料（{materials}）请于 {due_on} 前补齐：{link}"
        ),
        "placeholders": {
            "materials": gettext_lazy("容缺材料"),
            "due_on": gettext_lazy("补齐期限"),
        },
        "values": _supplement,
    },
    SUPPLEMENT_OVERDUE: {
        "title": gettext_lazy("办件提醒：{number}"),
        "body": gettext_lazy(
            "办件 {number} 容缺受理的材料（{materials}）未在 {due_on} 前补齐，已记录逾期，"
            "请尽快补齐。"
        ),
        "placeholders": {
            "materials": gettext_lazy("容缺材料"),
            "due_on": gettext_lazy("补齐期限"),
        },
        "values": _supplement,
    },
}


def register() -> None:
    label = gettext_lazy("查看办件")
    for name, spec in KINDS.items():
        register_template_kind(
            name,
            title=spec["title"],
            body=spec["body"],
            placeholders={**COMMON_PLACEHOLDERS, **spec["placeholders"]},
            values=spec["values"],
            link_label=label,
        )
