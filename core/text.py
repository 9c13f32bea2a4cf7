"""Text that people type: size limits with a readable message, and names shown without bidirectional spoofing.

Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) can make a name display as
something else ("Ann\u202egnp.exe"); a name may also reorder the text around it. Names are stored as typed;
wherever one is shown, `bidi_isolated` strips those controls and wraps it in `<bdi>` (template filter `bdi`,
core/templatetags/bidi.py, a builtin in every template), and `strip_bidi_controls` serves plain-text places
(titles, the admin's columns, option labels).
"""

import re

from django.core.validators import MaxLengthValidator
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")

#: A case note, an outcome, what was shared with an agency, a referral's reasons: far beyond any real note.
LONG_TEXT_MAX_CHARS = 20_000
#: Lists typed in a box: names used in the compound, phone numbers, handles, a location, contact channels.
SHORT_TEXT_MAX_CHARS = 2_000


def strip_bidi_controls(text) -> str:
    """The text without bidirectional embedding, override and isolate controls."""
    return BIDI_CONTROLS.sub("", "" if text is None else str(text))


def bidi_isolated(text) -> SafeString:
    """Escaped text without bidi controls, isolated in `<bdi>` so it cannot reorder what surrounds it."""
    return format_html("<bdi>{}</bdi>", strip_bidi_controls(text))


def max_chars(limit: int) -> MaxLengthValidator:
    """A length limit whose message says how long the text is and how long it may be."""
    return MaxLengthValidator(
        limit,
        message=_(
            "This text is %(show_value)d characters long; it can hold at most %(limit_value)d. "
            "Shorten it, or split it into two entries."
        ),
    )
