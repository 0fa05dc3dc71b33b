"""The demo zone's e-certificates (电子证照): its signing key, the certified facts its
deciders give at approval, and the certificates its applicants already hold.

- :func:`ensure_signing_key`: the zone's Ed25519 key, generated once (a new one when the
  active key's private file has gone, e.g. a fresh ``ONEWINDOW_VAR_DIR`` on an old
  database).
- :func:`facts_for`: plausible values for every fact of a certificate type that does not
  fill itself (the holder's name and code, the dates and the number do), taken from the
  application form where it has a valid value, else made up by key (seeded: the same
  case gets the same facts every time).
- :func:`issue_wallets`: the certificates the demo's enterprises, person and foreigner
  were issued years before the demo's 40 days (营业执照 of every enterprise, 不动产权证书
  and 建设工程规划许可证 of some, the foreigner's work permit), so that their applications
  show materials filled from the wallet (免提交); with one revoked (注销) and one expired
  certificate, the states a verifier must see.

Every certificate is issued through ``certificates.services.certificate_issue`` (signed,
audited) like the ones the demo cases' approvals issue.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from onewindow.certificates.facts import DATE_KEYS, NUMBER_KEYS, holder_facts
from onewindow.certificates.keys import active_key, key_generate, key_rotate, private_key_path
from onewindow.certificates.models import (
    Certificate,
    CertificateStatus,
    CertificateType,
    KeyStatus,
    SigningKey,
)
from onewindow.certificates.services import certificate_issue, certificate_revoke
from onewindow.demo.catalog_data import CERTIFICATE_TYPES
from onewindow.demo.org_data import demo_uscc
from onewindow.org.constants import ApplicantKind
from onewindow.org.models import Applicant, Department, User, Zone

ZONE_PLACE = "示范经济技术开发区"
DEFAULT_ADDRESS = "示范经济技术开发区示范大道 1 号"
#: 个体工商户 get a USCC with registration code 92; serials above the enterprises' own.
SOLE_TRADER_SERIAL = 5000

TEXT_VALUES: dict[str, list[str]] = {
    "entity_type": [
        "有限责任公司（自然人投资或控股）",
        "有限责任公司（法人独资）",
        "股份有限公司（非上市、自然人投资或控股）",
    ],
    "business_scope": [
        "技术开发、技术咨询、技术服务；货物进出口；技术进出口",
        "食品销售；餐饮服务；日用百货销售",
        "普通货物仓储服务；国际货物运输代理；供应链管理服务",
        "第二类医疗器械销售；医疗设备租赁；技术服务",
    ],
    "main_format": ["餐饮服务经营者", "食品销售经营者", "单位食堂"],
    "business_items": [
        "热食类食品制售；冷食类食品制售",
        "预包装食品销售（含冷藏冷冻食品）；散装食品销售",
        "热食类食品制售；自制饮品制售",
    ],
    "food_category": ["糕点", "饮料", "速冻食品", "调味品"],
    "business_mode": ["零售", "批发"],
    "equipment_category": ["电梯", "压力容器", "起重机械", "场（厂）内专用机动车辆"],
    "residence_purpose": ["工作"],
    "issue_place": ["江苏"],
    "trade": ["旅馆业", "公章刻制业"],
    "tax_office": ["国家税务总局示范经济技术开发区税务局"],
    "construction_scale": ["总建筑面积约 2.6 万平方米", "总建筑面积约 4.8 万平方米"],
    "land_location": ["示范经济技术开发区创新路以东、科技路以北", "示范经济技术开发区物流大道以南"],
    "land_use": ["工业用地", "仓储用地", "商务金融用地"],
    "right_type": ["国有建设用地使用权/房屋所有权"],
    "review_agency": ["示范市建设工程施工图审查中心"],
    "conclusion": ["合格"],
    "document_kind": ["报告表", "报告书"],
    "industry": ["汽车零部件及配件制造", "化学药品制剂制造", "糕点、面包制造"],
    "management": ["简化管理", "重点管理"],
    "licensed_scope": ["不带储存设施经营：汽油、柴油（闭杯闪点≤60℃）"],
    "use": ["餐饮", "宾馆", "商场"],
    "subjects": ["内科；外科；口腔科；医学影像科", "口腔科"],
    "licensed_items": ["X射线影像诊断", "口腔 X 射线影像诊断"],
    "supervisor": ["示范建设监理有限公司", "江南工程咨询监理有限公司"],
    "contractor": ["华泰建设工程有限公司", "润泽水务工程有限公司"],
    "position": ["研发总监", "高级工程师", "质量经理", "首席技术官"],
}
#: (low, high) of a number fact by key; ``land_area`` in 公顷 has decimals.
NUMBER_RANGES: dict[str, tuple[int, int]] = {
    "registered_capital": (100, 5000),
    "contract_price": (800, 26000),
    "building_area": (2000, 60000),
    "area": (80, 2400),
    "outlets": (1, 3),
    "daily_volume": (20, 480),
    "beds": (0, 60),
}


def ensure_signing_key(zone: Zone) -> SigningKey:
    """The zone's active signing key; generated once, rotated when its file has gone."""
    key = SigningKey.objects.filter(zone=zone, status=KeyStatus.ACTIVE).first()
    if key is None:
        return key_generate(zone=zone, actor="demo")
    if not private_key_path(key).exists():
        return key_rotate(zone=zone, actor="demo")
    return active_key(zone)


