"""Every write of the Procurement Lab: spend import (upload, import, map, replace) and
supplier cleaning (merge, split, confirm, undo; supplier lists)."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.accounts.models import Visibility
from infuse.accounts.policy import recorded_user
from infuse.audit.trail import audit_record, audited, snapshot
from infuse.errors import UserFacingError
from infuse.warehouse.store import Store, default_store

from . import carbon, selectors, spend_queries
from .importing import (
    LedgerFileError,
    LedgerImport,
    LedgerInspection,
    LedgerMappingNeeded,
    import_ledger,
    inspect_ledger,
)
from .ledger_display import heading_signature, inspection_as_json, translate_problem
from .models import (
    CarbonExclusionRule,
    CarbonFactorSet,
    CarbonScenario,
    CarbonSettings,
    ColumnMapping,
    SpendBatch,
    SupplierDecision,
    SupplierEmissions,
    SupplierList,
    SupplierListEntry,
)

# Refusals of a supplier list are raised by the upload service too: callers catch them here.
from .supplier_list_reading import SupplierListRefused as SupplierListRefused
from .supplier_list_reading import supplier_list_read, translate_list_problem
from .supplier_lists import SupplierListRead

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


# --- suppliers ------------------------------------------------------------------------------


class SupplierDecisionError(UserFacingError):
    """A merge, split, confirmation or undo that cannot be made; the message says why."""


def _require_supplier_change(actor: Any, body: Any) -> None:
    # ``None`` is the system itself (the demo, the command line); a person must be allowed.
    if actor is not None and not selectors.may_change_suppliers(actor, body):
        raise PermissionDenied


def _current_clusters(body: Any) -> pl.DataFrame:
    clusters, _files = selectors.supplier_clusters_of_body(body)
    return clusters.assignments


def _cluster_rows(assignments: pl.DataFrame, cluster_id: str) -> pl.DataFrame:
    return assignments.filter(pl.col("cluster_id") == cluster_id)


def _created_by(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


@audited
@transaction.atomic
def supplier_merge(*, actor: Any, body: Any, cluster_ids: Sequence[str]) -> SupplierDecision:
    """Record that the clusters ``cluster_ids`` of ``body`` are one supplier; the merged
    cluster keeps the first id. Refused (nothing changed) for fewer than two distinct known
    clusters or a withheld payee (an individual or a redacted name)."""
    _require_supplier_change(actor, body)
    wanted = list(dict.fromkeys(cid for cid in cluster_ids if cid))
    if len(wanted) < 2:
        raise SupplierDecisionError(_("Choose at least two suppliers to merge."))
    assignments = _current_clusters(body)
    anchors: list[str] = []
    spellings: list[list[str]] = []
    for cluster_id in wanted:
        rows = _cluster_rows(assignments, cluster_id)
        if rows.height == 0:
            raise SupplierDecisionError(
                _("One of the suppliers chosen is no longer in the spend files; reload the page.")
            )
        if rows["is_excluded"].any():
            raise SupplierDecisionError(
                _("Payments to individuals and redacted names cannot be merged with suppliers.")
            )
        anchors.append(str(rows["canonical_name"][0]))
        spellings.append(sorted(n for n in rows["name"].to_list() if n is not None))
    decision = SupplierDecision.objects.create(
        owner_body=body,
        visibility=Visibility.PRIVATE,
        created_by=_created_by(actor),
        kind=SupplierDecision.Kind.MERGE,
        cluster_ids=wanted,
        anchor_names=anchors,
        spellings=spellings,
        label=anchors[0][:500],
    )
    audit_record(
        actor=actor,
        action="procurement.supplier_merge",
        target=decision,
        body=body,
        after={"cluster_ids": wanted, "names": anchors, "spellings": spellings},
    )
    return decision


@audited
@transaction.atomic
def supplier_split(*, actor: Any, body: Any, raw_name: str) -> SupplierDecision:
    """Record that the spelling ``raw_name`` is not the supplier it is clustered with: it
    becomes a supplier of its own. Refused for an unknown spelling, a withheld payee, or a
    spelling already alone."""
    _require_supplier_change(actor, body)
    assignments = _current_clusters(body)
    row = assignments.filter(pl.col("name") == raw_name)
    if row.height == 0:
        raise SupplierDecisionError(
            _("The spelling %(name)s is not in the spend files.") % {"name": raw_name}
        )
    if row["is_excluded"][0]:
        raise SupplierDecisionError(
            _("Payments to individuals and redacted names are never grouped, so cannot be split.")
        )
    cluster_id = str(row["cluster_id"][0])
    members = _cluster_rows(assignments, cluster_id)
    if members.height < 2:
        raise SupplierDecisionError(
            _("%(name)s is already a supplier on its own.") % {"name": raw_name}
        )
    decision = SupplierDecision.objects.create(
        owner_body=body,
        visibility=Visibility.PRIVATE,
        created_by=_created_by(actor),
        kind=SupplierDecision.Kind.SPLIT,
        cluster_ids=[cluster_id],
        anchor_names=[str(members["canonical_name"][0])],
        raw_name=raw_name[:500],
        spellings=[sorted(n for n in members["name"].to_list() if n is not None)],
        label=str(members["canonical_name"][0])[:500],
    )
    audit_record(
        actor=actor,
        action="procurement.supplier_split",
        target=decision,
        body=body,
        after={"raw_name": raw_name, "from_cluster": cluster_id},
    )
    return decision


@audited
@transaction.atomic
def supplier_confirm(*, actor: Any, body: Any, cluster_id: str) -> SupplierDecision:
    """Record that an analyst checked the cluster's spellings and they are one supplier.

    Confirming a cluster again with the same spellings changes nothing (the standing
    confirmation is returned)."""
    _require_supplier_change(actor, body)
    rows = _cluster_rows(_current_clusters(body), cluster_id)
    if rows.height == 0:
        raise SupplierDecisionError(
            _("That supplier is no longer in the spend files; reload the page.")
        )
    if rows["is_excluded"].any():
        raise SupplierDecisionError(
            _("Payments to individuals and redacted names are not suppliers to confirm.")
        )
    names = sorted(n for n in rows["name"].to_list() if n is not None)
    anchor = str(rows["canonical_name"][0])
    standing = SupplierDecision.objects.filter(
        owner_body=body, kind=SupplierDecision.Kind.CONFIRM, reverted_at__isnull=True
    ).order_by("-pk")
    for earlier in standing:
        if earlier.anchor_names == [anchor] and earlier.spellings == [names]:
            return earlier
    decision = SupplierDecision.objects.create(
        owner_body=body,
        visibility=Visibility.PRIVATE,
        created_by=_created_by(actor),
        kind=SupplierDecision.Kind.CONFIRM,
        cluster_ids=[cluster_id],
        anchor_names=[anchor],
        spellings=[names],
        label=anchor[:500],
    )
    audit_record(
        actor=actor,
        action="procurement.supplier_confirm",
        target=decision,
        body=body,
        after={"cluster_id": cluster_id, "spellings": names},
    )
    return decision


@audited
@transaction.atomic
def supplier_decision_undo(*, actor: Any, decision: SupplierDecision) -> SupplierDecision:
    """Undo a merge, split or confirmation: it is marked undone (never deleted) and the body's
    other decisions are replayed without it."""
    body = decision.owner_body
    _require_supplier_change(actor, body)
    locked = SupplierDecision.objects.select_for_update().get(pk=decision.pk)
    if locked.reverted_at is not None:
        raise SupplierDecisionError(_("This decision has already been undone."))
    locked.reverted_at = timezone.now()
    locked.reverted_by = _created_by(actor)
    locked.save(update_fields=["reverted_at", "reverted_by", "updated_at"])
    audit_record(
        actor=actor,
        action="procurement.supplier_decision_undo",
        target=locked,
        body=body,
        before={"reverted_at": None},
        after={"reverted_at": locked.reverted_at, "kind": locked.kind},
    )
    return locked


@audited
@transaction.atomic
def supplier_list_upload(
    *,
    actor: Any,
    body: Any,
    file_name: str,
    content: bytes,
    visibility: str = Visibility.REGIONAL,
    parsed: SupplierListRead | None = None,
) -> SupplierList:
    """Keep a supplier list's entries for ``body``: postcode, size and SIC codes for the
    suppliers they match. All or nothing; a bad file is refused with the reason and changes
    nothing. The same file uploaded again while its first copy stands changes nothing."""
    _require_supplier_change(actor, body)
    read = parsed if parsed is not None else supplier_list_read(content)
    digest = hashlib.sha256(content).hexdigest()
    standing = SupplierList.objects.filter(
        owner_body=body, file_sha256=digest, withdrawn_at__isnull=True
    ).first()
    if standing is not None:
        return standing
    supplier_list = SupplierList.objects.create(
        owner_body=body,
        visibility=visibility,
        created_by=_created_by(actor),
        file_name=Path(file_name).name[:255] or "suppliers.csv",
        file_sha256=digest,
        columns=read.columns,
        rows_read=read.entries.height,
        rejected=[
            {"line": line, "reason": translate_list_problem(problem)}
            for line, problem in (*read.rejected, *read.line_notes)
        ][:5000],
        notes=[translate_list_problem(problem) for problem in read.notes],
    )
    SupplierListEntry.objects.bulk_create(
        [
            SupplierListEntry(
                supplier_list=supplier_list,
                line_number=row["line_number"],
                name=row["name"][:500],
                normalised_name=row["normalised_name"][:500],
                company_number=(row["company_number"] or "")[:16],
                vat_number=(row["vat_number"] or "")[:20],
                postcode=(row["postcode"] or "")[:10],
                size=row["size"],
                sic_codes=list(row["sic_codes"] or []),
            )
            for row in read.entries.iter_rows(named=True)
        ],
        batch_size=2000,
    )
    audit_record(
        actor=actor,
        action="procurement.supplier_list_upload",
        target=supplier_list,
        body=body,
        after={
            "file_name": supplier_list.file_name,
            "sha256": digest,
            "suppliers": supplier_list.rows_read,
            "columns": read.columns,
        },
    )
    return supplier_list


@audited
@transaction.atomic
def supplier_list_withdraw(*, actor: Any, supplier_list: SupplierList) -> SupplierList:
    """Stop using a supplier list (it stays on record, marked withdrawn)."""
    _require_supplier_change(actor, supplier_list.owner_body)
    locked = SupplierList.objects.select_for_update().get(pk=supplier_list.pk)
    if locked.withdrawn_at is not None:
        return locked
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = _created_by(actor)
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "updated_at"])
    audit_record(
        actor=actor,
        action="procurement.supplier_list_withdraw",
        target=locked,
        body=locked.owner_body,
        before={"withdrawn_at": None},
        after={"withdrawn_at": locked.withdrawn_at},
    )
    return locked


# --- supply-chain carbon ----------------------------------------------------------------------

BUILTIN_FACTOR_FILE = Path(__file__).parent / "carbon_data" / "defra_sic_2022.json"


class CarbonError(UserFacingError):
    """A carbon change Infuse refused, with the reason for a person."""


def _require_carbon_change(actor: Any, body: Any) -> None:
    if not selectors.may_change_carbon(actor, body):
        raise PermissionDenied


def _factor_payload(factors: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        {"code": f.code, "description": f.description, "kgco2e_per_gbp": f.kgco2e_per_gbp}
        for f in factors
    ]


@audited
@transaction.atomic
def carbon_factor_set_add(
    *,
    actor: Any,
    file_name: str,
    content: bytes,
    name: str,
    version: str,
    base_year: int,
    source: str,
    licence: str,
    source_url: str = "",
) -> CarbonFactorSet:
    """Keep an uploaded set of emission factors (CSV, XLSX or ODS; see
    :func:`carbon.read_factor_set`). A file Infuse cannot read is refused with the reason and
    changes nothing; the same file again returns the set already kept."""
    if actor is not None and not selectors.may_manage_factor_sets(actor):
        raise PermissionDenied
    digest = hashlib.sha256(content).hexdigest()
    existing = CarbonFactorSet.objects.filter(file_sha256=digest).first()
    if existing is not None:
        return existing
    try:
        factors, notes = carbon.read_factor_set(content, file_name)
    except carbon.FactorSetError as error:
        raise CarbonError(_(error.template) % error.params) from error
    if not 1990 <= int(base_year) <= 2100:
        raise CarbonError(_("The price base year must be a year between 1990 and 2100."))
    factor_set = CarbonFactorSet.objects.create(
        name=name.strip()[:200] or Path(file_name).stem[:200],
        version=version.strip()[:50],
        base_year=int(base_year),
        source=source.strip(),
        source_url=source_url.strip()[:500],
        licence=licence.strip()[:200],
        file_name=Path(file_name).name[:255],
        file_sha256=digest,
        factors=_factor_payload(factors),
        notes=notes[:500],
        created_by=recorded_user(actor),
    )
    audit_record(
        actor=actor,
        action="procurement.carbon_factor_set_add",
        target=factor_set,
        after={
            "name": factor_set.name,
            "version": factor_set.version,
            "base_year": factor_set.base_year,
            "factors": len(factors),
            "sha256": digest,
        },
    )
    return factor_set


@audited
def carbon_factor_set_builtin(*, actor: Any = None) -> CarbonFactorSet:
    """The DEFRA 2022 factors by SIC code that Infuse ships (reference data, OGL v3.0),
    loaded once; loading again changes nothing."""
    data = json.loads(BUILTIN_FACTOR_FILE.read_text(encoding="utf-8"))
    rows = ["sic_code,description,ghg_kgco2e_per_gbp"] + [
        ",".join(
            [f["code"], '"' + f["description"].replace('"', '""') + '"', repr(f["kgco2e_per_gbp"])]
        )
        for f in data["factors"]
    ]
    return carbon_factor_set_add(
        actor=None,
        file_name="defra_sic_2022.csv",
        content=("\n".join(rows) + "\n").encode(),
        name=data["name"],
        version=data["version"],
        base_year=data["base_year"],
        source=data["source"],
        source_url=data["source_url"],
        licence=data["licence"],
    )


def _carbon_settings(body: Any) -> CarbonSettings:
    found, _created = CarbonSettings.objects.select_for_update().get_or_create(owner_body=body)
    return found


@audited
@transaction.atomic
def carbon_factor_set_choose(
    *, actor: Any, body: Any, factor_set: CarbonFactorSet
) -> CarbonSettings:
    """Make ``factor_set`` the one ``body``'s figures use (every figure is recomputed)."""
    _require_carbon_change(actor, body)
    found = _carbon_settings(body)
    before = found.factor_set_id
    found.factor_set = factor_set
    found.save(update_fields=["factor_set"])
    audit_record(
        actor=actor,
        action="procurement.carbon_factor_set_choose",
        target=found,
        body=body,
        before={"factor_set": before},
        after={"factor_set": factor_set.pk},
    )
    return found


