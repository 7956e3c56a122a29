"""Supply-chain carbon: the pure calculation (hand-computed cases and properties) over a
small store, the factor-file reader, and the Trafford ledger end to end with DEFRA's factors
(skipped without ``shared/data``)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infuse.procurement import carbon
from infuse.procurement.spend_queries import SpendFilter, with_groups
from infuse.warehouse.store import Store

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
DEFRA_CSV = SHARED_DATA / "carbon" / "defra_uk_carbon_footprint_conversion_factors_by_sic_2022.csv"
DEFRA_ODS = DEFRA_CSV.with_suffix(".ods")
TRAFFORD = SHARED_DATA / "spend" / "trafford-council" / "trafford-supplier-spend-2025-03.csv.gz"

FACTORS = (
    carbon.Factor("62", "Computer programming", 0.2),
    carbon.Factor("38", "Waste", 1.0),
    carbon.Factor("35.1", "Electricity", 2.0),
    carbon.Factor("23.5-6", "Cement", 3.0),
    carbon.Factor("23OTHER", "Glass", 1.0),
)


def ledger(rows: list[dict[str, Any]], body: str = "W06000018") -> pa.Table:
    n = len(rows)

    def column(name: str, default: Any = None) -> list[Any]:
        return [r.get(name, default) for r in rows]

    return with_groups(
        pa.table(
            {
                "line_number": list(range(2, n + 2)),
                "payment_date": pa.array(column("date", datetime.date(2022, 6, 1)), pa.date32()),
                "period_only": [False] * n,
                "supplier_name": column("supplier", "Acme Ltd"),
                "supplier_name_raw": column("supplier", "Acme Ltd"),
                "supplier_id": pa.array([None] * n, pa.string()),
                "company_number": pa.array([None] * n, pa.string()),
                "vat_number": pa.array([None] * n, pa.string()),
                "amount_gbp": pa.array(
                    [Decimal(str(a)) for a in column("amount")], pa.decimal128(18, 2)
                ),
                "vat_gbp": pa.array([None] * n, pa.decimal128(18, 2)),
                "department": column("department", "Services"),
                "expense_type": pa.array(column("expense_type"), pa.string()),
                "category_code": pa.array(column("code"), pa.string()),
                "category_label": pa.array([None] * n, pa.string()),
                "transaction_ref": pa.array([None] * n, pa.string()),
                "invoice_ref": pa.array([None] * n, pa.string()),
                "description": pa.array([None] * n, pa.string()),
                "postcode": pa.array([None] * n, pa.string()),
                "capital_or_revenue": pa.array([None] * n, pa.string()),
                "is_redacted": [False] * n,
                "is_personal": column("personal", False),
                "body_code": [body] * n,
                "batch_id": [1] * n,
            }
        )
    )


def stored(tmp_path: Path, table: pa.Table) -> tuple[Store, list[str]]:
    store = Store(tmp_path / "warehouse")
    return store, [store.publish(store.stage(table, "spend_lines"), "batch-1")]


METHOD = carbon.CarbonMethod(factors=FACTORS, base_year=2022)
ALL = carbon.CarbonFilter()

SMALL = [
    {"amount": 1000, "code": "271600", "supplier": "Byte Ltd"},  # ICT → SIC 62 → 0.2
    {"amount": 500, "expense_type": "Refuse collection", "supplier": "Bins Ltd"},  # keyword → 38
    {"amount": 200, "code": "371000", "supplier": "Power plc"},  # Utilities → 35.1 → 2.0
    {"amount": 100, "code": "100000", "supplier": "Build Ltd"},  # → SIC 23: mean(3, 1) = 2
    {"amount": 300, "expense_type": "Sundries", "supplier": "Odd Ltd"},  # unclassified
    {"amount": -80, "code": "271600", "supplier": "Byte Ltd"},  # credit note: excluded
    {"amount": 400, "expense_type": "Salaries", "supplier": "Payroll"},  # excluded
    {"amount": 900, "supplier": "Caerphilly County Borough Council"},  # public body: excluded
]


def test_hand_computed_case(tmp_path: Path) -> None:
    store, files = stored(tmp_path, ledger(SMALL))
    totals = carbon.totals(store, files, METHOD, ALL)
    median = 1.0  # of 0.2, 1.0, 2.0, 3.0, 1.0
    expected_kg = 1000 * 0.2 + 500 * 1.0 + 200 * 2.0 + 100 * 2.0 + 300 * median
    assert totals.tco2e == pytest.approx(expected_kg / 1000)
    assert totals.in_scope_spend == pytest.approx(2100)
    assert totals.excluded_spend == pytest.approx(-80 + 400 + 900)
    assert totals.excluded_lines == 3
    assert totals.unclassified_spend == pytest.approx(300)
    # Range: tier-1 classified ±50 %, unclassified ±100 %, added in quadrature.
    half = ((0.5 * 1.3) ** 2 + (1.0 * 0.3) ** 2) ** 0.5
    assert totals.low == pytest.approx(1.6 - half) and totals.high == pytest.approx(1.6 + half)
    reasons = {r["reason"]: r["spend"] for r in carbon.exclusions(store, files, METHOD, ALL)}
    assert reasons == {
        "Refunds and credit notes": pytest.approx(-80),
        "Salaries and staff costs": pytest.approx(400),
        "Payments to other public bodies": pytest.approx(900),
    }
    lines = {r["supplier"]: r for r in carbon.carbon_lines(store, files, METHOD, ALL)}
    assert lines["Bins Ltd"]["basis"] == "keyword" and lines["Bins Ltd"]["sic_code"] == "38"
    assert lines["Build Ltd"]["factor_code"] == "23.5-6 + 23OTHER"
    assert lines["Odd Ltd"]["basis"] == "unclassified" and lines["Odd Ltd"]["tier"] == 1


def test_price_adjustment_uses_the_deflator(tmp_path: Path) -> None:
    rows = [{"amount": 1000, "code": "271600", "date": datetime.date(2024, 5, 1)}]
    store, files = stored(tmp_path, ledger(rows))
    deflator = {2022: 100.0, 2024: 125.0}
    method = carbon.CarbonMethod(factors=FACTORS, base_year=2022, deflator=deflator)
    # £1,000 of 2024 is £800 at 2022 prices; × 0.2 kg/£ = 160 kg.
    assert carbon.totals(store, files, method, ALL).tco2e == pytest.approx(0.16)
    line = carbon.carbon_lines(store, files, method, ALL)[0]
    assert line["price_ratio"] == pytest.approx(0.8) and line["financial_year"] == 2024


def test_body_rules_and_switched_off_standard_rules(tmp_path: Path) -> None:
    store, files = stored(tmp_path, ledger(SMALL))
    own = carbon.ExclusionRule("rule:1", "supplier_name", r"^odd", "Our own rule", ("W06000018",))
    other = carbon.ExclusionRule("rule:2", "supplier_name", r"^bins", "Other's", ("W06000022",))
    kept = tuple(r for r in carbon.STANDARD_EXCLUSIONS if r.key != "standard:salaries")
    rules = (*kept, own, other)
    method = carbon.CarbonMethod(factors=FACTORS, base_year=2022, exclusions=rules)
    reasons = {r["reason"] for r in carbon.exclusions(store, files, method, ALL)}
    assert "Our own rule" in reasons and "Other's" not in reasons
    assert "Salaries and staff costs" not in reasons


def test_supplier_figure_changes_only_that_supplier_and_its_tier(tmp_path: Path) -> None:
    store, files = stored(tmp_path, ledger(SMALL))
    before = {r.label: r for r in carbon.breakdown(store, files, METHOD, ALL, "supplier")}
    override = carbon.SupplierIntensity("s:1", "W06000018", ("Power plc",), 0.5, 3, "Power plc")
    method = carbon.CarbonMethod(factors=FACTORS, base_year=2022, overrides=(override,))
    after = {r.label: r for r in carbon.breakdown(store, files, method, ALL, "supplier")}
    assert after["Power plc"].tco2e == pytest.approx(200 * 0.5 / 1000)
    for label, row in before.items():
        if label != "Power plc":
            assert after[label].tco2e == pytest.approx(row.tco2e)
    tiers = {r.label: r for r in carbon.breakdown(store, files, method, ALL, "tier")}
    assert tiers["3"].spend_gbp == pytest.approx(200)


amounts = st.lists(
    st.tuples(
        st.integers(min_value=-500, max_value=100_000),
        st.sampled_from(["271600", "371000", "100000", None, "321014"]),
        st.sampled_from(["A Ltd", "B Ltd", "C plc"]),
        st.sampled_from(["Highways", "Schools", None]),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=amounts, scale=st.sampled_from([2, 3, 10]))
def test_properties_scaling_and_breakdowns(tmp_path: Path, rows: list[Any], scale: int) -> None:
    def table(k: int) -> pa.Table:
        return ledger(
            [{"amount": a * k, "code": c, "supplier": s, "department": d} for a, c, s, d in rows]
        )

    store, files = stored(tmp_path / f"a{scale}{len(rows)}", table(1))
    summary = carbon.aggregate(store, files, METHOD, ALL)
    total = carbon.totals_of(summary)
    for by in ("category", "department", "supplier", "tier", "year", "body", "sic", "basis"):
        parts = carbon.breakdown_of(summary, by)
        assert sum(p.tco2e for p in parts) == pytest.approx(total.tco2e, abs=1e-9)
        assert sum(p.spend_gbp for p in parts) == pytest.approx(total.in_scope_spend, abs=1e-6)
    table_rows = carbon.return_table_of(summary)
    assert sum(r["tco2e"] for r in table_rows) == pytest.approx(total.tco2e, abs=1e-9)
    scaled_store, scaled_files = stored(tmp_path / f"b{scale}{len(rows)}", table(scale))
    scaled = carbon.totals(scaled_store, scaled_files, METHOD, ALL)
    assert scaled.tco2e == pytest.approx(total.tco2e * scale, rel=1e-9, abs=1e-9)
    assert scaled.high == pytest.approx(total.high * scale, rel=1e-9, abs=1e-9)


def test_factor_codes_are_read_into_sic_codes() -> None:
    assert carbon.covered_codes("10.2 -3") == ("10.2", "10.3")
    assert carbon.covered_codes("11.01-6") == tuple(f"11.0{n}" for n in range(1, 7))
    assert carbon.covered_codes("68.2IMP") == ("68.2",)
    assert carbon.covered_codes("20A") == ("20",)
    lookup = carbon.factor_lookup(FACTORS)
    assert lookup["23"] == (2.0, "23.5-6 + 23OTHER") and lookup["23.6"] == (3.0, "23.5-6")


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (b"sic_code,amount\n62,1\n", "no_factor_column"),
        (b"sic_code,kgco2e_per_gbp\nabc,1\n62,-3\n38,nan\n", "no_factors"),
        (b"PK\x03\x04 not really a zip", "unreadable"),
        (b"\x00\x01binary", "unreadable"),
    ],
)
def test_bad_factor_files_are_refused_with_a_reason(content: bytes, code: str) -> None:
    with pytest.raises(carbon.FactorSetError) as refused:
        carbon.read_factor_set(content, "factors.csv")
    assert refused.value.code == code


def test_a_factor_file_with_bad_rows_keeps_the_good_ones() -> None:
    factors, notes = carbon.read_factor_set(
        "SIC,Description,kgCO2e per £\n62,IT,0.12\n62,Again,0.2\nxx,No,1\n38,Waste,500\n".encode(),
        "f.csv",
    )
    assert [f.code for f in factors] == ["62"] and len(notes) == 3


needs_shared = [
    pytest.mark.needs_shared,
    pytest.mark.skipif(not TRAFFORD.is_file(), reason="shared/data is not present"),
]


@pytest.mark.needs_shared
@pytest.mark.skipif(not DEFRA_ODS.is_file(), reason="shared/data is not present")
def test_defra_csv_and_ods_read_the_same() -> None:
    from_csv, _ = carbon.read_factor_set(DEFRA_CSV.read_bytes(), DEFRA_CSV.name)
    from_ods, _ = carbon.read_factor_set(DEFRA_ODS.read_bytes(), DEFRA_ODS.name)
    assert len(from_csv) == 110
    assert [f.code for f in from_csv] == [f.code for f in from_ods]
    assert [f.kgco2e_per_gbp for f in from_csv] == pytest.approx(
        [f.kgco2e_per_gbp for f in from_ods]
    )


@pytest.mark.needs_shared
@pytest.mark.skipif(not TRAFFORD.is_file(), reason="shared/data is not present")
def test_trafford_ledger_end_to_end_with_defra(tmp_path: Path) -> None:
    from infuse.procurement.importing import import_ledger

    result = import_ledger(TRAFFORD.read_bytes())
    rows = result.rows
    rows = rows.append_column("body_code", pa.array(["E08000009"] * rows.num_rows))
    rows = rows.append_column("batch_id", pa.array([1] * rows.num_rows))
    store, files = stored(tmp_path, with_groups(rows))
    factors, _ = carbon.read_factor_set(DEFRA_CSV.read_bytes(), DEFRA_CSV.name)
    method = carbon.CarbonMethod(factors=tuple(factors), base_year=2022)
    filt = carbon.CarbonFilter(spend=SpendFilter(bodies=("E08000009",)))
    totals = carbon.totals(store, files, method, filt)
    spend_total = float(rows.column("amount_gbp").to_pandas().astype(float).sum())
    assert totals.in_scope_spend + totals.excluded_spend == pytest.approx(spend_total, abs=0.01)
    assert totals.tco2e > 0 and totals.low < totals.tco2e < totals.high
    # Trafford publishes ProClass codes, so most in-scope spend is placed through them.
    basis = {r.label: r.spend_gbp for r in carbon.breakdown(store, files, method, filt, "basis")}
    assert basis.get("proclass", 0) > 0.5 * totals.in_scope_spend
    categories = carbon.breakdown(store, files, method, filt, "category")
    assert sum(c.tco2e for c in categories) == pytest.approx(totals.tco2e)
    assert carbon.exclusions(store, files, method, filt)
