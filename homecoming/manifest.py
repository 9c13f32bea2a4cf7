"""The embassy's manifest of a batch: only what each person's consent allows, with the consent basis of each.

The rules are the referrals' (cases/services/referrals.py): identity goes out with the person's consent or a
recorded vital-interest override; otherwise the row carries the case number, sex and citizenship only. Limited
consent shares the name, sex, age and citizenship; full consent (or the override) also the date of birth and
passport number. Consent withdrawn after the basis was set is honoured: the row falls back to no identity.
"""

from dataclasses import dataclass

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from cases.models import Victim
from places.codes import COUNTRY_NAMES, SEX_CHOICES

from .models import BatchMember

SEX_LABELS = dict(SEX_CHOICES)
STYLESHEET = "homecoming/manifest.css"


@dataclass
class ManifestRow:
    number: int
    case_number: str
    basis: str
    basis_label: str
    full_name: str
    sex: str
    age: str
    date_of_birth: str
    citizenship: str
    passport_number: str
    travel_document: str
    override_reason: str


def effective_basis(member: BatchMember) -> str:
    if member.manifest_basis == BatchMember.Basis.VITAL_INTEREST and member.override_reason.strip():
        return BatchMember.Basis.VITAL_INTEREST
    if member.victim.consent != Victim.Consent.NONE:
        return BatchMember.Basis.CONSENT
    return BatchMember.Basis.NO_IDENTITY


def manifest_row(number: int, member: BatchMember) -> ManifestRow:
    victim = member.victim
    basis = effective_basis(member)
    full = basis == BatchMember.Basis.VITAL_INTEREST or victim.consent == Victim.Consent.FULL
    named = basis != BatchMember.Basis.NO_IDENTITY
    return ManifestRow(
        number=number,
        case_number=victim.case_number,
        basis=basis,
        basis_label=str(BatchMember.Basis(basis).label),
        full_name=victim.full_name if named else _("withheld: no consent"),
        sex=str(SEX_LABELS.get(victim.sex, "")),
        age=str(victim.age or "") if named else "",
        date_of_birth=victim.date_of_birth.isoformat() if full and victim.date_of_birth else "",
        citizenship=str(COUNTRY_NAMES.get(victim.citizenship, victim.citizenship)),
        passport_number=victim.passport_number if full else "",
        travel_document=member.get_travel_document_display(),
        override_reason=member.override_reason if basis == BatchMember.Basis.VITAL_INTEREST else "",
    )


def manifest_members(batch):
    return (
        batch.members.filter(status=BatchMember.Status.ACTIVE)
        .select_related("victim")
        .only(
            "pk",
            "travel_document",
            "manifest_basis",
            "override_reason",
            "victim__case_number",
            "victim__full_name",
            "victim__sex",
            "victim__date_of_birth",
            "victim__estimated_age",
            "victim__citizenship",
            "victim__passport_number",
            "victim__consent",
            "batch_id",
            "victim_id",
            "organization_id",
        )
        .order_by("victim__case_number", "pk")
    )


def manifest_rows(batch) -> list[ManifestRow]:
    return [manifest_row(number, member) for number, member in enumerate(manifest_members(batch), start=1)]


def manifest_header() -> list[str]:
    return [
        _("No."),
        _("case number"),
        _("consent basis"),
        _("full name"),
        _("sex"),
        _("age"),
        _("date of birth"),
        _("citizenship"),
        _("passport number"),
        _("travel document"),
        _("reason for the override"),
    ]


def manifest_csv_rows(rows: list[ManifestRow]):
    for r in rows:
        yield [
            r.number,
            r.case_number,
            r.basis_label,
            r.full_name,
            r.sex,
            r.age,
            r.date_of_birth,
            r.citizenship,
            r.passport_number,
            r.travel_document,
            r.override_reason,
        ]


def manifest_pdf(*, batch, rows: list[ManifestRow], organization, generated_at) -> bytes:
    """The manifest as PDF (WeasyPrint: Pango shapes Thai, Burmese and Chinese names correctly)."""
    from weasyprint import CSS, HTML

    html = render_to_string(
        "homecoming/manifest_document.html",
        {"batch": batch, "rows": rows, "organization": organization, "generated_at": generated_at, "pdf": True},
    )
    stylesheet = finders.find(STYLESHEET)
    # No base URL: the document loads nothing from anywhere, so it cannot be made to fetch a remote address.
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf(stylesheets=[CSS(filename=stylesheet)])


def _refuse_fetch(url, *args, **kwargs):
    raise ValueError("the manifest loads no external resources")
