"""Red flags over OCDS compiled releases, computed in DuckDB (no Django).

The indicators are those of Open Contracting's Cardinal (``ocdscardinal indicators``):
R003, R018, R024, R025, R028, R030, R035, R036, R038, R048 and R058, with Cardinal's settings
file format (INI) and its output shape (results keyed by group — ``OCID``, ``Buyer``,
``ProcuringEntity``, ``Tenderer`` — then identifier, then indicator code, plus ``Meta`` with the
quartiles and fences). Definitions follow Cardinal's documentation
(https://cardinal.readthedocs.io/en/latest/cli/indicators/, repository
open-contracting/cardinal-rs); this is an independent implementation in SQL.

Input is Cardinal's: a JSON-lines file with one compiled release per line. Lines that are not
JSON objects are skipped, as Cardinal skips them.

Quartiles are the "R type 8" (median-unbiased) estimator, which is what Cardinal's statistics
library (statrs ``OrderStatistics::quantile``) computes: h = (n + 1/3)·τ + 1/3.

Every result also carries evidence (the values and fences that raised it) in
``RedFlagReport.evidence`` — Cardinal's shape is kept in ``RedFlagReport.cardinal()``.
"""

from __future__ import annotations

import configparser
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

INDICATORS = (
    "R003",
    "R018",
    "R024",
    "R025",
    "R028",
    "R030",
    "R035",
    "R036",
    "R038",
    "R048",
    "R058",
)
GROUPS = ("OCID", "Buyer", "ProcuringEntity", "Tenderer")


class SettingsError(ValueError):
    """The settings file is not valid (message is for the user)."""


class InputError(ValueError):
    """The compiled-releases file cannot be read (message is for the user)."""


# ---------------------------------------------------------------------------------------------
# Settings


_ALLOWED: dict[str, dict[str, type]] = {
    "R003": {"threshold": int, "procurement_methods": str},
    "R018": {"procurement_methods": str},
    "R024": {"threshold": float},
    "R025": {"percentile": int, "threshold": float},
    "R028": {},
    "R030": {},
    "R035": {"threshold": int},
    "R036": {},
    "R038": {
        "threshold": float,
        "minimum_submitted_bids": int,
        "minimum_contracting_processes": int,
    },
    "R048": {"digits": int, "threshold": int, "minimum_contracting_processes": int},
    "R058": {"threshold": float},
}
_TOP = {
    "currency",
    "no_price_comparison_procurement_methods",
    "price_comparison_procurement_methods",
}
# Sections of Cardinal's `prepare` command: accepted and ignored here.
_PREPARE = {
    "defaults",
    "redactions",
    "corrections",
    "modifications",
    "codelists.bid_status",
    "codelists.award_status",
}


@dataclass
class Settings:
    """Cardinal's settings. An indicator runs only when its section is present."""

    currency: str | None = None
    no_price_comparison_procurement_methods: set[str] = field(default_factory=set)
    price_comparison_procurement_methods: set[str] = field(default_factory=set)
    exclude_procurement_method_details: set[str] = field(default_factory=set)
    indicators: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Extra sections (e.g. the UK indicators) are kept as raw strings for other modules.
    extra: dict[str, dict[str, str]] = field(default_factory=dict)

    def get(self, code: str, key: str, default: Any = None) -> Any:
        value = self.indicators.get(code, {}).get(key)
        return default if value is None else value


def _pipe(value: str | None) -> set[str]:
    return {part for part in (value or "").split("|") if part}


def parse_settings(text: str, *, extra_sections: tuple[str, ...] = ()) -> Settings:
    """Parse Cardinal's INI settings; raise SettingsError with a readable reason."""
    parser = configparser.ConfigParser(
        interpolation=None,
        inline_comment_prefixes=(";", "#"),
        comment_prefixes=(";", "#"),
        strict=True,
    )
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        # Top-level keys (before any section) are Cardinal's global settings.
        parser.read_string("[__top__]\n" + text)
    except configparser.Error as error:
        raise SettingsError(f"not a valid settings (INI) file: {error.message}") from error
    settings = Settings()
    for key, value in parser["__top__"].items():
        if key not in _TOP:
            raise SettingsError(f"unknown setting '{key}'")
        if key == "currency":
            settings.currency = value.strip() or None
        elif key == "no_price_comparison_procurement_methods":
            settings.no_price_comparison_procurement_methods = _pipe(value)
        else:
            settings.price_comparison_procurement_methods = _pipe(value)
    for section in parser.sections():
        if section == "__top__" or section in _PREPARE:
            continue
        values = dict(parser[section].items())
        if section == "exclusions":
            unknown = set(values) - {"procurement_method_details"}
            if unknown:
                raise SettingsError(f"unknown setting '{sorted(unknown)[0]}' in [exclusions]")
            settings.exclude_procurement_method_details = _pipe(
                values.get("procurement_method_details")
            )
        elif section == "R003.procurement_method_details":
            details = {}
            for key, value in values.items():
                details[key] = _number(value, int, section, key)
            settings.indicators.setdefault("R003", {})["procurement_method_details"] = details
        elif section in _ALLOWED:
            target = settings.indicators.setdefault(section, {})
            for key, value in values.items():
                if key not in _ALLOWED[section]:
                    raise SettingsError(f"unknown setting '{key}' in [{section}]")
                kind = _ALLOWED[section][key]
                target[key] = value if kind is str else _number(value, kind, section, key)
        elif section.split(".")[0] in extra_sections:
            settings.extra[section] = values
        else:
            raise SettingsError(f"unknown section [{section}]")
    return settings


