"""`manage.py seed_demo`: demo organisations, users per role and a few hundred synthetic case files.

Idempotent (a second run creates nothing and prints the same logins) and refused on production settings.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, OperationalError, connections
from django.db.migrations.executor import MigrationExecutor

from demo.seeding import DEFAULT_SEED, DEFAULT_VICTIMS, DEMO_PASSWORD, MAX_VICTIMS, is_production_settings, seed_demo
from places.reference_data import ReferenceDataError


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else error.__class__.__name__


class Command(BaseCommand):
    help = (
        "Create two demo organisations, a user per role in each (printing their logins) and synthetic case files. "
        "Running it again creates nothing new. Refused on production settings."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--victims",
            type=int,
            default=DEFAULT_VICTIMS,
            help=f"Synthetic victims to create across both organisations (default {DEFAULT_VICTIMS}).",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Random seed; the same seed gives the same people."
        )

    def handle(self, *args, victims: int, seed: int, **options):
        if is_production_settings():
            raise CommandError(
                f"seed_demo refuses to run with production settings ({settings.SETTINGS_MODULE}): "
                "demo data must never reach a real case file."
            )
        if not 0 <= victims <= MAX_VICTIMS:
            raise CommandError(f"--victims must be between 0 and {MAX_VICTIMS}, not {victims}.")
        started = time.monotonic()
        try:
            self._require_migrated()
            result = seed_demo(victims=victims, seed=seed)
        except ReferenceDataError as error:
            raise CommandError(str(error)) from error
        except OperationalError as error:
            raise CommandError(f"Cannot use the database: {_first_line(error)}") from error
        except DatabaseError as error:
            raise CommandError(f"Could not write the demo data to the database: {_first_line(error)}") from error
        elapsed = time.monotonic() - started

        if result.reference_data_loaded:
            self.stdout.write("Loaded the shared reference data (border regions, compounds, agencies).")
        for name, count in result.victims_created.items():
            self.stdout.write(f"{name}: created {count} synthetic case file{'' if count == 1 else 's'}.")
        for name, count in result.victims_existing.items():
            self.stdout.write(f"{name}: already has {count} case file{'' if count == 1 else 's'}; left as they are.")
        self.stdout.write(f"Done in {elapsed:.1f} s.\n")
        self.stdout.write(
            self.style.SUCCESS(f"Demo logins at {settings.SITE_URL}/ (password for all: {DEMO_PASSWORD})")
        )
        organization = None
        for login in result.logins:
            if login.organization != organization:
                organization = login.organization
                if organization:
                    self.stdout.write(f"  {organization}")
            indent = "    " if organization else "  "
            self.stdout.write(f"{indent}{str(login.role):<28} {login.email}")

    def _require_migrated(self) -> None:
        """Fail with one line when the schema is missing, instead of a "no such table" traceback."""
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("The database is not fully migrated; run `python manage.py migrate` first.")
