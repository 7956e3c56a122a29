"""Writes for spend categories: a body's rules and corrections (audited, reversible), and
the categorisation run that writes every line's category to the store."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import duckdb
import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.accounts.models import Visibility
from infuse.accounts.policy import recorded_user
from infuse.audit.trail import audit_record, audited, snapshot, unaudited
from infuse.errors import UserFacingError
from infuse.reference.models import Body
from infuse.warehouse.store import Store, default_store

from . import categories, categorising
from . import category_selectors as selectors
from .categorising import CategorisingError, Rule, SpendCategoryModel
from .models import CategoryCorrection, CategoryModel, CategoryRule, CategoryRun, SpendBatch
from .selectors import supplier_spelling_clusters

logger = logging.getLogger(__name__)

RULE_FIELDS = ("name", "field", "pattern", "category_code", "position", "enabled")
CORRECTION_FIELDS = ("scope", "batch", "line_number", "value", "category_code")

Progress = Callable[[int, int, str], None]


class CategoryError(UserFacingError):
    """A rule, correction or run that cannot be made; the message is for the person."""


def _require_change(actor: Any, body: Body) -> None:
    if actor is not None and not selectors.may_change_categories(actor, body):
        raise PermissionDenied


def _checked_code(code: str) -> str:
    code = (code or "").strip()
    if not categories.known_code(code, categories.proclass()):
        raise CategoryError(_("Choose a category from the list."))
    return code


@unaudited(reason="checks a rule and writes nothing")
def rule_checked(*, field: str, pattern: str, category_code: str, name: str = "") -> Rule:
    """A rule as the engine will use it, or a clear message about what is wrong with it."""
    if field not in categorising.RULE_FIELDS:
        raise CategoryError(_("Choose which column the rule looks at."))
    pattern = (pattern or "").strip()
    if not pattern:
        raise CategoryError(_("Give the words to look for."))
    try:
        Rule(pattern=pattern, field=field, category_code=_checked_code(category_code), name=name)
        duckdb.execute("SELECT regexp_matches('', ?)", [pattern]).fetchall()
    except (CategorisingError, duckdb.Error) as error:
        raise CategoryError(
            _("The words to look for are not a valid regular expression: %(pattern)s")
            % {"pattern": pattern}
        ) from error
    return Rule(pattern=pattern, field=field, category_code=category_code.strip(), name=name)


@audited
@transaction.atomic
def category_rule_save(
    *,
    actor: Any,
    body: Body,
    name: str,
    field: str,
    pattern: str,
    category_code: str,
    position: int = 100,
    enabled: bool = True,
    rule: CategoryRule | None = None,
) -> CategoryRule:
    """Add a rule of ``body`` or change ``rule``; the next run applies it."""
    _require_change(actor, body)
    if rule is not None and rule.owner_body_id != body.pk:
        raise PermissionDenied
    name = (name or "").strip()[:100]
    if not name:
        raise CategoryError(_("Give the rule a name."))
    checked = rule_checked(field=field, pattern=pattern, category_code=category_code, name=name)
    before = snapshot(rule, RULE_FIELDS)
    if rule is None:
        rule = CategoryRule(
            owner_body=body, visibility=Visibility.PRIVATE, created_by=recorded_user(actor)
        )
    rule.name = name
    rule.field = checked.field
    rule.pattern = checked.pattern[:300]
    rule.category_code = checked.category_code
    rule.position = max(0, int(position))
    rule.enabled = bool(enabled)
    rule.save()
    audit_record(
        actor=actor,
        action="procurement.category_rule_save",
        target=rule,
        body=body,
        before=before,
        after=snapshot(rule, RULE_FIELDS),
    )
    return rule


@audited
@transaction.atomic
def category_rule_delete(*, actor: Any, rule: CategoryRule) -> None:
    """Delete a rule (the audit trail keeps what it was)."""
    _require_change(actor, rule.owner_body)
    before = snapshot(rule, RULE_FIELDS)
    audit_record(
        actor=actor,
        action="procurement.category_rule_delete",
        target=rule,
        body=rule.owner_body,
        before=before,
    )
    rule.delete()


@audited
@transaction.atomic
def category_correct(
    *,
    actor: Any,
    body: Body,
    scope: str,
    category_code: str,
    batch: SpendBatch | None = None,
    line_number: int | None = None,
    value: str = "",
) -> CategoryCorrection:
    """Set the category of one line, or of every line of a supplier or expense type; it is
    applied first on the next run and teaches the model."""
    _require_change(actor, body)
    code = _checked_code(category_code)
    if scope == CategoryCorrection.Scope.LINE:
        if batch is None or line_number is None or batch.owner_body_id != body.pk:
            raise CategoryError(_("Choose the line to correct."))
        value = ""
    elif scope in (CategoryCorrection.Scope.SUPPLIER, CategoryCorrection.Scope.EXPENSE_TYPE):
        value = (value or "").strip()[:500]
        if not value:
            raise CategoryError(_("This line has no supplier or expense type to correct by."))
        batch, line_number = None, None
    else:
        raise CategoryError(_("Choose which lines the correction applies to."))
    correction = CategoryCorrection.objects.create(
        owner_body=body,
        visibility=Visibility.PRIVATE,
        created_by=recorded_user(actor),
        scope=scope,
        batch=batch,
        line_number=line_number,
        value=value,
        category_code=code,
    )
    audit_record(
        actor=actor,
        action="procurement.category_correct",
        target=correction,
        body=body,
        after=snapshot(correction, CORRECTION_FIELDS),
    )
    return correction


@audited
@transaction.atomic
def category_correction_undo(*, actor: Any, correction: CategoryCorrection) -> None:
    """Undo a correction: it stops applying from the next run and stays in the history."""
    _require_change(actor, correction.owner_body)
    if correction.reverted_at is not None:
        return
    correction.reverted_at = timezone.now()
    correction.reverted_by = recorded_user(actor)
    correction.save(update_fields=["reverted_at", "reverted_by", "updated_at"])
    audit_record(
        actor=actor,
        action="procurement.category_correction_undo",
        target=correction,
        body=correction.owner_body,
        before={"reverted_at": None},
        after={"reverted_at": correction.reverted_at.isoformat()},
    )


# --- the run ----------------------------------------------------------------------------------


def _body_lines(store: Store, files: list[str], body: Body) -> pl.DataFrame:
    columns = ", ".join(dict.fromkeys((*categories.LINE_COLUMNS, *categories.CARRIED)))
    table = store.query(
        # Column names are module constants; the body is a parameter.
        f"SELECT {columns} FROM lines WHERE body_code = ? ORDER BY batch_id, line_number",  # noqa: S608
        files,
        [body.code],
    )
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _no_progress(done: int, total: int, stage: str) -> None:
    return None


@audited
@transaction.atomic
def category_starting_model(*, actor: Any = None) -> CategoryModel | None:
    """The starting model every body can use: trained once on Trafford's ProClass-coded
    ledger from ``shared/data/spend`` when it is present (never copied into Infuse), then
    kept; ``None`` when neither it nor the ledger is there."""
    found = selectors.starting_model()
    if found is not None:
        return found
    ledger = categories.trafford_ledger()
    if not ledger.is_file():
        return None
    from .importing import import_ledger

    table = categories.proclass()
    lines = pl.from_arrow(import_ledger(ledger).rows)
    assert isinstance(lines, pl.DataFrame)
    labelled = categories.training_labels(
        lines, pl.DataFrame(schema=categories.CORRECTION_SCHEMA), table
    )
    model, accuracy, tested = categories.train_with_accuracy(labelled, table)
    record = CategoryModel.objects.create(
        body=None,
        data=model.to_bytes(),
        trained_lines=model.trained_lines,
        corrections_used=0,
        held_out_lines=tested,
        held_out_accuracy=accuracy,
        source="Trafford Council, supplier spend March 2025 (ProClass-coded)",
    )
    audit_record(
        actor=actor,
        action="procurement.category_model_train",
        target=record,
        after={"body": None, "trained_lines": model.trained_lines, "accuracy": accuracy},
    )
    return record


def _body_model(
    body: Body,
    lines: pl.DataFrame,
    corrections: pl.DataFrame,
    table: pl.DataFrame,
    supplier_clusters: pl.DataFrame | None,
) -> tuple[SpendCategoryModel, dict[str, Any]] | None:
    """A model trained on the body's own categorised lines (codes in its files and its
    corrections), when it has enough of them in at least two categories."""
    labelled = categories.training_labels(lines, corrections, table, supplier_clusters)
    if labelled.height < categories.MIN_TRAINING_LINES:
        return None
    if labelled["category_code"].n_unique() < 2:
        return None
    try:
        model, accuracy, tested = categories.train_with_accuracy(labelled, table)
    except CategorisingError:
        return None
    return model, {
        "trained_lines": model.trained_lines,
        "corrections_used": model.corrections_used,
        "held_out_lines": tested,
        "held_out_accuracy": accuracy,
    }


@audited
def category_run(
    *,
    actor: Any,
    body: Body,
    store: Store | None = None,
    progress: Progress = _no_progress,
    job: Any = None,
    train: bool = True,
) -> CategoryRun:
    """Categorise every live line of ``body`` and make the result live, all or nothing.

    ``train``: retrain the body's model on its categorised lines and corrections (and the
    starting model if it is missing) first; without it (the run after each import, which
    must stay quick) the stored models are used as they are.

    The side table is written to the store and published before the database records the
    run, so a failure leaves the figures as they were (see ``warehouse.store``)."""
    _require_change(actor, body)
    store = store or default_store()
    files = selectors.live_batch_paths(body)
    if not files:
        raise CategoryError(_("No spend is imported for this body yet."))
    progress(0, 4, "reading")
    table = categories.proclass()
    lines = _body_lines(store, files, body)
    corrections = selectors.corrections_frame(body)
    # Clustering a body's spellings costs seconds on a large ledger: only when it is used.
    by_supplier = corrections.filter(pl.col("scope") == CategoryCorrection.Scope.SUPPLIER)
    clusters = None if by_supplier.is_empty() else supplier_spelling_clusters(body)
    progress(1, 4, "training")
    trained = _body_model(body, lines, corrections, table, clusters) if train else None
    stored = None if train else selectors.body_model(body)
    notes: list[str] = []
    starting = None
    if trained is not None:
        model: SpendCategoryModel | None = trained[0]
        notes.append("model_body")
    elif stored is not None:
        model = SpendCategoryModel.from_bytes(bytes(stored.data))
        starting = stored
        notes.append("model_body")
    else:
        starting = category_starting_model(actor=actor) if train else selectors.starting_model()
        if starting is not None:
            model = SpendCategoryModel.from_bytes(bytes(starting.data))
            notes.append("model_starting")
        else:
            model = None
            notes.append("no_model")
    progress(2, 4, "categorising")
    frame = categories.categorise_lines(
        lines,
        table=table,
        rules=selectors.rules_of(body),
        corrections=corrections,
        model=model,
        supplier_clusters=clusters,
    )
    summary = categories.summary_of(frame, lines["amount_gbp"])
    progress(3, 4, "writing")
    staged = store.stage(categories.side_table(frame, lines), categories.DATASET)
    name = f"{body.code}/{timezone.now():%Y%m%d%H%M%S%f}"
    try:
        path = store.publish(staged, name)
    except Exception:
        store.discard(staged)
        raise
    try:
        with transaction.atomic():
            model_record = starting
            if trained is not None:
                CategoryModel.objects.filter(body=body).delete()
                model_record = CategoryModel.objects.create(
                    body=body, data=trained[0].to_bytes(), source=body.code, **trained[1]
                )
            run = CategoryRun.objects.create(
                owner_body=body,
                visibility=Visibility.PRIVATE,
                created_by=recorded_user(actor),
                parquet_path=path,
                job=job,
                lines=summary["lines"],
                counts=summary["counts"],
                amounts=summary["amounts"],
                share_classified=summary["share_classified"],
                model=model_record,
                notes=notes,
            )
            audit_record(
                actor=actor,
                action="procurement.category_run",
                target=run,
                body=body,
                after={
                    "lines": run.lines,
                    "counts": run.counts,
                    "share_classified": run.share_classified,
                    "model": model_record.pk if model_record else None,
                },
            )
    except Exception:
        store.remove(path)
        raise
    progress(4, 4, "done")
    return run
