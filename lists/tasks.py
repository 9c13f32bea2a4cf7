"""Celery tasks of the lists app: thin, by id, idempotent (a chunk is claimed once; a rerun replaces suggestions)."""

from celery import shared_task

from . import chunks


@shared_task(acks_late=True)
def match_chunk_task(chunk_id: int) -> dict[str, int]:
    return chunks.work_chunk(chunk_id)
