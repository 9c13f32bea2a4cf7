"""Install the follow-up engine's periodic tasks into django-celery-beat (idempotent)."""

from django.core.management.base import BaseCommand

from tracker.schedules import install_schedules


class Command(BaseCommand):
    help = "Create or update the periodic sweeps and delivery in django-celery-beat; keeps an admin's pause."

    def handle(self, *args, **options):
        counts = install_schedules()
        self.stdout.write(f"schedules: {counts['created']} created, {counts['updated']} updated")
