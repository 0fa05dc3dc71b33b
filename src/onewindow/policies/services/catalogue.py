"""The policy catalogue: policies (政策文件), their redeemable items (兑现事项) and the items'
versions (draft → published → retired), written by the policy officers (政策专员) of the
policy's department.

Versions and dates. Publishing a version makes it judge every day from its ``effective_from``.
The version before it stays published: ``services.common.version_in_force`` picks, for a day,
the latest effective version whose span covers it, so the old version keeps the days before the
new date and is superseded from it. Two published (or retired) versions of an item never share
an ``effective_from`` (a day has one judge). Retiring ends a version's span (``effective_until``,
by default yesterday) without moving any other version.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.catalog.constants import VersionStatus
from onewindow.catalog.models import Item as CatalogItem
from onewindow.core.audit import audit_append
from onewindow.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from onewindow.core.inputs import text_problem
from onewindow.core.locks import lock_row
from onewindow.core.transitions import transition
from onewindow.org.models import Department, User
from onewindow.policies.constants import (
    CASE_WAYS,
    VERSION_TRANSITIONS,
    Event,
    ItemKind,
    PolicyLevel,
    RedemptionWay,
    VersionAction,
)
from onewindow.policies.facts import FACTS_BY_NAME
from onewindow.policies.models import Policy, PolicyItem, PolicyItemVersion
from onewindow.policies.permissions import can_manage_policy, officer_department_ids
from onewindow.policies.rules.language import RuleError, parse_amount, parse_condition
from onewindow.policies.signals_catalogue import version_published

POLICY_OBJECT = "policies.policy"
ITEM_OBJECT = "policies.item"
VERSION_OBJECT = "policies.version"

#: An item code: letters, digits and hyphens (``ZC-2026-001``), at most 40 characters.
ITEM_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,39}$")
MAX_MATERIALS = 30
MAX_TIME_LIMIT_DAYS = 365
MAX_PUBLICITY_DAYS = 30


def _line(value: Any) -> str:
    """A one-line text as typed, NFKC-folded (full-width letters and digits), single-spaced."""
    return " ".join(unicodedata.normalize("NFKC", str(value or "")).split())


def _text(value: Any) -> str:
    text = unicodedata.normalize("NFC", str(value or ""))
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


class _Problems(dict):
    """Field → messages; each message names its field in words."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(str(message))

    def text(self, field: str, value: str, label: str, limit: int, *, required: bool) -> None:
        problem = text_problem(value)
        if problem is not None:
            self.add(field, f"{label}：{problem}")
        elif required and not value:
            self.add(field, _("%(label)s：请填写") % {"label": label})
        elif len(value) > limit:
            self.add(
                field,
                _("%(label)s：不能超过 %(limit)s 个字") % {"label": label, "limit": limit},
            )

    def raise_any(self) -> None:
        if self:
            raise ValidationFailed(next(iter(self.values()))[0], fields=dict(self))


def _date(value: Any, problems: _Problems, field: str, label: str, *, required: bool):
    if value in (None, ""):
        if required:
            problems.add(field, _("%(label)s：请填写") % {"label": label})
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(_line(value))
    except ValueError:
        problems.add(field, _("%(label)s：须为日期（年-月-日）") % {"label": label})
        return None


def _audit(event: str, actor: User, object_type: str, object_id, data: dict) -> None:
    audit_append(
        action=event,
        actor=actor.get_username(),
        actor_id=actor.pk,
        object_type=object_type,
        object_id=object_id,
        data=data,
    )


# -- policies --------------------------------------------------------------------------------


def _refuse_department(actor: User, department: Department | None) -> None:
    departments = officer_department_ids(actor)
    if not departments:
        raise Forbidden(_("只有政策专员可以维护政策"), code="not_permitted")
    if department is not None and (
        department.pk not in departments or department.zone_id != actor.zone_id
    ):
        raise Forbidden(_("只能维护本人所在部门的政策"), code="not_permitted")


