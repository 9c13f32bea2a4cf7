"""The access rules every Homeward admin page shares.

Superusers (platform admins) see everything. Staff users who are organisation admins see and manage only
their organisations' rows. Nobody else gets into the admin.
"""

from django.contrib import admin
from django.db.models import Q, QuerySet

from ..models import Membership, Organization, User
from ..permissions import Action, roles_allowed
from ..scoping import PLATFORM


def admin_organization_ids(user) -> list[int]:
    """Organisations a staff user administers (active org-admin memberships). Cached on the user per request."""
    if not hasattr(user, "_admin_organization_ids"):
        if user.is_authenticated and user.is_active and user.is_staff:
            user._admin_organization_ids = list(
                Membership.objects.filter(user=user, role__in=roles_allowed(Action.ADMINISTER))
                .active()
                .order_by("organization_id")
                .values_list("organization_id", flat=True)
            )
        else:
            user._admin_organization_ids = []
    return user._admin_organization_ids


def admin_viewer(user):
    """The viewer `visible_to()` is asked with in the admin: PLATFORM for a superuser, else the org-admin memberships'
    organisations (accounts/scoping.py)."""
    if user.is_superuser:
        return PLATFORM
    return [Membership(organization_id=org_id, is_active=True) for org_id in admin_organization_ids(user)]


def is_org_admin(user) -> bool:
    return bool(admin_organization_ids(user))


class OrgAdminAccessMixin:
    """Permissions for ModelAdmins and inlines: superusers may do anything, org admins act on their own rows.

    Subclasses say how a row maps to organisations (`row_organization_ids`) and how to narrow a queryset
    (`scope_queryset`); `org_admin_can_add/change/delete` say what org admins may do at all.
    """

    org_admin_can_add = True
    org_admin_can_change = True
    org_admin_can_delete = False

    def scope_queryset(self, request, queryset):
        if hasattr(queryset, "visible_to"):
            return queryset.visible_to(admin_viewer(request.user))  # the one scoping rule (accounts/scoping.py)
        return queryset.filter(organization_id__in=admin_organization_ids(request.user))

    def row_organization_ids(self, obj) -> set[int | None]:
        return {obj.organization_id}

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return self.scope_queryset(request, queryset)

    def _owns(self, request, obj) -> bool:
        # An inline is handed its parent row, which the parent's admin has already checked and scoped.
        if obj is None or obj.pk is None or isinstance(self, admin.options.InlineModelAdmin):
            return True
        allowed = set(admin_organization_ids(request.user))
        return bool(allowed) and self.row_organization_ids(obj) <= allowed

    def has_module_permission(self, request):
        return request.user.is_superuser or is_org_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or (is_org_admin(request.user) and self._owns_for_view(request, obj))

    def _owns_for_view(self, request, obj) -> bool:
        return self._owns(request, obj)

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser or (self.org_admin_can_add and is_org_admin(request.user))

    def has_change_permission(self, request, obj=None):
        if request.user.is_superuser:
            return True
        return self.org_admin_can_change and is_org_admin(request.user) and self._owns(request, obj)

    def has_delete_permission(self, request, obj=None):
        if request.user.is_superuser:
            return True
        return self.org_admin_can_delete and is_org_admin(request.user) and self._owns(request, obj)


class ScopedRelatedListFilter(admin.RelatedFieldListFilter):
    """A related-field filter whose choices never name another organisation's organisations or people."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        limit = self.choice_limit(field.remote_field.model, request.user)
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=limit)

    @staticmethod
    def choice_limit(related_model, user) -> Q | None:
        """The related rows the filter may name to this user (None: all of them)."""
        if user.is_superuser:
            return Q(pk__in=Membership.objects.values("user_id")) if related_model is User else None
        org_ids = admin_organization_ids(user)
        if related_model is Organization:
            return Q(pk__in=org_ids)
        if related_model is User:
            return Q(pk__in=Membership.objects.filter(organization_id__in=org_ids).values("user_id"))
        return Q(pk__in=[])


def users_of_organizations(organization_ids) -> QuerySet[User]:
    """Active users with an active membership in any of the organisations (choices for 'assigned to')."""
    return User.objects.members_of(organization_ids)


# Foreign keys to people: their choices are the members of the admin's organisations.
USER_FIELDS = {"assigned_to", "author", "changed_by", "created_by", "sent_by", "consent_recorded_by", "screened_by"}


def scoped_choices(db_field, request):
    """The queryset an org admin may pick from for a foreign key, or None to keep Django's default.

    Organisations: those the admin administers. People: their members. Any model with `visible_to()`: what the
    one scoping rule gives the admin.
    """
    user = request.user
    model = db_field.remote_field.model
    org_ids = None if user.is_superuser else admin_organization_ids(user)
    if model is Organization:
        return Organization.objects.all() if org_ids is None else Organization.objects.filter(pk__in=org_ids)
    if model is User and db_field.name in USER_FIELDS:
        return users_of_organizations(Organization.objects.values("pk") if org_ids is None else org_ids)
    if org_ids is None:
        return None
    queryset = model._default_manager.all()
    return queryset.visible_to(admin_viewer(user)) if hasattr(queryset, "visible_to") else None


class ScopedChoicesMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        queryset = scoped_choices(db_field, request)
        if queryset is not None and "queryset" not in kwargs:
            kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReferenceDataAdmin(admin.ModelAdmin):
    """Shared reference data: every admin may look, only platform admins (superusers) may change it."""

    def has_module_permission(self, request):
        return request.user.is_superuser or is_org_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or is_org_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


def membership_field_kwargs(db_field, request, kwargs: dict) -> dict:
    """Org admins may only place their own organisations' people in their own organisations."""
    if not request.user.is_superuser:
        org_ids = admin_organization_ids(request.user)
        if db_field.name == "organization":
            kwargs["queryset"] = Organization.objects.filter(pk__in=org_ids)
        elif db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(
                is_superuser=False, pk__in=Membership.objects.filter(organization_id__in=org_ids).values("user_id")
            )
    return kwargs
