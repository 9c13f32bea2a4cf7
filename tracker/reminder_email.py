"""One recipient's reminder email: every due follow-up of theirs in one email, rendered once per sweep.

The email's layout is a template (templates/emails/reminder.*) rendered once per recipient; the lines of each due
case are made here with gettext from the same msgids the per-item template used, because a template tag per line
of thousands of cases costs more than everything else in a sweep (docs/performance.md, "Follow-up engine").
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from django.utils import formats, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.models import RescueRequest

from .links import case_link
from .outbox import render_email


@dataclass(frozen=True)
class ReminderLine:
    """What the email says about one due case."""

    case_number: str
    victim_id: int
    priority: str
    due_at: datetime
    days_overdue: int
    round: int
    unassigned: bool


def _labels() -> dict[str, str]:
    """The strings every line shares, translated once per email in the active language."""
    return {
        "priority": _("Priority"),
        "due": _("Follow-up was due"),
        "overdue": _("Overdue"),
        "unassigned": _("Nobody is assigned to this case, so this reminder goes to the supervisors."),
        "log": _("Log the contact to move the next follow-up forward"),
        "open": _("Open the case and log the contact"),
        **{f"priority:{value}": str(label) for value, label in RescueRequest.Priority.choices},
    }


class ReminderWording:
    """What lines of different emails in one language share, worded once per sweep: the labels, each due time
    as shown in each time zone, and the "overdue by" and "due again" sentences for each number of days/rounds."""

    def __init__(self):
        self.labels: dict[str, dict[str, str]] = {}
        self.times: dict[tuple, str] = {}
        self.counted: dict[tuple, str] = {}
        self.frames: dict[tuple, Frame | None] = {}

    def labels_for(self, language: str) -> dict[str, str]:
        if language not in self.labels:
            labels = _labels()
            self.labels[language] = {**labels, **{f"html:{name}": escape(label) for name, label in labels.items()}}
        return self.labels[language]

    def due(self, moment: datetime, zone: str, language: str) -> str:
        key = (moment, zone, language)
        if key not in self.times:
            self.times[key] = formats.date_format(moment.astimezone(ZoneInfo(zone)), "DATETIME_FORMAT")
        return self.times[key]

    def count(self, what: str, number: int, language: str) -> str:
        key = (what, number, language)
        if key not in self.counted:
            self.counted[key] = _COUNTED[what](number)
        return self.counted[key]

    def frame(self, language: str, organization, timezone: str) -> "Frame | None":
        """The layout around the lines, rendered once per language and organisation (None: render in full)."""
        key = (language, getattr(organization, "pk", None), timezone)
        if key not in self.frames:
            self.frames[key] = Frame.rendered(organization=organization, timezone=timezone)
        return self.frames[key]


TITLE = "\u27e6title\u27e7"


def _item(index: int) -> str:
    return f"\u27e6item-{index}\u27e7"


@dataclass(frozen=True)
class Frame:
    """templates/emails/reminder.* rendered with stand-ins for the title and the lines, cut around them: the email
    for any number of lines is the parts before, between and after them, as a full render would put them."""

    text: tuple[str, str, str]  # before the first line, between two, after the last
    html: tuple[str, str, str]

    @classmethod
    def rendered(cls, *, organization, timezone: str) -> "Frame | None":
        def render(count: int) -> tuple[str, str]:
            items = [{"text": _item(i), "html": _item(i)} for i in range(count)]
            context = {"items": items, "organization": organization, "timezone": timezone, "title": TITLE}
            return render_email(template="reminder", context=context)

        samples = {count: render(count) for count in (1, 2, 3)}
        parts = []
        for kind in (0, 1):  # text, html
            two = samples[2][kind]
            if TITLE in two and kind == 0 or two.count(_item(0)) != 1 or two.count(_item(1)) != 1:
                return None
            before, rest = two.split(_item(0))
            between, after = rest.split(_item(1))
            frame = (before, between, after)
            # The cut must give back what the template renders for one and for three lines, or it is not this shape.
            for count in (1, 3):
                if _join(frame, [_item(i) for i in range(count)]) != samples[count][kind]:
                    return None
            parts.append(frame)
        return cls(text=parts[0], html=parts[1])

    def fill(self, *, title: str, texts: list[str], htmls: list[str]) -> tuple[str, str] | None:
        if any("\n\n\n" in text or text != text.strip() for text in texts):
            return None  # render_email's clean-up of blank lines would reach into a line: render in full
        html = _join(self.html, htmls)
        return _join(self.text, texts), html.replace(TITLE, escape(title))


def _join(frame: tuple[str, str, str], lines: list[str]) -> str:
    before, between, after = frame
    return before + between.join(lines) + after


_COUNTED = {
    "overdue": lambda days: ngettext("Overdue by %(days)s day.", "Overdue by %(days)s days.", days) % {"days": days},
    "rounds": lambda rounds: (
        ngettext(
            "It has been due again %(rounds)s time since.",
            "It has been due again %(rounds)s times since.",
            rounds,
        )
        % {"rounds": rounds}
    ),
    "days": lambda days: ngettext("%(days)s day", "%(days)s days", days) % {"days": days},
}


def _text(line: ReminderLine, labels: dict[str, str], due: str, zone: str, count) -> str:
    parts = [
        _("A follow-up is due on case %(case_number)s.") % {"case_number": line.case_number},
        "",
        f"{labels['priority']}: {labels['priority:' + line.priority]}",
        f"{labels['due']}: {due} ({zone})",
    ]
    if line.days_overdue:
        parts.append(count("overdue", line.days_overdue))
    if line.round:
        parts.append(count("rounds", line.round))
    if line.unassigned:
        parts.append(labels["unassigned"])
    parts += ["", f"{labels['log']}: {case_link(line.victim_id)}"]
    return "\n".join(parts)


def _html(line: ReminderLine, labels: dict[str, str], due: str, zone: str, count) -> str:
    heading = _("A follow-up is due on case <strong>%(case_number)s</strong>.") % {
        "case_number": escape(line.case_number)
    }
    overdue = ""
    if line.days_overdue:
        overdue = (
            f'<tr><td style="color:#66707a;">{labels["html:overdue"]}</td>'
            f'<td style="color:#b42318;font-weight:bold;">{count("days", line.days_overdue)}</td></tr>'
        )
    unassigned = f'<p style="margin:0 0 12px 0;">{labels["html:unassigned"]}</p>' if line.unassigned else ""
    return (
        f'<p style="margin:0 0 12px 0;font-size:16px;">{heading}</p>\n'
        '<table role="presentation" cellpadding="4" cellspacing="0" style="font-size:14px;margin:0 0 12px 0;">\n'
        f'<tr><td style="color:#66707a;">{labels["html:priority"]}</td>'
        f"<td>{labels['html:priority:' + line.priority]}</td></tr>\n"
        f'<tr><td style="color:#66707a;">{labels["html:due"]}</td><td>{escape(due)} ({escape(zone)})</td></tr>\n'
        f"{overdue}</table>\n{unassigned}"
        f'<p style="margin:16px 0;"><a href="{escape(case_link(line.victim_id))}" style="background:#1d3557;'
        'color:#ffffff;padding:10px 16px;border-radius:4px;text-decoration:none;display:inline-block;">'
        f"{labels['html:open']}</a></p>\n"
    )


def reminder_email(
    lines: Sequence[ReminderLine],
    *,
    language: str,
    organization,
    timezone: str,
    wording: ReminderWording | None = None,
) -> tuple[str, str, str]:
    """(subject, text, html) of one recipient's reminder listing `lines` (oldest due first), in `language`.

    Pass one `wording` to every email of a sweep to word what their lines share once."""
    lines = sorted(lines, key=lambda line: (line.due_at, line.case_number))
    wording = wording or ReminderWording()
    with translation.override(language):
        labels = wording.labels_for(language)
        count = partial(_counted, wording, language)
        subject = _("Follow-up due: %(case)s") % {"case": case_list([line.case_number for line in lines])}
        items = []
        for line in lines:
            due = wording.due(line.due_at, timezone, language)
            html = mark_safe(_html(line, labels, due, timezone, count))  # noqa: S308 - every value in it is escaped
            items.append({"text": _text(line, labels, due, timezone, count), "html": html})
        frame = wording.frame(language, organization, timezone)
        filled = frame and frame.fill(
            title=subject, texts=[item["text"] for item in items], htmls=[item["html"] for item in items]
        )
        if filled:
            text, html = filled
        else:
            context = {"items": items, "organization": organization, "timezone": timezone, "title": subject}
            text, html = render_email(template="reminder", context=context)
    return subject, text, html


def _counted(wording: ReminderWording, language: str, what: str, number: int) -> str:
    return wording.count(what, number, language)


def case_list(case_numbers: list[str], *, limit: int = 200) -> str:
    """Case numbers for a subject line, as many as fit in `limit` characters, then an ellipsis."""
    shown = ""
    for index, number in enumerate(case_numbers):
        longer = f"{shown}, {number}" if shown else number
        if len(longer) > limit:
            return f"{shown}, …" if index else f"{number[:limit]}…"
        shown = longer
    return shown
