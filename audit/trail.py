"""The audit trail: which models are audited, what is masked, who and where, and recorded reads.

Built on django-auditlog (pinned in requirements.txt). Entries are `audit.AuditEntry` rows (per organisation,
append-only; audit/models/entries.py). Each app registers its own models in its `ready()` with `register()`.

- Changes: every create, update and delete of the models in `AUDITED` is recorded by auditlog's signals with the
  changed field names. Values of secret fields (every `SecretTextField`) and of identity and free-text fields
  that retention redacts are replaced by a fixed marker (`mask_secret`): the trail never holds a passport,
  phone, handle, name, location or note body, nor a part or the length of one, so redaction under the retention
  setting is not undone by the audit trail. Blind-index digests are not recorded at all.
- Reads: `record_case_read()` is called by the case page, the edit page and the admin's change page of a case: one
  ACCESS entry for the victim, listing the ids of the notes shown (restricted ones counted separately). Pages that
  list people by name (victim, request and referral lists, My work, Team, intake's possible duplicates, the admin's
  lists and change pages of case rows) call `record_reads()`: one ACCESS entry per page view listing the ids shown.
  Exports and statistics downloads are recorded by the exports code in `DataAccessLog`; each such row is mirrored
  here as an ACCESS entry on that log row (`_mirror_data_access`), so one page shows every read.
- Bulk changes: code that changes rows with `QuerySet.update()` (which sends no signals) goes through
  `audited_update()`, which locks and reads the rows first and writes the same per-row UPDATE entries.
- Who and from where: `AuditMiddleware` (auditlog's middleware) puts the signed-in user and the client address
  on every entry written during a request. The address is the one the login throttling trusts
  (`core.client_ip`: REMOTE_ADDR unless TRUSTED_PROXY_COUNT is set), never a raw
  X-Forwarded-For a client could forge.
"""

from copy import copy

from auditlog.diff import model_instance_diff
from auditlog.middleware import AuditlogMiddleware
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.db.models.expressions import Combinable
from django.db.models.signals import post_save, pre_delete, pre_save
from django.dispatch import Signal
from django.utils import timezone

from core.client_ip import client_ip
from core.fields import secret_field_names

from .models import MASK, AppendOnlyError, AuditEntry, DataAccessLog

# Models whose changes are recorded, each with the fields never stored (see `register`).
AUDITED: list[type] = []
# Identity and free-text fields that are not encrypted but are personal or may name people (retention redacts them).
PERSONAL_FIELDS: dict[type, tuple[str, ...]] = {}
# Never recorded: keyed digests of secrets (blind indexes) and bookkeeping that changes on every save.
EXCLUDED_FIELDS: dict[type, tuple[str, ...]] = {}


def register(model: type, *, personal: tuple[str, ...] = (), excluded: tuple[str, ...] = ()) -> None:
    """Record every change of `model`; values of its secret fields and of `personal` fields are masked, `excluded`
    fields are not recorded at all. Idempotent; each app calls it for its own models in `AppConfig.ready()`."""
    PERSONAL_FIELDS[model] = tuple(personal)
    EXCLUDED_FIELDS[model] = tuple(excluded)
    if model not in AUDITED:
        AUDITED.append(model)
    if not auditlog.contains(model):
        existing = {f.name for f in model._meta.get_fields()}
        auditlog.register(
            model,
            mask_fields=masked_fields(model),
            exclude_fields=[name for name in excluded if name in existing],
        )


def mask_secret(value: str) -> str:
    """What the trail stores for a masked field: whether it was empty, never the value, a part or its length."""
    return "" if value in ("", "None") else MASK


def masked_fields(model: type) -> list[str]:
    return [*secret_field_names(model), *PERSONAL_FIELDS.get(model, ())]


def connect_guards() -> None:
    """The append-only guards and the data-access mirror (called from AuditConfig.ready)."""
    post_save.connect(_mirror_data_access, sender=DataAccessLog, dispatch_uid="audit-mirror-data-access")
    pre_save.connect(_refuse_change, sender=AuditEntry, dispatch_uid="audit-append-only-save")
    pre_delete.connect(_refuse_delete, sender=AuditEntry, dispatch_uid="audit-append-only-delete")


def _refuse_change(sender, instance, raw=False, **kwargs):
    # Also stops saves that skip AuditEntry.save() (e.g. Model.save_base called directly).
    if instance.pk is not None and not instance._state.adding:
        raise AppendOnlyError("Audit entries cannot be changed.")


def _refuse_delete(sender, instance, **kwargs):
    # Deleting an organisation, content type or user never takes its trail with it.
    raise AppendOnlyError("Audit entries cannot be deleted.")


# --- Bulk changes ----------------------------------------------------------------------------------------------


# Sent by `audited_update()` after its UPDATE, with the rows as they were before (`rows`) and the `values` written:
# what a post_save receiver would have seen (tracker/navigation.py refreshes the counts of the members involved).
rows_updated = Signal()


