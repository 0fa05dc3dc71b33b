"""One enterprise against many items: reasons' words built only when read, the hash's content
part kept per version without changing the hash, one-row tables in scalars."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict
from decimal import Decimal

import pytest
from django.utils import translation

from onewindow.policies.rules import reasons as reasons_module
from onewindow.policies.rules.evaluate import compile_item, evaluate, result_hash
from onewindow.policies.rules.language import parse_amount, parse_condition
from onewindow.policies.rules.table import FactTable

ON = dt.date(2025, 6, 30)


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def leaf(fact, op, value, clause="第一条"):
    return {"fact": fact, "op": op, "value": value, "clause": clause}


CONTENT = {
    "condition": {"all": [leaf("revenue", ">=", 100), leaf("employees", ">=", 10, "第二条")]},
    "amount": {"kind": "rate", "of": "tax_paid", "rate": "0.1"},
}


def test_the_hash_is_sha256_of_the_documented_canonical_json():
    facts = {
        "revenue": Decimal("150.0"),
        "employees": 12,
        "tax_paid": "20",
        "founded": "2020-01-01",
    }
    payload = {
        "facts": {"employees": "12", "revenue": "150", "tax_paid": "20"},
        "item": CONTENT,
        "on": "2025-06-30",
        "version": "P-1@3",
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    expected = hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert result_hash(facts, "P-1@3", CONTENT, ON) == expected
    assert result_hash(facts, "P-1@3", CONTENT, ON) == expected  # from the kept content part


def test_a_changed_content_under_the_same_key_is_not_served_from_the_cache():
    facts = {"revenue": 150, "employees": 12, "tax_paid": 20}
    content = json.loads(json.dumps(CONTENT))
    first = result_hash(facts, "P-9@1", content, ON)
    content["amount"]["rate"] = "0.2"  # mutated in place: the kept copy must not follow it
    assert result_hash(facts, "P-9@1", content, ON) != first


def items():
    return [
        compile_item(
            f"P{number}",
            parse_condition(CONTENT["condition"]),
            parse_amount(CONTENT["amount"]),
        )
        for number in range(3)
    ]


def test_words_are_built_only_when_a_reason_is_read(monkeypatch):
    built = []
    original = reasons_module.LeafWords.text

    def counting(self, truth, value):
        built.append(truth)
        return original(self, truth, value)

    monkeypatch.setattr(reasons_module.LeafWords, "text", counting)
    table = FactTable.from_rows([{"revenue": 50, "employees": 3, "tax_paid": 1}], ON)
    results = evaluate(items(), table).results(0)
    assert [result.outcome for result in results.values()] == ["near"] * 3
    assert built == []
    reasons = results["P1"].reasons
    assert reasons[0].text == "上年度营业收入 50万元 < 100万元（第一条）"
    assert len(built) == 1
    assert reasons[0].text == reasons[0].text
    assert len(built) == 1  # built once
    assert asdict(reasons[1])["text"].endswith("（第二条）")


def test_one_row_and_many_rows_give_the_same_results():
    rows = [
        {"revenue": 150, "employees": 12, "tax_paid": "20.5"},
        {"revenue": 50, "employees": 3},
        {"employees": 30, "tax_paid": 7},
    ]
    together = evaluate(items(), FactTable.from_rows(rows, ON))
    for row, facts in enumerate(rows):
        alone = evaluate(items(), FactTable.from_rows([facts], ON))
        assert alone.results(0) == together.results(row)
        assert alone.arrays("P0").truth.tolist() == [int(together.arrays("P0").truth[row])]
