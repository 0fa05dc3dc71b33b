"""``onewindow verify-cert FILE [--keys PATH_OR_URL]``: check a certificate offline.

FILE is a certificate PDF (its embedded ``certificate.json``) or the JSON envelope itself.
The public keys come from ``--keys`` — a JWKS file or an http(s) URL such as
``https://zone.example/.well-known/onewindow-keys.json`` — or else from this installation's
database (every published key, rotated-out ones included).

Exit status: 0 the signature holds and the certificate is within its validity; 1 the
signature does not hold, the key is unknown or the data is malformed; 2 the file (or the
key file) cannot be read; 3 the signature holds but the certificate has expired.
Revocation cannot be seen offline: the output names the page that says.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from onewindow.certificates.keys import published_keys
from onewindow.certificates.offline import (
    OfflineResult,
    extract_envelope,
    keys_from_jwks,
    verify_envelope,
)

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE, EXIT_EXPIRED = 0, 1, 2, 3
MAX_KEYS_BYTES = 1024 * 1024
HOLDER_LABELS = {"uscc": "统一社会信用代码", "id_card": "居民身份证号码", "passport": "护照号码"}


def load_keys(source: str | None) -> tuple[dict[str, bytes], str, str | None]:
    """(keys by id, where they came from, the public origin named by a URL source).

    ValueError with a Chinese message when the source cannot be read."""
    if source is None:
        try:
            document = {"keys": published_keys()}
        except DatabaseError as error:
            raise ValueError(f"无法从数据库读取已发布的公钥（{error}）；请用 --keys 指定") from None
        return keys_from_jwks(document), "本系统数据库中发布的公钥", None
    if source.startswith(("http://", "https://")):
        try:
            with urllib.request.urlopen(source, timeout=10) as response:
                data = response.read(MAX_KEYS_BYTES + 1)
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise ValueError(f"无法下载公钥 {source}：{error}") from None
        parts = urlsplit(source)
        origin = f"{parts.scheme}://{parts.netloc}"
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as error:
            raise ValueError(f"无法读取公钥文件 {source}：{error.strerror or error}") from None
        origin = None
    if len(data) > MAX_KEYS_BYTES:
        raise ValueError(f"公钥文件 {source} 过大，不是 JWKS 公钥文件")
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(f"公钥文件 {source} 不是 JSON") from None
    return keys_from_jwks(document), source, origin


class Command(BaseCommand):
    help = (
        "Verify a certificate PDF or JSON envelope offline with the zone's public keys; "
        "exit 0 valid, 1 invalid or unknown key, 2 unreadable, 3 expired."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the certificate PDF or its certificate.json")
        parser.add_argument(
            "--keys",
            default=None,
            help="a JWKS file or http(s) URL (default: the keys published in this database)",
        )

    def handle(self, *args, file: str, keys: str | None, **options):
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(
                f"无法读取文件 {file}：{error.strerror or error}", returncode=EXIT_UNREADABLE
            ) from None
        try:
            envelope = extract_envelope(data)
        except ValueError as error:
            raise CommandError(f"{file}：{error}", returncode=EXIT_UNREADABLE) from None
        try:
            known, source, origin = load_keys(keys)
        except ValueError as error:
            raise CommandError(str(error), returncode=EXIT_UNREADABLE) from None

        result = verify_envelope(envelope, known, public_url=origin)
        self._report(result, source)
        if not result.valid:
            raise CommandError("查验未通过：该证照不可采信", returncode=EXIT_INVALID)
        if result.expired:
            raise CommandError("签名有效，但证照已过期", returncode=EXIT_EXPIRED)

    def _report(self, result: OfflineResult, source: str) -> None:
        write = self.stdout.write
        if not result.valid:
            write(self.style.ERROR("查验结论：✕ 无效"))
            for reason in result.reasons:
                write(f"  · {reason}")
        elif result.expired:
            write(self.style.WARNING("查验结论：! 签名有效，但证照已过期"))
        else:
            write(self.style.SUCCESS("查验结论：✓ 签名有效，内容未被改动，证照在有效期内"))
        payload = result.payload
        if payload:
            write("")
            if not result.valid:
                write("以下内容未通过校验，仅供核对，不可采信：")
            self._content(payload)
        write(f"签名密钥：{result.key_id or '—'}（公钥来源：{source}）")
        for note in result.notes:
            write(f"说明：{note}")

    def _content(self, payload: dict) -> None:
        write = self.stdout.write

        def part(*keys: str) -> str:
            value = payload
            for key in keys:
                value = value.get(key) if isinstance(value, dict) else None
            return "—" if value in (None, "") else str(value)

        holder_label = HOLDER_LABELS.get(part("holder", "kind"), "证件号码")
        write(f"证照标识：{part('id')}")
        write(f"证照类型：{part('type', 'name')}（{part('type', 'code')}）")
        write(f"持证主体：{part('holder', 'name')}（{holder_label} {part('holder', 'id')}）")
        facts = payload.get("facts")
        if isinstance(facts, list) and facts:
            write("证照信息：")
            for fact in facts:
                if isinstance(fact, dict):
                    write(f"  {fact.get('label', fact.get('key', ''))}：{fact.get('value', '')}")
        write(f"发证机关：{part('issuer', 'name')}（统一社会信用代码 {part('issuer', 'code')}）")
        write(f"发证日期：{part('issued_on')}")
        valid_until = payload.get("valid_until")
        write(f"有效期至：{valid_until if valid_until else '长期'}")
