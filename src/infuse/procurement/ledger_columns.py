"""Recognise what each column of a spend ledger holds, from its heading and its contents.

Councils publish "spend over £500" under one code (the Local Government Transparency Code) but
in dozens of layouts: ``Supplier Name``, ``SupplierName``, ``Vendor Name``, ``MCH.MERCHANT NAME``,
``Supplier (Beneficiary) Name`` and Gateshead's ``Supplier ID(T)`` (which holds names) all mean
the supplier. This module proposes, for each field of the canonical schema (a *role*), the column
that holds it, with a confidence, and says when a required role is missing or ambiguous so a
person can confirm the mapping. Pure: no Django, no database.

How a column is scored for a role:

* Heading: the heading is normalised (camelCase split, punctuation removed, typos such as
  ``Directotate`` or ``Catergory`` corrected against the vocabulary with RapidFuzz) and matched
  against ordered patterns; the first pattern that matches gives a score in [0, 1], or vetoes
  the role (``Cost Element`` is never the amount, whatever its contents).
* Contents: a profile of the first rows (share of dates, amounts, codes, text, C/R values …)
  gives a score in [0, 1] for the role.
* Together: ``0.6 × heading + 0.4 × contents``; a column with no heading match can take only
  the roles that contents alone can show (date, amount, supplier name, capital/revenue,
  postcode), at ``0.4 × contents``.

Roles are then assigned greedily, best score first, one column per role and one role per column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl
from rapidfuzz import fuzz, process

from .ledger_messages import LedgerFileError, Problem, gettext_noop, message
from .ledger_values import (
    TIME_ONLY_PATTERN,
    classify_date_texts,
    clean_text,
    is_redacted_name,
    parse_amounts,
)

# --- the roles ------------------------------------------------------------------------------

ROLE_LABELS: dict[str, str] = {
    "payment_date": gettext_noop("payment date"),
    "supplier_name": gettext_noop("supplier name"),
    "supplier_id": gettext_noop("supplier reference"),
    "company_number": gettext_noop("company number"),
    "vat_number": gettext_noop("VAT registration number"),
    "amount": gettext_noop("amount"),
    "vat_amount": gettext_noop("VAT amount"),
    "department": gettext_noop("department or service area"),
    "expense_type": gettext_noop("expense type"),
    "category_code": gettext_noop("category code"),
    "category_label": gettext_noop("category"),
    "transaction_ref": gettext_noop("transaction number"),
    "invoice_ref": gettext_noop("invoice number"),
    "description": gettext_noop("description"),
    "postcode": gettext_noop("postcode"),
    "capital_or_revenue": gettext_noop("capital or revenue"),
}
"""Every role a column can play, with the English label a person sees (translatable)."""

ROLES = tuple(ROLE_LABELS)
REQUIRED_ROLES = ("payment_date", "supplier_name", "amount")
"""Roles a spend ledger must have; if one is missing or ambiguous the mapping is uncertain."""

CONTENT_ONLY_ROLES = frozenset(
    {"payment_date", "amount", "supplier_name", "capital_or_revenue", "postcode"}
)
HEADING_WEIGHT, CONTENT_WEIGHT = 0.6, 0.4
ASSIGN_THRESHOLD = 0.35
CERTAIN_THRESHOLD = 0.55
AMBIGUITY_MARGIN = 0.1
CONTRADICTION_BELOW, CONTRADICTION_FACTOR = 0.2, 0.7
VETO = -1.0
PROFILE_ROWS = 500
HEADING_SEARCH_ROWS = 50

_SUPPLIER = r"(?:supplier|vendor|beneficiary|merchant|payee|creditor|contractor|recipient|trader)"
_SUPPLIER_OR_COMPANY = (
    r"(?:supplier|vendor|beneficiary|merchant|payee|creditor|contractor|recipient|trader|company)"
)
_ID_WORDS = r"(?:id|ref|reference|code|number|no|num|account|urn|identifier)"
_NOT_A_CODE = r"\b(?:code|uri|url|id)\b(?!.*\b(?:description|name|label)\b)"

# role -> ordered (pattern on the normalised heading, score); the first match wins.
HEADING_PATTERNS: dict[str, tuple[tuple[str, float], ...]] = {
    "payment_date": (
        (
            r"\b(?:effective|updated|update|created|entered|input|due|report|reporting|"
            r"received|approved|start|end|expiry)\s+date\b|\bdate\s+(?:updated|created|"
            r"entered|received|approved)\b",
            0.3,
        ),
        (
            r"\b(?:paid|payment|pay|transaction|trans|txn|clearing|cleared|posting|posted|"
            r"voucher|spend|purchase|process|processed|cheque|bacs)\s+date\b",
            1.0,
        ),
        (r"\bdate\s+(?:paid|of payment|of transaction|of spend|of purchase)\b", 1.0),
        (r"^date$", 0.95),
        (r"\b(?:invoice|document|doc|value)\s+date\b", 0.7),
        (r"\bdate\b", 0.6),
        (
            r"^(?:period|month|payment period|accounting period|pay period|financial period|"
            r"period paid|posting period)$",
            0.6,
        ),
        (r"\bperiod\b", 0.4),
    ),
    "supplier_name": (
        (rf"\b{_SUPPLIER}\b.*\bname\b", 1.0),
        (rf"\b{_SUPPLIER}\b.*\b{_ID_WORDS}\b", 0.6),
        (rf"^(?:mch\s+)?{_SUPPLIER}s?$", 0.95),
        (rf"\b{_SUPPLIER_OR_COMPANY}\b", 0.7),
        (r"^(?:paid to|payable to|name of payee)$", 0.8),
    ),
    "supplier_id": (
        (r"\b(?:vat|company number|companies house|crn|category|classification)\b", VETO),
        (rf"\b{_SUPPLIER}\b.*\b{_ID_WORDS}\b", 1.0),
    ),
    "company_number": (
        (
            r"\b(?:company|companies house|registered company|company registration|co)\s+"
            r"(?:reg\s+)?(?:number|no|num|id|registration|reg)\b",
            1.0,
        ),
        (r"^(?:crn|company reg|companies house)$|\bcompanies house\b", 1.0),
    ),
    "vat_number": ((r"\bvat\s+(?:reg|registration|registered|number|no|num|id)\b", 1.0),),
    "amount": (
        (r"\b(?:purpose|description|reason|narrative|details)\b", VETO),
        (
            r"\b(?:code|id|ref|reference|number|no|date|element|centre|center|type|category|"
            r"name|account|uri|period|count|quantity|qty|rate|percent|percentage)\b"
            r"(?!.*\b(?:amount|value)\b)",
            VETO,
        ),
        (r"\bgross\b", 0.75),  # net of VAT is what the Transparency Code asks for
        (r"\bamount\b", 1.0),
        (r"\b(?:value|total|net|nett|spend|sum|debit|gbp)\b", 0.8),
        (r"^(?:paid|payment|cost|expenditure)$", 0.7),
    ),
    "vat_amount": (
        (r"\bvat\s+(?:reg|registration|registered|number|no|num|id|code|rate)\b", VETO),
        (r"\bvat\s+(?:amount|value|total|paid)\b|\b(?:irrecoverable|recoverable)\s+vat\b", 1.0),
        (r"\bvat\b", 0.85),
        (r"^tax$|\btax\s+amount\b", 0.6),
    ),
    "department": (
        (r"\b(?:uri|url|code|id)\b", VETO),
        (
            r"\b(?:service area|department|dept|expense area|organisational unit|"
            r"organisation unit|organizational unit|business unit|responsible unit|"
            r"service division)\b",
            1.0,
        ),
        (r"\bdirectorate\b", 0.9),
        (r"\bservice\b(?!.*\b(?:category|expenditure|analysis)\b)", 0.8),
        (r"\b(?:division|portfolio|section|team|unit)\b", 0.6),
        (r"\bcost\s+cent(?:re|er)\s+(?:name|description)\b", 0.6),
        (r"\bcost\s+cent(?:re|er)\b", 0.4),
        (r"^entity$", 0.4),
    ),
    "expense_type": (
        (_NOT_A_CODE, VETO),
        (r"\bdetailed\s+expenditure\s+type\b", 0.6),
        (
            r"\b(?:expense|expenses|expenditure|spend|cost|account|subjective|nominal|ledger)\s+"
            r"(?:type|category|description|group|head|name|heading|analysis)\b",
            1.0,
        ),
        (r"\b(?:expenditure|expense|account)\b.*\bdescription\b", 0.9),
        (r"\btype of (?:expenditure|expense|spend)\b", 0.9),
        (r"^(?:account|account name|subjective|nominal|expense|expenditure)$", 0.7),
    ),
    "category_code": (
        (r"\b(?:description|label|name|uri)\b", VETO),
        (r"\b(?:proclass|cpv)\s+code\b", 1.0),
        (r"\bdetailed\s+expenditure\s+code\b", 0.95),
        (
            r"\b(?:proclass|cpv|sercop|merchant category|mcc|category|expenditure|expense|"
            r"account|nominal|subjective|ledger|gl)\b.*\bcode\b",
            0.9,
        ),
        (r"^(?:mcc|cpv|gl code|nominal code)$", 0.8),
        (r"\bcost\s+element\b", 0.7),
    ),
    "category_label": (
        (_NOT_A_CODE, VETO),
        (
            r"\b(?:proclass|cpv|procurement)\s+(?:label|description|name|classification|"
            r"category)\b|\bprocurement\s+classification\b",
            1.0,
        ),
        (r"\b(?:category|classification)\s+(?:label|description|name|internal name)\b", 0.9),
        (r"\b(?:proclass|cpv)\b", 0.8),
        (r"\bdetailed\s+expenditure\s+type\b|\baccount\s+code\s+description\b", 0.8),
        (r"\bcategory\b", 0.6),
    ),
    "transaction_ref": (
        (
            rf"\b{_SUPPLIER_OR_COMPANY}\b|\b(?:invoice|vat|cost|po|purchase order|order|"
            r"seq|sequence|line)\b",
            VETO,
        ),
        (
            r"\b(?:transaction|trans|txn|document|doc|payment|voucher|journal|posting|batch|"
            r"remittance)\s*(?:number|no|num|ref|reference|id|identifier)\b",
            1.0,
        ),
        (
            r"^(?:reference|ref|internal ref|internal reference|our ref|document|transaction|"
            r"ref no|reference number|unique id|id)$",
            0.8,
        ),
        (r"\b(?:ref|reference)\b", 0.5),
    ),
    "invoice_ref": (
        (r"\binvoice\s*(?:number|no|num|ref|reference|id)\b", 1.0),
        (r"^invoice$", 0.8),
    ),
    "description": (
        (
            r"\bpurpose\s+of\s+spend\b|\b(?:transaction|payment|spend|line|invoice|item)\s+"
            r"(?:description|narrative|details)\b",
            1.0,
        ),
        (
            r"\b(?:code|account|cost cent(?:re|er)|service|category|group|expenditure)\b.*"
            r"\b(?:description|name)\b",
            VETO,
        ),
        (r"\b(?:description|purpose|narrative|details|particulars|reason|comments?|memo)\b", 0.8),
    ),
    "postcode": ((r"\bpost\s*code\b|\bpostal code\b|\bzip\b", 1.0),),
    "capital_or_revenue": (
        (r"\bcap(?:ital)?\s*(?:or|and)?\s*rev(?:enue)?\b", 1.0),
        (r"\b(?:capital|revenue)\b", 0.7),
        (r"^type$|\btype of (?:expenditure|expense|spend)\b|^expenditure type$", 0.5),
    ),
}

_COMPILED_PATTERNS = {
    role: tuple((re.compile(pattern), score) for pattern, score in patterns)
    for role, patterns in HEADING_PATTERNS.items()
}
_VOCABULARY = sorted(
    {
        word
        for patterns in HEADING_PATTERNS.values()
        for pattern, _score in patterns
        for word in re.findall(r"[a-z]{5,}", re.sub(r"\\[a-zA-Z]", " ", pattern))
    }
)
_VAT_EXCLUDED = re.compile(
    r"\b(?:net of|excl|excluding|excludes|exclusive|ex|before|less|without)\b"
)


def normalise_heading(heading: str | None) -> str:
    """A heading as lower-case words: ``BeneficiaryName`` → ``beneficiary name``,
    ``FIN.TRANSACTION DATE`` → ``fin transaction date``, ``Directotate`` → ``directorate``."""
    if not heading:
        return ""
    text = heading.replace("\ufeff", "").replace("ï»¿", "")
    text = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", text)
    text = text.lower().replace("&", " and ")
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    return " ".join(_correct_spelling(word) for word in words)


def _correct_spelling(word: str) -> str:
    if len(word) < 6 or word in _VOCABULARY:
        return word
    match = process.extractOne(word, _VOCABULARY, scorer=fuzz.ratio, score_cutoff=85)
    # Only a slip of a letter or two: "departmental" is a word, not a typo for "department".
    if match and abs(len(match[0]) - len(word)) <= 1:
        return str(match[0])
    return word


def heading_role_scores(heading: str | None) -> dict[str, float]:
    """Score in [0, 1] for every role the heading suggests, or ``VETO`` (−1) where it rules one
    out. Roles the heading says nothing about are absent."""
    normalised = normalise_heading(heading)
    scores: dict[str, float] = {}
    if not normalised:
        return scores
    for role, patterns in _COMPILED_PATTERNS.items():
        for pattern, score in patterns:
            if pattern.search(normalised):
                scores[role] = score
                break
    if re.search(r"\bvat\b", normalised):
        if _VAT_EXCLUDED.search(normalised):  # "Total (excludes VAT)" is the net amount
            scores["vat_amount"] = VETO
        elif scores.get("amount", 0.0) > 0:  # "IrrecoverableVATAmount" is the VAT
            scores["amount"] = scores["amount"] * 0.3
    return scores


# --- the heading row ------------------------------------------------------------------------

_DATA_LIKE = re.compile(
    r"^(?:[£(\-−+]?\s*(?:£\s*)?[\d][\d,. ]*\)?-?|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}.*|"
    r"\d{1,2}[- ][A-Za-z]{3,9}[- ]\d{2,4}|\d{1,2}:\d{2}(?::\d{2})?)$"
)


def _cells(row: Sequence[str | None]) -> list[str]:
    return [cell.strip() for cell in row if cell is not None and cell.strip()]


def locate_heading_row(rows: Sequence[Sequence[str | None]]) -> int | None:
    """The index (in ``rows``, the first records of a file) of the row of column headings.

    Found by content, so title lines, notes and blank lines before it are skipped: the row whose
    cells look most like headings (cells that name a role, score 2 each; any cell, 0.1) and least
    like data (numbers or dates, −3 each). Returns ``None`` for a file without headings whose
    first row is already data. Raises :class:`LedgerFileError` when there is no table.
    """
    best_index, best_score = -1, 0.0
    for index, row in enumerate(rows[:HEADING_SEARCH_ROWS]):
        cells = _cells(row)
        if len(cells) < 2:
            continue
        data_like = sum(1 for cell in cells if _DATA_LIKE.match(cell))
        if data_like > 1:
            continue
        naming = sum(
            1 for cell in cells if max(heading_role_scores(cell).values(), default=0.0) >= 0.5
        )
        score = 2.0 * naming + 0.1 * len(cells) - 3.0 * data_like
        if naming and score > best_score:
            best_index, best_score = index, score
    if best_index >= 0:
        return best_index
    # No row names a role: the first row of text followed by a row of data is taken as the
    # headings (the mapping will be uncertain); a first row of data means no headings at all.
    tabular = [i for i, row in enumerate(rows[:HEADING_SEARCH_ROWS]) if len(_cells(row)) >= 2]
    if tabular:
        first = tabular[0]
        if _data_cells(rows[first]) >= 2:
            return None
        if len(tabular) > 1 and _data_cells(rows[tabular[1]]) >= 1:
            return first
    raise LedgerFileError(message("no_table", lines=min(len(rows), HEADING_SEARCH_ROWS)))


def _data_cells(row: Sequence[str | None]) -> int:
    return sum(1 for cell in _cells(row) if _DATA_LIKE.match(cell))


# --- the contents of a column ---------------------------------------------------------------

_CODE = r"^[A-Za-z0-9][A-Za-z0-9_./\-]*(?:\s?[-/]\s?[A-Za-z0-9_./\-]+)?$"
_CAPITAL_OR_REVENUE = r"(?i)^(?:c|r|cap|rev|capital|revenue)(?: expenditure| spend)?$"
_POSTCODE = r"(?i)^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$"
_VAT_NUMBER = r"(?i)^(?:GB)?\s?\d{3}\s?\d{4}\s?\d{2}(?:\d{3})?$"
_COMPANY_NUMBER = r"(?i)^(?:\d{6,8}|[A-Z]{2}\d{6})$"
_SERIAL_DAY = r"^\d{5}(?:\.0+)?$"


@dataclass(frozen=True)
class ColumnProfile:
    """What the first rows of one column look like; every share is of its non-empty cells."""

    non_empty: int
    distinct_share: float = 0.0
    date_share: float = 0.0
    period_share: float = 0.0
    time_only_share: float = 0.0
    serial_share: float = 0.0
    amount_share: float = 0.0
    pence_share: float = 0.0
    letters_share: float = 0.0
    code_share: float = 0.0
    capital_or_revenue_share: float = 0.0
    postcode_share: float = 0.0
    vat_number_share: float = 0.0
    company_number_share: float = 0.0


def profile_column(values: pl.Series) -> ColumnProfile:
    """Profile a column's sample values (text as read), with vectorised Polars expressions."""
    cleaned = pl.DataFrame({"raw": values}).select(clean_text(pl.col("raw")).alias("text"))
    present = cleaned.filter(pl.col("text").is_not_null())
    total = present.height
    if total == 0:
        return ColumnProfile(non_empty=0)
    text = pl.col("text")
    amounts = parse_amounts(present["text"])
    dates = classify_date_texts(present["text"])
    shares = (
        present.with_columns(amounts["problem"].alias("amount_problem"))
        .select(
            (text.n_unique() / total).alias("distinct_share"),
            (pl.col("amount_problem").is_null().sum() / total).alias("amount_share"),
            (text.str.contains(r"\.\d{1,2}\)?\s*-?$").sum() / total).alias("pence_share"),
            (text.str.contains(r"[A-Za-z].*[A-Za-z]").sum() / total).alias("letters_share"),
            (
                (
                    (text.str.contains(_CODE) & text.str.contains(r"\d")) | is_redacted_name(text)
                ).sum()
                / total
            ).alias("code_share"),
            (text.str.contains(_CAPITAL_OR_REVENUE).sum() / total).alias(
                "capital_or_revenue_share"
            ),
            (text.str.contains(_POSTCODE).sum() / total).alias("postcode_share"),
            (text.str.contains(_VAT_NUMBER).sum() / total).alias("vat_number_share"),
            (text.str.contains(_COMPANY_NUMBER).sum() / total).alias("company_number_share"),
            (text.str.contains(_SERIAL_DAY).sum() / total).alias("serial_share"),
            (text.str.contains(TIME_ONLY_PATTERN).sum() / total).alias("time_only_share"),
        )
        .row(0, named=True)
    )
    full_dates = dates.select(
        (pl.col("payment_date").is_not_null() & ~pl.col("period_only")).sum()
    ).item()
    periods = dates.select(pl.col("period_only").sum()).item()
    return ColumnProfile(
        non_empty=total,
        date_share=full_dates / total,
        period_share=periods / total,
        **{name: float(value) for name, value in shares.items()},
    )


