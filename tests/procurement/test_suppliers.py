"""Tests for the pure supplier-cleaning engine (:mod:`infuse.procurement.suppliers`)."""

from __future__ import annotations

import random
import time
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infuse.procurement.suppliers import (
    Merge,
    Split,
    SupplierClusters,
    apply_decisions,
    cluster_suppliers,
    normalise_supplier_names,
    supplier_spellings,
)

TRAFFORD_LEDGER = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "spend"
    / "trafford-council"
    / "trafford-supplier-spend-2025-03.csv.gz"
)


def spellings(rows: list[dict[str, object]]) -> pl.DataFrame:
    """A spelling table from a few dicts; absent identifiers are null, amount and lines 1."""
    defaults: dict[str, object] = {
        "supplier_id": None,
        "company_number": None,
        "vat_number": None,
        "postcode": None,
        "amount": 1.0,
        "lines": 1,
        "is_redacted": False,
        "is_personal": False,
    }
    return pl.DataFrame(
        [defaults | row for row in rows],
        schema={
            "name": pl.String,
            "supplier_id": pl.String,
            "company_number": pl.String,
            "vat_number": pl.String,
            "postcode": pl.String,
            "amount": pl.Float64,
            "lines": pl.Int64,
            "is_redacted": pl.Boolean,
            "is_personal": pl.Boolean,
        },
    )


def cluster_of(clusters: SupplierClusters, name: str | None) -> str:
    row = clusters.assignments.filter(pl.col("name").eq_missing(name))
    assert row.height == 1
    return str(row["cluster_id"][0])


def normalised(names: list[str | None]) -> pl.DataFrame:
    return normalise_supplier_names(pl.Series("name", names)).struct.unnest()


# --- normalisation --------------------------------------------------------------------------


def test_amey_spellings_normalise_to_one_name_with_trading_name_kept_apart() -> None:
    result = normalised(["AMEY LG LTD", "Amey LG Limited", "Amey L.G. Ltd", "AMEY LG LTD T/A AMEY"])
    assert result["normalised_name"].to_list() == ["amey lg ltd"] * 4
    assert result["trading_as"].to_list() == [None, None, None, "amey"]
    assert result["core_name"].to_list() == ["amey lg"] * 4


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Cwmni Da Cyf", "cwmni da ltd"),
        ("Cwmni Da Cyfyngedig", "cwmni da ltd"),
        ("Cwmni Da Ltd.", "cwmni da ltd"),
        ("Smith & Jones Public Limited Company", "smith and jones plc"),
        ("Smith and Jones PLC", "smith and jones plc"),
        ("Bevan Brittan Limited Liability Partnership", "bevan brittan llp"),
        ("Green Shoots Community Interest Company", "green shoots cic"),
        ("The Wood Company", "wood co"),
        ("THE THE Band Ltd", "band ltd"),
        ("Caffi Tŷ Gwyn", "caffi ty gwyn"),
        ("Sainsbury's  (Supermarkets),   Ltd", "sainsburys supermarkets ltd"),
        ("...", None),
        (None, None),
    ],
)
def test_normalisation_rules(raw: str | None, expected: str | None) -> None:
    assert normalised([raw])["normalised_name"][0] == expected


@pytest.mark.parametrize(
    ("raw", "name", "trading_as"),
    [
        ("J Bloggs Ltd t/a Bloggs Plumbing", "j bloggs ltd", "bloggs plumbing"),
        ("J Bloggs Ltd T.A. Bloggs Plumbing", "j bloggs ltd", "bloggs plumbing"),
        ("J Bloggs Ltd trading as Bloggs Plumbing", "j bloggs ltd", "bloggs plumbing"),
        ("T/A Bloggs Plumbing", "bloggs plumbing", "bloggs plumbing"),
        ("Tata Steel Ltd", "tata steel ltd", None),
    ],
)
def test_trading_as_suffix_is_split_off(raw: str, name: str, trading_as: str | None) -> None:
    result = normalised([raw])
    assert result["normalised_name"][0] == name
    assert result["trading_as"][0] == trading_as


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(max_size=40),
            st.lists(
                st.sampled_from(
                    [
                        "the",
                        "amey",
                        "l.g.",
                        "&",
                        "and",
                        "ltd",
                        "limited",
                        "cyf",
                        "t/a",
                        "plc",
                        "public",
                        "company",
                        "co.",
                        "Tŷ",
                        "(uk)",
                        "-",
                        "trading",
                        "as",
                        "ccc",
                    ]
                ),
                max_size=8,
            ).map(" ".join),
        ),
        max_size=20,
    )
)
def test_normalisation_is_idempotent(names: list[str | None]) -> None:
    once = normalised(names)["normalised_name"]
    twice = normalised(once.to_list())["normalised_name"]
    assert once.to_list() == twice.to_list()


