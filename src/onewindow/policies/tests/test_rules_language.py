"""The rule language: parsing, validation errors naming the clause, the facts a rule reads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from onewindow.policies.rules.language import (
    All,
    AnyOf,
    Fixed,
    Leaf,
    NoAmount,
    Not,
    Rate,
    RuleError,
    Tiers,
    amount_facts,
    condition_facts,
    normalise_industry_code,
    parse_amount,
    parse_condition,
)


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def leaf(fact, op, value, clause="第一条"):
    return {"fact": fact, "op": op, "value": value, "clause": clause}


def test_a_tree_parses_into_typed_nodes():
    condition = parse_condition(
        {
            "all": [
                leaf("rd_share", ">=", "0.05"),
                {
                    "any": [
                        leaf("employees", "between", [10, "100"]),
                        {"not": leaf("owns_core_ip", "is", True)},
                    ]
                },
            ]
        }
    )
    assert isinstance(condition, All)
    first, second = condition.children
    assert first == Leaf("rd_share", ">=", Decimal("0.05"), "第一条", path="all[0]")
    assert isinstance(second, AnyOf)
    assert second.children[0].value == (Decimal(10), Decimal(100))
    assert isinstance(second.children[1], Not)
    assert second.children[1].child.path == "all[1].any[1].not"


@pytest.mark.parametrize(
    ("fact", "op", "value", "expected"),
    [
        ("revenue", "<", "5,000", Decimal(5000)),
        ("revenue", "!=", "１２", Decimal(12)),
        ("registered_on", "on_or_before", "2024-01-01", dt.date(2024, 1, 1)),
        (
            "registered_on",
            "between",
            ["2020-01-01", dt.date(2021, 1, 1)],
            (dt.date(2020, 1, 1), dt.date(2021, 1, 1)),
        ),
        ("registered_on", "years_before_at_least", 1, 1),
        ("industry_code", "starts_with", ["c39", "I65", "3919"], ("C39", "I65", "C3919")),
        ("credit_status", "not_in", ["serious_bad"], frozenset({"serious_bad"})),
        ("tax_credit_grade", "=", "A", "A"),
        ("park", "in", ["SIP-1", "SIP-2"], frozenset({"SIP-1", "SIP-2"})),
        ("owns_core_ip", "is", False, False),
        ("qualifications", "holds", "high_tech", "high_tech"),
        ("qualifications", "holds_any", ["high_tech", "specialised"], ("high_tech", "specialised")),
        ("tags", "has", "总部企业", "总部企业"),
        ("tags", "has_any", ["总部企业", "独角兽"], ("总部企业", "独角兽")),
    ],
)
def test_every_kind_takes_its_ops_and_normalises_the_value(fact, op, value, expected):
    assert parse_condition(leaf(fact, op, value)).value == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            leaf("rd_share", "starts_with", ["C"], "第十一条(四)"),
            "第十一条(四)：位置 根：“上年度研发费用占营业收入比例”不能用“starts_with”比较",
        ),
        (leaf("turnover", ">=", 1, "第二条"), "第二条：位置 根：没有名为“turnover”的企业信息项"),
        (
            {"all": [leaf("revenue", ">=", "many", "第三条")]},
            "第三条：位置 all[0]：“上年度营业收入”须为数值",
        ),
        (
            {"all": [leaf("employees", ">=", "1.5", "第三条")]},
            "第三条：位置 all[0]：“从业人员”须为整数",
        ),
        ({"any": []}, "位置 根：“any”须为非空的条件列表"),
        ({"all": [{"all": []}]}, "位置 all[0]：“all”须为非空的条件列表"),
        (
            {"all": [{"fact": "revenue", "op": ">=", "value": 1}]},
            "位置 all[0]：每个比较条件须注明条款出处（clause）",
        ),
        (
            leaf("revenue", "between", [5, 1], "第四条"),
            "第四条：位置 根：“上年度营业收入”的区间下限大于上限",
        ),
        (
            leaf("registered_on", "on_or_after", "2024-13-01", "第五条"),
            "第五条：位置 根：“成立日期”须为日期（年-月-日）",
        ),
        (
            leaf("industry_code", "starts_with", ["C3"], "第六条"),
            "第六条：位置 根：“C3”不是国民经济行业代码（门类字母，或字母加2至4位数字）",
        ),
        (
            leaf("industry_code", "starts_with", [], "第六条"),
            "第六条：位置 根：“国民经济行业代码”须为非空列表",
        ),
        (
            leaf("credit_status", "=", "awful", "第七条"),
            "第七条：位置 根：“信用状况”没有“awful”这一项",
        ),
        (
            leaf("owns_core_ip", "is", "yes", "第八条"),
            "第八条：位置 根：“拥有核心自主知识产权”须为 true 或 false",
        ),
        (
            {"fact": "revenue", "op": ">=", "clause": "第九条"},
            "第九条：位置 根：“上年度营业收入”的比较缺少值（value）",
        ),
        (
            {"all": [leaf("revenue", ">=", 1)], "any": [leaf("revenue", ">=", 1)]},
            "位置 根：一个条件只能是 all、any、not 或比较之一",
        ),
        ("revenue >= 1", "位置 根：条件须为对象（all、any、not 或比较）"),
        (leaf("revenue", "==", 1, "第十条"), "第十条：位置 根：“上年度营业收入”不能用“==”比较"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_clause_and_the_node(data, message):
    with pytest.raises(RuleError) as raised:
        parse_condition(data)
    assert str(raised.value) == message


def test_text_is_never_evaluated():
    with pytest.raises(RuleError):
        parse_condition(leaf("revenue", ">=", "__import__('os').system('true')"))


def test_amount_rules_parse():
    assert parse_amount({"kind": "fixed", "amount": 50}) == Fixed(Decimal(50))
    assert parse_amount({"kind": "rate", "of": "revenue", "rate": "0.1", "cap": "200"}) == Rate(
        "revenue", Decimal("0.1"), Decimal(200)
    )
    tiers = parse_amount(
        {
            "kind": "tiers",
            "of": "tax_paid",
            "tiers": [{"from": "0", "amount": "10"}, {"from": "5000", "amount": "30"}],
            "per_year_ceiling": "25",
        }
    )
    assert isinstance(tiers, Tiers)
    assert [tier.start for tier in tiers.tiers] == [0, 5000]
    assert tiers.per_year_ceiling == 25
    assert parse_amount({"kind": "none"}) == NoAmount()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "bonus"}, "金额：金额规则的类型须为 fixed、rate、tiers 或 none"),
        ({"kind": "fixed", "amount": "lots"}, "金额：“amount”须为数值"),
        ({"kind": "fixed", "amount": "-1"}, "金额：“amount”不能为负"),
        (
            {"kind": "rate", "of": "industry_code", "rate": "0.1"},
            "金额：金额规则的“of”须为数值类企业信息项，而不是“industry_code”",
        ),
        ({"kind": "tiers", "of": "revenue", "tiers": []}, "金额：“tiers”须为非空列表"),
        (
            {
                "kind": "tiers",
                "of": "revenue",
                "tiers": [{"from": 5, "amount": 1}, {"from": 5, "amount": 2}],
            },
            "金额：档位须按“from”从小到大排列且不重复",
        ),
        ({"kind": "rate", "of": "revenue", "rate": "0.1", "cap": "-5"}, "金额：“cap”不能为负"),
    ],
)
def test_a_bad_amount_rule_is_refused(data, message):
    with pytest.raises(RuleError) as raised:
        parse_amount(data)
    assert str(raised.value).replace("位置 ", "") == message


def test_the_facts_a_rule_reads():
    condition = parse_condition(
        {
            "all": [
                leaf("revenue", ">=", 1),
                {"not": leaf("tags", "has", "x")},
                leaf("revenue", "<", 9),
            ]
        }
    )
    assert condition_facts(condition) == {"revenue", "tags"}
    assert amount_facts(parse_amount({"kind": "rate", "of": "tax_paid", "rate": 1})) == {"tax_paid"}
    assert amount_facts(parse_amount({"kind": "fixed", "amount": 1})) == set()


@pytest.mark.parametrize(
    ("code", "normalised"),
    [
        ("c3919", "C3919"),
        ("Ｃ３９１９", "C3919"),
        ("3919", "C3919"),
        ("6513", "I6513"),
        (" I65 ", "I65"),
    ],
)
def test_industry_codes_are_normalised(code, normalised):
    assert normalise_industry_code(code) == normalised
