"""Supply-chain carbon: a full recomputation of a body's figures at 1M (and 10M) ledger lines.

The lines are generated straight into Parquet in the canonical schema (12 monthly files, as the
store holds them), half of them with ProClass codes and the rest with only an expense type, a
few per cent credit notes, salaries and payments to other councils. "Full recomputation" is
what the carbon page asks for after a factor set, a rule or a supplier figure changes: the
totals with their range and excluded spend, and emissions by category, department, supplier
and tier, and the return by category and tier (:mod:`infuse.procurement.carbon`, DuckDB over
the Parquet files). The baseline does the same calculation in plain pandas on a DataFrame
already in memory (so pandas is not charged for reading): the exclusion rules as vectorised
``str.contains``, the cross-walk and keyword rules as vectorised lookups, merges for the
factors and the deflator, then ``groupby``. The aim: under 10 s for 10M lines on 2 cores.

Run with ``python -m benchmarks.carbon``; ``INFUSE_BENCH_LARGE=1`` adds 10M lines.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from infuse.procurement import carbon, spend_queries
from infuse.procurement.importing import CANONICAL_SCHEMA
from infuse.warehouse.store import Store

DEFRA_LIKE = tuple(
    carbon.Factor(code, code, factor)
    for code, factor in [
        ("23.5-6", 2.15), ("23OTHER", 1.76), ("16", 0.47), ("27", 0.94), ("56", 0.29),
        ("10.8", 0.80), ("96", 0.40), ("81", 0.16), ("20.4", 0.83), ("14", 0.67),
        ("70", 0.12), ("85", 0.14), ("58", 0.11), ("38", 1.36), ("42.99", 0.27),
        ("73", 0.10), ("18", 0.42), ("80", 0.09), ("64", 0.09), ("65.1-2", 0.08),
        ("69.2", 0.07), ("68.3", 0.09), ("31", 0.52), ("32", 0.70), ("78", 0.06),
        ("79", 0.37), ("55", 0.25), ("62", 0.12), ("26", 0.51), ("61", 0.11),
        ("69.1", 0.05), ("93", 0.20), ("53", 0.26), ("86", 0.15), ("21", 0.24),
        ("88", 0.10), ("87", 0.12), ("17", 0.80), ("42.1-2", 0.33), ("08", 0.84),
        ("49.3-5", 0.64), ("35.1", 1.36), ("35.2-3", 1.27), ("19", 1.15), ("36", 0.22),
        ("37", 0.38), ("05", 1.20), ("29", 0.55), ("45", 0.30), ("77", 0.15),
    ]
)  # fmt: skip
PROCLASS = np.array(
    ["390000", "371000", "371100", "321014", "261400", "111200", "182000", "271600",
     "381100", "341000", "151900", "361800", None, None]
)  # fmt: skip
EXPENSE = np.array(
    ["Repairs and maintenance", "Electricity", "Agency staff", "Sundries", "Software licences",
     "Salaries", "Refuse collection", "Catering provisions", "Consultancy fees"]
)  # fmt: skip


def generate(store: Store, lines: int, seed: int = 11) -> list[str]:
    rng = np.random.default_rng(seed)
    suppliers = np.array(
        [f"Supplier {i:05d} Ltd" for i in range(20_000)] + ["Newport City Council"]
    )
    files = []
    per_month = lines // 12
    for month in range(12):
        n = per_month if month < 11 else lines - per_month * 11
        days = (
            np.datetime64("2024-04-01")
            + np.timedelta64(30 * month, "D")
            + rng.integers(0, 28, n).astype("m8[D]")
        )
        amounts = np.round(np.exp(rng.normal(7.6, 1.2, n)) + 500, 2)
        amounts[rng.random(n) < 0.02] *= -1
        columns: dict[str, Any] = {
            name: pa.nulls(n, CANONICAL_SCHEMA.field(name).type) for name in CANONICAL_SCHEMA.names
        }
        columns["line_number"] = pa.array(np.arange(2, n + 2), pa.int64())
        columns["payment_date"] = pa.array(days.astype("datetime64[D]"), pa.date32())
        columns["period_only"] = pa.array(np.zeros(n, bool))
        columns["supplier_name"] = pa.array(
            suppliers[rng.zipf(1.3, n) % len(suppliers)], pa.large_string()
        )
        columns["amount_gbp"] = pa.array(amounts).cast(pa.decimal128(18, 2))
        columns["department"] = pa.array(
            np.array(["Highways", "Schools", "Social Services", "Waste"])[rng.integers(0, 4, n)],
            pa.large_string(),
        )
        columns["category_code"] = pa.array(
            PROCLASS[rng.integers(0, len(PROCLASS), n)], pa.large_string()
        )
        columns["expense_type"] = pa.array(
            EXPENSE[rng.integers(0, len(EXPENSE), n)], pa.large_string()
        )
        columns["is_redacted"] = pa.array(np.zeros(n, bool))
        columns["is_personal"] = pa.array(rng.random(n) < 0.01)
        table = spend_queries.with_groups(pa.table(columns).cast(CANONICAL_SCHEMA))
        table = table.append_column("body_code", pa.array(["W06000018"] * n, pa.string()))
        table = table.append_column("batch_id", pa.array(np.full(n, month + 1), pa.int64()))
        files.append(store.publish(store.stage(table, "spend_lines"), f"bench/{month}"))
    return files


METHOD = carbon.CarbonMethod(factors=DEFRA_LIKE, base_year=2022)
EVERYTHING = carbon.CarbonFilter()


def engine(store: Store, files: list[str]) -> Any:
    """As the carbon page does it: one pass over the lines, then every figure from that."""
    summary = carbon.aggregate(store, files, METHOD, EVERYTHING)
    return (
        carbon.totals_of(summary),
        [carbon.breakdown_of(summary, by) for by in ("category", "department", "supplier", "tier")],
        carbon.return_table_of(summary),
    )


def pandas_frame(store: Store, files: list[str]) -> pd.DataFrame:
    return pd.concat([pq.read_table(store.root / f).to_pandas() for f in files], ignore_index=True)


def pandas_full(frame: pd.DataFrame) -> Any:
    """The same calculation in plain pandas, vectorised (no loop over rows)."""
    spend = frame["amount_gbp"].astype(float)
    reason = pd.Series(None, index=frame.index, dtype=object)
    for rule in METHOD.exclusions:
        if rule.field == carbon.NEGATIVE:
            hit = spend < 0
        else:
            hit = frame[rule.field].fillna("").str.contains(rule.pattern, case=False, regex=True)
        reason = reason.where(reason.notna() | ~hit, rule.reason)
    code = frame["category_code"].fillna("")
    is_proclass = code.str.fullmatch(r"[0-9]{6}")
    walk = {c.proclass: (c.sic, c.category) for c in carbon.PROCLASS_TO_SIC}
    sic = code.str[:4].map(lambda p: walk.get(p, (None, None))[0]).where(is_proclass)
    sic = sic.fillna(code.str[:2].map(lambda p: walk.get(p, (None, None))[0]).where(is_proclass))
    category = code.str[:4].map(lambda p: walk.get(p, (None, None))[1]).where(is_proclass)
    category = category.fillna(
        code.str[:2].map(lambda p: walk.get(p, (None, None))[1]).where(is_proclass)
    )
    text = (frame["expense_type"].fillna("") + " " + frame["category_label"].fillna("")).str.lower()
    for rule in carbon.KEYWORD_RULES:
        hit = sic.isna() & text.str.contains(rule.pattern, regex=True)
        sic = sic.where(~hit, rule.sic)
        category = category.where(~hit, rule.category)
    category = category.fillna("Unclassified")
    lookup = carbon.factor_lookup(METHOD.factors)
    factors = pd.Series({k: v[0] for k, v in lookup.items()})
    factor = sic.map(factors).fillna(sic.str[:2].map(factors))
    classified = factor.notna()
    factor = factor.fillna(carbon.average_factor(METHOD.factors))
    year = pd.to_datetime(frame["payment_date"]).dt.year
    ratio = year.map(
        {y: carbon.price_ratio(y, METHOD.base_year, METHOD.deflator) for y in year.unique()}
    )
    in_scope = reason.isna()
    tco2e = (spend * ratio * factor / 1000).where(in_scope, 0.0)
    u = np.where(classified, carbon.UNCERTAINTY["category"], carbon.UNCERTAINTY["unclassified"])
    work = pd.DataFrame(
        {
            "spend": spend,
            "tco2e": tco2e,
            "u": u,
            "category": category,
            "department": frame["department_group"],
            "supplier": frame["supplier_group"],
            "tier": 1,
        }
    )[in_scope]

    def ranged(by: list[str]) -> pd.DataFrame:
        per = work.groupby([*by, "u"]).agg(spend=("spend", "sum"), tco2e=("tco2e", "sum"))
        per["sq"] = (per.index.get_level_values("u") * per["tco2e"]) ** 2
        out = per.groupby(level=by).agg(
            spend=("spend", "sum"), tco2e=("tco2e", "sum"), sq=("sq", "sum")
        )
        out["half"] = np.sqrt(out["sq"])
        return out

    totals = (work["tco2e"].sum(), spend[~in_scope].sum())
    return (
        totals,
        [ranged([by]) for by in ("category", "department", "supplier", "tier")],
        ranged(["category", "tier"]),
    )


def run(lines: int, folder: Path) -> None:
    store = Store(folder / f"store-{lines}")
    start = time.perf_counter()
    files = generate(store, lines)
    print(
        f"{lines:,} lines generated into {len(files)} Parquet files"
        f" in {time.perf_counter() - start:.1f} s"
    )
    start = time.perf_counter()
    result = engine(store, files)
    ours = time.perf_counter() - start
    print(f"full recomputation (DuckDB over Parquet): {ours:.2f} s, {result[0].tco2e:,.0f} tCO2e")
    if lines > 2_000_000:
        return
    frame = pandas_frame(store, files)
    start = time.perf_counter()
    theirs_result = pandas_full(frame)
    theirs = time.perf_counter() - start
    agree = math.isclose(theirs_result[0][0], result[0].tco2e, rel_tol=1e-6)
    print(
        f"the same in plain pandas (in memory):    {theirs:.2f} s, "
        f"{theirs_result[0][0]:,.0f} tCO2e ({'agrees' if agree else 'DIFFERS'})"
    )
    print(f"ratio: {theirs / ours:.1f}x")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        run(int(os.environ.get("INFUSE_BENCH_CARBON_LINES", 1_000_000)), Path(folder))
        if os.environ.get("INFUSE_BENCH_LARGE"):
            run(10_000_000, Path(folder))


if __name__ == "__main__":
    main()
