from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from infuse.warehouse.store import (
    SideTable,
    Store,
    covered_view,
    own_columns_view,
    side_table_register,
)


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


def test_a_side_table_replaces_its_columns_and_the_own_view_keeps_the_lines_as_imported(
    store: Store,
) -> None:
    side_table_register(SideTable(dataset="test_side", keys=("line",), replaces=("label",)))
    imported = store.publish(
        store.stage(
            pa.table({"line": [1, 2, 3], "label": ["a", "b", "c"], "amount": [1, 2, 4]}), "spend"
        ),
        "batch",
    )
    # The side table knows lines 1 and 3 only: line 2 keeps its own label.
    side = store.publish(
        store.stage(
            pa.table({"line": [1, 3], "label": ["x", "z"], "note": ["n1", "n3"]}), "test_side"
        ),
        "run",
    )
    with store.session([imported, side]) as session:
        joined = session.query(
            "SELECT line, label, note, amount FROM lines ORDER BY line", [imported, side]
        ).to_pylist()
        own = session.query(
            f"SELECT * FROM {own_columns_view()} ORDER BY line", [imported, side]
        ).to_pylist()
    assert joined == [
        {"line": 1, "label": "x", "note": "n1", "amount": 1},
        {"line": 2, "label": "b", "note": None, "amount": 2},
        {"line": 3, "label": "z", "note": "n3", "amount": 4},
    ]
    assert own == [
        {"line": 1, "label": "a", "amount": 1},
        {"line": 2, "label": "b", "amount": 2},
        {"line": 3, "label": "c", "amount": 4},
    ]
    # Without side files both names answer, with the same lines.
    plain = store.query(f"SELECT count(*) AS n FROM {own_columns_view()}", [imported])
    assert plain.column("n")[0].as_py() == 3


@pytest.mark.parametrize("units_in_statistics", [True, False])
def test_the_covered_view_answers_like_the_join_without_joining(
    store: Store, units_in_statistics: bool
) -> None:
    side_table_register(
        SideTable(
            dataset="test_carrying",
            keys=("batch", "line"),
            replaces=("label",),
            carries=("amount",),
            unit="batch",
        )
    )

    def ledger(batch: int, amounts: list[int]) -> pa.Table:
        count = len(amounts)
        return pa.table(
            {
                "batch": [batch] * count,
                "line": list(range(1, count + 1)),
                "label": ["own"] * count,
                "amount": amounts,
                "text": ["only in the ledger"] * count,
            }
        )

    first = store.publish(store.stage(ledger(1, [10, 20]), "spend"), "b1")
    second = store.publish(store.stage(ledger(2, [300]), "spend"), "b2")
    # The run covered batch 1 and a batch 9 since withdrawn; batch 2 came after it.
    assigned = pa.table(
        {
            "batch": [1, 1, 9],
            "line": [1, 2, 1],
            "label": ["x", "y", "gone"],
            "amount": [10, 20, 5000],
            "why": ["rule", "model", "rule"],
        }
    )
    if units_in_statistics:  # as the store writes a side file: one row group per batch
        side = store.publish(store.stage(assigned, "test_carrying"), "run")
    else:  # one row group for every batch: the batches must be read
        (store.root / "test_carrying").mkdir()
        pq.write_table(assigned, store.root / "test_carrying" / "run.parquet")
        side = "test_carrying/run.parquet"
    files = [first, second, side]
    covered = covered_view("test_carrying")
    sql = "SELECT label, sum(amount) AS amount FROM {} GROUP BY 1 ORDER BY 1"
    with store.session(files) as session:
        by_join = session.query(sql.format("lines"), files).to_pylist()
        by_cover = session.query(sql.format(covered), files).to_pylist()
        assert session.query(f"SELECT * FROM {covered} LIMIT 0", files).column_names == [
            "batch",
            "line",
            "amount",
            "label",
        ]
    assert (
        by_cover
        == by_join
        == [
            {"label": "own", "amount": 300},
            {"label": "x", "amount": 10},
            {"label": "y", "amount": 20},
        ]
    )
    # Without the side file, the covered view is the lines as they are.
    with store.session([first, second]) as session:
        rows = session.query(sql.format(covered), [first, second]).to_pylist()
    assert rows == [{"label": "own", "amount": 330}]


