"""The manifest PDF is made by a worker: asked for on the page, made once, downloaded once by who asked, logged."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audit.models import DataAccessLog
from homecoming import manifest_exports
from homecoming.models import ManifestExport
from homecoming.tasks import make_manifest_pdf
from tests.factories import sign_in_verified

pytestmark = pytest.mark.django_db

S = ManifestExport.Status


@pytest.fixture
def manifest_dir(settings, tmp_path):
    """This test's own manifest storage (a folder under tmp_path), as STORAGES["manifests"] names it."""
    folder = tmp_path / "manifests"
    settings.STORAGES = {
        **settings.STORAGES,
        "manifests": {
            **settings.MANIFEST_STORAGE,
            "OPTIONS": {**settings.MANIFEST_STORAGE["OPTIONS"], "location": str(folder)},
        },
    }
    return folder


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _ask(client, batch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("homecoming:manifest_pdf", args=[batch.pk]))
    assert response.status_code == 302
    return ManifestExport.objects.get(batch=batch), queued


def test_asking_for_the_pdf_answers_at_once_and_the_worker_makes_it_with_only_consented_fields(
    org_a, manifest_batch, client, manifest_dir, django_capture_on_commit_callbacks
):
    client = sign_in_verified(client, org_a.supervisor)
    export, queued = _ask(client, manifest_batch, django_capture_on_commit_callbacks)
    assert len(queued) == 1  # the task, queued once the request is committed
    page = client.get(reverse("homecoming:manifest_pdf", args=[manifest_batch.pk])).content.decode()
    assert "being prepared" in page and 'http-equiv="refresh"' in page
    assert not DataAccessLog.objects.filter(kind="manifest").exists()  # nothing has left Homeward yet

    assert make_manifest_pdf.apply(args=[export.pk]).get() == {"made": 1}

    export.refresh_from_db()
    stored = (manifest_dir / export.file_name).read_bytes()
    assert not stored.startswith(b"%PDF") and b"Synthetic" not in stored  # encrypted at rest
    page = client.get(reverse("homecoming:manifest_pdf", args=[manifest_batch.pk])).content.decode()
    assert "Download the PDF" in page and "3 people" in page
    response = client.get(reverse("homecoming:manifest_pdf_download", args=[manifest_batch.pk]))
    assert response["Content-Type"] == "application/pdf" and "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert "Synthetic Full Consent" in text and "P1234567" in text
    assert "Synthetic Limited" in text and "P5555555" not in text
    assert "Synthetic No Consent" not in text and "P7654321" not in text
    assert "withheld: no consent" in text


def test_the_download_is_logged_and_the_file_deleted_so_it_comes_out_once(
    org_a, manifest_batch, client, manifest_dir, django_capture_on_commit_callbacks
):
    client = sign_in_verified(client, org_a.supervisor)
    export, _ = _ask(client, manifest_batch, django_capture_on_commit_callbacks)
    make_manifest_pdf.apply(args=[export.pk])

    with django_capture_on_commit_callbacks(execute=True):  # the file is deleted once the download is committed
        assert client.get(reverse("homecoming:manifest_pdf_download", args=[manifest_batch.pk])).status_code == 200
    again = client.get(reverse("homecoming:manifest_pdf_download", args=[manifest_batch.pk]))

    assert again.status_code == 404
    assert list(manifest_dir.iterdir()) == []
    [entry] = DataAccessLog.objects.filter(kind="manifest")
    assert (entry.user, entry.organization, entry.object_count) == (org_a.supervisor, org_a.organization, 3)
    assert entry.detail == {
        "dataset": "manifest",
        "batch": manifest_batch.pk,
        "format": "pdf",
        "consent_bases": {"consent": 2, "no_identity": 1},
    }
    export.refresh_from_db()
    assert (export.status, export.file_name) == (S.DOWNLOADED, "")
    page = client.get(reverse("homecoming:manifest_pdf", args=[manifest_batch.pk])).content.decode()
    assert "downloaded and deleted" in page and "Prepare the PDF" in page


def test_another_organisations_user_and_a_colleague_who_did_not_ask_cannot_fetch_it(
    org_a, org_b, manifest_batch, client, manifest_dir, django_capture_on_commit_callbacks
):
    export, _ = _ask(sign_in_verified(client, org_a.supervisor), manifest_batch, django_capture_on_commit_callbacks)
    make_manifest_pdf.apply(args=[export.pk])
    url = reverse("homecoming:manifest_pdf_download", args=[manifest_batch.pk])

    other = sign_in_verified(client.__class__(), org_b.supervisor)
    colleague = sign_in_verified(client.__class__(), org_a.org_admin)
    caseworker = sign_in_verified(client.__class__(), org_a.caseworker)

    assert other.get(url).status_code == 404
    assert other.get(reverse("homecoming:manifest_pdf", args=[manifest_batch.pk])).status_code == 404
    assert colleague.get(url).status_code == 404  # the file is the requester's alone
    assert caseworker.get(url).status_code == 403
    export.refresh_from_db()
    assert export.status == S.READY and (manifest_dir / export.file_name).exists()
    assert not DataAccessLog.objects.filter(kind="manifest").exists()