# --- clustering -----------------------------------------------------------------------------

AMEY_ROWS: list[dict[str, object]] = [
    {"name": "AMEY LG LTD", "amount": 500.0, "lines": 5},
    {"name": "Amey LG Limited", "amount": 9_000.0, "lines": 2},
    {"name": "Amey L.G. Ltd", "amount": 20.0},
    {"name": "AMEY LG LTD T/A AMEY", "amount": 70.0},
]


def test_amey_spellings_cluster_with_most_paid_spelling_as_canonical() -> None:
    clusters = cluster_suppliers(spellings(AMEY_ROWS))
    table = clusters.assignments
    assert table["cluster_id"].n_unique() == 1
    assert set(table["canonical_name"]) == {"Amey LG Limited"}
    assert set(table["evidence"]) == {"normalised_name"}
    assert all(0 < value <= 1 for value in table["confidence"])


def test_different_company_numbers_never_merge() -> None:
    clusters = cluster_suppliers(
        spellings(
            [
                {"name": "Amey LG Ltd", "company_number": "02379479"},
                {"name": "Amey Community Ltd", "company_number": "04736639"},
                {"name": "AMEY LG LIMITED", "company_number": "04736639"},
            ]
        )
    )
    # Identical normalised names, but the company numbers say otherwise.
    assert cluster_of(clusters, "Amey LG Ltd") != cluster_of(clusters, "AMEY LG LIMITED")
    assert cluster_of(clusters, "Amey Community Ltd") == cluster_of(clusters, "AMEY LG LIMITED")
    for numbers in clusters.summary()["company_numbers"]:
        assert len(numbers) <= 1


def test_chain_through_unnumbered_spelling_cannot_join_two_company_numbers() -> None:
    clusters = cluster_suppliers(
        spellings(
            [
                {"name": "Amey LG Ltd", "company_number": "02379479", "amount": 5.0},
                {"name": "Amey L.G. Limited"},
                {"name": "AMEY LG PLC", "company_number": "04736639"},
            ]
        )
    )
    assert cluster_of(clusters, "Amey LG Ltd") != cluster_of(clusters, "AMEY LG PLC")
    for numbers in clusters.summary()["company_numbers"]:
        assert len(numbers) <= 1


def test_company_number_and_vat_join_different_names() -> None:
    clusters = cluster_suppliers(
        spellings(
            [
                {"name": "Kier Construction", "company_number": "02099533", "amount": 3.0},
                {"name": "KCL Highways Division", "company_number": "02099533"},
                {"name": "Wales & West Utilities", "vat_number": "GB123456789"},
                {"name": "WWU Ltd", "vat_number": "GB123456789"},
            ]
        )
    )
    table = clusters.assignments
    assert cluster_of(clusters, "Kier Construction") == cluster_of(
        clusters, "KCL Highways Division"
    )
    assert cluster_of(clusters, "WWU Ltd") == cluster_of(clusters, "Wales & West Utilities")
    evidence = dict(zip(table["name"], table["evidence"], strict=True))
    assert evidence["KCL Highways Division"] == "company_number"
    assert evidence["WWU Ltd"] == "vat_number"
    assert table.filter(pl.col("name") == "KCL Highways Division")["canonical_name"][0] == (
        "Kier Construction"
    )


def test_welsh_cyf_clusters_with_ltd() -> None:
    clusters = cluster_suppliers(
        spellings([{"name": "Trafnidiaeth Cymru Cyf"}, {"name": "TRAFNIDIAETH CYMRU LIMITED"}])
    )
    assert clusters.assignments["cluster_id"].n_unique() == 1


def test_fuzzy_match_joins_near_spellings_but_not_distinct_suppliers() -> None:
    clusters = cluster_suppliers(
        spellings(
            [
                {"name": "Capita Business Services Ltd"},
                {"name": "Capita Busines Services"},
                {"name": "Capita Property Services Ltd"},
            ]
        )
    )
    table = clusters.assignments
    fuzzy = cluster_of(clusters, "Capita Busines Services")
    assert fuzzy == cluster_of(clusters, "Capita Business Services Ltd")
    assert fuzzy != cluster_of(clusters, "Capita Property Services Ltd")
    joined = table.filter(pl.col("cluster_id") == fuzzy)
    assert set(joined["evidence"]) == {"fuzzy"}
    assert all(0.8 < value < 0.9 for value in joined["confidence"])


