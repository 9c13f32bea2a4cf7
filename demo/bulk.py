"""Writing a CaseHistory: bulk INSERTs, case-number counters, the audit trail, and backdated creation times."""

from typing import TYPE_CHECKING

from auditlog.diff import model_instance_diff
from django.conf import settings
from django.db import models

from cases.models import (
    AgencyReferral,
    AuditEntry,
    CaseNote,
    CaseNumberSequence,
    Reporter,
    RescueRequest,
    Victim,
    VictimStatusChange,
)

if TYPE_CHECKING:
    from .history import CaseHistory

INSERT_ORDER = (Victim, Reporter, VictimStatusChange, RescueRequest, CaseNote, AgencyReferral)  # parents first


class _AuditEntryCollector(type(AuditEntry.objects)):
    """AuditEntry.objects.log_create (organisation, masking filter, repr, cid) returning the entry unsaved."""

    def create(self, **kwargs):
        return AuditEntry(**kwargs)


def write(history: "CaseHistory") -> None:
    """Insert every row, advance the case-number counters, write the trail, then backdate `created_at`.

    bulk_create runs each field's pre_save and get_db_prep_value, so blind indexes are computed and secret
    fields encrypted exactly as save() does them. The trail is written before backdating: auditlog stamps
    entries (and the rows' creation) with the time the service ran, not the `now=` it was given.
    """
    for model in INSERT_ORDER:
        model.objects.bulk_create(history.rows[model], batch_size=500)
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


def audit_entries(history: "CaseHistory") -> list[AuditEntry]:
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
