"""Password reset: throttled per address and per IP address, links sent through the outbox.

- `PASSWORD_RESET_LIMIT_PER_EMAIL` (default 3) requests for one address, from anywhere, and
  `PASSWORD_RESET_LIMIT_PER_IP` (default 10) from one address, for any emails, within `AXES_COOLOFF_TIME`
  (the sign-in cool-off, 15 minutes); more are answered with the "paused" page (429) and send nothing.
  Counted whether or not the address has an account, so the answer never says whether it has one.
- The email is an outbox row (`tracker.account_emails`, through `accounts.signals`); its link is made when the
  email is sent and never stored, so neither the database nor the outbox admin holds a usable link.
- Only the person sets their password: admins send this link (accounts/admin_actions.py), they never set one.
"""

import math
from datetime import datetime

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.db.models import Q
from django.utils import timezone

from core.crypto import blind_digest

from . import signals
from .models import PasswordResetAttempt, User


def _digest(email: str) -> str:
    return blind_digest(purpose="password-reset", organization_id=0, value=email.strip().lower())


def is_paused(*, email: str, ip_address: str | None, now: datetime) -> bool:
    """True when this address or this IP address asked too often within the cool-off."""
    since = now - settings.AXES_COOLOFF_TIME
    recent = PasswordResetAttempt.objects.filter(requested_at__gt=since)
    if recent.filter(email_digest=_digest(email)).count() >= settings.PASSWORD_RESET_LIMIT_PER_EMAIL:
        return True
    return bool(ip_address and recent.filter(ip_address=ip_address).count() >= settings.PASSWORD_RESET_LIMIT_PER_IP)


def record_attempt(*, email: str, ip_address: str | None, now: datetime) -> None:
    PasswordResetAttempt.objects.create(email_digest=_digest(email), ip_address=ip_address, requested_at=now)


def prune_attempts(*, now: datetime) -> int:
    """Forget requests older than the cool-off (run by the periodic session clean-up)."""
    deleted, _ = PasswordResetAttempt.objects.filter(~Q(requested_at__gt=now - settings.AXES_COOLOFF_TIME)).delete()
    return deleted


def cooloff_minutes() -> int:
    return math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)


def send_reset_link(*, user: User, now: datetime | None = None) -> None:
    """Queue a link with which `user` chooses their own password (also how a new account gets its first one)."""
    signals.send(signals.password_reset_requested, user=user, now=now or timezone.now())


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's form, but the email goes through the outbox, and accounts without a usable password (new
    accounts, whose first password the person sets themselves) can get a link too."""

    def get_users(self, email):
        return User.objects.filter(email__iexact=email.strip(), is_active=True)

    def save(self, *args, **kwargs):  # noqa: ARG002 - Django passes template names and the request; not needed
        now = timezone.now()
        for user in self.get_users(self.cleaned_data["email"]):
            send_reset_link(user=user, now=now)
