"""Benchmark: importing a 5,000-item implementation-list Excel file, SQLite or PostgreSQL.

Run with ``.venv/bin/python bench/bench_import.py`` (SQLite, or ``make bench``) and with
``DATABASE_URL=postgres://user@host:5432/NAME`` for PostgreSQL. It creates a fresh test
database (a file for SQLite, ``test_onewindow_bench_import`` for PostgreSQL; destroyed at
the end), loads the demo zone's organisation (departments with their USCCs, windows) and a
few certificate types, and generates a seeded file in the layout of
``docs/catalog-excel.md``: 5,000 items of the demo departments with valid codes, 2–4
materials (about 3) and the four standard steps each. Then it times:

* **import** into the empty zone: :func:`onewindow.catalog.excel.import_catalog`, both
  passes (read and check; create + publish every item through the services, one
  transaction); wall time and the process's peak resident memory (``ru_maxrss``);
* **pass 1 alone** (:func:`~onewindow.catalog.excel.read_catalog`): reading and checking;
* **import again** (the same file, every item unchanged: a no-op);
* **export** of the 5,000 published items (:func:`~onewindow.catalog.excel.export_catalog`);
* the **tracemalloc peak** of the import, pass 1 and the export, each run again under
  tracemalloc (which slows Python down, so those runs are not timed) — the import into a
  second empty zone with the same organisation.

The figures go to ``bench/RESULTS.md`` under "Catalog Excel import (issue: catalog)", in
the database's own subsection (a later run on the same database replaces it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import re
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from environment import database_label, machine

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings_test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from openpyxl import Workbook  # noqa: E402

from onewindow.catalog.constants import (  # noqa: E402
    DelegationLevel,
    DelegationStatus,
    HandlingKind,
    ItemType,
    MaterialMedium,
    MaterialSource,
    OnlineDepth,
    StepKind,
    StepRole,
)
from onewindow.catalog.excel import (  # noqa: E402
    LAYOUT,
    export_catalog,
    import_catalog,
    read_catalog,
)
from onewindow.catalog.excel.cells import label_of  # noqa: E402
from onewindow.catalog.models import ItemVersion, Material, Step  # noqa: E402
from onewindow.certificates.models import CertificateType  # noqa: E402
from onewindow.demo import org_data  # noqa: E402
from onewindow.org.models import Department, Window, Zone  # noqa: E402

HEADING = "## Catalog Excel import (issue: catalog)"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"

SUBJECTS = ["食品", "药品", "医疗器械", "建设工程", "城市道路", "排水", "供水", "燃气", "外国人",
            "人力资源", "劳务派遣", "特种设备", "危险化学品", "户外广告", "城市绿化", "消防",
            "环境影响", "节能", "文物", "民办学校", "旅行社", "娱乐场所", "网络文化", "出版物",
            "道路运输", "建筑企业", "房地产开发", "公共场所", "放射诊疗", "职业卫生"]  # fmt: skip
ACTIONS = ["经营", "生产", "设立", "变更", "延续", "注销", "备案", "登记", "使用", "占用",
           "施工", "验收", "审查", "核准", "补办"]  # fmt: skip
RESULTS_WORDS = ["许可", "审批", "备案", "认定", "确认", "登记", "核发", "审查"]
MATERIAL_NAMES = ["申请书", "营业执照", "法定代表人身份证明", "场所平面图", "授权委托书",
                  "设备清单", "专业技术人员资格证明", "管理制度文本", "承诺书",
                  "现场照片", "检测报告", "消防验收意见"]  # fmt: skip
CERTIFICATES = [("营业执照", "001"), ("食品经营许可证", "002"), ("建设工程规划许可证", "003"),
                ("建筑工程施工许可证", "004"), ("排水许可证", "005")]  # fmt: skip


def max_rss_mib() -> float:
    """The process's peak resident set so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def certificate_types(uscc: str) -> list[CertificateType]:
    types = []
    for name, suffix in CERTIFICATES:
        certificate, _created = CertificateType.objects.get_or_create(
            code=f"{uscc}{suffix}", defaults={"name": name}
        )
        types.append(certificate)
    return types


def label(choices, value) -> str:
    """The Chinese label a clerk types (the source text, whatever the active language)."""
    return label_of(choices)[value]


