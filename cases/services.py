"""Every write to the case file. Views, admin actions, commands and tasks call these, never `save()` directly.

Services take keyword-only arguments, validate (raising ValidationError in the user's terms), and run in a
transaction. Status transitions are enforced here, not by whoever saves a row.
"""

from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization, User
from accounts.permissions import Action, require

from .audit import audited_update
from .models import (
    Agency,
    AgencyReferral,
    CaseNote,
    CaseNumberSequence,
    Reporter,
    RescueRequest,
    Victim,
    VictimStatusChange,
)

S = Victim.Status

# Which victim statuses may follow which. "Closed" may be reached from anywhere open, with a reason.
VICTIM_TRANSITIONS: dict[str, set[str]] = {
    S.REPORTED: {S.VERIFIED, S.IN_CONTACT, S.LOST_CONTACT, S.RELEASED, S.RESCUED, S.DECEASED, S.CLOSED},
    S.VERIFIED: {S.IN_CONTACT, S.LOST_CONTACT, S.RELEASED, S.RESCUED, S.DECEASED, S.CLOSED},
    S.IN_CONTACT: {S.LOST_CONTACT, S.RELEASED, S.RESCUED, S.DECEASED, S.CLOSED},
    S.LOST_CONTACT: {S.IN_CONTACT, S.RELEASED, S.RESCUED, S.DECEASED, S.CLOSED},
    S.RELEASED: {S.IN_SCREENING, S.IN_SHELTER, S.REPATRIATED, S.DECEASED, S.CLOSED},
    S.RESCUED: {S.IN_SCREENING, S.IN_SHELTER, S.REPATRIATED, S.DECEASED, S.CLOSED},
    S.IN_SCREENING: {S.IN_SHELTER, S.REPATRIATED, S.DECEASED, S.CLOSED},
    S.IN_SHELTER: {S.IN_SCREENING, S.REPATRIATED, S.DECEASED, S.CLOSED},
    S.REPATRIATED: {S.REINTEGRATED, S.DECEASED, S.CLOSED},
    S.REINTEGRATED: set(),
    S.DECEASED: set(),
    S.CLOSED: set(),
}

R = RescueRequest.Status
REQUEST_CLOSING_STATUSES = (R.RESCUED, R.CLOSED_UNSUCCESSFUL, R.WITHDRAWN)

F_ = AgencyReferral.Status
REFERRAL_RESPONSES: dict[str, set[str]] = {
    F_.SENT: {F_.ACKNOWLEDGED, F_.ACTING, F_.COMPLETED, F_.DECLINED, F_.NO_RESPONSE},
    F_.NO_RESPONSE: {F_.ACKNOWLEDGED, F_.ACTING, F_.COMPLETED, F_.DECLINED},
    F_.ACKNOWLEDGED: {F_.ACTING, F_.COMPLETED, F_.DECLINED},
    F_.ACTING: {F_.COMPLETED, F_.DECLINED},
}


# --- Case numbers and cadence ---------------------------------------------------------------------


def allocate_case_number(*, organization: Organization, year: int) -> str:
    """Hand out the next case number of an organisation for a year, e.g. HW-2025-00042.

    Safe under concurrency: the counter row is bumped with an atomic UPDATE, which takes a row lock
    on PostgreSQL and the database write lock on SQLite, so two intakes can never get the same number.
    Numbers are never handed out twice, even when a victim is deleted.
    """
    with transaction.atomic():
        CaseNumberSequence.objects.get_or_create(organization=organization, year=year)
        CaseNumberSequence.objects.filter(organization=organization, year=year).update(last_value=F("last_value") + 1)
        value = CaseNumberSequence.objects.get(organization=organization, year=year).last_value
    return f"{organization.case_number_prefix}-{year}-{value:05d}"


