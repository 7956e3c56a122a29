"""Spend analytics over ledger lines in the analytical store, computed by DuckDB.

Pure of Django: give it a :class:`~infuse.warehouse.store.Store`, the live files (paths the
database lists) and a :class:`SpendFilter`; get plain results back. Every figure comes from one
SQL statement over the ``lines`` view, so it can be traced to the lines behind it (the
``lines`` function returns exactly those lines for any filter).

Amounts are pounds as published (net of recoverable VAT where the publisher says so), credit
notes included as negative amounts. Lines without a category, department or date are kept in
every total under "Unclassified", "Not given" or "Date unknown"; nothing is dropped.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

import duckdb
import pyarrow as pa

from infuse.warehouse.store import Store, covered_view, own_columns_view

from .categories import DATASET as CATEGORIES_DATASET

UNCLASSIFIED = "Unclassified"
NOT_GIVEN = "Not given"
# Payments to individuals and redacted names are grouped under one label wherever supplier
# names are listed, so no person's name reaches a list (UK GDPR data minimisation).
WITHHELD = "Withheld (individual or redacted)"
DATE_UNKNOWN = "Date unknown"


@dataclass(frozen=True)
class SpendFilter:
    bodies: tuple[str, ...] = ()
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    department: str = ""
    category: str = ""
    supplier: str = ""
    # The spellings of one supplier cluster (see ``supplier_profiles``), as published.
    supplier_names: tuple[str, ...] = ()

    def where(self) -> tuple[str, list[Any]]:
        """A SQL condition over the ``lines`` view and its parameters."""
        clauses: list[str] = ["TRUE"]
        params: list[Any] = []
        if self.bodies:
            clauses.append(f"body_code IN ({', '.join('?' for _ in self.bodies)})")
            params.extend(self.bodies)
        if self.date_from:
            clauses.append("payment_date >= ?")
            params.append(self.date_from)
        if self.date_to:
            clauses.append("payment_date <= ?")
            params.append(self.date_to)
        if self.department:
            clauses.append(f"{DEPARTMENT} = ?")
            params.append(self.department)
        if self.category:
            clauses.append(f"{CATEGORY} = ?")
            params.append(self.category)
        if self.supplier:
            clauses.append(f"{SUPPLIER} = ?")
            params.append(self.supplier)
        if self.supplier_names:
            # Withheld payees are never clustered with a named supplier, so their lines never
            # belong to a cluster's spellings.
            marks = ", ".join("?" for _ in self.supplier_names)
            clauses.append(f"supplier_name IN ({marks}) AND NOT (is_personal OR is_redacted)")
            params.extend(self.supplier_names)
        return " AND ".join(clauses), params


# How each line is grouped. Worked out once, when a file is imported (``with_groups``), and
# stored as columns beside the line, so every query groups by a plain column.
DEPARTMENT_RULE = f"coalesce(nullif(trim(department), ''), '{NOT_GIVEN}')"
CATEGORY_RULE = (
    f"coalesce(nullif(trim(category_label), ''), nullif(trim(expense_type), ''), '{UNCLASSIFIED}')"
)
SUPPLIER_RULE = (
    f"CASE WHEN is_personal OR is_redacted THEN '{WITHHELD}' "
    f"ELSE coalesce(nullif(trim(supplier_name), ''), '{NOT_GIVEN}') END"
)
MONTH_RULE = f"coalesce(strftime(payment_date, '%Y-%m'), '{DATE_UNKNOWN}')"
DEPARTMENT = "department_group"
CATEGORY = "category_group"
SUPPLIER = "supplier_group"


OWN_LINES = own_columns_view("lines")


CATEGORISED_LINES = covered_view(CATEGORIES_DATASET, "lines")


def _lines_view(spend: SpendFilter, *, category: bool = False, every_column: bool = False) -> str:
    """The view a query reads. Without a category (to group or filter by), the lines as
    imported: over millions of lines, joining them to their categories costs more than the
    rest of the query. With one, the categorised lines (the columns the figures use, kept
    beside each line's category: no join), or, when the query needs ``every_column`` (a page
    of lines with their references and descriptions), the lines joined to their categories."""
    if not (category or spend.category):
        return OWN_LINES
    return "lines" if every_column else CATEGORISED_LINES


def with_groups(rows: pa.Table) -> pa.Table:
    """``rows`` (canonical ledger lines) with the grouping columns the queries use."""
    connection = duckdb.connect()
    try:
        connection.register("incoming", rows)
        return connection.sql(
            f"SELECT *, {SUPPLIER_RULE} AS supplier_group, {DEPARTMENT_RULE} AS department_group, "
            f"{CATEGORY_RULE} AS category_group, {MONTH_RULE} AS month_group FROM incoming"
        ).to_arrow_table()
    finally:
        connection.close()


@dataclass(frozen=True)
class Totals:
    lines: int
    total: Decimal
    credit_notes: int
    suppliers: int
    first_date: datetime.date | None
    last_date: datetime.date | None
    dates_unknown: int


@dataclass(frozen=True)
class Share:
    label: str
    amount: Decimal
    lines: int
    share: float  # of the filtered total, 0–1


@dataclass(frozen=True)
class Concentration:
    suppliers: int
    top10_share: float
    hhi: float  # Herfindahl–Hirschman index on supplier shares of positive spend, 0–10,000


@dataclass(frozen=True)
class DuplicatePair:
    reason: str  # "same_invoice" or "same_supplier_amount"
    supplier: str
    amount: Decimal
    first: dict[str, Any]
    second: dict[str, Any]
    days_apart: int | None = None


@dataclass
class SpendOverview:
    totals: Totals
    by_month: list[Share] = field(default_factory=list)
    by_department: list[Share] = field(default_factory=list)
    by_category: list[Share] = field(default_factory=list)
    top_suppliers: list[Share] = field(default_factory=list)
    concentration: Concentration | None = None


class LinesSource(Protocol):
    """The store, or one session of it (``Store.session``), answering SQL over given files."""

    def query(
        self,
        sql: str,
        files: Sequence[str],
        parameters: Sequence[Any] | None = None,
        *,
        view: str = "lines",
    ) -> pa.Table: ...


def _rows(
    store: LinesSource, files: Sequence[str], sql: str, params: list[Any]
) -> list[dict[str, Any]]:
    if not files:
        return []
    return store.query(sql, files, params).to_pylist()


def totals(store: LinesSource, files: Sequence[str], spend: SpendFilter) -> Totals:
    where, params = spend.where()
    rows = _rows(
        store,
        files,
        f"""
        SELECT count(*) AS lines, coalesce(sum(amount_gbp), 0) AS total,
               count(*) FILTER (WHERE amount_gbp < 0) AS credit_notes,
               count(DISTINCT {SUPPLIER}) AS suppliers,
               min(payment_date) AS first_date, max(payment_date) AS last_date,
               count(*) FILTER (WHERE payment_date IS NULL) AS dates_unknown
        FROM {_lines_view(spend)} WHERE {where}
        """,
        params,
    )
    if not rows:
        return Totals(0, Decimal("0.00"), 0, 0, None, None, 0)
    row = rows[0]
    return Totals(
        lines=row["lines"],
        total=Decimal(row["total"]).quantize(Decimal("0.01")),
        credit_notes=row["credit_notes"],
        suppliers=row["suppliers"],
        first_date=row["first_date"],
        last_date=row["last_date"],
        dates_unknown=row["dates_unknown"],
    )


def _shares(
    store: LinesSource,
    files: Sequence[str],
    spend: SpendFilter,
    expression: str,
    limit: int | None,
    order: str,
) -> list[Share]:
    where, params = spend.where()
    limit_sql = f"LIMIT {int(limit)}" if limit else ""
    rows = _rows(
        store,
        files,
        f"""
        WITH grouped AS (
            SELECT {expression} AS label, sum(amount_gbp) AS amount, count(*) AS lines
            FROM {_lines_view(spend, category=expression == CATEGORY)} WHERE {where} GROUP BY 1
        )
        SELECT label, amount, lines, amount / nullif(sum(amount) OVER (), 0) AS share
        FROM grouped ORDER BY {order} {limit_sql}
        """,
        params,
    )
    return [
        Share(
            label=str(r["label"]),
            amount=Decimal(r["amount"]).quantize(Decimal("0.01")),
            lines=r["lines"],
            share=float(r["share"] or 0.0),
        )
        for r in rows
    ]


MONTH = "month_group"


def by_month(store: LinesSource, files: Sequence[str], spend: SpendFilter) -> list[Share]:
    return _shares(store, files, spend, MONTH, None, "label")


def by_department(
    store: LinesSource, files: Sequence[str], spend: SpendFilter, limit: int = 15
) -> list[Share]:
    return _shares(store, files, spend, DEPARTMENT, limit, "amount DESC, label")


def by_category(
    store: LinesSource, files: Sequence[str], spend: SpendFilter, limit: int = 15
) -> list[Share]:
    """The largest categories, and always the Unclassified row (£0 when every line has a
    category), so unclassified spend is never out of sight."""
    shares = _shares(store, files, spend, CATEGORY, None, "amount DESC, label")
    if not files:
        return shares
    kept = shares[:limit] if limit else shares
    unclassified = [s for s in shares if s.label == UNCLASSIFIED]
    if not unclassified:
        kept.append(Share(UNCLASSIFIED, Decimal("0.00"), 0, 0.0))
    elif unclassified[0] not in kept:
        kept.append(unclassified[0])
    return kept


def top_suppliers(
    store: LinesSource, files: Sequence[str], spend: SpendFilter, limit: int = 20
) -> list[Share]:
    return _shares(store, files, spend, SUPPLIER, limit, "amount DESC, label")


def concentration(store: LinesSource, files: Sequence[str], spend: SpendFilter) -> Concentration:
    """Top-10 share and the Herfindahl–Hirschman index of supplier shares.

    Only named suppliers with positive net spend count (withheld names are many people, not one
    supplier). HHI = Σ (100 × share)², so 10,000 is one supplier (US DoJ/FTC Horizontal Merger
    Guidelines 2023 §2.1 use the same scale).
    """
    where, params = spend.where()
    rows = _rows(
        store,
        files,
        f"""
        WITH per_supplier AS (
            SELECT {SUPPLIER} AS supplier, sum(amount_gbp) AS amount
            FROM {_lines_view(spend)} WHERE {where} GROUP BY 1
        ), named AS (
            SELECT amount / sum(amount) OVER () AS share,
                   row_number() OVER (ORDER BY amount DESC) AS rank
            FROM per_supplier WHERE amount > 0 AND supplier NOT IN ('{WITHHELD}', '{NOT_GIVEN}')
        )
        SELECT count(*) AS suppliers,
               coalesce(sum(share) FILTER (WHERE rank <= 10), 0) AS top10,
               coalesce(sum(power(share * 100, 2)), 0) AS hhi
        FROM named
        """,
        params,
    )
    if not rows:
        return Concentration(0, 0.0, 0.0)
    return Concentration(rows[0]["suppliers"], float(rows[0]["top10"]), float(rows[0]["hhi"]))


def overview(store: Store, files: Sequence[str], spend: SpendFilter) -> SpendOverview:
    """Every figure of the analysis page, from one session over the files."""
    with store.session(files) as session:
        return SpendOverview(
            totals=totals(session, files, spend),
            by_month=by_month(session, files, spend),
            by_department=by_department(session, files, spend),
            by_category=by_category(session, files, spend),
            top_suppliers=top_suppliers(session, files, spend),
            concentration=concentration(session, files, spend),
        )


LINE_COLUMNS = (
    "body_code, batch_id, line_number, payment_date, "
    f"{SUPPLIER} AS supplier, amount_gbp, {DEPARTMENT} AS department, {CATEGORY} AS category, "
    "transaction_ref, invoice_ref, description"
)


# With a category side table (``categories``): the code, confidence and reason of each line.
CATEGORY_DETAIL_COLUMNS = (
    ", expense_type, supplier_name AS supplier_as_published, is_personal, is_redacted, "
    "category_assigned, category_assigned_name, category_confidence, category_reason, "
    "category_source"
)


def lines(
    store: LinesSource,
    files: Sequence[str],
    spend: SpendFilter,
    *,
    limit: int = 100,
    offset: int = 0,
    category_detail: bool = False,
) -> list[dict[str, Any]]:
    """The lines behind any figure above, newest first (withheld names stay withheld).
    ``category_detail`` (only when ``files`` include a category side table) adds how each
    line's category was decided."""
    where, params = spend.where()
    detail = CATEGORY_DETAIL_COLUMNS if category_detail else ""
    order = "payment_date DESC NULLS LAST, body_code, batch_id, line_number"
    # The page is chosen first (from the lines as imported, unless the filter is a category),
    # then only its lines are joined to their categories.
    return _rows(
        store,
        files,
        f"""
        WITH page AS (
            SELECT body_code, batch_id, line_number FROM {_lines_view(spend)} WHERE {where}
            ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}
        )
        SELECT {LINE_COLUMNS}{detail}
        FROM lines JOIN page USING (body_code, batch_id, line_number) ORDER BY {order}
        """,
        params,
    )


