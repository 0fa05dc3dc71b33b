"""The demo zone's support policies and its enterprises' profiles, as data.

Every policy here is illustrative (示例): real-shaped (文号, issuer, clauses, amounts as such
policies put them) but made up, and marked so on every page. The conditions and amounts are in
the rule language of ``policies.rules.language``; every leaf names its clause.
"""

from __future__ import annotations

import datetime as dt

# -- leaves used by several items ------------------------------------------------------------


def leaf(fact: str, op: str, value, clause: str) -> dict:
    return {"fact": fact, "op": op, "value": value, "clause": clause}


def no_serious_bad_credit(clause: str) -> dict:
    return leaf("credit_status", "not_in", ["serious_bad"], clause)


def registered_a_year(clause: str) -> dict:
    return leaf("registered_on", "years_before_at_least", 1, clause)


# 高新技术企业认定管理办法 第十一条 (国科发火〔2016〕32号): R&D share over 3 years by revenue.
HIGH_TECH_RD_SHARE = {
    "any": [
        {
            "all": [
                leaf("revenue", "<=", "5000", "第十一条(四)1"),
                leaf("rd_share_3y", ">=", "0.05", "第十一条(四)1"),
            ]
        },
        {
            "all": [
                leaf("revenue", "between", ["5000", "20000"], "第十一条(四)2"),
                leaf("rd_share_3y", ">=", "0.04", "第十一条(四)2"),
            ]
        },
        {
            "all": [
                leaf("revenue", ">", "20000", "第十一条(四)3"),
                leaf("rd_share_3y", ">=", "0.03", "第十一条(四)3"),
            ]
        },
    ]
}

# (key, department code, title, 文号, issuer, level, effective from, interpretation, summary)
POLICIES = [
    (
        "tech",
        "KJJ",
        "示范经济技术开发区关于促进科技创新的若干政策（示例）",
        "示经开发〔2026〕3号",
        "示范经济技术开发区管理委员会",
        "zone",
        dt.date(2026, 1, 1),
        "https://www.example.gov.cn/zcjd/2026-3",
        "支持企业加大研发投入、申报高新技术企业，培育科技型中小企业。",
    ),
    (
        "sme",
        "KJJ",
        "示范经济技术开发区支持专精特新中小企业高质量发展的实施办法（示例）",
        "示经开发〔2026〕7号",
        "示范经济技术开发区管理委员会",
        "zone",
        dt.date(2026, 3, 1),
        "",
        "对获得专精特新认定的企业给予奖励，对园区内小微企业给予房租补贴。",
    ),
    (
        "jobs",
        "RSJ",
        "示范经济技术开发区稳就业促发展若干措施（示例）",
        "示经开人社〔2026〕12号",
        "示范经济技术开发区人力资源和社会保障局",
        "zone",
        dt.date(2026, 2, 1),
        "",
        "对吸纳就业的企业给予一次性补贴，对纳税信用良好的企业给予稳岗支持。",
    ),
    (
        "tax",
        "SWJ",
        "小型微利企业所得税优惠政策（示例）",
        "财税〔2026〕示例1号",
        "财政部 税务总局（示例）",
        "national",
        dt.date(2026, 1, 1),
        "https://www.example.gov.cn/zcjd/xwqy",
        "符合条件的小型微利企业减按规定比例计入应纳税所得额。",
    ),
    (
        "industry",
        "KJJ",
        "示范经济技术开发区推动制造业和软件产业高质量发展若干政策（示例）",
        "示经开发〔2026〕15号",
        "示范经济技术开发区管理委员会",
        "zone",
        dt.date(2026, 4, 1),
        "",
        "支持工业企业技术改造、软件企业做大做强、总部企业落户和纳税贡献突出企业。",
    ),
]

