"""The officer's forms: a policy, a new item, a version's draft (with the structured condition
editor: a combinator over rows of leaves, or the advanced JSON for nested trees; the amount
editor: a kind and its fields), and the public list's filter.

Forms only shape what was typed into the service's arguments; the service checks the rules
and names the field (``core.forms.add_service_error`` places its messages).
"""

from __future__ import annotations

import json
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from onewindow.catalog.models import Item as CatalogItem
from onewindow.catalog.models import ItemVersion
from onewindow.core.errors import ValidationFailed
from onewindow.policies.constants import ItemKind, PolicyLevel, RedemptionWay
from onewindow.policies.facts import FACTS, FACTS_BY_NAME, NUMERIC_KINDS, FactKind
from onewindow.policies.models import PolicyItem, PolicyItemVersion
from onewindow.policies.rules.language import OPS_BY_KIND
from onewindow.policies.wording import op_labels

DATE = forms.DateInput(attrs={"type": "date"})
LIST_OPS = frozenset({"in", "not_in", "starts_with", "holds_any", "has_any"})
_SPLIT = re.compile(r"[,，、;；\s]+")
_SPAN = re.compile(r"\s*(?:,|，|~|～|至|-(?=\s*\d{4}-)|–)\s*")


class PolicyForm(forms.Form):
    department = forms.ModelChoiceField(label=_lazy("负责部门"), queryset=None)
    title = forms.CharField(label=_lazy("政策名称"), max_length=200)
    doc_number = forms.CharField(label=_lazy("文号"), max_length=100)
    issuer = forms.CharField(label=_lazy("发文机关"), max_length=200)
    level = forms.ChoiceField(label=_lazy("政策层级"), choices=PolicyLevel.choices)
    effective_from = forms.DateField(label=_lazy("生效日期"), widget=DATE)
    expires_on = forms.DateField(label=_lazy("失效日期"), required=False, widget=DATE)
    interpretation_url = forms.CharField(label=_lazy("政策解读链接"), required=False)
    summary = forms.CharField(label=_lazy("政策摘要"), required=False, widget=forms.Textarea)
    illustrative = forms.BooleanField(label=_lazy("示例政策（页面标注“示例”）"), required=False)

    def __init__(self, *args, departments, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class ItemForm(forms.Form):
    code = forms.CharField(
        label=_lazy("事项编码"),
        max_length=60,
        help_text=_lazy("本开发区内唯一，如 ZC-2026-001；全角字符按半角处理"),
    )


class LeafForm(forms.Form):
    """One row of the condition editor: a fact, an operator, a value and its clause."""

    fact = forms.ChoiceField(label=_lazy("企业信息项"), required=False)
    op = forms.ChoiceField(label=_lazy("比较"), required=False)
    value = forms.CharField(
        label=_lazy("值"),
        required=False,
        help_text=_lazy("比例可写 5%；多个值用顿号分隔；区间写 下限,上限；是否写 是 或 否"),
    )
    clause = forms.CharField(label=_lazy("条款出处"), required=False, max_length=100)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fact"].choices = [("", "—")] + [
            (fact.name, str(fact.label)) for fact in FACTS if not fact.derived or fact.choices
        ]
        labels = op_labels()
        self.fields["op"].choices = [("", "—"), *labels.items()]

    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any(data.get(name) for name in ("fact", "op", "value", "clause"))


LeafFormSet = forms.formset_factory(LeafForm, extra=0, can_delete=True, max_num=40)


def _percent(fact_name: str, text: str) -> str:
    """A ratio typed as ``5%`` (or ``５％``) is the fraction ``0.05``."""
    fact = FACTS_BY_NAME.get(fact_name)
    if fact is not None and fact.kind == FactKind.RATIO and text.endswith("%"):
        try:
            return format((Decimal(text[:-1].strip()) / 100).normalize(), "f")
        except InvalidOperation:
            return text
    return text


def leaf_value(fact_name: str, op: str, text: str) -> Any:
    """The JSON value of a row's typed text (the rule language checks it)."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if op in LIST_OPS:
        return [part for part in _SPLIT.split(text) if part]
    if op == "between":
        parts = [part for part in _SPAN.split(text) if part]
        return [_percent(fact_name, part) for part in parts]
    if op == "is":
        lowered = text.lower()
        if lowered in ("是", "true", "1", "yes"):
            return True
        if lowered in ("否", "false", "0", "no"):
            return False
        return text
    return _percent(fact_name, text)


def value_text(fact_name: str, op: str, value: Any) -> str:
    """A leaf's value as a row shows it (the inverse of :func:`leaf_value`)."""
    fact = FACTS_BY_NAME.get(fact_name)
    ratio = fact is not None and fact.kind == FactKind.RATIO

    def one(item: Any) -> str:
        if ratio:
            try:
                return format((Decimal(str(item)) * 100).normalize(), "f") + "%"
            except InvalidOperation:
                return str(item)
        return str(item)

    if isinstance(value, bool):
        return _("是") if value else _("否")
    if op == "between" and isinstance(value, list):
        return ",".join(one(item) for item in value)
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    return one(value)


