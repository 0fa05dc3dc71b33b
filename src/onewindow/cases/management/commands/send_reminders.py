"""``onewindow send-reminders``: remind the holders of yellow and red tasks, record
overdue 容缺 supplements and remind applicants of those due soon, once (what the daily
background job does), or ``--enqueue`` the job for the workers (``onewindow db_worker``)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from onewindow.cases.reminders import (
    remind_overdue_supplements,
    remind_supplements_due_soon,
    remind_warned_tasks,
)
from onewindow.cases.tasks import send_reminders


class Command(BaseCommand):
    help = (
        "Remind the holders of yellow and red tasks, record overdue supplements and remind "
        "applicants of supplements due soon, once; "
        "--enqueue hands the job to the background workers instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="enqueue the cases.tasks.send_reminders job instead of running it here",
        )

    def handle(self, *args, enqueue: bool, **options):
        if enqueue:
            result = send_reminders.enqueue()
            self.stdout.write(_("提醒任务已加入后台队列（任务编号 {id}）").format(id=result.id))
            return
        tasks = remind_warned_tasks()
        supplements = remind_overdue_supplements()
        due_soon = remind_supplements_due_soon()
        self.stdout.write(
            _(
                "已发送黄灯、红灯提醒 {tasks} 条；记录容缺材料逾期未补齐 {supplements} 件；"
                "提醒容缺材料即将到期 {due_soon} 条"
            ).format(tasks=tasks, supplements=supplements, due_soon=due_soon)
        )
