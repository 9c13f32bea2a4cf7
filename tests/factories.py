"""factory_boy factories for synthetic test data. Nothing here is or resembles a real person."""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import Membership, Organization, User
from cases import services
from cases.models import AgencyReferral, CaseNote, RescueRequest, Victim
from places.models import Agency, BorderRegion, Compound


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Test NGO {n}")
    slug = factory.Sequence(lambda n: f"test-ngo-{n}")
    case_number_prefix = factory.Sequence(lambda n: f"T{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    display_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery-staple")

    @factory.post_generation
    def saved(self, create, extracted, **kwargs):
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.CASEWORKER


class BorderRegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BorderRegion
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"region-{n}")
    name = factory.Sequence(lambda n: f"Test border region {n}")
    country_a = "MM"
    country_b = "TH"


class CompoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compound

    name = factory.Sequence(lambda n: f"Test compound {n}")
    region = factory.SubFactory(BorderRegionFactory)
    country = "MM"
    status = Compound.Status.ACTIVE


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Test agency {n}")
    kind = Agency.Kind.POLICE
    country = "TH"
    email = factory.Sequence(lambda n: f"agency{n}@example.org")


def make_victim(*, organization, created_by=None, now=None, **fields) -> Victim:
    """A victim created through the intake service, with synthetic defaults."""
    fields.setdefault("full_name", "Synthetic Person")
    fields.setdefault("citizenship", "VN")
    return services.victim_create(organization=organization, created_by=created_by, now=now, **fields)


def make_request(*, victim, opened_by=None, priority="normal", now=None, **kwargs) -> RescueRequest:
    return services.rescue_request_open(victim=victim, opened_by=opened_by, priority=priority, now=now, **kwargs)


def make_overdue_request(*, victim, days_overdue=2, priority="normal", now=None) -> RescueRequest:
    """An open request whose follow-up fell due `days_overdue` days before `now`."""
    now = now or timezone.now()
    request = make_request(victim=victim, priority=priority, now=now - timedelta(days=30))
    RescueRequest.objects.filter(pk=request.pk).update(next_follow_up_at=now - timedelta(days=days_overdue))
    request.refresh_from_db()
    return request


def make_note(*, victim, author=None, body="Synthetic note", **kwargs) -> CaseNote:
    return services.case_note_add(victim=victim, author=author, body=body, **kwargs)


def make_referral(*, victim, agency, created_by=None, **kwargs) -> AgencyReferral:
    return services.referral_create(victim=victim, agency=agency, created_by=created_by, **kwargs)


# The smallest complete intake a caseworker's browser posts to /cases/new/ (a rescue request opened too).
INTAKE_POST = {
    "full_name": "Synthetic Intake Person",
    "citizenship": "VN",
    "sex": "Masculine",
    "risk_level": "high",
    "consent": "none",
    "passport_held_by_traffickers": "unknown",
    "reporter-safe_to_contact": "unknown",
    "request-open_request": "on",
    "request-priority": "high",
}


# --- Two-factor sign-in (accounts/two_factor.py) ----------------------------------------------------------------


def current_totp_code(device, *, drift: int = 0) -> str:
    """The code `device`'s authenticator app would show now (time-machine aware), as django-otp computes it."""
    from django_otp.oath import totp

    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{code:0{device.digits}d}"


def make_totp_device(user, *, confirmed: bool = True):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=confirmed)


def totp_code_for(user) -> str:
    """A fresh confirmed authenticator for `user` and its current code (codes are single-use: call once per sign-in)."""
    return current_totp_code(make_totp_device(user))


def sign_in_verified(client, user):
    """Sign `client` in as `user` with the second factor passed, as django_otp.login records it in the session."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or make_totp_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def signed_in_client(user, organization=None):
    """A test client signed in as `user`, working in `organization`. Users who must use two-factor sign-in
    (supervisors, org admins, staff) get a session that has passed it (a real confirmed TOTP device)."""
    from django.test import Client

    from accounts.middleware import SESSION_KEY
    from accounts.two_factor import two_factor_required

    client = Client()
    if two_factor_required(user):
        sign_in_verified(client, user)
    else:
        client.force_login(user)
    if organization is not None:
        session = client.session
        session[SESSION_KEY] = organization.pk
        session.save()
    return client


def victims_named(full_name: str) -> list[Victim]:
    """The victims with exactly this full name. Names are encrypted at rest, so they are compared after loading."""
    return [victim for victim in Victim.objects.order_by("pk") if victim.full_name == full_name]


def victim_named(full_name: str) -> Victim:
    """The one victim with this full name (Victim.objects.get(full_name=...) cannot work on ciphertext)."""
    [victim] = victims_named(full_name)
    return victim
