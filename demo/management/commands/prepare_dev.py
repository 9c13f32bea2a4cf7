"""`manage.py prepare_dev`: bin/dev's steps before the servers start, in one process.

migrate, seed_demo and install_schedules, each as its own command would run it, but Django and the apps are set
up once instead of three times (on a newcomer's first start every second counts). Each step prints a line as it
starts and how long it took, so a slow first start shows where the time goes (bench/first_start.py reads them).
"""

import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from demo.seeding import DEFAULT_VICTIMS


class Command(BaseCommand):
    help = "bin/dev's preparation in one process: migrate, seed the demo data, install the beat schedules."

    def add_arguments(self, parser):
        parser.add_argument(
            "--victims", type=int, default=DEFAULT_VICTIMS, help=f"passed to seed_demo (default {DEFAULT_VICTIMS})"
        )

    def handle(self, *args, victims: int, **options):
        self._step("migrating the database", lambda: call_command("migrate", interactive=False, stdout=self.stdout))
        self._step("seeding the demo data", lambda: call_command("seed_demo", victims=victims, stdout=self.stdout))
        try:
            self._step("installing the beat schedules", lambda: call_command("install_schedules", stdout=self.stdout))
        except (CommandError, DatabaseError) as error:  # the app runs without them; the sweeps would not start
            self.stderr.write(f"bin/dev: the beat schedules were not installed: {error}")

    def _step(self, what: str, run) -> None:
        self.stdout.write(f"bin/dev: {what}…")
        sys.stdout.flush()
        started = time.monotonic()
        run()
        self.stdout.write(f"bin/dev: {what}: {time.monotonic() - started:.1f} s")
