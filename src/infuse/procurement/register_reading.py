"""Reading a council's contracts register (CSV or spreadsheet) into contracts. Pure: no Django.

English councils publish a contracts register under the Local Government Transparency Code 2015
(part 2, "Contracts": reference, title, description, supplier, company number, SME or
voluntary-sector flag, value, start, end, review dates, procurement procedure); Welsh councils
often publish one too. Layouts differ, so the columns are recognised by the words of their
headings (:func:`recognise_heading`): Salford's ``Contract Reference``, ``Supplier Company
Name``, ``Total Contract Value (including extensions)``, ``Current Expiry Date`` and
``ProClass Classification`` are read, and so are other registers with similar headings.

The file is read by the spend-ledger reader (:func:`~.ledger_reading.read_ledger_source`: any
common encoding, a garbled byte-order mark such as Salford's ``ï»¿`` removed, CSV, XLSX or ODS,
gzipped or not) and its values by the ledger's cleaners and parsers
(:mod:`~.ledger_values`: amounts, dates, company numbers, postcodes), so a value reads the same
here as in a ledger.

What comes out (:class:`RegisterRead`): one :class:`RegisterRow` per contract line, with the
line number a text editor shows; rows without a title, description or reference are rejected
with their line number and reason; a value or date that cannot be read is noted against its
line and left empty, never guessed. A file that is not a register (no row of headings naming a
title and at least two of reference, supplier, value and dates) is refused with
:class:`RegisterFileError`.

Each row becomes an OCDS-shaped compiled release (:func:`compiled_release`), so the contract
pages, the pipeline and the red flags read register contracts as they read OCDS ones. The
register says nothing OCDS would need a guess for: a ProClass code is kept as a ProClass item
classification (``scheme: "ProClass"``), never turned into a CPV code, and the procedure is kept
as the publisher wrote it (``procurementMethodDetails``), not mapped to an OCDS method.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from . import ledger_values
from .ledger_messages import LedgerFileError, Problem, gettext_noop
from .ledger_reading import RawLedger, read_ledger_source
from .supplier_lists import supplier_size

__all__ = [
    "HEADING_SEARCH_ROWS",
    "MAX_REGISTER_BYTES",
    "RegisterFileError",
    "RegisterRead",
    "RegisterRow",
    "assign_ocids",
    "compiled_release",
    "looks_like_json",
    "read_register",
    "recognise_heading",
]

MAX_REGISTER_BYTES = 100 * 1024 * 1024
HEADING_SEARCH_ROWS = 20
"""Rows searched for the headings (exports often start with a title line or two)."""

MESSAGE_TEMPLATES: dict[str, str] = {
    "not_register": gettext_noop(
        "The file is not a contracts register: no line in the first %(lines)s has headings "
        "for a contract title and at least two of reference, supplier, value, start date and "
        "end date."
    ),
    "register_no_rows": gettext_noop("The register has headings (line %(line)s) but no rows."),
    "register_no_contract": gettext_noop(
        "Line %(line)s has no contract title, description or reference, so it was left out."
    ),
    "register_nothing": gettext_noop(
        "None of the %(rows)s lines after the headings has a contract title, description or "
        "reference, so there is nothing to import."
    ),
    "register_value_unreadable": gettext_noop(
        "Line %(line)s: %(column)s “%(value)s” is not a sum of money; it was left empty."
    ),
    "register_date_unreadable": gettext_noop(
        "Line %(line)s: %(column)s “%(value)s” is not a date; it was left empty."
    ),
    "register_references_repeated": gettext_noop(
        "%(count)s references are on more than one line (lots or extensions of one contract, "
        "for example %(examples)s); each line is kept as a contract of its own."
    ),
}

ROLES = (
    "reference",
    "title",
    "description",
    "supplier",
    "supplier_postcode",
    "company_number",
    "annual_value",
    "total_value",
    "start",
    "end",
    "expiry",
    "proclass",
    "proclass_description",
    "cpv",
    "sme",
    "procedure",
    "department",
    "buyer",
    "ojeu",
    "duration_months",
    "extension_months",
    "extensions",
    "extension_taken",
)
_EVIDENCE_ROLES = ("reference", "supplier", "total_value", "annual_value", "start", "end", "expiry")


def _problem(code: str, **params: str | int) -> Problem:
    return Problem(code=code, template=MESSAGE_TEMPLATES[code], params=params)


class RegisterFileError(Exception):
    """A file that cannot be read as a contracts register; ``problem`` says why, for a person."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.text())
        self.problem = problem


