"""Forms of the account pages: the password change and the audit trail's filters.

Input parsing only: the password policy lives in ``org.passwords`` (run by Django's
validators), the change itself in ``org.services.password_change``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import AuditAction


class StaffPasswordChangeForm(PasswordChangeForm):
    """Old password, new password twice; the policy's messages land on the new password."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": _("原密码不正确，请重新输入。"),
        "password_mismatch": _("两次输入的新密码不一致。"),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("原密码")
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password2"].label = _("再次输入新密码")
        self.fields["new_password2"].help_text = ""
        for name in ("old_password", "new_password1", "new_password2"):
            self.fields[name].error_messages["required"] = _("请填写此项")
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        self.fields["old_password"].widget.attrs["autofocus"] = True

    def clean(self):
        cleaned = super().clean()
        # The policy's messages (SetPasswordMixin puts them on the second field) belong
        # beside the new password.
        if self.has_error("new_password2") and not self.has_error(
            "new_password2", "password_mismatch"
        ):
            for error in self.errors.pop("new_password2"):
                self.add_error("new_password1", error)
        return cleaned


#: The actions offered as suggestions in the filter (any action may be typed).
KNOWN_ACTIONS = sorted(
    value for name, value in vars(AuditAction).items() if name.isupper() and isinstance(value, str)
)

#: Events on one page of the audit trail.
PAGE_SIZE = 50


def _folded(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


class AuditTrailFilterForm(forms.Form):
    action = forms.CharField(label=_("动作"), required=False, max_length=64)
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    object_type = forms.CharField(label=_("对象类型"), required=False, max_length=64)
    object_id = forms.CharField(label=_("对象标识"), required=False, max_length=128)
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].widget.attrs["list"] = "audit-actions"
        for name in ("date_from", "date_to"):
            self.fields[name].error_messages["invalid"] = _("日期格式应为 YYYY-MM-DD")
        self.fields["before"].error_messages["invalid"] = _("页码无效")
        self.fields["before"].error_messages["min_value"] = _("页码无效")

    def clean_action(self) -> str:
        return _folded(self.cleaned_data["action"])

    def clean_actor(self) -> str:
        return _folded(self.cleaned_data["actor"])

    def clean_object_type(self) -> str:
        return _folded(self.cleaned_data["object_type"])

    def clean_object_id(self) -> str:
        return _folded(self.cleaned_data["object_id"])

    def clean(self):
        cleaned = super().clean()
        start: dt.date | None = cleaned.get("date_from")
        end: dt.date | None = cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return cleaned

    def filters(self) -> dict:
        """The filters in effect (empty ones left out), as the audit event records them."""
        return {
            name: value.isoformat() if isinstance(value, dt.date) else value
            for name, value in self.cleaned_data.items()
            if value not in (None, "") and name != "before"
        }
