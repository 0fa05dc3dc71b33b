"""Writes of the item catalog: items and their versions, bundles (一件事).

Every write goes through here (admin, Excel import, demo data, API): one use-case per
function, each in a transaction, each appending an audit event.

Versions. ``item_create`` makes an item and its draft version 1. ``item_draft`` returns
the item's draft, or copies the published (else the newest) version into a new draft.
``item_draft_update`` edits a draft only. ``item_publish`` checks everything, retires the
previously published version and publishes the draft, under a lock on the item. A
published or retired version is never written again, nor are its materials, steps or
windows: cases keep pointing at exactly what the applicant was told.

Checks. A draft is always *consistent* (every element rule below holds for what it has),
but may be *incomplete*: the legal basis, the phones, at least one material and a valid
workflow are required only to publish. Errors name the field; element fields use their
``ItemVersion`` names, materials ``materials.<index>.<field>`` (index from 0, the message
says 第N项 from 1), the workflow ``steps``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.catalog.codes import validate_item_codes
from onewindow.catalog.constants import (
    DelegationLevel,
    DelegationStatus,
    HandlingKind,
    ItemType,
    MaterialMedium,
    MaterialSource,
    OnlineDepth,
    VersionStatus,
)
from onewindow.catalog.models import Bundle, BundleItem, Item, ItemVersion, Material, Step
from onewindow.catalog.search_keys import name_search_keys
from onewindow.catalog.workflow import StepSpec, step_field_errors, validate_workflow
from onewindow.certificates.models import CertificateType
from onewindow.core.audit import audit_append
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.org.models import Department, User, Window, Zone

SHANGHAI = ZoneInfo("Asia/Shanghai")


class CatalogAction:
    """Audit actions of the catalog (past tense)."""

    ITEM_CREATED = "catalog.item_created"
    ITEM_DRAFT_CREATED = "catalog.item_draft_created"
    ITEM_DRAFT_UPDATED = "catalog.item_draft_updated"
    ITEM_PUBLISHED = "catalog.item_published"
    ITEM_RETIRED = "catalog.item_retired"
    BUNDLE_CREATED = "catalog.bundle_created"
    BUNDLE_UPDATED = "catalog.bundle_updated"
    BUNDLE_PUBLISHED = "catalog.bundle_published"
    BUNDLE_WITHDRAWN = "catalog.bundle_withdrawn"


ELEMENT_FIELDS = (
    "name",
    "item_type",
    "department",
    "legal_basis",
    "legal_citations",
    "legal_limit_days",
    "promised_limit_days",
    "handling_kind",
    "acceptance_conditions",
    "fee_free",
    "fee_amount",
    "fee_basis",
    "required_visits",
    "online_depth",
    "delegated_from_level",
    "delegated_from_organ",
    "delegation_agreement_date",
    "delegation_status",
    "consultation_phone",
    "complaint_phone",
    "certificate_type",
    "result_name",
    "change_note",
)
TEXT_ELEMENTS = (
    "name",
    "legal_basis",
    "acceptance_conditions",
    "fee_basis",
    "delegated_from_organ",
    "consultation_phone",
    "complaint_phone",
    "result_name",
    "change_note",
)
MATERIAL_FIELDS = (
    "name",
    "required",
    "originals",
    "copies",
    "medium",
    "source",
    "certificate_type",
    "source_department",
    "notes",
    "tolerable",
    "commitment_allowed",
    "template",
    "sample",
)
STEP_FIELDS = ("key", "name", "kind", "role", "limit_days", "after", "department")
FORM_FIELD_TYPES = ("text", "textarea", "number", "date", "select")
BUNDLE_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
FORM_FIELD_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


# --- helpers ------------------------------------------------------------------------


class _Errors:
    """Problems collected field by field; raised together so a form shows them all."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(str(message))

    def merge(self, error: ValidationFailed) -> None:
        for field, messages in error.fields.items():
            for message in messages:
                self.add(field, message)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self) -> None:
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            raise ValidationFailed(first, fields=self.fields)


def _label(field: str) -> str:
    return str(ItemVersion._meta.get_field(field).verbose_name)


def _actor_fields(actor: User | None) -> dict[str, Any]:
    if actor is None:
        return {"actor": "system", "actor_id": ""}
    return {"actor": actor.get_username(), "actor_id": actor.pk}


def _today() -> dt.date:
    return timezone.now().astimezone(SHANGHAI).date()


