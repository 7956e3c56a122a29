"""Red flags that UK contract data supports (no Django), computed in DuckDB.

UK portals (Contracts Finder, Sell2Wales, Find a Tender) rarely publish bid-level detail, so most
of Cardinal's indicators cannot fire on them. These indicators use what UK notices do carry: the
tender's estimated value, tender period, procedure, award and contract values and suppliers. Each
is configured in the same INI settings file as Cardinal's, in its own section (``[UK001]`` …);
an indicator runs only when its section is present. Definitions, thresholds, rationale and
sources are in docs/procurement/red-flags.md.

- UK001 award or contract value far above the tender's estimated value.
- UK002 very short tender period for high-value work (Procurement Act 2023 s.54; PCR 2015 reg 27).
- UK003 repeated direct awards (limited procedure) by one buyer to one supplier.
- UK004 values clustered just below a procurement threshold.
- UK005 a supplier paid far more in the ledger than its contracts' value (optional ledger input).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import duckdb

from infuse.procurement import redflags as rf

SECTIONS = ("UK001", "UK002", "UK003", "UK004", "UK005")

# Thresholds in force from 1 January 2024 (VAT inclusive), the same figures in the Public Contracts
# Regulations 2015 (as amended by SI 2023/1303) and the Procurement Act 2023 Schedule 1 (as amended):
# central government supplies/services £139,688; other contracting authorities' supplies/services
# £214,904; works £5,372,609. Source: Cabinet Office, Procurement Policy Note 11/23 (Nov 2023).
# £30,000 is the value above which sub-central authorities must publish on Contracts Finder
# (PCR 2015 reg 110), a frequent local quotation limit.
DEFAULT_THRESHOLDS = "30000|139688|214904|5372609"

DEFAULTS: dict[str, dict[str, Any]] = {
    "UK001": {"threshold": 1.5, "minimum_value": 0.0, "minimum_tender_value": 1000.0},
    "UK002": {
        "minimum_days": 25,
        "minimum_value": 214904.0,
        "procurement_methods": "open|selective",
    },
    "UK003": {"threshold": 3, "procurement_methods": "limited|direct"},
    "UK004": {"thresholds": DEFAULT_THRESHOLDS, "margin": 0.05, "minimum_count": 3, "ratio": 2.0},
    "UK005": {"threshold": 1.25, "minimum_spend": 0.0},
}


class LedgerError(ValueError):
    """The ledger spend input is not valid (message is for the user)."""


def uk_setting(settings: rf.Settings, code: str, key: str) -> Any:
    """A UK indicator's setting from its INI section, typed like its default."""
    default = DEFAULTS[code][key]
    raw = settings.extra.get(code, {}).get(key)
    if raw is None:
        return default
    if isinstance(default, str):
        return raw
    try:
        value = type(default)(raw.strip())
    except ValueError as error:
        raise rf.SettingsError(f"'{key}' in [{code}] must be a number, not '{raw}'") from error
    if not math.isfinite(float(value)) or value < 0:
        raise rf.SettingsError(f"'{key}' in [{code}] must be a non-negative number")
    return value


def validate(settings: rf.Settings) -> None:
    """Raise SettingsError for unknown keys or bad values in the UK sections."""
    for code, values in settings.extra.items():
        if code not in DEFAULTS:
            raise rf.SettingsError(f"unknown section [{code}]")
        for key in values:
            if key not in DEFAULTS[code]:
                raise rf.SettingsError(f"unknown setting '{key}' in [{code}]")
            uk_setting(settings, code, key)
    if "UK004" in settings.extra:
        _thresholds(settings)


def _thresholds(settings: rf.Settings) -> list[float]:
    out = []
    for part in str(uk_setting(settings, "UK004", "thresholds")).split("|"):
        try:
            out.append(float(part.replace(",", "").replace("£", "")))
        except ValueError as error:
            raise rf.SettingsError(
                f"'thresholds' in [UK004] must be numbers separated by '|', not '{part}'"
            ) from error
    return out


# ---------------------------------------------------------------------------------------------
# Tables over compiled releases


