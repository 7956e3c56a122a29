from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from infuse.warehouse.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "warehouse")


def lines(amounts: list[float], body: str = "W06000018") -> pa.Table:
    return pa.table({"body": [body] * len(amounts), "amount": amounts})


def test_staged_files_are_invisible_until_published_and_listed(store: Store) -> None:
    staged = store.stage(lines([1.0, 2.0]), "spend")
    assert store.query("SELECT 1 AS x", []).num_rows == 1
    path = store.publish(staged, "batch-1")
    assert path == "spend/batch-1.parquet" and not staged.path.exists()
    total = store.query("SELECT sum(amount) AS total FROM lines", [path]).column("total")[0].as_py()
    assert total == 3.0


def test_only_the_listed_files_are_read(store: Store) -> None:
    first = store.publish(store.stage(lines([10.0]), "spend"), "a")
    store.publish(store.stage(lines([99.0]), "spend"), "b")
    total = store.query("SELECT sum(amount) AS t FROM lines", [first]).column("t")[0].as_py()
    assert total == 10.0


def test_garbage_collection_keeps_live_files_and_removes_the_rest(store: Store) -> None:
    live = store.publish(store.stage(lines([1.0]), "spend"), "live")
    store.publish(store.stage(lines([2.0]), "spend"), "orphan")
    leftover = store.stage(lines([3.0]), "spend")
    removed = store.collect_garbage([live])
    assert sorted(removed) == sorted(
        ["spend/orphan.parquet", str(leftover.path.relative_to(store.root))]
    )
    assert list(store.fingerprint()) == [live]


def test_quotes_in_paths_cannot_break_out_of_the_query(tmp_path: Path) -> None:
    store = Store(tmp_path / "it's a store")
    path = store.publish(store.stage(lines([5.0]), "spend"), "x")
    assert store.query("SELECT count(*) AS n FROM lines", [path]).column("n")[0].as_py() == 1