def next_follow_up(*, organization: Organization, priority: str, after: datetime) -> datetime:
    """When a request of this priority is next due: `after` plus the cadence, in the organisation's calendar.

    Days are calendar days in the organisation's time zone, so a follow-up logged at 09:00 local time is
    due at 09:00 local time N days later, across daylight-saving changes and month ends.
    """
    local = timezone.localtime(after, organization.tzinfo)
    due_local = (local.replace(tzinfo=None) + organization.cadence_for(priority)).replace(tzinfo=organization.tzinfo)
    return due_local.astimezone(UTC)


# --- Victims --------------------------------------------------------------------------------------


def _require_member(*, user: User | None, organization: Organization, field: str = "assigned_to") -> None:
    if (
        user is not None
        and not Membership.objects.filter(user=user, organization=organization, is_active=True).exists()
    ):
        raise ValidationError({field: _("%(user)s is not a member of %(org)s.") % {"user": user, "org": organization}})


@transaction.atomic
def victim_create(
    *,
    organization: Organization,
    created_by: User | None,
    now: datetime | None = None,
    reporter: dict | None = None,
    **fields,
) -> Victim:
    """Log a newly reported person: allocate a case number, save the victim and who reported them."""
    now = now or timezone.now()
    fields.setdefault("assigned_to", created_by if created_by and created_by.role_in(organization) else None)
    _require_member(user=fields.get("assigned_to"), organization=organization)
    victim = Victim(organization=organization, created_by=created_by, status_changed_at=now, **fields)
    if victim.compound_id and not victim.border_region_id:
        victim.border_region_id = victim.compound.region_id
    if victim.consent != Victim.Consent.NONE:
        victim.consent_recorded_at = victim.consent_recorded_at or now
        victim.consent_recorded_by = victim.consent_recorded_by or created_by
    victim.full_clean(exclude=["case_number"])
    victim.case_number = allocate_case_number(
        organization=organization, year=timezone.localtime(now, organization.tzinfo).year
    )
    victim.save()
    if reporter:
        reporter_obj = Reporter(organization=organization, victim=victim, created_by=created_by, **reporter)
        reporter_obj.full_clean()
        reporter_obj.save()
    return victim


EDITABLE_VICTIM_FIELDS = frozenset(
    f.name
    for f in Victim._meta.get_fields()
    if getattr(f, "editable", False)
    and f.concrete
    and f.name
    not in {
        "id",
        "organization",
        "case_number",
        "status",
        "status_changed_at",
        "version",
        "created_at",
        "created_by",
        "updated_at",
        "consent_recorded_at",
        "consent_recorded_by",
        "assigned_to",
    }
)


@transaction.atomic
def victim_update(
    *, victim: Victim, editor: User, expected_version: int, now: datetime | None = None, **changes
) -> Victim:
    """Edit a victim's details; refused with StaleRecordError if someone saved since `expected_version`.

    Status, assignment and consent have their own services because they carry history and rules.
    """
    unknown = set(changes) - EDITABLE_VICTIM_FIELDS - {"consent", "consent_given_by"}
    if unknown:
        raise ValueError(f"victim_update cannot change {sorted(unknown)}")
    victim.check_version(expected_version)
    consent_changed = "consent" in changes and changes["consent"] != victim.consent
    for name, value in changes.items():
        setattr(victim, name, value)
    if "compound" in changes and victim.compound_id and not changes.get("border_region"):
        victim.border_region_id = victim.compound.region_id
    if consent_changed:
        victim.consent_recorded_at = now or timezone.now()
        victim.consent_recorded_by = editor
    victim.full_clean()
    victim.save()
    return victim


