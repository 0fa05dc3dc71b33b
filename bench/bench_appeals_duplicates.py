"""Benchmark: duplicate suggestion at intake with 500,000 appeals, on PostgreSQL.

Run with ``DATABASE_URL=postgres://user@host:5432/NAME .venv/bin/python
bench/bench_appeals_duplicates.py``. It creates a fresh test database
(``test_onewindow_bench_duplicates``, destroyed at the end) and inserts a zone with a
category tree, 20,000 enterprises and 500,000 orders spread over two years in one
``INSERT … SELECT`` from ``generate_series``: realistic texts from 40 templates, each with
its words precomputed by ``appeals.similarity.words_of`` as intake stores them; 85 % of
the orders by an enterprise (a tenth of all orders by 20 heavy requesters with about 2,500
orders each, so about 100 in any 30 days; the rest spread over the others); 15 % by
callers without an account, known by phone; 30 % about an enterprise (``subject_uscc``).
It runs ``ANALYZE``, shows the plans of two candidate queries (the indexes they must use:
``appeal_requester_created``, ``appeal_phone_created``, ``appeal_uscc_category``), then
times a seeded mix of checks as intake asks for them:

* ``duplicate_candidates`` for the hotline operator (the query, the scoring, the ranking);
* ``POST /api/v1/appeals/duplicates/check`` through Django's test client, in process.

The mix: 55 % an ordinary enterprise, 15 % a heavy requester, 15 % a caller by phone, 15 %
a new requester about an enterprise and category. Target: p95 < 100 ms. The figures go to
``bench/RESULTS.md`` under "Appeals: duplicates".
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

from environment import database_label, machine

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings_test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import NOT_PROVIDED  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from onewindow.appeals.constants import AppealStatus, Channel, Nature  # noqa: E402
from onewindow.appeals.duplicates import duplicate_candidates  # noqa: E402
from onewindow.appeals.models import Appeal, AppealCategory, AppealSettings  # noqa: E402
from onewindow.appeals.similarity import idf_table, words_of  # noqa: E402
from onewindow.org.constants import ApplicantKind, DepartmentKind, Role  # noqa: E402
from onewindow.org.models import Applicant, Department, Zone  # noqa: E402

HEADING = "## Appeals: duplicates"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
TARGET_P95_MS = 100.0
HEAVY_REQUESTERS = 20
ENTERPRISES = 20_000
CATEGORIES = 12

TEMPLATES = [
    ("营业执照办理进度咨询", "我公司上周提交的设立登记至今没有消息，请帮忙催办。"),
    ("设立登记一直没有结果", "网上提交了公司设立登记申请，到现在营业执照还没有下来，请催一下。"),
    ("营业执照地址变更咨询", "公司搬到了新厂房，营业执照上的住所需要变更，请问需要准备哪些材料。"),
    (
        "厂区门口道路积水严重",
        "园区三路厂区门口的道路每逢下雨就积水，货车无法进出，请尽快疏通排水。",
    ),
    ("厂区门口路灯不亮", "园区三路公司门口的路灯坏了一个多月，晚上员工下班很不安全，请维修。"),
    ("高新技术企业认定奖励未到账", "去年通过高新技术企业认定，区里承诺的奖励至今未兑现。"),
    ("高新技术企业认定申报材料咨询", "今年准备申报高新技术企业认定，请问需要提交哪些材料。"),
    ("施工噪音扰民", "隔壁工地夜间施工，噪音很大，影响员工宿舍休息，请有关部门查处。"),
    ("社保缴费基数调整咨询", "请问今年社保缴费基数什么时候调整，公司需要补缴吗。"),
    ("出口退税迟迟未到账", "六月申报的出口退税已审核通过，但税款至今没有退到账户。"),
    ("增值税发票领用数量不够", "业务量增加，每月领用的增值税专用发票不够用，申请增加领用数量。"),
    ("环评审批进度咨询", "新建厂房项目的环评报告表已提交，至今未批复，影响开工。"),
    ("施工许可证办理时限", "厂房扩建项目施工许可证申请已经受理，请问多久可以拿到。"),
    ("消防验收预约不上", "新厂房消防验收网上预约一直显示已满，影响投产。"),
    ("人才公寓申请条件", "公司引进的硕士研究生能否申请园区人才公寓，需要什么条件。"),
    ("稳岗补贴未发放", "去年没有裁员，按政策应当享受稳岗返还，至今没有收到。"),
    ("电力增容审批太慢", "生产线扩产需要电力增容，申请提交一个月了还没有答复。"),
    ("园区班车线路调整建议", "建议增加早晚高峰园区到地铁站的班车班次，员工通勤困难。"),
    ("员工子女入学咨询", "外地员工子女想在园区学校入学，请问需要哪些材料。"),
    ("食品经营许可证延续", "食品经营许可证下月到期，请问延续需要提前多久申请。"),
    ("排污许可证变更咨询", "新增一条生产线，排污许可证需要变更，请问办理流程。"),
    ("外国人工作许可办理", "公司聘请的外籍工程师需要办理工作许可，请问需要哪些材料。"),
    ("招工难请求帮助对接", "新厂投产缺普工两百人，请求人社部门帮助对接招聘会。"),
    ("企业用水压力不足", "每天上午用水高峰水压不足，生产设备无法正常运行，请协调供水。"),
    ("政策兑现申请进度", "上季度提交的技改补贴兑现申请一直显示审核中，请问进度。"),
    ("厂房租金补贴咨询", "初创企业租用园区厂房能否享受租金补贴，怎么申请。"),
    ("专利资助申请材料", "今年授权发明专利三件，请问专利资助怎么申请，需要什么材料。"),
    ("物流车辆通行证办理", "货车需要进入城区配送，请问货车通行证在哪里办理。"),
    ("企业名称变更后银行账户", "企业名称变更后银行基本户也要变更，请问需要先办哪些手续。"),
    ("安全生产检查标准咨询", "应急管理部门要来检查，请问危化品仓库的检查标准有哪些。"),
    ("垃圾清运不及时", "厂区门口的生活垃圾已经三天没有清运，气味很大，请处理。"),
    ("网络信号差", "园区东区厂房手机信号很差，影响生产调度，请协调运营商增设基站。"),
    ("临时占道施工审批", "厂区管线改造需要临时占用人行道施工，请问审批流程。"),
    ("出口企业认证咨询", "准备申请海关高级认证企业，请问需要满足哪些条件。"),
    ("研发费用加计扣除", "今年研发投入较大，请问研发费用加计扣除怎么申报。"),
    ("公章刻制进度", "新公司公章刻制已经一周还没有通知领取，请催办。"),
    ("不动产登记办理", "新购厂房的不动产登记需要多久办结，能否加急。"),
    ("园区停车位不足", "员工停车位严重不足，车辆只能停在路边，存在安全隐患。"),
    ("投诉窗口服务态度", "在政务服务中心办理业务时窗口人员态度生硬，要求调查。"),
    ("举报无证经营", "园区北门有人无证经营餐饮，油烟扰民，请查处。"),
]
VARIANTS = ["", "请尽快答复。", "非常着急。", "谢谢。", "麻烦尽快处理。"]


def _sql_literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _columns(model, values: dict[str, str]) -> tuple[str, str]:
    """(column list, SQL expressions) for an INSERT of ``model``: ``values`` as given (SQL),
    every other column its Django default (or NULL)."""
    names, expressions = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        names.append(field.column)
        if field.column in values:
            expressions.append(values[field.column])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            expressions.append("now()")
        elif field.default is not NOT_PROVIDED:
            default = field.default() if callable(field.default) else field.default
            if hasattr(default, "isoformat"):
                expressions.append(f"'{default.isoformat()}'")
            else:
                expressions.append(_sql_literal(default))
        elif field.null:
            expressions.append("NULL")
        else:
            expressions.append("''")
    return ", ".join(names), ", ".join(expressions)


def _array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join(_sql_literal(value) for value in values) + "]::text[]"


def build(options) -> dict:
    from onewindow.testing import worlds

    zone = Zone.objects.create(code="SFQ", name="示范经济技术开发区", division_code="320192")
    AppealSettings.objects.create(zone=zone, legal_basis="示范区12345热线工作规则")
    Department.objects.create(
        zone=zone, code="SCJG", name="市场监督管理局", kind=DepartmentKind.FUNCTIONAL
    )
    root = AppealCategory.objects.create(zone=zone, code="01", name="营商环境")
    categories = [
        AppealCategory.objects.create(zone=zone, parent=root, code=f"01{n:02d}", name=f"分类{n}")
        for n in range(1, CATEGORIES + 1)
    ]
    operator = worlds.staff(zone, Role.HOTLINE_OPERATOR, username="bench_operator")

    started = time.perf_counter()
    columns, expressions = _columns(
        Applicant,
        {
            "kind": _sql_literal(ApplicantKind.ENTERPRISE),
            "name": "'示范企业' || i",
            "uscc": "'91320192' || lpad(i::text, 10, '0')",
            "phone": "'139' || lpad(i::text, 8, '0')",
        },
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Applicant._meta.db_table} ({columns}) "
            f"SELECT {expressions} FROM generate_series(1, {ENTERPRISES}) AS i"
        )
    enterprises = list(Applicant.objects.order_by("pk").values_list("pk", "uscc"))
    first_pk = enterprises[0][0]

    texts = [
        (subject, description + variant)
        for subject, description in TEMPLATES
        for variant in VARIANTS
    ]
    words = [" ".join(words_of(f"{subject}\n{description}")) for subject, description in texts]
    count = options.orders
    span_seconds = 730 * 86400
    # Order i: received (count - i) * span / count seconds ago (the newest last).
    heavy = f"{first_pk} + ((i / 10) % {HEAVY_REQUESTERS})"
    spread = ENTERPRISES - HEAVY_REQUESTERS
    ordinary = f"{first_pk} + {HEAVY_REQUESTERS} + ((i::bigint * 7919) % {spread})"
    values = {
        "zone_id": str(zone.pk),
        "number": f"'SFQ-SQ' || (2025 + (i * 2 / {count + 1})) || '-' || lpad(i::text, 6, '0')",
        "query_code": "''",
        "channel": _sql_literal(Channel.ONLINE),
        "nature": _sql_literal(Nature.COMPLAINT),
        "urgency": "'normal'",
        "category_id": f"(ARRAY{[c.pk for c in categories]})[1 + (i * 31) % {CATEGORIES}]",
        "subject": f"(t.subjects)[1 + (i * 13) % {len(texts)}]",
        "description": f"(t.descriptions)[1 + (i * 13) % {len(texts)}]",
        "words": f"(t.words)[1 + (i * 13) % {len(texts)}]",
        # 15 % callers without an account; 10 % heavy requesters; the rest spread.
        "requester_id": (
            f"CASE WHEN i % 20 IN (1, 2, 3) THEN NULL WHEN i % 10 = 0 THEN {heavy} "
            f"ELSE {ordinary} END"
        ),
        "contact_phone": "CASE WHEN i % 20 IN (1, 2, 3) THEN '138' || lpad(((i::bigint * 104729) % 40000)::text, 8, '0') ELSE '' END",  # noqa: E501
        "contact_name": "CASE WHEN i % 20 IN (1, 2, 3) THEN '来电人' ELSE '' END",
        # 30 % about an enterprise (its code), some in the same category again and again.
        "subject_uscc": (
            "CASE WHEN i % 10 IN (4, 5, 6) THEN '91320192' || "
            f"lpad((1 + (i::bigint * 6007) % {ENTERPRISES})::text, 10, '0') ELSE '' END"
        ),
        "status": (
            f"(ARRAY['{AppealStatus.CLOSED}','{AppealStatus.HANDLING}','{AppealStatus.ANSWERED}',"
            f"'{AppealStatus.RECEIVED}','{AppealStatus.DISPATCHED}'])[1 + i % 5]"
        ),
        "limit_unit": "'working_days'",
        "limit_amount": "5",
        "clock_started_at": f"now() - make_interval(secs => ({count} - i) * {span_seconds}.0 / {count})",  # noqa: E501
        "created_at": f"now() - make_interval(secs => ({count} - i) * {span_seconds}.0 / {count})",
    }
    columns, expressions = _columns(Appeal, values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Appeal._meta.db_table} ({columns}) "
            f"SELECT {expressions} FROM generate_series(1, {count}) AS i, "
            f"(SELECT {_array([s for s, _d in texts])} AS subjects, "
            f"{_array([d for _s, d in texts])} AS descriptions, {_array(words)} AS words) AS t"
        )
        cursor.execute(f"ANALYZE {Appeal._meta.db_table}")
        cursor.execute(f"ANALYZE {Applicant._meta.db_table}")
    return {
        "zone": zone,
        "operator": operator,
        "categories": categories,
        "enterprises": enterprises,
        "texts": texts,
        "built": time.perf_counter() - started,
    }


def checks(world, options) -> list[tuple[str, dict]]:
    """The seeded mix of intake checks: (kind, keyword arguments)."""
    rng = random.Random(options.seed)
    enterprises = world["enterprises"]
    out = []
    for _n in range(options.checks):
        subject, description = rng.choice(world["texts"])
        text = f"{subject}\n{description}"
        category = rng.choice(world["categories"]).pk
        roll = rng.random()
        if roll < 0.55:
            kind = "enterprise"
            args = {"requester_id": rng.choice(enterprises[HEAVY_REQUESTERS:])[0]}
        elif roll < 0.70:
            kind = "heavy requester"
            args = {"requester_id": rng.choice(enterprises[:HEAVY_REQUESTERS])[0]}
        elif roll < 0.85:
            kind = "caller by phone"
            args = {"contact_phone": "138" + f"{rng.randrange(40000):08d}"}
        else:
            kind = "enterprise and category"
            args = {"subject_uscc": rng.choice(enterprises)[1]}
        out.append((kind, {**args, "category_id": category, "text": text}))
    return out


def explain(world) -> str:
    """The plans of two candidate queries: a requester's (with an enterprise and category)
    and a caller's by phone, over 30 days either side of now."""
    import datetime as dt

    from onewindow.appeals import duplicates

    zone = world["zone"]
    enterprise = world["enterprises"][0]
    now = timezone.now()
    plans = []
    for branches in (
        {
            "requester_id": enterprise[0],
            "contact_phone": "",
            "subject_uscc": enterprise[1],
            "category_id": world["categories"][0].pk,
        },
        {
            "requester_id": None,
            "contact_phone": "13800000001",
            "subject_uscc": "",
            "category_id": None,
        },
    ):
        rows = (
            Appeal.objects.filter(
                duplicates._branches(**branches),
                zone_id=zone.pk,
                created_at__gte=now - dt.timedelta(days=30),
                created_at__lte=now + dt.timedelta(days=30),
            )
            .exclude(status__in=duplicates.NOT_OFFERED)
            .only("pk", "number", "subject", "words", "status", "created_at")
            .order_by("-created_at", "-pk")[: duplicates.MAX_CANDIDATES]
        )
        plans.append(rows.explain(analyze=True))
    return "\n\n".join(plans)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(options) -> dict:
    from onewindow.testing.clients import client_for, send

    world = build(options)
    idf_table()  # loaded once per process, as in a server; not part of a request
    words_of("预热")
    plan = explain(world)
    load_before = os.getloadavg()[0]
    timings: dict[str, list[float]] = {}
    found_counts = []
    operator = world["operator"]
    for kind, args in checks(world, options):
        started = time.perf_counter()
        found = duplicate_candidates(zone_id=world["zone"].pk, user=operator, **args)
        elapsed = (time.perf_counter() - started) * 1000
        timings.setdefault(kind, []).append(elapsed)
        timings.setdefault("all", []).append(elapsed)
        found_counts.append(len(found))
    client = client_for(operator, csrf=True)
    # The first request builds the API's schema and URL resolvers: not timed.
    send(client, "POST", "/api/v1/appeals/duplicates/check", json={"subject": "预热"})
    category_codes = {c.pk: c.code for c in world["categories"]}
    api = []
    for _kind, args in checks(world, options)[: options.api_checks]:
        subject, _newline, description = args["text"].partition("\n")
        body = {
            "requester": args.get("requester_id"),
            "contact_phone": args.get("contact_phone", ""),
            "subject_uscc": args.get("subject_uscc", ""),
            "category": category_codes[args["category_id"]],
            "subject": subject,
            "description": description,
        }
        started = time.perf_counter()
        response = send(client, "POST", "/api/v1/appeals/duplicates/check", json=body)
        api.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content
    return {
        "database": database_label(),
        "built": world["built"],
        "plan": plan,
        "timings": timings,
        "api": api,
        "found": found_counts,
        "load": (load_before, os.getloadavg()[0]),
    }


