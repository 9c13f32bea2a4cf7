"""docs/architecture.md stays true: its layers are the import contract's, its tables name code that exists."""

import re
import tomllib
from pathlib import Path

from tracker.schedules import schedules

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def table(heading: str) -> list[list[str]]:
    """The rows of the first table under `## heading`, as lists of cell texts."""
    section = DOC.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def test_the_layer_diagram_is_the_import_contract():
    contract = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]
    diagram = DOC.split("## Layers\n", 1)[1].split("```", 2)[1]
    # A layer's name ends at two spaces ("lists | homecoming  ..." is one layer of two siblings).
    drawn = [re.split(r"\s{2,}", line.strip())[0] for line in diagram.strip().splitlines() if line[:6].strip()]
    assert drawn == contract["layers"]
    assert contract["type"] == "layers"


def test_the_periodic_tasks_table_is_the_schedule():
    listed = [(name, task.strip("`"), queue) for name, task, queue in table("Periodic tasks")]
    assert listed == [(s.name, s.task, s.queue) for s in schedules()]


def test_every_place_the_behaviour_table_names_exists():
    for behaviour, place, _asked_by in table("Where each behaviour lives"):
        for path in re.findall(r"`([\w/]+(?:\.py|/))", place):
            assert (ROOT / path).exists(), f"{behaviour}: {path} does not exist"
        names = re.findall(r"`(?:[\w.]+\.)?(\w+)\(\)`", place)
        sources = "".join(
            (ROOT / path).read_text() if (ROOT / path).is_file() else "" for path in re.findall(r"`([\w/]+\.py)", place)
        ) + "".join(p.read_text() for path in re.findall(r"`([\w/]+/)`", place) for p in (ROOT / path).glob("*.py"))
        for name in names:
            assert f"def {name}(" in sources, f"{behaviour}: {name}() is not defined where the table says"


MODULE_LINES = 400  # issue 10: no application module over ~400 lines (migrations are generated, not read)


def test_no_application_module_is_over_the_size_limit():
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]
    too_long = {
        str(path.relative_to(ROOT)): lines
        for package in packages
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_LINES
    }
    assert too_long == {}, f"split these by concept (lines): {too_long}"
