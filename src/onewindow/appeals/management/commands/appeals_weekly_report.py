"""``onewindow appeals-weekly-report``: make the last full week's 督查通报 of appeals and
tell the supervisors (what the weekly background job does), or ``--enqueue`` the job for
the workers (``onewindow db_worker``)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from onewindow.appeals.report_jobs import send_weekly_reports, weekly_appeal_reports


class Command(BaseCommand):
    help = (
        "Make the last full week's appeal report and notify the supervisors once; "
        "--enqueue hands the job to the background workers instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="enqueue the appeals.report_jobs.weekly_appeal_reports job instead of running it",
        )

    def handle(self, *args, enqueue: bool, **options):
        if enqueue:
            result = weekly_appeal_reports.enqueue()
            self.stdout.write(
                _("诉求督查通报任务已加入后台队列（任务编号 {id}）").format(id=result.id)
            )
            return
        sent = send_weekly_reports()
        self.stdout.write(
            _("诉求督查通报已生成，通知电子监察人员 {count} 人次").format(count=sum(sent.values()))
        )
