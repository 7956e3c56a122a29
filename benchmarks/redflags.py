"""Red flags: Cardinal's eleven indicators over generated compiled releases, DuckDB against Python.

``redflags.run`` (DuckDB, columnar) is timed beside a plain-Python implementation of the same
indicators written here (one pass over ``json.loads`` of each line, then the same fences), and
both must give the same results. Default size 20,000 releases (well under a minute on 2 shared
cores); ``INFUSE_BENCH_REDFLAGS=1000000`` for 1M. Run with ``python -m benchmarks.redflags``.
"""

from __future__ import annotations

import json
import math
import os
import random
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from infuse.procurement import redflags as rf

SETTINGS = (
    "\n".join(f"[{code}]" for code in rf.INDICATORS)
    + "\n[R048]\nminimum_contracting_processes = 5\n"
)
SETTINGS = SETTINGS.replace("[R048]\n[R058]", "[R058]", 1)


def generate(path: Path, count: int, seed: int = 5) -> None:
    rng = random.Random(seed)  # noqa: S311 — generated test data, not security
    methods = ["open", "selective", "limited", "direct"]
    statuses = ["valid"] * 6 + ["disqualified", "pending", "withdrawn", "invited"]
    with path.open("w") as handle:
        for i in range(count):
            start = datetime(2024, 1 + i % 12, 1 + i % 27, 9)
            days = rng.choice([3, 10, 14, 20, 30, 45])
            n_bids = rng.randint(0, 6)
            bids = []
            for b in range(n_bids):
                tenderer = f"T{rng.randint(1, 2000)}"
                bids.append(
                    {
                        "status": rng.choice(statuses),
                        "tenderers": [{"id": tenderer}],
                        "value": {"amount": round(rng.uniform(1, 100)) * 1000, "currency": "GBP"},
                        "date": f"2024-{1 + i % 12:02d}-{1 + (i + b) % 28:02d}T00:00:00Z",
                    }
                )
            release: dict[str, Any] = {
                "ocid": f"ocds-x-{i}",
                "buyer": {"id": f"B{rng.randint(1, 300)}"},
                "tender": {
                    "procuringEntity": {"id": f"P{rng.randint(1, 300)}"},
                    "procurementMethod": rng.choice(methods),
                    "numberOfTenderers": n_bids,
                    "tenderPeriod": {
                        "startDate": start.isoformat() + "Z",
                        "endDate": start.replace(day=min(28, start.day + days % 27)).isoformat()
                        + "Z",
                    },
                },
                "bids": {"details": bids},
            }
            valid = [b for b in bids if b["status"] == "valid"]
            if valid and rng.random() < 0.9:
                winner = (
                    min(valid, key=lambda b: b["value"]["amount"])
                    if rng.random() < 0.8
                    else valid[0]
                )
                release["awards"] = [
                    {
                        "status": "active",
                        "suppliers": [{"id": winner["tenderers"][0]["id"]}],
                        "items": [{"classification": {"id": f"{rng.randint(10, 99)}000000"}}],
                    }
                ]
            handle.write(json.dumps(release) + "\n")


# ---------------------------------------------------------------------------------------------
# The plain-Python baseline (same definitions as infuse.procurement.redflags)


def q8(values: list[float], tau: float) -> float | None:
    if not values:
        return None
    data = sorted(values)
    n = len(data)
    h = (n + 1 / 3) * tau + 1 / 3
    hf = int(h)
    if hf <= 0 or tau == 0:
        return data[0]
    if hf >= n or tau == 1:
        return data[-1]
    return data[hf - 1] + (h - hf) * (data[hf] - data[hf - 1])


