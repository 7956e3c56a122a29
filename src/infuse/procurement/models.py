"""Spend-ledger imports. The ledger lines themselves live in the analytical store (Parquet);
these tables say which files are live, how each was read, and what was rejected."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from infuse.accounts.models import OwnedRecord


class SpendBatch(OwnedRecord):
    """One uploaded spend file of one body, from upload to live (or refused)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting to import")
        NEEDS_MAPPING = "needs_mapping", _("Columns need checking")
        NEEDS_CONFIRMATION = "needs_confirmation", _("Replaces an earlier file: confirm")
        LIVE = "live", _("Imported")
        DUPLICATE = "duplicate", _("Already imported")
        REPLACED = "replaced", _("Replaced by a corrected file")
        FAILED = "failed", _("Refused")

    file_name = models.CharField(_("file"), max_length=255)
    upload = models.FileField(upload_to="spend/%Y/%m/", max_length=300)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    rows_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.WAITING, db_index=True
    )
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mapping = models.JSONField(_("column mapping"), null=True, blank=True)
    inspection = models.JSONField(null=True, blank=True)
    summary = models.JSONField(null=True, blank=True)
    rejected = models.JSONField(_("rejected rows"), default=list, blank=True)
    rows_imported = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    total_amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    first_payment_date = models.DateField(null=True, blank=True)
    last_payment_date = models.DateField(null=True, blank=True)
    parquet_path = models.CharField(max_length=300, blank=True)
    replaces = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaced_by"
    )
    error = models.TextField(_("reason"), blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("spend file")
        verbose_name_plural = _("spend files")
        constraints = [
            # A body holds one live copy of a file: importing it again changes nothing.
            models.UniqueConstraint(
                fields=["owner_body", "file_sha256"],
                condition=models.Q(status="live"),
                name="one_live_copy_of_a_spend_file",
            )
        ]

    def __str__(self) -> str:
        return self.file_name


class ColumnMapping(models.Model):
    """A body's confirmed mapping for files laid out the same way (the same headings)."""

    owner_body = models.ForeignKey("reference.Body", on_delete=models.CASCADE, related_name="+")
    heading_signature = models.CharField(max_length=64)
    mapping = models.JSONField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner_body", "heading_signature"], name="one_mapping_per_layout"
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner_body_id}:{self.heading_signature[:8]}"


class SupplierDecision(OwnedRecord):
    """An analyst's decision about a body's supplier clusters: a merge, a split or a
    confirmation. Decisions are replayed in order over the automatic clusters
    (``suppliers.apply_decisions``); undoing one marks it reverted and replays the rest, so
    nothing is ever deleted and the history shows who decided what, and who undid it."""

    class Kind(models.TextChoices):
        MERGE = "merge", _("Merge")
        SPLIT = "split", _("Split")
        CONFIRM = "confirm", _("Confirm")

    kind = models.CharField(_("decision"), max_length=16, choices=Kind.choices)
    # Cluster ids as the analyst saw them (a merge keeps the first) and, for each, one spelling
    # in it: ids are derived from a cluster's alphabetically first spelling, which a new ledger
    # can change, so replay finds each cluster by its spelling first and by its id second.
    cluster_ids = models.JSONField(default=list, blank=True)
    anchor_names = models.JSONField(default=list, blank=True)
    # A split's spelling; empty for merges and confirmations.
    raw_name = models.CharField(_("spelling"), max_length=500, blank=True)
    # The spellings each cluster held when the decision was made, for the history and to tell
    # when a confirmed cluster has gained spellings since.
    spellings = models.JSONField(default=list, blank=True)
    label = models.CharField(_("supplier"), max_length=500, blank=True)
    reverted_at = models.DateTimeField(_("undone"), null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("supplier decision")
        verbose_name_plural = _("supplier decisions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["merge", "split", "confirm"]),
                name="supplier_decision_kind_known",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.label or self.raw_name}"[:300]

    @property
    def active(self) -> bool:
        return self.reverted_at is None


class SupplierList(OwnedRecord):
    """An uploaded list of a body's suppliers (CSV or spreadsheet) that adds what ledgers
    rarely say: postcode, size (SME or not) and SIC codes. Withdrawing a list marks it, so its
    entries stop counting and the upload stays on record."""

    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    columns = models.JSONField(_("columns recognised"), default=dict, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rejected = models.JSONField(_("rejected rows"), default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("supplier list")
        verbose_name_plural = _("supplier lists")

    def __str__(self) -> str:
        return self.file_name

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class SupplierListEntry(models.Model):
    """One supplier of an uploaded list. It attaches to whichever cluster holds its company
    number, VAT number or normalised name when the clusters are read, so it follows merges
    and splits without being rewritten."""

    class Size(models.TextChoices):
        SME = "sme", _("SME")
        LARGE = "large", _("Not an SME")
        UNKNOWN = "unknown", _("Size unknown")

    supplier_list = models.ForeignKey(
        SupplierList, on_delete=models.CASCADE, related_name="entries"
    )
    line_number = models.PositiveIntegerField()
    name = models.CharField(_("supplier"), max_length=500)
    normalised_name = models.CharField(max_length=500, db_index=True)
    company_number = models.CharField(_("company number"), max_length=16, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    size = models.CharField(_("size"), max_length=8, choices=Size.choices, default=Size.UNKNOWN)
    sic_codes = models.JSONField(_("SIC codes"), default=list, blank=True)

    class Meta:
        ordering = ["supplier_list", "line_number"]
        verbose_name = _("supplier list entry")
        verbose_name_plural = _("supplier list entries")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(size__in=["sme", "large", "unknown"]),
                name="supplier_size_known",
            )
        ]

    def __str__(self) -> str:
        return self.name