def content_score(role: str, profile: ColumnProfile, *, heading_matched: bool) -> float:
    """How well a column's contents fit ``role``, in [0, 1]."""
    if profile.non_empty == 0:
        return 0.0
    not_other_kinds = (1 - profile.capital_or_revenue_share) * (1 - profile.date_share)
    text_like = profile.letters_share * not_other_kinds
    if role == "payment_date":
        serial = profile.serial_share if heading_matched else 0.0
        score = profile.date_share + profile.period_share + profile.time_only_share + serial
    elif role in ("amount", "vat_amount"):
        score = profile.amount_share
    elif role == "supplier_name":
        # Without a heading, many different values tell suppliers from departments.
        variety = 1.0 if heading_matched else min(1.0, 10 * profile.distinct_share)
        score = text_like * variety
    elif role in ("supplier_id", "transaction_ref", "invoice_ref", "category_code"):
        score = profile.code_share
    elif role == "company_number":
        score = profile.company_number_share
    elif role == "vat_number":
        score = profile.vat_number_share
    elif role == "postcode":
        score = profile.postcode_share
    elif role == "capital_or_revenue":
        score = profile.capital_or_revenue_share
    else:  # department, expense_type, category_label, description
        score = text_like
    return min(score, 1.0)


def _content_alone_fits(role: str, profile: ColumnProfile) -> bool:
    """Whether contents alone may claim ``role`` for a column whose heading says nothing."""
    if role not in CONTENT_ONLY_ROLES:
        return False
    if role == "payment_date":
        return profile.date_share + profile.period_share >= 0.9
    if role == "amount":
        return profile.pence_share >= 0.2
    return True


