"""Admin for shared reference data: border regions with their crossings, compounds, agencies."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from accounts.admin import ReferenceDataAdmin, ScopedChoicesMixin, admin_organization_ids, is_org_admin

from .models import Agency, BorderRegion, Compound, Crossing


class CrossingInline(admin.TabularInline):
    model = Crossing
    extra = 0
    fields = ("name", "is_open", "latitude", "longitude", "note", "source")

    # Inlines follow the reference-data rule of their region's page.
    has_view_permission = ReferenceDataAdmin.has_view_permission
    has_add_permission = ReferenceDataAdmin.has_add_permission
    has_change_permission = ReferenceDataAdmin.has_change_permission
    has_delete_permission = ReferenceDataAdmin.has_delete_permission


@admin.register(BorderRegion)
class BorderRegionAdmin(ReferenceDataAdmin):
    list_display = ("name", "countries_display", "subdivision_a", "subdivision_b", "crossing_count", "has_point")
    list_filter = ("country_a", "country_b")
    search_fields = ("name", "slug", "subdivision_a", "subdivision_b")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (CrossingInline,)
    fieldsets = (
        (None, {"fields": ("name", "slug")}),
        (_("Sides"), {"fields": (("country_a", "subdivision_a"), ("country_b", "subdivision_b"))}),
        (_("Centre point"), {"fields": (("latitude", "longitude"), "coordinates_note")}),
        (_("Source"), {"fields": ("source",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_crossing_count=Count("crossings"))

    @admin.display(description=_("countries"), ordering="country_a")
    def countries_display(self, obj: BorderRegion) -> str:
        return obj.countries_display

    @admin.display(description=_("crossings"), ordering="_crossing_count")
    def crossing_count(self, obj: BorderRegion) -> int:
        return obj._crossing_count

    @admin.display(description=_("point"), boolean=True)
    def has_point(self, obj) -> bool:
        return obj.has_point


@admin.register(Crossing)
class CrossingAdmin(ReferenceDataAdmin):
    list_display = ("name", "region", "is_open", "latitude", "longitude")
    list_filter = ("is_open", "region")
    list_select_related = ("region",)
    search_fields = ("name", "region__name")
    autocomplete_fields = ("region",)


@admin.register(Compound)
class CompoundAdmin(ReferenceDataAdmin):
    list_display = ("name", "country", "locality", "region", "status", "controlling_group", "last_verified_on")
    list_filter = ("status", "country", "region")
    list_select_related = ("region",)
    search_fields = ("name", "aliases", "locality")
    autocomplete_fields = ("region",)
    date_hierarchy = "last_verified_on"
    fieldsets = (
        (None, {"fields": ("name", "aliases", "status", "controlling_group")}),
        (_("Where"), {"fields": ("region", "country", "locality", ("latitude", "longitude"))}),
        (_("Facts"), {"fields": ("facts", "source", "last_verified_on")}),
    )


class SharedOrPrivateFilter(admin.SimpleListFilter):
    title = _("availability")
    parameter_name = "availability"

    def lookups(self, request, model_admin):
        return (("shared", _("Shared reference data")), ("private", _("Private to an organisation")))

    def queryset(self, request, queryset):
        if self.value() == "shared":
            return queryset.filter(organization__isnull=True)
        if self.value() == "private":
            return queryset.filter(organization__isnull=False)
        return queryset


@admin.register(Agency)
class AgencyAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """Shared agencies are platform reference data; an organisation's private agencies are its admins' to keep."""

    list_display = ("name", "kind", "country", "organization", "email", "is_active")
    list_filter = ("kind", "is_active", SharedOrPrivateFilter, "country")
    list_select_related = ("organization",)
    search_fields = ("name", "email")
    autocomplete_fields = ("regions",)
    fieldsets = (
        (None, {"fields": ("name", "kind", "country", "organization", "is_active")}),
        (_("Contact"), {"fields": ("email", "public_contact")}),
        (_("Coverage"), {"fields": ("regions",)}),
        (_("Notes and source"), {"fields": ("note", "source")}),
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(
            Q(organization__isnull=True) | Q(organization_id__in=admin_organization_ids(request.user))
        )

    def _may_edit(self, request, obj) -> bool:
        if request.user.is_superuser:
            return True
        if not is_org_admin(request.user):
            return False
        return obj is None or obj.organization_id in admin_organization_ids(request.user)

    def has_module_permission(self, request):
        return request.user.is_superuser or is_org_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or is_org_admin(request.user)

    def has_add_permission(self, request):
        return self._may_edit(request, None)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser and "organization" in form.base_fields:
            # An org admin's agencies are always private to one of their organisations.
            field = form.base_fields["organization"]
            field.required = True
            field.empty_label = None
            field.help_text = _("Agencies you add are visible to your organisation only.")
        return form