def _number(value: str, kind: type, section: str, key: str) -> Any:
    try:
        number = kind(value.strip())
    except ValueError as error:
        raise SettingsError(f"'{key}' in [{section}] must be a number, not '{value}'") from error
    if isinstance(number, float) and not math.isfinite(number):
        raise SettingsError(f"'{key}' in [{section}] must be a finite number")
    if kind is int and number < 0:
        raise SettingsError(f"'{key}' in [{section}] must not be negative")
    return number


def load_settings(path: str | Path, *, extra_sections: tuple[str, ...] = ()) -> Settings:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError(f"cannot read the settings file: {error}") from error
    return parse_settings(text, extra_sections=extra_sections)


# ---------------------------------------------------------------------------------------------
# Results


@dataclass
class RedFlagReport:
    results: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    meta: dict[str, dict[str, float]] = field(default_factory=dict)
    # (group, identifier, code) -> the values and fences that raised the flag
    evidence: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    releases: int = 0

    def set(self, group: str, key: str, code: str, value: float, evidence: dict[str, Any]) -> None:
        self.results.setdefault(group, {}).setdefault(key, {})[code] = float(value)
        self.evidence[(group, key, code)] = evidence

    def set_meta(self, code: str, key: str, value: float | None) -> None:
        if value is not None and math.isfinite(value):
            self.meta.setdefault(code, {})[key] = round(value * 10_000) / 10_000

    def cardinal(self, *, meta: bool = True) -> dict[str, Any]:
        """Cardinal's `indicators` output: groups in Cardinal's order, then Meta."""
        out: dict[str, Any] = {g: self.results[g] for g in GROUPS if self.results.get(g)}
        if meta and self.meta:
            out["Meta"] = self.meta
        return out

    def flags(self) -> list[dict[str, Any]]:
        """One row per raised flag, with its evidence (for pages and the human summary)."""
        rows = []
        for (group, key, code), evidence in self.evidence.items():
            rows.append(
                {
                    "group": group,
                    "id": key,
                    "indicator": code,
                    "value": self.results[group][key][code],
                    **evidence,
                }
            )
        rows.sort(key=lambda r: (r["indicator"], r["group"], r["id"]))
        return rows


# ---------------------------------------------------------------------------------------------
# Quantiles (statrs / R type 8), computed in DuckDB


def quantile8(con: duckdb.DuckDBPyConnection, table: str, column: str, tau: float) -> float | None:
    """Quantile of ``column`` in ``table`` by R's type 8 (as Cardinal's statrs); None when empty."""
    row = con.execute(
        f"SELECT count({column}), min({column}), max({column}) FROM {table}"
    ).fetchone()
    n = int(row[0]) if row else 0
    if n == 0:
        return None
    h = (n + 1 / 3) * tau + 1 / 3
    hf = int(h)
    if hf <= 0 or tau == 0:
        return float(row[1])  # type: ignore[index]
    if hf >= n or tau == 1:
        return float(row[2])  # type: ignore[index]
    pair = con.execute(
        f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL ORDER BY {column} LIMIT 2 OFFSET ?",
        [hf - 1],
    ).fetchall()
    a, b = float(pair[0][0]), float(pair[1][0])
    return a + (h - hf) * (b - a)


# ---------------------------------------------------------------------------------------------
# Loading


def _sql_list(values: set[str]) -> str:
    return "[" + ",".join("'" + v.replace("'", "''") + "'" for v in sorted(values)) + "]::VARCHAR[]"


