"""`manage.py load_reference_data`: create or update the shared reference rows from places/reference/*.csv."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from places.reference_data import ReferenceDataError, load_reference_data


class Command(BaseCommand):
    help = (
        "Create or update the shared border regions, crossings, compounds and agencies from places/reference/*.csv. "
        "Safe to run again: rows are matched by name (regions by slug) and only changed values are written."
    )

    def handle(self, *args, **options):
        try:
            counts = load_reference_data()
        except ReferenceDataError as error:
            raise CommandError(str(error)) from error
        except DatabaseError as error:
            first_line = (str(error).strip().splitlines() or [error.__class__.__name__])[0]
            raise CommandError(f"Could not load reference data into the database: {first_line}") from error
        for label in ("border_regions", "crossings", "compounds", "agencies"):
            self.stdout.write(
                f"{label.replace('_', ' ')}: {counts[f'{label}_created']} created, {counts[f'{label}_updated']} updated"
            )