@audited
@transaction.atomic
def carbon_standard_rule_switch(
    *, actor: Any, body: Any, key: str, enabled: bool
) -> CarbonSettings:
    """Switch one of the standard exclusion rules on or off for ``body``."""
    _require_carbon_change(actor, body)
    if key not in {rule.key for rule in carbon.STANDARD_EXCLUSIONS}:
        raise CarbonError(_("There is no such standard rule."))
    found = _carbon_settings(body)
    before = sorted(found.disabled_rules or [])
    disabled = set(before) - {key} if enabled else set(before) | {key}
    found.disabled_rules = sorted(disabled)
    found.save(update_fields=["disabled_rules"])
    audit_record(
        actor=actor,
        action="procurement.carbon_standard_rule_switch",
        target=found,
        body=body,
        before={"disabled_rules": before},
        after={"disabled_rules": found.disabled_rules},
    )
    return found


@audited
@transaction.atomic
def carbon_rule_add(
    *, actor: Any, body: Any, field: str, pattern: str, reason: str
) -> CarbonExclusionRule:
    """Add an exclusion rule of ``body``'s own: lines whose ``field`` matches ``pattern``."""
    _require_carbon_change(actor, body)
    if field not in carbon.EXCLUSION_FIELDS:
        raise CarbonError(_("Choose which column the rule looks at."))
    pattern = pattern.strip()
    if not pattern or not reason.strip():
        raise CarbonError(_("Give the words to look for and the reason for leaving them out."))
    try:
        re.compile(pattern)
        duckdb.execute("SELECT regexp_matches('', ?)", [pattern]).fetchall()
    except (re.error, duckdb.Error) as error:
        raise CarbonError(
            _("The pattern is not a valid regular expression: %(problem)s") % {"problem": error}
        ) from error
    rule = CarbonExclusionRule.objects.create(
        owner_body=body,
        visibility=Visibility.PRIVATE,
        created_by=recorded_user(actor),
        field=field,
        pattern=pattern[:300],
        reason=reason.strip()[:200],
    )
    audit_record(
        actor=actor,
        action="procurement.carbon_rule_add",
        target=rule,
        body=body,
        after=snapshot(rule, ["field", "pattern", "reason"]),
    )
    return rule


