"""Homecoming's entries on the case timeline (cases/views/timeline.py TIMELINE_SOURCES): screenings, each batch
step with who recorded it, follow-ups after return and risk flags, read in one query (a UNION ALL of the four)."""

from django.db.models import CharField, F, Value
from django.utils.translation import gettext as _

from accounts.models import User

from .models import RetraffickingFlag, ReturnFollowUp, Screening, StepRecord


def _rows(queryset, *, source: str, when: str, code: str, text, by: str):
    """One table's rows in the shape the four share: (source, when, code, text, by_id, by_name)."""
    return queryset.order_by().values(
        source=Value(source, output_field=CharField()),
        when=F(when),
        code=F(code),
        text=text,
        by_id=F(by),
        by_name=F(f"{by}__display_name"),
    )


def timeline_entries(victim, entry_type):
    empty = Value("", output_field=CharField())
    screenings = _rows(
        Screening.objects.filter(victim=victim),
        source="screening",
        when="screened_at",
        code="outcome",
        text=F("agency__name"),
        by="recorded_by",
    )
    steps = _rows(
        StepRecord.objects.filter(victim=victim),
        source="step",
        when="recorded_at",
        code="step",
        text=F("value"),
        by="recorded_by",
    )
    follow_ups = _rows(
        ReturnFollowUp.objects.filter(victim=victim, done_at__isnull=False),
        source="follow_up",
        when="done_at",
        code="outcome",
        text=empty,
        by="done_by",
    )
    flags = _rows(
        RetraffickingFlag.objects.filter(victim=victim),
        source="flag",
        when="raised_at",
        code="signs",
        text=empty,
        by="raised_by",
    )
    entries = []
    for row in screenings.union(steps, follow_ups, flags, all=True):
        code, source = row["code"] or "", row["source"]
        if source == "screening":
            title = _("Screening: %(outcome)s") % {"outcome": Screening(outcome=code).get_outcome_display()}
        elif source == "step":
            title = _("Repatriation: %(step)s") % {"step": StepRecord(step=code).get_step_display()}
        elif source == "follow_up":
            outcome = ReturnFollowUp(outcome=code).get_outcome_display()
            title = _("Follow-up after return: %(outcome)s") % {"outcome": outcome}
        else:
            signs = RetraffickingFlag(signs=code.split(",") if code else []).get_signs_list()
            title = _("Re-trafficking risk: %(signs)s") % {"signs": ", ".join(signs)}
        by = User(pk=row["by_id"], display_name=row["by_name"]) if row["by_id"] else None
        entries.append(entry_type(when=row["when"], kind="homecoming", title=title, body=row["text"] or "", by=by))
    return entries