def test_sessions_open_at_once_each_answer_for_their_own_files(store: Store) -> None:
    files = [store.publish(store.stage(lines([float(n)] * n), "spend"), f"b{n}") for n in (1, 2)]
    sql = "SELECT sum(amount) AS t FROM lines"
    with store.session([files[0]]) as one, store.session([files[1]]) as two:
        assert two.query(sql, [files[1]]).column("t")[0].as_py() == 4.0
        assert one.query(sql, [files[0]]).column("t")[0].as_py() == 1.0
    # Many at once, from threads, as a server's requests are.
    from concurrent.futures import ThreadPoolExecutor

    def total(path: str) -> float:
        with store.session([path]) as session:
            return float(session.query(sql, [path]).column("t")[0].as_py())

    with ThreadPoolExecutor(max_workers=4) as pool:
        totals = list(pool.map(total, files * 20))
    assert totals == [1.0, 4.0] * 20


def test_a_side_file_written_again_under_its_name_is_read_as_it_now_is(store: Store) -> None:
    side_table_register(
        SideTable(
            dataset="test_rewritten",
            keys=("batch", "line"),
            replaces=("label",),
            carries=("amount",),
            unit="batch",
        )
    )
    # One ledger file per batch, as imports write them: the batches come from statistics.
    ledgers = [
        store.publish(
            store.stage(
                pa.table({"batch": [n], "line": [1], "amount": [amount], "label": ["own"]}),
                "spend",
            ),
            f"l{n}",
        )
        for n, amount in ((1, 5), (2, 7))
    ]

    def run(batches: list[int]) -> str:
        side = pa.table(
            {
                "batch": batches,
                "line": [1] * len(batches),
                "amount": [5, 7][: len(batches)],
                "label": ["run"] * len(batches),
            }
        )
        return store.publish(store.stage(side, "test_rewritten"), "run")

    covered = covered_view("test_rewritten")
    sql = f"SELECT batch, label FROM {covered} ORDER BY batch"
    first = run([1])
    with store.session([*ledgers, first]) as session:
        assert session.query(sql, [*ledgers, first]).to_pylist() == [
            {"batch": 1, "label": "run"},
            {"batch": 2, "label": "own"},
        ]
    store.remove(first)
    again = run([1, 2])
    assert again == first
    with store.session([*ledgers, again]) as session:
        assert session.query(sql, [*ledgers, again]).to_pylist() == [
            {"batch": 1, "label": "run"},
            {"batch": 2, "label": "run"},
        ]


def test_a_forked_worker_opens_a_database_of_its_own(store: Store) -> None:
    # A worker process forked after the parent has read the store (a server's workers, a
    # pool) must read it too, not hang on the parent's database.
    import os

    path = store.publish(store.stage(lines([2.0, 3.0]), "spend"), "b")
    sql = "SELECT sum(amount) AS t FROM lines"
    assert store.query(sql, [path]).column("t")[0].as_py() == 5.0
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through its exit status
        try:
            total = store.query(sql, [path]).column("t")[0].as_py()
            os._exit(0 if total == 5.0 else 1)
        except BaseException:
            os._exit(2)
    deadline = 30
    import time

    for _ in range(deadline * 10):
        done, status = os.waitpid(child, os.WNOHANG)
        if done:
            break
        time.sleep(0.1)
    else:
        os.kill(child, 9)
        os.waitpid(child, 0)
        pytest.fail("the forked worker hung reading the store")
    assert os.waitstatus_to_exitcode(status) == 0
