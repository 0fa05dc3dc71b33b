"""Benchmark: catalog search over 5,000 published items, on SQLite or PostgreSQL.

Run with ``.venv/bin/python bench/bench_search.py`` (SQLite, or ``make bench``) and with
``DATABASE_URL=postgres://user@host:5432/NAME`` for PostgreSQL. It creates a fresh test
database (a file for SQLite, ``test_onewindow_bench_search`` for PostgreSQL; destroyed at
the end), bulk-creates a zone, its departments and a generated catalog — 5,000 items with a
published version each, plus retired and draft versions that search must skip — with
names combined from real item words (食品 × 经营 × 许可 …) and their pinyin keys, then
times a seeded mix of searches:

* ``search``: :func:`onewindow.catalog.search.search_items` and its first page of 20 with
  the count, as the API asks for them (:func:`~onewindow.catalog.search.result_page`:
  the ranked keys with the count, then the page's rows);
* ``api``: ``GET /api/v1/items`` through Django's test client (zone, department, count,
  page, serialisation to JSON), in process;
* ``catalog``: :func:`onewindow.catalog.search.search_catalog` (items and bundles ranked in
  one list, first page of 20 and the count) and ``GET /api/v1/search``, for the searches
  with words.

A quarter of the items carry search terms (colloquial names such as 办食品证) and 40 % a
result name (食品经营许可证), as the words-people-type searches need.

The figures go to ``bench/RESULTS.md`` under "Catalog search (issue: catalog)", in the
database's own subsection (a later run on the same database replaces it).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from environment import database_label, machine

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings_test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

from onewindow.catalog.constants import (  # noqa: E402
    HandlingKind,
    ItemType,
    OnlineDepth,
    VersionStatus,
)
from onewindow.catalog.models import Item, ItemVersion  # noqa: E402
from onewindow.catalog.search import result_page, search_catalog, search_items  # noqa: E402
from onewindow.catalog.search_keys import fold, name_search_keys  # noqa: E402
from onewindow.demo.org_data import demo_uscc  # noqa: E402
from onewindow.org.constants import DepartmentKind  # noqa: E402
from onewindow.org.models import Department, Zone  # noqa: E402

HEADING = "## Catalog search (issue: catalog)"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
TARGET_P95_MS = 20.0
PAGE_SIZE = 20

DEPARTMENTS = [
    ("XZSPJ", "行政审批局"),
    ("SCJG", "市场监督管理局"),
    ("GACRJ", "公安分局出入境管理大队"),
    ("KJJ", "科技局"),
    ("RSJ", "人力资源和社会保障局"),
    ("ZRZY", "自然资源和规划分局"),
    ("ZJJ", "住房和城乡建设局"),
    ("STHJ", "生态环境分局"),
    ("YJGL", "应急管理局"),
    ("SWJ", "税务局"),
    ("XFJY", "消防救援大队"),
    ("WJJ", "卫生健康局"),
    ("JTJ", "交通运输局"),
    ("CGJ", "城市管理局"),
    ("NYJ", "农业农村局"),
    ("WLJ", "文化旅游局"),
    ("JYJ", "教育局"),
    ("MZJ", "民政局"),
]
SUBJECTS = [
    "食品",
    "药品",
    "医疗器械",
    "化妆品",
    "建设工程",
    "建设用地",
    "排水",
    "供水",
    "燃气",
    "外国人",
    "道路",
    "城市绿化",
    "危险化学品",
    "特种设备",
    "户外广告",
    "烟草",
    "出版物",
    "民办学校",
    "娱乐场所",
    "旅行社",
    "道路运输",
    "出租汽车",
    "建筑企业",
    "房地产开发企业",
    "物业服务",
    "环境影响评价",
    "排污",
    "取水",
    "林木采伐",
    "动物防疫",
    "农药",
    "兽药",
    "种子",
    "饲料",
    "ICP",  # a Latin word now and then, as real names have
    "职业介绍",
    "劳务派遣",
    "人力资源服务",
    "医疗机构",
    "母婴保健",
    "放射诊疗",
    "消防",
    "公共场所卫生",
    "生活饮用水",
    "殡葬设施",
    "养老机构",
    "社会团体",
    "民办非企业单位",
    "宗教活动场所",
    "广播电视",
    "互联网上网服务",
    "营业性演出",
    "文物",
    "测绘",
    "气象",
]
ACTIONS = [
    "经营",
    "生产",
    "使用",
    "运输",
    "储存",
    "设立",
    "变更",
    "延续",
    "注销",
    "补办",
    "施工",
    "验收",
    "登记",
    "设置",
    "占用",
    "挖掘",
    "临时",
    "迁移",
    "改建",
    "扩建",
]
#: Colloquial words an administrator adds as terms, and certificate names.
TERM_WORDS = ["开店", "办证", "年检", "换证", "报批"]
CERTIFICATES = ["许可证", "登记证", "备案凭证", "资格证书"]
#: Full-width forms of ASCII letters and digits.
FULL_WIDTH = str.maketrans({chr(code): chr(code + 0xFEE0) for code in range(0x21, 0x7F)})

RESULTS_WORDS = [
    "许可",
    "备案",
    "登记",
    "审批",
    "核准",
    "证核发",
    "确认",
    "审查",
    "批准",
    "资格认定",
]


def item_names(count: int, rng: random.Random) -> list[str]:
    combinations = [
        f"{subject}{action}{result}"
        for subject, action, result in itertools.product(SUBJECTS, ACTIONS, RESULTS_WORDS)
    ]
    rng.shuffle(combinations)
    return combinations[:count]


def build_catalog(count: int, rng: random.Random) -> tuple[Zone, list[Department], list[str]]:
    zone = Zone.objects.create(
        code=settings.ONEWINDOW_DEFAULT_ZONE, name="示范经济技术开发区", division_code="320192"
    )
    departments = Department.objects.bulk_create(
        Department(
            zone=zone,
            code=code,
            name=name,
            kind=DepartmentKind.FUNCTIONAL,
            uscc=demo_uscc("11", index),
            sort_order=index,
        )
        for index, (code, name) in enumerate(DEPARTMENTS, start=1)
    )
    departments = list(Department.objects.filter(zone=zone))
    names = item_names(count, rng)
    types = [choice.value for choice in ItemType]
    items, plans = [], []
    for serial, name in enumerate(names, start=1):
        department = rng.choice(departments)
        item_type = rng.choice(types)
        basic = f"32{item_type}{serial:05d}000"
        subject = next(subject for subject in SUBJECTS if name.startswith(subject))
        terms = (
            [f"办{subject}证", f"{subject}手续", f"{subject}{rng.choice(TERM_WORDS)}"]
            if rng.random() < 0.25
            else []
        )
        items.append(
            Item(
                zone=zone,
                implementation_code=f"{department.uscc}4{basic}",
                basic_code=basic,
                search_terms="\n".join(terms),
                terms_folded="\n".join(fold(term) for term in terms),
            )
        )
        result = f"{subject}{rng.choice(CERTIFICATES)}" if rng.random() < 0.4 else ""
        plans.append((name, department, item_type, result))
    items = Item.objects.bulk_create(items, batch_size=1000)
    if items[0].pk is None:  # backends that do not return primary keys from bulk inserts
        items = list(Item.objects.filter(zone=zone).order_by("pk"))
    versions = []
    for item, (name, department, item_type, result) in zip(items, plans, strict=True):
        immediate = rng.random() < 0.15
        visits = 0 if rng.random() < 0.3 else rng.choice([1, 1, 2])
        pinyin, initials = name_search_keys(name)
        common = {
            "item": item,
            "item_type": item_type,
            "department": department,
            "legal_basis": "《中华人民共和国行政许可法》",
            "legal_limit_days": 20,
            "promised_limit_days": 1 if immediate else rng.choice([3, 5, 10, 15]),
            "handling_kind": HandlingKind.IMMEDIATE if immediate else HandlingKind.PROMISED,
            "required_visits": visits,
            "online_depth": OnlineDepth.FULLY_ONLINE if visits == 0 else OnlineDepth.ONE_VISIT,
            "name_pinyin": pinyin,
            "name_initials": initials,
            "name_folded": fold(name),
            "result_name": result,
            "result_folded": fold(result),
        }
        roll = rng.random()
        number = 1
        if roll < 0.10:  # an earlier version, retired when this one was published
            versions.append(
                ItemVersion(version=1, status=VersionStatus.RETIRED, name=name, **common)
            )
            number = 2
        versions.append(
            ItemVersion(version=number, status=VersionStatus.PUBLISHED, name=name, **common)
        )
        if roll > 0.95:  # a draft being edited
            versions.append(
                ItemVersion(
                    version=number + 1,
                    status=VersionStatus.DRAFT,
                    name=name + "（修订）",
                    **(common | {"name_folded": fold(name + "（修订）")}),
                )
            )
    ItemVersion.objects.bulk_create(versions, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as a live database has them
    return zone, departments, names


def searches(
    count: int, rng: random.Random, names: list[str], departments: list[Department]
) -> list[tuple[str, dict]]:
    """(kind, keyword arguments of search_items) for a seeded mix of searches."""
    mix = []
    for _ in range(count):
        name = rng.choice(names)
        initials = name_search_keys(name)[1]
        subject = next(subject for subject in SUBJECTS if name.startswith(subject))
        roll = rng.random()
        if roll < 0.20:
            length = rng.randint(2, 4)
            start = rng.randint(0, max(0, len(name) - length))
            mix.append(("chinese substring", {"query": name[start : start + length]}))
        elif roll < 0.28:
            mix.append(("exact name", {"query": name}))
        elif roll < 0.40:
            initials = initials[: rng.randint(2, 5)]
            if rng.random() < 0.3:
                mix.append(("full-width initials", {"query": initials.translate(FULL_WIDTH)}))
            else:
                mix.append(("pinyin initials", {"query": initials}))
        elif roll < 0.50:
            first_two = "".join(name_search_keys(name[:2])[0])
            mix.append(("full pinyin", {"query": first_two}))
        elif roll < 0.60:
            term = rng.choice([f"办{subject}证", f"{subject}手续", f"{subject}开店"])
            mix.append(("synonym", {"query": term}))
        elif roll < 0.67:
            mix.append(("result name", {"query": f"{subject}{rng.choice(CERTIFICATES)}"}))
        elif roll < 0.75:
            mix.append(("two words", {"query": f"{name[:2]} {name[-2:]}"}))
        elif roll < 0.90:
            filters: dict = {
                rng.choice(["department", "item_type", "fully_online", "immediate"]): None
            }
            key = next(iter(filters))
            filters[key] = {
                "department": lambda: rng.choice(departments),
                "item_type": lambda: rng.choice([choice.value for choice in ItemType]),
                "fully_online": lambda: True,
                "immediate": lambda: True,
            }[key]()
            if rng.random() < 0.5:
                filters["query"] = name[:2]
            mix.append(("filters", filters))
        else:
            mix.append(("empty", {}))
    return mix


def api_params(arguments: dict) -> dict:
    params: dict = {}
    for key, value in arguments.items():
        if key == "query":
            params["q"] = value
        elif key == "department":
            params["department"] = value.code
        elif isinstance(value, bool):
            params[key] = "true" if value else "false"
        else:
            params[key] = value
    return params


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "p50": statistics.median(samples) * 1e3,
        "p95": percentile(samples, 0.95) * 1e3,
        "p99": percentile(samples, 0.99) * 1e3,
        "max": max(samples) * 1e3,
    }


def run(options) -> dict:
    load_before = os.getloadavg()[0]
    rng = random.Random(options.seed)
    began = time.perf_counter()
    zone, departments, names = build_catalog(options.items, rng)
    built = time.perf_counter() - began
    mix = searches(options.searches, rng, names, departments)
    client = Client()

    def timed_search(arguments: dict) -> tuple[float, int]:
        started = time.perf_counter()
        page = result_page(search_items(zone=zone, **arguments), page=1, page_size=PAGE_SIZE)
        return time.perf_counter() - started, page.count

    def timed_api(arguments: dict) -> float:
        started = time.perf_counter()
        response = client.get("/api/v1/items", api_params(arguments))
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.content
        return elapsed

    def timed_catalog(query: str) -> float:
        started = time.perf_counter()
        search_catalog(zone=zone, query=query).page(page=1, page_size=PAGE_SIZE)
        return time.perf_counter() - started

    def timed_catalog_api(query: str) -> float:
        started = time.perf_counter()
        response = client.get("/api/v1/search", {"q": query})
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.content
        return elapsed

    worded = [arguments["query"] for _kind, arguments in mix if arguments.get("query")]

    for _kind, arguments in mix[:50]:  # warm up caches and connections
        timed_search(arguments)
        timed_api(arguments)
    per_kind: dict[str, list[float]] = {}
    search_times, api_times, found = [], [], []
    for kind, arguments in mix:
        elapsed, total = timed_search(arguments)
        search_times.append(elapsed)
        found.append(total)
        per_kind.setdefault(kind, []).append(elapsed)
    for _kind, arguments in mix:
        api_times.append(timed_api(arguments))
    catalog_times = [timed_catalog(query) for query in worded]
    catalog_api_times = [timed_catalog_api(query) for query in worded]
    return {
        "database": database_label(),
        "built": built,
        "versions": ItemVersion.objects.count(),
        "published": ItemVersion.objects.filter(status=VersionStatus.PUBLISHED).count(),
        "search": summary(search_times),
        "api": summary(api_times),
        "catalog": summary(catalog_times),
        "catalog_api": summary(catalog_api_times),
        "worded": len(worded),
        "kinds": {kind: (len(times), summary(times)) for kind, times in per_kind.items()},
        "found_median": statistics.median(found),
        "load": (load_before, os.getloadavg()[0]),
    }


def section_for(result: dict, info: dict, options) -> str:
    rows = "\n".join(
        f"| {kind} | {n} | {s['p50']:.2f} | {s['p95']:.2f} | {s['p99']:.2f} |"
        for kind, (n, s) in sorted(result["kinds"].items())
    )
    search, api = result["search"], result["api"]
    catalog, catalog_api = result["catalog"], result["catalog_api"]
    verdict = "met" if search["p95"] < TARGET_P95_MS else "**not met**"
    command = ("DATABASE_URL=… " if connection.vendor == "postgresql" else "") + (
        ".venv/bin/python bench/bench_search.py"
    )
    about = textwrap.fill(
        f"`{command}` — {info['date']} — {info['cpu']}, nproc {info['nproc']}, "
        f"{info['python']}, {result['database']}. {options.items:,} published items "
        f"({result['versions']:,} versions with the retired and draft ones), built in "
        f"{result['built']:.1f} s; {options.searches} searches (seed {options.seed}; median "
        f"{result['found_median']:.0f} matches per search). Load average (1 min) "
        f"{result['load'][0]:.2f} before the searches, {result['load'][1]:.2f} after.",
        width=90,
        break_on_hyphens=False,
    )
    return f"""### {result["database"].split()[0]}

