"""Who may see a row: one rule, asked as `Model.objects.visible_to(viewer)` by pages, admin, exports, digests.

The viewer is one of:
- a `Membership` (a signed-in user working in one organisation: the pages, exports and the API): its
  organisation's rows, while the membership is active;
- a list of memberships (an organisation admin in the Django admin: `admin_access(user)`): their organisations;
- `PLATFORM` (a platform admin, or a scheduled task working for every organisation): every row;
- an `Organization` (a scheduled task or command working for one organisation: digests, retention): its rows;
- a `User`: the organisations of their active memberships;
- None or an anonymous user: nothing.

Reference rows (places, agencies) use `SharedOrPrivateQuerySet`: shared rows (no organisation) are visible to
everyone, private rows only as above.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

PLATFORM = "platform"  # the viewer that sees every organisation's rows


def organization_ids_of(viewer) -> list[int] | None:
    """The organisation ids a viewer may see rows of; None means every organisation."""
    from .models import Membership, Organization, User

    if isinstance(viewer, str) and viewer == PLATFORM:
        return None
    if isinstance(viewer, Organization):
        return [viewer.pk]
    if isinstance(viewer, Membership):
        return [viewer.organization_id] if viewer.is_active else []
    if isinstance(viewer, list | tuple):
        return sorted({m.organization_id for m in viewer if m.is_active})
    if isinstance(viewer, User) and viewer.is_active:
        return viewer.organization_ids()
    return []


def admin_access(user):
    """The viewer for a user in the Django admin: PLATFORM for a superuser, else their org-admin memberships."""
    from .models import Membership
    from .permissions import Action, roles_allowed

    if user.is_authenticated and user.is_active and user.is_superuser:
        return PLATFORM
    if not hasattr(user, "_admin_memberships"):
        user._admin_memberships = (
            list(
                Membership.objects.filter(user=user, role__in=roles_allowed(Action.ADMINISTER))
                .active()
                .order_by("organization_id")
            )
            if user.is_authenticated and user.is_active and user.is_staff
            else []
        )
    return user._admin_memberships


class OrganizationScopedQuerySet(models.QuerySet):
    """Rows owned by an organisation."""

    def visible_to(self, viewer) -> "OrganizationScopedQuerySet":
        ids = organization_ids_of(viewer)
        return self if ids is None else self.filter(organization_id__in=ids)


class SharedOrPrivateQuerySet(models.QuerySet):
    """Reference rows shared by everyone (organization is null) plus the viewer's organisations' private rows."""

    def visible_to(self, viewer) -> "SharedOrPrivateQuerySet":
        ids = organization_ids_of(viewer)
        if ids is None:
            return self
        return self.filter(models.Q(organization__isnull=True) | models.Q(organization_id__in=ids))


class OrganizationOwned(models.Model):
    """A row that belongs to one organisation and is invisible to every other."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )

    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        abstract = True
