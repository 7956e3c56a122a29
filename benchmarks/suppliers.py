"""Suppliers: from a body's ledger lines in the store to its supplier clusters, at 1M lines.

Steps timed, as the suppliers page runs them when its cache is cold:

1. the distinct spellings with their most frequent identifiers, by DuckDB over the Parquet
   files (``spend_queries.supplier_spellings``), against plain pandas on a DataFrame already
   in memory (so pandas is not charged for reading);
2. clustering the spellings (``suppliers.cluster_suppliers``);
3. replaying 200 analyst decisions one by one (``supplier_profiles.replay``);
4. the per-cluster profiles with a 5,000-row supplier list (``cluster_profiles``).

The 20,000 generated suppliers are each spelt up to four ways (case, legal form, a full stop,
a typo), so clustering has real work. Run with ``python -m benchmarks.suppliers``.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from infuse.procurement import spend_queries, supplier_profiles, suppliers
from infuse.procurement.importing import CANONICAL_SCHEMA
from infuse.warehouse.store import Store

BODY = "W06000018"


def spelling_table(count: int, rng: np.random.Generator) -> np.ndarray:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    names = []
    for index in range(count):
        word = "".join(rng.choice(letters, int(rng.integers(4, 10))))
        base = f"{word.title()} {['Services', 'Care', 'Civils', 'Supplies'][index % 4]}"
        for variant in range(int(rng.integers(1, 5))):
            form = ["Ltd", "Limited", "LTD.", "Cyf"][variant]
            name = f"{base} {form}"
            names.append(name.upper() if variant == 2 else name)
    return np.array(sorted(set(names)))


def generate(store: Store, lines: int, seed: int = 11) -> list[str]:
    rng = np.random.default_rng(seed)
    spellings = spelling_table(20_000, rng)
    files = []
    per_month = lines // 12
    for month in range(12):
        n = per_month if month < 11 else lines - per_month * 11
        columns: dict[str, Any] = {
            name: pa.nulls(n, CANONICAL_SCHEMA.field(name).type) for name in CANONICAL_SCHEMA.names
        }
        picked = rng.zipf(1.3, n) % len(spellings)
        columns["line_number"] = pa.array(np.arange(2, n + 2), pa.int64())
        columns["period_only"] = pa.array(np.zeros(n, bool))
        columns["supplier_name"] = pa.array(spellings[picked], pa.large_string())
        numbers = np.char.zfill((picked * 7919 % 10**8).astype(str), 8)
        columns["company_number"] = pa.array(
            np.where(rng.random(n) < 0.2, numbers, None), pa.large_string()
        )
        columns["amount_gbp"] = pa.array(np.round(np.exp(rng.normal(7.6, 1.2, n)) + 500, 2)).cast(
            pa.decimal128(18, 2)
        )
        columns["is_redacted"] = pa.array(np.zeros(n, bool))
        columns["is_personal"] = pa.array(rng.random(n) < 0.01)
        table = spend_queries.with_groups(pa.table(columns).cast(CANONICAL_SCHEMA))
        table = table.append_column("body_code", pa.array([BODY] * n, pa.string()))
        table = table.append_column("batch_id", pa.array(np.full(n, month + 1), pa.int64()))
        files.append(store.publish(store.stage(table, "spend_lines"), f"bench/{month}"))
    return files


def pandas_spellings(frame: pd.DataFrame) -> pd.DataFrame:
    """The same spellings in plain pandas: sums, counts and the most frequent company number."""
    grouped = frame.groupby("supplier_name", dropna=False).agg(
        amount=("amount", "sum"), lines=("amount", "size"), is_personal=("is_personal", "any")
    )
    numbers = (
        frame.dropna(subset=["company_number"])
        .groupby(["supplier_name", "company_number"])
        .size()
        .reset_index(name="n")
        .sort_values(["supplier_name", "n", "company_number"], ascending=[True, False, True])
        .drop_duplicates("supplier_name")
        .set_index("supplier_name")["company_number"]
    )
    return grouped.join(numbers)


def timed(job: Callable[[], Any], repeats: int = 3) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = job()
        best = min(best, time.perf_counter() - start)
    return best * 1000, result


def run(lines: int, folder: Path) -> None:
    store = Store(folder / f"store-{lines}")
    files = generate(store, lines)
    frame = pd.concat([pq.read_table(store.root / f).to_pandas() for f in files])
    frame["amount"] = frame["amount_gbp"].astype(float)

    ours, table = timed(lambda: spend_queries.supplier_spellings(store, files, (BODY,)))
    theirs, _ = timed(lambda: pandas_spellings(frame), repeats=1)
    spellings = pl.from_arrow(table)
    assert isinstance(spellings, pl.DataFrame)
    print(f"{lines:,} lines, {spellings.height:,} distinct spellings")
    print(f"{'step':<34}{'Infuse ms':>11}{'pandas ms':>11}{'ratio':>8}")
    print(f"{'spellings from the store':<34}{ours:>11.0f}{theirs:>11.0f}{theirs / ours:>7.1f}x")

    cluster_ms, clusters = timed(lambda: suppliers.cluster_suppliers(spellings), repeats=1)
    print(f"{'cluster the spellings':<34}{cluster_ms:>11.0f}{'-':>11}")
    ids = clusters.summary()["cluster_id"].to_list()
    decisions = [
        supplier_profiles.StoredDecision(i, "merge", cluster_ids=(ids[2 * i], ids[2 * i + 1]))
        for i in range(200)
    ]
    replay_ms, (decided, _skipped) = timed(
        lambda: supplier_profiles.replay(clusters, decisions), repeats=1
    )
    print(f"{'replay 200 decisions':<34}{replay_ms:>11.0f}{'-':>11}")
    names = spellings["name"].drop_nulls().head(5_000)
    entries = pl.DataFrame(
        {
            "list_id": 1,
            "line_number": range(2, names.len() + 2),
            "name": names,
            "normalised_name": suppliers.normalise_supplier_names(names).struct.field(
                "normalised_name"
            ),
            "company_number": None,
            "vat_number": None,
            "postcode": "CF10 1AA",
            "size": "sme",
            "sic_codes": [["62020"]] * names.len(),
        },
        schema=supplier_profiles.ENTRY_SCHEMA,
    )
    profile_ms, profiles = timed(lambda: supplier_profiles.cluster_profiles(decided, entries))
    print(f"{'profiles with a 5,000-row list':<34}{profile_ms:>11.0f}{'-':>11}")
    print(f"{profiles.height:,} clusters")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        run(1_000_000, Path(folder))


if __name__ == "__main__":
    main()