def item_rows(index: int, rng: random.Random, departments, windows, certificates):
    """One generated item: its row of "事项" and its rows of "材料" and "环节"."""
    department = departments[index % len(departments)]
    item_type = rng.choice(ItemType.values)
    basic = f"32{item_type}{index:05d}000"
    code = f"{department.uscc}4{basic}"
    name = f"{rng.choice(SUBJECTS)}{rng.choice(ACTIONS)}{rng.choice(RESULTS_WORDS)}（{index:05d}）"
    promised = rng.randint(5, 20)
    legal = promised + rng.choice([0, 5, 10])
    charged = rng.random() < 0.2
    delegated = rng.random() < 0.15
    depth = rng.choice([OnlineDepth.PRE_REVIEW, OnlineDepth.ONE_VISIT, OnlineDepth.FULLY_ONLINE])
    visits = 0 if depth == OnlineDepth.FULLY_ONLINE else 1
    issued = rng.choice([None, None, *certificates])
    item = {
        "实施编码": code,
        "基本编码": basic,
        "事项名称": name,
        "事项类型": label(ItemType, item_type),
        "实施机关": department.code,
        "设定依据": "《中华人民共和国行政许可法》",
        "依据条款": "《中华人民共和国行政许可法》第十二条\n《中华人民共和国行政许可法》第四十二条",
        "法定时限": legal,
        "承诺时限": promised,
        "办件类型": label(HandlingKind, HandlingKind.PROMISED),
        "受理条件": "申请人具备法定条件，申请材料齐全、符合法定形式",
        "是否收费": "是" if charged else "否",
        "收费金额": round(rng.uniform(10, 500), 2) if charged else None,
        "收费依据": "苏价费〔2020〕1号" if charged else None,
        "到现场次数": visits,
        "网办深度": label(OnlineDepth, depth),
        "赋权层级": label(DelegationLevel, DelegationLevel.CITY) if delegated else None,
        "赋权机关": "市人民政府" if delegated else None,
        "赋权协议日期": dt.date(2025, 1 + index % 12, 1) if delegated else None,
        "承接状态": label(DelegationStatus, DelegationStatus.ACCEPTED) if delegated else None,
        "办理窗口": ",".join(sorted(rng.sample(windows, rng.randint(1, 2)))),
        "咨询电话": "025-12345000",
        "投诉电话": "12345",
        "证照类型代码": issued.code if issued else None,
        "办理结果名称": issued.name if issued else None,
    }
    materials = []
    for position, material_name in enumerate(
        rng.sample(MATERIAL_NAMES, rng.randint(2, 4)), start=1
    ):
        from_certificate = material_name == "营业执照"
        materials.append(
            {
                "实施编码": code,
                "序号": position,
                "材料名称": material_name,
                "必要": "是",
                "原件": 1,
                "复印件": rng.randint(0, 2),
                "材料形式": label(MaterialMedium, rng.choice(MaterialMedium.values)),
                "来源渠道": label(
                    MaterialSource,
                    MaterialSource.CERTIFICATE if from_certificate else MaterialSource.APPLICANT,
                ),
                "证照类型代码": certificates[0].code if from_certificate else None,
                "可容缺": "是" if position == 3 else "否",
                "可告知承诺": "否",
                "填报说明": "加盖公章" if position == 1 else None,
            }
        )
    review = promised - 3
    steps = [
        ("accept", "受理", StepKind.ACCEPTANCE, StepRole.WINDOW_CLERK, 1, ""),
        ("review", "审查", StepKind.REVIEW, StepRole.REVIEWER, review, "accept"),
        ("decide", "决定", StepKind.DECISION, StepRole.DECIDER, 1, "review"),
        ("deliver", "送达", StepKind.DELIVERY, StepRole.WINDOW_CLERK, 1, "decide"),
    ]
    step_rows = [
        {
            "实施编码": code,
            "序号": position,
            "环节编码": key,
            "环节名称": step_name,
            "环节类型": label(StepKind, kind),
            "办理部门代码": department.code if kind == StepKind.REVIEW else None,
            "办理角色": label(StepRole, role),
            "环节时限": limit,
            "前置环节": after or None,
        }
        for position, (key, step_name, kind, role, limit, after) in enumerate(steps, start=1)
    ]
    return item, materials, step_rows


