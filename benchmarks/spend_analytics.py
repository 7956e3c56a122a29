"""Spend analytics: every query of the analysis page at 1M (and 10M) ledger lines.

The lines are generated straight into Parquet in the canonical schema (12 monthly files, as the
store holds them), with a category side table beside them (one category per line, as a
categorisation run writes it for every body), then each query of
:mod:`infuse.procurement.spend_queries` is timed against the same figure computed in plain
pandas on a DataFrame already in memory (so pandas is not charged for reading). The aim: every
query under 300 ms at 10M lines on a 2-core machine.

Run with ``python -m benchmarks.spend_analytics``; ``INFUSE_BENCH_LARGE=1`` adds 10M lines.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from infuse.procurement import categories, spend_queries
from infuse.procurement.importing import CANONICAL_SCHEMA
from infuse.warehouse.store import Store, side_table_register

DEPARTMENTS = np.array(
    ["Social Services", "Education", "Highways", "Waste", "Housing", "Parks", "ICT"]
)
CATEGORIES = np.array(
    ["Residential Care", "Agency Staff", "Road Maintenance", "Catering", "Energy", ""]
)


def generate(store: Store, lines: int, seed: int = 7) -> list[str]:
    rng = np.random.default_rng(seed)
    suppliers = np.array([f"Supplier {i:05d} Ltd" for i in range(20_000)])
    files = []
    sides = []
    per_month = lines // 12
    for month in range(12):
        n = per_month if month < 11 else lines - per_month * 11
        days = (
            np.datetime64("2025-04-01")
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
            DEPARTMENTS[rng.integers(0, len(DEPARTMENTS), n)], pa.large_string()
        )
        columns["category_label"] = pa.array(
            CATEGORIES[rng.integers(0, len(CATEGORIES), n)], pa.large_string()
        )
        columns["invoice_ref"] = pa.array(
            np.char.add("INV", rng.integers(0, n * 4, n).astype(str)), pa.large_string()
        )
        columns["is_redacted"] = pa.array(np.zeros(n, bool))
        columns["is_personal"] = pa.array(rng.random(n) < 0.01)
        table = spend_queries.with_groups(pa.table(columns).cast(CANONICAL_SCHEMA))
        table = table.append_column("body_code", pa.array(["W06000018"] * n, pa.string()))
        table = table.append_column("batch_id", pa.array(np.full(n, month + 1), pa.int64()))
        files.append(store.publish(store.stage(table, "spend_lines"), f"bench/{month}"))
        assigned = CATEGORIES[rng.integers(0, len(CATEGORIES) - 1, n)]
        sides.append(
            pa.table(
                {
                    "body_code": table["body_code"],
                    "batch_id": table["batch_id"],
                    "line_number": table["line_number"],
                    "category_group": pa.array(assigned),
                    "category_assigned": pa.array(assigned),
                    "category_assigned_name": pa.array(assigned),
                    "category_confidence": pa.array(np.full(n, 0.9)),
                    "category_reason": pa.array(np.full(n, "model p=0.90")),
                    "category_source": pa.array(np.full(n, categories.SOURCE_MODEL)),
                    **{name: table[name] for name in categories.CARRIED},
                }
            ).cast(categories.SIDE_SCHEMA)
        )
    side = store.stage(pa.concat_tables(sides), categories.DATASET)
    files.append(store.publish(side, "W06000018/bench"))
    return files


def pandas_frame(store: Store, files: list[str]) -> pd.DataFrame:
    ledgers = [f for f in files if not f.startswith(categories.DATASET)]
    frame = pd.concat(
        [pq.read_table(store.root / f).to_pandas() for f in ledgers], ignore_index=True
    )
    assigned = pd.concat(
        [pq.read_table(store.root / f).to_pandas() for f in files if f not in ledgers],
        ignore_index=True,
    )[["batch_id", "line_number", "category_group"]]
    frame = frame.drop(columns="category_group").merge(
        assigned, on=["batch_id", "line_number"], how="left"
    )
    frame["amount"] = frame["amount_gbp"].astype(float)
    frame["supplier"] = frame["supplier_name"].where(~frame["is_personal"], spend_queries.WITHHELD)
    return frame


def pandas_queries(frame: pd.DataFrame) -> dict[str, Callable[[], Any]]:
    return {
        "totals": lambda: (len(frame), frame["amount"].sum(), frame["supplier"].nunique()),
        "by month": lambda: frame.groupby(frame["payment_date"].map(lambda d: d.strftime("%Y-%m")))[
            "amount"
        ].sum(),
        "by department": lambda: frame.groupby("department")["amount"].sum().nlargest(15),
        "by category": lambda: frame.groupby("category_group")["amount"].sum().nlargest(15),
        "top suppliers": lambda: frame.groupby("supplier")["amount"].sum().nlargest(20),
        "concentration": lambda: _pandas_hhi(frame),
        "lines (one page)": lambda: frame.sort_values("payment_date", ascending=False).head(100),
    }


def _pandas_hhi(frame: pd.DataFrame) -> float:
    per = frame.groupby("supplier")["amount"].sum()
    per = per[per > 0]
    share = per / per.sum()
    return float(((share * 100) ** 2).sum())


def engine_queries(store: Store, files: list[str]) -> dict[str, Callable[[], Any]]:
    spend = spend_queries.SpendFilter()
    return {
        "totals": lambda: spend_queries.totals(store, files, spend),
        "by month": lambda: spend_queries.by_month(store, files, spend),
        "by department": lambda: spend_queries.by_department(store, files, spend),
        "by category": lambda: spend_queries.by_category(store, files, spend),
        "top suppliers": lambda: spend_queries.top_suppliers(store, files, spend),
        "concentration": lambda: spend_queries.concentration(store, files, spend),
        "lines (one page)": lambda: spend_queries.lines(store, files, spend),
    }


def best_of(job: Callable[[], Any], repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return min(times)


def run(lines: int, folder: Path) -> None:
    store = Store(folder / f"store-{lines}")
    start = time.perf_counter()
    files = generate(store, lines)
    print(
        f"{lines:,} lines generated into {len(files)} Parquet files"
        f" in {time.perf_counter() - start:.1f} s"
    )
    engine = engine_queries(store, files)
    baseline = pandas_queries(pandas_frame(store, files)) if lines <= 2_000_000 else {}
    print(f"{'query':<20}{'DuckDB ms':>11}{'pandas ms':>11}{'ratio':>8}")
    for name, job in engine.items():
        ours = best_of(job) * 1000
        if name in baseline:
            theirs = best_of(baseline[name], repeats=1) * 1000
            print(f"{name:<20}{ours:>11.0f}{theirs:>11.0f}{theirs / ours:>7.1f}x")
        else:
            print(f"{name:<20}{ours:>11.0f}{'-':>11}{'':>8}")


def main() -> None:
    side_table_register(categories.SIDE_TABLE)
    with tempfile.TemporaryDirectory() as folder:
        run(1_000_000, Path(folder))
        if os.environ.get("INFUSE_BENCH_LARGE"):
            run(10_000_000, Path(folder))


if __name__ == "__main__":
    main()
