"""Supplier profiles from clusters, decisions and lists (pure: no database)."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from infuse.procurement.supplier_profiles import (
    ENTRY_SCHEMA,
    StoredDecision,
    cluster_profiles,
    replay,
    similar_clusters,
    sme_share,
)
from infuse.procurement.suppliers import cluster_suppliers

from .test_suppliers import cluster_of, spellings

ROWS: list[dict[str, object]] = [
    {"name": "Cwm Civils Ltd", "amount": 1000.0, "postcode": "CF83 3GW"},
    {"name": "CWM CIVILS LIMITED", "amount": 500.0},
    {"name": "Cwm Civil Engineering", "amount": 250.0},
    {"name": "Gwent Fleet Services Ltd", "amount": 800.0, "company_number": "01234567"},
    {"name": "Gwent Fleet Svcs", "amount": 200.0},
    {"name": "Mr J Smith", "amount": 300.0, "is_personal": True},
]


def entries(rows: list[dict[str, object]]) -> pl.DataFrame:
    defaults: dict[str, object] = {
        "list_id": 1,
        "line_number": 2,
        "company_number": None,
        "vat_number": None,
        "postcode": None,
        "size": "unknown",
        "sic_codes": [],
    }
    return pl.DataFrame([defaults | row for row in rows], schema=ENTRY_SCHEMA)


def test_replay_finds_a_merged_cluster_by_its_anchor_when_its_id_changed() -> None:
    clusters = cluster_suppliers(spellings(ROWS))
    fleet = cluster_of(clusters, "Gwent Fleet Services Ltd")
    svcs = cluster_of(clusters, "Gwent Fleet Svcs")
    stale_id = "S000000000000"  # the id the cluster had before a new spelling arrived
    decided, not_applied = replay(
        clusters,
        [
            StoredDecision(
                1,
                "merge",
                cluster_ids=(fleet, stale_id),
                anchor_names=("Gwent Fleet Services Ltd", "Gwent Fleet Svcs"),
            )
        ],
    )
    assert not_applied == ()
    assert cluster_of(decided, "Gwent Fleet Svcs") == fleet != svcs


def test_replay_reports_what_it_cannot_apply_and_skips_merges_already_made() -> None:
    clusters = cluster_suppliers(spellings(ROWS))
    cwm = cluster_of(clusters, "Cwm Civils Ltd")
    decided, not_applied = replay(
        clusters,
        [
            StoredDecision(1, "split", raw_name="Gone Ltd"),
            StoredDecision(2, "merge", cluster_ids=(cwm, "Sgone"), anchor_names=(None, "Gone")),
            # Both spellings are already in one cluster: nothing to do, nothing wrong.
            StoredDecision(
                3,
                "merge",
                cluster_ids=(cwm, cwm),
                anchor_names=("Cwm Civils Ltd", "CWM CIVILS LIMITED"),
            ),
            StoredDecision(4, "split", raw_name="Mr J Smith"),
        ],
    )
    assert not_applied == (1, 2, 4)
    assert decided.assignments.equals(clusters.assignments)


def test_profiles_take_list_entries_by_company_number_then_name_newest_first() -> None:
    clusters = cluster_suppliers(spellings(ROWS))
    listed = entries(
        [
            # Matched by name, but an older list.
            {
                "list_id": 1,
                "name": "Cwm Civils",
                "normalised_name": "cwm civils ltd",
                "size": "large",
            },
            {
                "list_id": 2,
                "name": "Cwm Civils",
                "normalised_name": "cwm civils ltd",
                "size": "sme",
                "sic_codes": ["42110"],
            },
            # A name match loses to a company-number match, whatever the list's age.
            {
                "list_id": 3,
                "name": "Gwent Fleet Services",
                "normalised_name": "gwent fleet services ltd",
                "size": "sme",
                "postcode": "NP20 1AA",
            },
            {
                "list_id": 1,
                "name": "GFS",
                "normalised_name": "gfs",
                "company_number": "01234567",
                "size": "large",
            },
            # A person is never enriched, whatever a list says.
            {"list_id": 2, "name": "Mr J Smith", "normalised_name": "mr j smith", "size": "sme"},
        ]
    )
    profiles = cluster_profiles(clusters, listed)
    by_name = {row["name"]: row for row in profiles.iter_rows(named=True)}
    cwm = by_name["Cwm Civils Ltd"]
    assert (cwm["size"], cwm["sic_codes"], cwm["list_id"]) == ("sme", ["42110"], 2)
    assert (cwm["postcode"], cwm["postcode_source"]) == ("CF83 3GW", "ledger")
    fleet = by_name["Gwent Fleet Services Ltd"]
    assert (fleet["size"], fleet["list_match"], fleet["postcode"]) == (
        "large",
        "company_number",
        None,
    )
    assert by_name["Mr J Smith"]["size"] == "unknown" and by_name["Mr J Smith"]["is_excluded"]
    share = sme_share(profiles)
    assert share.sme == Decimal("1500.00") and share.large == Decimal("800.00")
    assert share.unknown == Decimal("450.00") and share.withheld == Decimal("300.00")
    assert share.total == Decimal("3050.00")
    assert share.known_share is not None and round(share.known_share, 4) == round(2300 / 3050, 4)


def test_sme_share_of_nothing_has_no_shares() -> None:
    profiles = cluster_profiles(cluster_suppliers(spellings([{"name": "A", "amount": -5.0}])))
    share = sme_share(profiles)
    assert share.total == Decimal("-5.00") and share.share("sme") is None
    assert share.known_share is None


def test_similar_clusters_suggest_close_names_never_a_person() -> None:
    profiles = cluster_profiles(
        cluster_suppliers(spellings([*ROWS, {"name": "Mr Cwm Civils", "is_personal": True}]))
    )
    cwm = profiles.filter(pl.col("name") == "Cwm Civils Ltd")["cluster_id"][0]
    suggested = [cid for cid, _score in similar_clusters(profiles, cwm)]
    names = dict(zip(profiles["cluster_id"], profiles["name"], strict=True))
    assert [names[cid] for cid in suggested] == ["Cwm Civil Engineering"]
    assert similar_clusters(profiles, "Snothing") == []
