"""Public certificate pages: the published keys and the check (证照查验), which needs the
certificate's 查验码 and answers every unknown identifier or wrong code alike."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from onewindow.certificates import throttle
from onewindow.certificates.identifiers import check_character, normalise, parse_identifier
from onewindow.certificates.keys import published_keys
from onewindow.certificates.services import (
    certificate_verify,
)
from onewindow.certificates.views.common import (
    MARKS,
    NOT_FOUND_TEMPLATE,
    VERIFY_TEMPLATE,
)
from onewindow.core.errors import NotFound
from onewindow.core.identifiers import fold_code
from onewindow.core.middleware import public_cache

# -- public: the published keys ----------------------------------------------------------------


@require_safe
@public_cache(max_age=300)
def public_keys(request: HttpRequest) -> JsonResponse:
    """``/.well-known/onewindow-keys.json``: every zone's public keys (signing and
    rotated-out) as JWKs, for checking a downloaded certificate offline."""
    response = JsonResponse({"keys": published_keys()}, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


# -- public: the check -------------------------------------------------------------------------

_IDEOGRAPHIC_DOTS = str.maketrans({"。": ".", "｡": ".", "、": "."})
_PASTED_URL = re.compile(r"/verify/([^/?#\s]+)")
_PASTED_CODE = re.compile(r"[?&]c=([^&#\s]+)")


def typed_identifier(value: str) -> str:
    """What a person typed or pasted, as an identifier: a verification address gives its
    last part; full-width characters and ideographic full stops become ASCII; spaces go."""
    text = unicodedata.normalize("NFKC", value or "").translate(_IDEOGRAPHIC_DOTS)
    match = _PASTED_URL.search(text)
    if match:
        text = match.group(1)
    return normalise(re.sub(r"\s+", "", text))


def pasted_code(value: str) -> str:
    """The 查验码 inside a pasted verification address (``…/verify/<id>?c=…``), or ""."""
    match = _PASTED_CODE.search(unicodedata.normalize("NFKC", value or ""))
    return fold_code(match.group(1)) if match else ""


def verification_query(code: str) -> str:
    return "?" + urlencode({"c": code})


class VerifyForm(forms.Form):
    id = forms.CharField(
        label=gettext_lazy("证照标识"),
        max_length=200,
        help_text=gettext_lazy(
            "证照上二维码下方的编号，以 1.2.156.3005.2 开头；也可粘贴扫码得到的查验网址。"
        ),
        error_messages={
            "required": gettext_lazy("证照标识：请填写"),
            "max_length": gettext_lazy("证照标识：过长，请核对"),
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    c = forms.CharField(
        label=gettext_lazy("查验码"),
        required=False,
        help_text=gettext_lazy("证照上印在证照标识旁的 8 位字母或数字；扫码打开时已自动带入。"),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "characters",
                "maxlength": 20,
            }
        ),
    )

    def clean_id(self) -> str:
        identifier = typed_identifier(self.cleaned_data["id"])
        if not identifier:
            raise forms.ValidationError(_("证照标识：请填写"))
        if parse_identifier(identifier) is not None:
            return identifier
        body = identifier.rsplit(".", 1)[0]
        try:
            corrected = f"{body}.{check_character(body)}"
        except Exception:  # characters outside 0-9A-Z: not an identifier at all
            corrected = ""
        if corrected and parse_identifier(corrected) is not None:
            raise forms.ValidationError(_("证照标识：校验位不符，请逐位核对是否输错"))
        raise forms.ValidationError(
            _("证照标识：格式不正确，应以 1.2.156.3005.2 开头，各段以英文句点分隔")
        )

    def clean(self):
        data = super().clean()
        code = fold_code(data.get("c") or "") or pasted_code(self.data.get("id", ""))
        if not code and "c" not in self.errors:
            self.add_error("c", _("查验码：请填写证照上印制的查验码"))
        data["c"] = code
        return data


@require_safe
def verify_form(request: HttpRequest) -> HttpResponse:
    """``/verify/``: type or paste an identifier and its 查验码; ``?id=…&c=…`` goes to
    the check page."""
    form = VerifyForm(request.GET if "id" in request.GET else None)
    if not form.is_bound:
        return render(request, "certificates/verify_form.html", {"form": form})
    if not form.is_valid():
        return render(request, "certificates/verify_form.html", {"form": form}, status=422)
    path = reverse("certificates:verify", kwargs={"identifier": form.cleaned_data["id"]})
    return redirect(path + verification_query(form.cleaned_data["c"]))


def _not_found_page(request: HttpRequest) -> HttpResponse:
    response = render(request, NOT_FOUND_TEMPLATE, {"form": VerifyForm()}, status=404)
    response["X-Robots-Tag"] = "noindex"
    return response


def _code_page(request: HttpRequest, identifier: str) -> HttpResponse:
    """The check without its 查验码: the form, the identifier filled in, nothing about any
    certificate (the same page whether the identifier names one or not)."""
    form = VerifyForm(initial={"id": identifier})
    form.fields["c"].widget.attrs["autofocus"] = True  # the one field left to fill
    context = {"form": form, "asking_code": True}
    response = render(request, "certificates/verify_form.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_safe
def verify_page(request: HttpRequest, identifier: str) -> HttpResponse:
    """``/verify/<identifier>?c=<查验码>``: the certificate's status at once (有效 / 已注销 /
    已过期 / 签名无效), then what it certifies, who issued it, and the key that signed it.
    Without a code it asks for one; a wrong code is answered as an unknown identifier."""
    if not request.GET.get("c", "").strip():
        return _code_page(request, identifier)
    if not throttle.VERIFY.allow(request):
        context = {"form": VerifyForm(), "error": _("查验过于频繁，请 1 分钟后再试。")}
        response = render(request, "certificates/verify_form.html", context, status=429)
        response["Retry-After"] = str(throttle.VERIFY.retry_after())
        return response
    if parse_identifier(identifier) is None:
        return _not_found_page(request)
    try:
        verification = certificate_verify(identifier, code=request.GET["c"], channel="page")
    except NotFound:
        return _not_found_page(request)
    certificate = verification.certificate
    state = verification.status if verification.signature_valid else "invalid"
    context = {
        "v": verification,
        "state": state,
        "mark": MARKS[state],
        "holder_kind": certificate.get_holder_kind_display(),
        "revoked_on": timezone.localdate(verification.revoked_at)
        if verification.revoked_at
        else None,
        "checked_at": timezone.localtime(),
    }
    response = render(request, VERIFY_TEMPLATE, context)
    response["X-Robots-Tag"] = "noindex"  # holder names are not for search engines
    return response
