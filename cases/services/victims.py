"""Creating, editing, moving through statuses and assigning a case; notes on it."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization, User
from accounts.permissions import Action, require
from audit.trail import audited_update

from ..models import Reporter, RescueRequest, Victim, VictimStatusChange
from ..signals import case_created
from .numbering import allocate_case_number
from .rules import VICTIM_TRANSITIONS

# --- Victims --------------------------------------------------------------------------------------


def _require_member(*, user: User | None, organization: Organization, field: str = "assigned_to") -> None:
    if (
        user is not None
        and not Membership.objects.filter(user=user, organization=organization, is_active=True).exists()
    ):
        raise ValidationError({field: _("%(user)s is not a member of %(org)s.") % {"user": user, "org": organization}})


@transaction.atomic
def victim_create(
    *,
    organization: Organization,
    created_by: User | None,
    now: datetime | None = None,
    reporter: dict | None = None,
    **fields,
) -> Victim:
    """Log a newly reported person: allocate a case number, save the victim and who reported them."""
    now = now or timezone.now()
    fields.setdefault("assigned_to", created_by if created_by and created_by.role_in(organization) else None)
    _require_member(user=fields.get("assigned_to"), organization=organization)
    victim = Victim(organization=organization, created_by=created_by, status_changed_at=now, **fields)
    if victim.compound_id and not victim.border_region_id:
        victim.border_region_id = victim.compound.region_id
    if victim.consent != Victim.Consent.NONE:
        victim.consent_recorded_at = victim.consent_recorded_at or now
        victim.consent_recorded_by = victim.consent_recorded_by or created_by
    victim.full_clean(exclude=["case_number"])
    victim.case_number = allocate_case_number(
        organization=organization, year=timezone.localtime(now, organization.tzinfo).year
    )
    victim.save()
    if reporter:
        reporter_obj = Reporter(organization=organization, victim=victim, created_by=created_by, **reporter)
        reporter_obj.full_clean()
        reporter_obj.save()
    case_created.send(sender=Victim, victim=victim, created_by=created_by)
    return victim


EDITABLE_VICTIM_FIELDS = frozenset(
    f.name
    for f in Victim._meta.get_fields()
    if getattr(f, "editable", False)
    and f.concrete
    and f.name
    not in {
        "id",
        "organization",
        "case_number",
        "status",
        "status_changed_at",
        "version",
        "created_at",
        "created_by",
        "updated_at",
        "consent_recorded_at",
        "consent_recorded_by",
        "assigned_to",
    }
)


@transaction.atomic
def victim_update(
    *, victim: Victim, editor: User, expected_version: int, now: datetime | None = None, **changes
) -> Victim:
    """Edit a victim's details; refused with StaleRecordError if someone saved since `expected_version`.

    Status, assignment and consent have their own services because they carry history and rules.
    """
    unknown = set(changes) - EDITABLE_VICTIM_FIELDS - {"consent", "consent_given_by"}
    if unknown:
        raise ValueError(f"victim_update cannot change {sorted(unknown)}")
    victim.check_version(expected_version)
    consent_changed = "consent" in changes and changes["consent"] != victim.consent
    for name, value in changes.items():
        setattr(victim, name, value)
    if "compound" in changes and victim.compound_id and not changes.get("border_region"):
        victim.border_region_id = victim.compound.region_id
    if consent_changed:
        victim.consent_recorded_at = now or timezone.now()
        victim.consent_recorded_by = editor
    victim.full_clean()
    victim.save()
    return victim


@transaction.atomic
def victim_change_status(
    *, victim: Victim, to_status: str, changed_by: User | None, reason: str = "", now: datetime | None = None
) -> VictimStatusChange:
    """Move a victim along the status path (reported → … → reintegrated), recording the step."""
    now = now or timezone.now()
    locked = Victim.objects.select_for_update().get(pk=victim.pk)
    from_status = locked.status
    if to_status not in VICTIM_TRANSITIONS.get(from_status, set()):
        raise ValidationError(
            {
                "status": _("A case cannot go from “%(from)s” to “%(to)s”.")
                % {
                    "from": Victim.Status(from_status).label,
                    "to": Victim.Status(to_status).label if to_status in Victim.Status.values else to_status,
                }
            }
        )
    if to_status == Victim.Status.CLOSED and not reason.strip():
        raise ValidationError({"reason": _("Say why the case is closed.")})
    locked.status = to_status
    locked.status_changed_at = now
    if to_status == Victim.Status.CLOSED:
        locked.closed_reason = reason.strip()
    if to_status in (Victim.Status.RELEASED, Victim.Status.RESCUED) and not locked.released_on:
        locked.released_on = timezone.localtime(now, victim.organization.tzinfo).date()
    locked.save()
    victim.refresh_from_db()
    return VictimStatusChange.objects.create(
        organization_id=locked.organization_id,
        victim=locked,
        from_status=from_status,
        to_status=to_status,
        reason=reason.strip(),
        changed_by=changed_by,
        changed_at=now,
    )


@transaction.atomic
def victim_assign(*, victim: Victim, assignee: User | None, assigned_by: User | None) -> Victim:
    """Give the case to a caseworker of its organisation (or to nobody). Open requests follow the case.

    Only a supervisor, org admin or platform admin may assign (`assigned_by=None` is the system, e.g. a command).
    """
    if assigned_by is not None:
        require(assigned_by, Action.ASSIGN, victim.organization)
    _require_member(user=assignee, organization=victim.organization)
    victim.assigned_to = assignee
    victim.save(update_fields=["assigned_to", "updated_at"])
    audited_update(
        RescueRequest.objects.open().filter(victim=victim),
        assigned_to=assignee,
        version=F("version") + 1,
    )
    return victim
