"""Matching on real Celery worker processes (file-system broker): the list is matched, each chunk exactly once."""

import pytest
from django.db import transaction

from core.names import THRESHOLD
from lists import chunks, services
from lists.models import Match, MatchChunk, ReleasedList
from lists.reading import guess_mapping, read_table
from tests.tracker.conftest import celery_publishing_to, filesystem_broker, smtp_server, start_worker  # noqa: F401

from .builders import csv_bytes
from .helpers import list_csv, make_cases, precision_recall, top_predictions

pytestmark = pytest.mark.django_db(transaction=True)


def _import(org, data, name):
    table = read_table(data, name)
    with transaction.atomic():  # the chunks are queued when this commits
        return services.list_import(
            organization=org, uploaded_by=None, table=table, mapping=guess_mapping(table.headers),
            source="Synthetic embassy", published=None,
        ).released_list  # fmt: skip


def _wait(worker_list, released, broker_url, options):
    for worker in worker_list:
        worker.wait_until_idle(broker_url, options, timeout=120)
    assert chunks.progress(released)["finished"], [w.output()[-2000:] for w in worker_list]


def test_two_workers_share_a_big_list_and_every_chunk_is_matched_once(org_a, tmp_path, start_worker):  # noqa: F811
    victims = make_cases(org_a.organization)
    broker_url, options = filesystem_broker(tmp_path / "celery-broker")
    workers = [start_worker(broker_url=broker_url), start_worker(broker_url=broker_url)]
    evaluation_rows = list_csv().decode().splitlines()[1:]
    filler = [[f"F{i}", f"Synthetic Filler{i:04d} Person", "F", 30, "Thailand"] for i in range(2 * chunks.CHUNK_SIZE)]
    body = [["No.", "Name", "Sex", "Age/DOB", "Nationality"], *[r.split(",") for r in evaluation_rows], *filler]

    with celery_publishing_to(broker_url, options):
        released = _import(org_a.organization, csv_bytes(body), "big.csv")
    _wait(workers, released, broker_url, options)

    assert MatchChunk.objects.filter(released_list=released).count() == 3
    assert set(MatchChunk.objects.filter(released_list=released).values_list("status", flat=True)) == {"done"}
    ran = [
        sum(1 for name, _id, event in w.tasks() if name == "lists.tasks.match_chunk_task" and event == "succeeded")
        for w in workers
    ]
    assert sum(ran) == 3 and all(ran), ran  # both workers took chunks
    predicted = top_predictions(released, org_a.organization, THRESHOLD)
    precision, recall, wrong = precision_recall(predicted, victims)
    assert precision >= 0.95 and recall >= 0.90, wrong
    fillers = Match.objects.filter(entry__released_list=released, entry__line__gte=2 + len(evaluation_rows))
    assert not fillers.filter(score__gte=THRESHOLD).exists()  # strangers match nobody
    assert ReleasedList.objects.count() == 1
