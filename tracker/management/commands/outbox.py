"""Show the outbox, deliver what is due, or give failed messages another set of attempts."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from tracker import outbox

from .send_due_reminders import deliver_all


class Command(BaseCommand):
    help = "Deliver due outbox messages and print the outbox by status. --retry-failed re-queues failed ones."

    def add_arguments(self, parser):
        parser.add_argument("--retry-failed", action="store_true", help="Give failed messages fresh attempts.")
        parser.add_argument("--no-deliver", action="store_true", help="Only print the counts.")

    def handle(self, *args, retry_failed: bool, no_deliver: bool, **options):
        now = timezone.now()
        if retry_failed:
            self.stdout.write(f"re-queued {outbox.retry_failed(now=now)} failed messages")
        if not no_deliver:
            self.stdout.write(f"delivery: {deliver_all(now=now)}")
        counts = outbox.summary()
        self.stdout.write("outbox: " + ", ".join(f"{status} {n}" for status, n in counts.items()))
