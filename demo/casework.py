"""One organisation's synthetic case files, each planned as a timeline of service calls run in date order."""

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import Membership
from places.models import Agency, BorderRegion, Compound

from .history import CaseHistory
from .people import NameMaker, nationality_weights, sex_weights, weighted
from .records import Places, reporter_fields, victim_fields
from .scenarios import (
    CLOSED_REASONS,
    REFERRAL_OUTCOMES,
    RS,
    SCENARIOS,
    STATUS_PATHS,
    TRAPPED_SCENARIOS,
    VS,
    Kind,
    allocate,
)
from .timeline import TimelinePieces

Role = Membership.Role


class CaseFileBuilder(TimelinePieces):
    """Builds one organisation's synthetic case files, each as a timeline of service calls run in date order.

    The calls go to `self.cases` (a CaseHistory: the services' rules on rows in memory), written by `build()`.
    """

    def __init__(self, *, organization, staff, private_agencies, rng: random.Random, names: NameMaker, now):
        self.organization = organization
        self.tz = organization.tzinfo
        self.cases = CaseHistory(organization=organization)
        self.caseworkers = [user for role, user in staff if role == Role.CASEWORKER]
        self.supervisor = next(user for role, user in staff if role == Role.SUPERVISOR)
        self.rng = rng
        self.names = names
        self.now = now
        self.places = Places(
            compounds=list(Compound.objects.select_related("region").order_by("name")),
            regions=list(BorderRegion.objects.order_by("slug")),
            tz=self.tz,
        )
        shared = {a.name: a for a in Agency.objects.filter(organization=None, is_active=True)}
        self.embassies = {a.country: a for a in shared.values() if a.kind == Agency.Kind.EMBASSY and a.country}
        self.general_agencies = [
            a for a in shared.values() if a.kind != Agency.Kind.EMBASSY and a.country == "TH"
        ] + private_agencies
        self.open_requests = 0
        self.seen: dict[str, int] = {}
        # Referral states still to show at least once in this organisation, tried first.
        self.referral_states_to_show = [state for state, _ in REFERRAL_OUTCOMES]

    # -- entry point --

    def build(self, count: int) -> None:
        scenarios = allocate(count, SCENARIOS)
        self.rng.shuffle(scenarios)
        for scenario in scenarios:
            self._case_file(scenario)
        self.cases.save()

    # -- one case file --

    def _case_file(self, scenario: str) -> None:
        rng, now = self.rng, self.now
        nth = self.seen[scenario] = self.seen.get(scenario, -1) + 1  # variants alternate within a scenario
        country = weighted(rng, nationality_weights())
        sex = weighted(rng, (*sex_weights(), ("NonSpecifiedUnknown", 150)))
        risk = weighted(rng, (("critical", 10), ("high", 40), ("medium", 35), ("low", 15)))
        priority = {
            "critical": "urgent",
            "high": weighted(rng, (("urgent", 2), ("high", 7), ("normal", 1))),
            "medium": weighted(rng, (("high", 4), ("normal", 6))),
            "low": "normal",
        }[risk]
        cadence = self.organization.cadence_for(priority)
        assigned = None if rng.random() < 0.06 else rng.choice(self.caseworkers)
        actor = assigned or self.supervisor

        # When the case was reported, and when its open request (if any) was last updated.
        # Reported and verified cases are recent; the rest have had months to move along.
        newest, oldest = {"reported": (0.1, 21), "verified": (1, 60)}.get(scenario, (4, 240))
        t0 = now - timedelta(days=rng.uniform(newest, oldest))
        last_update = in_progress = None
        if scenario in TRAPPED_SCENARIOS and not (scenario == "reported" and rng.random() < 0.4):
            bucket = self._due_bucket()
            if bucket == "overdue":
                last_update = now - cadence - timedelta(hours=rng.uniform(1, 24 * 6))
            elif bucket == "today":
                last_update = now - cadence + self._later_today()
            else:
                last_update = now - timedelta(hours=rng.uniform(0, cadence.total_seconds() / 3600 - 1))
            t0 = min(t0, last_update - timedelta(days=rng.uniform(1, 30)))
            # Every third open request has had no one mark it in progress yet.
            in_progress = scenario != "reported" and self.open_requests % 3 != 2
        case_span = now - t0

        fields = victim_fields(
            rng=rng, names=self.names, places=self.places, country=country, sex=sex, risk=risk, t0=t0, assigned=assigned
        )
        reporter = reporter_fields(
            rng=rng,
            names=self.names,
            country=country,
            victim_given=fields.pop("_given"),
            victim_family=fields.pop("_family"),
        )

        events: list[tuple[datetime, int, Callable[[], object]]] = []
        state: dict = {"requests": {}, "referrals": {}}

        def at(when: datetime, action: Callable[[], object]) -> None:
            events.append((min(when, now), len(events), action))

        # Status path, spread over the case's life (for people still trapped: before the last update).
        path = STATUS_PATHS[scenario]
        until = last_update or now
        status_times = [t0 + (until - t0) * f for f in sorted(rng.uniform(0.03, 0.9) for _ in path)]
        for to_status, when in zip(path, status_times, strict=True):
            reason = rng.choice(CLOSED_REASONS) if to_status == VS.CLOSED else ""
            at(
                when,
                lambda to_status=to_status, when=when, reason=reason: self.cases.victim_change_status(
                    victim=state["victim"], to_status=to_status, changed_by=actor, reason=reason, now=when
                ),
            )
        status_at = dict(zip(path, status_times, strict=True))

        # Rescue requests.
        opened_after = status_at.get(VS.VERIFIED, t0 + timedelta(hours=rng.uniform(1, 12)))
        if last_update is not None:
            if scenario == "lost_contact" and nth % 2 == 0:
                # An earlier attempt failed; the current request was opened after it.
                failed_open = t0 + (opened_after - t0) * 0.5
                self._request(
                    at,
                    state,
                    key="earlier",
                    priority=priority,
                    opened=failed_open,
                    actor=actor,
                    close=(RS.CLOSED_UNSUCCESSFUL, opened_after - timedelta(minutes=30)),
                )
            opened = opened_after if opened_after < last_update else last_update - timedelta(hours=2)
            updates = [opened + (last_update - opened) * rng.uniform(0.1, 0.9) for _ in range(rng.randint(0, 2))]
            if scenario == "reported" and rng.random() < 0.5:
                opened, updates = last_update, []  # a fresh request, nothing logged yet
            else:
                updates.append(last_update)
            # After contact is lost, updates come from the family and agencies.
            kinds = (Kind.CONTACT_FAMILY, Kind.AGENCY_UPDATE) if scenario == "lost_contact" else (Kind.CONTACT_PERSON,)
            self._request(
                at,
                state,
                key="current",
                priority=priority,
                opened=opened,
                updates=sorted(updates),
                actor=actor,
                kinds=kinds,
                in_progress=in_progress,
            )
        elif scenario in ("released", "rescued", "in_screening", "in_shelter", "repatriated", "reintegrated"):
            got_out = status_at.get(VS.RESCUED) or status_at[VS.RELEASED]
            opened = opened_after if opened_after < got_out else t0 + (got_out - t0) * 0.2
            updates = [opened + (got_out - opened) * rng.uniform(0.1, 0.9) for _ in range(rng.randint(1, 3))]
            closing = RS.WITHDRAWN if scenario == "released" and nth % 2 else RS.RESCUED
            self._request(
                at,
                state,
                key="current",
                priority=priority,
                opened=opened,
                updates=sorted(updates),
                actor=actor,
                close=(closing, got_out - timedelta(minutes=10)),
            )
        elif scenario == "deceased":
            ended = status_at[VS.DECEASED]
            opened = opened_after + timedelta(minutes=5)
            updates = sorted(opened + (ended - opened) * rng.uniform(0.1, 0.9) for _ in range(2))
            self._request(
                at,
                state,
                key="current",
                priority="urgent",
                opened=opened,
                updates=updates,
                actor=actor,
                close=(RS.CLOSED_UNSUCCESSFUL, ended - timedelta(minutes=10)),
            )
        elif scenario == "closed" and nth % 2 == 0:
            ended = status_at[VS.CLOSED]
            self._request(
                at,
                state,
                key="current",
                priority=priority,
                opened=t0 + (ended - t0) * 0.2,
                actor=actor,
                close=(RS.WITHDRAWN, ended - timedelta(minutes=10)),
            )

        # A few more notes; contact with the person only while there is contact.
        contact_until = status_at.get(VS.LOST_CONTACT, now)
        for _ in range(rng.randint(0, 2)):
            when = t0 + case_span * rng.uniform(0.05, 0.98)
            kind = weighted(
                rng, ((Kind.CONTACT_PERSON, 4), (Kind.CONTACT_FAMILY, 3), (Kind.AGENCY_UPDATE, 2), (Kind.INTERNAL, 2))
            )
            if kind == Kind.CONTACT_PERSON and (when > contact_until or scenario in ("reported", "closed")):
                kind = Kind.CONTACT_FAMILY
            self._note(at, state, kind, when, actor, restricted=kind == Kind.INTERNAL and rng.random() < 0.3)

        # Referrals to agencies.
        referral_count = 0 if scenario == "reported" else weighted(rng, ((0, 50), (1, 38), (2, 12)))
        for key in range(referral_count):
            self._referral(at, state, key, country=country, t0=t0, actor=actor, risk=risk, consent=fields["consent"])

        victim = self.cases.victim_create(
            organization=self.organization, created_by=actor, now=t0, reporter=reporter, **fields
        )
        state["victim"] = victim
        for _, _, action in sorted(events, key=lambda event: (event[0], event[1])):
            action()

    def _due_bucket(self) -> str:
        """Where the next follow-up of an open request falls; the first two always show overdue and due today."""
        self.open_requests += 1
        if self.open_requests == 1:
            return "overdue"
        if self.open_requests == 2:
            return "today"
        return weighted(self.rng, (("overdue", 30), ("today", 12), ("later", 58)))

    def _later_today(self) -> timedelta:
        """A moment between now and the end of today in the organisation's time zone."""
        local = timezone.localtime(self.now, self.tz)
        midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        left = midnight - local
        if left <= timedelta(minutes=20):
            return left / 2
        return timedelta(seconds=self.rng.uniform(600, left.total_seconds() - 300))
