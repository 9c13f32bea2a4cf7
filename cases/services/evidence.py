"""Evidence files: checked by content, images cleaned of metadata, encrypted, stored, read back, deleted, rotated.

Type: the first bytes decide (the `filetype` library), never the file name or the browser's content type.
Images are decoded and re-encoded with Pillow from their pixels alone, so no EXIF, GPS, XMP, maker note or
embedded thumbnail survives (HEIC photos, read through pillow-heif, are stored as JPEG). Everything stored, the
file and its thumbnail, is Fernet ciphertext under FIELD_ENCRYPTION_KEYS (core/crypto.py) in STORAGES["evidence"].
"""

import io
import uuid
import warnings
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from pillow_heif import register_heif_opener

from accounts.models import User
from accounts.permissions import Action, can
from core import crypto
from core.secret_columns import Progress

from ..models import CaseNote, Evidence, Victim
from ..models.evidence import STORED_TYPES

register_heif_opener()  # HEIC/HEIF (iPhone photos) through Pillow's own API

#: Detected content type -> how it is stored: Pillow's format name for images (re-encoded), None for others (kept).
ACCEPTED: dict[str, str | None] = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
    "image/heic": "HEIF",
    "application/pdf": None,
    "audio/ogg": None,  # Ogg Vorbis and Opus: WhatsApp, Telegram and Signal voice messages
    "audio/mp4": None,  # M4A: iPhone voice memos
    "audio/aac": None,
    "audio/mpeg": None,
    "audio/amr": None,
}
#: What a cleaned image is saved as: (content type, Pillow format, save options).
IMAGE_OUTPUT = {
    "JPEG": ("image/jpeg", "JPEG", {"quality": 90}),
    "HEIF": ("image/jpeg", "JPEG", {"quality": 90}),
    "PNG": ("image/png", "PNG", {}),
    "WEBP": ("image/webp", "WEBP", {"quality": 90}),
}
THUMBNAIL_BOX = (320, 320)
THUMBNAIL_CONTENT_TYPE = "image/webp"
SNIFF_BYTES = 8192


def evidence_storage():
    return storages["evidence"]


def max_file_bytes() -> int:
    return settings.EVIDENCE_MAX_FILE_BYTES


@dataclass
class PreparedFile:
    """An upload that passed every check, ready to be encrypted and stored."""

    original_name: str
    content_type: str
    kind: str
    content: bytes
    thumbnail: bytes | None


def _refuse_type(name: str) -> ValidationError:
    return ValidationError(
        _(
            "“%(name)s” was not added: its content is not a JPEG, PNG, WebP or HEIC image, a PDF, or an Ogg/Opus, "
            "M4A, AAC, MP3 or AMR recording. Homeward looks at what a file holds, not at its name."
        )
        % {"name": name},
        code="file_type",
    )


