"""Fixtures for the web pages: a signed-in client per user with the organisation chosen, a fixed clock."""

from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from tests.factories import signed_in_client

NOW = datetime(2026, 3, 11, 3, 0, tzinfo=UTC)  # 10:00 in Bangkok, a Wednesday


@pytest.fixture
def client_for(db):
    """`client_for(user, organization=None)`: a test client signed in as `user`, working in `organization`.

    Users who must use two-factor sign-in get a session that has passed it (a real confirmed TOTP device).
    """
    return signed_in_client


@pytest.fixture
def web_now() -> datetime:
    return NOW


def page_text(response) -> str:
    return response.content.decode()


class _FormControls(HTMLParser):
    """Collects form controls and labels from a page, to check that every field has a label."""

    def __init__(self):
        super().__init__()
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self._label_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self._label_depth += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        elif tag in ("input", "select", "textarea"):
            if tag == "input" and attrs.get("type") in ("hidden", "submit", "button"):
                return
            self.controls.append({**attrs, "_tag": tag, "_wrapped": self._label_depth > 0})

    def handle_endtag(self, tag):
        if tag == "label" and self._label_depth:
            self._label_depth -= 1


def unlabelled_fields(html: str) -> list[str]:
    """Names of visible form controls that have no <label for=…>, no wrapping <label> and no aria-label."""
    parser = _FormControls()
    parser.feed(html)
    return [
        control.get("name", control["_tag"])
        for control in parser.controls
        if not (control.get("id") in parser.label_for or control["_wrapped"] or control.get("aria-label"))
    ]


def bulk_cases(*, organization, count: int, assigned_to=None, due_at=None, start: int = 1, compound=None, **fields):
    """`count` synthetic cases inserted in bulk (volume tests); each gets an open request when `due_at` is given."""
    from datetime import timedelta

    from cases.models import RescueRequest, Victim

    victims = Victim.objects.bulk_create(
        [
            Victim(
                organization=organization,
                case_number=f"{organization.case_number_prefix}-2026-{start + i:05d}",
                full_name=f"Synthetic Bulk {start + i}",
                assigned_to=assigned_to,
                compound=compound,
                border_region_id=compound.region_id if compound else None,
                **fields,
            )
            for i in range(count)
        ]
    )
    if due_at is not None:
        RescueRequest.objects.bulk_create(
            [
                RescueRequest(
                    organization=organization,
                    victim=victim,
                    assigned_to=assigned_to,
                    opened_at=due_at - timedelta(days=30),
                    last_update_at=due_at - timedelta(days=30),
                    next_follow_up_at=due_at,
                )
                for victim in victims
            ]
        )
    return victims


def count_queries(client, url: str) -> int:
    """Queries one page view runs. The audit trail's write of the rows shown counts as one: PostgreSQL sends it as
    one INSERT, SQLite in batches of ~70 rows (a list shows at most a few hundred, however many cases exist)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    audit_writes = [q for q in captured.captured_queries if q["sql"].startswith('INSERT INTO "cases_auditentry"')]
    return len(captured.captured_queries) - len(audit_writes) + (1 if audit_writes else 0)
