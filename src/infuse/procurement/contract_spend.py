"""Spend on and off contract: a body's ledger lines set against its contracts. Pure: no Django.

Two steps, each testable alone:

:func:`match_contract_suppliers`
    Each supplier named on a contract is matched to one of the body's supplier clusters (the
    clusters the supplier pages show, :mod:`~.supplier_profiles`): by Companies House number
    when the contract gives one and a cluster's ledger lines carry it, else by the supplier
    matcher's own normalised name (:func:`~.suppliers.normalise_supplier_names`, so
    "Bwyd Da Cyf." and "BWYD DA CYF" agree). No new or fuzzier matcher: a contract supplier
    that matches no cluster exactly is shown as unmatched, for a person to look at.
:func:`spend_against_contracts`
    One DuckDB statement over the body's ledger lines in the analytical store puts every line
    in exactly one of four parts, so the parts add up to the ledger total:

    * **on contract** — the payee's cluster holds a contract of the body whose period covers the
      payment date (a contract with no start date is taken to run from the beginning, one with
      no end date to run on; both are stated on the page);
    * **outside a contract's period** — the payee holds contracts, but none covering that date;
    * **off contract** — the payee holds no contract of the body at all;
    * **cannot tell** — the payee is withheld (an individual or a redacted name), not named, or
      the payment has no date.

    Per contract, the spend on it is the lines with its supplier's cluster dated in its period.
    A supplier holding several contracts at once has a payment counted against each of them on
    the contract pages, but once only in the body's parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa

from . import ledger_values
from .suppliers import normalise_supplier_names

PARTS = ("on_contract", "outside_period", "off_contract", "cannot_tell")

CONTRACT_SUPPLIER_SCHEMA: dict[str, pl.DataType] = {
    "contract_id": pl.Int64(),
    "name": pl.String(),
    "company_number": pl.String(),
}


def contract_suppliers(compiled: dict[str, Any], names: Sequence[str]) -> list[tuple[str, str]]:
    """``(name, company number or "")`` for each supplier ``names`` of a compiled release,
    the number taken from the supplier's party when its identifier is Companies House's
    (``GB-COH``, the org-id.guide scheme for UK companies)."""
    numbers: dict[str, str] = {}
    parties = compiled.get("parties") if isinstance(compiled, dict) else None
    for party in parties if isinstance(parties, list) else []:
        if not isinstance(party, dict):
            continue
        identifier = party.get("identifier")
        if (
            isinstance(identifier, dict)
            and identifier.get("scheme") == "GB-COH"
            and isinstance(party.get("name"), str)
            and identifier.get("id")
        ):
            numbers[party["name"].strip()] = str(identifier["id"])
    return [(name, numbers.get(name, "")) for name in names]


def match_contract_suppliers(suppliers: pl.DataFrame, profiles: pl.DataFrame) -> pl.DataFrame:
    """Each contract supplier with the cluster it matches, or nulls.

    ``suppliers`` has :data:`CONTRACT_SUPPLIER_SCHEMA`; ``profiles`` is
    :func:`~.supplier_profiles.cluster_profiles`' frame (``cluster_id``, ``name``,
    ``company_numbers``, ``normalised_names``, ``is_excluded``). Returns ``contract_id``,
    ``name``, ``cluster_id``, ``cluster_name`` and ``match`` (``company_number``,
    ``normalised_name`` or null).
    """
    named = profiles.filter(~pl.col("is_excluded"))
    by_number = (
        named.select("cluster_id", "name", pl.col("company_numbers").alias("company_number"))
        .explode("company_number")
        .drop_nulls("company_number")
        .unique("company_number", keep="first", maintain_order=True)
        .rename({"cluster_id": "cluster_by_number", "name": "name_by_number"})
    )
    by_name = (
        named.select("cluster_id", "name", pl.col("normalised_names").alias("normalised_name"))
        .explode("normalised_name")
        .drop_nulls("normalised_name")
        .unique("normalised_name", keep="first", maintain_order=True)
        .rename({"cluster_id": "cluster_by_name", "name": "name_by_name"})
    )
    keyed = suppliers.with_columns(
        ledger_values.company_number(pl.col("company_number").replace("", None)).alias(
            "company_number"
        ),
        normalise_supplier_names(suppliers["name"])
        .struct.field("normalised_name")
        .alias("normalised_name"),
    )
    joined = keyed.join(by_number, on="company_number", how="left").join(
        by_name, on="normalised_name", how="left"
    )
    return joined.select(
        "contract_id",
        "name",
        cluster_id=pl.coalesce("cluster_by_number", "cluster_by_name"),
        cluster_name=pl.coalesce("name_by_number", "name_by_name"),
        match=pl.when(pl.col("cluster_by_number").is_not_null())
        .then(pl.lit("company_number"))
        .when(pl.col("cluster_by_name").is_not_null())
        .then(pl.lit("normalised_name")),
    )


@dataclass(frozen=True)
class Part:
    amount: Decimal
    lines: int


@dataclass(frozen=True)
class ContractSpend:
    """The body's ledger in four parts (keys of :data:`PARTS`) that add up to ``total``;
    spend per contract id in its period; and the clusters with most spend off contract."""

    total: Part
    parts: dict[str, Part]
    per_contract: dict[int, Part] = field(default_factory=dict)
    off_contract_clusters: list[tuple[str, Decimal, int]] = field(default_factory=list)

    def share(self, part: str) -> float | None:
        if self.total.amount == 0:
            return None
        return float(self.parts[part].amount / self.total.amount)


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def spend_against_contracts(
    ledger_paths: Sequence[str],
    body_code: str,
    spellings: pa.Table,
    periods: pa.Table,
    *,
    off_contract_limit: int = 20,
) -> ContractSpend:
    """Set ``body_code``'s lines in the Parquet files ``ledger_paths`` (absolute) against its
    contracts (see the module's description).

    ``spellings``: ``name`` (a supplier spelling as published) → ``cluster_id``, withheld
    payees left out. ``periods``: one row per matched contract supplier, ``contract_id``,
    ``cluster_id``, ``start`` and ``end`` (dates, null when not known). Amounts are pounds as
    published, credit notes included.
    """
    empty = Part(Decimal("0.00"), 0)
    if not ledger_paths:
        return ContractSpend(total=empty, parts=dict.fromkeys(PARTS, empty))
    connection = duckdb.connect()
    try:
        connection.read_parquet(list(ledger_paths), union_by_name=True).create_view("lines")
        connection.register("spellings", spellings)
        connection.register("periods", periods)
        # Lines are first summed per (spelling, day): a ledger repeats these a lot, so the
        # joins below run over far fewer rows than the ledger has lines.
        connection.execute(
            """
            CREATE TEMP TABLE days AS
            WITH l AS (
                SELECT supplier_name AS name, payment_date AS day,
                       coalesce(is_personal OR is_redacted, false) AS withheld,
                       sum(amount_gbp) AS amount, count(*) AS lines
                FROM lines WHERE body_code = ? GROUP BY ALL
            )
            SELECT row_number() OVER () AS k, l.*, s.cluster_id FROM l
            LEFT JOIN spellings s ON s.name = l.name AND NOT l.withheld
            """,
            [body_code],
        )
        connection.execute(
            """
            CREATE TEMP TABLE classified AS
            SELECT d.k, d.cluster_id, d.amount, d.lines, CASE
                WHEN d.withheld OR d.name IS NULL OR trim(d.name) = '' OR d.day IS NULL
                    THEN 'cannot_tell'
                WHEN bool_or(p.cluster_id IS NOT NULL
                             AND d.day >= coalesce(p.start, DATE '0001-01-01')
                             AND d.day <= coalesce(p."end", DATE '9999-12-31'))
                    THEN 'on_contract'
                WHEN bool_or(p.cluster_id IS NOT NULL) THEN 'outside_period'
                ELSE 'off_contract' END AS part
            FROM days d LEFT JOIN periods p ON p.cluster_id = d.cluster_id
            GROUP BY d.k, d.name, d.day, d.withheld, d.cluster_id, d.amount, d.lines
            """
        )
        parts_rows = connection.execute(
            "SELECT part, sum(amount) AS amount, sum(lines)::BIGINT AS lines "
            "FROM classified GROUP BY part"
        ).fetchall()
        per_contract_rows = connection.execute(
            """
            SELECT p.contract_id, sum(d.amount) AS amount, sum(d.lines)::BIGINT AS lines
            FROM (SELECT DISTINCT contract_id, cluster_id, start, "end" FROM periods) p
            JOIN days d ON d.cluster_id = p.cluster_id AND d.day IS NOT NULL
             AND d.day >= coalesce(p.start, DATE '0001-01-01')
             AND d.day <= coalesce(p."end", DATE '9999-12-31')
            GROUP BY 1
            """
        ).fetchall()
        off_rows = connection.execute(
            "SELECT cluster_id, sum(amount) AS amount, sum(lines)::BIGINT AS lines "
            "FROM classified WHERE part = 'off_contract' AND cluster_id IS NOT NULL "
            "GROUP BY 1 ORDER BY amount DESC, cluster_id LIMIT ?",
            [int(off_contract_limit)],
        ).fetchall()
    finally:
        connection.close()
    parts = dict.fromkeys(PARTS, empty)
    for part, amount, lines in parts_rows:
        parts[part] = Part(_money(amount), int(lines))
    total = Part(
        sum((p.amount for p in parts.values()), Decimal("0.00")),
        sum(p.lines for p in parts.values()),
    )
    return ContractSpend(
        total=total,
        parts=parts,
        per_contract={
            int(contract_id): Part(_money(amount), int(lines))
            for contract_id, amount, lines in per_contract_rows
        },
        off_contract_clusters=[
            (str(cluster_id), _money(amount), int(lines)) for cluster_id, amount, lines in off_rows
        ],
    )


def spellings_table(profiles: pl.DataFrame) -> pa.Table:
    """``name`` → ``cluster_id`` for every spelling of the named (not withheld) clusters."""
    frame = (
        profiles.filter(~pl.col("is_excluded"))
        .select("cluster_id", pl.col("spellings").alias("name"))
        .explode("name")
        .drop_nulls("name")
        .unique("name", keep="first")
        .select("name", "cluster_id")
    )
    return frame.to_arrow()


def periods_table(rows: Sequence[tuple[int, str, Any, Any]]) -> pa.Table:
    """``(contract_id, cluster_id, start, end)`` rows as the table
    :func:`spend_against_contracts` takes."""
    return pa.table(
        {
            "contract_id": pa.array([r[0] for r in rows], pa.int64()),
            "cluster_id": pa.array([r[1] for r in rows], pa.string()),
            "start": pa.array([r[2] for r in rows], pa.date32()),
            "end": pa.array([r[3] for r in rows], pa.date32()),
        }
    )
