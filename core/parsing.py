"""Reading numbers typed or sent by a browser, where `str.isdigit()` and `int()` disagree.

`"²".isdigit()` and `"①".isdigit()` are true but `int()` refuses them, and `int()` refuses more than 4,300 digits:
an id or sequence number taken from a URL or a hidden field goes through `plain_number()` instead.
"""

import re

_PLAIN_NUMBER = re.compile(r"[0-9]{1,18}")  # ASCII digits only; 18 fit in a 64-bit database integer


def plain_number(text: str) -> int | None:
    """The whole number written in `text` with ASCII digits (surrounding spaces ignored), else None."""
    text = text.strip() if isinstance(text, str) else ""
    return int(text) if _PLAIN_NUMBER.fullmatch(text) else None
