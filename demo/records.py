"""The fields of a synthetic victim and of whoever reported them."""

import random
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from decimal import Decimal

from django.utils import timezone

from cases.models import Reporter, Victim
from places.codes import FORCED_CRIMINALITY
from places.models import BorderRegion, Compound

from .people import LANGUAGES, NameMaker, fake_phone, weighted


@dataclass(frozen=True)
class Places:
    """Where an organisation's people are held: compounds and border regions, and the organisation's time zone."""

    compounds: list[Compound]
    regions: list[BorderRegion]
    tz: tzinfo


RECRUITMENT_METHODS = (
    ("ThroughOnlineSocialNetworks", 35),
    ("ThroughAnOnlineAdvertisement", 25),
    ("ThroughFriendsOrSocialEvents", 14),
    ("ThroughFamilyOrFamilyEvents", 5),
    ("AtWork", 4),
    ("AtAPlaceOfBusiness", 3),
    ("Other", 4),
    ("", 10),
)
ONLINE_RECRUITMENT = {"ThroughOnlineSocialNetworks", "ThroughAnOnlineAdvertisement"}
RECRUITMENT_PLATFORMS = (
    ("facebook", 22),
    ("telegram", 20),
    ("whatsapp", 10),
    ("tiktok", 10),
    ("job_site", 10),
    ("agent", 10),
    ("wechat", 5),
    ("line", 3),
    ("other", 2),
    ("", 8),
)
MEANS_OF_CONTROL = (
    ("WithholdsDocuments", 9),
    ("DebtBondage", 8),
    ("PhysicalThreats", 7),
    ("FalsePromises", 7),
    ("ExcessiveWorkingHours", 7),
    ("PhysicalAbuse", 5),
    ("TakesEarnings", 5),
    ("RestrictsFinancialAccess", 4),
    ("PsychologicalAbuse", 4),
    ("ThreatensChildrenFamily", 3),
    ("WithholdsNecessities", 3),
    ("ThreatsLawEnforcement", 2),
    ("RestrictsMedicalCare", 2),
    ("SexualAbuse", 1),
)
REPORTER_RELATIONSHIPS = (
    (Reporter.Relationship.PARENT, 30),
    (Reporter.Relationship.SIBLING, 20),
    (Reporter.Relationship.SPOUSE, 15),
    (Reporter.Relationship.FRIEND, 10),
    (Reporter.Relationship.SELF, 8),
    (Reporter.Relationship.HOTLINE, 7),
    (Reporter.Relationship.NGO, 6),
    (Reporter.Relationship.OTHER_RELATIVE, 4),
)
FAMILY_RELATIONSHIPS = {Reporter.Relationship.PARENT, Reporter.Relationship.SIBLING, Reporter.Relationship.CHILD}
ORGANISATION_REPORTERS = {
    Reporter.Relationship.HOTLINE: "Hotline operator (demo)",
    Reporter.Relationship.NGO: "Partner NGO caseworker (demo)",
}