def _prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Table ``proc``: one row per contracting process with the fields UK indicators use."""
    con.execute(
        """
        CREATE OR REPLACE TABLE proc AS
        SELECT ocid, j,
               coalesce(buyer_id, CASE WHEN json_type(buyer, '$.name') = 'VARCHAR' THEN buyer ->> '$.name' END,
                        (SELECT p ->> '$.name' FROM unnest(CAST(j -> '$.parties' AS JSON[])) AS t(p)
                         WHERE list_contains(CAST(p -> '$.roles' AS VARCHAR[]), 'buyer') LIMIT 1)) AS buyer,
               method, details,
               TRY_CAST(j ->> '$.tender.value.amount' AS DOUBLE) AS tender_value,
               j ->> '$.tender.value.currency' AS tender_currency,
               tp ->> '$.startDate' AS period_start,
               tp ->> '$.endDate' AS period_end,
               j ->> '$.tender.title' AS title
        FROM rel
        """
    )
    # Awards (active or without status — UK awards often omit it) with value and suppliers.
    con.execute(
        """
        CREATE OR REPLACE TABLE uk_award AS
        SELECT a.ocid, a.aidx,
               TRY_CAST(a.a ->> '$.value.amount' AS DOUBLE) AS value,
               a.a ->> '$.value.currency' AS currency,
               a.a ->> '$.date' AS date,
               CASE WHEN a.has_suppliers THEN
                   list_transform(CAST(a.a -> '$.suppliers' AS JSON[]),
                                  lambda s: coalesce(s ->> '$.id', s ->> '$.name'))
               END AS suppliers,
               CASE WHEN a.has_suppliers THEN
                   list_transform(CAST(a.a -> '$.suppliers' AS JSON[]),
                                  lambda s: coalesce(s ->> '$.name', s ->> '$.id'))
               END AS supplier_names
        FROM award a
        WHERE a.status IS NULL OR a.status = 'active'
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE uk_contract AS
        SELECT ocid, TRY_CAST(c ->> '$.value.amount' AS DOUBLE) AS value, c ->> '$.value.currency' AS currency,
               c ->> '$.awardID' AS award_id
        FROM (SELECT ocid, unnest(CAST(j -> '$.contracts' AS JSON[])) AS c
              FROM rel WHERE json_type(j, '$.contracts') = 'ARRAY')
        WHERE coalesce(c ->> '$.status', 'active') NOT IN ('cancelled', 'terminated')
        """
    )


def _uk001(con: duckdb.DuckDBPyConnection, s: rf.Settings, report: rf.RedFlagReport) -> None:
    ratio = float(uk_setting(s, "UK001", "threshold"))
    minimum = float(uk_setting(s, "UK001", "minimum_value"))
    # Estimates below this are placeholders (e.g. £0.01 or £1), not estimates.
    minimum_tender = float(uk_setting(s, "UK001", "minimum_tender_value"))
    rows = con.execute(
        """
        WITH v AS (
            SELECT ocid, 'award' AS source, value, currency FROM uk_award WHERE value IS NOT NULL
            UNION ALL
            SELECT ocid, 'contract', value, currency FROM uk_contract WHERE value IS NOT NULL
        ), m AS (
            SELECT p.ocid, p.buyer, p.tender_value, p.tender_currency,
                   arg_max(v.source, v.value) AS source, max(v.value) AS value
            FROM proc p JOIN v ON v.ocid = p.ocid
                 AND coalesce(v.currency, p.tender_currency, '') = coalesce(p.tender_currency, v.currency, '')
            WHERE p.tender_value > 0 AND p.tender_value >= ?
            GROUP BY ALL
        )
        SELECT ocid, buyer, tender_value, tender_currency, source, value, value / tender_value AS ratio
        FROM m WHERE value / tender_value >= ? AND value >= ?
        """,
        [minimum_tender, ratio, minimum],
    ).fetchall()
    for ocid, buyer, tender_value, currency, source, value, r in rows:
        report.set(
            "OCID",
            ocid,
            "UK001",
            r,
            {
                "tender_value": tender_value,
                f"{source}_value": value,
                "currency": currency,
                "ratio": r,
                "threshold": ratio,
                "buyer": buyer,
            },
        )


def _uk002(con: duckdb.DuckDBPyConnection, s: rf.Settings, report: rf.RedFlagReport) -> None:
    minimum_days = int(uk_setting(s, "UK002", "minimum_days"))
    minimum_value = float(uk_setting(s, "UK002", "minimum_value"))
    methods = rf._pipe(uk_setting(s, "UK002", "procurement_methods"))
    method_ok = f"list_contains({rf._sql_list(methods)}, method)" if methods else "true"
    rows = con.execute(
        f"""
        WITH d AS (
            SELECT ocid, buyer, method, tender_value, tender_currency, period_start, period_end,
                   (epoch(TRY_CAST(period_end AS TIMESTAMPTZ)) - epoch(TRY_CAST(period_start AS TIMESTAMPTZ)))
                       / 86400 AS days
            FROM proc WHERE {method_ok} AND tender_value >= ?
        )
        SELECT * FROM d WHERE days IS NOT NULL AND days >= 0 AND days < ?
        """,
        [minimum_value, minimum_days],
    ).fetchall()
    for ocid, buyer, method, value, currency, start, end, days in rows:
        report.set(
            "OCID",
            ocid,
            "UK002",
            round(days, 2),
            {
                "tender_period_start": start,
                "tender_period_end": end,
                "days": round(days, 2),
                "minimum_days": minimum_days,
                "tender_value": value,
                "currency": currency,
                "minimum_value": minimum_value,
                "procurement_method": method,
                "buyer": buyer,
            },
        )


def _uk003(con: duckdb.DuckDBPyConnection, s: rf.Settings, report: rf.RedFlagReport) -> None:
    threshold = int(uk_setting(s, "UK003", "threshold"))
    methods = rf._pipe(uk_setting(s, "UK003", "procurement_methods"))
    rows = con.execute(
        f"""
        WITH a AS (
            SELECT DISTINCT p.ocid, p.buyer, unnest(a.suppliers) AS supplier, a.value
            FROM proc p JOIN uk_award a USING (ocid)
            WHERE list_contains({rf._sql_list(methods)}, p.method) AND p.buyer IS NOT NULL
        )
        SELECT buyer, supplier, count(DISTINCT ocid) AS n, list_sort(list(DISTINCT ocid)) AS ocids, sum(value) AS total
        FROM a WHERE supplier IS NOT NULL
        GROUP BY buyer, supplier HAVING count(DISTINCT ocid) >= ?
        """,
        [threshold],
    ).fetchall()
    for buyer, supplier, n, ocids, total in rows:
        ev = {
            "buyer": buyer,
            "supplier": supplier,
            "direct_awards": n,
            "ocids": ocids,
            "total_value": total,
        }
        ev["threshold"] = threshold
        current = report.results.get("Buyer", {}).get(buyer, {}).get("UK003", 0)
        if n > current:
            report.set("Buyer", buyer, "UK003", float(n), ev)
        report.set("Tenderer", supplier, "UK003", float(n), ev)
        for ocid in ocids:
            report.set("OCID", ocid, "UK003", float(n), ev)


def _uk004(con: duckdb.DuckDBPyConnection, s: rf.Settings, report: rf.RedFlagReport) -> None:
    margin = float(uk_setting(s, "UK004", "margin"))
    minimum = int(uk_setting(s, "UK004", "minimum_count"))
    ratio = float(uk_setting(s, "UK004", "ratio"))
    thresholds = _thresholds(s)
    con.execute("CREATE OR REPLACE TEMP TABLE uk_thresholds(t DOUBLE)")
    con.executemany("INSERT INTO uk_thresholds VALUES (?)", [[t] for t in thresholds])
    con.execute(
        """
        CREATE OR REPLACE TABLE uk004 AS
        WITH v AS (
            SELECT p.ocid, p.buyer, coalesce(max(a.value), p.tender_value) AS value
            FROM proc p LEFT JOIN uk_award a USING (ocid)
            GROUP BY p.ocid, p.buyer, p.tender_value
        )
        SELECT v.ocid, v.buyer, v.value, t.t AS threshold,
               v.value < t.t AS below
        FROM v JOIN uk_thresholds t
          ON v.value >= t.t * (1 - ?) AND v.value < t.t * (1 + ?)
        """,
        [margin, margin],
    )
    for ocid, buyer, value, threshold in con.execute(
        "SELECT ocid, buyer, value, threshold FROM uk004 WHERE below"
    ).fetchall():
        report.set(
            "OCID",
            ocid,
            "UK004",
            1.0,
            {
                "process_value": value,
                "procurement_threshold": threshold,
                "gap": threshold - value,
                "margin": margin,
                "buyer": buyer,
            },
        )
    rows = con.execute(
        """
        SELECT buyer, threshold, count(*) FILTER (WHERE below) AS n_below, count(*) FILTER (WHERE NOT below) AS n_above,
               list_sort(list(ocid) FILTER (WHERE below)) AS ocids
        FROM uk004 WHERE buyer IS NOT NULL GROUP BY buyer, threshold
        HAVING count(*) FILTER (WHERE below) >= ? AND count(*) FILTER (WHERE below) >= ? * greatest(1, count(*) FILTER (WHERE NOT below))
        """,
        [minimum, ratio],
    ).fetchall()
    for buyer, threshold, n_below, n_above, ocids in rows:
        report.set(
            "Buyer",
            buyer,
            "UK004",
            float(n_below),
            {
                "procurement_threshold": threshold,
                "just_below": n_below,
                "just_above": n_above,
                "margin": margin,
                "ratio": ratio,
                "minimum_count": minimum,
                "ocids": ocids,
            },
        )


NORMALISE_SQL = (
    "trim(regexp_replace(regexp_replace(lower({x}), '[^a-z0-9 ]', ' ', 'g'), "
    r"'\b(limited|ltd|plc|llp|the|uk|co)\b|\s+', ' ', 'g'))"
)


def _uk005(
    con: duckdb.DuckDBPyConnection,
    s: rf.Settings,
    report: rf.RedFlagReport,
    ledger: Mapping[str, float] | None,
) -> None:
    if not ledger:
        return
    threshold = float(uk_setting(s, "UK005", "threshold"))
    minimum = float(uk_setting(s, "UK005", "minimum_spend"))
    con.execute("CREATE OR REPLACE TEMP TABLE ledger(name VARCHAR, spend DOUBLE)")
    con.executemany("INSERT INTO ledger VALUES (?, ?)", [[k, float(v)] for k, v in ledger.items()])
    norm_l = NORMALISE_SQL.format(x="name")
    norm_s = NORMALISE_SQL.format(x="name")
    rows = con.execute(
        f"""
        WITH per_process AS (
            -- the contract value, or else the award value, per process and supplier
            SELECT a.ocid, unnest(a.supplier_names) AS name,
                   coalesce((SELECT sum(c.value) FROM uk_contract c WHERE c.ocid = a.ocid), a.value) AS value
            FROM uk_award a WHERE a.supplier_names IS NOT NULL
        ), contracted AS (
            SELECT {norm_s} AS key, any_value(name) AS supplier, sum(value) AS contracted,
                   list_sort(list(DISTINCT ocid)) AS ocids
            FROM (SELECT DISTINCT ocid, name, value FROM per_process WHERE value IS NOT NULL)
            GROUP BY key
        ), spend AS (
            SELECT {norm_l} AS key, any_value(name) AS ledger_name, sum(spend) AS spend FROM ledger GROUP BY key
        )
        SELECT c.supplier, s.ledger_name, c.contracted, s.spend, s.spend / c.contracted AS ratio, c.ocids
        FROM contracted c JOIN spend s USING (key)
        WHERE c.contracted > 0 AND s.spend >= ? AND s.spend / c.contracted >= ?
        """,
        [minimum, threshold],
    ).fetchall()
    for supplier, ledger_name, contracted, spend, r, ocids in rows:
        report.set(
            "Tenderer",
            supplier,
            "UK005",
            r,
            {
                "ledger_supplier": ledger_name,
                "ledger_spend": spend,
                "contract_value": contracted,
                "ratio": r,
                "threshold": threshold,
                "ocids": ocids,
            },
        )


def run_uk(
    con: duckdb.DuckDBPyConnection,
    settings: rf.Settings,
    report: rf.RedFlagReport,
    *,
    ledger_spend: Mapping[str, float] | None = None,
) -> rf.RedFlagReport:
    """Run the UK indicators whose sections are present (after ``rf.run_connection``)."""
    validate(settings)
    if not any(code in settings.extra for code in SECTIONS):
        return report
    _prepare(con)
    if "UK001" in settings.extra:
        _uk001(con, settings, report)
    if "UK002" in settings.extra:
        _uk002(con, settings, report)
    if "UK003" in settings.extra:
        _uk003(con, settings, report)
    if "UK004" in settings.extra:
        _uk004(con, settings, report)
    if "UK005" in settings.extra:
        _uk005(con, settings, report, ledger_spend)
    return report


def run_all(
    path: str | Path, settings: rf.Settings, *, ledger_spend: Mapping[str, float] | None = None
) -> rf.RedFlagReport:
    """Cardinal's indicators and the UK indicators over one JSON-lines file of compiled releases."""
    validate(settings)
    con = rf.connect(path)
    try:
        report = rf.run_connection(con, settings)
        return run_uk(con, settings, report, ledger_spend=ledger_spend)
    finally:
        con.close()


