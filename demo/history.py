"""One organisation's demo case files, kept in memory while they are built and then written in a few bulk INSERTs.

`CaseHistory` has the methods of `cases.services` the demo uses, with the same keyword arguments and rules (status
transitions, consent before sharing identity, follow-up cadence, case numbers), applied to unsaved rows. `save()`
inserts them with bulk_create, which runs the fields' pre_save and get_db_prep_value as save() does (blind
indexes, encryption), advances the case-number counters, writes the audit entries that auditlog's signals write
for the same service calls (bulk_create sends no signals), and backdates `created_at`.
tests/demo/test_history.py runs one case file through both and compares rows and trail.
"""

from copy import copy
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from accounts.models import Membership, Organization, User
from cases.models import (
    Agency,
    AgencyReferral,
    AuditEntry,
    CaseNote,
    CaseNumberSequence,
    Reporter,
    RescueRequest,
    Victim,
    VictimStatusChange,
)
from cases.services import (
    REFERRAL_RESPONSES,
    REQUEST_CLOSING_STATUSES,
    VICTIM_TRANSITIONS,
    check_referral_consent,
    next_follow_up,
)

from .bulk import INSERT_ORDER, write

Create, Update = AuditEntry.Action.CREATE, AuditEntry.Action.UPDATE
FS = AgencyReferral.Status


def _validate(row: models.Model, exclude: tuple[str, ...] = ()) -> None:
    """The services' full_clean(), without the per-foreign-key SELECTs (the rows are not saved yet)."""
    relations = [f.name for f in row._meta.concrete_fields if f.is_relation]
    row.full_clean(exclude=[*relations, *exclude], validate_unique=False, validate_constraints=False)


