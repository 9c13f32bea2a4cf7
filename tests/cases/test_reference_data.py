"""The shared reference data (border regions, crossings, compounds, agencies) loaded from cases/reference/."""

import csv
import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from places import reference_data
from places.models import Agency, BorderRegion, Compound, Crossing
from places.reference_data import REFERENCE_DIR, load_reference_data

from ..factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def csv_rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def row_counts() -> tuple[int, int, int, int]:
    return (
        BorderRegion.objects.count(),
        Crossing.objects.count(),
        Compound.objects.count(),
        Agency.objects.filter(organization=None).count(),
    )


def test_every_row_of_the_reference_files_is_in_the_database_after_migrating():
    assert row_counts() == (
        len(csv_rows("border_regions.csv")),
        len(csv_rows("crossings.csv")),
        len(csv_rows("compounds.csv")),
        len(csv_rows("agencies.csv")),
    )
    assert set(BorderRegion.objects.values_list("slug", flat=True)) == {
        r["slug"] for r in csv_rows("border_regions.csv")
    }


def test_compounds_keep_their_sources_facts_and_regions():
    shwe_kokko = Compound.objects.get(name="Shwe Kokko")
    assert shwe_kokko.region.slug == "myawaddy-mae-sot"
    assert shwe_kokko.aliases == "Yatai New City"
    assert "BBC 2025-02-07" in shwe_kokko.source
    assert shwe_kokko.status == Compound.Status.ACTIVE
    assert float(shwe_kokko.latitude) == pytest.approx(16.820472)
    kk_park = Compound.objects.get(name="KK Park")
    assert kk_park.status == Compound.Status.RAIDED
    assert "2,000+ freed" in kk_park.facts
    inland = Compound.objects.get(name="Jin Bei")  # in Sihanoukville, on no border
    assert inland.region is None and inland.country == "KH"
    assert inland.latitude is None and inland.longitude is None
    assert all(c.source for c in Compound.objects.all())


def test_crossings_belong_to_their_region_with_sources():
    bridge = Crossing.objects.get(name="Thai–Myanmar Friendship Bridge")
    assert bridge.region.slug == "myawaddy-mae-sot"
    assert bridge.source == "Wikipedia"
    assert bridge.has_point
    assert Crossing.objects.filter(region__slug="tachileik-mae-sai").count() == 1


def test_reference_agencies_are_shared_and_carry_no_invented_email():
    agencies = Agency.objects.filter(name__in=[row["name"] for row in csv_rows("agencies.csv")])
    assert agencies.count() == len(csv_rows("agencies.csv"))
    assert all(a.organization_id is None and a.is_shared for a in agencies)
    assert not agencies.exclude(email="").exists()
    atpd = agencies.get(name__startswith="Royal Thai Police")
    assert atpd.public_contact == "hotline 1599 (LINE @HUMANTRAFFICKTH)"
    assert atpd.source == "Royal Thai Police"


def test_reference_agencies_are_visible_to_every_organisation(org_a, org_b):
    shared = Agency.objects.filter(organization=None).count()
    assert Agency.objects.visible_to(org_a.caseworker).count() == shared
    assert Agency.objects.visible_to(org_b.supervisor).count() == shared


def test_thai_agencies_cover_the_thai_side_and_embassies_name_the_country_they_represent():
    thai_side = set(BorderRegion.objects.filter(country_b="TH").values_list("slug", flat=True))
    assert thai_side == {"myawaddy-mae-sot", "tachileik-mae-sai", "three-pagodas-pass", "golden-triangle"}
    atpd = Agency.objects.get(name__startswith="Royal Thai Police")
    assert set(atpd.regions.values_list("slug", flat=True)) == thai_side
    naresuan = Agency.objects.get(name="Naresuan Task Force (Royal Thai Army)")
    assert list(naresuan.regions.values_list("slug", flat=True)) == ["myawaddy-mae-sot"]
    china = Agency.objects.get(name="Embassy of the People's Republic of China in Thailand")
    assert china.kind == Agency.Kind.EMBASSY and china.country == "CN"
    assert not china.regions.exists()


def test_loading_twice_creates_and_updates_nothing():
    before = row_counts()
    counts = load_reference_data()
    assert set(counts.values()) == {0}
    assert row_counts() == before


def test_loading_restores_an_edited_value_and_counts_one_update():
    Compound.objects.filter(name="KK Park").update(status=Compound.Status.ACTIVE, source="")
    counts = load_reference_data()
    assert counts["compounds_updated"] == 1
    assert counts["compounds_created"] == 0
    kk_park = Compound.objects.get(name="KK Park")
    assert kk_park.status == Compound.Status.RAIDED
    assert kk_park.source.startswith("Wikipedia")


def test_loading_keeps_regions_an_admin_added_to_an_agency_and_puts_back_missing_ones():
    iom = Agency.objects.get(name="IOM Thailand")
    kokang = BorderRegion.objects.get(slug="kokang-yunnan")
    iom.regions.add(kokang)
    iom.regions.remove(BorderRegion.objects.get(slug="golden-triangle"))
    counts = load_reference_data()
    assert counts["agencies_updated"] == 1
    assert {"kokang-yunnan", "golden-triangle"} <= set(iom.regions.values_list("slug", flat=True))


def test_a_private_agency_with_a_reference_name_is_left_alone():
    organization = OrganizationFactory()
    private = Agency.objects.create(
        name="IOM Thailand", kind=Agency.Kind.NGO, organization=organization, email="desk@iom-demo.example.org"
    )
    counts = load_reference_data()
    assert counts["agencies_created"] == 0
    private.refresh_from_db()
    assert private.kind == Agency.Kind.NGO and private.email == "desk@iom-demo.example.org"


def test_the_command_reports_what_it_created_and_updated():
    Crossing.objects.filter(name="Mae Sai – Tachileik Friendship Bridge").delete()
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    lines = out.getvalue().splitlines()
    assert "crossings: 1 created, 0 updated" in lines
    assert "compounds: 0 created, 0 updated" in lines


def test_a_reference_file_naming_an_unknown_region_is_refused_in_one_line(tmp_path, monkeypatch):
    broken = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, broken)
    with (broken / "compounds.csv").open("a", encoding="utf-8") as handle:
        handle.write("Nowhere Park,,atlantis,MM,,,,unknown,,,test\n")
    monkeypatch.setattr(reference_data, "REFERENCE_DIR", broken)
    with pytest.raises(CommandError, match="Nowhere Park.*unknown border region “atlantis”"):
        call_command("load_reference_data", stdout=StringIO())
    assert not Compound.objects.filter(name="Nowhere Park").exists()


def test_a_reference_file_with_an_out_of_range_latitude_is_refused(tmp_path, monkeypatch):
    broken = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, broken)
    with (broken / "border_regions.csv").open("a", encoding="utf-8") as handle:
        handle.write("far-away,Far away,MM,,TH,,200,98,,test\n")
    monkeypatch.setattr(reference_data, "REFERENCE_DIR", broken)
    with pytest.raises(CommandError, match="far-away"):
        call_command("load_reference_data", stdout=StringIO())
    assert not BorderRegion.objects.filter(slug="far-away").exists()