# --- headings -------------------------------------------------------------------------------


def _words(heading: str) -> list[str]:
    text = heading.replace("\ufeff", "").replace("ï»¿", "").lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", " ", text).split()


def recognise_heading(heading: str | None) -> str | None:
    """The role (one of :data:`ROLES`) a register heading names, or ``None``.

    Most specific first, by words: ``ProClass`` (code, or its description), ``CPV``, ``SME``,
    ``postcode``, a company or registration *number*, ``OJEU``/``FTS``, the extension columns,
    ``current``/``revised``/``extended`` end or expiry (the end after extensions), a
    ``duration``, ``annual``/``per annum`` values, other values (``value``, ``cost``,
    ``amount``, ``price``), start and end dates, the reference, supplier, title, description,
    procedure, directorate and buyer.
    """
    if not heading:
        return None
    words = _words(heading)
    if not words:
        return None
    w = set(words)
    joined = " ".join(words)
    if "proclass" in w:
        return "proclass_description" if {"description", "desc", "name"} & w else "proclass"
    if "cpv" in w:
        return "cpv"
    if "sme" in w or "vcse" in w:
        return "sme"
    if "postcode" in w or re.search(r"\bpost(?:al)? code\b", joined):
        return "supplier_postcode"
    if "crn" in w or (
        {"company", "companies", "registration", "registered"} & w
        and {"number", "no", "num", "reg", "registration"} & w
        and "name" not in w
    ):
        return "company_number"
    if {"ojeu", "fts", "ojue"} & w or "find a tender" in joined:
        return "ojeu"
    if re.search(r"\bextensions? \d+\b", joined) or ("taken" in w and "extension" in w):
        return "extension_taken"
    if "how many extensions" in joined or joined in ("extensions", "number of extensions"):
        return "extensions"
    if {"extend", "extension", "extensions"} & w and {"option", "options", "months"} & w:
        return "extension_months"
    if {"current", "revised", "extended", "latest"} & w and {"end", "expiry", "expires"} & w:
        return "expiry"
    if "duration" in w or ("term" in w and "months" in w):
        return "duration_months"
    money = {"value", "cost", "amount", "price", "spend", "budget"} & w
    if money and ({"annual", "annually", "yearly", "year", "pa"} & w or "per annum" in joined):
        return "annual_value"
    if money:
        return "total_value"
    if {"start", "commencement", "commence", "commences", "begins"} & w:
        return "start"
    if {"end", "expiry", "expires", "finish", "termination"} & w:
        return "end"
    if {"reference", "ref", "refno"} & w or joined in (
        "contract id",
        "contract number",
        "contract no",
        "id",
    ):
        return "reference"
    if {"supplier", "contractor", "provider", "vendor", "suppliers"} & w or "awarded to" in joined:
        return "supplier"
    if {"title", "subject"} & w or joined in ("contract name", "name of contract", "contract"):
        return "title"
    if {"description", "scope", "details"} & w:
        return "description"
    if {"procedure", "process", "route"} & w or joined in ("procurement method", "method"):
        return "procedure"
    if {"directorate", "department", "service"} & w:
        return "department"
    if {"buyer", "purchasing", "authority", "organisation"} & w:
        return "buyer"
    return None


def _find_headings(raw: RawLedger) -> tuple[int, dict[str, str], dict[str, str]] | None:
    """The heading row's index, the field holding each role and each role's heading; the first
    column wins a role, except that a *total* value beats a value found before it."""
    fields = raw.field_names
    for index, row in enumerate(raw.records.head(HEADING_SEARCH_ROWS).select(fields).iter_rows()):
        chosen: dict[str, str] = {}
        labels: dict[str, str] = {}
        for field_id, cell in zip(fields, row, strict=True):
            role = recognise_heading(cell)
            if role is None:
                continue
            label = str(cell).replace("ï»¿", "").replace("\ufeff", "").strip()
            if role == "extension_taken":
                role = f"extension_taken_{sum(r.startswith('extension_taken') for r in chosen) + 1}"
            elif role in chosen:
                better_total = role == "total_value" and "total" in _words(label)
                if not better_total or "total" in _words(labels[role]):
                    continue
            chosen[role] = field_id
            labels[role] = label
        has_title = bool({"title", "description"} & set(chosen))
        if has_title and sum(role in chosen for role in _EVIDENCE_ROLES) >= 2:
            return index, chosen, labels
    return None


# --- rows -----------------------------------------------------------------------------------

