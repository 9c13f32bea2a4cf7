"""Exports of an organisation's case data (CSV and XLSX); the de-identified statistics are in cases/statistics.py.

Identity exports are the supervisors' working lists: they carry names and case numbers but never the secret
fields (passport, phones, handles, names used in the compound, location notes, note bodies, what was shared).
Every cell a spreadsheet could read as a formula is neutralised. Statistics carry no name, id or case number,
and every group of fewer than `STATISTICS_MIN_GROUP` people is suppressed.
"""

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy

from accounts.models import Organization
from places.codes import COUNTRY_NAMES, EXPLOITATION_CHOICES, HTCDS_SEX_CHOICES, MEANS_OF_CONTROL_CHOICES

from .models import AgencyReferral, RescueRequest, Victim

CHUNK_SIZE = 500

# A cell starting with one of these is read as a formula (or DDE command) by Excel, LibreOffice or Sheets
# (OWASP; ASVS 5.0 1.2.10 adds NUL). The full-width forms are included because some spreadsheet locales fold them
# to their ASCII twins; leading spaces are looked through because some spreadsheets strip them before parsing.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0", "＝", "＋", "－", "＠")
LOOKED_THROUGH = " \u00a0"


def starts_like_a_formula(value: str) -> bool:
    return value.startswith(FORMULA_TRIGGERS) or value.lstrip(LOOKED_THROUGH).startswith(FORMULA_TRIGGERS)


def neutralise(value: str) -> str:
    """A text cell a spreadsheet will show as text: a leading formula character gets a `'` in front."""
    if starts_like_a_formula(value):
        return "'" + value
    return value


# --- Columns ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: Any  # lazy translation, resolved when the file is written
    value: Callable[[Any], Any]


class Labels:
    """Translated labels of a code list, resolved once per language rather than once per cell (exports are big)."""

    def __init__(self, choices):
        self._choices = choices
        self._by_language: dict[str | None, dict[str, str]] = {}

    def _labels(self) -> dict[str, str]:
        language = get_language()
        labels = self._by_language.get(language)
        if labels is None:
            labels = self._by_language[language] = {str(code): str(label) for code, label in self._choices}
        return labels

    def __call__(self, code) -> str:
        if code is None or code == "":
            return ""
        return self._labels().get(str(code), str(code))

    def many(self, codes) -> str:
        labels = self._labels()
        return "; ".join(labels.get(code, code) for code in (codes or []))


def _field_labels(model, name: str) -> Labels:
    return Labels(model._meta.get_field(name).flatchoices)


_sex = Labels(HTCDS_SEX_CHOICES)  # coded to HTCDS, whatever the pages say
_country = Labels(COUNTRY_NAMES.items())
_exploitation = Labels(EXPLOITATION_CHOICES).many
_means_of_control = Labels(MEANS_OF_CONTROL_CHOICES).many
_yes_no_labels = Labels((("1", gettext_lazy("yes")), ("0", gettext_lazy("no"))))
_victim_status = _field_labels(Victim, "status")
_risk_level = _field_labels(Victim, "risk_level")
_recruitment_method = _field_labels(Victim, "recruitment_method")
_recruitment_platform = _field_labels(Victim, "recruitment_platform")
_consent = _field_labels(Victim, "consent")
_priority = _field_labels(RescueRequest, "priority")
_request_status = _field_labels(RescueRequest, "status")
_referral_status = _field_labels(AgencyReferral, "status")
_consent_basis = _field_labels(AgencyReferral, "consent_basis")


def _user_name(user) -> str:
    return user.display_name if user is not None else ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else _yes_no_labels("1" if value else "0")


