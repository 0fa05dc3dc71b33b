"""Vectorised evaluation: every op, unknown vs false, Kleene logic, near misses, reasons,
amounts, exclusions and the result hash; each case checked against the plain evaluator too."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from django.utils import translation

from onewindow.policies.rules.evaluate import (
    apply_exclusions,
    compile_item,
    evaluate,
    evaluate_naive,
    result_hash,
)
from onewindow.policies.rules.language import parse_amount, parse_condition
from onewindow.policies.rules.table import FactTable

ON = dt.date(2025, 6, 30)
NONE = {"kind": "none"}


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def item(condition, amount=NONE, key="item", excludes=()):
    return compile_item(key, parse_condition(condition), parse_amount(amount), excludes)


def results(compiled, rows, on=ON):
    """Every row's result, checked equal to the plain evaluator's."""
    evaluation = evaluate([compiled], FactTable.from_rows(rows, on))
    found = [evaluation.result(row, compiled.key) for row in range(len(rows))]
    assert found == [evaluate_naive(compiled, row, on) for row in rows]
    return found


def outcomes(condition, rows, on=ON):
    return [result.outcome for result in results(item(condition), rows, on)]


def leaf(fact, op, value, clause="第一条", **extra):
    return {"fact": fact, "op": op, "value": value, "clause": clause, **extra}


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        (">=", 100, ["eligible", "eligible", "near", "unknown"]),
        (">", 100, ["eligible", "near", "near", "unknown"]),
        ("<=", 100, ["near", "eligible", "eligible", "unknown"]),
        ("<", 100, ["near", "near", "eligible", "unknown"]),
        ("=", 100, ["near", "eligible", "near", "unknown"]),
        ("!=", 100, ["eligible", "near", "eligible", "unknown"]),
        ("between", [99, 100], ["near", "eligible", "eligible", "unknown"]),
    ],
)
def test_numeric_ops(op, value, expected):
    rows = [{"employees": 101}, {"employees": 100}, {"employees": 99}, {}]
    assert outcomes(leaf("employees", op, value), rows) == expected


def test_money_and_ratio_compare_as_decimals_whatever_their_spelling():
    rows = [{"revenue": Decimal("5000.00")}, {"revenue": "5000"}, {"revenue": 4999.99}]
    assert outcomes(leaf("revenue", "<=", "5000"), rows) == ["eligible", "eligible", "eligible"]
    assert outcomes(leaf("revenue", ">=", "5000"), rows) == ["eligible", "eligible", "near"]
    rows = [{"rd_share": Decimal("0.05")}, {"rd_share": "0.0499"}]
    assert outcomes(leaf("rd_share", ">=", "0.05"), rows) == ["eligible", "near"]


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("on_or_before", "2024-06-30", ["eligible", "eligible", "near", "unknown"]),
        ("on_or_after", "2024-06-30", ["near", "eligible", "eligible", "unknown"]),
        ("between", ["2024-06-30", "2024-07-01"], ["near", "eligible", "eligible", "unknown"]),
        ("years_before_at_least", 1, ["eligible", "eligible", "near", "unknown"]),
    ],
)
def test_date_ops(op, value, expected):
    rows = [
        {"registered_on": "2024-06-29"},
        {"registered_on": dt.date(2024, 6, 30)},
        {"registered_on": "2024-07-01"},
        {"registered_on": None},
    ]
    assert outcomes(leaf("registered_on", op, value), rows) == expected


def test_years_before_counts_whole_years_across_29_february():
    condition = leaf("registered_on", "years_before_at_least", 1)
    rows = [{"registered_on": "2024-02-29"}, {"registered_on": "2024-02-28"}]
    assert outcomes(condition, rows, on=dt.date(2025, 2, 28)) == ["near", "eligible"]
    assert outcomes(condition, rows, on=dt.date(2025, 3, 1)) == ["eligible", "eligible"]
    rows = [{"registered_on": "2023-02-28"}, {"registered_on": "2023-03-01"}]
    assert outcomes(condition, rows, on=dt.date(2024, 2, 29)) == ["eligible", "near"]


def test_industry_prefix_by_section_division_group_and_class():
    rows = [
        {"industry_code": "C3919"},
        {"industry_code": "I6513"},
        {"industry_code": "3919"},
        {"industry_code": "c39"},
        {},
    ]
    assert outcomes(leaf("industry_code", "starts_with", ["C"]), rows) == [
        "eligible",
        "near",
        "eligible",
        "eligible",
        "unknown",
    ]
    assert outcomes(leaf("industry_code", "starts_with", ["C391", "I65"]), rows) == [
        "eligible",
        "eligible",
        "eligible",
        "near",
        "unknown",
    ]


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("=", "A", ["eligible", "near", "unknown"]),
        ("!=", "A", ["near", "eligible", "unknown"]),
        ("in", ["A", "B"], ["eligible", "eligible", "unknown"]),
        ("not_in", ["B", "M"], ["eligible", "near", "unknown"]),
    ],
)
def test_choice_ops(op, value, expected):
    rows = [{"tax_credit_grade": "A"}, {"tax_credit_grade": "B"}, {}]
    assert outcomes(leaf("tax_credit_grade", op, value), rows) == expected


def test_boolean_is():
    rows = [{"owns_core_ip": True}, {"owns_core_ip": False}, {}]
    assert outcomes(leaf("owns_core_ip", "is", True), rows) == ["eligible", "near", "unknown"]
    assert outcomes(leaf("owns_core_ip", "is", False), rows) == ["near", "eligible", "unknown"]


def high_tech(valid_from, valid_until):
    return {
        "code": "high_tech",
        "number": "GR2023",
        "valid_from": valid_from,
        "valid_until": valid_until,
    }


def test_a_qualification_counts_only_when_valid_on_the_evaluation_date():
    rows = [
        {"qualifications": [high_tech("2022-07-01", "2025-06-30")]},  # last day
        {"qualifications": [high_tech("2022-06-30", "2025-06-29")]},  # expired the day before
        {"qualifications": [high_tech("2025-07-01", "2028-06-30")]},  # not yet
        {"qualifications": [{"code": "high_tech", "number": "x"}]},  # open-ended
        {"qualifications": []},  # known: none held
        {},  # unknown
    ]
    assert outcomes(leaf("qualifications", "holds", "high_tech"), rows) == [
        "eligible",
        "near",
        "near",
        "eligible",
        "near",
        "unknown",
    ]
    rows = [
        {"qualifications": [{"code": "specialised"}]},
        {"qualifications": [{"code": "tech_sme"}]},
    ]
    assert outcomes(leaf("qualifications", "holds_any", ["specialised", "high_tech"]), rows) == [
        "eligible",
        "near",
    ]


def test_tags():
    rows = [{"tags": ["总部企业"]}, {"tags": []}, {}]
    assert outcomes(leaf("tags", "has", "总部企业"), rows) == ["eligible", "near", "unknown"]
    assert outcomes(leaf("tags", "has_any", ["独角兽", "总部企业"]), rows) == [
        "eligible",
        "near",
        "unknown",
    ]


# Kleene logic: T, F, U for employees 10 / 0 / missing against ">= 5".
T, F, U = {"employees": 10}, {"employees": 0}, {}


def pair(first, second):
    return {**{"employees": first.get("employees")}, "revenue": second.get("employees")}


def truth_of(node, first, second):
    condition = {
        node: [leaf("employees", ">=", 5, near=False), leaf("revenue", ">=", 5, near=False)]
    }
    (result,) = results(item(condition), [pair(first, second)])
    return {"eligible": "T", "ineligible": "F", "unknown": "U"}[result.outcome]


@pytest.mark.parametrize(
    ("first", "second", "all_", "any_"),
    [
        (T, T, "T", "T"),
        (T, F, "F", "T"),
        (T, U, "U", "T"),
        (F, F, "F", "F"),
        (F, U, "F", "U"),
        (U, U, "U", "U"),
        (U, F, "F", "U"),
    ],
)
def test_kleene_logic(first, second, all_, any_):
    assert truth_of("all", first, second) == all_
    assert truth_of("any", first, second) == any_


def test_not_swaps_true_and_false_and_keeps_unknown():
    condition = {"not": leaf("employees", ">=", 5)}
    assert outcomes(condition, [T, F, U]) == ["near", "eligible", "unknown"]


def test_unknown_is_never_shown_as_ineligible():
    condition = {
        "all": [leaf("revenue", ">=", 100, "第二条"), leaf("rd_expense", ">=", 10, "第三条")]
    }
    (result,) = results(item(condition), [{"revenue": 200}])
    assert result.outcome == "unknown"
    assert [reason.text for reason in result.missing] == ["未知：缺少上年度研发费用（第三条）"]


def test_near_is_at_most_two_fixable_leaves_with_no_unknown_needed():
    three = {
        "all": [
            leaf("employees", ">=", 10, "第一条"),
            leaf("revenue", ">=", 100, "第二条"),
            leaf("owns_core_ip", "is", True, "第三条"),
        ]
    }
    rows = [
        {"employees": 10, "revenue": 100, "owns_core_ip": False},  # one to fix
        {"employees": 9, "revenue": 99, "owns_core_ip": True},  # two
        {"employees": 9, "revenue": 99, "owns_core_ip": False},  # three: too many
        {"employees": 9, "owns_core_ip": True},  # false, but an unknown is needed
    ]
    found = results(item(three), rows)
    assert [result.outcome for result in found] == ["near", "near", "ineligible", "ineligible"]
    assert [reason.clause for reason in found[1].missing] == ["第一条", "第二条"]
    # any: the cheapest branch counts, even beside an unknown one
    either = {
        "all": [
            {"any": [leaf("revenue", ">=", 100), leaf("employees", ">=", 10, "第二条")]},
            leaf("owns_core_ip", "is", True, "第三条"),
        ]
    }
    (result,) = results(item(either), [{"employees": 9, "owns_core_ip": False}])
    assert result.outcome == "near"
    assert [reason.clause for reason in result.missing] == ["第二条", "第三条"]


def test_a_serious_bad_credit_enterprise_is_blocked_and_not_a_near_miss():
    condition = {
        "all": [
            leaf("revenue", ">=", 100, "第二条"),
            leaf("credit_status", "not_in", ["serious_bad"], "第十条", near=False),
        ]
    }
    rows = [
        {"revenue": 500, "credit_status": "serious_bad"},
        {"revenue": 500, "credit_status": "bad"},
        {"revenue": 500, "credit_status": "normal"},
        {"revenue": 500},
    ]
    found = results(item(condition), rows)
    assert [result.outcome for result in found] == ["ineligible", "eligible", "eligible", "unknown"]
    assert found[0].reasons[1].text == "信用状况为严重失信，不得为严重失信（第十条）"


HIGH_TECH = {
    "all": [
        leaf("registered_on", "years_before_at_least", 1, "第十一条(一)"),
        leaf("qualifications", "holds", "high_tech", "第三条", near=True),
        {
            "any": [
                {
                    "all": [
                        leaf("revenue", "<=", 5000, "第十一条(四)1"),
                        leaf("rd_share_3y", ">=", "0.05", "第十一条(四)1"),
                    ]
                },
                {
                    "all": [
                        leaf("revenue", ">", 5000, "第十一条(四)2"),
                        leaf("revenue", "<=", 20000, "第十一条(四)2"),
                        leaf("rd_share_3y", ">=", "0.04", "第十一条(四)2"),
                    ]
                },
                {
                    "all": [
                        leaf("revenue", ">", 20000, "第十一条(四)3"),
                        leaf("rd_share_3y", ">=", "0.03", "第十一条(四)3"),
                    ]
                },
            ]
        },
        leaf("rd_domestic_share", ">=", "0.6", "第十一条(四)"),
    ]
}


@pytest.mark.parametrize(
    ("revenue", "share", "expected"),
    [
        ("5000", "0.05", "eligible"),
        ("5000", "0.0499", "near"),
        ("5000.01", "0.04", "eligible"),
        ("5000.01", "0.0399", "near"),
        ("20000", "0.04", "eligible"),
        ("20000", "0.035", "near"),
        ("20000.01", "0.03", "eligible"),
        ("20000.01", "0.0299", "near"),
        ("100", None, "unknown"),
    ],
)
def test_high_tech_rd_share_thresholds_by_revenue_band(revenue, share, expected):
    row = {
        "registered_on": "2020-01-01",
        "qualifications": [high_tech("2024-01-01", "2026-12-31")],
        "revenue": revenue,
        "rd_share_3y": share,
        "rd_domestic_share": "0.6",
    }
    (result,) = results(item(HIGH_TECH), [row])
    assert result.outcome == expected


def test_high_tech_needs_sixty_percent_of_rd_spent_in_china():
    row = {
        "registered_on": "2020-01-01",
        "qualifications": [high_tech("2024-01-01", "2026-12-31")],
        "revenue": "3000",
        "rd_share_3y": "0.08",
        "rd_domestic_share": "0.59",
    }
    (result,) = results(item(HIGH_TECH), [row])
    assert result.outcome == "near"
    assert [reason.text for reason in result.missing] == [
        "境内研发费用占研发费用总额比例 59% < 60%（第十一条(四)）"
    ]


def test_reasons_speak_the_policy_words():
    condition = {
        "all": [
            leaf("rd_share", ">=", "0.05", "第十一条(四)"),
            leaf("qualifications", "holds", "high_tech", "第三条"),
            leaf("revenue", ">=", "1000", "第五条", label="营业收入"),
        ]
    }
    (result,) = results(
        item(condition), [{"rd_share": "0.046", "qualifications": [], "revenue": "1500"}]
    )
    assert [reason.text for reason in result.reasons] == [
        "上年度研发费用占营业收入比例 4.6% < 5%（第十一条(四)）",
        "需取得高新技术企业认定（第三条）",
        "营业收入 1500万元 ≥ 1000万元（第五条）",
    ]
    assert [reason.outcome for reason in result.reasons] == ["false", "false", "true"]


YES = leaf("employees", ">=", 0)


@pytest.mark.parametrize(
    ("amount", "facts", "expected"),
    [
        ({"kind": "fixed", "amount": "50"}, {}, Decimal(50)),
        ({"kind": "fixed", "amount": "50", "per_year_ceiling": "30"}, {}, Decimal(30)),
        (
            {"kind": "rate", "of": "fixed_asset_investment", "rate": "0.1", "cap": "200"},
            {"fixed_asset_investment": "1234.56"},
            Decimal("123.456"),
        ),
        (
            {"kind": "rate", "of": "fixed_asset_investment", "rate": "0.1", "cap": "200"},
            {"fixed_asset_investment": "5000"},
            Decimal(200),
        ),
        (
            {"kind": "rate", "of": "fixed_asset_investment", "rate": "0.1"},
            {"fixed_asset_investment": "-5"},
            Decimal(0),
        ),
        (
            {
                "kind": "tiers",
                "of": "tax_paid",
                "tiers": [{"from": "100", "amount": "10"}, {"from": "5000", "amount": "30"}],
            },
            {"tax_paid": "99"},
            Decimal(0),
        ),
        (
            {
                "kind": "tiers",
                "of": "tax_paid",
                "tiers": [{"from": "100", "amount": "10"}, {"from": "5000", "amount": "30"}],
            },
            {"tax_paid": "100"},
            Decimal(10),
        ),
        (
            {
                "kind": "tiers",
                "of": "tax_paid",
                "tiers": [{"from": "100", "amount": "10"}, {"from": "5000", "amount": "30"}],
            },
            {"tax_paid": "5000"},
            Decimal(30),
        ),
        (
            {
                "kind": "tiers",
                "of": "tax_paid",
                "tiers": [{"from": "100", "amount": "10"}, {"from": "5000", "amount": "30"}],
                "cap": "25",
            },
            {"tax_paid": "9000"},
            Decimal(25),
        ),
        ({"kind": "rate", "of": "fixed_asset_investment", "rate": "0.1"}, {}, None),
        ({"kind": "none"}, {}, None),
    ],
)
def test_amounts(amount, facts, expected):
    (result,) = results(item(YES, amount), [{"employees": 1, **facts}])
    assert result.amount == expected
    assert result.amount_known == (expected is not None or amount["kind"] == "none")


def test_exclusions_propose_only_the_larger_amount():
    small = item(YES, {"kind": "fixed", "amount": "20"}, key="small", excludes=["large"])
    large = item(YES, {"kind": "fixed", "amount": "50"}, key="large")
    other = item(YES, {"kind": "fixed", "amount": "5"}, key="other")
    unmet = item(
        leaf("employees", ">=", 100),
        {"kind": "fixed", "amount": "90"},
        key="unmet",
        excludes=["large"],
    )
    evaluation = evaluate([small, large, other, unmet], FactTable.from_rows([{"employees": 1}], ON))
    found = evaluation.results(0)
    assert found["large"].excluded_by is None
    assert found["small"].excluded_by == "large"
    assert found["small"].reasons[-1].text == "与“large”不可同时享受，只推荐金额较大的“large”"
    assert found["other"].excluded_by is None
    assert found["unmet"].excluded_by is None  # not eligible: nothing to exclude
    # the same through the function, with the exclusion named on the other side
    again = apply_exclusions(
        {key: evaluation.result(0, key) for key in ("small", "large")}, {"large": ["small"]}
    )
    assert again["small"].excluded_by == "large"


def test_outcome_arrays_for_the_batch():
    compiled = item(leaf("employees", ">=", 5))
    evaluation = evaluate([compiled], FactTable.from_rows([T, F, U], ON))
    arrays = evaluation.arrays("item")
    assert arrays.truth.tolist() == [1, 0, -1]
    assert arrays.outcomes().tolist() == ["eligible", "near", "unknown"]
    assert np.array_equal(arrays.leaf_truths[0], arrays.truth)


CONTENT = {
    "condition": {
        "all": [leaf("revenue", ">=", 100), leaf("qualifications", "holds", "high_tech")]
    },
    "amount": {"kind": "rate", "of": "tax_paid", "rate": "0.1"},
}
FACTS = {
    "revenue": Decimal("150.0"),
    "qualifications": [high_tech("2024-01-01", "2026-12-31")],
    "tax_paid": "20",
    "employees": 5,
}


def test_the_hash_is_stable_for_the_same_inputs():
    first = result_hash(FACTS, "P-1@3", CONTENT, ON)
    same = dict(FACTS, revenue="150", employees=999)  # same value spelt otherwise; a fact not read
    assert result_hash(same, "P-1@3", CONTENT, ON) == first
    assert len(first) == 64


@pytest.mark.parametrize(
    "change",
    [
        {"revenue": "151"},
        {"revenue": None},
        {"qualifications": [high_tech("2024-01-01", "2027-12-31")]},
        {"tax_paid": "21"},
    ],
)
def test_the_hash_changes_with_any_fact_read(change):
    assert result_hash({**FACTS, **change}, "P-1@3", CONTENT, ON) != result_hash(
        FACTS, "P-1@3", CONTENT, ON
    )


def test_the_hash_changes_with_the_version_the_content_and_the_date():
    first = result_hash(FACTS, "P-1@3", CONTENT, ON)
    assert result_hash(FACTS, "P-1@4", CONTENT, ON) != first
    changed = {**CONTENT, "amount": {"kind": "rate", "of": "tax_paid", "rate": "0.2"}}
    assert result_hash(FACTS, "P-1@3", changed, ON) != first
    assert result_hash(FACTS, "P-1@3", CONTENT, ON + dt.timedelta(days=1)) != first
