"""The public try's form (公开试算): one field per typed fact of the catalogue, with its unit;
every value is read by the calculator's :func:`typed_facts` so the page and the API agree."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.policies.facts import FACTS, QUALIFICATION_LABELS, FactKind
from onewindow.policies.services.calculator import FactError, typed_facts

#: The form's sections: (heading, fact names).
SECTIONS = (
    (_("基本情况"), ("registered_on", "industry_code", "employees", "revenue", "total_assets")),
    (
        _("研发与创新"),
        (
            "rd_expense",
            "rd_share",
            "rd_share_3y",
            "rd_domestic_share",
            "tech_staff_share",
            "high_tech_income_share",
            "owns_core_ip",
            "qualifications",
        ),
    ),
    (
        _("纳税、就业与投资"),
        ("tax_paid", "new_employees", "fixed_asset_investment", "tax_credit_grade"),
    ),
    (_("信用"), ("credit_status",)),
)

YES_NO = (("", _("不清楚")), ("yes", _("是")), ("no", _("否")))


def _field(fact) -> forms.Field:
    help_text = str(fact.unit) if fact.unit else ""
    if fact.kind == FactKind.RATIO:
        help_text = _("百分数，如 4.6%")
    if fact.kind == FactKind.DATE:
        return forms.CharField(label=fact.label, required=False, help_text=_("如 2020-05-01"))
    if fact.kind == FactKind.BOOLEAN:
        return forms.ChoiceField(label=fact.label, required=False, choices=YES_NO)
    if fact.kind == FactKind.CHOICE:
        choices = [("", _("不清楚"))] + [(code, label) for code, label in fact.choices]
        return forms.ChoiceField(label=fact.label, required=False, choices=choices)
    if fact.kind == FactKind.QUALIFICATIONS:
        return forms.MultipleChoiceField(
            label=_("现持有的资质"),
            required=False,
            choices=list(QUALIFICATION_LABELS.items()),
            widget=forms.CheckboxSelectMultiple,
        )
    return forms.CharField(label=fact.label, required=False, help_text=help_text, max_length=40)


class TryForm(forms.Form):
    """Blank fields are unknown (never zero); each error names its field."""

    def __init__(self, *args, on=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.on = on
        by_name = {fact.name: fact for fact in FACTS}
        for _heading, names in SECTIONS:
            for name in names:
                self.fields[name] = _field(by_name[name])

    def sections(self):
        return [(heading, [self[name] for name in names]) for heading, names in SECTIONS]

    def clean(self):
        data = super().clean()
        raw = {}
        for name, value in data.items():
            if name == "owns_core_ip":
                value = {"yes": True, "no": False}.get(value)
            raw[name] = value if value not in ("", []) else None
        try:
            self.facts = typed_facts(raw, self.on)
        except FactError as error:
            self.add_error(error.field, error.message)
        return data