# --- the mapping ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceColumn:
    """A column of the table in the file.

    ``position`` is 0-based among the fields of a record, counting blank leading columns, so it
    is stable for every file of the same layout; ``name`` is the heading as written (trimmed) or
    ``None`` for an unnamed column; ``label`` is what to show a person.
    """

    position: int
    name: str | None
    sample_values: tuple[str | None, ...] = ()

    @property
    def label(self) -> str:
        """The heading, or ``column N`` (1-based) for an unnamed column."""
        return self.name if self.name else f"column {self.position + 1}"


@dataclass(frozen=True)
class RoleGuess:
    """Which column plays ``role``, how sure the engine is (0–1), and on what evidence
    (``heading``, ``content``, ``heading+content`` or ``explicit``)."""

    role: str
    position: int
    column_label: str
    confidence: float
    evidence: str


@dataclass(frozen=True)
class MappingProposal:
    """The proposed column for each role, and whether a person should confirm it.

    ``uncertain_roles`` lists the required roles (payment date, supplier name, amount) that are
    missing or ambiguous; ``problems`` says so in words for the mapping form.
    """

    roles: Mapping[str, RoleGuess]
    uncertain_roles: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = field(default=())

    @property
    def uncertain(self) -> bool:
        """Whether a required role is missing or ambiguous."""
        return bool(self.uncertain_roles)

    def positions(self) -> dict[str, int]:
        """``{role: column position}``: a mapping :func:`propose_mapping` accepts back."""
        return {role: guess.position for role, guess in self.roles.items()}

    def labels(self) -> dict[str, str]:
        """``{role: column label}`` for display and for remembering per body."""
        return {role: guess.column_label for role, guess in self.roles.items()}


