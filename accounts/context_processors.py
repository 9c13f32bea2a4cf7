"""Template context: the organisation the user works in, their role, and their other organisations."""


def current_organization(request) -> dict:
    membership = getattr(request, "membership", None)
    return {
        "current_organization": getattr(request, "organization", None),
        "current_membership": membership,
        "is_supervisor": bool(membership and membership.is_supervisor),
        "has_several_organizations": len(getattr(request, "memberships", [])) > 1,
    }
