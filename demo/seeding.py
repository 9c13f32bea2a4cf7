"""`seed_demo()`: the demo organisations, their users and synthetic case files, created when missing."""

import random
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from cases.models import Victim
from places.models import Compound
from places.reference_data import load_reference_data

from .casework import CaseFileBuilder
from .homecoming import seed_homecoming
from .lists import seed_list
from .organisations import (
    DEMO_ORGANIZATIONS,
    PLATFORM_ADMIN,
    Login,
    Role,
    demo_user,
    organization_with_staff,
    private_agencies,
)
from .people import NameMaker

DEMO_PASSWORD = "harbour-lantern-demo-2025"
DEFAULT_VICTIMS = 300
DEFAULT_SEED = 2025
MAX_VICTIMS = 20_000


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
        admin = demo_user(
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
            organization, staff = organization_with_staff(demo, password_hash=password_hash)
            result.logins.extend(
                Login(organization=demo.name, role=Role(role).label, email=user.email) for role, user in staff
            )
            agencies = private_agencies(demo, organization)
            existing = Victim.objects.filter(organization=organization).count()
            if existing:
                result.victims_existing[demo.name] = existing
                continue
            builder = CaseFileBuilder(
                organization=organization,
                staff=staff,
                private_agencies=agencies,
                rng=random.Random(f"{seed}-{demo.slug}"),
                names=NameMaker(seed + zlib.crc32(demo.slug.encode())),
                now=now,
            )
            builder.build(count)
            supervisor = next(user for role, user in staff if role == Role.SUPERVISOR)
            seed_list(organization=organization, supervisor=supervisor, now=now, rng=random.Random(f"{seed}-list"))
            result.victims_created[demo.name] = count
            roles = dict(staff)
            if Role.CASEWORKER in roles and Role.SUPERVISOR in roles:
                seed_homecoming(
                    organization=organization,
                    caseworker=roles[Role.CASEWORKER],
                    supervisor=roles[Role.SUPERVISOR],
                    now=now,
                )
    return result


def _split(total: int, shares: list[float]) -> list[int]:
    counts = [int(total * share) for share in shares]
    counts[0] += total - sum(counts)
    return counts
