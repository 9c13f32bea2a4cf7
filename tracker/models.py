"""The follow-up engine's own state: the outbox of intended emails, sweep locks and digest checkpoints.

The database is the source of truth: a row here means "this email must go out once"; Celery messages only
wake the code that reads these rows.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OutboxKind(models.TextChoices):
    REMINDER = "reminder", _("Follow-up reminder")
    ESCALATION = "escalation", _("Escalation")
    REFERRAL_CHASE = "referral_chase", _("Referral chase")
    DIGEST = "digest", _("Weekly digest")
    DELIVERY_FAILURE = "delivery_failure", _("Delivery failure notice")
    AGENCY_REFERRAL = "agency_referral", _("Referral to an agency")
    WEBHOOK = "webhook", _("Webhook delivery")
    PASSWORD_RESET = "password_reset", _("Password link")
    SECURITY_NOTICE = "security_notice", _("Security notice")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("an email waiting in the outbox", "Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    """One intended email. The unique dedupe key makes a second row for the same reason impossible."""

    Kind = OutboxKind
    Status = OutboxStatus

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
        help_text=_("Empty for an account email to someone who belongs to no organisation (a platform admin)."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OutboxKind)
    dedupe_key = models.CharField(
        _("dedupe key"), max_length=200, help_text=_("What makes this email unique, e.g. reminder:<request>:<due>.")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    recipient_email = models.EmailField(_("recipient email"))
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("plain-text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("about (type)")
    )
    object_id = models.PositiveBigIntegerField(_("about (id)"), null=True, blank=True)
    about = GenericForeignKey("content_type", "object_id")
    due_at = models.DateTimeField(_("due date it concerns"), null=True, blank=True)
    sequence = models.PositiveSmallIntegerField(
        _("round"), default=0, help_text=_("0 for the first reminder of a due date, 1 one cadence later, ...")
    )
    status = models.CharField(_("status"), max_length=10, choices=OutboxStatus, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim_token = models.CharField(_("claim token"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)
    failure_reported_at = models.DateTimeField(_("failure reported"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], name="outbox_unique_dedupe_key"),
            models.CheckConstraint(condition=models.Q(status__in=OutboxStatus.values), name="outbox_status_valid"),
            models.CheckConstraint(condition=models.Q(kind__in=OutboxKind.values), name="outbox_kind_valid"),
            models.CheckConstraint(
                condition=~models.Q(status=OutboxStatus.SENT) | models.Q(sent_at__isnull=False),
                name="outbox_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=OutboxStatus.SENDING) | models.Q(claimed_until__isnull=False),
                name="outbox_sending_has_lease",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_pending_due"),
            models.Index(fields=["status", "claimed_until"], name="outbox_sending_lease"),
            models.Index(fields=["content_type", "object_id", "kind", "due_at"], name="outbox_about"),
            models.Index(fields=["organization", "kind", "created_at"], name="outbox_org_kind_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.dedupe_key} ({self.get_status_display()})"


class SweepLock(models.Model):
    """One row per periodic sweep; claimed with a conditional UPDATE so two runs of a sweep never overlap."""

    name = models.CharField(_("sweep"), max_length=60, primary_key=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    holder = models.CharField(_("held by"), max_length=100, blank=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_result = models.JSONField(_("last result"), default=dict, blank=True)

    class Meta:
        verbose_name = _("sweep lock")
        verbose_name_plural = _("sweep locks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DigestCheckpoint(models.Model):
    """The last weekly digest slot handled for a member, so each gets exactly one digest per ISO week."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    last_slot_at = models.DateTimeField(_("last digest slot"))
    last_week = models.CharField(_("last digest week"), max_length=8, help_text=_("ISO week, e.g. 2026-W11."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("digest checkpoint")
        verbose_name_plural = _("digest checkpoints")
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="digestcheckpoint_unique_member")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.organization_id}: {self.last_week}"


class ReminderItem(models.Model):
    """One due follow-up listed in a reminder email: the unique key says this round of this request reached this
    recipient once. A reminder email (one outbox row per recipient per sweep) lists several of these."""

    # reminder:<request>:<due>:<round>:<user>, as the per-item outbox rows of before had
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, unique=True)
    message = models.ForeignKey(
        OutboxMessage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_items",
        verbose_name=_("outbox message"),
    )
    request = models.ForeignKey(
        "cases.RescueRequest", on_delete=models.CASCADE, related_name="+", verbose_name=_("rescue request")
    )
    due_at = models.DateTimeField(_("due date it concerns"))
    sequence = models.PositiveSmallIntegerField(_("round"), default=0)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    batch = models.CharField(max_length=32)  # the sweep transaction that inserted it: which keys were new to it
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder item")
        verbose_name_plural = _("reminder items")
        indexes = [
            models.Index(fields=["request", "due_at"], name="reminder_item_request_due"),
            models.Index(fields=["batch"], name="reminder_item_batch"),
        ]

    def __str__(self) -> str:
        return self.dedupe_key
