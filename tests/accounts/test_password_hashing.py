"""Passwords are stored as Argon2id at OWASP's parameters; PBKDF2 hashes from before upgrade at the next sign-in.

The test settings hash with MD5 for speed; these tests switch to the production list from config/settings/security.py.
"""

import pytest
from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    PBKDF2PasswordHasher,
    check_password,
    get_hasher,
    identify_hasher,
    make_password,
)
from django.urls import reverse

from accounts.models import User
from config.settings.security import PASSWORD_HASHERS as CONFIGURED_HASHERS
from core.hashers import OwaspArgon2PasswordHasher
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

OWASP_PREFIX = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


@pytest.fixture(autouse=True)
def configured_hashers(settings):
    settings.PASSWORD_HASHERS = CONFIGURED_HASHERS


def _with_pbkdf2_hash(user: User) -> str:
    # An old hash as Django made it before (fewer iterations than today's default, which costs about a second).
    encoded = PBKDF2PasswordHasher().encode(PASSWORD, "pbkdf2salt0123456789", iterations=20_000)
    User.objects.filter(pk=user.pk).update(password=encoded)
    return encoded


def _sign_in(client, email: str, password: str):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_new_passwords_are_hashed_with_argon2id_at_owasp_parameters():
    assert make_password(PASSWORD).startswith(OWASP_PREFIX)


def test_the_argon2id_parameters_are_owasps_19_mib_two_passes_one_lane():
    params = get_hasher("default").params()
    assert isinstance(get_hasher("default"), OwaspArgon2PasswordHasher)
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19 * 1024, 2, 1)
    assert params.type.name == "ID"


def test_a_pbkdf2_user_signs_in_through_the_sign_in_page_and_their_hash_becomes_argon2id(org_a, client):
    old = _with_pbkdf2_hash(org_a.caseworker)
    assert identify_hasher(old).algorithm == "pbkdf2_sha256"

    response = _sign_in(client, org_a.caseworker.email, PASSWORD)

    assert response.status_code == 302
    assert client.get(reverse("tracker:my_work")).status_code == 200
    stored = User.objects.get(pk=org_a.caseworker.pk).password
    assert stored.startswith(OWASP_PREFIX)
    assert check_password(PASSWORD, stored)


def test_after_the_upgrade_the_same_password_signs_in_again(org_a, client):
    _with_pbkdf2_hash(org_a.caseworker)
    _sign_in(client, org_a.caseworker.email, PASSWORD)
    client.post(reverse("accounts:logout"))
    upgraded = User.objects.get(pk=org_a.caseworker.pk).password

    response = _sign_in(client, org_a.caseworker.email, PASSWORD)

    assert response.status_code == 302
    assert User.objects.get(pk=org_a.caseworker.pk).password == upgraded  # no second re-hash


def test_a_wrong_password_neither_signs_in_nor_upgrades_the_hash(org_a, client):
    old = _with_pbkdf2_hash(org_a.caseworker)

    response = _sign_in(client, org_a.caseworker.email, "not-the-password-at-all")

    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert User.objects.get(pk=org_a.caseworker.pk).password == old


def test_an_argon2_hash_at_djangos_default_parameters_is_brought_to_owasps_at_sign_in(org_a, client):
    django_default = Argon2PasswordHasher().encode(PASSWORD, "argon2salt0123456789")
    assert "m=102400,t=2,p=8" in django_default
    User.objects.filter(pk=org_a.caseworker.pk).update(password=django_default)

    assert _sign_in(client, org_a.caseworker.email, PASSWORD).status_code == 302
    assert User.objects.get(pk=org_a.caseworker.pk).password.startswith(OWASP_PREFIX)