def certificate_type(zone: Zone, key: str) -> CertificateType:
    """The demo certificate type ``key`` of ``catalog_data.CERTIFICATE_TYPES``."""
    _name, department_code, serial, _years, _fields = CERTIFICATE_TYPES[key]
    department = Department.objects.get(zone=zone, code=department_code)
    return CertificateType.objects.get(code=f"{department.uscc}{serial:03d}")


# -- facts ---------------------------------------------------------------------------------


def _valid(kind: str, value: Any) -> bool:
    text = str(value).strip()
    if not text or len(text) > 500:
        return False
    if kind == "date":
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            return False
        return True
    if kind == "number":
        try:
            Decimal(text)
        except InvalidOperation:
            return False
        return bool(re.fullmatch(r"-?[0-9.]+", text))
    return True


def _short(name: str) -> str:
    """示范智造科技有限公司 → 示范智造科技."""
    return re.sub(r"(有限责任公司|股份有限公司|有限公司)$", "", name)


def _generate(
    key: str, label: str, kind: str, *, holder: Applicant, form: dict, rng: random.Random
) -> str:
    address = holder.address or DEFAULT_ADDRESS
    if kind == "date":
        if key == "birth_date" and holder.kind == ApplicantKind.PERSON and holder.id_number:
            digits = holder.id_number[6:14]
            return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
        if key == "term_until":
            return dt.date(2060 + rng.randint(0, 15), 12, 31).isoformat()
        return dt.date(rng.randint(2008, 2022), rng.randint(1, 12), rng.randint(1, 28)).isoformat()
    if kind == "number":
        if key == "land_area" and "公顷" in label:
            return f"{rng.randint(10, 180) / 10:.1f}"
        if key == "land_area":
            return str(rng.randint(5000, 80000))
        low, high = NUMBER_RANGES.get(key, (1, 1000))
        return str(rng.randint(low, high))
    if key in ("address", "premises", "location", "project_address"):
        return address
    if key == "project_name":
        return f"{_short(holder.name)}新建厂房项目"
    if key in ("builder", "venue_name"):
        return holder.name
    if key == "holder_uscc":
        return demo_uscc("92", SOLE_TRADER_SERIAL + holder.pk)
    if key in ("legal_representative", "principal"):
        return holder.legal_representative or holder.name
    if key == "employer":
        return form.get("employer_name") or form.get("company_name") or holder.name
    if key == "passport_number":
        return (
            holder.passport_number
            or form.get("passport_number")
            or f"E{rng.randint(0, 99999999):08d}"
        )
    if key == "nationality":
        return form.get("nationality") or "德国"
    if key == "equipment_code":
        return f"3110{rng.randint(0, 999999):06d}{rng.randint(2015, 2025)}{rng.randint(1, 999):03d}"
    if key == "unit_number":
        parcel = f"{rng.randint(1, 99):03d}{rng.randint(1, 99):03d}"
        return f"320192{parcel}GB{rng.randint(1, 99999):05d}F00010001"
    if key == "category":
        return "B类" if "人员类别" in label else "生活污水、餐饮废水"
    if key in TEXT_VALUES:
        return rng.choice(TEXT_VALUES[key])
    return f"{label}（演示）"


