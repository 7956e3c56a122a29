"""Writing and reading Parquet datasets safely.

A dataset is a folder of Parquet files under the store's root, one file per import batch. Files
are never changed in place, only added or removed whole:

1. ``stage`` writes the file under ``.staging/`` with a unique name (a half-written file can
   only ever be there);
2. ``publish`` moves it into its dataset folder with an atomic rename, *before* the database
   transaction that records the batch commits;
3. the batch row (committed or not) decides whether the file is live: readers are always given
   the list of live files by the database, so a published file whose transaction failed is
   invisible, and ``collect_garbage`` removes it later.

So a failure at any point leaves the figures users see exactly as they were.

A *side table* (:class:`SideTable`) keeps columns worked out later beside a dataset's lines,
in files of its own keyed by line (for example each spend line's category, decided after the
import): when the files given to :meth:`Store.session` include side files, the view is the
dataset's lines left-joined to them, a side column replacing the line's column of the same
name where the side table has the line. The lines are never rewritten, and a line the side
table lacks keeps its own values, so no line is ever dropped from a total. A query that needs
no side column reads :func:`own_columns_view` instead, and skips the join.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

STAGING = ".staging"
ROW_GROUP_ROWS = 256_000

# One in-memory DuckDB database per process, and a cursor (a connection of its own, opened in
# microseconds) per session: opening a database costs about 15 ms, a tenth of a page's figure
# at 10M lines. Everything a session names is temporary, so sessions never see each other's.
_database: duckdb.DuckDBPyConnection | None = None
_database_lock = threading.Lock()
# A forked child must not close its parent's database: closing waits for the parent's worker
# threads, which do not exist in the child, and never returns. The child keeps it, unused.
_inherited: list[duckdb.DuckDBPyConnection] = []


def _session_connection() -> duckdb.DuckDBPyConnection:
    global _database
    with _database_lock:
        if _database is None:
            database = duckdb.connect()
            # Files are added and removed whole; read them as they are, never from a cache.
            database.execute("SET enable_external_file_cache = false")
            _database = database
        return _database.cursor()


def _after_fork_in_child() -> None:
    """A forked worker opens a database of its own (and a lock no parent thread holds)."""
    global _database, _database_lock
    if _database is not None:
        _inherited.append(_database)
    _database = None
    _database_lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)


@dataclass(frozen=True)
class SideTable:
    """Columns kept beside a dataset's lines: files in the folder ``dataset``, one row per
    line, keyed by ``keys``; each of ``replaces`` stands in for the line's column of that
    name where the side table has the line. Other side columns are added to the view.

    ``carries`` names columns of the lines that the side files hold a copy of, and ``unit``
    the column that says which file a line came from (a side file holds every line of each
    unit it holds any line of). Then :func:`covered_view` answers a query over the keys, the
    carried columns and ``replaces`` without joining: the side rows of the units read, and the
    lines of units the side table lacks, as they are.
    """

    dataset: str
    keys: tuple[str, ...]
    replaces: tuple[str, ...] = ()
    carries: tuple[str, ...] = ()
    unit: str | None = None


_SIDE_TABLES: dict[str, SideTable] = {}


def side_table_register(side: SideTable) -> None:
    _SIDE_TABLES[side.dataset] = side


def _dataset_of(relative_path: str) -> str:
    return Path(relative_path).parts[0] if Path(relative_path).parts else ""


@dataclass(frozen=True)
class StagedFile:
    path: Path
    dataset: str


class Store:
    """The analytical store rooted at ``root`` (``INFUSE_DATA_DIR/warehouse`` in the app)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # --- writing ---------------------------------------------------------------------------

    def stage(self, table: pa.Table, dataset: str) -> StagedFile:
        """Write ``table`` as Parquet under the staging folder and return where."""
        staging = self.root / STAGING
        staging.mkdir(parents=True, exist_ok=True)
        path = staging / f"{dataset}-{uuid.uuid4().hex}.parquet"
        # LZ4 rather than zstd: files about 1.5 times larger, read 1.4-1.7 times faster, and
        # reading is what every page does (docs/decisions/0004-store-reads-first.md).
        side = _SIDE_TABLES.get(dataset)
        if side is None or side.unit is None or table.num_rows == 0:
            pq.write_table(table, path, compression="lz4", row_group_size=ROW_GROUP_ROWS)
        else:
            # A side file's row groups each hold one unit, so that the files' statistics
            # list the units the side table covers (see ``_cover``).
            with pq.ParquetWriter(path, table.schema, compression="lz4") as writer:
                for part in _runs_of(table.sort_by(side.unit), side.unit):
                    writer.write_table(part, row_group_size=ROW_GROUP_ROWS)
        return StagedFile(path=path, dataset=dataset)

    def publish(self, staged: StagedFile, name: str) -> str:
        """Move a staged file into its dataset as ``name``; returns its path relative to the root.

        The rename is atomic on one file system, so readers see the whole file or none of it.
        """
        target = self.root / staged.dataset / f"{name}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged.path, target)
        return str(target.relative_to(self.root))

    def discard(self, staged: StagedFile) -> None:
        staged.path.unlink(missing_ok=True)

    def remove(self, relative_path: str) -> None:
        (self.root / relative_path).unlink(missing_ok=True)

    def collect_garbage(self, live: Iterable[str], *, older_than_seconds: float = 0) -> list[str]:
        """Delete staged leftovers and published files no batch refers to; return what went.

        ``older_than_seconds`` spares files younger than that: an import running elsewhere (the
        command line) publishes its file a moment before its database transaction commits.
        """
        keep = {str(Path(p)) for p in live}
        removed: list[str] = []
        if not self.root.exists():
            return removed
        cutoff = time.time() - older_than_seconds
        for path in sorted(self.root.rglob("*.parquet")):
            relative = str(path.relative_to(self.root))
            if older_than_seconds and path.stat().st_mtime > cutoff:
                continue
            if relative.startswith(STAGING) or relative not in keep:
                path.unlink(missing_ok=True)
                removed.append(relative)
        return removed

    # --- reading ---------------------------------------------------------------------------

    def paths(self, relative_paths: Sequence[str]) -> list[str]:
        return [str(self.root / p) for p in relative_paths]

    def query(
        self,
        sql: str,
        files: Sequence[str],
        parameters: Sequence[Any] | None = None,
        *,
        view: str = "lines",
    ) -> pa.Table:
        """Run ``sql`` with ``view`` bound to the union of the given live files.

        ``files`` are paths relative to the root, as the database records them. With no files
        the view is empty but has no columns, so callers check for that first.
        """
        with self.session(files, view=view) as session:
            return session.query(sql, files, parameters, view=view)

    @contextlib.contextmanager
    def session(self, files: Sequence[str], *, view: str = "lines") -> Iterator[StoreSession]:
        """One connection with ``view`` bound to ``files``, for several queries in a row (a
        page's figures), so the files' metadata is read once rather than once per query."""
        connection = _session_connection()
        try:
            sides: dict[str, list[str]] = {}
            main: list[str] = []
            for path in files:
                dataset = _dataset_of(path)
                if dataset in _SIDE_TABLES:
                    sides.setdefault(dataset, []).append(path)
                else:
                    main.append(path)
            if main:
                # The relation API takes the paths as values, never as SQL text.
                own = own_columns_view(view)
                connection.register(
                    own, connection.read_parquet(self.paths(main), union_by_name=True)
                )
                if not sides:
                    connection.execute(f"CREATE TEMP VIEW {view} AS SELECT * FROM {own}")  # noqa: S608
                else:
                    self._join_sides(connection, view, sides, self.paths(main))
                for dataset in _SIDE_TABLES.keys() - sides.keys():
                    # No side file given: the lines are what the side table would cover.
                    connection.execute(
                        f"CREATE TEMP VIEW {covered_view(dataset, view)} AS SELECT * FROM {view}"  # noqa: S608
                    )
            yield StoreSession(connection, tuple(files))
        finally:
            connection.close()

    def _join_sides(
        self,
        connection: duckdb.DuckDBPyConnection,
        view: str,
        sides: dict[str, list[str]],
        main_paths: list[str],
    ) -> None:
        """``view`` as the lines left-joined to each side table (names are registered
        identifiers, never user input)."""
        replaced: list[str] = []
        added: list[str] = []
        joins: list[str] = []
        covers: list[tuple[SideTable, str, list[str], set[str]]] = []
        for number, (dataset, paths) in enumerate(sorted(sides.items())):
            side = _SIDE_TABLES[dataset]
            alias = f"s{number}"
            side_lines = connection.read_parquet(self.paths(paths), union_by_name=True)
            connection.register(f"{view}__{alias}", side_lines)
            present = set(side_lines.columns)
            covers.append((side, f"{view}__{alias}", self.paths(paths), present))
            on = " AND ".join(f"b.{key} = {alias}.{key}" for key in side.keys)
            joins.append(f"LEFT JOIN {view}__{alias} {alias} ON {on}")
            replaced += [
                f"CASE WHEN {alias}.{side.keys[0]} IS NULL THEN b.{column} "
                f"ELSE {alias}.{column} END AS {column}"
                for column in side.replaces
            ]
            # Carried columns are the lines' own (the view takes them from the lines).
            excluded = [c for c in (*side.keys, *side.replaces, *side.carries) if c in present]
            added.append(f"{alias}.* EXCLUDE ({', '.join(excluded)})")
        replace = f" REPLACE ({', '.join(replaced)})" if replaced else ""
        connection.execute(
            f"CREATE TEMP VIEW {view} AS SELECT b.*{replace}, {', '.join(added)} "  # noqa: S608
            f"FROM {own_columns_view(view)} b {' '.join(joins)}"
        )
        for side, side_view, side_paths, present in covers:
            self._cover(connection, view, side, side_view, main_paths, side_paths, present)

    def _cover(
        self,
        connection: duckdb.DuckDBPyConnection,
        view: str,
        side: SideTable,
        side_view: str,
        main_paths: list[str],
        side_paths: list[str],
        present: set[str],
    ) -> None:
        """:func:`covered_view` for ``side`` (whose files have the columns ``present``): a
        union when they carry the columns, else (files written before they did) the joined
        view under that name."""
        covered = covered_view(side.dataset, view)
        columns = (*side.keys, *side.carries, *side.replaces)
        if side.unit is None or not side.carries or not set(columns) <= present:
            connection.execute(f"CREATE TEMP VIEW {covered} AS SELECT * FROM {view}")  # noqa: S608
            return
        own = own_columns_view(view)
        listed = ", ".join(dict.fromkeys(columns))
        unit = side.unit
        units = _whole_number_units(connection, [*main_paths, *side_paths], unit)
        read_units = _units_of(units, main_paths)
        side_units = _units_of(units, side_paths)
        if read_units is None or side_units is None:
            # Units found by reading the unit column: a scan of every line, twice.
            side_rows = f"{unit} IN (SELECT DISTINCT {unit} FROM {own})"  # noqa: S608
            own_rows = f"{unit} NOT IN (SELECT DISTINCT {unit} FROM {side_view})"  # noqa: S608
        else:
            # Units known from the files' statistics, written into the view: DuckDB skips the
            # row groups of every other unit without reading them.
            lacking = sorted(read_units - side_units)
            side_rows = f"{unit} IN ({', '.join(map(str, sorted(read_units))) or 'NULL'})"
            own_rows = f"{unit} IN ({', '.join(map(str, lacking))})" if lacking else "FALSE"
        connection.execute(
            f"CREATE TEMP VIEW {covered} AS "  # noqa: S608
            f"SELECT {listed} FROM {side_view} WHERE {side_rows} "
            f"UNION ALL SELECT {listed} FROM {own} WHERE {own_rows}"
        )

    def fingerprint(self) -> dict[str, int]:
        """Every file in the store with its size (tests use it to prove nothing changed)."""
        if not self.root.exists():
            return {}
        return {
            str(p.relative_to(self.root)): p.stat().st_size
            for p in sorted(self.root.rglob("*"))
            if p.is_file()
        }


