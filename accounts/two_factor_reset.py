"""Resetting someone else's second factor (a lost phone) without letting one admin take over an account.

A platform admin resets at once. An organisation admin only asks: the reset happens when a *second* admin of the
same organisation approves within `APPROVAL_WINDOW` (the same admin action, or "Approve" on the request). Nobody
resets or approves their own. The person is emailed when it is asked for and when it is done, every step is a
`TwoFactorResetRequest` row in the audit trail, and the reset ends all of the person's sessions.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from . import sessions, signals, two_factor
from .models import Membership, TwoFactorResetRequest, User
from .permissions import Action, roles_allowed

APPROVAL_WINDOW = timedelta(days=1)
Status = TwoFactorResetRequest.Status


class ResetRefused(Exception):
    """The admin may not reset this person's second factor; the message says why, in the admin's terms."""


def _shared_admin_organizations(*, admin: User, user: User) -> list[int]:
    """Organisations `admin` administers (active org-admin membership) in which `user` is a member."""
    administered = Membership.objects.filter(user=admin, role__in=roles_allowed(Action.ADMINISTER)).active()
    return list(
        Membership.objects.filter(user=user, organization_id__in=administered.values("organization_id"))
        .order_by("organization_id")
        .values_list("organization_id", flat=True)
    )


def _carry_out(reset: TwoFactorResetRequest, *, approved_by: User, now: datetime) -> TwoFactorResetRequest:
    two_factor.reset_two_factor(user=reset.user)
    sessions.end_sessions(user=reset.user, now=now)  # whoever holds a session on the lost phone is signed out too
    reset.approved_by, reset.completed_at, reset.status = approved_by, now, Status.DONE
    reset.save()
    signals.send(signals.two_factor_reset_notice, reset=reset, now=now)
    return reset


@transaction.atomic
def request_two_factor_reset(*, user: User, by: User, now: datetime) -> TwoFactorResetRequest:
    """Ask for (or approve, or, as a platform admin, carry out) the reset of `user`'s second factor.

    Returns the request: `status` DONE when the devices were removed, PENDING while a second admin must approve.
    Raises ResetRefused when `by` may not do it.
    """
    if by.pk == user.pk:
        raise ResetRefused(_("You cannot reset your own two-factor sign-in here; use “Two-factor sign-in” instead."))
    TwoFactorResetRequest.objects.filter(status=Status.PENDING, requested_at__lte=now - APPROVAL_WINDOW).update(
        status=Status.EXPIRED
    )
    if by.is_superuser:
        organization_id = Membership.objects.filter(user=user).values_list("organization_id", flat=True).first()
        reset = TwoFactorResetRequest.objects.create(
            organization_id=organization_id, user=user, requested_by=by, requested_at=now
        )
        return _carry_out(reset, approved_by=by, now=now)
    if user.is_superuser:
        raise ResetRefused(_("Only a platform admin can reset a platform admin's two-factor sign-in."))
    organizations = _shared_admin_organizations(admin=by, user=user)
    if not organizations:
        raise ResetRefused(_("%(user)s is not a member of an organisation you administer.") % {"user": user})
    pending = TwoFactorResetRequest.objects.select_for_update().filter(
        user=user, status=Status.PENDING, organization_id__in=organizations
    )
    approvable = pending.exclude(requested_by=by).order_by("requested_at").first()
    if approvable is not None:
        return _carry_out(approvable, approved_by=by, now=now)
    own = pending.filter(requested_by=by).first()
    if own is not None:
        return own
    reset = TwoFactorResetRequest.objects.create(
        organization_id=organizations[0], user=user, requested_by=by, requested_at=now
    )
    signals.send(signals.two_factor_reset_notice, reset=reset, now=now)
    return reset
