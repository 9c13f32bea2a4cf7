"""Scoping in one place: every case-bearing queryset answers `visible_to(user)`."""

from django.db import models


class OrganizationScopedQuerySet(models.QuerySet):
    """Rows owned by an organisation; a user sees only their active organisations' rows."""

    def visible_to(self, user) -> "OrganizationScopedQuerySet":
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(organization_id__in=user.organization_ids())

    def for_organization(self, organization) -> "OrganizationScopedQuerySet":
        return self.filter(organization=organization)


class SharedOrPrivateQuerySet(models.QuerySet):
    """Reference rows shared by everyone (organization is null) plus a user's organisations' private rows."""

    def visible_to(self, user) -> "SharedOrPrivateQuerySet":
        shared = models.Q(organization__isnull=True)
        if user is None or not user.is_authenticated or not user.is_active:
            return self.filter(shared)
        return self.filter(shared | models.Q(organization_id__in=user.organization_ids()))
