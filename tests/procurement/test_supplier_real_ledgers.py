"""Suppliers from real published ledgers (../shared/data, read in place, never copied)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from infuse.accounts.models import User
from infuse.procurement import selectors, spend_queries
from infuse.procurement.importing import import_ledger
from infuse.procurement.services import spend_import_run, spend_upload
from infuse.procurement.suppliers import supplier_spellings
from infuse.warehouse.store import default_store
from tests.conftest import CAERPHILLY, NEWPORT

LEDGERS = [
    "trafford-council/trafford-supplier-spend-2025-03.csv.gz",
    "newcastle-city-council/2022-08.csv",
    "manchester-city-council/2022-05.csv",
    "oxford-city-council/expenditure-over-500-apr-jun-2014.csv",
    "darlington-borough-council/2022-09.csv",
]


@pytest.fixture
def analyst(make_user: Any) -> User:
    return make_user("analyst", CAERPHILLY, username="dafydd")


@pytest.mark.parametrize("path", LEDGERS)
def test_real_ledger_suppliers_add_up_and_keep_withheld_names_in(
    path: str, shared_data: Path, analyst: User, make_user: Any
) -> None:
    content = (shared_data / "spend" / path).read_bytes()
    batch = spend_upload(
        actor=analyst, body=analyst.body, file_name=Path(path).name, content=content
    )
    batch = spend_import_run(actor=analyst, batch=batch)
    assert batch.status == "live", batch.error

    # The store's spellings (DuckDB) are the engine's spellings of the same ledger.
    from_store = pl.from_arrow(
        spend_queries.supplier_spellings(default_store(), [batch.parquet_path], (CAERPHILLY,))
    )
    assert isinstance(from_store, pl.DataFrame)
    from_engine = supplier_spellings(import_ledger(content, source_name=path).rows)
    assert from_store.height == from_engine.height
    assert from_store.drop("amount").equals(from_engine.drop("amount"))
    assert (
        from_store["amount"].cast(pl.Float64).round(2).to_list()
        == from_engine["amount"].cast(pl.Float64).round(2).to_list()
    )

    overview = selectors.supplier_overview(analyst, analyst.body)
    assert overview is not None
    profiles = overview.profiles
    # Every pound is in exactly one cluster, withheld payees included.
    assert Decimal(str(profiles["amount"].sum())) == batch.total_amount
    sme = overview.sme
    assert sme.sme + sme.large + sme.unknown + sme.withheld == sme.total == batch.total_amount
    assert sme.unknown + sme.withheld == sme.total  # no supplier list: every size unknown
    # Clustering never joins two company numbers by itself.
    assert profiles["company_numbers"].list.len().max() in (None, 0, 1)
    assert profiles.height <= from_engine.height

    # Another body's analyst sees the same spend, never a withheld payee's name.
    theirs = selectors.supplier_overview(make_user("analyst", NEWPORT), analyst.body)
    assert theirs is not None
    assert not theirs.profiles["is_excluded"].any()
    withheld_names = set(
        from_engine.filter(pl.col("is_personal") | pl.col("is_redacted"))["name"].drop_nulls()
    )
    shown = {name for names in theirs.profiles["spellings"] for name in names}
    assert not (withheld_names & shown)
    assert theirs.withheld == overview.withheld
    assert Decimal(str(theirs.profiles["amount"].sum())) + theirs.withheld["amount"] == (
        batch.total_amount
    )


def test_trafford_spellings_of_one_supplier_are_grouped(shared_data: Path, analyst: User) -> None:
    path = shared_data / "spend/trafford-council/trafford-supplier-spend-2025-03.csv.gz"
    batch = spend_upload(
        actor=analyst, body=analyst.body, file_name=path.name, content=path.read_bytes()
    )
    spend_import_run(actor=analyst, batch=batch)
    overview = selectors.supplier_overview(analyst, analyst.body)
    assert overview is not None
    grouped = overview.profiles.filter(pl.col("spelling_count") > 1)
    assert grouped.height > 0
    # Every grouped cluster says how it was joined, with a confidence between 0.8 and 1.
    assert grouped["evidence"].list.len().min() >= 1
    assert grouped["confidence"].min() >= 0.8
