"""The icon files: a real multi-size ICO, an SVG, a touch icon, all as bin/build-favicon draws them."""

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings

Image = pytest.importorskip("PIL.Image")

STATIC = Path(__file__).resolve().parents[2] / "static"


def test_favicon_ico_holds_the_sizes_browsers_ask_for():
    with Image.open(STATIC / "favicon.ico") as icon:
        assert icon.format == "ICO"
        assert {(16, 16), (32, 32), (48, 48)} <= set(icon.info["sizes"])


def test_favicon_svg_is_a_square_svg_drawing():
    root = ET.parse(STATIC / "favicon.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 64 64"


def test_the_touch_icon_is_opaque_since_ios_paints_transparency_black():
    with Image.open(STATIC / "apple-touch-icon.png") as icon:
        assert icon.size == (180, 180)
        assert icon.convert("RGBA").getextrema()[3] == (255, 255)


def test_the_committed_icons_are_what_bin_build_favicon_draws():
    script = STATIC.parent / "bin" / "build_favicon.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "suffix"), [("/favicon.ico", ".ico"), ("/apple-touch-icon.png", ".png")])
def test_the_icons_browsers_ask_for_at_the_site_root_are_served(client, path, suffix):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].endswith(suffix)
    from django.contrib.staticfiles import finders

    assert finders.find(response["Location"].removeprefix(settings.STATIC_URL))  # a file the app ships


@pytest.mark.django_db
def test_every_page_links_the_fonts_and_the_icon(client):
    page = client.get("/accounts/sign-in/").content.decode()
    assert "css/fonts.css" in page and "favicon.svg" in page