@audited
@transaction.atomic
def carbon_rule_remove(*, actor: Any, rule: CarbonExclusionRule) -> None:
    """Remove one of a body's own exclusion rules (the audit trail keeps what it was)."""
    _require_carbon_change(actor, rule.owner_body)
    before = snapshot(rule, ["field", "pattern", "reason"])
    audit_record(
        actor=actor,
        action="procurement.carbon_rule_remove",
        target=rule,
        body=rule.owner_body,
        before=before,
    )
    rule.delete()


@audited
@transaction.atomic
def supplier_emissions_record(
    *,
    actor: Any,
    body: Any,
    cluster_id: str,
    kind: str,
    year: int,
    source: str,
    reported_tco2e: Decimal | None = None,
    revenue_gbp: Decimal | None = None,
    kgco2e_per_gbp: float | None = None,
) -> SupplierEmissions:
    """Record a supplier's own emissions figure for ``body``: reported emissions over its
    revenue, or an intensity (kgCO2e per £). It replaces the spend-based estimate for the
    supplier's spend from then on (tier 3; tier 2 for average data)."""
    _require_carbon_change(actor, body)
    clusters, _files = selectors.supplier_clusters_of_body(body)
    rows = _cluster_rows(clusters.assignments, cluster_id)
    if rows.height == 0:
        raise CarbonError(_("That supplier is not in this body's ledgers."))
    if kind == SupplierEmissions.Kind.REPORTED:
        if not reported_tco2e or not revenue_gbp or reported_tco2e < 0 or revenue_gbp <= 0:
            raise CarbonError(_("Give the supplier's reported emissions and its revenue."))
        intensity = float(reported_tco2e) * 1000 / float(revenue_gbp)
    elif kind in (SupplierEmissions.Kind.INTENSITY, SupplierEmissions.Kind.AVERAGE):
        if kgco2e_per_gbp is None or not 0 <= kgco2e_per_gbp <= carbon.MAX_FACTOR_KG_PER_GBP:
            raise CarbonError(_("Give the emissions per £ as a number between 0 and 100."))
        intensity = float(kgco2e_per_gbp)
    else:
        raise CarbonError(_("Choose what kind of figure this is."))
    if not source.strip():
        raise CarbonError(_("Say where the figure comes from."))
    now = timezone.now()
    SupplierEmissions.objects.filter(
        owner_body=body, cluster_id=cluster_id, withdrawn_at__isnull=True
    ).update(withdrawn_at=now)
    label = str(rows["canonical_name"][0])
    figure = SupplierEmissions.objects.create(
        owner_body=body,
        visibility=Visibility.PRIVATE,
        created_by=recorded_user(actor),
        cluster_id=cluster_id,
        anchor_name=str(rows.sort("name")["name"][0])[:500],
        label=label[:500],
        kind=kind,
        reported_tco2e=reported_tco2e if kind == SupplierEmissions.Kind.REPORTED else None,
        revenue_gbp=revenue_gbp if kind == SupplierEmissions.Kind.REPORTED else None,
        kgco2e_per_gbp=intensity,
        year=int(year),
        source=source.strip()[:500],
    )
    audit_record(
        actor=actor,
        action="procurement.supplier_emissions_record",
        target=figure,
        body=body,
        after=snapshot(figure, ["label", "kind", "kgco2e_per_gbp", "year", "source"]),
    )
    return figure


