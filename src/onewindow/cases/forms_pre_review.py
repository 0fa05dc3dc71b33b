"""The window's pre-review form (材料预审): for each submitted material, pass or fail and
the reason for a failure. Its inputs sit in the case page's materials table, tied to the
form by the HTML ``form`` attribute; the rules (a failure needs its reason, only a
submitted material is judged) are the service's (``services.case_pre_review``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.cases.constants import SATISFIED_MATERIAL_STATES, MaterialVerdict
from onewindow.cases.models import CaseMaterial
from onewindow.cases.services.pre_review import MAX_REASON, reason_field, verdict_field

#: The id of the ``<form>`` element the table's inputs belong to.
FORM_ID = "pre-review-form"


class PreReviewForm(forms.Form):
    def __init__(self, *args, materials: list[CaseMaterial] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = [row for row in materials if row.state in SATISFIED_MATERIAL_STATES]
        for row in self.rows:
            self.fields[verdict_field(row.pk)] = forms.ChoiceField(
                label=_("预审结论"),
                required=False,
                choices=MaterialVerdict.choices,
                initial=row.review_verdict,
                widget=forms.RadioSelect(attrs={"form": FORM_ID}),
                error_messages={"invalid_choice": _("预审结论：请选择通过或不通过")},
            )
            self.fields[reason_field(row.pk)] = forms.CharField(
                label=_("不通过原因"),
                required=False,
                initial=row.review_reason,
                widget=forms.TextInput(
                    attrs={
                        "form": FORM_ID,
                        "maxlength": MAX_REASON,
                        "placeholder": _("如：未加盖公章；复印件不清晰"),
                    }
                ),
            )

    def verdicts(self) -> dict[int, tuple[str, str]]:
        return {
            row.pk: (
                self.cleaned_data.get(verdict_field(row.pk)) or "",
                self.cleaned_data.get(reason_field(row.pk)) or "",
            )
            for row in self.rows
        }

    def bound_row(self, row: CaseMaterial) -> tuple[forms.BoundField, forms.BoundField] | None:
        """The verdict and reason inputs of ``row`` (None: nothing submitted to judge)."""
        if verdict_field(row.pk) not in self.fields:
            return None
        return self[verdict_field(row.pk)], self[reason_field(row.pk)]
