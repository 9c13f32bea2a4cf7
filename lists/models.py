"""Published lists of people (released, arrived, repatriated), their rows, and suggested matches to cases."""

import json

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import OrganizationOwned, organization_ids_of
from core.fields import SecretTextField
from core.names.zawgyi import to_unicode


class ListKind(models.TextChoices):
    RELEASED = "released", _("Released")
    ARRIVED = "arrived", _("Arrived")
    REPATRIATED = "repatriated", _("Repatriated")
    OTHER = "other", _("Other")


class ReleasedListQuerySet(models.QuerySet):
    def visible_to(self, viewer) -> "ReleasedListQuerySet":
        """The viewer's organisations' lists, and every list a platform admin shared with all."""
        ids = organization_ids_of(viewer)
        if ids is None:
            return self
        return self.filter(models.Q(organization_id__in=ids) | models.Q(shared_with_all=True))


class ReleasedList(models.Model):
    """One published list as uploaded: where it came from, who uploaded it, the file's SHA-256."""

    Kind = ListKind

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ListKind, default=ListKind.RELEASED)
    source = models.CharField(_("source"), max_length=300, help_text=_("Who published the list, e.g. an embassy."))
    published = models.DateField(_("published"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("uploaded by"),
    )  # fmt: skip
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    shared_with_all = models.BooleanField(
        _("shared with every organisation"), default=False, help_text=_("Only a platform admin may share a list.")
    )
    headers = models.JSONField(_("column headings"), default=list)
    mapping = models.JSONField(_("column mapping"), default=dict)  # column index (as text) -> field
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_with_errors = models.PositiveIntegerField(_("rows with errors"), default=0)

    objects = ReleasedListQuerySet.as_manager()

    class Meta:
        verbose_name = _("published list")
        verbose_name_plural = _("published lists")
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "sha256"], name="releasedlist_unique_file_per_org"),
            models.CheckConstraint(condition=models.Q(kind__in=ListKind.values), name="releasedlist_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} list #{self.pk} ({self.published or '—'})"

    @property
    def published_or_uploaded(self):
        return self.published or timezone.localdate(self.uploaded_at)


class ListEntry(models.Model):
    """One row as published (encrypted: it names a person), what was read from it, and its messages."""

    released_list = models.ForeignKey(ReleasedList, on_delete=models.CASCADE, related_name="entries")
    line = models.PositiveIntegerField(_("row"))
    raw = SecretTextField(_("row as written"))  # JSON list of the cells
    name = SecretTextField(_("name as written"))
    values = SecretTextField(_("values read"))  # JSON: other_names, passport_number, phone, external_reference...
    messages = SecretTextField(_("messages"))  # JSON list of {"level", "text"}; they quote cells
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    age = models.PositiveSmallIntegerField(_("age as written"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    has_errors = models.BooleanField(_("has errors"), default=False)

    class Meta:
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        ordering = ["released_list", "line"]
        constraints = [models.UniqueConstraint(fields=["released_list", "line"], name="listentry_unique_line")]

    def __str__(self) -> str:
        return f"row {self.line} of list #{self.released_list_id}"

    def readable_name(self) -> tuple[str, bool]:
        """(the name to show, whether it was typed in Zawgyi); Zawgyi is shown converted (a Unicode font garbles it)."""
        return to_unicode(self.name)

    def value_dict(self) -> dict:
        return json.loads(self.values) if self.values else {}

    def message_list(self) -> list[dict]:
        return json.loads(self.messages) if self.messages else []

    def raw_cells(self) -> list[str]:
        return json.loads(self.raw) if self.raw else []


class MatchStatus(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class Match(OrganizationOwned):
    """A suggestion that a list entry is one of the organisation's cases, with the reasons, and the decision."""

    Status = MatchStatus

    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="matches", verbose_name=_("list entry"))
    victim = models.ForeignKey("cases.Victim", on_delete=models.CASCADE, related_name="list_matches")
    score = models.FloatField(_("score"))
    rank = models.PositiveSmallIntegerField(_("rank"), default=1)  # 1 = the entry's best suggestion here
    reasons = SecretTextField(_("reasons"))  # JSON list; a reason may quote name parts
    status = models.CharField(_("status"), max_length=10, choices=MatchStatus, default=MatchStatus.SUGGESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("list match")
        verbose_name_plural = _("list matches")
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "victim"], name="match_unique_entry_victim"),
            models.CheckConstraint(condition=models.Q(status__in=MatchStatus.values), name="match_status_valid"),
        ]
        indexes = [models.Index(fields=["organization", "status", "-score"], name="match_org_status_score")]

    def __str__(self) -> str:
        return f"{self.entry} ~ {self.victim} ({self.score:.2f})"

    def reason_list(self) -> list[str]:
        return json.loads(self.reasons) if self.reasons else []


class ChunkStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")


class MatchChunk(models.Model):
    """A slice of a list's rows to match against one organisation's cases: one Celery task, claimed once."""

    Status = ChunkStatus

    released_list = models.ForeignKey(
        ReleasedList, on_delete=models.CASCADE, related_name="chunks", verbose_name=_("published list")
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    first_line = models.PositiveIntegerField(_("first line"))
    last_line = models.PositiveIntegerField(_("last line"))
    size = models.PositiveIntegerField(_("rows"))
    status = models.CharField(_("status"), max_length=10, choices=ChunkStatus, default=ChunkStatus.PENDING)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("match chunk")
        verbose_name_plural = _("match chunks")
        ordering = ["released_list", "organization", "first_line"]
        indexes = [models.Index(fields=["released_list", "organization", "status"], name="matchchunk_progress")]

    def __str__(self) -> str:
        return f"list #{self.released_list_id} rows {self.first_line}-{self.last_line} ({self.status})"


class ListSettings(models.Model):
    """An organisation's settings for lists: after how many days a released person not seen is missing."""

    organization = models.OneToOneField("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    missing_after_days = models.PositiveSmallIntegerField(
        _("missing in transit after (days)"),
        default=7,
        help_text=_("A person on a released list who is on no arrival list and not heard from after this many days."),
    )

    objects = models.Manager()

    class Meta:
        verbose_name = _("list settings")
        verbose_name_plural = _("list settings")

    def __str__(self) -> str:
        return f"list settings of organisation {self.organization_id}"


class CaseImport(OrganizationOwned):
    """A spreadsheet of existing case files imported at once (all rows or none)."""

    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    rows_imported = models.PositiveIntegerField(_("cases created"), default=0)

    class Meta:
        verbose_name = _("case import")
        verbose_name_plural = _("case imports")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"case import #{self.pk}"


class ImportedCase(OrganizationOwned):
    """The NGO's own reference for a case that came from a spreadsheet (its "external reference")."""

    case_import = models.ForeignKey(CaseImport, on_delete=models.CASCADE, related_name="cases")
    victim = models.OneToOneField("cases.Victim", on_delete=models.CASCADE, related_name="imported_from")
    line = models.PositiveIntegerField(_("row"))
    external_reference = models.CharField(_("external reference"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("imported case")
        verbose_name_plural = _("imported cases")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_reference"],
                condition=~models.Q(external_reference=""),
                name="importedcase_unique_reference",
            )
        ]

    def __str__(self) -> str:
        return f"{self.victim} ({self.external_reference or '—'})"
