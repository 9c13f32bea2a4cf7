"""Session limits and ending a user's sessions.

- Every sign-in records its time in the session (`user_logged_in`); Django already gives the session a new key.
- `accounts.security_middleware.SessionLimitsMiddleware` signs a session out after `SESSION_IDLE_TIMEOUT` without
  a request and `SESSION_ABSOLUTE_LIFETIME` after sign-in, whatever the activity.
- `end_sessions(user=..., now=...)` sets `User.sessions_valid_after`, which is part of the user's session auth hash
  (accounts/models.py), so Django signs out every existing session on its next request. This works for any session
  backend (database, cache, Redis) without an index of session keys. It is called when a user is deactivated,
  when one of their memberships is deactivated or deleted, and by an org admin's "End sessions" action.
"""

from datetime import datetime

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django_otp import user_has_device

from .models import Membership, User

LOGIN_AT_KEY = "_homeward_login_at"  # epoch seconds of the sign-in
LAST_SEEN_KEY = "_homeward_last_seen"  # epoch seconds of the last request (refreshed at most once a minute)
LAST_SEEN_RESOLUTION_SECONDS = 60
HAS_DEVICE_KEY = "_homeward_has_2fa_device"  # whether the user had a second factor at sign-in (saves 2 queries a page)


def end_sessions(*, user: User, now: datetime) -> None:
    """Sign `user` out everywhere: every session started before `now` ends on its next request."""
    User.objects.filter(pk=user.pk).update(sessions_valid_after=now)
    user.sessions_valid_after = now


def start_session(*, session, now: datetime) -> None:
    stamp = now.timestamp()
    session[LOGIN_AT_KEY] = stamp
    session[LAST_SEEN_KEY] = stamp


@receiver(user_logged_in, dispatch_uid="homeward-session-start")
def _record_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        start_session(session=request.session, now=timezone.now())
        request.session[HAS_DEVICE_KEY] = user_has_device(user)


@receiver(pre_save, sender=User, dispatch_uid="homeward-user-deactivated-check")
def _note_deactivation(sender, instance: User, **kwargs):
    instance._homeward_end_sessions = bool(
        instance.pk and not instance.is_active and User.objects.filter(pk=instance.pk, is_active=True).exists()
    )


@receiver(post_save, sender=User, dispatch_uid="homeward-user-deactivated")
def _end_sessions_of_deactivated_user(sender, instance: User, **kwargs):
    if getattr(instance, "_homeward_end_sessions", False):
        instance._homeward_end_sessions = False
        end_sessions(user=instance, now=timezone.now())


@receiver(pre_save, sender=Membership, dispatch_uid="homeward-membership-deactivated-check")
def _note_membership_deactivation(sender, instance: Membership, **kwargs):
    instance._homeward_end_sessions = bool(
        instance.pk and not instance.is_active and Membership.objects.filter(pk=instance.pk, is_active=True).exists()
    )


@receiver(post_save, sender=Membership, dispatch_uid="homeward-membership-deactivated")
def _end_sessions_of_removed_member(sender, instance: Membership, **kwargs):
    if getattr(instance, "_homeward_end_sessions", False):
        instance._homeward_end_sessions = False
        end_sessions(user=instance.user, now=timezone.now())


@receiver(post_delete, sender=Membership, dispatch_uid="homeward-membership-deleted")
def _end_sessions_of_deleted_member(sender, instance: Membership, **kwargs):
    user = User.objects.filter(pk=instance.user_id).first()  # gone too when the user itself is being deleted
    if user is not None:
        end_sessions(user=user, now=timezone.now())
