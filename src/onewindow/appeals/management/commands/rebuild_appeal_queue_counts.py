"""``onewindow rebuild_appeal_queue_counts``: recount the queue roll-up
(``AppealQueueCount``) from the orders, for one zone (``--zone CODE``) or all. The
services keep it; run this after orders were written around them (a bulk load, a repair
in SQL)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from onewindow.appeals.services.queue_counts import queue_counts_rebuild
from onewindow.org.models import Zone


class Command(BaseCommand):
    help = "Recount the appeal queue roll-up (AppealQueueCount) from the orders."

    def add_arguments(self, parser):
        parser.add_argument("--zone", help="the zone's code (default: every zone)")

    def handle(self, *args, zone: str | None, **options):
        found = None
        if zone:
            found = Zone.objects.filter(code=zone.strip().upper()).first()
            if found is None:
                raise CommandError(_("开发区：没有代码为“{code}”的开发区").format(code=zone))
        rows = queue_counts_rebuild(found)
        self.stdout.write(_("已重算诉求队列计数 {rows} 行").format(rows=rows))
