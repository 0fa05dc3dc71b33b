"""The demo enterprises' profiles (一企一档 facts): hand-written for the named enterprises, and
generated (seeded, so every demo is the same) for the zone's many small ones.

Values are in the types the profile stores (facts.py): money in 万元 and ratios as decimal
strings, dates ISO, industry codes of GB/T 4754-2017.
"""

from __future__ import annotations

import random
from decimal import Decimal

#: The number of generated enterprises (beyond the named ones) the demo gives profiles to.
GENERATED = 120


def qualification(code: str, number: str, valid_from: str, valid_until: str) -> dict:
    return {"code": code, "number": number, "valid_from": valid_from, "valid_until": valid_until}


#: The demo login's own enterprise: eligible for the 高新 award (免申即享), a near miss on the
#: R&D subsidy (4.6 % < 5 %), unknown on the jobs subsidy (no 新增就业 declared), and eligible
#: for the 技改 subsidy (快申快享).
DEMO_ENTERPRISE = {
    "registered_on": "2015-06-18",
    "park": "P01",
    "industry_code": "C3919",
    "employees": 180,
    "revenue": "8600",
    "total_assets": "15200",
    "rd_expense": "395.6",
    "rd_share": "0.046",
    "rd_share_3y": "0.051",
    "rd_domestic_share": "0.92",
    "tech_staff_share": "0.21",
    "high_tech_income_share": "0.68",
    "owns_core_ip": True,
    "tax_paid": "612",
    "fixed_asset_investment": "1200",
    "tax_credit_grade": "A",
    "credit_status": "normal",
    "qualifications": [
        qualification("high_tech", "GR202532000123", "2025-11-20", "2028-11-19"),
    ],
}

# name → (industry, employees, revenue, assets, R&D, extra facts)
NAMED = {
    "恒达精密机械有限公司": ("C3484", 420, "26000", "31000", "1180", {"new_employees": 36}),
    "开元生物医药科技有限公司": (
        "C2720",
        260,
        "9800",
        "18800",
        "1370",
        {
            "qualifications": [
                qualification("high_tech", "GR202432000456", "2024-12-06", "2027-12-05")
            ]
        },
    ),
    "锦程国际物流有限公司": ("G5990", 150, "12600", "9800", "0", {"new_employees": 12}),
    "新桥餐饮管理有限公司": ("H6210", 60, "1800", "600", "0", {"new_employees": 8}),
    "瑞丰食品有限公司": ("C1391", 95, "4300", "3500", "40", {}),
    "华泰建设工程有限公司": ("E4710", 640, "88000", "65000", "260", {}),
    "蓝海跨境电子商务有限公司": ("F5292", 35, "6200", "1900", "0", {"new_employees": 21}),
    "启明软件技术有限公司": (
        "I6513",
        85,
        "5400",
        "3100",
        "702",
        {
            "qualifications": [
                qualification("tech_sme", "202632010400123", "2026-04-10", "2026-12-31"),
                qualification("specialised", "ZJTX2025-0312", "2025-09-01", "2028-08-31"),
            ],
            "new_employees": 18,
        },
    ),
    "安泰化工贸易有限公司": ("F5162", 22, "15000", "4200", "0", {"credit_status": "serious_bad"}),
    "康宁医疗器械有限公司": (
        "C3581",
        310,
        "21000",
        "25000",
        "1050",
        {
            "qualifications": [
                qualification("little_giant", "XJR2024-0088", "2024-07-01", "2027-06-30")
            ]
        },
    ),
    "江源环保科技有限公司": ("N7724", 48, "2300", "2600", "126", {}),
    "远航供应链管理有限公司": ("G5990", 18, "3900", "800", "0", {}),
    "金穗农产品加工有限公司": ("C1311", 130, "7600", "5200", "30", {"new_employees": 55}),
    "博雅人力资源服务有限公司": ("L7262", 9, "420", "150", "0", {}),
    "鼎盛房地产开发有限公司": ("K7010", 120, "150000", "420000", "0", {}),
    "晨光新材料有限公司": ("C2651", 230, "16500", "22000", "760", {}),
    "天成汽车零部件有限公司": ("C3670", 880, "52000", "47000", "1830", {}),
    "绿洲酒店管理有限公司": ("H6110", 140, "5200", "12000", "0", {}),
    "汇通进出口有限公司": ("F5191", 16, "9800", "2100", "0", {}),
    "慧眼智能装备有限公司": ("C3491", 190, "11200", "9300", "690", {}),
    "明德口腔诊所有限公司": ("Q8424", 28, "900", "700", "0", {}),
    "佳禾连锁药房有限公司": ("F5251", 75, "3600", "1200", "0", {}),
    "海纳电子科技有限公司": ("C3972", 560, "43000", "38000", "1720", {}),
    "润泽水务工程有限公司": ("E4822", 70, "5100", "4800", "0", {}),
    "凯旋烟花爆竹销售有限公司": ("F5239", 6, "240", "180", "0", {}),
    "星辰文化传媒有限公司": ("R8710", 14, "760", "300", "0", {}),
    "众创孵化器管理有限公司": ("M7540", 12, "380", "5200", "0", {}),
    "泰和检测技术有限公司": ("M7452", 110, "6300", "7400", "410", {}),
    "益民社区医院有限公司": ("Q8412", 85, "2700", "3300", "0", {}),
    "宏图建筑设计有限公司": ("M7484", 66, "3800", "2200", "95", {}),
}

