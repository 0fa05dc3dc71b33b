"""``onewindow policies-match``: the schedule's 免申即享 run. First the pending redemptions
past their confirmation deadline are declined (逾期未确认), then every published 免申即享
version in force is matched over its zone's enterprises (``--zone``, ``--version`` narrow
it)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from onewindow.org.models import Zone
from onewindow.policies.services.matching import run_schedule


class Command(BaseCommand):
    help = (
        "Decline pending 免申即享 redemptions past their confirmation deadline, then match "
        "every published 免申即享 version in force (of --zone, or only --version)."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # ``--version ID`` names a version here, not the program's version.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--zone", help="the zone's code")
        parser.add_argument("--version", type=int, dest="version_id", help="a version's id")

    def handle(self, *args, zone=None, version_id=None, **options):
        found = None
        if zone:
            found = Zone.objects.filter(code=zone).first()
            if found is None:
                raise CommandError(_("没有编码为 {code} 的开发区").format(code=zone))
        outcome = run_schedule(zone=found, version_id=version_id)
        self.stdout.write(_("逾期未确认 {count} 件").format(count=outcome.expired))
        for run in outcome.runs:
            self.stdout.write(
                _(
                    "{key}：参与 {enterprises} 家，符合 {eligible} 家，新生成 {created} 件，"
                    "超出预算 {over} 件"
                ).format(
                    key=run.version.key,
                    enterprises=run.enterprises,
                    eligible=run.eligible,
                    created=run.created,
                    over=run.over_budget,
                )
            )
