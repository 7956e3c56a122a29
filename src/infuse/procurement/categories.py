"""Categories on every spend line of a body, kept as a side table in the analytical store.

Pure of Django: the services give it the body's lines (from the store), its rules, its
corrections and a model; it gives back one row per line (:data:`SIDE_SCHEMA`), which the
store joins to the lines (``warehouse.store.SideTable``), so every spend figure groups by the
assigned category without the ledger files ever being rewritten.

Each line is decided by the first of (see ``docs/procurement/spend.md``):

1. an analyst's **correction** (of the line, then of its supplier, with every spelling of that
   supplier, then of its expense type; the latest correction of each kind wins),
   confidence 1.0;
2. a **code in the file**: ProClass, or CPV through the cross-walk
   (``reference/data/proclass_cpv_divisions.csv``), see :mod:`.categorising`;
3. the body's **rules**, in order;
4. the **model** (the body's own, else the starting model trained on Trafford's ledger);
5. otherwise **Unclassified**, which is a category like any other in every total.

Figures group lines by their ProClass level-1 heading (``category_group``); the line keeps
its full code and name.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from infuse.warehouse.store import SideTable

from . import categorising
from .categorising import Rule, SpendCategoryModel

DATASET = "spend_categories"
KEYS = ("body_code", "batch_id", "line_number")
# The ledger columns the spend figures filter and sum by, copied into the side files so that
# figures by category read the side table alone (a join over millions of lines takes seconds).
CARRIED = (
    "payment_date",
    "amount_gbp",
    "supplier_name",
    "is_personal",
    "is_redacted",
    "supplier_group",
    "department_group",
    "month_group",
)
SIDE_TABLE = SideTable(
    dataset=DATASET, keys=KEYS, replaces=("category_group",), carries=CARRIED, unit="batch_id"
)
UNCLASSIFIED = categorising.UNCLASSIFIED_NAME

SOURCE_CORRECTION = "correction"
SOURCE_CODE = "code"
SOURCE_RULE = "rule"
SOURCE_MODEL = "model"
SOURCE_UNCLASSIFIED = "unclassified"
SOURCES = (SOURCE_CORRECTION, SOURCE_CODE, SOURCE_RULE, SOURCE_MODEL, SOURCE_UNCLASSIFIED)

SIDE_SCHEMA = pa.schema(
    [
        ("body_code", pa.string()),
        ("batch_id", pa.int64()),
        ("line_number", pa.int64()),
        ("category_group", pa.string()),
        ("category_assigned", pa.string()),
        ("category_assigned_name", pa.string()),
        ("category_confidence", pa.float64()),
        ("category_reason", pa.string()),
        ("category_source", pa.string()),
        ("payment_date", pa.date32()),
        ("amount_gbp", pa.decimal128(18, 2)),
        ("supplier_name", pa.large_string()),
        ("is_personal", pa.bool_()),
        ("is_redacted", pa.bool_()),
        ("supplier_group", pa.string()),
        ("department_group", pa.string()),
        ("month_group", pa.string()),
    ]
)
"""One row per line: ``category_group`` is the ProClass level-1 heading (or Unclassified),
``category_assigned`` the code given (any level), ``category_reason`` how (``correction``,
``code in file``, ``rule: NAME``, ``model p=0.87``, ``no code, rule or model``); then the
line's :data:`CARRIED` columns, as in the ledger file."""

# The columns of the ledger lines categorisation reads.
LINE_COLUMNS = (
    "body_code",
    "batch_id",
    "line_number",
    "category_code",
    "expense_type",
    "description",
    "supplier_name",
    "amount_gbp",
)


MIN_TRAINING_LINES = 50
HELD_OUT_SHARE = 0.2


# --- reference data ---------------------------------------------------------------------------


def shared_data_dir() -> Path:
    """``../shared/data`` beside the project (``INFUSE_SHARED_DATA`` overrides it)."""
    configured = os.environ.get("INFUSE_SHARED_DATA")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[4] / "shared" / "data"


def trafford_ledger() -> Path:
    return (
        shared_data_dir() / "spend" / "trafford-council" / "trafford-supplier-spend-2025-03.csv.gz"
    )


