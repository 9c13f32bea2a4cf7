"""Homecoming's entries on the case timeline (cases/views/timeline.py TIMELINE_SOURCES): screenings, each batch
step with who recorded it, follow-ups after return and risk flags: four querysets the case page reads in its one
timeline query (a UNION ALL with the status changes, `timeline_and_extra_rows`)."""

from django.db.models import CharField, Value
from django.utils.translation import gettext as _

from accounts.models import User
from cases.views.timeline import TimelineSource, timeline_rows

from .models import RetraffickingFlag, ReturnFollowUp, Screening, StepRecord

NAMES = ("screening", "step", "follow_up", "flag")


def timeline_querysets(victim) -> list:
    empty = Value("", output_field=CharField())
    return [
        timeline_rows(
            Screening.objects.filter(victim=victim),
            origin="screening",
            when="screened_at",
            code="outcome",
            text="agency__name",
            by="recorded_by",
        ),
        timeline_rows(
            StepRecord.objects.filter(victim=victim),
            origin="step",
            when="recorded_at",
            code="step",
            text="value",
            by="recorded_by",
        ),
        timeline_rows(
            ReturnFollowUp.objects.filter(victim=victim, done_at__isnull=False),
            origin="follow_up",
            when="done_at",
            code="outcome",
            text=empty,
            by="done_by",
        ),
        timeline_rows(
            RetraffickingFlag.objects.filter(victim=victim),
            origin="flag",
            when="raised_at",
            code="signs",
            text=empty,
            by="raised_by",
        ),
    ]


def timeline_entry(row, entry_type):
    code, source = row["code"] or "", row["origin"]
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
    return entry_type(when=row["when"], kind="homecoming", title=title, body=row["text"] or "", by=by)


HOMECOMING_TIMELINE = TimelineSource(NAMES, timeline_querysets, timeline_entry)
