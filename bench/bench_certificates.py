"""Benchmark: certificate signature verification, the verification page and PDF rendering.

Run with ``.venv/bin/python bench/bench_certificates.py`` (SQLite) or with
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/onewindow`` (PostgreSQL; it uses a test
database ``test_onewindow_bench_certificates``). It builds a zone with a signing key in a
temporary key directory, issues ``--certificates`` certificates through
``certificate_issue`` (5-year 食品经营许可证 with eight facts), then measures:

* ``signature verifications/s in-process``: ``signing.verify`` over the stored payloads and
  signatures (Ed25519 via ``cryptography``), one core, ``--seconds`` long (target ≥ 2,000/s);
* ``certificate_verify/s``: the service the page and the API call (one query for the
  certificate, its key and type, the signature check, the expiry rule), without counting;
* the verification page ``GET /verify/<identifier>`` and the API
  ``GET /api/v1/certificates/<identifier>/verify`` through Django's test client (the whole
  request stack: middleware, throttle, tally update, template), ``--runs`` requests each
  over random certificates: p50/p95/p99 (target p95 < 30 ms) and requests/s on one core;
* ``PDF renders/s``: ``render_certificate_pdf`` (reportlab with the embedded CJK font, QR
  code, envelope attached with pypdf).

Figures go to ``bench/RESULTS.md`` under "Certificates (issue: certificates)".
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from environment import database_label, machine

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings_test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

HEADING = "## Certificates (issue: certificates)"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
TEST_DB = "test_onewindow_bench_certificates"


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pick(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return {"p50": statistics.median(ordered), "p95": pick(0.95), "p99": pick(0.99)}


def rate(function, seconds: float) -> tuple[float, int]:
    """Calls per second of ``function`` over about ``seconds`` (after a short warm-up)."""
    for _ in range(50):
        function()
    calls = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(50):
            function()
        calls += 50
        now = time.perf_counter()
        if now >= deadline:
            return calls / (now - start), calls


def build(count: int):
    from stdnum.cn import uscc

    from onewindow.certificates.keys import key_generate
    from onewindow.certificates.models import CertificateType
    from onewindow.certificates.services import certificate_issue
    from onewindow.org.constants import ApplicantKind, DepartmentKind
    from onewindow.org.models import Applicant, Department, Zone

    zone = Zone.objects.create(code="SFQ", name="示范经济技术开发区", division_code="320192")
    department = Department.objects.create(
        zone=zone,
        code="XZSPJ",
        name="行政审批局",
        kind=DepartmentKind.FUNCTIONAL,
        uscc="11320192MB1234567J",
    )
    certificate_type = CertificateType.objects.create(
        code="XZSPJ002",
        name="食品经营许可证",
        issuing_department=department,
        validity=CertificateType.Validity.YEARS,
        validity_years=5,
        fields=[
            {"key": "holder_name", "label": "名称", "type": "text"},
            {"key": "holder_uscc", "label": "统一社会信用代码", "type": "text"},
            {"key": "legal_representative", "label": "法定代表人（负责人）", "type": "text"},
            {"key": "premises", "label": "经营场所", "type": "text"},
            {"key": "main_format", "label": "主体业态", "type": "text"},
            {"key": "business_items", "label": "经营项目", "type": "text"},
            {"key": "licence_number", "label": "许可证编号", "type": "text"},
            {"key": "issued_on", "label": "发证日期", "type": "date"},
            {"key": "valid_until", "label": "有效期至", "type": "date"},
        ],
    )
    key_generate(zone=zone)
    identifiers = []
    first = date(2024, 1, 2)
    for index in range(count):
        body = f"91320192MA{index:07d}"
        body = body.replace("I", "1").replace("O", "0")
        applicant = Applicant.objects.create(
            kind=ApplicantKind.ENTERPRISE,
            name=f"示范餐饮管理有限公司第{index + 1}分店",
            uscc=body + uscc.calc_check_digit(body),
            legal_representative="张三",
        )
        certificate = certificate_issue(
            certificate_type=certificate_type,
            holder=applicant,
            actor=None,
            facts={
                "premises": f"示范经济技术开发区创新路 {index + 1} 号",
                "main_format": "餐饮服务经营者（中型餐馆）",
                "business_items": "热食类食品制售；冷食类食品制售；自制饮品制售",
            },
            issued_on=first + timedelta(days=index % 700),
        )
        identifiers.append(certificate.identifier)
    return identifiers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--certificates", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--pdfs", type=int, default=100)
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    arguments = parser.parse_args()

    settings.ONEWINDOW_KEY_DIR = tempfile.mkdtemp(prefix="onewindow-bench-keys-")
    setup_test_environment()
    connection.settings_dict["TEST"]["NAME"] = TEST_DB
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(arguments)
    finally:
        connection.creation.destroy_test_db(TEST_DB, verbosity=0)


def run(arguments) -> None:
    from django.core.cache import cache

    from onewindow.certificates.models import Certificate
    from onewindow.certificates.pdf import render_certificate_pdf
    from onewindow.certificates.services import certificate_verify
    from onewindow.certificates.signing import verify

    start = time.perf_counter()
    identifiers = build(arguments.certificates)
    issue_seconds = time.perf_counter() - start
    rows = [
        (bytes(c.signing_key.public_key), c.payload, c.signature)
        for c in Certificate.objects.select_related("signing_key")
    ]
    chooser = random.Random(2026)

    def verify_signature():
        public, payload, signature = rows[chooser.randrange(len(rows))]
        if not verify(public, payload, signature):
            raise SystemExit("a stored signature did not verify")

    def verify_service():
        certificate_verify(
            identifiers[chooser.randrange(len(identifiers))], channel="page", count=False
        )

    figures: dict[str, object] = {}
    figures["signature verifications/s"], _ = rate(verify_signature, arguments.seconds)
    figures["certificate_verify/s"], _ = rate(verify_service, arguments.seconds)

    client = Client(REMOTE_ADDR="10.0.0.1")
    pages = {}
    for name, template in (
        ("verify page", "/verify/{}"),
        ("verify API", "/api/v1/certificates/{}/verify"),
    ):
        probe = client.get(template.format(identifiers[0]))
        if probe.status_code != 200:
            print(f"{template} answered {probe.status_code}; skipped")
            continue
        samples = []
        for index in range(arguments.runs + 20):
            cache.clear()  # the per-address throttle would refuse a single client
            identifier = identifiers[chooser.randrange(len(identifiers))]
            began = time.perf_counter()
            response = client.get(template.format(identifier))
            elapsed = (time.perf_counter() - began) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{template} answered {response.status_code}")
            if index >= 20:
                samples.append(elapsed)
        pages[name] = summary(samples) | {"rps": 1000 / statistics.mean(samples)}

    certificates = list(
        Certificate.objects.select_related("certificate_type", "issuing_department", "signing_key")[
            : arguments.pdfs
        ]
    )
    sizes = []
    began = time.perf_counter()
    for certificate in certificates:
        sizes.append(len(render_certificate_pdf(certificate)))
    pdf_rate = len(certificates) / (time.perf_counter() - began)

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    info = machine()
    lines = [
        HEADING,
        "",
        f"{info['date']} · {info['cpu']} · {info['nproc']} cores · {info['python']} · "
        f"{database_label()}",
        "",
        f"Data: {len(identifiers):,} certificates issued through `certificate_issue` in "
        f"{issue_seconds:.1f} s ({len(identifiers) / issue_seconds:.0f}/s, "
        "each signed and audited).",
        "",
        "| measure | figure | target |",
        "| --- | ---: | ---: |",
        f"| Ed25519 signature verifications/s in-process (one core) | "
        f"{figures['signature verifications/s']:,.0f} | ≥ 2,000 |",
        f"| `certificate_verify`/s (query + signature + status) | "
        f"{figures['certificate_verify/s']:,.0f} | |",
        f"| PDF renders/s (reportlab + QR + attachment; "
        f"{statistics.mean(sizes) / 1024:.0f} KiB each) | "
        f"{pdf_rate:,.1f} | |",
    ]
    lines += [
        "",
        "| request (Django test client) | p50 ms | p95 ms | p99 ms | requests/s | target p95 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, figure in pages.items():
        lines.append(
            f"| {name} | {figure['p50']:.1f} | {figure['p95']:.1f} | {figure['p99']:.1f} | "
            f"{figure['rps']:.0f} | {'< 30' if name == 'verify page' else ''} |"
        )
    lines += ["", f"Peak RSS of the benchmark process: {rss:.0f} MiB.", ""]
    text = "\n".join(lines)
    print(text)
    if not arguments.no_write:
        existing = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
        if HEADING in existing:
            head, _, rest = existing.partition(HEADING)
            tail = rest.split("\n## ", 1)
            rest = ("\n## " + tail[1]) if len(tail) > 1 else ""
            existing = head.rstrip() + "\n\n" + text + rest
        else:
            existing = existing.rstrip() + "\n\n" + text
        RESULTS.write_text(existing.rstrip() + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
