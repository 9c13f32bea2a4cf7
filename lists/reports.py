"""Counts and rows the pages and commands report about a list: suggestions, unknown people, the CSV of matches."""

import csv
import io

from django.db.models import Count, Q

from core.names import THRESHOLD

from .models import ListEntry, Match, ReleasedList


def counts(released_list: ReleasedList, organization) -> dict[str, int]:
    """Rows, rows with errors, suggestions, rows with a suggestion above the threshold, people matched nobody.

    "unknown" counts what the list page lists as unknown (unmatched_entries): a row without a name is an error,
    not a person we do not know.
    """
    matches = Match.objects.visible_to(organization).filter(entry__released_list=released_list)
    totals = matches.aggregate(
        suggestions=Count("pk"),
        above=Count("pk", filter=Q(rank=1, score__gte=THRESHOLD)),
        confirmed=Count("pk", filter=Q(status=Match.Status.CONFIRMED)),
        rejected=Count("pk", filter=Q(status=Match.Status.REJECTED)),
    )
    matched_rows = matches.values("entry_id").distinct().count()
    return {
        "rows": released_list.rows_total,
        "errors": released_list.rows_with_errors,
        "matched_rows": matched_rows,
        "unknown": unmatched_entries(released_list, organization).count(),
        **totals,
    }


def summary_line(released_list: ReleasedList, organization, *, already: bool = False) -> str:
    c = counts(released_list, organization)
    head = f"list {released_list.pk}"
    if already:
        head += f" (already imported on {released_list.uploaded_at:%Y-%m-%d}, same SHA-256)"
    return (
        f"{head}: {c['rows']} rows, {c['errors']} with errors, {c['suggestions']} suggestions for "
        f"{c['matched_rows']} rows ({c['above']} above {THRESHOLD:.2f}), {c['unknown']} rows matched nobody, "
        f"{c['confirmed']} confirmed, {c['rejected']} rejected"
    )


def unmatched_entries(released_list: ReleasedList, organization):
    """Entries with a name that have no suggestion (or only rejected ones) among the organisation's cases."""
    open_matches = Match.objects.visible_to(organization).exclude(status=Match.Status.REJECTED)
    return (
        ListEntry.objects.filter(released_list=released_list)
        .exclude(name="")
        .exclude(pk__in=open_matches.values("entry_id"))
        .order_by("line")
    )


def matches_csv(released_list: ReleasedList, organization) -> str:
    """One line per suggestion: row, case number, external reference, score, status."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["row", "case_number", "external_reference", "score", "status"])
    rows = (
        Match.objects.visible_to(organization)
        .filter(entry__released_list=released_list)
        .select_related("entry", "victim", "victim__imported_from")
        .order_by("entry__line", "rank")
    )
    for match in rows:
        imported = getattr(match.victim, "imported_from", None)
        writer.writerow(
            [
                match.entry.line,
                match.victim.case_number,
                imported.external_reference if imported else "",
                f"{match.score:.3f}",
                match.status,
            ]
        )
    return out.getvalue()
