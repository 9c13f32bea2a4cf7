"""What the sweep commands share: --now and --dry-run parsing, and printing what a sweep did or would do."""

from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


def parse_now(value: str | None) -> datetime:
    """--now as an aware datetime; a value without an offset is taken as UTC."""
    if not value:
        return timezone.now()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--now must be an ISO 8601 date and time such as 2026-03-11T09:00:00+07:00, not {value!r}."
        ) from None
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


class SweepCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print what would be sent (case numbers only).")
        parser.add_argument("--now", help="Pretend it is this ISO 8601 time (default: now).")

    def report(self, name: str, result, *, dry_run: bool) -> None:
        if result is None:
            self.stdout.write(f"{name}: skipped, another run of this sweep is in progress")
            return
        if dry_run:
            for planned in result.planned:
                self.stdout.write(f"would send {planned.kind} {planned.case_number} to user #{planned.recipient_id}")
            self.stdout.write(f"{name}: {result.found} due, {result.queued} would be queued (dry run, nothing sent)")
        else:
            self.stdout.write(f"{name}: {result.found} due, {result.queued} queued")
