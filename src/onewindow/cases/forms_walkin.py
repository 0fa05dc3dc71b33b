"""Forms of the walk-in desk (``/desk/new/``): registering the applicant at the window.

Input parsing only: the identifier rules and their messages are the organisation's
(``org.services.applicant_register_walk_in``, the same as the admin's form), put next
to the field they name.
"""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from onewindow.cases.services import AgentInput
from onewindow.org.constants import ApplicantKind


def _text(label, *, max_length, help_text="", required=False):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        error_messages={
            "required": format_lazy("{label}：{message}", label=label, message=_("请填写")),
            "max_length": format_lazy(
                "{label}：{message}", label=label, message=_("不能超过 %(limit_value)d 个字")
            ),
        },
    )


def _nationalities() -> list[tuple[str, str]]:
    return [("", _("请选择（外国人）"))] + [
        (code, name) for code, name in countries if code != "CN"
    ]


class ApplicantRegistrationForm(forms.Form):
    """A new applicant at the window: its kind, name and the identifier of its kind."""

    prefix = "reg"

    kind = forms.ChoiceField(
        label=_("申请人类型"),
        choices=ApplicantKind.choices,
        widget=forms.RadioSelect,
        initial=ApplicantKind.ENTERPRISE,
        error_messages={
            "required": _("申请人类型：请选择企业、个人或外国人"),
            "invalid_choice": _("申请人类型：请选择企业、个人或外国人"),
        },
    )
    name = _text(_("名称或姓名"), max_length=200, help_text=_("与证件上的一致"))
    uscc = _text(_("统一社会信用代码"), max_length=40, help_text=_("企业填写，18 位"))
    id_number = _text(_("居民身份证号码"), max_length=40, help_text=_("个人填写，18 位"))
    passport_number = _text(_("护照号码"), max_length=40, help_text=_("外国人填写"))
    nationality = forms.ChoiceField(
        label=_("国籍"),
        required=False,
        choices=_nationalities,
        help_text=_("外国人填写"),
        error_messages={"invalid_choice": _("国籍：请从列表中选择")},
    )
    legal_representative = _text(_("法定代表人"), max_length=100, help_text=_("企业填写"))
    phone = _text(_("联系电话"), max_length=20)
    address = _text(_("地址"), max_length=200)

    #: The id of the page's ``<form>`` the inputs belong to (they sit inside the search
    #: form's section, and forms do not nest).
    FORM_ID = "walkin-register"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["form"] = self.FORM_ID


class AgentForm(forms.Form):
    """经办人: the person at the window acting for the applicant, with the written
    authorisation (授权委托书) scanned or photographed. All or nothing: the service
    checks every field once any is given."""

    agent_name = _text(_("经办人姓名"), max_length=100)
    agent_id_number = _text(_("经办人居民身份证号码"), max_length=40)
    agent_phone = _text(_("经办人联系电话"), max_length=20)
    agent_authorisation = forms.FileField(
        label=_("授权委托书"),
        required=False,
        help_text=_("申请人签署的授权委托书扫描件或照片（PDF、JPEG、PNG、OFD）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.ofd"}),
    )

    def agent(self) -> AgentInput | None:
        """The agent, if the clerk gave any of its fields (call after ``is_valid``)."""
        data = self.cleaned_data
        if not any(data.get(name) for name in self.fields):
            return None
        return AgentInput(
            name=data.get("agent_name", ""),
            id_number=data.get("agent_id_number", ""),
            phone=data.get("agent_phone", ""),
            authorisation=data.get("agent_authorisation"),
        )
