"""The UK red flags (UK001–UK005) on small hand-built compiled releases, and over real UK data."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from infuse.procurement import redflags as rf
from infuse.procurement import redflags_uk as uk

SHARED_OCDS = Path(__file__).resolve().parents[3] / "shared" / "data" / "ocds"


def release(ocid: str, **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"ocid": ocid, "buyer": {"id": "B1", "name": "Cyngor Sir Enghraifft"}}
    out.update(fields)
    return out


def award(value: float | None, *suppliers: str) -> dict[str, Any]:
    a: dict[str, Any] = {"status": "active", "suppliers": [{"id": s, "name": s} for s in suppliers]}
    if value is not None:
        a["value"] = {"amount": value, "currency": "GBP"}
    return a


def run(releases: list[dict[str, Any]], ini: str, **kwargs: Any) -> rf.RedFlagReport:
    settings = rf.parse_settings(ini, extra_sections=uk.SECTIONS)
    return uk.run_releases(releases, settings, **kwargs)


def test_uk001_award_far_above_estimate() -> None:
    releases = [
        release(
            "over",
            tender={"value": {"amount": 100_000, "currency": "GBP"}},
            awards=[award(180_000, "S1")],
        ),
        release(
            "near",
            tender={"value": {"amount": 100_000, "currency": "GBP"}},
            awards=[award(120_000, "S1")],
        ),
        release("no estimate", awards=[award(180_000, "S1")]),
        release(
            "contract over",
            tender={"value": {"amount": 50_000, "currency": "GBP"}},
            awards=[award(50_000, "S2")],
            contracts=[{"value": {"amount": 90_000, "currency": "GBP"}}],
        ),
    ]
    report = run(releases, "[UK001]\nthreshold = 1.5\n")
    assert set(report.results["OCID"]) == {"over", "contract over"}
    assert report.results["OCID"]["over"]["UK001"] == pytest.approx(1.8)
    evidence = report.evidence[("OCID", "contract over", "UK001")]
    assert evidence["tender_value"] == 50_000 and evidence["contract_value"] == 90_000
    assert evidence["threshold"] == 1.5
    # A stricter threshold flags nothing.
    assert run(releases, "[UK001]\nthreshold = 2\n").results == {}


def test_uk002_short_tender_period_for_high_value_work() -> None:
    def tender(days: int, value: float, method: str = "open") -> dict[str, Any]:
        end = f"2025-03-{1 + days:02d}T12:00:00Z"
        return {
            "procurementMethod": method,
            "value": {"amount": value, "currency": "GBP"},
            "tenderPeriod": {"startDate": "2025-03-01T12:00:00Z", "endDate": end},
        }

    releases = [
        release("short big", tender=tender(12, 500_000)),
        release("long big", tender=tender(28, 500_000)),
        release("short small", tender=tender(12, 20_000)),
        release("short direct", tender=tender(5, 500_000, "direct")),
    ]
    report = run(releases, "[UK002]\n")
    assert set(report.results["OCID"]) == {"short big"}
    evidence = report.evidence[("OCID", "short big", "UK002")]
    assert (
        evidence["days"] == 12
        and evidence["minimum_days"] == 25
        and evidence["tender_value"] == 500_000
    )


def test_uk003_repeated_direct_awards_to_one_supplier() -> None:
    releases = [
        release(f"d{i}", tender={"procurementMethod": "limited"}, awards=[award(10_000, "S1")])
        for i in range(3)
    ]
    releases += [
        release("open", tender={"procurementMethod": "open"}, awards=[award(10_000, "S2")])
    ]
    releases += [
        release(f"e{i}", tender={"procurementMethod": "limited"}, awards=[award(10_000, "S3")])
        for i in range(2)
    ]
    report = run(releases, "[UK003]\nthreshold = 3\n")
    assert report.results["Buyer"] == {"B1": {"UK003": 3.0}}
    assert report.results["Tenderer"] == {"S1": {"UK003": 3.0}}
    evidence = report.evidence[("Tenderer", "S1", "UK003")]
    assert evidence["ocids"] == ["d0", "d1", "d2"] and evidence["total_value"] == 30_000


def test_uk004_values_clustered_just_below_a_threshold() -> None:
    values = [29_000, 29_500, 29_900, 29_990, 45_000, 31_000]
    releases = [release(f"v{i}", awards=[award(v, "S1")]) for i, v in enumerate(values)]
    report = run(
        releases, "[UK004]\nthresholds = 30000\nmargin = 0.05\nminimum_count = 3\nratio = 2\n"
    )
    assert set(report.results["OCID"]) == {"v0", "v1", "v2", "v3"}
    assert report.results["Buyer"]["B1"]["UK004"] == 4.0
    evidence = report.evidence[("Buyer", "B1", "UK004")]
    assert (
        evidence["just_below"] == 4
        and evidence["just_above"] == 1
        and evidence["procurement_threshold"] == 30_000
    )
    # As many just above as below: the buyer is not flagged.
    even = releases + [release(f"a{i}", awards=[award(30_500, "S1")]) for i in range(3)]
    assert "Buyer" not in run(even, "[UK004]\nthresholds = 30000\n").results


def test_uk005_ledger_spend_far_above_contract_value() -> None:
    releases = [
        release("c1", awards=[award(100_000, "Acme Services Ltd")]),
        release("c2", awards=[award(100_000, "Bryn Cleaning Limited")]),
    ]
    ledger = {"ACME SERVICES LIMITED": 180_000.0, "Bryn Cleaning": 105_000.0, "Unmatched Ltd": 1e6}
    report = run(releases, "[UK005]\nthreshold = 1.25\n", ledger_spend=ledger)
    assert report.results["Tenderer"] == {"Acme Services Ltd": {"UK005": pytest.approx(1.8)}}
    evidence = report.evidence[("Tenderer", "Acme Services Ltd", "UK005")]
    assert evidence["ledger_spend"] == 180_000 and evidence["contract_value"] == 100_000
    assert evidence["ledger_supplier"] == "ACME SERVICES LIMITED"
    # Without a ledger the indicator does not run.
    assert run(releases, "[UK005]\n").results == {}


def test_bad_uk_settings_are_refused() -> None:
    with pytest.raises(rf.SettingsError, match="must be a number"):
        run([release("x")], "[UK001]\nthreshold = high\n")
    with pytest.raises(rf.SettingsError, match="unknown setting"):
        run([release("x")], "[UK002]\ndays = 3\n")


def test_ledger_spend_csv(tmp_path: Path) -> None:
    good = tmp_path / "spend.csv"
    good.write_text('Supplier,Amount\nAcme,"1,000.50"\nAcme,£99.50\n')
    assert uk.load_ledger_spend(good) == {"Acme": 1100.0}
    bad = tmp_path / "bad.csv"
    bad.write_text("name,total\nAcme,1\n")
    with pytest.raises(uk.LedgerError, match="columns"):
        uk.load_ledger_spend(bad)


def _compile(paths: list[Path]) -> list[dict[str, Any]]:
    """A simple compile for the test: per ocid, later releases' top-level fields win."""
    by_ocid: dict[str, dict[str, Any]] = defaultdict(dict)
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            data = json.loads(line)
            items = (
                [r for p in data.get("releases", []) for r in [p]] if "releases" in data else [data]
            )
            for r in sorted(items, key=lambda r: r.get("date") or ""):
                by_ocid[r["ocid"]].update(r)
    return list(by_ocid.values())


