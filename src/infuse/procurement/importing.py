"""The spend-ledger import engine: a published spend file in, one canonical table out.

Pure computation (no Django, no database), so the service layer, the ``infuse`` command line, a
notebook and a test can all call it. Two entry points:

:func:`inspect_ledger`
    Reads a file and proposes what each column holds (a :class:`MappingProposal`, with a
    confidence per role and an ``uncertain`` flag), with a preview of the first rows, for the
    mapping form.
:func:`import_ledger`
    Reads, maps (the guess, or an explicit mapping from the person or remembered for the body,
    which overrides it) and normalises every row into :data:`CANONICAL_SCHEMA`, returning the
    rows as a PyArrow table, every rejected row with its line and reason, a summary, and hashes
    for idempotent imports.

Inputs: the file's bytes or path: CSV in any common encoding (UTF-8 with or without BOM, a
garbled ``ï»¿`` BOM, Windows-1252/Latin-1, UTF-16), XLSX, ODS or XLS, optionally gzipped; title
lines before the headings, blank leading columns and unnamed trailing fields are handled (see
:mod:`.ledger_reading` and :mod:`.ledger_columns`; values are read by :mod:`.ledger_values`).

A file that is a summary or pivot table (one line per supplier, a ``Grand Total`` line, no
dates or transaction numbers, like Lambeth's ``2011-02-payments-summary.csv``) is rejected as a
whole: its totals are not payments.

Messages: every message for a person is a :class:`~.ledger_messages.Problem` (a code, an English
template with ``%(name)s`` placeholders and its parameters) so the Django layer can translate the
template; failures that stop an import raise :class:`LedgerFileError` (or its subclass
:class:`LedgerMappingNeeded`), never a library's own exception.

Performance: the CSV is parsed by Polars' native reader and every value is read by vectorised
Polars expressions over whole columns (no Python loop over rows); only the first rows are
looked at in Python, to find the headings and profile the columns.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TypeVar, overload

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from .ledger_columns import (
    PROFILE_ROWS,
    REQUIRED_ROLES,
    ROLE_LABELS,
    ROLES,
    ColumnProfile,
    ColumnReference,
    MappingProposal,
    RoleGuess,
    SourceColumn,
    heading_role_scores,
    locate_heading_row,
    profile_column,
    propose_mapping,
    resolve_explicit_mapping,
)
from .ledger_messages import LedgerFileError, Problem, message
from .ledger_reading import (
    DEFAULT_MAX_BYTES,
    LINE_NUMBER,
    RawLedger,
    field_name,
    read_ledger_source,
)
from .ledger_values import (
    AMOUNT_DTYPE,
    AMOUNT_PROBLEMS,
    capital_or_revenue,
    clean_text,
    clean_texts,
    company_number,
    identifier,
    is_blank,
    name_flags,
    parse_amounts,
    parse_dates,
    postcode,
    vat_number,
)

_Result = TypeVar("_Result")

__all__ = [
    "CANONICAL_SCHEMA",
    "REQUIRED_ROLES",
    "ROLES",
    "ROLE_LABELS",
    "ColumnReference",
    "ImportSummary",
    "LedgerFileError",
    "LedgerImport",
    "LedgerInspection",
    "LedgerMappingNeeded",
    "LedgerNothingImported",
    "LedgerStructure",
    "MappingProposal",
    "PreviewRow",
    "Problem",
    "RejectedRow",
    "RejectedRows",
    "RoleGuess",
    "SourceColumn",
    "import_ledger",
    "inspect_ledger",
]

AMOUNT_ARROW_TYPE = pa.decimal128(18, 2)

CANONICAL_SCHEMA = pa.schema(
    [
        pa.field("line_number", pa.int64(), nullable=False),
        pa.field("payment_date", pa.date32()),
        pa.field("period_only", pa.bool_(), nullable=False),
        pa.field("supplier_name", pa.large_string()),
        pa.field("supplier_name_raw", pa.large_string()),
        pa.field("supplier_id", pa.large_string()),
        pa.field("company_number", pa.large_string()),
        pa.field("vat_number", pa.large_string()),
        pa.field("amount_gbp", AMOUNT_ARROW_TYPE, nullable=False),
        pa.field("vat_gbp", AMOUNT_ARROW_TYPE),
        pa.field("department", pa.large_string()),
        pa.field("expense_type", pa.large_string()),
        pa.field("category_code", pa.large_string()),
        pa.field("category_label", pa.large_string()),
        pa.field("transaction_ref", pa.large_string()),
        pa.field("invoice_ref", pa.large_string()),
        pa.field("description", pa.large_string()),
        pa.field("postcode", pa.large_string()),
        pa.field("capital_or_revenue", pa.large_string()),
        pa.field("is_redacted", pa.bool_(), nullable=False),
        pa.field("is_personal", pa.bool_(), nullable=False),
    ]
)
"""One row per imported payment line, whatever the publisher's layout.

