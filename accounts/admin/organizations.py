"""Admin of organisations: org admins edit their own (not the slug); only platform admins add one."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from ..models import Organization
from .access import OrgAdminAccessMixin, admin_organization_ids
from .memberships import MembershipOnOrganizationInline


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
