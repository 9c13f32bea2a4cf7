"""Building blocks shared by the case-file models: organisation ownership and optimistic locking."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from accounts.scoping import OrganizationOwned  # noqa: F401  (re-exported for the case-file models)


class StaleRecordError(ValidationError):
    """Someone else saved the record after this copy was loaded; saving would overwrite their change."""

    def __init__(self, instance: models.Model):
        super().__init__(
            _(
                "Someone else changed this %(model)s since you opened it. Your changes were not saved: "
                "reload it, compare, and apply your changes again."
            ),
            code="stale",
            params={"model": instance._meta.verbose_name},
        )


class Versioned(models.Model):
    """Optimistic concurrency: each save bumps `version`; saving a stale copy raises StaleRecordError."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or self.pk is None:
            return super().save(*args, **kwargs)
        with transaction.atomic(using=kwargs.get("using")):
            # The conditional UPDATE both checks and claims the version; on PostgreSQL it also row-locks,
            # so a concurrent second writer waits, then finds the version moved and is refused.
            claimed = (
                type(self)
                ._base_manager.filter(pk=self.pk, version=self.version)
                .update(version=models.F("version") + 1)
            )
            if not claimed:
                raise StaleRecordError(self)
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
            return super().save(*args, **kwargs)

    def check_version(self, submitted_version: int | None) -> None:
        """Raise StaleRecordError when a form was filled in from an older version than the stored one."""
        if submitted_version is not None and int(submitted_version) != self.version:
            raise StaleRecordError(self)


class Timestamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        abstract = True