{about}

| What (ms) | p50 | p95 | p99 | max |
|---|---:|---:|---:|---:|
| `search_items` + `result_page`: first {PAGE_SIZE} and the count | {search["p50"]:.2f} | \
{search["p95"]:.2f} | {search["p99"]:.2f} | {search["max"]:.2f} |
| `GET /api/v1/items` (test client, JSON) | {api["p50"]:.2f} | {api["p95"]:.2f} | \
{api["p99"]:.2f} | {api["max"]:.2f} |
| `search_catalog` (items and bundles): first {PAGE_SIZE} and the count \
({result["worded"]} searches with words) | {catalog["p50"]:.2f} | {catalog["p95"]:.2f} | \
{catalog["p99"]:.2f} | {catalog["max"]:.2f} |
| `GET /api/v1/search` (test client, JSON) | {catalog_api["p50"]:.2f} | \
{catalog_api["p95"]:.2f} | {catalog_api["p99"]:.2f} | {catalog_api["max"]:.2f} |

| Search kind | n | p50 | p95 | p99 |
|---|---:|---:|---:|---:|
{rows}

Target p95 < {TARGET_P95_MS:.0f} ms (`search_items`): {verdict}.
"""


INTRO = f"""{HEADING}

`bench/bench_search.py` builds a fresh test database with a generated catalog (names
combined from real item words: 食品 × 经营 × 许可 …, with their pinyin keys; a quarter
with colloquial search terms, 40 % with a result name) and times a seeded mix of searches:
20 % Chinese substrings of 2–4 characters, 8 % exact names, 12 % pinyin initials (2–5
letters, a third of them typed full-width), 10 % full pinyin of the first two characters,
10 % synonyms (办食品证), 7 % result names (食品许可证), 8 % two words (食品 许可), 15 %
filters (department, type, 全程网办 or 即办件; half of them with a two-character query),
10 % empty queries. The searches with words are timed again through `search_catalog`
(items and bundles in one ranked list) and `GET /api/v1/search`. A search is timed as the
API runs it: `search_items`, then `result_page` (the first 20 keys, ranked, with the count
as `COUNT(*) OVER ()`; then those 20 rows with their item and department). The machine is
shared; the load average is given with each run.
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
    parser.add_argument("--searches", type=int, default=500)
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    options = parser.parse_args(argv)

    setup_test_environment()
    test_settings = connection.settings_dict.setdefault("TEST", {})
    scratch = None
    if connection.vendor == "sqlite":
        # A file, as in production (an in-memory database would flatter the figures).
        scratch = tempfile.TemporaryDirectory(prefix="bench-search-")
        test_settings["NAME"] = str(Path(scratch.name) / "bench.sqlite3")
    else:
        test_settings["NAME"] = "test_onewindow_bench_search"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        result = run(options)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        teardown_test_environment()
        if scratch is not None:
            scratch.cleanup()

    info = machine()
    section = section_for(result, info, options)
    print(section)
    if not options.no_write:
        write_results(section, result["database"].split()[0])
        print(f"written to {RESULTS}")
    return 0  # the verdict is in the figures; a slow run still records them


if __name__ == "__main__":
    sys.exit(main())
