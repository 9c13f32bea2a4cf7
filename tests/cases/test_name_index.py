"""The name index: kept in sync with every save, bulk inserts and key changes; holds digests, never a name."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from cases import name_index, services
from cases.models import NameKey, Victim
from cases.retention import victim_redact_identity
from core import crypto
from tests.factories import make_victim

pytestmark = pytest.mark.django_db


def found(org, text) -> set[int]:
    return set(name_index.search(org.organization.pk, text))


def test_search_finds_a_name_in_any_order_script_and_spelling(org_a):
    mai = make_victim(organization=org_a.organization, full_name="Nguyễn Thị Mai")
    wei = make_victim(organization=org_a.organization, full_name="李伟", citizenship="CN")
    somphong = make_victim(organization=org_a.organization, full_name="สมพงษ์ รักดี", citizenship="TH")
    assert found(org_a, "Nguyen Thi Mai") == {mai.pk}
    assert found(org_a, "Mai Nguyen") == {mai.pk}
    assert found(org_a, "Li Wei") == {wei.pk}
    assert found(org_a, "Sompong Rakdee") == {somphong.pk}
    assert found(org_a, "Tran Van Binh") == set()


def test_a_joined_given_name_finds_its_parts_and_back(org_a):
    joined = make_victim(organization=org_a.organization, full_name="Wang Xiaoming", citizenship="CN")
    parts = make_victim(organization=org_a.organization, full_name="Zhang Xiao Ming", citizenship="CN")
    assert found(org_a, "Xiao Ming Wang") == {joined.pk}
    assert found(org_a, "Zhang Xiaoming") == {parts.pk}


def test_renaming_a_person_moves_their_keys_and_an_alias_is_searchable(org_a):
    victim = make_victim(organization=org_a.organization, full_name="Synthetic Alpha Person")
    victim.full_name = "Synthetic Beta Person"
    victim.names_in_compound = "Tiger Lily"
    victim.save()
    assert found(org_a, "Alpha") == set()
    assert found(org_a, "Beta") == {victim.pk}
    assert found(org_a, "Lily Tiger") == {victim.pk}


def test_another_organisations_cases_are_never_found(org_a, org_b):
    make_victim(organization=org_b.organization, full_name="Nguyen Thi Mai")
    assert found(org_a, "Nguyen Thi Mai") == set()


def test_candidates_share_pair_keys_and_tolerate_spelling(org_a):
    victim = make_victim(organization=org_a.organization, full_name="Somphong Rakdi", citizenship="TH")
    other = make_victim(organization=org_a.organization, full_name="Anong Sukjai", citizenship="TH")
    found_ = name_index.candidates(org_a.organization.pk, "Sompong Rakdee")
    assert victim.pk in found_ and other.pk not in found_
    assert name_index.candidates(org_a.organization.pk, "Sompong Rakdee", min_shared=50) == {}


def test_a_chunk_gets_each_names_candidates_as_one_lookup_per_name_would(org_a):
    organization_id = org_a.organization.pk
    for i, name in enumerate(["Somphong Rakdi", "Sompong Rakdee", "Rakdee Sompong", "Anong Sukjai", "Anong Rakdee"]):
        make_victim(organization=org_a.organization, full_name=name, case_number=f"SYN-C{i}")
    names = ["Sompong Rakdee", "Anong Sukjai", "Nobody Known", "Sompong Rakdee"]
    each = name_index.candidates_for_each(organization_id, names, limit=2)
    shared = [name_index.candidates(organization_id, name) for name in names]  # victim id -> keys shared
    assert each == [sorted(found.items(), key=lambda pair: (-pair[1], pair[0]))[:2] for found in shared]
    assert len(each[0]) == 2 and each[2] == []  # most keys shared first, then by id, at most `limit`


def test_the_table_holds_only_digests(org_a):
    make_victim(organization=org_a.organization, full_name="Synthetic Khanh Linh", names_in_compound="Tiger")
    with connection.cursor() as cursor:
        cursor.execute("SELECT kind, digest FROM cases_namekey")
        rows = cursor.fetchall()
    assert rows and all(len(digest) == crypto.DIGEST_HEX_CHARS for _kind, digest in rows)
    dump = " ".join(digest for _kind, digest in rows).lower()
    assert not any(word in dump for word in ("khanh", "linh", "tiger", "synthetic"))


def test_bulk_created_victims_are_indexed_by_index_victims(org_a):
    victims = Victim.objects.bulk_create(
        [Victim(organization=org_a.organization, case_number=f"SYN-{i}", full_name=f"Bulk Person{i}") for i in (1, 2)]
    )
    assert found(org_a, "Person1 Bulk") == set()
    name_index.index_victims(victims, replace=False)
    assert found(org_a, "Person1 Bulk") == {victims[0].pk}


def test_the_demo_seed_indexes_its_bulk_inserted_cases(db):
    from demo.seeding import seed_demo

    seed_demo(victims=12)
    victim = Victim.objects.order_by("pk").first()
    assert victim.pk in set(name_index.search(victim.organization_id, victim.full_name))


def test_a_redacted_case_leaves_the_index(org_a):
    victim = make_victim(organization=org_a.organization, full_name="Synthetic Redacted Person")
    Victim.objects.filter(pk=victim.pk).update(status=Victim.Status.CLOSED, closed_reason="Synthetic reason")
    victim.refresh_from_db()
    victim_redact_identity(victim=victim, now=timezone.now())
    assert not NameKey.objects.filter(victim=victim).exists()


def test_a_status_change_does_not_rewrite_the_keys(org_a):
    victim = make_victim(organization=org_a.organization, full_name="Synthetic Stable Person")
    before = set(NameKey.objects.filter(victim=victim).values_list("pk", flat=True))
    services.victim_change_status(victim=victim, to_status=Victim.Status.VERIFIED, changed_by=org_a.supervisor)
    assert set(NameKey.objects.filter(victim=victim).values_list("pk", flat=True)) == before


def test_reindexing_after_a_new_blind_index_key_makes_name_search_work_again(org_a):
    victim = make_victim(organization=org_a.organization, full_name="Synthetic Rotated Person")
    with override_settings(BLIND_INDEX_KEY=crypto.generate_key()):
        assert found(org_a, "Rotated") == set()
        out = io.StringIO()
        call_command("rotate_encryption_keys", "--reindex", stdout=out, stderr=io.StringIO())
        assert "cases.NameKey index: " in out.getvalue()
        assert found(org_a, "Rotated") == {victim.pk}
