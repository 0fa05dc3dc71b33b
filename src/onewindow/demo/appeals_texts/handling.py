"""The words of the demo appeals' handling: orders not accepted or transferred as
emergencies, the staff's notes and reasons at each move, and the callers' names."""

from __future__ import annotations

from onewindow.appeals.constants import EmergencyService, RedirectChannel

NOT_ACCEPTED = [
    (
        "0303",
        RedirectChannel.LITIGATION,
        "合作方拒不支付货款",
        "{company}为一家外地企业供货后，对方拖欠货款八十余万元，多次催要无果，请政府出面追讨。",
        "属于民事合同纠纷，已告知可向人民法院提起诉讼，或申请人民调解。",
    ),
    (
        "0402",
        RedirectChannel.ARBITRATION,
        "与离职员工的经济补偿争议",
        "{company}与一名离职员工就经济补偿金额协商不成，员工多次到公司吵闹，请政府裁决。",
        "属于劳动争议，已告知向劳动人事争议仲裁委员会申请仲裁。",
    ),
    (
        "0201",
        RedirectChannel.PETITION,
        "对多年前的征地补偿标准有异议",
        "来电人对十年前厂房用地的征收补偿标准有异议，要求重新核定补偿。",
        "已告知按《信访工作条例》向有权处理的机关提出信访事项。",
    ),
    (
        "0103",
        RedirectChannel.DISCIPLINE,
        "反映审批人员违规收受企业礼品",
        "来电人反映某审批部门工作人员在办理业务时收受企业礼品。",
        "涉及公职人员违纪违法问题，已告知向纪检监察机关反映。",
    ),
    (
        "0103",
        RedirectChannel.ADMINISTRATIVE_REVIEW,
        "对行政处罚决定不服",
        "{company}对市场监管部门作出的行政处罚决定不服，要求撤销处罚。",
        "已告知可在收到处罚决定书之日起60日内申请行政复议，或6个月内提起行政诉讼。",
    ),
    (
        "0601",
        RedirectChannel.DISCLOSURE,
        "申请公开某项目环评报告全本",
        "来电人要求查阅园区某化工项目环评报告全本和专家评审意见。",
        "已告知通过政府信息公开申请渠道向生态环境分局提出申请。",
    ),
    (
        "0602",
        RedirectChannel.REPEAT,
        "再次反映已办结的扬尘问题",
        "来电人再次反映上月已办结的创新路扬尘问题，未提供新的情况。",
        "该问题已办结并回访，无新情况的重复诉求不再受理，已告知办理结果。",
    ),
]

#: Emergencies transferred at once (no clock): (leaf, service, subject, description).
EMERGENCIES = [
    (
        "0103",
        EmergencyService.FIRE,
        "园区仓库冒烟起火",
        "来电人称现代物流园一仓库冒出浓烟，疑似起火。",
    ),
    (
        "0402",
        EmergencyService.AMBULANCE,
        "车间工人受伤需要急救",
        "来电人称车间一名工人被设备夹伤手臂，流血不止。",
    ),
    (
        "0103",
        EmergencyService.POLICE,
        "有人在公司门口聚集闹事",
        "来电人称十余人在公司门口聚集、阻挡车辆进出，情绪激动。",
    ),
    (
        "0602",
        EmergencyService.TRAFFIC,
        "园区路口发生交通事故",
        "来电人称示范大道与创新路路口两车相撞，道路堵塞。",
    ),
]

#: Why a department sends an order back, why it asks for more time, how the centre answers.
RETURN_REASONS = [
    "经核实，该诉求涉及事项不属于本部门职责，建议改派{department}办理。",
    "诉求内容主要涉及{department}的审批事项，本部门无法答复，申请退回。",
]
LATE_RETURN_REASONS = ["经进一步核实，该诉求主要涉及{department}职责，申请退回。"]
DESIGNATION_NOTES = [
    "经中心研判，诉求事项由本部门牵头办理，指定承办，不得再次退回。",
    "经协调会商，该诉求由原部门承办、相关部门协助，指定承办。",
]
EXTENSION_REASONS = [
    "需现场核查并协调多个单位，申请延长办理期限。",
    "涉及历史遗留问题，需调取档案核实，申请延期。",
    "需等待第三方检测结果，申请延长办理期限。",
]
EXTENSION_APPROVALS = ["同意延期，请在延长期限内办结并及时答复诉求人。"]
EXTENSION_REFUSALS = [
    "诉求事项不复杂，不同意延期，请按原期限办结。",
    "延期理由不充分，请按原期限答复诉求人。",
]
REPLY_REJECTIONS = ["答复内容未回应诉求人的具体问题，请补充办理结果后重新答复。"]
PART_REPLIES = [
    "本部门已配合核实，相关情况已反馈主办部门。",
    "经本部门核查，无不同意见，请主办部门统一答复。",
]
VISIT_NOTES = {
    "good": ["诉求人对办理结果满意。", "问题已解决，诉求人表示感谢。", ""],
    "bad": [
        "诉求人表示问题没有实际解决，要求继续办理。",
        "诉求人对答复不满意，认为部门推诿。",
    ],
}
CENTRE_CLOSING = [
    "多次电话回访无人接听，答复已送达，中心办结。",
    "匿名诉求无法回访，答复已在办理结果中公开，中心办结。",
]
SUPERVISION_NOTES = {
    "overdue": "诉求已超过办理期限，请立即办理并反馈。",
    "reopened_twice": "该诉求已两次重办，挂牌督办，请主要负责人牵头办理。",
    "bad_visit": "回访不满意，请重新核实办理并反馈。",
    "manual": "超期时间较长，约谈部门负责人，请说明原因并限期办结。",
}
SUPERVISION_RESPONSES = [
    "已安排专人办理，将于两个工作日内答复诉求人。",
    "已重新核实，办理情况已答复诉求人。",
]

#: Hotline callers who give only a name and a phone.
CALLER_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
CALLER_GIVEN = ["先生", "女士", "经理", "会计", "主任"]
