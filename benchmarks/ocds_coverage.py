"""OCDS field coverage over generated compiled releases, beside Cardinal's own implementation.

The releases are generated as JSON lines shaped like Sell2Wales and Contracts Finder compiled
releases (parties, buyer, tender with items and a tender period, one or two awards with
suppliers, a contract with a period; some fields left empty or null so emptiness rules are
exercised). :func:`infuse.procurement.ocds_coverage.coverage_of_file` counts them, then the
``ocdscardinal`` package (Cardinal's Rust ``coverage``, from PyPI) counts the same file; the two
results must be equal, and the figures are releases per second and Infuse's speed as a share of
Cardinal's.

Run with ``python -m benchmarks.ocds_coverage``. The default is 50,000 releases (well under a
minute on the shared machine); ``INFUSE_BENCH_OCDS_RELEASES=1000000`` runs 1M.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from infuse.procurement.ocds_coverage import coverage_of_file

DEFAULT_RELEASES = 50_000
CPV = ["90910000-9", "45233141-9", "79410000-1", "55524000-9", "34144511-3", "72000000-5"]
STATUSES = ["active", "complete", "cancelled", None]


def compiled_release(number: int, rng: random.Random) -> dict[str, Any]:
    ocid = f"ocds-bench-{number:07d}"
    buyer = {"id": f"GB-GOR-{rng.randrange(500)}", "name": f"Council {rng.randrange(500)}"}
    suppliers = [
        {"id": f"GB-COH-{rng.randrange(10**8):08d}", "name": f"Supplier {rng.randrange(9999)}"}
        for _ in range(rng.randint(1, 2))
    ]
    value = {"amount": round(rng.lognormvariate(11, 1.3), 2), "currency": "GBP"}
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-compiled",
        "date": "2025-02-14T00:00:00Z",
        "tag": ["compiled"],
        "initiationType": "tender",
        "language": "en",
        "parties": [
            {**buyer, "roles": ["buyer"], "address": {"postalCode": "CF10 1AA", "region": ""}},
            *({**s, "roles": ["supplier"], "identifier": {"scheme": "GB-COH"}} for s in suppliers),
        ],
        "buyer": buyer,
        "tender": {
            "id": ocid,
            "title": "Highway maintenance",
            "description": "Routine and reactive maintenance of the highway network.",
            "status": rng.choice(STATUSES),
            "procurementMethod": rng.choice(["open", "selective", "limited"]),
            "mainProcurementCategory": rng.choice(["goods", "works", "services"]),
            "value": value if rng.random() < 0.8 else {},
            "tenderPeriod": {
                "startDate": "2025-01-06T00:00:00Z",
                "endDate": "2025-02-03T12:00:00Z",
            },
            "items": [
                {"id": str(i), "classification": {"scheme": "CPV", "id": rng.choice(CPV)}}
                for i in range(rng.randint(1, 3))
            ],
            "documents": [] if rng.random() < 0.5 else [{"id": "1", "url": None}],
        },
    }
    if rng.random() < 0.7:
        release["awards"] = [
            {"id": f"{ocid}-award", "status": "active", "value": value, "suppliers": suppliers}
        ]
        release["contracts"] = [
            {
                "id": f"{ocid}-contract",
                "awardID": f"{ocid}-award",
                "status": "active",
                "period": {"startDate": "2025-04-01T00:00:00Z", "endDate": "2028-03-31T00:00:00Z"},
                "value": value,
            }
        ]
    return release


def generate(path: Path, releases: int, seed: int = 5) -> None:
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    with path.open("w", encoding="utf-8") as handle:
        for number in range(releases):
            handle.write(json.dumps(compiled_release(number, rng), separators=(",", ":")))
            handle.write("\n")


def main() -> None:
    import ocdscardinal

    releases = int(os.environ.get("INFUSE_BENCH_OCDS_RELEASES", DEFAULT_RELEASES))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "compiled.jsonl"
        generate(path, releases)
        size_mb = path.stat().st_size / 1024**2
        started = time.perf_counter()
        ours = coverage_of_file(str(path))
        infuse_seconds = time.perf_counter() - started
        started = time.perf_counter()
        cardinal = ocdscardinal.coverage(str(path))
        cardinal_seconds = time.perf_counter() - started
    if ours != cardinal:
        raise SystemExit("coverage differs from ocdscardinal's")
    print(f"OCDS coverage, {releases:,} compiled releases ({size_mb:.0f} MB of JSON lines)")
    print(
        f"  infuse:        {infuse_seconds:6.2f} s  {releases / infuse_seconds:>10,.0f} releases/s"
    )
    rate = releases / cardinal_seconds
    print(f"  ocdscardinal:  {cardinal_seconds:6.2f} s  {rate:>10,.0f} releases/s")
    print(f"  infuse speed as a share of Cardinal's: {cardinal_seconds / infuse_seconds:.2f}")


if __name__ == "__main__":
    main()
