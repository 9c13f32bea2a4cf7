"""A sweep's emails rendered once per shape: due items that differ only in case number, link and times.

A sweep turns thousands of due items into emails whose templates branch only on a few values (priority, days
overdue, round, assigned or not, the organisation and its time zone). `ShapeRenderer` renders each template once
per such shape with stand-in values for the case number, the case link and the times, then fills in each item's
own values (HTML-escaped in the HTML part, as Django's autoescaping would). The result is the same text as a full
render (tests/tracker/test_email_shapes.py compares them); a template that shows a time in a format this module
does not know is noticed (the stand-in's year would remain) and rendered in full for every item instead.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import dateformat, translation
from django.utils.html import escape

from .outbox import render_email

CASE = "\u27e6case-number\u27e7"
URL = "https://stand-in.invalid/\u27e6case-url\u27e7/"
TIME = datetime(1901, 2, 3, 4, 5, tzinfo=UTC)  # a year no real due date has: left over means "unknown format"
TIME_FORMATS = ("j M Y, H:i", "j M Y")  # the formats templates/emails/*.txt|html use for times (longest first)


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
        key = (template, translation.get_language(), times, fixed)
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
                values[_marker(field, fmt)] = dateformat.format(moment.astimezone(zone), fmt) if moment else ""
        for stand_in, value in values.items():
            text = text.replace(stand_in, value)
            html = html.replace(stand_in, escape(value))
        return text, html

    def _shape(self, template: str, context: dict, times: tuple[str, ...]) -> tuple[str, str] | None:
        if "timezone" not in context or "case_number" not in context or "case_url" not in context:
            return None
        if any(not isinstance(context.get(field), datetime) for field in times):
            return None  # an empty time renders differently (no stand-in to replace)
        # Each time gets its own stand-in (a different day and hour), so each is found again in the output.
        stand_ins = {field: TIME + timedelta(days=i, hours=i) for i, field in enumerate(times)}
        sample = {**context, "case_number": CASE, "case_url": URL, **stand_ins}
        text, html = render_email(template=template, context=sample)
        zone = ZoneInfo(str(context["timezone"]))
        for field, stand_in in stand_ins.items():
            for fmt in TIME_FORMATS:
                shown = dateformat.format(stand_in.astimezone(zone), fmt)
                text, html = text.replace(shown, _marker(field, fmt)), html.replace(shown, _marker(field, fmt))
        if "1901" in text or "1901" in html:
            return None  # a time shown in a format not in TIME_FORMATS
        return text, html


def _hashable(value):
    if isinstance(value, dict | list | set):
        return repr(value)
    return value
