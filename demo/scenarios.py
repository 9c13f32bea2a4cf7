"""What happens in a case file: the shape of the caseload, status paths, note texts, outcomes and reasons."""

from cases.models import AgencyReferral, CaseNote, RescueRequest, Victim

VS = Victim.Status
RS = RescueRequest.Status
FS = AgencyReferral.Status
Kind = CaseNote.Kind

NOTE_BODIES = {
    Kind.CONTACT_PERSON: (
        "Voice message from the person: working 16-hour shifts, asked again for help getting out.",
        "Short text contact late at night; guards collected phones for two days before this.",
        "The person sent a photo taken from a window; it matches the building we had on file.",
        "The person says the company keeps their passport and demands a 'transfer fee' to let them go.",
        "Video call for two minutes; the person looked tired but had no new injuries.",
        "The person reports being moved to a different floor after missing a target.",
    ),
    Kind.CONTACT_FAMILY: (
        "Mother called: no news from the person for five days.",
        "Family received a ransom demand and asked what to do; advised not to pay before speaking to police.",
        "Sibling forwarded new messages from the person; copies kept in the case file.",
        "Spouse confirmed the person's date of birth and home town for the embassy.",
    ),
    Kind.AGENCY_UPDATE: (
        "Police liaison acknowledged the case and asked for the building number.",
        "Embassy confirmed the person is on their list for the next hand-over.",
        "Shelter has a bed from next week.",
        "Immigration will screen the person at the border on arrival.",
    ),
    Kind.INTERNAL: (
        "Checked for duplicates: none found.",
        "Supervisor review: risk raised after threats were reported.",
        "Volunteer interpreter arranged for the next call.",
        "Consent discussed with the family; they prefer we share only the case number for now.",
    ),
}
OUTCOMES = {
    RS.RESCUED: (
        "Handed over at the Friendship Bridge to Thai authorities; taken to screening.",
        "Left during the raid and reached the border checkpoint; met by our team.",
        "Released by the compound after the family paid; met on the Thai side.",
    ),
    RS.CLOSED_UNSUCCESSFUL: (
        "Contact lost after the person was moved; closed until we hear from them again.",
        "The raid did not find the person; workers were reportedly moved inland.",
    ),
    RS.WITHDRAWN: (
        "The family asked us to stop; they are working with another organisation.",
        "The person left the compound without intervention.",
    ),
}
CLOSED_REASONS = ("The family withdrew the report.", "Duplicate of another case.", "The person declined further help.")
DECLINE_REASONS = (
    "Outside our area of work.",
    "Not enough information to act; please send the building number.",
    "The person is not a national of the country we represent.",
)
SHARED_INFORMATION = (
    "Case number, nationality, compound and building; risk level.",
    "Case number, name and passport number, compound; photo withheld.",
    "Case number and compound only.",
)
VITAL_INTEREST_REASON = "Life at immediate risk and the person cannot be reached to consent."

# (final victim status, weight): the shape of the caseload. Each gets at least one victim per organisation
# when there are enough victims, so every status, request state and referral state shows up in the demo.
SCENARIOS = (
    ("reported", 8),
    ("verified", 8),
    ("in_contact", 22),
    ("lost_contact", 10),
    ("released", 4),
    ("rescued", 6),
    ("in_screening", 6),
    ("in_shelter", 8),
    ("repatriated", 10),
    ("reintegrated", 8),
    ("deceased", 2),
    ("closed", 6),
)
STATUS_PATHS = {
    "reported": (),
    "verified": (VS.VERIFIED,),
    "in_contact": (VS.VERIFIED, VS.IN_CONTACT),
    "lost_contact": (VS.VERIFIED, VS.IN_CONTACT, VS.LOST_CONTACT),
    "released": (VS.IN_CONTACT, VS.RELEASED),
    "rescued": (VS.VERIFIED, VS.IN_CONTACT, VS.RESCUED),
    "in_screening": (VS.VERIFIED, VS.IN_CONTACT, VS.RESCUED, VS.IN_SCREENING),
    "in_shelter": (VS.VERIFIED, VS.IN_CONTACT, VS.RESCUED, VS.IN_SCREENING, VS.IN_SHELTER),
    "repatriated": (VS.VERIFIED, VS.IN_CONTACT, VS.RESCUED, VS.IN_SCREENING, VS.REPATRIATED),
    "reintegrated": (VS.VERIFIED, VS.IN_CONTACT, VS.RESCUED, VS.IN_SHELTER, VS.REPATRIATED, VS.REINTEGRATED),
    "deceased": (VS.VERIFIED, VS.IN_CONTACT, VS.LOST_CONTACT, VS.DECEASED),
    "closed": (VS.CLOSED,),
}
TRAPPED_SCENARIOS = {"reported", "verified", "in_contact", "lost_contact"}
REFERRAL_OUTCOMES = (
    ("draft", 10),
    ("sent", 10),
    ("sent_overdue", 14),
    ("no_response", 5),
    ("acknowledged", 14),
    ("acting", 14),
    ("completed", 14),
    ("declined", 12),
    ("withdrawn", 5),
)


def allocate(total: int, weights: tuple[tuple[str, int], ...]) -> list[str]:
    """`total` labels in proportion to the weights (largest remainder), each at least once if total allows."""
    labels = [label for label, _ in weights]
    counts = dict.fromkeys(labels, 0)
    remaining = total
    if total >= len(labels):
        counts = dict.fromkeys(labels, 1)
        remaining -= len(labels)
    weight_sum = sum(w for _, w in weights)
    shares = {label: remaining * w / weight_sum for label, w in weights}
    for label in labels:
        counts[label] += int(shares[label])
    leftover = total - sum(counts.values())
    for label in sorted(labels, key=lambda lab: shares[lab] - int(shares[lab]), reverse=True)[:leftover]:
        counts[label] += 1
    return [label for label in labels for _ in range(counts[label])]