def audited_update(queryset: QuerySet, **values) -> int:
    """`queryset.update(**values)` that leaves the same audit entries as saving each row would. Returns the count.

    The rows are locked and read first (inside the caller's transaction), so the recorded "before" is what the update
    replaced. Values that are expressions (e.g. `F("version") + 1`) are applied but not recorded: only bookkeeping
    fields are changed that way. Call it inside `transaction.atomic()`. Fields with a blind index (passport, phones)
    are refused: only `save()` keeps their index true.
    """
    indexed = {
        field.source for field in queryset.model._meta.concrete_fields if getattr(field, "blind_index", False)
    } & set(values)
    if indexed:  # an update() would leave the blind index describing the old value: duplicates would be missed
        raise ValueError(f"Change {sorted(indexed)} with save(), which recomputes their blind index.")
    rows = list(queryset.select_for_update().order_by("pk"))
    if not rows:
        return 0
    updated = queryset.model._base_manager.filter(pk__in=[row.pk for row in rows]).update(**values)
    if queryset.model in AUDITED:
        recorded = [name for name, value in values.items() if not isinstance(value, Combinable)]
        for before in rows:
            after = copy(before)
            for name in recorded:
                value = values[name]
                setattr(after, queryset.model._meta.get_field(name).attname, getattr(value, "pk", value))
            changes = model_instance_diff(
                before, after, fields_to_check=recorded, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES
            )
            if changes:
                AuditEntry.objects.log_create(after, action=AuditEntry.Action.UPDATE, changes=changes)
    rows_updated.send(sender=queryset.model, rows=rows, values=values)
    return updated


# --- Who and from where ---------------------------------------------------------------------------------------


class AuditMiddleware(AuditlogMiddleware):
    """auditlog's middleware with the trusted client address (no forged X-Forwarded-For)."""

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)  # the same rule as login throttling and the export log

    @staticmethod
    def _get_remote_port(request):
        return None


# --- Reads ---------------------------------------------------------------------------------------------------


def record_case_read(request, victim, *, notes=(), view: str = "case_page") -> AuditEntry:
    """Record that the signed-in user read a victim's record (and which notes were shown), from where.

    Only note ids are stored, never their text.
    """
    note_ids = [note.pk for note in notes]
    restricted = sum(1 for note in notes if note.is_restricted)
    return AuditEntry.objects.log_create(
        victim,
        force_log=True,
        action=AuditEntry.Action.ACCESS,
        changes=None,
        actor=request.user if request.user.is_authenticated else None,
        actor_email=getattr(request.user, "email", None),
        remote_addr=AuditMiddleware._get_remote_addr(request),
        additional_data={"view": view, "note_ids": note_ids, "restricted_notes_shown": restricted},
    )


def record_reads(request, objects, *, view: str, organization_id: int | None = None) -> int:
    """Record that the signed-in user was shown these rows on a list page: one ACCESS entry for the page view.

    For lists that show a name or other personal data: who saw which person's record, when and from where. The
    entry lists the ids shown (`additional_data["ids"]`) and what each is called in the trail (`"shown"`: case
    numbers, never names), so a page of 50 rows is one row of the trail, not 50 (`read_ids()` reads it back).
    Rows of another kind or organisation on the same page get their own entry, all in one INSERT.
    `organization_id` defaults to each row's own (pass it when the rows were loaded without it).
    Returns how many rows were recorded as read.
    """
    unique = list({(type(obj), obj.pk): obj for obj in objects if obj is not None and obj.pk is not None}.values())
    if not unique:
        return 0
    groups: dict[tuple[type, int | None], list] = {}
    for obj in unique:
        owner = organization_id if organization_id is not None else obj.organization_id
        groups.setdefault((type(obj), owner), []).append(obj)
    actor = request.user if request.user.is_authenticated else None
    remote_addr = AuditMiddleware._get_remote_addr(request)
    now = timezone.now()
    entries = [
        AuditEntry(
            content_type=ContentType.objects.get_for_model(model),
            # One row: the entry is that row's, as a case page's is; many: their ids are in additional_data.
            object_pk=str(rows[0].pk) if len(rows) == 1 else "",
            object_id=rows[0].pk if len(rows) == 1 and isinstance(rows[0].pk, int) else None,
            object_repr=(str(rows[0]) if len(rows) == 1 else f"{len(rows)} × {model._meta.verbose_name}")[:200],
            action=AuditEntry.Action.ACCESS,
            actor=actor,
            actor_email=getattr(actor, "email", None),
            remote_addr=remote_addr,
            timestamp=now,
            organization_id=owner,
            additional_data={
                "view": view,
                "ids": [obj.pk for obj in rows],
                "shown": [str(obj)[:200] for obj in rows],
            },
        )
        for (model, owner), rows in groups.items()
    ]
    if len(entries) == 1:
        entries[0].save()  # one INSERT, without the transaction bulk_create opens around it
    else:
        AuditEntry.objects.bulk_create(entries)
    return len(unique)


def read_ids(entry: AuditEntry) -> list[int]:
    """The ids of the rows an ACCESS entry says were read: the listed ones of a page view, or the entry's own row."""
    extra = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    if "ids" in extra:
        return [int(pk) for pk in extra["ids"]]
    return [int(entry.object_pk)] if entry.object_pk else []


def _mirror_data_access(sender, instance: DataAccessLog, created: bool, raw: bool = False, **kwargs) -> None:
    """Copy an export / statistics / redaction log row into the trail (dataset, filters, row count; no data)."""
    if not created or raw:
        return
    detail = instance.detail if isinstance(instance.detail, dict) else {}
    AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(DataAccessLog),
        object_pk=str(instance.pk),
        object_id=instance.pk,
        object_repr=str(instance),
        action=AuditEntry.Action.ACCESS,
        actor=instance.user,
        actor_email=getattr(instance.user, "email", None),
        remote_addr=instance.ip_address,
        timestamp=instance.created_at,
        organization_id=instance.organization_id,
        additional_data={
            "view": instance.kind,
            "dataset": detail.get("dataset", ""),
            "format": detail.get("format", ""),
            "filters": detail.get("filters", {}),
            "object_count": instance.object_count,
        },
    )


__all__ = [
    "AUDITED",
    "AuditMiddleware",
    "audited_update",
    "mask_secret",
    "record_case_read",
    "read_ids",
    "record_reads",
    "connect_guards",
    "register",
]
