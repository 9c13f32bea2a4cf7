"""A sweep's emails rendered once per shape: due items that differ only in case number, link and times.

A sweep turns thousands of due items into emails whose templates branch only on a few values (priority, days
overdue, round, assigned or not, the organisation and its time zone). `ShapeRenderer` renders each template once
per such shape with stand-in values for the case number, the case link and the times, then fills in each item's
own values (HTML-escaped in the HTML part, as Django's autoescaping would). The result is the same text as a full
render (tests/tracker/test_email_shapes.py compares them); a template that shows a time in a format this module
does not know is noticed (two renders with different stand-in times differ) and rendered in full for every item.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import formats, translation
from django.utils.html import escape

from .outbox import render_email

CASE = "\u27e6case-number\u27e7"
URL = "https://stand-in.invalid/\u27e6case-url\u27e7/"
TIME = datetime(1901, 2, 3, 4, 5, tzinfo=UTC)  # stand-in times: a year no real due date has
# The formats templates/emails/* show times in (the `date` filter's argument), longest first: the named ones are
# each language's own (config/formats, Django's locale formats).
TIME_FORMATS = ("DATETIME_FORMAT", "DATE_FORMAT", "j M Y, H:i", "j M Y")


def _marker(field: str, fmt: str) -> str:
    return f"\u27e6{field}|{fmt}\u27e7"


class ShapeRenderer:
    """Renders (text, html) of `render_email` per item, once per shape; keep one per sweep run."""

    def __init__(self):
        self.shapes: dict[tuple, tuple[str, str] | None] = {}
        self.full_renders = 0

    def render(self, *, template: str, context: dict, times: Iterable[str] = ("due_at",)) -> tuple[str, str]:
        times = tuple(times)
        varying = {"case_number", "case_url", *times}
        fixed = tuple(sorted((k, _hashable(v)) for k, v in context.items() if k not in varying))
        empty = tuple(context.get(field) is None for field in times)
        key = (template, translation.get_language(), times, empty, fixed)
        if key not in self.shapes:
            self.shapes[key] = self._shape(template, context, times)
        shape = self.shapes[key]
        if shape is None:  # this template shows a value this module cannot stand in for: render in full
            self.full_renders += 1
            return render_email(template=template, context=context)
        text, html = shape
        values = {CASE: str(context["case_number"]), URL: str(context["case_url"])}
        zone = ZoneInfo(str(context["timezone"]))
        for field in times:
            moment = context[field]
            for fmt in TIME_FORMATS:
                values[_marker(field, fmt)] = formats.date_format(moment.astimezone(zone), fmt)
        for stand_in, value in values.items():
            text = text.replace(stand_in, value)
            html = html.replace(stand_in, escape(value))
        return text, html

    def _shape(self, template: str, context: dict, times: tuple[str, ...]) -> tuple[str, str] | None:
        if "timezone" not in context or "case_number" not in context or "case_url" not in context:
            return None
        if any(not isinstance(context.get(field), datetime) for field in times):
            return None  # an empty time renders differently (no stand-in to replace)
        # Rendered twice with different stand-in times (each time its own day and hour): once every time shown is
        # replaced by its marker both read the same; if not, a time is shown in a format not in TIME_FORMATS.
        marked = [self._marked(template, context, times, base) for base in (TIME, TIME + timedelta(days=400, hours=7))]
        return marked[0] if marked[0] == marked[1] else None

    @staticmethod
    def _marked(template: str, context: dict, times: tuple[str, ...], base: datetime) -> tuple[str, str]:
        stand_ins = {field: base + timedelta(days=i, hours=i) for i, field in enumerate(times)}
        text, html = render_email(
            template=template, context={**context, "case_number": CASE, "case_url": URL, **stand_ins}
        )
        zone = ZoneInfo(str(context["timezone"]))
        for field, stand_in in stand_ins.items():
            for fmt in TIME_FORMATS:
                shown = formats.date_format(stand_in.astimezone(zone), fmt)
                text, html = text.replace(shown, _marker(field, fmt)), html.replace(shown, _marker(field, fmt))
        return text, html


def _hashable(value):
    if isinstance(value, dict | list | set):
        return repr(value)
    return value
