"""Profiling a large CSV: DuckDB (``infuse.datalab.profiling``) beside the same profile in pandas.

``PROFILE_ROWS`` sets the size (default 300,000 so a run takes well under a minute on a shared
machine; set 1000000 for the figure in docs/performance.md). The file has a text, an amount, a
date, an email and a postcode column, a few gaps, a few outliers and a few duplicate rows.
"""

from __future__ import annotations

import os
import random
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from infuse.datalab.profiling import EMAIL_RE, POSTCODE_RE, profile_path

SUPPLIERS = ["Acme Ltd", "Bwyd Da Cyf", "Gwent Fleet Services", "Taff Care", "Cardiff Print"]


def make_file(path: Path, rows: int) -> None:
    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    with path.open("w", encoding="utf-8") as handle:
        handle.write("id,supplier,amount,paid_on,email,postcode\n")
        for i in range(rows):
            amount = "" if i % 50 == 0 else f"{rng.lognormvariate(6, 1):.2f}"
            handle.write(
                f"{i},{SUPPLIERS[i % 5]},{amount},2025-{1 + i % 12:02d}-{1 + i % 28:02d},"
                f"person{i % 9973}@example.org,CF{1 + i % 40} {i % 10}AB\n"
            )
        handle.write(f"{rows - 1},{SUPPLIERS[(rows - 1) % 5]},1.00,2025-01-01,a@b.org,CF1 1AB\n")


def pandas_profile(path: Path) -> dict[str, Any]:
    """The same measures in plain pandas: gaps, distinct values, types, numbers with Tukey's
    fences, date ranges, lengths, personal-data pattern counts, duplicate rows."""
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing_tokens = {"", "NA", "N/A", "NULL", "NONE", "NAN", "-"}
    out: dict[str, Any] = {"rows": len(frame), "duplicate_rows": int(frame.duplicated().sum())}
    columns = []
    for name in frame.columns:
        values = frame[name].str.strip()
        filled = values[~values.str.upper().isin(missing_tokens)]
        numbers = pd.to_numeric(filled.str.replace(r"[£,\s]", "", regex=True), errors="coerce")
        dates = pd.to_datetime(filled, errors="coerce", format="ISO8601")
        entry: dict[str, Any] = {
            "name": name,
            "missing": len(values) - len(filled),
            "distinct": int(filled.nunique()),
            "lengths": (filled.str.len().min(), filled.str.len().max(), filled.str.len().mean()),
            "email": int(filled.str.match(re.compile(EMAIL_RE)).sum()),
            "postcode": int(filled.str.match(re.compile(POSTCODE_RE)).sum()),
        }
        if numbers.notna().mean() >= 0.95:
            q1, q3 = numbers.quantile(0.25), numbers.quantile(0.75)
            iqr = q3 - q1
            entry.update(
                min=numbers.min(),
                max=numbers.max(),
                mean=numbers.mean(),
                outliers=int(((numbers < q1 - 1.5 * iqr) | (numbers > q3 + 1.5 * iqr)).sum()),
            )
        elif dates.notna().mean() >= 0.95:
            entry.update(min=dates.min(), max=dates.max())
        columns.append(entry)
    out["columns"] = columns
    return out


def main() -> None:
    rows = int(os.environ.get("PROFILE_ROWS", "300000"))
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "ledger.csv"
        make_file(path, rows)
        size = path.stat().st_size / 1e6
        start = time.perf_counter()
        ours = profile_path(path)
        duck = time.perf_counter() - start
        start = time.perf_counter()
        theirs = pandas_profile(path)
        pand = time.perf_counter() - start
    assert ours["rows"] == theirs["rows"] and ours["duplicate_rows"] == theirs["duplicate_rows"]
    amount = next(c for c in ours["column_profiles"] if c["name"] == "amount")
    pandas_amount = next(c for c in theirs["columns"] if c["name"] == "amount")
    assert amount["outliers"] == pandas_amount["outliers"]
    print(f"profile {rows:,} rows ({size:.0f} MB CSV, 6 columns)")
    print(f"  DuckDB (infuse profile): {duck:.2f} s")
    print(f"  pandas, same measures:   {pand:.2f} s")
    print(f"  ratio: {pand / duck:.1f}x")


if __name__ == "__main__":
    main()
