"""Synthetic demo data for `manage.py seed_demo`: two organisations, their staff, and made-up case files.

Every case file is built through `cases.services` with `now=` values in the past, so statuses, rescue
requests, follow-ups, notes and referrals carry a believable history, and the follow-up engine finds overdue
work right after start-up. Nothing here is or resembles a real person: names come from Faker (fixed seed),
passport numbers start with DEMO, phone numbers carry a trunk 0 after the country code (undiallable),
messaging handles start with demo_, and private agencies use example.org addresses.
"""

import csv
import random
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker

from accounts.models import Membership, Organization, User
from places.codes import COUNTRY_NAMES, FORCED_CRIMINALITY, STATELESS
from places.models import Agency, BorderRegion, Compound
from places.reference_data import REFERENCE_DIR, load_reference_data

from . import services
from .models import AgencyReferral, CaseNote, Reporter, RescueRequest, Victim

DEMO_PASSWORD = "harbour-lantern-demo-2025"
DEFAULT_VICTIMS = 300
DEFAULT_SEED = 2025
MAX_VICTIMS = 20_000

Role = Membership.Role
VS = Victim.Status
RS = RescueRequest.Status
FS = AgencyReferral.Status
Kind = CaseNote.Kind


# --- Who ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoOrganization:
    name: str
    slug: str
    prefix: str
    timezone: str
    digest_weekday: int
    digest_hour: int
    cadence_normal_days: int
    share: float  # of the victims asked for
    staff: tuple[tuple[str, str, str], ...]  # (role, email local part, display name)
    private_agencies: tuple[tuple[str, str, str, str], ...]  # (name, kind, email, note)

    def email(self, local_part: str) -> str:
        return f"{local_part}@{self.slug}.example.org"


DEMO_ORGANIZATIONS = (
    DemoOrganization(
        name="Mekong Rescue Network",
        slug="mekong",
        prefix="MRN",
        timezone="Asia/Bangkok",
        digest_weekday=Organization.Weekday.MONDAY,
        digest_hour=8,
        cadence_normal_days=7,
        share=0.6,
        staff=(
            (Role.ORG_ADMIN, "admin", "Napat – organisation admin"),
            (Role.SUPERVISOR, "supervisor", "Somsri – supervisor"),
            (Role.CASEWORKER, "caseworker1", "Ploy – caseworker"),
            (Role.CASEWORKER, "caseworker2", "Anan – caseworker"),
            (Role.CASEWORKER, "caseworker3", "Kanya – caseworker"),
        ),
        private_agencies=(
            (
                "Riverside Safe House (demo)",
                Agency.Kind.SHELTER,
                "intake@riverside-safehouse.example.org",
                "Demo partner shelter near the Friendship Bridge.",
            ),
            (
                "Hillside Clinic (demo)",
                Agency.Kind.HOSPITAL,
                "referrals@hillside-clinic.example.org",
                "Demo partner clinic for medical screening.",
            ),
        ),
    ),
    DemoOrganization(
        name="Border Care Collective",
        slug="bordercare",
        prefix="BCC",
        timezone="Asia/Yangon",
        digest_weekday=Organization.Weekday.FRIDAY,
        digest_hour=17,
        cadence_normal_days=5,
        share=0.4,
        staff=(
            (Role.ORG_ADMIN, "admin", "Moe – organisation admin"),
            (Role.SUPERVISOR, "supervisor", "Aung – supervisor"),
            (Role.CASEWORKER, "caseworker1", "Hnin – caseworker"),
            (Role.CASEWORKER, "caseworker2", "Zaw – caseworker"),
            (Role.CASEWORKER, "caseworker3", "Thiri – caseworker"),
        ),
        private_agencies=(
            (
                "Hope Shelter (demo)",
                Agency.Kind.SHELTER,
                "intake@hope-shelter.example.org",
                "Demo partner shelter for women and minors.",
            ),
            (
                "Legal Aid Desk (demo)",
                Agency.Kind.NGO,
                "desk@legal-aid.example.org",
                "Demo partner giving legal advice before repatriation.",
            ),
        ),
    ),
)
PLATFORM_ADMIN = ("platform-admin@example.org", "Platform admin (demo)")


@dataclass(frozen=True)
class Login:
    organization: str  # "" for the platform admin
    role: str
    email: str


