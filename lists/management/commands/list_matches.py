"""manage.py list_matches LIST [--format csv] [--organization SLUG]: one line per suggestion."""

from django.core.management.base import BaseCommand, CommandError

from ...models import ReleasedList
from ...reports import matches_csv
from ._common import organization


class Command(BaseCommand):
    help = "Write a list's suggestions as CSV: row, case number, external reference, score, status."

    def add_arguments(self, parser):
        parser.add_argument("list", type=int, help="the list's number (the id import_list printed)")
        parser.add_argument("--format", default="csv", choices=["csv"])
        parser.add_argument("--organization", help="whose cases (default: the list's organisation)")

    def handle(self, *args, **options):
        try:
            released_list = ReleasedList.objects.get(pk=options["list"])
        except ReleasedList.DoesNotExist:
            raise CommandError(f"There is no list {options['list']}.") from None
        org = organization(options["organization"]) if options["organization"] else released_list.organization
        if org != released_list.organization and not released_list.shared_with_all:
            raise CommandError(f"List {released_list.pk} is not shared with {org.slug}.")
        self.stdout.write(matches_csv(released_list, org), ending="")
