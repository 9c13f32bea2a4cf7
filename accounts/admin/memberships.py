"""Admin of memberships, and the membership inlines of the user and organisation admins."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import Membership
from .access import OrgAdminAccessMixin, ScopedRelatedListFilter, membership_field_kwargs


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
