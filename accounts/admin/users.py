"""Admin of users: they sign in by email; org admins manage the people of their organisations only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from ..admin_actions import end_sessions, reset_two_factor, send_password_link
from ..models import Membership, User
from ..password_reset import send_reset_link
from .access import OrgAdminAccessMixin, admin_organization_ids
from .forms import UserChangeAdminForm, UserCreationAdminForm
from .memberships import MembershipOnUserInline


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
