"""The name index (cases/name_index.py): keyed digests of every victim's name keys, built for existing rows."""

import django.db.models.deletion
from django.db import migrations, models


def build_name_index(apps, schema_editor):
    from cases import name_index

    name_index.rebuild(
        using=schema_editor.connection.alias,
        victim_model=apps.get_model("cases", "Victim"),
        key_model=apps.get_model("cases", "NameKey"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_organization_identity_retention_days"),
        ("cases", "0007_places_and_audit_move_out"),
    ]

    operations = [
        migrations.CreateModel(
            name="NameKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("t", "name part"),
                            ("l", "name part, spelling-tolerant"),
                            ("n", "whole name, any order"),
                            ("p", "pair of name parts"),
                            ("c", "pair of name parts, consonants"),
                        ],
                        max_length=1,
                    ),
                ),
                ("digest", models.CharField(max_length=32)),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.organization",
                        verbose_name="organisation",
                    ),
                ),
                (
                    "victim",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="name_keys",
                        to="cases.victim",
                    ),
                ),
            ],
            options={
                "verbose_name": "name index key",
                "verbose_name_plural": "name index keys",
                "indexes": [
                    models.Index(fields=["organization", "digest", "victim"], name="namekey_org_digest_victim")
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("victim", "digest"), name="namekey_unique_victim_digest")
                ],
            },
        ),
        migrations.RunPython(build_name_index, migrations.RunPython.noop, elidable=False),
    ]
