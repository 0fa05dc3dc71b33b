"""Property: the vectorised evaluator agrees with the plain one on random facts and rules."""

from __future__ import annotations

import datetime as dt

import hypothesis.strategies as st
from django.utils import translation
from hypothesis import example, given, settings

from onewindow.policies.rules.evaluate import compile_item, evaluate, evaluate_naive
from onewindow.policies.rules.language import parse_amount, parse_condition
from onewindow.policies.rules.table import FactTable

ON = dt.date(2025, 3, 1)

money = st.decimals(min_value=-10, max_value=30000, places=4, allow_nan=False, allow_infinity=False)
ratio = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False)
days = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2026, 12, 31))
industry = st.sampled_from(["C3919", "C39", "3919", "I6513", "I65", "A0111", "c1311"])
qualification = st.fixed_dictionaries(
    {
        "code": st.sampled_from(["high_tech", "specialised", "tech_sme"]),
        "valid_from": st.none() | days,
        "valid_until": st.none() | days,
    }
)


def maybe(strategy):
    """Known four times in five: unknowns are common enough, and so are decided leaves."""
    return st.integers(0, 4).flatmap(lambda draw: st.none() if draw == 0 else strategy)


facts = st.fixed_dictionaries(
    {
        "employees": maybe(st.integers(min_value=0, max_value=2000)),
        "revenue": maybe(money | money.map(str)),
        "tax_paid": maybe(money.map(float)),
        "rd_share": maybe(ratio),
        "registered_on": maybe(days | days.map(dt.date.isoformat)),
        "industry_code": maybe(industry),
        "credit_status": maybe(st.sampled_from(["normal", "bad", "serious_bad"])),
        "tax_credit_grade": maybe(st.sampled_from(["A", "B", "M", "C", "D"])),
        "owns_core_ip": maybe(st.booleans()),
        "qualifications": maybe(st.lists(qualification, max_size=3)),
        "tags": maybe(st.lists(st.sampled_from(["总部企业", "独角兽", "上市"]), max_size=2)),
    }
)


def leaf_for(fact, op, value):
    return st.builds(
        lambda value, near: {
            "fact": fact,
            "op": op,
            "value": value,
            "clause": "第一条",
            "near": near,
        },
        value,
        st.sampled_from([True, True, True, False]),
    )


numeric_ops = st.sampled_from([">=", ">", "<=", "<", "=", "!="])
threshold = st.integers(min_value=0, max_value=30000).map(str)
leaves = st.one_of(
    numeric_ops.flatmap(lambda op: leaf_for("employees", op, st.integers(0, 2000))),
    numeric_ops.flatmap(lambda op: leaf_for("revenue", op, threshold)),
    numeric_ops.flatmap(lambda op: leaf_for("rd_share", op, ratio.map(str))),
    leaf_for(
        "tax_paid", "between", st.tuples(st.integers(0, 100), st.integers(100, 30000)).map(list)
    ),
    st.sampled_from(["on_or_before", "on_or_after"]).flatmap(
        lambda op: leaf_for("registered_on", op, days.map(dt.date.isoformat))
    ),
    leaf_for("registered_on", "years_before_at_least", st.integers(0, 6)),
    leaf_for(
        "industry_code",
        "starts_with",
        st.lists(st.sampled_from(["C", "C39", "C3919", "I", "I65"]), min_size=1, max_size=2),
    ),
    st.sampled_from(["=", "!="]).flatmap(
        lambda op: leaf_for("tax_credit_grade", op, st.sampled_from(["A", "B"]))
    ),
    leaf_for("credit_status", "not_in", st.just(["serious_bad"])),
    leaf_for("tax_credit_grade", "in", st.lists(st.sampled_from(["A", "B", "M"]), min_size=1)),
    leaf_for("owns_core_ip", "is", st.booleans()),
    leaf_for("qualifications", "holds", st.sampled_from(["high_tech", "specialised"])),
    leaf_for(
        "qualifications",
        "holds_any",
        st.lists(st.sampled_from(["high_tech", "tech_sme"]), min_size=1),
    ),
    leaf_for("tags", "has", st.sampled_from(["总部企业", "上市"])),
    leaf_for("tags", "has_any", st.lists(st.sampled_from(["独角兽", "上市"]), min_size=1)),
)
conditions = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=4).map(lambda nodes: {"all": nodes}),
        st.lists(children, min_size=1, max_size=4).map(lambda nodes: {"any": nodes}),
        children.map(lambda node: {"not": node}),
    ),
    max_leaves=10,
)
rates = st.decimals(min_value=0, max_value=2, places=2, allow_nan=False, allow_infinity=False)
amounts = st.one_of(
    st.just({"kind": "none"}),
    st.builds(lambda amount: {"kind": "fixed", "amount": str(amount)}, st.integers(0, 500)),
    st.builds(
        lambda of, rate, cap: {"kind": "rate", "of": of, "rate": str(rate), "cap": cap},
        st.sampled_from(["revenue", "tax_paid"]),
        rates,
        st.none() | st.integers(0, 1000).map(str),
    ),
    st.builds(
        lambda starts, ceiling: {
            "kind": "tiers",
            "of": "revenue",
            "tiers": [
                {"from": str(start), "amount": str(index * 10)}
                for index, start in enumerate(starts)
            ],
            "per_year_ceiling": ceiling,
        },
        st.lists(st.integers(0, 30000), min_size=1, max_size=4, unique=True).map(sorted),
        st.none() | st.integers(0, 50).map(str),
    ),
)


@settings(max_examples=400, deadline=None)
@example(
    condition={
        "all": [
            {"fact": "employees", "op": ">=", "value": 5, "clause": "第一条"},
            {"fact": "revenue", "op": ">=", "value": "5", "clause": "第二条"},
        ]
    },
    amount={"kind": "none"},
    rows=[{"employees": 1, "revenue": 1}],
    on=ON,
    near_limit=1,
)
@given(
    condition=conditions,
    amount=amounts,
    rows=st.lists(facts, min_size=1, max_size=8),
    on=st.sampled_from([ON, dt.date(2024, 2, 29), dt.date(2025, 12, 31)]),
    near_limit=st.integers(0, 3),
)
def test_vectorised_equals_naive(condition, amount, rows, on, near_limit):
    item = compile_item("item", parse_condition(condition), parse_amount(amount))
    with translation.override("zh-hans"):
        evaluation = evaluate([item], FactTable.from_rows(rows, on), near_limit=near_limit)
        arrays = evaluation.arrays("item")
        outcomes = arrays.outcomes()
        for row, facts_of_row in enumerate(rows):
            expected = evaluate_naive(item, facts_of_row, on, near_limit=near_limit)
            assert evaluation.result(row, "item") == expected
            # the batch reads the arrays alone: they must say the same
            assert outcomes[row] == expected.outcome
            assert [int(truths[row]) for truths in arrays.leaf_truths] == [
                {"true": 1, "false": 0, "unknown": -1}[reason.outcome]
                for reason in expected.reasons
            ]
            # one enterprise alone takes the scalar path: the same result and arrays
            alone = evaluate([item], FactTable.from_rows([facts_of_row], on), near_limit=near_limit)
            assert alone.result(0, "item") == expected
            assert alone.arrays("item").outcomes()[0] == expected.outcome
