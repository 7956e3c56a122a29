"""From an uploaded list of units to an allocation: reading, checking, and choosing the method.

Pure computation (no Django). The page, ``infuse randomise`` and the API all call
:func:`read_units` on the file's bytes and :func:`allocate` with an :class:`AllocationPlan`;
the randomisation itself is :mod:`infuse.adaption.randomisation`. Every check a person can fail
(a missing column, a repeated id, periods that do not divide) is made here first, with a
translatable :class:`~infuse.adaption.messages.Message`, so the engine's own English errors are
a last resort.

Files are read by the same reader as spend ledgers (CSV in any encoding and delimiter, XLSX,
ODS), so a units list saved from Excel in Windows-1252 works as well as a clean UTF-8 one.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from infuse.procurement.ledger_messages import LedgerFileError, Problem
from infuse.procurement.ledger_reading import read_ledger_source

from . import randomisation as rz
from .messages import AdaptionInputError, Message, gettext_noop

#: The most units one list may hold (a million-unit list randomises in about a second).
MAX_UNITS = 2_000_000
MAX_FILE_BYTES = 200 * 1024 * 1024
#: Columns tried, in order, as the unit id when none is named.
ID_COLUMN_NAMES = ("id", "unit_id", "unit", "person_id", "household_id", "reference", "ref")
#: Covariates with more levels than this are left out of the default balance table.
MAX_BALANCE_LEVELS = 20

DESIGNS = ("simple", "blocked", "stratified", "cluster", "stepped-wedge")


class UnitsError(AdaptionInputError):
    """A units list or allocation request that cannot be used, with the reason."""


def _error(template: str, **params: str | int) -> UnitsError:
    return UnitsError(Message(template, params))


@dataclass(frozen=True)
class UnitsTable:
    """The units as a table: text columns made numeric where every value is a number."""

    frame: pl.DataFrame
    id_column: str
    sha256: str
    notes: tuple[Problem, ...] = ()

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)


def read_table(data: bytes) -> tuple[pl.DataFrame, tuple[Problem, ...]]:
    """A table file as text columns named by its first non-empty row (numbers made numeric)."""
    try:
        tables = read_ledger_source(data, max_bytes=MAX_FILE_BYTES)
    except LedgerFileError as error:
        raise UnitsError(Message(error.problem.template, error.problem.params)) from error
    raw = tables[0]
    records = raw.records.select(raw.field_names)
    non_empty = records.filter(~pl.all_horizontal(pl.all().is_null()))
    if non_empty.height < 2:
        raise _error(gettext_noop("The file needs a header row and at least one unit."))
    header = [str(cell).strip() if cell is not None else "" for cell in non_empty.row(0)]
    while header and not header[-1]:
        header.pop()
    if not header or any(not name for name in header):
        raise _error(gettext_noop("Every column needs a name in the first row."))
    lowered = [name.lower() for name in header]
    repeated = sorted({name for name in header if lowered.count(name.lower()) > 1})
    if repeated:
        raise _error(
            gettext_noop("Column names must differ; these appear twice: %(columns)s."),
            columns=", ".join(repeated),
        )
    body = non_empty.slice(1).select(non_empty.columns[: len(header)])
    frame = body.rename(dict(zip(body.columns, header, strict=True)))
    if frame.height > MAX_UNITS:
        raise _error(
            gettext_noop("The list has %(count)s units; the most Infuse randomises is %(limit)s."),
            count=f"{frame.height:,}",
            limit=f"{MAX_UNITS:,}",
        )
    frame = frame.with_columns(pl.col(name).str.strip_chars() for name in header)
    return frame, tuple(raw.notes)


def read_units(data: bytes, *, id_column: str | None = None) -> UnitsTable:
    """Read a units file: the first non-empty row is the header, each later row a unit.

    The id column is ``id_column`` when given, else the first of :data:`ID_COLUMN_NAMES`
    present (case-insensitive), else the first column. Ids must be present and unique.
    """
    frame, notes = read_table(data)
    header = frame.columns
    chosen = _id_column(header, id_column)
    ids = frame.get_column(chosen)
    missing = frame.with_row_index("row", offset=2).filter(pl.col(chosen).is_null())
    if missing.height:
        raise _error(
            gettext_noop("Row %(row)s has no %(column)s; every unit needs an id."),
            row=int(missing.get_column("row")[0]),
            column=chosen,
        )
    duplicated = ids.filter(ids.is_duplicated()).unique().sort()
    if duplicated.len():
        raise _error(
            gettext_noop("These ids appear more than once in %(column)s: %(ids)s."),
            column=chosen,
            ids=", ".join(duplicated.head(5).to_list()),
        )
    frame = _numbers_where_numeric(frame, keep_text={chosen})
    return UnitsTable(frame, chosen, hashlib.sha256(data).hexdigest(), notes)


def _id_column(header: Sequence[str], requested: str | None) -> str:
    if requested:
        for name in header:
            if name.lower() == requested.strip().lower():
                return name
        raise _error(
            gettext_noop("There is no column called “%(column)s”. The columns are: %(columns)s."),
            column=requested[:60],
            columns=", ".join(header),
        )
    by_lower = {name.lower(): name for name in header}
    for candidate in ID_COLUMN_NAMES:
        if candidate in by_lower:
            return by_lower[candidate]
    return header[0]


def _numbers_where_numeric(frame: pl.DataFrame, *, keep_text: set[str]) -> pl.DataFrame:
    """Columns whose every present value is a number become Float64 (for balance tables)."""
    changes = []
    for name in frame.columns:
        if name in keep_text:
            continue
        column = frame.get_column(name)
        as_number = column.str.replace_all(",", "").cast(pl.Float64, strict=False)
        if column.null_count() < frame.height and as_number.null_count() == column.null_count():
            changes.append(as_number.alias(name))
    return frame.with_columns(changes) if changes else frame


@dataclass(frozen=True)
class AllocationPlan:
    """How to allocate: ``design`` is one of :data:`DESIGNS`."""

    design: str
    arms: tuple[str, ...] = ("control", "intervention")
    ratio: tuple[int, ...] = ()
    strata_columns: tuple[str, ...] = ()
    cluster_column: str | None = None
    block_sizes: tuple[int, ...] = ()
    periods: int | None = None
    sequences: int | None = None
    balance_columns: tuple[str, ...] | None = None
    parameters: dict[str, Any] = field(default_factory=dict)

    def ratio_or_equal(self) -> tuple[int, ...]:
        return self.ratio or tuple(1 for _ in self.arms)


def _column(units: UnitsTable, name: str) -> str:
    return _named(units.columns, name)


def _named(columns: list[str], name: str) -> str:
    """The column called ``name``, matched without regard to case."""
    for column in columns:
        if column.lower() == name.strip().lower():
            return column
    raise _error(
        gettext_noop("There is no column called “%(column)s”. The columns are: %(columns)s."),
        column=name[:60],
        columns=", ".join(columns),
    )


def _as_numbers(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """``column`` made numeric; the first value that is not a number is refused with its row,
    counted as in a spreadsheet (header = row 1). Blank stays missing."""
    if frame.schema[column] == pl.Float64:
        return frame
    values = frame.get_column(column).cast(pl.String)
    as_number = values.str.replace_all(",", "").cast(pl.Float64, strict=False)
    bad = (as_number.is_null() & values.is_not_null() & (values.str.strip_chars() != "")).arg_true()
    if bad.len():
        row = int(bad[0])
        raise _error(
            gettext_noop("Row %(row)s: “%(value)s” in %(column)s is not a number."),
            row=row + 2,
            value=str(values[row])[:40],
            column=column,
        )
    return frame.with_columns(as_number.alias(column))


def _check_plan(units: UnitsTable, plan: AllocationPlan) -> None:
    if plan.design not in DESIGNS:
        raise _error(
            gettext_noop(
                "There is no randomisation design called “%(design)s”. Choose one of %(designs)s."
            ),
            design=plan.design[:40],
            designs=", ".join(DESIGNS),
        )
    if plan.design != "stepped-wedge":
        if len(plan.arms) < 2 or len(set(plan.arms)) != len(plan.arms):
            raise _error(gettext_noop("Give at least two arms, each with its own name."))
        ratio = plan.ratio_or_equal()
        if len(ratio) != len(plan.arms) or any(part < 1 for part in ratio):
            raise _error(
                gettext_noop(
                    "Give one whole-number ratio of 1 or more for each of the %(arms)s arms."
                ),
                arms=len(plan.arms),
            )
        for size in plan.block_sizes:
            if size < 1 or size % sum(ratio):
                raise _error(
                    gettext_noop(
                        "Block size %(size)s is not a multiple of the ratio's total %(total)s."
                    ),
                    size=size,
                    total=sum(ratio),
                )
    if plan.design == "stratified" and not plan.strata_columns:
        raise _error(gettext_noop("A stratified design needs at least one column to stratify by."))
    if plan.design == "cluster" and not plan.cluster_column:
        raise _error(
            gettext_noop("A cluster design needs the column that names each unit's cluster.")
        )
    if plan.design == "stepped-wedge":
        periods = plan.periods or 0
        sequences = plan.sequences or periods - 1
        if periods < 2 or sequences < 1:
            raise _error(gettext_noop("A stepped-wedge schedule needs at least 2 periods."))
        if (periods - 1) % sequences:
            raise _error(
                gettext_noop(
                    "The %(steps)s periods after the first must divide evenly among "
                    "%(sequences)s sequences."
                ),
                steps=periods - 1,
                sequences=sequences,
            )
        key = _column(units, plan.cluster_column) if plan.cluster_column else units.id_column
        clusters = units.frame.get_column(key).n_unique()
        if clusters < sequences:
            raise _error(
                gettext_noop(
                    "%(clusters)s clusters cannot fill %(sequences)s sequences; use "
                    "fewer sequences or more clusters."
                ),
                clusters=clusters,
                sequences=sequences,
            )
    if plan.design == "cluster" and plan.cluster_column:
        clusters = units.frame.get_column(_column(units, plan.cluster_column)).n_unique()
        if clusters < len(plan.arms):
            raise _error(
                gettext_noop("%(clusters)s clusters cannot be shared among %(arms)s arms."),
                clusters=clusters,
                arms=len(plan.arms),
            )


def default_balance_columns(units: UnitsTable, plan: AllocationPlan) -> tuple[str, ...]:
    """Baseline columns worth a balance check: numbers, and text with few levels."""
    skip = {units.id_column.lower()}
    if plan.cluster_column:
        skip.add(plan.cluster_column.lower())
    chosen = []
    for name in units.columns:
        if name.lower() in skip:
            continue
        dtype = units.frame.schema[name]
        if dtype == pl.Float64 or units.frame.get_column(name).n_unique() <= MAX_BALANCE_LEVELS:
            chosen.append(name)
    return tuple(chosen[:12])


def read_outcomes(
    data: bytes, *, id_column: str, outcome_column: str
) -> tuple[pl.DataFrame, str, str]:
    """An outcome file (one row per unit), its id column and its outcome column, as named in
    the file (the names given are matched without regard to case).

    The outcome must be a number wherever it is given (blank is a missing outcome); the first
    value that is not is refused with its row, counted as in a spreadsheet (header = row 1).
    """
    units = read_units(data, id_column=id_column)
    column = _column(units, outcome_column)
    return _as_numbers(units.frame, column), units.id_column, column


def read_panel_outcomes(
    data: bytes, *, cluster_column: str, period_column: str, outcome_column: str
) -> tuple[pl.DataFrame, str, str, str]:
    """A stepped-wedge outcome file: any number of rows per cluster and period (people, or one
    summary each), with the cluster, period and outcome columns as named in the file. Period
    and outcome must be numbers; the first that is not is refused with its row."""
    frame, _notes = read_table(data)
    columns = list(frame.columns)
    cluster = _named(columns, cluster_column)
    period = _named(columns, period_column)
    outcome = _named(columns, outcome_column)
    if frame.get_column(period).null_count():
        row = int(frame.get_column(period).is_null().arg_true()[0])
        raise _error(
            gettext_noop("Row %(row)s has no period in %(column)s."), row=row + 2, column=period
        )
    frame = _as_numbers(_as_numbers(frame, period), outcome)
    return frame, cluster, period, outcome


@dataclass(frozen=True)
class AllocationOutcome:
    allocation: rz.Allocation
    balance: pl.DataFrame
    balance_columns: tuple[str, ...]


def allocate(units: UnitsTable, plan: AllocationPlan, *, seed: int) -> AllocationOutcome:
    """Randomise ``units`` as ``plan`` says with ``seed``, and tabulate baseline balance."""
    _check_plan(units, plan)
    if plan.cluster_column and _column(units, plan.cluster_column) == units.id_column:
        # Each row is itself a cluster (a list of wards, say): randomise the rows directly.
        plan = dataclasses.replace(
            plan,
            design="simple" if plan.design == "cluster" else plan.design,
            cluster_column=None,
        )
    if not 0 <= seed < 2**63:
        raise _error(gettext_noop("The seed must be a whole number from 0 upwards."))
    ratio = plan.ratio_or_equal()
    block_sizes = plan.block_sizes or None
    frame = units.frame
    common: dict[str, Any] = {"id_column": units.id_column, "seed": seed}
    try:
        if plan.design == "simple":
            allocation = rz.randomise_simple(frame, arms=plan.arms, ratio=ratio, **common)
        elif plan.design == "blocked":
            allocation = rz.randomise_permuted_blocks(
                frame, arms=plan.arms, ratio=ratio, block_sizes=block_sizes, **common
            )
        elif plan.design == "stratified":
            allocation = rz.randomise_stratified(
                frame,
                strata_columns=[_column(units, name) for name in plan.strata_columns],
                arms=plan.arms,
                ratio=ratio,
                block_sizes=block_sizes,
                **common,
            )
        elif plan.design == "cluster":
            allocation = rz.randomise_clusters(
                frame,
                cluster_column=_column(units, plan.cluster_column or ""),
                strata_columns=[_column(units, name) for name in plan.strata_columns],
                arms=plan.arms,
                ratio=ratio,
                block_sizes=block_sizes,
                **common,
            )
        else:
            allocation = rz.randomise_stepped_wedge(
                frame,
                number_of_periods=plan.periods or 0,
                number_of_sequences=plan.sequences,
                cluster_column=_column(units, plan.cluster_column) if plan.cluster_column else None,
                **common,
            )
    except rz.RandomisationError as error:
        raise _error(
            gettext_noop("These units cannot be allocated this way: %(detail)s."),
            detail=str(error),
        ) from error
    balance_columns = (
        tuple(_column(units, name) for name in plan.balance_columns)
        if plan.balance_columns is not None
        else default_balance_columns(units, plan)
    )
    balance = pl.DataFrame()
    if balance_columns:
        joined = allocation.table.select(units.id_column, rz.ARM_COLUMN).join(
            frame.select(units.id_column, *balance_columns), on=units.id_column, how="left"
        )
        balance = rz.balance_table(joined, covariates=list(balance_columns))
    return AllocationOutcome(allocation, balance, balance_columns)


def allocation_csv(outcome: AllocationOutcome) -> bytes:
    """The allocation table as UTF-8 CSV (with a BOM so Excel reads Welsh letters)."""
    return b"\xef\xbb\xbf" + outcome.allocation.table.write_csv().encode("utf-8")
