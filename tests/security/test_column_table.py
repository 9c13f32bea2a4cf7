"""docs/security.md lists every column of the apps holding people's data and whether it is encrypted, as the models
say: a new column, or one whose storage changed, fails here until the table is regenerated and reviewed."""

from pathlib import Path

from tests.security.column_table import END, START, section

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def test_the_column_table_in_docs_security_is_the_models():
    text = DOC.read_text(encoding="utf-8")
    assert START in text and END in text, "docs/security.md has no generated column table"
    documented = text[text.index(START) : text.index(END) + len(END)]
    assert documented == section(), (
        "regenerate: DJANGO_SETTINGS_MODULE=config.settings.test python -m tests.security.column_table"
    )


def test_no_name_date_of_birth_or_free_text_about_a_person_is_in_the_clear():
    clear = {line.split("|")[2].strip() for line in section().splitlines() if line.endswith("| clear |")}
    for column in ("full_name", "date_of_birth", "names_in_compound", "passport_number", "body", "contact_channels"):
        assert column not in clear, column
