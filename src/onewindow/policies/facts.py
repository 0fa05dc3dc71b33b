"""The enterprise facts a policy may ask about (一企一档 facts), in one catalogue.

The profile stores facts by these names (with their source and as-of date); the rule language
refers to them by the same names; the calculator's public form asks for them by their labels.
A fact's kind says how it is typed, stored, compared and shown:

- ``integer``: a count (people);
- ``money``: an amount in 万元 (ten thousand yuan), a ``Decimal`` in storage;
- ``ratio``: a share as a fraction (0.046 is 4.6 %), shown as a percentage;
- ``date``: a calendar day;
- ``industry``: a GB/T 4754-2017 code (门类 letter, or letter + 2/3/4 digits), compared by prefix;
- ``choice``: one of the fact's ``choices`` (a code);
- ``boolean``: yes or no;
- ``qualifications``: a list of held qualifications, each with a code, a certificate number and
  a validity span; a rule asks whether one is "held valid on a date";
- ``tags``: a set of free labels the zone gives (e.g. 总部企业).

A fact that is absent is *unknown*, never false or zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class FactKind(StrEnum):
    INTEGER = "integer"
    MONEY = "money"
    RATIO = "ratio"
    DATE = "date"
    INDUSTRY = "industry"
    CHOICE = "choice"
    BOOLEAN = "boolean"
    QUALIFICATIONS = "qualifications"
    TAGS = "tags"


#: Numeric kinds (compared with ≥, >, ≤, <, =, ≠ and spans).
NUMERIC_KINDS = frozenset({FactKind.INTEGER, FactKind.MONEY, FactKind.RATIO})


class SizeClass(StrEnum):
    """统计上大中小微型企业划分办法(2017): the derived size class."""

    LARGE = "large"
    MEDIUM = "medium"
    SMALL = "small"
    MICRO = "micro"


SIZE_CLASS_LABELS = {
    SizeClass.LARGE: _("大型"),
    SizeClass.MEDIUM: _("中型"),
    SizeClass.SMALL: _("小型"),
    SizeClass.MICRO: _("微型"),
}

#: 纳税信用等级 (国家税务总局公告2014年第48号 and 2018年第8号: A, B, M, C, D).
TAX_CREDIT_GRADES = ("A", "B", "M", "C", "D")


class CreditStatus(StrEnum):
    """The enterprise's credit standing (from the credit module once it exists)."""

    NORMAL = "normal"
    #: 失信 (listed for dishonesty, not serious).
    BAD = "bad"
    #: 严重失信主体名单 (serious: blocked where a policy says so).
    SERIOUS_BAD = "serious_bad"


CREDIT_STATUS_LABELS = {
    CreditStatus.NORMAL: _("正常"),
    CreditStatus.BAD: _("失信"),
    CreditStatus.SERIOUS_BAD: _("严重失信"),
}


class Qualification(StrEnum):
    """Qualifications a policy may require (资质认定)."""

    HIGH_TECH = "high_tech"  # 高新技术企业
    SPECIALISED = "specialised"  # 专精特新中小企业
    LITTLE_GIANT = "little_giant"  # 专精特新"小巨人"企业
    TECH_SME = "tech_sme"  # 科技型中小企业
    HEADQUARTERS = "headquarters"  # 总部企业


QUALIFICATION_LABELS = {
    Qualification.HIGH_TECH: _("高新技术企业"),
    Qualification.SPECIALISED: _("专精特新中小企业"),
    Qualification.LITTLE_GIANT: _("专精特新“小巨人”企业"),
    Qualification.TECH_SME: _("科技型中小企业"),
    Qualification.HEADQUARTERS: _("总部企业"),
}


@dataclass(frozen=True)
class Fact:
    name: str
    kind: FactKind
    label: object  # a lazy translation
    #: For ``choice`` facts: code → label.
    choices: tuple[tuple[str, object], ...] = ()
    #: Derived facts are computed from others (the size class); they may not be typed in.
    derived: bool = False
    #: Shown beside the value (万元, 人).
    unit: object = ""


FACTS: tuple[Fact, ...] = (
    Fact("registered_on", FactKind.DATE, _("成立日期")),
    Fact("park", FactKind.CHOICE, _("所在园区")),  # choices: the zone's park codes
    Fact("industry_code", FactKind.INDUSTRY, _("国民经济行业代码")),
    Fact("employees", FactKind.INTEGER, _("从业人员"), unit=_("人")),
    Fact("revenue", FactKind.MONEY, _("上年度营业收入"), unit=_("万元")),
    Fact("total_assets", FactKind.MONEY, _("资产总额"), unit=_("万元")),
    Fact(
        "size_class",
        FactKind.CHOICE,
        _("企业规模"),
        choices=tuple(SIZE_CLASS_LABELS.items()),
        derived=True,
    ),
    Fact("rd_expense", FactKind.MONEY, _("上年度研发费用"), unit=_("万元")),
    Fact("rd_share", FactKind.RATIO, _("上年度研发费用占营业收入比例")),
    Fact("rd_share_3y", FactKind.RATIO, _("近三年研发费用占营业收入比例")),
    Fact("rd_domestic_share", FactKind.RATIO, _("境内研发费用占研发费用总额比例")),
    Fact("tech_staff_share", FactKind.RATIO, _("科技人员占职工总数比例")),
    Fact("high_tech_income_share", FactKind.RATIO, _("高新技术产品（服务）收入占总收入比例")),
    Fact("owns_core_ip", FactKind.BOOLEAN, _("拥有核心自主知识产权")),
    Fact("tax_paid", FactKind.MONEY, _("上年度纳税总额"), unit=_("万元")),
    Fact("new_employees", FactKind.INTEGER, _("上年度新增就业人数"), unit=_("人")),
    Fact("fixed_asset_investment", FactKind.MONEY, _("上年度固定资产投资额"), unit=_("万元")),
    Fact(
        "tax_credit_grade",
        FactKind.CHOICE,
        _("纳税信用等级"),
        choices=tuple((grade, grade) for grade in TAX_CREDIT_GRADES),
    ),
    Fact(
        "credit_status",
        FactKind.CHOICE,
        _("信用状况"),
        choices=tuple(CREDIT_STATUS_LABELS.items()),
    ),
    Fact("qualifications", FactKind.QUALIFICATIONS, _("资质认定")),
    Fact("tags", FactKind.TAGS, _("标签")),
)

FACTS_BY_NAME: dict[str, Fact] = {fact.name: fact for fact in FACTS}


def fact(name: str) -> Fact:
    """The fact of that name; ``KeyError`` names it when there is none."""
    return FACTS_BY_NAME[name]