def _whole_number(value: Any) -> int | None:
    """A non-negative whole number, or None when ``value`` is not one."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 32767:
        return None
    return value


# --- element checks -----------------------------------------------------------------


def _check_numbers(values: dict[str, Any], errors: _Errors) -> None:
    for field in ("legal_limit_days", "promised_limit_days", "required_visits"):
        value = values.get(field)
        if value is None:
            errors.add(field, _("{label}不能为空").format(label=_label(field)))
        elif _whole_number(value) is None:
            errors.add(field, _("{label}应为不小于0的整数").format(label=_label(field)))
            values[field] = None


def _check_limits(values: dict[str, Any], errors: _Errors) -> None:
    legal, promised = values.get("legal_limit_days"), values.get("promised_limit_days")
    kind = values.get("handling_kind")
    if kind not in HandlingKind.values:
        errors.add("handling_kind", _("办件类型应为即办件或承诺件"))
    if legal is None or promised is None:
        return
    if promised > legal:
        errors.add(
            "promised_limit_days",
            _("承诺办结时限（{promised}个工作日）不能超过法定办结时限（{legal}个工作日）").format(
                promised=promised, legal=legal
            ),
        )
    if kind == HandlingKind.IMMEDIATE and promised != 0:
        errors.add("promised_limit_days", _("即办件的承诺办结时限应为0个工作日"))
    if kind == HandlingKind.PROMISED and promised < 1:
        errors.add("promised_limit_days", _("承诺件的承诺办结时限应至少为1个工作日"))


def _check_fees(values: dict[str, Any], errors: _Errors) -> None:
    amount = values.get("fee_amount")
    if amount is not None and not isinstance(amount, Decimal):
        try:
            amount = Decimal(str(amount).strip())
        except InvalidOperation:
            errors.add("fee_amount", _("收费金额应为数字"))
            return
        values["fee_amount"] = amount
    if amount is not None:
        if not amount.is_finite():
            errors.add("fee_amount", _("收费金额应为数字"))
            return
        if amount.as_tuple().exponent < -2:  # type: ignore[operator]
            errors.add("fee_amount", _("收费金额最多保留两位小数"))
        elif amount >= Decimal("10000000000"):
            errors.add("fee_amount", _("收费金额过大"))
    if not isinstance(values.get("fee_free"), bool):
        errors.add("fee_free", _("是否收费应为是或否"))
        return
    if values["fee_free"]:
        if amount is not None:
            errors.add("fee_amount", _("不收费的事项不应填写收费金额"))
    else:
        if amount is None or amount <= 0:
            errors.add("fee_amount", _("收费事项的收费金额应大于0"))
        if not values.get("fee_basis"):
            errors.add("fee_basis", _("收费事项应填写收费依据"))


def _check_visits(values: dict[str, Any], errors: _Errors) -> None:
    depth, visits = values.get("online_depth"), values.get("required_visits")
    if depth not in OnlineDepth.values:
        errors.add("online_depth", _("网办深度应为Ⅰ级至Ⅳ级之一"))
        return
    if visits is None:
        return
    if visits == 0 and depth != OnlineDepth.FULLY_ONLINE:
        errors.add("online_depth", _("到办事现场次数为0（全程网办）时，网办深度应为Ⅳ级"))
    if depth == OnlineDepth.FULLY_ONLINE and visits != 0:
        errors.add("required_visits", _("网办深度为Ⅳ级（全程网办）时，到办事现场次数应为0"))
    if depth == OnlineDepth.ONE_VISIT and visits > 1:
        errors.add("required_visits", _("网办深度为Ⅲ级（最多跑一次）时，到办事现场次数不能超过1次"))


def _check_delegation(values: dict[str, Any], errors: _Errors) -> None:
    level = values.get("delegated_from_level") or ""
    status = values.get("delegation_status") or ""
    if level not in DelegationLevel.values:
        errors.add("delegated_from_level", _("赋权来源层级应为省级、市级或县（区）级"))
        return
    if status and status not in DelegationStatus.values:
        errors.add("delegation_status", _("承接状态应为已承接或未承接"))
    if level:
        if not values.get("delegated_from_organ"):
            errors.add("delegated_from_organ", _("赋权事项应填写赋权来源机关"))
        if values.get("delegation_agreement_date") is None:
            errors.add("delegation_agreement_date", _("赋权事项应填写赋权协议日期"))
        elif not isinstance(values["delegation_agreement_date"], dt.date):
            errors.add("delegation_agreement_date", _("赋权协议日期应为日期"))
        if not status:
            errors.add("delegation_status", _("赋权事项应填写承接状态"))
    elif (
        values.get("delegated_from_organ")
        or values.get("delegation_agreement_date") is not None
        or status
    ):
        errors.add(
            "delegated_from_level",
            _("未选择赋权来源层级时，赋权来源机关、赋权协议日期和承接状态应为空"),
        )


def _check_elements(
    values: dict[str, Any], *, zone: Zone, codes: tuple[str, str], publish: bool
) -> None:
    """Every element rule over ``values`` (normalised in place); raises with all problems."""
    errors = _Errors()
    for field in TEXT_ELEMENTS:
        value = values.get(field)
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors.add(field, _("{label}应为文字").format(label=_label(field)))
            value = ""
        values[field] = value.strip()
        limit = ItemVersion._meta.get_field(field).max_length
        if limit and len(values[field]) > limit:
            errors.add(
                field, _("{label}不能超过{limit}字").format(label=_label(field), limit=limit)
            )
    if not values["name"]:
        errors.add("name", _("事项名称不能为空"))
    item_type = values.get("item_type")
    if item_type not in ItemType.values:
        errors.add(
            "item_type",
            _(
                "事项类型应为依申请事项的类型：行政许可、行政给付、行政确认、行政奖励、"
                "行政裁决、其他行政权力或公共服务"
            ),
        )
        item_type = None
    department = values.get("department")
    if department is None:
        errors.add("department", _("实施机关不能为空"))
    elif not isinstance(department, Department) or department.zone_id != zone.pk:
        errors.add("department", _("实施机关不属于该开发区"))
    elif not department.uscc:
        errors.add(
            "department",
            _("实施机关“{name}”尚未填写统一社会信用代码（实施编码的前18位）").format(
                name=department.name
            ),
        )
    else:
        try:
            validate_item_codes(
                implementation_code=codes[0],
                basic_code=codes[1],
                item_type=item_type,
                organ_uscc=department.uscc,
            )
        except ValidationFailed as error:
            errors.merge(error)
    citations = values.get("legal_citations")
    if citations is None:
        citations = []
    if not isinstance(citations, list | tuple) or not all(isinstance(c, str) for c in citations):
        errors.add("legal_citations", _("依据条款应为逐条列出的文字"))
    else:
        values["legal_citations"] = [c.strip() for c in citations if c.strip()]
    _check_numbers(values, errors)
    _check_limits(values, errors)
    _check_fees(values, errors)
    _check_visits(values, errors)
    _check_delegation(values, errors)
    certificate_type = values.get("certificate_type")
    if certificate_type is not None and not isinstance(certificate_type, CertificateType):
        errors.add("certificate_type", _("办理结果（证照）应为一种证照类型"))
    if publish:
        if not values["legal_basis"]:
            errors.add("legal_basis", _("设定依据不能为空"))
        if not values["consultation_phone"]:
            errors.add("consultation_phone", _("咨询电话不能为空（本区也未设置咨询电话）"))
        if not values["complaint_phone"]:
            errors.add("complaint_phone", _("投诉电话不能为空（本区也未设置投诉电话）"))
        if (
            certificate_type is not None
            and not CertificateType.objects.filter(pk=certificate_type.pk).exists()
        ):
            errors.add("certificate_type", _("办理结果对应的证照类型不存在"))
    errors.raise_if_any()


def _material_rows(materials: Sequence[dict], *, zone: Zone, publish: bool) -> list[dict]:
    """The materials checked and normalised (defaults filled in), in list order."""
    errors = _Errors()
    if publish and not materials:
        errors.add("materials", _("至少需要一项申请材料"))
    rows: list[dict] = []
    seen: dict[str, int] = {}
    for index, given in enumerate(materials):
        number = index + 1

        def add(field: str, message: str, number: int = number, index: int = index) -> None:
            errors.add(
                f"materials.{index}.{field}",
                _("第{n}项材料：{message}").format(n=number, message=message),
            )

        if not isinstance(given, dict):
            errors.add(f"materials.{index}", _("第{n}项材料应为字段表").format(n=number))
            continue
        unknown = sorted(set(given) - set(MATERIAL_FIELDS))
        if unknown:
            add(unknown[0], _("未知的材料字段“{field}”").format(field=unknown[0]))
            continue
        row = {
            "name": "",
            "required": True,
            "originals": 0,
            "copies": 0,
            "medium": MaterialMedium.BOTH,
            "source": MaterialSource.APPLICANT,
            "certificate_type": None,
            "source_department": None,
            "notes": "",
            "tolerable": False,
            "commitment_allowed": False,
        } | given
        for text in ("name", "notes"):
            row[text] = row[text].strip() if isinstance(row[text], str) else ""
        name = row["name"]
        if not name:
            add("name", _("材料名称不能为空"))
        elif len(name) > Material._meta.get_field("name").max_length:
            add("name", _("材料名称不能超过200字"))
        for flag in ("required", "tolerable", "commitment_allowed"):
            if not isinstance(row[flag], bool):
                add(
                    flag,
                    _("“{field}”应为是或否").format(
                        field=Material._meta.get_field(flag).verbose_name
                    ),
                )
        for count in ("originals", "copies"):
            if _whole_number(row[count]) is None:
                add(
                    count,
                    _("{label}应为不小于0的整数").format(
                        label=Material._meta.get_field(count).verbose_name
                    ),
                )
        if row["medium"] not in MaterialMedium.values:
            add("medium", _("材料形式应为纸质、电子或纸质或电子"))
        source = row["source"]
        if source not in MaterialSource.values:
            add("source", _("来源渠道无效"))
        certificate_type = row["certificate_type"]
        if certificate_type is not None and not isinstance(certificate_type, CertificateType):
            add("certificate_type", _("对应证照应为一种证照类型"))
        if source == MaterialSource.CERTIFICATE and certificate_type is None:
            add(
                "certificate_type",
                _("“{name}”来源为电子证照调取，应选择对应证照").format(name=name),
            )
        department = row["source_department"]
        if department is not None and (
            not isinstance(department, Department) or department.zone_id != zone.pk
        ):
            add("source_department", _("共享部门不属于该开发区"))
        if source == MaterialSource.DEPARTMENT and department is None:
            add(
                "source_department",
                _("“{name}”来源为部门共享，应选择共享部门").format(name=name),
            )
        if row["tolerable"] is True and row["required"] is False:
            add(
                "tolerable",
                _("“{name}”不是必要材料，容缺受理只适用于必要材料").format(name=name),
            )
        if row["commitment_allowed"] is True and row["required"] is False:
            add(
                "commitment_allowed",
                _("“{name}”不是必要材料，告知承诺只适用于必要材料").format(name=name),
            )
        if name:
            probe = Material(name=name)
            if isinstance(certificate_type, CertificateType):
                probe.certificate_type_id = certificate_type.pk
            key = probe.merge_key
            if key in seen:
                add("name", _("与第{m}项材料重复").format(m=seen[key] + 1))
            else:
                seen[key] = index
        rows.append(row)
    errors.raise_if_any()
    return rows


def _step_specs(steps: Sequence[dict], *, zone: Zone) -> list[StepSpec]:
    errors: list[str] = []
    specs: list[StepSpec] = []
    for index, given in enumerate(steps):
        number = index + 1
        if not isinstance(given, dict):
            errors.append(_("第{n}个环节应为字段表").format(n=number))
            continue
        unknown = sorted(set(given) - set(STEP_FIELDS))
        if unknown:
            errors.append(
                _("第{n}个环节：未知的环节字段“{field}”").format(n=number, field=unknown[0])
            )
            continue
        department = given.get("department")
        if department is not None and (
            not isinstance(department, Department) or department.zone_id != zone.pk
        ):
            errors.append(_("第{n}个环节：办理部门不属于该开发区").format(n=number))
            department = None
        after = given.get("after") or ()
        if isinstance(after, str) or not all(isinstance(key, str) for key in after):
            errors.append(_("第{n}个环节：前置环节应为环节编码的列表").format(n=number))
            after = ()
        specs.append(
            StepSpec(
                key=str(given.get("key") or "").strip(),
                name=str(given.get("name") or "").strip(),
                kind=given.get("kind") or "",
                role=given.get("role") or "",
                limit_days=given.get("limit_days", 0),
                after=tuple(key.strip() for key in after),
                department_id=department.pk if department is not None else None,
            )
        )
    errors += step_field_errors(specs)
    if errors:
        raise ValidationFailed(errors[0], fields={"steps": errors})
    return specs


def _check_windows(windows: Iterable[Window], *, zone: Zone) -> list[Window]:
    windows = list(windows)
    for window in windows:
        if not isinstance(window, Window) or window.zone_id != zone.pk:
            raise ValidationFailed.for_field(
                "windows", _("窗口“{window}”不属于该开发区").format(window=window)
            )
    return windows


# --- writing a draft --------------------------------------------------------------------


def _ensure_draft(version: ItemVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise Conflict(
            _("已发布的事项版本不可修改，请先创建新的草稿版本"), code="version_not_draft"
        )


def _version_values(version: ItemVersion) -> dict[str, Any]:
    return {field: getattr(version, field) for field in ELEMENT_FIELDS}


def _write_materials(version: ItemVersion, rows: list[dict]) -> None:
    version.materials.all().delete()
    Material.objects.bulk_create(
        Material(version=version, position=position, **row)
        for position, row in enumerate(rows, start=1)
    )


def _write_steps(version: ItemVersion, specs: list[StepSpec]) -> None:
    version.steps.all().delete()
    Step.objects.bulk_create(
        Step(
            version=version,
            position=position,
            key=spec.key,
            name=spec.name,
            kind=spec.kind,
            role=spec.role,
            limit_days=spec.limit_days,
            after=list(spec.after),
            department_id=spec.department_id,
        )
        for position, spec in enumerate(specs, start=1)
    )


def _unknown_elements(elements: dict) -> None:
    unknown = sorted(set(elements) - set(ELEMENT_FIELDS))
    if unknown:
        raise ValidationFailed.for_field(
            unknown[0], _("未知的事项要素“{field}”").format(field=unknown[0])
        )


def _apply(version: ItemVersion, values: dict[str, Any]) -> None:
    for field in ELEMENT_FIELDS:
        setattr(version, field, values[field])
    version.name_pinyin, version.name_initials = name_search_keys(version.name)


def _default_phones(values: dict[str, Any], zone) -> None:
    """Phones left empty default to the zone's consultation and complaint phones."""
    for field, default in (
        ("consultation_phone", zone.phone),
        ("complaint_phone", zone.complaint_phone),
    ):
        if values.get(field) is None or str(values[field]).strip() == "":
            values[field] = default