class CaseHistory:
    """Case files of one organisation in the making; `save()` writes them all."""

    def __init__(self, *, organization: Organization):
        self.organization = organization
        self.rows: dict[type, list[models.Model]] = {model: [] for model in INSERT_ORDER}
        self.created_at: dict[int, datetime] = {}  # id(row) -> when it was created "in the past"
        # (action, the row, a copy before, a copy after, the fields the service's save or update names)
        self.changes: list[tuple[str, models.Model, models.Model | None, models.Model, list[str] | None]] = []
        self.members = set(
            Membership.objects.filter(organization=organization, is_active=True).values_list("user_id", flat=True)
        )
        self.case_numbers = dict(
            CaseNumberSequence.objects.filter(organization=organization).values_list("year", "last_value")
        )

    # --- rows and their trail ---

    def _add(self, row: models.Model, *, at: datetime | None) -> models.Model:
        self.rows[type(row)].append(row)
        if at is not None:
            self.created_at[id(row)] = at
        self.changes.append((Create, row, None, copy(row), None))
        return row

    def _changed(self, before: models.Model, row: models.Model, fields: list[str] | None = None) -> None:
        self.changes.append((Update, row, before, copy(row), fields))

    def _require_member(self, user: User | None) -> None:
        if user is not None and user.pk not in self.members:
            raise ValidationError({"assigned_to": f"{user} is not a member of {self.organization}."})

    # --- victims (cases.services.victim_create, victim_change_status, case_note_add) ---

    def victim_create(
        self,
        *,
        organization: Organization,
        created_by: User | None,
        now: datetime,
        reporter: dict | None = None,
        **fields,
    ) -> Victim:
        if organization != self.organization:
            raise ValueError("A CaseHistory holds the case files of one organisation.")
        fields.setdefault("assigned_to", created_by if created_by and created_by.pk in self.members else None)
        self._require_member(fields.get("assigned_to"))
        victim = Victim(organization=organization, created_by=created_by, status_changed_at=now, **fields)
        if victim.compound_id and not victim.border_region_id:
            victim.border_region_id = victim.compound.region_id
        if victim.consent != Victim.Consent.NONE:
            victim.consent_recorded_at = victim.consent_recorded_at or now
            victim.consent_recorded_by = victim.consent_recorded_by or created_by
        _validate(victim, exclude=("case_number",))
        year = timezone.localtime(now, organization.tzinfo).year
        self.case_numbers[year] = self.case_numbers.get(year, 0) + 1
        victim.case_number = f"{organization.case_number_prefix}-{year}-{self.case_numbers[year]:05d}"
        self._add(victim, at=now)
        if reporter:
            row = Reporter(organization=organization, victim=victim, created_by=created_by, **reporter)
            _validate(row)
            self._add(row, at=now)
        return victim

    def victim_change_status(
        self, *, victim: Victim, to_status: str, changed_by: User | None, reason: str = "", now: datetime
    ) -> VictimStatusChange:
        from_status = victim.status
        if to_status not in VICTIM_TRANSITIONS.get(from_status, set()):
            raise ValidationError({"status": f"A case cannot go from {from_status} to {to_status}."})
        if to_status == Victim.Status.CLOSED and not reason.strip():
            raise ValidationError({"reason": "Say why the case is closed."})
        before = copy(victim)
        victim.status, victim.status_changed_at = to_status, now
        if to_status == Victim.Status.CLOSED:
            victim.closed_reason = reason.strip()
        if to_status in (Victim.Status.RELEASED, Victim.Status.RESCUED) and not victim.released_on:
            victim.released_on = timezone.localtime(now, self.organization.tzinfo).date()
        victim.version += 1
        self._changed(before, victim)
        change = VictimStatusChange(
            organization=self.organization,
            victim=victim,
            from_status=from_status,
            to_status=to_status,
            reason=reason.strip(),
            changed_by=changed_by,
            changed_at=now,
        )
        return self._add(change, at=None)

    def case_note_add(
        self,
        *,
        victim: Victim,
        author: User | None,
        body: str,
        kind: str = CaseNote.Kind.INTERNAL,
        is_restricted: bool = False,
        occurred_at: datetime,
        rescue_request: RescueRequest | None = None,
    ) -> CaseNote:
        note = CaseNote(
            organization=self.organization,
            victim=victim,
            rescue_request=rescue_request,
            kind=kind,
            body=body,
            is_restricted=is_restricted,
            occurred_at=occurred_at,
            author=author,
        )
        _validate(note)
        self._add(note, at=occurred_at)
        if kind == CaseNote.Kind.CONTACT_PERSON and (
            victim.last_contact_at is None or victim.last_contact_at < occurred_at
        ):
            before = copy(victim)  # the service's audited_update: last contact and updated_at, no version bump
            victim.last_contact_at, victim.updated_at = occurred_at, timezone.now()
            self._changed(before, victim, ["last_contact_at", "updated_at"])
        return note

    # --- rescue requests (rescue_request_open, rescue_request_log_update, rescue_request_close) ---

    def rescue_request_open(
        self, *, victim: Victim, opened_by: User | None, priority: str, now: datetime
    ) -> RescueRequest:
        if victim.is_closed:
            raise ValidationError("This case is closed; reopen it before opening a rescue request.")
        self._require_member(victim.assigned_to)
        request = RescueRequest(
            organization=self.organization,
            victim=victim,
            priority=priority,
            assigned_to=victim.assigned_to,
            opened_at=now,
            created_by=opened_by,
            last_update_at=now,
            next_follow_up_at=next_follow_up(organization=self.organization, priority=priority, after=now),
        )
        _validate(request)
        return self._add(request, at=now)

    def rescue_request_log_update(
        self,
        *,
        request: RescueRequest,
        author: User | None,
        note: str,
        now: datetime,
        kind: str = CaseNote.Kind.CONTACT_PERSON,
        mark_in_progress: bool = False,
    ) -> CaseNote:
        if not request.is_open:
            raise ValidationError("This rescue request is closed; open a new one to keep chasing.")
        if not note.strip():
            raise ValidationError({"note": "Write what happened."})
        case_note = self.case_note_add(
            victim=request.victim, author=author, body=note, kind=kind, occurred_at=now, rescue_request=request
        )
        before = copy(request)
        request.last_update_at = now
        request.next_follow_up_at = next_follow_up(organization=self.organization, priority=request.priority, after=now)
        if mark_in_progress and request.status == RescueRequest.Status.OPEN:
            request.status = RescueRequest.Status.IN_PROGRESS
        request.version += 1
        self._changed(before, request)
        return case_note

    def rescue_request_close(
        self, *, request: RescueRequest, status: str, outcome: str, closed_by: User | None, now: datetime
    ) -> RescueRequest:
        if status not in REQUEST_CLOSING_STATUSES or not request.is_open or not outcome.strip():
            raise ValidationError(f"Cannot close a {request.status} request as {status!r} with {outcome!r}.")
        if now < request.opened_at:
            raise ValidationError("A request cannot be closed before it was opened.")
        before = copy(request)
        request.status, request.outcome, request.closed_at = status, outcome.strip(), now
        request.last_update_at, request.next_follow_up_at = now, None
        request.version += 1
        self._changed(before, request)
        return request

    # --- referrals (referral_create, referral_send, referral_record_response, referral_withdraw) ---

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
        _validate(referral)
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
        _validate(referral)
        self._changed(before, referral)
        return referral

    def referral_withdraw(self, *, referral: AgencyReferral, withdrawn_by: User | None, now: datetime):
        if referral.status in (FS.COMPLETED, FS.DECLINED, FS.WITHDRAWN):
            raise ValidationError("This referral is already closed.")
        before = copy(referral)
        referral.status, referral.closed_at = FS.WITHDRAWN, now
        self._changed(before, referral)
        return referral

    def save(self) -> None:
        """Insert every row, advance the case-number counters, write the trail, backdate creation times."""
        write(self)
