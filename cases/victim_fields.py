"""The person's details a caseworker records, in the order the forms show them: one list for intake and editing.

Grouped as the case page and the admin group them. Status, assignment and the consent record have their own
actions (and services) because they carry history and rules; they are not in these groups.
"""

IDENTITY = (
    "full_name",
    "names_in_compound",
    "sex",
    "date_of_birth",
    "estimated_age",
    "citizenship",
    "languages",
    "passport_number",
    "passport_held_by_traffickers",
    "phone_numbers",
    "messaging_handles",
)
WHERE = ("compound", "border_region", "last_known_location")
HOW = (
    "recruitment_method",
    "recruitment_platform",
    "recruited_on",
    "arrived_on",
    "released_on",
    "means_of_control",
    "exploitation_types",
)
RISK = (
    "risk_level",
    "injured",
    "needs_medical_care",
    "is_minor",
    "pregnant",
    "threatened",
    "ransom_demanded",
    "ransom_amount",
    "ransom_currency",
    "sold_between_compounds",
)
CONSENT = ("consent", "consent_given_by")

#: Every detail the intake and edit forms show, in order.
DETAIL_FIELDS: tuple[str, ...] = (*IDENTITY, *WHERE, *HOW, *RISK, *CONSENT)