@functools.cache
def crosswalk() -> pl.DataFrame:
    """The ProClass level-1 ↔ CPV division cross-walk (its method is in the file)."""
    return categorising.read_crosswalk()


def cpv_divisions_of(proclass_level1: str) -> list[str]:
    """The CPV 2008 divisions a ProClass level-1 heading reports under."""
    table = crosswalk().filter(pl.col("proclass_code") == proclass_level1)
    return table["cpv_division"].to_list()


@functools.cache
def proclass() -> pl.DataFrame:
    """The ProClass list in :func:`categorising.load_proclass` form: the full vC17.1 list
    from ``shared/data/classifications`` when present, else the 32 level-1 headings from the
    cross-walk (so lines can still be categorised by heading)."""
    full = shared_data_dir() / "classifications" / "proclass_17.csv"
    if full.is_file():
        return categorising.load_proclass(full)
    headings = crosswalk().select("proclass_code", "proclass_heading").unique(maintain_order=True)
    return pl.DataFrame(
        {
            "code": headings["proclass_code"],
            "level1": headings["proclass_heading"],
            "level2": [""] * headings.height,
            "level3": [""] * headings.height,
            "name": headings["proclass_heading"],
            "level1_code": headings["proclass_code"],
        }
    ).sort("level1")


def category_choices(table: pl.DataFrame) -> list[tuple[str, str]]:
    """(code, name) of the headings and level-2 categories, in name order, for a form."""
    chosen = table.filter(pl.col("level3") == "").sort("name")
    return list(zip(chosen["code"].to_list(), chosen["name"].to_list(), strict=True))


def known_code(code: str, table: pl.DataFrame) -> bool:
    return code in set(table["code"].to_list())


def usable_rules(rules: Sequence[Rule], table: pl.DataFrame) -> tuple[Rule, ...]:
    """Rules whose codes the list knows; a code the shorter list lacks (level 2 without the
    full ProClass list) is given its level-1 heading instead, and one that maps nowhere is
    left out."""
    codes = pl.Series([rule.category_code for rule in rules], dtype=pl.String)
    mapped = categorising.level1_codes(codes, table).to_list()
    known = set(table["code"].to_list())
    result = []
    for rule, level1 in zip(rules, mapped, strict=True):
        if rule.category_code in known:
            result.append(rule)
        elif level1 is not None:
            result.append(Rule(rule.pattern, rule.field, level1, rule.name))
    return tuple(result)


# --- corrections ------------------------------------------------------------------------------

CORRECTION_SCHEMA = {
    "scope": pl.String,
    "batch_id": pl.Int64,
    "line_number": pl.Int64,
    "value": pl.String,
    "category_code": pl.String,
}


SUPPLIER_CLUSTER_SCHEMA = {"name": pl.String, "cluster_id": pl.String}
"""Each raw supplier spelling of a body and the supplier (cluster) it belongs to, after the
analysts' merges and splits (``suppliers.SupplierClusters.assignments``)."""


def _spelling_key(column: pl.Expr) -> pl.Expr:
    return column.cast(pl.String).str.strip_chars().str.to_lowercase()


