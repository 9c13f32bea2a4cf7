"""Admin for users, organisations, memberships and two-factor resets, and the access rules every admin page shares.

One module per admin (`users`, `organizations`, `memberships`, `two_factor_resets`; `devices` re-registers
django-otp's two with translated headings); the shared access rules live in
`access` and are re-exported here, so the other apps' admins keep importing them from `accounts.admin`. Importing
this package registers the four admins (Django's autodiscovery imports it).
"""

from . import devices, memberships, organizations, two_factor_resets, users  # noqa: F401  (register the admins)
from .access import (
    USER_FIELDS,
    OrgAdminAccessMixin,
    ReferenceDataAdmin,
    ScopedChoicesMixin,
    ScopedRelatedListFilter,
    admin_organization_ids,
    admin_viewer,
    is_org_admin,
    membership_field_kwargs,
    scoped_choices,
    users_of_organizations,
)
from .forms import EmailNormalisingMixin, UserChangeAdminForm, UserCreationAdminForm
from .memberships import MembershipAdmin, MembershipInlineBase, MembershipOnOrganizationInline, MembershipOnUserInline
from .organizations import OrganizationAdmin
from .two_factor_resets import TwoFactorResetRequestAdmin
from .users import UserAdmin

__all__ = [
    "USER_FIELDS",
    "EmailNormalisingMixin",
    "MembershipAdmin",
    "MembershipInlineBase",
    "MembershipOnOrganizationInline",
    "MembershipOnUserInline",
    "OrgAdminAccessMixin",
    "OrganizationAdmin",
    "ReferenceDataAdmin",
    "ScopedChoicesMixin",
    "ScopedRelatedListFilter",
    "TwoFactorResetRequestAdmin",
    "UserAdmin",
    "UserChangeAdminForm",
    "UserCreationAdminForm",
    "admin_organization_ids",
    "admin_viewer",
    "is_org_admin",
    "membership_field_kwargs",
    "scoped_choices",
    "users_of_organizations",
]
