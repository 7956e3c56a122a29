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
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

STAGING = ".staging"


@dataclass(frozen=True)
class SideTable:
    """Columns kept beside a dataset's lines: files in the folder ``dataset``, one row per
    line, keyed by ``keys``; each of ``replaces`` stands in for the line's column of that
    name where the side table has the line. Other side columns are added to the view."""

    dataset: str
    keys: tuple[str, ...]
    replaces: tuple[str, ...] = ()


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
        pq.write_table(table, path, compression="lz4", row_group_size=256_000)
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
        connection = duckdb.connect()
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
                connection.read_parquet(self.paths(main), union_by_name=True).create_view(own)
                if not sides:
                    connection.execute(f"CREATE VIEW {view} AS SELECT * FROM {own}")  # noqa: S608
                else:
                    self._join_sides(connection, view, sides)
            yield StoreSession(connection, tuple(files))
        finally:
            connection.close()

    def _join_sides(
        self, connection: duckdb.DuckDBPyConnection, view: str, sides: dict[str, list[str]]
    ) -> None:
        """``view`` as the lines left-joined to each side table (names are registered
        identifiers, never user input)."""
        replaced: list[str] = []
        added: list[str] = []
        joins: list[str] = []
        for number, (dataset, paths) in enumerate(sorted(sides.items())):
            side = _SIDE_TABLES[dataset]
            alias = f"s{number}"
            connection.read_parquet(self.paths(paths), union_by_name=True).create_view(
                f"{view}__{alias}"
            )
            on = " AND ".join(f"b.{key} = {alias}.{key}" for key in side.keys)
            joins.append(f"LEFT JOIN {view}__{alias} {alias} ON {on}")
            replaced += [
                f"CASE WHEN {alias}.{side.keys[0]} IS NULL THEN b.{column} "
                f"ELSE {alias}.{column} END AS {column}"
                for column in side.replaces
            ]
            added.append(f"{alias}.* EXCLUDE ({', '.join((*side.keys, *side.replaces))})")
        replace = f" REPLACE ({', '.join(replaced)})" if replaced else ""
        connection.execute(
            f"CREATE VIEW {view} AS SELECT b.*{replace}, {', '.join(added)} "  # noqa: S608
            f"FROM {own_columns_view(view)} b {' '.join(joins)}"
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
