"""Fixtures of the case-file admin tests (tests/cases/admin_support.py)."""

from tests.cases.admin_support import (  # noqa: F401  (fixtures, found by pytest here)
    any_admin_client,
    case_files,
    org_admin_client,
    staff_org_admin,
    superuser_client,
)