ColumnReference = int | str | None
"""A column in an explicit mapping: its 0-based position, its heading, or ``None`` (absent)."""


def resolve_explicit_mapping(
    mapping: Mapping[str, ColumnReference], columns: Sequence[SourceColumn]
) -> dict[str, int | None]:
    """``{role: position or None}`` for a mapping given by a person or remembered for a body.

    Headings match exactly (trimmed), then after normalisation (so ``SupplierName`` finds
    ``Supplier Name``). Raises :class:`LedgerFileError` for an unknown role, a column the file
    does not have, or one column given two roles.
    """
    by_position = {column.position: column for column in columns}
    resolved: dict[str, int | None] = {}
    for role, reference in mapping.items():
        if role not in ROLE_LABELS:
            raise LedgerFileError(message("mapping_unknown_role", role=str(role)))
        if reference is None:
            resolved[role] = None
            continue
        position = _find_column(reference, columns, by_position)
        if position is None:
            raise LedgerFileError(
                message("mapping_column_missing", role=ROLE_LABELS[role], column=str(reference))
            )
        resolved[role] = position
    seen: dict[int, str] = {}
    for role, position in resolved.items():
        if position is None:
            continue
        if position in seen:
            raise LedgerFileError(
                message(
                    "mapping_column_twice",
                    column=by_position[position].label,
                    role=ROLE_LABELS[seen[position]],
                    other_role=ROLE_LABELS[role],
                )
            )
        seen[position] = role
    return resolved