def _row(label: str, values: list[float]) -> str:
    return (
        f"| {label} | {len(values)} | {statistics.median(values):.2f} | "
        f"{percentile(values, 0.95):.2f} | {percentile(values, 0.99):.2f} | {max(values):.2f} |"
    )


def section_for(result: dict, info: dict, options) -> str:
    timings = result["timings"]
    p95 = percentile(timings["all"], 0.95)
    found = result["found"]
    lines = [
        f"### {result['database'].split()[0]}",
        "",
        f"`DATABASE_URL=… .venv/bin/python bench/bench_appeals_duplicates.py` — {info['date']} — "
        f"{info['cpu']}, nproc {info['nproc']}, {info['python']}, {result['database']}. "
        f"{options.orders:,} orders built in {result['built']:.1f} s; {options.checks} checks "
        f"(seed {options.seed}); {sum(1 for n in found if n)} of them found at least one "
        f"duplicate (median {statistics.median(found):.0f}). Load average (1 min) "
        f"{result['load'][0]:.2f} before the checks, {result['load'][1]:.2f} after.",
        "",
        "| What (ms) | n | p50 | p95 | p99 | max |",
        "|---|---:|---:|---:|---:|---:|",
        _row("`duplicate_candidates` (all)", timings["all"]),
        *[_row(kind, values) for kind, values in sorted(timings.items()) if kind != "all"],
        _row("`POST /api/v1/appeals/duplicates/check` (test client, JSON)", result["api"]),
        "",
        f"Target p95 < {TARGET_P95_MS:.0f} ms (`duplicate_candidates`): "
        f"**{'met' if p95 < TARGET_P95_MS else 'not met'}** ({p95:.2f} ms).",
        "",
        "The plans of a requester's check (with an enterprise and category) and a caller's "
        "by phone (`EXPLAIN ANALYZE`, 30 days either side):",
        "",
        "```",
        *result["plan"].splitlines(),
        "```",
    ]
    return "\n".join(lines)


