"""`/healthz`: whether this deployment works. The database answers, the broker takes a connection, and beat has
sent its schedules lately. For a load balancer or a monitor: 200 when all three hold, 503 when one does not, with
a JSON body that names which (no address, key or personal data; the failure's class is logged).

Beat's last tick is the newest `last_run_at` of the enabled schedules. django-celery-beat writes it back every
few minutes (its sync interval), so a tick counts as recent within `HEALTHZ_BEAT_MAX_AGE_SECONDS` (by default two
sweep intervals plus five minutes).
"""

import logging

from celery import current_app
from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def beat_max_age_seconds() -> int:
    default = 2 * settings.TRACKER_SWEEP_EVERY_SECONDS + 300
    return getattr(settings, "HEALTHZ_BEAT_MAX_AGE_SECONDS", None) or default


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok"}


def _broker() -> dict:
    with current_app.connection_for_write(url=settings.CELERY_BROKER_URL, connect_timeout=3) as broker:
        broker.connect()
    return {"status": "ok"}


def _beat(now) -> dict:
    from django_celery_beat.models import PeriodicTask

    last = PeriodicTask.objects.filter(enabled=True).aggregate(last=Max("last_run_at"))["last"]
    if last is None:
        return {"status": "failing", "last_tick": None}
    age = max(0, int((now - last).total_seconds()))
    status = "ok" if age <= beat_max_age_seconds() else "failing"
    return {"status": status, "last_tick": last.isoformat(), "age_seconds": age}


@never_cache
@require_safe
def healthz(request):
    now = timezone.now()
    report = {}
    for name, check in (("database", _database), ("broker", _broker), ("beat", lambda: _beat(now))):
        try:
            report[name] = check()
        except Exception as error:  # any failure of a dependency is a failing check, never a 500
            logger.warning("healthz: %s check failed (%s)", name, type(error).__name__)
            report[name] = {"status": "failing", "error": type(error).__name__}
    healthy = all(part["status"] == "ok" for part in report.values())
    return JsonResponse({"status": "ok" if healthy else "failing", **report}, status=200 if healthy else 503)
