"""Sweep locks: a table row per sweep, claimed with one conditional UPDATE, so two runs never overlap.

Works the same on SQLite and PostgreSQL (no Redis needed): the UPDATE ... WHERE locked_until < now is atomic
in both. A lock held by a process that died expires after its time-to-live.
"""

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import SweepLock


class SweepAlreadyRunning(Exception):
    """Another run of the same sweep holds its lock."""


def acquire(*, name: str, ttl: timedelta) -> str | None:
    """Claim the lock `name` for `ttl`; return a token to release it with, or None if someone holds it."""
    token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
    wall_now = timezone.now()  # locks are about processes, so they use the wall clock, not a business `now`
    if not SweepLock.objects.filter(name=name).exists():
        try:
            with transaction.atomic():
                SweepLock.objects.create(name=name)
        except IntegrityError:
            pass  # created by a concurrent first run
    claimed = (
        SweepLock.objects.filter(name=name)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=wall_now))
        .update(locked_until=wall_now + ttl, holder=token, last_started_at=wall_now)
    )
    return token if claimed else None


def release(*, name: str, token: str, result: dict | None = None) -> None:
    SweepLock.objects.filter(name=name, holder=token).update(
        locked_until=None, last_finished_at=timezone.now(), last_result=result or {}
    )


@contextmanager
def sweep_lock(name: str, *, ttl: timedelta) -> Iterator[dict]:
    """Hold the sweep lock while the block runs; raise SweepAlreadyRunning if another run holds it.

    The block may fill the yielded dict with its counts; they are stored on the lock row for the admin.
    """
    token = acquire(name=name, ttl=ttl)
    if token is None:
        raise SweepAlreadyRunning(name)
    result: dict = {}
    try:
        yield result
    except BaseException as error:
        result = {**result, "error": type(error).__name__}
        raise
    finally:
        release(name=name, token=token, result=result)