def _policy_fields(actor: User, policy: Policy | None, values: Mapping[str, Any]) -> dict:
    problems = _Problems()
    fields = {
        "title": _line(values.get("title")),
        "doc_number": _line(values.get("doc_number")),
        "issuer": _line(values.get("issuer")),
        "summary": _text(values.get("summary")),
        "interpretation_url": _line(values.get("interpretation_url")),
        "illustrative": bool(values.get("illustrative")),
    }
    problems.text("title", fields["title"], _("政策名称"), 200, required=True)
    problems.text("doc_number", fields["doc_number"], _("文号"), 100, required=True)
    problems.text("issuer", fields["issuer"], _("发文机关"), 200, required=True)
    problems.text("summary", fields["summary"], _("政策摘要"), 4000, required=False)
    level = values.get("level")
    if level not in PolicyLevel.values:
        problems.add("level", _("政策层级：请选择国家级、省级、市级或区级"))
    fields["level"] = level
    url = fields["interpretation_url"]
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            problems.add("interpretation_url", _("政策解读链接：须为 http 或 https 网址"))
        if len(url) > 200:
            problems.add("interpretation_url", _("政策解读链接：不能超过 200 个字符"))
    fields["effective_from"] = _date(
        values.get("effective_from"), problems, "effective_from", _("生效日期"), required=True
    )
    fields["expires_on"] = _date(
        values.get("expires_on"), problems, "expires_on", _("失效日期"), required=False
    )
    if (
        fields["effective_from"]
        and fields["expires_on"]
        and fields["expires_on"] < fields["effective_from"]
    ):
        problems.add("expires_on", _("失效日期：不能早于生效日期"))
    if fields["doc_number"] and "doc_number" not in problems:
        taken = Policy.objects.filter(zone_id=actor.zone_id, doc_number=fields["doc_number"])
        if policy is not None:
            taken = taken.exclude(pk=policy.pk)
        if taken.exists():
            problems.add(
                "doc_number",
                _("文号：本开发区已有文号为“%(number)s”的政策") % {"number": fields["doc_number"]},
            )
    department = values.get("department")
    if department is None:
        problems.add("department", _("负责部门：请选择"))
    problems.raise_any()
    fields["department"] = department
    return fields


@transaction.atomic
def policy_create(*, actor: User, **values: Any) -> Policy:
    """A new policy of one of ``actor``'s departments, in the actor's zone. ``values``:
    department, title, doc_number (文号, unique in the zone), issuer, level, effective_from,
    expires_on (not before effective_from), interpretation_url, summary, illustrative."""
    _refuse_department(actor, None)
    fields = _policy_fields(actor, None, values)
    _refuse_department(actor, fields["department"])
    policy = Policy.objects.create(zone_id=actor.zone_id, created_by=actor, **fields)
    _audit(
        Event.POLICY_CREATED,
        actor,
        POLICY_OBJECT,
        policy.pk,
        {"doc_number": policy.doc_number, "department": fields["department"].code},
    )
    return policy


@transaction.atomic
def policy_update(*, actor: User, policy: Policy, **values: Any) -> Policy:
    """Change a policy the actor manages (its old and its new department are the actor's)."""
    if not can_manage_policy(actor, policy):
        raise NotFound(_("没有找到该政策"), code="policy_not_found")
    policy = lock_row(Policy, pk=policy.pk)
    fields = _policy_fields(actor, policy, values)
    _refuse_department(actor, fields["department"])
    changed = sorted(name for name, value in fields.items() if getattr(policy, name) != value)
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.save()
    _audit(Event.POLICY_CHANGED, actor, POLICY_OBJECT, policy.pk, {"changed": changed})
    return policy


# -- items -----------------------------------------------------------------------------------


def normalise_item_code(code: Any) -> str:
    """``" zc－2026－001 "`` → ``"ZC-2026-001"`` (NFKC, upper case, no spaces)."""
    return "".join(unicodedata.normalize("NFKC", str(code or "")).split()).upper()


@transaction.atomic
def item_create(*, actor: User, policy: Policy, code: str) -> PolicyItem:
    """A new redeemable item of ``policy``; its code is unique in the zone. Its first
    version is then drafted with :func:`version_save_draft`."""
    if not can_manage_policy(actor, policy):
        raise NotFound(_("没有找到该政策"), code="policy_not_found")
    code = normalise_item_code(code)
    if not code:
        raise ValidationFailed.for_field("code", _("事项编码：请填写"))
    if not ITEM_CODE_RE.match(code):
        raise ValidationFailed.for_field(
            "code", _("事项编码：只能由字母、数字和“-”组成，2 至 40 个字符")
        )
    if PolicyItem.objects.filter(zone_id=policy.zone_id, code=code).exists():
        raise ValidationFailed.for_field(
            "code", _("事项编码：本开发区已有编码为“%(code)s”的事项") % {"code": code}
        )
    item = PolicyItem.objects.create(policy=policy, zone_id=policy.zone_id, code=code)
    _audit(Event.ITEM_CREATED, actor, ITEM_OBJECT, item.pk, {"code": code, "policy": policy.pk})
    return item


