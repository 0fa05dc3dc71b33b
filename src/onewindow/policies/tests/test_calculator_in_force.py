"""The versions in force kept per (zone, day) in the process: one cheap query per request,
loaded again after a publish or a retirement (by this process or another)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.catalog.constants import VersionStatus
from onewindow.policies.services import calculator, in_force
from onewindow.policies.services import catalogue as svc
from onewindow.policies.signals_catalogue import version_published
from onewindow.policies.tests.calculator_support import (  # noqa: F401
    GOOD_FACTS,
    ON,
    give_facts_fixture,
    scene,
)
from onewindow.policies.tests.factories import make_version

pytestmark = pytest.mark.django_db


def codes(zone_id, on=ON):
    return {r.code for r in calculator.evaluate_facts(dict(GOOD_FACTS), zone_id, on)}


def test_second_call_reads_only_the_stamp(pw, give_facts):
    scene(pw)
    first = in_force.in_force(pw.zone.pk, ON)
    with CaptureQueriesContext(connection) as queries:
        again = in_force.in_force(pw.zone.pk, ON)
    assert again is first
    assert len(queries) == 1
    assert [v.item.code for v in first.versions] == ["ZC-001", "ZC-002", "ZC-003", "ZC-004"]
    # another day is kept apart
    assert in_force.in_force(pw.zone.pk, dt.date(2025, 6, 1)).versions == ()


def test_a_publish_between_two_calls_changes_the_answer(
    pw, give_facts, django_capture_on_commit_callbacks
):
    scene(pw)
    assert codes(pw.zone.pk) == {"ZC-001", "ZC-002", "ZC-003", "ZC-004"}
    draft = make_version(pw, code="ZC-005", status=VersionStatus.DRAFT)
    assert "ZC-005" not in codes(pw.zone.pk)
    with django_capture_on_commit_callbacks(execute=True):
        svc.version_publish(actor=pw.officer, version=draft)
    assert "ZC-005" in codes(pw.zone.pk)


def test_the_signal_forgets_the_zone_of_this_process(pw, give_facts):
    scene(pw)
    kept = in_force.in_force(pw.zone.pk, ON)
    version_published.send(
        sender=None, version_id=0, item_id=0, zone_id=pw.zone.pk, way="", effective_from=ON
    )
    assert in_force._in_force.get((pw.zone.pk, ON)) is None
    assert in_force.in_force(pw.zone.pk, ON) is not kept


def test_a_retirement_between_two_calls_changes_the_answer(pw, give_facts):
    """A retirement sends no signal: the stamp alone tells every process."""
    items = scene(pw)
    assert "ZC-003" in codes(pw.zone.pk)
    svc.version_retire(actor=pw.officer, version=items["rate"], effective_until=ON)
    # its span still covers ON, but a retired version offers nothing any more
    assert "ZC-003" not in codes(pw.zone.pk)
    assert "ZC-003" not in codes(pw.zone.pk, dt.date(2026, 7, 1))


def test_a_change_made_by_another_process_is_seen(pw, give_facts):
    """Another process's publish reaches this one only through the database (no signal)."""
    scene(pw)
    assert "ZC-006" not in codes(pw.zone.pk)
    make_version(pw, code="ZC-006")
    assert "ZC-006" in codes(pw.zone.pk)
    # a newer version of an item supersedes the kept one
    make_version(pw, code="ZC-001", number=2, effective_from=dt.date(2026, 3, 1))
    keys = {r.key for r in calculator.evaluate_facts(dict(GOOD_FACTS), pw.zone.pk, ON)}
    assert "ZC-001@2" in keys and "ZC-001@1" not in keys


def test_a_policy_that_expires_is_seen(pw, give_facts):
    items = scene(pw)
    assert codes(pw.zone.pk)
    policy = items["rd"].item.policy
    policy.expires_on = dt.date(2026, 5, 31)
    policy.save()
    assert codes(pw.zone.pk) == set()