def generate(path: Path, count: int, seed: int, zone: Zone) -> dict[str, int]:
    rng = random.Random(seed)
    departments = list(Department.objects.filter(zone=zone).exclude(uscc="").order_by("code"))
    windows = list(Window.objects.filter(zone=zone).values_list("code", flat=True))
    certificates = certificate_types(departments[0].uscc)
    workbook = Workbook(write_only=True)
    sheets = {}
    for title, columns in LAYOUT.items():
        sheet = workbook.create_sheet(title)
        headers = [column.header for column in columns if column.parse is not None]
        sheet.append(headers)
        sheets[title] = (sheet, headers)
    totals = {"items": 0, "materials": 0, "steps": 0}
    for index in range(1, count + 1):
        item, materials, steps = item_rows(index, rng, departments, windows, certificates)
        for title, rows, key in (
            ("事项", [item], "items"),
            ("材料", materials, "materials"),
            ("环节", steps, "steps"),
        ):
            sheet, headers = sheets[title]
            for row in rows:
                sheet.append([row.get(header) for header in headers])
            totals[key] += len(rows)
    workbook.save(path)
    return totals


def empty_zone(zone: Zone, code: str) -> Zone:
    """An empty zone with the same organisation as ``zone``."""
    other = Zone.objects.create(
        code=code,
        name="第二开发区",
        division_code=zone.division_code,
        phone=zone.phone,
        complaint_phone=zone.complaint_phone,
    )
    for department in Department.objects.filter(zone=zone):
        Department.objects.create(
            zone=other,
            code=department.code,
            name=department.name,
            kind=department.kind,
            uscc=department.uscc,
        )
    for window in Window.objects.filter(zone=zone):
        Window.objects.create(zone=other, code=window.code, name=window.name, kind=window.kind)
    return other


def traced(function, *args, **kwargs) -> tuple[object, float]:
    """Run under tracemalloc; return the result and the peak in MiB."""
    gc.collect()
    tracemalloc.start()
    try:
        result = function(*args, **kwargs)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak / 2**20


def queries_per_item(path: Path, zone: Zone, sample: int) -> float:
    """Queries of pass 2 per created item, over the first ``sample`` items of the file."""
    from onewindow.catalog.excel import importer

    items, problems = read_catalog(zone, path)
    assert not problems, problems[:5]
    report = importer.ImportReport()
    existing = importer._existing(zone)
    with CaptureQueriesContext(connection) as queries:
        for item in items[:sample]:
            importer._write(
                item,
                existing.get(item.code),
                zone=zone,
                actor=None,
                change_note="bench",
                report=report,
            )
    return len(queries) / sample


def run(options, scratch: Path) -> dict:
    org_data.load()
    zone = Zone.objects.get(code=org_data.ZONE_CODE)
    path = scratch / "catalog-5000.xlsx"
    started = time.perf_counter()
    totals = generate(path, options.items, options.seed, zone)
    generated = time.perf_counter() - started
    result: dict = {
        "database": database_label(),
        "totals": totals,
        "generated": generated,
        "file_mib": path.stat().st_size / 2**20,
    }

    gc.collect()
    rss_before = max_rss_mib()
    started = time.perf_counter()
    items, problems = read_catalog(zone, path)
    result["pass1"] = time.perf_counter() - started
    assert not problems, problems[:5]
    del items
    last_print = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last_print[0] > 10 or done == total:
            last_print[0] = now
            print(f"  {done}/{total} items, {now - started:.0f} s", file=sys.stderr)

    started = time.perf_counter()
    report = import_catalog(zone, path, actor=None, progress=progress)
    result["import"] = time.perf_counter() - started
    assert report.ok and report.created == options.items, report.problems[:5]
    result["rss_before"] = rss_before
    result["rss_after"] = max_rss_mib()
    result["rows"] = {
        "versions": ItemVersion.objects.filter(item__zone=zone).count(),
        "materials": Material.objects.filter(version__item__zone=zone).count(),
        "steps": Step.objects.filter(version__item__zone=zone).count(),
    }

    started = time.perf_counter()
    again = import_catalog(zone, path, actor=None)
    result["reimport"] = time.perf_counter() - started
    assert again.unchanged == options.items, again.problems[:5]

    exported = scratch / "export.xlsx"
    started = time.perf_counter()
    export_catalog(zone, exported)
    result["export"] = time.perf_counter() - started

    _, result["pass1_peak"] = traced(read_catalog, zone, path)
    _, result["export_peak"] = traced(export_catalog, zone, scratch / "export-traced.xlsx")
    traced_report, result["import_peak"] = traced(
        import_catalog, empty_zone(zone, "BENCH2"), path, actor=None
    )
    assert traced_report.created == options.items
    result["queries_per_item"] = queries_per_item(path, empty_zone(zone, "BENCH3"), 50)
    return result


