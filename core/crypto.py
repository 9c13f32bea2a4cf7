"""Encryption at rest for secret columns, and the keyed digests (blind index) that let us find exact duplicates.

Secrets are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, authenticated) under `FIELD_ENCRYPTION_KEYS`: the
first key encrypts, every key decrypts, so keys can be rotated without downtime. Blind-index digests are
HMAC-SHA256 under a separate `BLIND_INDEX_KEY`, so an index never helps anyone decrypt. See docs/deployment.md.
"""

import base64
import binascii
import functools
import hashlib
import hmac
import re
import unicodedata

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Stored values start with this, so already-encrypted rows are recognised (data migration, rotation) and a
# future scheme can use "hwenc2:". Everything after it is a Fernet token.
ENCRYPTED_PREFIX = "hwenc1:"
DIGEST_HEX_CHARS = 32  # 128 bits of HMAC-SHA256: collisions are not a practical concern at any caseload


class DecryptionError(RuntimeError):
    """A stored secret that no configured key opens: the wrong key is configured, or the value was altered."""


def generate_key() -> str:
    """A fresh random key in the format FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY expect."""
    return Fernet.generate_key().decode("ascii")


def check_key(value: str, *, setting: str) -> bytes:
    """The raw 32 bytes of a urlsafe-base64 key, or ImproperlyConfigured naming the setting (never the key)."""
    help_text = (
        f"{setting} must hold urlsafe-base64 encodings of 32 random bytes (44 characters ending in '='); "
        "generate one with: python -c 'from core.crypto import generate_key; print(generate_key())'"
    )
    if not isinstance(value, str) or not value.strip():
        raise ImproperlyConfigured(f"{setting} is empty. {help_text}")
    try:
        raw = base64.b64decode(value.strip().encode("ascii"), altchars=b"-_", validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ImproperlyConfigured(f"{setting} contains a key that is not valid urlsafe base64. {help_text}") from None
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{setting} contains a key of {len(raw)} bytes instead of 32. {help_text}")
    return raw


def check_key_settings(*, encryption_keys: list[str], blind_index_key: str) -> None:
    """Fail fast on missing, malformed, duplicated or shared keys (called by production settings)."""
    if not encryption_keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must list at least one key (comma-separated).")
    raw_keys = [check_key(key, setting="FIELD_ENCRYPTION_KEYS") for key in encryption_keys]
    if len(set(raw_keys)) != len(raw_keys):
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS lists the same key twice.")
    if check_key(blind_index_key, setting="BLIND_INDEX_KEY") in raw_keys:
        raise ImproperlyConfigured("BLIND_INDEX_KEY must be a separate key, not one of FIELD_ENCRYPTION_KEYS.")


@functools.lru_cache(maxsize=8)
def _fernets(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must list at least one key (comma-separated).")
    fernets = []
    for key in keys:
        check_key(key, setting="FIELD_ENCRYPTION_KEYS")
        fernets.append(Fernet(key.strip()))
    return MultiFernet(fernets), fernets[0]


def _configured() -> tuple[MultiFernet, Fernet]:
    # Keyed by the settings' value, so override_settings and a reloaded environment take effect at once.
    return _fernets(tuple(settings.FIELD_ENCRYPTION_KEYS))


def is_encrypted(stored: str) -> bool:
    """Whether a stored value has the shape of our ciphertext (not whether the configured keys open it)."""
    return isinstance(stored, str) and stored.startswith(ENCRYPTED_PREFIX)


def encrypt(plaintext: str) -> str:
    """Ciphertext for the database under the first configured key. The empty string stays empty."""
    if plaintext == "":
        return ""
    multi, _first = _configured()
    return ENCRYPTED_PREFIX + multi.encrypt(plaintext.encode("utf-8")).decode("ascii")


def _token(stored: str, *, label: str) -> bytes:
    if not is_encrypted(stored):
        raise DecryptionError(
            f"{label} holds a value that is not encrypted; run `manage.py migrate` (cases 0003 encrypts old rows)."
        )
    return stored[len(ENCRYPTED_PREFIX) :].encode("ascii", errors="replace")


def _wrong_key(label: str) -> DecryptionError:
    return DecryptionError(
        f"{label} cannot be decrypted with FIELD_ENCRYPTION_KEYS; is the right key configured? "
        "(If it is, the stored value was altered.)"
    )


def decrypt(stored: str, *, label: str = "A secret value") -> str:
    """Plaintext of a stored value, or DecryptionError. `label` names the column in the error, never the value."""
    if stored == "":
        return ""
    multi, _first = _configured()
    try:
        return multi.decrypt(_token(stored, label=label)).decode("utf-8")
    except InvalidToken:
        raise _wrong_key(label) from None


def is_under_first_key(stored: str) -> bool:
    """Whether a stored value is already encrypted under the current first key (rotation skips those)."""
    if not is_encrypted(stored):
        return False
    _multi, first = _configured()
    try:
        first.decrypt(stored[len(ENCRYPTED_PREFIX) :].encode("ascii", errors="replace"))
    except InvalidToken:
        return False
    return True


def rotate(stored: str, *, label: str = "A secret value") -> str:
    """The same plaintext re-encrypted under the first key (a fresh ciphertext, original timestamp kept)."""
    if stored == "":
        return ""
    multi, _first = _configured()
    try:
        return ENCRYPTED_PREFIX + multi.rotate(_token(stored, label=label)).decode("ascii")
    except InvalidToken:
        raise _wrong_key(label) from None


# --- Files ---------------------------------------------------------------------------------------
# Files (case evidence) are encrypted whole under the same keys, as bytes: the prefix, then the Fernet token.
ENCRYPTED_FILE_PREFIX = b"hwenc1:"


def encrypt_bytes(plaintext: bytes) -> bytes:
    """A file's content (case evidence, a manifest PDF) encrypted under the first configured key, ready for storage."""
    multi, _first = _configured()
    return ENCRYPTED_FILE_PREFIX + multi.encrypt(plaintext)


def _file_token(stored: bytes, *, label: str) -> bytes:
    if not stored.startswith(ENCRYPTED_FILE_PREFIX):
        raise DecryptionError(f"{label} is not an encrypted file.")
    return stored[len(ENCRYPTED_FILE_PREFIX) :]


def decrypt_bytes(stored: bytes, *, label: str = "A stored file") -> bytes:
    """A stored file's plaintext, or DecryptionError (wrong key, or the file was altered)."""
    multi, _first = _configured()
    try:
        return multi.decrypt(_file_token(stored, label=label))
    except InvalidToken:
        raise _wrong_key(label) from None


def is_bytes_under_first_key(stored: bytes) -> bool:
    """Whether a stored file is already encrypted under the current first key (rotation skips those)."""
    if not stored.startswith(ENCRYPTED_FILE_PREFIX):
        return False
    _multi, first = _configured()
    try:
        first.decrypt(stored[len(ENCRYPTED_FILE_PREFIX) :])
    except InvalidToken:
        return False
    return True


def rotate_bytes(stored: bytes, *, label: str = "A stored file") -> bytes:
    """The same file re-encrypted under the first key."""
    multi, _first = _configured()
    try:
        return ENCRYPTED_FILE_PREFIX + multi.rotate(_file_token(stored, label=label))
    except InvalidToken:
        raise _wrong_key(label) from None


# --- Blind index ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _blind_index_raw_key(key: str) -> bytes:
    return check_key(key, setting="BLIND_INDEX_KEY")


def blind_digest(*, purpose: str, organization_id: int, value: str) -> str:
    """HMAC-SHA256 of an already-normalised value, separated by purpose and organisation.

    Including the organisation means two organisations holding the same passport get unrelated digests:
    nobody with the database alone can link cases across organisations.
    """
    key = _blind_index_raw_key(settings.BLIND_INDEX_KEY)
    message = f"{purpose}\x1f{organization_id}\x1f{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:DIGEST_HEX_CHARS]


# Normalisation decides what counts as "the same": the index stores digests of normalised values only.
MIN_PHONE_DIGITS = 8  # shorter fragments (extensions, PINs) are not phone numbers
MAX_PHONE_DIGITS = 15  # E.164 maximum; longer runs keep their last 15 digits
PHONE_LINE_SEPARATORS = re.compile(r"[\n\r,;]+")


def normalize_passport(value: str) -> str:
    """Uppercase letters and digits only: "ab 123-456" and "AB123456" are the same passport."""
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


def normalize_phone(value: str) -> str:
    """Digits only, without leading zeros (trunk or international prefix): "+66 81-234 5678" → "66812345678"."""
    # Any script's digits count (Thai "๐๘๑…" is "081…"); letters, spaces and punctuation do not.
    digits = "".join(str(unicodedata.decimal(ch)) for ch in value if ch.isdecimal()).lstrip("0")
    return digits[-MAX_PHONE_DIGITS:]


def phone_keys(text: str) -> list[str]:
    """The normalised phone numbers in a free-text field (one per line, or separated by commas or semicolons)."""
    keys: list[str] = []
    for part in PHONE_LINE_SEPARATORS.split(text or ""):
        key = normalize_phone(part)
        if len(key) >= MIN_PHONE_DIGITS and key not in keys:
            keys.append(key)
    return keys


def passport_index(*, organization_id: int, passport_number: str) -> str:
    """The stored digest of a passport number ("" when there is none)."""
    key = normalize_passport(passport_number)
    return blind_digest(purpose="passport", organization_id=organization_id, value=key) if key else ""


def phone_index(*, organization_id: int, phone_numbers: str) -> str:
    """The stored digests of a phone field, space-separated.

    "Same number" means one normalised number ends with the other (with or without the country code), as
    "0812345678" and "+66 81 234 5678" do. For each number we store the digest of the whole number ("phone")
    and of each of its tails of 8 or more digits ("phone-tail"); `phone_lookup_digests` gives the matching
    digests to look for, so the match is exact without ever storing the number.
    """
    tokens: list[str] = []
    for key in phone_keys(phone_numbers):
        candidates = [blind_digest(purpose="phone", organization_id=organization_id, value=key)]
        candidates += [
            blind_digest(purpose="phone-tail", organization_id=organization_id, value=key[-length:])
            for length in range(MIN_PHONE_DIGITS, len(key) + 1)
        ]
        tokens += [token for token in candidates if token not in tokens]
    return " ".join(tokens)


def phone_lookup_digests(*, organization_id: int, phone_numbers: str) -> list[str]:
    """Digests whose presence in a stored `phone_index` means one of these numbers is the same line."""
    digests: list[str] = []
    for key in phone_keys(phone_numbers):
        # A stored number that is a tail of this one (it lacks the country code) ...
        candidates = [
            blind_digest(purpose="phone", organization_id=organization_id, value=key[-length:])
            for length in range(MIN_PHONE_DIGITS, len(key) + 1)
        ]
        # ... or one that ends with this whole number (it has a country code this one lacks).
        candidates.append(blind_digest(purpose="phone-tail", organization_id=organization_id, value=key))
        digests += [digest for digest in candidates if digest not in digests]
    return digests
