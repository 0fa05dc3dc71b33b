"""Ed25519 signatures over a canonical JSON of the certified facts.

Canonical form: JSON with keys sorted, no insignificant whitespace, non-ASCII characters
kept as UTF-8 (``ensure_ascii=False``), only strings, integers, booleans, null, lists and
objects (no floats: numbers that may carry decimals are certified as strings). The bytes
signed are the UTF-8 encoding of that text; the signature travels as unpadded base64url.
These rules are what an offline verifier in another language must follow (see
docs/certificates.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def _check(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("floats are not allowed in signed facts; certify them as strings")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError("object keys must be strings")
            _check(item)
    elif isinstance(value, list):
        for item in value:
            _check(item)
    elif not (value is None or isinstance(value, (str, int, bool))):
        raise TypeError(f"{type(value).__name__} is not allowed in signed facts")


def canonical_json(payload: dict[str, Any]) -> str:
    _check(payload)
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_B64URL = re.compile(r"[A-Za-z0-9_-]+")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url in its one canonical spelling; ValueError on anything else.

    Strict on purpose: the standard decoder skips characters outside the alphabet and
    ignores the unused low bits of the last character, so several texts would decode to
    the same signature; here a text is accepted only if encoding its bytes gives it back.
    """
    if not isinstance(text, str) or not _B64URL.fullmatch(text):
        raise ValueError("not unpadded base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as error:
        raise ValueError("not unpadded base64url") from error
    if b64url(data) != text:
        raise ValueError("not the canonical base64url of its bytes")
    return data


def key_id_for(public_key: bytes) -> str:
    """A key's id: ``ed25519-`` + the first 16 hex digits of SHA-256 of its raw bytes."""
    return "ed25519-" + hashlib.sha256(public_key).hexdigest()[:16]


def sign(private_key: Ed25519PrivateKey, payload: str) -> str:
    return b64url(private_key.sign(payload.encode("utf-8")))


def verify(public_key: bytes, payload: str, signature: str) -> bool:
    """True only when ``signature`` is ``public_key``'s Ed25519 signature of ``payload``."""
    try:
        raw = b64url_decode(signature)
        Ed25519PublicKey.from_public_bytes(bytes(public_key)).verify(raw, payload.encode("utf-8"))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