ALL_UK = (
    "[UK001]\n[UK002]\n[UK003]\nthreshold = 2\n"
    "[UK004]\nminimum_count = 1\nratio = 1\n[UK005]\nthreshold = 1\n"
)


@pytest.mark.needs_shared
@pytest.mark.skipif(
    not (SHARED_OCDS / "sell2wales").is_dir(), reason="shared/data/ocds is not present"
)
def test_uk_indicators_over_real_contracts_finder_and_sell2wales() -> None:
    paths = sorted((SHARED_OCDS / "uk-contracts-finder").glob("*.jsonl")) + sorted(
        (SHARED_OCDS / "sell2wales").glob("*.jsonl")
    )
    releases = _compile(paths)
    assert len(releases) > 100
    # Ledger: every awarded supplier paid twice its award (so UK005 has something to find).
    ledger: dict[str, float] = {}
    for r in releases:
        for a in r.get("awards", []):
            amount = (a.get("value") or {}).get("amount")
            for s in a.get("suppliers", []):
                if isinstance(amount, (int, float)) and s.get("name"):
                    ledger[s["name"]] = ledger.get(s["name"], 0.0) + 2 * amount
    report = run(releases, ALL_UK + "[R003]\n[R018]\n", ledger_spend=ledger)
    assert report.releases == len(releases)
    flags = report.flags()
    raised = {f["indicator"] for f in flags}
    assert "UK005" in raised and "UK004" in raised
    for flag in flags:
        evidence = report.evidence[(flag["group"], flag["id"], flag["indicator"])]
        assert evidence, flag
    for flag in (f for f in flags if f["indicator"] == "UK005"):
        assert flag["ledger_spend"] >= flag["contract_value"] > 0
    for flag in (f for f in flags if f["indicator"] == "UK004" and f["group"] == "OCID"):
        assert flag["process_value"] < flag["procurement_threshold"]
    for flag in (f for f in flags if f["indicator"] == "UK001"):
        assert flag["ratio"] >= 1.5
