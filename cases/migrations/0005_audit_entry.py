"""The audit trail (django-auditlog entries per organisation, append-only): cases/models/audit.py."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# Append-only in the database too, not only in Python (cases/models/audit.py). The one update allowed is the one
# Django makes when a user is deleted: the actor set to NULL (the actor's email stays on the row).
# PostgreSQL: no UPDATE (but that one) and no DELETE. SQLite: no UPDATE of any column but the actor; DELETE is
# left to the Python guards there, because Django's test flush empties tables with DELETE on SQLite.
POSTGRESQL_GUARD = """
CREATE OR REPLACE FUNCTION cases_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'Audit entries are append-only: %% refused.', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cases_auditentry_append_only BEFORE UPDATE OR DELETE ON cases_auditentry
    FOR EACH ROW EXECUTE FUNCTION cases_auditentry_append_only();
"""
POSTGRESQL_UNGUARD = """
DROP TRIGGER IF EXISTS cases_auditentry_append_only ON cases_auditentry;
DROP FUNCTION IF EXISTS cases_auditentry_append_only();
"""
GUARDED_COLUMNS = (
    "object_pk, object_id, object_repr, serialized_data, action, changes_text, changes, cid, remote_addr, "
    "remote_port, timestamp, additional_data, actor_email, content_type_id, organization_id"
)
SQLITE_GUARD = f"""
CREATE TRIGGER cases_auditentry_append_only BEFORE UPDATE OF {GUARDED_COLUMNS} ON cases_auditentry
BEGIN
    SELECT RAISE(ABORT, 'Audit entries are append-only: UPDATE refused.');
END;
"""
SQLITE_UNGUARD = "DROP TRIGGER IF EXISTS cases_auditentry_append_only;"


def add_append_only_guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_GUARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_GUARD)


def remove_append_only_guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_UNGUARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UNGUARD)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_organization_identity_retention_days"),
        ("cases", "0004_export_log"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("object_pk", models.CharField(db_index=True, max_length=255, verbose_name="object pk")),
                ("object_id", models.BigIntegerField(blank=True, db_index=True, null=True, verbose_name="object id")),
                ("object_repr", models.TextField(verbose_name="object representation")),
                ("serialized_data", models.JSONField(null=True)),
                (
                    "action",
                    models.PositiveSmallIntegerField(
                        choices=[(0, "create"), (1, "update"), (2, "delete"), (3, "access")],
                        db_index=True,
                        verbose_name="action",
                    ),
                ),
                ("changes_text", models.TextField(blank=True, verbose_name="change message")),
                ("changes", models.JSONField(null=True, verbose_name="change message")),
                (
                    "cid",
                    models.CharField(
                        blank=True, db_index=True, max_length=255, null=True, verbose_name="Correlation ID"
                    ),
                ),
                ("remote_addr", models.GenericIPAddressField(blank=True, null=True, verbose_name="remote address")),
                ("remote_port", models.PositiveIntegerField(blank=True, null=True, verbose_name="remote port")),
                (
                    "timestamp",
                    models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="timestamp"),
                ),
                ("additional_data", models.JSONField(blank=True, null=True, verbose_name="additional data")),
                ("actor_email", models.CharField(blank=True, max_length=254, null=True, verbose_name="actor email")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
                (
                    "content_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contenttypes.contenttype",
                        verbose_name="content type",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty for shared reference data (e.g. a shared agency).",
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.organization",
                        verbose_name="organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit trail",
                "ordering": ["-timestamp"],
                "get_latest_by": "timestamp",
                "abstract": False,
                "indexes": [models.Index(fields=["organization", "-timestamp"], name="auditentry_org_time")],
            },
        ),
        migrations.RunPython(add_append_only_guard, remove_append_only_guard),
    ]