def connect(path: str | Path) -> duckdb.DuckDBPyConnection:
    """Open an in-memory DuckDB with table ``raw(line, j)`` of the file's JSON objects."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    con = duckdb.connect(":memory:")
    try:
        con.execute(
            """
            CREATE TABLE raw AS
            SELECT row_number() OVER () AS line, json AS j
            FROM read_ndjson_objects(?, ignore_errors = true)
            WHERE json IS NOT NULL AND json_type(json) = 'OBJECT'
            """,
            [str(path)],
        )
    except duckdb.Error as error:
        con.close()
        raise InputError(
            f"not a JSON-lines file of compiled releases ({error.__class__.__name__})"
        ) from error
    row = con.execute("SELECT count(*) FROM raw").fetchone()
    if not row or row[0] == 0:
        con.close()
        raise InputError(
            "no line of the file is a JSON object (one compiled release per line is expected)"
        )
    return con


def _prepare(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Base tables: releases passing Cardinal's global exclusions, and their bids and awards."""
    exclude = _sql_list(settings.exclude_procurement_method_details)
    con.execute(
        f"""
        CREATE OR REPLACE TABLE rel AS
        WITH x AS (
            -- Parse each release once; later steps work on these small pieces.
            SELECT line, j, json_extract(j, ['$.ocid', '$.tender.procurementMethod',
                '$.tender.procurementMethodDetails', '$.buyer', '$.tender.procuringEntity.id',
                '$.tender.status', '$.bids.details', '$.awards', '$.tender.tenderPeriod',
                '$.tender.numberOfTenderers']) AS v
            FROM raw
        )
        SELECT line, v[1] ->> '$' AS ocid, j,
               CASE WHEN json_type(v[2]) = 'VARCHAR' THEN v[2] ->> '$' END AS method,
               CASE WHEN json_type(v[3]) = 'VARCHAR' THEN v[3] ->> '$' END AS details,
               CASE WHEN json_type(v[4], '$.id') = 'VARCHAR' THEN v[4] ->> '$.id' END AS buyer_id,
               v[4] AS buyer,
               CASE WHEN json_type(v[5]) = 'VARCHAR' THEN v[5] ->> '$' END AS pe_id,
               CASE WHEN json_type(v[7]) = 'ARRAY' THEN v[7] END AS bids,
               CASE WHEN json_type(v[8]) = 'ARRAY' THEN v[8] END AS awards,
               CASE WHEN json_type(v[9]) = 'OBJECT' THEN v[9] END AS tp,
               v[10] AS nt
        FROM x
        WHERE json_type(v[1]) = 'VARCHAR'
          AND coalesce(NOT (json_type(v[6]) = 'VARCHAR' AND v[6] ->> '$' = 'cancelled'), true)
          AND coalesce(NOT (json_type(v[3]) = 'VARCHAR'
                            AND list_contains({exclude}, v[3] ->> '$')), true)
        """
    )
    # Bids (bids.details[]), with position, status, single tenderer, amount and currency.
    con.execute(
        """
        CREATE OR REPLACE TABLE bid AS
        WITH b AS (
            SELECT r.ocid, r.line, u.bid, u.idx
            FROM rel r,
                 LATERAL (SELECT unnest(CAST(r.bids AS JSON[])) AS bid,
                                 generate_subscripts(CAST(r.bids AS JSON[]), 1) AS idx) u
            WHERE r.bids IS NOT NULL
        )
        , e AS (
            -- One parse of each bid; the checks below read its small pieces.
            SELECT ocid, line, idx, bid,
                   json_extract(bid, ['$.status', '$.value', '$.tenderers', '$.date']) AS v
            FROM b
        )
        SELECT ocid, line, idx, bid,
               CASE WHEN json_type(v[1]) = 'VARCHAR' THEN v[1] ->> '$' END AS status,
               CASE WHEN json_type(v[2], '$.amount') IN ('UBIGINT', 'BIGINT', 'DOUBLE')
                    AND json_type(v[2]) = 'OBJECT'
                    THEN CAST(v[2] ->> '$.amount' AS DOUBLE) END AS amount,
               CASE WHEN json_type(v[2], '$.currency') = 'VARCHAR'
                    THEN v[2] ->> '$.currency' END AS currency,
               coalesce(json_type(v[3]) = 'ARRAY', false) AS has_tenderers,
               CASE WHEN json_type(v[3]) = 'ARRAY' THEN json_array_length(v[3]) END
                   AS n_tenderers,
               CASE WHEN json_type(v[3], '$[0].id') = 'VARCHAR'
                    THEN v[3] ->> '$[0].id' END AS tenderer0,
               CASE WHEN json_type(v[4]) = 'VARCHAR' THEN v[4] ->> '$' END AS date
        FROM e
        """
    )
    # Each bid's tenderers with string ids.
    con.execute(
        """
        CREATE OR REPLACE TABLE bid_tenderer AS
        SELECT ocid, idx, status, t ->> '$.id' AS tid
        FROM (SELECT ocid, idx, status, unnest(CAST(bid -> '$.tenderers' AS JSON[])) AS t
              FROM bid WHERE has_tenderers)
        WHERE json_type(t, '$.id') = 'VARCHAR'
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE award AS
        SELECT ocid, line, a, aidx,
               CASE WHEN json_type(a, '$.status') = 'VARCHAR' THEN a ->> '$.status' END AS status,
               json_type(a, '$.suppliers') = 'ARRAY' AS has_suppliers,
               CASE WHEN json_type(a, '$.suppliers') = 'ARRAY' THEN json_array_length(a, '$.suppliers') END
                   AS n_suppliers,
               CASE WHEN json_type(a, '$.suppliers[0].id') = 'VARCHAR'
                    THEN a ->> '$.suppliers[0].id' END AS supplier0
        FROM (SELECT r.ocid, r.line, unnest(CAST(r.awards AS JSON[])) AS a,
                     generate_subscripts(CAST(r.awards AS JSON[]), 1) AS aidx
              FROM rel r WHERE r.awards IS NOT NULL)
        """
    )
    # Contracting processes whose awards are all final (active, cancelled or unsuccessful; an award
    # without a string status is ignored) and that have bids.details: Cardinal's "complete" view.
    con.execute(
        """
        CREATE OR REPLACE TABLE final AS
        SELECT r.ocid,
               count(a.ocid) FILTER (WHERE a.status = 'active') AS n_active,
               any_value(a.n_suppliers) FILTER (WHERE a.status = 'active') AS n_suppliers,
               any_value(a.supplier0) FILTER (WHERE a.status = 'active') AS supplier
        FROM rel r LEFT JOIN award a USING (ocid)
        WHERE r.awards IS NOT NULL AND r.bids IS NOT NULL
        GROUP BY r.ocid
        HAVING count(a.ocid) FILTER (WHERE a.status IS NOT NULL
                                     AND a.status NOT IN ('active', 'cancelled', 'unsuccessful')) = 0
        """
    )


