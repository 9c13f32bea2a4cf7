"""Admin actions on users: send a password link, end all their sessions, reset a lost second factor.

Org admins see only their organisations' users in the admin (accounts/admin.py scopes the queryset), so these
actions can only reach those users; superusers can reach everyone. No action sets a password: only the person
does, through the link (accounts/password_reset.py).
"""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import sessions
from .password_reset import send_reset_link
from .two_factor_reset import ResetRefused, Status, request_two_factor_reset


def _count_message(modeladmin, request, singular: str, plural: str, count: int, level=messages.SUCCESS) -> None:
    if count:
        modeladmin.message_user(request, ngettext(singular, plural, count) % {"count": count}, level)


@admin.action(
    description=_("Email the selected users a link to choose their password (nobody else learns it)"),
    permissions=["change"],
)
def send_password_link(modeladmin, request, queryset):
    now = timezone.now()
    users = [user for user in queryset if user.is_active]
    for user in users:
        send_reset_link(user=user, now=now)
    sent = len(users)
    _count_message(
        modeladmin, request, "Sent a password link to %(count)d user.", "Sent a password link to %(count)d users.", sent
    )
    skipped = queryset.count() - len(users)
    _count_message(
        modeladmin,
        request,
        "%(count)d inactive user got no link.",
        "%(count)d inactive users got no link.",
        skipped,
        messages.WARNING,
    )


@admin.action(description=_("End all sessions of the selected users (they must sign in again)"), permissions=["change"])
def end_sessions(modeladmin, request, queryset):
    now = timezone.now()
    count = 0
    for user in queryset:
        sessions.end_sessions(user=user, now=now)
        count += 1
    _count_message(
        modeladmin, request, "Ended the sessions of %(count)d user.", "Ended the sessions of %(count)d users.", count
    )


def reset_two_factor_of(modeladmin, request, users) -> None:
    """Ask for, approve or carry out the reset of each user's second factor, and say what happened to each."""
    now = timezone.now()
    done = waiting = 0
    for user in users:
        try:
            reset = request_two_factor_reset(user=user, by=request.user, now=now)
        except ResetRefused as refusal:
            modeladmin.message_user(request, str(refusal), messages.ERROR)
            continue
        if reset.status == Status.DONE:
            done += 1
        else:
            waiting += 1
    _count_message(
        modeladmin,
        request,
        "Reset two-factor sign-in of %(count)d user; they were emailed and signed out everywhere.",
        "Reset two-factor sign-in of %(count)d users; they were emailed and signed out everywhere.",
        done,
    )
    _count_message(
        modeladmin,
        request,
        "%(count)d two-factor reset waits for a second admin of the organisation to approve it "
        "(“Two-factor resets” in the admin, or this same action); the person was emailed.",
        "%(count)d two-factor resets wait for a second admin of the organisation to approve them "
        "(“Two-factor resets” in the admin, or this same action); the people were emailed.",
        waiting,
        messages.WARNING,
    )


@admin.action(
    description=_("Reset two-factor sign-in of the selected users (a second admin approves; they set it up again)"),
    permissions=["change"],
)
def reset_two_factor(modeladmin, request, queryset):
    reset_two_factor_of(modeladmin, request, list(queryset))
