"""The audit trail: django-auditlog's log entry, kept per organisation and append-only.

Installed as `AUDITLOG_LOGENTRY_MODEL = "audit.AuditEntry"`, so every create/update/delete of a registered model
and every recorded read (cases/audit.py) lands here, with the organisation the row belongs to, so an organisation
admin's audit page can be scoped by a real foreign key. Rows are never changed or deleted: `save()` of an
existing row, `delete()`, and QuerySet `update()`/`delete()` raise `AppendOnlyError`.
"""

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.scoping import OrganizationScopedQuerySet

from .access_log import AppendOnlyError


class AuditEntryQuerySet(OrganizationScopedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit entries cannot be deleted.")


MASK = "[hidden]"  # what the trail stores instead of a secret value (audit.trail.mask_secret)


def _comparable(value):
    """A value as compared for "did it change": empties alike, multi-choice lists and "a,b" strings alike."""
    if value == MASK:
        return object()  # masked values always differ: auditlog only lists a masked field whose value changed
    if value in (None, "", [], ()):
        return None
    if isinstance(value, list | tuple):
        return ",".join(sorted(str(item) for item in value))
    if isinstance(value, str) and "," in value:
        return ",".join(sorted(value.split(",")))
    return value


class AuditEntryManager(LogEntryManager.from_queryset(AuditEntryQuerySet)):
    def log_create(self, instance, force_log: bool = False, **kwargs):
        kwargs.setdefault("organization_id", organization_id_of(instance))
        changes = kwargs.get("changes")
        if kwargs.get("action") == AbstractLogEntry.Action.UPDATE and changes:
            # An unsaved instance may hold "" where the database gives [] (multi-select fields): not a change.
            kwargs["changes"] = {
                name: pair
                for name, pair in changes.items()
                if not (
                    isinstance(pair, list | tuple) and len(pair) == 2 and _comparable(pair[0]) == _comparable(pair[1])
                )
            }
            if not kwargs["changes"] and not force_log:
                return None
        return super().log_create(instance, force_log=force_log, **kwargs)


def organization_id_of(instance) -> int | None:
    """The organisation an audited row belongs to: its `organization`, or itself for an Organization."""
    if instance._meta.label == "accounts.Organization":
        return instance.pk
    return getattr(instance, "organization_id", None)


class AuditEntry(AbstractLogEntry):
    """Who did what to which record (or read it), when, from which address. Secret values are never stored."""

    organization = models.ForeignKey(
        "accounts.Organization",
        # The trail outlives what it describes: deleting an organisation neither changes nor blocks its entries.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
        help_text=_("Empty for shared reference data (e.g. a shared agency)."),
    )

    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        db_table = "cases_auditentry"  # moved from the cases app (audit/migrations/0001): the table kept its name
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["organization", "-timestamp"], name="auditentry_org_time")]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit entries cannot be changed.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries cannot be deleted.")
