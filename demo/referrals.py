"""The referral calls of CaseHistory: cases.services' referral_create, _send, _record_response, _withdraw."""

from copy import copy
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError

from accounts.models import User
from cases.models import AgencyReferral, RescueRequest, Victim
from cases.services import REFERRAL_RESPONSES, check_referral_consent
from places.models import Agency

from .bulk import Rows, validate

FS = AgencyReferral.Status


class ReferralCalls(Rows):
    """Referrals drafted, sent, answered or withdrawn, with the services' rules, on rows in memory."""

    def referral_create(
        self,
        *,
        victim: Victim,
        agency: Agency,
        created_by: User | None,
        at: datetime,
        rescue_request: RescueRequest | None = None,
        shares_identity: bool = False,
        consent_basis: str = AgencyReferral.ConsentBasis.NO_IDENTITY,
        override_reason: str = "",
        shared_information: str = "",
    ) -> AgencyReferral:
        """As the service; `at` is when it was created "in the past" (the service stamps it now)."""
        if agency.organization_id not in (None, self.organization.pk):
            raise ValidationError({"agency": "Choose an agency from the list."})
        if rescue_request is not None and rescue_request.victim is not victim:
            raise ValidationError({"rescue_request": "That rescue request belongs to another case."})
        check_referral_consent(
            victim=victim, shares_identity=shares_identity, consent_basis=consent_basis, override_reason=override_reason
        )
        referral = AgencyReferral(
            organization=self.organization,
            victim=victim,
            agency=agency,
            rescue_request=rescue_request,
            created_by=created_by,
            shares_identity=shares_identity,
            consent_basis=consent_basis if shares_identity else AgencyReferral.ConsentBasis.NO_IDENTITY,
            override_reason=override_reason.strip() if shares_identity else "",
            shared_information=shared_information,
        )
        validate(referral)
        return self._add(referral, at=at)

    def referral_send(self, *, referral: AgencyReferral, sent_by: User | None, now: datetime) -> AgencyReferral:
        if referral.status != FS.DRAFT:
            raise ValidationError("This referral was already sent.")
        check_referral_consent(
            victim=referral.victim,
            shares_identity=referral.shares_identity,
            consent_basis=referral.consent_basis,
            override_reason=referral.override_reason,
        )
        before = copy(referral)
        referral.status, referral.sent_at, referral.sent_by = FS.SENT, now, sent_by
        referral.response_due_at = now + timedelta(days=AgencyReferral.DEFAULT_RESPONSE_DAYS)
        self._changed(before, referral)
        return referral

    def referral_record_response(
        self,
        *,
        referral: AgencyReferral,
        status: str,
        recorded_by: User | None,
        now: datetime,
        agency_reference: str = "",
        decline_reason: str = "",
    ) -> AgencyReferral:
        if status not in REFERRAL_RESPONSES.get(referral.status, set()):
            raise ValidationError({"status": f"A referral that is {referral.status} cannot become {status}."})
        if status == FS.DECLINED and not decline_reason.strip():
            raise ValidationError({"decline_reason": "Record why the agency declined."})
        before = copy(referral)
        referral.status = status
        if status in (FS.ACKNOWLEDGED, FS.ACTING, FS.COMPLETED) and referral.acknowledged_at is None:
            referral.acknowledged_at = now
        if status in (FS.COMPLETED, FS.DECLINED):
            referral.closed_at = now
        if status == FS.DECLINED:
            referral.decline_reason = decline_reason.strip()
        if agency_reference:
            referral.agency_reference = agency_reference.strip()
        validate(referral)
        self._changed(before, referral)
        return referral

    def referral_withdraw(self, *, referral: AgencyReferral, withdrawn_by: User | None, now: datetime):
        if referral.status in (FS.COMPLETED, FS.DECLINED, FS.WITHDRAWN):
            raise ValidationError("This referral is already closed.")
        before = copy(referral)
        referral.status, referral.closed_at = FS.WITHDRAWN, now
        self._changed(before, referral)
        return referral
