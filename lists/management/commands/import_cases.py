"""manage.py import_cases FILE --organization SLUG [--map COLUMN=FIELD ...]: all rows or none."""

from django.core.management.base import BaseCommand, CommandError

from ...case_imports import cases_import
from ...reading import MappingError
from ._common import organization, table_and_mapping


class Command(BaseCommand):
    help = "Import existing case files from a spreadsheet (CSV or XLSX): every row becomes a case, or none does."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--organization", required=True, help="the slug of the organisation")
        parser.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD")

    def handle(self, *args, **options):
        org = organization(options["organization"])
        table, mapping = table_and_mapping(options["file"], options["map"])
        try:
            report = cases_import(organization=org, imported_by=None, table=table, mapping=mapping)
        except MappingError as error:
            raise CommandError(f"{table.filename}: {error}") from None
        for line in report.warnings + report.duplicates:
            self.stderr.write(line)
        if not report.ok:
            for line in report.stopped_by:
                self.stderr.write(line)
            raise CommandError(
                f"nothing imported: {len(report.stopped_by)} problem(s) in {table.filename}, listed above."
            )
        self.stdout.write(
            f"import {report.case_import.pk}: {len(report.created)} cases created, "
            f"{len(report.duplicates)} possible duplicates reported"
        )
