"""What the encryption tests share: synthetic secrets, a case file holding every kind of them, readers of the
database past the ORM (the raw secret columns, a dump of every table), the rotation command and the blind-index
lookup."""

import io
import re
from datetime import date
from pathlib import Path

from django.core.management import call_command
from django.db import connection

from cases.identifiers import victims_with_same_identifiers
from cases.models import AgencyReferral, Victim
from core import crypto, secret_columns
from tests.factories import AgencyFactory, make_note, make_referral, make_victim

ROOT = Path(__file__).resolve().parents[3]
OLD_KEY = crypto.generate_key()
NEW_KEY = crypto.generate_key()
OTHER_KEY = crypto.generate_key()

PASSPORT = "SYNPP1234567"
PHONE = "+66 81 234 5678"
HANDLE = "Telegram: @synthetic_handle_42"
NOTE = "Synthetic note: met the family at the bus station"
ALIAS = "Synthetic Tiger"
LOCATION = "Synthetic block C, third floor"
CHANNELS = "LINE: synthetic_aunt_7"
SHARED = "Synthetic summary shared with the agency"
NAME = "Synthetic Khanh Person"
BORN = date(1994, 7, 19)
REPORTER = "Synthetic Aunt Lanh"
SAFE_TIMES = "Synthetic evenings after nine"
OVERRIDE = "Synthetic override: the person is in danger tonight"
DECLINE = "Synthetic decline: outside our district"
RESPONSE = "Synthetic response: officer visited the block"
PLAINTEXTS = [PASSPORT, "812345678", "2345678", HANDLE, "synthetic_handle", NOTE, ALIAS, LOCATION, CHANNELS, SHARED]
PLAINTEXTS += [NAME, "Khanh", BORN.isoformat(), REPORTER, SAFE_TIMES, OVERRIDE, DECLINE, RESPONSE]


def make_case_file(org, **victim_fields):
    """A victim with every kind of secret filled in: identity, reporter, note and referral."""
    fields = dict(
        full_name=NAME,
        date_of_birth=BORN,
        names_in_compound=ALIAS,
        passport_number=PASSPORT,
        phone_numbers=PHONE,
        messaging_handles=HANDLE,
        last_known_location=LOCATION,
        reporter={
            "name": REPORTER,
            "relationship": "relative",
            "contact_channels": CHANNELS,
            "language": "th",
            "safe_contact_times": SAFE_TIMES,
        },
    )
    victim = make_victim(organization=org.organization, created_by=org.caseworker, **{**fields, **victim_fields})
    make_note(victim=victim, author=org.caseworker, body=NOTE)
    referral = make_referral(
        victim=victim,
        agency=AgencyFactory(),
        created_by=org.caseworker,
        shared_information=SHARED,
        shares_identity=True,
        consent_basis=AgencyReferral.ConsentBasis.VITAL_INTEREST,
        override_reason=OVERRIDE,
    )
    AgencyReferral.objects.filter(pk=referral.pk).update(decline_reason=DECLINE, response_note=RESPONSE)
    return victim


def raw_secret_values() -> dict[tuple[str, int, str], str]:
    """Every non-empty secret column value exactly as the database stores it, read past the ORM."""
    values = {}
    with connection.cursor() as cursor:
        for table in secret_columns.secret_tables():
            quote = connection.ops.quote_name
            columns = ", ".join(quote(c) for c in (table.pk_column, *table.columns))
            cursor.execute(f"SELECT {columns} FROM {quote(table.table)}")
            for pk, *row in cursor.fetchall():
                values.update({(table.label, pk, col): v for col, v in zip(table.columns, row, strict=True) if v})
    return values


def whole_database_text() -> str:
    """All rows of all tables as text: an SQL dump on SQLite, every row cast to text on PostgreSQL."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    with connection.cursor() as cursor:
        chunks = []
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT t::text FROM {connection.ops.quote_name(table)} AS t")
            chunks += [row[0] for row in cursor.fetchall()]
    return "\n".join(chunks)


# Ciphertexts, digests and session blobs are long runs of base64 or hex. A short fragment such as "Hoa" turns up
# inside one of them by chance (about one dump in three), so fragments are looked for in the dump without them.
OPAQUE_TOKEN = re.compile(r"[A-Za-z0-9+/_=:.-]{20,}")


def readable_text(dump: str) -> str:
    """The dump with every long opaque token (ciphertext, digest, signed blob) blanked out."""
    return OPAQUE_TOKEN.sub(" ", dump)


def rotate(**options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("rotate_encryption_keys", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def same(org, **typed) -> list[Victim]:
    return list(victims_with_same_identifiers(organization=org.organization, **typed).order_by("pk"))