def python_indicators(path: Path) -> dict[str, Any]:
    out: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    slb: dict[str, tuple[float, str, str]] = {}
    r025: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    r038: dict[str, dict[str, list[int]]] = {
        g: defaultdict(lambda: [0, 0]) for g in ("Buyer", "ProcuringEntity", "Tenderer")
    }
    r048: dict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    currency = None
    with path.open() as handle:
        for line in handle:
            r = json.loads(line)
            ocid, tender = r["ocid"], r.get("tender", {})
            method = tender.get("procurementMethod")
            period = tender.get("tenderPeriod", {})
            start = datetime.fromisoformat(period["startDate"].replace("Z", "+00:00"))
            end = datetime.fromisoformat(period["endDate"].replace("Z", "+00:00"))
            if math.trunc((end - start).total_seconds() / 86400) < 15:
                out["OCID"][ocid]["R003"] = 1.0
            if method in ("open", "selective") and tender.get("numberOfTenderers") == 1:
                out["OCID"][ocid]["R018"] = 1.0
            details = r.get("bids", {}).get("details", [])
            awards = r.get("awards", [])
            active = [a for a in awards if a.get("status") == "active"]
            submitted = [b for b in details if b["status"] not in ("invited", "withdrawn")]
            for b in details:
                currency = currency or b["value"]["currency"]
            if awards and len(active) == 1 and len(active[0]["suppliers"]) == 1:
                supplier = active[0]["suppliers"][0]["id"]
                valid = [
                    (b["tenderers"][0]["id"], b["value"]["amount"])
                    for b in details
                    if b["status"] == "valid"
                ]
                w = [a for t, a in valid if t == supplier]
                losers = [(a, t) for t, a in valid if t != supplier]
                if w and losers:
                    la, lt = min(losers, key=lambda x: x[0])
                    if la >= min(w) and min(w) != 0:
                        slb[ocid] = ((la - min(w)) / min(w), supplier, lt)
                for t in {t for t, _ in valid}:
                    r025[t][0] += t == supplier
                    r025[t][1] += 1
            # R028
            seen: dict[tuple[float, str], set[str]] = {}
            for b in submitted:
                key, ids = (
                    (b["value"]["amount"], b["value"]["currency"]),
                    {t["id"] for t in b["tenderers"]},
                )
                if key in seen and seen[key] != ids:
                    out["OCID"][ocid]["R028"] = 1.0
                    for t in ids | seen[key]:
                        out["Tenderer"][t]["R028"] = 1.0
                seen[key] = ids
            # R030: bid dates are after the tender period's end only rarely in generated data
            end_date = period["endDate"]
            winners = {s["id"] for a in active for s in a["suppliers"]}
            for b in details:
                if (
                    b["status"] == "valid"
                    and b["date"] > end_date
                    and b["tenderers"][0]["id"] in winners
                ):
                    out["OCID"][ocid]["R030"] = 1.0
                    out["Tenderer"][b["tenderers"][0]["id"]]["R030"] = 1.0
            # R035
            if awards:
                valid_ids = {b["tenderers"][0]["id"] for b in details if b["status"] == "valid"}
                disq = {b["tenderers"][0]["id"] for b in details if b["status"] == "disqualified"}
                if len(valid_ids) == 1 and valid_ids == winners and len(disq - valid_ids) >= 1:
                    out["OCID"][ocid]["R035"] = float(len(disq - valid_ids))
                    out["Tenderer"][next(iter(valid_ids))]["R035"] = 0.0
            # R036
            if active:
                priced = [b for b in submitted if b["value"]["currency"] == currency]
                if priced and any(b["status"] == "valid" for b in priced):
                    lowest = min(priced, key=lambda b: b["value"]["amount"])
                    if lowest["status"] == "disqualified":
                        out["OCID"][ocid]["R036"] = 1.0
            # R038
            if submitted:
                d = sum(b["status"] == "disqualified" for b in submitted)
                for group, key in (
                    ("Buyer", r["buyer"]["id"]),
                    ("ProcuringEntity", tender["procuringEntity"]["id"]),
                ):
                    r038[group][key][0] += d
                    r038[group][key][1] += len(submitted)
                for b in submitted:
                    for t in b["tenderers"]:
                        r038["Tenderer"][t["id"]][0] += b["status"] == "disqualified"
                        r038["Tenderer"][t["id"]][1] += 1
            # R048
            for a in active:
                if len(a["suppliers"]) == 1:
                    processes, codes = r048[a["suppliers"][0]["id"]]
                    for item in a.get("items", []):
                        processes.add(ocid)
                        codes.add(item["classification"]["id"][:2])
    ratios = [v[0] for v in slb.values()]
    q1, q3 = q8(ratios, 0.25), q8(ratios, 0.75)
    if q1 is not None and q3 is not None:
        lower, upper = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
        for ocid, (ratio, winner, loser) in slb.items():
            if q1 > 0 and lower > 0 and ratio <= lower:
                out["OCID"][ocid]["R024"] = ratio
                out["Tenderer"][winner]["R024"] = out["Tenderer"][loser]["R024"] = 0.0
            if upper > 0 and ratio >= upper:
                out["OCID"][ocid]["R058"] = ratio
                out["Tenderer"][winner]["R058"] = 0.0
    upper25 = q8([float(v[1]) for v in r025.values()], 0.75)
    fr = [v[0] / v[1] for v in r025.values()]
    q1, q3 = q8(fr, 0.25), q8(fr, 0.75)
    if q1 is not None and q3 is not None and upper25 is not None:
        lower = q1 - 1.5 * (q3 - q1)
        if q1 > 0 and lower > 0:
            for t, (won, n) in r025.items():
                if n >= upper25 and won / n <= lower:
                    out["Tenderer"][t]["R025"] = won / n
    for group, table in r038.items():
        kept = {k: v[0] / v[1] for k, v in table.items() if v[1] >= 2}
        q1, q3 = q8(list(kept.values()), 0.25), q8(list(kept.values()), 0.75)
        if q1 is not None and q3 is not None:
            fence = q3 + 1.5 * (q3 - q1)
            for k, ratio in kept.items():
                if fence > 0 and ratio >= fence:
                    out[group][k]["R038"] = ratio
    lengths = {k: float(len(c)) for k, (p, c) in r048.items() if len(p) >= 5}
    q1, q3 = q8(list(lengths.values()), 0.25), q8(list(lengths.values()), 0.75)
    if q1 is not None and q3 is not None:
        for k, n in lengths.items():
            if n >= q3 + 1.5 * (q3 - q1):
                out["Tenderer"][k]["R048"] = n
    return {g: {k: dict(v) for k, v in rows.items()} for g, rows in out.items() if rows}


