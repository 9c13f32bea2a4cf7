"""The rules the services enforce: which victim statuses follow which, how requests close, referral answers."""

from ..models import AgencyReferral, RescueRequest, Victim

# Which victim statuses may follow which. "Closed" may be reached from anywhere open, with a reason.
VICTIM_TRANSITIONS: dict[str, set[str]] = {
    Victim.Status.REPORTED: {
        Victim.Status.VERIFIED,
        Victim.Status.IN_CONTACT,
        Victim.Status.LOST_CONTACT,
        Victim.Status.RELEASED,
        Victim.Status.RESCUED,
        Victim.Status.DECEASED,
        Victim.Status.CLOSED,
    },
    Victim.Status.VERIFIED: {
        Victim.Status.IN_CONTACT,
        Victim.Status.LOST_CONTACT,
        Victim.Status.RELEASED,
        Victim.Status.RESCUED,
        Victim.Status.DECEASED,
        Victim.Status.CLOSED,
    },
    Victim.Status.IN_CONTACT: {
        Victim.Status.LOST_CONTACT,
        Victim.Status.RELEASED,
        Victim.Status.RESCUED,
        Victim.Status.DECEASED,
        Victim.Status.CLOSED,
    },
    Victim.Status.LOST_CONTACT: {
        Victim.Status.IN_CONTACT,
        Victim.Status.RELEASED,
        Victim.Status.RESCUED,
        Victim.Status.DECEASED,
        Victim.Status.CLOSED,
    },
    Victim.Status.RELEASED: {
        Victim.Status.IN_SCREENING,
        Victim.Status.IN_SHELTER,
        Victim.Status.REPATRIATED,
        Victim.Status.DECEASED,
        Victim.Status.CLOSED,
    },
    Victim.Status.RESCUED: {
        Victim.Status.IN_SCREENING,
        Victim.Status.IN_SHELTER,
        Victim.Status.REPATRIATED,
        Victim.Status.DECEASED,
        Victim.Status.CLOSED,
    },
    Victim.Status.IN_SCREENING: {
        Victim.Status.IN_SHELTER,
        Victim.Status.REPATRIATED,
        Victim.Status.DECEASED,
        Victim.Status.CLOSED,
    },
    Victim.Status.IN_SHELTER: {
        Victim.Status.IN_SCREENING,
        Victim.Status.REPATRIATED,
        Victim.Status.DECEASED,
        Victim.Status.CLOSED,
    },
    Victim.Status.REPATRIATED: {Victim.Status.REINTEGRATED, Victim.Status.DECEASED, Victim.Status.CLOSED},
    # A returned person at risk again (a re-trafficking flag) is back in the after-return stage, open again.
    Victim.Status.REINTEGRATED: {Victim.Status.REPATRIATED},
    Victim.Status.DECEASED: set(),
    Victim.Status.CLOSED: set(),
}

REQUEST_CLOSING_STATUSES = (
    RescueRequest.Status.RESCUED,
    RescueRequest.Status.CLOSED_UNSUCCESSFUL,
    RescueRequest.Status.WITHDRAWN,
)

REFERRAL_RESPONSES: dict[str, set[str]] = {
    AgencyReferral.Status.SENT: {
        AgencyReferral.Status.ACKNOWLEDGED,
        AgencyReferral.Status.ACTING,
        AgencyReferral.Status.COMPLETED,
        AgencyReferral.Status.DECLINED,
        AgencyReferral.Status.NO_RESPONSE,
    },
    AgencyReferral.Status.NO_RESPONSE: {
        AgencyReferral.Status.ACKNOWLEDGED,
        AgencyReferral.Status.ACTING,
        AgencyReferral.Status.COMPLETED,
        AgencyReferral.Status.DECLINED,
    },
    AgencyReferral.Status.ACKNOWLEDGED: {
        AgencyReferral.Status.ACTING,
        AgencyReferral.Status.COMPLETED,
        AgencyReferral.Status.DECLINED,
    },
    AgencyReferral.Status.ACTING: {AgencyReferral.Status.COMPLETED, AgencyReferral.Status.DECLINED},
}