@transaction.atomic
def victim_change_status(
    *, victim: Victim, to_status: str, changed_by: User | None, reason: str = "", now: datetime | None = None
) -> VictimStatusChange:
    """Move a victim along the status path (reported → … → reintegrated), recording the step."""
    now = now or timezone.now()
    locked = Victim.objects.select_for_update().get(pk=victim.pk)
    from_status = locked.status
    if to_status not in VICTIM_TRANSITIONS.get(from_status, set()):
        raise ValidationError(
            {
                "status": _("A case cannot go from “%(from)s” to “%(to)s”.")
                % {
                    "from": Victim.Status(from_status).label,
                    "to": Victim.Status(to_status).label if to_status in Victim.Status.values else to_status,
                }
            }
        )
    if to_status == S.CLOSED and not reason.strip():
        raise ValidationError({"reason": _("Say why the case is closed.")})
    locked.status = to_status
    locked.status_changed_at = now
    if to_status == S.CLOSED:
        locked.closed_reason = reason.strip()
    if to_status in (S.RELEASED, S.RESCUED) and not locked.released_on:
        locked.released_on = timezone.localtime(now, victim.organization.tzinfo).date()
    locked.save()
    victim.refresh_from_db()
    return VictimStatusChange.objects.create(
        organization_id=locked.organization_id,
        victim=locked,
        from_status=from_status,
        to_status=to_status,
        reason=reason.strip(),
        changed_by=changed_by,
        changed_at=now,
    )


@transaction.atomic
def victim_assign(*, victim: Victim, assignee: User | None, assigned_by: User | None) -> Victim:
    """Give the case to a caseworker of its organisation (or to nobody). Open requests follow the case.

    Only a supervisor, org admin or platform admin may assign (`assigned_by=None` is the system, e.g. a command).
    """
    if assigned_by is not None:
        require(assigned_by, Action.ASSIGN, victim.organization)
    _require_member(user=assignee, organization=victim.organization)
    victim.assigned_to = assignee
    victim.save(update_fields=["assigned_to", "updated_at"])
    audited_update(
        RescueRequest.objects.filter(victim=victim, status__in=RescueRequest.OPEN_STATUSES),
        assigned_to=assignee,
        version=F("version") + 1,
    )
    return victim


@transaction.atomic
def case_note_add(
    *,
    victim: Victim,
    author: User | None,
    body: str,
    kind: str = CaseNote.Kind.INTERNAL,
    is_restricted: bool = False,
    occurred_at: datetime | None = None,
    rescue_request: RescueRequest | None = None,
) -> CaseNote:
    """Add a dated note to a case. Contact with the person also sets the victim's last contact time."""
    occurred_at = occurred_at or timezone.now()
    note = CaseNote(
        organization_id=victim.organization_id,
        victim=victim,
        rescue_request=rescue_request,
        kind=kind,
        body=body,
        is_restricted=is_restricted,
        occurred_at=occurred_at,
        author=author,
    )
    note.full_clean()
    note.save()
    if kind == CaseNote.Kind.CONTACT_PERSON and (
        victim.last_contact_at is None or victim.last_contact_at < occurred_at
    ):
        # Not a save(): logging contact must not make someone's open edit form stale. Still audited.
        audited_update(Victim.objects.filter(pk=victim.pk), last_contact_at=occurred_at, updated_at=timezone.now())
        victim.last_contact_at = occurred_at
    return note


# --- Rescue requests ------------------------------------------------------------------------------


@transaction.atomic
def rescue_request_open(
    *,
    victim: Victim,
    opened_by: User | None,
    priority: str = RescueRequest.Priority.NORMAL,
    assigned_to: User | None = None,
    now: datetime | None = None,
) -> RescueRequest:
    """Open a rescue request; its first follow-up is due one cadence from now."""
    now = now or timezone.now()
    if victim.is_closed:
        raise ValidationError(_("This case is closed; reopen it before opening a rescue request."))
    assigned_to = assigned_to or victim.assigned_to
    _require_member(user=assigned_to, organization=victim.organization)
    request = RescueRequest(
        organization_id=victim.organization_id,
        victim=victim,
        priority=priority,
        assigned_to=assigned_to,
        opened_at=now,
        created_by=opened_by,
        last_update_at=now,
        next_follow_up_at=next_follow_up(organization=victim.organization, priority=priority, after=now),
    )
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def rescue_request_log_update(
    *,
    request: RescueRequest,
    author: User | None,
    note: str,
    now: datetime | None = None,
    kind: str = CaseNote.Kind.CONTACT_PERSON,
    mark_in_progress: bool = False,
    expected_version: int | None = None,
) -> CaseNote:
    """Record contact on an open request and push its next follow-up out by its cadence."""
    now = now or timezone.now()
    request.check_version(expected_version)
    locked = RescueRequest.objects.select_for_update().select_related("organization").get(pk=request.pk)
    locked.check_version(request.version)
    if not locked.is_open:
        raise ValidationError(_("This rescue request is closed; open a new one to keep chasing."))
    if not note.strip():
        raise ValidationError({"note": _("Write what happened.")})
    case_note = case_note_add(
        victim=locked.victim, author=author, body=note, kind=kind, occurred_at=now, rescue_request=locked
    )
    locked.last_update_at = now
    locked.next_follow_up_at = next_follow_up(organization=locked.organization, priority=locked.priority, after=now)
    if mark_in_progress and locked.status == R.OPEN:
        locked.status = R.IN_PROGRESS
    locked.save()
    request.refresh_from_db()
    return case_note


