"""One organisation's demo case files, kept in memory while they are built and then written in a few bulk INSERTs.

`CaseHistory` has the methods of `cases.services` the demo uses, with the same keyword arguments and rules (status
transitions, consent before sharing identity, follow-up cadence, case numbers), applied to unsaved rows. `save()`
inserts them with bulk_create, which runs the fields' pre_save and get_db_prep_value as save() does (blind
indexes, encryption), advances the case-number counters, writes the audit entries that auditlog's signals write
for the same service calls (bulk_create sends no signals), and backdates `created_at`.
tests/demo/test_history.py runs one case file through both and compares rows and trail.
"""

from copy import copy
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Organization, User
from cases.models import (
    CaseNote,
    Reporter,
    RescueRequest,
    Victim,
    VictimStatusChange,
)
from cases.services import (
    REQUEST_CLOSING_STATUSES,
    VICTIM_TRANSITIONS,
    next_follow_up,
)

from .bulk import validate
from .referrals import ReferralCalls


class CaseHistory(ReferralCalls):
    """Case files of one organisation in the making; `save()` writes them all."""

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
        validate(victim, exclude=("case_number",))
        year = timezone.localtime(now, organization.tzinfo).year
        self.case_numbers[year] = self.case_numbers.get(year, 0) + 1
        victim.case_number = f"{organization.case_number_prefix}-{year}-{self.case_numbers[year]:05d}"
        self._add(victim, at=now)
        if reporter:
            row = Reporter(organization=organization, victim=victim, created_by=created_by, **reporter)
            validate(row)
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
        validate(note)
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
        validate(request)
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
