"""set_facts: validation, history, the derived size class, audit, the signal; facts_for."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from onewindow.core.errors import ValidationFailed
from onewindow.core.models import AuditEvent
from onewindow.org.models import Park
from onewindow.policies.models import EnterpriseFact, FactChange, FactSource
from onewindow.policies.services.profile import facts_for, set_facts
from onewindow.policies.signals import facts_changed

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


def current(enterprise):
    return {row.name: row for row in EnterpriseFact.objects.filter(enterprise=enterprise)}


def test_facts_are_written_with_source_and_history_and_size_is_derived(pw):
    # when
    result = set_facts(
        pw.officer,
        pw.enterprise,
        {"industry_code": "3919", "employees": "350", "revenue": "1,500"},
        source=FactSource.DEPARTMENT,
        source_detail="统计局",
        as_of=dt.date(2026, 1, 31),
    )
    # then
    assert result.changed == ["industry_code", "employees", "revenue", "size_class"]
    rows = current(pw.enterprise)
    assert rows["industry_code"].value == {"code": "C3919", "edition": "GB/T 4754-2017"}
    assert rows["employees"].value == 350
    assert rows["revenue"].value == "1500"
    assert rows["employees"].source == FactSource.DEPARTMENT
    assert rows["employees"].source_detail == "统计局"
    assert rows["employees"].as_of == dt.date(2026, 1, 31)
    assert rows["employees"].recorded_by == pw.officer
    assert rows["size_class"].value == "small"
    assert rows["size_class"].source == FactSource.DERIVED
    assert FactChange.objects.filter(enterprise=pw.enterprise).count() == 4
    first = FactChange.objects.get(enterprise=pw.enterprise, name="employees")
    assert (first.old_value, first.new_value, first.source) == (None, 350, "department")


def test_a_change_keeps_the_old_value_in_history_and_rederives_the_size(pw):
    set_facts(
        pw.officer,
        pw.enterprise,
        {"industry_code": "C3919", "employees": 350, "revenue": "1500"},
        source=FactSource.IMPORTED,
        as_of=dt.date(2026, 1, 1),
    )
    # when: the enterprise declares more people and revenue
    result = set_facts(
        pw.representative,
        pw.enterprise,
        {"employees": 1000, "revenue": "40000", "industry_code": "C3919"},
        source=FactSource.DECLARED,
        as_of=TODAY,
    )
    # then
    assert result.changed == ["employees", "revenue", "size_class"]
    assert result.unchanged == ["industry_code"]
    change = FactChange.objects.filter(enterprise=pw.enterprise, name="size_class").first()
    assert (change.old_value, change.new_value) == ("small", "large")
    employees = FactChange.objects.filter(enterprise=pw.enterprise, name="employees").first()
    assert (employees.old_value, employees.new_value, employees.source) == (350, 1000, "declared")
    assert current(pw.enterprise)["industry_code"].source == FactSource.IMPORTED  # untouched


def test_an_unknown_size_clears_the_derived_class(pw):
    set_facts(
        pw.officer,
        pw.enterprise,
        {"industry_code": "C3919", "employees": 350, "revenue": "1500"},
        source=FactSource.IMPORTED,
        as_of=TODAY,
    )
    # when: revenue becomes unknown
    result = set_facts(
        pw.officer, pw.enterprise, {"revenue": None}, source=FactSource.IMPORTED, as_of=TODAY
    )
    # then
    assert result.changed == ["revenue", "size_class"]
    assert "size_class" not in current(pw.enterprise)
    cleared = FactChange.objects.filter(enterprise=pw.enterprise, name="size_class").first()
    assert (cleared.old_value, cleared.new_value) == ("small", None)


def test_one_audit_event_per_call_lists_the_changes_and_source(pw):
    before = AuditEvent.objects.filter(action="policies.facts_changed").count()
    set_facts(
        pw.officer,
        pw.enterprise,
        {"industry_code": "I6513", "employees": 8, "revenue": "3000"},
        source=FactSource.DEPARTMENT,
        source_detail="税务局",
        as_of=TODAY,
    )
    events = AuditEvent.objects.filter(action="policies.facts_changed").order_by("-id")
    assert events.count() == before + 1
    event = events.first()
    assert event.object_id == pw.enterprise.uscc
    assert event.actor_id == str(pw.officer.pk)
    assert event.data["changed"] == ["industry_code", "employees", "revenue", "size_class"]
    assert event.data["source"] == "department"
    assert event.data["source_detail"] == "税务局"
    assert current(pw.enterprise)["size_class"].value == "micro"
    # a call that changes nothing appends nothing
    set_facts(pw.officer, pw.enterprise, {"employees": 8}, source="imported", as_of=TODAY)
    assert events.count() == before + 1


def test_every_wrong_value_is_named_and_nothing_is_written(pw):
    with pytest.raises(ValidationFailed) as caught:
        set_facts(
            pw.officer,
            pw.enterprise,
            {"employees": "很多", "revenue": "-1", "industry_code": "C65", "rd_share": "0.05"},
            source=FactSource.DECLARED,
            as_of=TODAY,
        )
    assert set(caught.value.fields) == {"employees", "revenue", "industry_code"}
    assert "从业人员" in caught.value.fields["employees"][0]
    assert not EnterpriseFact.objects.filter(enterprise=pw.enterprise).exists()
    assert not FactChange.objects.filter(enterprise=pw.enterprise).exists()


@pytest.mark.parametrize(
    ("facts", "source", "as_of", "field", "words"),
    [
        ({"size_class": "large"}, "declared", TODAY, "size_class", "推算得出"),
        ({"size_class": None}, "declared", TODAY, "size_class", "推算得出"),
        ({"employees": 3}, "derived", TODAY, "source", "数据来源不对"),
        ({"employees": 3}, "rumour", TODAY, "source", "数据来源不对"),
        ({"employees": 3}, "declared", dt.date(2026, 3, 3), "as_of", "不能晚于今天"),
        ({}, "declared", TODAY, "facts", "没有填写"),
        ({"wealth": 3}, "declared", TODAY, "wealth", "没有名为"),
    ],
)
def test_refused_calls(pw, facts, source, as_of, field, words):
    with pytest.raises(ValidationFailed) as caught:
        set_facts(pw.officer, pw.enterprise, facts, source=source, as_of=as_of)
    assert field in caught.value.fields
    assert words in caught.value.message


def test_a_person_has_no_profile(pw):
    from onewindow.org.constants import ApplicantKind
    from onewindow.org.models import Applicant

    person = Applicant.objects.create(
        kind=ApplicantKind.PERSON, name="张三", id_number="11010519491231002X"
    )
    with pytest.raises(ValidationFailed) as caught:
        set_facts(pw.officer, person, {"employees": 3}, source="declared", as_of=TODAY)
    assert "只有企业" in caught.value.message


def test_the_park_must_be_one_of_the_enterprises_zone(pw):
    park = Park.objects.filter(zone=pw.zone).first() or Park.objects.create(
        zone=pw.zone, code="P1", name="一号园"
    )
    set_facts(
        pw.officer, pw.enterprise, {"park": park.code.lower()}, source="imported", as_of=TODAY
    )
    assert current(pw.enterprise)["park"].value == park.code
    with pytest.raises(ValidationFailed) as caught:
        set_facts(pw.officer, pw.enterprise, {"park": "NOPE"}, source="imported", as_of=TODAY)
    assert "不是本区的园区" in caught.value.message


def test_history_is_insert_only(pw):
    set_facts(pw.officer, pw.enterprise, {"employees": 3}, source="declared", as_of=TODAY)
    change = FactChange.objects.get()
    with pytest.raises(TypeError):
        change.save()
    with pytest.raises(TypeError):
        change.delete()
    with pytest.raises(TypeError):
        FactChange.objects.update(new_value=4)
    with pytest.raises(TypeError):
        FactChange.objects.all().delete()


def test_facts_changed_is_sent_after_commit_with_the_enterprise(
    pw, django_capture_on_commit_callbacks
):
    received = []

    def listener(sender, **kwargs):
        received.append(kwargs)

    facts_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            set_facts(pw.officer, pw.enterprise, {"employees": 3}, source="declared", as_of=TODAY)
        assert received == []  # not before commit
        for callback in callbacks:
            callback()
        assert len(received) == 1
        assert received[0]["enterprise_ids"] == [pw.enterprise.pk]
        assert received[0]["names"] == ["employees"]
        assert received[0]["source"] == "declared"
        # nothing changed: nothing sent
        with django_capture_on_commit_callbacks(execute=True):
            set_facts(pw.officer, pw.enterprise, {"employees": 3}, source="declared", as_of=TODAY)
        assert len(received) == 1
    finally:
        facts_changed.disconnect(listener)


def test_facts_for_reads_many_enterprises_in_the_rule_engines_types(pw, django_assert_num_queries):
    set_facts(
        pw.officer,
        pw.enterprise,
        {
            "industry_code": "C3919",
            "employees": 350,
            "revenue": "1500",
            "rd_share": "4.6%",
            "registered_on": "2020-05-01",
            "owns_core_ip": True,
            "tags": ["总部企业"],
            "qualifications": [
                {"code": "high_tech", "number": "GR1", "valid_from": "2023-11-06"},
            ],
        },
        source="imported",
        as_of=TODAY,
    )
    set_facts(pw.officer, pw.other_enterprise, {"employees": 8}, source="imported", as_of=TODAY)
    with django_assert_num_queries(1):
        everything = facts_for()
    assert everything[pw.enterprise.pk] == {
        "industry_code": "C3919",
        "employees": 350,
        "revenue": Decimal("1500"),
        "rd_share": Decimal("0.046"),
        "registered_on": dt.date(2020, 5, 1),
        "owns_core_ip": True,
        "tags": ["总部企业"],
        "qualifications": [
            {"code": "high_tech", "number": "GR1", "valid_from": "2023-11-06", "valid_until": None}
        ],
        "size_class": "small",
    }
    assert everything[pw.other_enterprise.pk] == {"employees": 8}
    assert list(facts_for(enterprise_ids=[pw.other_enterprise.pk])) == [pw.other_enterprise.pk]
    assert facts_for(enterprise_ids=[]) == {}
    assert set(facts_for(zone=pw.zone)) == {pw.enterprise.pk, pw.other_enterprise.pk}
    assert set(facts_for(enterprise_ids=[pw.enterprise.pk], zone=pw.zone.pk)) == {pw.enterprise.pk}
    pw.other_enterprise.registered_zones.clear()
    assert set(facts_for(zone=pw.zone)) == {pw.enterprise.pk}