def victim_fields(*, rng: random.Random, names: NameMaker, places: Places, country, sex, risk, t0, assigned) -> dict:
    """A victim's own fields as intake records them; `_given` and `_family` are for the reporter, not the row."""
    female = sex == "Feminine"
    name_country = country
    given = names.given(name_country, female=female, rng=rng)
    family = names.family(name_country, rng=rng)
    local_t0 = timezone.localtime(t0, places.tz).date()
    is_minor = rng.random() < 0.03
    age = rng.randint(15, 17) if is_minor else int(rng.triangular(18, 50, 26))
    fields: dict = {
        "_given": given,
        "_family": family,
        "full_name": names.full(name_country, given, family),
        "assigned_to": assigned,
        "sex": sex,
        "citizenship": country,
        "languages": list(LANGUAGES.get(country, ("en",))),
        "risk_level": risk,
        "is_minor": is_minor,
    }
    age_known = rng.random()
    if age_known < 0.5:
        fields["date_of_birth"] = local_t0 - timedelta(days=age * 365 + rng.randint(0, 364))
    elif age_known < 0.85:
        fields["estimated_age"] = age
    if rng.random() < 0.6:
        fields["names_in_compound"] = names.nickname(female=female)
    if rng.random() < 0.8:
        fields["passport_number"] = f"DEMO-{country}-{rng.randint(1_000_000, 9_999_999)}"
        fields["passport_held_by_traffickers"] = weighted(rng, ((True, 70), (False, 15), (None, 15)))
    if rng.random() < 0.85:
        fields["phone_numbers"] = "\n".join(fake_phone(country, rng) for _ in range(rng.randint(1, 2)))
    handles = []
    if rng.random() < 0.8:
        handles.append(f"Telegram: @{names.handle()}")
    if country in ("CN", "TW") and rng.random() < 0.7:
        handles.append(f"WeChat: wxid_demo{rng.randint(10**7, 10**8 - 1)}")
    if country not in ("CN",) and rng.random() < 0.4:
        handles.append(f"WhatsApp: {fake_phone(country, rng)}")
    if rng.random() < 0.1:
        handles.append(f"LINE: demo.{names.handle()}")
    fields["messaging_handles"] = "\n".join(handles)

    if rng.random() < 0.9 and places.compounds:
        compound = weighted(rng, [(c, 3 if c.status in ("active", "raided") else 1) for c in places.compounds])
        fields["compound"] = compound
        fields["border_region"] = compound.region
        if rng.random() < 0.7:
            fields["last_known_location"] = (
                f"Building {rng.choice('ABCDEFGH')}{rng.randint(1, 12)}, floor {rng.randint(1, 9)}"
                + rng.choice(("", ", room facing the river", ", near the back gate", ", dormitory block"))
            )
    elif rng.random() < 0.5 and places.regions:
        fields["border_region"] = rng.choice(places.regions)

    if rng.random() < 0.85:
        recruited = local_t0 - timedelta(days=rng.randint(20, 400))
        fields["recruited_on"] = recruited
        if rng.random() < 0.8:
            fields["arrived_on"] = recruited + timedelta(days=rng.randint(2, 18))
    method = fields["recruitment_method"] = weighted(rng, RECRUITMENT_METHODS)
    if method in ONLINE_RECRUITMENT:
        platforms = [(p, w) for p, w in RECRUITMENT_PLATFORMS if p not in ("agent", "")]
        if country in ("CN", "TW"):
            platforms.append(("wechat", 25))
        fields["recruitment_platform"] = weighted(rng, platforms)
    elif method:
        fields["recruitment_platform"] = weighted(rng, (("agent", 6), ("", 4)))
    if rng.random() < 0.9:
        fields["means_of_control"] = sorted({weighted(rng, MEANS_OF_CONTROL) for _ in range(rng.randint(1, 5))})
    if rng.random() < 0.95:
        exploitation = {FORCED_CRIMINALITY}
        if rng.random() < 0.2:
            exploitation.add("ForcedLabour")
        if rng.random() < (0.25 if female else 0.02):
            exploitation.add("SexualExploitation")
        fields["exploitation_types"] = sorted(exploitation)

    fields["injured"] = rng.random() < 0.12
    fields["needs_medical_care"] = fields["injured"] and rng.random() < 0.7 or rng.random() < 0.05
    fields["pregnant"] = female and not is_minor and rng.random() < 0.08
    fields["threatened"] = rng.random() < (0.6 if risk in ("critical", "high") else 0.2)
    fields["sold_between_compounds"] = rng.random() < 0.2
    if rng.random() < 0.15:
        fields["ransom_demanded"] = True
        if rng.random() < 0.8:
            currency = weighted(rng, (("USD", 6), ("CNY", 2), ("THB", 2)))
            base = {"USD": 1, "CNY": 7, "THB": 35}[currency]
            fields["ransom_amount"] = Decimal(rng.randrange(2_000, 30_000, 500) * base)
            fields["ransom_currency"] = currency

    consent = weighted(rng, ((Victim.Consent.NONE, 30), (Victim.Consent.LIMITED, 40), (Victim.Consent.FULL, 30)))
    fields["consent"] = consent
    if consent != Victim.Consent.NONE:
        fields["consent_given_by"] = (
            Victim.ConsentGivenBy.GUARDIAN
            if is_minor
            else weighted(rng, ((Victim.ConsentGivenBy.SELF, 60), (Victim.ConsentGivenBy.FAMILY, 40)))
        )
    return fields


def reporter_fields(*, rng: random.Random, names: NameMaker, country, victim_given, victim_family) -> dict:
    """Who reported the person: family (sharing the family name), the person, a hotline or an NGO."""
    relationship = weighted(rng, REPORTER_RELATIONSHIPS)
    if relationship == Reporter.Relationship.SELF:
        name = names.full(country, victim_given, victim_family)
    elif relationship in ORGANISATION_REPORTERS:
        name = ORGANISATION_REPORTERS[relationship]
    else:
        female = rng.random() < 0.5
        family = victim_family if relationship in FAMILY_RELATIONSHIPS else names.family(country, rng=rng)
        name = names.full(country, names.given(country, female=female, rng=rng), family)
    channels = [fake_phone(country, rng)]
    if rng.random() < 0.5:
        channels.append(f"Telegram: @{names.handle()}")
    languages = LANGUAGES.get(country, ("en",))
    return {
        "name": name,
        "relationship": relationship,
        "contact_channels": "\n".join(channels),
        "language": languages[0],
        "safe_to_contact": weighted(rng, ((True, 70), (False, 15), (None, 15))),
        "safe_contact_times": rng.choice(("", "Evenings after 20:00 their time", "Weekends only", "Any time")),
    }