# Items: (code, policy key, name, kind, way, beneficiary, condition, amount, amount words,
#         extra fields)
ITEMS = [
    (
        "ZC-KJ-01",
        "tech",
        "高新技术企业认定奖励（示例）",
        "award",
        "automatic",
        "首次通过高新技术企业认定的区内企业",
        {
            "all": [
                leaf("qualifications", "holds", "high_tech", "第三条"),
                no_serious_bad_credit("第十八条"),
            ]
        },
        {"kind": "fixed", "amount": "30"},
        "一次性奖励30万元",
        {"budget": "600", "time_limit_days": 30},
    ),
    (
        "ZC-KJ-02",
        "tech",
        "企业研发投入后补助（示例）",
        "award",
        "automatic",
        "上年度研发投入达到规定比例和规模的区内企业",
        {
            "all": [
                leaf("rd_share", ">=", "0.05", "第四条(一)"),
                leaf("rd_expense", ">=", "100", "第四条(二)"),
                no_serious_bad_credit("第十八条"),
            ]
        },
        {"kind": "rate", "of": "rd_expense", "rate": "0.1", "cap": "200"},
        "按上年度研发费用的10%给予补助，最高200万元",
        {"budget": "2000", "requires_publicity": True, "time_limit_days": 60},
    ),
    (
        "ZC-KJ-03",
        "tech",
        "科技型中小企业研发费用补贴（示例）",
        "award",
        "fast",
        "入库的科技型中小企业",
        {
            "all": [
                leaf("qualifications", "holds", "tech_sme", "第五条"),
                leaf("size_class", "in", ["medium", "small", "micro"], "第五条"),
                leaf("rd_expense", ">", "0", "第五条"),
                no_serious_bad_credit("第十八条"),
            ]
        },
        {"kind": "rate", "of": "rd_expense", "rate": "0.05", "cap": "50"},
        "按上年度研发费用的5%给予补贴，最高50万元；与研发投入后补助不可同时享受",
        {"excludes": ["ZC-KJ-02"], "time_limit_days": 60},
    ),
    (
        "ZC-KJ-04",
        "tech",
        "高新技术企业培育库入库（示例）",
        "qualification",
        "on_application",
        "拟申报高新技术企业的区内企业",
        {
            "all": [
                registered_a_year("第十一条(一)"),
                leaf("owns_core_ip", "is", True, "第十一条(二)"),
                leaf("tech_staff_share", ">=", "0.10", "第十一条(三)"),
                HIGH_TECH_RD_SHARE,
                leaf("rd_domestic_share", ">=", "0.6", "第十一条(四)"),
                leaf("high_tech_income_share", ">=", "0.6", "第十一条(五)"),
                {"not": leaf("qualifications", "holds", "high_tech", "第六条")},
            ]
        },
        {"kind": "none"},
        "纳入培育库，给予申报辅导",
        {"time_limit_days": 20},
    ),
    (
        "ZC-ZX-01",
        "sme",
        "专精特新中小企业认定奖励（示例）",
        "award",
        "automatic",
        "获得省级专精特新中小企业认定的企业",
        {
            "all": [
                leaf("qualifications", "holds", "specialised", "第四条"),
                no_serious_bad_credit("第十二条"),
            ]
        },
        {"kind": "fixed", "amount": "20"},
        "一次性奖励20万元；与“小巨人”奖励不可同时享受，就高",
        {"excludes": ["ZC-ZX-02"]},
    ),
    (
        "ZC-ZX-02",
        "sme",
        "专精特新“小巨人”企业奖励（示例）",
        "award",
        "automatic",
        "获得国家级专精特新“小巨人”认定的企业",
        {
            "all": [
                leaf("qualifications", "holds", "little_giant", "第五条"),
                no_serious_bad_credit("第十二条"),
            ]
        },
        {"kind": "fixed", "amount": "50"},
        "一次性奖励50万元",
        {"excludes": ["ZC-ZX-01"]},
    ),
    (
        "ZC-ZX-03",
        "sme",
        "园区小微企业房租补贴（示例）",
        "relief",
        "automatic",
        "租用高新技术产业园、综合保税区载体的小微企业",
        {
            "all": [
                leaf("size_class", "in", ["small", "micro"], "第八条"),
                leaf("park", "in", ["P01", "P02"], "第八条"),
                no_serious_bad_credit("第十二条"),
            ]
        },
        {
            "kind": "tiers",
            "of": "employees",
            "tiers": [
                {"from": "0", "amount": "3"},
                {"from": "20", "amount": "5"},
                {"from": "50", "amount": "8"},
            ],
        },
        "按从业人员规模给予每年3万至8万元房租补贴",
        {"budget": "200"},
    ),
    (
        "ZC-RS-01",
        "jobs",
        "吸纳就业一次性补贴（示例）",
        "award",
        "automatic",
        "上年度新增吸纳就业的区内企业",
        {
            "all": [
                leaf("new_employees", ">=", 5, "第三条"),
                no_serious_bad_credit("第九条"),
            ]
        },
        {
            "kind": "tiers",
            "of": "new_employees",
            "tiers": [
                {"from": "5", "amount": "2"},
                {"from": "20", "amount": "6"},
                {"from": "50", "amount": "12"},
            ],
        },
        "新增就业5人以上补贴2万元，20人以上6万元，50人以上12万元",
        {"budget": "300", "requires_publicity": True},
    ),
    (
        "ZC-RS-02",
        "jobs",
        "纳税信用良好企业稳岗支持（示例）",
        "entitlement",
        "automatic",
        "纳税信用A级、B级且从业人员10人以上的企业",
        {
            "all": [
                leaf("tax_credit_grade", "in", ["A", "B"], "第五条"),
                leaf("employees", ">=", 10, "第五条"),
                no_serious_bad_credit("第九条"),
            ]
        },
        {"kind": "none"},
        "优先推荐参加招聘活动、享受社保经办绿色通道",
        {},
    ),
    (
        "ZC-SW-01",
        "tax",
        "小型微利企业所得税优惠（示例）",
        "relief",
        "automatic",
        "从事国家非限制和禁止行业的小型微利企业",
        {
            "all": [
                leaf("employees", "<=", 300, "第二条"),
                leaf("total_assets", "<=", "5000", "第二条"),
                leaf("size_class", "in", ["small", "micro"], "第二条"),
            ]
        },
        {"kind": "none"},
        "应纳税所得额减按25%计入，按20%税率缴纳",
        {},
    ),
    (
        "ZC-CY-01",
        "industry",
        "工业企业技术改造补助（示例）",
        "award",
        "fast",
        "上年度完成技术改造投资的区内工业企业",
        {
            "all": [
                leaf("industry_code", "starts_with", ["B", "C", "D"], "第三条"),
                leaf("fixed_asset_investment", ">=", "500", "第三条"),
                no_serious_bad_credit("第二十条"),
            ]
        },
        {"kind": "rate", "of": "fixed_asset_investment", "rate": "0.08", "cap": "300"},
        "按技术改造设备投资额的8%给予补助，最高300万元",
        {"budget": "1500", "time_limit_days": 60},
    ),
    (
        "ZC-CY-02",
        "industry",
        "软件和信息技术服务企业成长奖励（示例）",
        "award",
        "automatic",
        "营业收入首次达到规模的软件和信息技术服务企业",
        {
            "all": [
                leaf("industry_code", "starts_with", ["I64", "I65"], "第六条"),
                leaf("revenue", ">=", "1000", "第六条"),
                leaf("tax_credit_grade", "in", ["A", "B"], "第六条"),
                no_serious_bad_credit("第二十条"),
            ]
        },
        {
            "kind": "tiers",
            "of": "revenue",
            "tiers": [
                {"from": "1000", "amount": "10"},
                {"from": "5000", "amount": "30"},
                {"from": "10000", "amount": "50"},
            ],
        },
        "营业收入1000万元以上奖励10万元，5000万元以上30万元，1亿元以上50万元",
        {"budget": "500"},
    ),
    (
        "ZC-CY-03",
        "industry",
        "总部企业落户奖励（示例）",
        "award",
        "on_application",
        "经认定的总部企业",
        {
            "all": [
                leaf("qualifications", "holds", "headquarters", "第十条"),
                leaf("revenue", ">=", "50000", "第十条"),
                no_serious_bad_credit("第二十条"),
            ]
        },
        {
            "kind": "tiers",
            "of": "revenue",
            "tiers": [{"from": "50000", "amount": "200"}, {"from": "200000", "amount": "500"}],
        },
        "营业收入5亿元以上奖励200万元，20亿元以上500万元",
        {"time_limit_days": 60},
    ),
]
