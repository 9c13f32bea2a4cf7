"""A small compiled catalogue for tests: a few English messages translated, in a temporary LOCALE_PATHS."""

import subprocess
from pathlib import Path

HEADER = (
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
)


def compile_catalogue(folder: Path, language: str, translations: dict[str | tuple[str, str], str]) -> Path:
    """Write and compile locale/<language>/LC_MESSAGES/django.po under `folder`; returns the locale folder.
    A key is the English message, or (context, message) for a message with a msgctxt."""
    messages = folder / "locale" / language / "LC_MESSAGES"
    messages.mkdir(parents=True)
    entries = "".join(_entry(english, translated) for english, translated in translations.items())
    (messages / "django.po").write_text(HEADER + entries, encoding="utf-8")
    subprocess.run(  # noqa: S603 - fixed arguments
        ["msgfmt", "-o", str(messages / "django.mo"), str(messages / "django.po")],  # noqa: S607
        check=True,
    )
    return folder / "locale"


def _entry(english: str | tuple[str, str], translated: str) -> str:
    if isinstance(english, tuple):
        context, message = english
        return f'msgctxt "{context}"\nmsgid "{message}"\nmsgstr "{translated}"\n\n'
    return f'msgid "{english}"\nmsgstr "{translated}"\n\n'