def possible_duplicates(
    store: LinesSource,
    files: Sequence[str],
    spend: SpendFilter,
    *,
    window_days: int = 14,
    limit: int = 200,
) -> list[DuplicatePair]:
    """Payments that may have been made twice, each with the reason and both lines.

    Two tests, as auditors use them: the same invoice number paid twice to the same supplier;
    and the same supplier paid the same non-zero amount within ``window_days`` days.
    """
    where, params = spend.where()
    rows = _rows(
        store,
        files,
        f"""
        WITH l AS (
            SELECT body_code, batch_id, line_number, payment_date, amount_gbp,
                   nullif(trim(invoice_ref), '') AS invoice_ref, {SUPPLIER} AS supplier
            FROM {_lines_view(spend, every_column=True)} WHERE {where} AND amount_gbp <> 0
              AND {SUPPLIER} NOT IN ('{WITHHELD}', '{NOT_GIVEN}')
        ), pairs AS (
            SELECT CASE WHEN a.invoice_ref = b.invoice_ref THEN 'same_invoice'
                        ELSE 'same_supplier_amount' END AS reason,
                   a.supplier, a.amount_gbp AS amount,
                   a.body_code AS a_body, a.batch_id AS a_batch, a.line_number AS a_line,
                   a.payment_date AS a_date, b.batch_id AS b_batch, b.line_number AS b_line,
                   b.payment_date AS b_date
            FROM l a JOIN l b ON a.body_code = b.body_code AND a.supplier = b.supplier
             AND (a.batch_id, a.line_number) < (b.batch_id, b.line_number)
            WHERE a.invoice_ref = b.invoice_ref
               OR (a.amount_gbp = b.amount_gbp
                   AND abs(date_diff('day', a.payment_date, b.payment_date)) <= {int(window_days)})
        )
        SELECT * FROM pairs
        ORDER BY amount DESC, supplier LIMIT {int(limit)}
        """,
        params,
    )
    result = []
    for r in rows:
        days = (
            abs((r["b_date"] - r["a_date"]).days)
            if r["a_date"] is not None and r["b_date"] is not None
            else None
        )
        result.append(
            DuplicatePair(
                reason=r["reason"],
                supplier=r["supplier"],
                amount=Decimal(r["amount"]).quantize(Decimal("0.01")),
                first={
                    "body": r["a_body"],
                    "batch": r["a_batch"],
                    "line": r["a_line"],
                    "date": r["a_date"],
                },
                second={
                    "body": r["a_body"],
                    "batch": r["b_batch"],
                    "line": r["b_line"],
                    "date": r["b_date"],
                },
                days_apart=days,
            )
        )
    return result


