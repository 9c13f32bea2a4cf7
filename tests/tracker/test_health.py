"""/healthz, as a load balancer or a monitor reads it: 200 while the database, the broker and beat work, 503
naming the part that fails (and nothing about where it lives)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tracker.schedules import install_schedules

pytestmark = pytest.mark.django_db


@pytest.fixture
def beat_ticked():
    from django_celery_beat.models import PeriodicTask

    install_schedules()
    PeriodicTask.objects.update(last_run_at=timezone.now() - timedelta(seconds=30))


def test_a_working_deployment_is_healthy_without_signing_in(client, beat_ticked):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert [body[part]["status"] for part in ("database", "broker", "beat")] == ["ok", "ok", "ok"]
    assert 25 <= body["beat"]["age_seconds"] <= 120
    assert response["Cache-Control"].startswith("max-age=0")


def test_beat_that_stopped_ticking_makes_it_unhealthy(client, beat_ticked, settings):
    from django_celery_beat.models import PeriodicTask

    settings.TRACKER_SWEEP_EVERY_SECONDS = 300
    PeriodicTask.objects.update(last_run_at=timezone.now() - timedelta(minutes=16))  # 2 × 5 min + 5 min ago
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing" and body["beat"]["status"] == "failing"
    assert body["database"]["status"] == body["broker"]["status"] == "ok"


def test_no_schedule_ever_sent_is_unhealthy(client):
    body = client.get("/healthz").json()
    assert body["beat"] == {"status": "failing", "last_tick": None}


def test_a_broker_that_does_not_answer_is_named_but_not_where_it_is(client, beat_ticked, settings, caplog):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # nothing listens on port 9
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["broker"]["status"] == "failing" and body["database"]["status"] == "ok"
    assert "127.0.0.1" not in response.content.decode() and ":9" not in response.content.decode()
    assert "healthz: broker check failed" in caplog.text


def test_only_get_and_head(client, beat_ticked):
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200
