"""Reads for the Procurement Lab's pages, API and command line.

Which lines a person may analyse is decided by the permission policy on the spend files
(``visible_filter``); the analytics then run over exactly those files.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.translation import get_language

from infuse.accounts.policy import visible_filter
from infuse.reference.models import Body
from infuse.warehouse.store import default_store

from . import spend_queries
from .models import SpendBatch
from .spend_queries import SpendFilter


def spend_batches_visible_to(user: Any) -> QuerySet[SpendBatch]:
    return SpendBatch.objects.filter(visible_filter(user)).select_related(
        "owner_body", "created_by", "job"
    )


def spend_batch_for(user: Any, batch_id: int) -> SpendBatch | None:
    return spend_batches_visible_to(user).filter(pk=batch_id).first()


def live_files(user: Any, body_codes: tuple[str, ...] = ()) -> list[str]:
    batches = spend_batches_visible_to(user).filter(status=SpendBatch.Status.LIVE)
    if body_codes:
        batches = batches.filter(owner_body__code__in=body_codes)
    return list(batches.order_by("pk").values_list("parquet_path", flat=True))


def bodies_with_spend(user: Any) -> QuerySet[Body]:
    codes = (
        spend_batches_visible_to(user)
        .filter(status=SpendBatch.Status.LIVE)
        .values_list("owner_body__code", flat=True)
        .distinct()
    )
    return Body.objects.filter(code__in=list(codes)).order_by("name_en")


def _cache_key(kind: str, files: list[str], spend: SpendFilter, *extra: str) -> str:
    """Live files never change (a correction is a new file), so the list of files and the
    filter fully determine a result: it can be kept until the list changes."""
    digest = hashlib.sha256(repr((kind, tuple(files), spend, extra)).encode()).hexdigest()
    return f"infuse:spend:{digest}"


CACHE_SECONDS = 15 * 60


def spend_overview(user: Any, spend: SpendFilter) -> spend_queries.SpendOverview:
    return _overview(live_files(user, spend.bodies), spend)


def _overview(files: list[str], spend: SpendFilter) -> spend_queries.SpendOverview:
    key = _cache_key("overview", files, spend)
    result = cache.get(key)
    if result is None:
        result = spend_queries.overview(default_store(), files, spend)
        cache.set(key, result, CACHE_SECONDS)
    return result


def spend_chart_svg(user: Any, spend: SpendFilter, kind: str, render: Any) -> str:
    """The chart of ``kind`` as SVG, rendered by ``render(overview)`` once per language."""
    files = live_files(user, spend.bodies)
    key = _cache_key("chart", files, spend, kind, get_language() or "en")
    svg = cache.get(key)
    if svg is None:
        svg = render(_overview(files, spend))
        cache.set(key, svg, CACHE_SECONDS)
    return str(svg)


def spend_lines(
    user: Any, spend: SpendFilter, *, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    return spend_queries.lines(
        default_store(), live_files(user, spend.bodies), spend, limit=limit, offset=offset
    )


def spend_duplicates(user: Any, spend: SpendFilter) -> list[spend_queries.DuplicatePair]:
    return spend_queries.possible_duplicates(default_store(), live_files(user, spend.bodies), spend)


def spend_region(user: Any, spend: SpendFilter) -> dict[str, Any]:
    """The bodies side by side (total and per resident) and what several of them buy."""
    files = live_files(user, spend.bodies)
    key = _cache_key("region", files, spend)
    figures = cache.get(key)
    if figures is None:
        store = default_store()
        with store.session(files) as session:
            figures = (
                spend_queries.by_body(session, files, spend),
                spend_queries.shared_across_bodies(session, files, spend, group="supplier"),
                spend_queries.shared_across_bodies(session, files, spend, group="category"),
            )
        cache.set(key, figures, CACHE_SECONDS)
    per_body, suppliers, categories = figures
    bodies = {b.code: b for b in Body.objects.filter(code__in=spend.bodies)}
    rows: list[dict[str, Any]] = []
    for entry in per_body:
        body = bodies.get(entry.body_code)
        population = body.population if body else None
        rows.append(
            {
                "body": body,
                "code": entry.body_code,
                "total": entry.total,
                "lines": entry.lines,
                "suppliers": entry.suppliers,
                "population": population,
                "per_resident": (entry.total / population) if population else None,
            }
        )
    rows.sort(key=lambda row: str(row["body"].name) if row["body"] else row["code"])
    return {
        "bodies": rows,
        "suppliers": suppliers,
        "categories": categories,
        "names": {code: str(body.name) for code, body in bodies.items()},
    }


def spend_batches_needing_action(user: Any) -> QuerySet[SpendBatch]:
    """Files of the user's own body that wait for a person: columns to check, a replacement
    to confirm."""
    if getattr(user, "body_id", None) is None:
        return SpendBatch.objects.none()
    return spend_batches_visible_to(user).filter(
        owner_body_id=user.body_id,
        status__in=[SpendBatch.Status.NEEDS_MAPPING, SpendBatch.Status.NEEDS_CONFIRMATION],
    )
