"""The calculator's service: groups, exclusions, unknowns, hashes, typed facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from onewindow.catalog.constants import VersionStatus
from onewindow.policies.rules.results import result_hash
from onewindow.policies.services import calculator
from onewindow.policies.services.calculator import FactError, typed_facts
from onewindow.policies.tests.calculator_support import (  # noqa: F401
    GOOD_FACTS,
    ON,
    give_facts_fixture,
    scene,
)
from onewindow.policies.tests.factories import make_version

pytestmark = pytest.mark.django_db

QUALIFIED = {
    "code": "high_tech",
    "number": "GR2024",
    "valid_from": "2024-01-01",
    "valid_until": "2026-12-31",
}


def by_code(results):
    return {result.code: result for result in results}


def test_near_miss_names_the_failing_condition_with_its_clause(pw, give_facts):
    items = scene(pw)
    give_facts(
        pw.enterprise,
        {
            "rd_share": "0.046",
            "credit_status": "normal",
            "rd_expense": "300",
            "qualifications": [],
        },
    )
    groups = calculator.grouped(calculator.evaluate_enterprise(pw.enterprise, ON))
    near = by_code(groups.near)
    assert set(near) == {"ZC-001", "ZC-003", "ZC-002"}
    (missing,) = near["ZC-001"].missing
    assert "4.6%" in missing["text"] and "5%" in missing["text"]
    assert "第十一条(四)" in missing["text"]
    assert "高新技术企业" in near["ZC-002"].missing[0]["text"]
    assert items["tax"].item.code not in near
    # tax: three facts missing → unknown, never counted as ineligible
    assert [r.code for r in groups.unknown] == ["ZC-004"]
    assert all("未知" in m["text"] for m in groups.unknown[0].missing)
    assert groups.ineligible_count == 0


def test_eligible_with_amounts_and_the_exclusion_shown_with_its_rule(pw, give_facts):
    scene(pw)
    give_facts(pw.enterprise, {**GOOD_FACTS, "rd_expense": "300", "qualifications": [QUALIFIED]})
    groups = calculator.grouped(calculator.evaluate_enterprise(pw.enterprise, ON))
    assert [(r.code, r.amount) for r in groups.eligible] == [
        ("ZC-002", Decimal(50)),
        ("ZC-003", Decimal(30)),
    ]
    (excluded,) = groups.excluded
    assert excluded.code == "ZC-001" and excluded.excluded_by == "ZC-002@1"
    assert "ZC-002@1" in excluded.reasons[-1]["text"]
    assert groups.total_amount == Decimal(80)


def test_ineligible_are_only_counted(pw, give_facts):
    scene(pw)
    give_facts(
        pw.enterprise,
        {
            "rd_share": "0.01",
            "credit_status": "serious_bad",
            "rd_expense": "1",
            "tax_paid": "1",
            "employees": 3,
            "revenue": "10",
        },
    )
    groups = calculator.grouped(calculator.evaluate_enterprise(pw.enterprise, ON))
    assert not groups.eligible and not groups.unknown
    assert groups.ineligible_count + len(groups.near) == 4
    assert "ZC-004" not in {r.code for r in groups.near}  # three leaves fail: not near


def test_unknown_fact_is_never_ineligible(pw, give_facts):
    scene(pw)
    results = calculator.evaluate_enterprise(pw.enterprise, ON)
    assert {r.outcome for r in results} == {"unknown"}


def test_result_hash_is_reproducible_and_follows_the_facts(pw, give_facts):
    scene(pw)
    give_facts(pw.enterprise, {**GOOD_FACTS, "rd_expense": "300"})
    first = by_code(calculator.evaluate_enterprise(pw.enterprise, ON))
    calculator.forget_compiled()
    again = by_code(calculator.evaluate_enterprise(pw.enterprise, ON))
    assert first["ZC-001"].result_hash == again["ZC-001"].result_hash
    give_facts(pw.enterprise, {"rd_share": "0.07"})
    changed = by_code(calculator.evaluate_enterprise(pw.enterprise, ON))
    assert changed["ZC-001"].result_hash != first["ZC-001"].result_hash
    # the same facts typed give the same hash as from the profile
    typed = by_code(
        calculator.evaluate_facts(typed_facts({**GOOD_FACTS, "rd_expense": "300"}, ON), pw.zone, ON)
    )
    assert typed["ZC-001"].result_hash == first["ZC-001"].result_hash


def test_result_hashes_are_the_engines_digest(pw, give_facts):
    """The calculator keeps each version's parsed parts; its digest is the engine's."""
    items = scene(pw)
    give_facts(
        pw.enterprise,
        {
            **GOOD_FACTS,
            "rd_expense": "300.50",
            "employees": 12,
            "industry_code": "C3919",
            "registered_on": "2015-03-18",
            "qualifications": [QUALIFIED],
        },
    )
    facts = calculator.enterprise_facts(pw.enterprise)
    versions = [items[name] for name in ("rd", "high_tech", "rate", "tax")]
    expected = [result_hash(facts, v.key, v.content(), ON) for v in versions]
    assert calculator.result_hashes(facts, versions, ON) == expected
    assert calculator.result_hashes(facts, versions, ON) == expected  # from the kept parts
    assert calculator.result_hashes({}, versions, ON) == [
        result_hash({}, v.key, v.content(), ON) for v in versions
    ]


def test_only_versions_in_force_on_the_day(pw, give_facts):
    scene(pw)
    make_version(pw, code="ZC-009", effective_from=dt.date(2027, 1, 1))
    make_version(pw, code="ZC-010", status=VersionStatus.DRAFT)
    give_facts(pw.enterprise, GOOD_FACTS)
    codes = {r.code for r in calculator.evaluate_enterprise(pw.enterprise, ON)}
    assert codes == {"ZC-001", "ZC-002", "ZC-003", "ZC-004"}
    later = {r.code for r in calculator.evaluate_enterprise(pw.enterprise, dt.date(2027, 1, 2))}
    assert "ZC-009" in later


def test_compiled_items_are_kept_per_set_of_versions(pw, give_facts):
    items = scene(pw)
    versions = list(calculator.versions_in_force(pw.zone.pk, ON))
    first = calculator.compiled_items(pw.zone.pk, versions)
    assert calculator.compiled_items(pw.zone.pk, versions) is first
    make_version(pw, code="ZC-001", number=2, effective_from=dt.date(2026, 3, 1))
    newer = list(calculator.versions_in_force(pw.zone.pk, ON))
    assert calculator.compiled_items(pw.zone.pk, newer) is not first
    assert items["rd"].key not in {
        item.key for item in calculator.compiled_items(pw.zone.pk, newer)
    }


def test_enterprise_without_a_zone_has_no_results(pw, give_facts):
    scene(pw)
    pw.enterprise.registered_zones.clear()
    assert calculator.evaluate_enterprise(pw.enterprise, ON) == []


# -- typed facts -------------------------------------------------------------------------------


def test_typed_facts_fold_full_width_and_read_kinds():
    facts = typed_facts(
        {
            "employees": "３５０",
            "revenue": "１,５００",
            "rd_share": "4.6%",
            "registered_on": "２０２０-０５-０１",
            "industry_code": "ｃ３９１９",
            "owns_core_ip": True,
            "qualifications": ["high_tech"],
            "tags": ["总部企业", " "],
            "tax_paid": "",
        },
        ON,
    )
    assert facts["employees"] == 350
    assert facts["revenue"] == Decimal(1500)
    assert facts["rd_share"] == Decimal("0.046")
    assert facts["registered_on"] == dt.date(2020, 5, 1)
    assert facts["industry_code"] == "C3919"
    assert facts["qualifications"][0]["code"] == "high_tech"
    assert facts["tags"] == ["总部企业"]
    assert "tax_paid" not in facts
    assert facts["size_class"] == "small"  # 工业 350 people, 1,500万元


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"turnover": 1}, "turnover", "不认识"),
        ({"employees": "many"}, "employees", "从业人员"),
        ({"employees": "3.5"}, "employees", "整数"),
        ({"revenue": "-1"}, "revenue", "上年度营业收入"),
        ({"rd_share": "2"}, "rd_share", "比例"),
        ({"registered_on": "2020-13-01"}, "registered_on", "成立日期"),
        ({"industry_code": "C65"}, "industry_code", "国民经济行业代码"),
        ({"owns_core_ip": "yes"}, "owns_core_ip", "知识产权"),
        ({"credit_status": "fine"}, "credit_status", "信用状况"),
        ({"qualifications": ["nobel"]}, "qualifications", "资质"),
        ({"tags": "a"}, "tags", "标签"),
        ({"size_class": "small"}, "size_class", "推算"),
    ],
)
def test_typed_facts_errors_name_the_fact(data, field, words):
    with pytest.raises(FactError) as caught:
        typed_facts(data, ON)
    assert caught.value.field == field
    assert words in caught.value.message
