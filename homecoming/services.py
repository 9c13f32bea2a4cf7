"""Every write homecoming makes: screenings, batches, members and their steps, follow-ups, risk flags.

Keyword-only, validated (ValidationError in the user's terms, keyed by field), one transaction each: a refused
change saves nothing. Changes to the case itself (status, risk level) go through `cases.services`.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.models import User
from cases import services as case_services
from cases.models import AgencyReferral, Victim
from cases.signals import batch_member_departed
from places.models import Agency

from .models import BatchMember, RepatriationBatch, RetraffickingFlag, ReturnFollowUp, ReturnSettings, Screening
from .models import StepRecord as Record
from .models.returns import RiskSign
from .steps import blockers

Step = Record.Step
WAITING_STATUSES = (Victim.Status.RELEASED, Victim.Status.RESCUED, Victim.Status.IN_SCREENING, Victim.Status.IN_SHELTER)


def _check_agency(agency: Agency | None, organization_id: int, field: str) -> None:
    if agency is not None and agency.organization_id not in (None, organization_id):
        raise ValidationError({field: _("Choose an agency from the list.")})


def _move_status(victim: Victim, to_status: str, by: User | None, now: datetime) -> None:
    """Move the case along when the rules allow it; a case already further on is left where it is."""
    victim.refresh_from_db(fields=["status"])
    if to_status in case_services.VICTIM_TRANSITIONS.get(victim.status, set()):
        case_services.victim_change_status(victim=victim, to_status=to_status, changed_by=by, now=now)


# --- Screening ------------------------------------------------------------------------------------------------


@transaction.atomic
def screening_record(*, victim: Victim, recorded_by: User | None, now: datetime | None = None, **fields) -> Screening:
    """Record a victim-identification interview; a released or rescued case moves to "in screening"."""
    now = now or timezone.now()
    screening = Screening(organization_id=victim.organization_id, victim=victim, recorded_by=recorded_by, **fields)
    errors: dict[str, str] = {}
    if screening.screened_by_id is None and screening.agency_id is None:
        errors["agency"] = _("Say who screened the person: a colleague or an agency.")
    if screening.screened_at and screening.screened_at > now + timedelta(minutes=5):
        errors["screened_at"] = _("The screening cannot be in the future.")
    if screening.nrm_referred_on and screening.screened_at and screening.nrm_referred_on < screening.screened_at.date():
        errors["nrm_referred_on"] = _("The national referral cannot be before the screening.")
    if (screening.nrm_reference or screening.nrm_referred_on) and screening.nrm_agency_id is None:
        errors["nrm_agency"] = _("Say which agency the national referral went to.")
    if (
        screening.screened_by_id
        and not victim.organization.memberships.filter(user_id=screening.screened_by_id).exists()
    ):
        errors["screened_by"] = _("Choose a colleague from your organisation.")
    if errors:
        raise ValidationError(errors)
    _check_agency(screening.agency, victim.organization_id, "agency")
    _check_agency(screening.nrm_agency, victim.organization_id, "nrm_agency")
    screening.full_clean()
    screening.save()
    if victim.status in (Victim.Status.RELEASED, Victim.Status.RESCUED):
        _move_status(victim, Victim.Status.IN_SCREENING, recorded_by, now)
    return screening


# --- Batches and members --------------------------------------------------------------------------------------


@transaction.atomic
def batch_create(*, organization, created_by: User | None, **fields) -> RepatriationBatch:
    batch = RepatriationBatch(organization=organization, created_by=created_by, **fields)
    _check_agency(batch.agency, organization.pk, "agency")
    batch.full_clean()
    batch.save()
    return batch


def _record(member: BatchMember, step: str, value: str, by: User | None, at: datetime) -> None:
    Record.objects.create(
        organization_id=member.organization_id,
        member=member,
        victim_id=member.victim_id,
        step=step,
        value=value[:200],
        recorded_by=by,
        recorded_at=at,
    )


def _refuse_second_batch(victim: Victim, batch: RepatriationBatch, field: str) -> None:
    other = (
        BatchMember.objects.filter(victim=victim, status=BatchMember.Status.ACTIVE)
        .exclude(batch=batch)
        .select_related("batch")
        .first()
    )
    if other is None:
        return
    if other.batch.departs_on == batch.departs_on:
        message = _("%(case)s is already in %(batch)s, departing the same day. Move them instead.")
    else:
        message = _("%(case)s is already in %(batch)s. Move them instead of adding them twice.")
    raise ValidationError({field: message % {"case": victim.case_number, "batch": other.batch}})


@transaction.atomic
def member_add(*, batch: RepatriationBatch, victim: Victim, added_by: User | None, now: datetime | None = None):
    """Put a person into a batch (refused when they are already in one: they move instead)."""
    now = now or timezone.now()
    if victim.organization_id != batch.organization_id:
        raise ValidationError({"victim": _("Choose a case of your organisation.")})
    if victim.is_closed:
        raise ValidationError({"victim": _("This case is closed.")})
    Victim.objects.select_for_update().filter(pk=victim.pk).first()  # two adds of one person queue up here
    if BatchMember.objects.filter(victim=victim, batch=batch, status=BatchMember.Status.ACTIVE).exists():
        raise ValidationError({"victim": _("%(case)s is already in this batch.") % {"case": victim.case_number}})
    _refuse_second_batch(victim, batch, "victim")
    member = BatchMember(
        organization_id=batch.organization_id, batch=batch, victim=victim, added_at=now, last_step_at=now
    )
    if victim.passport_held_by_traffickers:
        member.travel_document = BatchMember.Document.HELD
    member.full_clean()
    member.save()
    _record(member, Step.ADDED, str(batch), added_by, now)
    return member


STEP_FIELDS = {
    "travel_document": Step.TRAVEL_DOCUMENT,
    "clearance": Step.CLEARANCE,
    "consent_to_travel": Step.CONSENT,
    "medical_fitness": Step.MEDICAL,
    "departed_at": Step.DEPARTED,
    "arrived_at": Step.ARRIVED,
    "handed_to": Step.HANDED_OVER,
}


def _step_errors(member: BatchMember, changes: dict, now: datetime) -> dict[str, str]:
    """What is wrong with the member after these changes, keyed by the field the message belongs next to."""
    errors: dict[str, str] = {}
    departed, arrived = member.departed_at, member.arrived_at
    if departed and departed > now + timedelta(minutes=5):
        errors["departed_at"] = _("The departure cannot be in the future.")
    if arrived and arrived > now + timedelta(minutes=5):
        errors["arrived_at"] = _("The arrival cannot be in the future.")
    if arrived and not departed:
        errors["arrived_at"] = _("Record the departure before the arrival.")
    elif arrived and departed and arrived < departed:
        errors["arrived_at"] = _("The arrival cannot be before the departure.")
    if member.handed_to_id and not arrived:
        errors["handed_to"] = _("Record the arrival before the hand-over at home.")
    if departed and "departed_at" in changes:
        if member.clearance not in (BatchMember.Clearance.WAIVED, BatchMember.Clearance.PAID):
            errors["departed_at"] = _("The person has no immigration clearance yet: record it before the departure.")
        else:
            screened = Screening.objects.filter(victim_id=member.victim_id).exists()
            blocking = blockers(member, screened=screened)
            if blocking:
                errors["departed_at"] = _("Cannot depart yet: %(reasons)s.") % {"reasons": "; ".join(blocking)}
        if departed.date() < member.batch.departs_on - timedelta(days=1):
            errors["departed_at"] = _("The batch leaves on %(date)s; check the departure date.") % {
                "date": member.batch.departs_on
            }
    changing = {name for name in changes if name in STEP_FIELDS}
    if member.departed_at and changing & {"travel_document", "clearance", "consent_to_travel", "medical_fitness"}:
        if "departed_at" not in changes:
            errors["departed_at"] = _("The person has departed; the steps before departure can no longer change.")
    return errors


@transaction.atomic
def member_record_steps(*, member: BatchMember, recorded_by: User | None, now: datetime | None = None, **changes):
    """Record one or more steps of a member at once; all are saved or none. Each step goes on the case timeline."""
    now = now or timezone.now()
    member = BatchMember.objects.select_for_update().select_related("batch", "victim").get(pk=member.pk)
    if member.status != BatchMember.Status.ACTIVE:
        raise ValidationError(_("This person has left the batch; record their steps in their current batch."))
    unknown = set(changes) - set(STEP_FIELDS)
    if unknown:
        raise ValueError(f"member_record_steps cannot change {sorted(unknown)}")
    changed = {name: value for name, value in changes.items() if getattr(member, name) != value}
    if "handed_to" in changed:
        _check_agency(changed["handed_to"], member.organization_id, "handed_to")
    for name, value in changed.items():
        setattr(member, name, value)
    errors = _step_errors(member, changed, now)
    if errors:
        raise ValidationError(errors)
    if not changed:
        return member
    member.last_step_at = now
    member.full_clean()
    member.save()
    for name in changed:
        value = getattr(member, name)
        label = member._meta.get_field(name)
        if name in ("departed_at", "arrived_at"):
            shown = (
                timezone.localtime(value, member.batch.organization.tzinfo).strftime("%Y-%m-%d %H:%M") if value else ""
            )
        elif name == "handed_to":
            shown = value.name if value else ""
        else:
            shown = str(dict(label.flatchoices).get(value, value))
        _record(member, STEP_FIELDS[name], shown, recorded_by, now)
    if "departed_at" in changed and member.departed_at:
        batch_member_departed.send(sender=BatchMember, member=member)  # e.g. the api app's webhooks
    if "arrived_at" in changed and member.arrived_at:
        _move_status(member.victim, Victim.Status.REPATRIATED, recorded_by, now)
        schedule_follow_ups(member=member)
    return member


def schedule_follow_ups(*, member: BatchMember) -> int:
    """The organisation's contacts after return (30 and 90 days by default), each once per member."""
    offsets = ReturnSettings.for_organization(member.organization_id).follow_up_offsets()
    created = 0
    for days in offsets:
        _row, new = ReturnFollowUp.objects.get_or_create(
            member=member,
            days_after_return=days,
            reason=ReturnFollowUp.Reason.SCHEDULED,
            defaults={
                "organization_id": member.organization_id,
                "victim_id": member.victim_id,
                "due_at": member.arrived_at + timedelta(days=days),
            },
        )
        created += new
    return created


