"""Shared fixtures: two organisations, a user per role in each, and helpers to reach them."""

from dataclasses import dataclass

import pytest

from accounts.models import Membership, Organization, User

from .factories import MembershipFactory, OrganizationFactory, UserFactory

PASSWORD = "correct-horse-battery-staple"


@dataclass
class OrgUsers:
    organization: Organization
    caseworker: User
    caseworker2: User
    supervisor: User
    org_admin: User

    def by_role(self, role: str) -> User:
        return {"caseworker": self.caseworker, "supervisor": self.supervisor, "org_admin": self.org_admin}[role]


def _org_with_users(slug: str, prefix: str) -> OrgUsers:
    org = OrganizationFactory(name=f"{slug.title()} NGO", slug=slug, case_number_prefix=prefix)

    def member(role: str, name: str) -> User:
        user = UserFactory(email=f"{name}@{slug}.example.org", display_name=f"{name.title()} {slug.title()}")
        MembershipFactory(user=user, organization=org, role=role)
        return user

    return OrgUsers(
        organization=org,
        caseworker=member(Membership.Role.CASEWORKER, "caseworker"),
        caseworker2=member(Membership.Role.CASEWORKER, "caseworker2"),
        supervisor=member(Membership.Role.SUPERVISOR, "supervisor"),
        org_admin=member(Membership.Role.ORG_ADMIN, "orgadmin"),
    )


@pytest.fixture
def org_a(db) -> OrgUsers:
    return _org_with_users("alpha", "HWA")


@pytest.fixture
def org_b(db) -> OrgUsers:
    return _org_with_users("bravo", "HWB")


@pytest.fixture
def platform_admin(db) -> User:
    return User.objects.create_superuser(email="platform@example.org", password=PASSWORD, display_name="Platform Admin")
