"""Users (email login), organisations (the NGOs) and memberships with a role."""

import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})

    def members_of(self, organization_ids):
        """Active users with an active membership in any of these organisations (e.g. who may be assigned)."""
        return self.filter(
            is_active=True,
            pk__in=Membership.objects.filter(organization_id__in=organization_ids).active().values("user_id"),
        )


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: caseworker, supervisor, organisation admin or platform admin (superuser)."""

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=150)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False, help_text=_("Can sign in to the admin site."))
    receives_digest = models.BooleanField(
        _("receives the weekly digest"), default=True, help_text=_("Escalations are sent regardless.")
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        default="",
        choices=settings.LANGUAGES,
        help_text=_("Pages and emails are shown in this language. Empty: the browser's language."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    sessions_valid_after = models.DateTimeField(
        _("sessions valid after"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Sessions started before this moment are ended (set when sessions are ended or access removed)."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["display_name", "email"]

    def __str__(self) -> str:
        return self.display_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    @property
    def preferred_language(self) -> str:
        """The language emails to this user are written in: their own choice, else the site's default."""
        return self.language or settings.LANGUAGE_CODE

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    def organization_ids(self) -> list[int]:
        """Ids of the organisations this user is an active member of (cached on the instance)."""
        if not hasattr(self, "_organization_ids"):
            self._organization_ids = list(
                Membership.objects.filter(user=self).active().values_list("organization_id", flat=True)
            )
        return self._organization_ids

    def role_in(self, organization) -> str | None:
        org_id = getattr(organization, "pk", organization)
        return (
            Membership.objects.filter(user=self, organization_id=org_id, is_active=True)
            .values_list("role", flat=True)
            .first()
        )


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone (e.g. Asia/Bangkok)."), params={"value": value})


class Organization(models.Model):
    """An NGO using Homeward. Owns victims and everything about them."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Bangkok", validators=[validate_timezone])
    case_number_prefix = models.CharField(
        _("case-number prefix"),
        max_length=10,
        default="HW",
        validators=[RegexValidator(r"^[A-Z0-9]{1,10}$", _("Use 1-10 capital letters or digits."))],
    )
    digest_weekday = models.PositiveSmallIntegerField(_("digest weekday"), choices=Weekday, default=Weekday.MONDAY)
    digest_hour = models.PositiveSmallIntegerField(
        _("digest hour"), default=8, validators=[MaxValueValidator(23)], help_text=_("Local hour, 0-23.")
    )
    cadence_urgent_days = models.PositiveSmallIntegerField(
        _("follow-up cadence for urgent requests (days)"), default=1, validators=[MinValueValidator(1)]
    )
    cadence_high_days = models.PositiveSmallIntegerField(
        _("follow-up cadence for high-priority requests (days)"), default=3, validators=[MinValueValidator(1)]
    )
    cadence_normal_days = models.PositiveSmallIntegerField(
        _("follow-up cadence for normal requests (days)"), default=7, validators=[MinValueValidator(1)]
    )
    escalate_after_reminders = models.PositiveSmallIntegerField(
        _("escalate after unanswered reminders"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty to escalate when a request is overdue by its cadence again."),
    )
    require_two_factor_for_everyone = models.BooleanField(
        _("require two-factor sign-in for everyone"),
        default=False,
        help_text=_(
            "Supervisors and organisation admins always use a second factor; tick this to ask caseworkers too."
        ),
    )
    identity_retention_days = models.PositiveIntegerField(
        _("keep identity of closed cases for (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Days after a case is closed before names, documents, contacts and notes are redacted "
            "(de-identified statistics are kept). Leave empty to keep them."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(digest_hour__gte=0, digest_hour__lte=23), name="organization_digest_hour_range"
            ),
            models.CheckConstraint(
                condition=models.Q(digest_weekday__gte=0, digest_weekday__lte=6),
                name="organization_digest_weekday_range",
            ),
            models.CheckConstraint(
                condition=models.Q(cadence_urgent_days__gte=1, cadence_high_days__gte=1, cadence_normal_days__gte=1),
                name="organization_cadence_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def cadence_for(self, priority: str) -> timedelta:
        """The follow-up interval for a rescue-request priority ("urgent", "high" or "normal")."""
        days = {
            "urgent": self.cadence_urgent_days,
            "high": self.cadence_high_days,
            "normal": self.cadence_normal_days,
        }[priority]
        return timedelta(days=days)


class MembershipQuerySet(models.QuerySet):
    def active(self) -> "MembershipQuerySet":
        """ "Active member", defined once: the membership and the user are both active."""
        return self.filter(is_active=True, user__is_active=True)


class Membership(models.Model):
    """A user's role in one organisation."""

    class Role(models.TextChoices):
        CASEWORKER = "caseworker", _("Caseworker")
        SUPERVISOR = "supervisor", _("Supervisor")
        ORG_ADMIN = "org_admin", _("Organisation admin")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.CASEWORKER)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization__name", "user__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique_user_organization"),
            models.CheckConstraint(
                condition=models.Q(role__in=["caseworker", "supervisor", "org_admin"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organization} ({self.get_role_display()})"