def _managed_item(actor: User, item: PolicyItem) -> PolicyItem:
    if not can_manage_policy(actor, item.policy):
        raise NotFound(_("没有找到该兑现事项"), code="item_not_found")
    return lock_row(PolicyItem, pk=item.pk, related=("policy",))


# -- drafts ----------------------------------------------------------------------------------


def _materials(raw: Any, problems: _Problems) -> list[dict]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, (list, tuple)):
        problems.add("materials", _("所需材料：须为列表"))
        return []
    if len(raw) > MAX_MATERIALS:
        problems.add("materials", _("所需材料：至多 %(n)s 项") % {"n": MAX_MATERIALS})
    materials = []
    for index, entry in enumerate(raw, start=1):
        if not isinstance(entry, Mapping):
            problems.add("materials", _("所需材料第 %(n)s 项：须含名称") % {"n": index})
            continue
        name = _line(entry.get("name"))
        fact = entry.get("fact") or None
        if not name or text_problem(name) is not None or len(name) > 100:
            problems.add(
                "materials", _("所需材料第 %(n)s 项：名称须为 1 至 100 个字") % {"n": index}
            )
        if fact is not None and fact not in FACTS_BY_NAME:
            problems.add(
                "materials",
                _("所需材料第 %(n)s 项：没有名为“%(fact)s”的企业信息项")
                % {"n": index, "fact": fact},
            )
        materials.append({"name": name, "fact": fact})
    return materials


def _small_int(value: Any, problems, field: str, label: str, low: int, high: int) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        problems.add(
            field,
            _("%(label)s：须为 %(low)s 至 %(high)s 的整数")
            % {"label": label, "low": low, "high": high},
        )
        return None
    return number


def _draft_fields(item: PolicyItem, values: Mapping[str, Any]) -> tuple[dict, list]:
    problems = _Problems()
    fields: dict[str, Any] = {
        "name": _line(values.get("name")),
        "beneficiary": _line(values.get("beneficiary")),
        "amount_text": _line(values.get("amount_text")),
        "stacking_note": _line(values.get("stacking_note")),
        "requires_publicity": bool(values.get("requires_publicity")),
    }
    problems.text("name", fields["name"], _("事项名称"), 200, required=True)
    problems.text("beneficiary", fields["beneficiary"], _("支持对象"), 300, required=True)
    problems.text("amount_text", fields["amount_text"], _("支持标准说明"), 300, required=False)
    problems.text("stacking_note", fields["stacking_note"], _("叠加规则"), 300, required=False)
    kind, way = values.get("kind"), values.get("way")
    if kind not in ItemKind.values:
        problems.add("kind", _("类别：请选择减免、奖补、权益或资质"))
    if way not in RedemptionWay.values:
        problems.add("way", _("兑现方式：请选择免申即享、快申快享或依申请"))
    fields["kind"], fields["way"] = kind, way

    condition = values.get("condition")
    try:
        parse_condition(condition)
    except RuleError as error:
        problems.add("condition", _("申报条件：%(error)s") % {"error": error})
    fields["condition"] = condition
    amount = values.get("amount")
    try:
        parse_amount(amount)
    except RuleError as error:
        problems.add("amount", _("支持标准：%(error)s") % {"error": error})
    fields["amount"] = amount
    fields["materials"] = _materials(values.get("materials"), problems)
    fields["time_limit_days"] = _small_int(
        values.get("time_limit_days", 60),
        problems,
        "time_limit_days",
        _("兑现时限（工作日）"),
        1,
        MAX_TIME_LIMIT_DAYS,
    )
    fields["publicity_days"] = _small_int(
        values.get("publicity_days", 5),
        problems,
        "publicity_days",
        _("公示期（工作日）"),
        1,
        MAX_PUBLICITY_DAYS,
    )
    budget = values.get("budget")
    if budget in (None, ""):
        fields["budget"] = None
    else:
        try:
            fields["budget"] = Decimal(_line(budget)).quantize(Decimal("0.01"))
            if fields["budget"] < 0 or fields["budget"] >= Decimal("1e12"):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            problems.add("budget", _("预算（万元）：须为不小于 0 的金额"))

    catalog_item = values.get("catalog_item")
    if way in CASE_WAYS and catalog_item is None:
        problems.add("catalog_item", _("对应办理事项：快申快享和依申请的事项须选择对应的办理事项"))
    elif way == RedemptionWay.AUTOMATIC and catalog_item is not None:
        problems.add("catalog_item", _("对应办理事项：免申即享的事项不经办理，不能选择办理事项"))
    elif catalog_item is not None and (
        not isinstance(catalog_item, CatalogItem) or catalog_item.zone_id != item.zone_id
    ):
        problems.add("catalog_item", _("对应办理事项：不是本开发区的办理事项"))
    fields["catalog_item"] = catalog_item

    excludes = list(values.get("excludes") or ())
    for other in excludes:
        if not isinstance(other, PolicyItem) or other.zone_id != item.zone_id:
            problems.add("excludes", _("不可同时享受：只能选择本开发区的兑现事项"))
            break
        if other.pk == item.pk:
            problems.add("excludes", _("不可同时享受：不能选择本事项自身"))
            break

    start = _date(
        values.get("effective_from"), problems, "effective_from", _("生效日期"), required=True
    )
    until = _date(
        values.get("effective_until"), problems, "effective_until", _("截止日期"), required=False
    )
    policy = item.policy
    if start and start < policy.effective_from:
        problems.add(
            "effective_from",
            _("生效日期：不能早于政策的生效日期 %(date)s") % {"date": policy.effective_from},
        )
    if start and until and until < start:
        problems.add("effective_until", _("截止日期：不能早于生效日期"))
    if until and policy.expires_on and until > policy.expires_on:
        problems.add(
            "effective_until",
            _("截止日期：不能晚于政策的失效日期 %(date)s") % {"date": policy.expires_on},
        )
    fields["effective_from"], fields["effective_until"] = start, until
    problems.raise_any()
    return fields, excludes


