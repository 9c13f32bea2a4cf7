"""Queue the weekly digests that are due now (optionally for one organisation), then deliver them."""

from django.core.management.base import CommandError

from accounts.models import Organization
from tracker.tasks import run_sweep

from ._sweep_command import SweepCommand, parse_now
from .send_due_reminders import deliver_all


class Command(SweepCommand):
    help = "Queue and send the weekly digests that are due (the beat task's code)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--org", metavar="SLUG", help="Only this organisation.")
        parser.add_argument(
            "--no-deliver", action="store_true", help="Only queue into the outbox; let the workers send."
        )

    def handle(self, *args, dry_run: bool, now: str | None, org: str | None, no_deliver: bool, **options):
        moment = parse_now(now)
        organization = None
        if org:
            organization = Organization.objects.filter(slug=org).first()
            if organization is None:
                raise CommandError(f"No organisation with the slug {org!r}.")
        result = run_sweep("digests", now=moment, dry_run=dry_run, organization=organization, queue_delivery=False)
        self.report("digests", result, dry_run=dry_run)
        if not dry_run and not no_deliver:
            self.stdout.write(f"delivery: {deliver_all(now=moment)}")