VICTIM_COLUMNS = (
    Column(gettext_lazy("case number"), lambda v: v.case_number),
    Column(gettext_lazy("status"), lambda v: _victim_status(v.status)),
    Column(gettext_lazy("status changed"), lambda v: v.status_changed_at),
    Column(gettext_lazy("assigned caseworker"), lambda v: _user_name(v.assigned_to)),
    Column(gettext_lazy("full name"), lambda v: v.full_name),
    Column(gettext_lazy("sex / gender"), lambda v: _sex(v.sex)),
    Column(gettext_lazy("date of birth"), lambda v: v.date_of_birth),
    Column(gettext_lazy("estimated age"), lambda v: v.estimated_age),
    Column(gettext_lazy("citizenship"), lambda v: _country(v.citizenship)),
    Column(gettext_lazy("compound"), lambda v: v.compound.name if v.compound_id else ""),
    Column(gettext_lazy("border region"), lambda v: v.border_region.name if v.border_region_id else ""),
    Column(gettext_lazy("risk level"), lambda v: _risk_level(v.risk_level)),
    Column(gettext_lazy("injured"), lambda v: _yes_no(v.injured)),
    Column(gettext_lazy("needs medical care"), lambda v: _yes_no(v.needs_medical_care)),
    Column(gettext_lazy("minor"), lambda v: _yes_no(v.is_minor)),
    Column(gettext_lazy("pregnant"), lambda v: _yes_no(v.pregnant)),
    Column(gettext_lazy("threatened"), lambda v: _yes_no(v.threatened)),
    Column(gettext_lazy("ransom demanded"), lambda v: _yes_no(v.ransom_demanded)),
    Column(gettext_lazy("sold between compounds"), lambda v: _yes_no(v.sold_between_compounds)),
    Column(gettext_lazy("passport held by traffickers"), lambda v: _yes_no(v.passport_held_by_traffickers)),
    Column(gettext_lazy("method of recruitment"), lambda v: _recruitment_method(v.recruitment_method)),
    Column(gettext_lazy("recruitment platform"), lambda v: _recruitment_platform(v.recruitment_platform)),
    Column(gettext_lazy("recruited on"), lambda v: v.recruited_on),
    Column(gettext_lazy("arrived at the compound on"), lambda v: v.arrived_on),
    Column(gettext_lazy("released or rescued on"), lambda v: v.released_on),
    Column(gettext_lazy("means of control"), lambda v: _means_of_control(v.means_of_control)),
    Column(gettext_lazy("type of exploitation"), lambda v: _exploitation(v.exploitation_types)),
    Column(gettext_lazy("last contact"), lambda v: v.last_contact_at),
    Column(gettext_lazy("consent"), lambda v: _consent(v.consent)),
    Column(gettext_lazy("reason for closing"), lambda v: v.closed_reason),
    Column(gettext_lazy("registered"), lambda v: v.created_at),
    Column(gettext_lazy("identity redacted"), lambda v: v.redacted_at),
)

REQUEST_COLUMNS = (
    Column(gettext_lazy("request"), lambda r: r.pk),
    Column(gettext_lazy("case number"), lambda r: r.victim.case_number),
    Column(gettext_lazy("full name"), lambda r: r.victim.full_name),
    Column(gettext_lazy("priority"), lambda r: _priority(r.priority)),
    Column(gettext_lazy("status"), lambda r: _request_status(r.status)),
    Column(gettext_lazy("assigned caseworker"), lambda r: _user_name(r.assigned_to)),
    Column(gettext_lazy("opened"), lambda r: r.opened_at),
    Column(gettext_lazy("next follow-up due"), lambda r: r.next_follow_up_at),
    Column(gettext_lazy("last update"), lambda r: r.last_update_at),
    Column(gettext_lazy("closed"), lambda r: r.closed_at),
    Column(gettext_lazy("outcome"), lambda r: r.outcome),
)

REFERRAL_COLUMNS = (
    Column(gettext_lazy("referral"), lambda f: f.pk),
    Column(gettext_lazy("case number"), lambda f: f.victim.case_number),
    Column(gettext_lazy("full name"), lambda f: f.victim.full_name),
    Column(gettext_lazy("agency"), lambda f: f.agency.name),
    Column(gettext_lazy("status"), lambda f: _referral_status(f.status)),
    Column(gettext_lazy("rescue request"), lambda f: f.rescue_request_id),
    Column(gettext_lazy("sent"), lambda f: f.sent_at),
    Column(gettext_lazy("sent by"), lambda f: _user_name(f.sent_by)),
    Column(gettext_lazy("response due"), lambda f: f.response_due_at),
    Column(gettext_lazy("acknowledged"), lambda f: f.acknowledged_at),
    Column(gettext_lazy("closed"), lambda f: f.closed_at),
    Column(gettext_lazy("agency's reference"), lambda f: f.agency_reference),
    Column(gettext_lazy("shares identity"), lambda f: _yes_no(f.shares_identity)),
    Column(gettext_lazy("consent basis"), lambda f: _consent_basis(f.consent_basis)),
    Column(gettext_lazy("reason the agency declined"), lambda f: f.decline_reason),
)


