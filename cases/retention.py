"""Retention: once a case has been closed longer than its organisation allows, its identity is redacted.

What goes: the name, every secret field (documents, phones, handles, names used in the compound, location),
the exact date of birth (its age at registration is kept as the estimated age), reporters' names and contacts,
note bodies, evidence files (photos of passports, voice messages: deleted, ciphertext and all), what referrals
shared, and free-text reasons and outcomes that may name people. What stays: the
de-identified statistics fields (sex, citizenship, age, exploitation types, means of control, recruitment
method, dates truncated to the month), statuses and their history, so the organisation's numbers remain true.
Each batch of redactions and its `DataAccessLog` row commit together.
"""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from audit.models import DataAccessLog
from audit.trail import audited_update
from core.fields import secret_field_names

from .models import AgencyReferral, CaseNote, Evidence, Reporter, RescueRequest, Victim, VictimStatusChange
from .statistics import age_at_registration

REDACTED_NAME = "Redacted"
REDACTED_TEXT = "[redacted]"
BATCH_SIZE = 100
MONTH_RESOLUTION_DATES = ("recruited_on", "arrived_on", "released_on")


def closed_since():
    """When the case entered its closed status: the latest recorded step into it, else `status_changed_at`."""
    latest_close = (
        VictimStatusChange.objects.filter(victim=OuterRef("pk"), to_status__in=Victim.CLOSED_STATUSES)
        .order_by("-changed_at")
        .values("changed_at")[:1]
    )
    return Coalesce(Subquery(latest_close), F("status_changed_at"))


def victims_due_for_redaction(*, organization: Organization, now: datetime) -> QuerySet[Victim]:
    """The organisation's closed, not yet redacted cases closed for longer than its retention setting."""
    days = organization.identity_retention_days
    if not days:
        return Victim.objects.none()
    return (
        Victim.objects.visible_to(organization)
        .filter(status__in=Victim.CLOSED_STATUSES, redacted_at__isnull=True)
        .annotate(closed_since=closed_since())
        .filter(closed_since__lte=now - timedelta(days=days))
        .order_by("pk")
    )


def _first_of_month(value: date | None) -> date | None:
    return value.replace(day=1) if value else None


def _redact_if_written(model, *, filters: Q, fields: tuple[str, ...], extra: dict | None = None) -> None:
    """Replace each non-empty free-text field by the redaction marker (fields with a "must not be empty" rule)."""
    for name in fields:
        audited_update(model.objects.filter(filters & ~Q(**{name: ""})), **{name: REDACTED_TEXT, **(extra or {})})


REFERRAL_REASONS = ("override_reason", "decline_reason", "response_note")


@transaction.atomic
def victim_redact_identity(*, victim: Victim, now: datetime) -> bool:
    """Remove a closed case's identity and secrets, keeping what statistics need. False if already redacted."""
    locked = Victim.objects.select_for_update().get(pk=victim.pk)
    if locked.redacted_at is not None:
        return False
    if not locked.is_closed:
        raise ValidationError(_("Only closed cases can be redacted."))
    if locked.date_of_birth is not None:
        registered_on = timezone.localtime(locked.created_at, locked.organization.tzinfo).date()
        locked.estimated_age = age_at_registration(
            date_of_birth=locked.date_of_birth, estimated_age=locked.estimated_age, registered_on=registered_on
        )
        locked.date_of_birth = None
    for name in secret_field_names(Victim):
        setattr(locked, name, None if name == "date_of_birth" else "")
    locked.full_name = REDACTED_NAME
    for name in MONTH_RESOLUTION_DATES:
        setattr(locked, name, _first_of_month(getattr(locked, name)))
    if locked.closed_reason:
        locked.closed_reason = REDACTED_TEXT
    locked.redacted_at = now
    locked.save()  # a full save: the blind indexes of the emptied passport and phones are recomputed too

    of_victim = Q(victim_id=locked.pk)
    audited_update(
        Reporter.objects.filter(of_victim),
        **{**dict.fromkeys(secret_field_names(Reporter), ""), "name": REDACTED_NAME},
        updated_at=now,
    )
    audited_update(CaseNote.objects.filter(of_victim), body=REDACTED_TEXT)
    for evidence in Evidence.objects.filter(of_victim):
        evidence.delete()  # a DELETE entry each in the trail; the stored files go after the commit
    audited_update(
        AgencyReferral.objects.filter(of_victim),
        **{name: "" for name in secret_field_names(AgencyReferral) if name not in REFERRAL_REASONS},
        updated_at=now,
    )
    # Reasons that some statuses require (a check constraint): replaced by the marker, not emptied.
    _redact_if_written(AgencyReferral, filters=of_victim, fields=REFERRAL_REASONS)
    # Rescue requests are version-checked: bump the version so a form opened before the redaction cannot undo it.
    _redact_if_written(RescueRequest, filters=of_victim, fields=("outcome",), extra={"version": F("version") + 1})
    _redact_if_written(VictimStatusChange, filters=of_victim, fields=("reason",))
    victim.refresh_from_db()
    return True


def redact_closed_cases(*, now: datetime, dry_run: bool = False) -> dict[str, int]:
    """Redact every organisation's cases closed longer than its setting. Idempotent; returns counts only.

    A dry run counts what is due and changes nothing (and writes no log row).
    """
    counts = {"organizations": 0, "due": 0, "redacted": 0}
    for organization in Organization.objects.filter(identity_retention_days__isnull=False).order_by("pk"):
        counts["organizations"] += 1
        due = list(victims_due_for_redaction(organization=organization, now=now).only("pk", "case_number"))
        counts["due"] += len(due)
        if dry_run:
            continue
        for start in range(0, len(due), BATCH_SIZE):
            counts["redacted"] += _redact_batch(
                organization=organization, victims=due[start : start + BATCH_SIZE], now=now
            )
    return counts


@transaction.atomic
def _redact_batch(*, organization: Organization, victims: list[Victim], now: datetime) -> int:
    redacted = [victim for victim in victims if victim_redact_identity(victim=victim, now=now)]
    if redacted:
        DataAccessLog.objects.create(
            kind=DataAccessLog.Kind.REDACTION,
            user=None,
            organization=organization,
            object_count=len(redacted),
            detail={
                "case_numbers": [victim.case_number for victim in redacted],
                "victim_ids": [victim.pk for victim in redacted],
                "retention_days": organization.identity_retention_days,
                "as_of": now.isoformat(),
            },
        )
    return len(redacted)
