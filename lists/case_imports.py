"""Importing existing case files from a spreadsheet: every row becomes a case, or none does."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.permissions import Action, require
from cases import services as case_services
from cases.duplicates import find_possible_duplicates
from cases.models import CaseNote
from cases.signals import case_created
from places.codes import COUNTRY_NAMES_EN

from .models import CaseImport, ImportedCase
from .reading import Table, validate

SEX_CODES = {"M": "Masculine", "F": "Feminine"}


@dataclass
class CaseImportReport:
    """What happened: the cases created (none when a row stopped the import), the rows that stopped it,
    and the possible duplicates found (reported, never refused: two people can share a name)."""

    case_import: CaseImport | None = None
    created: list = field(default_factory=list)  # (line, victim)
    stopped_by: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.stopped_by


class _Stop(Exception):
    pass


def _victim_fields(values: dict, *, today: date) -> dict:
    fields = {"full_name": values["full_name"]}
    if values.get("other_names"):
        fields["names_in_compound"] = values["other_names"].replace(" / ", "\n")
    if values.get("sex"):
        fields["sex"] = SEX_CODES[values["sex"]]
    if values.get("nationality"):
        fields["citizenship"] = values["nationality"]
    birth = values.get("birth")
    if birth is not None:
        if birth.date:
            fields["date_of_birth"] = birth.date
        else:
            fields["estimated_age"] = max(0, today.year - birth.year)
    if values.get("passport_number"):
        fields["passport_number"] = values["passport_number"]
    if values.get("phone"):
        fields["phone_numbers"] = "\n".join(values["phone"])
    return fields


def cases_import(
    *, organization: Organization, imported_by: User | None, table: Table, mapping: dict[int, str], now=None
) -> CaseImportReport:
    """Create one case per row in one transaction; any row that cannot be saved stops the whole file."""
    if imported_by is not None:
        require(imported_by, Action.IMPORT_LISTS, organization)
    now: datetime = now or timezone.now()
    today = timezone.localdate(now, organization.tzinfo)
    rows = list(validate(table, mapping, published=today, countries=COUNTRY_NAMES_EN))
    report = CaseImportReport()
    report.warnings = [m.text for row in rows for m in row.warnings]
    report.stopped_by = [m.text for row in rows for m in row.errors]
    references: dict[str, int] = {}
    for row in rows:
        reference = row.values.get("external_reference", "")
        if reference and reference in references:
            report.stopped_by.append(
                _("row %(line)s: reference '%(ref)s' is also on row %(other)s")
                % {"line": row.line, "ref": reference, "other": references[reference]}
            )
        if reference:
            references.setdefault(reference, row.line)
    taken = set(
        ImportedCase.objects.visible_to(organization)
        .filter(external_reference__in=[r for r in references if r])
        .values_list("external_reference", flat=True)
    )
    for reference in sorted(taken):
        report.stopped_by.append(
            _("row %(line)s: reference '%(ref)s' is already a case of this organisation")
            % {"line": references[reference], "ref": reference}
        )
    if report.stopped_by:
        return report
    try:
        with transaction.atomic():
            report.case_import = CaseImport.objects.create(
                organization=organization,
                file_name=table.filename[:255],
                sha256=table.sha256,
                uploaded_by=imported_by,
                uploaded_at=now,
            )
            for row in rows:
                _import_row(row, report=report, organization=organization, user=imported_by, now=now, today=today)
            if report.stopped_by:
                raise _Stop
            report.case_import.rows_imported = len(report.created)
            report.case_import.save(update_fields=["rows_imported"])
    except _Stop:
        report.case_import = None
        report.created = []
    return report


def _import_row(row, *, report: CaseImportReport, organization, user, now, today) -> None:
    fields = _victim_fields(row.values, today=today)
    found = find_possible_duplicates(
        organization=organization,
        today=today,
        full_name=fields["full_name"],
        names_in_compound=fields.get("names_in_compound", ""),
        citizenship=fields.get("citizenship", ""),
        date_of_birth=fields.get("date_of_birth"),
        estimated_age=fields.get("estimated_age"),
        passport_number=fields.get("passport_number", ""),
        phone_numbers=fields.get("phone_numbers", ""),
    )
    try:
        victim = case_services.victim_create(organization=organization, created_by=user, now=now, **fields)
    except ValidationError as error:
        for message in error.messages:
            report.stopped_by.append(_("row %(line)s: %(message)s") % {"line": row.line, "message": message})
        return
    for duplicate in found.matches:
        report.duplicates.append(
            _("row %(line)s (%(case)s) may be the same person as %(other)s: %(why)s")
            % {
                "line": row.line,
                "case": victim.case_number,
                "other": duplicate.victim.case_number,
                "why": ", ".join(duplicate.reasons),
            }
        )
    ImportedCase.objects.create(
        organization=organization,
        case_import=report.case_import,
        victim=victim,
        line=row.line,
        external_reference=row.values.get("external_reference", ""),
    )
    if row.values.get("notes"):
        case_services.case_note_add(victim=victim, author=user, body=row.values["notes"], kind=CaseNote.Kind.INTERNAL)
    case_created.send(sender=ImportedCase, victim=victim, created_by=user)
    report.created.append((row.line, victim))
