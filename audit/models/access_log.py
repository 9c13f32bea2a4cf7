"""An append-only record of bulk data access: exports, statistics downloads and retention redactions."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import OrganizationScopedQuerySet


class AppendOnlyError(Exception):
    """A data-access log row was about to be changed or deleted; the log only grows."""


class DataAccessLogQuerySet(OrganizationScopedQuerySet):
    """Bulk `update()`/`delete()` would bypass `save()`/`delete()`; refuse them too."""

    def update(self, **kwargs):
        raise AppendOnlyError("Data-access log rows cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Data-access log rows cannot be deleted.")


class DataAccessLog(models.Model):
    """Who took which data out of Homeward (or which data retention removed), when, from where, how many rows.

    `detail` holds the dataset, format and filters, or for a redaction the case numbers and the setting in force:
    never a name, passport, phone, handle or location.
    """

    class Kind(models.TextChoices):
        EXPORT = "export", _("Export")
        STATISTICS = "statistics", _("De-identified statistics")
        REDACTION = "redaction", _("Retention redaction")
        MANIFEST = "manifest", _("Repatriation manifest")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
        help_text=_("Empty for the scheduled retention task."),
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    object_count = models.PositiveIntegerField(_("rows"))
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    objects = DataAccessLogQuerySet.as_manager()

    class Meta:
        db_table = "cases_dataaccesslog"  # moved from the cases app (audit/migrations/0001): the table kept its name
        verbose_name = _("data-access log entry")
        verbose_name_plural = _("data-access log")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["export", "statistics", "redaction", "manifest"]),
                name="dataaccesslog_kind_valid",
            )
        ]
        indexes = [models.Index(fields=["organization", "-created_at"], name="dataaccesslog_org_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk or '–'} ({self.object_count})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Data-access log rows cannot be changed.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Data-access log rows cannot be deleted.")