def test_names_that_differ_only_in_a_number_are_never_joined_by_a_close_spelling() -> None:
    clusters = cluster_suppliers(
        spellings(
            [
                *({"name": f"Supplier Number {index:03d} Ltd"} for index in range(12)),
                {"name": "Flat 12 Management Ltd"},
                {"name": "Flat 13 Management Ltd"},
                {"name": "FLAT 12 MANAGEMENT LIMITED"},
                {"name": "Flat 12 Managment Ltd"},
            ]
        )
    )
    assert clusters.assignments["cluster_id"].n_unique() == 12 + 2
    flat = cluster_of(clusters, "Flat 12 Management Ltd")
    assert cluster_of(clusters, "FLAT 12 MANAGEMENT LIMITED") == flat
    assert cluster_of(clusters, "Flat 12 Managment Ltd") == flat  # a typo, same number
    assert cluster_of(clusters, "Flat 13 Management Ltd") != flat


def test_redacted_and_personal_payees_are_flagged_and_never_clustered() -> None:
    clusters = cluster_suppliers(
        spellings(
            [
                {"name": None, "is_redacted": True, "is_personal": True},
                {"name": "Mr J Smith", "is_personal": True, "company_number": "01234567"},
                {"name": "J Smith", "is_personal": True},
                {"name": "MR J SMITH LTD", "company_number": "01234567"},
            ]
        )
    )
    table = clusters.assignments
    assert table["cluster_id"].n_unique() == 4
    excluded = table.filter(pl.col("is_excluded"))
    assert excluded.height == 3
    assert set(excluded["evidence"]) == {"excluded"}


def test_duplicate_names_and_missing_columns_are_refused() -> None:
    with pytest.raises(ValueError, match="one row per distinct name"):
        cluster_suppliers(spellings([{"name": "A Ltd"}, {"name": "A Ltd"}]))
    with pytest.raises(ValueError, match="amount"):
        cluster_suppliers(spellings([{"name": "A Ltd"}]).drop("amount"))


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_clustering_is_deterministic_regardless_of_row_order(shuffler: random.Random) -> None:
    rows = [
        *AMEY_ROWS,
        {"name": "Amey Community Ltd", "company_number": "04736639"},
        {"name": "Amey LG plc", "company_number": "02379479"},
        {"name": "Capita Business Services Ltd", "vat_number": "GB1"},
        {"name": "Capita Busines Services"},
        {"name": "Capita Plc", "vat_number": "GB1"},
        {"name": "Mr A Person", "is_personal": True},
    ]
    expected = cluster_suppliers(spellings(rows)).assignments
    shuffler.shuffle(rows)
    assert cluster_suppliers(spellings(rows)).assignments.equals(expected)


# --- decisions ------------------------------------------------------------------------------


def test_decisions_merge_split_and_replay_without_one_restores_original() -> None:
    original = cluster_suppliers(
        spellings(
            [
                *AMEY_ROWS,
                {"name": "Amey Highways", "amount": 100_000.0},
                {"name": "Mr A Person", "is_personal": True},
            ]
        )
    )
    amey = cluster_of(original, "AMEY LG LTD")
    highways = cluster_of(original, "Amey Highways")
    assert amey != highways

    merge = Merge((amey, highways))
    split = Split("AMEY LG LTD T/A AMEY")
    decided = apply_decisions(original, [merge, split])
    table = decided.assignments
    assert cluster_of(decided, "Amey Highways") == amey
    assert cluster_of(decided, "Amey L.G. Ltd") == amey
    assert table.filter(pl.col("cluster_id") == amey)["canonical_name"][0] == "Amey Highways"
    split_off = cluster_of(decided, "AMEY LG LTD T/A AMEY")
    assert split_off not in {amey, highways}
    assert table.filter(pl.col("name") == "AMEY LG LTD T/A AMEY")["canonical_name"][0] == (
        "AMEY LG LTD T/A AMEY"
    )
    assert set(table.filter(pl.col("cluster_id") == amey)["evidence"]) == {"analyst"}
    assert decided.not_applied == ()

    # Undo the merge: replay the remaining decisions on the automatic clusters.
    only_split = apply_decisions(original, [split])
    assert cluster_of(only_split, "Amey Highways") == highways
    assert cluster_of(only_split, "AMEY LG LTD T/A AMEY") == split_off
    # Undo everything: the automatic clusters come back unchanged.
    assert apply_decisions(original, []).assignments.equals(original.assignments)


