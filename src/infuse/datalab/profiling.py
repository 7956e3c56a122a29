# SQL here is built from column names through _quote and from text through _literal only:
# ruff: noqa: S608
"""Profile a CSV or XLSX file, column by column, in DuckDB. Pure: no Django.

``profile_path(path)`` returns plain data (dicts, lists, numbers, strings): per column the
inferred type, missing and distinct values, min/max/mean (numbers and dates) or lengths (text),
outliers, and suspected personal data; duplicate rows; and a data-quality scorecard on six
dimensions. No value of a column suspected of holding personal data is kept: only counts and
masked examples.

Rules and their sources
-----------------------
* Outliers: Tukey's fences, a value below Q1 − 1.5 × IQR or above Q3 + 1.5 × IQR (J. W. Tukey,
  *Exploratory Data Analysis*, 1977), quartiles by linear interpolation (``quantile_cont``).
* Missing: an empty cell, or one of NA, N/A, NULL, NONE, NAN, "-" (any case, trimmed).
* Type: a column is a number, date or yes/no when at least 95 per cent of its non-missing values
  read as one; otherwise text. The type is read from a random sample of up to 20,000 rows; the
  counts (valid values, personal-data matches and the rest) are over every row.
* Personal data (UK GDPR Article 4(1)), suspected by column name or by values (a column is
  flagged by values when at least 30 per cent of its non-missing values match):

  - email address: ``local@domain.tld`` (a simplification of the HTML Living Standard's
    "valid e-mail address", https://html.spec.whatwg.org/#valid-e-mail-address);
  - UK phone number: 0 or +44 then 9 or 10 digits, spaces allowed (Ofcom, *National Telephone
    Numbering Plan*: UK national significant numbers have 9 or 10 digits);
  - postcode: outward code A9, A99, A9A, AA9, AA99 or AA9A, then inward code 9AA (the format in
    the ONS *Postcode Products* guidance and the Royal Mail Programmers' Address File guide);
  - National Insurance number: two prefix letters, six digits, suffix A–D; the first letter is
    not D, F, I, Q, U or V, the second not D, F, I, O, Q, U or V, and the prefixes BG, GB, KN,
    NK, NT, TN and ZZ are not used (HMRC *National Insurance Manual* NIM39110);
  - names and dates of birth: by column name (forename, surname, full name, date of birth, DOB
    and the like), and names also by a title (Mr, Mrs, Ms, Miss, Mx, Dr) before a capitalised
    word.
* Data-quality dimensions: DAMA UK, *The six primary dimensions for data quality assessment*
  (2013), as adopted by the UK Government Data Quality Framework (Government Data Quality Hub,
  2020): accuracy, completeness, uniqueness, consistency, timeliness, validity. How each is
  measured here is in ``DIMENSIONS``.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import duckdb

#: Each dimension: its definition (DAMA UK / UK Government Data Quality Framework) and how this
#: profile measures it. The strings are English; pages translate them by key.
DIMENSIONS: tuple[tuple[str, str, str], ...] = (
    (
        "completeness",
        "The degree to which all required data is present.",
        "Filled cells as a share of all cells.",
    ),
    (
        "uniqueness",
        "No thing is recorded more than once.",
        "Rows that are not exact copies of an earlier row, as a share of all rows.",
    ),
    (
        "validity",
        "Data conforms to the syntax (format, type, range) of its definition.",
        "Filled cells that read as their column's type, as a share of filled cells.",
    ),
    (
        "consistency",
        "The same thing is recorded the same way across the data set.",
        "Filled cells without stray spaces at either end and, in date columns, written in the "
        "column's most common date format, as a share of filled cells.",
    ),
    (
        "timeliness",
        "The data represents reality at the required point in time.",
        "From the newest date in the file: full marks up to a year old, falling evenly to none "
        "at five years old; not measured when the file has no date column.",
    ),
    (
        "accuracy",
        "The data correctly describes the real-world thing it records.",
        "Accuracy needs a trusted reference to compare with, so the file alone cannot show it. "
        "As a proxy, numbers inside Tukey's fences as a share of all numbers; not measured "
        "when the file has no number column.",
    ),
)

MISSING_TOKENS = ("", "NA", "N/A", "NULL", "NONE", "NAN", "-")
TYPE_SHARE = 0.95
PERSONAL_SHARE = 0.30
MAX_COLUMNS = 500
SAMPLE_ROWS = 20000

NUMBER_RE = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"
INTEGER_RE = r"^[-+]?\d+$"
EMAIL_RE = (
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}$"
)
PHONE_RE = r"^(\+44\s?(\(0\)\s?)?|0044\s?|0)(\d[\s-]?){8,9}\d$"
POSTCODE_RE = r"^[A-Za-z]{1,2}[0-9][A-Za-z0-9]?\s*[0-9][A-Za-z]{2}$"
NINO_RE = (
    r"^[A-CEGHJ-PR-TW-Za-ceghj-pr-tw-z][A-CEGHJ-NPR-TW-Za-ceghj-npr-tw-z]"
    r"\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-Da-d]$"
)
NINO_BAD_PREFIX_RE = r"^(BG|GB|KN|NK|NT|TN|ZZ)"
TITLE_NAME_RE = r"^(Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][A-Za-z'-]+"
BOOLEAN_TOKENS = ("TRUE", "FALSE", "YES", "NO", "Y", "N")
ISO_DATE_RE = r"^\d{4}-\d{1,2}-\d{1,2}([ T].*)?$"
UK_DATE_RE = r"^\d{1,2}/\d{1,2}/\d{2,4}$"
TEXT_MONTH_DATE_RE = r"^\d{1,2}[- ][A-Za-z]{3,9}[- ]\d{2,4}$"

#: Column names suggesting personal data, by kind; matched on the name in lower case with
#: spaces, dots and hyphens read as underscores.
NAME_HINTS: dict[str, re.Pattern[str]] = {
    "name": re.compile(
        r"(^|_)(forename|forenames|surname|firstname|first_name|lastname|last_name|"
        r"fullname|full_name|given_name|family_name|middle_name|maiden_name|name|"
        r"person_name|customer_name|client_name|resident_name|tenant_name|"
        r"employee_name|applicant_name|claimant_name|patient_name|pupil_name)($|_)"
    ),
    "email": re.compile(r"(^|_)(e_?mail|email_address)($|_)"),
    "phone": re.compile(r"(^|_)(phone|telephone|tel|mobile|phone_number|contact_number)($|_)"),
    "postcode": re.compile(r"(^|_)(postcode|post_code|postal_code|zip)($|_)"),
    "ni_number": re.compile(r"(^|_)(ni_?number|nino|ni_no|national_insurance(_number)?)($|_)"),
    "date_of_birth": re.compile(r"(^|_)(dob|date_of_birth|birth_date|birthdate|born)($|_)"),
}
#: A column whose name contains these words names an organisation or a category, not a person.
NOT_PERSON = re.compile(
    r"supplier|company|organisation|organization|vendor|business|trading|entity|department|"
    r"directorate|service|expense|account|cost_centre|category|type|area|ward|authority|body|"
    r"council|file|scheme|project|product"
)

VALUE_PATTERNS: tuple[tuple[str, str], ...] = (
    ("email", EMAIL_RE),
    ("phone", PHONE_RE),
    ("postcode", POSTCODE_RE),
    ("ni_number", NINO_RE),
    ("name", TITLE_NAME_RE),
)

PERSONAL_LABELS = {
    "name": "names",
    "email": "email addresses",
    "phone": "UK phone numbers",
    "postcode": "postcodes",
    "ni_number": "National Insurance numbers",
    "date_of_birth": "dates of birth",
}


class ProfileError(Exception):
    """The file cannot be profiled; ``code`` says why (the caller words the message)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


