"""``onewindow insights-rollup``: write the dashboard's facts (the daily roll-up).

Without a day, rolls what is due: from the last rolled day through yesterday (the
first run back-fills from the zone's first acceptance). ``--day D`` or ``--from D --to D``
(re)rolls chosen days (idempotent). ``--enqueue`` hands the daily job to the background
workers (``onewindow db_worker``) instead of running it here.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from onewindow.core.errors import ApplicationError
from onewindow.insights.services import rollup, rollup_due
from onewindow.insights.tasks import rollup_all_zones
from onewindow.org.models import Zone


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("日期格式应为 YYYY-MM-DD：{value}").format(value=value)) from None


class Command(BaseCommand):
    help = (
        "Roll up the dashboard's facts: what is due through yesterday, or --day D, "
        "or --from D --to D; --enqueue hands the daily job to the background workers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--day", type=_date, help="one day, YYYY-MM-DD")
        parser.add_argument("--from", dest="day_from", type=_date, help="first day")
        parser.add_argument("--to", dest="day_to", type=_date, help="last day")
        parser.add_argument("--zone", help="zone code (default: every zone)")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="enqueue insights.tasks.rollup_all_zones instead of running here",
        )

    def handle(self, *args, day, day_from, day_to, zone, enqueue, **options):
        if enqueue:
            if day or day_from or day_to or zone:
                raise CommandError(_("--enqueue 不能与 --day、--from、--to、--zone 同时使用"))
            result = rollup_all_zones.enqueue()
            self.stdout.write(_("汇总任务已加入后台队列（任务编号 {id}）").format(id=result.id))
            return
        if day and (day_from or day_to):
            raise CommandError(_("--day 不能与 --from、--to 同时使用"))
        if bool(day_from) != bool(day_to):
            raise CommandError(_("--from 和 --to 须同时给出"))
        if day:
            day_from = day_to = day
        zones = Zone.objects.order_by("code")
        if zone:
            zones = zones.filter(code=zone.upper())
            if not zones.exists():
                raise CommandError(_("开发区 {code} 不存在").format(code=zone))
        for each in zones:
            try:
                if day_from:
                    result = rollup(zone=each, day_from=day_from, day_to=day_to)
                else:
                    result = rollup_due(zone=each)
            except ApplicationError as error:
                raise CommandError(error.message) from None
            if result is None:
                self.stdout.write(_("{zone}：没有需要汇总的日期").format(zone=each.code))
                continue
            self.stdout.write(
                _(
                    "{zone}：{first} 至 {last} 汇总办件 {facts} 件，用时 {seconds:.2f} 秒；"
                    "已汇总至 {through}"
                ).format(
                    zone=each.code,
                    first=result.day_from,
                    last=result.day_to,
                    facts=result.facts,
                    seconds=result.seconds,
                    through=result.rolled_through or _("（尚有未汇总的日期）"),
                )
            )
