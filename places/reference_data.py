"""Load the public reference data (border regions, crossings, compounds, agencies) from places/reference/*.csv.

Shared by the data migration `cases/migrations/0002_reference_data.py` (which passes its historical app
registry) and the `load_reference_data` command. Rows are matched by natural key, so loading twice changes
nothing; a row is only saved when a value from the CSV differs from the stored one.
"""

import csv
from decimal import Decimal
from pathlib import Path

from django.apps import apps as global_apps
from django.core.exceptions import ValidationError
from django.db import transaction

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

# Agencies whose coverage is narrower than "every region on the Thai side", from the CSV's own notes.
AGENCY_REGION_OVERRIDES: dict[str, tuple[str, ...]] = {
    "Naresuan Task Force (Royal Thai Army)": ("myawaddy-mae-sot",),  # "border task force in Tak"
}
THAILAND = "TH"


class ReferenceDataError(Exception):
    """A reference CSV is missing, malformed or points at a row that does not exist."""


def read_rows(filename: str) -> list[dict[str, str]]:
    """The rows of one reference CSV, with surrounding whitespace stripped from every value."""
    path = REFERENCE_DIR / filename
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return [
                {key.strip(): (value or "").strip() for key, value in row.items() if key}
                for row in csv.DictReader(handle)
            ]
    except FileNotFoundError as error:
        raise ReferenceDataError(f"Reference file {path} is missing.") from error


def _decimal(value: str) -> Decimal | None:
    return Decimal(value) if value else None


def _sync(model, *, lookup: dict, values: dict, counts: dict[str, int], label: str):
    """Create the row for `lookup`, or update the fields in `values` that differ; count what happened.

    Returns the row and "created", "updated" or "" (unchanged).
    """
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj, changed, state = model(**lookup, **values), None, "created"
    else:
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if not changed:
            return obj, ""
        for name in changed:
            setattr(obj, name, values[name])
        state = "updated"
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        name = lookup.get("name") or lookup.get("slug")
        raise ReferenceDataError(f"{label}: “{name}” is invalid: {'; '.join(error.messages)}") from error
    obj.save(update_fields=changed)
    counts[f"{label}_{state}"] += 1
    return obj, state


def load_reference_data(*, apps=None, app_label: str = "places") -> dict[str, int]:
    """Create or update the shared reference rows from the CSVs; return counts of created and updated rows.

    `apps` is the app registry to take models from: a migration passes its historical one (and `app_label`
    "cases" when it ran before the models moved to `places`).
    Agencies only ever gain border regions here, so coverage an admin added by hand is kept.
    """
    apps = apps or global_apps
    BorderRegion = apps.get_model(app_label, "BorderRegion")
    Crossing = apps.get_model(app_label, "Crossing")
    Compound = apps.get_model(app_label, "Compound")
    Agency = apps.get_model(app_label, "Agency")
    counts = {
        f"{label}_{what}": 0
        for label in ("border_regions", "crossings", "compounds", "agencies")
        for what in ("created", "updated")
    }

    with transaction.atomic():
        regions = {}
        for row in read_rows("border_regions.csv"):
            regions[row["slug"]], _ = _sync(
                BorderRegion,
                lookup={"slug": row["slug"]},
                values={
                    "name": row["name"],
                    "country_a": row["country_a"],
                    "subdivision_a": row["subdivision_a"],
                    "country_b": row["country_b"],
                    "subdivision_b": row["subdivision_b"],
                    "latitude": _decimal(row["lat"]),
                    "longitude": _decimal(row["lon"]),
                    "coordinates_note": row["coords_note"],
                    "source": row["source"],
                },
                counts=counts,
                label="border_regions",
            )

        def region_for(slug: str, *, filename: str, name: str):
            if not slug:
                return None
            if slug not in regions:
                raise ReferenceDataError(f"{filename}: “{name}” names unknown border region “{slug}”.")
            return regions[slug]

        for row in read_rows("crossings.csv"):
            _sync(
                Crossing,
                lookup={
                    "region": region_for(row["region_slug"], filename="crossings.csv", name=row["name"]),
                    "name": row["name"],
                },
                values={
                    "latitude": _decimal(row["lat"]),
                    "longitude": _decimal(row["lon"]),
                    "note": row["note"],
                    "source": row["source"],
                },
                counts=counts,
                label="crossings",
            )

        for row in read_rows("compounds.csv"):
            _sync(
                Compound,
                lookup={"name": row["name"]},
                values={
                    "aliases": row["aliases"],
                    "region": region_for(row["region_slug"], filename="compounds.csv", name=row["name"]),
                    "country": row["country"],
                    "locality": row["locality"],
                    "latitude": _decimal(row["lat"]),
                    "longitude": _decimal(row["lon"]),
                    "status": row["status"] or "unknown",
                    "controlling_group": row["controlling_group"],
                    "facts": row["facts"],
                    "source": row["source"],
                },
                counts=counts,
                label="compounds",
            )

        thai_side = [r for r in regions.values() if THAILAND in (r.country_a, r.country_b)]
        for row in read_rows("agencies.csv"):
            agency, state = _sync(
                Agency,
                lookup={"name": row["name"], "organization": None},
                values={
                    "kind": row["kind"],
                    "country": row["country"],
                    "public_contact": row["public_contact"],
                    "note": row["note"],
                    "source": row["source"],
                },
                counts=counts,
                label="agencies",
            )
            if row["name"] in AGENCY_REGION_OVERRIDES:
                covered = [regions[slug] for slug in AGENCY_REGION_OVERRIDES[row["name"]]]
            elif row["country"] == THAILAND and row["kind"] != "embassy":
                covered = thai_side  # a Thai agency acts on the Thai side of every border region
            else:
                covered = []  # embassies and agencies abroad: no obvious border region
            missing = [r for r in covered if not agency.regions.filter(pk=r.pk).exists()]
            if missing:
                agency.regions.add(*missing)
                if not state:
                    counts["agencies_updated"] += 1
    return counts