@dataclass
class SeedResult:
    logins: list[Login] = field(default_factory=list)
    victims_created: dict[str, int] = field(default_factory=dict)  # organisation name -> victims created now
    victims_existing: dict[str, int] = field(default_factory=dict)  # organisation name -> victims left as found
    reference_data_loaded: bool = False


def is_production_settings() -> bool:
    """True when Django runs on a production settings module; demo data must never reach a real case file."""
    module = settings.SETTINGS_MODULE or ""
    return module.rsplit(".", 1)[-1] == "production"


# --- Nationalities, sex and names -----------------------------------------------------------------


@cache
def nationality_weights() -> tuple[tuple[str, int], ...]:
    """(ISO code, weight) from victim_nationalities.csv; "other" is spread over the countries its source names.

    The source of the "other" row reads "same: Nepal, Uganda, …, Rwanda and others; 9 stateless". Countries
    the code list cannot name (no usable ISO code) are left out and their share goes to the rest.
    """
    code_by_name = {name: code for code, name in COUNTRY_NAMES.items() if code}
    weights: dict[str, int] = {}
    with (REFERENCE_DIR / "victim_nationalities.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            count = int(row["count"])
            if row["nationality"] != "other":
                weights[row["nationality"]] = count
                continue
            listed = row["source"].split(":", 1)[-1].split(";")[0]
            names = [n.strip() for part in listed.split(",") for n in part.split(" and ")]
            codes = [code_by_name[n] for n in names if n in code_by_name]
            stateless = re.search(r"(\d+) stateless", row["source"])
            stateless_count = int(stateless.group(1)) if stateless else 0
            if stateless_count:
                weights[STATELESS] = stateless_count
            rest = count - stateless_count
            for index, code in enumerate(codes):
                weights[code] = weights.get(code, 0) + rest // len(codes) + (1 if index < rest % len(codes) else 0)
    return tuple(weights.items())


@cache
def sex_weights() -> tuple[tuple[str, int], ...]:
    """(HTCDS gender code, weight) from the note "sex split in the same list: 6,716 men, 425 women"."""
    note = (REFERENCE_DIR / "victim_nationalities.note").read_text(encoding="utf-8")
    match = re.search(r"([\d,]+) men, ([\d,]+) women", note)
    men, women = (int(match.group(i).replace(",", "")) for i in (1, 2)) if match else (94, 6)
    return (("Masculine", men), ("Feminine", women))


# Faker locale for given names and family names; the nearest locale Faker has where it lacks the country's own.
NAME_LOCALES: dict[str, tuple[str, str]] = {
    "CN": ("zh_CN", "zh_CN"),
    "TW": ("zh_TW", "zh_TW"),
    "VN": ("vi_VN", "vi_VN"),
    "IN": ("en_IN", "en_IN"),
    "ID": ("id_ID", "id_ID"),
    "MY": ("id_ID", "id_ID"),
    "PH": ("en_US", "es_MX"),  # English given names, Spanish-derived family names
    "PK": ("en_PK", "en_PK"),
    "KE": ("en_KE", "en_KE"),
    "ZA": ("zu_ZA", "zu_ZA"),
    "NP": ("ne_NP", "ne_NP"),
    "UG": ("sw", "sw"),
    "RW": ("sw", "sw"),
    "LK": ("si_LK", "si_LK"),
    "UZ": ("uz_UZ", "uz_UZ"),
    "NG": ("en_NG", "en_NG"),
    "GH": ("tw_GH", "tw_GH"),
    "BD": ("bn_BD", "bn_BD"),
    "CM": ("fr_FR", "en_NG"),
}
FALLBACK_LOCALES = ("en_US", "en_US")
FAMILY_NAME_FIRST = {"CN", "TW", "VN"}
NO_SPACE_IN_NAME = {"CN", "TW"}
# Faker has no Ethiopian locale: a given name followed by the father's given name, as Ethiopian names go.
ETHIOPIAN_MALE = (
    "Abebe",
    "Tesfaye",
    "Bekele",
    "Hailu",
    "Girma",
    "Alemu",
    "Dawit",
    "Yonas",
    "Kebede",
    "Tadesse",
    "Getachew",
    "Mulugeta",
    "Solomon",
    "Biniam",
    "Eyob",
    "Henok",
    "Natnael",
    "Yared",
)
ETHIOPIAN_FEMALE = ("Almaz", "Tigist", "Meron", "Hiwot", "Selam", "Bethlehem", "Mekdes", "Rahel", "Saba", "Liya")

LANGUAGES: dict[str, tuple[str, ...]] = {
    "CN": ("zh",),
    "TW": ("zh",),
    "VN": ("vi",),
    "IN": ("hi", "en"),
    "ET": ("am",),
    "ID": ("id",),
    "MY": ("ms",),
    "PH": ("fil", "en"),
    "PK": ("ur",),
    "KE": ("sw", "en"),
    "ZA": ("en",),
    "NP": ("ne",),
    "UG": ("en",),
    "LK": ("si",),
    "UZ": ("uz", "ru"),
    "NG": ("en",),
    "GH": ("en",),
    "BD": ("bn",),
    "CM": ("fr", "en"),
    "RW": ("en", "fr"),
    STATELESS: ("my",),
}
CALLING_CODES: dict[str, int] = {
    "CN": 86,
    "TW": 886,
    "VN": 84,
    "IN": 91,
    "ET": 251,
    "ID": 62,
    "MY": 60,
    "PH": 63,
    "PK": 92,
    "KE": 254,
    "ZA": 27,
    "NP": 977,
    "UG": 256,
    "LK": 94,
    "UZ": 998,
    "NG": 234,
    "GH": 233,
    "BD": 880,
    "CM": 237,
    "RW": 250,
    "NA": 264,
    STATELESS: 95,
}


class NameMaker:
    """Deterministic synthetic names per nationality: one seeded Faker per locale, made on first use."""

    def __init__(self, seed: int):
        self.seed = seed
        self._fakers: dict[str, Faker] = {}

    def faker(self, locale: str) -> Faker:
        if locale not in self._fakers:
            # Only the providers used: loading every provider of a locale costs ~0.2 s each.
            fake = Faker(locale, providers=["faker.providers.person", "faker.providers.internet"])
            fake.seed_instance(self.seed + zlib.crc32(locale.encode()))
            self._fakers[locale] = fake
        return self._fakers[locale]

    def given(self, country: str, *, female: bool, rng: random.Random) -> str:
        if country == "ET":
            return rng.choice(ETHIOPIAN_FEMALE if female else ETHIOPIAN_MALE)
        fake = self.faker(NAME_LOCALES.get(country, FALLBACK_LOCALES)[0])
        given = fake.first_name_female() if female else fake.first_name_male()
        if country == "VN":  # Vietnamese names carry a middle name: Văn for men, Thị for women, often
            middle = "Thị" if female and rng.random() < 0.6 else fake.middle_name()
            given = f"{'Văn' if middle == 'Thị' and not female else middle} {given}"
        return given

    def family(self, country: str, *, rng: random.Random) -> str:
        if country == "ET":
            return rng.choice(ETHIOPIAN_MALE)  # the father's given name
        return self.faker(NAME_LOCALES.get(country, FALLBACK_LOCALES)[1]).last_name()

    @staticmethod
    def full(country: str, given: str, family: str) -> str:
        if country in NO_SPACE_IN_NAME:
            return f"{family}{given}"
        return f"{family} {given}" if country in FAMILY_NAME_FIRST else f"{given} {family}"

    def nickname(self, *, female: bool) -> str:
        """The English name a compound gives its workers."""
        fake = self.faker("en_US")
        return fake.first_name_female() if female else fake.first_name_male()

    def handle(self) -> str:
        return "demo_" + self.faker("en_US").user_name()


def fake_phone(country: str, rng: random.Random) -> str:
    """A phone-shaped string that cannot be dialled: international numbers never carry the trunk 0."""
    code = CALLING_CODES.get(country, 66)
    return f"+{code} 0{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"


def weighted(rng: random.Random, pairs) -> object:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


# --- What happened --------------------------------------------------------------------------------

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


# --- Seeding --------------------------------------------------------------------------------------


def seed_demo(*, victims: int = DEFAULT_VICTIMS, seed: int = DEFAULT_SEED, now: datetime | None = None) -> SeedResult:
    """Create the demo organisations, users and case files. Idempotent: what exists is left as it is."""
    if victims < 0 or victims > MAX_VICTIMS:
        raise ValueError(f"victims must be between 0 and {MAX_VICTIMS}")
    now = now or timezone.now()
    result = SeedResult()
    if not Compound.objects.exists():
        load_reference_data()
        result.reference_data_loaded = True

    password_hash = cache(lambda: make_password(DEMO_PASSWORD))  # hashed once, and only if a user is new
    with transaction.atomic():
        admin = _user(
            email=PLATFORM_ADMIN[0],
            display_name=PLATFORM_ADMIN[1],
            password_hash=password_hash,
            is_staff=True,
            is_superuser=True,
        )
        result.logins.append(Login(organization="", role="Platform admin (superuser)", email=admin.email))

    shares = _split(victims, [demo.share for demo in DEMO_ORGANIZATIONS])
    for demo, count in zip(DEMO_ORGANIZATIONS, shares, strict=True):
        with transaction.atomic():  # one organisation's case files appear all together or not at all
            organization, staff = _organization(demo, password_hash=password_hash)
            result.logins.extend(
                Login(organization=demo.name, role=Role(role).label, email=user.email) for role, user in staff
            )
            private_agencies = _private_agencies(demo, organization)
            existing = Victim.objects.filter(organization=organization).count()
            if existing:
                result.victims_existing[demo.name] = existing
                continue
            builder = CaseFileBuilder(
                organization=organization,
                staff=staff,
                private_agencies=private_agencies,
                rng=random.Random(f"{seed}-{demo.slug}"),
                names=NameMaker(seed + zlib.crc32(demo.slug.encode())),
                now=now,
            )
            builder.build(count)
            result.victims_created[demo.name] = count
    return result


def _split(total: int, shares: list[float]) -> list[int]:
    counts = [int(total * share) for share in shares]
    counts[0] += total - sum(counts)
    return counts


def _user(
    *,
    email: str,
    display_name: str,
    password_hash: Callable[[], str],
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """The demo user with this email; created with the demo password if missing, else left as it is."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(
            email=email,
            display_name=display_name,
            is_staff=is_staff,
            is_superuser=is_superuser,
            password=password_hash(),
        )
        user.full_clean(exclude=["password"])
        user.save()
    return user


def _organization(
    demo: DemoOrganization, *, password_hash: Callable[[], str]
) -> tuple[Organization, list[tuple[str, User]]]:
    organization = Organization.objects.filter(slug=demo.slug).first()
    if organization is None:
        organization = Organization(
            name=demo.name,
            slug=demo.slug,
            case_number_prefix=demo.prefix,
            timezone=demo.timezone,
            digest_weekday=demo.digest_weekday,
            digest_hour=demo.digest_hour,
            cadence_normal_days=demo.cadence_normal_days,
        )
        organization.full_clean()
        organization.save()
    staff = []
    for role, local_part, display_name in demo.staff:
        user = _user(
            email=demo.email(local_part),
            display_name=display_name,
            password_hash=password_hash,
            is_staff=role == Role.ORG_ADMIN,
        )
        Membership.objects.get_or_create(user=user, organization=organization, defaults={"role": role})
        staff.append((role, user))
    return organization, staff


def _private_agencies(demo: DemoOrganization, organization: Organization) -> list[Agency]:
    agencies = []
    for name, kind, email, note in demo.private_agencies:
        agency, _ = Agency.objects.get_or_create(
            organization=organization,
            name=name,
            defaults={"kind": kind, "country": "TH", "email": email, "note": note, "source": "Synthetic demo data."},
        )
        agencies.append(agency)
    return agencies


class CaseFileBuilder:
    """Builds one organisation's synthetic case files, each as a timeline of service calls run in order."""

    def __init__(self, *, organization, staff, private_agencies, rng: random.Random, names: NameMaker, now):
        self.organization = organization
        self.tz = organization.tzinfo
        self.caseworkers = [user for role, user in staff if role == Role.CASEWORKER]
        self.supervisor = next(user for role, user in staff if role == Role.SUPERVISOR)
        self.rng = rng
        self.names = names
        self.now = now
        self.compounds = list(Compound.objects.select_related("region").order_by("name"))
        self.regions = list(BorderRegion.objects.order_by("slug"))
        shared = {a.name: a for a in Agency.objects.filter(organization=None, is_active=True)}
        self.embassies = {a.country: a for a in shared.values() if a.kind == Agency.Kind.EMBASSY and a.country}
        self.general_agencies = [
            a for a in shared.values() if a.kind != Agency.Kind.EMBASSY and a.country == "TH"
        ] + private_agencies
        self.backdated: dict[type, list] = {
            Victim: [],
            Reporter: [],
            RescueRequest: [],
            CaseNote: [],
            AgencyReferral: [],
        }
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
        self._backdate()

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

        victim_fields = self._victim_fields(country=country, sex=sex, risk=risk, t0=t0, assigned=assigned)
        reporter = self._reporter(
            country=country, victim_given=victim_fields.pop("_given"), victim_family=victim_fields.pop("_family")
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
                lambda to_status=to_status, when=when, reason=reason: services.victim_change_status(
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
            self._referral(
                at, state, key, country=country, t0=t0, actor=actor, risk=risk, consent=victim_fields["consent"]
            )

        victim = services.victim_create(
            organization=self.organization, created_by=actor, now=t0, reporter=reporter, **victim_fields
        )
        state["victim"] = victim
        self.backdated[Victim].append((victim.pk, t0))
        self.backdated[Reporter].extend((pk, t0) for pk in victim.reporters.values_list("pk", flat=True))
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

    # -- pieces of a timeline --

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
            state["requests"][key] = services.rescue_request_open(
                victim=state["victim"], opened_by=actor, priority=priority, now=opened
            )
            self.backdated[RescueRequest].append((state["requests"][key].pk, opened))

        at(opened, open_request)
        logged = [u for u in updates if u > opened and (closed_at is None or u < closed_at)]
        for number, when in enumerate(logged):
            kind = rng.choice(kinds)
            body = rng.choice(NOTE_BODIES[kind])

            def log(when=when, kind=kind, body=body, first=number == 0):
                note = services.rescue_request_log_update(
                    request=state["requests"][key],
                    author=actor,
                    note=body,
                    kind=kind,
                    now=when,
                    mark_in_progress=bool(in_progress) and first,
                )
                self.backdated[CaseNote].append((note.pk, when))

            at(when, log)
        if close:
            status = close[0]
            outcome = rng.choice(OUTCOMES[status])
            at(
                closed_at,
                lambda: services.rescue_request_close(
                    request=state["requests"][key], status=status, outcome=outcome, closed_by=actor, now=closed_at
                ),
            )

    def _note(self, at, state, kind, when, actor, *, restricted):
        body = self.rng.choice(NOTE_BODIES[kind])

        def add():
            note = services.case_note_add(
                victim=state["victim"], author=actor, body=body, kind=kind, occurred_at=when, is_restricted=restricted
            )
            self.backdated[CaseNote].append((note.pk, when))

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
            referral = services.referral_create(
                victim=state["victim"],
                agency=agency,
                created_by=actor,
                rescue_request=request if request and request.opened_at <= created_at else None,
                shares_identity=shares_identity,
                consent_basis=basis,
                override_reason=VITAL_INTEREST_REASON if basis == B.VITAL_INTEREST else "",
                shared_information=info,
            )
            state["referrals"][key] = referral
            self.backdated[AgencyReferral].append((referral.pk, created_at))

        at(created_at, create)
        if outcome == "draft":
            return
        at(sent_at, lambda: services.referral_send(referral=state["referrals"][key], sent_by=actor, now=sent_at))
        for when, status in responses:
            at(
                when,
                lambda when=when, status=status: services.referral_record_response(
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
                lambda: services.referral_withdraw(
                    referral=state["referrals"][key], withdrawn_by=actor, now=withdrawn_at
                ),
            )

    # -- the victim's own fields --

    def _victim_fields(self, *, country, sex, risk, t0, assigned) -> dict:
        rng, names = self.rng, self.names
        female = sex == "Feminine"
        name_country = country
        given = names.given(name_country, female=female, rng=rng)
        family = names.family(name_country, rng=rng)
        local_t0 = timezone.localtime(t0, self.tz).date()
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

        if rng.random() < 0.9 and self.compounds:
            compound = weighted(rng, [(c, 3 if c.status in ("active", "raided") else 1) for c in self.compounds])
            fields["compound"] = compound
            fields["border_region"] = compound.region
            if rng.random() < 0.7:
                fields["last_known_location"] = (
                    f"Building {rng.choice('ABCDEFGH')}{rng.randint(1, 12)}, floor {rng.randint(1, 9)}"
                    + rng.choice(("", ", room facing the river", ", near the back gate", ", dormitory block"))
                )
        elif rng.random() < 0.5 and self.regions:
            fields["border_region"] = rng.choice(self.regions)

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

    def _reporter(self, *, country, victim_given, victim_family) -> dict:
        rng, names = self.rng, self.names
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

    # -- history --

    def _backdate(self) -> None:
        """Give rows created "in the past" their past creation time (auto_now_add stamped them with today)."""
        for model, rows in self.backdated.items():
            objects = [model(pk=pk, created_at=when) for pk, when in rows]
            model.objects.bulk_update(objects, ["created_at"], batch_size=500)