@audited
@transaction.atomic
def supplier_emissions_withdraw(*, actor: Any, figure: SupplierEmissions) -> SupplierEmissions:
    """Stop using a supplier's figure (it stays on record); its spend is spend-based again."""
    _require_carbon_change(actor, figure.owner_body)
    if figure.withdrawn_at is None:
        figure.withdrawn_at = timezone.now()
        figure.save(update_fields=["withdrawn_at", "updated_at"])
        audit_record(
            actor=actor,
            action="procurement.supplier_emissions_withdraw",
            target=figure,
            body=figure.owner_body,
            before={"withdrawn_at": None},
            after={"withdrawn_at": figure.withdrawn_at},
        )
    return figure


@audited
@transaction.atomic
def carbon_scenario_save(
    *, actor: Any, body: Any, name: str, base_year: int, levers: Sequence[dict[str, Any]]
) -> CarbonScenario:
    """Keep a scenario of ``body`` to 2030: a name, the baseline financial year and its
    levers (see :class:`carbon.Lever`; shares 0–1, intensity kgCO2e per £)."""
    _require_carbon_change(actor, body)
    cleaned = []
    for lever in levers:
        kind, target = str(lever.get("kind", "")), str(lever.get("target", "")).strip()
        share = float(lever.get("share", 0))
        intensity = float(lever.get("intensity", 0) or 0)
        if kind not in ("shift", "supplier", "reduce") or not target:
            raise CarbonError(_("Each change needs a category or supplier."))
        if not 0 < share <= 1 or not 0 <= intensity <= carbon.MAX_FACTOR_KG_PER_GBP:
            raise CarbonError(_("Give each change a percentage between 1 and 100."))
        cleaned.append(
            {"kind": kind, "target": target[:500], "share": share, "intensity": intensity}
        )
    if not cleaned:
        raise CarbonError(_("Give the scenario at least one change."))
    if not name.strip():
        raise CarbonError(_("Give the scenario a name."))
    scenario = CarbonScenario.objects.create(
        owner_body=body,
        visibility=Visibility.PRIVATE,
        created_by=recorded_user(actor),
        name=name.strip()[:200],
        base_year=int(base_year),
        levers=cleaned,
    )
    audit_record(
        actor=actor,
        action="procurement.carbon_scenario_save",
        target=scenario,
        body=body,
        after=snapshot(scenario, ["name", "base_year", "levers"]),
    )
    return scenario


@audited
@transaction.atomic
def carbon_scenario_delete(*, actor: Any, scenario: CarbonScenario) -> None:
    """Delete a scenario (the audit trail keeps what it was)."""
    _require_carbon_change(actor, scenario.owner_body)
    audit_record(
        actor=actor,
        action="procurement.carbon_scenario_delete",
        target=scenario,
        body=scenario.owner_body,
        before=snapshot(scenario, ["name", "base_year", "levers"]),
    )
    scenario.delete()
