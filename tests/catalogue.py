"""A small compiled catalogue for tests: a few English messages translated, in a temporary LOCALE_PATHS."""

import subprocess
from pathlib import Path

HEADER = (
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
)


def compile_catalogue(folder: Path, language: str, translations: dict[str, str]) -> Path:
    """Write and compile locale/<language>/LC_MESSAGES/django.po under `folder`; returns the locale folder."""
    messages = folder / "locale" / language / "LC_MESSAGES"
    messages.mkdir(parents=True)
    entries = "".join(f'msgid "{english}"\nmsgstr "{translated}"\n\n' for english, translated in translations.items())
    (messages / "django.po").write_text(HEADER + entries, encoding="utf-8")
    subprocess.run(  # noqa: S603 - fixed arguments
        ["msgfmt", "-o", str(messages / "django.mo"), str(messages / "django.po")],  # noqa: S607
        check=True,
    )
    return folder / "locale"
