"""Shared reference data: border regions and their crossings, compounds, agencies."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.scoping import SharedOrPrivateQuerySet

from .codes import COUNTRY_NAMES

LATITUDE_VALIDATORS = [MinValueValidator(-90), MaxValueValidator(90)]
LONGITUDE_VALIDATORS = [MinValueValidator(-180), MaxValueValidator(180)]


def coordinates_constraints(prefix: str) -> list[models.CheckConstraint]:
    """Latitude and longitude are both set or both empty, and in range."""
    return [
        models.CheckConstraint(
            condition=models.Q(latitude__isnull=True) | models.Q(latitude__gte=-90, latitude__lte=90),
            name=f"{prefix}_latitude_range",
        ),
        models.CheckConstraint(
            condition=models.Q(longitude__isnull=True) | models.Q(longitude__gte=-180, longitude__lte=180),
            name=f"{prefix}_longitude_range",
        ),
        models.CheckConstraint(
            condition=models.Q(latitude__isnull=True, longitude__isnull=True)
            | models.Q(latitude__isnull=False, longitude__isnull=False),
            name=f"{prefix}_coordinates_paired",
        ),
    ]


class PointMixin(models.Model):
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=LATITUDE_VALIDATORS
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=LONGITUDE_VALIDATORS
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class BorderRegion(PointMixin):
    """A border area, with the country and subdivision on each side. Shared by all organisations."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    country_a = models.CharField(_("country (side A)"), max_length=2)
    subdivision_a = models.CharField(_("subdivision (side A)"), max_length=200, blank=True)
    country_b = models.CharField(_("country (side B)"), max_length=2)
    subdivision_b = models.CharField(_("subdivision (side B)"), max_length=200, blank=True)
    coordinates_note = models.CharField(_("note on the coordinates"), max_length=200, blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        db_table = "cases_borderregion"  # moved from the cases app (places/migrations/0001)
        verbose_name = _("border region")
        verbose_name_plural = _("border regions")
        ordering = ["name"]
        constraints = coordinates_constraints("borderregion")

    def __str__(self) -> str:
        return self.name

    @property
    def countries_display(self) -> str:
        return (
            f"{COUNTRY_NAMES.get(self.country_a, self.country_a)} – {COUNTRY_NAMES.get(self.country_b, self.country_b)}"
        )


class Crossing(PointMixin):
    """A border crossing in a region."""

    region = models.ForeignKey(
        BorderRegion, on_delete=models.CASCADE, related_name="crossings", verbose_name=_("border region")
    )
    name = models.CharField(_("name"), max_length=200)
    is_open = models.BooleanField(_("open"), null=True, blank=True, help_text=_("Empty when not known."))
    note = models.CharField(_("note"), max_length=300, blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        db_table = "cases_crossing"  # moved from the cases app (places/migrations/0001)
        verbose_name = _("crossing")
        verbose_name_plural = _("crossings")
        ordering = ["region__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="crossing_unique_name_per_region"),
            *coordinates_constraints("crossing"),
        ]

    def __str__(self) -> str:
        return self.name


class CompoundStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RAIDED = "raided", _("Raided")
    RELOCATED = "relocated", _("Relocated")
    DEMOLISHED = "demolished", _("Demolished")
    UNKNOWN = "unknown", _("Unknown")


class Compound(PointMixin):
    """A place where people are held. Shared reference data, with the facts' sources."""

    Status = CompoundStatus

    name = models.CharField(_("name"), max_length=200, unique=True)
    aliases = models.CharField(_("aliases"), max_length=300, blank=True, help_text=_("Comma-separated."))
    region = models.ForeignKey(
        BorderRegion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="compounds",
        verbose_name=_("border region"),
        help_text=_("Empty for compounds inland."),
    )
    country = models.CharField(_("country"), max_length=2)
    locality = models.CharField(_("locality"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.UNKNOWN)
    controlling_group = models.CharField(_("controlling group"), max_length=300, blank=True)
    facts = models.TextField(_("facts"), blank=True)
    source = models.TextField(_("sources"), blank=True)
    last_verified_on = models.DateField(_("last verified"), null=True, blank=True)

    class Meta:
        db_table = "cases_compound"  # moved from the cases app (places/migrations/0001)
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=CompoundStatus.values), name="compound_status_valid"),
            *coordinates_constraints("compound"),
        ]

    def __str__(self) -> str:
        return self.name


class AgencyKind(models.TextChoices):
    POLICE = "police", _("Police")
    IMMIGRATION = "immigration", _("Immigration")
    EMBASSY = "embassy", _("Embassy")
    INTERNATIONAL = "international", _("International organisation")
    NGO = "ngo", _("NGO")
    SHELTER = "shelter", _("Shelter")
    HOSPITAL = "hospital", _("Hospital")
    GOVERNMENT = "government", _("Government")
    MILITARY = "military", _("Military")


class Agency(models.Model):
    """Who a case is referred to. Shared reference data, or private to one organisation."""

    Kind = AgencyKind

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("For an embassy: the country it represents.")
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="private_agencies",
        verbose_name=_("private to organisation"),
        help_text=_("Empty for shared reference data."),
    )
    regions = models.ManyToManyField(
        BorderRegion, blank=True, related_name="agencies", verbose_name=_("border regions covered")
    )
    email = models.EmailField(_("referral email"), blank=True)
    public_contact = models.CharField(_("public contact channels"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    source = models.TextField(_("source"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = SharedOrPrivateQuerySet.as_manager()

    class Meta:
        db_table = "cases_agency"  # moved from the cases app (places/migrations/0001)
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=AgencyKind.values), name="agency_kind_valid"),
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(organization__isnull=True), name="agency_unique_shared_name"
            ),
            models.UniqueConstraint(fields=["organization", "name"], name="agency_unique_private_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shared(self) -> bool:
        return self.organization_id is None