def test_decisions_on_unknown_or_excluded_entries_are_not_applied() -> None:
    original = cluster_suppliers(
        spellings([{"name": "A Ltd"}, {"name": "Mr A Person", "is_personal": True}])
    )
    person = cluster_of(original, "Mr A Person")
    firm = cluster_of(original, "A Ltd")
    stale = [Merge((firm, "Sdeadbeef0000")), Merge((firm, person)), Split("Mr A Person")]
    result = apply_decisions(original, stale)
    assert result.not_applied == tuple(stale)
    assert result.assignments.equals(original.assignments)
    with pytest.raises(ValueError, match="two cluster ids"):
        Merge((firm,))


# --- scale and real data --------------------------------------------------------------------


def synthetic_spellings(suppliers: int, seed: int = 7) -> pl.DataFrame:
    """About four spellings per supplier: case, legal form, punctuation and a typo vary."""
    generator = random.Random(seed)
    words = [
        "".join(
            generator.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(generator.randint(3, 9))
        )
        for _ in range(3_000)
    ]
    forms = ["Ltd", "Limited", "Cyf", "LTD.", "", "Plc", "& Co"]
    names: set[str] = set()
    company_numbers: dict[str, str | None] = {}
    for supplier in range(suppliers):
        base = " ".join(generator.sample(words, generator.randint(1, 3)))
        number = f"{supplier:08d}" if supplier % 3 == 0 else None
        for _ in range(4):
            name = f"{base} {generator.choice(forms)}".strip()
            if generator.random() < 0.3:
                name = name.upper()
            if generator.random() < 0.2 and len(name) > 6:
                cut = generator.randrange(1, len(name) - 1)
                name = name[:cut] + name[cut + 1 :]
            if name not in names:
                names.add(name)
                company_numbers[name] = number if generator.random() < 0.5 else None
    ordered = sorted(names)
    return spellings(
        [
            {"name": name, "company_number": company_numbers[name], "amount": float(index % 97)}
            for index, name in enumerate(ordered)
        ]
    )


def test_fifty_thousand_spellings_cluster_without_quadratic_blow_up() -> None:
    table = synthetic_spellings(17_000)
    assert table.height >= 50_000
    started = time.perf_counter()
    clusters = cluster_suppliers(table)
    elapsed = time.perf_counter() - started
    # Not a speed test (benchmarks/suppliers.py measures speed): comparing every pair of
    # 59,000 spellings would take hours, so a generous bound only catches that blow-up, and
    # a busy machine (typically 10-20 s) does not fail it.
    assert elapsed < 180, f"clustering {table.height} spellings took {elapsed:.1f} s"
    summary = clusters.summary()
    assert summary.height < table.height
    assert summary["amount"].sum() == pytest.approx(table["amount"].sum())
    assert summary["company_numbers"].list.len().max() == 1


@pytest.mark.needs_shared
@pytest.mark.skipif(not TRAFFORD_LEDGER.exists(), reason="shared Trafford ledger not present")
def test_trafford_ledger_clusters_sensibly() -> None:
    from infuse.procurement.importing import import_ledger

    imported = import_ledger(TRAFFORD_LEDGER, accept_uncertain_mapping=True)
    table = supplier_spellings(imported.rows)
    assert table["lines"].sum() == imported.rows.num_rows
    clusters = cluster_suppliers(table)
    summary = clusters.summary()
    assert 0 < summary.height <= table.height
    assert summary["company_numbers"].list.len().max() <= 1
    assert summary["amount"].sum() == table["amount"].sum() == imported.summary.total_amount
    excluded = clusters.assignments.filter(pl.col("is_excluded"))
    assert excluded.height == table.filter(pl.col("is_redacted") | pl.col("is_personal")).height
    assert excluded["cluster_id"].n_unique() == excluded.height
    # Each cluster's canonical name is one of its own spellings.
    members = clusters.assignments.group_by("cluster_id").agg(
        pl.col("canonical_name").first(), spellings=pl.col("name")
    )
    assert (
        members.select(
            pl.col("spellings").list.contains(pl.col("canonical_name"))
            | pl.col("canonical_name").is_null()
        )
        .to_series()
        .all()
    )
