"""Rows kept in memory for CaseHistory, and their writing: bulk INSERTs, case-number counters, the audit trail."""

from copy import copy
from datetime import datetime

from auditlog.diff import model_instance_diff
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from accounts.models import Membership, Organization, User
from audit.models import AuditEntry
from cases import name_index
from cases.models import (
    AgencyReferral,
    CaseNote,
    CaseNumberSequence,
    Reporter,
    RescueRequest,
    Victim,
    VictimStatusChange,
)

INSERT_ORDER = (Victim, Reporter, VictimStatusChange, RescueRequest, CaseNote, AgencyReferral)  # parents first
Create, Update = AuditEntry.Action.CREATE, AuditEntry.Action.UPDATE


def validate(row: models.Model, exclude: tuple[str, ...] = ()) -> None:
    """The services' full_clean(), without the per-foreign-key SELECTs (the rows are not saved yet)."""
    relations = [f.name for f in row._meta.concrete_fields if f.is_relation]
    row.full_clean(exclude=[*relations, *exclude], validate_unique=False, validate_constraints=False)


class Rows:
    """One organisation's new rows, the changes the services would save, and `save()` to write them."""

    def __init__(self, *, organization: Organization):
        self.organization = organization
        self.rows: dict[type, list[models.Model]] = {model: [] for model in INSERT_ORDER}
        self.created_at: dict[int, datetime] = {}  # id(row) -> when it was created "in the past"
        # (action, the row, a copy before, a copy after, the fields the service's save or update names)
        self.changes: list[tuple[str, models.Model, models.Model | None, models.Model, list[str] | None]] = []
        self.members = set(
            Membership.objects.filter(organization=organization, is_active=True).values_list("user_id", flat=True)
        )
        self.case_numbers = dict(
            CaseNumberSequence.objects.filter(organization=organization).values_list("year", "last_value")
        )

    # --- rows and their trail ---

    def _add(self, row: models.Model, *, at: datetime | None) -> models.Model:
        self.rows[type(row)].append(row)
        if at is not None:
            self.created_at[id(row)] = at
        self.changes.append((Create, row, None, copy(row), None))
        return row

    def _changed(self, before: models.Model, row: models.Model, fields: list[str] | None = None) -> None:
        self.changes.append((Update, row, before, copy(row), fields))

    def _require_member(self, user: User | None) -> None:
        if user is not None and user.pk not in self.members:
            raise ValidationError({"assigned_to": f"{user} is not a member of {self.organization}."})

    def save(self) -> None:
        """Insert every row, advance the case-number counters, write the trail, backdate creation times."""
        write(self)


class _AuditEntryCollector(type(AuditEntry.objects)):
    """AuditEntry.objects.log_create (organisation, masking filter, repr, cid) returning the entry unsaved."""

    def create(self, **kwargs):
        return AuditEntry(**kwargs)


def write(history: Rows) -> None:
    """Insert every row, advance the case-number counters, write the trail, then backdate `created_at`.

    bulk_create runs each field's pre_save and get_db_prep_value, so blind indexes are computed and secret
    fields encrypted exactly as save() does them. The trail is written before backdating: auditlog stamps
    entries (and the rows' creation) with the time the service ran, not the `now=` it was given.
    """
    for model in INSERT_ORDER:
        model.objects.bulk_create(history.rows[model], batch_size=500)
    name_index.index_victims(history.rows[Victim], replace=False)  # bulk_create sends no post_save
    for year, last_value in history.case_numbers.items():
        CaseNumberSequence.objects.update_or_create(
            organization=history.organization, year=year, defaults={"last_value": last_value}
        )
    AuditEntry.objects.bulk_create(audit_entries(history), batch_size=500)
    for model in INSERT_ORDER:
        backdated = [row for row in history.rows[model] if id(row) in history.created_at]
        if not backdated:
            continue
        for row in backdated:
            row.created_at = history.created_at[id(row)]
        model.objects.bulk_update(backdated, ["created_at"], batch_size=500)


def audit_entries(history: Rows) -> list[AuditEntry]:
    """The entries auditlog's signals write for the same service calls: a CREATE per row, an UPDATE per save."""
    collector = _AuditEntryCollector()
    collector.model = AuditEntry
    entries = []
    for action, row, before, after, fields in history.changes:
        for snapshot in (before, after):
            if snapshot is not None:
                _as_saved(snapshot, row)
        changes = model_instance_diff(
            before, after, fields_to_check=fields, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES
        )
        if changes:
            entry = collector.log_create(after, action=action, changes=changes)
            if entry is not None:
                entries.append(entry)
    return entries


def _as_saved(snapshot: models.Model, row: models.Model) -> None:
    """Give a copy taken before the INSERT the primary key, foreign keys and timestamps the row got there."""
    snapshot.pk = row.pk
    for field in row._meta.concrete_fields:
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            if getattr(snapshot, field.attname) is None:
                setattr(snapshot, field.attname, getattr(row, field.attname))
    snapshot._prepare_related_fields_for_save(operation_name="audit")
