"""`manage.py redact_closed_cases [--dry-run] [--now ISO]`: apply the organisations' retention settings now."""

from datetime import UTC

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cases import retention


class Command(BaseCommand):
    help = (
        "Redact names, documents, contacts and notes of cases closed longer than their organisation's "
        "'keep identity of closed cases' setting. Prints counts only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count the cases due; change nothing.")
        parser.add_argument(
            "--now", help="Act as if it were this moment (ISO 8601, e.g. 2026-03-01T00:00:00+00:00; UTC if no offset)."
        )

    def handle(self, *args, dry_run: bool = False, now: str | None = None, **options):
        moment = timezone.now()
        if now:
            try:
                moment = parse_datetime(now)
            except ValueError:
                moment = None
            if moment is None:
                raise CommandError(f"--now {now!r} is not an ISO 8601 date and time, e.g. 2026-03-01T00:00:00+00:00.")
            if timezone.is_naive(moment):
                moment = moment.replace(tzinfo=UTC)
        counts = retention.redact_closed_cases(now=moment, dry_run=dry_run)
        suffix = " (dry run: nothing changed)" if dry_run else ""
        self.stdout.write(
            f"redact_closed_cases: {counts['organizations']} organisations with a retention setting, "
            f"{counts['due']} cases due, {counts['redacted']} redacted{suffix}"
        )
