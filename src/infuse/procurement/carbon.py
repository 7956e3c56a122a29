"""Supply-chain carbon from spend ledgers: the spend-based method, computed by DuckDB.

Pure of Django: give it a :class:`~infuse.warehouse.store.Store` (or a session of it), the live
files, a :class:`CarbonMethod` (factor set, exclusion rules, supplier overrides, deflator) and a
filter; get plain results back. The method, with its sources, is written in
``docs/procurement/carbon.md``; in short, for each ledger line::

    in scope?     no exclusion rule matches (refunds, grants, salaries, pensions, payments to
                  other public bodies, internal recharges...) — excluded spend is reported
    SIC           the line's ProClass code through PROCLASS_TO_SIC (reference/data/proclass_sic.csv), else a KEYWORD_RULES match
                  over the ledger's own expense type and category label, else unclassified
    factor        the factor set's kgCO2e per £ for that SIC code (base-year prices), or its
                  median factor when unclassified
    spend         the amount as published (net of recoverable VAT, as the Local Government
                  Transparency Code 2015 asks), at base-year prices: × D(base) / D(spend year)
                  with the GDP deflator D (DEFLATOR)
    kgCO2e        spend × factor, or spend × the supplier's own intensity (tier 2 or 3)

Results are in tonnes of CO2e (tCO2e = kgCO2e / 1000). Every figure is one SQL statement over
the ``lines`` view, so it can be traced to the lines (:func:`carbon_lines`) and the factor
used for each.
"""

from __future__ import annotations

import csv
import io
import math
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from .spend_queries import CATEGORY, DEPARTMENT, SUPPLIER, LinesSource, SpendFilter

# --- reading a factor set ------------------------------------------------------------------


