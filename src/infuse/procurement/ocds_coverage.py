"""Field coverage of a JSON-lines file, counted as Open Contracting's Cardinal ``coverage`` does.

Cardinal (https://github.com/open-contracting/cardinal-rs, command ``ocdscardinal coverage``;
documented at https://cardinal.readthedocs.io/en/latest/cli/coverage.html) counts, for every
field path, how many times it holds a *non-empty* value. The rules, checked against every
fixture in Cardinal's ``tests/fixtures/coverage/``:

* The file is read line by line; each line is one JSON value. A blank line, a line that is not
  valid JSON or not valid UTF-8 is skipped (a value spread over several lines is therefore never
  read). When an object repeats a key, the last value wins.
* ``null``, ``""``, ``[]`` and ``{}`` are empty, and so is an array or object all of whose
  members are empty (``[null]``, ``{"x": {}}``). ``false`` and ``0`` are not empty.
* A non-empty value at path ``P`` adds one to ``P``. The top-level value's path is ``""``.
* A non-empty object at ``P`` also adds one to ``P/``, and its member ``k`` has path ``P/k``.
* The items of an array at ``P`` have path ``P[]``; each non-empty item adds one there (so an
  array of two numbers adds one to ``P`` and two to ``P[]``).

Pure: no Django. The counting walks Python objects decoded by the standard library's C JSON
decoder; the per-line work is one recursive walk without allocations except new path strings,
which are made once per (parent path, key) and reused. Counts are sums over lines, so a large
file is split into byte ranges at line starts and counted by one process per core, as Cardinal
counts lines on every core; the sums are the same as one pass.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
from collections import Counter, defaultdict
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

# Below this size, starting worker processes costs more than it saves.
PARALLEL_FROM_BYTES = 32 * 1024 * 1024


def _refuse_constant(name: str) -> Any:
    """JSON has no NaN or Infinity; Python's decoder accepts them, Cardinal's does not."""
    raise ValueError(name)


_decode = json.JSONDecoder(parse_constant=_refuse_constant).decode


class Coverage:
    """Counts per path; feed it lines (bytes) with :meth:`add_lines`, read :attr:`counts`."""

    def __init__(self) -> None:
        self.counts: defaultdict[str, int] = defaultdict(int)
        # Path strings are made once and reused: each object path's member paths by key,
        # each array path's item path, each object path's "P/" path.
        self._member_paths: dict[str, dict[str, str]] = {}
        self._item_paths: dict[str, str] = {}
        self._object_paths: dict[str, str] = {}

    def _walk(self, value: Any, path: str) -> bool:
        """Count ``value`` at ``path`` and below; whether it is non-empty. The decoder makes
        exactly dict, list, str, int, float, bool and None, so ``type(...) is`` suffices."""
        kind = type(value)
        if kind is dict:
            if not value:
                return False
            filled = False
            members = self._member_paths.get(path)
            if members is None:
                members = self._member_paths[path] = {}
            walk = self._walk
            for key, member in value.items():
                member_path = members.get(key)
                if member_path is None:
                    member_path = members[key] = path + "/" + key
                if walk(member, member_path):
                    filled = True
            if filled:
                counts = self.counts
                counts[path] += 1
                object_path = self._object_paths.get(path)
                if object_path is None:
                    object_path = self._object_paths[path] = path + "/"
                counts[object_path] += 1
            return filled
        if kind is list:
            if not value:
                return False
            item_path = self._item_paths.get(path)
            if item_path is None:
                item_path = self._item_paths[path] = path + "[]"
            filled = False
            walk = self._walk
            for item in value:
                if walk(item, item_path):
                    filled = True
            if filled:
                self.counts[path] += 1
            return filled
        if value is None or (kind is str and not value):
            return False
        self.counts[path] += 1
        return True

    def add_value(self, value: Any) -> None:
        """Count one decoded JSON value (one line of the file)."""
        self._walk(value, "")

    def add_lines(self, lines: Iterable[bytes]) -> int:
        """Count every line that is valid JSON; returns how many lines were skipped."""
        skipped = 0
        for line in lines:
            if not line.strip():
                continue
            try:
                value = _decode(line.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                skipped += 1
                continue
            self._walk(value, "")
        return skipped


def coverage_of_bytes(data: bytes) -> dict[str, int]:
    """The coverage counts of a JSON-lines file's bytes."""
    coverage = Coverage()
    coverage.add_lines(data.split(b"\n"))
    return dict(coverage.counts)


def coverage_of_range(path: str, start: int, end: int) -> dict[str, int]:
    """The coverage counts of the lines of ``path`` that start in bytes ``[start, end)``;
    ``start`` must be the first byte of a line."""
    coverage = Coverage()
    with open(path, "rb") as handle:
        handle.seek(start)
        position = start

        def lines() -> Iterable[bytes]:
            nonlocal position
            for line in handle:
                if position >= end:
                    return
                position += len(line)
                yield line

        coverage.add_lines(lines())
    return dict(coverage.counts)


def line_start_ranges(path: str, parts: int) -> list[tuple[int, int]]:
    """``parts`` byte ranges covering the file, each beginning at the start of a line."""
    size = os.path.getsize(path)
    starts = [0]
    with open(path, "rb") as handle:
        for part in range(1, parts):
            handle.seek(max(size * part // parts - 1, starts[-1]))
            handle.readline()  # to the end of the line the cut falls in
            starts.append(max(handle.tell(), starts[-1]))
    starts.append(size)
    return [(a, b) for a, b in itertools.pairwise(starts) if b > a]


def coverage_of_file(path: str, *, processes: int | None = None) -> dict[str, int]:
    """The coverage counts of a JSON-lines file, read line by line (any size). A file of more
    than :data:`PARALLEL_FROM_BYTES` is counted by ``processes`` worker processes (default: one
    per core)."""
    processes = processes or os.cpu_count() or 1
    if processes == 1 or os.path.getsize(path) < PARALLEL_FROM_BYTES:
        return coverage_of_range(path, 0, os.path.getsize(path))
    ranges = line_start_ranges(path, processes)
    # "spawn": a fresh interpreter per worker, safe from any thread of the caller.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(len(ranges), mp_context=context) as pool:
        parts = pool.map(coverage_of_range, [path] * len(ranges), *zip(*ranges, strict=True))
        total: Counter[str] = Counter()
        for counts in parts:
            total.update(counts)
    return dict(total)
