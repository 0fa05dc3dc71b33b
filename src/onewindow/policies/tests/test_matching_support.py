"""What the redemption tests share: enterprise facts written through the profile
(``services.profile.set_facts``), which the match reads back with ``facts_for`` and evaluates
with the rule engine, and the zone's signing key."""

from __future__ import annotations

import datetime as dt

import pytest

from onewindow.certificates.keys import key_generate
from onewindow.org.models import Applicant
from onewindow.policies.models.profile import FactSource
from onewindow.policies.services.profile import set_facts

AS_OF = dt.date(2026, 1, 15)


class Profiles:
    """``profiles[enterprise id] = {fact: value}`` sets those facts of the enterprise through
    the profile (imported, as of AS_OF); ``profiles.change(id, fact=value)`` changes some."""

    def __setitem__(self, enterprise_id: int, values: dict) -> None:
        self.change(enterprise_id, **values)

    def change(self, enterprise_id: int, **values) -> None:
        enterprise = Applicant.objects.get(pk=enterprise_id)
        set_facts(None, enterprise, values, source=FactSource.IMPORTED, as_of=AS_OF)


@pytest.fixture
def facts(db) -> Profiles:
    return Profiles()


@pytest.fixture
def zone_key(pw):
    return key_generate(zone=pw.zone)


QUALIFIED = {"rd_share": "0.06", "credit_status": "normal"}
NEAR = {"rd_share": "0.04", "credit_status": "normal"}
UNKNOWN = {"credit_status": "normal"}
BLOCKED = {"rd_share": "0.09", "credit_status": "serious_bad"}


def make_enterprise(world, n: int):
    """One more enterprise of the zone (no representative)."""
    from onewindow.catalog.tests.factories import uscc_for
    from onewindow.org.constants import ApplicantKind
    from onewindow.org.models import Applicant

    enterprise = Applicant.objects.create(
        kind=ApplicantKind.ENTERPRISE,
        name=f"示范企业{n}有限公司",
        uscc=uscc_for(8300 + n, registration="91"),
        legal_representative="张三",
    )
    enterprise.registered_zones.add(world.zone)
    return enterprise
