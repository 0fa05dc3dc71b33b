"""The API's input policy (ADR 0013): which text is accepted, how deep JSON may nest, and
which numbers a reference or a count takes."""

from __future__ import annotations

import pydantic
import pytest
from ninja import Schema

from onewindow.core.errors import ValidationFailed
from onewindow.core.inputs import (
    MAX_DEPTH,
    MAX_REFERENCE,
    Integer,
    Reference,
    check_parameters,
    parse_json,
    text_problem,
)


def refusal(raw: bytes | str) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        parse_json(raw)
    assert caught.value.status == 422
    return caught.value


@pytest.mark.parametrize(
    "text",
    ["营业执照", "line\nbreak", "tab\there", "windows\r\nline", "Müller", "𠀀 (CJK Ext B)", ""],
)
def test_accepts_ordinary_text_with_tab_and_line_breaks(text):
    assert text_problem(text) is None


@pytest.mark.parametrize(
    "char", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1b", "\x1f", "\ufffe", "\uffff"]
)
def test_refuses_control_characters_and_non_characters(char):
    assert "控制字符" in text_problem(f"a{char}b")


@pytest.mark.parametrize("char", ["\ud800", "\udbff", "\udc00", "\udfff"])
def test_refuses_lone_surrogates(char):
    assert "代理项" in text_problem(f"a{char}b")


def test_a_nul_in_a_nested_string_is_named_by_its_path():
    error = refusal(b'{"form": {"contact": "a\\u0000b"}, "items": ["ok", "x\\u0007"]}')

    assert error.code == "invalid"
    assert list(error.fields) == ["form.contact"]  # the first in the document's order
    assert "NUL" in error.fields["form.contact"][0]


def test_a_lone_surrogate_escape_is_named_by_its_path():
    error = refusal(b'{"items": ["ok", "\\ud800"]}')

    assert list(error.fields) == ["items.1"]


def test_a_lone_surrogate_in_a_key_is_named_by_the_object_holding_it():
    assert list(refusal(b'{"form": {"\\udc00": 1}}').fields) == ["form"]
    assert list(refusal(b'{"\\u0000": 1}').fields) == ["body"]


def test_a_top_level_string_is_named_body():
    assert list(refusal(b'"\\u0000"').fields) == ["body"]


def test_bytes_that_are_not_utf_8_are_not_json():
    # A surrogate encoded as UTF-8 bytes (CESU-8) and a stray byte.
    for raw in [b'{"a": "\xed\xa0\x80"}', b'{"a": "\xff"}']:
        error = refusal(raw)
        assert error.code == "invalid_json"
        assert list(error.fields) == ["body"]


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_nesting_up_to_the_limit_is_accepted():
    assert parse_json(nested(MAX_DEPTH)) is not None
    assert parse_json('{"a": ' * (MAX_DEPTH - 1) + "{}" + "}" * (MAX_DEPTH - 1)) is not None


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 999, 5_000, 100_000])
def test_deeper_nesting_is_refused_naming_the_body(depth):
    error = refusal(nested(depth))

    assert error.code == "invalid"
    assert list(error.fields) == ["body"]
    assert str(MAX_DEPTH) in error.message


@pytest.mark.parametrize("raw", ['{"a": NaN}', '{"a": -Infinity}', '{"a": 1e400}'])
def test_non_finite_numbers_are_refused(raw):
    assert refusal(raw).code == "invalid_json"


def test_integers_past_the_digit_limit_are_not_json():
    assert refusal('{"a": ' + "9" * 5_000 + "}").code == "invalid_json"


def test_an_empty_body_is_none_for_the_caller_to_decide():
    assert parse_json(b"") is None
    assert parse_json(b" \n") is None


def test_parameters_are_named_and_a_bad_name_is_reported_under_request():
    with pytest.raises(ValidationFailed) as caught:
        check_parameters([("q", "ok"), ("code", "a\x00")])
    assert list(caught.value.fields) == ["code"]
    with pytest.raises(ValidationFailed) as caught:
        check_parameters([("a\x00", "ok")])
    assert list(caught.value.fields) == ["request"]


class Numbers(Schema):
    reference: Reference
    count: Integer
    references: list[Reference] = []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reference", True),
        ("reference", "1"),
        ("reference", 1.0),
        ("reference", 0),
        ("reference", MAX_REFERENCE + 1),
        ("count", False),
        ("count", "3"),
        ("count", 2.5),
        ("count", 10**30),
        ("references", [True]),
        ("references", ["2"]),
    ],
)
def test_references_and_counts_are_strict_integers(field, value):
    data = {"reference": 1, "count": 1, field: value}

    with pytest.raises(pydantic.ValidationError) as caught:
        Numbers.model_validate(data)

    assert caught.value.errors()[0]["loc"][0] == field


def test_integers_pass():
    numbers = Numbers.model_validate({"reference": MAX_REFERENCE, "count": -3, "references": [1]})

    assert (numbers.reference, numbers.count, numbers.references) == (MAX_REFERENCE, -3, [1])
