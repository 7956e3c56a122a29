"""Reading a body's own list of suppliers: what ledgers rarely say about a supplier.

Pure computation (no Django, no database): the bytes of an uploaded CSV or spreadsheet in, a
:class:`SupplierListRead` out, or a :class:`SupplierListError` whose :class:`Problem` says why
the file cannot be used (translated by the Django layer, as for spend ledgers).

A supplier list is whatever a finance system exports: one row per supplier, with a name and
some of company number, VAT number, postcode, size (SME or not) and SIC codes, under headings
that differ from one system to the next. The headings are recognised by their words (see
:func:`recognise_heading`); the file is read by the same reader as spend ledgers (any common
encoding, delimiter, CSV, XLSX or ODS, gzipped or not), and values by the same cleaners, so a
company number or a postcode reads the same here as in a ledger.

Rows without a supplier name are rejected with their line number; a size or SIC cell that
cannot be read is noted against its line and left unknown, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from . import ledger_values
from .ledger_messages import LedgerFileError, Problem, gettext_noop
from .ledger_reading import RawLedger, read_ledger_source
from .suppliers import normalise_supplier_names

__all__ = [
    "LIST_ROLES",
    "MAX_LIST_BYTES",
    "SupplierListError",
    "SupplierListRead",
    "read_supplier_list",
    "recognise_heading",
    "sic_codes",
    "supplier_size",
]

MAX_LIST_BYTES = 50 * 1024 * 1024
"""The largest supplier list read, once uncompressed (a few hundred thousand suppliers)."""

HEADING_SEARCH_ROWS = 20
"""Rows searched for the headings (exports often start with a title line or two)."""

LIST_ROLES = ("name", "company_number", "vat_number", "postcode", "size", "sic_codes")

MESSAGE_TEMPLATES: dict[str, str] = {
    "no_name_column": gettext_noop(
        "No column of supplier names was found in the first %(lines)s lines. Give the column "
        "a heading such as “Supplier name”."
    ),
    "nothing_to_add": gettext_noop(
        "The list has supplier names but no column Infuse can add to them: give at least one "
        "of company number, VAT number, postcode, SME (yes or no) or SIC codes."
    ),
    "no_rows": gettext_noop("The list has headings (line %(line)s) but no suppliers."),
    "name_missing": gettext_noop("The supplier name is empty."),
    "size_unreadable": gettext_noop(
        "The size %(value)s is not understood (use yes or no, SME, micro, small, medium or "
        "large); it was left unknown."
    ),
    "sic_unreadable": gettext_noop(
        "The SIC code %(value)s is not a SIC 2007 code (five digits); it was left out."
    ),
    "role_twice": gettext_noop(
        "The columns %(first)s and %(second)s both look like the %(role)s; %(first)s was used."
    ),
    "sheet_chosen": gettext_noop("The suppliers were read from the sheet %(sheet)s."),
}

ROLE_NAMES: dict[str, str] = {
    "name": gettext_noop("supplier name"),
    "company_number": gettext_noop("company number"),
    "vat_number": gettext_noop("VAT number"),
    "postcode": gettext_noop("postcode"),
    "size": gettext_noop("size (SME or not)"),
    "sic_codes": gettext_noop("SIC codes"),
}


def _problem(code: str, **params: str | int) -> Problem:
    return Problem(code=code, template=MESSAGE_TEMPLATES[code], params=params)


class SupplierListError(Exception):
    """A supplier list that cannot be used as a whole; ``problem`` says why, for a person."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.text())
        self.problem = problem


@dataclass(frozen=True)
class SupplierListRead:
    """A supplier list as read.

    ``entries``: one row per supplier with ``line_number`` (as a text editor numbers the
    file's lines), ``name`` (cleaned), ``normalised_name`` (for matching, see
    :func:`~.suppliers.normalise_supplier_names`), ``company_number``, ``vat_number``,
    ``postcode`` (null when not given), ``size`` (``sme``, ``large`` or ``unknown``) and
    ``sic_codes`` (a list of five-digit SIC 2007 codes, possibly empty). ``columns`` maps each
    recognised role to its heading; ``rejected`` and ``line_notes`` are ``(line, problem)``
    pairs; ``notes`` are facts about the whole file.
    """

    entries: pl.DataFrame
    columns: dict[str, str]
    rejected: tuple[tuple[int, Problem], ...] = ()
    line_notes: tuple[tuple[int, Problem], ...] = ()
    notes: tuple[Problem, ...] = field(default=())


# --- headings -------------------------------------------------------------------------------

_NAME_WORDS = {
    "supplier",
    "vendor",
    "creditor",
    "payee",
    "beneficiary",
    "company",
    "organisation",
    "organization",
    "business",
    "name",
    "legal",
    "full",
    "registered",
}


def _words(heading: str) -> list[str]:
    return re.sub(r"[^a-z0-9]+", " ", heading.lower()).split()


