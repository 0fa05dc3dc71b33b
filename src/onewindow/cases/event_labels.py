"""The audit actions of cases in words: the case page's timeline and, through
``core.registry.audit_labels`` (``cases/navigation.py``), the audit trail and home pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from onewindow.cases.constants import CaseEventAction

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
    CaseEventAction.MATERIAL_VIEWED: gettext_lazy("查看材料文件"),
    CaseEventAction.AGENT_RECORDED: gettext_lazy("经办人持授权委托书办理"),
    CaseEventAction.NOTICE_ISSUED: gettext_lazy("出具文书"),
    CaseEventAction.MATERIALS_PRE_REVIEWED: gettext_lazy("材料预审"),
    CaseEventAction.ISSUED_BEFORE_SUPPLEMENT: gettext_lazy("先出证后补：容缺材料补齐前准予"),
}
