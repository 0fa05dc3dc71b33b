"""Offline verification: the signed envelope a certificate carries, and checking it.

The envelope is what the PDF embeds as ``certificate.json`` and what ``onewindow
verify-cert`` reads (docs/certificates.md, "Verifying offline")::

    {"format": "onewindow-certificate-envelope/1", "alg": "Ed25519", "kid": "ed25519-…",
     "payload": "<the canonical JSON text that was signed>", "signature": "<base64url>"}

Checking needs only the envelope and the zone's public keys (the JWKS published at
``/.well-known/onewindow-keys.json``). It proves who signed what; whether the certificate
was revoked since can only be asked online, at the verification page.

    envelope = extract_envelope(Path("licence.pdf").read_bytes())
    result = verify_envelope(envelope, keys_from_jwks(jwks))
    result.valid, result.reasons, result.payload
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import timezone

from onewindow.certificates.documents import PAYLOAD_FORMAT
from onewindow.certificates.models import Certificate
from onewindow.certificates.signing import b64url_decode, canonical_json, verify

ENVELOPE_FORMAT = "onewindow-certificate-envelope/1"
ALGORITHM = "Ed25519"
ATTACHMENT_NAME = "certificate.json"
#: Larger files are refused before they are parsed (a certificate PDF is ~100 kB).
MAX_FILE_BYTES = 20 * 1024 * 1024


def envelope_for(certificate: Certificate) -> dict[str, str]:
    """The offline envelope of ``certificate``: its signed payload, signature and key id."""
    return {
        "format": ENVELOPE_FORMAT,
        "alg": ALGORITHM,
        "kid": certificate.signing_key.key_id,
        "payload": certificate.payload,
        "signature": certificate.signature,
    }


def envelope_bytes(certificate: Certificate) -> bytes:
    """The envelope as the UTF-8 JSON file that is attached or downloaded."""
    text = json.dumps(envelope_for(certificate), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def extract_envelope(data: bytes) -> dict[str, Any]:
    """The envelope inside a certificate PDF (its ``certificate.json`` attachment) or a JSON
    envelope file. ValueError with a message in Chinese when there is none to read."""
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"文件过大（超过 {MAX_FILE_BYTES // (1024 * 1024)} MB），不是电子证照文件")
    # A PDF may start with a few bytes of garbage before its header (PDF 32000, 7.5.2).
    content = _attachment(data) if b"%PDF-" in data[:1024] else data
    try:
        envelope = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ValueError(
            "无法读取电子证照签名数据：文件不是 PDF 证照，也不是 JSON 签名数据"
        ) from None
    if not isinstance(envelope, dict):
        raise ValueError("无法读取电子证照签名数据：JSON 内容应为一个对象")
    return envelope


def _attachment(data: bytes) -> bytes:
    from pypdf import PdfReader

    try:
        attachments = PdfReader(io.BytesIO(data)).attachments
        content = attachments.get(ATTACHMENT_NAME)
    except Exception:  # pypdf raises many kinds on damaged or hostile files
        raise ValueError("无法读取该 PDF 文件：文件已损坏或不是有效的 PDF") from None
    if not content:
        raise ValueError(
            f"该 PDF 文件中没有内嵌的电子证照签名数据（{ATTACHMENT_NAME}），无法离线查验"
        )
    return content[0]


def keys_from_jwks(document: Any) -> dict[str, bytes]:
    """The Ed25519 public keys of a JWKS document (``{"keys": [JWK, …]}``) by key id.

    Keys of other types are skipped; a document without a key list is a ValueError."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError('公钥文件格式不对：应为 JWKS，即 {"keys": [...]}')
    keys: dict[str, bytes] = {}
    for jwk in document["keys"]:
        if not isinstance(jwk, dict) or (jwk.get("kty"), jwk.get("crv")) != ("OKP", "Ed25519"):
            continue
        kid, x = jwk.get("kid"), jwk.get("x")
        if not isinstance(kid, str) or not kid:
            continue
        try:
            raw = b64url_decode(x)
        except ValueError:
            continue
        if len(raw) == 32:
            keys[kid] = raw
    return keys