def corrected_codes(
    lines: pl.DataFrame,
    corrections: pl.DataFrame,
    supplier_clusters: pl.DataFrame | None = None,
) -> pl.Series:
    """Each line's corrected code, or null: by line, then supplier, then expense type (names
    compared without case or surrounding spaces); ``corrections`` are in the order made, so
    the latest of each kind wins.

    With ``supplier_clusters`` (:data:`SUPPLIER_CLUSTER_SCHEMA`), a supplier's correction
    reaches every spelling of the supplier the corrected spelling belongs to, so "Acme Ltd"
    corrected also corrects "ACME LIMITED" once the two are one supplier; the latest
    correction of any of a supplier's spellings wins. A spelling in no cluster is matched
    as written."""
    result = pl.Series("corrected", [None] * lines.height, dtype=pl.String)
    if corrections.is_empty():
        return result
    by_line = (
        corrections.filter(pl.col("scope") == "line")
        .unique(["batch_id", "line_number"], keep="last")
        .select("batch_id", "line_number", pl.col("category_code").alias("c"))
    )
    found = lines.select("batch_id", "line_number").join(
        by_line, on=["batch_id", "line_number"], how="left", maintain_order="left"
    )["c"]
    result = found.alias("corrected")
    ordered = corrections.with_row_index("order")
    for scope, column in (("supplier", "supplier_name"), ("expense_type", "expense_type")):
        made = ordered.filter(pl.col("scope") == scope).with_columns(
            _spelling_key(pl.col("value")).alias("k")
        )
        if made.is_empty():
            continue
        kept = made.unique("k", keep="last").select("k", pl.col("category_code").alias("c"))
        keyed = lines.select(_spelling_key(pl.col(column)).alias("k"))
        found = keyed.join(kept, on="k", how="left", maintain_order="left")["c"]
        if scope == "supplier" and supplier_clusters is not None:
            spellings = _cluster_spellings(supplier_clusters)
            result = result.fill_null(_corrected_by_cluster(lines, made, spellings))
            # A spelling in a cluster is decided by its cluster alone.
            clustered = lines["supplier_name"].cast(pl.String).is_in(spellings["name"].implode())
            found = found.zip_with(
                ~clustered, pl.repeat(None, lines.height, dtype=pl.String, eager=True)
            )
        result = result.fill_null(found)
    return result


def _cluster_spellings(supplier_clusters: pl.DataFrame) -> pl.DataFrame:
    return (
        supplier_clusters.select(
            pl.col("name").cast(pl.String), pl.col("cluster_id").cast(pl.String)
        )
        .drop_nulls("name")
        .unique("name")
    )


def _corrected_by_cluster(
    lines: pl.DataFrame, made: pl.DataFrame, spellings: pl.DataFrame
) -> pl.Series:
    """The code of the latest supplier correction whose spelling is in each line's cluster.

    A correction's spelling is found as written (trimmed) first, so a case variant an analyst
    split off is not reached by a correction of the spelling it was split from; a correction
    of no spelling as written reaches every spelling alike without case. ``spellings`` are
    :func:`_cluster_spellings`."""
    as_written = (
        made.with_columns(pl.col("value").str.strip_chars().alias("name"))
        .join(spellings, on="name", how="inner")
        .select("order", "category_code", "cluster_id")
    )
    alike = (
        made.join(as_written.select("order"), on="order", how="anti")
        .join(
            spellings.select(_spelling_key(pl.col("name")).alias("k"), "cluster_id").unique(),
            on="k",
            how="inner",
        )
        .select("order", "category_code", "cluster_id")
    )
    by_cluster = (
        pl.concat([as_written, alike])
        .group_by("cluster_id")
        .agg(pl.col("category_code").sort_by("order").last().alias("c"))
    )
    return (
        lines.select(pl.col("supplier_name").cast(pl.String).alias("name"))
        .join(spellings, on="name", how="left", maintain_order="left")
        .join(by_cluster, on="cluster_id", how="left", maintain_order="left")["c"]
    )


# --- the model ----------------------------------------------------------------------------------


