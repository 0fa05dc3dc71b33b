"""``onewindow raise-supervisions``: raise the zone's automatic 督办 of orders past due and
of orders a department sent back, once each (what the periodic background job
``appeals.tasks.raise_supervisions`` does), or ``--enqueue`` the job for the workers."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from onewindow.appeals.services.supervision import supervisions_raise
from onewindow.appeals.tasks import raise_supervisions


class Command(BaseCommand):
    help = (
        "Raise the automatic supervision (督办) of overdue and sent-back appeals once each; "
        "--enqueue hands the job to the background workers instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="enqueue the appeals.tasks.raise_supervisions job instead of running it",
        )

    def handle(self, *args, enqueue: bool, **options):
        if enqueue:
            result = raise_supervisions.enqueue()
            self.stdout.write(_("督办任务已加入后台队列（任务编号 {id}）").format(id=result.id))
            return
        raised = supervisions_raise()
        self.stdout.write(
            _("新增超期督办 {overdue} 件，退回督办 {returned} 件").format(
                overdue=raised.overdue, returned=raised.sign_refused
            )
        )
