"""Compounds and border regions (shared reference data) with this organisation's open-case counts, and an offline map.

The map is an inline SVG drawn on the server: points are projected from latitude/longitude into the SVG box,
so it needs no tile server, no CDN and no script. Counts are only ever of the current organisation's cases.
"""

import math
from dataclasses import dataclass, replace
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.decorators import organization_required
from accounts.models import Organization
from core.parsing import plain_number
from places.codes import COUNTRY_NAMES
from places.models import Agency, BorderRegion, Compound, Crossing

from ..models import Victim

PAGE_SIZE = 100
MAP_WIDTH, MAP_HEIGHT, MAP_PADDING = 640, 400, 36
MIN_SPAN_DEGREES = 0.2  # a map of one point (or points very close together) still shows some country around them


# --- The offline map --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapPoint:
    kind: str  # "compound", "crossing" or "region"
    label: str
    latitude: float
    longitude: float
    url: str = ""
    css_class: str = ""
    x: float = 0.0
    y: float = 0.0
    label_dx: float = 9.0  # where the label goes, relative to the point, and which end of it is anchored there
    label_dy: float = 4.0
    label_anchor: str = "start"

    @property
    def radius(self) -> float:
        return 11.0 if self.kind == "region" else 6.0


@dataclass(frozen=True)
class GridLine:
    position: float
    label: str


@dataclass(frozen=True)
class MapPlot:
    width: int
    height: int
    points: list[MapPoint]
    meridians: list[GridLine]
    parallels: list[GridLine]

    @property
    def is_empty(self) -> bool:
        return not self.points


LABEL_CHAR_WIDTH, LABEL_ASCENT, LABEL_DESCENT = 6.8, 10.0, 3.0  # for the 12px label font


def _label_box(point: MapPoint, dx: float, dy: float, anchor: str) -> tuple[float, float, float, float]:
    width = len(point.label) * LABEL_CHAR_WIDTH
    left = {"start": point.x + dx, "end": point.x + dx - width, "middle": point.x + dx - width / 2}[anchor]
    return (left, point.y + dy - LABEL_ASCENT, left + width, point.y + dy + LABEL_DESCENT)


