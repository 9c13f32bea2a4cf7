"""Homecoming's Celery tasks: thin, by id; the work is in homecoming/manifest_exports.py."""

from celery import shared_task
from django.conf import settings

from . import manifest_exports


@shared_task(bind=True, acks_late=True, time_limit=300, soft_time_limit=270)
def make_manifest_pdf(self, export_id: int) -> dict[str, int]:
    """Make one manifest PDF. A failure is recorded on the request and retried; after the last retry the
    request is marked failed. acks_late: a worker killed mid-PDF leaves the message to be delivered again."""
    try:
        return manifest_exports.manifest_pdf_make(export_id=export_id)
    except Exception as error:
        final = self.request.retries >= settings.HOMECOMING_MANIFEST_RETRIES
        manifest_exports.manifest_pdf_failed(export_id=export_id, error=error, final=final)
        if final:
            return {"made": 0, "failed": 1}
        raise self.retry(exc=error, countdown=settings.HOMECOMING_MANIFEST_RETRY_SECONDS, max_retries=None) from None


@shared_task(time_limit=120, soft_time_limit=100)
def delete_expired_manifests_task() -> dict[str, int]:
    return manifest_exports.manifest_pdf_delete_expired()
