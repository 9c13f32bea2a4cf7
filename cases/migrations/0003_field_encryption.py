"""Encryption at rest: blind-index columns for passports and phones, and encryption of existing plaintext rows.

The data step is idempotent (values already starting with "hwenc1:" are checked, not re-encrypted) and reads
and writes raw column values, because the secret fields themselves only speak ciphertext to the database.
Reversing leaves the rows encrypted: the field class always expects ciphertext.
"""

from django.db import migrations, models

import core.fields

# Frozen here on purpose: later models may add secret fields, whose own migrations start them encrypted.
SECRET_COLUMNS = {
    "Victim": ("names_in_compound", "passport_number", "phone_numbers", "messaging_handles", "last_known_location"),
    "Reporter": ("contact_channels",),
    "CaseNote": ("body",),
    "AgencyReferral": ("shared_information",),
}


def encrypt_existing_rows(apps, schema_editor):
    from core import secret_columns

    connection = schema_editor.connection
    for model_name, field_names in SECRET_COLUMNS.items():
        table = secret_columns.SecretTable.for_model(apps.get_model("cases", model_name), field_names)
        secret_columns.encrypt_plaintext_rows(connection=connection, table=table)
    secret_columns.rebuild_blind_indexes(apps.get_model("cases", "Victim"), using=connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_reference_data"),
    ]

    operations = [
        migrations.AddField(
            model_name="victim",
            name="passport_index",
            field=core.fields.BlindIndexField(
                kind="passport", source="passport_number", verbose_name="passport number digest"
            ),
        ),
        migrations.AddField(
            model_name="victim",
            name="phone_index",
            field=core.fields.BlindIndexField(
                kind="phone", source="phone_numbers", verbose_name="phone number digests"
            ),
        ),
        migrations.AddIndex(
            model_name="victim",
            index=models.Index(fields=["organization", "passport_index"], name="victim_org_passport_index"),
        ),
        migrations.RunPython(encrypt_existing_rows, migrations.RunPython.noop, elidable=False),
    ]
