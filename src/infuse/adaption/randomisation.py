"""Seeded, reproducible and auditable allocation of units to the arms of an experiment.

Pure computation: no Django, no database. Input is a Polars DataFrame (or an Arrow table) with
one row per unit, an id column and any covariates; output is an :class:`Allocation`: the
allocation table and an :class:`AllocationRecord` holding the seed, the algorithm's name and
version, and SHA-256 digests of the canonical input and of the allocation, so that anyone with
the same list can run it again (:func:`verify_allocation`) and get the same arms.

Reproducibility rules, and why:

* units are put in a canonical order (sorted by id, or by strata then order then id) before any
  random number is drawn, so row order in the uploaded file does not change the allocation;
* the only source of randomness is ``np.random.Generator(np.random.PCG64(seed))`` and the only
  method called on it is ``random()`` (uniform doubles), whose stream NumPy keeps stable across
  versions (NEP 19); shuffles are stable argsorts of those uniform keys;
* everything is vectorised (argsort of random keys within groups), never a loop over units:
  a million units with strata take well under a second.

Methods: complete randomisation with fixed arm totals, permuted blocks with fixed or random block
sizes, stratified permuted blocks (Rosenberger, W.F. & Lachin, J.M. 2016, "Randomization in
Clinical Trials", 2nd ed., Wiley, chapters 3 and 7; Matts, J.P. & Lachin, J.M. 1988,
"Properties of permuted-block randomization in clinical trials", Controlled Clinical Trials
9:327-344; Kernan, W.N. et al. 1999, "Stratified randomization for clinical trials", Journal of
Clinical Epidemiology 52:19-26), cluster randomisation (Hayes, R.J. & Moulton, L.H. 2017,
"Cluster Randomised Trials", 2nd ed., CRC Press, chapter 6) and stepped-wedge schedules (Hemming,
K. et al. 2015, "The stepped wedge cluster randomised trial: rationale, design, analysis, and
reporting", BMJ 350:h391). Balance: standardised differences of Austin, P.C. (2009), "Balance
diagnostics for comparing the distribution of baseline covariates between treatment groups in
propensity-score matched samples", Statistics in Medicine 28:3083-3107.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

#: Bump when any change could alter an allocation for the same input and seed.
ALGORITHM_VERSION = "1.0.0"
#: How the input is serialised before hashing (see :func:`canonical_input_sha256`).
CANONICAL_FORMAT = "infuse-canonical-csv-v1"
ARM_COLUMN = "arm"

IntArray = npt.NDArray[np.int64]


class RandomisationError(ValueError):
    """The units or settings cannot be randomised as asked; the message says why."""


@dataclass(frozen=True)
class AllocationRecord:
    """Everything needed to reproduce and verify an allocation.

    ``input_sha256`` digests the canonical input (``columns_used``, sorted by id; see
    :func:`canonical_input_sha256`); ``allocation_sha256`` digests the canonical output
    (id and arm, sorted by id). ``parameters`` holds the algorithm's settings.
    """

    algorithm: str
    algorithm_version: str
    seed: int
    bit_generator: str
    numpy_version: str
    canonical_format: str
    input_sha256: str
    allocation_sha256: str
    id_column: str
    columns_used: tuple[str, ...]
    unit_count: int
    arms: tuple[str, ...]
    ratio: tuple[int, ...]
    parameters: dict[str, Any] = field(hash=False)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values."""
        values = dataclasses.asdict(self)
        values["columns_used"] = list(self.columns_used)
        values["arms"] = list(self.arms)
        values["ratio"] = list(self.ratio)
        return values


@dataclass(frozen=True)
class Allocation:
    """An allocation: one row per unit (sorted by id) with its ``arm``, and the audit record.

    Extra columns say how each arm was reached: ``stratum``, ``block`` and ``block_size`` for
    blocked methods; the cluster column for cluster methods; ``sequence`` and
    ``first_treated_period`` for stepped-wedge. ``schedule`` (stepped-wedge only) is the long
    table of cluster, period (1-based) and ``treated`` (0/1).
    """

    table: pl.DataFrame
    record: AllocationRecord
    schedule: pl.DataFrame | None = None

    def arm_counts(self) -> dict[str, int]:
        """Number of units in each arm, in the record's arm order."""
        counts = dict(self.table.group_by(ARM_COLUMN).len().iter_rows())
        return {arm: int(counts.get(arm, 0)) for arm in self.record.arms}

    def as_dict(self) -> dict[str, Any]:
        """Record and rows as plain JSON-ready values."""
        result: dict[str, Any] = {
            "record": self.record.as_dict(),
            "allocation": self.table.to_dicts(),
        }
        if self.schedule is not None:
            result["schedule"] = self.schedule.to_dicts()
        return result


