"""``onewindow expire-drafts``: remove the application drafts (申请草稿) not saved for
``DRAFT_KEEP_DAYS`` days, with their files, once (what the daily background job does),
or ``--enqueue`` the job for the workers."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from onewindow.cases.services import drafts_expire
from onewindow.cases.tasks import expire_drafts


class Command(BaseCommand):
    help = (
        "Remove the application drafts not saved for DRAFT_KEEP_DAYS (30) days, with their "
        "files; "
        "--enqueue hands the job to the background workers instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="enqueue the cases.tasks.expire_drafts job instead of running it here",
        )

    def handle(self, *args, enqueue: bool, **options):
        if enqueue:
            result = expire_drafts.enqueue()
            self.stdout.write(_("清理草稿任务已加入后台队列（任务编号 {id}）").format(id=result.id))
            return
        removed = drafts_expire()
        self.stdout.write(_("已删除过期草稿 {n} 份").format(n=removed))
