"""Ed25519 over canonical JSON: the canonical rules, and that any change breaks the seal."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow.certificates.signing import (
    b64url,
    b64url_decode,
    canonical_json,
    key_id_for,
    sign,
    verify,
)

PAYLOAD = canonical_json(
    {
        "format": "onewindow-certificate/1",
        "id": "1.2.156.3005.2.SCJG002.11320192MB1234567J.0000001.001.C",
        "holder": {"kind": "uscc", "id": "91320192MA1W2K000P", "name": "示范食品有限公司"},
        "facts": [{"key": "area", "label": "经营面积（平方米）", "value": "120.5"}],
        "valid_until": None,
        "kid": "ed25519-0000000000000000",
    }
)
PRIVATE = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC = PRIVATE.public_key().public_bytes(
    serialization.Encoding.Raw, serialization.PublicFormat.Raw
)
SIGNATURE = sign(PRIVATE, PAYLOAD)


# --- canonical JSON ----------------------------------------------------------------------


def test_keys_sorted_no_spaces_utf8_kept():
    text = canonical_json({"b": 1, "a": {"d": [True, None], "c": "证照"}})
    assert text == '{"a":{"c":"证照","d":[true,null]},"b":1}'


def test_canonical_form_does_not_depend_on_insertion_order():
    assert canonical_json({"x": 1, "y": "二"}) == canonical_json({"y": "二", "x": 1})


def test_escapes_are_the_json_minimum():
    assert canonical_json({"q": 'a"b\\c\n'}) == '{"q":"a\\"b\\\\c\\n"}'


@pytest.mark.parametrize(
    "value",
    [
        1.5,
        float("nan"),
        {"nested": [0.1]},
        {1: "integer key"},
        {"when": __import__("datetime").date(2026, 1, 1)},
        {"set": {1, 2}},
        {"bytes": b"raw"},
    ],
)
def test_floats_and_other_types_are_refused(value):
    with pytest.raises(TypeError):
        canonical_json({"value": value} if not isinstance(value, dict) else value)


# --- base64url -----------------------------------------------------------------------------


def test_base64url_without_padding_round_trips():
    for length in range(0, 70):
        data = bytes(range(length))
        text = b64url(data)
        assert "=" not in text and "+" not in text and "/" not in text
        if data:
            assert b64url_decode(text) == data


@pytest.mark.parametrize("text", ["", "ab=", "a+b/", "ab cd", "a\nb", "!!!!", "a", 42])
def test_base64url_refuses_anything_else(text):
    with pytest.raises(ValueError):
        b64url_decode(text)


def test_base64url_refuses_a_second_spelling_of_the_same_bytes():
    # 64 bytes take 86 characters; the low 4 bits of the last one carry nothing. The
    # lenient standard decoder maps both spellings to the same signature.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    other = SIGNATURE[:-1] + alphabet[alphabet.index(SIGNATURE[-1]) ^ 1]
    lenient = base64.urlsafe_b64decode(other + "==")
    assert lenient == b64url_decode(SIGNATURE)
    with pytest.raises(ValueError):
        b64url_decode(other)
    assert not verify(PUBLIC, PAYLOAD, other)


# --- signatures ----------------------------------------------------------------------------


def test_key_id_is_derived_from_the_public_key():
    assert key_id_for(PUBLIC) == "ed25519-" + hashlib.sha256(PUBLIC).hexdigest()[:16]


def test_a_signature_verifies_with_its_key():
    assert len(b64url_decode(SIGNATURE)) == 64
    assert verify(PUBLIC, PAYLOAD, SIGNATURE)


def test_signatures_are_deterministic():
    assert sign(PRIVATE, PAYLOAD) == SIGNATURE


def test_another_key_does_not_verify():
    other = Ed25519PrivateKey.generate().public_key()
    raw = other.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert not verify(raw, PAYLOAD, SIGNATURE)


def test_garbage_keys_and_signatures_are_false_not_errors():
    assert not verify(b"short", PAYLOAD, SIGNATURE)
    assert not verify(PUBLIC, PAYLOAD, "not base64url!")
    assert not verify(PUBLIC, PAYLOAD, b64url(b"\x00" * 63))
    assert not verify(PUBLIC, PAYLOAD, "")


PAYLOAD_BYTES = PAYLOAD.encode("utf-8")
SIGNATURE_BYTES = b64url_decode(SIGNATURE)


@settings(max_examples=300)
@given(
    st.integers(min_value=0, max_value=len(PAYLOAD_BYTES) - 1),
    st.integers(min_value=1, max_value=255),
)
def test_flipping_any_byte_of_the_payload_fails(position, flip):
    changed = bytearray(PAYLOAD_BYTES)
    changed[position] ^= flip
    # A flip that breaks UTF-8 cannot even be read as the payload text: that is a failure
    # too (the verifier gets text); otherwise the signature must not hold.
    try:
        text = bytes(changed).decode("utf-8")
    except UnicodeDecodeError:
        return
    assert not verify(PUBLIC, text, SIGNATURE)


@settings(max_examples=300)
@given(
    st.integers(min_value=0, max_value=len(SIGNATURE_BYTES) - 1),
    st.integers(min_value=1, max_value=255),
)
def test_flipping_any_byte_of_the_signature_fails(position, flip):
    changed = bytearray(SIGNATURE_BYTES)
    changed[position] ^= flip
    assert not verify(PUBLIC, PAYLOAD, b64url(bytes(changed)))


def test_every_single_byte_of_payload_and_signature_matters():
    """Exhaustive, one flip of the low bit per position (the hypothesis tests above vary
    the bit pattern)."""
    for position in range(len(PAYLOAD_BYTES)):
        changed = bytearray(PAYLOAD_BYTES)
        changed[position] ^= 0x01
        text = bytes(changed).decode("utf-8", errors="surrogateescape")
        assert not verify(PUBLIC, text, SIGNATURE), position
    for position in range(len(SIGNATURE_BYTES)):
        changed = bytearray(SIGNATURE_BYTES)
        changed[position] ^= 0x01
        assert not verify(PUBLIC, PAYLOAD, b64url(bytes(changed))), position


@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=len(SIGNATURE) - 1), st.data())
def test_changing_any_character_of_the_signature_text_fails(position, data):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ "
    replacement = data.draw(st.sampled_from(alphabet).filter(lambda c: c != SIGNATURE[position]))
    changed = SIGNATURE[:position] + replacement + SIGNATURE[position + 1 :]
    assert not verify(PUBLIC, PAYLOAD, changed)