@transaction.atomic
def item_create(
    *,
    zone: Zone,
    implementation_code: str,
    basic_code: str,
    elements: dict,
    materials: Sequence[dict] = (),
    steps: Sequence[dict] = (),
    windows: Sequence[Window] = (),
    actor: User | None,
) -> ItemVersion:
    """Create an item and its draft version 1.

    Phones left empty default to the zone's consultation and complaint phones. Refuses an
    implementation code already used in the zone (``Conflict``).
    """
    _unknown_elements(elements)
    codes = (
        (implementation_code or "").strip().upper(),
        (basic_code or "").strip().upper(),
    )
    values: dict[str, Any] = {
        field: ItemVersion._meta.get_field(field).get_default() for field in ELEMENT_FIELDS
    }
    values.update({"department": None, "certificate_type": None, "fee_amount": None})
    values.update(elements)
    _default_phones(values, zone)
    _check_elements(values, zone=zone, codes=codes, publish=False)
    rows = _material_rows(list(materials), zone=zone, publish=False)
    specs = _step_specs(list(steps), zone=zone)
    windows = _check_windows(windows, zone=zone)
    taken = Conflict(
        _("本区已有实施编码为“{code}”的事项").format(code=codes[0]),
        code="item_code_taken",
        fields={
            "implementation_code": [_("本区已有实施编码为“{code}”的事项").format(code=codes[0])]
        },
    )
    if Item.objects.filter(zone=zone, implementation_code=codes[0]).exists():
        raise taken
    try:
        with transaction.atomic():
            item = Item.objects.create(zone=zone, implementation_code=codes[0], basic_code=codes[1])
    except IntegrityError:  # created by a concurrent request since the check above
        raise taken from None
    version = ItemVersion(item=item, version=1, status=VersionStatus.DRAFT, created_by=actor)
    _apply(version, values)
    version.save(force_insert=True)
    _write_materials(version, rows)
    _write_steps(version, specs)
    version.windows.set(windows)
    audit_append(
        action=CatalogAction.ITEM_CREATED,
        object_type="item",
        object_id=item.implementation_code,
        data={"version": 1, "name": version.name},
        **_actor_fields(actor),
    )
    return version


