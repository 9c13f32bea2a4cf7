"""Admin of two-factor resets: the requests waiting for a second admin, and the record of the ones done."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..admin_actions import reset_two_factor_of
from ..models import TwoFactorResetRequest
from .access import OrgAdminAccessMixin


@admin.action(description=_("Approve: reset the two-factor sign-in of these people now"), permissions=["view"])
def approve(modeladmin, request, queryset):
    pending = queryset.filter(status=TwoFactorResetRequest.Status.PENDING).select_related("user")
    reset_two_factor_of(modeladmin, request, [reset.user for reset in pending])


@admin.register(TwoFactorResetRequest)
class TwoFactorResetRequestAdmin(OrgAdminAccessMixin, admin.ModelAdmin):
    """Read-only for everyone: rows are written by `accounts.two_factor_reset` only, and kept for the record."""

    actions = (approve,)
    list_display = ("user", "organization", "status", "requested_by", "requested_at", "approved_by", "completed_at")
    list_filter = ("status",)
    list_select_related = ("user", "organization", "requested_by", "approved_by")
    search_fields = ("user__email", "user__display_name")
    readonly_fields = [f.name for f in TwoFactorResetRequest._meta.concrete_fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
