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