* ``line_number``: the line of the source file where the row starts, 1-based, as a text editor
  numbers lines (for a spreadsheet, the row number it shows); rejected rows are numbered the
  same way, so every source line is accounted for.
* ``payment_date``: the date paid; null when the file gives none or only a time of day (Oxford
  2014's ``00:00:00``). ``period_only``: the file gave only a month (``202205``), so the date is
  the first day of that month.
* ``supplier_name``: trimmed, whitespace collapsed, encoding accidents repaired; null when the
  name was redacted. ``supplier_name_raw``: the cell exactly as read (untrimmed).
* ``supplier_id`` (the body's own supplier reference), ``company_number`` (Companies House, 8
  characters), ``vat_number`` (``GB`` + digits): as published, lightly normalised.
* ``amount_gbp``: pounds, exact to the penny, negative for credit notes and refunds. It is
  ``decimal128(18, 2)`` rather than a float: sums are exact (a 9,393-line ledger totals to the
  penny of the publisher's own total line), and Parquet and DuckDB store it natively as
  ``DECIMAL(18,2)``, up to ±£10^16. The amount as published: net of VAT where the publisher
  says so, which the Transparency Code asks for. ``vat_gbp``: a separate VAT column if any.
* ``department`` (directorate/service area), ``expense_type`` (the body's expense heading),
  ``category_code``/``category_label`` (ProClass, CPV, SeRCOP or the body's own codes),
  ``transaction_ref``, ``invoice_ref``, ``description`` (purpose), ``postcode``: cleaned text.
* ``capital_or_revenue``: ``capital``, ``revenue``, another published value, or null.
* ``is_redacted``: the supplier name was withheld. ``is_personal``: the payee is or looks like a
  private individual (a redaction for personal data, or a name shaped like a person's); such
  rows are personal data and must be shown only to those allowed.
"""

_TOTAL_CELL = (
    r"(?i)^(?:grand\s+|sub\s*-?\s*)?totals?\s*:?$|^(?:grand|sub)\s*-?\s*totals?\b|"
    r"^(?:sum|count|average) of\b"
)
PREVIEW_ROWS = 10
SAMPLE_VALUES = 5

SourceInput = bytes | bytearray | memoryview | str | os.PathLike[str]
"""A spend file: its bytes, or a path to it."""


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerStructure:
    """How the file is laid out: format, encoding, where the table starts.

    ``heading_line`` is the 1-based line (or sheet row) of the column headings, ``None`` for a
    file without headings; ``preamble_lines`` counts the non-blank lines before it;
    ``data_rows`` counts the lines after it up to the last non-blank one (blank lines in
    between included: they are reported as rejected).
    """

    file_format: str
    compression: str | None
    encoding: str | None
    delimiter: str | None
    sheet_name: str | None
    heading_line: int | None
    preamble_lines: int
    data_rows: int
    notes: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class PreviewRow:
    """One line of the file as read: its line number and its cells, in column order."""

    line_number: int
    cells: tuple[str | None, ...]


@dataclass(frozen=True)
class LedgerInspection:
    """What a mapping form needs: the layout, the columns, the proposed mapping, a preview."""

    source_name: str | None
    file_sha256: str
    structure: LedgerStructure
    columns: tuple[SourceColumn, ...]
    proposal: MappingProposal
    preview: tuple[PreviewRow, ...]


class LedgerMappingNeeded(LedgerFileError):
    """The columns could not all be recognised for certain; ``inspection`` holds the proposal
    and preview, so a page can show the mapping form and import again with the confirmed
    mapping."""

    def __init__(self, problem: Problem, inspection: LedgerInspection) -> None:
        super().__init__(problem)
        self.inspection = inspection


@dataclass(frozen=True)
class RejectedRow:
    """A line that was not imported, and why (``problem.code`` is one of ``blank_line``,
    ``repeated_header``, ``total_line``, ``amount_empty``, ``amount_unreadable``,
    ``amount_too_large``, ``date_unreadable``)."""

    line_number: int
    problem: Problem


class RejectedRows(Sequence[RejectedRow]):
    """The rejected lines, in line order, as :class:`RejectedRow` items made when read.

    A file can have tens of thousands of rejected lines of which a page shows fifty, so the
    items are kept as one frame (``line_number``, ``code``, ``value``) until asked for.
    """

    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame = frame

    def __len__(self) -> int:
        return self._frame.height

    @overload
    def __getitem__(self, index: int) -> RejectedRow: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[RejectedRow, ...]: ...

    def __getitem__(self, index: int | slice) -> RejectedRow | tuple[RejectedRow, ...]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            return tuple(_rejected_row(*row) for row in self._frame[start:stop:step].iter_rows())
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return _rejected_row(*self._frame.row(index))

    def __iter__(self) -> Iterator[RejectedRow]:
        return (_rejected_row(*row) for row in self._frame.iter_rows())


def _rejected_row(line: int, code: str, value: str | None) -> RejectedRow:
    return RejectedRow(line, message(code, value=value or ""))


class LedgerNothingImported(LedgerFileError):
    """Every line of the table was rejected; ``rejected`` says which and why."""

    def __init__(self, problem: Problem, rejected: RejectedRows) -> None:
        super().__init__(problem)
        self.rejected = rejected


@dataclass(frozen=True)
class ImportSummary:
    """The figures a person checks after an import. Amounts are pounds (``Decimal``, 2 places).

    ``rows_read`` = ``rows_imported`` + ``rows_rejected``; ``total_amount`` is the sum of the
    imported amounts (credits included); ``credit_notes`` counts negative amounts and
    ``credit_notes_total`` sums them; ``dates_unknown`` counts rows without a payment date;
    ``mapping`` is ``{role: column label}``; ``notes`` explain anything unusual.
    """

    rows_read: int
    rows_imported: int
    rows_rejected: int
    total_amount: Decimal
    credit_notes: int
    credit_notes_total: Decimal
    first_payment_date: date | None
    last_payment_date: date | None
    dates_unknown: int
    period_only_rows: int
    redacted_rows: int
    personal_rows: int
    suppliers_missing: int
    file_format: str
    encoding: str | None
    heading_line: int | None
    mapping: Mapping[str, str]
    notes: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class LedgerImport:
    """The result of :func:`import_ledger`.

    ``rows`` follows :data:`CANONICAL_SCHEMA`. ``file_sha256`` is the SHA-256 of the bytes as
    given (so the same upload is recognised); ``rows_sha256`` is the SHA-256 of the normalised
    rows without line numbers or raw names (so the same payments re-exported in another format
    or encoding are recognised too).
    """

    rows: pa.Table
    rejected: RejectedRows
    summary: ImportSummary
    file_sha256: str
    rows_sha256: str
    inspection: LedgerInspection


# --- entry points ---------------------------------------------------------------------------


def inspect_ledger(
    source: SourceInput,
    *,
    source_name: str | None = None,
    mapping: Mapping[str, ColumnReference] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> LedgerInspection:
    """Read a spend file and propose what each column holds.

    ``source`` is the file's bytes or path; ``source_name`` (default: the path's file name) is
    only reported back. ``mapping`` (``{role: column position, heading or None}``, roles from
    :data:`ROLES`) overrides the guess for the roles it names. Raises :class:`LedgerFileError`
    when the file is not a readable table of payments, or is a summary table.
    """
    return _inspect(source, source_name, mapping, max_bytes)[0]


def import_ledger(
    source: SourceInput,
    *,
    source_name: str | None = None,
    mapping: Mapping[str, ColumnReference] | None = None,
    accept_uncertain_mapping: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> LedgerImport:
    """Import every payment line of a spend file into :data:`CANONICAL_SCHEMA`.

    Arguments as for :func:`inspect_ledger`. Without an explicit ``mapping``, the guess is used
    when it is certain; when a required role (payment date, supplier name, amount) is missing or
    ambiguous this raises :class:`LedgerMappingNeeded` (carrying the inspection for the mapping
    form), unless ``accept_uncertain_mapping`` (for scripts that accept the best guess). An
    amount column is always needed. Lines whose amount is empty or unreadable, whose date is
    unreadable, blank lines and total lines are rejected and listed; every other line is
    imported.
    """
    inspection, table = _inspect(source, source_name, mapping, max_bytes)
    proposal = inspection.proposal
    if proposal.uncertain and not accept_uncertain_mapping:
        labels = ", ".join(ROLE_LABELS[role] for role in proposal.uncertain_roles)
        raise LedgerMappingNeeded(message("mapping_uncertain", roles=labels), inspection)
    if "amount" not in proposal.roles:
        raise LedgerFileError(message("mapping_required_missing", role=ROLE_LABELS["amount"]))

    normalised = _normalise(table, proposal)
    rejected = RejectedRows(normalised.rejected)
    rows = normalised.rows
    if rows.height == 0:
        raise LedgerNothingImported(
            message("nothing_imported", rows=len(rejected), line=rejected[0].line_number),
            rejected,
        )
    arrow, rows_sha256 = _canonical_rows(rows)
    return LedgerImport(
        rows=arrow,
        rejected=rejected,
        summary=_summarise(table, inspection, normalised),
        file_sha256=inspection.file_sha256,
        rows_sha256=rows_sha256,
        inspection=inspection,
    )


# --- locating the table ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    """The table inside a file: data rows only (``line_number`` + the kept ``field_`` columns)."""

    raw: RawLedger
    heading_index: int | None
    heading_line: int | None
    preamble_lines: int
    data: pl.DataFrame
    columns: tuple[SourceColumn, ...]
    blank: pl.Series  # per data row: no content in any cell


def _read_bytes(source: SourceInput) -> tuple[bytes, str | None]:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), None
    path = Path(source)
    return path.read_bytes(), path.name


def _inspect(
    source: SourceInput,
    source_name: str | None,
    mapping: Mapping[str, ColumnReference] | None,
    max_bytes: int,
) -> tuple[LedgerInspection, _Table]:
    data, path_name = _read_bytes(source)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-hash") as hasher:
        # Hashing a large file takes as long as reading its first columns: do both at once.
        file_hash = hasher.submit(lambda: hashlib.sha256(data).hexdigest())
        ledgers = read_ledger_source(data, max_bytes=max_bytes)
        table = _choose_table(ledgers)
        profiles = _profile(table)
        file_sha256 = file_hash.result()
    explicit = resolve_explicit_mapping(mapping, table.columns) if mapping else None
    proposal = propose_mapping(table.columns, profiles, explicit)
    _reject_summary_table(table, proposal)
    raw = table.raw
    notes = list(raw.notes)
    if raw.sheet_name is not None and len(ledgers) > 1:
        notes.append(message("sheet_chosen", sheet=raw.sheet_name))
    if table.heading_index is None:
        notes.append(message("headerless"))
    elif table.preamble_lines:
        notes.append(
            message("preamble_skipped", count=table.preamble_lines, line=table.heading_line or 0)
        )
    structure = LedgerStructure(
        file_format=raw.file_format,
        compression=raw.compression,
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        sheet_name=raw.sheet_name,
        heading_line=table.heading_line,
        preamble_lines=table.preamble_lines,
        data_rows=table.data.height,
        notes=tuple(notes),
    )
    inspection = LedgerInspection(
        source_name=source_name or path_name,
        file_sha256=file_sha256,
        structure=structure,
        columns=table.columns,
        proposal=proposal,
        preview=_preview(table),
    )
    return inspection, table


def _choose_table(ledgers: list[RawLedger]) -> _Table:
    """The table (for a workbook, the sheet) whose headings name the most roles, the first
    such; the first sheet's error if no sheet holds a table."""
    if len(ledgers) == 1:
        return _locate_table(ledgers[0])
    tables: list[_Table] = []
    first_error: LedgerFileError | None = None
    for ledger in ledgers:
        try:
            tables.append(_locate_table(ledger))
        except LedgerFileError as error:
            first_error = first_error or error
    if not tables:
        assert first_error is not None  # read_ledger_source never returns an empty list
        raise first_error
    return max(tables, key=_roles_named)  # max keeps the first of equals


def _roles_named(table: _Table) -> int:
    named: set[str] = set()
    for column in table.columns:
        named.update(
            role for role, score in heading_role_scores(column.name).items() if score >= 0.5
        )
    return len(named)


def _locate_table(raw: RawLedger) -> _Table:
    records = raw.records
    fields = raw.field_names
    head = records.head(60).select(fields).rows()
    heading_index = locate_heading_row(head)
    blank_flags = _blank_flags(records, fields)
    if heading_index is None:
        start = int(blank_flags.arg_min() or 0) if not blank_flags.all() else 0
        preamble = 0
        heading_line = None
        heading: tuple[str | None, ...] = (None,) * len(fields)
    else:
        start = heading_index + 1
        preamble = int((~blank_flags.head(heading_index)).sum())
        heading_line = int(records[LINE_NUMBER][heading_index])
        heading = tuple(_heading_text(cell) for cell in head[heading_index])
    filled = (~blank_flags).arg_true()
    last = int(filled[-1]) if len(filled) else -1
    data = records.slice(start, max(last + 1 - start, 0))
    if data.height == 0:
        raise LedgerFileError(message("no_data_rows", line=heading_line or 1))

    has_content = data.select(pl.col(name).is_not_null().any() for name in fields).row(0)
    columns = []
    for position, (name, filled_column) in enumerate(zip(fields, has_content, strict=True)):
        if heading[position] is None and not filled_column:
            continue  # blank leading, trailing or in-between columns
        sample = data[name].head(1000).drop_nulls().head(SAMPLE_VALUES).to_list()
        columns.append(SourceColumn(position, heading[position], tuple(sample)))
    if len(columns) < 2:
        raise LedgerFileError(message("too_few_columns", count=len(columns)))
    kept = [field_name(column.position) for column in columns]
    return _Table(
        raw=raw,
        heading_index=heading_index,
        heading_line=heading_line,
        preamble_lines=preamble,
        data=data.select(LINE_NUMBER, *kept),
        columns=tuple(columns),
        blank=blank_flags.slice(start, data.height),
    )


def _heading_text(cell: str | None) -> str | None:
    if cell is None:
        return None
    text = cell.replace("\ufeff", "").strip()
    return text or None


def _blank_flags(frame: pl.DataFrame, fields: list[str]) -> pl.Series:
    """True for each record with no content (every cell empty or only whitespace).

    Counting non-null cells is enough for nearly every record (empty cells are read as null);
    only records with a single non-null cell (a line of spaces) have it looked at.
    """
    if not fields:
        return pl.Series("blank", [True] * frame.height, dtype=pl.Boolean)
    filled = frame.select(
        pl.sum_horizontal(pl.col(name).is_not_null() for name in fields).alias("filled")
    )["filled"]
    blank = filled == 0
    single = (filled == 1).arg_true()
    if len(single):
        whitespace = frame[single].select(
            pl.all_horizontal(is_blank(pl.col(name)) for name in fields).alias("blank")
        )["blank"]
        blank = blank.scatter(single, whitespace)
    return blank.rename("blank")


def _profile(table: _Table) -> dict[int, ColumnProfile]:
    fields = [field_name(column.position) for column in table.columns]
    sample = table.data.head(PROFILE_ROWS * 2)
    sample = sample.filter(~_blank_flags(sample, fields)).head(PROFILE_ROWS)
    profiles = _side_by_side(
        {
            str(column.position): partial(profile_column, sample[field_name(column.position)])
            for column in table.columns
        }
    )
    return {column.position: profiles[str(column.position)] for column in table.columns}


def _preview(table: _Table) -> tuple[PreviewRow, ...]:
    fields = [field_name(column.position) for column in table.columns]
    sample = table.data.head(PREVIEW_ROWS * 5)
    rows = sample.filter(~_blank_flags(sample, fields)).head(PREVIEW_ROWS)
    return tuple(
        PreviewRow(int(line), tuple(cells))
        for line, *cells in rows.select(LINE_NUMBER, *fields).iter_rows()
    )


def _first_cells(frame: pl.DataFrame, fields: list[str]) -> pl.DataFrame:
    """``line_number`` and the first non-empty cleaned cell of each record."""
    return (
        frame.lazy()
        .select(LINE_NUMBER, pl.coalesce(clean_text(pl.col(name)) for name in fields).alias("text"))
        .collect()
    )


def _reject_summary_table(table: _Table, proposal: MappingProposal) -> None:
    """Refuse a pivot/summary export: no dates, no transaction numbers, and a total line."""
    if "payment_date" in proposal.roles or "transaction_ref" in proposal.roles:
        return
    fields = [field_name(column.position) for column in table.columns]
    totals = _first_cells(table.data, fields).filter(pl.col("text").str.contains(_TOTAL_CELL))
    if totals.height == 0 and table.heading_index:
        preamble = table.raw.records.head(table.heading_index)
        totals = _first_cells(preamble, table.raw.field_names).filter(
            pl.col("text").str.contains(_TOTAL_CELL)
        )
    if totals.height:
        line, text = totals.row(-1)
        raise LedgerFileError(message("summary_table", line=int(line), text=str(text)))


# --- normalising the rows -------------------------------------------------------------------


@dataclass(frozen=True)
class _Normalised:
    rows: pl.DataFrame
    rejected: pl.DataFrame  # line_number, code, value
    time_only_dates: int
    dated_cells: int
    vat_unreadable: int


def _normalise(table: _Table, proposal: MappingProposal) -> _Normalised:
    """Read every value of the mapped columns and decide which lines are imported.

    Each step is a vectorised pass over a whole column. The columns are read side by side
    (:func:`_side_by_side`), since most of Polars' string kernels use one core per column; the
    rarer checks (total lines, repeated headings, lines of spaces) only look at the few lines
    that could be one.
    """
    data = table.data
    fields = [field_name(column.position) for column in table.columns]
    role_field = {role: field_name(guess.position) for role, guess in proposal.roles.items()}
    empty = pl.repeat(None, data.height, dtype=pl.String, eager=True)

    def column(role: str, rows: pl.DataFrame = data) -> pl.Series:
        if role in role_field:
            return rows[role_field[role]]
        return empty.head(rows.height)

    def read_dates() -> pl.DataFrame:
        if "payment_date" in role_field:
            return parse_dates(column("payment_date"), allow_serial=True)
        no = pl.repeat(value=False, n=data.height, dtype=pl.Boolean, eager=True)
        return pl.DataFrame(
            {
                "payment_date": pl.repeat(None, data.height, dtype=pl.Date, eager=True),
                "period_only": no,
                "time_only": no,
                "unreadable": no,
            }
        )

    def read_supplier() -> pl.DataFrame:
        supplier = clean_texts(column("supplier_name"))
        return name_flags(supplier).with_columns(supplier.alias("supplier"))

    def cleaned(role: str, finish: Callable[[pl.Expr], pl.Expr] | None) -> pl.DataFrame:
        if role not in role_field:
            return empty.rename(role).to_frame()
        values = clean_texts(column(role)).to_frame("text")
        return values.select(
            (pl.col("text") if finish is None else finish(pl.col("text"))).alias(role)
        )

    def read_vat() -> pl.DataFrame:
        if "vat_amount" not in role_field:
            return pl.DataFrame(
                {
                    "amount": pl.repeat(None, data.height, dtype=AMOUNT_DTYPE, eager=True),
                    "unreadable": pl.repeat(value=False, n=data.height, eager=True),
                }
            )
        return parse_amounts(column("vat_amount")).select(
            "amount",
            pl.col("problem")
            .is_in(["amount_unreadable", "amount_too_large"])
            .fill_null(value=False)
            .alias("unreadable"),
        )

    text_roles: dict[str, Callable[[pl.Expr], pl.Expr] | None] = {
        "supplier_id": identifier,
        "company_number": company_number,
        "vat_number": vat_number,
        "department": None,
        "expense_type": None,
        "category_code": None,
        "category_label": None,
        "transaction_ref": None,
        "invoice_ref": None,
        "description": None,
        "postcode": postcode,
        "capital_or_revenue": capital_or_revenue,
    }
    read: dict[str, pl.DataFrame] = _side_by_side(
        {
            "amounts": lambda: parse_amounts(column("amount")),
            "dates": read_dates,
            "supplier": read_supplier,
            "vat": read_vat,
            "total_lines": lambda: _total_lines(data, fields, column, table.blank).to_frame(),
            **{role: partial(cleaned, role, finish) for role, finish in text_roles.items()},
        }
    )
    amounts, dates = read["amounts"], read["dates"]
    blank_line = table.blank
    total_line = read["total_lines"].to_series()
    repeated_heading = _repeated_headings(table, proposal, column("amount"), amounts)
    problems = pl.DataFrame(
        {
            "blank": blank_line,
            "repeated": repeated_heading,
            "total": total_line,
            "amount": amounts["problem"],
            "date": dates["unreadable"],
        }
    ).select(
        pl.when("blank")
        .then(pl.lit("blank_line"))
        .when("repeated")
        .then(pl.lit("repeated_header"))
        .when("total")
        .then(pl.lit("total_line"))
        .when(pl.col("amount").is_not_null())
        .then(pl.col("amount"))
        .when("date")
        .then(pl.lit("date_unreadable"))
        .alias("code")
    )["code"]

    rejected_at = problems.is_not_null().arg_true()
    rejected = _rejected_rows(data[rejected_at], problems.gather(rejected_at), fields, column)

    supplier, vat = read["supplier"], read["vat"]
    all_rows = pl.DataFrame(
        {
            "line_number": data[LINE_NUMBER].cast(pl.Int64),
            "payment_date": dates["payment_date"],
            "period_only": dates["period_only"].fill_null(value=False),
            "supplier_name": supplier["supplier"].zip_with(~supplier["is_redacted"], empty),
            "supplier_name_raw": column("supplier_name"),
            "supplier_id": read["supplier_id"].to_series(),
            "company_number": read["company_number"].to_series(),
            "vat_number": read["vat_number"].to_series(),
            "amount_gbp": amounts["amount"],
            "vat_gbp": vat["amount"],
            "department": read["department"].to_series(),
            "expense_type": read["expense_type"].to_series(),
            "category_code": read["category_code"].to_series(),
            "category_label": read["category_label"].to_series(),
            "transaction_ref": read["transaction_ref"].to_series(),
            "invoice_ref": read["invoice_ref"].to_series(),
            "description": read["description"].to_series(),
            "postcode": read["postcode"].to_series(),
            "capital_or_revenue": read["capital_or_revenue"].to_series(),
            "is_redacted": supplier["is_redacted"],
            "is_personal": supplier["is_personal"],
            "_dated": column("payment_date").is_not_null(),
            "_time_only": dates["time_only"],
            "_vat_unreadable": vat["unreadable"],
        }
    )
    kept = all_rows.filter(problems.is_null())
    counts = kept.select(
        pl.col("_dated").sum(), pl.col("_time_only").sum(), pl.col("_vat_unreadable").sum()
    ).row(0)
    return _Normalised(
        rows=kept.drop("_dated", "_time_only", "_vat_unreadable"),
        rejected=rejected,
        time_only_dates=int(counts[1] or 0),
        dated_cells=int(counts[0] or 0),
        vat_unreadable=int(counts[2] or 0),
    )


def _side_by_side(jobs: Mapping[str, Callable[[], _Result]]) -> dict[str, _Result]:
    """Each job's result, the jobs run in threads (Polars releases the interpreter's lock
    while it computes, so independent columns are read on every core at once)."""
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers <= 1:
        return {name: job() for name, job in jobs.items()}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ledger") as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


def _total_lines(
    data: pl.DataFrame,
    fields: list[str],
    column: Callable[..., pl.Series],
    blank_line: pl.Series,
) -> pl.Series:
    """True for total lines: no date and no transaction number, and either a cell that says
    "Total" (``Grand Total``, ``Sub-total:``…) or nothing but an amount (Leeds' last line)."""
    undated = pl.DataFrame(
        {"date": column("payment_date"), "reference": column("transaction_ref")}
    ).select((is_blank(pl.col("date")) & is_blank(pl.col("reference"))).alias("undated"))
    candidates = (undated["undated"] & ~blank_line).arg_true()
    total = pl.repeat(value=False, n=data.height, dtype=pl.Boolean, eager=True)
    if len(candidates) == 0:
        return total
    subset = data[candidates].with_columns(column("amount").gather(candidates).alias("_amount"))
    verdict = (
        subset.lazy()
        .select(
            pl.any_horizontal(
                clean_text(pl.col(name)).str.contains(_TOTAL_CELL).fill_null(value=False)
                for name in fields
            )
            | (
                (
                    pl.sum_horizontal((~is_blank(pl.col(name))).cast(pl.Int32) for name in fields)
                    == 1
                )
                & ~is_blank(pl.col("_amount"))
            )
        )
        .collect()
        .to_series()
    )
    return total.scatter(candidates, verdict)


def _repeated_headings(
    table: _Table, proposal: MappingProposal, amount_texts: pl.Series, amounts: pl.DataFrame
) -> pl.Series:
    """True for lines that repeat the headings (files concatenated with their headings): the
    amount cell holds the amount column's heading. Only unreadable amounts can be one."""
    position = proposal.roles["amount"].position
    heading = next(c.name for c in table.columns if c.position == position)
    repeated = pl.repeat(value=False, n=amount_texts.len(), dtype=pl.Boolean, eager=True)
    unreadable = (amounts["problem"] == "amount_unreadable").fill_null(value=False).arg_true()
    if heading is None or len(unreadable) == 0:
        return repeated
    texts = amount_texts.gather(unreadable).str.strip_chars().str.to_lowercase()
    return repeated.scatter(unreadable, (texts == heading.lower()).fill_null(value=False))


def _rejected_rows(
    rows: pl.DataFrame, codes: pl.Series, fields: list[str], column: Callable[..., pl.Series]
) -> pl.DataFrame:
    """``line_number``, ``code`` and the offending ``value`` of each rejected line."""
    amount = column("amount", rows).str.strip_chars()
    date_text = column("payment_date", rows).str.strip_chars()
    return (
        rows.with_columns(codes.alias("code"), amount.alias("_amount"), date_text.alias("_date"))
        .lazy()
        .select(
            pl.col(LINE_NUMBER).cast(pl.Int64),
            "code",
            pl.when(pl.col("code").is_in(AMOUNT_PROBLEMS))
            .then(pl.col("_amount"))
            .when(pl.col("code") == "date_unreadable")
            .then(pl.col("_date"))
            .when(pl.col("code") == "total_line")
            .then(
                pl.concat_str(
                    [clean_text(pl.col(name)) for name in fields], separator=", ", ignore_nulls=True
                )
            )
            .alias("value"),
        )
        .collect()
    )


# --- summary and hashes ---------------------------------------------------------------------


def _summarise(
    table: _Table, inspection: LedgerInspection, normalised: _Normalised
) -> ImportSummary:
    rows = normalised.rows
    amount = pl.col("amount_gbp")
    figures = rows.select(
        amount.sum().alias("total"),
        (amount < 0).sum().alias("credits"),
        amount.filter(amount < 0).sum().alias("credits_total"),
        pl.col("payment_date").min().alias("first"),
        pl.col("payment_date").max().alias("last"),
        pl.col("payment_date").is_null().sum().alias("undated"),
        pl.col("period_only").sum().alias("periods"),
        pl.col("is_redacted").sum().alias("redacted"),
        pl.col("is_personal").sum().alias("personal"),
        (pl.col("supplier_name").is_null() & ~pl.col("is_redacted")).sum().alias("no_supplier"),
    ).row(0, named=True)
    proposal = inspection.proposal
    notes = list(inspection.structure.notes)
    notes.extend(_column_notes(table, proposal))
    date_column = proposal.roles.get("payment_date")
    if (
        date_column
        and normalised.dated_cells
        and normalised.time_only_dates == normalised.dated_cells
    ):
        example = table.data[field_name(date_column.position)].drop_nulls().head(1).item()
        notes.append(
            message(
                "dates_time_only", column=date_column.column_label, example=str(example).strip()
            )
        )
    elif figures["undated"]:
        notes.append(message("dates_unknown", count=int(figures["undated"])))
    if date_column and figures["periods"]:
        example = table.data[field_name(date_column.position)].drop_nulls().head(1).item()
        notes.append(
            message("period_only", column=date_column.column_label, example=str(example).strip())
        )
    for code, count in (
        ("credit_notes", figures["credits"]),
        ("redacted_suppliers", figures["redacted"]),
        ("personal_suppliers", figures["personal"]),
        ("suppliers_missing", figures["no_supplier"]),
        ("vat_unreadable", normalised.vat_unreadable),
    ):
        if count:
            notes.append(message(code, count=int(count)))
    zero = Decimal("0.00")
    return ImportSummary(
        rows_read=table.data.height,
        rows_imported=rows.height,
        rows_rejected=normalised.rejected.height,
        total_amount=_pounds(figures["total"]) or zero,
        credit_notes=int(figures["credits"]),
        credit_notes_total=_pounds(figures["credits_total"]) or zero,
        first_payment_date=figures["first"],
        last_payment_date=figures["last"],
        dates_unknown=int(figures["undated"]),
        period_only_rows=int(figures["periods"]),
        redacted_rows=int(figures["redacted"]),
        personal_rows=int(figures["personal"]),
        suppliers_missing=int(figures["no_supplier"]),
        file_format=inspection.structure.file_format,
        encoding=inspection.structure.encoding,
        heading_line=inspection.structure.heading_line,
        mapping=proposal.labels(),
        notes=tuple(notes),
    )


def _column_notes(table: _Table, proposal: MappingProposal) -> list[Problem]:
    mapped = {guess.position for guess in proposal.roles.values()}
    unnamed = [c.label for c in table.columns if c.name is None and c.position not in mapped]
    if not unnamed or table.heading_index is None:
        return []
    return [message("unnamed_columns", count=len(unnamed), columns=", ".join(unnamed))]


def _pounds(value: object) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _canonical_rows(rows: pl.DataFrame) -> tuple[pa.Table, str]:
    """``rows`` as an Arrow table of :data:`CANONICAL_SCHEMA`, and their SHA-256.

    The hash leaves out ``line_number`` and ``supplier_name_raw`` (they change with the file's
    layout, not its payments). A fixed binary layout, independent of library versions: for each
    column in schema order, its name, its null mask (one byte per row), then its values with
    nulls zeroed: amounts as little-endian int64 pence, dates as int32 days since 1970-01-01,
    flags as one byte, text as little-endian int64 end offsets followed by the UTF-8 bytes.
    Read straight from the Arrow buffers, so no value is copied through Python.

    Each column is hashed in a second thread while the next is converted (both take a tenth of
    a second at a million lines); one worker keeps the columns in schema order.
    """
    digest = hashlib.sha256()
    no_nulls = np.zeros(rows.height, dtype=np.uint8)

    def hash_column(name: str, values: pa.Array) -> None:
        valid = _validity(values)
        digest.update(name.encode() + b"\x1e")
        digest.update((no_nulls if valid is None else np.logical_not(valid).view(np.uint8)).data)
        if values.null_count == len(values):
            return  # the null mask says it all
        for chunk in _canonical_buffers(values, valid):
            digest.update(chunk)

    if rows.columns != CANONICAL_SCHEMA.names:
        raise ValueError(f"columns {rows.columns} are not those of CANONICAL_SCHEMA")
    arrays: list[pa.Array] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-rows-hash") as hasher:
        hashed = []
        for field in CANONICAL_SCHEMA:
            values = rows[field.name].to_arrow(compat_level=pl.CompatLevel.oldest())
            values = values.cast(field.type)
            if not field.nullable and values.null_count:
                # Building the table checks no nullability: a broken invariant stops here.
                raise ValueError(f"{field.name} has {values.null_count} empty values")
            arrays.append(values)
            if field.name not in ("line_number", "supplier_name_raw"):
                hashed.append(hasher.submit(hash_column, field.name, values))
        for done in hashed:
            done.result()
    return pa.Table.from_arrays(arrays, schema=CANONICAL_SCHEMA), digest.hexdigest()


def _validity(values: pa.Array) -> np.ndarray | None:
    """True where ``values`` holds a value, as NumPy booleans; None when every slot does."""
    if values.null_count == 0:
        return None
    return np.asarray(values.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


def _canonical_buffers(values: pa.Array, valid: np.ndarray | None) -> list[memoryview]:
    """``values`` in :func:`_canonical_rows`' hash layout, as views of Arrow's buffers where the
    layout is already Arrow's (large text, and columns without nulls), copies otherwise."""
    kind = values.type
    count, first = len(values), values.offset
    if pa.types.is_large_string(kind):
        offsets = np.frombuffer(values.buffers()[1], dtype="<i8", count=count + 1, offset=first * 8)
        start, end = int(offsets[0]), int(offsets[-1])
        if valid is not None and np.diff(offsets)[~valid].any():
            # A null slot may keep bytes in Arrow: without them, as if empty.
            return _canonical_buffers(pc.fill_null(values, ""), None)
        ends = offsets[1:] if start == 0 else offsets[1:] - start
        return [ends.data, memoryview(values.buffers()[2])[start:end]]
    if pa.types.is_decimal(kind):
        # decimal128 with scale 2 stores pence as a 128-bit integer; it fits the low 64 bits.
        words = np.frombuffer(values.buffers()[1], dtype="<i8", count=2 * count, offset=first * 16)
        pence = np.ascontiguousarray(words[0::2])
        return [(pence if valid is None else np.where(valid, pence, 0)).data]
    if pa.types.is_date32(kind):
        days = np.frombuffer(values.buffers()[1], dtype="<i4", count=count, offset=first * 4)
        return [(days if valid is None else np.where(valid, days, 0).astype("<i4")).data]
    if pa.types.is_boolean(kind):
        flags = pc.fill_null(values, False).to_numpy(zero_copy_only=False)
        return [np.asarray(flags, dtype=bool).view(np.uint8).data]
    raise TypeError(f"no canonical layout for {kind}")