@dataclass(frozen=True)
class OfflineResult:
    """The outcome of an offline check.

    ``valid``: the format, algorithm and key are known, the payload is canonical and the
    signature holds — the content is what the issuer signed. ``reasons`` say why not.
    ``payload`` is the certified content when it could be read (shown, flagged, even when
    not valid). ``expired`` compares ``valid_until`` with the day of the check. ``notes``
    are what an offline check cannot settle (revocation) and the expiry."""

    valid: bool
    reasons: tuple[str, ...]
    payload: dict[str, Any] | None
    key_id: str
    expired: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    verification_url: str = ""

    @property
    def identifier(self) -> str:
        return str((self.payload or {}).get("id") or "")


def verify_envelope(
    envelope: dict[str, Any],
    keys: dict[str, bytes],
    today: date | None = None,
    *,
    public_url: str | None = None,
) -> OfflineResult:
    """Check ``envelope`` against ``keys`` (key id → raw 32-byte Ed25519 public key).

    ``public_url`` is the origin of the verification page named in the revocation note
    (default ``settings.ONEWINDOW_PUBLIC_URL``)."""
    reasons: list[str] = []
    if envelope.get("format") != ENVELOPE_FORMAT:
        reasons.append(f"签名数据格式不对：format 应为 {ENVELOPE_FORMAT}")
    if envelope.get("alg") != ALGORITHM:
        reasons.append(f"签名算法“{envelope.get('alg')}”不受支持：应为 {ALGORITHM}")
    kid = envelope.get("kid") if isinstance(envelope.get("kid"), str) else ""
    text = envelope.get("payload")
    signature = envelope.get("signature")
    if not isinstance(text, str) or not isinstance(signature, str):
        reasons.append("签名数据缺少签名原文（payload）或签名（signature）")
        text = signature = None
    public_key = keys.get(kid)
    if public_key is None:
        reasons.append(f"签名密钥“{kid or '（未注明）'}”不在已知公钥中：未知密钥，无法确认签发机关")
    elif text is not None and not verify(public_key, text, signature):
        reasons.append("电子签名校验失败：证照内容或签名已被改动，或不是该密钥签发")

    payload = _read_payload(text, reasons)
    if payload is not None:
        if payload.get("kid") != kid:
            reasons.append("签名原文中的密钥标识与签名数据不一致")
        if payload.get("format") != PAYLOAD_FORMAT:
            reasons.append(f"签名原文格式不对：format 应为 {PAYLOAD_FORMAT}")

    notes: list[str] = []
    expired = False
    today = today or timezone.localdate()
    if payload is not None:
        valid_until = _valid_until(payload)
        if payload.get("valid_until") is None:
            notes.append("有效期：长期有效")
        elif valid_until is None:
            reasons.append("签名原文中的有效期无法识别")
        elif valid_until < today:
            expired = True
            notes.append(f"该证照有效期至 {valid_until.isoformat()}，已过期")
        else:
            notes.append(f"有效期至 {valid_until.isoformat()}，查验日未过期")
    url = ""
    identifier = str((payload or {}).get("id") or "")
    if identifier:
        url = f"{(public_url or settings.ONEWINDOW_PUBLIC_URL).rstrip('/')}/verify/{identifier}"
        notes.append(f"离线查验不能得知证照是否已被注销；是否注销请在线查验：{url}")
    else:
        notes.append("离线查验不能得知证照是否已被注销；请到发证地的电子证照查验页面在线查验")
    return OfflineResult(
        valid=not reasons,
        reasons=tuple(reasons),
        payload=payload,
        key_id=kid,
        expired=expired,
        notes=tuple(notes),
        verification_url=url,
    )


def _read_payload(text: str | None, reasons: list[str]) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        payload = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        reasons.append("签名原文不是有效的 JSON")
        return None
    if not isinstance(payload, dict):
        reasons.append("签名原文应为 JSON 对象")
        return None
    try:
        canonical = canonical_json(payload)
    except TypeError:
        canonical = None
    if canonical != text:
        reasons.append("签名原文不是规范 JSON（键排序、无空白、不含小数），不予采信")
    return payload


def _valid_until(payload: dict[str, Any]) -> date | None:
    value = payload.get("valid_until")
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
