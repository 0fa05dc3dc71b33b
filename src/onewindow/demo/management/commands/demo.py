"""``onewindow demo``: build the demo zone (idempotent) and print the demo logins.

Every address it prints starts with ``ONEWINDOW_PUBLIC_URL`` (``make demo`` sets it from
``HOST`` and ``PORT``), the origin the QR codes and message links use too."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from onewindow.appeals.constants import AppealStatus
from onewindow.cases.constants import CaseStatus
from onewindow.demo import (
    appeals_data,
    audit_data,
    case_data,
    catalog_data,
    certificate_data,
    org_data,
    otp_data,
    policies_data,
    review_data,
)
from onewindow.insights import services as insights_services
from onewindow.org.models import Zone
from onewindow.policies.constants import RedemptionStatus

#: The case pages worth opening first: (path, what it is).
CASE_PAGES = [
    ("desk/", "窗口工作台"),
    ("inbox/", "待办任务"),
    ("board/", "红黄牌监察"),
    ("my/cases/", "我的办件"),
    ("track/", "办件进度查询"),
]
#: The policy pages worth opening first: (path, what it is).
POLICY_PAGES = [
    ("policies/", "惠企政策"),
    ("policies/try/", "政策试算"),
    ("policies/calculator/", "政策计算器（企业）"),
    ("policies/manage/", "政策管理（政策专员）"),
    ("policies/publicity/", "兑现公示"),
    ("policies/figures/", "政策兑现统计"),
]
#: The appeal pages worth opening first: (path, what it is).
APPEAL_PAGES = [
    ("appeals/hotline/new/", "来电登记"),
    ("appeals/centre/", "诉求派单"),
    ("appeals/department/", "诉求办理"),
    ("appeals/supervision/", "诉求督办"),
    ("appeals/knowledge/", "诉求知识库"),
]


class Command(BaseCommand):
    help = "Build the demo development zone (running it twice changes nothing) and print logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            default=None,
            help="the site's address to print (default: the ONEWINDOW_PUBLIC_URL setting)",
        )
        parser.add_argument(
            "--cases",
            type=int,
            default=case_data.DEFAULT_COUNT,
            help="about how many demo cases to build the first time (0: none)",
        )
        parser.add_argument(
            "--appeals",
            type=int,
            default=appeals_data.DEFAULT_COUNT,
            help="about how many demo appeals (诉求工单) to build the first time (0: none)",
        )
        parser.add_argument(
            "--no-policies",
            dest="policies",
            action="store_false",
            help="leave out the support policies (惠企政策) and the enterprises' profiles",
        )

    def handle(
        self, *args, url: str | None, cases: int, appeals: int, policies: bool = True, **options
    ):
        url = (url or settings.ONEWINDOW_PUBLIC_URL).rstrip("/") + "/"
        logins = org_data.load()
        second_factors = otp_data.load()
        catalog = catalog_data.load()
        zone = Zone.objects.get(code=org_data.ZONE_CODE)
        with transaction.atomic():
            key = certificate_data.ensure_signing_key(zone)
        summary = case_data.load_cases(zone, count=cases)
        reviews = review_data.load_reviews(zone)
        appeal_summary = appeals_data.load_appeals(zone, count=appeals)
        policy_summary = (
            policies_data.load_policies(zone) if policies else policies_data.PolicySummary()
        )
        # The dashboard reads a daily roll-up (the worker keeps it after each day).
        insights_services.rollup_due(zone=zone)
        audit_data.load()  # the chain verified once, as the daily job would
        self.stdout.write(self.style.SUCCESS("演示开发区已就绪：示范经济技术开发区 (SFQ)"))
        self.stdout.write(
            f"事项目录：已发布 {catalog.items} 个事项、{catalog.bundles} 个“一件事”"
            "（演示数据，仅供参考）"
        )
        if summary.cases:
            counts = "、".join(
                f"{CaseStatus(status).label} {count}" for status, count in summary.by_status.items()
            )
            self.stdout.write(
                f"演示办件：近 {case_data.SPAN_DAYS} 天共 {summary.cases} 件（{counts}）"
            )
        self.stdout.write(f"打开 {url}  ·  API 文档 {url}api/v1/docs")
        if summary.cases:
            pages = "  ·  ".join(f"{name} {url}{path}" for path, name in CASE_PAGES)
            self.stdout.write(f"办件页面：{pages}")
            if summary.sample:
                number, code = summary.sample
                self.stdout.write(f"  进度查询示例：办件编号 {number}，查询码 {code}")
        if reviews.ratings:
            bad = sum(reviews.rectifications.values())
            self.stdout.write(f"好差评：{reviews.ratings} 条评价，其中差评整改 {bad} 件")
        if appeal_summary.appeals:
            counts = "、".join(
                f"{AppealStatus(status).label} {count}"
                for status, count in appeal_summary.by_status.items()
            )
            self.stdout.write(
                f"诉求工单：近 {appeals_data.SPAN_DAYS} 天共 {appeal_summary.appeals} 件"
                f"（{counts}）；诉求分类 {appeal_summary.categories} 个，"
                f"知识库 {appeal_summary.articles} 条"
            )
            pages = "  ·  ".join(f"{name} {url}{path}" for path, name in APPEAL_PAGES)
            self.stdout.write(f"诉求页面：{pages}")
            if appeal_summary.sample:
                number, code = appeal_summary.sample
                self.stdout.write(
                    f"  诉求查询示例（匿名举报）：工单编号 {number}，查询码 {code}"
                    f"（{url}appeals/query/）"
                )
        if policy_summary.policies:
            counts = "、".join(
                f"{RedemptionStatus(status).label} {count}"
                for status, count in policy_summary.by_status.items()
            )
            self.stdout.write(
                f"惠企政策（示例）：{policy_summary.policies} 份政策、"
                f"{policy_summary.items} 个兑现事项，{policy_summary.profiles} 家企业画像；"
                f"政策兑现 {counts}"
            )
            pages = "  ·  ".join(f"{name} {url}{path}" for path, name in POLICY_PAGES)
            self.stdout.write(f"政策页面：{pages}")
        self.stdout.write(
            f"电子证照签名密钥：{key.key_id}（公钥 {url}.well-known/onewindow-keys.json）"
        )
        sample = certificate_data.sample_certificate(zone)
        if sample is not None:
            self.stdout.write(
                f"  证照查验示例：{sample.certificate_type.name}（{sample.holder_name}）"
                f" {url.rstrip('/')}{sample.verification_path()}"
            )
        self.stdout.write("演示账号（仅用于演示环境）：")
        width = max(len(login.username) for login in logins)
        for login in logins:
            name = login.username.ljust(width)
            self.stdout.write(f"  {name}  密码 {login.password}  {login.role}（{login.name}）")
        desks = case_data.department_desks(zone)
        if desks:
            self.stdout.write(
                "各部门审查、决定人员（密码同上；办件的审查、决定环节由其所在部门的账号办理）："
            )
            for desk in desks:
                reviewers = "、".join(desk.reviewers) or "（无）"
                deciders = "、".join(desk.deciders) or "（无）"
                examples = "、".join(desk.items[:2])
                more = f"等 {len(desk.items)} 项" if len(desk.items) > 2 else ""
                self.stdout.write(
                    f"  {desk.department}：审查 {reviewers}，决定 {deciders}"
                    f"（待办 {desk.open_tasks} 件；事项：{examples}{more}）"
                )
        if second_factors:
            self.stdout.write(
                "管理员账号还需双因素验证：在手机验证器（TOTP）中添加下面的密钥或 otpauth 链接，"
                "登录时输入验证器上的 6 位验证码（演示专用密钥，切勿用于正式环境）："
            )
            for factor in second_factors:
                self.stdout.write(f"  验证器密钥 {factor.username}：{factor.secret}")
                self.stdout.write(f"    {factor.otpauth_uri}")
            self.stdout.write(
                "  手边没有验证器时，可在本机运行 .venv/bin/onewindow demo-code admin"
                "（或 security、auditor）查看当前验证码。"
            )