INTRO = f"""{HEADING}

`bench/bench_appeals_duplicates.py` inserts 500,000 orders over two years (realistic texts
from 40 templates with their words precomputed as intake stores them; 20,000 enterprises,
20 of them heavy requesters with about 2,500 orders each; 15 % callers without an account
known by phone; 30 % about an enterprise) and times the duplicate suggestion intake asks for:
the candidate query over the three indexes, the TF-IDF scoring of at most 300 candidates and
the ranking, as the hotline operator, then the same through the API. The machine is shared;
the load average is given with each run.
"""


def write_results(section: str, database: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    match = pattern.search(text)
    body = match.group(0) if match else INTRO
    subsection = re.compile(rf"^### {re.escape(database)}\n.*?(?=^### |^## |\Z)", re.S | re.M)
    if subsection.search(body):
        body = subsection.sub(lambda _match: section + "\n\n", body)
    else:
        body = body.rstrip("\n") + "\n\n" + section + "\n"
    if match:
        text = text[: match.start()] + body + text[match.end() :]
    else:
        text = text.rstrip("\n") + "\n\n" + body
    # Only this section is rewritten; the rest of the file is left as it is.
    RESULTS.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=500_000)
    parser.add_argument("--checks", type=int, default=500)
    parser.add_argument("--api-checks", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    options = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        print("this benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")
        return 2

    setup_test_environment()
    connection.settings_dict.setdefault("TEST", {})["NAME"] = "test_onewindow_bench_duplicates"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        result = run(options)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        teardown_test_environment()

    info = machine()
    section = section_for(result, info, options)
    print(section)
    if not options.no_write:
        write_results(section, result["database"].split()[0])
        print(f"written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