def rows_of(condition: Any) -> tuple[str, list[dict]] | None:
    """(combinator, rows) when the condition is a flat all / any of leaves (or one leaf);
    None when it needs the JSON editor."""
    if isinstance(condition, dict) and "fact" in condition:
        condition = {"all": [condition]}
    if not isinstance(condition, dict) or len(condition) != 1:
        return None
    key = next(iter(condition))
    children = condition[key]
    if key not in ("all", "any") or not isinstance(children, list):
        return None
    rows = []
    for leaf in children:
        if (
            not isinstance(leaf, dict)
            or "fact" not in leaf
            or set(leaf)
            - {
                "fact",
                "op",
                "value",
                "clause",
            }
        ):
            return None
        rows.append(
            {
                "fact": leaf["fact"],
                "op": leaf.get("op", ""),
                "value": value_text(leaf["fact"], leaf.get("op", ""), leaf.get("value")),
                "clause": leaf.get("clause", ""),
            }
        )
    return key, rows


AMOUNT_KINDS = [
    ("fixed", _lazy("定额")),
    ("rate", _lazy("按比例")),
    ("tiers", _lazy("分档")),
    ("none", _lazy("不涉及资金")),
]


def _numeric_fact_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [
        (fact.name, str(fact.label)) for fact in FACTS if fact.kind in NUMERIC_KINDS
    ]