@transaction.atomic
def version_save_draft(*, actor: User, item: PolicyItem, **values: Any) -> PolicyItemVersion:
    """Save the item's draft (create it, numbered after the last version, when there is
    none). The condition and amount must parse (``policies.rules.language``): a ``RuleError``
    is shown on the condition (or amount) field with the clause it names. ``excludes`` are
    items of the zone; ``catalog_item`` is required for 快申快享 / 依申请, refused for 免申即享;
    ``materials`` are ``{"name", "fact"}`` with ``fact`` a catalogue name or None."""
    item = _managed_item(actor, item)
    fields, excludes = _draft_fields(item, values)
    draft = item.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is None:
        last = item.versions.aggregate(last=Max("number"))["last"] or 0
        draft = PolicyItemVersion(item=item, number=last + 1, created_by=actor)
    for name, value in fields.items():
        setattr(draft, name, value)
    draft.save()
    draft.excludes.set(excludes)
    _audit(
        Event.VERSION_SAVED,
        actor,
        VERSION_OBJECT,
        draft.pk,
        {"key": draft.key, "content_hash": draft.content_hash},
    )
    return draft


@transaction.atomic
def version_new_draft(*, actor: User, item: PolicyItem) -> PolicyItemVersion:
    """A draft copied from the item's latest published version, numbered after the last;
    its effective date is today (or the day after the copied version's, when that is later)."""
    item = _managed_item(actor, item)
    if item.versions.filter(status=VersionStatus.DRAFT).exists():
        raise Conflict(_("该事项已有草稿，请先编辑或发布草稿"), code="draft_exists")
    source = item.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()
    if source is None:
        raise Conflict(_("该事项没有已发布的版本可供复制"), code="nothing_published")
    last = item.versions.aggregate(last=Max("number"))["last"] or 0
    start = max(timezone.localdate(), source.effective_from + dt.timedelta(days=1))
    until = source.effective_until
    draft = PolicyItemVersion.objects.create(
        item=item,
        number=last + 1,
        status=VersionStatus.DRAFT,
        name=source.name,
        kind=source.kind,
        way=source.way,
        beneficiary=source.beneficiary,
        condition=source.condition,
        amount=source.amount,
        amount_text=source.amount_text,
        materials=source.materials,
        time_limit_days=source.time_limit_days,
        stacking_note=source.stacking_note,
        budget=source.budget,
        requires_publicity=source.requires_publicity,
        publicity_days=source.publicity_days,
        catalog_item=source.catalog_item,
        effective_from=start,
        effective_until=until if until and until >= start else None,
        created_by=actor,
    )
    draft.excludes.set(source.excludes.all())
    _audit(
        Event.VERSION_SAVED,
        actor,
        VERSION_OBJECT,
        draft.pk,
        {"key": draft.key, "copied_from": source.key, "content_hash": draft.content_hash},
    )
    return draft