@dataclass(frozen=True)
class Dataset:
    name: str  # used in the file name and the log: "victims", "requests", "referrals"
    title: Any
    columns: tuple[Column, ...]
    statuses: Any  # the TextChoices the optional status filter is checked against
    queryset: Callable[[Organization], QuerySet]


def _victims(organization: Organization) -> QuerySet[Victim]:
    # Only the columns the export shows are loaded: secret columns are never read (nor decrypted) for an export.
    return (
        Victim.objects.visible_to(organization)
        .select_related("assigned_to", "compound", "border_region")
        .defer(
            "names_in_compound",
            "passport_number",
            "phone_numbers",
            "messaging_handles",
            "last_known_location",
            "passport_index",
            "phone_index",
        )
        .order_by("case_number", "pk")
    )


def _requests(organization: Organization) -> QuerySet[RescueRequest]:
    return (
        RescueRequest.objects.visible_to(organization)
        .select_related("victim", "assigned_to")
        .only(
            *(f.name for f in RescueRequest._meta.concrete_fields),
            "victim__case_number",
            "victim__full_name",
            "assigned_to__display_name",
        )
        .order_by("victim__case_number", "opened_at", "pk")
    )


def _referrals(organization: Organization) -> QuerySet[AgencyReferral]:
    return (
        AgencyReferral.objects.visible_to(organization)
        .select_related("victim", "agency", "sent_by")
        .only(
            *(f.name for f in AgencyReferral._meta.concrete_fields if f.name != "shared_information"),
            "victim__case_number",
            "victim__full_name",
            "agency__name",
            "sent_by__display_name",
        )
        .order_by("victim__case_number", "created_at", "pk")
    )


DATASETS: dict[str, Dataset] = {
    "victims": Dataset("victims", gettext_lazy("Victims"), VICTIM_COLUMNS, Victim.Status, _victims),
    "requests": Dataset("requests", gettext_lazy("Rescue requests"), REQUEST_COLUMNS, RescueRequest.Status, _requests),
    "referrals": Dataset("referrals", gettext_lazy("Referrals"), REFERRAL_COLUMNS, AgencyReferral.Status, _referrals),
}


def export_queryset(*, dataset: Dataset, organization: Organization, statuses: list[str]) -> QuerySet:
    """The rows of one organisation's dataset, optionally narrowed to some statuses (already validated)."""
    queryset = dataset.queryset(organization)
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    return queryset


# --- Cell values ------------------------------------------------------------------------------------


def _local(value: datetime, organization: Organization) -> datetime:
    return timezone.localtime(value, organization.tzinfo).replace(tzinfo=None, microsecond=0)


def csv_cell(value: Any, organization: Organization) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _local(value, organization).isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value)
    return neutralise(str(value))


def xlsx_cell(value: Any, organization: Organization) -> Any:
    """Numbers and dates stay typed (Excel sorts them); text is cleaned of characters XML cannot hold."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None:
        return None
    if isinstance(value, datetime):
        return _local(value, organization)
    if isinstance(value, date | int | Decimal):
        return value
    text = str(value)
    cleaned = ILLEGAL_CHARACTERS_RE.sub("", text)  # NUL, BEL…: XML cannot hold them
    # Judge both: "\0=1" must keep its quote once the NUL is gone, and "\x07=1" must gain one.
    return "'" + cleaned if starts_like_a_formula(text) or starts_like_a_formula(cleaned) else cleaned


# --- Writers ----------------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write() returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(*, header: list[str], rows: Iterable[list[Any]], organization: Organization) -> Iterator[str]:
    """CSV text, line by line; starts with a byte-order mark so Excel opens UTF-8 (Thai, Burmese…) correctly."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([neutralise(str(cell)) for cell in header])
    for row in rows:
        yield writer.writerow([csv_cell(cell, organization) for cell in row])


def xlsx_file(*, title: str, header: list[str], rows: Iterable[list[Any]], organization: Organization):
    """An XLSX workbook written row by row (openpyxl write-only mode) into a temporary file, rewound."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([neutralise(str(cell)) for cell in header])
    for row in rows:
        sheet.append([xlsx_cell(cell, organization) for cell in row])
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return handle


def dataset_rows(*, dataset: Dataset, queryset: QuerySet) -> Iterator[list[Any]]:
    for obj in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [column.value(obj) for column in dataset.columns]


def dataset_header(dataset: Dataset) -> list[str]:
    return [str(column.header) for column in dataset.columns]
