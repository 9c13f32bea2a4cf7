"""Notes on a case (added, and corrected by an admin), and who reported the person."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.trail import audited_update

from ..models import CaseNote, Reporter, RescueRequest, Victim


def case_note_add(
    *,
    victim: Victim,
    author: User | None,
    body: str,
    kind: str = CaseNote.Kind.INTERNAL,
    is_restricted: bool = False,
    occurred_at: datetime | None = None,
    rescue_request: RescueRequest | None = None,
) -> CaseNote:
    """Add a dated note to a case. Contact with the person also sets the victim's last contact time."""
    occurred_at = occurred_at or timezone.now()
    note = CaseNote(
        organization_id=victim.organization_id,
        victim=victim,
        rescue_request=rescue_request,
        kind=kind,
        body=body,
        is_restricted=is_restricted,
        occurred_at=occurred_at,
        author=author,
    )
    note.full_clean()
    note.save()
    if kind == CaseNote.Kind.CONTACT_PERSON and (
        victim.last_contact_at is None or victim.last_contact_at < occurred_at
    ):
        # Not a save(): logging contact must not make someone's open edit form stale. Still audited.
        audited_update(Victim.objects.filter(pk=victim.pk), last_contact_at=occurred_at, updated_at=timezone.now())
        victim.last_contact_at = occurred_at
    return note


@transaction.atomic
def case_note_correct(*, note: CaseNote, corrected_by: User | None, **fields) -> CaseNote:
    """Correct a note in place (e.g. remove a detail that should not have been written down); the author stays.

    Audited like every change of a note (the body itself is masked in the trail).
    """
    for name, value in fields.items():
        setattr(note, name, value)
    note.full_clean()
    note.save()
    return note


#: What a caseworker or admin records about a reporter.
REPORTER_FIELDS = ("name", "relationship", "contact_channels", "language", "safe_to_contact", "safe_contact_times")


@transaction.atomic
def reporter_add(*, victim: Victim, created_by: User | None, **fields) -> Reporter:
    """Record who reported the person (a family member, a hotline...)."""
    reporter = Reporter(organization_id=victim.organization_id, victim=victim, created_by=created_by, **fields)
    reporter.full_clean()
    reporter.save()
    return reporter


@transaction.atomic
def reporter_update(*, reporter: Reporter, **fields) -> Reporter:
    for name, value in fields.items():
        setattr(reporter, name, value)
    reporter.organization_id = reporter.victim.organization_id
    reporter.full_clean()
    reporter.save()
    return reporter


@transaction.atomic
def reporter_remove(*, reporter: Reporter) -> None:
    reporter.delete()
