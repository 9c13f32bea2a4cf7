"""`{{ pk|case_url }}`: the case page's address, as `{% url 'cases:victim_detail' pk %}` gives it, without a reverse().

The working views list up to 150 cases, and Django's `reverse()` costs tens of microseconds each (several
milliseconds a page). The address is reversed once per URL configuration and script prefix with a marker number in
place of the id, and each case then costs a string concatenation.
"""

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

_MARKER = 987654321987654321
_shapes: dict[tuple, tuple[str, str]] = {}


def case_url_of(pk) -> str:
    key = (get_urlconf(), get_script_prefix())
    shape = _shapes.get(key)
    if shape is None:
        before, marker, after = reverse("cases:victim_detail", args=[_MARKER]).partition(str(_MARKER))
        if not marker:
            raise ValueError("the case page's address does not hold its id")
        shape = _shapes[key] = (before, after)
    return f"{shape[0]}{int(pk)}{shape[1]}"


@register.filter
def case_url(pk) -> str:
    return case_url_of(pk)
