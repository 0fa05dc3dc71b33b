"""The rules of an item's elements, materials, workflow steps and windows: every check a
draft and a publish apply, raising with every problem found field by field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

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
)
from onewindow.catalog.models import ItemVersion, Material
from onewindow.catalog.services.common import (
    MATERIAL_FIELDS,
    STEP_FIELDS,
    TEXT_ELEMENTS,
    _Errors,
    _label,
    _whole_number,
)
from onewindow.catalog.workflow import StepSpec, step_field_errors
from onewindow.certificates.models import CertificateType
from onewindow.core.errors import ValidationFailed
from onewindow.org.models import Department, Window, Zone

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


def _check_issue_before_supplement(values: dict[str, Any], errors: _Errors) -> None:
    """先出证后补 only with the legal basis that allows it."""
    marked = values.get("issue_before_supplement")
    if marked is None:
        marked = values["issue_before_supplement"] = False
    if not isinstance(marked, bool):
        errors.add("issue_before_supplement", _("先出证后补应为是或否"))
    elif marked and not values.get("issue_before_supplement_basis"):
        errors.add("issue_before_supplement_basis", _("选择先出证后补的，须填写先出证后补依据"))


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
    _check_issue_before_supplement(values, errors)
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


_MATERIAL_DEFAULTS = {
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
}


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
        row = _MATERIAL_DEFAULTS | given
        for text in ("name", "notes"):
            row[text] = row[text].strip() if isinstance(row[text], str) else ""
        _check_material_values(row, add)
        _check_material_sources(row, add, zone=zone)
        _check_material_unique(row, add, index=index, seen=seen)
        rows.append(row)
    errors.raise_if_any()
    return rows


def _check_material_values(row: dict, add: Callable[[str, str], None]) -> None:
    """A material's name, yes-or-no flags, counts and medium."""
    name = row["name"]
    if not name:
        add("name", _("材料名称不能为空"))
    elif len(name) > Material._meta.get_field("name").max_length:
        add("name", _("材料名称不能超过200字"))
    for flag in ("required", "tolerable", "commitment_allowed"):
        if not isinstance(row[flag], bool):
            add(
                flag,
                _("“{field}”应为是或否").format(field=Material._meta.get_field(flag).verbose_name),
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


def _check_material_sources(row: dict, add: Callable[[str, str], None], *, zone: Zone) -> None:
    """A material's source (and the certificate type or department it names), and the
    shortcuts (tolerance, commitment) only a required material allows."""
    name, source = row["name"], row["source"]
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


def _check_material_unique(
    row: dict, add: Callable[[str, str], None], *, index: int, seen: dict[str, int]
) -> None:
    """No two materials of an item share a merge key (name, and certificate type)."""
    if not row["name"]:
        return
    probe = Material(name=row["name"])
    if isinstance(row["certificate_type"], CertificateType):
        probe.certificate_type_id = row["certificate_type"].pk
    key = probe.merge_key
    if key in seen:
        add("name", _("与第{m}项材料重复").format(m=seen[key] + 1))
    else:
        seen[key] = index


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