@dataclass(frozen=True)
class BodySpend:
    body_code: str
    total: Decimal
    lines: int
    suppliers: int


@dataclass(frozen=True)
class SharedGroup:
    """A supplier or category that several bodies pay: a chance to buy together."""

    label: str
    bodies: int
    body_codes: tuple[str, ...]
    total: Decimal
    lines: int


def by_body(store: LinesSource, files: Sequence[str], spend: SpendFilter) -> list[BodySpend]:
    where, params = spend.where()
    rows = _rows(
        store,
        files,
        f"""
        SELECT body_code, sum(amount_gbp) AS total, count(*) AS lines,
               count(DISTINCT {SUPPLIER}) AS suppliers
        FROM {_lines_view(spend)} WHERE {where} GROUP BY 1 ORDER BY 1
        """,
        params,
    )
    return [
        BodySpend(
            r["body_code"],
            Decimal(r["total"]).quantize(Decimal("0.01")),
            r["lines"],
            r["suppliers"],
        )
        for r in rows
    ]


def shared_across_bodies(
    store: LinesSource,
    files: Sequence[str],
    spend: SpendFilter,
    *,
    group: str = "supplier",
    min_bodies: int = 2,
    limit: int = 50,
) -> list[SharedGroup]:
    """Suppliers (or categories) paid by at least ``min_bodies`` bodies, largest spend first.

    Withheld names and the catch-all groups are left out: they are not one supplier or one
    kind of purchase.
    """
    expression = {"supplier": SUPPLIER, "category": CATEGORY}[group]
    where, params = spend.where()
    rows = _rows(
        store,
        files,
        f"""
        SELECT {expression} AS label, count(DISTINCT body_code) AS bodies,
               list(DISTINCT body_code ORDER BY body_code) AS body_codes,
               sum(amount_gbp) AS total, count(*) AS lines
        FROM {_lines_view(spend, category=group == "category")}
        WHERE {where} AND {expression} NOT IN ('{WITHHELD}', '{NOT_GIVEN}', '{UNCLASSIFIED}')
        GROUP BY 1 HAVING count(DISTINCT body_code) >= ?
        ORDER BY bodies DESC, total DESC, label LIMIT {int(limit)}
        """,
        [*params, int(min_bodies)],
    )
    return [
        SharedGroup(
            label=str(r["label"]),
            bodies=r["bodies"],
            body_codes=tuple(r["body_codes"]),
            total=Decimal(r["total"]).quantize(Decimal("0.01")),
            lines=r["lines"],
        )
        for r in rows
    ]


