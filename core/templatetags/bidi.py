"""`{{ name|bdi }}`: a name shown isolated and without bidi controls; `{{ name|nobidi }}` where tags cannot go."""

from django import template

from core.text import bidi_isolated, strip_bidi_controls

register = template.Library()
register.filter("bdi", bidi_isolated)
register.filter("nobidi", strip_bidi_controls, is_safe=True)  # stripping keeps safe HTML safe
