"""A manifest PDF made in the background: requested on the page, made by a worker, downloaded once."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import OrganizationOwned


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Could not be made")
    DOWNLOADED = "downloaded", _("Downloaded")
    EXPIRED = "expired", _("Expired")


class ManifestExport(OrganizationOwned):
    """One request for a batch's manifest as PDF. The file (encrypted, under the manifest storage) lives until
    it is downloaded or expires, whichever comes first; this row stays as the record of what happened."""

    Status = ExportStatus

    batch = models.ForeignKey("homecoming.RepatriationBatch", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus, default=ExportStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=100, blank=True)  # the exception's type, never data
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    object_count = models.PositiveIntegerField(_("people"), default=0)
    consent_bases = models.JSONField(_("consent bases"), default=dict, blank=True)
    ready_at = models.DateTimeField(_("ready"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("downloaded"), null=True, blank=True)

    class Meta:
        verbose_name = _("manifest PDF")
        verbose_name_plural = _("manifest PDFs")
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["status", "expires_at"], name="manifestexport_expiry")]

    def __str__(self) -> str:
        return _("Manifest of %(batch)s") % {"batch": self.batch}