PARK_BY_PLACE = {"高新技术产业园": "P01", "综合保税区": "P02", "现代物流园": "P03"}

#: Industries the generated enterprises are drawn from (code, weight).
GENERATED_INDUSTRIES = [
    ("C3311", 8),
    ("C3521", 6),
    ("C3984", 6),
    ("C2929", 4),
    ("C1469", 3),
    ("I6513", 8),
    ("I6421", 3),
    ("I6550", 3),
    ("F5179", 6),
    ("F5261", 5),
    ("G5438", 4),
    ("G5990", 3),
    ("H6210", 5),
    ("L7212", 4),
    ("M7320", 5),
    ("M7451", 3),
    ("E4890", 3),
    ("K7020", 1),
    ("R8624", 2),
    ("N7723", 2),
]


def _money(value: float) -> str:
    return str(Decimal(str(round(value, 1))))


def named_profile(name: str, place: str, index: int) -> dict:
    """The profile of one of the named demo enterprises (case_data.ENTERPRISES)."""
    industry, employees, revenue, assets, rd, extra = NAMED[name]
    facts: dict = {
        "registered_on": f"{2008 + index % 15}-{1 + index % 12:02d}-{1 + index % 27:02d}",
        "industry_code": industry,
        "employees": employees,
        "revenue": revenue,
        "total_assets": assets,
        "rd_expense": rd,
        "tax_credit_grade": "ABBMAB"[index % 6],
        "credit_status": "normal",
    }
    park = PARK_BY_PLACE.get(place)
    if park:
        facts["park"] = park
    if Decimal(revenue) > 0:
        share = (Decimal(rd) / Decimal(revenue)).quantize(Decimal("0.0001"))
        facts["rd_share"] = str(share)
    facts["fixed_asset_investment"] = _money(float(assets) * 0.04)
    facts.update(extra)
    return facts


def generated_profiles(count: int = GENERATED, *, seed: int = 2026) -> list[dict]:
    """``count`` plausible small-zone profiles (most small and micro, a few large), some with
    facts missing, as a zone's data really is."""
    rng = random.Random(seed)
    codes = [code for code, weight in GENERATED_INDUSTRIES for _ in range(weight)]
    profiles = []
    for index in range(count):
        industry = rng.choice(codes)
        employees = int(rng.lognormvariate(3.3, 1.1)) + 1
        revenue = max(20.0, employees * rng.uniform(20, 90))
        assets = revenue * rng.uniform(0.4, 1.6)
        facts: dict = {
            "registered_on": f"{rng.randint(2003, 2025)}-{rng.randint(1, 12):02d}-"
            f"{rng.randint(1, 28):02d}",
            "park": rng.choice(["P01", "P01", "P02", "P03"]),
            "industry_code": industry,
            "employees": employees,
            "revenue": _money(revenue),
            "total_assets": _money(assets),
            "credit_status": "serious_bad" if rng.random() < 0.01 else "normal",
        }
        if industry.startswith(("C", "I", "M")) and rng.random() < 0.7:
            rd = revenue * rng.uniform(0.005, 0.09)
            facts["rd_expense"] = _money(rd)
            facts["rd_share"] = str(
                (Decimal(str(rd)) / Decimal(str(revenue))).quantize(Decimal("0.0001"))
            )
            if rng.random() < 0.25:
                facts["qualifications"] = [
                    qualification("tech_sme", f"2026320104{index:05d}", "2026-04-01", "2026-12-31")
                ]
        if rng.random() < 0.8:
            facts["tax_credit_grade"] = rng.choice("AABBBMC")
        if rng.random() < 0.6:
            facts["new_employees"] = int(employees * rng.uniform(0, 0.4))
        if industry.startswith("C") and rng.random() < 0.5:
            facts["fixed_asset_investment"] = _money(assets * rng.uniform(0.02, 0.3))
        profiles.append(facts)
    return profiles