# UTF-8 punctuation whose lead byte (E2) was lost on the way, leaving two C1 characters:
# Salford's "Bramall Court \x80\x93 affordable" is "Bramall Court – affordable".
_LOST_LEAD_BYTE = {
    "\x80\x93": "–",
    "\x80\x94": "—",
    "\x80\x98": "‘",
    "\x80\x99": "’",
    "\x80\x9c": "“",
    "\x80\x9d": "”",
    "\x80\xa6": "…",
}


@dataclass(frozen=True)
class RegisterRow:
    """One contract line of a register; text is cleaned, ``None`` when not given.

    ``contract_end`` is the end that stands now: the current expiry when the register gives
    one (extensions taken), else the end date. Values are pounds as published.
    """

    line_number: int
    reference: str | None
    title: str | None
    description: str | None
    supplier: str | None
    supplier_postcode: str | None
    company_number: str | None
    annual_value: Decimal | None
    total_value: Decimal | None
    start: date | None
    end: date | None
    expiry: date | None
    proclass: str | None
    proclass_description: str | None
    cpv: str | None
    sme: str  # "sme", "large" or "unknown"
    procedure: str | None
    department: str | None
    buyer: str | None
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def contract_end(self) -> date | None:
        return self.expiry or self.end

    @property
    def display_title(self) -> str:
        return self.title or self.description or self.reference or ""


@dataclass(frozen=True)
class RegisterRead:
    """A register as read: its rows, the heading of each recognised role, rows left out and
    notes against lines (``(line, problem)`` pairs), notes about the whole file, and how the
    bytes were read."""

    rows: tuple[RegisterRow, ...]
    columns: dict[str, str]
    heading_line: int
    encoding: str | None
    rejected: tuple[tuple[int, Problem], ...] = ()
    line_notes: tuple[tuple[int, Problem], ...] = ()
    notes: tuple[Problem, ...] = ()

    def problems(self) -> list[Problem]:
        """Every note and rejection, file notes first, then by line."""
        by_line = sorted([*self.rejected, *self.line_notes], key=lambda item: item[0])
        return [*self.notes, *(problem for _line, problem in by_line)]


def looks_like_json(content: bytes) -> bool:
    """Whether the bytes start (after a byte-order mark and spaces) like JSON: OCDS, not a
    register."""
    head = content[:64].lstrip(b"\xef\xbb\xbf").lstrip()
    return head[:1] in (b"{", b"[")


def _text(fields: dict[str, str], role: str) -> pl.Expr:
    if role not in fields:
        return pl.lit(None, dtype=pl.String)
    column = pl.col(fields[role]).cast(pl.String)
    column = column.str.replace_many(list(_LOST_LEAD_BYTE), list(_LOST_LEAD_BYTE.values()))
    # Line breaks written out as the two characters "\n" by an export step.
    column = column.str.replace_all(r"\\n", " ", literal=True)
    return ledger_values.clean_text(column)