def training_labels(
    lines: pl.DataFrame,
    corrections: pl.DataFrame,
    table: pl.DataFrame,
    supplier_clusters: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The lines with a known category to learn from: the file's code, or a correction (which
    wins, see :func:`corrected_codes`), as ``category_code``; ``corrected`` marks corrected
    lines."""
    corrected = corrected_codes(lines, corrections, supplier_clusters)
    from_file = categorising.level1_codes(lines["category_code"], table)
    labelled = lines.with_columns(
        corrected.alias("corrected"),
        corrected.fill_null(from_file).alias("category_code"),
        pl.int_range(pl.len(), dtype=pl.Int64).alias("row_key"),
    )
    return labelled.filter(pl.col("category_code").is_not_null())


def train_with_accuracy(
    labelled: pl.DataFrame, table: pl.DataFrame
) -> tuple[SpendCategoryModel, float, int]:
    """Train on a random 80 per cent of ``labelled`` (seed 0) and measure on the other 20:
    returns the model, its held-out accuracy (0–1) and how many lines it was measured on.

    Lines repeat (the same description and supplier every month), so this is accuracy on
    lines like those seen; it overstates accuracy on new suppliers."""
    held_out = pl.Series(np.random.default_rng(0).random(labelled.height) < HELD_OUT_SHARE)
    training = labelled.filter(~held_out)
    testing = labelled.filter(held_out)
    corrected = training.filter(pl.col("corrected").is_not_null())
    corrections = dict(
        zip(corrected["row_key"].to_list(), corrected["corrected"].to_list(), strict=True)
    )
    model = categorising.train(training, corrections, proclass=table, key_column="row_key")
    if testing.is_empty():
        return model, 0.0, 0
    guesses, _probabilities = model.predict(categorising.model_text(testing).to_list())
    truth = categorising.level1_codes(testing["category_code"], table)
    right = (pl.Series(guesses, dtype=pl.String) == truth).fill_null(False)
    accuracy = int(right.sum()) / testing.height
    return model, accuracy, testing.height


# --- categorising -------------------------------------------------------------------------------


def categorise_lines(
    lines: pl.DataFrame,
    *,
    table: pl.DataFrame,
    rules: Sequence[Rule],
    corrections: pl.DataFrame,
    model: SpendCategoryModel | None,
    supplier_clusters: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The side table (:data:`SIDE_SCHEMA` columns) for ``lines`` (:data:`LINE_COLUMNS`);
    ``supplier_clusters`` as :func:`corrected_codes` takes them."""
    corrected = corrected_codes(lines, corrections, supplier_clusters)
    decided = categorising.categorise(
        lines, proclass=table, rules=usable_rules(rules, table), model=model
    )
    names = dict(zip(table["code"].to_list(), table["name"].to_list(), strict=True))
    names_frame = pl.DataFrame(
        {"c": list(names), "n": list(names.values())}, schema={"c": pl.String, "n": pl.String}
    )
    code = corrected.fill_null(decided["category_code"]).alias("code")
    level1 = categorising.level1_codes(code, table).alias("level1")
    frame = pl.DataFrame(
        {
            "body_code": lines["body_code"],
            "batch_id": lines["batch_id"].cast(pl.Int64),
            "line_number": lines["line_number"].cast(pl.Int64),
            "code": code,
            "level1": level1,
            "is_corrected": corrected.is_not_null(),
            "confidence": decided["confidence"],
            "reason": decided["reason"],
        }
    )
    frame = frame.join(
        names_frame.rename({"c": "code", "n": "code_name"}),
        on="code",
        how="left",
        maintain_order="left",
    ).join(
        names_frame.rename({"c": "level1", "n": "level1_name"}),
        on="level1",
        how="left",
        maintain_order="left",
    )
    reason = pl.col("reason")
    source = (
        pl.when(pl.col("is_corrected"))
        .then(pl.lit(SOURCE_CORRECTION))
        .when(pl.col("code").is_null())
        .then(pl.lit(SOURCE_UNCLASSIFIED))
        .when(reason == categorising.REASON_CODE_IN_FILE)
        .then(pl.lit(SOURCE_CODE))
        .when(reason.str.starts_with("rule: "))
        .then(pl.lit(SOURCE_RULE))
        .otherwise(pl.lit(SOURCE_MODEL))
    )
    return frame.select(
        "body_code",
        "batch_id",
        "line_number",
        pl.when(pl.col("code").is_null())
        .then(pl.lit(UNCLASSIFIED))
        .otherwise(pl.coalesce("level1_name", "code_name", "code"))
        .alias("category_group"),
        pl.col("code").alias("category_assigned"),
        pl.when(pl.col("code").is_null())
        .then(pl.lit(UNCLASSIFIED))
        .otherwise(pl.coalesce("code_name", "code"))
        .alias("category_assigned_name"),
        pl.when(pl.col("is_corrected"))
        .then(1.0)
        .otherwise(pl.col("confidence"))
        .cast(pl.Float64)
        .alias("category_confidence"),
        pl.when(pl.col("is_corrected"))
        .then(pl.lit(SOURCE_CORRECTION))
        .when(reason == categorising.REASON_MODEL)
        .then(pl.format("model p={}", pl.col("confidence").round(2)))
        .otherwise(reason)
        .alias("category_reason"),
        source.alias("category_source"),
    )