def facts_for(
    certificate_type: CertificateType, *, holder: Applicant, form_data: dict | None, seed: str
) -> dict[str, str]:
    """The facts a demo decider gives when approving: every fact of the type that the
    holder, the dates and the number do not fill, valid for its type."""
    rng = random.Random(f"facts:{seed}")
    form = form_data or {}
    automatic = holder_facts(certificate_type, holder)
    facts: dict[str, str] = {}
    for field in certificate_type.fields:
        key, kind = field["key"], field.get("type") or "text"
        if key in DATE_KEYS or key in NUMBER_KEYS:
            continue
        if key == "name" and holder.kind != ApplicantKind.FOREIGNER and form.get("foreigner_name"):
            facts[key] = str(form["foreigner_name"])  # the worker, on the employer's permit
            continue
        if key in automatic:
            continue
        if form.get(key) is not None and _valid(kind, form[key]):
            facts[key] = str(form[key]).strip()
            continue
        facts[key] = _generate(key, field["label"], kind, holder=holder, form=form, rng=rng)
    return facts


# -- the certificates the demo's applicants already hold -----------------------------------


def _issue(
    zone: Zone, key: str, holder: Applicant, issued_on: dt.date, *, seed: str, **form
) -> Certificate:
    kind = certificate_type(zone, key)
    facts = facts_for(kind, holder=holder, form_data=form, seed=seed)
    if key == "yyzz":
        facts["established_on"] = issued_on.isoformat()
    return certificate_issue(
        certificate_type=kind, holder=holder, actor=None, facts=facts, issued_on=issued_on
    )


def issue_wallets(
    zone: Zone,
    *,
    enterprises: list[Applicant],
    demo: dict[str, Applicant],
    today: dt.date,
    administrator: User,
    rng: random.Random,
) -> dict[str, Certificate]:
    """Issue what the demo's applicants held before the demo's period (once, with the
    cases). Returns the notable ones: ``sample`` (the demo enterprise's 营业执照, valid),
    ``revoked`` and ``expired``."""

    def years_ago(low: int, high: int) -> dt.date:
        return today - dt.timedelta(days=rng.randint(low * 365, high * 365))

    enterprise = demo["enterprise"]
    notable = {
        "sample": _issue(zone, "yyzz", enterprise, years_ago(6, 8), seed="wallet:demo:yyzz"),
    }
    _issue(zone, "bdcq", enterprise, years_ago(4, 5), seed="wallet:demo:bdcq")
    _issue(zone, "gcgh", enterprise, years_ago(2, 3), seed="wallet:demo:gcgh")
    # 注销: a food licence the enterprise gave up when it closed its staff canteen.
    food = _issue(zone, "spjy", enterprise, years_ago(2, 3), seed="wallet:demo:spjy")
    notable["revoked"] = certificate_revoke(
        certificate=food,
        actor=administrator,
        reason="经营者申请注销：单位食堂已停止经营",
    )
    for index, holder in enumerate(enterprises):
        _issue(zone, "yyzz", holder, years_ago(2, 15), seed=f"wallet:{holder.pk}:yyzz")
        if index % 3 == 0:
            _issue(zone, "bdcq", holder, years_ago(1, 6), seed=f"wallet:{holder.pk}:bdcq")
        if index % 5 == 0:
            _issue(zone, "gcgh", holder, years_ago(1, 2), seed=f"wallet:{holder.pk}:gcgh")
    foreigner = demo["foreigner"]
    _issue(
        zone,
        "wrxk",
        foreigner,
        today - dt.timedelta(days=rng.randint(60, 150)),
        seed="wallet:foreigner:wrxk",
        employer_name=enterprise.name,
        position="研发总监",
    )
    # 已过期: the person's passport of 2015 (ten years) ran out last year.
    person = demo["person"]
    notable["expired"] = _issue(
        zone,
        "hz",
        person,
        dt.date(today.year - 11, today.month, min(today.day, 28)),
        seed="wallet:person:hz",
        passport_number="E61530472",
    )
    return notable


def sample_certificate(zone: Zone) -> Certificate | None:
    """A valid certificate to verify first: the demo enterprise's 营业执照."""
    enterprise = Applicant.objects.filter(users__username="enterprise").first()
    if enterprise is None:
        return None
    licences = Certificate.objects.filter(
        zone=zone,
        holder=enterprise,
        certificate_type=certificate_type(zone, "yyzz"),
        status=CertificateStatus.VALID,
    )
    return licences.order_by("issued_on", "pk").first()
