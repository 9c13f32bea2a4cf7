"""Admin for users, organisations and memberships, and the access rules every Homeward admin page shares.

Superusers (platform admins) see everything. Staff users who are organisation admins see and manage only
their organisations' rows. Nobody else gets into the admin.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .admin_actions import end_sessions, reset_two_factor, send_password_link
from .models import Membership, Organization, User
from .password_reset import send_reset_link
from .permissions import Action, roles_allowed
from .scoping import PLATFORM

# --- Access rules shared by every admin page --------------------------------------------------------


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
        user = request.user
        related_model = field.remote_field.model
        if user.is_superuser:
            limit = None
            if related_model is User:
                limit = Q(pk__in=Membership.objects.values("user_id"))
        else:
            org_ids = admin_organization_ids(user)
            if related_model is Organization:
                limit = Q(pk__in=org_ids)
            elif related_model is User:
                limit = Q(pk__in=Membership.objects.filter(organization_id__in=org_ids).values("user_id"))
            else:
                limit = Q(pk__in=[])
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=limit)


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


# --- Forms ----------------------------------------------------------------------------------------


class EmailNormalisingMixin:
    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        duplicate = User.objects.filter(email__iexact=email)
        if self.instance.pk:
            duplicate = duplicate.exclude(pk=self.instance.pk)
        if duplicate.exists():
            raise forms.ValidationError(_("A user with this email address already exists."))
        return email


class UserCreationAdminForm(EmailNormalisingMixin, forms.ModelForm):
    """A new account has no password: the person chooses it through the link emailed when it is created."""

    class Meta:
        model = User
        fields = ("email", "display_name")

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


class UserChangeAdminForm(EmailNormalisingMixin, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


# --- Inlines --------------------------------------------------------------------------------------


class MembershipInlineBase(OrgAdminAccessMixin, admin.TabularInline):
    model = Membership
    extra = 0
    org_admin_can_delete = True
    readonly_fields = ("created_at",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **membership_field_kwargs(db_field, request, kwargs))


class MembershipOnUserInline(MembershipInlineBase):
    fields = ("organization", "role", "is_active", "created_at")
    verbose_name_plural = _("memberships in organisations")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization")

    def get_formset(self, request, obj=None, **kwargs):
        # An org admin's new user must join one of their organisations, or they would lose sight of it at once.
        if obj is None and not request.user.is_superuser:
            kwargs.update(min_num=1, validate_min=True)
        return super().get_formset(request, obj, **kwargs)


class MembershipOnOrganizationInline(MembershipInlineBase):
    fields = ("user", "role", "is_active", "created_at")
    autocomplete_fields = ("user",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


# --- Users ----------------------------------------------------------------------------------------


@admin.register(User)
class UserAdmin(OrgAdminAccessMixin, DjangoUserAdmin):
    """Users sign in with their email address. Org admins manage the people of their organisations only.

    Nobody sets another person's password here (the password page is refused to every role): an admin sends a link
    with which the person chooses it. Org admins cannot change an existing user's email address either, since
    that and a link would hand them the account.
    """

    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    inlines = (MembershipOnUserInline,)
    actions = (send_password_link, end_sessions, reset_two_factor)
    list_display = ("email", "display_name", "is_active", "is_staff", "is_superuser", "organisations", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "memberships__role")
    search_fields = ("email", "display_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email",)}),
        (_("Personal info"), {"fields": ("display_name", "receives_digest")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    org_admin_fieldsets = (
        (None, {"fields": ("email",)}),
        (_("Personal info"), {"fields": ("display_name", "receives_digest")}),
        (_("Access"), {"fields": ("is_active", "is_staff")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "display_name"),
            },
        ),
    )

    def scope_queryset(self, request, queryset):
        org_ids = admin_organization_ids(request.user)
        return queryset.filter(
            is_superuser=False, pk__in=Membership.objects.filter(organization_id__in=org_ids).values("user_id")
        )

    def row_organization_ids(self, obj) -> set[int | None]:
        # A user who also belongs to an organisation this admin does not run is only theirs to look at.
        # Not `obj.memberships`: on list rows that is prefetched narrowed to this admin's organisations.
        return set(Membership.objects.filter(user=obj).values_list("organization_id", flat=True)) or {None}

    def _owns_for_view(self, request, obj) -> bool:
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        memberships = Membership.objects.select_related("organization").order_by("organization__name")
        if not request.user.is_superuser:
            # The "organisations" column names only organisations this admin runs.
            memberships = memberships.filter(organization_id__in=admin_organization_ids(request.user))
        return queryset.prefetch_related(Prefetch("memberships", queryset=memberships))

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            return self.org_admin_fieldsets
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            return (*self.readonly_fields, "email")
        return self.readonly_fields

    def user_change_password(self, request, id, form_url=""):
        raise PermissionDenied  # only the person sets their password, through the emailed link

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:  # after the memberships, so the email is filed under the new colleague's organisation
            send_reset_link(user=form.instance)

    @admin.display(description=_("organisations"))
    def organisations(self, obj: User) -> str:
        return ", ".join(
            f"{m.organization.name} ({m.get_role_display()})" for m in obj.memberships.all() if m.is_active
        )


# --- Organisations --------------------------------------------------------------------------------


@admin.register(Organization)
class OrganizationAdmin(OrgAdminAccessMixin, admin.ModelAdmin):
    org_admin_can_add = False
    list_display = (
        "name",
        "slug",
        "case_number_prefix",
        "timezone",
        "digest_weekday",
        "digest_hour",
        "cadence_urgent_days",
        "cadence_high_days",
        "cadence_normal_days",
        "member_count",
    )
    search_fields = ("name", "slug", "case_number_prefix")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at",)
    inlines = (MembershipOnOrganizationInline,)
    fieldsets = (
        (None, {"fields": ("name", "slug", "case_number_prefix", "timezone", "created_at")}),
        (_("Weekly digest"), {"fields": ("digest_weekday", "digest_hour")}),
        (_("Security"), {"fields": ("require_two_factor_for_everyone",)}),
        (
            _("Follow-up cadence"),
            {
                "fields": (
                    "cadence_urgent_days",
                    "cadence_high_days",
                    "cadence_normal_days",
                    "escalate_after_reminders",
                )
            },
        ),
        (_("Data retention"), {"fields": ("identity_retention_days",)}),
    )

    def scope_queryset(self, request, queryset):
        return queryset.filter(pk__in=admin_organization_ids(request.user))

    def row_organization_ids(self, obj) -> set[int | None]:
        return {obj.pk}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_member_count=Count("memberships", distinct=True))

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return self.readonly_fields
        return (*self.readonly_fields, "slug")

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if request.user.is_superuser else {}

    @admin.display(description=_("members"), ordering="_member_count")
    def member_count(self, obj: Organization) -> int:
        return obj._member_count


# --- Memberships ----------------------------------------------------------------------------------


@admin.register(Membership)
class MembershipAdmin(OrgAdminAccessMixin, admin.ModelAdmin):
    org_admin_can_delete = True
    list_display = ("user", "user_email", "organization", "role", "is_active", "created_at")
    list_filter = ("role", "is_active", ("organization", ScopedRelatedListFilter))
    list_select_related = ("user", "organization")
    search_fields = ("user__email", "user__display_name", "organization__name")
    autocomplete_fields = ("user", "organization")
    readonly_fields = ("created_at",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **membership_field_kwargs(db_field, request, kwargs))

    @admin.display(description=_("email address"), ordering="user__email")
    def user_email(self, obj: Membership) -> str:
        return obj.user.email


from . import admin_resets  # noqa: E402, F401  (registers the two-factor resets' admin)
