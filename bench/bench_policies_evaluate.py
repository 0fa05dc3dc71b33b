"""Benchmark: evaluating policy items over a zone's enterprises (issue 17, "Measure").

Run with ``PYTHONPATH=src .venv/bin/python bench/bench_policies_evaluate.py`` (pure: no
database). Synthetic, realistic-shaped data from a fixed seed: enterprises with the profile's
facts (sizes, industries under GB/T 4754-2017, R&D shares, qualifications with validity spans,
credit, tags; about 8 % of each fact unknown) and policy items of 3–8 leaves of mixed kinds
(thresholds drawn from round figures, as policies write them; a credit block in most items;
fixed, rate-with-cap, tier and no-money amount rules).

It times, in one run:

* 10,000 enterprises × 200 items: building the ``FactTable`` and ``evaluate`` (truths, near
  misses, amounts and each leaf's truth: every reason can be read without evaluating again),
  then reading 1,000 results with their words; next to the plain per-enterprise,
  per-condition loop (``evaluate_naive`` without words) over 500 enterprises × 200 items,
  scaled ×20, and a check that both agree on those;
* 160,000 × 500 in chunks of 20,000 enterprises (a table and an evaluation per chunk, as the
  免申即享 batch runs), counting eligible and near per item;
* one enterprise × 1,000 items, 59 times, as the calculator service calls the engine (a one-row
  table, every result with exclusions and its result hash): reading every reason's words, and
  only those of the results shown (not ineligible); beside the plain evaluator. Wall and CPU
  time (the CPU time is the fairer figure on a shared, loaded machine).

Targets: 10k × 200 ≤ 2 s with the table; 160k × 500 < 60 s; one × 1,000 well under 50 ms.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src"))

from environment import machine

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings_test")

import django

django.setup()

import numpy as np  # noqa: E402
from django.utils import translation  # noqa: E402

from onewindow.policies.rules.evaluate import (  # noqa: E402
    compile_item,
    evaluate,
    evaluate_naive,
    result_hash,
)
from onewindow.policies.rules.language import parse_amount, parse_condition  # noqa: E402
from onewindow.policies.rules.table import FactTable  # noqa: E402

ON = dt.date(2025, 6, 30)
SEED = 17
#: Enterprises the plain loop runs over (all 200 items each); its time is scaled to 10,000.
PLAIN = 500
SCALE = 10_000 / PLAIN
INDUSTRIES = [
    "C3919",
    "C3911",
    "C2710",
    "C3562",
    "I6513",
    "I6511",
    "I6550",
    "M7320",
    "F5191",
    "L7212",
    "C1311",
    "G5810",
]
PARKS = ["SIP-CBD", "SIP-BIOBAY", "SIP-NANO", "SIP-EAST"]


def enterprise(rng: random.Random) -> dict:
    size = rng.random()
    employees = int(rng.lognormvariate(3.5, 1.2))
    revenue = round(rng.lognormvariate(7.0, 1.6), 2)
    rd_share = round(min(0.4, rng.betavariate(2, 30)), 4)
    facts = {
        "registered_on": ON - dt.timedelta(days=rng.randint(30, 9000)),
        "park": rng.choice(PARKS),
        "industry_code": rng.choice(INDUSTRIES),
        "employees": employees,
        "revenue": str(revenue),
        "total_assets": str(round(revenue * rng.uniform(0.5, 3), 2)),
        "size_class": "micro"
        if size < 0.6
        else "small"
        if size < 0.85
        else "medium"
        if size < 0.97
        else "large",
        "rd_expense": str(round(revenue * rd_share, 2)),
        "rd_share": str(rd_share),
        "rd_share_3y": str(round(rd_share * rng.uniform(0.8, 1.2), 4)),
        "rd_domestic_share": str(round(rng.uniform(0.4, 1), 4)),
        "tech_staff_share": str(round(rng.uniform(0, 0.6), 4)),
        "high_tech_income_share": str(round(rng.uniform(0, 0.9), 4)),
        "owns_core_ip": rng.random() < 0.4,
        "tax_paid": str(round(revenue * rng.uniform(0.01, 0.08), 2)),
        "new_employees": rng.randint(0, 50),
        "fixed_asset_investment": str(round(revenue * rng.uniform(0, 0.5), 2)),
        "tax_credit_grade": rng.choices("ABMCD", weights=[30, 45, 15, 7, 3])[0],
        "credit_status": rng.choices(["normal", "bad", "serious_bad"], weights=[95, 4, 1])[0],
        "qualifications": [
            {
                "code": code,
                "number": f"GR{rng.randint(10**6, 10**7)}",
                "valid_from": (
                    start := ON - dt.timedelta(days=rng.randint(-100, 1500))
                ).isoformat(),
                "valid_until": (start + dt.timedelta(days=3 * 365)).isoformat(),
            }
            for code in ("high_tech", "specialised", "tech_sme")
            if rng.random() < 0.2
        ],
        "tags": [tag for tag in ("总部企业", "上市", "独角兽") if rng.random() < 0.05],
    }
    for name in list(facts):
        if rng.random() < 0.08:
            del facts[name]
    return facts


def leaf(rng: random.Random, clause: str) -> dict:
    pick = rng.randrange(12)
    if pick == 0:
        return {
            "fact": "employees",
            "op": rng.choice([">=", "<="]),
            "value": rng.choice([10, 20, 50, 100, 300, 1000]),
        }
    if pick == 1:
        return {
            "fact": "revenue",
            "op": rng.choice([">=", "<=", ">"]),
            "value": rng.choice(["300", "1000", "2000", "5000", "20000"]),
        }
    if pick == 2:
        return {
            "fact": "rd_share",
            "op": ">=",
            "value": rng.choice(["0.03", "0.04", "0.05", "0.06"]),
        }
    if pick == 3:
        return {
            "fact": "registered_on",
            "op": "years_before_at_least",
            "value": rng.choice([1, 2, 3]),
        }
    if pick == 4:
        return {
            "fact": "industry_code",
            "op": "starts_with",
            "value": rng.sample(["C", "I65", "M73", "C39", "I"], 2),
        }
    if pick == 5:
        return {
            "fact": "qualifications",
            "op": "holds",
            "value": rng.choice(["high_tech", "specialised", "tech_sme"]),
        }
    if pick == 6:
        return {
            "fact": "tax_credit_grade",
            "op": "in",
            "value": rng.choice([["A"], ["A", "B"], ["A", "B", "M"]]),
        }
    if pick == 7:
        return {"fact": "owns_core_ip", "op": "is", "value": True}
    if pick == 8:
        return {"fact": "tech_staff_share", "op": ">=", "value": rng.choice(["0.1", "0.2", "0.3"])}
    if pick == 9:
        return {"fact": "park", "op": "in", "value": rng.sample(PARKS, 2)}
    if pick == 10:
        return {
            "fact": "tax_paid",
            "op": "between",
            "value": [rng.choice(["10", "50", "100"]), rng.choice(["500", "1000"])],
        }
    return {"fact": "tags", "op": "has_any", "value": ["总部企业", "上市"]}


def item_data(rng: random.Random, number: int) -> tuple[dict, dict]:
    count = rng.randint(3, 8)
    nodes = [dict(leaf(rng, ""), clause=f"第{index + 1}条") for index in range(count)]
    if rng.random() < 0.8:
        nodes[-1] = {
            "fact": "credit_status",
            "op": "not_in",
            "value": ["serious_bad"],
            "clause": "第九条",
            "near": False,
        }
    if count >= 5 and rng.random() < 0.5:  # an alternative: any of two
        nodes = [*nodes[:-3], {"any": nodes[-3:-1]}, nodes[-1]]
    condition = {"all": nodes}
    amount = rng.choice(
        [
            {"kind": "fixed", "amount": rng.choice(["10", "20", "50", "100"])},
            {"kind": "rate", "of": "rd_expense", "rate": "0.1", "cap": "200"},
            {
                "kind": "rate",
                "of": "fixed_asset_investment",
                "rate": "0.05",
                "cap": "500",
                "per_year_ceiling": "300",
            },
            {
                "kind": "tiers",
                "of": "tax_paid",
                "tiers": [
                    {"from": "50", "amount": "10"},
                    {"from": "200", "amount": "30"},
                    {"from": "1000", "amount": "80"},
                ],
            },
            {"kind": "none"},
        ]
    )
    return condition, amount


def items(rng: random.Random, count: int, *, with_content: bool = False):
    compiled, contents = [], []
    for number in range(count):
        condition, amount = item_data(rng, number)
        compiled.append(
            compile_item(f"P{number:04d}@1", parse_condition(condition), parse_amount(amount))
        )
        contents.append({"condition": condition, "amount": amount})
    return (compiled, contents) if with_content else compiled


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


def main() -> None:
    rng = random.Random(SEED)
    print("machine:", machine(), "load average:", os.getloadavg())
    with translation.override("zh-hans"):
        rows = [enterprise(rng) for _ in range(10_000)]
        catalogue = items(rng, 200)
        leaves = sum(len(item.leaves) for item in catalogue)
        print(f"10,000 × 200 items ({leaves} leaves)")
        start = time.perf_counter()
        table = FactTable.from_rows(rows, ON)
        built = time.perf_counter() - start
        evaluation = evaluate(catalogue, table)
        total = time.perf_counter() - start
        counts = {word: 0 for word in ("eligible", "near", "ineligible", "unknown")}
        for arrays in evaluation.items:
            words, numbers = np.unique(arrays.outcomes(), return_counts=True)
            for word, number in zip(words, numbers, strict=True):
                counts[str(word)] += int(number)
        print(f"  table {built:.3f} s; table + evaluate {total:.3f} s; outcomes {counts}")
        start = time.perf_counter()
        sample = [(row, index) for row in range(0, 10_000, 100) for index in range(0, 200, 20)]
        for row, index in sample:
            for reason in evaluation.result(row, index).reasons:
                _ = reason.text  # the words are built when read
        read = time.perf_counter() - start
        print(f"  reading {len(sample)} results with their words: {read:.3f} s")

        start = time.perf_counter()
        naive = [
            [evaluate_naive(item, rows[row], ON, texts=False) for item in catalogue]
            for row in range(1_000)
        ]
        plain = time.perf_counter() - start
        print(
            f"  plain loop {PLAIN:,} × 200: {plain:.2f} s → 10,000 × 200 ≈ {plain * SCALE:.1f} s;"
            f" ratio ≈ {plain * SCALE / total:.0f}×"
        )
        for row in range(PLAIN):
            for index, result in enumerate(naive[row]):
                assert evaluation.arrays(index).outcomes()[row] == result.outcome, (row, index)
        print(f"  the plain loop and the vectorised evaluation agree on those {PLAIN * 200:,}")

        catalogue = items(rng, 500)
        print(
            f"160,000 × 500 items ({sum(len(item.leaves) for item in catalogue)} leaves),"
            " chunks of 20,000"
        )
        chunks = [[enterprise(rng) for _ in range(20_000)] for _ in range(8)]
        eligible = np.zeros(500, dtype=np.int64)
        start = time.perf_counter()
        for chunk in chunks:
            evaluation = evaluate(catalogue, FactTable.from_rows(chunk, ON))
            for index, arrays in enumerate(evaluation.items):
                eligible[index] += int((arrays.truth == 1).sum())
        batch = time.perf_counter() - start
        print(f"  {batch:.1f} s; eligible matches {int(eligible.sum())}")

        catalogue, contents = items(rng, 1_000, with_content=True)
        one = [enterprise(rng) for _ in range(60)]

        def calculator(facts: dict, words: str) -> None:
            """As the calculator service calls the engine: one row, every item's result with
            exclusions, its result hash, and the reasons' words (all, or those shown)."""
            results = evaluate(catalogue, FactTable.from_rows([facts], ON)).results(0)
            for item, content in zip(catalogue, contents, strict=True):
                result = results[item.key]
                if words == "all" or result.outcome != "ineligible":
                    for reason in result.reasons:
                        _ = reason.text
                result_hash(facts, item.key, content, ON)

        def plain_all(facts: dict) -> None:
            for item in catalogue:
                for reason in evaluate_naive(item, facts, ON).reasons:
                    _ = reason.text

        calculator(one[0], "all")  # compiles the words and keeps the contents, as a warm process
        timings: dict[str, tuple[list[float], list[float]]] = {}
        for name, run in (
            ("engine, every reason's words read", lambda facts: calculator(facts, "all")),
            ("engine, words read only where shown", lambda facts: calculator(facts, "shown")),
            ("plain evaluator, every reason's words", plain_all),
        ):
            walls, cpus = timings.setdefault(name, ([], []))
            for facts in one[1:]:
                wall, cpu = time.perf_counter(), time.process_time()
                run(facts)
                walls.append((time.perf_counter() - wall) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)

        for name, (walls, cpus) in timings.items():
            print(
                f"one enterprise × 1,000 items, {name}: wall median"
                f" {statistics.median(walls):.1f} ms, p95 {p95(walls):.1f} ms;"
                f" CPU median {statistics.median(cpus):.1f} ms, p95 {p95(cpus):.1f} ms"
            )
    print("load average after:", os.getloadavg())


if __name__ == "__main__":
    main()
