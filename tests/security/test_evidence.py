"""Evidence files on a case or note: accepted by content, cleaned of metadata, encrypted at rest, served only
through audited views that follow the case's rules, deleted only by supervisors, re-encrypted by key rotation.

Every file here is synthetic: images drawn by Pillow, PDFs and recordings as the first bytes that identify them.
"""

import io
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from audit.models import AuditEntry
from cases.models import Evidence
from cases.services import evidence_add
from tests.factories import make_note, make_victim

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def synthetic_jpeg(*, gps: bool = True, size=(64, 48), orientation: int | None = None) -> bytes:
    """A small JPEG; by default carrying a camera model and a GPS position in its EXIF, as a phone photo does."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SyntheticCam"  # Make
    exif[0x0110] = "Model S-1"  # Model
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (13.0, 45.0, 12.5), 3: "E", 4: (100.0, 30.0, 1.25)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def synthetic_image(pillow_format: str, size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format=pillow_format)
    return out.getvalue()


SYNTHETIC_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# The first bytes by which each recording is known (a voice message is identified by its container's header).
SYNTHETIC_OGG_OPUS = b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x13OpusHead\x01\x01" + b"\x00" * 64
SYNTHETIC_M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom\x00\x00\x00\x00" + b"\x00" * 64
SYNTHETIC_AAC = b"\xff\xf1\x50\x80\x02\x1f\xfc" + b"\x21\x00" * 40
SYNTHETIC_MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0a" + b"\x00" * 10 + b"\xff\xfb\x90\x64" + b"\x00" * 64
SYNTHETIC_AMR = b"#!AMR\n" + b"\x3c" + b"\x00" * 31


def upload_of(content: bytes, name: str, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def evidence_on_disk(tmp_path, settings):
    """The embedded default: a folder (here the test's own) through Django's FileSystemStorage."""
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "evidence")},
        },
    }
    return tmp_path / "evidence"


@pytest.fixture
def case(org_a):
    return make_victim(
        organization=org_a.organization, created_by=org_a.caseworker, full_name="Synthetic Evidence Person"
    )


def upload(client, victim, *files, **fields):
    return client.post(reverse("cases:evidence_upload", args=[victim.pk]), {"files": list(files), **fields})


def stored_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def download(client, evidence):
    return client.get(reverse("cases:evidence_download", args=[evidence.victim_id, evidence.pk]))


# --- Accepted by content ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "kind", "content_type"),
    [
        (synthetic_jpeg(), "IMG_0001.JPG", "image", "image/jpeg"),
        (synthetic_image("PNG"), "Screenshot.png", "image", "image/png"),
        (synthetic_image("WEBP"), "chat.webp", "image", "image/webp"),
        (synthetic_image("HEIF"), "IMG_0002.HEIC", "image", "image/jpeg"),  # HEIC is stored as JPEG
        (SYNTHETIC_PDF, "passport.pdf", "document", "application/pdf"),
        (SYNTHETIC_OGG_OPUS, "voice.opus", "audio", "audio/ogg"),
        (SYNTHETIC_M4A, "memo.m4a", "audio", "audio/mp4"),
        (SYNTHETIC_AAC, "voice.aac", "audio", "audio/aac"),
        (SYNTHETIC_MP3, "voice.mp3", "audio", "audio/mpeg"),
        (SYNTHETIC_AMR, "voice.amr", "audio", "audio/amr"),
    ],
)
def test_each_accepted_type_is_added_and_downloads_as_what_its_content_is(
    content, name, kind, content_type, client_for, org_a, case
):
    client = client_for(org_a.caseworker, org_a.organization)
    response = upload(client, case, upload_of(content, name))
    assert response.status_code == 302
    evidence = Evidence.objects.get(victim=case)
    assert (evidence.kind, evidence.content_type, evidence.original_name) == (kind, content_type, name)
    got = download(client, evidence)
    assert got.status_code == 200
    assert got["Content-Type"] == content_type
    if kind != "image":  # images are re-encoded; the others come back byte for byte
        assert got.content == content


def test_a_file_is_typed_by_its_content_not_by_its_name(client_for, org_a, case):
    client = client_for(org_a.caseworker, org_a.organization)
    upload(client, case, upload_of(SYNTHETIC_PDF, "photo.jpg", "image/jpeg"))
    evidence = Evidence.objects.get(victim=case)
    assert evidence.content_type == "application/pdf"
    assert download(client, evidence)["Content-Disposition"].endswith('.pdf"')


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<html><script>alert(document.cookie)</script></html>", "passport.jpg"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "voice.mp3"),  # a Windows program
        (synthetic_image("GIF"), "picture.png"),  # an image, but not one of the accepted kinds
        (b"\xff\xd8\xff\xe0" + b"not really a JPEG" * 8, "broken.jpg"),  # JPEG magic, no picture
    ],
)
def test_a_mislabelled_or_unreadable_file_is_refused_with_a_message_and_nothing_is_stored(
    content, name, client_for, org_a, case, evidence_on_disk
):
    client = client_for(org_a.caseworker, org_a.organization)
    response = upload(client, case, upload_of(content, name, "image/jpeg"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"“{name}” was not added" in page
    assert not Evidence.objects.exists()
    assert stored_files(evidence_on_disk) == []


def test_one_refused_file_adds_none_of_the_files_chosen_with_it(client_for, org_a, case, evidence_on_disk):
    client = client_for(org_a.caseworker, org_a.organization)
    response = upload(client, case, upload_of(synthetic_jpeg(), "good.jpg"), upload_of(b"<svg/>", "bad.png"))
    assert "“bad.png” was not added" in response.content.decode()
    assert not Evidence.objects.exists()
    assert stored_files(evidence_on_disk) == []


def test_several_files_and_a_camera_photo_are_added_in_one_go(client_for, org_a, case):
    client = client_for(org_a.caseworker, org_a.organization)
    response = client.post(
        reverse("cases:evidence_upload", args=[case.pk]),
        {
            "files": [upload_of(synthetic_image("PNG"), "a.png"), upload_of(SYNTHETIC_PDF, "b.pdf")],
            "camera": upload_of(synthetic_jpeg(), "camera.jpg"),
            "description": "Synthetic passport photo page",
        },
    )
    assert response.status_code == 302
    assert Evidence.objects.filter(victim=case).count() == 3
    assert {e.description for e in Evidence.objects.all()} == {"Synthetic passport photo page"}


def test_the_case_page_offers_the_gallery_and_the_camera(client_for, org_a, case):
    page = client_for(org_a.caseworker, org_a.organization).get(reverse("cases:victim_detail", args=[case.pk]))
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'accept="image/*,audio/*,application/pdf"' in html and "multiple" in html
    assert 'capture="environment"' in html


@override_settings(EVIDENCE_MAX_FILE_BYTES=4096)
def test_an_oversized_file_is_refused_with_the_limit_in_the_message(client_for, org_a, case, evidence_on_disk):
    client = client_for(org_a.caseworker, org_a.organization)
    response = upload(client, case, upload_of(SYNTHETIC_PDF + b"\x00" * 10_000, "large.pdf"))
    assert response.status_code == 200
    assert (
        "“large.pdf” was not added: it is 9.8\xa0KB, and a file may be at most 4.0\xa0KB." in response.content.decode()
    )
    assert not Evidence.objects.exists()
    assert stored_files(evidence_on_disk) == []


def test_the_default_limit_is_15_mb_per_file(settings):
    assert settings.EVIDENCE_MAX_FILE_BYTES == 15 * 1024 * 1024


# --- Metadata stripped, ciphertext at rest -------------------------------------------------------------------


def test_gps_and_camera_exif_are_stripped_from_a_photo(client_for, org_a, case):
    original = synthetic_jpeg()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the test photo does carry a position
    client = client_for(org_a.caseworker, org_a.organization)
    upload(client, case, upload_of(original, "IMG_0001.JPG"))
    served = download(client, Evidence.objects.get()).content
    image = Image.open(io.BytesIO(served))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert not image.getexif().get_ifd(GPS_IFD)
    assert b"Exif" not in served and b"SyntheticCam" not in served and b"Model S-1" not in served
    assert image.size == (64, 48)


def test_a_photo_taken_sideways_is_stored_upright_without_its_orientation_tag(client_for, org_a, case):
    client = client_for(org_a.caseworker, org_a.organization)
    upload(client, case, upload_of(synthetic_jpeg(orientation=6), "sideways.jpg"))
    image = Image.open(io.BytesIO(download(client, Evidence.objects.get()).content))
    assert image.size == (48, 64)  # turned as the phone meant it
    assert ORIENTATION not in image.getexif()


def test_text_chunks_are_stripped_from_a_png(client_for, org_a, case):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Location", "Synthetic safe house street 12")
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(out, format="PNG", pnginfo=info)
    client = client_for(org_a.caseworker, org_a.organization)
    upload(client, case, upload_of(out.getvalue(), "screen.png"))
    served = download(client, Evidence.objects.get()).content
    assert b"Synthetic safe house" not in served and b"tEXt" not in served


def test_stored_files_and_thumbnails_are_ciphertext(client_for, org_a, case, evidence_on_disk):
    client = client_for(org_a.caseworker, org_a.organization)
    upload(client, case, upload_of(synthetic_jpeg(), "IMG_0001.JPG"), upload_of(SYNTHETIC_PDF, "passport.pdf"))
    files = stored_files(evidence_on_disk)
    assert len(files) == 3  # the photo, its thumbnail, the PDF
    for path in files:
        raw = path.read_bytes()
        assert raw.startswith(b"hwenc1:")
        assert b"\xff\xd8\xff" not in raw and b"%PDF" not in raw and b"RIFF" not in raw
        assert "passport" not in path.name and case.case_number not in str(path)
    evidence = Evidence.objects.get(content_type="application/pdf")
    assert download(client, evidence).content == SYNTHETIC_PDF


# --- Served through audited views, following the case's rules ---------------------------------------------------


def test_a_download_is_an_attachment_with_a_safe_type_and_nosniff(client_for, org_a, case):
    client = client_for(org_a.caseworker, org_a.organization)
    upload(client, case, upload_of(SYNTHETIC_PDF, "Nguyen passport.pdf"))
    evidence = Evidence.objects.get()
    response = download(client, evidence)
    assert response["Content-Disposition"] == f'attachment; filename="{case.case_number}-evidence-{evidence.pk}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]


def test_a_download_is_recorded_in_the_audit_trail(client_for, org_a, case):
    client = client_for(org_a.supervisor, org_a.organization)
    upload(client, case, upload_of(SYNTHETIC_PDF, "passport.pdf"))
    evidence = Evidence.objects.get()
    download(client, evidence)
    entry = AuditEntry.objects.get(
        action=AuditEntry.Action.ACCESS, object_pk=str(evidence.pk), additional_data__view="evidence_download"
    )
    assert entry.actor == org_a.supervisor
    assert entry.organization_id == org_a.organization.pk
    assert entry.additional_data["victim_id"] == case.pk


def test_the_case_page_shows_a_thumbnail_served_through_an_audited_view(client_for, org_a, case):
    client = client_for(org_a.caseworker, org_a.organization)
    upload(client, case, upload_of(synthetic_jpeg(size=(1200, 900)), "big.jpg"))
    evidence = Evidence.objects.get()
    url = reverse("cases:evidence_thumbnail", args=[case.pk, evidence.pk])
    page = client.get(reverse("cases:victim_detail", args=[case.pk])).content.decode()
    assert f'src="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp" and response["X-Content-Type-Options"] == "nosniff"
    thumbnail = Image.open(io.BytesIO(response.content))
    assert max(thumbnail.size) == 320 and len(response.content) < 20_000
    assert (
        AuditEntry.objects.filter(object_pk=str(evidence.pk), additional_data__view="evidence_thumbnail").count() == 1
    )


def test_a_pdf_has_no_thumbnail(client_for, org_a, case):
    client = client_for(org_a.caseworker, org_a.organization)
    upload(client, case, upload_of(SYNTHETIC_PDF, "passport.pdf"))
    evidence = Evidence.objects.get()
    assert client.get(reverse("cases:evidence_thumbnail", args=[case.pk, evidence.pk])).status_code == 404


def test_the_timeline_says_who_added_evidence(client_for, org_a, case):
    client = client_for(org_a.caseworker, org_a.organization)
    upload(client, case, upload_of(synthetic_jpeg(), "IMG.jpg"))
    page = client.get(reverse("cases:victim_detail", args=[case.pk])).content.decode()
    assert f"Evidence added by {org_a.caseworker.display_name}: Photo or screenshot" in page


def test_another_organisations_users_get_404_for_every_evidence_url(client_for, org_a, org_b, case):
    upload(client_for(org_a.caseworker, org_a.organization), case, upload_of(synthetic_jpeg(), "IMG.jpg"))
    evidence = Evidence.objects.get()
    for role in ("caseworker", "supervisor", "org_admin"):
        client = client_for(org_b.by_role(role), org_b.organization)
        for name in ("cases:evidence_download", "cases:evidence_thumbnail"):
            assert client.get(reverse(name, args=[case.pk, evidence.pk])).status_code == 404, (role, name)
        assert upload(client, case, upload_of(synthetic_jpeg(), "x.jpg")).status_code == 404
    delete = reverse("cases:evidence_delete", args=[case.pk, evidence.pk])
    assert client_for(org_b.supervisor, org_b.organization).post(delete, {"confirm": "delete"}).status_code == 404
    assert Evidence.objects.count() == 1
    assert not AuditEntry.objects.filter(object_pk=str(evidence.pk), action=AuditEntry.Action.ACCESS).exists()


def test_evidence_of_one_case_is_not_reachable_under_another_case_id(client_for, org_a, case):
    client = client_for(org_a.caseworker, org_a.organization)
    upload(client, case, upload_of(SYNTHETIC_PDF, "passport.pdf"))
    other = make_victim(organization=org_a.organization, created_by=org_a.caseworker, full_name="Synthetic Other")
    evidence = Evidence.objects.get()
    assert client.get(reverse("cases:evidence_download", args=[other.pk, evidence.pk])).status_code == 404


def test_a_restricted_notes_attachment_is_hidden_from_those_who_may_not_read_the_note(client_for, org_a, case):
    note = make_note(victim=case, author=org_a.supervisor, body="Synthetic restricted note", is_restricted=True)
    supervisor = client_for(org_a.supervisor, org_a.organization)
    response = upload(supervisor, case, upload_of(SYNTHETIC_PDF, "secret.pdf"), note=note.pk)
    assert response.status_code == 302
    evidence = Evidence.objects.get(note=note)
    caseworker = client_for(org_a.caseworker, org_a.organization)
    assert download(caseworker, evidence).status_code == 404
    case_url = reverse("cases:victim_detail", args=[case.pk])
    assert f"evidence-{evidence.pk}" not in caseworker.get(case_url).content.decode()
    assert f"evidence-{evidence.pk}" in supervisor.get(case_url).content.decode()
    assert download(supervisor, evidence).status_code == 200


def test_a_caseworker_cannot_attach_to_a_restricted_note_by_posting_its_id(client_for, org_a, case):
    note = make_note(victim=case, author=org_a.supervisor, body="Synthetic restricted note", is_restricted=True)
    response = upload(
        client_for(org_a.caseworker, org_a.organization), case, upload_of(SYNTHETIC_PDF, "a.pdf"), note=note.pk
    )
    assert response.status_code == 200
    assert not Evidence.objects.exists()


# --- Deleting -------------------------------------------------------------------------------------------------


def test_only_a_supervisor_or_org_admin_deletes_evidence_and_the_deletion_is_audited(
    client_for, org_a, case, evidence_on_disk, django_capture_on_commit_callbacks
):
    upload(client_for(org_a.caseworker, org_a.organization), case, upload_of(synthetic_jpeg(), "IMG.jpg"))
    evidence = Evidence.objects.get()
    url = reverse("cases:evidence_delete", args=[case.pk, evidence.pk])
    assert client_for(org_a.caseworker, org_a.organization).post(url, {"confirm": "delete"}).status_code == 403
    assert Evidence.objects.exists() and len(stored_files(evidence_on_disk)) == 2
    with django_capture_on_commit_callbacks(execute=True):  # the files go once the deletion is committed
        response = client_for(org_a.supervisor, org_a.organization).post(url, {"confirm": "delete"})
    assert response.status_code == 302
    assert not Evidence.objects.exists()
    assert stored_files(evidence_on_disk) == []  # the ciphertext went with the row
    entry = AuditEntry.objects.get_for_object(evidence).get(action=AuditEntry.Action.DELETE)
    assert entry.actor == org_a.supervisor


# --- Key rotation ---------------------------------------------------------------------------------------------


def test_rotate_encryption_keys_re_encrypts_evidence_files_under_the_new_key(org_a, case, evidence_on_disk, settings):
    old_key, new_key = settings.FIELD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    [photo] = evidence_add(victim=case, added_by=org_a.caseworker, files=[upload_of(synthetic_jpeg(), "IMG.jpg")])
    before = {path: path.read_bytes() for path in stored_files(evidence_on_disk)}
    out = io.StringIO()
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        call_command("rotate_encryption_keys", stdout=out, stderr=io.StringIO())
    assert "cases.Evidence files: 1 rows, 1 re-encrypted" in out.getvalue()
    after = stored_files(evidence_on_disk)
    assert len(after) == 2 and not set(after) & set(before)  # new files; the old ciphertext is gone
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):  # the old key retired: everything still opens
        photo.refresh_from_db()
        from cases.services.evidence import evidence_read

        image = Image.open(io.BytesIO(evidence_read(photo)))
        assert image.size == (64, 48)
        assert Image.open(io.BytesIO(evidence_read(photo, thumbnail=True))).format == "WEBP"
        assert Evidence.objects.get().original_name == "IMG.jpg"  # its secret columns were rotated too
        again = io.StringIO()
        call_command("rotate_encryption_keys", stdout=again, stderr=io.StringIO())
    assert "cases.Evidence files: 1 rows, 0 re-encrypted" in again.getvalue()


def test_evidence_is_stored_in_the_storage_named_evidence(settings):
    assert "evidence" in settings.STORAGES
    assert storages["evidence"].location.endswith("evidence")


def test_retention_redaction_of_a_closed_case_deletes_its_evidence_files(
    org_a, case, evidence_on_disk, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from cases import retention, services

    evidence_add(victim=case, added_by=org_a.caseworker, files=[upload_of(synthetic_jpeg(), "passport.jpg")])
    services.victim_change_status(victim=case, to_status="closed", changed_by=org_a.supervisor, reason="Synthetic")
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.victim_redact_identity(victim=case, now=timezone.now() + timedelta(days=1))
    assert not Evidence.objects.exists()
    assert stored_files(evidence_on_disk) == []