class DraftForm(forms.Form):
    name = forms.CharField(label=_lazy("事项名称"), max_length=200)
    kind = forms.ChoiceField(label=_lazy("类别"), choices=ItemKind.choices)
    way = forms.ChoiceField(label=_lazy("兑现方式"), choices=RedemptionWay.choices)
    beneficiary = forms.CharField(label=_lazy("支持对象"), max_length=300)
    combinator = forms.ChoiceField(
        label=_lazy("条件组合"),
        choices=[("all", _lazy("全部满足")), ("any", _lazy("任一满足"))],
        initial="all",
    )
    condition = forms.CharField(
        label=_lazy("高级：JSON"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_lazy("嵌套条件（all / any / not）在此填写；填写后以此为准，忽略上面的各行"),
    )
    amount_kind = forms.ChoiceField(label=_lazy("支持标准类型"), choices=AMOUNT_KINDS)
    amount_value = forms.CharField(label=_lazy("定额（万元）"), required=False)
    amount_of = forms.ChoiceField(label=_lazy("计算依据"), required=False)
    amount_rate = forms.CharField(label=_lazy("比例（%）"), required=False)
    amount_tiers = forms.CharField(
        label=_lazy("分档（每行：起点 金额）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_lazy("如“0 10”“5000 30”：依据达到起点的，给予对应金额（万元）"),
    )
    amount_cap = forms.CharField(label=_lazy("最高（万元）"), required=False)
    amount_ceiling = forms.CharField(label=_lazy("每年至多（万元）"), required=False)
    amount_text = forms.CharField(label=_lazy("支持标准说明"), required=False, max_length=300)
    materials = forms.CharField(
        label=_lazy("所需材料"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_lazy(
            "每行一项；可在“｜”后写由企业档案哪一项代替，如“研发费用审计报告｜上年度研发费用”"
        ),
    )
    time_limit_days = forms.IntegerField(label=_lazy("兑现时限（工作日）"), initial=60)
    excludes = forms.ModelMultipleChoiceField(
        label=_lazy("不可同时享受"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    stacking_note = forms.CharField(label=_lazy("叠加规则"), required=False, max_length=300)
    budget = forms.CharField(label=_lazy("预算（万元）"), required=False)
    requires_publicity = forms.BooleanField(label=_lazy("拨付前需公示"), required=False)
    publicity_days = forms.IntegerField(label=_lazy("公示期（工作日）"), initial=5)
    catalog_item = forms.ModelChoiceField(
        label=_lazy("对应办理事项"),
        queryset=None,
        required=False,
        help_text=_lazy("快申快享和依申请的事项须选择；免申即享的不选"),
    )
    effective_from = forms.DateField(label=_lazy("生效日期"), widget=DATE)
    effective_until = forms.DateField(label=_lazy("截止日期"), required=False, widget=DATE)

    def __init__(self, *args, item: PolicyItem, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["excludes"].queryset = PolicyItem.objects.filter(zone_id=item.zone_id).exclude(
            pk=item.pk
        )
        latest_name = (
            ItemVersion.objects.filter(item=OuterRef("pk")).order_by("-version").values("name")[:1]
        )
        self.fields["catalog_item"].queryset = CatalogItem.objects.filter(
            zone_id=item.zone_id
        ).annotate(latest_name=Subquery(latest_name))
        self.fields["catalog_item"].label_from_instance = _catalog_label
        self.fields["amount_of"].choices = _numeric_fact_choices()

    def amount_rule(self) -> dict:
        data = self.cleaned_data
        kind = data["amount_kind"]
        fold = lambda text: unicodedata.normalize("NFKC", text or "").strip()  # noqa: E731
        amount: dict[str, Any] = {"kind": kind}
        if kind == "fixed":
            amount["amount"] = fold(data["amount_value"])
        elif kind == "rate":
            amount["of"] = data["amount_of"]
            rate = fold(data["amount_rate"]).rstrip("%")
            try:
                amount["rate"] = format((Decimal(rate) / 100).normalize(), "f")
            except InvalidOperation:
                amount["rate"] = rate
        elif kind == "tiers":
            amount["of"] = data["amount_of"]
            tiers = []
            for line in fold(data["amount_tiers"]).splitlines():
                parts = line.split()
                if parts:
                    tiers.append(
                        {"from": _percent(data["amount_of"], parts[0]), "amount": parts[-1]}
                    )
            amount["tiers"] = tiers
        if kind in ("rate", "tiers") and fold(data["amount_cap"]):
            amount["cap"] = fold(data["amount_cap"])
        if kind != "none" and fold(data["amount_ceiling"]):
            amount["per_year_ceiling"] = fold(data["amount_ceiling"])
        return amount

    def material_list(self) -> list[dict]:
        by_label = {str(fact.label): fact.name for fact in FACTS}
        materials = []
        for line in (self.cleaned_data.get("materials") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            name, fact = [*re.split(r"[|｜]", line, maxsplit=1), ""][:2]
            fact = fact.strip()
            materials.append({"name": name.strip(), "fact": by_label.get(fact, fact) or None})
        return materials


def _catalog_label(item: CatalogItem) -> str:
    return f"{getattr(item, 'latest_name', '') or ''} {item.implementation_code}".strip()


def draft_initial(version: PolicyItemVersion) -> tuple[dict, list[dict]]:
    """The draft form's initial values and the rows of its condition."""
    amount = version.amount or {}
    initial: dict[str, Any] = {
        "name": version.name,
        "kind": version.kind,
        "way": version.way,
        "beneficiary": version.beneficiary,
        "amount_text": version.amount_text,
        "time_limit_days": version.time_limit_days,
        "excludes": list(version.excludes.all()),
        "stacking_note": version.stacking_note,
        "budget": version.budget if version.budget is not None else "",
        "requires_publicity": version.requires_publicity,
        "publicity_days": version.publicity_days,
        "catalog_item": version.catalog_item,
        "effective_from": version.effective_from,
        "effective_until": version.effective_until,
        "amount_kind": amount.get("kind", "fixed"),
        "amount_value": amount.get("amount", ""),
        "amount_of": amount.get("of", ""),
        "amount_cap": amount.get("cap", ""),
        "amount_ceiling": amount.get("per_year_ceiling", ""),
        "materials": "\n".join(
            material["name"]
            + (
                "｜" + str(FACTS_BY_NAME[material["fact"]].label)
                if material.get("fact") in FACTS_BY_NAME
                else ""
            )
            for material in version.materials or []
        ),
    }
    if "rate" in amount:
        try:
            initial["amount_rate"] = format((Decimal(str(amount["rate"])) * 100).normalize(), "f")
        except InvalidOperation:
            initial["amount_rate"] = amount["rate"]
    if amount.get("tiers"):
        initial["amount_tiers"] = "\n".join(
            f"{tier.get('from')} {tier.get('amount')}" for tier in amount["tiers"]
        )
    flat = rows_of(version.condition)
    if flat is None:
        initial["condition"] = json.dumps(version.condition, ensure_ascii=False, indent=2)
        return initial, []
    initial["combinator"], rows = flat
    return initial, rows


class PolicyFilterForm(forms.Form):
    q = forms.CharField(label=_lazy("关键词"), required=False, max_length=50)
    kind = forms.ChoiceField(label=_lazy("类别"), required=False)
    way = forms.ChoiceField(label=_lazy("兑现方式"), required=False)
    department = forms.ChoiceField(label=_lazy("部门"), required=False)

    def __init__(self, *args, departments, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("全部"))]
        self.fields["kind"].choices = everything + list(ItemKind.choices)
        self.fields["way"].choices = everything + list(RedemptionWay.choices)
        self.fields["department"].choices = everything + [
            (department.code, department.name) for department in departments
        ]

    def clean_q(self) -> str:
        return " ".join(unicodedata.normalize("NFKC", self.cleaned_data.get("q") or "").split())


def operator_kinds() -> dict[str, list[str]]:
    """Which operators each fact allows (the page says so beside the editor)."""
    return {
        fact.name: sorted(OPS_BY_KIND[fact.kind]) for fact in FACTS if fact.name in FACTS_BY_NAME
    }


def parse_json_field(text: str, field: str, label: str) -> Any:
    """The JSON an officer typed (the advanced condition editor); the error names the field."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationFailed.for_field(
            field,
            _("%(label)s：不是有效的 JSON（第 %(line)s 行第 %(column)s 列）")
            % {"label": label, "line": error.lineno, "column": error.colno},
        ) from None
