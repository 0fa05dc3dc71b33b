"""Forms of the organisation's pages: input parsing only, the rules live in services."""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from onewindow.core.calendar import MAX_WORKING_DAYS


class LoginForm(AuthenticationForm):
    """Django's login form with Chinese labels and the browser's autocomplete hints."""

    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
        error_messages={"required": _("请填写用户名")},
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("请填写密码")},
    )

    error_messages = {
        "invalid_login": _("用户名或密码不正确，请重新输入（密码区分大小写）。"),
        "inactive": _("该账号已停用，请联系行政审批局管理员。"),
    }

    def clean_username(self) -> str:
        # Full-width letters typed on a Chinese keyboard name the same account.
        return unicodedata.normalize("NFKC", self.cleaned_data["username"])


class SecondFactorForm(forms.Form):
    """A six-digit code from the authenticator app, or a one-time recovery code."""

    otp_token = forms.CharField(
        label=_("验证码"),
        max_length=32,
        help_text=_("打开手机上的验证器应用，输入当前显示的 6 位数字；也可输入一个备用恢复码。"),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
        error_messages={"required": _("请填写验证码")},
    )


class DeadlineForm(forms.Form):
    """The deadline calculator: the N-th working day after the acceptance date."""

    start = forms.DateField(
        label=_("受理日期"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("受理当日不计入期限"),
        error_messages={
            "required": _("受理日期：请填写日期"),
            "invalid": _("受理日期：格式应为 YYYY-MM-DD，例如 2026-03-02"),
        },
    )
    days = forms.IntegerField(
        label=_("工作日数"),
        min_value=0,
        max_value=MAX_WORKING_DAYS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("工作日数：请填写天数"),
            "invalid": _("工作日数：应为整数"),
            "min_value": _("工作日数：不能为负数"),
            "max_value": _("工作日数：不能超过 %(limit_value)s 个工作日"),
        },
    )
    provisional = forms.BooleanField(
        label=_("临时结果"),
        required=False,
        help_text=_("节假日安排尚未公布的年份，只按周末和元旦、劳动节、国庆节的固定日期推算"),
    )


MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(value: str) -> tuple[int, int] | None:
    """``YYYY-MM`` → (year, month), or None when it is not a month."""
    match = MONTH_PATTERN.match(value.strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1 <= year <= 9999):
        return None
    return year, month


class ApplicantSearchForm(forms.Form):
    q = forms.CharField(
        label=_("名称或证件号码"),
        max_length=100,
        help_text=_("名称可输入部分文字；证件号码须完整输入"),
        error_messages={
            "required": _("名称或证件号码：请输入查询内容"),
            "max_length": _("名称或证件号码：不能超过 %(limit_value)d 个字符"),
        },
    )
