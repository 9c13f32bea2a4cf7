"""Django admin for the case file, split by concept: victims and their rows, requests and referrals.

Access: superusers see everything; staff org admins see and manage their organisations' rows (see
`accounts.admin.OrgAdminAccessMixin`). Writes to case data go through `cases.services`.
"""

from . import case_rows, referrals, requests, victims  # noqa: F401  (importing registers the ModelAdmins)