def _clean_image(data: bytes, *, name: str, pillow_format: str) -> tuple[str, bytes, bytes]:
    """(content type, the image re-encoded from its pixels only, a small WebP thumbnail)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                if opened.format != pillow_format:
                    raise _refuse_type(name)
                opened.load()
                upright = ImageOps.exif_transpose(opened)  # keep a phone photo the right way up without its EXIF
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("“%(name)s” was not added: it could not be read as an image (damaged, or too many pixels).")
            % {"name": name},
            code="image_unreadable",
        ) from None
    content_type, output_format, options = IMAGE_OUTPUT[pillow_format]
    mode = upright.mode
    if mode not in ("RGB", "RGBA", "L", "LA"):
        mode = "RGBA" if upright.has_transparency_data else "RGB"
    if output_format == "JPEG":
        mode = "L" if mode in ("L", "LA") else "RGB"
    converted = upright.convert(mode) if upright.mode != mode else upright
    # A new image from the pixels alone: no info dictionary, so no EXIF, XMP, ICC profile or text chunk to copy.
    pixels = Image.frombytes(mode, converted.size, converted.tobytes())
    cleaned = io.BytesIO()
    pixels.save(cleaned, format=output_format, **options)
    thumbnail = pixels.copy()
    thumbnail.thumbnail(THUMBNAIL_BOX)
    small = io.BytesIO()
    thumbnail.save(small, format="WEBP", quality=70)
    return content_type, cleaned.getvalue(), small.getvalue()


def evidence_prepare(uploaded) -> PreparedFile:
    """Check one uploaded file (size, content type) and clean it; ValidationError in the user's terms."""
    name = (getattr(uploaded, "name", "") or _("unnamed file"))[:200]
    limit = max_file_bytes()
    if uploaded.size > limit:
        raise ValidationError(
            _("“%(name)s” was not added: it is %(size)s, and a file may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)},
            code="file_too_large",
        )
    uploaded.seek(0)
    data = uploaded.read(limit + 1)
    if not data:
        raise ValidationError(_("“%(name)s” was not added: it is empty.") % {"name": name}, code="file_empty")
    if len(data) > limit:  # the upload's declared size was wrong
        raise ValidationError(
            _("“%(name)s” was not added: a file may be at most %(limit)s.")
            % {"name": name, "limit": filesizeformat(limit)},
            code="file_too_large",
        )
    detected = filetype.guess_mime(data[:SNIFF_BYTES])
    if detected not in ACCEPTED:
        raise _refuse_type(name)
    pillow_format = ACCEPTED[detected]
    thumbnail = None
    content_type = detected
    if pillow_format:
        content_type, data, thumbnail = _clean_image(data, name=name, pillow_format=pillow_format)
    return PreparedFile(
        original_name=name,
        content_type=content_type,
        kind=STORED_TYPES[content_type][0],
        content=data,
        thumbnail=thumbnail,
    )


def _store(organization_id: int, content: bytes) -> str:
    """Encrypt and store; the name is random (it says nothing about the case) and is returned."""
    return evidence_storage().save(
        f"{organization_id}/{uuid.uuid4().hex}.enc", ContentFile(crypto.encrypt_bytes(content))
    )


def _delete_files(names) -> None:
    storage = evidence_storage()
    for name in names:
        if name:
            storage.delete(name)


def evidence_add(
    *, victim: Victim, added_by: User, files: list, note: CaseNote | None = None, description: str = ""
) -> list[Evidence]:
    """Attach files to a case (or to one of its notes). Every file is checked first: one refused file adds none."""
    if note is not None:
        if note.victim_id != victim.pk:
            raise ValidationError({"note": _("That note is not on this case.")})
        if note.is_restricted and not can(added_by, Action.VIEW_RESTRICTED_NOTES, victim.organization):
            raise ValidationError({"note": _("That note is not on this case.")})
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")})
    prepared, problems = [], []
    for uploaded in files:
        try:
            prepared.append(evidence_prepare(uploaded))
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise ValidationError({"files": problems})
    stored: list[str] = []
    try:
        with transaction.atomic():
            rows = []
            now = timezone.now()
            for item in prepared:
                stored_name = _store(victim.organization_id, item.content)
                stored.append(stored_name)
                thumbnail_name = _store(victim.organization_id, item.thumbnail) if item.thumbnail else ""
                stored.append(thumbnail_name)
                evidence = Evidence(
                    organization_id=victim.organization_id,
                    victim=victim,
                    note=note,
                    kind=item.kind,
                    content_type=item.content_type,
                    size=len(item.content),
                    original_name=item.original_name,
                    description=description,
                    stored_name=stored_name,
                    thumbnail_name=thumbnail_name,
                    added_by=added_by,
                    added_at=now,
                )
                evidence.full_clean()
                evidence.save()
                rows.append(evidence)
    except BaseException:
        _delete_files(stored)  # nothing half-added: no row, no ciphertext left behind
        raise
    return rows


def evidence_read(evidence: Evidence, *, thumbnail: bool = False) -> bytes:
    """The decrypted file (or its thumbnail). The caller has checked access and records the read."""
    name = evidence.thumbnail_name if thumbnail else evidence.stored_name
    with evidence_storage().open(name, "rb") as stored:
        return crypto.decrypt_bytes(stored.read(), label=f"cases.Evidence file (row {evidence.pk})")


@transaction.atomic
def evidence_delete(*, evidence: Evidence, deleted_by: User) -> None:
    """Delete a file from a case (supervisors and organisation admins). The audit trail keeps the DELETE entry."""
    if not can(deleted_by, Action.DELETE_EVIDENCE, evidence.organization_id):
        raise ValidationError(_("Only a supervisor or an organisation admin may delete evidence."))
    evidence.delete()  # the stored files go when the transaction commits (delete_stored_files_of below)


def delete_stored_files_of(sender, instance: Evidence, **kwargs) -> None:
    """post_delete of Evidence (also when its case or note is deleted): remove its ciphertext after the commit."""
    names = [instance.stored_name, instance.thumbnail_name]
    transaction.on_commit(lambda: _delete_files(names))


# --- Key rotation (manage.py rotate_encryption_keys) -----------------------------------------------------------


def count_evidence(*, using: str = "default") -> int:
    return Evidence._base_manager.using(using).count()


def rotate_evidence_files(*, using: str = "default", batch_size: int = 100, on_batch=None) -> Progress:
    """Re-encrypt under the first key every evidence file and thumbnail not under it yet.

    The new ciphertext is stored under a new name and the row switched to it only if it still names the old
    file (compare-and-set); then the old file is deleted. An interrupted run leaves at worst an unused new file.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    storage = evidence_storage()
    manager = Evidence._base_manager.db_manager(using)
    progress = Progress()
    last_pk = 0
    while True:
        batch = list(
            manager.filter(pk__gt=last_pk)
            .order_by("pk")
            .values("pk", "organization_id", "stored_name", "thumbnail_name")[:batch_size]
        )
        if not batch:
            return progress
        for row in batch:
            new: dict[str, str] = {}
            for field in ("stored_name", "thumbnail_name"):
                if not row[field]:
                    continue
                with storage.open(row[field], "rb") as handle:
                    stored = handle.read()
                if crypto.is_bytes_under_first_key(stored):
                    continue
                rotated = crypto.rotate_bytes(stored, label=f"cases.Evidence.{field} (row {row['pk']})")
                new[field] = storage.save(f"{row['organization_id']}/{uuid.uuid4().hex}.enc", ContentFile(rotated))
            if not new:
                continue
            if manager.filter(pk=row["pk"], **{field: row[field] for field in new}).update(**new):
                _delete_files(row[field] for field in new)
                progress.rows_written += 1
            else:
                _delete_files(new.values())
                progress.rows_changed_meanwhile += 1
        progress.rows_seen += len(batch)
        last_pk = batch[-1]["pk"]
        if on_batch:
            on_batch(len(batch))