def side_table(frame: pl.DataFrame, lines: pl.DataFrame) -> pa.Table:
    """The side file of a run: ``frame`` (:func:`categorise_lines` of ``lines``) with each
    line's :data:`CARRIED` columns from ``lines``."""
    carried = frame.join(lines.select(*KEYS, *CARRIED), on=list(KEYS), how="left")
    return carried.to_arrow(compat_level=pl.CompatLevel.oldest()).cast(SIDE_SCHEMA)


def summary_of(frame: pl.DataFrame, amounts: pl.Series) -> dict[str, Any]:
    """Lines and £ by source, and the share of lines classified (0–1)."""
    counted = (
        pl.DataFrame({"source": frame["category_source"], "amount": amounts.cast(pl.Float64)})
        .group_by("source")
        .agg(pl.len().alias("lines"), pl.col("amount").sum().alias("amount"))
    )
    counts = {source: 0 for source in SOURCES}
    pounds = {source: 0.0 for source in SOURCES}
    for row in counted.iter_rows(named=True):
        counts[row["source"]] = int(row["lines"])
        pounds[row["source"]] = round(float(row["amount"] or 0.0), 2)
    total = frame.height
    classified = total - counts[SOURCE_UNCLASSIFIED]
    return {
        "lines": total,
        "counts": counts,
        "amounts": pounds,
        "share_classified": (classified / total) if total else 0.0,
    }


def rule_effect(
    lines: pl.DataFrame, current: pl.DataFrame, rule: Rule, position: int, rules: Sequence[Rule]
) -> dict[str, Any]:
    """What adding ``rule`` at ``position`` among ``rules`` would change: the lines (and £)
    whose category would differ from ``current`` (the side table now), without a model (a
    rule only takes lines no correction or code decides; lines the model decides now are
    counted as changing when the rule matches them)."""
    proposed = list(rules)
    proposed.insert(max(0, min(position, len(proposed))), rule)
    table_codes = current.select("category_assigned", "category_source")
    matches = (
        lines.select(
            pl.col(rule.field).cast(pl.String).str.contains(f"(?i){rule.pattern}").fill_null(False)
        )
        .to_series()
        .alias("m")
    )
    # A rule decides a line when it matches and nothing earlier does: the line is not
    # corrected, has no code, and no earlier rule matches.
    earlier = pl.Series([False] * lines.height)
    for other in proposed[: proposed.index(rule)]:
        earlier = (
            earlier
            | lines.select(
                pl.col(other.field)
                .cast(pl.String)
                .str.contains(f"(?i){other.pattern}")
                .fill_null(False)
            ).to_series()
        )
    source = table_codes["category_source"]
    open_to_rules = ~source.is_in([SOURCE_CORRECTION, SOURCE_CODE])
    decides = matches & open_to_rules & ~earlier
    changes = decides & (table_codes["category_assigned"].fill_null("") != rule.category_code)
    changed_amount = lines["amount_gbp"].cast(pl.Float64).filter(changes).sum()
    return {
        "matches": int(matches.sum()),
        "changes": int(changes.sum()),
        "amount": round(float(changed_amount or 0.0), 2),
    }


# --- figures ------------------------------------------------------------------------------------

NOT_YET = "not_yet_categorised"


def by_source(store: Any, files: Sequence[str], spend: Any) -> list[dict[str, Any]]:
    """Lines and £ of the filtered lines by what decided their category (``NOT_YET`` for
    lines no categorisation has reached), over exactly the lines the figures use."""
    if not files:
        return []
    where, params = spend.where()
    has_side = any(path.startswith(f"{DATASET}/") for path in files)
    source = f"coalesce(category_source, '{NOT_YET}')" if has_side else f"'{NOT_YET}'"
    rows = store.query(
        f"SELECT {source} AS source, count(*) AS lines, sum(amount_gbp) AS amount "  # noqa: S608
        f"FROM lines WHERE {where} GROUP BY 1 ORDER BY 1",
        files,
        params,
    ).to_pylist()
    total = sum(row["lines"] for row in rows)
    return [
        {
            "source": row["source"],
            "lines": int(row["lines"]),
            "amount": row["amount"],
            "share": (row["lines"] / total) if total else 0.0,
        }
        for row in rows
    ]