@transaction.atomic
def rescue_request_change_priority(
    *, request: RescueRequest, priority: str, changed_by: User | None, now: datetime | None = None
) -> RescueRequest:
    """Re-prioritise an open request; its follow-up is re-planned from the last update with the new cadence."""
    now = now or timezone.now()
    if not request.is_open:
        raise ValidationError(_("This rescue request is closed."))
    request.priority = priority
    base = request.last_update_at or request.opened_at
    request.next_follow_up_at = min(
        next_follow_up(organization=request.organization, priority=priority, after=base),
        next_follow_up(organization=request.organization, priority=priority, after=now),
    )
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def rescue_request_close(
    *,
    request: RescueRequest,
    status: str,
    outcome: str,
    closed_by: User | None,
    now: datetime | None = None,
) -> RescueRequest:
    """Close an open request as rescued, unsuccessful or withdrawn. Closed requests are no longer chased."""
    now = now or timezone.now()
    if status not in REQUEST_CLOSING_STATUSES:
        raise ValidationError({"status": _("Choose how the request ended: rescued, unsuccessful or withdrawn.")})
    locked = RescueRequest.objects.select_for_update().get(pk=request.pk)
    locked.check_version(request.version)
    if not locked.is_open:
        raise ValidationError(_("This rescue request is already closed."))
    if not outcome.strip():
        raise ValidationError({"outcome": _("Describe the outcome.")})
    if now < locked.opened_at:
        raise ValidationError(_("A request cannot be closed before it was opened."))
    locked.status = status
    locked.outcome = outcome.strip()
    locked.closed_at = now
    locked.last_update_at = now
    locked.next_follow_up_at = None
    locked.save()
    request.refresh_from_db()
    return request


# --- Referrals ------------------------------------------------------------------------------------


def check_referral_consent(*, victim: Victim, shares_identity: bool, consent_basis: str, override_reason: str) -> None:
    """Refuse sharing a person's identity with an agency without their consent or a recorded override reason.

    Used by the services and by the admin's forms (so the admin refuses the same referrals the services do).
    """
    if not shares_identity:
        return
    B = AgencyReferral.ConsentBasis
    if consent_basis == B.CONSENT and victim.consent == Victim.Consent.NONE:
        raise ValidationError(
            {
                "consent_basis": _(
                    "The person has not consented to sharing their identity. Record consent first, "
                    "or use a vital-interest override with its reason."
                )
            }
        )
    if consent_basis == B.VITAL_INTEREST and not override_reason.strip():
        raise ValidationError({"override_reason": _("Give the reason for overriding consent.")})
    if consent_basis == B.NO_IDENTITY:
        raise ValidationError({"consent_basis": _("A referral that shares identity needs consent or an override.")})