def recognise_heading(heading: str | None) -> str | None:
    """The role (one of :data:`LIST_ROLES`) a column heading names, or ``None``.

    By the heading's words, most specific first: ``VAT`` → VAT number; ``SIC`` or ``nature of
    business`` → SIC codes; ``postcode``, ``post code``, ``postal code`` or ``zip`` →
    postcode; ``SME``, ``size`` or ``small`` → size; ``company``/``companies house``/
    ``registration`` with ``number``/``no``/``reg``, or ``CRN`` → company number; a heading
    made only of name words (``Supplier``, ``Supplier name``, ``Vendor name``, ``Name`` …) →
    name. ``Trading name`` is not the name: the name is the legal one a ledger prints.
    """
    if not heading:
        return None
    words = _words(heading)
    if not words:
        return None
    joined = " ".join(words)
    if "vat" in words:
        return "vat_number"
    if "sic" in words or "nature of business" in joined:
        return "sic_codes"
    if "postcode" in words or "zip" in words or re.search(r"\bpost(?:al)? code\b", joined):
        return "postcode"
    if "sme" in words or "size" in words or "small" in words:
        return "size"
    if "crn" in words or (
        {"company", "companies", "registration", "registered"} & set(words)
        and {"number", "no", "num", "reg", "registration"} & set(words)
        and "name" not in words
    ):
        return "company_number"
    if "trading" in words:
        return None
    if set(words) <= _NAME_WORDS and (
        "name" in words or words[0] in {"supplier", "vendor", "creditor", "payee"}
    ):
        return "name"
    return None


# --- values ---------------------------------------------------------------------------------

_SME_WORDS = {
    "yes",
    "y",
    "true",
    "1",
    "sme",
    "micro",
    "small",
    "medium",
    "small or medium",
    "small medium",
    "micro business",
    "small business",
    "medium business",
    "medium sized",
    "micro enterprise",
    "small enterprise",
    "medium enterprise",
    "ie",  # Welsh "ie" (yes)
    "bbach",  # Welsh abbreviation of "busnes bach" (small business)
    "busnes bach",
}
_LARGE_WORDS = {
    "no",
    "n",
    "false",
    "0",
    "large",
    "large business",
    "large enterprise",
    "not sme",
    "non sme",
    "not an sme",
    "na",  # Welsh "na" (no); "n/a" is read as empty before this
    "mawr",  # Welsh "mawr" (large)
}


def supplier_size(value: str | None) -> str | None:
    """``sme``, ``large`` or ``unknown`` for a size cell; ``None`` when it cannot be read.

    SME follows the UK definition (fewer than 250 staff, and turnover up to €50m or balance
    sheet up to €43m): micro, small and medium are SMEs, large is not; ``yes``/``no`` answer
    "is it an SME?". An empty cell is ``unknown``.
    """
    if value is None:
        return "unknown"
    words = " ".join(_words(value))
    if not words:
        return "unknown"
    if words in _SME_WORDS:
        return "sme"
    if words in _LARGE_WORDS:
        return "large"
    return None


_SIC_CODE = re.compile(r"(?<!\d)(\d{4,5})(?!\d)")


def sic_codes(value: str | None) -> tuple[list[str], list[str]]:
    """The SIC 2007 codes in a cell, and the parts that are not codes.

    Codes are five digits; a four-digit code is one whose leading zero a spreadsheet dropped
    (``1110`` → ``01110``). Text beside a code (``62020 - IT consultancy``) is allowed; a cell
    with text and no code gives that text back as unreadable.
    """
    if value is None or not value.strip():
        return [], []
    codes = [code.zfill(5) for code in _SIC_CODE.findall(value)]
    if codes:
        return sorted(set(codes)), []
    return [], [value.strip()]


# --- reading --------------------------------------------------------------------------------


def _find_headings(raw: RawLedger) -> tuple[int, dict[str, str], list[Problem]] | None:
    """The index of the heading row in ``raw.records``, the chosen field per role, and notes
    about roles found twice; ``None`` when no row in the first rows names a supplier column."""
    fields = raw.field_names
    head = raw.records.head(HEADING_SEARCH_ROWS)
    for index, row in enumerate(head.select(fields).iter_rows()):
        chosen: dict[str, str] = {}
        labels: dict[str, str] = {}
        notes: list[Problem] = []
        for field_id, cell in zip(fields, row, strict=True):
            role = recognise_heading(cell)
            if role is None:
                continue
            label = str(cell).strip()
            if role in chosen:
                notes.append(
                    _problem(
                        "role_twice",
                        first=labels[role],
                        second=label,
                        role=ROLE_NAMES[role],
                    )
                )
                continue
            chosen[role] = field_id
            labels[role] = label
        if "name" in chosen:
            return index, {role: f"{chosen[role]}\x1f{labels[role]}" for role in chosen}, notes
    return None


