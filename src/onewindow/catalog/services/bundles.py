"""Bundles (一件事): save a draft, the publishing rules, publish, withdraw."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.catalog.constants import VersionStatus
from onewindow.catalog.models import Bundle, BundleItem, Item, ItemVersion
from onewindow.catalog.search_keys import fold, name_search_keys
from onewindow.catalog.services.common import CatalogAction, _actor_fields, _Errors, _whole_number
from onewindow.core.audit import audit_append
from onewindow.core.errors import Conflict
from onewindow.core.locks import lock_first, lock_row
from onewindow.org.models import Department, User, Zone

FORM_FIELD_TYPES = ("text", "textarea", "number", "date", "select")
BUNDLE_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
FORM_FIELD_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


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
    code = (code or "").strip()
    name = (name or "").strip()
    items = list(items)
    fields = _check_bundle(
        zone=zone,
        code=code,
        name=name,
        lead_department=lead_department,
        promised_limit_days=promised_limit_days,
        required_visits=required_visits,
        items=items,
        form_fields=form_fields,
    )
    bundle = lock_first(Bundle, zone=zone, code=code)
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
    bundle.name_folded = fold(name)
    bundle.description_folded = fold(bundle.description)
    _write_bundle(bundle, created=created, items=items)
    audit_append(
        action=CatalogAction.BUNDLE_CREATED if created else CatalogAction.BUNDLE_UPDATED,
        object_type="bundle",
        object_id=f"{zone.code}:{code}",
        data={"name": name, "items": [item.implementation_code for item in items]},
        **_actor_fields(actor),
    )
    return bundle


def _check_bundle(
    *,
    zone: Zone,
    code: str,
    name: str,
    lead_department: Department,
    promised_limit_days: int,
    required_visits: int,
    items: list[Item],
    form_fields: Sequence[dict],
) -> list[dict]:
    """Raise with every problem of a bundle's fields; return its form fields cleaned."""
    errors = _Errors()
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
    return fields


def _write_bundle(bundle: Bundle, *, created: bool, items: list[Item]) -> None:
    """Insert the new bundle (refusing a code taken meanwhile) or update the draft, then
    replace its items, in order."""
    if created:
        try:
            with transaction.atomic():
                bundle.save(force_insert=True)
        except IntegrityError:  # created by a concurrent request
            raise Conflict(
                _("本区已有编码为“{code}”的一件事").format(code=bundle.code),
                code="bundle_code_taken",
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
                "name_folded",
                "description_folded",
                "updated_at",
            ]
        )
        bundle.bundle_items.all().delete()
    BundleItem.objects.bulk_create(
        BundleItem(bundle=bundle, item=item, position=position)
        for position, item in enumerate(items, start=1)
    )


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
    bundle = lock_row(Bundle, related=("zone",), pk=bundle.pk)
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
    bundle = lock_row(Bundle, related=("zone",), pk=bundle.pk)
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
