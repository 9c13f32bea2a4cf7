"""Who may do what, in one place: the role table and `can(user, action, organization)`.

Roles are per organisation (`Membership.role`). The table below is the whole policy; views, admin, forms,
services and exports ask `can()` / `require()` (or the decorators built on them) rather than testing roles.

Decisions (see docs/security.md):
- Caseworkers see *all* of their organisation's cases, not only the ones assigned to them: a caseworker
  covering for a colleague who is ill or unreachable must be able to find the case and log contact. What
  narrows their view is the *restricted note*, readable by supervisors and organisation admins only, and their
  digest, which lists only their own cases. Every case-page read is audited (cases/audit.py), so browsing
  is visible to the organisation admin.
- Supervisors see and do everything on the organisation's cases, assign them, export them and read
  restricted notes. Organisation admins can do all a supervisor can, manage the organisation's users
  (admin site), read the audit trail and download the de-identified statistics.
- Another organisation's user can do nothing: `can()` is False for every action when the user has no active
  membership in the organisation. Their rows are hidden by the scoped querysets (`visible_to`), so pages
  answer 404 rather than 403.
- Lists (lists/): supervisors and organisation admins import published lists and case spreadsheets (a file
  reaches every case of the organisation at once) and confirm matches in bulk. Caseworkers review matches one
  by one: confirming writes a note on the case, which they may already do (EDIT); they know their cases best.
- Evidence (files on a case or note): whoever may see the case or note may add and download them; only
  supervisors and organisation admins delete one (a deletion is audited), so a file cannot quietly disappear.
- Platform admins (superusers) run the instance through the admin site and may do everything there.
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Membership

Role = Membership.Role


class Action(models.TextChoices):
    VIEW = "view", _("View cases")
    VIEW_IDENTITY = "view_identity", _("See identity documents, contacts and location")
    CREATE = "create", _("Log a new case")
    EDIT = "edit", _("Edit a case, log contact, add notes, open and close requests")
    ASSIGN = "assign", _("Assign cases to caseworkers")
    REFER = "refer", _("Refer a case to an agency")
    CLOSE = "close", _("Close a case")
    EXPORT = "export", _("Export cases, requests and referrals")
    EXPORT_STATISTICS = "export_statistics", _("Download de-identified statistics")
    MANAGE_USERS = "manage_users", _("Manage users and roles")
    VIEW_RESTRICTED_NOTES = "view_restricted_notes", _("Read and write restricted notes")
    VIEW_AUDIT = "view_audit", _("Read the audit trail")
    VIEW_TEAM = "view_team", _("See the team's workload and get the supervisor's digest")
    ADMINISTER = "administer", _("Use the admin site for the organisation")
    IMPORT_LISTS = "import_lists", _("Import published lists and case spreadsheets; confirm list matches in bulk")
    REVIEW_MATCHES = "review_matches", _("Confirm or reject a list entry's match to a case")
    REPATRIATE = "repatriate", _("Record screenings, batch steps and follow-ups after return")
    MANAGE_BATCHES = "manage_batches", _("Create repatriation batches and move people between them")
    DOWNLOAD_MANIFEST = "download_manifest", _("Download a batch's manifest for the embassy")
    DELETE_EVIDENCE = "delete_evidence", _("Delete evidence files from a case")


_CASEWORK = frozenset(
    {
        Action.VIEW,
        Action.VIEW_IDENTITY,
        Action.CREATE,
        Action.EDIT,
        Action.REFER,
        Action.CLOSE,
        Action.REVIEW_MATCHES,
        Action.REPATRIATE,
    }
)
_SUPERVISION = _CASEWORK | {
    Action.ASSIGN,
    Action.EXPORT,
    Action.VIEW_RESTRICTED_NOTES,
    Action.VIEW_TEAM,
    Action.IMPORT_LISTS,
    Action.MANAGE_BATCHES,
    Action.DOWNLOAD_MANIFEST,
    Action.DELETE_EVIDENCE,
}

#: The policy. A role may do exactly the actions listed for it, in its own organisation only.
PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CASEWORKER: _CASEWORK,
    Role.SUPERVISOR: _SUPERVISION,
    Role.ORG_ADMIN: _SUPERVISION
    | {Action.EXPORT_STATISTICS, Action.MANAGE_USERS, Action.VIEW_AUDIT, Action.ADMINISTER},
}

#: Actions that need a second factor: a role that may do any of them must sign in with two-factor.
SENSITIVE: frozenset[str] = frozenset(
    {Action.ASSIGN, Action.EXPORT, Action.VIEW_RESTRICTED_NOTES, Action.ADMINISTER, Action.DOWNLOAD_MANIFEST}
)


def membership_can(membership, action: str) -> bool:
    """May this membership's holder do `action` in its organisation? (No query: the role is on the row.)"""
    if action not in Action.values:
        raise ValueError(f"Unknown action {action!r}; see accounts.permissions.Action")
    return bool(membership is not None and membership.is_active and action in PERMISSIONS.get(membership.role, ()))


def requires_two_factor(membership) -> bool:
    """Does this membership allow a sensitive action (so its holder must use two-factor)?"""
    return any(membership_can(membership, action) for action in SENSITIVE)


def role_of(user, organization) -> str | None:
    """The user's active role in the organisation, or None (anonymous, inactive, not a member).

    One query, unless `request_can` already noted the role of this request's membership on the user object
    (never cached otherwise, so a long-lived user object never answers from a stale role).
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active or organization is None:
        return None
    org_id = getattr(organization, "pk", organization)
    cached = user.__dict__.get("_role_cache", {})
    if org_id in cached:
        return cached[org_id]
    return user.role_in(org_id)


def can(user, action: str, organization) -> bool:
    """May `user` do `action` in `organization`? Superusers may do everything; others by their role there."""
    if action not in Action.values:
        raise ValueError(f"Unknown action {action!r}; see accounts.permissions.Action")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    role = role_of(user, organization)
    return role is not None and action in PERMISSIONS[role]


def require(user, action: str, organization) -> None:
    """Raise PermissionDenied (a 403 page) unless `can(user, action, organization)`."""
    if not can(user, action, organization):
        raise PermissionDenied


def request_can(request, action: str) -> bool:
    """`can()` for the signed-in user in the organisation they are working in on this request.

    Uses the membership the organisation middleware already loaded, so it costs no query.
    """
    organization = getattr(request, "organization", None)
    membership = getattr(request, "membership", None)
    user = request.user
    if (
        membership is not None
        and organization is not None
        and membership.organization_id == organization.pk
        and membership.user_id == user.pk
        and membership.is_active
    ):
        user.__dict__.setdefault("_role_cache", {})[organization.pk] = membership.role
    return can(user, action, organization)


def require_request(request, action: str) -> None:
    """`require()` for the signed-in user in the organisation of this request."""
    require(request.user, action, getattr(request, "organization", None))


def roles_allowed(action: str) -> list[str]:
    """The roles that may do an action (for documentation and the access-matrix tests)."""
    return [role for role, actions in PERMISSIONS.items() if action in actions]