def read_supplier_list(content: bytes) -> SupplierListRead:
    """Read an uploaded supplier list (see the module's description).

    Raises :class:`SupplierListError` when the file is not a readable table, has no column of
    supplier names, nothing to add to them, or no rows.
    """
    try:
        tables = read_ledger_source(content, max_bytes=MAX_LIST_BYTES)
    except LedgerFileError as error:
        raise SupplierListError(error.problem) from error
    found = None
    for raw in tables:
        headings = _find_headings(raw)
        if headings is not None:
            found = (raw, headings)
            break
    if found is None:
        raise SupplierListError(_problem("no_name_column", lines=HEADING_SEARCH_ROWS))
    raw, (heading_index, chosen, notes) = found
    if len(chosen) < 2:
        raise SupplierListError(_problem("nothing_to_add"))
    if raw.sheet_name is not None and len(tables) > 1:
        notes.append(_problem("sheet_chosen", sheet=raw.sheet_name))
    notes = [*raw.notes, *notes]
    fields = {role: value.split("\x1f", 1)[0] for role, value in chosen.items()}
    columns = {role: value.split("\x1f", 1)[1] for role, value in chosen.items()}

    heading_line = int(raw.records["line_number"][heading_index])
    rows = raw.records.slice(heading_index + 1)
    # Blank lines (every cell empty) are skipped silently, as a spreadsheet's trailing rows.
    cell_fields = raw.field_names
    rows = rows.filter(~pl.all_horizontal(pl.col(f).is_null() for f in cell_fields))
    if rows.height == 0:
        raise SupplierListError(_problem("no_rows", line=heading_line))

    def text(role: str) -> pl.Expr:
        if role not in fields:
            return pl.lit(None, dtype=pl.String)
        return ledger_values.clean_text(pl.col(fields[role]).cast(pl.String))

    cleaned = rows.select(
        pl.col("line_number").cast(pl.Int64),
        name=text("name"),
        company_number=ledger_values.company_number(text("company_number")),
        vat_number=ledger_values.vat_number(text("vat_number")),
        postcode=ledger_values.postcode(text("postcode")),
        size_text=text("size"),
        sic_text=text("sic_codes"),
    )
    cleaned = cleaned.with_columns(
        normalise_supplier_names(cleaned["name"]).struct.field("normalised_name")
    )
    rejected = [
        (int(line), _problem("name_missing"))
        for line in cleaned.filter(pl.col("normalised_name").is_null())["line_number"]
    ]
    kept = cleaned.filter(pl.col("normalised_name").is_not_null())

    # Sizes and SIC cells repeat a few values over many rows: each distinct value is read
    # once and the results are joined back by value.
    sizes = kept["size_text"].drop_nulls().unique().to_list()
    sics = kept["sic_text"].drop_nulls().unique().to_list()
    sic_read = [sic_codes(value) for value in sics]
    size_table = pl.DataFrame(
        {"size_text": sizes, "size": [supplier_size(value) for value in sizes]},
        schema={"size_text": pl.String, "size": pl.String},
    )
    sic_table = pl.DataFrame(
        {
            "sic_text": sics,
            "sic_codes": [codes for codes, _bad in sic_read],
            "sic_unreadable": [bad[0] if bad else None for _codes, bad in sic_read],
        },
        schema={
            "sic_text": pl.String,
            "sic_codes": pl.List(pl.String),
            "sic_unreadable": pl.String,
        },
    )
    kept = (
        kept.join(size_table, on="size_text", how="left")
        .join(sic_table, on="sic_text", how="left")
        .with_columns(
            size=pl.when(pl.col("size_text").is_null()).then(pl.lit("unknown")).otherwise("size")
        )
        .sort("line_number")
    )
    line_notes: list[tuple[int, Problem]] = [
        (line, _problem("size_unreadable", value=str(value)[:80]))
        for line, value in kept.filter(pl.col("size").is_null())
        .select("line_number", "size_text")
        .iter_rows()
    ]
    line_notes += [
        (line, _problem("sic_unreadable", value=str(value)[:80]))
        for line, value in kept.filter(pl.col("sic_unreadable").is_not_null())
        .select("line_number", "sic_unreadable")
        .iter_rows()
    ]
    line_notes.sort(key=lambda note: note[0])
    kept = kept.with_columns(
        pl.col("size").fill_null("unknown"),
        pl.col("sic_codes").fill_null(pl.lit([], dtype=pl.List(pl.String))),
    )
    entries = kept.select(
        "line_number",
        "name",
        "normalised_name",
        "company_number",
        "vat_number",
        "postcode",
        "size",
        "sic_codes",
    )
    return SupplierListRead(
        entries=entries,
        columns=columns,
        rejected=tuple(rejected),
        line_notes=tuple(line_notes),
        notes=tuple(notes),
    )
