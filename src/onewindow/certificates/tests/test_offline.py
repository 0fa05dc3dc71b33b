"""Offline verification of an envelope: every check, the notes, reading keys and files."""

from __future__ import annotations

import json
from datetime import date

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from onewindow.certificates.offline import (
    MAX_FILE_BYTES,
    extract_envelope,
    keys_from_jwks,
    verify_envelope,
)
from onewindow.certificates.signing import b64url, canonical_json, key_id_for, sign

PRIVATE = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
PUBLIC = PRIVATE.public_key().public_bytes(
    serialization.Encoding.Raw, serialization.PublicFormat.Raw
)
KID = key_id_for(PUBLIC)
KEYS = {KID: PUBLIC}
IDENTIFIER = "1.2.156.3005.2.SCJG002.11320192MB1234567J.0000001.001.C"


def payload(**changes) -> dict:
    return {
        "format": "onewindow-certificate/1",
        "id": IDENTIFIER,
        "zone": "SFQ",
        "type": {"code": "SCJG002", "name": "食品经营许可证"},
        "issuer": {"name": "市场监督管理局", "code": "11320192MB1234567J"},
        "holder": {"kind": "uscc", "id": "91320192MA1W2K000P", "name": "示范食品有限公司"},
        "issued_on": "2026-11-25",
        "valid_until": "2031-11-24",
        "facts": [{"key": "area", "label": "经营面积（平方米）", "value": "120.5"}],
        "kid": KID,
    } | changes


def envelope(text: str | None = None, **changes) -> dict:
    text = canonical_json(payload()) if text is None else text
    return {
        "format": "onewindow-certificate-envelope/1",
        "alg": "Ed25519",
        "kid": KID,
        "payload": text,
        "signature": sign(PRIVATE, text),
    } | changes


def test_a_sound_envelope_is_valid(settings):
    settings.ONEWINDOW_PUBLIC_URL = "https://zwfw.example.gov.cn"

    result = verify_envelope(envelope(), KEYS, today=date(2026, 11, 25))

    assert result.valid and result.reasons == ()
    assert result.payload == payload() and result.identifier == IDENTIFIER
    assert result.key_id == KID and not result.expired
    assert result.verification_url == f"https://zwfw.example.gov.cn/verify/{IDENTIFIER}"
    assert "有效期至 2031-11-24，查验日未过期" in result.notes
    assert any("是否注销请在线查验" in note and IDENTIFIER in note for note in result.notes)


def test_the_public_url_of_another_zone_can_be_named():
    result = verify_envelope(envelope(), KEYS, public_url="https://other.example/")
    assert result.verification_url == f"https://other.example/verify/{IDENTIFIER}"


def test_expiry_is_reported_from_valid_until():
    on_the_last_day = verify_envelope(envelope(), KEYS, today=date(2031, 11, 24))
    after = verify_envelope(envelope(), KEYS, today=date(2031, 11, 25))
    assert not on_the_last_day.expired
    assert after.valid and after.expired
    assert "该证照有效期至 2031-11-24，已过期" in after.notes


def test_long_term_certificates_never_expire():
    text = canonical_json(payload(valid_until=None))
    result = verify_envelope(envelope(text), KEYS, today=date(2099, 1, 1))
    assert result.valid and not result.expired and "有效期：长期有效" in result.notes


def reasons(candidate: dict, keys=KEYS) -> str:
    result = verify_envelope(candidate, keys)
    assert not result.valid
    return " ".join(result.reasons)


def test_another_format_is_refused():
    assert "format" in reasons(envelope(format="something-else/2"))


def test_another_algorithm_is_refused():
    assert "RS256" in reasons(envelope(alg="RS256"))


def test_an_unknown_key_is_refused():
    assert "未知密钥" in reasons(envelope(), keys={})
    assert "未知密钥" in reasons(envelope(kid=None))


def test_a_missing_payload_or_signature_is_refused():
    assert "payload" in reasons(envelope(payload=None))
    assert "signature" in reasons(envelope(signature=123))


def test_a_changed_payload_is_refused():
    sound = envelope()
    forged = sound | {"payload": sound["payload"].replace("120.5", "920.5")}
    assert "电子签名校验失败" in reasons(forged)


def test_a_signature_by_another_key_under_our_key_id_is_refused():
    other = Ed25519PrivateKey.generate()
    text = canonical_json(payload())
    assert "电子签名校验失败" in reasons(envelope(text, signature=sign(other, text)))


def test_a_signed_but_not_canonical_payload_is_refused():
    spaced = json.dumps(payload(), ensure_ascii=False, indent=1, sort_keys=True)
    assert "规范 JSON" in reasons(envelope(spaced))
    escaped = json.dumps(payload(), ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    assert "规范 JSON" in reasons(envelope(escaped))
    with_float = canonical_json(payload()).replace('"zone":"SFQ"', '"zone":1.5')
    assert "规范 JSON" in reasons(envelope(with_float))


def test_a_payload_naming_another_key_is_refused():
    text = canonical_json(payload(kid="ed25519-ffffffffffffffff"))
    assert "密钥标识" in reasons(envelope(text))


def test_a_payload_of_another_format_is_refused():
    text = canonical_json(payload(format="onewindow-certificate/9"))
    assert "onewindow-certificate/1" in reasons(envelope(text))


@pytest.mark.parametrize("text", ["not json", "[1,2]", '"text"'])
def test_a_payload_that_is_not_an_object_is_refused(text):
    assert "JSON" in reasons(envelope(text))


def test_an_unreadable_valid_until_is_refused():
    text = canonical_json(payload(valid_until="2031-02-30"))
    assert "有效期无法识别" in reasons(envelope(text))


# --- keys ------------------------------------------------------------------------------------


def test_keys_from_a_jwks_keep_only_ed25519_keys():
    document = {
        "keys": [
            {"kty": "OKP", "crv": "Ed25519", "kid": KID, "x": b64url(PUBLIC)},
            {"kty": "RSA", "kid": "rsa-1", "n": "AQAB", "e": "AQAB"},
            {"kty": "OKP", "crv": "X25519", "kid": "x-1", "x": b64url(PUBLIC)},
            {"kty": "OKP", "crv": "Ed25519", "kid": "short", "x": b64url(PUBLIC[:31])},
            {"kty": "OKP", "crv": "Ed25519", "kid": "padded", "x": b64url(PUBLIC) + "="},
            {"kty": "OKP", "crv": "Ed25519", "x": b64url(PUBLIC)},
            "not a key",
        ]
    }
    assert keys_from_jwks(document) == {KID: PUBLIC}


@pytest.mark.parametrize("document", [None, [], {}, {"keys": "all"}, {"keys": {}}])
def test_a_document_without_a_key_list_is_refused(document):
    with pytest.raises(ValueError, match="JWKS"):
        keys_from_jwks(document)


# --- files -----------------------------------------------------------------------------------


def test_a_json_envelope_file_is_read_with_or_without_a_bom():
    data = json.dumps(envelope(), ensure_ascii=False).encode("utf-8")
    assert extract_envelope(data) == envelope()
    assert extract_envelope(b"\xef\xbb\xbf" + data) == envelope()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "不是 PDF 证照"),
        (b"\x00\x01binary", "不是 PDF 证照"),
        (b"[1, 2]", "对象"),
        (b"%PDF-1.7\n%%EOF", "PDF"),
        (b"x" * (MAX_FILE_BYTES + 1), "文件过大"),
    ],
)
def test_unreadable_files_say_why(data, message):
    with pytest.raises(ValueError, match=message):
        extract_envelope(data)
