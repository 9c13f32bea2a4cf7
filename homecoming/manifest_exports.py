"""The manifest PDF made by a worker: requested on the page, made once, downloaded once, never kept.

WeasyPrint needs about 18 s for a charter flight of 450 people, too long for a request. The page asks for it
(`manifest_pdf_request`), a worker makes it (`manifest_pdf_make`, in homecoming/tasks.py), and the person who
asked downloads it (`manifest_pdf_download`): the file is encrypted at rest, deleted as it is downloaded or
when it expires (`manifest_pdf_delete_expired`), and the download is written to the export log like every
other manifest download.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import DataAccessLog
from core.crypto import decrypt_bytes, encrypt_bytes

from .manifest import manifest_pdf, manifest_rows
from .models import ManifestExport, RepatriationBatch

S = ManifestExport.Status
STALE_AFTER = timedelta(minutes=10)  # a request older than this with no worker progress is queued again


def storage():
    return storages["manifests"]


def consent_bases(rows) -> dict[str, int]:
    bases: dict[str, int] = {}
    for row in rows:
        bases[row.basis] = bases.get(row.basis, 0) + 1
    return bases


def _queue(export_id: int) -> None:
    from .tasks import make_manifest_pdf

    transaction.on_commit(lambda: make_manifest_pdf.delay(export_id))


@transaction.atomic
def manifest_pdf_request(*, batch: RepatriationBatch, requested_by: User, now: datetime | None = None):
    """Ask a worker for the batch's manifest PDF; asking again while one is being prepared returns that one
    (queued again if no worker has touched it for a while: a lost message only delays it)."""
    now = now or timezone.now()
    pending = (
        ManifestExport.objects.select_for_update()
        .filter(batch=batch, requested_by=requested_by, status=S.PENDING)
        .first()
    )
    if pending is not None:
        if now - pending.requested_at > STALE_AFTER:
            ManifestExport.objects.filter(pk=pending.pk).update(requested_at=now)
            _queue(pending.pk)
        return pending
    export = ManifestExport.objects.create(
        organization_id=batch.organization_id, batch=batch, requested_by=requested_by, requested_at=now
    )
    _queue(export.pk)
    return export


def manifest_pdf_make(*, export_id: int, now: datetime | None = None) -> dict[str, int]:
    """Make the PDF of a pending request and store it encrypted. A request already made (a duplicate delivery
    of the task, or a second worker) is left alone; two makers racing store one file."""
    export = ManifestExport.objects.select_related("batch__agency", "organization").filter(pk=export_id).first()
    if export is None or export.status != S.PENDING:
        return {"made": 0}
    now = now or timezone.now()
    rows = manifest_rows(export.batch)
    pdf = manifest_pdf(batch=export.batch, rows=rows, organization=export.organization, generated_at=now)
    name = storage().save(f"manifest-{export.pk}.pdf.enc", ContentFile(encrypt_bytes(pdf)))
    made = ManifestExport.objects.filter(pk=export.pk, status=S.PENDING).update(
        status=S.READY,
        file_name=name,
        object_count=len(rows),
        consent_bases=consent_bases(rows),
        ready_at=now,
        expires_at=now + timedelta(minutes=settings.HOMECOMING_MANIFEST_TTL_MINUTES),
    )
    if not made:
        storage().delete(name)  # another run got there first
    return {"made": made}


def manifest_pdf_failed(*, export_id: int, error: BaseException, final: bool) -> None:
    """Record a failed attempt (the error's type, never its text: it could quote a name); after the last, the
    request is marked failed so the page says so instead of waiting forever."""
    from django.db.models import F

    changes = {"attempts": F("attempts") + 1, "last_error": type(error).__name__[:100]}
    if final:
        changes["status"] = S.FAILED
    ManifestExport.objects.filter(pk=export_id, status=S.PENDING).update(**changes)


def _expire(export: ManifestExport) -> None:
    ManifestExport.objects.filter(pk=export.pk).update(status=S.EXPIRED, file_name="")
    if export.file_name:
        storage().delete(export.file_name)


def manifest_pdf_download(*, export: ManifestExport, user: User, ip_address: str | None, now=None) -> bytes:
    """The PDF, once: written to the export log, then deleted from storage. Refused (and deleted) once expired."""
    now = now or timezone.now()
    with transaction.atomic():
        export = ManifestExport.objects.select_for_update().get(pk=export.pk)
        if export.status != S.READY:
            refusal = _("This PDF is no longer available; prepare it again.")
        elif export.expires_at and export.expires_at <= now:
            _expire(export)
            refusal = _("This PDF has expired; prepare it again.")
        else:
            pdf = decrypt_bytes(storage().open(export.file_name).read(), label="A manifest PDF")
            DataAccessLog.objects.create(
                kind=DataAccessLog.Kind.MANIFEST,
                user=user,
                organization_id=export.organization_id,
                object_count=export.object_count,
                detail={
                    "dataset": "manifest",
                    "batch": export.batch_id,
                    "format": "pdf",
                    "consent_bases": export.consent_bases,
                },
                ip_address=ip_address,
                created_at=now,
            )
            ManifestExport.objects.filter(pk=export.pk).update(status=S.DOWNLOADED, downloaded_at=now, file_name="")
            name = export.file_name
            transaction.on_commit(lambda: storage().delete(name))
            return pdf
    raise ValidationError(refusal)


def manifest_pdf_delete_expired(*, now: datetime | None = None) -> dict[str, int]:
    """Delete every stored PDF past its expiry (and those of failed requests)."""
    now = now or timezone.now()
    expired = ManifestExport.objects.filter(status=S.READY, expires_at__lte=now)
    count = 0
    for export in expired:
        _expire(export)
        count += 1
    return {"expired": count}
