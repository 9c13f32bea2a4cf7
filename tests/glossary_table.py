"""Reads the term tables of docs/glossary.md, for the glossary and font tests."""

from pathlib import Path

GLOSSARY = Path(__file__).resolve().parent.parent / "docs" / "glossary.md"
LANGUAGES = ("th", "my", "zh-hans", "vi", "id")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def glossary_rows() -> list[dict[str, str]]:
    """One dict per term: "en", the five language codes, "note", "sources", "native check"."""
    rows: list[dict[str, str]] = []
    columns: list[str] | None = None
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            columns = None
            continue
        cells = _cells(line)
        if cells[0].startswith("English"):
            columns = ["en"] + [cell.split()[-1] for cell in cells[1:6]] + [cell.lower() for cell in cells[6:]]
        elif columns and not set(line) <= set("|- "):
            assert len(cells) == len(columns), f"glossary row has {len(cells)} cells, not {len(columns)}: {line}"
            rows.append(dict(zip(columns, cells, strict=True)))
    return rows


def glossary_text(language: str) -> str:
    """Every rendering in one language, joined: sample text for the font tests."""
    return " ".join(row[language] for row in glossary_rows())
