"""``onewindow send-rating-invitations``: text the rating link (短信评价) to the applicants
of newly delivered cases, once per case (what the periodic background job does), or
``--enqueue`` the job for the workers (``onewindow db_worker``)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from onewindow.reviews.invitations import send_invitations
from onewindow.reviews.services import rectification_deadlines_recompute
from onewindow.reviews.tasks import send_rating_invitations


class Command(BaseCommand):
    help = (
        "Send the SMS rating link of every newly delivered case once; --enqueue hands the "
        "job to the background workers instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="enqueue the reviews.tasks.send_rating_invitations job instead of running it",
        )

    def handle(self, *args, enqueue: bool, **options):
        if enqueue:
            result = send_rating_invitations.enqueue()
            self.stdout.write(_("评价邀请任务已加入后台队列（任务编号 {id}）").format(id=result.id))
            return
        sent = send_invitations()
        moved = rectification_deadlines_recompute()
        self.stdout.write(
            _("已发送短信评价邀请 {sent} 条；重新计算暂定整改期限 {moved} 件").format(
                sent=sent, moved=moved
            )
        )