@transaction.atomic
def item_draft(*, item: Item, actor: User | None) -> ItemVersion:
    """The item's draft: the existing one, or a copy of the published (else newest) version."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    draft = item.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is not None:
        return draft
    source = (
        item.versions.filter(status=VersionStatus.PUBLISHED).first()
        or item.versions.order_by("-version").first()
    )
    number = (item.versions.aggregate(number=Max("version"))["number"] or 0) + 1
    draft = ItemVersion(item=item, version=number, status=VersionStatus.DRAFT, created_by=actor)
    if source is not None:
        _apply(draft, _version_values(source))
        draft.change_note = ""
    draft.save(force_insert=True)
    if source is not None:
        copied = [
            Material._meta.get_field(field).attname for field in (*MATERIAL_FIELDS, "position")
        ]
        Material.objects.bulk_create(
            Material(version=draft, **{field: getattr(material, field) for field in copied})
            for material in source.materials.all()
        )
        Step.objects.bulk_create(
            Step(
                version=draft,
                **{
                    field: getattr(step, field)
                    for field in ("position", "key", "name", "kind", "role", "limit_days")
                },
                after=list(step.after),
                department_id=step.department_id,
            )
            for step in source.steps.all()
        )
        draft.windows.set(source.windows.all())
    audit_append(
        action=CatalogAction.ITEM_DRAFT_CREATED,
        object_type="item",
        object_id=item.implementation_code,
        data={"version": number, "from_version": source.version if source else None},
        **_actor_fields(actor),
    )
    return draft


@transaction.atomic
def item_draft_update(
    *,
    version: ItemVersion,
    elements: dict | None = None,
    materials: Sequence[dict] | None = None,
    steps: Sequence[dict] | None = None,
    windows: Sequence[Window] | None = None,
    actor: User | None,
) -> ItemVersion:
    """Edit a draft; ``None`` keeps that part as it is. Published versions are refused."""
    # Locks in the order publishing takes them (item, then version), so an edit and a
    # publish of the same draft run one after the other: a publish never writes a version
    # whose new content it has not checked.
    Item.objects.select_for_update().get(pk=version.item_id)
    version = (
        ItemVersion.objects.select_for_update(of=("self",))
        .select_related("item__zone")
        .get(pk=version.pk)
    )
    _ensure_draft(version)
    item, zone = version.item, version.item.zone
    changed: list[str] = []
    if elements is not None:
        _unknown_elements(elements)
        values = _version_values(version) | dict(elements)
        _default_phones(values, zone)
        _check_elements(
            values,
            zone=zone,
            codes=(item.implementation_code, item.basic_code),
            publish=False,
        )
        _apply(version, values)
        changed = sorted(elements)
        version.save(update_fields=[*ELEMENT_FIELDS, "name_pinyin", "name_initials", "updated_at"])
    if materials is not None:
        _write_materials(version, _material_rows(list(materials), zone=zone, publish=False))
        changed.append("materials")
    if steps is not None:
        _write_steps(version, _step_specs(list(steps), zone=zone))
        changed.append("steps")
    if windows is not None:
        version.windows.set(_check_windows(windows, zone=zone))
        changed.append("windows")
    if changed:
        audit_append(
            action=CatalogAction.ITEM_DRAFT_UPDATED,
            object_type="item",
            object_id=item.implementation_code,
            data={"version": version.version, "changed": changed},
            **_actor_fields(actor),
        )
    return version


# --- publishing ---------------------------------------------------------------------


def _material_input(material: Material) -> dict[str, Any]:
    return {
        field: getattr(material, field)
        for field in MATERIAL_FIELDS
        if field not in ("template", "sample")
    }


def item_check(version: ItemVersion) -> None:
    """Every rule publishing applies, without writing (for a "check" button or import)."""
    item, zone = version.item, version.item.zone
    values = _version_values(version)
    _check_elements(
        values,
        zone=zone,
        codes=(item.implementation_code, item.basic_code),
        publish=True,
    )
    materials = list(version.materials.select_related("certificate_type", "source_department"))
    _material_rows([_material_input(m) for m in materials], zone=zone, publish=True)
    validate_workflow(
        [StepSpec.of(step) for step in version.steps.all()],
        promised_limit_days=version.promised_limit_days,
        handling_kind=version.handling_kind,
    )


@transaction.atomic
def item_publish(
    *, version: ItemVersion, actor: User | None, effective_from: dt.date | None = None
) -> ItemVersion:
    """Publish a draft: check everything, retire the published version, publish this one.

    The item row is locked first, so of two concurrent publishes one waits and then finds
    the version no longer a draft.
    """
    Item.objects.select_for_update().get(pk=version.item_id)
    version = (
        ItemVersion.objects.select_for_update(of=("self",))
        .select_related("item__zone", "department")
        .get(pk=version.pk)
    )
    if version.status != VersionStatus.DRAFT:
        raise Conflict(
            _("只有草稿版本可以发布，该版本（v{n}）{status}").format(
                n=version.version, status=version.get_status_display()
            ),
            code="version_not_draft",
        )
    item_check(version)
    now = timezone.now()
    previous = version.item.versions.filter(status=VersionStatus.PUBLISHED).first()
    if previous is not None:
        previous.status = VersionStatus.RETIRED
        previous.retired_at = now
        previous.save(update_fields=["status", "retired_at", "updated_at"])
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.effective_from = effective_from or _today()
    version.save(update_fields=["status", "published_at", "effective_from", "updated_at"])
    audit_append(
        action=CatalogAction.ITEM_PUBLISHED,
        object_type="item",
        object_id=version.item.implementation_code,
        data={
            "version": version.version,
            "retired_version": previous.version if previous else None,
            "effective_from": version.effective_from.isoformat(),
        },
        **_actor_fields(actor),
    )
    return version


@transaction.atomic
def item_retire(*, item: Item, actor: User | None) -> None:
    """Take the item off the catalog: its published version becomes retired."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    published = item.versions.filter(status=VersionStatus.PUBLISHED).first()
    if published is None:
        raise Conflict(_("该事项没有已发布的版本"), code="item_not_published")
    published.status = VersionStatus.RETIRED
    published.retired_at = timezone.now()
    published.save(update_fields=["status", "retired_at", "updated_at"])
    audit_append(
        action=CatalogAction.ITEM_RETIRED,
        object_type="item",
        object_id=item.implementation_code,
        data={"version": published.version},
        **_actor_fields(actor),
    )


