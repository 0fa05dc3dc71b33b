"""The forms of the redemption pages: types only; the services decide what a value may be."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ConfirmForm(forms.Form):
    account_name = forms.CharField(label=_("收款账户名称"), max_length=200)
    bank = forms.CharField(label=_("开户银行"), max_length=200)
    account_number = forms.CharField(
        label=_("银行账号"),
        max_length=60,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    statement = forms.BooleanField(label=_("本企业确认所填信息真实并申请兑现"), required=False)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("放弃理由"), max_length=500, required=False)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤销理由"), max_length=500, required=False)


class PayForm(forms.Form):
    voucher = forms.CharField(label=_("凭证号"), max_length=60, required=False)
    paid_on = forms.CharField(
        label=_("拨付日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ClawBackForm(forms.Form):
    amount = forms.CharField(label=_("追回金额（万元）"), max_length=20, required=False)
    reason = forms.CharField(label=_("追回原因"), max_length=500, required=False)
    voucher = forms.CharField(label=_("凭证号"), max_length=60, required=False)
    paid_on = forms.CharField(
        label=_("追回日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class AnswerForm(forms.Form):
    objection = forms.IntegerField(widget=forms.HiddenInput)
    upheld = forms.TypedChoiceField(
        label=_("答复结论"),
        choices=[("0", _("异议不成立")), ("1", _("异议成立（撤销兑现）"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 3}))


class ObjectionForm(forms.Form):
    number = forms.ChoiceField(label=_("异议对象"))
    text = forms.CharField(
        label=_("异议内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    contact = forms.CharField(label=_("联系方式（选填）"), max_length=100, required=False)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].choices = list(choices)


class EndPublicityForm(forms.Form):
    publicity = forms.IntegerField(widget=forms.HiddenInput)