def test_a_failed_attempt_is_recorded_and_retried_and_the_last_failure_is_shown(
    org_a, manifest_batch, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the manifest folder should be")  # saving under it fails, even as root
    settings.STORAGES = {
        **settings.STORAGES,
        "manifests": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(blocked)}},
    }
    settings.HOMECOMING_MANIFEST_RETRIES = 2
    settings.HOMECOMING_MANIFEST_RETRY_SECONDS = 0
    client = sign_in_verified(client, org_a.supervisor)
    export, _ = _ask(client, manifest_batch, django_capture_on_commit_callbacks)

    make_manifest_pdf.apply(args=[export.pk])  # eager: each retry runs at once

    export.refresh_from_db()
    assert (export.status, export.attempts) == (S.FAILED, 3)  # the first try and two retries
    assert export.last_error in {"NotADirectoryError", "FileExistsError"}
    page = client.get(reverse("homecoming:manifest_pdf", args=[manifest_batch.pk])).content.decode()
    assert "could not be made" in page and "Prepare the PDF" in page
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(reverse("homecoming:manifest_pdf", args=[manifest_batch.pk]))
    assert len(queued) == 1 and ManifestExport.objects.filter(status=S.PENDING).count() == 1


def test_a_duplicate_delivery_of_the_task_makes_one_file(
    org_a, manifest_batch, manifest_dir, django_capture_on_commit_callbacks
):
    export = manifest_exports.manifest_pdf_request(batch=manifest_batch, requested_by=org_a.supervisor)

    first = make_manifest_pdf.apply(args=[export.pk]).get()
    second = make_manifest_pdf.apply(args=[export.pk]).get()

    assert (first, second) == ({"made": 1}, {"made": 0})
    assert len(list(manifest_dir.iterdir())) == 1


def test_asking_twice_while_it_is_prepared_returns_the_same_request(org_a, manifest_batch, manifest_dir):
    first = manifest_exports.manifest_pdf_request(batch=manifest_batch, requested_by=org_a.supervisor)
    second = manifest_exports.manifest_pdf_request(batch=manifest_batch, requested_by=org_a.supervisor)
    assert first.pk == second.pk and ManifestExport.objects.count() == 1


def test_a_pdf_nobody_downloads_is_deleted_when_it_expires(org_a, manifest_batch, client, manifest_dir, settings):
    settings.HOMECOMING_MANIFEST_TTL_MINUTES = 30
    export = manifest_exports.manifest_pdf_request(batch=manifest_batch, requested_by=org_a.supervisor)
    make_manifest_pdf.apply(args=[export.pk])
    later = timezone.now() + timedelta(minutes=29)

    assert manifest_exports.manifest_pdf_delete_expired(now=later) == {"expired": 0}
    assert manifest_exports.manifest_pdf_delete_expired(now=later + timedelta(minutes=2)) == {"expired": 1}

    assert list(manifest_dir.iterdir()) == []
    export.refresh_from_db()
    assert export.status == S.EXPIRED
    client = sign_in_verified(client, org_a.supervisor)
    assert client.get(reverse("homecoming:manifest_pdf_download", args=[manifest_batch.pk])).status_code == 404
    assert (
        "expired before it was downloaded"
        in client.get(reverse("homecoming:manifest_pdf", args=[manifest_batch.pk])).content.decode()
    )
    assert not DataAccessLog.objects.filter(kind="manifest").exists()


def test_a_pdf_past_its_expiry_but_not_yet_swept_is_refused_and_deleted(org_a, manifest_batch, manifest_dir):
    export = manifest_exports.manifest_pdf_request(batch=manifest_batch, requested_by=org_a.supervisor)
    make_manifest_pdf.apply(args=[export.pk])
    export.refresh_from_db()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="expired"):
        manifest_exports.manifest_pdf_download(
            export=export, user=org_a.supervisor, ip_address=None, now=export.expires_at + timedelta(seconds=1)
        )
    assert list(manifest_dir.iterdir()) == []
    assert not DataAccessLog.objects.filter(kind="manifest").exists()
