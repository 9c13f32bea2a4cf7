"""Referrals to agencies: consent, drafted, sent, answered, withdrawn."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from places.models import Agency

from ..models import AgencyReferral, RescueRequest, Victim
from ..signals import referral_answered, referral_sent
from .rules import REFERRAL_RESPONSES

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
    if locked.status != AgencyReferral.Status.DRAFT:
        raise ValidationError(_("This referral was already sent."))
    check_referral_consent(
        victim=locked.victim,
        shares_identity=locked.shares_identity,
        consent_basis=locked.consent_basis,
        override_reason=locked.override_reason,
    )
    locked.status = AgencyReferral.Status.SENT
    locked.sent_at = now
    locked.sent_by = sent_by
    locked.response_due_at = now + timedelta(days=response_days or AgencyReferral.DEFAULT_RESPONSE_DAYS)
    locked.save()
    referral.refresh_from_db()
    referral_sent.send(sender=AgencyReferral, referral=referral)
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
    via: str = "case_page",
) -> AgencyReferral:
    """Record what the agency said: acknowledged, acting, completed, declined (with its reason) or no response.

    `via` says where the answer came from ("case_page", "api", "agency_link") for the `referral_answered` signal.
    """
    now = now or timezone.now()
    locked = AgencyReferral.objects.select_for_update().get(pk=referral.pk)
    allowed = REFERRAL_RESPONSES.get(locked.status, set())
    if status not in allowed:
        raise ValidationError(
            {
                "status": _("A referral that is “%(from)s” cannot become “%(to)s”.")
                % {"from": locked.get_status_display(), "to": dict(AgencyReferral.Status.choices).get(status, status)}
            }
        )
    if status == AgencyReferral.Status.DECLINED and not decline_reason.strip():
        raise ValidationError({"decline_reason": _("Record why the agency declined.")})
    locked.status = status
    if (
        status in (AgencyReferral.Status.ACKNOWLEDGED, AgencyReferral.Status.ACTING, AgencyReferral.Status.COMPLETED)
        and locked.acknowledged_at is None
    ):
        locked.acknowledged_at = now
    if status in (AgencyReferral.Status.COMPLETED, AgencyReferral.Status.DECLINED):
        locked.closed_at = now
    if status == AgencyReferral.Status.DECLINED:
        locked.decline_reason = decline_reason.strip()
    if agency_reference:
        locked.agency_reference = agency_reference.strip()
    if note:
        locked.response_note = "\n".join(filter(None, [locked.response_note, note.strip()]))
    locked.full_clean()
    locked.save()
    referral.refresh_from_db()
    if status != AgencyReferral.Status.NO_RESPONSE:
        referral_answered.send(sender=AgencyReferral, referral=referral, via=via)
    return referral


@transaction.atomic
def referral_withdraw(
    *, referral: AgencyReferral, withdrawn_by: User | None, now: datetime | None = None
) -> AgencyReferral:
    """Withdraw a referral that is not finished."""
    now = now or timezone.now()
    locked = AgencyReferral.objects.select_for_update().get(pk=referral.pk)
    if locked.status in (
        AgencyReferral.Status.COMPLETED,
        AgencyReferral.Status.DECLINED,
        AgencyReferral.Status.WITHDRAWN,
    ):
        raise ValidationError(_("This referral is already closed."))
    locked.status = AgencyReferral.Status.WITHDRAWN
    locked.closed_at = now
    locked.save()
    referral.refresh_from_db()
    return referral


@transaction.atomic
def referral_update(*, referral: AgencyReferral, **fields) -> AgencyReferral:
    """Edit a draft (or, once sent, the agency's own reference): validated like every save of a referral."""
    for name, value in fields.items():
        setattr(referral, name, value)
    referral.full_clean()
    referral.save()
    return referral