def _main_currency(con: duckdb.DuckDBPyConnection, settings: Settings) -> str | None:
    if settings.currency:
        return settings.currency
    row = con.execute(
        "SELECT currency FROM bid WHERE currency IS NOT NULL ORDER BY line, idx LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def _price_filter(settings: Settings) -> str:
    """Cardinal's price-comparison filter on procurementMethodDetails (allow list beats deny list)."""
    if settings.price_comparison_procurement_methods:
        return f"list_contains({_sql_list(settings.price_comparison_procurement_methods)}, details)"
    return f"coalesce(NOT list_contains({_sql_list(settings.no_price_comparison_procurement_methods)}, details), true)"


# ---------------------------------------------------------------------------------------------
# Indicators


def _r003(con: duckdb.DuckDBPyConnection, s: Settings, report: RedFlagReport) -> None:
    threshold = int(s.get("R003", "threshold", 15))
    methods = _pipe(s.get("R003", "procurement_methods"))
    details: dict[str, int] = s.get("R003", "procurement_method_details", {}) or {}
    method_ok = f"list_contains({_sql_list(methods)}, method)" if methods else "true"
    cases = " ".join(
        f"WHEN details = '{k.replace(chr(39), chr(39) * 2)}' THEN {int(v)}"
        for k, v in details.items()
    )
    limit = f"CASE {cases} ELSE {threshold} END" if cases else str(threshold)
    rfc3339 = r"'^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$'"
    rows = con.execute(
        f"""
        WITH p AS (
            SELECT ocid, method, details, tp ->> '$.startDate' AS s,
                   tp ->> '$.endDate' AS e, {limit} AS limit_days
            FROM rel
            WHERE {method_ok}
              AND json_type(tp, '$.startDate') = 'VARCHAR'
              AND json_type(tp, '$.endDate') = 'VARCHAR'
        ), d AS (
            SELECT *, trunc((epoch(TRY_CAST(e AS TIMESTAMPTZ)) - epoch(TRY_CAST(s AS TIMESTAMPTZ))) / 86400) AS days
            FROM p WHERE regexp_matches(s, {rfc3339}) AND regexp_matches(e, {rfc3339})
        )
        SELECT ocid, s, e, days, limit_days, method, details FROM d WHERE days IS NOT NULL AND days < limit_days
        """
    ).fetchall()
    for ocid, start, end, days, limit_days, method, det in rows:
        report.set(
            "OCID",
            ocid,
            "R003",
            1.0,
            {
                "tender_period_start": start,
                "tender_period_end": end,
                "days": int(days),
                "threshold_days": int(limit_days),
                "procurement_method": method,
                "procurement_method_details": det,
            },
        )


def _r018(con: duckdb.DuckDBPyConnection, s: Settings, report: RedFlagReport) -> None:
    methods = _pipe(s.get("R018", "procurement_methods")) or {"open", "selective"}
    rows = con.execute(
        f"""
        SELECT ocid, method FROM rel
        WHERE list_contains({_sql_list(methods)}, method)
          AND json_type(nt) = 'UBIGINT'
          AND CAST(nt ->> '$' AS UBIGINT) = 1
        """
    ).fetchall()
    for ocid, method in rows:
        report.set(
            "OCID", ocid, "R018", 1.0, {"number_of_tenderers": 1, "procurement_method": method}
        )


def _second_lowest(con: duckdb.DuckDBPyConnection, s: Settings) -> None:
    """Table ``slb(ocid, winner, winner_amount, loser, loser_amount, ratio)`` for R024 and R058."""
    currency = _main_currency(con, s)
    cur = "'" + currency.replace("'", "''") + "'" if currency else "NULL"
    con.execute(
        f"""
        CREATE OR REPLACE TABLE slb AS
        WITH f AS (
            SELECT f.ocid, f.supplier FROM final f JOIN rel r USING (ocid)
            WHERE f.n_active = 1 AND f.n_suppliers = 1 AND f.supplier IS NOT NULL AND {_price_filter(s)}
        ), v AS (
            SELECT f.ocid, f.supplier, b.tenderer0 AS tid, b.amount, b.idx
            FROM f JOIN bid b USING (ocid)
            WHERE b.status = 'valid' AND b.amount IS NOT NULL AND b.currency = {cur}
              AND b.n_tenderers = 1 AND b.tenderer0 IS NOT NULL
        ), g AS (
            SELECT ocid,
                   min(amount) FILTER (WHERE tid = supplier) AS winner_amount,
                   any_value(supplier) AS winner,
                   min(amount) FILTER (WHERE tid <> supplier) AS loser_amount,
                   first(tid ORDER BY amount, idx) FILTER (WHERE tid <> supplier) AS loser
            FROM v GROUP BY ocid
        )
        SELECT ocid, winner, winner_amount, loser, loser_amount,
               (loser_amount - winner_amount) / winner_amount AS ratio
        FROM g
        WHERE winner_amount IS NOT NULL AND loser_amount IS NOT NULL AND loser_amount >= winner_amount
          AND winner_amount <> 0
        """
    )


def _r024(con: duckdb.DuckDBPyConnection, s: Settings, report: RedFlagReport) -> None:
    threshold = s.get("R024", "threshold")
    if threshold is None:
        q1 = quantile8(con, "slb", "ratio", 0.25)
        q3 = quantile8(con, "slb", "ratio", 0.75)
        report.set_meta("R024", "q1", q1)
        report.set_meta("R024", "q3", q3)
        fence = None if q1 is None or q3 is None else q1 - 1.5 * (q3 - q1)
    else:
        q1, q3, fence = 1.0, None, float(threshold)
    report.set_meta("R024", "lower_fence", fence)
    if q1 is None or fence is None or not (q1 > 0 and fence > 0):
        return
    rows = con.execute(
        "SELECT ocid, ratio, winner, winner_amount, loser, loser_amount FROM slb WHERE ratio <= ?",
        [fence],
    ).fetchall()
    for ocid, ratio, winner, wa, loser, la in rows:
        ev = {
            "winning_bid": wa,
            "second_lowest_valid_bid": la,
            "winner": winner,
            "second_lowest_tenderer": loser,
            "difference": ratio,
            "lower_fence": fence,
            "q1": q1 if threshold is None else None,
            "q3": q3,
        }
        report.set("OCID", ocid, "R024", ratio, ev)
        for tid in (winner, loser):
            report.set("Tenderer", tid, "R024", 0.0, {**ev, "ocid": ocid})


def _r058(con: duckdb.DuckDBPyConnection, s: Settings, report: RedFlagReport) -> None:
    threshold = s.get("R058", "threshold")
    if threshold is None:
        q1 = quantile8(con, "slb", "ratio", 0.25)
        q3 = quantile8(con, "slb", "ratio", 0.75)
        report.set_meta("R058", "q1", q1)
        report.set_meta("R058", "q3", q3)
        fence = None if q1 is None or q3 is None else q3 + 1.5 * (q3 - q1)
    else:
        fence = float(threshold)
    report.set_meta("R058", "upper_fence", fence)
    if fence is None or fence <= 0:
        return
    rows = con.execute(
        "SELECT ocid, ratio, winner, winner_amount, loser, loser_amount FROM slb WHERE ratio >= ?",
        [fence],
    ).fetchall()
    for ocid, ratio, winner, wa, loser, la in rows:
        ev = {
            "winning_bid": wa,
            "second_lowest_valid_bid": la,
            "winner": winner,
            "second_lowest_tenderer": loser,
            "difference": ratio,
            "upper_fence": fence,
        }
        report.set("OCID", ocid, "R058", ratio, ev)
        report.set("Tenderer", winner, "R058", 0.0, {**ev, "ocid": ocid})


def _r025(con: duckdb.DuckDBPyConnection, s: Settings, report: RedFlagReport) -> None:
    percentile = int(s.get("R025", "percentile", 75))
    threshold = s.get("R025", "threshold")
    con.execute(
        """
        CREATE OR REPLACE TABLE r025 AS
        WITH t AS (
            SELECT DISTINCT f.ocid, b.tenderer0 AS tid, f.supplier
            FROM final f JOIN bid b USING (ocid)
            WHERE f.n_active = 1 AND f.n_suppliers = 1 AND f.supplier IS NOT NULL
              AND b.status = 'valid' AND b.n_tenderers = 1 AND b.tenderer0 IS NOT NULL
        )
        SELECT tid, count(*) FILTER (WHERE tid = supplier) AS won, count(*) AS submitted,
               count(*) FILTER (WHERE tid = supplier) / count(*) AS ratio
        FROM t GROUP BY tid
        """
    )
    upper = quantile8(con, "r025", "submitted", percentile / 100)
    if threshold is None:
        q1 = quantile8(con, "r025", "ratio", 0.25)
        q3 = quantile8(con, "r025", "ratio", 0.75)
        report.set_meta("R025", "q1", q1)
        report.set_meta("R025", "q3", q3)
        lower = None if q1 is None or q3 is None else q1 - 1.5 * (q3 - q1)
    else:
        q1, lower = 1.0, float(threshold)
    report.set_meta("R025", "upper_fence", upper)
    report.set_meta("R025", "lower_fence", lower)
    if upper is None or q1 is None or lower is None or not (q1 > 0 and lower > 0):
        return
    rows = con.execute(
        "SELECT tid, won, submitted, ratio FROM r025 WHERE submitted >= ? AND ratio <= ?",
        [upper, lower],
    ).fetchall()
    for tid, won, submitted, ratio in rows:
        report.set(
            "Tenderer",
            tid,
            "R025",
            ratio,
            {
                "winning_bids": won,
                "submitted_bids": submitted,
                "ratio": ratio,
                "lower_fence": lower,
                "submitted_bids_upper_fence": upper,
            },
        )


def _r028(con: duckdb.DuckDBPyConnection, s: Settings, report: RedFlagReport) -> None:
    rows = con.execute(
        f"""
        WITH sb AS (
            SELECT b.ocid, b.idx, b.amount, b.currency,
                   (SELECT list_sort(list_distinct(list(t.tid))) FROM bid_tenderer t
                    WHERE t.ocid = b.ocid AND t.idx = b.idx) AS ids
            FROM bid b JOIN rel r USING (ocid)
            WHERE b.status IS NOT NULL AND b.status NOT IN ('invited', 'withdrawn')
              AND b.has_tenderers AND b.amount IS NOT NULL AND b.currency IS NOT NULL
              AND {_price_filter(s)}
        ), w AS (
            SELECT *, lag(ids) OVER (PARTITION BY ocid, amount, currency ORDER BY idx) AS prev
            FROM sb WHERE len(ids) > 0
        )
        SELECT ocid, amount, currency, ids, prev FROM w WHERE prev IS NOT NULL AND ids <> prev
        """
    ).fetchall()
    for ocid, amount, currency, ids, prev in rows:
        ev = {"amount": amount, "currency": currency, "tenderers": sorted(set(ids) | set(prev))}
        report.set("OCID", ocid, "R028", 1.0, ev)
        for tid in set(ids) | set(prev):
            report.set("Tenderer", tid, "R028", 1.0, {**ev, "ocid": ocid})


def _r030(con: duckdb.DuckDBPyConnection, s: Settings, report: RedFlagReport) -> None:
    rows = con.execute(
        """
        WITH r AS (
            SELECT ocid, tp ->> '$.endDate' AS end_date FROM rel
            WHERE json_type(tp, '$.endDate') = 'VARCHAR' AND awards IS NOT NULL AND bids IS NOT NULL
        ), sup AS (
            SELECT DISTINCT ocid, s ->> '$.id' AS sid
            FROM (SELECT ocid, unnest(CAST(a -> '$.suppliers' AS JSON[])) AS s
                  FROM award WHERE status = 'active' AND has_suppliers)
            WHERE json_type(s, '$.id') = 'VARCHAR'
        )
        SELECT DISTINCT r.ocid, t.tid, b.date, r.end_date
        FROM r JOIN bid b USING (ocid)
        JOIN bid_tenderer t ON t.ocid = b.ocid AND t.idx = b.idx
        JOIN sup ON sup.ocid = r.ocid AND sup.sid = t.tid
        WHERE b.status = 'valid' AND b.date IS NOT NULL AND b.date > r.end_date
        """
    ).fetchall()
    for ocid, tid, date, end in rows:
        ev = {"bid_date": date, "tender_period_end": end, "winner": tid}
        report.set("OCID", ocid, "R030", 1.0, ev)
        report.set("Tenderer", tid, "R030", 1.0, {**ev, "ocid": ocid})


def _r035(con: duckdb.DuckDBPyConnection, s: Settings, report: RedFlagReport) -> None:
    threshold = max(int(s.get("R035", "threshold", 1)), 1)
    rows = con.execute(
        """
        WITH sup AS (
            SELECT ocid, list_sort(list(DISTINCT sid)) AS suppliers
            FROM (SELECT ocid, s ->> '$.id' AS sid
                  FROM (SELECT ocid, unnest(CAST(a -> '$.suppliers' AS JSON[])) AS s
                        FROM award WHERE status = 'active' AND has_suppliers)
                  WHERE json_type(s, '$.id') = 'VARCHAR')
            GROUP BY ocid
        ), t AS (
            SELECT ocid,
                   list_sort(list(DISTINCT tid) FILTER (WHERE status = 'valid')) AS valid,
                   list(DISTINCT tid) FILTER (WHERE status = 'disqualified') AS disq
            FROM bid_tenderer GROUP BY ocid
        )
        SELECT f.ocid, t.valid[1] AS winner, list_filter(coalesce(t.disq, []), lambda x: x <> t.valid[1]) AS others
        FROM final f JOIN t USING (ocid) JOIN sup USING (ocid)
        WHERE len(t.valid) = 1 AND t.valid = sup.suppliers
        """
    ).fetchall()
    for ocid, winner, others in rows:
        if len(others) >= threshold:
            ev = {
                "winner": winner,
                "disqualified_tenderers": sorted(others),
                "threshold": threshold,
            }
            report.set("OCID", ocid, "R035", float(len(others)), ev)
            report.set("Tenderer", winner, "R035", 0.0, {**ev, "ocid": ocid})


def _r036(con: duckdb.DuckDBPyConnection, s: Settings, report: RedFlagReport) -> None:
    currency = _main_currency(con, s)
    cur = "'" + currency.replace("'", "''") + "'" if currency else "NULL"
    rows = con.execute(
        f"""
        WITH ok AS (
            SELECT DISTINCT a.ocid FROM award a WHERE a.status = 'active'
        ), b AS (
            SELECT b.* FROM bid b JOIN rel r USING (ocid) JOIN ok USING (ocid)
            WHERE b.status IS NOT NULL AND b.status NOT IN ('invited', 'withdrawn')
              AND b.amount IS NOT NULL AND b.currency = {cur} AND {_price_filter(s)}
        )
        SELECT ocid, min(amount) AS lowest, first(status ORDER BY amount, idx) AS lowest_status,
               first(tenderer0 ORDER BY amount, idx) AS lowest_tenderer,
               min(amount) FILTER (WHERE status = 'valid') AS lowest_valid
        FROM b GROUP BY ocid
        HAVING count(*) FILTER (WHERE status = 'valid') > 0
           AND first(status ORDER BY amount, idx) = 'disqualified'
        """
    ).fetchall()
    for ocid, lowest, _status, tenderer, lowest_valid in rows:
        report.set(
            "OCID",
            ocid,
            "R036",
            1.0,
            {
                "lowest_bid": lowest,
                "lowest_bid_tenderer": tenderer,
                "lowest_valid_bid": lowest_valid,
            },
        )


def _r038(con: duckdb.DuckDBPyConnection, s: Settings, report: RedFlagReport) -> None:
    threshold = s.get("R038", "threshold")
    min_bids = int(s.get("R038", "minimum_submitted_bids", 2))
    min_processes = int(s.get("R038", "minimum_contracting_processes", 2))
    con.execute(
        """
        CREATE OR REPLACE TABLE r038_proc AS
        SELECT b.ocid, any_value(r.buyer_id) AS buyer_id, any_value(r.pe_id) AS pe_id,
               count(*) FILTER (WHERE b.status = 'disqualified') AS disq, count(*) AS submitted
        FROM bid b JOIN rel r USING (ocid)
        WHERE b.status IS NOT NULL AND b.status NOT IN ('invited', 'withdrawn')
        GROUP BY b.ocid
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE r038 AS
        SELECT 'Buyer' AS grp, buyer_id AS id, sum(disq) AS disq, sum(submitted) AS submitted
        FROM r038_proc WHERE buyer_id IS NOT NULL GROUP BY buyer_id
        UNION ALL
        SELECT 'ProcuringEntity', pe_id, sum(disq), sum(submitted)
        FROM r038_proc WHERE pe_id IS NOT NULL GROUP BY pe_id
        UNION ALL
        SELECT 'Tenderer', tid, count(*) FILTER (WHERE status = 'disqualified'), count(*)
        FROM bid_tenderer t JOIN rel r USING (ocid)
        WHERE status IS NOT NULL AND status NOT IN ('invited', 'withdrawn') GROUP BY tid
        """
    )
    for group, minimum in (
        ("Buyer", min_processes),
        ("ProcuringEntity", min_processes),
        ("Tenderer", min_bids),
    ):
        view = f"r038_{group.lower()}"
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT id, disq, submitted, disq / submitted AS ratio "
            f"FROM r038 WHERE grp = '{group}' AND submitted >= {int(minimum)}"
        )
        row = con.execute(f"SELECT count(*) FROM {view}").fetchone()
        if not row or row[0] == 0:
            continue
        if threshold is None:
            q1 = quantile8(con, view, "ratio", 0.25)
            q3 = quantile8(con, view, "ratio", 0.75)
            report.set_meta("R038", f"{group}_q1", q1)
            report.set_meta("R038", f"{group}_q3", q3)
            fence = None if q1 is None or q3 is None else q3 + 1.5 * (q3 - q1)
        else:
            fence = float(threshold)
        report.set_meta("R038", f"{group}_upper_fence", fence)
        if fence is None or fence <= 0:
            continue
        for key, disq, submitted, ratio in con.execute(
            f"SELECT id, disq, submitted, ratio FROM {view} WHERE ratio >= ?", [fence]
        ).fetchall():
            report.set(
                group,
                key,
                "R038",
                ratio,
                {
                    "disqualified_bids": disq,
                    "submitted_bids": submitted,
                    "ratio": ratio,
                    "upper_fence": fence,
                },
            )