# -- publishing and retiring -----------------------------------------------------------------


def _locked_version(actor: User, version: PolicyItemVersion) -> PolicyItemVersion:
    # The item row is the lock every version change of the item takes first.
    _managed_item(actor, version.item)
    return lock_row(PolicyItemVersion, pk=version.pk, related=("item", "item__policy"))


@transaction.atomic
def version_publish(*, actor: User, version: PolicyItemVersion) -> PolicyItemVersion:
    """Publish a draft: it judges every day from its ``effective_from`` (any date; the
    version before it keeps the days before, see the module's docstring). Refused when
    another published or retired version of the item has the same effective date.
    ``signals_catalogue.version_published`` is sent once the transaction commits."""
    version = _locked_version(actor, version)
    VERSION_TRANSITIONS.target(version.status, VersionAction.PUBLISH)
    problems = _Problems()
    try:
        parse_condition(version.condition)
    except RuleError as error:
        problems.add("condition", _("申报条件：%(error)s") % {"error": error})
    try:
        parse_amount(version.amount)
    except RuleError as error:
        problems.add("amount", _("支持标准：%(error)s") % {"error": error})
    clash = (
        PolicyItemVersion.objects.filter(
            item_id=version.item_id,
            effective_from=version.effective_from,
            status__in=(VersionStatus.PUBLISHED, VersionStatus.RETIRED),
        )
        .exclude(pk=version.pk)
        .first()
    )
    if clash is not None:
        problems.add(
            "effective_from",
            _("生效日期：第 %(number)s 版已于 %(date)s 生效，同一天只能有一个版本生效")
            % {"number": clash.number, "date": version.effective_from},
        )
    problems.raise_any()
    version.published_at = timezone.now()
    transition(
        version,
        VersionAction.PUBLISH,
        table=VERSION_TRANSITIONS,
        event=Event.VERSION_PUBLISHED,
        object_type=VERSION_OBJECT,
        object_id=version.pk,
        actor=actor.get_username(),
        actor_id=actor.pk,
        data={
            "key": version.key,
            "effective_from": version.effective_from.isoformat(),
            "content_hash": version.content_hash,
        },
        fields=["published_at"],
    )
    payload = {
        "version_id": version.pk,
        "item_id": version.item_id,
        "zone_id": version.item.zone_id,
        "way": version.way,
        "effective_from": version.effective_from,
    }
    transaction.on_commit(
        lambda: version_published.send(sender=PolicyItemVersion, **payload), robust=False
    )
    return version


@transaction.atomic
def version_retire(
    *, actor: User, version: PolicyItemVersion, effective_until: dt.date | str | None = None
) -> PolicyItemVersion:
    """Retire a published version: its span ends on ``effective_until`` (by default
    yesterday; never before the day before it took effect, so it covers no day at all at
    the least). Redemptions it judged keep it."""
    version = _locked_version(actor, version)
    VERSION_TRANSITIONS.target(version.status, VersionAction.RETIRE)
    problems = _Problems()
    earliest = version.effective_from - dt.timedelta(days=1)
    until = _date(effective_until, problems, "effective_until", _("截止日期"), required=False)
    problems.raise_any()
    if until is None:
        until = max(timezone.localdate() - dt.timedelta(days=1), earliest)
    elif until < earliest:
        raise ValidationFailed.for_field(
            "effective_until",
            _("截止日期：不能早于 %(date)s（生效日期的前一天）") % {"date": earliest},
        )
    if version.effective_until is not None and until > version.effective_until:
        raise ValidationFailed.for_field(
            "effective_until",
            _("截止日期：不能晚于原定截止日期 %(date)s") % {"date": version.effective_until},
        )
    version.effective_until = until
    version.retired_at = timezone.now()
    transition(
        version,
        VersionAction.RETIRE,
        table=VERSION_TRANSITIONS,
        event=Event.VERSION_RETIRED,
        object_type=VERSION_OBJECT,
        object_id=version.pk,
        actor=actor.get_username(),
        actor_id=actor.pk,
        data={"key": version.key, "effective_until": until.isoformat()},
        fields=["effective_until", "retired_at"],
    )
    return version
