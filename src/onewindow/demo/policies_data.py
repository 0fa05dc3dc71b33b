"""The demo zone's support policies (惠企政策): profiles, policies, the 免申即享 matches and a
few redemptions along their way (confirmed, publicised, paid, one clawed back).

Profiles are written in bulk (an import's rows: current value and history, source 导入); the
policies go through the officer's services (drafted, checked, published), so publishing a
免申即享 item runs the match as it would for the zone. Running it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from onewindow.catalog.models import Item, ItemVersion
from onewindow.demo import policies_profiles as profiles
from onewindow.demo import policies_texts as texts
from onewindow.demo.case_data import ENTERPRISE_SERIAL, ENTERPRISES
from onewindow.demo.org_data import demo_uscc
from onewindow.org.constants import ApplicantKind
from onewindow.org.models import Applicant, Department, Park, User, Zone
from onewindow.policies import profile_values
from onewindow.policies.constants import RedemptionStatus
from onewindow.policies.models import (
    EnterpriseFact,
    FactChange,
    FactSource,
    Policy,
    PolicyItem,
    Redemption,
)
from onewindow.policies.services import catalogue, matching, redemptions
from onewindow.policies.services.profile import SIZE_RULES, derived_size_class

#: Generated enterprises' USCC serials start here (above the case demo's).
GENERATED_SERIAL = 5000
AS_OF = dt.date(2026, 11, 30)
IMPORT_BATCH = "演示数据导入（2026年11月）"
#: Catalog items (by name) that 快申快享 / 依申请 items run as.
CATALOG_ITEMS = {
    "ZC-KJ-03": "科技型中小企业研发费用补贴兑现",
    "ZC-KJ-04": "高新技术企业培育库入库申请",
    "ZC-CY-01": "工业企业技术改造补助兑现",
    "ZC-CY-03": "总部企业落户奖励兑现",
}
OFFICERS = {"KJJ": "policy", "RSJ": "policy-rsj", "SWJ": "policy-swj"}
GENERATED_NAMES = (
    "精工",
    "华创",
    "博远",
    "新程",
    "智联",
    "恒信",
    "宏达",
    "瑞科",
    "天合",
    "中益",
)
GENERATED_TRADES = {
    "C": "制造有限公司",
    "I": "信息技术有限公司",
    "F": "商贸有限公司",
    "G": "物流有限公司",
    "H": "餐饮管理有限公司",
    "L": "商务服务有限公司",
    "M": "科技服务有限公司",
    "E": "工程有限公司",
    "K": "置业有限公司",
    "R": "文化传播有限公司",
    "N": "环境科技有限公司",
}


@dataclass
class PolicySummary:
    policies: int = 0
    items: int = 0
    profiles: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def load_policies(zone: Zone) -> PolicySummary:
    if not Policy.objects.filter(zone=zone).exists():
        with transaction.atomic():
            _profiles(zone)
        _policies(zone)  # each publish commits, then its match runs (as in the zone)
        _stories(zone)
    return _summary(zone)


# -- profiles ------------------------------------------------------------------------------


def _generated_enterprises(zone: Zone, count: int) -> list[Applicant]:
    parks = {park.code: park for park in Park.objects.filter(zone=zone)}
    rows = []
    for index, facts in enumerate(profiles.generated_profiles(count)):
        trade = GENERATED_TRADES.get(facts["industry_code"][0], "有限公司")
        name = f"示范{GENERATED_NAMES[index % 10]}{index + 1:03d}{trade}"
        rows.append(
            Applicant(
                kind=ApplicantKind.ENTERPRISE,
                name=name,
                uscc=demo_uscc("91", GENERATED_SERIAL + index),
                legal_representative="（演示）",
                park=parks.get(facts.get("park")),
            )
        )
    Applicant.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(Applicant.objects.filter(uscc__in=[row.uscc for row in rows]).order_by("uscc"))
    Applicant.registered_zones.through.objects.bulk_create(
        [
            Applicant.registered_zones.through(applicant_id=each.pk, zone_id=zone.pk)
            for each in created
        ],
        ignore_conflicts=True,
    )
    return created


def _profiles(zone: Zone) -> None:
    parks = {park.code for park in Park.objects.filter(zone=zone)}
    people: list[tuple[Applicant, dict]] = []
    demo = User.objects.get(username="enterprise").applicants.order_by("pk").first()
    people.append((demo, profiles.DEMO_ENTERPRISE))
    for index, (name, place) in enumerate(ENTERPRISES, start=1):
        applicant = Applicant.objects.filter(
            uscc=demo_uscc("91", ENTERPRISE_SERIAL + index)
        ).first()
        if applicant is not None:
            people.append((applicant, profiles.named_profile(name, place, index)))
    parks_by_code = {park.code: park for park in Park.objects.filter(zone=zone)}
    for enterprise, given in people:  # the zone's own: in its park, registered at its window
        park = parks_by_code.get(given.get("park"))
        if park is not None and enterprise.park_id != park.pk:
            enterprise.park = park
            enterprise.save(update_fields=["park", "updated_at"])
        enterprise.registered_zones.add(zone)
    generated = _generated_enterprises(zone, profiles.GENERATED)
    facts = profiles.generated_profiles(profiles.GENERATED)
    people += list(zip(generated, facts, strict=True))
    now = timezone.now()
    current, history = [], []
    for enterprise, given in people:
        stored = {
            name: profile_values.encode(name, value, park_codes=parks)
            for name, value in given.items()
        }
        size = derived_size_class(stored)
        values = [
            (name, value, FactSource.IMPORTED, IMPORT_BATCH) for name, value in stored.items()
        ]
        if size is not None:
            values.append(("size_class", size, FactSource.DERIVED, SIZE_RULES))
        for name, value, source, detail in values:
            common = {
                "enterprise": enterprise,
                "name": name,
                "source": source,
                "source_detail": detail,
                "as_of": AS_OF,
                "recorded_at": now,
            }
            current.append(EnterpriseFact(value=value, **common))
            history.append(FactChange(old_value=None, new_value=value, **common))
    EnterpriseFact.objects.bulk_create(current, batch_size=2000)
    FactChange.objects.bulk_create(history, batch_size=2000)


# -- policies ------------------------------------------------------------------------------


def _policies(zone: Zone) -> None:
    departments = {d.code: d for d in Department.objects.filter(zone=zone)}
    officers = {code: User.objects.get(username=name) for code, name in OFFICERS.items()}
    catalog = _catalog_items(zone)
    policies: dict[str, Policy] = {}
    for key, department, title, number, issuer, level, since, link, summary in texts.POLICIES:
        policies[key] = catalogue.policy_create(
            actor=officers[department],
            department=departments[department],
            title=title,
            doc_number=number,
            issuer=issuer,
            level=level,
            effective_from=since,
            interpretation_url=link,
            summary=summary,
            illustrative=True,
        )
    items: dict[str, PolicyItem] = {}
    for code, key, *_rest in texts.ITEMS:
        policy = policies[key]
        items[code] = catalogue.item_create(
            actor=_officer_of(policy, officers), policy=policy, code=code
        )
    for code, key, name, kind, way, beneficiary, condition, amount, words, extra in texts.ITEMS:
        policy = policies[key]
        officer = _officer_of(policy, officers)
        extra = dict(extra)
        excludes = [items[other] for other in extra.pop("excludes", [])]
        if "budget" in extra:
            extra["budget"] = Decimal(extra["budget"])
        draft = catalogue.version_save_draft(
            actor=officer,
            item=items[code],
            name=name,
            kind=kind,
            way=way,
            beneficiary=beneficiary,
            condition=condition,
            amount=amount,
            amount_text=words,
            effective_from=policy.effective_from,
            excludes=excludes,
            catalog_item=catalog.get(CATALOG_ITEMS.get(code, "")),
            **extra,
        )
        catalogue.version_publish(actor=officer, version=draft)


def _catalog_items(zone: Zone) -> dict[str, Item]:
    """The catalog items (by name) that 快申快享 / 依申请 items run as."""
    versions = ItemVersion.objects.published().filter(
        item__zone=zone, name__in=set(CATALOG_ITEMS.values())
    )
    return {version.name: version.item for version in versions.select_related("item")}


def _officer_of(policy: Policy, officers: dict[str, User]) -> User:
    return officers[policy.department.code]


# -- redemptions along their way -----------------------------------------------------------


def _stories(zone: Zone) -> None:
    """A few matches taken further: confirmed, publicised, paid, one clawed back."""
    matching.run_schedule(zone=zone)
    officer = User.objects.get(username="policy")
    pending = list(
        Redemption.objects.filter(
            zone=zone, status=RedemptionStatus.PENDING, enterprise__users__isnull=False
        )
        .exclude(enterprise__users__username="enterprise")
        .distinct()
        .select_related("enterprise", "version")
        .order_by("number")
    )
    confirmed = []
    for index, redemption in enumerate(pending[:12]):
        user = redemption.enterprise.users.order_by("pk").first()
        if user is None:
            continue
        if index % 6 == 5:
            redemptions.redemption_decline(redemption, actor=user, reason="本年度已享受同类支持")
            continue
        confirmed.append(
            redemptions.redemption_confirm(
                redemption,
                actor=user,
                account_name=redemption.enterprise.name,
                bank="示范银行开发区支行",
                account_number=f"62220200{redemption.enterprise_id:010d}",
                statement=True,
            )
        )
    today = timezone.localdate()
    _publicise(confirmed, today)
    for index, redemption in enumerate(confirmed):
        redemption.refresh_from_db()
        if redemption.version.requires_publicity or index % 3:
            continue
        payment = redemptions.redemption_pay(
            redemption, actor=officer, voucher=f"SFQ-ZF-{today:%Y%m}-{index + 1:04d}", paid_on=today
        )
        if index == 0:
            redemptions.redemption_claw_back(
                payment.redemption,
                actor=officer,
                amount=payment.amount,
                voucher=f"SFQ-ZH-{today:%Y%m}-0001",
                paid_on=today,
                reason="核查发现上年度研发费用重复申报，依规追回",
            )


def _publicise(confirmed: list[Redemption], today: dt.date) -> None:
    """The confirmed redemptions of items that ask for 公示 go on one list per item."""
    by_version: dict[int, list[Redemption]] = {}
    for redemption in confirmed:
        if redemption.version.requires_publicity:
            by_version.setdefault(redemption.version_id, []).append(redemption)
    for rows in by_version.values():
        version = rows[0].version
        officer = User.objects.get(username=OFFICERS[version.item.policy.department.code])
        redemptions.publicity_open(
            version, actor=officer, numbers=[row.number for row in rows], on=today
        )


def _summary(zone: Zone) -> PolicySummary:
    summary = PolicySummary(
        policies=Policy.objects.filter(zone=zone).count(),
        items=PolicyItem.objects.filter(zone=zone).count(),
        profiles=EnterpriseFact.objects.filter(name="industry_code")
        .values("enterprise")
        .distinct()
        .count(),
    )
    for status in RedemptionStatus:
        count = Redemption.objects.filter(zone=zone, status=status).count()
        if count:
            summary.by_status[status] = count
    return summary