def run_releases(
    releases: Iterable[Mapping[str, Any]],
    settings: rf.Settings,
    *,
    ledger_spend: Mapping[str, float] | None = None,
    workdir: Path | None = None,
) -> rf.RedFlagReport:
    """The same over compiled releases given in memory (written once to a temporary JSON-lines file)."""
    import json
    import tempfile

    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        path = Path(tmp) / "compiled.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for release in releases:
                handle.write(json.dumps(release, ensure_ascii=False, default=str) + "\n")
        return run_all(path, settings, ledger_spend=ledger_spend)


def load_ledger_spend(path: str | Path) -> dict[str, float]:
    """Ledger spend per supplier from a CSV with columns ``supplier`` and ``amount`` (summed per name)."""
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            fields = {f.strip().lower(): f for f in (reader.fieldnames or [])}
            if "supplier" not in fields or "amount" not in fields:
                raise LedgerError("the file needs the columns 'supplier' and 'amount'")
            out: dict[str, float] = {}
            for number, row in enumerate(reader, start=2):
                name = (row.get(fields["supplier"]) or "").strip()
                raw = (row.get(fields["amount"]) or "").strip().replace(",", "").replace("£", "")
                if not name:
                    continue
                try:
                    amount = Decimal(raw)
                except InvalidOperation as error:
                    raise LedgerError(f"row {number}: '{raw}' is not an amount") from error
                out[name] = out.get(name, 0.0) + float(amount)
            return out
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise LedgerError(f"cannot read the file: {error}") from error
