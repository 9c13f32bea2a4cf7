"""Template context: the organisation the user works in, their role, and their other organisations."""

from .permissions import Action, membership_can


def current_organization(request) -> dict:
    membership = getattr(request, "membership", None)
    return {
        "current_organization": getattr(request, "organization", None),
        "current_membership": membership,
        "can_view_team": membership_can(membership, Action.VIEW_TEAM),  # the Team tab
        "can_export": membership_can(membership, Action.EXPORT),  # the Exports tab
        "can_use_lists": membership_can(membership, Action.REVIEW_MATCHES),  # the Lists tab (review; import: more)
        "has_several_organizations": len(getattr(request, "memberships", [])) > 1,
    }