class FactorSetError(ValueError):
    """A factor file Infuse cannot use; the message is for a person (English, translated by
    the caller through :attr:`code`)."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.code = code
        self.template = message
        self.params = params


@dataclass(frozen=True)
class Factor:
    code: str  # the set's own SIC code or group, e.g. "62", "10.2 -3", "23OTHER"
    description: str
    kgco2e_per_gbp: float


CODE_HEADINGS = ("sic_code", "sic", "sic code", "sic 2007", "code", "industry code")
FACTOR_HEADINGS = (
    "ghg_kgco2e_per_gbp",
    "kgco2e_per_gbp",
    "ghg (kgco2e per £)",
    "kgco2e per £",
    "kgco2e/£",
    "factor",
    "emission factor",
)
DESCRIPTION_HEADINGS = ("description", "sic description", "industry", "name", "title")
MAX_FACTOR_KG_PER_GBP = 100.0  # no industry emits 100 kg per £; a larger value is a unit slip


def _heading(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text or "").strip().lower())


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # A SIC code typed as a number (12, 10.1) comes back as a float: 12.0 reads as "12".
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _rows_of(content: bytes, file_name: str) -> list[list[str]]:
    name = file_name.lower()
    if (
        content[:2] == b"PK"
        or content[:4] == b"\xd0\xcf\x11\xe0"
        or name.endswith((".ods", ".xlsx", ".xls"))
    ):
        import python_calamine

        try:
            workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
            cells = workbook.get_sheet_by_index(0).to_python()
        except Exception as error:  # calamine raises its own types on malformed files
            raise FactorSetError(
                "unreadable", "The file could not be read as a spreadsheet."
            ) from error
        return [[_cell_text(v) for v in row] for row in cells]
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise FactorSetError("unreadable", "The file is not text in a known encoding.")
    if "\x00" in text:
        raise FactorSetError("unreadable", "The file is not a CSV or spreadsheet of factors.")
    try:
        return [row for row in csv.reader(io.StringIO(text))]
    except csv.Error as error:
        raise FactorSetError(
            "unreadable", "The file is not a CSV or spreadsheet of factors."
        ) from error


def _is_factor_heading(cell: str) -> bool:
    heading = _heading(cell)
    return heading in FACTOR_HEADINGS or ("kgco2e" in heading and "£" in heading)


def read_factor_set(content: bytes, file_name: str) -> tuple[list[Factor], list[str]]:
    """The factors of a CSV, XLSX or ODS file, and notes on rows left out.

    The file needs a SIC code column and a kgCO2e-per-£ column, recognised by their headings
    (``sic_code``/``SIC``/``Code`` and ``ghg_kgco2e_per_gbp``/``kgCO2e per £``/``GHG (kgCO2e
    per £)``...) in any of its first ten rows. DEFRA's ODS, whose code and description columns
    have no heading, is read by position: the code is the first column, the description the
    second. Raises :class:`FactorSetError` when nothing usable is found.
    """
    rows = _rows_of(content, file_name)
    if not rows:
        raise FactorSetError("empty", "The file is empty.")
    header_at, factor_col, code_col, description_col = -1, -1, -1, -1
    for index, row in enumerate(rows[:10]):
        cells = [_heading(c) for c in row]
        found = [i for i, c in enumerate(row) if _is_factor_heading(c)]
        if found:
            header_at, factor_col = index, found[0]
            code_col = next((i for i, c in enumerate(cells) if c in CODE_HEADINGS), 0)
            description_col = next(
                (i for i, c in enumerate(cells) if c in DESCRIPTION_HEADINGS),
                1 if code_col == 0 and factor_col > 1 else -1,
            )
            break
    if header_at < 0:
        raise FactorSetError(
            "no_factor_column",
            "No column of kgCO2e per £ was found (a heading such as 'ghg_kgco2e_per_gbp' or "
            "'kgCO2e per £').",
        )
    factors: list[Factor] = []
    notes: list[str] = []
    seen: set[str] = set()
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        code = str(row[code_col]).strip() if code_col < len(row) else ""
        value = str(row[factor_col]).strip() if factor_col < len(row) else ""
        if not code and not value:
            continue
        if not re.match(r"^\d{2}", code):
            notes.append(f"line {number}: no SIC code, left out")
            continue
        try:
            factor = float(value.replace(",", ""))
        except ValueError:
            notes.append(f"line {number}: factor {value!r} is not a number, left out")
            continue
        if not math.isfinite(factor) or factor < 0 or factor > MAX_FACTOR_KG_PER_GBP:
            notes.append(f"line {number}: factor {value} is out of range, left out")
            continue
        if code in seen:
            notes.append(f"line {number}: SIC code {code} repeated, left out")
            continue
        seen.add(code)
        description = (
            str(row[description_col]).strip()
            if 0 <= description_col < len(row) and description_col != factor_col
            else ""
        )
        factors.append(Factor(code, description[:300], factor))
    if not factors:
        raise FactorSetError("no_factors", "No row has both a SIC code and a factor.")
    return factors, notes


# --- SIC codes of a factor set -------------------------------------------------------------


def covered_codes(code: str) -> tuple[str, ...]:
    """The SIC 2007 codes (division ``dd`` or group/class ``dd.d``/``dd.dd``) a factor row of a
    set covers, read from the set's own notation: ``62`` → (``62``,); ``10.2 -3`` → (``10.2``,
    ``10.3``); ``11.01-6`` → (``11.01`` … ``11.06``); ``68.2IMP`` → (``68.2``,); ``23OTHER``,
    ``20A`` → (``23``,), (``20``,) (a part of the division, used only through the division)."""
    text = code.strip().upper().replace(" ", "")
    match = re.fullmatch(r"(\d{2})\.(\d+)-(\d+)", text)
    if match:
        division, first, last = match.groups()
        width = len(first)
        stem = first[: -len(last)] if len(last) < width else ""
        start, end = int(first[-len(last) :] if stem else first), int(last)
        return tuple(f"{division}.{stem}{n:0{len(last)}d}" for n in range(start, end + 1))
    match = re.fullmatch(r"(\d{2}(?:\.\d+)?)(?:IMP)?", text)
    if match:
        return (match.group(1),)
    match = re.fullmatch(r"(\d{2})[A-Z]+", text)
    if match:
        return (match.group(1),)
    return ()


def factor_lookup(factors: Sequence[Factor]) -> dict[str, tuple[float, str]]:
    """SIC code → (kgCO2e per £, the set's code or codes used). A group code maps to its row;
    a division maps to its own row, else to the unweighted mean of the rows within it (DEFRA
    splits some divisions: 10, 20, 23, 24, 25, 30, 33, 35, 42, 68)."""
    exact: dict[str, tuple[float, str]] = {}
    within: dict[str, list[Factor]] = {}
    for factor in factors:
        for sic in covered_codes(factor.code):
            if "." in sic:
                exact.setdefault(sic, (factor.kgco2e_per_gbp, factor.code))
            members = within.setdefault(sic[:2], [])
            if factor not in members:
                members.append(factor)
    for division, rows in within.items():
        plain = [f for f in rows if f.code.strip() == division]
        if plain:
            exact[division] = (plain[0].kgco2e_per_gbp, plain[0].code)
        else:
            mean = statistics.fmean(f.kgco2e_per_gbp for f in rows)
            exact[division] = (mean, " + ".join(f.code for f in rows))
    return exact


def average_factor(factors: Sequence[Factor]) -> float:
    """The factor given to unclassified spend: the median of the set's factors. A median, not
    a mean, so one extreme industry (DEFRA 2022's wholesale trade, 3.9 kg/£) does not set the
    figure for spend nobody could classify."""
    return float(statistics.median(f.kgco2e_per_gbp for f in factors))


# --- category -> SIC ------------------------------------------------------------------------


@dataclass(frozen=True)
class CrossWalk:
    proclass: str  # a ProClass code prefix: two digits (level 1) or four (level 2)
    category: str  # the ProClass heading, the category the return reports
    sic: str  # SIC 2007 code as DEFRA's 2022 set writes it
    why: str


PROCLASS_SIC_FILE = Path(__file__).resolve().parents[1] / "reference" / "data" / "proclass_sic.csv"


def read_proclass_to_sic(path: Path = PROCLASS_SIC_FILE) -> tuple[CrossWalk, ...]:
    """The ProClass vC17.1 → SIC 2007 cross-walk, reference data written for this method (no
    official cross-walk exists; the method is in the file's heading): each level-1 heading maps
    to the SIC division or group whose products make up most of what a council buys under it,
    and level-2 headings whose goods differ have their own row. A line's code matches its
    longest prefix; ``why`` is shown beside each line."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return tuple(
            CrossWalk(row["prefix"], row["category"], row["sic"], row["why"]) for row in rows
        )


PROCLASS_TO_SIC = read_proclass_to_sic()


@dataclass(frozen=True)
class KeywordRule:
    pattern: str  # a case-insensitive regular expression over expense type and category label
    category: str
    sic: str
    why: str


KEYWORD_RULES: tuple[KeywordRule, ...] = (
    KeywordRule(r"electric", "Utilities", "35.1", "electricity"),
    KeywordRule(r"\bgas\b", "Utilities", "35.2-3", "gas supply"),
    KeywordRule(r"\bwater\b|sewer", "Utilities", "36", "water supply"),
    KeywordRule(r"\bfuel|petrol|diesel|heating oil", "Vehicle Management", "19", "refined petroleum products"),
    KeywordRule(r"vehicle|fleet|tyre", "Vehicle Management", "45", "vehicle repair and maintenance"),
    KeywordRule(r"waste|refuse|recycl|landfill", "Environmental Services", "38", "waste services"),
    KeywordRule(r"grounds|landscap|horticult|parks", "Horticultural", "81", "landscape services"),
    KeywordRule(r"construct|repair|maintenance|building works|capital works|highway", "Works - Construction, Repair & Maintenance", "42.99", "construction and repair works"),
    KeywordRule(r"agency staff|temporary staff|staffing|locum|recruit", "Human Resources", "78", "employment services"),
    KeywordRule(r"training|conference|course", "Human Resources", "85", "education and training"),
    KeywordRule(r"travel|subsistence|hotel|accommodation", "Human Resources", "79", "travel services"),
    KeywordRule(r"software|licen[cs]e|computer|\bict\b|\bit\b|hardware", "Information Communication Technology", "62", "computer services"),
    KeywordRule(r"telephon|mobile|telecom|broadband", "Information Communication Technology", "61", "telecommunications"),
    KeywordRule(r"postage|courier|royal mail", "Mail Services", "53", "postal services"),
    KeywordRule(r"print|stationery|paper", "Stationery", "17", "paper products"),
    KeywordRule(r"food|catering|provisions|meals", "Catering", "56", "food and beverage services"),
    KeywordRule(r"clean", "Cleaning & Janitorial", "81", "cleaning services"),
    KeywordRule(r"furniture", "Furniture & Soft Furnishings", "31", "furniture"),
    KeywordRule(r"legal|solicitor|barrister|counsel", "Legal Services", "69.1", "legal services"),
    KeywordRule(r"consultan|professional fees|advisory", "Consultancy", "70", "management consultancy"),
    KeywordRule(r"insurance", "Financial Services", "65.1-2", "insurance"),
    KeywordRule(r"residential care|nursing|care home", "Social Community Care", "87", "residential care"),
    KeywordRule(r"domiciliary|home care|social care|supported living|care package", "Social Community Care", "88", "social work without accommodation"),
    KeywordRule(r"school transport|bus|coach|taxi|transport", "Passenger Transport", "49.3-5", "land passenger transport"),
    KeywordRule(r"rent|lease|property", "Housing Management", "68.3", "real estate services"),
    KeywordRule(r"equipment|materials|supplies", "Health & Safety", "32", "other manufactured goods"),
)  # fmt: skip
"""Keyword rules over the ledger's own words (its expense type and category label, which
most spend files carry even without a ProClass code), tried in order when the line has no
ProClass code. Written for this method from the headings in the Transparency-Code files in
``shared/data/spend``; each maps to the same SIC code as the ProClass heading it names."""


# --- prices ---------------------------------------------------------------------------------

DEFLATOR_SOURCE = (
    "HM Treasury, GDP deflators at market prices, and money GDP (Quarterly National Accounts), "
    "calendar years, from ONS series MNF2; rebased here to 2022 = 100 and rounded to one "
    "decimal; 2025–2030 are OBR forecasts or, beyond them, 2 per cent a year. "
    "https://www.gov.uk/government/collections/gdp-deflators-at-market-prices-and-money-gdp"
)
DEFLATOR: dict[int, float] = {
    2015: 83.7,
    2016: 85.3,
    2017: 87.0,
    2018: 88.7,
    2019: 90.6,
    2020: 95.3,
    2021: 95.1,
    2022: 100.0,
    2023: 107.2,
    2024: 111.5,
    2025: 115.2,
    2026: 117.8,
    2027: 120.2,
    2028: 122.6,
    2029: 125.0,
    2030: 127.5,
}
"""GDP deflator index by calendar year (2022 = 100); see :data:`DEFLATOR_SOURCE`. A year
outside the table takes the nearest year's value."""


def price_ratio(spend_year: int | None, base_year: int, deflator: dict[int, float]) -> float:
    """Multiply spend of ``spend_year`` by this to express it at ``base_year`` prices."""
    if spend_year is None or not deflator:
        return 1.0

    def index(year: int) -> float:
        nearest = min(deflator, key=lambda y: (abs(y - year), y))
        return deflator[nearest]

    return index(base_year) / index(spend_year)


# --- exclusions and overrides ---------------------------------------------------------------

EXCLUSION_FIELDS = (
    "supplier_name",
    "expense_type",
    "category_label",
    "category_code",
    "description",
    "department",
)

NEGATIVE = "negative_amount"


@dataclass(frozen=True)
class ExclusionRule:
    key: str  # stable: "standard:grants" or "rule:12"
    field: str  # one of EXCLUSION_FIELDS, or NEGATIVE (no pattern)
    pattern: str
    reason: str  # what is excluded, in English (a msgid for the standard rules)
    bodies: tuple[str, ...] = ()  # the bodies it applies to; empty: every body


STANDARD_EXCLUSIONS: tuple[ExclusionRule, ...] = (
    ExclusionRule("standard:refunds", NEGATIVE, "", "Refunds and credit notes"),
    ExclusionRule("standard:salaries", "expense_type", r"salar|wages|payroll|national insurance|employer'?s? (ni|contrib)", "Salaries and staff costs"),
    ExclusionRule("standard:pensions", "expense_type", r"pension|superannuation", "Pensions"),
    ExclusionRule("standard:pension-code", "category_code", r"^20181", "Pensions"),
    ExclusionRule("standard:grants", "expense_type", r"grant|donation|subscriptions? to", "Grants"),
    ExclusionRule("standard:grant-code", "category_code", r"^2017", "Grants"),
    ExclusionRule("standard:refund-code", "category_code", r"^2019", "Refunds and credit notes"),
    ExclusionRule("standard:public-bodies", "supplier_name", r"\bcouncil\b|\bcyngor\b|county borough|police|fire (and|&) rescue|\bnhs\b|health board|hm revenue|hmrc|welsh government|llywodraeth cymru|department for|ministry of|\bdwp\b", "Payments to other public bodies"),
    ExclusionRule("standard:recharges", "expense_type", r"recharge|internal|inter.?departmental|contra", "Internal recharges"),
    ExclusionRule("standard:tax", "expense_type", r"\bvat\b|business rates|council tax|precept|levy", "Taxes, rates and levies"),
)  # fmt: skip
"""The rules every body starts from; each body can switch any of them off and add its own.
After the Welsh Government's Welsh Public Sector Net Zero Reporting Guide (2022, supply
chain section): spend that buys no goods or services (pay, pensions, grants, transfers to
other public bodies, taxes, refunds) is not supply-chain spend."""


@dataclass(frozen=True)
class SupplierIntensity:
    """A supplier's own emissions per £ replacing the spend-based factor for its spend.

    ``names``: the supplier's spellings in the body's ledgers (its cluster); ``tier`` 3 when
    the supplier reported it (its emissions over its revenue, or its own intensity), 2 when an
    analyst took it from average data for what the supplier sells."""

    key: str
    body_code: str
    names: tuple[str, ...]
    kgco2e_per_gbp: float
    tier: int
    label: str


TIER_SPEND = 1
TIER_AVERAGE = 2
TIER_SUPPLIER = 3

# Stated uncertainty (half-width of the range, as a share of the figure) by how the figure was
# made; see docs/procurement/carbon.md for where each comes from.
UNCERTAINTY: dict[str, float] = {
    "supplier": 0.10,  # tier 3
    "average": 0.30,  # tier 2
    "category": 0.50,  # tier 1, classified
    "unclassified": 1.00,  # tier 1, the set's median factor
}


@dataclass(frozen=True)
class CarbonMethod:
    factors: tuple[Factor, ...]
    base_year: int
    exclusions: tuple[ExclusionRule, ...] = STANDARD_EXCLUSIONS
    overrides: tuple[SupplierIntensity, ...] = ()
    deflator: dict[int, float] = field(default_factory=lambda: dict(DEFLATOR))
    factor_set_label: str = ""
    # Spend with each supplier (its spellings) scaled, for scenarios: (body, names, multiplier).
    spend_multipliers: tuple[tuple[str, tuple[str, ...], float], ...] = ()

    def cache_token(self) -> str:
        return repr(
            (
                self.factors,
                self.base_year,
                self.exclusions,
                self.overrides,
                sorted(self.deflator.items()),
                self.spend_multipliers,
            )
        )


# --- the calculation ------------------------------------------------------------------------


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _values(name: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]) -> str:
    """A CTE ``name`` holding ``rows`` as SQL literals (reference tables are small)."""

    def literal(value: Any, kind: str) -> str:
        if value is None:
            return f"NULL::{kind}"
        if kind == "VARCHAR":
            return _sql_text(str(value))
        if kind == "DOUBLE":
            return f"{float(value)!r}::DOUBLE"
        return f"{int(value)}::{kind}"

    names = ", ".join(c for c, _kind in columns)
    if not rows:
        nulls = ", ".join(f"NULL::{kind} AS {c}" for c, kind in columns)
        return f"{name} AS (SELECT {nulls} WHERE FALSE)"
    body = ", ".join(
        "(" + ", ".join(literal(v, kind) for v, (_c, kind) in zip(row, columns, strict=True)) + ")"
        for row in rows
    )
    return f"{name}({names}) AS (VALUES {body})"


def _reference_sql(method: CarbonMethod) -> str:
    lookup = factor_lookup(method.factors)
    text, number, integer = "VARCHAR", "DOUBLE", "BIGINT"
    ctes = [
        _values(
            "c_crosswalk",
            [("prefix", text), ("category", text), ("sic", text), ("why", text)],
            [(c.proclass, c.category, c.sic, c.why) for c in PROCLASS_TO_SIC],
        ),
        _values(
            "c_keywords",
            [("idx", integer), ("category", text), ("sic", text), ("why", text)],
            [(i, k.category, k.sic, k.why) for i, k in enumerate(KEYWORD_RULES)],
        ),
        _values(
            "c_reasons",
            [("idx", integer), ("reason", text)],
            [(i, r.reason) for i, r in enumerate(method.exclusions)],
        ),
        _values(
            "c_factors",
            [("sic", text), ("factor", number), ("factor_code", text)],
            [(sic, v[0], v[1]) for sic, v in lookup.items()],
        ),
        _values(
            "c_deflator",
            [("year", integer), ("ratio", number)],
            [(y, price_ratio(y, method.base_year, method.deflator)) for y in method.deflator],
        ),
        _values(
            "c_overrides",
            [
                ("body_code", text),
                ("supplier_name", text),
                ("intensity", number),
                ("tier", integer),
                ("override_key", text),
            ],
            [
                (o.body_code, n, o.kgco2e_per_gbp, o.tier, o.key)
                for o in method.overrides
                for n in o.names
            ],
        ),
        _values(
            "c_multipliers",
            [("body_code", text), ("supplier_name", text), ("multiplier", number)],
            [(m[0], n, m[2]) for m in method.spend_multipliers for n in m[1]],
        ),
    ]
    return ", ".join(ctes)


def _case(rules: Iterable[tuple[str, str]], default: str = "NULL") -> str:
    """CASE WHEN condition THEN value ... END from (condition, value) pairs of SQL text."""
    parts = [f"WHEN {condition} THEN {value}" for condition, value in rules]
    return f"CASE {' '.join(parts)} ELSE {default} END" if parts else default


def _index_case(conditions: Sequence[tuple[int, str]]) -> str:
    """CASE giving the index of the first condition that holds (NULL when none does)."""
    return _case(((condition, str(index)) for index, condition in conditions))


# Columns that the classes CTE holds (one row per distinct body, code, expense type and label):
# exclusion rules on them are tried there; rules on other columns get a CTE of their own.
CLASS_COLUMNS = {"category_code": "cc", "expense_type": "et", "category_label": "cl"}


@dataclass(frozen=True)
class _Exclusions:
    class_index: str  # SQL over the classes CTE: the first matching rule on its columns
    ctes: list[str]
    joins: list[str]
    index: str  # SQL per line: the first matching rule over every column
    reason: str  # SQL per line: that rule's reason


def _exclusion_parts(rules: Sequence[ExclusionRule]) -> _Exclusions:
    """SQL pieces that find each line's first matching exclusion rule.

    Regular expressions are costly, and a ledger repeats the same few thousand supplier names
    and expense types across millions of lines, so each rule is tried once per distinct
    (body, value) of its column, not once per line: rules on the code, expense type and label
    in the classes CTE, others in an ``x_<column>`` CTE each; a line's rule is the lowest
    index found over its columns.
    """
    by_field: dict[str, list[tuple[int, str]]] = {}
    in_class: list[tuple[int, str]] = []
    negative: list[tuple[int, str]] = []
    for index, rule in enumerate(rules):
        scope = (
            "body_code IN (" + ", ".join(_sql_text(b) for b in rule.bodies) + ") AND "
            if rule.bodies
            else ""
        )
        if rule.field == NEGATIVE:
            negative.append((index, f"{scope.replace('body_code', 'l.body_code')}l.amount_gbp < 0"))
        elif rule.field in CLASS_COLUMNS and rule.pattern:
            column = CLASS_COLUMNS[rule.field]
            in_class.append(
                (index, f"{scope}regexp_matches({column}, {_sql_text(rule.pattern)}, 'i')")
            )
        elif rule.field in EXCLUSION_FIELDS and rule.pattern:
            condition = f"{scope}regexp_matches(v, {_sql_text(rule.pattern)}, 'i')"
            by_field.setdefault(rule.field, []).append((index, condition))
    ctes, joins, indexes = [], [], ["c.class_exclusion"]
    for column, conditions in by_field.items():
        name = f"x_{column}"
        ctes.append(
            f"{name} AS (SELECT body_code, v, {_index_case(conditions)} AS idx FROM "
            f"(SELECT DISTINCT body_code, coalesce({column}, '') AS v FROM src))"
        )
        joins.append(
            f"LEFT JOIN {name} ON {name}.body_code = l.body_code "
            f"AND {name}.v = coalesce(l.{column}, '')"
        )
        indexes.append(f"{name}.idx")
    if negative:
        indexes.append(_index_case(negative))
    first = f"least({', '.join(indexes)})" if len(indexes) > 1 else indexes[0]
    reason = _case(
        (f"exclusion_index = {i}", _sql_text(rule.reason)) for i, rule in enumerate(rules)
    )
    return _Exclusions(_index_case(in_class), ctes, joins, first, reason)


def _classes_cte(class_exclusion: str) -> str:
    """Each distinct (category code, assigned category, expense type, category label) of the
    lines, with its SIC code, reporting category, reason and factor: the cross-walk by the
    longest ProClass prefix of the assigned category (when :func:`_assigned_code_sql` gives
    one) or else of the file's code, else the first keyword rule over the expense type and
    label. Worked out
    once per distinct combination (a few hundred in a year's ledger), not once per line;
    likewise the price adjustment once per year."""
    conditions = [
        (index, f"regexp_matches(t, {_sql_text(rule.pattern)})")
        for index, rule in enumerate(KEYWORD_RULES)
    ]
    return f"""cls AS (
        SELECT d.body_code, d.cc, d.ac, d.et, d.cl, {class_exclusion} AS class_exclusion,
               CASE WHEN (cw4.sic IS NOT NULL OR cw2.sic IS NOT NULL) AND d.ac <> ''
                    THEN 'category'
                    WHEN cw4.sic IS NOT NULL OR cw2.sic IS NOT NULL THEN 'proclass'
                    WHEN kws.sic IS NOT NULL THEN 'keyword' ELSE 'unclassified' END AS sic_source,
               coalesce(cw4.sic, cw2.sic, kws.sic) AS sic_code,
               coalesce(cw4.category, cw2.category, kws.category, 'Unclassified') AS category,
               coalesce(cw4.why, cw2.why, kws.why, '') AS sic_why
        FROM (
            SELECT body_code, cc, ac, et, cl, lower(et || ' ' || cl) AS t,
                   CASE WHEN ac <> '' THEN ac ELSE trim(cc) END AS code,
                   regexp_full_match(code, '[0-9]{{6}}') AS is_proclass
            FROM (SELECT DISTINCT body_code, coalesce(category_code, '') AS cc,
                         coalesce(assigned_code, '') AS ac,
                         coalesce(expense_type, '') AS et, coalesce(category_label, '') AS cl
                  FROM src)
        ) d
        LEFT JOIN c_crosswalk cw4 ON d.is_proclass AND cw4.prefix = left(d.code, 4)
        LEFT JOIN c_crosswalk cw2 ON d.is_proclass AND cw2.prefix = left(d.code, 2)
        LEFT JOIN c_keywords kws ON kws.idx = {_index_case(conditions)}
    ), fcls AS (
        SELECT c.*, coalesce(f.factor, fd.factor) AS set_factor,
               coalesce(f.factor_code, fd.factor_code) AS factor_code
        FROM cls c
        LEFT JOIN c_factors f ON f.sic = c.sic_code
        LEFT JOIN c_factors fd ON fd.sic = left(c.sic_code, 2)
    ), years AS (
        SELECT y.spend_year, coalesce(d.ratio, CASE WHEN y.spend_year IS NULL THEN 1.0
                   WHEN y.spend_year < (SELECT min(year) FROM c_deflator)
                   THEN (SELECT ratio FROM c_deflator ORDER BY year LIMIT 1)
                   ELSE (SELECT ratio FROM c_deflator ORDER BY year DESC LIMIT 1) END)
               AS price_ratio
        FROM (SELECT DISTINCT coalesce(year(payment_date), 0) AS spend_year FROM src) y
        LEFT JOIN c_deflator d ON d.year = y.spend_year
    )"""


# The ledger columns the calculation reads (the rest of a line is never copied).
SOURCE_COLUMNS = ", ".join(
    dict.fromkeys(
        (
            "body_code", "batch_id", "line_number", "payment_date", "amount_gbp",
            "supplier_name", "is_personal", "is_redacted", SUPPLIER, DEPARTMENT, CATEGORY,
            *EXCLUSION_FIELDS,
        )
    )
)  # fmt: skip
FINANCIAL_YEAR = (
    "CASE WHEN l.payment_date IS NULL THEN NULL "
    "WHEN month(l.payment_date) >= 4 THEN year(l.payment_date) "
    "ELSE year(l.payment_date) - 1 END"
)


ASSIGNED_CATEGORY = "category_assigned"
"""The column a categorisation run adds to the lines (``categories.SIDE_SCHEMA``)."""


def has_assigned_categories(store: LinesSource, files: Sequence[str]) -> bool:
    """Whether ``files`` include a categorisation's side table, so lines carry the category
    an analyst's correction, a rule, the model or a CPV code gave them."""
    return (
        bool(files)
        and ASSIGNED_CATEGORY in store.query("SELECT * FROM lines LIMIT 0", files).schema.names
    )


def _assigned_code_sql(assigned: bool) -> str:
    """The category a line's SIC is chosen from when it is not the file's own ProClass code:
    an analyst's correction always; otherwise the assigned category only where the file has
    no six-digit ProClass code (a CPV code, the body's own code, or none), since the full
    code in the file is finer than a heading the model or a rule gives."""
    if not assigned:
        return "NULL::VARCHAR"
    return (
        "CASE WHEN l.category_source = 'correction' "
        "OR NOT regexp_full_match(trim(coalesce(l.category_code, '')), '[0-9]{6}') "
        f"THEN l.{ASSIGNED_CATEGORY} END"
    )


def _lines_sql(method: CarbonMethod, where: str, *, assigned: bool = False) -> str:
    """One row per ledger line with how its emissions were worked out (a SQL query);
    ``assigned``: the lines carry categories (:func:`has_assigned_categories`)."""
    average = average_factor(method.factors)
    exclusions = _exclusion_parts(method.exclusions)
    extra = "".join(f", {cte}" for cte in exclusions.ctes)
    classes = _classes_cte(exclusions.class_index)
    # NOT MATERIALIZED: the lines are read three times (distinct classes, distinct values for
    # the exclusion rules, the lines themselves); reading Parquet again is cheaper than
    # holding a copy of every line in memory.
    return f"""
    WITH src AS NOT MATERIALIZED (
        SELECT {SOURCE_COLUMNS}, {_assigned_code_sql(assigned)} AS assigned_code
        FROM lines l WHERE {where}
    ),
    {classes}{extra}, base AS (
        SELECT l.body_code, l.batch_id, l.line_number, l.payment_date,
               l.{SUPPLIER} AS supplier, l.supplier_name, l.{DEPARTMENT} AS department,
               l.{CATEGORY} AS ledger_category, l.category_code, l.expense_type,
               {FINANCIAL_YEAR} AS financial_year,
               CAST(l.amount_gbp AS DOUBLE) * coalesce(mu.multiplier, 1.0) AS spend_gbp,
               {exclusions.index} AS exclusion_index,
               c.sic_source, c.sic_code, c.category, c.sic_why, c.set_factor, c.factor_code,
               o.intensity, o.tier AS override_tier, o.override_key,
               CASE WHEN l.payment_date IS NULL THEN 1.0 ELSE y.price_ratio END AS deflate
        FROM src l
        JOIN fcls c ON c.body_code = l.body_code AND c.cc = coalesce(l.category_code, '')
             AND c.ac = coalesce(l.assigned_code, '')
             AND c.et = coalesce(l.expense_type, '')
             AND c.cl = coalesce(l.category_label, '')
        LEFT JOIN years y ON y.spend_year = coalesce(year(l.payment_date), 0)
        LEFT JOIN c_overrides o ON o.body_code = l.body_code AND o.supplier_name = l.supplier_name
             AND NOT (l.is_personal OR l.is_redacted)
        LEFT JOIN c_multipliers mu ON mu.body_code = l.body_code
             AND mu.supplier_name = l.supplier_name AND NOT (l.is_personal OR l.is_redacted)
        {" ".join(exclusions.joins)}
    ), factored AS (
        SELECT *, {exclusions.reason} AS excluded_reason,
               CASE WHEN intensity IS NOT NULL THEN intensity
                    ELSE coalesce(set_factor, {average!r}) END AS factor_used,
               CASE WHEN intensity IS NOT NULL THEN 1.0 ELSE deflate END AS price_ratio
        FROM base
    )
    SELECT body_code, batch_id, line_number, payment_date, financial_year, supplier,
           supplier_name, department, ledger_category, category_code, expense_type, category,
           spend_gbp, excluded_reason,
           CASE WHEN excluded_reason IS NOT NULL THEN NULL
                WHEN intensity IS NOT NULL THEN 'supplier' ELSE sic_source END AS basis,
           CASE WHEN excluded_reason IS NOT NULL THEN NULL
                WHEN intensity IS NOT NULL THEN override_tier ELSE 1 END AS tier,
           CASE WHEN excluded_reason IS NOT NULL THEN NULL
                WHEN intensity IS NOT NULL THEN CASE override_tier WHEN 3 THEN 'supplier' ELSE 'average' END
                WHEN set_factor IS NULL THEN 'unclassified' ELSE 'category' END AS uncertainty_class,
           sic_code, sic_why, factor_code, override_key,
           factor_used AS factor_kg_per_gbp, price_ratio,
           CASE WHEN excluded_reason IS NOT NULL THEN 0.0
                ELSE spend_gbp * price_ratio * factor_used / 1000.0 END AS tco2e
    FROM factored
    """


@dataclass(frozen=True)
class CarbonFilter:
    spend: SpendFilter = field(default_factory=SpendFilter)
    financial_year: int | None = None
    category: str = ""
    tier: int | None = None
    basis: str = ""
    excluded: bool | None = None  # True: only excluded lines; False: only in scope

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = ["TRUE"]
        params: list[Any] = []
        if self.financial_year is not None:
            clauses.append("financial_year = ?")
            params.append(self.financial_year)
        if self.category:
            clauses.append("category = ?")
            params.append(self.category)
        if self.tier is not None:
            clauses.append("tier = ?")
            params.append(self.tier)
        if self.basis:
            clauses.append("basis = ?")
            params.append(self.basis)
        if self.excluded is True:
            clauses.append("excluded_reason IS NOT NULL")
        elif self.excluded is False:
            clauses.append("excluded_reason IS NULL")
        return " AND ".join(clauses), params


def _query(
    store: LinesSource,
    files: Sequence[str],
    method: CarbonMethod,
    carbon: CarbonFilter,
    select: str,
) -> list[dict[str, Any]]:
    """Run ``select`` (SQL over a ``carbon`` relation of per-line results)."""
    if not files:
        return []
    spend_where, spend_params = carbon.spend.where()
    carbon_where, carbon_params = carbon.where()
    sql = (
        f"WITH {_reference_sql(method)}, carbon AS (SELECT * FROM "
        f"({_lines_sql(method, spend_where, assigned=has_assigned_categories(store, files))}) "
        f"WHERE {carbon_where}) {select}"
    )
    return store.query(sql, files, [*spend_params, *carbon_params]).to_pylist()


SUMMARY_COLUMNS = (
    "body_code, financial_year, category, department, supplier, tier, basis, "
    "uncertainty_class, sic_code, excluded_reason"
)
# Every breakdown is read per body, year, uncertainty class and exclusion reason (the range,
# the regional view, the hot spots' years and the excluded spend need them), so those columns
# are in every grouping set; each set adds the labels of one or more breakdowns.
_ALWAYS = "body_code, financial_year, uncertainty_class, excluded_reason"
SUMMARY_SETS = {
    "category": "category, tier",  # also body, year, tier, totals, exclusions, the return
    "department": "department",
    "supplier": "supplier",
    "basis": "basis",
    "sic": "sic_code",
}
# The grouping set each breakdown (and the totals, exclusions and return) is read from.
SET_OF = {
    "body": "category",
    "year": "category",
    "category": "category",
    "tier": "category",
    "department": "department",
    "supplier": "supplier",
    "basis": "basis",
    "sic": "sic",
}


def aggregate(
    store: LinesSource, files: Sequence[str], method: CarbonMethod, carbon: CarbonFilter
) -> pa.Table:
    """The one pass over the lines every figure is derived from: spend, tCO2e and lines per
    body, year, uncertainty class and exclusion reason, by each breakdown's labels (category
    and tier; department; supplier; basis; SIC code) in one grouping set each, named in the
    ``summary_set`` column. Far fewer rows than lines; the ``*_of`` functions sum one set.

    One grouping set per breakdown, rather than one group per combination of all the labels,
    keeps every hash table small: a 10M-line ledger has millions of (supplier, department,
    category) combinations but only thousands of suppliers."""
    if not files:
        return pa.table(
            {
                **{name.strip(): pa.array([], pa.string()) for name in SUMMARY_COLUMNS.split(",")},
                "financial_year": pa.array([], pa.int64()),
                "tier": pa.array([], pa.int64()),
                "summary_set": pa.array([], pa.string()),
                "spend": pa.array([], pa.float64()),
                "tco2e": pa.array([], pa.float64()),
                "lines": pa.array([], pa.int64()),
            }
        )
    spend_where, spend_params = carbon.spend.where()
    carbon_where, carbon_params = carbon.where()
    sets = ", ".join(f"({_ALWAYS}, {labels})" for labels in SUMMARY_SETS.values())
    which = _case(
        (f"grouping({labels.split(',')[0]}) = 0", _sql_text(name))
        for name, labels in SUMMARY_SETS.items()
    )
    sql = (
        f"WITH {_reference_sql(method)}, carbon AS (SELECT * FROM "
        f"({_lines_sql(method, spend_where, assigned=has_assigned_categories(store, files))}) "
        f"WHERE {carbon_where}) "
        f"SELECT {SUMMARY_COLUMNS}, {which} AS summary_set, sum(spend_gbp) AS spend, "
        f"sum(tco2e) AS tco2e, count(*) AS lines FROM carbon GROUP BY GROUPING SETS ({sets})"
    )
    return store.query(sql, files, [*spend_params, *carbon_params])


def _over(summary: pa.Table, sql: str) -> list[dict[str, Any]]:
    """Run ``sql`` over ``summary`` (a table from :func:`aggregate`) by DuckDB."""
    if summary.num_rows == 0:
        return []
    connection = duckdb.connect()
    try:
        connection.register("summary", summary)
        return connection.sql(sql).to_arrow_table().to_pylist()
    finally:
        connection.close()


@dataclass(frozen=True)
class CarbonRow:
    label: str
    spend_gbp: float
    tco2e: float
    low: float
    high: float
    lines: int
    share: float = 0.0  # of the total's tCO2e

    @property
    def intensity(self) -> float:
        """kgCO2e per £ of in-scope spend."""
        return self.tco2e * 1000 / self.spend_gbp if self.spend_gbp else 0.0


@dataclass(frozen=True)
class CarbonTotals:
    in_scope_spend: float
    excluded_spend: float
    tco2e: float
    low: float
    high: float
    lines: int
    excluded_lines: int
    unclassified_spend: float
    unclassified_tco2e: float


def _range(
    rows: list[dict[str, Any]], key: str
) -> dict[Any, tuple[float, float, float, float, int]]:
    """Per label: spend, tCO2e, low, high, lines, combining uncertainty classes.

    Within one class the errors are taken as fully correlated (one factor method), between
    classes as independent: half-width = √Σ (u_class × tCO2e_class)²."""
    grouped: dict[Any, list[float]] = {}
    for row in rows:
        label = row[key]
        spend, t, squares, n = grouped.get(label, [0.0, 0.0, 0.0, 0])
        u = UNCERTAINTY.get(row["uncertainty_class"] or "", 0.0)
        grouped[label] = [
            spend + (row["spend"] or 0.0),
            t + (row["tco2e"] or 0.0),
            squares + (u * (row["tco2e"] or 0.0)) ** 2,
            n + row["lines"],
        ]
    result = {}
    for label, (spend, t, squares, n) in grouped.items():
        half = math.sqrt(squares)
        result[label] = (spend, t, max(t - half, 0.0), t + half, int(n))
    return result


def breakdown(
    store: LinesSource,
    files: Sequence[str],
    method: CarbonMethod,
    carbon: CarbonFilter,
    by: str,
    *,
    limit: int | None = None,
) -> list[CarbonRow]:
    """In-scope emissions by ``by``; see :func:`breakdown_of`."""
    return breakdown_of(aggregate(store, files, method, carbon), by, limit=limit)


def breakdown_of(summary: pa.Table, by: str, *, limit: int | None = None) -> list[CarbonRow]:
    """In-scope emissions by ``by`` (``body_code``, ``financial_year``, ``category``,
    ``department``, ``supplier``, ``tier``, ``basis``, ``sic_code``), largest first; the rows
    add up to :func:`totals`."""
    column = {
        "body": "body_code",
        "year": "financial_year",
        "category": "category",
        "department": "department",
        "supplier": "supplier",
        "tier": "tier",
        "basis": "basis",
        "sic": "sic_code",
    }[by]
    rows = _over(
        summary,
        f"""SELECT {column} AS label, uncertainty_class, sum(spend) AS spend,
                   sum(tco2e) AS tco2e, sum(lines)::BIGINT AS lines
            FROM summary WHERE excluded_reason IS NULL AND summary_set = '{SET_OF[by]}'
            GROUP BY ALL""",
    )
    combined = _range(rows, "label")
    total = sum(v[1] for v in combined.values())
    result = [
        CarbonRow(
            label="" if label is None else str(label),
            spend_gbp=v[0],
            tco2e=v[1],
            low=v[2],
            high=v[3],
            lines=v[4],
            share=v[1] / total if total else 0.0,
        )
        for label, v in combined.items()
    ]
    ordered_by_label = by in ("year", "tier")
    if ordered_by_label:
        result.sort(key=lambda r: r.label)
    else:
        result.sort(key=lambda r: (-r.tco2e, r.label))
    return result[:limit] if limit else result


def totals(
    store: LinesSource, files: Sequence[str], method: CarbonMethod, carbon: CarbonFilter
) -> CarbonTotals:
    return totals_of(aggregate(store, files, method, carbon))


def totals_of(summary: pa.Table) -> CarbonTotals:
    """Emissions in scope with their range, and the spend left out."""
    rows = _over(
        summary,
        """SELECT excluded_reason IS NOT NULL AS excluded, uncertainty_class,
                  sum(spend) AS spend, sum(tco2e) AS tco2e, sum(lines)::BIGINT AS lines
           FROM summary WHERE summary_set = 'category' GROUP BY ALL""",
    )
    in_scope = [r for r in rows if not r["excluded"]]
    combined = _range([{**r, "k": 0} for r in in_scope], "k").get(0, (0.0, 0.0, 0.0, 0.0, 0))
    unclassified = [r for r in in_scope if r["uncertainty_class"] == "unclassified"]
    return CarbonTotals(
        in_scope_spend=combined[0],
        excluded_spend=sum(r["spend"] or 0.0 for r in rows if r["excluded"]),
        tco2e=combined[1],
        low=combined[2],
        high=combined[3],
        lines=combined[4],
        excluded_lines=sum(r["lines"] for r in rows if r["excluded"]),
        unclassified_spend=sum(r["spend"] or 0.0 for r in unclassified),
        unclassified_tco2e=sum(r["tco2e"] or 0.0 for r in unclassified),
    )


def exclusions(
    store: LinesSource, files: Sequence[str], method: CarbonMethod, carbon: CarbonFilter
) -> list[dict[str, Any]]:
    """Excluded spend by reason: what was left out, and how much."""
    return exclusions_of(aggregate(store, files, method, carbon))


def exclusions_of(summary: pa.Table) -> list[dict[str, Any]]:
    return _over(
        summary,
        """SELECT excluded_reason AS reason, sum(spend) AS spend, sum(lines)::BIGINT AS lines
           FROM summary WHERE excluded_reason IS NOT NULL AND summary_set = 'category'
           GROUP BY 1 ORDER BY 2 DESC, 1""",
    )


CARBON_LINE_COLUMNS = (
    "body_code, batch_id, line_number, payment_date, financial_year, supplier, department, "
    "ledger_category, category_code, expense_type, category, spend_gbp, excluded_reason, basis, "
    "tier, sic_code, sic_why, factor_code, factor_kg_per_gbp, price_ratio, tco2e"
)


def carbon_lines(
    store: LinesSource,
    files: Sequence[str],
    method: CarbonMethod,
    carbon: CarbonFilter,
    *,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The lines behind any figure, largest emissions first, each with its factor."""
    return _query(
        store,
        files,
        method,
        carbon,
        f"""SELECT {CARBON_LINE_COLUMNS} FROM carbon
            ORDER BY tco2e DESC, abs(spend_gbp) DESC, body_code, batch_id, line_number
            LIMIT {int(limit)} OFFSET {int(offset)}""",
    )


def return_table(
    store: LinesSource, files: Sequence[str], method: CarbonMethod, carbon: CarbonFilter
) -> list[dict[str, Any]]:
    """The annual supply-chain return: one row per category and tier, with spend, tCO2e and
    its range, as the Welsh Public Sector Net Zero Reporting Guide asks supply-chain emissions
    to be reported (by spend category, with the data quality of each figure)."""
    return return_table_of(aggregate(store, files, method, carbon))


def return_table_of(summary: pa.Table) -> list[dict[str, Any]]:
    rows = _over(
        summary,
        """SELECT category, tier, uncertainty_class, sum(spend) AS spend,
                  sum(tco2e) AS tco2e, sum(lines)::BIGINT AS lines
           FROM summary WHERE excluded_reason IS NULL AND summary_set = 'category'
           GROUP BY ALL""",
    )
    for row in rows:
        row["key"] = (row["category"], row["tier"])
    combined = _range(rows, "key")
    table = [
        {
            "category": key[0],
            "tier": key[1],
            "spend_gbp": round(v[0], 2),
            "tco2e": v[1],
            "tco2e_low": v[2],
            "tco2e_high": v[3],
            "lines": v[4],
        }
        for key, v in combined.items()
    ]
    table.sort(key=lambda r: (r["category"] == "Unclassified", r["category"], r["tier"]))
    return table


# --- hot spots ------------------------------------------------------------------------------

HOT_SPOT_SHARE = 0.8


def hot_spots(rows: Sequence[CarbonRow], share: float = HOT_SPOT_SHARE) -> list[CarbonRow]:
    """The fewest rows, largest emissions first, that together make up ``share`` of the
    emissions of all ``rows`` (the Pareto "80 per cent" hot spots)."""
    ordered = sorted((r for r in rows if r.tco2e > 0), key=lambda r: (-r.tco2e, r.label))
    total = sum(r.tco2e for r in ordered)
    chosen: list[CarbonRow] = []
    running = 0.0
    for row in ordered:
        if total and running >= share * total - 1e-12:
            break
        chosen.append(row)
        running += row.tco2e
    return chosen


@dataclass(frozen=True)
class YearChange:
    label: str
    spend_before: float
    spend_after: float
    tco2e_before: float
    tco2e_after: float
    spend_effect: float  # tCO2e of the change due to spending more or less
    factor_effect: float  # tCO2e due to emissions per £ changing (factors, prices, suppliers)

    @property
    def change(self) -> float:
        return self.tco2e_after - self.tco2e_before


def _log_mean(a: float, b: float) -> float:
    if a == b:
        return a
    return (a - b) / (math.log(a) - math.log(b))


def year_on_year(before: Sequence[CarbonRow], after: Sequence[CarbonRow]) -> list[YearChange]:
    """The change in each row's emissions between two years, split exactly into a spend
    effect and a factor (intensity) effect by the additive log-mean Divisia index (LMDI-I;
    Ang, B.W. (2005), "The LMDI approach to decomposition analysis: a practical guide",
    Energy Policy 33(7), 867–871): with E = S × I, L = (E₁ − E₀) / (ln E₁ − ln E₀),
    spend effect = L ln(S₁/S₀), factor effect = L ln(I₁/I₀); the two add up to E₁ − E₀.
    A row present in one year only (or with spend or emissions ≤ 0 in either) is all spend
    effect: there is no intensity to compare."""
    old = {r.label: r for r in before}
    new = {r.label: r for r in after}
    changes = []
    for label in sorted(set(old) | set(new)):
        b, a = old.get(label), new.get(label)
        s0, e0 = (b.spend_gbp, b.tco2e) if b else (0.0, 0.0)
        s1, e1 = (a.spend_gbp, a.tco2e) if a else (0.0, 0.0)
        if min(s0, s1, e0, e1) > 0:
            weight = _log_mean(e1, e0)
            spend_effect = weight * math.log(s1 / s0)
            factor_effect = weight * math.log((e1 / s1) / (e0 / s0))
        else:
            spend_effect, factor_effect = e1 - e0, 0.0
        changes.append(YearChange(label, s0, s1, e0, e1, spend_effect, factor_effect))
    changes.sort(key=lambda c: (-abs(c.change), c.label))
    return changes


# --- scenarios ------------------------------------------------------------------------------

TARGET_YEAR = 2030


@dataclass(frozen=True)
class Lever:
    """One change a scenario makes, reached in full by the target year, phased in evenly.

    ``kind``: ``shift`` (move ``share`` of category ``target``'s spend to suppliers whose
    intensity is ``intensity`` kgCO2e per £), ``supplier`` (supplier ``target`` cuts its
    intensity by ``share``) or ``reduce`` (spend in category ``target`` falls by ``share``).
    """

    kind: str
    target: str
    share: float
    intensity: float = 0.0


def scenario_path(
    baseline_tco2e: float,
    by_category: dict[str, tuple[float, float]],
    by_supplier: dict[str, tuple[float, float]],
    levers: Sequence[Lever],
    start_year: int,
    target_year: int = TARGET_YEAR,
) -> list[dict[str, float]]:
    """Each year from ``start_year`` (the baseline year) to ``target_year``: the baseline
    (the base year's emissions held flat: the same spend, factors and suppliers) and the
    scenario, with every lever phased in linearly (a fraction (year − start) / (target −
    start) of it each year). ``by_category`` and ``by_supplier`` map a label to its (spend £,
    tCO2e) in the base year. Levers act on the base year's figures independently, so two
    levers on the same spend both count (state them so they do not overlap)."""
    years = list(range(start_year, max(target_year, start_year) + 1))
    span = max(target_year - start_year, 1)
    path = []
    for year in years:
        phase = min(max((year - start_year) / span, 0.0), 1.0)
        saving = 0.0
        for lever in levers:
            share = min(max(lever.share, 0.0), 1.0) * phase
            if lever.kind == "shift" and lever.target in by_category:
                spend, tco2e = by_category[lever.target]
                saving += share * (tco2e - spend * lever.intensity / 1000)
            elif lever.kind == "reduce" and lever.target in by_category:
                saving += share * by_category[lever.target][1]
            elif lever.kind == "supplier" and lever.target in by_supplier:
                saving += share * by_supplier[lever.target][1]
        path.append(
            {
                "year": year,
                "baseline": baseline_tco2e,
                "scenario": max(baseline_tco2e - saving, 0.0),
            }
        )
    return path
