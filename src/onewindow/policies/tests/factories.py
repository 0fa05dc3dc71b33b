"""Policies test data: a zone with two departments, a person of every role that touches
policies, enterprises with their users, and policies and item versions put straight into
any state (``make_version``) so that a test of one action starts where that action starts.

``make_*`` write rows directly (no service runs): use them to set the scene, and call the
service under test for the move you check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from onewindow.catalog.constants import VersionStatus
from onewindow.catalog.tests.factories import uscc_for
from onewindow.org.constants import ApplicantKind, Capacity, Role
from onewindow.org.models import Applicant, Department, User, Zone
from onewindow.org.services import applicant_register
from onewindow.policies.constants import ItemKind, PolicyLevel, RedemptionWay
from onewindow.policies.models import Policy, PolicyItem, PolicyItemVersion
from onewindow.testing import worlds

#: A leaf every test condition can use: 研发费用占比 ≥ 5 % (高新技术企业认定 第十一条(四)).
RD_SHARE_AT_LEAST_5 = {
    "fact": "rd_share",
    "op": ">=",
    "value": "0.05",
    "clause": "第十一条(四)",
}
NOT_SERIOUS_BAD_CREDIT = {
    "fact": "credit_status",
    "op": "not_in",
    "value": ["serious_bad"],
    "clause": "第五条",
}


@dataclass
class PolicyWorld:
    zone: Zone
    department: Department  # the officer's department (科技局 in the stories)
    other_department: Department
    officer: User  # 政策专员 of ``department``
    other_officer: User  # 政策专员 of ``other_department``
    administrator: User
    supervisor: User  # 电子监察人员: reads figures
    analyst: User
    clerk: User  # 综合窗口人员: no policy role
    enterprise: Applicant
    representative: User  # the enterprise's legal representative's account
    other_enterprise: Applicant
    other_representative: User
    stranger: User  # an applicant's user who represents nobody


def policy_world(places: worlds.Places | None = None) -> PolicyWorld:
    places = places or worlds.zone_world()
    zone = places.zone
    representative = worlds.applicant_user(zone, "p_representative", display_name="王五")
    enterprise = applicant_register(
        kind=ApplicantKind.ENTERPRISE,
        name="示范智能制造有限公司",
        uscc=uscc_for(8201, registration="91"),
        legal_representative="王五",
        phone="13900000001",
        user=representative,
        capacity=Capacity.LEGAL_REPRESENTATIVE,
    )
    enterprise.registered_zones.add(zone)
    other_representative = worlds.applicant_user(zone, "p_other_rep", display_name="赵六")
    other_enterprise = applicant_register(
        kind=ApplicantKind.ENTERPRISE,
        name="示范软件有限公司",
        uscc=uscc_for(8202, registration="91"),
        legal_representative="赵六",
        phone="13900000002",
        user=other_representative,
        capacity=Capacity.LEGAL_REPRESENTATIVE,
    )
    other_enterprise.registered_zones.add(zone)
    return PolicyWorld(
        zone=zone,
        department=places.department,
        other_department=places.other_department,
        officer=worlds.staff(
            zone, Role.POLICY_OFFICER, username="p_officer", department=places.department
        ),
        other_officer=worlds.staff(
            zone,
            Role.POLICY_OFFICER,
            username="p_other_officer",
            department=places.other_department,
        ),
        administrator=worlds.staff(zone, Role.ADMINISTRATOR, username="p_admin"),
        supervisor=worlds.staff(zone, Role.SUPERVISOR, username="p_supervisor"),
        analyst=worlds.staff(zone, Role.ANALYST, username="p_analyst"),
        clerk=worlds.staff(zone, Role.WINDOW_CLERK, username="p_clerk", window=places.window),
        enterprise=enterprise,
        representative=representative,
        other_enterprise=other_enterprise,
        other_representative=other_representative,
        stranger=worlds.applicant_user(zone, "p_stranger"),
    )


def make_policy(world: PolicyWorld, *, doc_number: str = "示范科〔2026〕1号", **fields) -> Policy:
    values = {
        "zone": world.zone,
        "department": world.department,
        "title": "示范区促进科技创新若干政策（示例）",
        "doc_number": doc_number,
        "issuer": "示范区管委会",
        "level": PolicyLevel.ZONE,
        "effective_from": dt.date(2026, 1, 1),
        "illustrative": True,
        "created_by": world.officer,
    }
    values.update(fields)
    return Policy.objects.create(**values)


def make_version(
    world: PolicyWorld,
    *,
    policy: Policy | None = None,
    code: str = "ZC-2026-001",
    number: int = 1,
    status: str = VersionStatus.PUBLISHED,
    condition: dict | None = None,
    amount: dict | None = None,
    way: str = RedemptionWay.AUTOMATIC,
    kind: str = ItemKind.AWARD,
    effective_from: dt.date = dt.date(2026, 1, 1),
    **fields,
) -> PolicyItemVersion:
    """A version of item ``code`` (created when missing) in ``status``."""
    policy = policy or Policy.objects.filter(zone=world.zone).first() or make_policy(world)
    item, _ = PolicyItem.objects.get_or_create(
        zone=world.zone, code=code, defaults={"policy": policy}
    )
    values = {
        "name": "研发投入奖励（示例）",
        "beneficiary": "区内研发投入达到比例的企业",
        "condition": condition
        if condition is not None
        else {"all": [RD_SHARE_AT_LEAST_5, NOT_SERIOUS_BAD_CREDIT]},
        "amount": amount if amount is not None else {"kind": "fixed", "amount": "20"},
        "amount_text": "一次性奖励20万元",
        "created_by": world.officer,
    }
    values.update(fields)
    if status != VersionStatus.DRAFT:
        values.setdefault("published_at", timezone.now())
    if status == VersionStatus.RETIRED:
        values.setdefault("retired_at", timezone.now())
    return PolicyItemVersion.objects.create(
        item=item,
        number=number,
        status=status,
        way=way,
        kind=kind,
        effective_from=effective_from,
        **values,
    )


def money(text: str) -> Decimal:
    return Decimal(text)