class StoreSession:
    """Queries over the files a session was opened with (see ``Store.session``)."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, files: tuple[str, ...]) -> None:
        self._connection = connection
        self._files = files

    def query(
        self,
        sql: str,
        files: Sequence[str],
        parameters: Sequence[Any] | None = None,
        *,
        view: str = "lines",
    ) -> pa.Table:
        if tuple(files) != self._files:
            raise ValueError("a store session answers only for the files it was opened with")
        return self._connection.sql(sql, params=list(parameters or [])).to_arrow_table()


def own_columns_view(view: str = "lines") -> str:
    """The name, in a :meth:`Store.session`, of ``view`` without its side tables: the dataset's
    own columns only. A query that needs no side column reads it and skips the join, which
    costs more than the rest of a query over millions of lines."""
    return f"{view}_own"


def _runs_of(table: pa.Table, column: str) -> Iterator[pa.Table]:
    """``table`` (sorted by ``column``) cut where ``column`` changes value."""
    values = table[column].combine_chunks()
    changes = pc.indices_nonzero(pc.not_equal(values[1:], values[:-1])).to_pylist()
    starts = [0, *(index + 1 for index in changes), table.num_rows]
    for start, end in itertools.pairwise(starts):
        yield table.slice(start, end - start)


# Each file's units from its statistics, keyed by path, inode, modification and change times
# and size: reading the footers of a year of files costs about 20 ms a session, and files never
# change in place.
_unit_statistics: dict[tuple[str, int, int, int, int, str], frozenset[int] | None] = {}
_UNIT_STATISTICS_KEPT = 20_000
_UNREAD: Any = object()


def _whole_number_units(
    connection: duckdb.DuckDBPyConnection, paths: list[str], unit: str
) -> dict[str, frozenset[int] | None]:
    """For each file, the values of ``unit`` in it from its Parquet statistics alone, when
    every row group holds a single whole number; otherwise None (the values must be read)."""
    keys = {}
    for path in paths:
        status = os.stat(path)
        # The inode and change time too: a file written again within one clock tick, at the
        # same size, still gets a new key.
        keys[path] = (
            path,
            status.st_ino,
            status.st_mtime_ns,
            status.st_ctime_ns,
            status.st_size,
            unit,
        )
    known: dict[str, frozenset[int] | None] = {}
    unread = []
    for path in paths:
        # Read once: another session may clear the cache between two reads of it.
        cached = _unit_statistics.get(keys[path], _UNREAD)
        if cached is _UNREAD:
            unread.append(path)
        else:
            known[path] = cached
    if unread:
        ranges = connection.execute(
            "SELECT file_name, stats_min_value, stats_max_value FROM parquet_metadata(?) "
            "WHERE path_in_schema = ?",
            [unread, unit],
        ).fetchall()
        found: dict[str, set[int] | None] = {}
        for path, low, high in ranges:
            seen = found.setdefault(path, set())
            if seen is None:
                continue
            if low is None or low != high or not str(low).lstrip("-").isdigit():
                found[path] = None
            else:
                seen.add(int(low))
        if len(_unit_statistics) > _UNIT_STATISTICS_KEPT:
            _unit_statistics.clear()
        for path in unread:
            values = found.get(path)  # None too for a file without the column
            known[path] = None if values is None else frozenset(values)
            _unit_statistics[keys[path]] = known[path]
    return known


def _units_of(units: dict[str, frozenset[int] | None], paths: list[str]) -> set[int] | None:
    """The union of the files' units, or None when any file's are unknown."""
    found: set[int] = set()
    for path in paths:
        known = units.get(path)
        if known is None:
            return None
        found |= known
    return found


def covered_view(dataset: str, view: str = "lines") -> str:
    """The name, in a :meth:`Store.session` whose files include the side table ``dataset``, of
    ``view`` limited to the side table's keys, carried and replacing columns (see
    :class:`SideTable`): the same values as ``view`` for those columns, read without a join."""
    return f"{view}_{dataset}"


def default_store() -> Store:
    from django.conf import settings

    return Store(Path(settings.WAREHOUSE_DIR))


# Each app that keeps files in the store says which are live (the database is the authority);
# garbage collection keeps those and removes everything else.
_LIVE_PATH_PROVIDERS: list[Callable[[], Iterable[str]]] = []


def live_paths_register(provider: Callable[[], Iterable[str]]) -> None:
    _LIVE_PATH_PROVIDERS.append(provider)


def live_paths() -> set[str]:
    return {str(path) for provider in _LIVE_PATH_PROVIDERS for path in provider() if path}