def read_register(content: bytes) -> RegisterRead:
    """Read a contracts register (see the module's description); raises
    :class:`RegisterFileError` when the file is not a readable register."""
    try:
        tables = read_ledger_source(content, max_bytes=MAX_REGISTER_BYTES)
    except LedgerFileError as error:
        raise RegisterFileError(error.problem) from error
    found = None
    for raw in tables:
        headings = _find_headings(raw)
        if headings is not None:
            found = (raw, headings)
            break
    if found is None:
        raise RegisterFileError(_problem("not_register", lines=HEADING_SEARCH_ROWS))
    raw, (heading_index, fields, labels) = found
    heading_line = int(raw.records["line_number"][heading_index])
    rows = raw.records.slice(heading_index + 1)
    rows = rows.filter(~pl.all_horizontal(pl.col(f).is_null() for f in raw.field_names))
    if rows.height == 0:
        raise RegisterFileError(_problem("register_no_rows", line=heading_line))

    texts = rows.select(
        pl.col("line_number").cast(pl.Int64),
        *(_text(fields, role).alias(role) for role in fields),
    )
    line_notes: list[tuple[int, Problem]] = []
    lines = texts["line_number"].to_list()
    money: dict[str, list[Any]] = {}
    for role in ("annual_value", "total_value"):
        if role not in fields:
            money[role] = [None] * texts.height
            continue
        read = ledger_values.parse_amounts(texts[role])
        money[role] = read["amount"].to_list()
        for line, value, problem in zip(lines, texts[role], read["problem"], strict=True):
            if problem in ("amount_unreadable", "amount_too_large"):
                line_notes.append(
                    (
                        line,
                        _problem(
                            "register_value_unreadable",
                            line=line,
                            column=labels[role],
                            value=str(value)[:80],
                        ),
                    )
                )
    dates: dict[str, list[Any]] = {}
    for role in ("start", "end", "expiry"):
        if role not in fields:
            dates[role] = [None] * texts.height
            continue
        read = ledger_values.parse_dates(texts[role], allow_serial=raw.sheet_name is not None)
        dates[role] = read["payment_date"].to_list()
        for line, value, unreadable in zip(lines, texts[role], read["unreadable"], strict=True):
            if unreadable:
                line_notes.append(
                    (
                        line,
                        _problem(
                            "register_date_unreadable",
                            line=line,
                            column=labels[role],
                            value=str(value)[:80],
                        ),
                    )
                )
    identifiers = texts.select(
        company_number=ledger_values.company_number(_col(texts, "company_number")),
        supplier_postcode=ledger_values.postcode(_col(texts, "supplier_postcode")),
    )
    extra_roles = [
        role
        for role in fields
        if role.startswith("extension") or role in ("ojeu", "duration_months")
    ]
    kept: list[RegisterRow] = []
    rejected: list[tuple[int, Problem]] = []
    records = texts.to_dicts()
    for position, row in enumerate(records):
        line = int(row["line_number"])
        if not (row.get("title") or row.get("description") or row.get("reference")):
            rejected.append((line, _problem("register_no_contract", line=line)))
            continue
        kept.append(
            RegisterRow(
                line_number=line,
                reference=row.get("reference"),
                title=row.get("title"),
                description=row.get("description"),
                supplier=row.get("supplier"),
                supplier_postcode=identifiers["supplier_postcode"][position],
                company_number=_company_number(identifiers["company_number"][position]),
                annual_value=money["annual_value"][position],
                total_value=money["total_value"][position],
                start=dates["start"][position],
                end=dates["end"][position],
                expiry=dates["expiry"][position],
                proclass=row.get("proclass"),
                proclass_description=row.get("proclass_description"),
                cpv=_cpv(row.get("cpv")),
                sme=supplier_size(row.get("sme")) or "unknown",
                procedure=row.get("procedure"),
                department=row.get("department"),
                buyer=row.get("buyer"),
                extras={labels[r]: row[r] for r in extra_roles if row.get(r)},
            )
        )
    if not kept:
        raise RegisterFileError(_problem("register_nothing", rows=len(records)))
    line_notes.sort(key=lambda note: note[0])
    notes: list[Problem] = list(raw.notes)
    counts = Counter(r.reference for r in kept if r.reference)
    repeated = sorted(reference for reference, count in counts.items() if count > 1)
    if repeated:
        notes.append(
            _problem(
                "register_references_repeated",
                count=len(repeated),
                examples=", ".join(repeated[:5]),
            )
        )
    return RegisterRead(
        rows=tuple(kept),
        columns={role: labels[role] for role in fields},
        heading_line=heading_line,
        encoding=raw.encoding,
        rejected=tuple(rejected),
        line_notes=tuple(line_notes),
        notes=tuple(notes),
    )


def _col(frame: pl.DataFrame, role: str) -> pl.Expr:
    return pl.col(role) if role in frame.columns else pl.lit(None, dtype=pl.String)


def _company_number(value: str | None) -> str | None:
    """A Companies House number (8 characters after padding), else ``None``: registers also
    put charity numbers, "N/A" and two companies in one cell in this column."""
    if value and re.fullmatch(r"(?:\d{8}|[A-Z]{2}\d{6})", value):
        return value
    return None


def _cpv(value: str | None) -> str | None:
    if not value:
        return None
    found = re.search(r"\b(\d{8})(?:-\d)?\b", value)
    return found.group(1) if found else None


# --- keys and compiled releases -------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:80]


def _fingerprint(row: RegisterRow) -> str:
    identity = "|".join(
        (row.title or "", row.description or "", row.supplier or "", str(row.start or ""))
    ).lower()
    return hashlib.sha256(identity.encode()).hexdigest()[:8]