# --- bundles ------------------------------------------------------------------------


def _check_form_fields(form_fields: Sequence[dict], errors: _Errors) -> list[dict]:
    cleaned: list[dict] = []
    seen: set[str] = set()
    for index, given in enumerate(form_fields):
        number = index + 1
        if not isinstance(given, dict):
            errors.add("form_fields", _("第{n}个表单字段应为字段表").format(n=number))
            continue
        key = str(given.get("key") or "").strip()
        label = str(given.get("label") or "").strip()
        kind = given.get("type") or "text"
        if not FORM_FIELD_KEY_RE.match(key):
            errors.add(
                "form_fields",
                _(
                    "第{n}个表单字段的编码“{key}”应以小写字母开头，只含小写字母、数字或下划线"
                ).format(n=number, key=key),
            )
        elif key in seen:
            errors.add("form_fields", _("表单字段编码“{key}”重复").format(key=key))
        seen.add(key)
        if not label:
            errors.add("form_fields", _("第{n}个表单字段的名称不能为空").format(n=number))
        if kind not in FORM_FIELD_TYPES:
            errors.add(
                "form_fields",
                _("第{n}个表单字段的类型“{type}”无效（应为 {types}）").format(
                    n=number, type=kind, types="、".join(FORM_FIELD_TYPES)
                ),
            )
        field = {
            "key": key,
            "label": label,
            "type": kind,
            "required": bool(given.get("required", False)),
        }
        if kind == "select":
            options = given.get("options")
            if (
                not isinstance(options, list)
                or not options
                or not all(isinstance(option, str) and option.strip() for option in options)
            ):
                errors.add(
                    "form_fields",
                    _("第{n}个表单字段为下拉选择，应列出选项").format(n=number),
                )
            else:
                field["options"] = [option.strip() for option in options]
        cleaned.append(field)
    return cleaned