@transaction.atomic
def referral_create(
    *,
    victim: Victim,
    agency: Agency,
    created_by: User | None,
    rescue_request: RescueRequest | None = None,
    shares_identity: bool = False,
    consent_basis: str = AgencyReferral.ConsentBasis.NO_IDENTITY,
    override_reason: str = "",
    shared_information: str = "",
) -> AgencyReferral:
    """Draft a referral of a case to an agency (shared, or private to the victim's organisation)."""
    if agency.organization_id not in (None, victim.organization_id):
        raise ValidationError({"agency": _("Choose an agency from the list.")})
    if rescue_request is not None and rescue_request.victim_id != victim.pk:
        raise ValidationError({"rescue_request": _("That rescue request belongs to another case.")})
    check_referral_consent(
        victim=victim, shares_identity=shares_identity, consent_basis=consent_basis, override_reason=override_reason
    )
    referral = AgencyReferral(
        organization_id=victim.organization_id,
        victim=victim,
        agency=agency,
        rescue_request=rescue_request,
        created_by=created_by,
        shares_identity=shares_identity,
        consent_basis=consent_basis if shares_identity else AgencyReferral.ConsentBasis.NO_IDENTITY,
        override_reason=override_reason.strip() if shares_identity else "",
        shared_information=shared_information,
    )
    referral.full_clean()
    referral.save()
    return referral


@transaction.atomic
def referral_send(
    *, referral: AgencyReferral, sent_by: User | None, now: datetime | None = None, response_days: int | None = None
) -> AgencyReferral:
    """Mark a draft referral sent; the agency's response is due `response_days` (default 3) later."""
    now = now or timezone.now()
    locked = AgencyReferral.objects.select_for_update().select_related("victim").get(pk=referral.pk)
    if locked.status != F_.DRAFT:
        raise ValidationError(_("This referral was already sent."))
    check_referral_consent(
        victim=locked.victim,
        shares_identity=locked.shares_identity,
        consent_basis=locked.consent_basis,
        override_reason=locked.override_reason,
    )
    locked.status = F_.SENT
    locked.sent_at = now
    locked.sent_by = sent_by
    locked.response_due_at = now + timedelta(days=response_days or AgencyReferral.DEFAULT_RESPONSE_DAYS)
    locked.save()
    referral.refresh_from_db()
    return referral


@transaction.atomic
def referral_record_response(
    *,
    referral: AgencyReferral,
    status: str,
    recorded_by: User | None,
    now: datetime | None = None,
    agency_reference: str = "",
    note: str = "",
    decline_reason: str = "",
) -> AgencyReferral:
    """Record what the agency said: acknowledged, acting, completed, declined (with its reason) or no response."""
    now = now or timezone.now()
    locked = AgencyReferral.objects.select_for_update().get(pk=referral.pk)
    allowed = REFERRAL_RESPONSES.get(locked.status, set())
    if status not in allowed:
        raise ValidationError(
            {
                "status": _("A referral that is “%(from)s” cannot become “%(to)s”.")
                % {"from": locked.get_status_display(), "to": dict(F_.choices).get(status, status)}
            }
        )
    if status == F_.DECLINED and not decline_reason.strip():
        raise ValidationError({"decline_reason": _("Record why the agency declined.")})
    locked.status = status
    if status in (F_.ACKNOWLEDGED, F_.ACTING, F_.COMPLETED) and locked.acknowledged_at is None:
        locked.acknowledged_at = now
    if status in (F_.COMPLETED, F_.DECLINED):
        locked.closed_at = now
    if status == F_.DECLINED:
        locked.decline_reason = decline_reason.strip()
    if agency_reference:
        locked.agency_reference = agency_reference.strip()
    if note:
        locked.response_note = "\n".join(filter(None, [locked.response_note, note.strip()]))
    locked.full_clean()
    locked.save()
    referral.refresh_from_db()
    return referral


@transaction.atomic
def referral_withdraw(
    *, referral: AgencyReferral, withdrawn_by: User | None, now: datetime | None = None
) -> AgencyReferral:
    """Withdraw a referral that is not finished."""
    now = now or timezone.now()
    locked = AgencyReferral.objects.select_for_update().get(pk=referral.pk)
    if locked.status in (F_.COMPLETED, F_.DECLINED, F_.WITHDRAWN):
        raise ValidationError(_("This referral is already closed."))
    locked.status = F_.WITHDRAWN
    locked.closed_at = now
    locked.save()
    referral.refresh_from_db()
    return referral
