"""Every write of the Procurement Lab's spend import: upload, import, map, replace."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.audit.trail import audit_record, audited
from infuse.errors import UserFacingError
from infuse.warehouse.store import Store, default_store

from . import spend_queries
from .importing import (
    LedgerFileError,
    LedgerImport,
    LedgerInspection,
    LedgerMappingNeeded,
    import_ledger,
    inspect_ledger,
)
from .ledger_display import heading_signature, inspection_as_json, translate_problem
from .models import ColumnMapping, SpendBatch

logger = logging.getLogger(__name__)

DATASET = "spend_lines"
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class SpendImportError(UserFacingError):
    """A spend file that cannot be imported; the message says why, in the user's language."""


@audited
@transaction.atomic
def spend_upload(
    *, actor: Any, body: Any, file_name: str, content: bytes, visibility: str = "regional"
) -> SpendBatch:
    """Keep an uploaded spend file and queue it for import.

    A file already live for the body is not imported again: the live batch is returned and
    nothing changes.
    """
    if len(content) > MAX_UPLOAD_BYTES:
        raise SpendImportError(_("The file is larger than 200 MB."))
    if not content:
        raise SpendImportError(_("The file is empty."))
    digest = hashlib.sha256(content).hexdigest()
    live = SpendBatch.objects.filter(
        owner_body=body, file_sha256=digest, status=SpendBatch.Status.LIVE
    ).first()
    if live is not None:
        return live
    batch = SpendBatch(
        owner_body=body,
        visibility=visibility,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        file_name=Path(file_name).name[:255],
        file_sha256=digest,
    )
    batch.upload.save(batch.file_name, ContentFile(content), save=False)
    batch.save()
    audit_record(
        actor=actor,
        action="procurement.spend_upload",
        target=batch,
        body=body,
        after={"file_name": batch.file_name, "sha256": digest, "bytes": len(content)},
    )
    return batch


def _remembered_mapping(batch: SpendBatch, inspection: LedgerInspection) -> dict[str, Any] | None:
    remembered = ColumnMapping.objects.filter(
        owner_body=batch.owner_body, heading_signature=heading_signature(inspection)
    ).first()
    return dict(remembered.mapping) if remembered else None


def _period_clash(batch: SpendBatch, result: LedgerImport) -> SpendBatch | None:
    """A live file of the same body covering the same months: the new one is a correction."""
    first, last = result.summary.first_payment_date, result.summary.last_payment_date
    if first is None or last is None:
        return None
    return (
        SpendBatch.objects.filter(
            owner_body=batch.owner_body,
            status=SpendBatch.Status.LIVE,
            first_payment_date__year=first.year,
            first_payment_date__month=first.month,
            last_payment_date__year=last.year,
            last_payment_date__month=last.month,
        )
        .exclude(pk=batch.pk)
        .first()
    )


def _with_batch_columns(rows: pa.Table, batch: SpendBatch) -> pa.Table:
    rows = spend_queries.with_groups(rows)
    count = rows.num_rows
    rows = rows.append_column("body_code", pa.array([batch.owner_body.code] * count, pa.string()))
    return rows.append_column("batch_id", pa.array([batch.pk] * count, pa.int64()))


Progress = Callable[[int, int, str], None]


def _no_progress(done: int, total: int, stage: str) -> None:
    return None


@audited
def spend_import_run(
    *,
    actor: Any,
    batch: SpendBatch,
    mapping: Mapping[str, Any] | None = None,
    confirm_replace: bool = False,
    store: Store | None = None,
    progress: Progress = _no_progress,
) -> SpendBatch:
    """Read a queued spend file and make it live, all or nothing.

    Outcomes: LIVE; NEEDS_MAPPING (columns must be confirmed: nothing imported);
    NEEDS_CONFIRMATION (it would replace a live file of the same months); DUPLICATE (the same
    payments are already live); FAILED with the reason. The ledger lines are written to the
    analytical store and published before the database records the batch as live, so a failure
    anywhere leaves the figures users see unchanged.
    """
    store = store or default_store()
    progress(0, 4, "reading")
    with batch.upload.open("rb") as handle:
        content = handle.read()
    chosen = dict(mapping) if mapping is not None else None
    try:
        if chosen is None:
            inspection = inspect_ledger(content, source_name=batch.file_name)
            chosen = _remembered_mapping(batch, inspection)
        result = import_ledger(content, source_name=batch.file_name, mapping=chosen)
    except LedgerMappingNeeded as needed:
        return _mark(
            actor,
            batch,
            SpendBatch.Status.NEEDS_MAPPING,
            inspection=inspection_as_json(needed.inspection),
            error=translate_problem(needed.problem),
        )
    except LedgerFileError as refused:
        return _mark(
            actor, batch, SpendBatch.Status.FAILED, error=translate_problem(refused.problem)
        )
    progress(1, 4, "checking")

    same_rows = (
        SpendBatch.objects.filter(
            owner_body=batch.owner_body,
            rows_sha256=result.rows_sha256,
            status=SpendBatch.Status.LIVE,
        )
        .exclude(pk=batch.pk)
        .first()
    )
    if same_rows is not None:
        return _mark(
            actor,
            batch,
            SpendBatch.Status.DUPLICATE,
            error=_("The same payments are already imported from %(file)s.")
            % {"file": same_rows.file_name},
        )
    clash = _period_clash(batch, result)
    if clash is not None and not confirm_replace:
        return _mark(
            actor,
            batch,
            SpendBatch.Status.NEEDS_CONFIRMATION,
            replaces=clash,
            summary=_summary_json(result),
        )

    progress(2, 4, "writing")
    staged = store.stage(_with_batch_columns(result.rows, batch), DATASET)
    try:
        path = store.publish(
            staged, f"{batch.owner_body.code}/{batch.pk}-{result.rows_sha256[:12]}"
        )
    except Exception:
        store.discard(staged)
        raise
    progress(3, 4, "recording")
    try:
        with transaction.atomic():
            _make_live(actor, batch, result, path, clash if confirm_replace else None, chosen)
    except Exception:
        # The database did not record it, so the published file is not live; remove it now
        # rather than wait for garbage collection.
        store.remove(path)
        raise
    progress(4, 4, "done")
    return batch


