"""Forms of the staff pages and of the case page's actions: input parsing only.

The rules (who may, which materials, how long a reason) live in ``services``; a refusal
from a service is put next to the field it names (``core.forms.add_service_error``).
Field names follow the services' error fields (``reason``, ``items``, ``tolerated`` …)
so that a service's message lands beside the right input.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from onewindow.cases.constants import (
    COMMITMENT_TEXT,
    MAX_EXTENSION_DAYS,
    AcceptanceMode,
    Decision,
    Light,
    SuspensionKind,
)
from onewindow.cases.services import DEFAULT_REMEDY_NOTICE

TEXTAREA = {"rows": 3}


def _binding(text) -> str:
    """``text`` in Chinese, the binding language of what applicants sign."""
    with translation.override("zh-hans"):
        return str(text)


def _text(label, *, required=False, max_length=2000, rows=None, initial=None):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=widget,
        initial=initial,
        error_messages={
            "required": format_lazy("{label}：{message}", label=label, message=_("请填写")),
            "max_length": format_lazy(
                "{label}：{message}", label=label, message=_("不能超过 %(limit_value)d 个字")
            ),
        },
    )


# -- lists -----------------------------------------------------------------------------------


class InboxFilterForm(forms.Form):
    light = forms.ChoiceField(
        label=_("灯色"),
        required=False,
        choices=[("", _("全部"))]
        + [(value, label) for value, label in Light.choices if value != Light.NONE],
        error_messages={"invalid_choice": _("灯色：请从列表中选择")},
    )
    mine = forms.BooleanField(label=_("只看我签收的"), required=False)


class BoardFilterForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("部门"),
        required=False,
        queryset=None,
        empty_label=_("全部部门"),
        error_messages={"invalid_choice": _("部门：请从列表中选择")},
    )
    light = forms.ChoiceField(
        label=_("灯色"),
        required=False,
        choices=[
            ("", _("黄灯和红灯")),
            (Light.YELLOW, Light.YELLOW.label),
            (Light.RED, Light.RED.label),
        ],
        error_messages={"invalid_choice": _("灯色：请从列表中选择")},
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


# -- the walk-in application (desk/new/) ------------------------------------------------------


class WalkInSearchForm(forms.Form):
    q = forms.CharField(
        label=_("申请人名称或证件号码"),
        required=False,
        max_length=100,
        help_text=_("名称可输入部分文字；证件号码须完整输入"),
        error_messages={"max_length": _("申请人名称或证件号码：不能超过 %(limit_value)d 个字符")},
    )
    item_q = forms.CharField(
        label=_("事项名称、拼音或实施编码"),
        required=False,
        max_length=50,
        error_messages={"max_length": _("事项名称、拼音或实施编码：不能超过 %(limit_value)d 个字")},
    )


class WalkInForm(forms.Form):
    """The chosen applicant and item (``item:<pk>``) or bundle (``bundle:<pk>``), and the
    application form's fields (a bundle's own fields are added by the view)."""

    applicant = forms.IntegerField(
        label=_("申请人"),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("申请人：请先查询并选择申请人"),
            "invalid": _("申请人：无效"),
        },
    )
    target = forms.RegexField(
        label=_("事项或一件事"),
        regex=r"^(item|bundle):\d{1,12}$",
        widget=forms.HiddenInput,
        error_messages={
            "required": _("事项或一件事：请先查询并选择"),
            "invalid": _("事项或一件事：无效"),
        },
    )
    contact = _text(_("经办人"), max_length=100)
    phone = _text(_("联系电话"), max_length=20)

    def __init__(self, *args, bundle_fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.bundle_field_names = []
        for spec in bundle_fields:
            name = f"form_{spec['key']}"
            label = spec.get("label") or spec["key"]
            kind = spec.get("type") or "text"
            if kind == "select":
                field = forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=[("", "—")] + [(option, option) for option in spec.get("options", [])],
                    error_messages={
                        "invalid_choice": _("%(label)s：请从列表中选择") % {"label": label}
                    },
                )
            else:
                attrs = {"type": kind} if kind in ("date", "number") else {}
                field = forms.CharField(
                    label=label, required=False, max_length=500, widget=forms.TextInput(attrs)
                )
            if spec.get("required"):
                field.label = label
                field.widget.attrs["aria-required"] = "true"
                field.help_text = _("必填")
            self.fields[name] = field
            self.bundle_field_names.append((name, spec["key"]))

    @property
    def target_kind(self) -> str:
        return self.cleaned_data["target"].split(":")[0]

    @property
    def target_pk(self) -> int:
        return int(self.cleaned_data["target"].split(":")[1])

    def form_data(self) -> dict:
        data = {}
        for key in ("contact", "phone"):
            if self.cleaned_data.get(key):
                data[key] = self.cleaned_data[key]
        for name, key in self.bundle_field_names:
            value = self.cleaned_data.get(name)
            if value not in (None, ""):
                data[key] = value
        return data


# -- actions on a case (cases/<number>/do/<action>/) ----------------------------------------


class EmptyForm(forms.Form):
    """Actions with nothing to fill in (claim, resume, resubmit)."""


class CorrectionForm(forms.Form):
    items = _text(_("补正内容（每行一项）"), required=True, max_length=20000, rows=5)

    def cleaned_items(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class RefuseForm(forms.Form):
    reason = _text(_("不予受理理由"), rows=3)
    legal_basis = _text(_("不予受理依据"), rows=2)


class AcceptForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("受理方式"),
        choices=AcceptanceMode.choices,
        initial=AcceptanceMode.NORMAL,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("受理方式：请选择"),
            "invalid_choice": _("受理方式：请从列表中选择"),
        },
    )
    tolerated = forms.TypedMultipleChoiceField(
        label=_("容缺材料"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("容缺材料：所选材料不在可容缺材料之列")},
    )
    tolerance_due_on = forms.DateField(
        label=_("容缺补齐期限"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("默认为受理之日起 5 个工作日"),
        error_messages={"invalid": _("容缺补齐期限：格式应为 YYYY-MM-DD")},
    )
    committed = forms.TypedMultipleChoiceField(
        label=_("以承诺替代的材料"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("以承诺替代的材料：所选材料不适用告知承诺")},
    )
    commitment_text = forms.CharField(
        label=_("承诺书内容"),
        required=False,
        max_length=5000,
        initial=lambda: _binding(COMMITMENT_TEXT),
        widget=forms.Textarea(attrs={"rows": 7, "readonly": True}),
        help_text=_("请申请人阅读承诺书全文后签名"),
    )
    commitment_signed_name = _text(_("承诺人签名"), max_length=100)

    def __init__(
        self,
        *args,
        tolerable=(),
        committable=(),
        due_on=None,
        deadline=None,
        signer="",
        signed=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["tolerated"].choices = [(row.pk, row.name) for row in tolerable]
        self.fields["committed"].choices = [(row.pk, row.name) for row in committable]
        self.fields["tolerance_due_on"].initial = due_on
        if deadline is not None:
            due = self.fields["tolerance_due_on"]
            due.help_text = format_lazy(
                _("默认为受理之日起 5 个工作日，不能晚于办结期限 {deadline}"),
                deadline=deadline.isoformat(),
            )
            due.widget.attrs["max"] = deadline.isoformat()
        self.fields["commitment_signed_name"].initial = signer
        if signed is not None:  # signed online: accepted on that commitment, as signed
            self.fields["mode"].initial = AcceptanceMode.COMMITMENT
            self.fields["committed"].initial = [
                row.pk for row in committable if row.name in signed.materials
            ]
            self.fields["commitment_text"].initial = signed.text
            self.fields["commitment_signed_name"].initial = signed.signed_name
            self.fields["commitment_signed_name"].help_text = _(
                "申请人已于 {time} 在线签署"
            ).format(time=timezone.localtime(signed.signed_at).strftime("%Y-%m-%d %H:%M"))


#: The form field of a certified fact: named as the services name it in their errors, so
#: a refusal ("请填写证照字段「经营场所」") lands beside its input.
FACT_PREFIX = "certificate_facts."


def _fact_field(fact) -> forms.Field:
    """One input for a certified fact (``certificates.facts.FactInput``), typed as the
    certificate type says; a fact that fills itself is shown, not typed (disabled: a
    posted value is ignored)."""
    label = fact.label
    required_message = format_lazy("{label}：{message}", label=label, message=_("请填写"))
    if fact.fixed:
        field = forms.CharField(label=label, required=False, initial=fact.initial, disabled=True)
        field.help_text = _("自动填写")
        return field
    if fact.options:
        field = forms.ChoiceField(
            label=label,
            required=False,
            initial=fact.initial,
            choices=[("", "—")] + [(option, option) for option in fact.options],
            error_messages={
                "invalid_choice": format_lazy(
                    "{label}：{message}", label=label, message=_("请从列表中选择")
                )
            },
        )
    elif fact.type == "date":
        field = forms.DateField(
            label=label,
            required=False,
            initial=fact.initial,
            input_formats=["%Y-%m-%d"],
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            error_messages={
                "required": required_message,
                "invalid": format_lazy(
                    "{label}：{message}", label=label, message=_("格式应为 YYYY-MM-DD")
                ),
            },
        )
    elif fact.type == "number":
        field = forms.DecimalField(
            label=label,
            required=False,
            initial=fact.initial,
            max_digits=18,
            decimal_places=4,
            widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
            error_messages={
                "required": required_message,
                "invalid": format_lazy("{label}：{message}", label=label, message=_("应为数字")),
                "max_digits": format_lazy("{label}：{message}", label=label, message=_("数字过大")),
                "max_decimal_places": format_lazy(
                    "{label}：{message}", label=label, message=_("最多 4 位小数")
                ),
                "max_whole_digits": format_lazy(
                    "{label}：{message}", label=label, message=_("数字过大")
                ),
            },
        )
    else:
        field = _text(label, max_length=500, initial=fact.initial)
    if fact.required:
        # Required to approve, not to deny: the issue refuses, naming it, when empty.
        field.widget.attrs["aria-required"] = "true"
        field.help_text = _("准予时必填")
    else:
        field.help_text = _("留空则自动编号")
    return field


class CertificateFactsMixin:
    """The facts of the certificate an approval issues: one labelled, typed input per
    fact of the type (``certificates.facts.fact_inputs``), pre-filled from the
    application form and the applicant; the ones that fill themselves shown read-only.
    Optional here (a denial needs none); the issue refuses, naming the field, whatever
    required fact is still empty."""

    certificate_type = None
    approve_label = Decision.APPROVED.label
    #: The reason's label, with the word of a denial put in.
    reason_label = _("理由（{deny}时必填）")

    def set_wording(self, choices) -> None:
        """The decision's choices in the item's words (准予登记 / 不予登记 …)."""
        if choices is None:
            return
        (_approved, approve), (_denied, deny) = choices
        self.fields["decision"].choices = choices
        self.approve_label = approve
        label = format_lazy(self.reason_label, deny=deny)
        self.fields["reason"].label = label
        self.fields["reason"].error_messages = {
            "required": format_lazy("{label}：{message}", label=label, message=_("请填写")),
            "max_length": format_lazy(
                "{label}：{message}", label=label, message=_("不能超过 %(limit_value)d 个字")
            ),
        }
        if "remedy_notice" in self.fields:
            self.fields["remedy_notice"].label = format_lazy(
                _("救济途径告知（{deny}时）"), deny=deny
            )

    def add_fact_fields(self, certificate_type, facts) -> None:
        self.certificate_type = certificate_type
        self.fact_names = []
        self.given_names = []
        for fact in facts:
            name = FACT_PREFIX + fact.key
            self.fields[name] = _fact_field(fact)
            self.fact_names.append(name)
            if not fact.fixed:
                self.given_names.append(name)

    def plain_fields(self):
        return [self[name] for name in self.fields if not name.startswith(FACT_PREFIX)]

    def fact_fields(self):
        return [self[name] for name in getattr(self, "fact_names", [])]

    def certificate_facts(self) -> dict[str, str]:
        """The given facts as text (dates ISO, numbers plain), empty and fixed ones left
        out (these fill themselves at the issue)."""
        facts = {}
        for name in getattr(self, "given_names", []):
            value = self.cleaned_data.get(name)
            if value is None or value == "":
                continue
            if isinstance(value, Decimal):
                value = format(value.normalize(), "f")
            elif isinstance(value, dt.date):
                value = value.isoformat()
            facts[name.removeprefix(FACT_PREFIX)] = str(value).strip()
        return facts


class OnTheSpotForm(CertificateFactsMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("办理结果"),
        choices=Decision.choices,
        initial=Decision.APPROVED,
        widget=forms.RadioSelect,
        error_messages={"required": _("办理结果：请选择"), "invalid_choice": _("办理结果：无效")},
    )
    reason = _text(_("理由（不予许可时必填）"), rows=2)

    def __init__(self, *args, certificate_type=None, facts=(), decision_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_wording(decision_choices)
        if certificate_type is not None:
            self.add_fact_fields(certificate_type, facts)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("文件"),
        error_messages={"required": _("文件：请选择要上传的文件"), "empty": _("文件：文件是空的")},
    )


class CompleteForm(forms.Form):
    comment = _text(_("审查意见"), rows=3)


class ReturnForm(forms.Form):
    reason = _text(_("退回理由"), rows=2)


class TransferForm(forms.Form):
    to_user = forms.ModelChoiceField(
        label=_("转给"),
        queryset=None,
        empty_label=_("请选择同事"),
        error_messages={
            "required": _("转给：请选择同事"),
            "invalid_choice": _("转给：请从列表中选择"),
        },
    )
    reason = _text(_("转办理由"), rows=2)

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = colleagues


class CoReviewForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("会签部门"),
        queryset=None,
        empty_label=_("请选择部门"),
        error_messages={
            "required": _("会签部门：请选择"),
            "invalid_choice": _("会签部门：请从列表中选择"),
        },
    )
    limit_days = forms.IntegerField(
        label=_("会签时限（工作日）"),
        initial=3,
        error_messages={
            "required": _("会签时限：请填写"),
            "invalid": _("会签时限：应为整数"),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 20}),
    )
    reason = _text(_("会签事由"), rows=2)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class SuspendForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("特别程序类型"),
        choices=[("", _("请选择")), *SuspensionKind.choices],
        required=False,
        error_messages={"invalid_choice": _("特别程序类型：请从列表中选择")},
    )
    reason = _text(_("特别程序理由"), rows=2)


class ExtendForm(forms.Form):
    days = forms.IntegerField(
        label=_("延长天数（工作日）"),
        error_messages={"required": _("延长天数：请填写"), "invalid": _("延长天数：应为整数")},
        widget=forms.NumberInput(
            attrs={"inputmode": "numeric", "min": 1, "max": MAX_EXTENSION_DAYS}
        ),
    )
    reason = _text(_("延长理由"), rows=2, max_length=500)


class DecideForm(CertificateFactsMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("决定"),
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("决定：请选择准予或不予"),
            "invalid_choice": _("决定：无效"),
        },
    )
    reason = _text(_("决定理由（不予许可时必填）"), rows=3)
    reason_label = _("决定理由（{deny}时必填）")
    remedy_notice = _text(_("救济途径告知（不予许可时）"), rows=2, initial=DEFAULT_REMEDY_NOTICE)

    def __init__(self, *args, certificate_type=None, facts=(), decision_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_wording(decision_choices)
        if certificate_type is not None:
            self.add_fact_fields(certificate_type, facts)


class DeliverForm(forms.Form):
    comment = _text(_("送达说明"), max_length=500)


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("确认撤回本申请（撤回后不能恢复，如需办理须重新申请）"),
        error_messages={"required": _("确认撤回：请勾选确认")},
    )
    reason = _text(_("撤回原因"), max_length=500)
