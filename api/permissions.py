"""What a key may do: the permission table's row for the key's role, narrowed by its scope. Nothing else.

A key acts as an unsaved `Membership` of its organisation with the key's role (`ApiKey.as_viewer()`), so rows
come from `Model.objects.visible_to(viewer)` and actions from `accounts.permissions.membership_can` — the same
rule and table the pages use. Scope "read" allows only reading actions; "read_write" allows the role's actions.
Identity documents and contacts need `VIEW_IDENTITY` in the role *and* the key's "includes identity" box.
"""

from rest_framework import permissions

from accounts.permissions import Action, membership_can

READ_ACTIONS = frozenset({Action.VIEW, Action.VIEW_IDENTITY})


def key_can(key, action: str) -> bool:
    if key is None:
        return False
    if action not in READ_ACTIONS and key.scope != key.Scope.READ_WRITE:
        return False
    if action == Action.VIEW_IDENTITY and not key.includes_identity:
        return False
    return membership_can(key.as_viewer(), action)


class KeyMayAct(permissions.BasePermission):
    """Reads need VIEW; a write needs the view's `write_action` (default EDIT) under a read-write scope."""

    message = "This API key may not do that."

    def has_permission(self, request, view) -> bool:
        key = request.auth
        if key is None:
            return False
        if request.method in permissions.SAFE_METHODS:
            return key_can(key, Action.VIEW)
        action = getattr(view, "write_actions", {}).get(getattr(view, "action", None), None)
        return key_can(key, action or getattr(view, "write_action", Action.EDIT))
