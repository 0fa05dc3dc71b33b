"""``onewindow case-number-sequences``: create each zone's case-number sequence for this
year and the next ahead of time (PostgreSQL), so the first submission of a year does not
create it while other first submissions wait. Without it the sequence is created on
demand; on SQLite there is nothing to do."""

from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases.services.numbering import ensure_number_sequence
from onewindow.org.models import Zone


class Command(BaseCommand):
    help = (
        "Create every zone's case-number sequence for this year and the next "
        "(PostgreSQL; --year for another year)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="a year (repeatable)")

    def handle(self, *args, year: list[int] | None, **options):
        if connection.vendor != "postgresql":
            self.stdout.write(_("SQLite 使用计数行编号，无需创建序列"))
            return
        this_year = timezone.localdate().year
        years = year or [this_year, this_year + 1]
        zones = list(Zone.objects.values_list("pk", flat=True))
        for zone_id in zones:
            for each in years:
                ensure_number_sequence(zone_id, each)
        self.stdout.write(
            _("已确保 {zones} 个开发区、{years} 个年度的办件编号序列").format(
                zones=len(zones), years=len(years)
            )
        )
