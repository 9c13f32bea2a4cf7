"""The vendored fonts: every face fonts.css names is a real WOFF2 that draws the glossary's Thai and Burmese."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from tests.glossary_table import glossary_text

ROOT = Path(__file__).resolve().parents[2]
CSS = ROOT / "static" / "css" / "fonts.css"
DEBIAN_SOURCE = Path("/usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf")
FACE_RULE = re.compile(r"@font-face\s*\{(.*?)\}", re.DOTALL)
PAGE_BUDGET = 200 * 1024  # issue 13: a page weighs at most 200 KB without cache


def faces() -> list[dict[str, str]]:
    """Each @font-face rule of fonts.css as {descriptor: value}."""
    rules = []
    for body in FACE_RULE.findall(CSS.read_text(encoding="utf-8")):
        descriptors = (part.split(":", 1) for part in body.split(";") if ":" in part)
        rules.append({name.strip(): value.strip() for name, value in descriptors})
    return rules


def font_path(face: dict[str, str]) -> Path:
    url = re.fullmatch(r'url\("([^"]+)"\) format\("woff2"\)', face["src"]).group(1)
    return (CSS.parent / url).resolve()


def in_range(face: dict[str, str], char: str) -> bool:
    for part in face["unicode-range"].split(","):
        low, _, high = part.strip().removeprefix("U+").partition("-")
        if int(low, 16) <= ord(char) <= int(high or low, 16):
            return True
    return False


def family(name: str) -> list[dict[str, str]]:
    return [face for face in faces() if face["font-family"].strip('"') == name]


FACES = faces()


def test_fonts_css_declares_a_regular_and_a_bold_face_for_thai_and_burmese():
    declared = {(face["font-family"].strip('"'), face["font-weight"]) for face in FACES}
    assert declared == {(f, w) for f in ("Noto Sans Thai", "Noto Sans Myanmar") for w in ("400", "700")}
    assert all(face["font-display"] == "swap" for face in FACES), "text must show before the font arrives"


@pytest.mark.parametrize("face", FACES, ids=lambda face: font_path(face).name)
def test_every_font_the_stylesheet_names_is_a_real_woff2(face):
    path = font_path(face)
    assert path.is_file(), f"{path} is missing"
    assert path.read_bytes()[:4] == b"wOF2"
    assert TTFont(path).flavor == "woff2"


@pytest.mark.parametrize(
    ("name", "language", "script_tag"), [("Noto Sans Thai", "th", "thai"), ("Noto Sans Myanmar", "my", "mym2")]
)
def test_the_vendored_font_draws_every_glossary_term_in_its_script(name, language, script_tag):
    sample = glossary_text(language)
    for face in family(name):
        needed = {char for char in sample if in_range(face, char)}
        assert len(needed) > 20, "the glossary sample should exercise the script"
        font = TTFont(font_path(face))
        cmap = font.getBestCmap()
        assert not sorted(f"U+{ord(c):04X}" for c in needed if ord(c) not in cmap)
        # Stacked consonants and vowel marks need the font's shaping rules for the script, not just its glyphs.
        scripts = {record.ScriptTag for record in font["GSUB"].table.ScriptList.ScriptRecord}
        assert script_tag in scripts


def test_every_thai_and_burmese_letter_in_the_glossary_falls_in_a_vendored_face():
    thai, burmese = family("Noto Sans Thai")[0], family("Noto Sans Myanmar")[0]
    letters = {
        c for c in glossary_text("th") + glossary_text("my") if "\u0e00" <= c <= "\u0e7f" or "\u1000" <= c <= "\u109f"
    }
    assert not [c for c in letters if not (in_range(thai, c) or in_range(burmese, c))]


@pytest.mark.parametrize("name", ["Noto Sans Thai", "Noto Sans Myanmar"])
def test_a_pages_fonts_leave_most_of_its_weight_budget_for_the_page(name):
    weight = sum(font_path(face).stat().st_size for face in family(name))
    assert weight <= PAGE_BUDGET // 2, f"{name}: {weight} bytes for regular and bold"


def test_the_stack_puts_the_vendored_faces_first_and_names_system_chinese_fonts():
    stack = re.search(r"--font-family:\s*([^;]+);", CSS.read_text(encoding="utf-8")).group(1)
    names = [name.strip().strip('"') for name in stack.split(",")]
    assert names[:2] == ["Noto Sans Thai", "Noto Sans Myanmar"]
    assert {"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC"} <= set(names)
    assert names[-1] == "sans-serif"


@pytest.mark.skipif(
    not DEBIAN_SOURCE.exists(), reason="needs Debian's fonts-noto-core (apt-get install fonts-noto-core)"
)
def test_the_committed_fonts_are_what_bin_build_fonts_makes():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bin" / "build_fonts.py"), "--check"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