def _overlaps(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(points: list[MapPoint], *, width: int, height: int) -> list[MapPoint]:
    """Put each label right, left, above or below its point: the first side that stays in the box and clear
    of the marks and labels already placed (highlighted points first, then compounds, regions, crossings)."""
    taken = [(p.x - p.radius, p.y - p.radius, p.x + p.radius, p.y + p.radius) for p in points]
    order = sorted(
        range(len(points)),
        key=lambda i: ("current" not in points[i].css_class, ("compound", "region", "crossing").index(points[i].kind)),
    )
    placed = list(points)
    for index in order:
        point = points[index]
        gap = point.radius + 3
        sides = [
            (gap, 4.0, "start"),
            (-gap, 4.0, "end"),
            (0.0, -gap - 2, "middle"),
            (0.0, gap + LABEL_ASCENT, "middle"),
        ]
        inside = [
            side
            for side in sides
            if (box := _label_box(point, *side))[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height
        ] or sides
        own_mark = taken[index]
        clear = [
            side
            for side in inside
            if not any(_overlaps(_label_box(point, *side), other) for other in taken if other is not own_mark)
        ]
        dx, dy, anchor = (clear or inside)[0]
        taken.append(_label_box(point, dx, dy, anchor))
        placed[index] = replace(point, label_dx=dx, label_dy=dy, label_anchor=anchor)
    return placed


def _grid_step(span: float) -> float:
    for step in (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10):
        if span / step <= 6:
            return step
    return 20.0


def _degrees(value: float, *, positive: str, negative: str) -> str:
    number = f"{abs(value):.2f}".rstrip("0").rstrip(".")
    return f"{number}° {positive if value >= 0 else negative}"


def plot_points(
    points: list[MapPoint], *, width: int = MAP_WIDTH, height: int = MAP_HEIGHT, padding: int = MAP_PADDING
) -> MapPlot:
    """Project points into a width × height box (equirectangular, longitude scaled by cos(latitude)), north up.

    The scale is the same on both axes, so distances look right; the points are centred in the box.
    """
    if not points:
        return MapPlot(width=width, height=height, points=[], meridians=[], parallels=[])
    lats = [p.latitude for p in points]
    lons = [p.longitude for p in points]
    mid_lat = (min(lats) + max(lats)) / 2
    x_factor = max(math.cos(math.radians(mid_lat)), 0.01)
    lat_span = max(max(lats) - min(lats), MIN_SPAN_DEGREES)
    lon_span = max(max(lons) - min(lons), MIN_SPAN_DEGREES)
    scale = min((width - 2 * padding) / (lon_span * x_factor), (height - 2 * padding) / lat_span)
    centre_lat, centre_lon = mid_lat, (min(lons) + max(lons)) / 2

    def x_of(lon: float) -> float:
        return round(width / 2 + (lon - centre_lon) * x_factor * scale, 1)

    def y_of(lat: float) -> float:
        return round(height / 2 - (lat - centre_lat) * scale, 1)

    projected = [
        replace(p, x=x_of(p.longitude), y=y_of(p.latitude))
        for p in sorted(points, key=lambda p: ("region", "crossing", "compound").index(p.kind))
    ]
    # Graticule: lines of longitude and latitude across the visible box, so the plot can be read without tiles.
    west, east = centre_lon - width / 2 / (x_factor * scale), centre_lon + width / 2 / (x_factor * scale)
    south, north = centre_lat - height / 2 / scale, centre_lat + height / 2 / scale
    lon_step, lat_step = _grid_step(east - west), _grid_step(north - south)
    meridians = [
        GridLine(position=x_of(k * lon_step), label=_degrees(k * lon_step, positive=_("E"), negative=_("W")))
        for k in range(math.ceil(west / lon_step), math.floor(east / lon_step) + 1)
        if x_of(k * lon_step) <= width - 48  # room for the label, which is written to the right of the line
    ]
    parallels = [
        GridLine(position=y_of(k * lat_step), label=_degrees(k * lat_step, positive=_("N"), negative=_("S")))
        for k in range(math.ceil(south / lat_step), math.floor(north / lat_step) + 1)
        if y_of(k * lat_step) <= height - 18  # the label goes under the line, clear of the longitude labels
    ]
    projected = place_labels(projected, width=width, height=height)
    return MapPlot(width=width, height=height, points=projected, meridians=meridians, parallels=parallels)


def _as_float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def compound_point(compound: Compound, *, highlight: bool = False) -> MapPoint | None:
    if not compound.has_point:
        return None
    return MapPoint(
        kind="compound",
        label=compound.name,
        latitude=_as_float(compound.latitude),
        longitude=_as_float(compound.longitude),
        url=reverse("cases:compound_detail", args=[compound.pk]),
        css_class=f"map__compound map__compound--{compound.status}" + (" map__point--current" if highlight else ""),
    )


def region_point(region: BorderRegion, *, highlight: bool = False) -> MapPoint | None:
    if not region.has_point:
        return None
    return MapPoint(
        kind="region",
        label=region.name,
        latitude=_as_float(region.latitude),
        longitude=_as_float(region.longitude),
        url=reverse("cases:region_detail", args=[region.pk]),
        css_class="map__region" + (" map__point--current" if highlight else ""),
    )


def crossing_point(crossing: Crossing) -> MapPoint | None:
    if not crossing.has_point:
        return None
    state = {True: "open", False: "closed"}.get(crossing.is_open, "unknown")
    return MapPoint(
        kind="crossing",
        label=crossing.name,
        latitude=_as_float(crossing.latitude),
        longitude=_as_float(crossing.longitude),
        url=reverse("cases:region_detail", args=[crossing.region_id]),
        css_class=f"map__crossing map__crossing--{state}",
    )


def _plot(*groups) -> MapPlot:
    return plot_points([point for group in groups for point in group if point is not None])


# --- Counts of this organisation's open cases -------------------------------------------------------------------


def open_cases(organization: Organization) -> QuerySet[Victim]:
    """This organisation's cases that are not closed. Never another organisation's."""
    return Victim.objects.visible_to(organization).exclude(status__in=Victim.CLOSED_STATUSES)


def _open_case_count(organization: Organization, *, field: str) -> Coalesce:
    counted = (
        open_cases(organization)
        .filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def compounds_with_counts(organization: Organization) -> QuerySet[Compound]:
    return Compound.objects.select_related("region").annotate(
        open_cases=_open_case_count(organization, field="compound")
    )


def regions_with_counts(organization: Organization) -> QuerySet[BorderRegion]:
    compounds = Compound.objects.filter(region=OuterRef("pk")).order_by().values("region").annotate(n=Count("pk"))
    crossings = Crossing.objects.filter(region=OuterRef("pk")).order_by().values("region").annotate(n=Count("pk"))
    return BorderRegion.objects.annotate(
        open_cases=_open_case_count(organization, field="border_region"),
        compound_count=Coalesce(Subquery(compounds.values("n"), output_field=IntegerField()), 0),
        crossing_count=Coalesce(Subquery(crossings.values("n"), output_field=IntegerField()), 0),
    )


# --- Views ------------------------------------------------------------------------------------------------------


@require_GET
@organization_required
def compound_list(request):
    """Every compound, filterable by region, status and a name or alias; with a map of those that have a point."""
    compounds = compounds_with_counts(request.organization).order_by("name")
    regions = list(BorderRegion.objects.order_by("name"))
    query = request.GET.get("q", "").strip()[:100]
    region_id = request.GET.get("region", "")
    status = request.GET.get("status", "")
    if query:
        compounds = compounds.filter(Q(name__icontains=query) | Q(aliases__icontains=query))
    if region_id == "none":
        compounds = compounds.filter(region__isnull=True)
    elif (region_pk := plain_number(region_id)) is not None:
        compounds = compounds.filter(region_id=region_pk)
    if status in Compound.Status.values:
        compounds = compounds.filter(status=status)
    page = Paginator(compounds, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    shown_regions = {c.region_id for c in rows}
    plot = _plot(
        [compound_point(c) for c in rows],
        [region_point(r) for r in regions if r.pk in shown_regions],
    )
    return render(
        request,
        "cases/compound_list.html",
        {
            "page_obj": page,
            "compounds": rows,
            "regions": regions,
            "statuses": Compound.Status.choices,
            "query": query,
            "selected_region": region_id,
            "selected_status": status,
            "plot": plot,
            "without_point": sum(1 for c in rows if not c.has_point),
        },
    )


@require_GET
@organization_required
def compound_detail(request, pk: int):
    compound = get_object_or_404(compounds_with_counts(request.organization), pk=pk)
    neighbours, crossings = [], []
    if compound.region_id:
        neighbours = list(compounds_with_counts(request.organization).filter(region_id=compound.region_id))
        crossings = list(Crossing.objects.filter(region_id=compound.region_id))
    plot = _plot(
        [compound_point(c, highlight=c.pk == compound.pk) for c in neighbours or [compound]],
        [crossing_point(c) for c in crossings],
        [region_point(compound.region)] if compound.region_id else [],
    )
    return render(
        request,
        "cases/compound_detail.html",
        {
            "compound": compound,
            "country_name": COUNTRY_NAMES.get(compound.country, compound.country),
            "neighbours": [c for c in neighbours if c.pk != compound.pk],
            "crossings": crossings,
            "plot": plot,
        },
    )


@require_GET
@organization_required
def region_list(request):
    regions = list(regions_with_counts(request.organization).order_by("name"))
    crossings = list(Crossing.objects.exclude(latitude__isnull=True))
    plot = _plot([region_point(r) for r in regions], [crossing_point(c) for c in crossings])
    return render(request, "cases/region_list.html", {"regions": regions, "plot": plot})


@require_GET
@organization_required
def region_detail(request, pk: int):
    region = get_object_or_404(regions_with_counts(request.organization), pk=pk)
    compounds = list(compounds_with_counts(request.organization).filter(region=region).order_by("name"))
    crossings = list(region.crossings.order_by("name"))
    agencies = list(
        Agency.objects.visible_to(request.user)
        .filter(regions=region, is_active=True)
        .filter(Q(organization__isnull=True) | Q(organization=request.organization))
        .order_by("kind", "name")
    )
    plot = _plot(
        [region_point(region, highlight=True)],
        [crossing_point(c) for c in crossings],
        [compound_point(c) for c in compounds],
    )
    return render(
        request,
        "cases/region_detail.html",
        {
            "region": region,
            "country_a": COUNTRY_NAMES.get(region.country_a, region.country_a),
            "country_b": COUNTRY_NAMES.get(region.country_b, region.country_b),
            "compounds": compounds,
            "crossings": crossings,
            "agencies": agencies,
            "plot": plot,
            "open_cases_outside_compounds": max(region.open_cases - sum(c.open_cases for c in compounds), 0),
        },
    )
