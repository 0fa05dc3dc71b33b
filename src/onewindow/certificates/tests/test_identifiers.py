"""The national e-certificate identifier: structure, check character, rejection of typos."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow.certificates.identifiers import (
    ParsedIdentifier,
    build_identifier,
    check_character,
    normalise,
    parse_identifier,
)

ISSUER = "11320192MB1234567J"
ALPHABET = string.digits + string.ascii_uppercase


def reference_check(text: str) -> str:
    """ISO 7064 MOD 37,36 (hybrid system) written out from the standard, independently of
    python-stdnum: p starts at 36; for each character s = (p + value) mod 36 (0 → 36),
    p = 2s mod 37; the check character makes (p + check) mod 36 equal 1."""
    p = 36
    for char in text:
        s = (p + ALPHABET.index(char)) % 36 or 36
        p = (s * 2) % 37
    return ALPHABET[(1 - p) % 36]


def test_the_structure_of_an_identifier():
    identifier = build_identifier(type_code="SCJG002", issuer_code=ISSUER, serial=1, version=1)
    assert identifier == "1.2.156.3005.2.SCJG002.11320192MB1234567J.0000001.001.C"


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("A12425GABC1234002", "M"),  # the worked example of ISO 7064 (and python-stdnum)
        ("1215630052SCJG00211320192MB1234567J0000001001", "C"),
    ],
)
def test_known_check_characters(body, check):
    assert reference_check(body) == check
    assert check_character(body) == check


def test_the_check_character_is_computed_without_the_dots():
    body = "1.2.156.3005.2.SCJG002.11320192MB1234567J.0000001.001"
    assert check_character(body) == reference_check(body.replace(".", ""))


def test_parse_gives_back_the_parts():
    identifier = build_identifier(type_code="ZJJ101", issuer_code=ISSUER, serial=4321, version=12)
    assert parse_identifier(identifier) == ParsedIdentifier(
        type_code="ZJJ101", issuer_code=ISSUER, serial=4321, version=12
    )


def test_parse_accepts_spaces_and_lower_case_as_typed():
    identifier = build_identifier(type_code="SCJG002", issuer_code=ISSUER, serial=7)
    assert parse_identifier(f"  {identifier.lower()} ") is not None
    assert normalise(f" {identifier.lower()}\n") == identifier


@pytest.mark.parametrize(
    "value",
    [
        "",
        "1.2.156.3005.2",
        "1.2.156.3005.2.SCJG002.11320192MB1234567J.0000001.001",  # no check character
        "1.2.156.3005.3.SCJG002.11320192MB1234567J.0000001.001.C",  # another root
        "1.2.156.3005.2.SCJG.11320192MB1234567J.0000001.001.C",  # type without 3 digits
        "1.2.156.3005.2.SCJG002.11320192MB1234567.0000001.001.C",  # issuer of 17
        "1.2.156.3005.2.SCJG002.11320192MB1234567J.0000001.01.C",  # version of 2 digits
        "1.2.156.3005.2.SCJG002.11320192MB1234567J.0000001.001.CC",
        "1.2.156.3005.2.SCJG002.11320192MB1234567J.0000001.001.*",
        "1.2.156.3005.2.SCJG002.11320192MB1234567J..0000001.001.C",
    ],
)
def test_malformed_identifiers_are_refused(value):
    assert parse_identifier(value) is None


def test_version_must_have_three_digits():
    with pytest.raises(ValueError):
        build_identifier(type_code="SCJG002", issuer_code=ISSUER, serial=1, version=1000)
    with pytest.raises(ValueError):
        build_identifier(type_code="SCJG002", issuer_code=ISSUER, serial=1, version=0)


type_codes = st.builds(
    lambda head, tail: head + tail,
    st.text(ALPHABET, min_size=1, max_size=8),
    st.text(string.digits, min_size=3, max_size=3),
)
identifiers = st.builds(
    lambda type_code, issuer, serial, version: build_identifier(
        type_code=type_code, issuer_code=issuer, serial=serial, version=version
    ),
    type_codes,
    st.text(ALPHABET, min_size=18, max_size=18),
    st.integers(min_value=1, max_value=10**9),
    st.integers(min_value=1, max_value=999),
)


@settings(max_examples=200)
@given(identifiers)
def test_every_built_identifier_parses(identifier):
    parsed = parse_identifier(identifier)
    assert parsed is not None
    assert (
        build_identifier(
            type_code=parsed.type_code,
            issuer_code=parsed.issuer_code,
            serial=parsed.serial,
            version=parsed.version,
        )
        == identifier
    )


@settings(max_examples=300)
@given(identifiers, st.data())
def test_any_single_character_change_is_rejected(identifier, data):
    position = data.draw(st.integers(min_value=0, max_value=len(identifier) - 1))
    original = identifier[position]
    replacement = data.draw(
        st.sampled_from(ALPHABET + ".-* ").filter(lambda char: char != original)
    )
    changed = identifier[:position] + replacement + identifier[position + 1 :]
    assert parse_identifier(changed) is None, (identifier, changed)