# --------------------------------------------------------------------------------------------
# Input checks, canonical form and hashing
# --------------------------------------------------------------------------------------------


def _as_polars(units: Any) -> pl.DataFrame:
    if isinstance(units, pl.DataFrame):
        return units
    try:
        converted = pl.from_arrow(units)
    except (TypeError, ValueError) as error:
        raise RandomisationError("units must be a Polars DataFrame or an Arrow table") from error
    if not isinstance(converted, pl.DataFrame):
        raise RandomisationError("units must be a table, not a single column")
    return converted


def _check_columns(frame: pl.DataFrame, columns: Sequence[str]) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise RandomisationError(f"columns not found: {', '.join(missing)}")
    if len(set(columns)) != len(columns):
        raise RandomisationError("a column is named twice")


def _check_ids(frame: pl.DataFrame, id_column: str) -> None:
    ids = frame.get_column(id_column)
    if ids.null_count():
        raise RandomisationError(f"{ids.null_count()} units have no id in column {id_column!r}")
    if ids.n_unique() != ids.len():
        example = ids.filter(ids.is_duplicated()).head(3).to_list()
        raise RandomisationError(f"ids must be unique; repeated: {example}")
    if frame.height == 0:
        raise RandomisationError("there are no units to randomise")


def _check_arms(
    arms: Sequence[str], ratio: Sequence[int]
) -> tuple[tuple[str, ...], tuple[int, ...]]:
    arm_names = tuple(str(arm) for arm in arms)
    weights = tuple(int(weight) for weight in ratio)
    if len(arm_names) < 2:
        raise RandomisationError("at least two arms are needed")
    if len(set(arm_names)) != len(arm_names):
        raise RandomisationError("arm names must differ")
    if len(weights) != len(arm_names):
        raise RandomisationError("give one ratio weight per arm")
    if any(
        weight < 1 or weight != original for weight, original in zip(weights, ratio, strict=True)
    ):
        raise RandomisationError("ratio weights must be whole numbers of at least 1")
    return arm_names, weights


def _check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed < 2**128:
        raise RandomisationError("the seed must be a whole number between 0 and 2**128 - 1")
    return int(seed)


def _check_block_sizes(
    block_sizes: Sequence[int] | None, ratio: tuple[int, ...]
) -> tuple[int, ...]:
    pattern_length = sum(ratio)
    sizes = (
        (2 * pattern_length,) if block_sizes is None else tuple(int(size) for size in block_sizes)
    )
    if not sizes:
        raise RandomisationError("give at least one block size")
    for size in sizes:
        if size < pattern_length or size % pattern_length:
            raise RandomisationError(
                f"block size {size} is not a multiple of the ratio total {pattern_length}"
            )
    return tuple(sorted(set(sizes)))


def _canonical_bytes(frame: pl.DataFrame) -> bytes:
    return (
        frame.select(pl.all().cast(pl.String))
        .write_csv(
            include_header=True, line_terminator="\n", null_value="", quote_style="necessary"
        )
        .encode("utf-8")
    )


def canonical_input_sha256(units: Any, *, id_column: str, columns: Sequence[str] = ()) -> str:
    """SHA-256 of the canonical input list, the fingerprint an auditor recomputes.

    Canonical form (``infuse-canonical-csv-v1``): the line ``infuse-canonical-csv-v1``, then a
    CSV of the id column followed by ``columns`` in the order given, every value cast to text by
    Polars, rows sorted by id, header included, ``\\n`` line ends, empty text for missing values,
    quotes only where needed, UTF-8. Inputs: ``units`` (Polars or Arrow table), ``id_column``,
    the other ``columns`` the algorithm reads (strata, clusters, order).
    """
    frame = _as_polars(units)
    used = [id_column, *[column for column in columns if column != id_column]]
    _check_columns(frame, used)
    return _sha256_of_sorted(frame.select(used).sort(id_column))


def _sha256_of_sorted(canonical: pl.DataFrame) -> str:
    """SHA-256 of a frame already in canonical column order and sorted by id."""
    digest = hashlib.sha256(f"{CANONICAL_FORMAT}\n".encode())
    digest.update(_canonical_bytes(canonical))
    return digest.hexdigest()


def _allocation_sha256(table: pl.DataFrame, id_column: str) -> str:
    return _sha256_of_sorted(table.select(id_column, ARM_COLUMN).sort(id_column))


def _generator(seed: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed))


# --------------------------------------------------------------------------------------------
# Vectorised engines
# --------------------------------------------------------------------------------------------