def _find_column(
    reference: int | str, columns: Sequence[SourceColumn], by_position: Mapping[int, SourceColumn]
) -> int | None:
    if isinstance(reference, int) and not isinstance(reference, bool):
        return reference if reference in by_position else None
    wanted = str(reference).strip()
    for column in columns:
        if column.name is not None and column.name.strip() == wanted:
            return column.position
    normalised = normalise_heading(wanted)
    for column in columns:
        if normalised and normalise_heading(column.name) == normalised:
            return column.position
    for column in columns:  # "column 3", as labels name unnamed columns
        if column.label == wanted:
            return column.position
    return None


def propose_mapping(
    columns: Sequence[SourceColumn],
    profiles: Mapping[int, ColumnProfile],
    explicit: Mapping[str, int | None] | None = None,
) -> MappingProposal:
    """Propose a column for each role.

    ``profiles`` maps column position to :class:`ColumnProfile`. ``explicit`` (from
    :func:`resolve_explicit_mapping`) overrides the guess for the roles it names (``None`` = the
    file has no such column); the other roles are guessed among the remaining columns.
    """
    explicit = dict(explicit or {})
    by_position = {column.position: column for column in columns}
    roles: dict[str, RoleGuess] = {
        role: RoleGuess(role, position, by_position[position].label, 1.0, "explicit")
        for role, position in explicit.items()
        if position is not None
    }
    taken_positions = {guess.position for guess in roles.values()}
    scores = _score_all(columns, profiles)
    order = {role: index for index, role in enumerate((*REQUIRED_ROLES, *ROLES))}
    candidates = sorted(
        (
            (score, role, position, evidence)
            for (role, position), (score, evidence) in scores.items()
            if score >= ASSIGN_THRESHOLD
        ),
        key=lambda item: (-item[0], order[item[1]], item[2]),
    )
    for score, role, position, evidence in candidates:
        if role in roles or role in explicit or position in taken_positions:
            continue
        roles[role] = RoleGuess(
            role, position, by_position[position].label, round(score, 3), evidence
        )
        taken_positions.add(position)

    uncertain = []
    for role in REQUIRED_ROLES:
        if role in explicit:
            continue
        guess = roles.get(role)
        if guess is None or guess.confidence < CERTAIN_THRESHOLD:
            uncertain.append(role)
            continue
        rivals = [
            score
            for (rival_role, position), (score, evidence) in scores.items()
            if rival_role == role and position != guess.position and "heading" in evidence
        ]
        if rivals and max(rivals) >= guess.confidence - AMBIGUITY_MARGIN:
            uncertain.append(role)
    problems = tuple(
        message("mapping_required_missing", role=ROLE_LABELS[role]) for role in uncertain
    )
    return MappingProposal(roles=roles, uncertain_roles=tuple(uncertain), problems=problems)


def _score_all(
    columns: Sequence[SourceColumn], profiles: Mapping[int, ColumnProfile]
) -> dict[tuple[str, int], tuple[float, str]]:
    """``{(role, position): (score, evidence)}`` for every role a column could play."""
    scores: dict[tuple[str, int], tuple[float, str]] = {}
    for column in columns:
        profile = profiles.get(column.position, ColumnProfile(non_empty=0))
        heading = heading_role_scores(column.name)
        for role in ROLES:
            heading_score = heading.get(role, 0.0)
            if heading_score == VETO:
                continue
            content = content_score(role, profile, heading_matched=heading_score > 0)
            if heading_score > 0:
                score = HEADING_WEIGHT * heading_score + CONTENT_WEIGHT * content
                evidence = "heading+content" if content > 0 else "heading"
                if profile.non_empty and content < CONTRADICTION_BELOW:
                    # The heading says one thing, the contents another (Gateshead's
                    # "Supplier ID(T)" holds names): trust the heading less.
                    score *= CONTRADICTION_FACTOR
            elif _content_alone_fits(role, profile):
                score, evidence = CONTENT_WEIGHT * content, "content"
            else:
                continue
            scores[(role, column.position)] = (score, evidence)
    return scores
