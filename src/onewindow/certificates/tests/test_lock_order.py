"""The locks certificates take, in the order of ADR 0019 (PostgreSQL): the certificate row,
the serial counter; never the audit chain head (ADR 0004)."""

from __future__ import annotations

from onewindow.certificates.keys import key_rotate
from onewindow.certificates.services import certificate_issue, certificate_revoke
from onewindow.org.constants import Role
from onewindow.testing.locks import CHAIN_HEAD, locked_tables, postgresql_only

pytestmark = postgresql_only

FACTS = {"premises": "示范区创新路 8 号", "area": "120.50"}


def issue(food_licence, enterprise):
    return certificate_issue(
        certificate_type=food_licence, holder=enterprise, actor=None, facts=dict(FACTS)
    )


def test_issuing_takes_only_the_serial_counter(signing_key, food_licence, enterprise):
    issue(food_licence, enterprise)  # the counter row exists from now on
    for _ in range(2):
        with locked_tables() as tables:
            issue(food_licence, enterprise)
        assert tables == ["certificates_certificatesequence"]
        assert CHAIN_HEAD not in tables


def test_revoking_takes_only_the_certificate(
    signing_key, food_licence, enterprise, make_staff, issuing_department
):
    certificate = issue(food_licence, enterprise)
    decider = make_staff(Role.DECIDER, username="decider", dept=issuing_department)
    with locked_tables() as tables:
        certificate_revoke(certificate=certificate, actor=decider, reason="企业申请注销")
    assert tables == ["certificates_certificate"]


def test_rotating_takes_only_the_zone_keys(signing_key, zone):
    with locked_tables() as tables:
        key_rotate(zone=zone)
    assert tables == ["certificates_signingkey"]