def _complete_randomisation_codes(
    unit_count: int, ratio: tuple[int, ...], rng: np.random.Generator
) -> IntArray:
    """Arm codes with totals fixed by the ratio, in random order.

    Whole repeats of the ratio pattern give exact totals; when the ratio total does not divide
    the number of units, the leftover units take a random part of one more pattern (a partial
    permuted block), so an arm with weight w gets between q w and (q + 1) w units, q being the
    number of whole patterns.
    """
    pattern = np.repeat(np.arange(len(ratio)), ratio)
    whole_repeats, leftover = divmod(unit_count, pattern.size)
    leftover_codes = pattern[np.argsort(rng.random(pattern.size), kind="stable")[:leftover]]
    codes = np.concatenate([np.tile(pattern, whole_repeats), leftover_codes])
    return codes[np.argsort(rng.random(unit_count), kind="stable")].astype(np.int64)


def _permuted_block_codes(
    group_sizes: IntArray,
    block_sizes: tuple[int, ...],
    ratio: tuple[int, ...],
    rng: np.random.Generator,
) -> tuple[IntArray, IntArray, IntArray]:
    """Permuted-block arm codes for units laid out group after group (strata, or one group).

    Returns, per unit, the arm code, the block number within its group (1-based) and the
    block's size. Each group gets enough blocks to cover it; each block is the ratio pattern
    repeated to the block's size (chosen uniformly from ``block_sizes`` when there are several),
    shuffled by a stable argsort of uniform keys along the block's row of a (blocks x widest
    block) array. All groups and blocks are built at once: no loop over units, blocks or groups.
    """
    pattern = np.repeat(np.arange(len(ratio)), ratio)
    sizes_available = np.asarray(block_sizes, dtype=np.int64)
    blocks_per_group = -(-group_sizes // sizes_available.min())
    block_count = int(blocks_per_group.sum())
    if sizes_available.size == 1:
        block_size = np.full(block_count, sizes_available[0], dtype=np.int64)
    else:
        choice = np.minimum(
            (rng.random(block_count) * sizes_available.size).astype(np.int64),
            sizes_available.size - 1,
        )
        block_size = sizes_available[choice]
    block_group = np.repeat(np.arange(group_sizes.size), blocks_per_group)
    # One row of uniform keys per block, padding past the block's size with +inf so it sorts
    # last: a stable argsort along each row is a uniform permutation of that block's slots.
    widest = int(sizes_available.max())
    slot_in_row = np.arange(widest)[None, :]
    keys = rng.random((block_count, widest))
    keys[slot_in_row >= block_size[:, None]] = np.inf
    permutation = np.argsort(keys, axis=1, kind="stable")
    used = slot_in_row < block_size[:, None]
    slot_codes = pattern[permutation % pattern.size][used]
    slot_block = np.broadcast_to(np.arange(block_count)[:, None], keys.shape)[used]

    group_capacity = np.bincount(block_group, weights=block_size, minlength=group_sizes.size)
    group_slot_start = (np.cumsum(group_capacity) - group_capacity).astype(np.int64)
    group_first_block = np.cumsum(blocks_per_group) - blocks_per_group
    unit_group = np.repeat(np.arange(group_sizes.size), group_sizes)
    unit_position = np.arange(unit_group.size) - np.repeat(
        np.cumsum(group_sizes) - group_sizes, group_sizes
    )
    unit_slot = group_slot_start[unit_group] + unit_position
    unit_block = slot_block[unit_slot]
    return (
        slot_codes[unit_slot].astype(np.int64),
        (unit_block - group_first_block[unit_group] + 1).astype(np.int64),
        block_size[unit_block].astype(np.int64),
    )


def _group_order(
    canonical: pl.DataFrame, group_columns: Sequence[str], order_columns: Sequence[str]
) -> tuple[IntArray, IntArray]:
    """Order rows of an id-sorted frame by groups, then ``order_columns``, then id.

    Returns the row order (indices into ``canonical``) and the size of each group in that
    order. Groups sort by their values (nulls last), as a multi-column sort would, but through
    dense integer ranks and one stable ``np.lexsort``: ties keep id order because the frame is
    already sorted by id.
    """
    keys = [*group_columns, *order_columns]
    if not keys:
        return np.arange(canonical.height, dtype=np.int64), np.array(
            [canonical.height], dtype=np.int64
        )
    ranks = canonical.select(
        pl.col(column).rank("dense").fill_null(canonical.height + 1).cast(pl.Int64)
        for column in keys
    ).to_numpy()
    # lexsort takes its primary key last.
    order = np.lexsort(ranks[:, ::-1].T).astype(np.int64)
    if not group_columns:
        return order, np.array([canonical.height], dtype=np.int64)
    group_ranks = ranks[order][:, : len(group_columns)]
    starts = np.flatnonzero(np.r_[True, (np.diff(group_ranks, axis=0) != 0).any(axis=1)])
    sizes = np.diff(np.r_[starts, canonical.height]).astype(np.int64)
    return order, sizes


def _in_row_order(values: npt.NDArray[Any], order: IntArray) -> npt.NDArray[Any]:
    """Undo ``order``: the value computed for sorted position i belongs to row ``order[i]``."""
    result = np.empty_like(values)
    result[order] = values
    return result


def _finish(
    *,
    table: pl.DataFrame,
    units: pl.DataFrame,
    algorithm: str,
    seed: int,
    id_column: str,
    columns_used: Sequence[str],
    arms: tuple[str, ...],
    ratio: tuple[int, ...],
    parameters: dict[str, Any],
    schedule: pl.DataFrame | None = None,
    input_sha256: str | None = None,
    sorted_by_id: bool = False,
) -> Allocation:
    if not sorted_by_id:
        table = table.sort(id_column)
    record = AllocationRecord(
        algorithm=algorithm,
        algorithm_version=ALGORITHM_VERSION,
        seed=seed,
        bit_generator="PCG64",
        numpy_version=np.__version__,
        canonical_format=CANONICAL_FORMAT,
        input_sha256=input_sha256
        or canonical_input_sha256(units, id_column=id_column, columns=columns_used),
        allocation_sha256=_sha256_of_sorted(table.select(id_column, ARM_COLUMN)),
        id_column=id_column,
        columns_used=(id_column, *[column for column in columns_used if column != id_column]),
        unit_count=table.height,
        arms=arms,
        ratio=ratio,
        parameters=parameters,
    )
    return Allocation(table=table, record=record, schedule=schedule)


def _arm_labels(codes: IntArray, arms: tuple[str, ...]) -> pl.Series:
    return pl.Series(ARM_COLUMN, list(arms), dtype=pl.String).gather(codes)


# --------------------------------------------------------------------------------------------
# Public methods
# --------------------------------------------------------------------------------------------


def randomise_simple(
    units: Any,
    *,
    id_column: str,
    seed: int,
    arms: Sequence[str] = ("control", "intervention"),
    ratio: Sequence[int] = (1, 1),
) -> Allocation:
    """Complete randomisation with arm totals fixed by the ratio.

    Every set of arm labels with those totals is equally likely (a random permutation of the
    label list; Rosenberger & Lachin 2016, section 3.3, "random allocation rule"). When the
    ratio total does not divide the number of units, the leftover units take a random part of
    one more ratio pattern, so an arm of weight w is within w of its exact share. Inputs:
    ``units`` (Polars or Arrow), ``id_column`` (unique ids), ``seed`` (0 to 2**128 - 1),
    ``arms`` and whole-number ``ratio`` weights.
    """
    frame = _as_polars(units)
    _check_columns(frame, [id_column])
    _check_ids(frame, id_column)
    arm_names, weights = _check_arms(arms, ratio)
    seed = _check_seed(seed)
    ordered = frame.select(id_column).sort(id_column)
    codes = _complete_randomisation_codes(ordered.height, weights, _generator(seed))
    table = ordered.with_columns(_arm_labels(codes, arm_names))
    return _finish(
        table=table,
        units=frame,
        input_sha256=_sha256_of_sorted(ordered),
        sorted_by_id=True,
        algorithm="simple",
        seed=seed,
        id_column=id_column,
        columns_used=[id_column],
        arms=arm_names,
        ratio=weights,
        parameters={},
    )


def randomise_stratified(
    units: Any,
    *,
    id_column: str,
    strata_columns: Sequence[str],
    seed: int,
    arms: Sequence[str] = ("control", "intervention"),
    ratio: Sequence[int] = (1, 1),
    block_sizes: Sequence[int] | None = None,
    order_column: str | None = None,
) -> Allocation:
    """Permuted blocks within strata defined by one or more columns.

    Strata are the distinct combinations of ``strata_columns`` (a missing value is a level of
    its own). Within a stratum, units are taken in ``order_column`` order (for example the date
    of enrolment; id order when not given) and filled into blocks; each block holds the ratio
    pattern repeated to its size, in random order. With several ``block_sizes`` each block's
    size is drawn uniformly from them, so the next allocation is harder to guess. Block sizes
    must be multiples of the ratio total; the default is twice the ratio total. Every arm's
    count in a stratum is within one block size of its exact share. Sources: Matts & Lachin
    (1988); Kernan et al. (1999); Rosenberger & Lachin (2016), chapter 7.
    """
    frame = _as_polars(units)
    strata = list(strata_columns)
    order = [order_column] if order_column is not None and order_column != id_column else []
    _check_columns(frame, [id_column, *strata, *order])
    _check_ids(frame, id_column)
    arm_names, weights = _check_arms(arms, ratio)
    sizes = _check_block_sizes(block_sizes, weights)
    seed = _check_seed(seed)
    canonical = frame.select([id_column, *strata, *order]).sort(id_column)
    row_order, group_sizes = _group_order(canonical, strata, order)
    codes, block, block_size = _permuted_block_codes(group_sizes, sizes, weights, _generator(seed))
    stratum = np.repeat(np.arange(1, group_sizes.size + 1), group_sizes)
    table = canonical.with_columns(
        _arm_labels(_in_row_order(codes, row_order), arm_names),
        pl.Series("stratum", _in_row_order(stratum, row_order), dtype=pl.Int64),
        pl.Series("block", _in_row_order(block, row_order), dtype=pl.Int64),
        pl.Series("block_size", _in_row_order(block_size, row_order), dtype=pl.Int64),
    )
    return _finish(
        table=table,
        units=frame,
        input_sha256=_sha256_of_sorted(canonical),
        sorted_by_id=True,
        algorithm="stratified-permuted-blocks" if strata else "permuted-blocks",
        seed=seed,
        id_column=id_column,
        columns_used=[id_column, *strata, *order],
        arms=arm_names,
        ratio=weights,
        parameters={
            "strata_columns": strata,
            "block_sizes": list(sizes),
            "order_column": order_column,
        },
    )


def randomise_permuted_blocks(
    units: Any,
    *,
    id_column: str,
    seed: int,
    arms: Sequence[str] = ("control", "intervention"),
    ratio: Sequence[int] = (1, 1),
    block_sizes: Sequence[int] | None = None,
    order_column: str | None = None,
) -> Allocation:
    """Permuted blocks over all units (one stratum); see :func:`randomise_stratified`.

    Units are filled into blocks in ``order_column`` order (id order when not given); every
    arm's count is within one block size of its exact share, and exact when the number of units
    is a multiple of the block size. Source: Matts & Lachin (1988).
    """
    return randomise_stratified(
        units,
        id_column=id_column,
        strata_columns=(),
        seed=seed,
        arms=arms,
        ratio=ratio,
        block_sizes=block_sizes,
        order_column=order_column,
    )


def _cluster_table(
    frame: pl.DataFrame, cluster_column: str, constant_columns: Sequence[str]
) -> pl.DataFrame:
    """One row per cluster; ``constant_columns`` must not vary within a cluster."""
    if frame.get_column(cluster_column).null_count():
        raise RandomisationError(f"some units have no cluster in column {cluster_column!r}")
    clusters = frame.select([cluster_column, *constant_columns]).unique()
    if clusters.height != frame.get_column(cluster_column).n_unique():
        raise RandomisationError(
            f"{', '.join(constant_columns)} must be the same for every unit of a cluster"
        )
    return clusters


def randomise_clusters(
    units: Any,
    *,
    id_column: str,
    cluster_column: str,
    seed: int,
    arms: Sequence[str] = ("control", "intervention"),
    ratio: Sequence[int] = (1, 1),
    strata_columns: Sequence[str] = (),
    block_sizes: Sequence[int] | None = None,
) -> Allocation:
    """Randomise whole clusters; every unit inherits its cluster's arm.

    Clusters (sorted by cluster id) are allocated by :func:`randomise_simple`'s rule with
    totals fixed by the ratio, or, when ``strata_columns`` are given (cluster-level
    characteristics that must be constant within a cluster), by permuted blocks of clusters
    within strata. Counts of clusters per arm follow the ratio; counts of units follow the
    cluster sizes. Source: Hayes & Moulton (2017), chapter 6.
    """
    frame = _as_polars(units)
    strata = list(strata_columns)
    _check_columns(frame, [id_column, cluster_column, *strata])
    _check_ids(frame, id_column)
    arm_names, weights = _check_arms(arms, ratio)
    seed = _check_seed(seed)
    clusters = _cluster_table(frame, cluster_column, strata)
    rng = _generator(seed)
    if strata:
        sizes = _check_block_sizes(block_sizes, weights)
        ordered = clusters.sort(cluster_column)
        row_order, group_sizes = _group_order(ordered, strata, [])
        sorted_codes, _, _ = _permuted_block_codes(group_sizes, sizes, weights, rng)
        codes = _in_row_order(sorted_codes, row_order)
        parameters: dict[str, Any] = {
            "cluster_column": cluster_column,
            "strata_columns": strata,
            "block_sizes": list(sizes),
        }
    else:
        ordered = clusters.sort(cluster_column)
        codes = _complete_randomisation_codes(ordered.height, weights, rng)
        parameters = {"cluster_column": cluster_column, "strata_columns": [], "block_sizes": None}
    cluster_arms = ordered.select(cluster_column).with_columns(_arm_labels(codes, arm_names))
    table = frame.select(id_column, cluster_column).join(
        cluster_arms, on=cluster_column, how="left"
    )
    return _finish(
        table=table,
        units=frame,
        algorithm="cluster",
        seed=seed,
        id_column=id_column,
        columns_used=[id_column, cluster_column, *strata],
        arms=arm_names,
        ratio=weights,
        parameters=parameters,
    )


def randomise_stepped_wedge(
    units: Any,
    *,
    id_column: str,
    number_of_periods: int,
    seed: int,
    cluster_column: str | None = None,
    number_of_sequences: int | None = None,
) -> Allocation:
    """A stepped-wedge schedule: clusters randomly ordered into sequences that cross over in turn.

    Period 1 is a baseline with every cluster in control. ``number_of_sequences`` (default
    ``periods - 1``) groups of clusters then cross over one after another, each
    ``(periods - 1) / sequences`` periods after the last, and stay treated to the end.
    Clusters are put in a random order and filled into sequences of sizes as equal as possible
    (the earliest sequences take one extra when the clusters do not divide evenly). Give a table
    of clusters (``id_column`` is the cluster id) or of units with ``cluster_column``; units
    inherit their cluster's sequence. The ``arm`` column is the sequence's name ("sequence 1",
    ...); ``schedule`` lists every cluster-period with ``treated`` 0/1. Sources: Hussey & Hughes
    (2007), Contemporary Clinical Trials 28:182; Hemming et al. (2015), BMJ 350:h391.
    """
    frame = _as_polars(units)
    cluster_key = cluster_column or id_column
    _check_columns(frame, [id_column, cluster_key] if cluster_column else [id_column])
    _check_ids(frame, id_column)
    seed = _check_seed(seed)
    sequences = number_of_periods - 1 if number_of_sequences is None else number_of_sequences
    if number_of_periods < 2 or sequences < 1:
        raise RandomisationError("a stepped wedge needs at least two periods and one sequence")
    if (number_of_periods - 1) % sequences:
        raise RandomisationError(
            f"the {number_of_periods - 1} periods after baseline must divide evenly among "
            f"{sequences} sequences"
        )
    step_length = (number_of_periods - 1) // sequences
    clusters = (
        _cluster_table(frame, cluster_key, []) if cluster_column else frame.select(id_column)
    ).sort(cluster_key)
    if clusters.height < sequences:
        raise RandomisationError(
            f"{clusters.height} clusters cannot fill {sequences} sequences; use fewer sequences"
        )
    sequence_sizes = np.full(sequences, clusters.height // sequences, dtype=np.int64)
    sequence_sizes[: clusters.height % sequences] += 1
    random_order = np.argsort(_generator(seed).random(clusters.height), kind="stable")
    sequence_of_cluster = np.empty(clusters.height, dtype=np.int64)
    sequence_of_cluster[random_order] = np.repeat(np.arange(1, sequences + 1), sequence_sizes)
    first_treated = 1 + (sequence_of_cluster - 1) * step_length + 1
    names = np.asarray([f"sequence {number}" for number in range(1, sequences + 1)], dtype=object)
    cluster_plan = clusters.with_columns(
        pl.Series(ARM_COLUMN, names[sequence_of_cluster - 1], dtype=pl.String),
        pl.Series("sequence", sequence_of_cluster, dtype=pl.Int64),
        pl.Series("first_treated_period", first_treated, dtype=pl.Int64),
    )
    periods = np.arange(1, number_of_periods + 1)
    schedule = pl.DataFrame(
        {
            cluster_key: np.repeat(
                cluster_plan.get_column(cluster_key).to_numpy(), number_of_periods
            ),
            "period": np.tile(periods, clusters.height),
            "treated": (periods[None, :] >= first_treated[:, None]).astype(np.int8).ravel(),
        },
        schema_overrides={cluster_key: cluster_plan.schema[cluster_key]},
    )
    if cluster_column:
        table = frame.select(id_column, cluster_column).join(
            cluster_plan, on=cluster_column, how="left"
        )
    else:
        table = cluster_plan
    return _finish(
        table=table,
        units=frame,
        algorithm="stepped-wedge",
        seed=seed,
        id_column=id_column,
        columns_used=[id_column, cluster_key],
        arms=tuple(str(name) for name in names),
        ratio=tuple(int(size) for size in sequence_sizes),
        parameters={
            "cluster_column": cluster_column,
            "number_of_periods": number_of_periods,
            "number_of_sequences": sequences,
        },
        schedule=schedule,
    )


def stepped_wedge_design_matrix(allocation: Allocation) -> npt.NDArray[np.int8]:
    """The clusters x periods 0/1 matrix of a stepped-wedge allocation (clusters sorted by id).

    The same layout as :func:`infuse.adaption.power.hussey_hughes_variance` expects.
    """
    if allocation.schedule is None:
        raise RandomisationError("this allocation is not a stepped-wedge schedule")
    cluster_key = allocation.schedule.columns[0]
    ordered = allocation.schedule.sort([cluster_key, "period"])
    periods = int(ordered.get_column("period").max())  # type: ignore[arg-type]
    return ordered.get_column("treated").to_numpy().astype(np.int8).reshape(-1, periods)


def verify_allocation(units: Any, allocation: Allocation) -> bool:
    """Re-run the recorded algorithm on ``units`` and check both fingerprints match.

    True when the canonical input has the recorded SHA-256, the allocation table has the
    recorded allocation SHA-256, and re-running gives that same allocation (which needs the
    algorithm version to be this module's).
    """
    record = allocation.record
    if record.algorithm_version != ALGORITHM_VERSION:
        return False
    if _allocation_sha256(allocation.table, record.id_column) != record.allocation_sha256:
        return False
    settings = record.parameters
    rerun: Allocation
    if record.algorithm == "simple":
        rerun = randomise_simple(
            units,
            id_column=record.id_column,
            seed=record.seed,
            arms=record.arms,
            ratio=record.ratio,
        )
    elif record.algorithm in ("permuted-blocks", "stratified-permuted-blocks"):
        rerun = randomise_stratified(
            units,
            id_column=record.id_column,
            strata_columns=settings["strata_columns"],
            seed=record.seed,
            arms=record.arms,
            ratio=record.ratio,
            block_sizes=settings["block_sizes"],
            order_column=settings["order_column"],
        )
    elif record.algorithm == "cluster":
        rerun = randomise_clusters(
            units,
            id_column=record.id_column,
            cluster_column=settings["cluster_column"],
            seed=record.seed,
            arms=record.arms,
            ratio=record.ratio,
            strata_columns=settings["strata_columns"],
            block_sizes=settings["block_sizes"],
        )
    elif record.algorithm == "stepped-wedge":
        rerun = randomise_stepped_wedge(
            units,
            id_column=record.id_column,
            number_of_periods=settings["number_of_periods"],
            seed=record.seed,
            cluster_column=settings["cluster_column"],
            number_of_sequences=settings["number_of_sequences"],
        )
    else:
        return False
    return (
        rerun.record.input_sha256 == record.input_sha256
        and rerun.record.allocation_sha256 == record.allocation_sha256
    )


# --------------------------------------------------------------------------------------------
# Baseline balance
# --------------------------------------------------------------------------------------------

BALANCE_COLUMNS = (
    "covariate",
    "kind",
    "level",
    ARM_COLUMN,
    "count",
    "missing",
    "mean",
    "sd",
    "proportion",
    "standardised_difference",
)


def _is_numeric(dtype: pl.DataType) -> bool:
    return dtype.is_numeric() and dtype != pl.Boolean


def balance_table(
    allocated: Any,
    *,
    covariates: Sequence[str],
    arm_column: str = ARM_COLUMN,
    reference_arm: str | None = None,
    categorical_covariates: Sequence[str] = (),
) -> pl.DataFrame:
    """Baseline balance by arm: means and SDs, or level proportions, and standardised differences.

    Input: one row per unit with its arm (for example the allocation table joined to the units)
    and the baseline ``covariates``. Numeric columns are summarised by count, missing, mean and
    SD; text, categorical and boolean columns (and any named in ``categorical_covariates``) by
    the proportion of each level among non-missing values. ``standardised_difference`` compares
    each arm with ``reference_arm`` (default: the first arm in sorted order):
    ``(mean_a - mean_r) / sqrt((sd_a^2 + sd_r^2) / 2)`` for numeric covariates and
    ``(p_a - p_r) / sqrt((p_a(1-p_a) + p_r(1-p_r)) / 2)`` for each level (Austin 2009, eqs 1-2);
    it is empty for the reference arm and where both variances are zero but means differ.
    Output: a long table with columns :data:`BALANCE_COLUMNS` (``arm`` is ``arm_column``).
    """
    frame = _as_polars(allocated)
    _check_columns(frame, [arm_column, *covariates])
    arms_present = sorted(str(arm) for arm in frame.get_column(arm_column).unique().drop_nulls())
    reference = reference_arm if reference_arm is not None else arms_present[0]
    if reference not in arms_present:
        raise RandomisationError(f"reference arm {reference!r} has no units")
    frame = frame.with_columns(pl.col(arm_column).cast(pl.String).alias(ARM_COLUMN))
    forced_categorical = set(categorical_covariates)
    pieces: list[pl.DataFrame] = []
    for covariate in covariates:
        # A loop over the few covariate columns; each summary is one grouped Polars query.
        value = pl.col(covariate)
        if _is_numeric(frame.schema[covariate]) and covariate not in forced_categorical:
            summary = frame.group_by(ARM_COLUMN).agg(
                value.count().alias("count"),
                value.null_count().alias("missing"),
                value.cast(pl.Float64).mean().alias("mean"),
                value.cast(pl.Float64).std(ddof=1).alias("sd"),
            )
            reference_row = summary.filter(pl.col(ARM_COLUMN) == reference)
            reference_mean = reference_row.get_column("mean")[0]
            reference_sd = reference_row.get_column("sd")[0]
            summary = summary.with_columns(
                pl.lit("numeric").alias("kind"),
                pl.lit(None, dtype=pl.String).alias("level"),
                pl.lit(None, dtype=pl.Float64).alias("proportion"),
                _standardised_difference(
                    pl.col("mean") - pl.lit(reference_mean, dtype=pl.Float64),
                    (pl.col("sd") ** 2 + pl.lit(reference_sd, dtype=pl.Float64) ** 2) / 2,
                ).alias("standardised_difference"),
            )
        else:
            arm_totals = frame.group_by(ARM_COLUMN).agg(
                value.count().alias("count"), value.null_count().alias("missing")
            )
            levels = frame.select(value.cast(pl.String).drop_nulls().unique().sort()).to_series()
            grid = arm_totals.join(pl.DataFrame({"level": levels}), how="cross")
            level_counts = (
                frame.filter(value.is_not_null())
                .group_by(ARM_COLUMN, value.cast(pl.String).alias("level"))
                .len()
            )
            summary = (
                grid.join(level_counts, on=[ARM_COLUMN, "level"], how="left")
                .with_columns((pl.col("len").fill_null(0) / pl.col("count")).alias("proportion"))
                .drop("len")
            )
            reference_levels = summary.filter(pl.col(ARM_COLUMN) == reference).select(
                "level", pl.col("proportion").alias("reference_proportion")
            )
            summary = summary.join(reference_levels, on="level", how="left").with_columns(
                pl.lit("categorical").alias("kind"),
                pl.lit(None, dtype=pl.Float64).alias("mean"),
                pl.lit(None, dtype=pl.Float64).alias("sd"),
                _standardised_difference(
                    pl.col("proportion") - pl.col("reference_proportion"),
                    (
                        pl.col("proportion") * (1 - pl.col("proportion"))
                        + pl.col("reference_proportion") * (1 - pl.col("reference_proportion"))
                    )
                    / 2,
                ).alias("standardised_difference"),
            )
        summary = summary.with_columns(
            pl.lit(covariate).alias("covariate"),
            pl.when(pl.col(ARM_COLUMN) == reference)
            .then(None)
            .otherwise(pl.col("standardised_difference"))
            .alias("standardised_difference"),
        )
        pieces.append(
            summary.select(
                pl.col("covariate"),
                pl.col("kind"),
                pl.col("level"),
                pl.col(ARM_COLUMN),
                pl.col("count").cast(pl.Int64),
                pl.col("missing").cast(pl.Int64),
                pl.col("mean").cast(pl.Float64),
                pl.col("sd").cast(pl.Float64),
                pl.col("proportion").cast(pl.Float64),
                pl.col("standardised_difference").cast(pl.Float64),
            ).sort(["level", ARM_COLUMN], nulls_last=True)
        )
    if not pieces:
        return pl.DataFrame(schema=dict.fromkeys(BALANCE_COLUMNS, pl.String))
    result = pl.concat(pieces, how="vertical")
    return result.rename({ARM_COLUMN: arm_column}) if arm_column != ARM_COLUMN else result


def _standardised_difference(difference: pl.Expr, pooled_variance: pl.Expr) -> pl.Expr:
    """Difference / sqrt(pooled variance); 0 when both are 0, empty when only the variance is."""
    return (
        pl.when(pooled_variance > 0)
        .then(difference / pooled_variance.sqrt())
        .when(difference == 0)
        .then(0.0)
        .otherwise(None)
    )