def _r048(con: duckdb.DuckDBPyConnection, s: Settings, report: RedFlagReport) -> None:
    digits = int(s.get("R048", "digits", 2))
    threshold = s.get("R048", "threshold")
    minimum = int(s.get("R048", "minimum_contracting_processes", 20))
    con.execute(
        f"""
        CREATE OR REPLACE TABLE r048 AS
        WITH i AS (
            SELECT ocid, supplier0 AS sid, unnest(CAST(a -> '$.items' AS JSON[])) AS it
            FROM award
            WHERE status = 'active' AND n_suppliers = 1 AND supplier0 IS NOT NULL
              AND json_type(a, '$.items') = 'ARRAY'
        ), c AS (
            SELECT ocid, sid, left(it ->> '$.classification.id', {digits}) AS code FROM i
            WHERE json_type(it, '$.classification') = 'OBJECT'
              AND json_type(it, '$.classification.id') = 'VARCHAR'
        )
        SELECT sid, count(DISTINCT ocid) AS processes, count(DISTINCT code) AS codes,
               list_sort(list(DISTINCT code)) AS code_list
        FROM c GROUP BY sid HAVING count(DISTINCT ocid) >= {minimum}
        """
    )
    if threshold is None:
        q1 = quantile8(con, "r048", "codes", 0.25)
        q3 = quantile8(con, "r048", "codes", 0.75)
        report.set_meta("R048", "q1", q1)
        report.set_meta("R048", "q3", q3)
        fence = None if q1 is None or q3 is None else q3 + 1.5 * (q3 - q1)
    else:
        fence = float(threshold)
    report.set_meta("R048", "upper_fence", fence)
    if fence is None:
        return
    for sid, processes, codes, code_list in con.execute(
        "SELECT sid, processes, codes, code_list FROM r048 WHERE codes >= ?", [fence]
    ).fetchall():
        report.set(
            "Tenderer",
            sid,
            "R048",
            float(codes),
            {
                "classifications": code_list,
                "contracting_processes": processes,
                "upper_fence": fence,
            },
        )


_RUNNERS = {
    "R003": _r003,
    "R018": _r018,
    "R024": _r024,
    "R025": _r025,
    "R028": _r028,
    "R030": _r030,
    "R035": _r035,
    "R036": _r036,
    "R038": _r038,
    "R048": _r048,
    "R058": _r058,
}


def run_connection(con: duckdb.DuckDBPyConnection, settings: Settings) -> RedFlagReport:
    """Run every indicator whose section is in ``settings`` over table ``raw`` of ``con``."""
    report = RedFlagReport()
    _prepare(con, settings)
    row = con.execute("SELECT count(*) FROM rel").fetchone()
    report.releases = int(row[0]) if row else 0
    if "R024" in settings.indicators or "R058" in settings.indicators:
        _second_lowest(con, settings)
    for code in INDICATORS:
        if code in settings.indicators:
            _RUNNERS[code](con, settings, report)
    return report


def run(path: str | Path, settings: Settings) -> RedFlagReport:
    """Cardinal's indicators over a JSON-lines file of compiled releases."""
    con = connect(path)
    try:
        return run_connection(con, settings)
    finally:
        con.close()
