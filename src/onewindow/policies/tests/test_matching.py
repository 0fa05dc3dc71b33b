"""The 免申即享 batch: who is matched, the run's counts, idempotence, budget, expiry, the
command and two runs at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from onewindow.core.models import AuditEvent, Notification
from onewindow.policies.constants import Event, RedemptionStatus
from onewindow.policies.models import MatchRun, Redemption
from onewindow.policies.services import matching
from onewindow.policies.services.redemptions import EXPIRED_REASON, expire_pending
from onewindow.policies.tests.factories import make_version
from onewindow.policies.tests.test_matching_support import (
    BLOCKED,
    NEAR,
    QUALIFIED,
    UNKNOWN,
    facts,  # noqa: F401 (fixture)
    make_enterprise,
)
from onewindow.testing.races import race, split

ON = dt.date(2026, 3, 2)


@pytest.fixture
def world(pw, facts):  # noqa: F811
    facts[pw.enterprise.pk] = dict(QUALIFIED)
    facts[pw.other_enterprise.pk] = dict(NEAR)
    return pw


def test_only_the_eligible_are_matched(world, facts):  # noqa: F811
    third = make_enterprise(world, 1)
    facts[third.pk] = dict(UNKNOWN)
    fourth = make_enterprise(world, 2)
    facts[fourth.pk] = dict(BLOCKED)  # a serious credit block: not matched, whatever the share
    make_enterprise(world, 3)  # no facts at all: not in the profile, not evaluated
    version = make_version(world)
    run = matching.run_match(version, trigger="manual", on=ON, actor=world.officer)
    rows = list(Redemption.objects.filter(version=version))
    assert [row.enterprise_id for row in rows] == [world.enterprise.pk]
    row = rows[0]
    assert row.status == RedemptionStatus.PENDING
    assert row.amount == Decimal("20")
    assert row.run == run and row.evaluated_on == ON
    reasons = row.result["reasons"]
    assert [reason["clause"] for reason in reasons] == ["第十一条(四)", "第五条"]
    assert {reason["outcome"] for reason in reasons} == {"true"}
    assert len(row.result_hash) == 64
    assert row.number.startswith(f"{world.zone.code}-DX")
    assert row.confirm_due > timezone.now() + dt.timedelta(days=10)
    assert (run.enterprises, run.eligible, run.near, run.unknown, run.created) == (4, 1, 2, 1, 1)
    assert run.started_by == world.officer and run.finished_at is not None


def test_one_audit_event_and_one_message_per_enterprise(world):
    version = make_version(world)
    matching.run_match(version, trigger="manual", on=ON)
    events = AuditEvent.objects.filter(action=Event.MATCH_RUN)
    assert events.count() == 1
    assert events.get().data["created"] == 1
    messages = Notification.objects.filter(recipient=world.representative)
    assert messages.count() == 1
    assert "研发投入奖励" in messages.get().text
    assert not Notification.objects.filter(recipient=world.other_representative).exists()


def test_a_second_run_creates_nothing_for_the_same_facts(world):
    version = make_version(world)
    matching.run_match(version, trigger="manual", on=ON)
    again = matching.run_match(version, trigger="schedule", on=ON)
    assert again.created == 0 and again.eligible == 1
    assert Redemption.objects.filter(version=version).count() == 1
    assert MatchRun.objects.filter(version=version).count() == 2


def test_a_declined_match_is_proposed_again_only_when_the_facts_change(world, facts):  # noqa: F811
    version = make_version(world)
    matching.run_match(version, on=ON)
    Redemption.objects.filter(version=version).update(status=RedemptionStatus.DECLINED)
    assert matching.run_match(version, on=ON).created == 0
    facts.change(world.enterprise.pk, rd_share="0.08")
    assert matching.run_match(version, on=ON).created == 1


def test_the_budget_stops_the_proposals(world, facts):  # noqa: F811
    for n in range(1, 5):
        facts[make_enterprise(world, n).pk] = dict(QUALIFIED)
    version = make_version(world, budget=Decimal("50"))  # 20 each: two fit
    run = matching.run_match(version, on=ON)
    assert run.created == 2 and run.over_budget == 3
    event = AuditEvent.objects.get(action=Event.MATCH_RUN)
    assert len(event.data["over_budget_enterprises"]) == 3
    total = sum(row.amount for row in Redemption.objects.filter(version=version))
    assert total <= Decimal("50")
    # what is paid counts too: nothing more once the budget is used
    Redemption.objects.filter(version=version).update(status=RedemptionStatus.PAID)
    assert matching.run_match(version, on=ON).created == 0


def test_only_published_automatic_versions_run(world):
    draft = make_version(world, code="ZC-2026-002", status="draft")
    with pytest.raises(ValueError):
        matching.run_match(draft, on=ON)
    fast = make_version(world, code="ZC-2026-003", way="fast")
    with pytest.raises(ValueError):
        matching.run_match(fast, on=ON)


def test_an_excluded_item_held_blocks_the_match(world):
    first = make_version(world)
    matching.run_match(first, on=ON)
    second = make_version(world, code="ZC-2026-009")
    second.excludes.add(first.item)
    run = matching.run_match(second, on=ON)
    assert run.eligible == 1 and run.created == 0


def test_expiry_declines_pending_past_the_deadline(world):
    version = make_version(world)
    matching.run_match(version, on=ON)
    assert expire_pending() == 0
    Redemption.objects.update(confirm_due=timezone.now() - dt.timedelta(minutes=1))
    assert expire_pending() == 1
    row = Redemption.objects.get()
    assert row.status == RedemptionStatus.DECLINED and row.reason == EXPIRED_REASON
    event = AuditEvent.objects.filter(action=Event.REDEMPTION_MOVED).last()
    assert event.data["reason"] == EXPIRED_REASON and event.actor == "system"


def test_the_command_expires_then_matches_versions_in_force(world):
    version = make_version(world)
    old = make_version(world, code="ZC-2026-002")
    matching.run_match(old, on=ON)
    Redemption.objects.update(confirm_due=timezone.now() - dt.timedelta(minutes=1))
    call_command("policies_match", "--zone", world.zone.code)
    assert Redemption.objects.get(version=old, status=RedemptionStatus.DECLINED)
    assert Redemption.objects.filter(version=version, status=RedemptionStatus.PENDING).count() == 1
    assert MatchRun.objects.filter(version=version, trigger="schedule").exists()


def test_the_command_refuses_an_unknown_zone(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("policies_match", "--zone", "NOPE")


def test_publishing_matches_at_once(world):
    from onewindow.policies.signals_catalogue import version_published

    version = make_version(world)
    version_published.send(
        sender=type(version),
        version_id=version.pk,
        item_id=version.item_id,
        zone_id=version.item.zone_id,
        way=version.way,
        effective_from=version.effective_from,
    )
    assert Redemption.objects.filter(version=version).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_create_no_duplicates(pw, facts):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("races run on PostgreSQL")
    for n in range(1, 30):
        facts[make_enterprise(pw, n).pk] = dict(QUALIFIED)
    facts[pw.enterprise.pk] = dict(QUALIFIED)
    version = make_version(pw)
    done, refused = split(
        race(
            lambda: matching.run_match(version, on=ON),
            lambda: matching.run_match(version, on=ON),
        )
    )
    assert refused == []
    assert sorted(run.created for run in done) == [0, 30]
    assert Redemption.objects.filter(version=version).count() == 30