def mask(value: str) -> str:
    """Keep the first character and the shape (@ . space -); hide every other letter or digit."""
    value = value.strip()[:40]
    if not value:
        return ""
    return value[0] + "".join("•" if ch.isalnum() else ch for ch in value[1:])


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _xlsx_to_csv(path: Path, target: Path) -> None:
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
        if not names:
            raise ProfileError("empty")
        rows = workbook.get_sheet_by_name(names[0]).to_python(skip_empty_area=True)
    except ProfileError:
        raise
    except Exception as error:  # calamine raises several kinds for a damaged workbook
        raise ProfileError("unreadable_xlsx", str(error)[:200]) from error
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow(
                [
                    cell.isoformat() if isinstance(cell, dt.date | dt.datetime) else cell
                    for cell in row
                ]
            )


def _load(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    last: Exception | None = None
    for encoding in ("utf-8", "latin-1"):
        try:
            con.execute("DROP TABLE IF EXISTS t")
            con.execute("DROP TABLE IF EXISTS s")
            con.execute(
                "CREATE TABLE t AS SELECT * FROM read_csv("
                f"{_literal(str(path))}, all_varchar=true, header=true, "
                f"encoding={_literal(encoding)}, "
                "null_padding=true, strict_mode=false, sample_size=-1)"
            )
            break
        except duckdb.Error as error:
            last = error
    else:
        raise ProfileError("unreadable_csv", str(last)[:200])
    con.execute(f"CREATE TABLE s AS SELECT * FROM t USING SAMPLE {SAMPLE_ROWS} ROWS")
    columns = [row[0] for row in con.execute("DESCRIBE t").fetchall()]
    if len(columns) > MAX_COLUMNS:
        raise ProfileError("too_many_columns", str(len(columns)))
    return columns


def _name_kind(column: str) -> str | None:
    key = re.sub(r"[\s.\-/]+", "_", column.strip().lower())
    for kind, pattern in NAME_HINTS.items():
        if pattern.search(key):
            if kind == "name" and NOT_PERSON.search(key):
                continue
            return kind
    return None


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _column(con: duckdb.DuckDBPyConnection, name: str, rows: int) -> dict[str, Any]:
    c = _quote(name)
    v = f"trim({c})"
    missing_list = ", ".join(_literal(token) for token in MISSING_TOKENS)
    filled = f"({c} IS NOT NULL AND upper({v}) NOT IN ({missing_list}))"
    num_text = f"regexp_replace({v}, '[£,\\s]', '', 'g')"
    is_num = f"regexp_matches({num_text}, {_literal(NUMBER_RE)})"
    date_expr = (
        f"COALESCE(TRY_CAST({v} AS DATE), TRY_CAST(TRY_CAST({v} AS TIMESTAMP) AS DATE), "
        f"TRY_CAST(try_strptime({v}, '%d/%m/%Y') AS DATE), "
        f"TRY_CAST(try_strptime({v}, '%d-%b-%Y') AS DATE), "
        f"TRY_CAST(try_strptime({v}, '%d %B %Y') AS DATE))"
    )
    booleans_list = ", ".join(map(_literal, BOOLEAN_TOKENS))
    pattern_counts = ", ".join(
        f"count(*) FILTER (WHERE {filled} AND regexp_matches({v}, {_literal(rx)}))"
        for _kind, rx in VALUE_PATTERNS
    )
    # The type is read from a sample (at most SAMPLE_ROWS rows); only that type's test, and the
    # personal-data patterns for text-like columns, then run over every row.
    typed = con.execute(
        f"""
        SELECT
          count(*) FILTER (WHERE {filled}),
          count(*) FILTER (WHERE {filled} AND {is_num}),
          count(*) FILTER (WHERE {filled} AND regexp_matches({num_text}, {_literal(INTEGER_RE)})),
          count(*) FILTER (WHERE {filled} AND {date_expr} IS NOT NULL),
          count(*) FILTER (WHERE {filled} AND upper({v}) IN ({booleans_list}))
        FROM s
        """
    ).fetchone()
    assert typed is not None
    s_present, s_numbers, s_integers, s_dates, s_booleans = typed
    if s_present == 0:
        kind, valid_expr = "empty", "false"
    elif s_numbers >= TYPE_SHARE * s_present:
        kind = "integer" if s_integers == s_numbers else "decimal"
        valid_expr = is_num
    elif s_dates >= TYPE_SHARE * s_present:
        kind, valid_expr = "date", f"{date_expr} IS NOT NULL"
    elif s_booleans >= TYPE_SHARE * s_present:
        kind, valid_expr = "boolean", f"upper({v}) IN ({booleans_list})"
    else:
        kind, valid_expr = "text", "true"
    if kind == "integer":
        patterns_sql = (
            f"count(*) FILTER (WHERE {filled} AND regexp_matches({v}, {_literal(PHONE_RE)}))"
        )
        pattern_kinds = ["phone"]
    elif kind in ("text", "boolean"):
        patterns_sql = pattern_counts
        pattern_kinds = [k for k, _rx in VALUE_PATTERNS]
    else:
        patterns_sql, pattern_kinds = "", []
    text_month_re = _literal(TEXT_MONTH_DATE_RE)
    date_formats = (
        f"""count(*) FILTER (WHERE {filled} AND regexp_matches({v}, {_literal(ISO_DATE_RE)})),
          count(*) FILTER (WHERE {filled} AND regexp_matches({v}, {_literal(UK_DATE_RE)})),
          count(*) FILTER (WHERE {filled} AND regexp_matches({v}, {text_month_re}))"""
        if kind == "date"
        else "0, 0, 0"
    )
    nino_bad = (
        f"""count(*) FILTER (WHERE {filled} AND regexp_matches({v}, {_literal(NINO_RE)})
                                  AND regexp_matches(upper({v}), {_literal(NINO_BAD_PREFIX_RE)}))"""
        if "ni_number" in pattern_kinds
        else "0"
    )
    row = con.execute(
        f"""
        SELECT
          count(*) FILTER (WHERE {filled}),
          count(DISTINCT {v}) FILTER (WHERE {filled}),
          count(*) FILTER (WHERE {filled} AND {valid_expr}),
          min(length({v})) FILTER (WHERE {filled}),
          max(length({v})) FILTER (WHERE {filled}),
          avg(length({v})) FILTER (WHERE {filled}),
          count(*) FILTER (WHERE {filled} AND {c} <> {v}),
          {date_formats},
          {nino_bad}
          {", " + patterns_sql if patterns_sql else ""}
        FROM t
        """
    ).fetchone()
    assert row is not None
    (
        present,
        distinct,
        valid,
        min_len,
        max_len,
        mean_len,
        padded,
        iso,
        uk,
        text_month,
        nino_bad_prefix,
        *pattern_hits,
    ) = row
    hits = dict.fromkeys(PERSONAL_LABELS, 0)
    hits.update(zip(pattern_kinds, pattern_hits, strict=True))
    hits["ni_number"] -= nino_bad_prefix

    result: dict[str, Any] = {
        "name": name,
        "type": kind,
        "rows": rows,
        "missing": rows - present,
        "missing_share": (rows - present) / rows if rows else 0.0,
        "distinct": distinct,
        "valid": valid,
        "padded": padded,
        "min": None,
        "max": None,
        "mean": None,
        "min_length": min_len,
        "max_length": max_len,
        "mean_length": round(float(mean_len), 2) if mean_len is not None else None,
        "outliers": None,
        "fences": None,
        "newest_date": None,
        "consistent": present - padded,
        "personal": None,
    }
    if kind in ("integer", "decimal"):
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE n AS
            SELECT TRY_CAST({num_text} AS DOUBLE) AS x FROM t WHERE {filled} AND {is_num}
            """
        )
        stats = con.execute(
            "SELECT min(x), max(x), avg(x), quantile_cont(x, 0.25), quantile_cont(x, 0.75) FROM n"
        ).fetchone()
        assert stats is not None
        low, high, mean, q1, q3 = (_finite(value) for value in stats)
        result.update(min=low, max=high, mean=mean)
        if q1 is not None and q3 is not None:
            iqr = q3 - q1
            lower, upper = q1 - 1.5 * iqr, q3 + 1.5 * iqr
            outliers = con.execute(
                "SELECT count(*) FROM n WHERE x < ? OR x > ?",
                [lower, upper],
            ).fetchone()
            result.update(
                outliers=outliers[0] if outliers else 0,
                fences=[lower, upper],
                q1=q1,
                q3=q3,
            )
    elif kind == "date":
        span = con.execute(
            f"SELECT min(d), max(d) FROM (SELECT {date_expr} AS d FROM t WHERE {filled})"
        ).fetchone()
        assert span is not None
        result.update(
            min=span[0].isoformat() if span[0] else None,
            max=span[1].isoformat() if span[1] else None,
            newest_date=span[1].isoformat() if span[1] else None,
        )
        dominant = max(iso, uk, text_month)
        result["consistent"] = max(0, dominant - padded)

    personal_kind = _name_kind(name)
    how = "name" if personal_kind else None
    if present:
        for pattern_kind, count in hits.items():
            if count >= PERSONAL_SHARE * present and count:
                if personal_kind is None:
                    personal_kind, how = pattern_kind, "values"
                elif personal_kind == pattern_kind:
                    how = "name and values"
                break
    if personal_kind:
        examples = [
            mask(str(value))
            for (value,) in con.execute(
                f"SELECT DISTINCT {v} FROM t WHERE {filled} LIMIT 3"
            ).fetchall()
        ]
        result["personal"] = {
            "kind": personal_kind,
            "label": PERSONAL_LABELS[personal_kind],
            "found_by": how,
            "matching_values": hits.get(personal_kind, 0),
            "masked_examples": examples,
        }
        # Keep no values of a personal column: only counts and masked examples.
        result.update(min=None, max=None, mean=None, newest_date=None)
        result.pop("q1", None)
        result.pop("q3", None)
        if result["fences"] is not None:
            result["fences"] = None
    return result


def _score(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def scorecard(
    columns: list[dict[str, Any]], rows: int, duplicates: int, today: dt.date
) -> list[dict[str, Any]]:
    """The six dimensions, each a score from 0 to 1 (None when not measurable)."""
    cells = rows * len(columns)
    filled = sum(col["rows"] - col["missing"] for col in columns)
    valid = sum(col["valid"] for col in columns)
    consistent = sum(col["consistent"] for col in columns)
    numbers = sum(col["valid"] for col in columns if col["type"] in ("integer", "decimal"))
    outliers = sum(col["outliers"] or 0 for col in columns)
    newest = [col["newest_date"] for col in columns if col["newest_date"]]
    timeliness: float | None = None
    newest_date = None
    if newest:
        newest_date = max(newest)
        age = (today - dt.date.fromisoformat(newest_date)).days
        years = max(0.0, age / 365.25)
        timeliness = 1.0 if years <= 1 else round(max(0.0, 1 - (years - 1) / 4), 4)
    scores = {
        "completeness": _score(filled, cells),
        "uniqueness": _score(rows - duplicates, rows),
        "validity": _score(valid, filled),
        "consistency": _score(consistent, filled),
        "timeliness": timeliness,
        "accuracy": _score(numbers - outliers, numbers),
    }
    return [
        {
            "dimension": key,
            "definition": definition,
            "measure": measure,
            "score": scores[key],
            "newest_date": newest_date if key == "timeliness" else None,
        }
        for key, definition, measure in DIMENSIONS
    ]


def profile_path(path: str | os.PathLike[str], *, today: dt.date | None = None) -> dict[str, Any]:
    """Profile the CSV (optionally gzipped) or XLSX file at ``path``.

    Raises ``ProfileError`` for a file that cannot be read as a table.
    """
    source = Path(path)
    if not source.is_file():
        raise ProfileError("missing_file", str(source))
    today = today or dt.date.today()
    with tempfile.TemporaryDirectory() as work:
        table_path = source
        suffix = source.name.lower()
        if suffix.endswith((".xlsx", ".xlsm", ".xls", ".ods")):
            table_path = Path(work) / "sheet.csv"
            _xlsx_to_csv(source, table_path)
        con = duckdb.connect(":memory:", config={"threads": 2, "memory_limit": "1GB"})
        try:
            names = _load(con, table_path)
            counted = con.execute("SELECT count(*) FROM t").fetchone()
            rows = int(counted[0]) if counted else 0
            if rows == 0 or not names:
                raise ProfileError("empty")
            distinct_rows = con.execute(
                "SELECT count(*) FROM (SELECT DISTINCT * FROM t)"
            ).fetchone()
            duplicates = rows - int(distinct_rows[0] if distinct_rows else rows)
            columns = [_column(con, name, rows) for name in names]
        except duckdb.Error as error:
            raise ProfileError("unreadable_csv", str(error)[:200]) from error
        finally:
            con.close()
    personal = [col for col in columns if col["personal"]]
    return {
        "file": source.name,
        "rows": rows,
        "columns": len(columns),
        "duplicate_rows": duplicates,
        "column_profiles": columns,
        "personal_data": [{"column": col["name"], **col["personal"]} for col in personal],
        "scorecard": scorecard(columns, rows, duplicates, today),
        "outlier_rule": "Tukey's fences: below Q1 - 1.5 x IQR or above Q3 + 1.5 x IQR",
    }
