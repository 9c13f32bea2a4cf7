"""Homeward's deployment rules as Django system checks (`manage.py check`; in production also at start-up).

- homeward.E001: the field-encryption and blind-index keys are malformed, duplicated or shared (every environment).
- homeward.E002: production runs with the public dev-only keys.
- homeward.E003: production runs on SQLite (unless ALLOW_SQLITE is set).
- homeward.E004: production trusts X-Forwarded-Proto although no reverse proxy is trusted (TRUSTED_PROXY_COUNT = 0),
  so any client could claim HTTPS.
- homeward.E005: production has no FIELD_ENCRYPTION_KEYS or BLIND_INDEX_KEY in its environment.

`CoreConfig.ready()` runs these checks when `HOMEWARD_PRODUCTION` is on and refuses to start on an error, so a
production process with a wrong key never serves a page, whatever command or server started it.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .crypto import check_key_settings

TAG = "homeward"


@checks.register(TAG)
def deployment(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every rule above, in the order an operator should fix them (the first one is what start-up reports)."""
    production = getattr(settings, "HOMEWARD_PRODUCTION", False)
    errors = []
    if (
        production
        and settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
        and not settings.ALLOW_SQLITE
    ):
        errors.append(
            checks.Error(
                "DATABASE_URL must point at PostgreSQL in production (set ALLOW_SQLITE=1 to override).",
                id="homeward.E003",
            )
        )
    keys, blind = list(settings.FIELD_ENCRYPTION_KEYS), settings.BLIND_INDEX_KEY
    missing = [name for name, value in (("FIELD_ENCRYPTION_KEYS", keys), ("BLIND_INDEX_KEY", blind)) if not value]
    if production and missing:
        errors.append(checks.Error(f"{missing[0]} must be set in the environment for production.", id="homeward.E005"))
    elif production and {settings.DEV_ONLY_FIELD_ENCRYPTION_KEY, settings.DEV_ONLY_BLIND_INDEX_KEY} & {*keys, blind}:
        errors.append(
            checks.Error(
                "FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY must not use the public dev-only keys.", id="homeward.E002"
            )
        )
    else:
        try:
            check_key_settings(encryption_keys=keys, blind_index_key=blind)
        except ImproperlyConfigured as error:
            errors.append(checks.Error(str(error), id="homeward.E001"))
    if production and settings.SECURE_PROXY_SSL_HEADER and settings.TRUSTED_PROXY_COUNT < 1:
        errors.append(
            checks.Error(
                "SECURE_PROXY_SSL_HEADER is set but TRUSTED_PROXY_COUNT is 0: any client could claim HTTPS.",
                id="homeward.E004",
            )
        )
    return errors


def refuse_to_start_on_errors() -> None:
    """Raise ImproperlyConfigured with the first failing Homeward check (production start-up)."""
    errors = [message for message in checks.run_checks(tags=[TAG]) if message.is_serious()]
    if errors:
        raise ImproperlyConfigured(errors[0].msg)