def supplier_spellings(store: LinesSource, files: Sequence[str], bodies: Sequence[str]) -> pa.Table:
    """One row per distinct supplier spelling of the bodies' lines, as
    :func:`infuse.procurement.suppliers.supplier_spellings` gives it from a ledger (the same
    columns and rules: each identifier is the spelling's most frequent one, ties the smallest;
    flags are true when any line has them), computed by DuckDB over the store so no ledger is
    loaded into memory."""
    if not files:
        return pa.table(
            {
                "name": pa.array([], pa.string()),
                "supplier_id": pa.array([], pa.string()),
                "company_number": pa.array([], pa.string()),
                "vat_number": pa.array([], pa.string()),
                "postcode": pa.array([], pa.string()),
                "amount": pa.array([], pa.decimal128(38, 2)),
                "lines": pa.array([], pa.int64()),
                "is_redacted": pa.array([], pa.bool_()),
                "is_personal": pa.array([], pa.bool_()),
            }
        )
    marks = ", ".join("?" for _ in bodies)
    most_frequent = "\n".join(
        f"""LEFT JOIN (
            SELECT name, first({column} ORDER BY n DESC, {column}) AS {column}
            FROM (SELECT name, {column}, count(*) AS n FROM l
                  WHERE {column} IS NOT NULL GROUP BY name, {column})
            GROUP BY name
        ) AS {column}_mode ON {column}_mode.name IS NOT DISTINCT FROM s.name"""
        for column in ("supplier_id", "company_number", "vat_number", "postcode")
    )
    return store.query(
        f"""
        WITH l AS (
            SELECT supplier_name AS name, supplier_id, company_number, vat_number, postcode,
                   amount_gbp, is_redacted, is_personal
            FROM {OWN_LINES} WHERE body_code IN ({marks})
        ), s AS (
            SELECT name, sum(amount_gbp) AS amount, count(*) AS lines,
                   bool_or(is_redacted) AS is_redacted, bool_or(is_personal) AS is_personal
            FROM l GROUP BY name
        )
        SELECT s.name, supplier_id_mode.supplier_id, company_number_mode.company_number,
               vat_number_mode.vat_number, postcode_mode.postcode, s.amount,
               s.lines::BIGINT AS lines, s.is_redacted, s.is_personal
        FROM s {most_frequent}
        ORDER BY s.name NULLS FIRST
        """,
        files,
        list(bodies),
    )


def spelling_totals(store: LinesSource, files: Sequence[str], spend: SpendFilter) -> pa.Table:
    """Spend and lines per supplier spelling as published (``name``, null when blank), for the
    lines ``spend`` selects, with ``is_excluded`` (an individual or a redacted name): how a
    filtered figure is shared out among the supplier clusters (see ``supplier_profiles``)."""
    if not files:
        return pa.table(
            {
                "name": pa.array([], pa.string()),
                "amount": pa.array([], pa.decimal128(38, 2)),
                "lines": pa.array([], pa.int64()),
                "is_excluded": pa.array([], pa.bool_()),
            }
        )
    where, params = spend.where()
    return store.query(
        f"""
        SELECT supplier_name AS name, sum(amount_gbp) AS amount, count(*)::BIGINT AS lines,
               bool_or(is_personal OR is_redacted) AS is_excluded
        FROM {_lines_view(spend)} WHERE {where} GROUP BY 1 ORDER BY 1 NULLS FIRST
        """,
        files,
        params,
    )
