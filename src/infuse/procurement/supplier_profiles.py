"""From clustered spellings to the supplier profiles an analyst reads: pure computation.

No Django and no database: the stored decisions come in as :class:`StoredDecision` (plain
data), the entries of uploaded supplier lists as a Polars frame, and out come one row per
supplier cluster, the SME share of spend and suggestions of clusters that may be the same
supplier. The web pages, the API and the command line all read these.

Three steps, each testable alone:

:func:`replay`
    Replays stored merges and splits over the automatic clusters with
    :func:`~.suppliers.apply_decisions`, which finds each merged cluster by a spelling it held
    when the analyst decided (its *anchor*) and only then by its id, and reports by key the
    decisions that no longer fit.
:func:`cluster_profiles`
    One row per cluster: name, spellings, spend, lines, confidence (the weakest spelling's),
    evidence, identifiers, flags, and postcode, size and SIC codes from the supplier lists
    (matched by company number, then VAT number, then normalised name; the newest list wins)
    or, for the postcode, from the ledger.
:func:`sme_share`
    Spend with SMEs, with suppliers known not to be SMEs, with suppliers of unknown size and
    with withheld payees (individuals and redacted names): four parts of one total, so the
    unknown share is always shown beside the SME share.
:func:`supplier_places` and :func:`local_share`
    Where each supplier's postcode places it for one body: in the body's own authority, in
    its region, in Wales, outside Wales, or unknown (plus withheld payees), from the postcode
    districts table in ``infuse.reference.postcodes``; six parts of one total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import polars as pl
from rapidfuzz import fuzz, process

from infuse.reference.postcodes import PostcodeGeography

from .suppliers import Decision, Merge, Split, SupplierClusters, apply_decisions

__all__ = [
    "ENTRY_SCHEMA",
    "PLACES",
    "REVIEW_CONFIDENCE",
    "LocalShare",
    "SmeShare",
    "StoredDecision",
    "cluster_profiles",
    "local_share",
    "postcode_district",
    "replay",
    "share_by_place",
    "similar_clusters",
    "sme_share",
    "supplier_places",
]

REVIEW_CONFIDENCE = 0.9
"""Clusters whose weakest spelling joined with less confidence than this (a fuzzy match) are
listed for an analyst to check."""


@dataclass(frozen=True)
class StoredDecision:
    """A stored merge or split as plain data: ``kind`` is ``merge`` or ``split``; a merge has
    ``cluster_ids`` (the first is kept) and one ``anchor_names`` spelling per id; a split has
    ``raw_name``. ``key`` identifies the stored record (its primary key)."""

    key: int
    kind: str
    cluster_ids: tuple[str, ...] = ()
    anchor_names: tuple[str | None, ...] = ()
    raw_name: str = ""


def replay(
    clusters: SupplierClusters, decisions: Sequence[StoredDecision]
) -> tuple[SupplierClusters, tuple[int, ...]]:
    """Apply stored decisions in order; returns the clusters and the keys of the decisions
    that could not be applied (a spelling no longer in the ledgers, an excluded payee)."""
    plain: list[tuple[int, Decision]] = [
        (
            stored.key,
            Split(stored.raw_name)
            if stored.kind == "split"
            else Merge(stored.cluster_ids, stored.anchor_names),
        )
        for stored in decisions
        if stored.kind == "split" or len(stored.cluster_ids) >= 2
    ]
    decided = apply_decisions(clusters, [decision for _key, decision in plain])
    # Decisions are compared by identity: two stored decisions may be equal as data.
    skipped = {id(decision) for decision in decided.not_applied}
    not_applied = tuple(key for key, decision in plain if id(decision) in skipped)
    return SupplierClusters(decided.assignments), not_applied


ENTRY_SCHEMA: dict[str, pl.DataType] = {
    "list_id": pl.Int64(),
    "line_number": pl.Int64(),
    "name": pl.String(),
    "normalised_name": pl.String(),
    "company_number": pl.String(),
    "vat_number": pl.String(),
    "postcode": pl.String(),
    "size": pl.String(),
    "sic_codes": pl.List(pl.String),
}
"""Supplier-list entries as :func:`cluster_profiles` takes them (a higher ``list_id`` is a
newer list)."""

_MATCHES = ("company_number", "vat_number", "normalised_name")


def cluster_profiles(
    clusters: SupplierClusters, entries: pl.DataFrame | None = None
) -> pl.DataFrame:
    """One row per cluster, most spend first (then id).

    Columns: ``cluster_id``, ``name`` (canonical spelling), ``spellings`` (sorted list),
    ``spelling_count``, ``amount``, ``lines``, ``confidence`` (0–1, the weakest spelling's),
    ``evidence`` (sorted distinct evidence of its spellings), ``is_excluded``, ``is_personal``,
    ``is_redacted``, ``company_numbers``, ``vat_numbers``, ``several_company_numbers`` (an
    analyst merged different companies), ``needs_review`` (several spellings joined by a
    fuzzy match no analyst decided), ``postcode`` and ``postcode_source`` (``list``,
    ``ledger`` or null), ``size`` (``sme``, ``large`` or ``unknown``), ``sic_codes``,
    ``list_id`` and ``list_match`` (how the list entry was matched, or null), and
    ``normalised_names``.
    """
    table = clusters.assignments
    grouped = (
        table.group_by("cluster_id")
        .agg(
            name=pl.col("canonical_name").first(),
            spellings=pl.col("name").drop_nulls().sort(),
            spelling_count=pl.len(),
            amount=pl.col("amount").sum(),
            lines=pl.col("lines").sum(),
            confidence=pl.col("confidence").min(),
            evidence=pl.col("evidence").unique().sort(),
            is_excluded=pl.col("is_excluded").any(),
            is_personal=pl.col("is_personal").any(),
            is_redacted=pl.col("is_redacted").any(),
            company_numbers=pl.col("company_number").drop_nulls().unique().sort(),
            vat_numbers=pl.col("vat_number").drop_nulls().unique().sort(),
            normalised_names=pl.col("normalised_name").drop_nulls().unique().sort(),
            # The postcode of the most-paid spelling that has one.
            ledger_postcode=pl.col("postcode")
            .sort_by("amount", descending=True)
            .drop_nulls()
            .first(),
        )
        .with_columns(
            several_company_numbers=pl.col("company_numbers").list.len() > 1,
            needs_review=(pl.col("spelling_count") > 1)
            & (pl.col("confidence") < REVIEW_CONFIDENCE)
            & ~pl.col("evidence").list.contains("analyst"),
        )
    )
    matched = _list_matches(table, entries)
    profiles = grouped.join(matched, on="cluster_id", how="left")
    return profiles.select(
        "cluster_id",
        "name",
        "spellings",
        "spelling_count",
        "amount",
        "lines",
        "confidence",
        "evidence",
        "is_excluded",
        "is_personal",
        "is_redacted",
        "company_numbers",
        "vat_numbers",
        "several_company_numbers",
        "needs_review",
        postcode=pl.coalesce("list_postcode", "ledger_postcode"),
        postcode_source=pl.when(pl.col("list_postcode").is_not_null())
        .then(pl.lit("list"))
        .when(pl.col("ledger_postcode").is_not_null())
        .then(pl.lit("ledger")),
        size=pl.col("size").fill_null("unknown"),
        sic_codes=pl.col("sic_codes").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        list_id=pl.col("list_id"),
        list_match=pl.col("list_match"),
        normalised_names=pl.col("normalised_names"),
    ).sort(["amount", "cluster_id"], descending=[True, False])


def _list_matches(table: pl.DataFrame, entries: pl.DataFrame | None) -> pl.DataFrame:
    """The best list entry for each cluster: matched by company number, then VAT number, then
    normalised name; among equals the newest list, then the earliest line."""
    empty = pl.DataFrame(
        schema={
            "cluster_id": pl.String,
            "list_postcode": pl.String,
            "size": pl.String,
            "sic_codes": pl.List(pl.String),
            "list_id": pl.Int64,
            "list_match": pl.String,
        }
    )
    if entries is None or entries.height == 0:
        return empty
    # Excluded payees are never enriched: a person is not a supplier with a size.
    keys = table.filter(~pl.col("is_excluded"))
    candidates = []
    for strength, column in enumerate(_MATCHES):
        pairs = keys.select("cluster_id", column).drop_nulls().unique()
        joined = pairs.join(
            entries.drop_nulls(column).select(
                column,
                "list_id",
                "line_number",
                pl.col("postcode").alias("list_postcode"),
                "size",
                "sic_codes",
            ),
            on=column,
            how="inner",
        ).select(
            "cluster_id",
            "list_postcode",
            "size",
            "sic_codes",
            "list_id",
            "line_number",
            strength=pl.lit(strength),
            list_match=pl.lit(column),
        )
        candidates.append(joined)
    return (
        pl.concat(candidates)
        .sort(
            ["cluster_id", "strength", "list_id", "line_number"],
            descending=[False, False, True, False],
        )
        .unique("cluster_id", keep="first", maintain_order=True)
        .select(empty.columns)
    )


@dataclass(frozen=True)
class SmeShare:
    """Spend by supplier size, pounds as published (credit notes included), with each part's
    share of the total (``None`` when the total is not positive)."""

    total: Decimal
    sme: Decimal
    large: Decimal
    unknown: Decimal
    withheld: Decimal

    def share(self, part: str) -> float | None:
        if self.total <= 0:
            return None
        return float(getattr(self, part) / self.total)

    @property
    def known_share(self) -> float | None:
        """The share of spend whose supplier's size is known (SME or not)."""
        if self.total <= 0:
            return None
        return float((self.sme + self.large) / self.total)


def sme_share(profiles: pl.DataFrame) -> SmeShare:
    """Spend with SMEs, with larger suppliers, with suppliers of unknown size and with withheld
    payees, from :func:`cluster_profiles`; the four parts add up to the total."""

    def total(frame: pl.DataFrame) -> Decimal:
        value = frame["amount"].sum() if frame.height else 0
        return Decimal(str(value or 0)).quantize(Decimal("0.01"))

    named = profiles.filter(~pl.col("is_excluded"))
    return SmeShare(
        total=total(profiles),
        sme=total(named.filter(pl.col("size") == "sme")),
        large=total(named.filter(pl.col("size") == "large")),
        unknown=total(named.filter(pl.col("size") == "unknown")),
        withheld=total(profiles.filter(pl.col("is_excluded"))),
    )


PLACES = ("authority", "region", "wales", "outside", "unknown", "withheld")
"""The parts of the local share, most local first; they add up to the total."""

# A UK postcode without spaces: outward code (area letters, district digit, an optional digit
# or letter) then the inward code (a digit and two letters). An outward code alone is read
# too: a supplier list sometimes gives only the district.
_FULL_POSTCODE = r"^([A-Z]{1,2}[0-9][A-Z0-9]?)[0-9][A-Z]{2}$"
_OUTWARD_CODE = r"^([A-Z]{1,2}[0-9][A-Z0-9]?)$"


def postcode_district(postcodes: pl.Expr) -> pl.Expr:
    """The postcode district (outward code, ``CF83``) of each postcode, ignoring case and
    spaces; null for a missing or unreadable postcode."""
    compact = postcodes.str.to_uppercase().str.replace_all(r"[\s\u00a0]+", "")
    return pl.coalesce(
        compact.str.extract(_FULL_POSTCODE, 1), compact.str.extract(_OUTWARD_CODE, 1)
    )


def supplier_places(
    profiles: pl.DataFrame,
    *,
    body_code: str,
    region_codes: frozenset[str] | set[str] | tuple[str, ...],
    geography: PostcodeGeography,
) -> pl.DataFrame:
    """``profiles`` (from :func:`cluster_profiles`, or any frame with ``postcode`` and
    ``is_excluded``) with ``district`` and ``place``, one of :data:`PLACES`:

    ``withheld``
        an individual or a redacted name (never placed, whatever their postcode);
    ``authority``
        the district lies wholly in the body's own authority (``body_code``);
    ``region``
        every authority the district lies in is in the region (``region_codes``, the GSS codes
        of the region's authorities, the body's own included), but not only the body's: a
        district that straddles the body and a neighbour counts here, never for the body;
    ``wales``
        every authority the district lies in is Welsh, but not all in the region; or the
        district is not in the table and its postcode area lies wholly in Wales;
    ``outside``
        no authority the district lies in is Welsh; or its area has no Welsh postcode;
    ``unknown``
        no postcode, one that cannot be read, a district that straddles Wales and England, or
        a district not in the table whose area is only partly Welsh.

    Only complete rows of the table place a postcode; rows that do not name every authority
    of their district are kept for the record only. Columnar (Polars), no loop over rows.
    """
    region = pl.Series("region", sorted(region_codes), dtype=pl.String)
    complete = geography.districts.filter(pl.col("complete"))
    per_district = complete.group_by("district").agg(
        wholly_body=(pl.col("authority_code") == body_code).all(),
        wholly_region=pl.col("authority_code").is_in(region.implode()).all(),
        wholly_wales=(pl.col("nation") == "Wales").all(),
        partly_wales=(pl.col("nation") == "Wales").any(),
    )
    areas = geography.areas.select(
        "area",
        area_wholly_wales=pl.col("in_wales") == "all",
        area_partly_wales=pl.lit(True),
    )
    found = (
        profiles.with_columns(district=postcode_district(pl.col("postcode")))
        .with_columns(area=pl.col("district").str.extract(r"^([A-Z]{1,2})", 1))
        .join(per_district, on="district", how="left")
        .join(areas, on="area", how="left")
    )
    in_table = pl.col("wholly_body").is_not_null()
    place = (
        pl.when(pl.col("is_excluded"))
        .then(pl.lit("withheld"))
        .when(pl.col("district").is_null())
        .then(pl.lit("unknown"))
        .when(in_table & pl.col("wholly_body"))
        .then(pl.lit("authority"))
        .when(in_table & pl.col("wholly_region"))
        .then(pl.lit("region"))
        .when(in_table & pl.col("wholly_wales"))
        .then(pl.lit("wales"))
        .when(in_table & ~pl.col("partly_wales"))
        .then(pl.lit("outside"))
        .when(in_table)
        .then(pl.lit("unknown"))
        .when(pl.col("area_wholly_wales").fill_null(False))
        .then(pl.lit("wales"))
        .when(pl.col("area_partly_wales").is_null())
        .then(pl.lit("outside"))
        .otherwise(pl.lit("unknown"))
    )
    return found.with_columns(place=place).drop(
        "area",
        "wholly_body",
        "wholly_region",
        "wholly_wales",
        "partly_wales",
        "area_wholly_wales",
        "area_partly_wales",
    )


@dataclass(frozen=True)
class LocalShare:
    """Spend by where the supplier is (:data:`PLACES`), pounds as published (credit notes
    included), with the number of suppliers in each part. The parts add up to ``total``."""

    total: Decimal
    authority: Decimal
    region: Decimal
    wales: Decimal
    outside: Decimal
    unknown: Decimal
    withheld: Decimal
    suppliers: dict[str, int]

    def share(self, part: str) -> float | None:
        """One part's share of the total (``None`` when the total is not positive)."""
        if self.total <= 0:
            return None
        return float(getattr(self, part) / self.total)

    def parts(self) -> list[tuple[str, Decimal, float | None, int]]:
        """``(part, amount, share, suppliers)`` for every part, most local first."""
        return [
            (part, getattr(self, part), self.share(part), self.suppliers.get(part, 0))
            for part in PLACES
        ]


def local_share(
    profiles: pl.DataFrame,
    *,
    body_code: str,
    region_codes: frozenset[str] | set[str] | tuple[str, ...],
    geography: PostcodeGeography,
) -> LocalShare:
    """Spend with suppliers in the body's own authority, elsewhere in its region, elsewhere in
    Wales, outside Wales, of unknown place, and with withheld payees, from ``profiles`` (one
    row per supplier with ``amount``, ``postcode`` and ``is_excluded``). See
    :func:`supplier_places` for the rule; the six parts add up to the total."""
    return share_by_place(
        supplier_places(
            profiles, body_code=body_code, region_codes=region_codes, geography=geography
        )
    )


def share_by_place(placed: pl.DataFrame) -> LocalShare:
    """The :class:`LocalShare` of a frame :func:`supplier_places` returned (``amount`` and
    ``place`` per supplier)."""
    sums = placed.group_by("place").agg(amount=pl.col("amount").sum(), suppliers=pl.len())
    amounts = {place: _money(amount) for place, amount, _n in sums.iter_rows()}
    counts = {place: int(n) for place, _amount, n in sums.iter_rows()}
    parts = {place: amounts.get(place, Decimal("0.00")) for place in PLACES}
    return LocalShare(
        total=_money(placed["amount"].sum() if placed.height else 0),
        suppliers={place: counts.get(place, 0) for place in PLACES},
        **parts,
    )


def _money(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


_LEGAL_FORM_WORDS = r"\b(?:ltd|plc|llp|cic|co)\b"


def _core(names: pl.Expr) -> pl.Expr:
    """Normalised names without legal-form words (``cwm civils ltd`` → ``cwm civils``)."""
    return (
        names.str.replace_all(_LEGAL_FORM_WORDS, "").str.replace_all(r"\s+", " ").str.strip_chars()
    )


def similar_clusters(
    profiles: pl.DataFrame, cluster_id: str, *, limit: int = 5, cutoff: float = 75.0
) -> list[tuple[str, float]]:
    """Other clusters whose names are close to this one's but were not joined:
    ``(cluster_id, score)`` pairs, best first; excluded payees are never suggested.

    Scores are RapidFuzz ``WRatio`` (0–100) between names without their legal form. WRatio
    also scores one name contained in another (``Cwm Civils`` in ``Cwm Civil Engineering``),
    which clustering deliberately does not join on, so these are suggestions for a person to
    judge, never merges. Because it scores a shared word alone highly (``Taff Care`` in
    ``Heads of the Valleys Grounds Care``), a suggestion must also start with the same word or
    have a word-order-free ``token_sort_ratio`` of at least ``cutoff``.
    """
    own = profiles.filter(pl.col("cluster_id") == cluster_id)
    if own.height == 0:
        return []
    queries = (
        own.select(pl.col("normalised_names").explode().alias("name"))
        .select(_core(pl.col("name")))
        .drop_nulls()["name"]
        .unique()
        .to_list()
    )
    others = (
        profiles.filter((pl.col("cluster_id") != cluster_id) & ~pl.col("is_excluded"))
        .select("cluster_id", pl.col("normalised_names").alias("name"))
        .explode("name")
        .drop_nulls("name")
        .with_columns(_core(pl.col("name")))
        .filter(pl.col("name").str.len_chars() > 0)
    )
    if not queries or others.height == 0:
        return []
    choices = others["name"].to_list()
    ids = others["cluster_id"].to_list()
    best: dict[str, float] = {}
    for query in queries:
        first_word = query.split(" ", 1)[0]
        for choice, score, index in process.extract(
            query, choices, scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=cutoff
        ):
            if (
                choice.split(" ", 1)[0] != first_word
                and fuzz.token_sort_ratio(query, choice) < cutoff
            ):
                continue
            other = ids[index]
            best[other] = max(best.get(other, 0.0), float(score))
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    return ranked[:limit]