def assign_ocids(
    rows: tuple[RegisterRow, ...] | list[RegisterRow], body_code: str
) -> list[tuple[str, RegisterRow]]:
    """An ocid-like key for each row, ``register-<body>-<reference>``.

    A reference on one line only is the key as it is, so next month's register updates the
    same contract. A reference on several lines (lots, extensions) gets a fingerprint of the
    line's title, description, supplier and start date after it, and a line with no reference
    a fingerprint alone: stable when other lines are added or reordered. Lines alike in all of
    those (Salford's lines 38 and 39, one contract recorded twice with different values) are
    numbered ``-2``, ``-3`` in file order, and all kept: nothing published is dropped.
    """
    counts = Counter(row.reference for row in rows if row.reference)
    keyed: list[tuple[str, RegisterRow]] = []
    seen: Counter[str] = Counter()
    prefix = f"register-{_slug(body_code)}"
    for row in rows:
        if row.reference and counts[row.reference] == 1:
            ocid = f"{prefix}-{_slug(row.reference)}"
        elif row.reference:
            ocid = f"{prefix}-{_slug(row.reference)}-{_fingerprint(row)}"
        else:
            ocid = f"{prefix}-line-{_fingerprint(row)}"
        seen[ocid] += 1
        if seen[ocid] > 1:
            ocid = f"{ocid}-{seen[ocid]}"
        keyed.append((ocid[:200], row))
    return keyed


def _amount(value: Decimal | None) -> dict[str, Any] | None:
    return None if value is None else {"amount": float(value), "currency": "GBP"}


def _drop_empty(value: dict[str, Any]) -> dict[str, Any]:
    return {key: item for key, item in value.items() if item not in (None, "", {}, [])}


def compiled_release(row: RegisterRow, ocid: str, *, buyer: str) -> dict[str, Any]:
    """The row as an OCDS 1.1 compiled release (only what the register says), with the
    register's own columns under ``register`` (the line, annual value, original end date,
    ProClass code, SME flag and extension columns as written)."""
    buyer_name = row.buyer or buyer
    supplier_id = (
        f"GB-COH-{row.company_number}" if row.company_number else f"supplier-{_slug(ocid)}"
    )
    parties: list[dict[str, Any]] = [{"id": "buyer", "name": buyer_name, "roles": ["buyer"]}]
    if row.supplier:
        parties.append(
            _drop_empty(
                {
                    "id": supplier_id,
                    "name": row.supplier,
                    "roles": ["supplier"],
                    "identifier": {"scheme": "GB-COH", "id": row.company_number}
                    if row.company_number
                    else None,
                    "address": {"postalCode": row.supplier_postcode}
                    if row.supplier_postcode
                    else None,
                    "details": {"scale": row.sme} if row.sme != "unknown" else None,
                }
            )
        )
    period = _drop_empty(
        {
            "startDate": row.start.isoformat() if row.start else None,
            "endDate": row.contract_end.isoformat() if row.contract_end else None,
        }
    )
    items = (
        [
            {
                "id": "1",
                "classification": _drop_empty(
                    {
                        "scheme": "ProClass",
                        "id": row.proclass,
                        "description": row.proclass_description,
                    }
                ),
            }
        ]
        if row.proclass
        else []
    )
    tender = _drop_empty(
        {
            "id": row.reference or ocid,
            "title": row.display_title,
            "description": row.description,
            "procurementMethodDetails": row.procedure,
            "classification": {"scheme": "CPV", "id": row.cpv} if row.cpv else None,
            "items": items,
        }
    )
    suppliers = [{"id": supplier_id, "name": row.supplier}] if row.supplier else []
    award = _drop_empty(
        {
            "id": "1",
            "title": row.display_title,
            "suppliers": suppliers,
            "value": _amount(row.total_value),
            "contractPeriod": period,
        }
    )
    contract = _drop_empty(
        {
            "id": "1",
            "awardID": "1",
            "title": row.display_title,
            "value": _amount(row.total_value),
            "period": period,
        }
    )
    register = _drop_empty(
        {
            "line": row.line_number,
            "reference": row.reference,
            "annual_value": float(row.annual_value) if row.annual_value is not None else None,
            "end_date": row.end.isoformat() if row.end else None,
            "current_expiry": row.expiry.isoformat() if row.expiry else None,
            "proclass": row.proclass,
            "proclass_description": row.proclass_description,
            "sme": row.sme,
            "company_number": row.company_number,
            "supplier_postcode": row.supplier_postcode,
            "department": row.department,
            "procedure": row.procedure,
            "columns": dict(row.extras),
        }
    )
    return {
        "ocid": ocid,
        "id": f"{ocid}-register",
        "tag": ["compiled"],
        "initiationType": "tender",
        "buyer": {"id": "buyer", "name": buyer_name},
        "parties": parties,
        "tender": tender,
        "awards": [award],
        "contracts": [contract],
        "register": register,
    }
