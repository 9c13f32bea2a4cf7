"""The way home, read off the rows: what blocks a batch member, and which stage a person is in."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from .models import BatchMember

READY_DOCUMENTS = (BatchMember.Document.RECOVERED, BatchMember.Document.EMERGENCY)
CLEARED = (BatchMember.Clearance.WAIVED, BatchMember.Clearance.PAID)

# People per stage (the supervisor's chart, the digest). In this order along the way home.
STAGES = (
    ("awaiting_screening", _("Awaiting screening")),
    ("screened", _("Screened, no batch yet")),
    ("in_batch", _("In a batch, not departed")),
    ("departed", _("Departed, not arrived")),
    ("home", _("Arrived home")),
)
STAGE_LABELS = dict(STAGES)


def blockers(member: BatchMember, *, screened: bool) -> list[str]:
    """What stops this member from departing, in the caseworker's words (empty when nothing does)."""
    if member.departed_at is not None:
        return []
    found = []
    if member.consent_to_travel != BatchMember.Consent.GIVEN:
        found.append(
            str(_("No consent to travel"))
            if member.consent_to_travel == BatchMember.Consent.PENDING
            else str(_("Does not consent to travel"))
        )
    if member.travel_document not in READY_DOCUMENTS:
        found.append(str(_("No travel document")))
    if not screened:
        found.append(str(_("Not screened")))
    if member.clearance not in CLEARED:
        found.append(str(_("No immigration clearance")))
    if member.medical_fitness != BatchMember.Fitness.FIT:
        found.append(str(_("Not declared fit to travel")))
    return found


def current_step(member: BatchMember) -> str:
    """The furthest step reached, as a label for the batch page."""
    if member.handed_to_id:
        return str(_("Handed over at home"))
    if member.arrived_at:
        return str(_("Arrived home"))
    if member.departed_at:
        return str(_("Departed"))
    done = [
        member.travel_document in READY_DOCUMENTS,
        member.clearance in CLEARED,
        member.consent_to_travel == BatchMember.Consent.GIVEN,
        member.medical_fitness == BatchMember.Fitness.FIT,
    ]
    return str(_("%(done)s of 4 steps before departure")) % {"done": sum(done)}


@dataclass(frozen=True)
class StageOf:
    stage: str
    since: datetime


def stage_of(*, member: BatchMember | None, screened_at: datetime | None, waiting_since: datetime) -> StageOf:
    """The stage of one person and since when they are in it."""
    if member is not None:
        if member.arrived_at:
            return StageOf("home", member.arrived_at)
        if member.departed_at:
            return StageOf("departed", member.departed_at)
        return StageOf("in_batch", member.added_at)
    if screened_at is not None:
        return StageOf("screened", screened_at)
    return StageOf("awaiting_screening", waiting_since)
