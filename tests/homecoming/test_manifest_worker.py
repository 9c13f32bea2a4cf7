"""The manifest PDF with a real Celery worker: a failed attempt is recorded, retried after its delay, and made."""

import time

import pytest

from homecoming import manifest_exports
from homecoming.models import ManifestExport
from tests.tracker.conftest import celery_publishing_to, filesystem_broker, smtp_server, start_worker  # noqa: F401

from .test_manifest_pdf import pdf_text

pytestmark = pytest.mark.django_db(transaction=True)

S = ManifestExport.Status


def wait_for(condition, *, worker, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting:\n{worker.output()[-3000:]}")


def test_a_worker_records_a_failed_attempt_retries_it_and_makes_the_pdf(
    org_a,
    manifest_batch,
    settings,
    tmp_path,
    start_worker,  # noqa: F811
):
    folder = tmp_path / "manifests"
    folder.write_text("a file where the manifest folder should be")  # the first attempt cannot save (even as root)
    settings.STORAGES = {
        **settings.STORAGES,
        "manifests": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder)}},
    }
    broker_url, options = filesystem_broker(tmp_path / "celery-broker")  # the worker's var dir
    worker = start_worker(
        broker_url=broker_url,
        extra_env={"HOMEWARD_MANIFEST_DIR": str(folder), "HOMECOMING_MANIFEST_RETRY_SECONDS": "3"},
    )

    with celery_publishing_to(broker_url, options):
        export = manifest_exports.manifest_pdf_request(batch=manifest_batch, requested_by=org_a.supervisor)
        failed = wait_for(lambda: ManifestExport.objects.filter(pk=export.pk, attempts__gte=1).first(), worker=worker)
        assert failed.status == S.PENDING and failed.last_error in {"NotADirectoryError", "FileExistsError"}
        folder.unlink()  # the fault clears before the retry comes round
        made = wait_for(lambda: ManifestExport.objects.filter(pk=export.pk, status=S.READY).first(), worker=worker)
        worker.wait_until_idle(broker_url, options)

    assert made.attempts == 1 and "retry" in worker.output().lower()
    pdf = manifest_exports.manifest_pdf_download(export=made, user=org_a.supervisor, ip_address=None)
    text = pdf_text(pdf)
    assert "Synthetic Full Consent" in text and "P7654321" not in text
    assert [path.name for path in folder.iterdir()] == []  # deleted as it was downloaded (committed at once here)
