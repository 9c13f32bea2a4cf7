"""The supervisors' chart, drawn on the server as SVG: people per stage, a stacked bar per nationality."""

from django.utils.html import escape
from django.utils.translation import gettext

from places.codes import COUNTRY_NAMES

COLOURS = ("#1b6ca8", "#e07b39", "#3c9d5d", "#8e5ea2", "#c94c4c", "#7f7f7f", "#b8a031", "#2aa1a1")
BAR_HEIGHT, GAP, LABEL_WIDTH, WIDTH = 26, 10, 200, 640


def stage_chart_svg(data) -> str:
    """An accessible SVG (title, a text label per bar segment's count); no script, no external resource."""
    nationalities = data.nationalities[: len(COLOURS) - 1]
    others = set(data.nationalities) - set(nationalities)
    biggest = max([sum(counter.values()) for counter in data.counts.values()] + [1])
    scale = (WIDTH - LABEL_WIDTH - 40) / biggest
    parts = []
    y = 0
    for code, label in data.stages:
        counter = data.counts.get(code, {})
        parts.append(f'<text x="0" y="{y + 18}" class="chart__label">{escape(label)}</text>')
        x = LABEL_WIDTH
        segments = [(n, counter.get(n, 0)) for n in nationalities] + [("*", sum(counter.get(n, 0) for n in others))]
        for index, (nationality, count) in enumerate(segments):
            if not count:
                continue
            width = max(count * scale, 2)
            name = COUNTRY_NAMES.get(nationality, "") or (
                gettext("Other") if nationality == "*" else gettext("Unknown")
            )
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" fill="{COLOURS[index]}">'
                f"<title>{escape(name)}: {count}</title></rect>"
            )
            x += width
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 18}" class="chart__count">{sum(counter.values())}</text>')
        y += BAR_HEIGHT + GAP
    legend_y = y + 10
    for index, nationality in enumerate([*nationalities, *(["*"] if others else [])]):
        name = COUNTRY_NAMES.get(nationality, "") or (gettext("Other") if nationality == "*" else gettext("Unknown"))
        lx = (index % 4) * 160
        ly = legend_y + (index // 4) * 20
        parts.append(f'<rect x="{lx}" y="{ly}" width="12" height="12" fill="{COLOURS[index]}"></rect>')
        parts.append(f'<text x="{lx + 16}" y="{ly + 11}" class="chart__legend">{escape(str(name))}</text>')
    height = legend_y + ((len(nationalities) + 1) // 4 + 1) * 20
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'class="chart" aria-label="{escape(gettext("People per stage and nationality"))}">{"".join(parts)}</svg>'
    )
