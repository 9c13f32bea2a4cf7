"""docs/glossary.md: every field term has a rendering in each of the five languages, in that language's script."""

import re

import pytest

from tests.glossary_table import GLOSSARY, LANGUAGES, glossary_rows

ROWS = glossary_rows()
SCRIPTS = {
    "th": re.compile(r"[\u0E00-\u0E7F]"),
    "my": re.compile(r"[\u1000-\u109F]"),
    "zh-hans": re.compile(r"[\u4E00-\u9FFF]"),
}
NON_LATIN = re.compile(r"[\u0E00-\u0E7F\u1000-\u109F\u3000-\u9FFF]")
# The terms issue 13 and the translators' brief name; each must have a row.
REQUIRED_TERMS = [
    "person", "case", "caseworker", "supervisor", "organisation admin", "rescue request", "follow-up", "overdue",
    "referral", "consent", "vital-interest override", "compound", "border region", "crossing", "agency", "embassy",
    "screening", "victim of trafficking", "national referral mechanism", "repatriation batch", "manifest",
    "travel document", "emergency travel document", "released list", "match", "missing in transit",
    "weekly digest", "reminder", "escalation", "two-factor authentication", "sign in",
]  # fmt: skip


def english_term(row: dict[str, str]) -> str:
    return row["en"].split(" (")[0]


def test_the_glossary_has_about_sixty_terms_each_once():
    terms = [english_term(row) for row in ROWS]
    assert len(terms) >= 60
    assert len(terms) == len(set(terms)), sorted(t for t in terms if terms.count(t) > 1)


@pytest.mark.parametrize("row", ROWS, ids=english_term)
def test_every_term_is_rendered_in_all_five_languages(row):
    missing = [language for language in LANGUAGES if not row[language] or row[language] in {"-", "—", "?", "TODO"}]
    assert not missing, f"{row['en']!r} has no rendering in {missing}"


@pytest.mark.parametrize("row", ROWS, ids=english_term)
def test_each_rendering_is_written_in_its_languages_script(row):
    for language, script in SCRIPTS.items():
        assert script.search(row[language]), f"{row['en']!r}: the {language} column is not in its script"
    for language in ("vi", "id"):
        assert not NON_LATIN.search(row[language]), f"{row['en']!r}: the {language} column holds another script"


def test_the_terms_the_issue_asks_for_are_all_fixed():
    terms = {english_term(row) for row in ROWS}
    assert not [term for term in REQUIRED_TERMS if term not in terms]


def test_native_check_names_only_glossary_languages():
    allowed = {"th", "my", "zh", "vi", "id"}
    for row in ROWS:
        value = row["native check"]
        assert value == "—" or set(value.replace(" ", "").split(",")) <= allowed, (row["en"], value)


def test_every_source_key_in_the_tables_is_explained_under_sources():
    text = GLOSSARY.read_text(encoding="utf-8")
    explained = set(re.findall(r"^- \*\*([A-Z0-9-]+)\*\*:", text, flags=re.MULTILINE))
    used = {key.strip() for row in ROWS for key in row["sources"].split(",") if key.strip() != "—"}
    assert used <= explained, sorted(used - explained)
