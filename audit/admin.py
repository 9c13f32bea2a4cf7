"""Admin for the audit app: the read-only audit trail and data-access log."""

from . import admin_logs, admin_trail  # noqa: F401  (importing registers the ModelAdmins)
