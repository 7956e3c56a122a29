"""Read a spend file's bytes into a table of text cells, one row per record, with line numbers.

This is the first step of the spend import (:mod:`infuse.procurement.importing`): it knows about
bytes, compression, character encodings, CSV dialects and spreadsheets, and nothing about what
the columns mean. Pure: no Django, no database.

What it accepts:

* CSV text in UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark, or, when
  the bytes are not valid UTF-8, Windows-1252 (then Latin-1, which reads any byte); separated by
  commas, semicolons, tabs or pipes; CRLF, LF or old Mac CR line ends.
* XLSX, ODS and legacy XLS workbooks, read with python-calamine.
* Either of the above gzip-compressed (``.csv.gz``), recognised by its magic bytes, not its name.

What it returns (:class:`RawLedger`): a Polars frame whose columns ``field_1`` … ``field_N`` hold
every cell as text (``null`` when empty) and whose ``line_number`` column is the record's first
physical line in the file, 1-based, as a text editor numbers lines (for a spreadsheet, the row
number the spreadsheet shows). Blank lines are kept as all-null rows, so later steps can report
them. Nothing else is interpreted here: the heading row is found later.

The CSV itself is parsed by Polars' multi-threaded reader; only a file whose quoting Polars
rejects falls back to Python's :mod:`csv` module (tolerant of stray quotes).

Why not guess encodings with charset-normalizer: on short UK ledgers it guesses wrongly (a
two-line Windows-1252 file with ``’`` and ``£`` comes back as cp852, ``Caffiĺr`` and ``ú1250``;
``£5`` alone as cp932). Publishers here write UTF-8 or Windows-1252, so those are tried, in
that order, and the choice is reported.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import itertools
import zipfile
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl
import python_calamine

from .ledger_messages import LedgerFileError, Problem, message

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (Compound File Binary)
UTF8_BOM = codecs.BOM_UTF8
# A UTF-8 byte-order mark that was decoded as Windows-1252 and saved again as UTF-8: "ï»¿".
GARBLED_UTF8_BOM = UTF8_BOM.decode("cp1252").encode("utf-8")

DEFAULT_MAX_BYTES = 4 * 1024**3
"""The largest file, once uncompressed, that one import reads (4 GiB ≈ 40M ledger lines)."""

CANDIDATE_DELIMITERS = (",", ";", "\t", "|")
SNIFF_BYTES = 64 * 1024
SNIFF_LINES = 60
FIELD_PREFIX = "field_"
LINE_NUMBER = "line_number"

# Bytes that never occur in a text ledger (NUL and the C0 controls other than tab, LF, FF, CR).
_BINARY_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_BINARY_SHARE_LIMIT = 0.01


@dataclass(frozen=True)
class RawLedger:
    """One table of text cells read from a file (a CSV file, or one sheet of a workbook).

    ``records`` has String columns ``field_1`` … ``field_N`` and an Int64 ``line_number``.
    ``encoding`` and ``delimiter`` are ``None`` for spreadsheets; ``sheet_name`` is ``None`` for
    CSV. ``notes`` are facts a person should see (an encoding guessed, a garbled BOM removed).
    """

    records: pl.DataFrame
    file_format: str
    compression: str | None
    encoding: str | None
    delimiter: str | None
    sheet_name: str | None
    notes: tuple[Problem, ...] = ()

    @property
    def field_names(self) -> list[str]:
        """The cell columns of ``records`` in source order (``line_number`` left out)."""
        return [name for name in self.records.columns if name.startswith(FIELD_PREFIX)]


def field_name(position: int) -> str:
    """The ``records`` column for the cell at 0-based ``position`` in a record."""
    return f"{FIELD_PREFIX}{position + 1}"


def read_ledger_source(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[RawLedger]:
    """Every table in a spend file: one for a CSV file, one per non-empty sheet of a workbook.

    ``data`` is the file exactly as uploaded (possibly gzipped). ``max_bytes`` caps the size
    once uncompressed, so a small malicious gzip cannot exhaust memory.
    Raises :class:`LedgerFileError` for anything that is not a readable table.
    """
    if not data:
        raise LedgerFileError(message("file_empty"))
    compression = None
    if data[:2] == GZIP_MAGIC:
        data = _gunzip(data, max_bytes)
        compression = "gzip"
        if not data:
            raise LedgerFileError(message("file_empty"))
    if len(data) > max_bytes:
        raise LedgerFileError(message("file_too_large", limit_mb=max_bytes // 1024**2))
    if data[:4] == ZIP_MAGIC:
        return _read_workbook(data, _zip_spreadsheet_format(data), compression)
    if data[:8] == OLE_MAGIC:
        return _read_workbook(data, "xls", compression)
    return [_read_csv(data, compression)]


# --- compression and containers -------------------------------------------------------------


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            content = stream.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise LedgerFileError(message("compressed_unreadable", detail=str(error))) from error
    if len(content) > max_bytes:
        raise LedgerFileError(message("file_too_large", limit_mb=max_bytes // 1024**2))
    return content


def _zip_spreadsheet_format(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as error:
        raise LedgerFileError(message("spreadsheet_unreadable", detail=str(error))) from error
    if "xl/workbook.xml" in names:
        return "xlsx"
    if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        return "ods"
    raise LedgerFileError(message("zip_not_spreadsheet"))


# --- spreadsheets ---------------------------------------------------------------------------


def _read_workbook(data: bytes, file_format: str, compression: str | None) -> list[RawLedger]:
    # calamine raises its own exception types (and sometimes ValueError) on malformed files.
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [
            (name, workbook.get_sheet_by_name(name).to_python(skip_empty_area=False))
            for name in workbook.sheet_names
        ]
    except Exception as error:
        raise LedgerFileError(message("spreadsheet_unreadable", detail=str(error))) from error
    ledgers = [
        RawLedger(
            records=_cells_to_records(cells),
            file_format=file_format,
            compression=compression,
            encoding=None,
            delimiter=None,
            sheet_name=name,
        )
        for name, cells in sheets
        if cells
    ]
    if not ledgers:
        raise LedgerFileError(message("file_empty"))
    return ledgers


def _cells_to_records(cells: Sequence[Sequence[object]]) -> pl.DataFrame:
    """A sheet's cells (Python values from calamine, row by row) as a frame of text columns.

    The transposition and the conversion of each column to text happen inside Polars; numbers
    keep their shortest round-trip form and whole numbers lose a spurious ``.0`` (calamine gives
    every number as a float), dates become ISO text for the date parser.
    """
    columns = list(itertools.zip_longest(*cells, fillvalue=None))
    frame = pl.DataFrame(
        [
            pl.Series(field_name(position), values, dtype=pl.String, strict=False)
            for position, values in enumerate(columns)
        ]
    )
    frame = frame.with_columns(
        pl.col(name).str.replace(r"^(-?\d+)\.0$", "${1}").replace("", None)
        for name in frame.columns
    )
    return frame.with_row_index(LINE_NUMBER, offset=1).with_columns(
        pl.col(LINE_NUMBER).cast(pl.Int64)
    )


# --- CSV ------------------------------------------------------------------------------------


def _read_csv(data: bytes, compression: str | None) -> RawLedger:
    utf8, encoding, notes = _to_utf8(data)
    try:
        delimiter, records = _parse_text(utf8)
    except _NotUtf8:
        # The first 64 KB were UTF-8 but a later byte is not: the whole file is re-read.
        utf8, encoding, notes = _to_utf8(data, assume_legacy=True)
        delimiter, records = _parse_text(utf8)
    return RawLedger(
        records=records,
        file_format="csv",
        compression=compression,
        encoding=encoding,
        delimiter=delimiter,
        sheet_name=None,
        notes=tuple(notes),
    )


class _NotUtf8(Exception):
    """Raised while parsing when the text turns out not to be UTF-8 after all."""


def _parse_text(utf8: bytes) -> tuple[str, pl.DataFrame]:
    if b"\n" not in utf8 and b"\r" in utf8:
        utf8 = utf8.replace(b"\r", b"\n")  # classic Mac line ends: one record per CR
    delimiter, width = _sniff_dialect(_sample_lines(utf8))
    records = _parse_csv(utf8, delimiter, width)
    return delimiter, _add_line_numbers(records, physical_lines=_count_lines(utf8))


def _to_utf8(data: bytes, *, assume_legacy: bool = False) -> tuple[bytes, str, list[Problem]]:
    """The text as UTF-8 bytes, the encoding it was read in, and notes for a person.

    Only the first 64 KB are checked here; the CSV parser checks the rest as it reads (and
    :func:`_read_csv` starts again as Windows-1252 if it finds a byte that is not UTF-8), so a
    large UTF-8 file is never decoded twice.
    """
    notes: list[Problem] = []
    if data.startswith(UTF8_BOM) and not assume_legacy:
        utf8, encoding = data[len(UTF8_BOM) :], "utf-8-sig"
    elif data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        utf8, encoding = _recode(data, "utf-16"), "utf-16"
    elif _looks_like_utf16_without_bom(data):
        encoding = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        utf8 = _recode(data, encoding)
    elif not assume_legacy and _starts_as_utf8(data):
        utf8, encoding = data, "utf-8"
    else:
        try:
            utf8, encoding = data.decode("cp1252").encode("utf-8"), "windows-1252"
        except UnicodeDecodeError:  # bytes 0x81, 0x8D, 0x8F, 0x90, 0x9D are not Windows-1252
            utf8, encoding = data.decode("latin-1").encode("utf-8"), "latin-1"
        notes.append(message("encoding_fallback", encoding=encoding))
    if utf8.startswith(GARBLED_UTF8_BOM):
        utf8 = utf8[len(GARBLED_UTF8_BOM) :]
        notes.append(message("garbled_bom"))
    if _looks_binary(utf8[:SNIFF_BYTES]):
        raise LedgerFileError(message("not_text"))
    return utf8, encoding, notes


def _recode(data: bytes, encoding: str) -> bytes:
    try:
        return data.decode(encoding).encode("utf-8")
    except UnicodeDecodeError as error:
        raise LedgerFileError(message("not_text")) from error


def _starts_as_utf8(data: bytes) -> bool:
    """Whether the first 64 KB are valid UTF-8 (a character cut at the end is allowed)."""
    if data[:SNIFF_BYTES].isascii():
        return True
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data[:SNIFF_BYTES], final=False)
    except UnicodeDecodeError:
        return False
    return True


def _looks_like_utf16_without_bom(data: bytes) -> bool:
    sample = data[:4096]
    if len(sample) < 8:
        return False
    even_nuls = sample[0::2].count(0) / len(sample[0::2])
    odd_nuls = sample[1::2].count(0) / len(sample[1::2])
    return max(even_nuls, odd_nuls) > 0.4 and min(even_nuls, odd_nuls) < 0.05


def _looks_binary(sample: bytes) -> bool:
    if not sample:
        return False
    binary = len(sample) - len(sample.translate(None, _BINARY_BYTES))
    return b"\x00" in sample or binary / len(sample) > _BINARY_SHARE_LIMIT


def _sample_lines(utf8: bytes) -> list[str]:
    head = utf8[:SNIFF_BYTES]
    text = head.decode("utf-8", errors="ignore")
    lines = text.splitlines()
    if len(utf8) > SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line of a cut sample is incomplete
    return lines[:SNIFF_LINES]


def _sniff_dialect(lines: list[str]) -> tuple[str, int]:
    """The delimiter that splits the sample most consistently, and the widest record seen.

    For each candidate, the score is the share of non-blank lines having the most common field
    count, times that count (capped): a real delimiter gives many lines of the same width.
    """
    best_delimiter, best_score, best_width = ",", -1.0, 1
    for delimiter in CANDIDATE_DELIMITERS:
        try:
            rows = [row for row in csv.reader(lines, delimiter=delimiter) if row]
        except csv.Error:
            continue
        if not rows:
            continue
        widths = Counter(len(row) for row in rows)
        common_width, count = widths.most_common(1)[0]
        score = (count / len(rows)) * min(common_width, 30) if common_width > 1 else 0.0
        if score > best_score:
            best_delimiter, best_score = delimiter, score
            best_width = max(widths)
    return best_delimiter, max(best_width, 1)


def _parse_csv(utf8: bytes, delimiter: str, width: int) -> pl.DataFrame:
    """Every record as text cells; widens the frame when a later record has more fields."""
    for _attempt in range(8):
        try:
            return pl.read_csv(
                io.BytesIO(utf8),
                has_header=False,
                separator=delimiter,
                quote_char='"',
                schema={field_name(i): pl.String for i in range(width)},
                missing_columns="insert",
                raise_if_empty=False,
                truncate_ragged_lines=False,
                encoding="utf8",
            )
        except pl.exceptions.ComputeError as error:
            if "invalid utf-8" in str(error):
                raise _NotUtf8 from error
            if "more fields than defined" not in str(error):
                break
            width = width * 2 + 8
        except (pl.exceptions.PolarsError, OverflowError, ValueError):
            break
    return _parse_csv_tolerantly(utf8, delimiter)


def _parse_csv_tolerantly(utf8: bytes, delimiter: str) -> pl.DataFrame:
    """Python's csv module, for files with stray quotes that Polars rejects (slower, rare)."""
    try:
        text = utf8.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _NotUtf8 from error
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise LedgerFileError(message("csv_unreadable", detail=str(error))) from error
    cells = pl.Series("cells", rows, dtype=pl.List(pl.String))
    width = max(int(cells.list.len().max() or 0), 1)  # type: ignore[arg-type]
    return pl.DataFrame(
        [
            cells.list.get(i, null_on_oob=True).replace("", None).alias(field_name(i))
            for i in range(width)
        ]
    )


def _count_lines(utf8: bytes) -> int:
    """Physical lines in the text, as an editor counts them (a last line without a newline
    counts; a final newline does not start another line)."""
    return utf8.count(b"\n") + (0 if utf8.endswith(b"\n") else 1)


def _add_line_numbers(records: pl.DataFrame, *, physical_lines: int) -> pl.DataFrame:
    """Add each record's first physical line (1-based).

    A quoted cell may contain line breaks, so a record can span several physical lines: the
    line number is 1 + the record's index + every line break inside the records before it.
    When there are as many records as lines (the usual case) no cell is searched.
    """
    index = pl.int_range(pl.len(), dtype=pl.Int64)
    if records.height >= physical_lines or not records.columns:
        return records.with_columns((index + 1).alias(LINE_NUMBER))
    breaks = pl.sum_horizontal(
        pl.col(name).str.count_matches("\n", literal=True).fill_null(0) for name in records.columns
    ).cast(pl.Int64)
    before = breaks.cum_sum() - breaks
    return records.with_columns((index + 1 + before).alias(LINE_NUMBER))
