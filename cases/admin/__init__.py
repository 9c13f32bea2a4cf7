"""Django admin for the case file, split by concept: reference data, victims and their rows, requests and referrals.

Access: superusers see everything; staff org admins see and manage their organisations' rows (see
`accounts.admin.OrgAdminAccessMixin`). Writes to case data go through `cases.services`.
"""

from .. import (
    admin_audit,  # noqa: F401  (the read-only audit trail, cases/admin_audit.py)
    admin_logs,  # noqa: F401  (the read-only data-access log, cases/admin_logs.py)
)
from . import case_rows, places, referrals, requests, victims  # noqa: F401  (importing registers the ModelAdmins)
