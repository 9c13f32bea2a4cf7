"""manage.py import_list FILE --organization SLUG --source TEXT [--published YYYY-MM-DD] [--kind ...] [--map C=F]"""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ...models import ReleasedList
from ...reading import MappingError
from ...reports import summary_line
from ...services import list_import
from ._common import organization, table_and_mapping, wait_for_matching


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--published '{value}' is not a date; write it as YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Import a published list (CSV or XLSX), match it against every case, wait and report."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--organization", required=True, help="the slug of the organisation the list is for")
        parser.add_argument("--source", required=True, help="who published the list")
        parser.add_argument("--published", help="the date the list was published, YYYY-MM-DD")
        parser.add_argument("--kind", default="released", choices=ReleasedList.Kind.values)
        parser.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD")
        parser.add_argument("--share", action="store_true", help="share the list with every organisation")
        parser.add_argument(
            "--no-work", action="store_true", help="only wait for the Celery workers; do not match chunks here"
        )

    def handle(self, *args, **options):
        org = organization(options["organization"])
        published = _date(options["published"]) if options["published"] else None
        table, mapping = table_and_mapping(options["file"], options["map"])
        try:
            result = list_import(
                organization=org,
                uploaded_by=None,
                table=table,
                mapping=mapping,
                source=options["source"],
                kind=options["kind"],
                published=published,
                shared_with_all=options["share"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        except MappingError as error:
            raise CommandError(f"{table.filename}: {error}") from None
        for message in result.messages[:20]:
            self.stderr.write(str(message))
        if len(result.messages) > 20:
            self.stderr.write(f"... and {len(result.messages) - 20} more messages (see the list's page)")
        wait_for_matching(result.released_list, help_out=not options["no_work"], stream=self.stderr)
        self.stdout.write(summary_line(result.released_list, org, already=not result.created))
