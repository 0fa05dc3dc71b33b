"""The certified facts of a certificate type: what is filled by itself, what must be given.

A type's ``fields`` list ``{"key", "label", "type"}``. At issue, facts come from, in order:
the holder's identity (name, credit code, passport, nationality, legal representative),
the dates of the issue itself (``issued_on``, ``valid_until``), the certificate's own
number (generated when not given), then what the decider gave, then the application's form.
Whatever required fact is still empty refuses the issue, naming the field.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from onewindow.certificates.models import CertificateType
from onewindow.core.errors import ApplicationError, ValidationFailed
from onewindow.core.identifiers import validate_uscc
from onewindow.org.constants import ApplicantKind
from onewindow.org.models import Applicant

#: Facts read from the holder (the applicant) by key.
HOLDER_KEYS = {
    "holder_name": "name",
    "name": "name",
    "right_holder": "name",
    "user_name": "name",
    "land_user": "name",
    "discharger": "name",
    "institution_name": "name",
    "holder_uscc": "uscc",
    "passport_number": "passport_number",
    "legal_representative": "legal_representative",
}
#: The certificate's own number: generated (zone code + year + type serial + running
#: number) unless the decider gives one.
NUMBER_KEYS = frozenset(
    {"licence_number", "permit_number", "document_number", "registration_number",
     "certificate_number"}
)  # fmt: skip
DATE_KEYS = frozenset({"issued_on", "valid_until"})
LONG_TERM = "长期"  # printed for a certificate without an end date (stored data: Chinese)
#: The language of what is certified (the binding text).
CERTIFICATE_LANGUAGE = "zh-hans"


def valid_until_for(certificate_type: CertificateType, issued_on: date) -> date | None:
    """The last valid day: the day before the N-th anniversary of the issue; None when 长期.

    Issued 2026-03-10 for 5 years: valid until 2031-03-09. The anniversary of 29 February
    in a common year is 1 March, so a licence issued on 2024-02-29 runs to 2029-02-28 and
    covers its five full years like one issued the day after.
    """
    if certificate_type.validity != CertificateType.Validity.YEARS:
        return None
    year = issued_on.year + certificate_type.validity_years
    if issued_on.month == 2 and issued_on.day == 29 and not calendar.isleap(year):
        anniversary = date(year, 3, 1)
    else:
        anniversary = issued_on.replace(year=year)
    return anniversary - timedelta(days=1)


def certificate_number(
    zone_code: str, certificate_type: CertificateType, year: int, serial: int
) -> str:
    return f"{zone_code}{year}{certificate_type.code[-3:]}{serial:06d}"


def _operator(holder: Applicant) -> str:
    """Who a person's certificate names as 法定代表人（负责人）/ 经营者: the person (the
    operator of the 个体工商户 the person registers)."""
    return holder.name if holder.kind == ApplicantKind.PERSON else ""


def holder_facts(certificate_type: CertificateType, holder: Applicant) -> dict[str, str]:
    values: dict[str, str] = {}
    for field in certificate_type.fields:
        attribute = HOLDER_KEYS.get(field["key"])
        if attribute:
            value = getattr(holder, attribute, "") or ""
            if not value and attribute == "legal_representative":
                value = _operator(holder)
            if value:
                values[field["key"]] = str(value)
        elif field["key"] == "nationality" and getattr(holder, "nationality", None):
            # Certified facts are the binding Chinese whatever the language of the page.
            with translation.override(CERTIFICATE_LANGUAGE):
                values["nationality"] = str(holder.nationality.name)
    return values


@dataclass(frozen=True)
class FactInput:
    """One fact of a certificate type as the decision form offers it: ``fixed`` ones fill
    themselves (shown, not typed: the holder's registered identity, the dates of the
    issue); ``initial`` is the value shown or pre-filled; ``required`` ones refuse the issue
    when still empty (every fact but the certificate's own number, generated when left
    empty)."""

    key: str
    label: str
    type: str
    initial: str | None
    fixed: bool
    required: bool
    options: tuple[str, ...] = ()


def fact_inputs(
    certificate_type: CertificateType,
    *,
    holder: Applicant,
    issued_on: date,
    form_data: dict[str, Any] | None = None,
) -> list[FactInput]:
    """Every fact of ``certificate_type``, in its order, as a decider sees it for
    ``holder``: the dates and the holder's registered facts fixed, the rest to give,
    pre-filled from the application form (same key); the holder's facts are its
    registered name and codes (a person is the 经营者 of the 个体工商户 it registers)."""
    form_data = form_data or {}
    automatic = holder_facts(certificate_type, holder)
    valid_until = valid_until_for(certificate_type, issued_on)
    inputs = []
    for field in certificate_type.fields:
        key, label, kind = field["key"], field.get("label") or field["key"], field.get("type")
        kind = kind or "text"
        options = tuple(str(option) for option in field.get("options") or ())
        if key == "issued_on":
            inputs.append(FactInput(key, label, kind, issued_on.isoformat(), True, True))
            continue
        if key == "valid_until":
            value = valid_until.isoformat() if valid_until else LONG_TERM
            inputs.append(FactInput(key, label, "text", value, True, True))
            continue
        if key in automatic:
            inputs.append(FactInput(key, label, kind, automatic[key], True, True, options))
            continue
        initial = form_data.get(key)
        initial = None if initial in (None, "") else str(initial)
        inputs.append(FactInput(key, label, kind, initial, False, key not in NUMBER_KEYS, options))
    return inputs


def fields_to_give(certificate_type: CertificateType) -> list[dict]:
    """The fields a decider fills at approval (the rest fill themselves)."""
    return [
        field
        for field in certificate_type.fields
        if field["key"] not in HOLDER_KEYS
        and field["key"] not in DATE_KEYS
        and field["key"] not in NUMBER_KEYS
        and field["key"] != "nationality"
    ]


def _clean(field: dict, value: Any) -> str:
    text = ("" if value is None else str(value)).strip()
    if not text:
        return ""
    if len(text) > 500:
        raise ValidationFailed.for_field(
            f"certificate_facts.{field['key']}",
            _("证照字段「%(label)s」不能超过 500 个字") % {"label": field["label"]},
        )
    if field["key"] == "holder_uscc":
        try:
            return validate_uscc(text, field=f"certificate_facts.{field['key']}")
        except ApplicationError as error:
            raise ValidationFailed.for_field(
                f"certificate_facts.{field['key']}",
                _("证照字段「%(label)s」：%(message)s")
                % {"label": field["label"], "message": error.message},
            ) from None
    options = [str(option) for option in field.get("options") or ()]
    if options:
        text = unicodedata.normalize("NFKC", text)
        if text not in options:
            raise ValidationFailed.for_field(
                f"certificate_facts.{field['key']}",
                _("证照字段「%(label)s」应为以下之一：%(options)s")
                % {"label": field["label"], "options": "、".join(options)},
            )
        return text
    if field.get("type") == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValidationFailed.for_field(
                f"certificate_facts.{field['key']}",
                _("证照字段「%(label)s」应为日期（如 2026-01-31）") % {"label": field["label"]},
            ) from None
    if field.get("type") == "number":
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or not re.fullmatch(r"-?[0-9.,]+", text):
            raise ValidationFailed.for_field(
                f"certificate_facts.{field['key']}",
                _("证照字段「%(label)s」应为数字") % {"label": field["label"]},
            )
        return format(number.normalize(), "f")
    return text


def assemble_facts(
    *,
    certificate_type: CertificateType,
    holder: Applicant,
    issued_on: date,
    valid_until: date | None,
    number: str,
    given: dict[str, Any] | None = None,
    form_data: dict[str, Any] | None = None,
) -> list[dict[str, str]]:
    """The ordered facts ``[{"key", "label", "value"}]`` to sign, or ValidationFailed naming
    every required field still empty."""
    given = given or {}
    form_data = form_data or {}
    automatic = holder_facts(certificate_type, holder)
    facts: list[dict[str, str]] = []
    missing: dict[str, list[str]] = {}
    for field in certificate_type.fields:
        key = field["key"]
        if key == "issued_on":
            value = issued_on.isoformat()
        elif key == "valid_until":
            value = valid_until.isoformat() if valid_until else LONG_TERM
        else:
            value = _clean(field, given.get(key))
            if not value and key in automatic:
                value = automatic[key]
            if not value and key in NUMBER_KEYS:
                value = number
            if not value:
                value = _clean(field, form_data.get(key))
        if not value:
            missing[f"certificate_facts.{key}"] = [
                _("请填写证照字段「%(label)s」") % {"label": field["label"]}
            ]
            continue
        facts.append({"key": key, "label": field["label"], "value": value})
    if missing:
        labels = "、".join(
            field["label"]
            for field in certificate_type.fields
            if f"certificate_facts.{field['key']}" in missing
        )
        raise ValidationFailed(
            _("签发%(type)s还缺少：%(labels)s") % {"type": certificate_type.name, "labels": labels},
            code="certificate_facts_missing",
            fields=missing,
        )
    return facts
