"""``onewindow demo``: build the demo zone (idempotent) and print the demo logins."""

from django.core.management.base import BaseCommand

from onewindow.demo import catalog_data, org_data


class Command(BaseCommand):
    help = "Build the demo development zone (running it twice changes nothing) and print logins."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="URL to print")

    def handle(self, *args, url: str, **options):
        logins = org_data.load()
        catalog = catalog_data.load()
        self.stdout.write(self.style.SUCCESS("演示开发区已就绪：示范经济技术开发区 (SFQ)"))
        self.stdout.write(
            f"事项目录：已发布 {catalog.items} 个事项、{catalog.bundles} 个“一件事”"
            "（演示数据，仅供参考）"
        )
        self.stdout.write(f"打开 {url}  ·  API 文档 {url}api/v1/docs")
        self.stdout.write("演示账号（仅用于演示环境）：")
        width = max(len(login.username) for login in logins)
        for login in logins:
            name = login.username.ljust(width)
            self.stdout.write(f"  {name}  密码 {login.password}  {login.role}（{login.name}）")
