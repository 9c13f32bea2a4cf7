"""Admin actions on users: end all their sessions, and reset a lost second factor.

Org admins see only their organisations' users in the admin (accounts/admin.py scopes the queryset), so these
actions can only reach those users; superusers can reach everyone.
"""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import sessions, two_factor


@admin.action(description=_("End all sessions of the selected users (they must sign in again)"), permissions=["change"])
def end_sessions(modeladmin, request, queryset):
    now = timezone.now()
    count = 0
    for user in queryset:
        sessions.end_sessions(user=user, now=now)
        count += 1
    modeladmin.message_user(
        request,
        ngettext("Ended the sessions of %(count)d user.", "Ended the sessions of %(count)d users.", count)
        % {"count": count},
        messages.SUCCESS,
    )


@admin.action(
    description=_("Reset two-factor sign-in of the selected users (they set it up again at next sign-in)"),
    permissions=["change"],
)
def reset_two_factor(modeladmin, request, queryset):
    now = timezone.now()
    count = 0
    for user in queryset:
        two_factor.reset_two_factor(user=user)
        sessions.end_sessions(user=user, now=now)  # whoever holds a session on a lost phone is signed out too
        count += 1
    modeladmin.message_user(
        request,
        ngettext("Reset two-factor sign-in of %(count)d user.", "Reset two-factor sign-in of %(count)d users.", count)
        % {"count": count},
        messages.SUCCESS,
    )
