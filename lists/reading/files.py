"""The uploaded bytes: size limits, SHA-256, and what kind of file they are before any parsing."""

import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _

CHUNK = 1 << 20


@dataclass(frozen=True)
class Limits:
    """What a list may weigh. 100,000 rows covers the largest release seen (about 7,000) many times over."""

    max_rows: int = 100_000
    max_bytes: int = 25 * 1024 * 1024
    max_columns: int = 200
    # An XLSX is a zip: refuse one whose parts unpack to more than this (a "zip bomb").
    max_unpacked_bytes: int = 400 * 1024 * 1024


class UnreadableFile(ValueError):
    """The file is refused as a whole; the message says why in the user's terms."""


@dataclass(frozen=True)
class Content:
    data: bytes
    sha256: str


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


def _too_large(size: int | None, limits: Limits) -> UnreadableFile:
    if size is None:
        size_text = _("more than %(limit)s") % {"limit": _megabytes(limits.max_bytes)}
    else:
        size_text = _megabytes(size)
    return UnreadableFile(
        _("The file is %(size)s; a list can be at most %(limit)s. Split it into smaller files.")
        % {"size": size_text, "limit": _megabytes(limits.max_bytes)}
    )


def _declared_size(file: object) -> int | None:
    """The size an upload or open file already knows, so an oversized one is refused before it is read."""
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    try:
        return os.fstat(file.fileno()).st_size  # type: ignore[attr-defined]
    except (AttributeError, OSError, io.UnsupportedOperation):
        return None


def read_content(file: BinaryIO | bytes | str | os.PathLike, limits: Limits) -> Content:
    """Read the whole file under the byte limit, hashing it as it comes in."""
    if isinstance(file, bytes | bytearray):
        if len(file) > limits.max_bytes:
            raise _too_large(len(file), limits)
        return Content(bytes(file), hashlib.sha256(file).hexdigest())
    if isinstance(file, str | os.PathLike):
        with Path(file).open("rb") as handle:
            return read_content(handle, limits)
    size = _declared_size(file)
    if size is not None and size > limits.max_bytes:
        raise _too_large(size, limits)
    digest = hashlib.sha256()
    parts = []
    total = 0
    while chunk := file.read(CHUNK):
        total += len(chunk)
        if total > limits.max_bytes:
            raise _too_large(None, limits)
        digest.update(chunk)
        parts.append(chunk)
    return Content(b"".join(parts), digest.hexdigest())


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PICTURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


def identify(data: bytes, filename: str) -> str:
    """'xlsx' or 'text'; anything else is refused with what the file looks like and what to do instead."""
    stripped = data.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00")
    if not stripped:
        raise UnreadableFile(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        return _identify_zip(data)
    if data.startswith(OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            raise UnreadableFile(
                _("The workbook is protected by a password. Open it in Excel, remove the password and upload it again.")
            )
        raise UnreadableFile(
            _("This is an old Excel file (.xls). Open it and save it as .xlsx or .csv, then upload that.")
        )
    if data.startswith(b"%PDF"):
        raise UnreadableFile(_("This is a PDF, not a spreadsheet. Upload the list as .xlsx or .csv."))
    if data.startswith(PICTURES) or data[4:12] in (b"ftypheic", b"ftypmif1") or data[8:12] == b"WEBP":
        raise UnreadableFile(
            _("This is a picture, not a spreadsheet. Type the list into a spreadsheet and upload it as .xlsx or .csv.")
        )
    return "text"


def _identify_zip(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except zipfile.BadZipFile as error:
        raise UnreadableFile(_("The file looks like an Excel workbook but is damaged; it cannot be opened.")) from error
    if "xl/workbook.xml" in names or any(name.endswith("/workbook.xml") for name in names):
        return "xlsx"
    if "mimetype" in names and archive.read("mimetype").startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        raise UnreadableFile(
            _("This is an OpenDocument spreadsheet (.ods). Save it as .xlsx or .csv, then upload that.")
        )
    if "word/document.xml" in names:
        raise UnreadableFile(_("This is a Word document, not a spreadsheet. Upload the list as .xlsx or .csv."))
    raise UnreadableFile(_("This is a zip archive, not a spreadsheet. Upload the list as .xlsx or .csv."))


def check_unpacked_size(data: bytes, limits: Limits) -> None:
    """Refuse a workbook whose parts unpack to far more than any list needs."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > limits.max_unpacked_bytes:
        raise UnreadableFile(
            _("The workbook unpacks to %(size)s, more than a list needs. Save only the list's sheet and upload that.")
            % {"size": _megabytes(unpacked)}
        )
