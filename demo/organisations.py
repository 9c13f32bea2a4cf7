"""The two demo organisations, their staff (a user per role) and private agencies, created when missing."""

from collections.abc import Callable
from dataclasses import dataclass

from accounts.models import Membership, Organization, User
from places.models import Agency

Role = Membership.Role


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


def demo_user(
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


def organization_with_staff(
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
        user = demo_user(
            email=demo.email(local_part),
            display_name=display_name,
            password_hash=password_hash,
            is_staff=role == Role.ORG_ADMIN,
        )
        Membership.objects.get_or_create(user=user, organization=organization, defaults={"role": role})
        staff.append((role, user))
    return organization, staff


def private_agencies(demo: DemoOrganization, organization: Organization) -> list[Agency]:
    agencies = []
    for name, kind, email, note in demo.private_agencies:
        agency, _ = Agency.objects.get_or_create(
            organization=organization,
            name=name,
            defaults={"kind": kind, "country": "TH", "email": email, "note": note, "source": "Synthetic demo data."},
        )
        agencies.append(agency)
    return agencies
