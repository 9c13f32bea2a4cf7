"""Draw Homeward's icon (a white house on the brand blue) as static/favicon.svg, favicon.ico and apple-touch-icon.png.

Run through bin/build-favicon. One list of shapes feeds both the SVG and the Pillow drawing, so they match.
`--check` redraws in a temporary folder and fails when the committed files differ.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"

GRID = 64  # the drawing's units; the SVG's viewBox
BRAND = "#0b4f6c"  # --brand in static/css/homeward.css
WHITE = "#ffffff"
CORNER = 12
HOUSE = [(10, 33), (32, 12), (54, 33), (47, 33), (47, 52), (17, 52), (17, 33)]  # roof and walls, one outline
DOOR = (28, 39, 36, 52)  # left, top, right, bottom
ICO_SIZES = (16, 32, 48)
TOUCH_SIZE = 180
SUPERSAMPLE = 16  # draw at 1024 px and scale down, for smooth edges without an anti-aliasing renderer


def render_svg() -> str:
    points = " ".join(f"{x},{y}" for x, y in HOUSE)
    left, top, right, bottom = DOOR
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {GRID} {GRID}">'
        f'<rect width="{GRID}" height="{GRID}" rx="{CORNER}" fill="{BRAND}"/>'
        f'<polygon points="{points}" fill="{WHITE}"/>'
        f'<rect x="{left}" y="{top}" width="{right - left}" height="{bottom - top}" fill="{BRAND}"/>'
        "</svg>\n"
    )


def draw(size: int, *, corner: int = CORNER) -> Image.Image:
    """The icon at size × size pixels (RGBA, transparent outside the rounded square)."""
    scale = SUPERSAMPLE * size / GRID
    big = Image.new("RGBA", (size * SUPERSAMPLE, size * SUPERSAMPLE), (0, 0, 0, 0))
    pen = ImageDraw.Draw(big)
    pen.rounded_rectangle((0, 0, big.width - 1, big.height - 1), radius=round(corner * scale), fill=BRAND)
    pen.polygon([(x * scale, y * scale) for x, y in HOUSE], fill=WHITE)
    pen.rectangle(tuple(v * scale for v in DOOR), fill=BRAND)
    return big.resize((size, size), Image.Resampling.LANCZOS)


def build(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    svg = out_dir / "favicon.svg"
    svg.write_text(render_svg(), encoding="utf-8")
    ico = out_dir / "favicon.ico"
    frames = [draw(size) for size in ICO_SIZES]
    frames[-1].save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES], append_images=frames[:-1])
    touch = out_dir / "apple-touch-icon.png"
    draw(TOUCH_SIZE, corner=0).save(  # iOS rounds the corners itself and paints transparency black
        touch, format="PNG", optimize=True
    )
    return [svg, ico, touch]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        built = build(Path(tmp))
        stale = [p.name for p in built if not (STATIC / p.name).exists() or sha256(p) != sha256(STATIC / p.name)]
    if stale:
        print("differs from a fresh drawing:", ", ".join(stale))
        return 1
    print("favicon is up to date")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the committed files instead of writing")
    if parser.parse_args().check:
        return check()
    for path in build(STATIC):
        print(f"{path.stat().st_size:>7}  static/{path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
