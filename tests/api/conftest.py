"""API fixtures: keys of organisation A (read, read-write, with identity) and B, and a client that sends them."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiKey


def issue_key(organization, **fields) -> str:
    fields.setdefault("name", "Synthetic partner")
    fields.setdefault("expires_at", timezone.now() + timedelta(days=30))
    fields.setdefault("rate_per_minute", 10_000)
    return ApiKey.issue(organization=organization, **fields)[1]


@pytest.fixture
def keys(org_a, org_b) -> dict[str, str]:
    return {
        "read": issue_key(org_a.organization, scope="read"),
        "write": issue_key(org_a.organization, scope="read_write"),
        "identity": issue_key(org_a.organization, scope="read_write", includes_identity=True),
        "other": issue_key(org_b.organization, scope="read_write", includes_identity=True),
    }


@pytest.fixture
def api():
    def client(secret: str | None) -> APIClient:
        c = APIClient()
        if secret:
            c.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return c

    return client