@transaction.atomic
def member_move(*, member: BatchMember, to_batch: RepatriationBatch, moved_by: User | None, now=None) -> BatchMember:
    """Move a person to another batch, keeping the steps already done."""
    now = now or timezone.now()
    member = BatchMember.objects.select_for_update().select_related("batch").get(pk=member.pk)
    if member.status != BatchMember.Status.ACTIVE:
        raise ValidationError({"to_batch": _("This person is no longer in this batch.")})
    if member.departed_at:
        raise ValidationError({"to_batch": _("The person has already departed with this batch.")})
    if to_batch.organization_id != member.organization_id or to_batch.pk == member.batch_id:
        raise ValidationError({"to_batch": _("Choose another batch of your organisation.")})
    member.status = BatchMember.Status.MOVED
    member.save()
    moved = BatchMember.objects.create(
        organization_id=member.organization_id,
        batch=to_batch,
        victim_id=member.victim_id,
        travel_document=member.travel_document,
        clearance=member.clearance,
        consent_to_travel=member.consent_to_travel,
        medical_fitness=member.medical_fitness,
        manifest_basis=member.manifest_basis,
        override_reason=member.override_reason,
        added_at=now,
        last_step_at=now,
    )
    BatchMember.objects.filter(pk=member.pk).update(moved_to=moved)
    _record(moved, Step.MOVED, _("from %(old)s to %(new)s") % {"old": member.batch, "new": to_batch}, moved_by, now)
    return moved