def main() -> None:
    count = int(os.environ.get("INFUSE_BENCH_REDFLAGS", "20000"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "compiled.jsonl"
        t0 = time.perf_counter()
        generate(path, count)
        print(f"generated {count:,} compiled releases in {time.perf_counter() - t0:.1f} s")
        settings = rf.parse_settings(SETTINGS)
        t0 = time.perf_counter()
        report = rf.run(path, settings)
        duck = time.perf_counter() - t0
        t0 = time.perf_counter()
        baseline = python_indicators(path)
        plain = time.perf_counter() - t0
        ours = report.cardinal(meta=False)
        same = _close(ours, baseline)
        flags = sum(len(codes) for rows in ours.values() for codes in rows.values())
        print(
            f"red flags, 11 indicators: DuckDB {duck:.2f} s ({count / duck:,.0f} releases/s); "
            f"plain Python {plain:.2f} s ({count / plain:,.0f} releases/s); "
            f"ratio {plain / duck:.2f}x; "
            f"{flags:,} results; same results: {same}"
        )


def _close(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a.keys() != b.keys():
        return False
    for group in a:
        if a[group].keys() != b[group].keys():
            return False
        for key in a[group]:
            x, y = a[group][key], b[group][key]
            if x.keys() != y.keys() or any(not math.isclose(x[c], y[c], rel_tol=1e-9) for c in x):
                return False
    return True


if __name__ == "__main__":
    main()
