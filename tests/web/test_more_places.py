"""Compounds and border regions: lists, details, the offline SVG map and a constant query count."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Victim
from cases.views.places import MapPoint, plot_points
from places.models import Compound, Crossing
from tests.factories import BorderRegionFactory, CompoundFactory, make_victim

from .conftest import page_text

pytestmark = pytest.mark.django_db


def point(label, lat, lon, kind="compound"):
    return MapPoint(kind=kind, label=label, latitude=lat, longitude=lon, url="/x/")


def test_the_map_puts_north_up_east_right_and_everything_inside_the_box():
    plot = plot_points([point("north", 20.4, 99.9), point("south", 15.3, 98.4), point("east", 16.7, 102.6)])
    by_label = {p.label: p for p in plot.points}
    assert by_label["north"].y < by_label["south"].y
    assert by_label["east"].x > by_label["south"].x
    for p in plot.points:
        assert 0 <= p.x <= plot.width and 0 <= p.y <= plot.height


def test_the_map_keeps_distances_in_proportion_on_both_axes():
    # One degree of longitude at 60° north is half a degree of latitude on the ground.
    plot = plot_points([point("a", 60.0, 10.0), point("b", 60.0, 11.0), point("c", 61.0, 10.0)])
    a, b, c = (next(p for p in plot.points if p.label == name) for name in "abc")
    assert abs((b.x - a.x) / (a.y - c.y) - 0.5) < 0.01


def test_a_single_point_sits_in_the_middle_with_grid_lines_around_it():
    plot = plot_points([point("only", 16.82, 98.53)])
    assert (plot.points[0].x, plot.points[0].y) == (plot.width / 2, plot.height / 2)
    assert plot.meridians and plot.parallels
    assert any(line.label.endswith("E") for line in plot.meridians)


def test_an_empty_map_says_so(client_for, org_a):
    CompoundFactory(name="Pointless Synthetic", latitude=None, longitude=None, region=None)
    client = client_for(org_a.caseworker, org_a.organization)
    text = page_text(client.get(reverse("cases:compounds"), {"q": "Pointless"}))
    assert "nothing to plot" in text


@pytest.fixture
def border(db):
    region = BorderRegionFactory(name="Synthetic Border", latitude=16.69, longitude=98.51)
    park = CompoundFactory(
        name="Synthetic Park",
        aliases="Synthetic City",
        region=region,
        latitude=16.65,
        longitude=98.52,
        controlling_group="Synthetic Group",
        facts="Synthetic fact",
        source="Synthetic source 2025",
        status=Compound.Status.RAIDED,
    )
    other = CompoundFactory(name="Synthetic Tower", region=region, latitude=16.82, longitude=98.53)
    inland = CompoundFactory(name="Inland Synthetic", region=None, country="KH", latitude=11.5, longitude=104.9)
    Crossing.objects.create(region=region, name="Synthetic Bridge", latitude=16.69, longitude=98.52, is_open=True)
    Crossing.objects.create(region=region, name="Synthetic Ford")  # no coordinates: listed, not drawn
    return region, park, other, inland


def svg_of(text: str) -> str:
    match = re.search(r"<svg xmlns.*?</svg>", text, re.S)
    assert match, "no map on the page"
    return match.group(0)


def test_the_compound_list_searches_names_and_aliases_and_filters_by_region_and_status(client_for, org_a, border):
    region, park, other, inland = border
    client = client_for(org_a.caseworker, org_a.organization)
    url = reverse("cases:compounds")

    def names(params):
        text = page_text(client.get(url, params))
        return [c.name for c in (park, other, inland) if f">{c.name}</a>" in text]

    assert names({}) == ["Synthetic Park", "Synthetic Tower", "Inland Synthetic"]
    assert names({"q": "synthetic city"}) == ["Synthetic Park"]
    assert names({"region": str(region.pk)}) == ["Synthetic Park", "Synthetic Tower"]
    assert names({"region": "none"}) == ["Inland Synthetic"]
    assert names({"status": "raided"}) == ["Synthetic Park"]
    assert names({"region": "nonsense", "status": "nonsense"}) == [
        "Synthetic Park",
        "Synthetic Tower",
        "Inland Synthetic",
    ]


def test_the_compound_page_shows_the_facts_sources_and_a_map_of_the_region(client_for, org_a, border):
    region, park, other, _inland = border
    text = page_text(
        client_for(org_a.caseworker, org_a.organization).get(reverse("cases:compound_detail", args=[park.pk]))
    )
    for fact in ("Synthetic City", "Synthetic Group", "Synthetic fact", "Synthetic source 2025", "Raided", region.name):
        assert fact in text
    svg = svg_of(text)
    assert "Synthetic Tower" in svg and "Synthetic Bridge" in svg and "Synthetic Border" in svg
    assert "Synthetic Ford" not in svg
    assert "map__point--current" in svg
    assert f'href="{reverse("cases:compound_detail", args=[other.pk])}"' in svg


def test_the_region_page_lists_crossings_compounds_and_plots_them(client_for, org_a, border):
    region, park, other, inland = border
    text = page_text(
        client_for(org_a.caseworker, org_a.organization).get(reverse("cases:region_detail", args=[region.pk]))
    )
    assert "Synthetic Bridge" in text and "Synthetic Ford" in text and "no coordinates" in text
    assert "Synthetic Park" in text and "Synthetic Tower" in text and "Inland Synthetic" not in text
    svg = svg_of(text)
    assert svg.count('data-kind="compound"') == 2
    assert svg.count('data-kind="crossing"') == 1
    assert svg.count('data-kind="region"') == 1


def test_the_map_needs_no_script_no_inline_style_and_nothing_from_another_site(client_for, org_a, border):
    client = client_for(org_a.caseworker, org_a.organization)
    for url in (
        reverse("cases:compounds"),
        reverse("cases:regions"),
        reverse("cases:region_detail", args=[border[0].pk]),
    ):
        text = page_text(client.get(url))
        svg = svg_of(text)
        # No script of the map's own: only the site's one-file menu script (static/js/nav.js), on every page.
        assert re.findall(r"<script[^>]*>", text) == ['<script src="/static/js/nav.js">']
        assert "style=" not in text and "<style" not in text
        assert not re.search(r'(src|href)="(https?:)?//', text)
        assert "xmlns" in svg


def test_the_map_coordinates_are_not_localised_in_a_language_with_decimal_commas(client_for, org_a, border):
    client = client_for(org_a.caseworker, org_a.organization)
    text = page_text(client.get(reverse("cases:regions"), headers={"accept-language": "vi"}))
    for match in re.findall(r"translate\(([^)]*)\)", svg_of(text)):
        assert "," not in match


def test_region_list_shows_counts_of_compounds_crossings_and_our_open_cases(client_for, org_a, border):
    region, park, _other, _inland = border
    make_victim(organization=org_a.organization, compound=park)
    make_victim(organization=org_a.organization, border_region=region)
    text = page_text(client_for(org_a.caseworker, org_a.organization).get(reverse("cases:regions")))
    row = re.search(r"Synthetic Border</a></td>(.*?)</tr>", text, re.S).group(1)
    assert re.findall(r'class="num[^"]*"[^>]*>(\d+)<', row) == ["2", "2", "2"]


def test_region_page_counts_open_cases_outside_any_known_compound(client_for, org_a, border):
    region, park, _other, _inland = border
    make_victim(organization=org_a.organization, compound=park)
    make_victim(organization=org_a.organization, border_region=region)
    text = page_text(
        client_for(org_a.caseworker, org_a.organization).get(reverse("cases:region_detail", args=[region.pk]))
    )
    assert 'data-testid="open-cases"><strong>2</strong>' in text
    assert "of which in no known compound</dt><dd>1</dd>" in text


def bulk_places(count: int) -> tuple:
    region = BorderRegionFactory(name=f"Bulk Region {count}", latitude=16.7, longitude=98.5)
    compounds = Compound.objects.bulk_create(
        [
            Compound(
                name=f"Bulk Compound {count}-{i}",
                region=region,
                country="MM",
                latitude=16 + i / 1000,
                longitude=98 + i / 1000,
            )
            for i in range(count)
        ]
    )
    Crossing.objects.bulk_create(
        [
            Crossing(region=region, name=f"Bulk Crossing {i}", latitude=16.5, longitude=98.5 + i / 1000)
            for i in range(count // 10)
        ]
    )
    return region, compounds


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_place_pages_run_the_same_number_of_queries_with_50_and_500_compounds(client_for, org_a):
    client = client_for(org_a.caseworker, org_a.organization)
    counts = []
    for size in (50, 500):
        region, compounds = bulk_places(size)
        Victim.objects.bulk_create(
            [
                Victim(
                    organization=org_a.organization,
                    case_number=f"HWA-{size}-{i:05d}",
                    full_name="Synthetic",
                    compound=c,
                    border_region=region,
                )
                for i, c in enumerate(compounds)
            ]
        )
        counts.append(
            [
                count_queries(client, reverse("cases:compounds") + f"?region={region.pk}"),
                count_queries(client, reverse("cases:compound_detail", args=[compounds[0].pk])),
                count_queries(client, reverse("cases:regions")),
                count_queries(client, reverse("cases:region_detail", args=[region.pk])),
            ]
        )
    assert counts[0] == counts[1]
    assert max(counts[1]) <= 12


def test_labels_of_points_close_together_do_not_cover_each_other():
    from cases.views.places import _label_box, _overlaps

    plot = plot_points(
        [
            point("Synthetic Border Centre", 16.6878, 98.5083, kind="region"),
            point("Synthetic Friendship Bridge", 16.6908, 98.5167, kind="crossing"),
            point("Synthetic Park", 16.6476, 98.5207),
            point("Synthetic Tower", 16.8205, 98.5309),
        ]
    )
    boxes = [_label_box(p, p.label_dx, p.label_dy, p.label_anchor) for p in plot.points]
    for i, a in enumerate(boxes):
        assert 0 <= a[0] and a[2] <= plot.width, plot.points[i].label
        for b in boxes[i + 1 :]:
            assert not _overlaps(a, b)
