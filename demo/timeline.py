"""The pieces of a case file's timeline: a rescue request, a note, a referral, each planned as dated actions."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from accounts.models import User
from cases.models import AgencyReferral, Victim
from places.models import Agency

from .people import weighted
from .scenarios import (
    DECLINE_REASONS,
    FS,
    NOTE_BODIES,
    OUTCOMES,
    REFERRAL_OUTCOMES,
    SHARED_INFORMATION,
    VITAL_INTEREST_REASON,
    Kind,
)


class TimelinePieces:
    """Planning helpers of CaseFileBuilder; each calls `at(when, action)` with an action on `self.cases`."""

    def _request(
        self,
        at,
        state,
        *,
        key: str,
        priority: str,
        opened: datetime,
        actor: User,
        updates: Sequence[datetime] = (),
        kinds=(Kind.CONTACT_PERSON,),
        in_progress: bool = False,
        close: tuple[str, datetime] | None = None,
    ) -> None:
        """Plan a rescue request: opened, updates logged (each moving the follow-up on), maybe closed."""
        rng = self.rng
        closed_at = max(close[1], opened + timedelta(minutes=1)) if close else None

        def open_request():
            state["requests"][key] = self.cases.rescue_request_open(
                victim=state["victim"], opened_by=actor, priority=priority, now=opened
            )

        at(opened, open_request)
        logged = [u for u in updates if u > opened and (closed_at is None or u < closed_at)]
        for number, when in enumerate(logged):
            kind = rng.choice(kinds)
            body = rng.choice(NOTE_BODIES[kind])

            def log(when=when, kind=kind, body=body, first=number == 0):
                self.cases.rescue_request_log_update(
                    request=state["requests"][key],
                    author=actor,
                    note=body,
                    kind=kind,
                    now=when,
                    mark_in_progress=bool(in_progress) and first,
                )

            at(when, log)
        if close:
            status = close[0]
            outcome = rng.choice(OUTCOMES[status])
            at(
                closed_at,
                lambda: self.cases.rescue_request_close(
                    request=state["requests"][key], status=status, outcome=outcome, closed_by=actor, now=closed_at
                ),
            )

    def _note(self, at, state, kind, when, actor, *, restricted):
        body = self.rng.choice(NOTE_BODIES[kind])

        def add():
            self.cases.case_note_add(
                victim=state["victim"], author=actor, body=body, kind=kind, occurred_at=when, is_restricted=restricted
            )

        at(when, add)

    def _referral(self, at, state, key, *, country, t0, actor, risk, consent):
        """Plan a referral whose history leaves it, at `now`, in one of REFERRAL_OUTCOMES."""
        rng, now = self.rng, self.now
        age = now - t0
        feasible = {
            "draft": True,
            "sent": age > timedelta(hours=3),
            "sent_overdue": age > timedelta(days=4),
            "no_response": age > timedelta(days=8),
            "acknowledged": age > timedelta(days=2),
            "acting": age > timedelta(days=3),
            "completed": age > timedelta(days=6),
            "declined": age > timedelta(days=2),
            "withdrawn": age > timedelta(days=2),
        }
        wanted = next((s for s in self.referral_states_to_show if feasible[s]), None)
        if wanted:
            self.referral_states_to_show.remove(wanted)
        outcome = wanted or weighted(rng, [(s, w) for s, w in REFERRAL_OUTCOMES if feasible[s]])

        agency = (self.embassies.get(country) if rng.random() < 0.5 else None) or rng.choice(self.general_agencies)
        B = AgencyReferral.ConsentBasis
        shares_identity = agency.kind in (Agency.Kind.EMBASSY, Agency.Kind.POLICE) or rng.random() < 0.3
        basis = B.NO_IDENTITY
        if shares_identity and consent != Victim.Consent.NONE:
            basis = B.CONSENT
        elif shares_identity and risk == "critical":
            basis = B.VITAL_INTEREST
        else:
            shares_identity = False  # no consent and no vital interest: only the case number goes out
        info = rng.choice(SHARED_INFORMATION if shares_identity else SHARED_INFORMATION[2:])

        # When it was sent: inside the window that leaves it in the wanted state now.
        lower, upper = {
            "draft": (timedelta(0), age),
            "sent": (timedelta(hours=1), timedelta(days=2, hours=20)),
            "sent_overdue": (timedelta(days=3, hours=6), timedelta(days=12)),
            "no_response": (timedelta(days=7), timedelta(days=25)),
        }.get(outcome, (timedelta(days=1, hours=12), age))
        upper = max(lower, min(upper, age - timedelta(hours=1)))
        sent_ago = timedelta(seconds=rng.uniform(lower.total_seconds(), upper.total_seconds()))
        sent_at = now - sent_ago
        created_at = min(sent_at, max(t0 + timedelta(minutes=30), sent_at - timedelta(hours=rng.uniform(0.2, 12))))
        reply = sent_at + min(sent_ago / 2, timedelta(hours=rng.uniform(3, 60)))
        responses = {
            "no_response": [(sent_at + timedelta(days=3, hours=6), FS.NO_RESPONSE)],
            "acknowledged": [(reply, FS.ACKNOWLEDGED)],
            "acting": [(reply, FS.ACKNOWLEDGED), (reply + (now - reply) * 0.3, FS.ACTING)],
            "completed": [
                (reply, FS.ACKNOWLEDGED),
                (reply + (now - reply) * 0.3, FS.ACTING),
                (reply + (now - reply) * 0.8, FS.COMPLETED),
            ],
            "declined": [(reply, FS.DECLINED)],
        }.get(outcome, [])
        decline_reason = rng.choice(DECLINE_REASONS)
        reference = f"DEMO-{rng.randint(1000, 99999)}"

        def create():
            request = state["requests"].get("current")
            referral = self.cases.referral_create(
                victim=state["victim"],
                agency=agency,
                created_by=actor,
                at=created_at,
                rescue_request=request if request and request.opened_at <= created_at else None,
                shares_identity=shares_identity,
                consent_basis=basis,
                override_reason=VITAL_INTEREST_REASON if basis == B.VITAL_INTEREST else "",
                shared_information=info,
            )
            state["referrals"][key] = referral

        at(created_at, create)
        if outcome == "draft":
            return
        at(sent_at, lambda: self.cases.referral_send(referral=state["referrals"][key], sent_by=actor, now=sent_at))
        for when, status in responses:
            at(
                when,
                lambda when=when, status=status: self.cases.referral_record_response(
                    referral=state["referrals"][key],
                    status=status,
                    recorded_by=actor,
                    now=when,
                    agency_reference=reference if status == FS.ACKNOWLEDGED else "",
                    decline_reason=decline_reason if status == FS.DECLINED else "",
                ),
            )
        if outcome == "withdrawn":
            withdrawn_at = sent_at + (now - sent_at) * 0.5
            at(
                withdrawn_at,
                lambda: self.cases.referral_withdraw(
                    referral=state["referrals"][key], withdrawn_by=actor, now=withdrawn_at
                ),
            )