@transaction.atomic
def member_set_manifest_basis(*, member: BatchMember, basis: str, override_reason: str, recorded_by, now=None):
    """On what ground the embassy's manifest may name this person: the same rules as a referral's."""
    now = now or timezone.now()
    victim = member.victim
    if basis != BatchMember.Basis.NO_IDENTITY:
        case_services.check_referral_consent(
            victim=victim, shares_identity=True, consent_basis=basis, override_reason=override_reason
        )
    member.manifest_basis = basis
    member.override_reason = override_reason.strip() if basis == AgencyReferral.ConsentBasis.VITAL_INTEREST else ""
    member.full_clean()
    member.save()
    _record(member, Step.MANIFEST, str(BatchMember.Basis(basis).label), recorded_by, now)
    return member


# --- After return ---------------------------------------------------------------------------------------------


@transaction.atomic
def follow_up_done(*, follow_up: ReturnFollowUp, done_by: User | None, outcome: str, note: str = "", now=None):
    now = now or timezone.now()
    locked = ReturnFollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if locked.done_at is not None:
        raise ValidationError(_("This follow-up was already recorded."))
    if outcome not in ReturnFollowUp.Outcome.values:
        raise ValidationError({"outcome": _("Choose how the contact went.")})
    locked.done_at, locked.done_by, locked.outcome, locked.note = now, done_by, outcome, note
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def flag_raise(*, victim: Victim, raised_by: User | None, signs: list[str], note: str = "", now=None):
    """Flag a re-trafficking risk: the case's risk level goes up to high and a contact falls due now."""
    now = now or timezone.now()
    if not signs:
        raise ValidationError({"signs": _("Tick at least one sign of risk.")})
    flag = RetraffickingFlag(
        organization_id=victim.organization_id,
        victim=victim,
        signs=signs,
        note=note,
        raised_by=raised_by,
        raised_at=now,
    )
    flag.full_clean()
    flag.save()
    victim.refresh_from_db()
    if victim.status == Victim.Status.REINTEGRATED:
        # The flag reopens the case's attention: back to "repatriated", on the timeline with who raised it and why.
        signs_read = ", ".join(str(RiskSign(sign).label) for sign in signs)
        case_services.victim_change_status(
            victim=victim,
            to_status=Victim.Status.REPATRIATED,
            changed_by=raised_by,
            reason=f"{capfirst(RetraffickingFlag._meta.verbose_name)}: {signs_read}",
            now=now,
        )
    if victim.risk_level in (Victim.RiskLevel.MEDIUM, Victim.RiskLevel.LOW):
        case_services.victim_update(
            victim=victim, editor=raised_by, expected_version=victim.version, now=now, risk_level=Victim.RiskLevel.HIGH
        )
    ReturnFollowUp.objects.create(
        organization_id=victim.organization_id, victim=victim, reason=ReturnFollowUp.Reason.RISK, due_at=now
    )
    return flag


@transaction.atomic
def flag_resolve(*, flag: RetraffickingFlag, now=None) -> RetraffickingFlag:
    flag.resolved_at = now or timezone.now()
    flag.save()
    return flag
