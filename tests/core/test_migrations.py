"""An existing database survives the moves of models between apps (cases -> places, audit): every row intact.

The database is taken back to the migrations before the moves (cases 0006, no places or audit app), holding rows
in every table of the accounts, case-file and tracker apps, some of them written through the old state's models;
then it is migrated forward. Every row must read back the same, and the content types of the moved models (which
audit entries and permissions point at) must keep their ids and follow the models.
"""

from datetime import date, timedelta

import pytest
from django.apps import apps as live_apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audit.models import AuditEntry, DataAccessLog
from cases.models import Reporter, VictimStatusChange
from core import crypto
from places.models import Agency, Compound, Crossing
from tests.factories import (
    AgencyFactory,
    BorderRegionFactory,
    CompoundFactory,
    make_note,
    make_referral,
    make_request,
    make_victim,
)
from tracker.models import DigestCheckpoint, OutboxMessage, SweepLock

BEFORE_THE_MOVES = [("cases", "0006_victim_citizenship_namibia"), ("places", None), ("audit", None)]
APPS = ("accounts", "cases", "places", "audit", "tracker")


def _as_read(value):
    """A stored value as the app reads it: later migrations encrypt more columns (the same plaintext inside)."""
    if crypto.is_encrypted(value):
        return crypto.decrypt(value)
    return value.isoformat() if isinstance(value, date) else value


def table_rows(only: dict[str, set[str]] | None = None) -> dict[str, list[dict]]:
    """Every row of every table of our apps, as the database holds it (ordered by primary key), decrypted.

    `only` restricts it to some tables and columns: those of the database before later migrations added more.
    """
    tables = sorted({m._meta.db_table for m in live_apps.get_models() if m._meta.app_label in APPS})
    tables += sorted(
        {
            f.m2m_db_table()
            for m in live_apps.get_models()
            if m._meta.app_label in APPS
            for f in m._meta.local_many_to_many
        }
    )
    existing = set(connection.introspection.table_names())
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            if table not in existing or (only is not None and table not in only):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")  # noqa: S608
            columns = [column[0] for column in cursor.description]
            rows[table] = [
                {
                    column: _as_read(value)
                    for column, value in zip(columns, row, strict=True)
                    if only is None or column in only[table]
                }
                for row in cursor.fetchall()
            ]
    return rows


def migrate_to(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_moves_migrates_forward_with_every_row_intact(org_a, org_b):
    region = BorderRegionFactory(name="Synthetic region", slug="synthetic-region")
    compound = CompoundFactory(name="Synthetic compound", region=region)
    Crossing.objects.create(name="Synthetic crossing", region=region)  # other tests may have emptied the reference data
    agency = AgencyFactory(name="Synthetic agency", organization=org_a.organization)
    agency.regions.add(region)
    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker, compound=compound)
    make_note(victim=victim, author=org_a.caseworker)
    Reporter.objects.create(
        organization=org_a.organization, victim=victim, name="Synthetic reporter", relationship="parent"
    )
    VictimStatusChange.objects.create(
        organization=org_a.organization, victim=victim, from_status="reported", to_status="reported"
    )
    group = Group.objects.create(name="Synthetic group")
    org_a.caseworker.groups.add(group)
    org_a.caseworker.user_permissions.add(Permission.objects.get(codename="view_compound"))
    request = make_request(victim=victim, opened_by=org_a.caseworker)
    make_referral(victim=victim, agency=agency, created_by=org_a.caseworker)
    DataAccessLog.objects.create(
        kind=DataAccessLog.Kind.EXPORT, user=org_a.supervisor, organization=org_a.organization, object_count=1
    )
    OutboxMessage.objects.create(
        organization=org_a.organization,
        kind=OutboxMessage._meta.get_field("kind").choices[0][0],
        dedupe_key="migration-test",
        recipient=org_a.caseworker,
        recipient_email=org_a.caseworker.email,
        subject="Synthetic",
        body_text="Synthetic",
    )
    SweepLock.objects.create(name="migration-test", locked_until=timezone.now() + timedelta(minutes=1))
    DigestCheckpoint.objects.create(
        user=org_a.supervisor, organization=org_a.organization, last_slot_at=timezone.now(), last_week="2026-W49"
    )
    request.refresh_from_db()
    compound_type = ContentType.objects.get_for_model(Compound)
    agency_type = ContentType.objects.get_for_model(Agency)
    audit_type = ContentType.objects.get_for_model(AuditEntry)

    migrate_to(BEFORE_THE_MOVES)
    old = MigrationExecutor(connection).loader.project_state(BEFORE_THE_MOVES[0]).apps
    OldContentType = old.get_model("contenttypes", "ContentType")
    assert OldContentType.objects.get(pk=compound_type.pk).app_label == "cases"  # as an old database has it
    assert OldContentType.objects.get(pk=audit_type.pk).app_label == "cases"
    # Rows written by the old code: a compound and an audit entry about it.
    old_compound = old.get_model("cases", "Compound").objects.create(
        name="Written before the move", region_id=region.pk, status="active"
    )
    old.get_model("cases", "AuditEntry").objects.create(
        content_type_id=compound_type.pk,
        object_pk=str(old_compound.pk),
        object_id=old_compound.pk,
        object_repr="Written before the move",
        action=0,
        organization_id=org_a.organization.pk,
        timestamp=timezone.now(),
    )
    assert old.get_model("cases", "Victim").objects.get(pk=victim.pk).compound_id == compound.pk
    before = table_rows()
    assert all(before[table] for table in before), [table for table, rows in before.items() if not rows]

    migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    assert table_rows(only={table: set(rows[0]) for table, rows in before.items()}) == before
    assert ContentType.objects.get(pk=compound_type.pk).model_class() is Compound
    assert ContentType.objects.get(pk=agency_type.pk).model_class() is Agency
    assert ContentType.objects.get(pk=audit_type.pk).model_class() is AuditEntry
    entry = AuditEntry.objects.get(object_repr="Written before the move")
    assert entry.content_type.get_object_for_this_type(pk=entry.object_id).name == "Written before the move"
    assert Agency.objects.get(pk=agency.pk).regions.get() == region
    assert org_a.caseworker.user_permissions.get().content_type.model_class() is Compound  # permissions follow
    call_command("migrate", verbosity=0, interactive=False)  # nothing left to do