@transaction.atomic
def bundle_save(
    *,
    zone: Zone,
    code: str,
    name: str,
    lead_department: Department,
    promised_limit_days: int,
    required_visits: int,
    items: Sequence[Item],
    form_fields: Sequence[dict] = (),
    description: str = "",
    actor: User | None,
) -> Bundle:
    """Create the zone's bundle ``code``, or edit it while it is a draft.

    A published bundle is refused (``Conflict``): withdraw it with ``bundle_withdraw``
    first. The publishing rules are ``bundle_publish``'s.
    """
    errors = _Errors()
    code = (code or "").strip()
    name = (name or "").strip()
    if not BUNDLE_CODE_RE.match(code):
        errors.add(
            "code",
            _("一件事编码应以小写字母或数字开头，只含小写字母、数字、下划线或连字符，最长40位"),
        )
    if not name:
        errors.add("name", _("一件事名称不能为空"))
    elif len(name) > 200:
        errors.add("name", _("一件事名称不能超过200字"))
    if not isinstance(lead_department, Department) or lead_department.zone_id != zone.pk:
        errors.add("lead_department", _("牵头部门不属于该开发区"))
    if _whole_number(promised_limit_days) is None:
        errors.add("promised_limit_days", _("承诺办结时限应为不小于0的整数"))
    if _whole_number(required_visits) is None:
        errors.add("required_visits", _("到办事现场次数应为不小于0的整数"))
    items = list(items)
    seen: set[int] = set()
    for item in items:
        if not isinstance(item, Item) or item.zone_id != zone.pk:
            errors.add("items", _("事项“{item}”不属于该开发区").format(item=item))
        elif item.pk in seen:
            errors.add("items", _("事项“{item}”重复").format(item=item))
        else:
            seen.add(item.pk)
    fields = _check_form_fields(list(form_fields), errors)
    errors.raise_if_any()
    bundle = Bundle.objects.select_for_update().filter(zone=zone, code=code).first()
    created = bundle is None
    if bundle is None:
        bundle = Bundle(zone=zone, code=code)
    elif bundle.status != VersionStatus.DRAFT:
        raise Conflict(_("已发布的一件事不可修改，请先撤回为草稿"), code="bundle_not_draft")
    bundle.name = name
    bundle.description = (description or "").strip()
    bundle.lead_department = lead_department
    bundle.promised_limit_days = promised_limit_days
    bundle.required_visits = required_visits
    bundle.form_fields = fields
    bundle.name_pinyin, bundle.name_initials = name_search_keys(name)
    if created:
        try:
            with transaction.atomic():
                bundle.save(force_insert=True)
        except IntegrityError:  # created by a concurrent request
            raise Conflict(
                _("本区已有编码为“{code}”的一件事").format(code=code), code="bundle_code_taken"
            ) from None
    else:
        bundle.save(
            update_fields=[
                "name",
                "description",
                "lead_department",
                "promised_limit_days",
                "required_visits",
                "form_fields",
                "name_pinyin",
                "name_initials",
                "updated_at",
            ]
        )
        bundle.bundle_items.all().delete()
    BundleItem.objects.bulk_create(
        BundleItem(bundle=bundle, item=item, position=position)
        for position, item in enumerate(items, start=1)
    )
    audit_append(
        action=CatalogAction.BUNDLE_CREATED if created else CatalogAction.BUNDLE_UPDATED,
        object_type="bundle",
        object_id=f"{zone.code}:{code}",
        data={"name": name, "items": [item.implementation_code for item in items]},
        **_actor_fields(actor),
    )
    return bundle


