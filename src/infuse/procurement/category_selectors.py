"""Reads for spend categories: a body's rules, corrections, latest run and model, and the
side-table files the spend figures join to."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl
from django.db.models import QuerySet

from infuse.accounts.policy import Action, BodyWorkspace, can, may_open
from infuse.reference.models import Body

from . import categories
from .categorising import DEFAULT_RULES, Rule
from .models import CategoryCorrection, CategoryModel, CategoryRule, CategoryRun, SpendBatch


def may_change_categories(user: Any, body: Body) -> bool:
    """Rules and corrections: the body's own members who work with data (the same people who
    clean its suppliers)."""
    return may_open(user, "procurement.suppliers_change") and can(
        user, Action.CHANGE, BodyWorkspace(owner_body_id=body.pk)
    )


def may_see_category_workings(user: Any, body: Body) -> bool:
    """A body's rules, corrections and runs: whoever may see its workspace."""
    return can(user, Action.VIEW, BodyWorkspace(owner_body_id=body.pk))


def latest_run(body: Body) -> CategoryRun | None:
    return (
        CategoryRun.objects.filter(owner_body=body)
        .exclude(parquet_path="")
        .select_related("model", "job")
        .first()
    )


def category_files(body_codes: Iterable[str]) -> list[str]:
    """The live side-table file of each body that has one (its latest run's)."""
    codes = list(dict.fromkeys(body_codes))
    if not codes:
        return []
    paths = []
    runs = (
        CategoryRun.objects.filter(owner_body__code__in=codes)
        .exclude(parquet_path="")
        .order_by("owner_body_id", "-pk")
        .values_list("owner_body_id", "parquet_path")
    )
    seen: set[int] = set()
    for body_id, path in runs:
        if body_id not in seen:
            seen.add(body_id)
            paths.append(path)
    return sorted(paths)


def live_category_paths() -> list[str]:
    """For garbage collection: every body's latest side-table file."""
    codes = CategoryRun.objects.values_list("owner_body__code", flat=True).distinct()
    return category_files(codes)


def body_rules(body: Body) -> QuerySet[CategoryRule]:
    return CategoryRule.objects.filter(owner_body=body).select_related("created_by")


def rules_of(body: Body) -> tuple[Rule, ...]:
    """The body's enabled rules in order, then the standard rules
    (``categorising.DEFAULT_RULES``), as the engine takes them."""
    own = tuple(
        Rule(pattern=r.pattern, field=r.field, category_code=r.category_code, name=r.name)
        for r in body_rules(body).filter(enabled=True)
    )
    return own + DEFAULT_RULES


def body_corrections(body: Body) -> QuerySet[CategoryCorrection]:
    return CategoryCorrection.objects.filter(owner_body=body).select_related(
        "created_by", "reverted_by"
    )


def corrections_frame(body: Body) -> pl.DataFrame:
    """The body's standing corrections in the order made (the latest wins)."""
    rows = (
        CategoryCorrection.objects.filter(owner_body=body, reverted_at__isnull=True)
        .order_by("pk")
        .values_list("scope", "batch_id", "line_number", "value", "category_code")
    )
    return pl.DataFrame(list(rows), schema=categories.CORRECTION_SCHEMA, orient="row")


def body_model(body: Body) -> CategoryModel | None:
    return CategoryModel.objects.filter(body=body).first()


def starting_model() -> CategoryModel | None:
    return CategoryModel.objects.filter(body__isnull=True).first()


def live_batch_paths(body: Body) -> list[str]:
    return list(
        SpendBatch.objects.filter(owner_body=body, status=SpendBatch.Status.LIVE)
        .order_by("pk")
        .values_list("parquet_path", flat=True)
    )


def category_names() -> dict[str, str]:
    table = categories.proclass()
    return dict(zip(table["code"].to_list(), table["name"].to_list(), strict=True))


def line_for(user: Any, body: Body, batch_id: int, line_number: int) -> dict[str, Any] | None:
    """One line of ``body`` that ``user`` may see, with its category as now decided."""
    from infuse.warehouse.store import default_store

    from .selectors import live_files

    files = live_files(user, (body.code,))
    if not files:
        return None
    has_side = any(path.startswith(f"{categories.DATASET}/") for path in files)
    detail = (
        ", category_assigned, category_assigned_name, category_confidence, category_reason, "
        "category_source"
        if has_side
        else ""
    )
    rows = (
        default_store()
        .query(
            # Column names are constants; the body and line are parameters.
            "SELECT body_code, batch_id, line_number, payment_date, amount_gbp, supplier_name, "  # noqa: S608
            "is_personal, is_redacted, expense_type, description, category_code, "
            f"category_group{detail} FROM lines "
            "WHERE body_code = ? AND batch_id = ? AND line_number = ?",
            files,
            [body.code, int(batch_id), int(line_number)],
        )
        .to_pylist()
    )
    return rows[0] if rows else None


def bodies_user_may_correct(user: Any, body_codes: Iterable[str]) -> set[str]:
    """The codes among ``body_codes`` whose lines ``user`` may correct."""
    return {
        body.code
        for body in Body.objects.filter(code__in=list(body_codes))
        if may_change_categories(user, body)
    }