def _summary_json(result: LedgerImport) -> dict[str, Any]:
    summary = asdict(result.summary)
    summary["notes"] = [translate_problem(n) for n in result.summary.notes]
    summary["mapping"] = dict(result.summary.mapping)
    return json.loads(json.dumps(summary, default=str))


def _make_live(
    actor: Any,
    batch: SpendBatch,
    result: LedgerImport,
    path: str,
    replaces: SpendBatch | None,
    mapping: Mapping[str, Any] | None,
) -> None:
    summary = result.summary
    batch.status = SpendBatch.Status.LIVE
    batch.rows_sha256 = result.rows_sha256
    batch.parquet_path = path
    batch.rows_imported = summary.rows_imported
    batch.rows_rejected = summary.rows_rejected
    batch.total_amount = Decimal(summary.total_amount)
    batch.first_payment_date = summary.first_payment_date
    batch.last_payment_date = summary.last_payment_date
    batch.summary = _summary_json(result)
    batch.mapping = dict(summary.mapping)
    batch.rejected = [
        {"line": r.line_number, "reason": translate_problem(r.problem)}
        for r in result.rejected[:5000]
    ]
    batch.error = ""
    batch.imported_at = timezone.now()
    if replaces is not None:
        replaces.status = SpendBatch.Status.REPLACED
        replaces.save(update_fields=["status", "updated_at"])
        batch.replaces = replaces
    batch.save()
    if mapping:
        ColumnMapping.objects.update_or_create(
            owner_body=batch.owner_body,
            heading_signature=heading_signature(result.inspection),
            defaults={
                "mapping": dict(mapping),
                "confirmed_by": actor if getattr(actor, "is_authenticated", False) else None,
            },
        )
    audit_record(
        actor=actor,
        action="procurement.spend_import",
        target=batch,
        body=batch.owner_body,
        after={
            "status": batch.status,
            "rows_imported": batch.rows_imported,
            "rows_rejected": batch.rows_rejected,
            "total_amount": str(batch.total_amount),
            "replaces": replaces.pk if replaces else None,
        },
    )


def _mark(actor: Any, batch: SpendBatch, status: str, **fields: Any) -> SpendBatch:
    with transaction.atomic():
        before = {"status": batch.status}
        batch.status = status
        for name, value in fields.items():
            setattr(batch, name, value)
        batch.save()
        audit_record(
            actor=actor,
            action="procurement.spend_import",
            target=batch,
            body=batch.owner_body,
            before=before,
            after={"status": status, "reason": fields.get("error", "")},
        )
    return batch


@audited
@transaction.atomic
def spend_batch_fail(*, actor: Any, batch: SpendBatch, reason: str) -> SpendBatch:
    """Record that an import stopped (an unexpected error, or the worker was stopped)."""
    return _mark(actor, batch, SpendBatch.Status.FAILED, error=reason)


@audited
@transaction.atomic
def spend_mapping_confirm(
    *, actor: Any, batch: SpendBatch, mapping: Mapping[str, Any]
) -> SpendBatch:
    """Keep the columns a person confirmed, to import the file with them (and remember them
    for the body's next file laid out the same way, once the import succeeds)."""
    before = {"status": batch.status, "mapping": batch.mapping}
    batch.mapping = {role: position for role, position in mapping.items()}
    batch.status = SpendBatch.Status.WAITING
    batch.error = ""
    batch.save(update_fields=["mapping", "status", "error", "updated_at"])
    audit_record(
        actor=actor,
        action="procurement.spend_mapping_confirm",
        target=batch,
        body=batch.owner_body,
        before=before,
        after={"status": batch.status, "mapping": batch.mapping},
    )
    return batch


@audited
def spend_import_or_fail(*, actor: Any, batch: SpendBatch, **options: Any) -> SpendBatch:
    """``spend_import_run``, recording any unexpected failure on the batch before re-raising.

    The trace goes to the log; the person sees that the import stopped and nothing changed.
    """
    try:
        return spend_import_run(actor=actor, batch=batch, **options)
    except Exception:
        logger.exception("Spend import of batch %s failed", batch.pk)
        spend_batch_fail(
            actor=actor,
            batch=SpendBatch.objects.get(pk=batch.pk),
            reason=_("The import stopped because of an unexpected error. Nothing was changed."),
        )
        raise