def bundle_check(bundle: Bundle) -> list[ItemVersion]:
    """The publishing rules of a bundle; returns its items' published versions.

    - at least 2 items, each with a published version;
    - the bundle's promised limit is at most the sum of its items' promised limits (doing
      them one after another) and at least 1 working day, unless every item is a 即办件;
    - its visits are at most the sum of its items' visits, and 0 only if every item is
      fully online (全程网办).
    """
    errors = _Errors()
    items = [bundle_item.item for bundle_item in bundle.bundle_items.select_related("item")]
    if len(items) < 2:
        errors.add("items", _("一件事至少需要包含两个事项"))
    published = {
        version.item_id: version
        for version in ItemVersion.objects.filter(item__in=items, status=VersionStatus.PUBLISHED)
    }
    versions: list[ItemVersion] = []
    for item in items:
        version = published.get(item.pk)
        if version is None:
            errors.add("items", _("事项“{item}”没有已发布的版本").format(item=item))
        else:
            versions.append(version)
    if versions and len(versions) == len(items):
        total_days = sum(version.promised_limit_days for version in versions)
        all_immediate = all(version.is_immediate for version in versions)
        if bundle.promised_limit_days > total_days:
            errors.add(
                "promised_limit_days",
                _(
                    "一件事的承诺办结时限（{days}个工作日）不能超过各事项承诺时限之和"
                    "（{total}个工作日）"
                ).format(days=bundle.promised_limit_days, total=total_days),
            )
        if bundle.promised_limit_days < 1 and not all_immediate:
            errors.add(
                "promised_limit_days",
                _("一件事的承诺办结时限应至少为1个工作日（只有全部为即办件时可为0）"),
            )
        total_visits = sum(version.required_visits for version in versions)
        if bundle.required_visits > total_visits:
            errors.add(
                "required_visits",
                _("一件事的到办事现场次数（{visits}次）不能超过各事项之和（{total}次）").format(
                    visits=bundle.required_visits, total=total_visits
                ),
            )
        if bundle.required_visits == 0 and not all(v.is_fully_online for v in versions):
            errors.add(
                "required_visits",
                _("只有全部事项均为全程网办时，一件事的到办事现场次数才可为0"),
            )
    errors.raise_if_any()
    return versions


