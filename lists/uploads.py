"""An uploaded file kept between the upload and the mapping confirmation: encrypted on disk, then deleted."""

import base64
import re
from pathlib import Path

from django.conf import settings

from core import crypto

_SHA = re.compile(r"^[0-9a-f]{64}$")


def _path(sha256: str) -> Path:
    if not _SHA.match(sha256 or ""):
        raise FileNotFoundError("not an upload")
    folder = Path(settings.VAR_DIR) / "list-uploads"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / sha256


def keep(data: bytes, sha256: str) -> None:
    _path(sha256).write_text(crypto.encrypt(base64.b64encode(data).decode()))


def load(sha256: str) -> bytes:
    return base64.b64decode(crypto.decrypt(_path(sha256).read_text(), label="An uploaded list"))


def discard(sha256: str) -> None:
    _path(sha256).unlink(missing_ok=True)