def section_for(result: dict, info: dict, options) -> str:
    totals, rows = result["totals"], result["rows"]
    per_item_ms = 1000 * (result["import"] - result["pass1"]) / options.items
    command = "DATABASE_URL=… " if connection.vendor == "postgresql" else ""
    return f"""### {result["database"].split()[0]}

`{command}.venv/bin/python bench/bench_import.py` — {info["date"]} — {info["cpu"]},
nproc {info["nproc"]}, {info["python"]}, {result["database"]}.
File: {totals["items"]:,} items, {totals["materials"]:,} materials, {totals["steps"]:,} steps
({result["file_mib"]:.1f} MiB, generated in {result["generated"]:.1f} s, seed {options.seed}).
Stored: {rows["versions"]:,} versions, {rows["materials"]:,} materials, {rows["steps"]:,} steps.

| What | wall time | tracemalloc peak |
|---|---:|---:|
| import into the empty zone (both passes, one transaction) | {result["import"]:.1f} s | \
{result["import_peak"]:.0f} MiB |
| … of which pass 1 (read and check every cell) | {result["pass1"]:.1f} s | \
{result["pass1_peak"]:.0f} MiB |
| … pass 2 per item (create + publish through the services) | {per_item_ms:.1f} ms | — |
| import again (every item unchanged) | {result["reimport"]:.1f} s | — |
| export of the {options.items:,} published items | {result["export"]:.1f} s | \
{result["export_peak"]:.0f} MiB |

Peak resident memory of the process (`ru_maxrss`): {result["rss_before"]:.0f} MiB before the
import (Django, the demo zone, the file generated), {result["rss_after"]:.0f} MiB after it.
Pass 2 runs {result["queries_per_item"]:.0f} queries per created item (first 50 items).
"""


INTRO = f"""{HEADING}

`bench/bench_import.py` generates a seeded 5,000-item file in the layout of
`docs/catalog-excel.md` (demo departments and windows, valid codes, 2–4 materials and the
four standard steps per item), imports it into an empty zone of a fresh test database, then
imports it again (a no-op) and exports the catalog. Wall times are measured without
tracemalloc; the tracemalloc peaks come from separate runs of the same work (the import into
a second empty zone), since tracing slows Python down.
"""


def write_results(section: str, database: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    match = pattern.search(text)
    body = match.group(0) if match else INTRO
    subsection = re.compile(rf"^### {re.escape(database)}\n.*?(?=^### |^## |\Z)", re.S | re.M)
    if subsection.search(body):
        body = subsection.sub(lambda _match: section + "\n", body)
    else:
        body = body.rstrip("\n") + "\n\n" + section + "\n"
    if match:
        text = text[: match.start()] + body + text[match.end() :]
    else:
        text = text.rstrip("\n") + "\n\n" + body
    RESULTS.write_text(re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    options = parser.parse_args(argv)

    setup_test_environment()
    test_settings = connection.settings_dict.setdefault("TEST", {})
    scratch = tempfile.TemporaryDirectory(prefix="bench-import-")
    if connection.vendor == "sqlite":
        # A file, as in production (an in-memory database would flatter the figures).
        test_settings["NAME"] = str(Path(scratch.name) / "bench.sqlite3")
    else:
        test_settings["NAME"] = "test_onewindow_bench_import"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        result = run(options, Path(scratch.name))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        teardown_test_environment()
        scratch.cleanup()

    info = machine()
    section = section_for(result, info, options)
    print(section)
    if not options.no_write:
        write_results(section, result["database"].split()[0])
        print(f"written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