@transaction.atomic
def bundle_publish(*, bundle: Bundle, actor: User | None) -> Bundle:
    """Publish a draft bundle once :func:`bundle_check` passes."""
    bundle = Bundle.objects.select_for_update(of=("self",)).select_related("zone").get(pk=bundle.pk)
    if bundle.status == VersionStatus.PUBLISHED:
        raise Conflict(_("该一件事已发布"), code="bundle_published")
    bundle_check(bundle)
    bundle.status = VersionStatus.PUBLISHED
    bundle.published_at = timezone.now()
    bundle.save(update_fields=["status", "published_at", "updated_at"])
    audit_append(
        action=CatalogAction.BUNDLE_PUBLISHED,
        object_type="bundle",
        object_id=f"{bundle.zone.code}:{bundle.code}",
        **_actor_fields(actor),
    )
    return bundle


@transaction.atomic
def bundle_withdraw(*, bundle: Bundle, actor: User | None) -> Bundle:
    """Take a published bundle back to draft (off the portal) so it can be edited."""
    bundle = Bundle.objects.select_for_update(of=("self",)).select_related("zone").get(pk=bundle.pk)
    if bundle.status != VersionStatus.PUBLISHED:
        raise Conflict(_("该一件事尚未发布"), code="bundle_not_published")
    bundle.status = VersionStatus.DRAFT
    bundle.published_at = None
    bundle.save(update_fields=["status", "published_at", "updated_at"])
    audit_append(
        action=CatalogAction.BUNDLE_WITHDRAWN,
        object_type="bundle",
        object_id=f"{bundle.zone.code}:{bundle.code}",
        **_actor_fields(actor),
    )
    return bundle
