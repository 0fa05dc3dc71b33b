"""The version in force on a day, numbers, the lifecycles and who may manage what."""

import datetime as dt

import pytest

from onewindow.catalog.constants import VersionStatus
from onewindow.core.errors import Conflict
from onewindow.policies import permissions
from onewindow.policies.constants import (
    REDEMPTION_TRANSITIONS,
    VERSION_TRANSITIONS,
    RedemptionAction,
    RedemptionStatus,
)
from onewindow.policies.services.common import (
    reserve_redemption_numbers,
    version_in_force,
    versions_in_force,
)
from onewindow.policies.tests.factories import make_policy, make_version

pytestmark = pytest.mark.django_db


def test_a_past_event_is_judged_by_the_version_in_force_that_day(pw):
    first = make_version(pw, number=1, effective_from=dt.date(2026, 1, 1))
    second = make_version(pw, number=2, effective_from=dt.date(2026, 7, 1))
    item = first.item
    assert version_in_force(item, dt.date(2025, 12, 31)) is None
    assert version_in_force(item, dt.date(2026, 6, 30)) == first
    assert version_in_force(item, dt.date(2026, 7, 1)) == second
    assert list(versions_in_force(pw.zone.pk, dt.date(2026, 6, 30))) == [first]
    assert list(versions_in_force(pw.zone.pk, dt.date(2026, 7, 1))) == [second]


def test_drafts_and_expired_policies_offer_nothing(pw):
    make_version(pw, status=VersionStatus.DRAFT)
    assert list(versions_in_force(pw.zone.pk, dt.date(2026, 3, 1))) == []
    expired = make_policy(pw, doc_number="示范科〔2025〕9号", expires_on=dt.date(2026, 2, 28))
    make_version(pw, policy=expired, code="ZC-2025-009")
    assert list(versions_in_force(pw.zone.pk, dt.date(2026, 3, 1))) == []
    assert len(versions_in_force(pw.zone.pk, dt.date(2026, 2, 28))) == 1


def test_a_version_span_ends_at_its_last_day(pw):
    version = make_version(pw, effective_until=dt.date(2026, 12, 31))
    assert version_in_force(version.item, dt.date(2026, 12, 31)) == version
    assert version_in_force(version.item, dt.date(2027, 1, 1)) is None


def test_numbers_are_consecutive_per_zone_and_year(pw):
    assert reserve_redemption_numbers(pw.zone, 2, year=2026) == [
        f"{pw.zone.code}-DX2026-000001",
        f"{pw.zone.code}-DX2026-000002",
    ]
    assert reserve_redemption_numbers(pw.zone, 1, year=2026) == [f"{pw.zone.code}-DX2026-000003"]
    assert reserve_redemption_numbers(pw.zone, 1, year=2027) == [f"{pw.zone.code}-DX2027-000001"]
    assert reserve_redemption_numbers(pw.zone, 0) == []


def test_the_content_hash_follows_the_rules_not_the_words(pw):
    version = make_version(pw)
    before = version.content_hash
    version.amount_text = "另一种说法"
    version.save(update_fields=["amount_text"])
    assert version.content_hash == before
    version.amount = {"kind": "fixed", "amount": "30"}
    version.save(update_fields=["amount"])
    version.refresh_from_db()
    assert version.content_hash != before


def test_lifecycles_refuse_what_they_do_not_list():
    assert VERSION_TRANSITIONS.allows(VersionStatus.DRAFT, "publish")
    with pytest.raises(Conflict):
        VERSION_TRANSITIONS.target(VersionStatus.RETIRED, "publish")
    assert (
        REDEMPTION_TRANSITIONS.target(RedemptionStatus.PAID, RedemptionAction.CLAW_BACK)
        == RedemptionStatus.CLAWED_BACK
    )
    with pytest.raises(Conflict):
        REDEMPTION_TRANSITIONS.target(RedemptionStatus.DECLINED, RedemptionAction.PAY)


def test_who_manages_and_reads(pw):
    policy = make_policy(pw)
    assert permissions.can_manage_policy(pw.officer, policy)
    assert not permissions.can_manage_policy(pw.other_officer, policy)
    assert not permissions.can_manage_policy(pw.administrator, policy)
    assert not permissions.can_manage_policy(pw.clerk, policy)
    assert permissions.can_write_facts(pw.officer, pw.enterprise)
    assert permissions.can_write_facts(pw.administrator, pw.enterprise)
    assert not permissions.can_write_facts(pw.supervisor, pw.enterprise)
    assert not permissions.can_write_facts(pw.representative, pw.enterprise)
    assert permissions.can_read_facts(pw.representative, pw.enterprise)
    assert not permissions.can_read_facts(pw.other_representative, pw.enterprise)
    assert permissions.can_read_facts(pw.supervisor, pw.enterprise)
    assert not permissions.can_read_facts(pw.clerk, pw.enterprise)
    assert not permissions.can_read_facts(pw.stranger, pw.enterprise)
