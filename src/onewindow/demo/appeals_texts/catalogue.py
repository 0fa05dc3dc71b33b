"""The demo appeals' category tree, its dispatch catalogue (派单目录), where a
department sends back an order that is not theirs, and the zone's rule text."""

from __future__ import annotations

#: The zone's rule text (AppealSettings.legal_basis and every AppealTimeLimit row).
LEGAL_BASIS = (
    "《示范经济技术开发区企业诉求办理办法》（演示数据）；"
    "参照《上海市优化营商环境条例》第四十九条（一般诉求5个工作日、疑难诉求15个工作日）"
)

#: (code, name, parent code): the roots, then the leaves orders are filed under.
CATEGORIES = [
    ("01", "营商环境", None),
    ("0101", "企业开办", "01"),
    ("0102", "企业注销", "01"),
    ("0103", "涉企检查", "01"),
    ("02", "工程建设", None),
    ("0201", "工程建设审批", "02"),
    ("0202", "竣工验收与市政报装", "02"),
    ("0203", "工程款与农民工工资", "02"),
    ("03", "税费", None),
    ("0301", "税收优惠", "03"),
    ("0302", "发票与纳税申报", "03"),
    ("0303", "涉企收费", "03"),
    ("04", "社保与用工", None),
    ("0401", "社会保险", "04"),
    ("0402", "劳动关系", "04"),
    ("0403", "人才服务", "04"),
    ("05", "知识产权", None),
    ("0501", "商标与专利", "05"),
    ("0502", "知识产权保护", "05"),
    ("06", "环境保护", None),
    ("0601", "环评与排污许可", "06"),
    ("0602", "环境污染", "06"),
    ("07", "政策兑现", None),
    ("0701", "科技创新政策", "07"),
    ("0702", "稳岗就业补贴", "07"),
    ("0703", "资金兑付进度", "07"),
]

#: 派单目录: leaf → (lead department code, co-department codes).
DISPATCH = {
    "0101": ("SCJG", ("SWJ",)),
    "0102": ("SCJG", ("SWJ",)),
    "0103": ("SCJG", ()),
    "0201": ("ZJJ", ()),
    "0202": ("ZJJ", ()),
    "0203": ("RSJ", ("ZJJ",)),
    "0301": ("SWJ", ()),
    "0302": ("SWJ", ()),
    "0303": ("SCJG", ("SWJ",)),
    "0401": ("RSJ", ()),
    "0402": ("RSJ", ()),
    "0403": ("RSJ", ("KJJ",)),
    "0501": ("SCJG", ()),
    "0502": ("SCJG", ()),
    "0601": ("STHJ", ()),
    "0602": ("STHJ", ("ZJJ",)),
    "0701": ("KJJ", ("SWJ",)),
    "0702": ("RSJ", ()),
    "0703": ("KJJ", ()),
}

#: Where a department sends back an order that is not theirs (the centre then re-dispatches
#: or designates): lead code → the department it names instead.
MISROUTED = {
    "SCJG": "SWJ",
    "ZJJ": "STHJ",
    "RSJ": "KJJ",
    "SWJ": "SCJG",
    "STHJ": "ZJJ",
    "KJJ": "RSJ",
}
