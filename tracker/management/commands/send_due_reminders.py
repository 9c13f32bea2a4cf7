"""Run the reminder, escalation and referral-chase sweeps now, then deliver what they queued."""

from tracker import outbox
from tracker.tasks import run_sweep

from ._sweep_command import SweepCommand, parse_now


class Command(SweepCommand):
    help = "Queue due follow-up reminders, escalations and referral chases, and send them (the beat tasks' code)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--no-deliver", action="store_true", help="Only queue into the outbox; let the workers send."
        )

    def handle(self, *args, dry_run: bool, now: str | None, no_deliver: bool, **options):
        moment = parse_now(now)
        for name in ("reminders", "escalations", "referral_chases"):
            result = run_sweep(name, now=moment, dry_run=dry_run, queue_delivery=False)
            self.report(name, result, dry_run=dry_run)
        if not dry_run and not no_deliver:
            self.stdout.write(f"delivery: {deliver_all(now=moment)}")


def deliver_all(*, now) -> dict[str, int]:
    """Deliver everything due in this process, batch after batch."""
    totals = {"claimed": 0, "sent": 0, "retrying": 0, "failed": 0}
    while True:
        counts = outbox.deliver_due(now=now, limit=200)
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
        if counts["claimed"] == 0:
            return totals
