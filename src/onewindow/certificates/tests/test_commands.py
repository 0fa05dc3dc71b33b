"""``onewindow keys`` and ``onewindow verify-cert``."""

from __future__ import annotations

import functools
import http.server
import io
import json
import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from reportlab.pdfgen import canvas

from onewindow.certificates.keys import load_private_key, private_key_path, published_keys
from onewindow.certificates.models import KeyStatus, SigningKey
from onewindow.certificates.offline import envelope_bytes, envelope_for
from onewindow.certificates.pdf import render_certificate_pdf
from onewindow.certificates.services import certificate_issue
from onewindow.certificates.signing import b64url, key_id_for

pytestmark = pytest.mark.django_db

FACTS = {"premises": "示范区创新路 8 号", "area": "120.50"}


@pytest.fixture(autouse=True)
def frozen_today():
    when = datetime(2026, 11, 25, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(when, tick=False):
        yield


@pytest.fixture(autouse=True)
def key_dir(settings, tmp_path):
    settings.ONEWINDOW_KEY_DIR = tmp_path / "keys"
    settings.ONEWINDOW_PUBLIC_URL = "https://zwfw.example.gov.cn"


def run(*args: str) -> str:
    output = io.StringIO()
    call_command(*args, stdout=output)
    return output.getvalue()


def refused(*args: str) -> tuple[int, str, str]:
    """(exit status, error message, what was printed before) of a failing command."""
    output = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command(*args, stdout=output)
    return error.value.returncode, str(error.value), output.getvalue()


# --- keys ----------------------------------------------------------------------------------


def test_keys_generate_then_list(zone):
    printed = run("keys", "generate")

    key = SigningKey.objects.get()
    assert f"开发区 SFQ 签名密钥已生成 {key.key_id}" in printed
    assert str(private_key_path(key)) in printed and "0600" in printed

    listed = run("keys", "list", "--zone", "SFQ")
    assert "密钥标识" in listed and "私钥文件" in listed
    assert key.key_id in listed and "签发中" in listed and "存在" in listed


def test_keys_generate_twice_is_refused(zone):
    run("keys", "generate")
    status, message, _printed = refused("keys", "generate")
    assert status == 1 and "轮换" in message
    assert SigningKey.objects.count() == 1


def test_keys_rotate_retires_the_old_one(zone):
    run("keys", "generate")
    old = SigningKey.objects.get()

    printed = run("keys", "rotate", "--zone", "SFQ")

    new = SigningKey.objects.get(status=KeyStatus.ACTIVE)
    old.refresh_from_db()
    assert old.status == KeyStatus.RETIRED and new != old
    assert new.key_id in printed and "仍公开发布" in printed
    listed = run("keys", "list")
    assert old.key_id in listed and new.key_id in listed
    assert "已轮换（仅用于验证）" in listed and "签发中" in listed


def test_keys_list_never_prints_private_material_and_says_when_a_file_is_missing(zone):
    run("keys", "generate")
    key = SigningKey.objects.get()
    seed = load_private_key(key).private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    pem = private_key_path(key).read_text()
    body = "".join(pem.strip().splitlines()[1:-1])

    listed = run("keys", "list")
    assert seed.hex() not in listed and b64url(seed) not in listed and body not in listed
    assert "PRIVATE" not in listed

    private_key_path(key).unlink()
    assert "缺失" in run("keys", "list")


def test_keys_list_without_keys_says_how_to_make_one(zone):
    assert "onewindow keys generate" in run("keys", "list")


def test_keys_for_an_unknown_zone(zone):
    status, message, _printed = refused("keys", "generate", "--zone", "NOPE")
    assert status == 1 and "NOPE" in message
    assert not SigningKey.objects.exists()


def test_keys_needs_an_action(zone):
    with pytest.raises(CommandError):
        call_command("keys", "destroy")


# --- verify-cert -------------------------------------------------------------------------------


@pytest.fixture
def certificate(zone, food_licence, enterprise):
    run("keys", "generate")
    return certificate_issue(
        certificate_type=food_licence, holder=enterprise, actor=None, facts=dict(FACTS)
    )


@pytest.fixture
def pdf_file(certificate, tmp_path):
    path = tmp_path / "licence.pdf"
    path.write_bytes(render_certificate_pdf(certificate))
    return path


def jwks_file(tmp_path, keys: list[dict], name: str = "keys.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"keys": keys}), encoding="utf-8")
    return path


def test_verify_cert_a_valid_pdf(certificate, pdf_file):
    printed = run("verify_cert", str(pdf_file))

    for expected in (
        "查验结论：✓ 签名有效，内容未被改动，证照在有效期内",
        f"证照标识：{certificate.identifier}",
        "证照类型：食品经营许可证（SCJG002）",
        "持证主体：示范食品有限公司（统一社会信用代码 91320192MA1W2K000P）",
        "  经营场所：示范区创新路 8 号",
        "  经营面积（平方米）：120.5",
        "发证机关：市场监督管理局（统一社会信用代码 11320192MB1234567J）",
        "发证日期：2026-11-25",
        "有效期至：2031-11-24",
        f"签名密钥：{certificate.signing_key.key_id}（公钥来源：本系统数据库中发布的公钥）",
        "不能得知证照是否已被注销",
        f"https://zwfw.example.gov.cn/verify/{certificate.identifier}",
    ):
        assert expected in printed, expected


def test_verify_cert_a_json_envelope_with_a_keys_file(certificate, tmp_path):
    envelope = tmp_path / "certificate.json"
    envelope.write_bytes(envelope_bytes(certificate))
    keys = jwks_file(tmp_path, published_keys())

    printed = run("verify_cert", str(envelope), "--keys", str(keys))

    assert "✓" in printed and f"公钥来源：{keys}" in printed


def test_verify_cert_a_changed_fact_exits_1(certificate, tmp_path):
    envelope = envelope_for(certificate)
    envelope["payload"] = envelope["payload"].replace("120.5", "1200.5")
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(envelope, ensure_ascii=False), encoding="utf-8")

    status, message, printed = refused("verify_cert", str(path))

    assert status == 1 and "不可采信" in message
    assert "查验结论：✕ 无效" in printed and "电子签名校验失败" in printed
    assert "以下内容未通过校验" in printed and "1200.5" in printed


def test_verify_cert_an_unknown_key_exits_1(certificate, pdf_file, tmp_path):
    stranger = Ed25519PrivateKey.generate().public_key()
    raw = stranger.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    keys = jwks_file(
        tmp_path,
        [{"kty": "OKP", "crv": "Ed25519", "kid": key_id_for(raw), "x": b64url(raw)}],
    )

    status, _message, printed = refused("verify_cert", str(pdf_file), "--keys", str(keys))

    assert status == 1 and "未知密钥" in printed


def test_verify_cert_a_key_published_under_the_right_id_but_wrong_exits_1(
    certificate, pdf_file, tmp_path
):
    stranger = Ed25519PrivateKey.generate().public_key()
    raw = stranger.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    kid = certificate.signing_key.key_id
    keys = jwks_file(tmp_path, [{"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": b64url(raw)}])

    status, _message, printed = refused("verify_cert", str(pdf_file), "--keys", str(keys))

    assert status == 1 and "电子签名校验失败" in printed


def test_verify_cert_an_expired_certificate_exits_3(zone, food_licence, enterprise, tmp_path):
    run("keys", "generate")
    old = certificate_issue(
        certificate_type=food_licence,
        holder=enterprise,
        actor=None,
        facts=dict(FACTS),
        issued_on=date(2020, 1, 1),
    )
    path = tmp_path / "old.pdf"
    path.write_bytes(render_certificate_pdf(old))

    status, message, printed = refused("verify_cert", str(path))

    assert status == 3 and "已过期" in message
    assert "签名有效，但证照已过期" in printed and "2024-12-31" in printed


def test_verify_cert_a_missing_file_exits_2(zone, tmp_path):
    status, message, _printed = refused("verify_cert", str(tmp_path / "absent.pdf"))
    assert status == 2 and "无法读取文件" in message


@pytest.mark.parametrize(
    "content",
    [b"", b"hello", b"\xff\xfe\x00garbage", b"[1, 2, 3]", b"%PDF-1.4\nbroken", "证照".encode()],
)
def test_verify_cert_unreadable_content_exits_2(zone, tmp_path, content):
    path = tmp_path / "file.bin"
    path.write_bytes(content)
    status, _message, printed = refused("verify_cert", str(path))
    assert status == 2 and printed == ""


def test_verify_cert_a_pdf_without_the_signed_data_exits_2(zone, tmp_path):
    path = tmp_path / "plain.pdf"
    page = canvas.Canvas(str(path), invariant=1)
    page.drawString(100, 700, "not a certificate")
    page.save()

    status, message, _printed = refused("verify_cert", str(path))

    assert status == 2 and "certificate.json" in message


@pytest.mark.parametrize("content", ["not json", '{"no": "keys"}', "[]"])
def test_verify_cert_an_unreadable_keys_file_exits_2(certificate, pdf_file, tmp_path, content):
    keys = tmp_path / "keys.json"
    keys.write_text(content, encoding="utf-8")
    status, _message, printed = refused("verify_cert", str(pdf_file), "--keys", str(keys))
    assert status == 2 and printed == ""


def test_verify_cert_a_missing_keys_file_exits_2(certificate, pdf_file, tmp_path):
    status, message, _printed = refused(
        "verify_cert", str(pdf_file), "--keys", str(tmp_path / "absent.json")
    )
    assert status == 2 and "无法读取公钥文件" in message


@pytest.fixture
def keys_server(tmp_path):
    """A throw-away HTTP server publishing ``tmp_path/www/.well-known/…`` on localhost."""
    root = tmp_path / "www"
    (root / ".well-known").mkdir(parents=True)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_verify_cert_with_keys_from_a_url(certificate, pdf_file, keys_server):
    root, origin = keys_server
    (root / ".well-known" / "onewindow-keys.json").write_text(
        json.dumps({"keys": published_keys()}), encoding="utf-8"
    )

    printed = run(
        "verify_cert", str(pdf_file), "--keys", f"{origin}/.well-known/onewindow-keys.json"
    )

    assert "✓" in printed
    # The revocation note names the page of the zone that published the keys.
    assert f"{origin}/verify/{certificate.identifier}" in printed


def test_verify_cert_with_an_unreachable_url_exits_2(certificate, pdf_file, keys_server):
    _root, origin = keys_server
    status, message, _printed = refused(
        "verify_cert", str(pdf_file), "--keys", f"{origin}/.well-known/absent.json"
    )
    assert status == 2 and "无法下载公钥" in message
