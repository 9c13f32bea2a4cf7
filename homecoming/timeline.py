"""Homecoming's entries on the case timeline (cases/views/timeline.py TIMELINE_SOURCES): screenings, each batch
step with who recorded it, follow-ups after return and risk flags."""

from django.utils.translation import gettext as _

from .models import RetraffickingFlag, ReturnFollowUp, Screening, StepRecord


def timeline_entries(victim, entry_type):
    entries = []
    for screening in Screening.objects.filter(victim=victim).select_related("recorded_by", "agency"):
        entries.append(
            entry_type(
                when=screening.screened_at,
                kind="homecoming",
                title=_("Screening: %(outcome)s") % {"outcome": screening.get_outcome_display()},
                body=screening.agency.name if screening.agency_id else "",
                by=screening.recorded_by,
            )
        )
    for record in StepRecord.objects.filter(victim=victim).select_related("recorded_by"):
        entries.append(
            entry_type(
                when=record.recorded_at,
                kind="homecoming",
                title=_("Repatriation: %(step)s") % {"step": record.get_step_display()},
                body=record.value,
                by=record.recorded_by,
            )
        )
    for follow_up in ReturnFollowUp.objects.filter(victim=victim, done_at__isnull=False).select_related("done_by"):
        entries.append(
            entry_type(
                when=follow_up.done_at,
                kind="homecoming",
                title=_("Follow-up after return: %(outcome)s") % {"outcome": follow_up.get_outcome_display()},
                by=follow_up.done_by,
            )
        )
    for flag in RetraffickingFlag.objects.filter(victim=victim).select_related("raised_by"):
        entries.append(
            entry_type(
                when=flag.raised_at,
                kind="homecoming",
                title=_("Re-trafficking risk: %(signs)s") % {"signs": ", ".join(str(s) for s in flag.get_signs_list())},
                by=flag.raised_by,
            )
        )
    return entries
