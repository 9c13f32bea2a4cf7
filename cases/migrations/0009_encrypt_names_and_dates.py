"""Encrypt at rest what still named a person in a database dump (issue 16): a victim's full name and date of birth,
a reporter's name, language and safe contact times, and the free text of referral override, decline and response
notes. The year of birth stays in the clear (birth_year) for matching. Names are found through the name index
(0008), which holds keyed digests only.

The data step reads and writes raw column values, in batches, each value only if it is still plaintext: running it
again (after a crash, or on a database half done by hand with `rotate_encryption_keys`) picks up where it stopped.
"""

import cases.models.victims
import core.fields
from django.conf import settings
import sys

from django.db import migrations, models


SECRET_COLUMNS = {
    "Victim": ("full_name", "date_of_birth"),
    "Reporter": ("name", "language", "safe_contact_times"),
    "AgencyReferral": ("override_reason", "decline_reason", "response_note"),
}


def encrypt_existing_rows(apps, schema_editor):
    from core import secret_columns

    connection = schema_editor.connection
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:  # the year, read while the date is still plaintext ("YYYY-MM-DD")
        cursor.execute(
            f"UPDATE {quote('cases_victim')} SET {quote('birth_year')} = CAST(SUBSTR({quote('date_of_birth')}, 1, 4) "
            f"AS INTEGER) WHERE {quote('date_of_birth')} IS NOT NULL AND {quote('date_of_birth')} NOT LIKE 'hwenc1:%%'"
        )
    for model_name, field_names in SECRET_COLUMNS.items():
        table = secret_columns.SecretTable.for_model(apps.get_model("cases", model_name), field_names)
        total = apps.get_model("cases", model_name).objects.using(connection.alias).count()
        done = [0]

        def progress(rows, label=table.label, total=total, done=done):  # printed by `manage.py migrate`
            done[0] += rows
            sys.stdout.write(f"\n  {label}: {done[0]} of {total} rows checked")
            sys.stdout.flush()

        secret_columns.encrypt_plaintext_rows(connection=connection, table=table, on_batch=progress)


def rebuild_name_index(apps, schema_editor):
    """0008 built the index without the f: keys (starts of name parts); build it again with them."""
    from cases import name_index

    name_index.rebuild(
        using=schema_editor.connection.alias,
        victim_model=apps.get_model("cases", "Victim"),
        key_model=apps.get_model("cases", "NameKey"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_organization_identity_retention_days"),
        ("cases", "0008_name_index"),
        ("places", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="victim",
            name="victim_full_name",
        ),
        migrations.AddField(
            model_name="victim",
            name="birth_year",
            field=cases.models.victims.BirthYearField(source="date_of_birth", verbose_name="year of birth"),
        ),
        migrations.AlterField(
            model_name="agencyreferral",
            name="decline_reason",
            field=core.fields.SecretTextField(blank=True, default="", verbose_name="reason the agency declined"),
        ),
        migrations.AlterField(
            model_name="agencyreferral",
            name="override_reason",
            field=core.fields.SecretTextField(
                blank=True, default="", verbose_name="reason for the vital-interest override"
            ),
        ),
        migrations.AlterField(
            model_name="agencyreferral",
            name="response_note",
            field=core.fields.SecretTextField(blank=True, default="", verbose_name="agency's response"),
        ),
        migrations.AlterField(
            model_name="casenote",
            name="body",
            field=core.fields.SecretTextField(blank=False, default="", verbose_name="note"),
        ),
        migrations.AlterField(
            model_name="reporter",
            name="language",
            field=core.fields.SecretTextField(
                blank=True,
                choices=[
                    ("am", "Amharic"),
                    ("ar", "Arabic"),
                    ("bn", "Bengali"),
                    ("en", "English"),
                    ("fil", "Filipino"),
                    ("fr", "French"),
                    ("hi", "Hindi"),
                    ("id", "Indonesian"),
                    ("ja", "Japanese"),
                    ("kar", "Karen"),
                    ("km", "Khmer"),
                    ("ko", "Korean"),
                    ("lo", "Lao"),
                    ("ml", "Malayalam"),
                    ("ms", "Malay"),
                    ("my", "Burmese"),
                    ("ne", "Nepali"),
                    ("om", "Oromo"),
                    ("pa", "Punjabi"),
                    ("ru", "Russian"),
                    ("shn", "Shan"),
                    ("si", "Sinhala"),
                    ("sw", "Swahili"),
                    ("ta", "Tamil"),
                    ("te", "Telugu"),
                    ("th", "Thai"),
                    ("ti", "Tigrinya"),
                    ("tr", "Turkish"),
                    ("ur", "Urdu"),
                    ("uz", "Uzbek"),
                    ("vi", "Vietnamese"),
                    ("yue", "Cantonese"),
                    ("zh", "Chinese (Mandarin)"),
                ],
                default="",
                max_length=8,
                verbose_name="language",
            ),
        ),
        migrations.AlterField(
            model_name="reporter",
            name="name",
            field=core.fields.SecretTextField(blank=False, default="", max_length=200, verbose_name="name"),
        ),
        migrations.AlterField(
            model_name="reporter",
            name="safe_contact_times",
            field=core.fields.SecretTextField(
                blank=True, default="", max_length=200, verbose_name="when it is safe to contact"
            ),
        ),
        migrations.AlterField(
            model_name="victim",
            name="date_of_birth",
            field=core.fields.SecretDateField(blank=True, default=None, null=True, verbose_name="date of birth"),
        ),
        migrations.AlterField(
            model_name="victim",
            name="full_name",
            field=core.fields.SecretTextField(blank=False, default="", max_length=200, verbose_name="full name"),
        ),
        migrations.AddIndex(
            model_name="victim",
            index=models.Index(fields=["organization", "birth_year"], name="victim_org_birth_year"),
        ),
        migrations.AlterField(
            model_name="namekey",
            name="kind",
            field=models.CharField(
                choices=[
                    ("t", "name part"),
                    ("l", "name part, spelling-tolerant"),
                    ("f", "start of a name part"),
                    ("n", "whole name, any order"),
                    ("p", "pair of name parts"),
                    ("c", "pair of name parts, consonants"),
                ],
                max_length=1,
            ),
        ),
        migrations.RunPython(encrypt_existing_rows, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(rebuild_name_index, migrations.RunPython.noop, elidable=False),
    ]
