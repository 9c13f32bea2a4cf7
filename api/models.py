"""The partner API's own rows: organisation API keys, webhook subscriptions and the log of each delivery attempt."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from accounts.scoping import OrganizationOwned

KEY_PREFIX_LENGTH = 8


def hash_secret(secret: str) -> str:
    """SHA-256 of a key: keys are 256-bit random, so a fast hash is safe; the key itself is never stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKey(OrganizationOwned):
    """A partner system's key: acts as a member of its organisation with `role`, narrowed by `scope`."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        READ_WRITE = "read_write", _("Read and write")

    name = models.CharField(_("name"), max_length=100, help_text=_("Which system uses it, e.g. “Hotline CRM”."))
    prefix = models.CharField(_("key prefix"), max_length=KEY_PREFIX_LENGTH, unique=True, editable=False)
    secret_hash = models.CharField(_("key digest"), max_length=64, editable=False)
    role = models.CharField(
        _("acts as"),
        max_length=20,
        choices=Membership.Role,
        default=Membership.Role.CASEWORKER,
        help_text=_("The permission table's row the key uses (accounts/permissions.py)."),
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope, default=Scope.READ)
    includes_identity = models.BooleanField(
        _("includes identity documents and contacts"),
        default=False,
        help_text=_("Passport numbers, phone numbers, messaging handles, locations and reporters' contacts."),
    )
    rate_per_minute = models.PositiveIntegerField(
        _("requests per minute"), null=True, blank=True, help_text=_("Empty: the instance default.")
    )
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(scope__in=["read", "read_write"]), name="apikey_scope_valid"),
            models.CheckConstraint(
                condition=models.Q(role__in=["caseworker", "supervisor", "org_admin"]), name="apikey_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, **fields) -> tuple["ApiKey", str]:
        """Create a key; returns the row and the full key, which is shown once and never stored."""
        prefix = secrets.token_hex(KEY_PREFIX_LENGTH // 2)
        secret = f"hw_{prefix}_{secrets.token_urlsafe(32)}"
        key = cls(prefix=prefix, secret_hash=hash_secret(secret), **fields)
        key.full_clean()
        key.save()
        return key, secret

    def is_usable(self, *, now) -> bool:
        return self.revoked_at is None and self.expires_at > now

    def as_viewer(self, *, now=None) -> Membership:
        """An unsaved membership with the key's organisation and role: what `visible_to()` and the table ask."""
        return Membership(
            organization_id=self.organization_id, role=self.role, is_active=self.is_usable(now=now or timezone.now())
        )


class WebhookEvent(models.TextChoices):
    CASE_CREATED = "case.created", _("Case created")
    REQUEST_OVERDUE = "request.overdue", _("Rescue request overdue")
    REFERRAL_ANSWERED = "referral.answered", _("Referral answered")
    MATCH_CONFIRMED = "match.confirmed", _("Released-list match confirmed")
    BATCH_DEPARTED = "batch.departed", _("Homecoming batch departed")


class WebhookSubscription(OrganizationOwned):
    """A URL of a partner system that receives the organisation's events, signed with its own secret."""

    Event = WebhookEvent

    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list, help_text=_('Event names, e.g. ["case.created"].'))
    secret = models.CharField(_("signing secret"), max_length=64, editable=False)
    includes_personal_data = models.BooleanField(
        _("payloads include personal data"),
        default=False,
        help_text=_("Only an organisation admin may tick this. Without it a payload carries ids and links only."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.url

    def save(self, *args, **kwargs):
        if not self.secret:
            self.secret = secrets.token_hex(32)
        super().save(*args, **kwargs)


class WebhookAttempt(models.Model):
    """One try at delivering one outbox row to a subscription: what the receiver answered (the delivery log)."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="attempts")
    outbox_message = models.ForeignKey("tracker.OutboxMessage", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent)
    attempted_at = models.DateTimeField(_("attempted"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("webhook delivery attempt")
        verbose_name_plural = _("webhook delivery log")
        ordering = ["-attempted_at"]

    def __str__(self) -> str:
        return f"{self.event} → {self.status_code or self.error}"
