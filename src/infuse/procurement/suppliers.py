"""The supplier-cleaning engine: many published spellings of one supplier, one cluster.

Pure computation (no Django, no database): Polars frames in, Polars frames and frozen
dataclasses out, so the service layer, the command line, a notebook and a test can call it.

Councils spell one supplier many ways (``AMEY LG LTD``, ``Amey LG Limited``, ``Amey L.G. Ltd``,
``AMEY LG LTD T/A AMEY``). Three entry points turn the distinct spellings of a ledger into
supplier clusters an analyst can review:

:func:`normalise_supplier_names`
    Vectorised name normalisation (the rules are listed on the function); returns a struct of
    ``normalised_name``, ``core_name`` (without the legal form) and ``trading_as``.
:func:`supplier_spellings`
    One row per distinct raw spelling, from ledger rows in
    :data:`~infuse.procurement.importing.CANONICAL_SCHEMA`.
:func:`cluster_suppliers`
    Clusters the spellings: identical company numbers, then identical VAT numbers, then
    identical normalised names, then fuzzy matches (RapidFuzz ``token_sort_ratio`` within
    blocks), never joining two different company numbers and never clustering redacted or
    personal payees.
:func:`apply_decisions`
    Replays an analyst's :class:`Merge` and :class:`Split` decisions, held as plain data, in
    order; undoing a decision is removing it and replaying the rest.

Cluster ids are derived from the cluster's content (a hash of its alphabetically first
spelling), not from row order, so the same spellings always get the same ids and stored
decisions keep pointing at the right clusters when a ledger is imported again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl
import pyarrow as pa
from rapidfuzz import fuzz, process

__all__ = [
    "EVIDENCE_CONFIDENCE",
    "FUZZY_THRESHOLD",
    "SPELLING_COLUMNS",
    "Decision",
    "Merge",
    "Split",
    "SupplierClusters",
    "apply_decisions",
    "cluster_suppliers",
    "normalise_supplier_names",
    "split_cluster_id",
    "supplier_spellings",
]

FUZZY_THRESHOLD = 92.0
"""Minimum RapidFuzz ``token_sort_ratio`` (0–100) between two core names to join them."""

MAX_BLOCK_SIZE = 2_000
"""A fuzzy block (names sharing a first word) larger than this is split again by the first two
letters of the second word, so the all-pairs comparison inside a block stays small."""

SPELLING_COLUMNS = (
    "name",
    "supplier_id",
    "company_number",
    "vat_number",
    "postcode",
    "amount",
    "lines",
)
"""Columns :func:`cluster_suppliers` needs; ``is_redacted`` and ``is_personal`` are optional
(booleans, false when absent)."""

EVIDENCE_CONFIDENCE = {
    "company_number": 1.0,
    "vat_number": 0.95,
    "normalised_name": 0.9,
}
"""Confidence (0–1) that a spelling belongs to its cluster, by the evidence that joined it. A
fuzzy join scores ``0.9 × ratio / 100`` (0.83 at the threshold); a spelling alone in its
cluster (``singleton``), an excluded payee (``excluded``) and an analyst's decision
(``analyst``) score 1."""

_EVIDENCE_CODES = ("singleton", "company_number", "vat_number", "normalised_name", "fuzzy")

# --- normalisation --------------------------------------------------------------------------

_TRADING_AS = r"(?:^|\s)(?:t\s*/\s*a|t\.\s*a\.|trading\s+as)(?:\s+|$)"
# Multi-word legal forms first, so "public limited company" is not read as "limited" + "co".
_LEGAL_FORMS: tuple[tuple[str, str], ...] = (
    (r"\bpublic limited company\b", "plc"),
    (r"\bp l c\b", "plc"),
    (r"\bcwmni cyfyngedig cyhoeddus\b", "plc"),
    (r"\bccc\b", "plc"),
    (r"\blimited liability partnership\b", "llp"),
    (r"\bpartneriaeth atebolrwydd cyfyngedig\b", "llp"),
    (r"\bpac\b", "llp"),
    (r"\bcommunity interest company\b", "cic"),
    (r"\bcwmni buddiant cymunedol\b", "cic"),
    (r"\bcbc\b", "cic"),
    (r"\blimited\b", "ltd"),
    (r"\bcyfyngedig\b", "ltd"),
    (r"\bcyf\b", "ltd"),
    (r"\bcompany\b", "co"),
)
_LEGAL_FORM_TOKENS = r"\b(?:ltd|plc|llp|cic|co)\b"


def _tidy(text: pl.Expr) -> pl.Expr:
    """Lower case, accents off, punctuation off, legal forms unified, ``the`` off, spaces
    collapsed. Applied to both halves of a trading-as name; idempotent."""
    text = (
        text.str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_lowercase()
        .str.replace_all("&", " and ")
        .str.replace_all(r"[.'’`]", "")
        .str.replace_all(r"[^\p{L}\p{N}]+", " ")
        .str.strip_chars()
    )
    for pattern, replacement in _LEGAL_FORMS:
        text = text.str.replace_all(pattern, replacement)
    text = text.str.replace(r"^(?:the\s+)+", "").str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(text.str.len_chars() > 0).then(text)


def normalise_supplier_names(names: pl.Series) -> pl.Series:
    """Normalise supplier names for matching; vectorised Polars string expressions.

    Input: raw supplier names (text, nulls allowed). Output: a struct Series with the same
    name and length, with fields

    * ``normalised_name``: the name for exact matching (null when nothing is left);
    * ``core_name``: ``normalised_name`` without legal-form words, for fuzzy matching;
    * ``trading_as``: the trading name after ``t/a``, ``t.a.`` or ``trading as``, or null.

    Rules, in order:

    1. The text after the first ``t/a``, ``t.a.`` or ``trading as`` becomes ``trading_as``
       and is removed from the name (``AMEY LG LTD T/A AMEY`` → ``amey lg ltd``, ``amey``).
       When nothing precedes it, the trading name is the name.
    2. Unicode compatibility decomposition (NFKD) and removal of combining marks, so accents
       and Welsh circumflexes fold (``Tŷ`` → ``ty``).
    3. Lower case (Polars' Unicode lower-casing, which stands in for ``str.casefold``).
    4. ``&`` becomes ``and``.
    5. Full stops and apostrophes are deleted, joining initials (``L.G.`` → ``lg``,
       ``Sainsbury's`` → ``sainsburys``); every other run of non-letters and non-digits
       becomes one space (brackets, commas, hyphens, slashes).
    6. Legal forms are unified, English and Welsh: ``public limited company``, ``p l c``,
       ``cwmni cyfyngedig cyhoeddus`` and ``ccc`` → ``plc``; ``limited liability
       partnership``, ``partneriaeth atebolrwydd cyfyngedig`` and ``pac`` → ``llp``;
       ``community interest company``, ``cwmni buddiant cymunedol`` and ``cbc`` → ``cic``;
       ``limited``, ``cyfyngedig`` and ``cyf`` → ``ltd``; ``company`` → ``co``.
    7. Leading ``the`` words are removed.
    8. Whitespace is collapsed and trimmed; an empty result is null.

    Applying the rules to a ``normalised_name`` gives it back unchanged (idempotent): the rules
    run a second time over their own result, because tidying can turn an unusual spelling of
    the trading-as marker (``trading-as``) into one rule 1 recognises (found by Hypothesis).
    """
    first = _normalise_once(names)
    again = _normalise_once(first.struct.field("normalised_name").rename(names.name))
    frame = pl.DataFrame(
        {
            "normalised_name": again.struct.field("normalised_name"),
            "core_name": again.struct.field("core_name"),
            "trading_as": first.struct.field("trading_as").fill_null(
                again.struct.field("trading_as")
            ),
        }
    )
    return frame.select(pl.struct("normalised_name", "core_name", "trading_as").alias(names.name))[
        names.name
    ]


def _normalise_once(names: pl.Series) -> pl.Series:
    raw = pl.col("raw").cast(pl.String)
    trading_split = raw.str.to_lowercase().str.find(_TRADING_AS)
    before = pl.when(trading_split.is_null()).then(raw).otherwise(raw.str.slice(0, trading_split))
    after = raw.str.slice(trading_split).str.replace(f"(?i){_TRADING_AS}", "")
    frame = (
        pl.DataFrame({"raw": names})
        .select(name_part=_tidy(before), trading_as=_tidy(after))
        .select(
            normalised_name=pl.coalesce("name_part", "trading_as"),
            trading_as=pl.col("trading_as"),
        )
        .with_columns(
            core_name=pl.col("normalised_name")
            .str.replace_all(_LEGAL_FORM_TOKENS, "")
            .str.replace_all(r"\s+", " ")
            .str.strip_chars()
        )
        .with_columns(
            core_name=pl.when(pl.col("core_name").str.len_chars() > 0)
            .then("core_name")
            .otherwise("normalised_name")
        )
    )
    return frame.select(pl.struct("normalised_name", "core_name", "trading_as").alias(names.name))[
        names.name
    ]


# --- spellings from ledger rows -------------------------------------------------------------


def supplier_spellings(ledger: pl.DataFrame | pa.Table) -> pl.DataFrame:
    """One row per distinct raw supplier spelling, ready for :func:`cluster_suppliers`.

    Input: ledger rows in :data:`~infuse.procurement.importing.CANONICAL_SCHEMA` (a PyArrow
    table from ``import_ledger`` or a Polars frame with ``supplier_name``, ``supplier_id``,
    ``company_number``, ``vat_number``, ``postcode``, ``amount_gbp``, ``is_redacted``,
    ``is_personal``). Output: :data:`SPELLING_COLUMNS` plus ``is_redacted`` and
    ``is_personal``. Redacted lines (null name) form one row with a null name. Each identifier
    is the spelling's most frequent non-null value (ties: the smallest); ``amount`` is the sum
    of ``amount_gbp`` in the ledger's own type (exact decimals stay exact); ``lines`` counts
    payment lines; the flags are true when any line of the spelling carries them.
    """
    rows = ledger if isinstance(ledger, pl.DataFrame) else pl.from_arrow(ledger)
    assert isinstance(rows, pl.DataFrame)
    rows = rows.rename({"supplier_name": "name"})
    spellings = rows.group_by("name").agg(
        amount=pl.col("amount_gbp").sum(),
        lines=pl.len().cast(pl.Int64),
        is_redacted=pl.col("is_redacted").any(),
        is_personal=pl.col("is_personal").any(),
    )
    for column in ("supplier_id", "company_number", "vat_number", "postcode"):
        most_frequent = (
            rows.group_by("name", column)
            .len()
            .drop_nulls(column)
            .sort(["name", "len", column], descending=[False, True, False], nulls_last=False)
            .unique("name", keep="first", maintain_order=True)
            .drop("len")
        )
        spellings = spellings.join(most_frequent, on="name", how="left", nulls_equal=True)
    return spellings.select(*SPELLING_COLUMNS, "is_redacted", "is_personal").sort(
        "name", nulls_last=False
    )


# --- clusters and decisions -----------------------------------------------------------------


@dataclass(frozen=True)
class Merge:
    """An analyst's decision that these clusters are one supplier. The merged cluster keeps the
    first id listed; ids not present when replayed make the decision not applied.

    ``anchor_names`` (optional) gives, for each id, a spelling the cluster held when the
    analyst decided: replay finds the cluster by that spelling first and by its id only when
    the spelling is gone. An id is a hash of its cluster's alphabetically first spelling, so a
    later ledger adding ``CWM CIVILS LIMITED`` beside ``Cwm Civils Ltd`` changes the id; the
    spelling keeps the decision on the supplier the analyst meant."""

    cluster_ids: tuple[str, ...]
    anchor_names: tuple[str | None, ...] = ()

    def __post_init__(self) -> None:
        if len(self.cluster_ids) < 2:
            raise ValueError("A merge needs at least two cluster ids.")


@dataclass(frozen=True)
class Split:
    """An analyst's decision that this raw spelling is not the supplier it was clustered with:
    it moves to a cluster of its own (id derived from the spelling)."""

    raw_name: str


Decision = Merge | Split


@dataclass(frozen=True)
class SupplierClusters:
    """Raw spellings assigned to supplier clusters.

    ``assignments`` has one row per raw spelling (sorted by name, a null name first):
    ``name``, ``normalised_name``, ``trading_as``, ``cluster_id``, ``canonical_name`` (the
    cluster's most-paid spelling; ties: more lines, then alphabetical), ``confidence`` (0–1,
    see :data:`EVIDENCE_CONFIDENCE`), ``evidence`` (``company_number``, ``vat_number``,
    ``normalised_name``, ``fuzzy``, ``singleton``, ``excluded`` or ``analyst``),
    ``is_excluded`` (redacted or personal: never clustered), then the input's identifiers,
    ``amount`` and ``lines``. ``not_applied`` lists decisions that could not be replayed (an
    unknown id or spelling, or one that would cluster an excluded payee).
    """

    assignments: pl.DataFrame
    not_applied: tuple[Decision, ...] = field(default=())

    def summary(self) -> pl.DataFrame:
        """One row per cluster: id, canonical name, spellings, total amount, lines, and the
        distinct company numbers (sorted); largest amount first, then id."""
        return (
            self.assignments.group_by("cluster_id")
            .agg(
                canonical_name=pl.col("canonical_name").first(),
                spellings=pl.len(),
                amount=pl.col("amount").sum(),
                lines=pl.col("lines").sum(),
                company_numbers=pl.col("company_number").drop_nulls().unique().sort(),
                is_excluded=pl.col("is_excluded").any(),
            )
            .sort(["amount", "cluster_id"], descending=[True, False])
        )


def cluster_suppliers(
    table: pl.DataFrame, *, fuzzy_threshold: float = FUZZY_THRESHOLD
) -> SupplierClusters:
    """Cluster the distinct spellings of supplier names into suppliers.

    Input: one row per distinct raw spelling with :data:`SPELLING_COLUMNS` (``amount`` is the
    total spend in pounds, any numeric type; ``lines`` the number of payment lines) and
    optionally ``is_redacted``/``is_personal``; :func:`supplier_spellings` builds it from a
    ledger. Names must be unique (at most one null name).

    Method: spellings are joined, in this order of strength, by (1) the same company number,
    (2) the same VAT number, (3) the same normalised name (:func:`normalise_supplier_names`),
    (4) a RapidFuzz ``token_sort_ratio`` of at least ``fuzzy_threshold`` between core names
    (legal form removed) that hold the same numbers (``Flat 12`` is not ``Flat 13``), compared
    all-pairs with ``process.cdist`` only inside blocks of names that share their first word,
    which keeps the work near-linear. A join that would put
    two different company numbers in one cluster is refused. Redacted and personal payees
    (and names with nothing left after normalisation) each stay alone, flagged
    ``is_excluded``. The result does not depend on the order of the input rows.
    """
    missing = [column for column in SPELLING_COLUMNS if column not in table.columns]
    if missing:
        raise ValueError(f"Supplier spellings need the columns: {', '.join(missing)}.")
    if table["name"].is_duplicated().any():
        raise ValueError("Supplier spellings must have one row per distinct name.")

    spellings = table.select(
        pl.col("name").cast(pl.String),
        *(pl.col(c).cast(pl.String) for c in SPELLING_COLUMNS[1:5]),
        "amount",
        pl.col("lines").cast(pl.Int64),
        *(
            (pl.col(flag).fill_null(False) if flag in table.columns else pl.lit(False))
            .cast(pl.Boolean)
            .alias(flag)
            for flag in ("is_redacted", "is_personal")
        ),
    ).sort("name", nulls_last=False)
    spellings = (
        spellings.with_columns(normalise_supplier_names(spellings["name"]).alias("names"))
        .unnest("names")
        .with_columns(
            is_excluded=pl.col("is_redacted")
            | pl.col("is_personal")
            | pl.col("normalised_name").is_null()
        )
        .with_row_index("row")
    )

    row_count = spellings.height
    eligible = spellings.filter(~pl.col("is_excluded"))
    edges = pl.concat(
        [
            _shared_value_edges(eligible, "company_number", "company_number"),
            _shared_value_edges(eligible, "vat_number", "vat_number"),
            _shared_value_edges(eligible, "normalised_name", "normalised_name"),
            _fuzzy_edges(eligible, fuzzy_threshold),
        ]
    )
    roots, evidence, confidence = _constrained_union(
        row_count, spellings["company_number"].to_list(), edges
    )
    assigned = spellings.with_columns(
        root=pl.Series(roots, dtype=pl.Int64),
        evidence=pl.when(pl.col("is_excluded"))
        .then(pl.lit("excluded"))
        .otherwise(
            pl.Series(evidence, dtype=pl.Int8).replace_strict(
                _evidence_mapping(), return_dtype=pl.String
            )
        ),
        confidence=pl.when(pl.col("is_excluded"))
        .then(1.0)
        .otherwise(pl.Series(confidence, dtype=pl.Float64)),
    )
    anchor = pl.when(pl.col("is_excluded")).then(
        pl.concat_str(
            pl.lit("excluded\x1f"),
            pl.col("name").fill_null(""),
            pl.lit("\x1f"),
            pl.col("supplier_id").fill_null(""),
        )
    )
    assigned = assigned.with_columns(
        anchor=anchor.otherwise(pl.col("name").min().over("root")),
    )
    assigned = assigned.with_columns(cluster_id=_cluster_ids(assigned["anchor"]))
    return SupplierClusters(_finish(assigned))


def apply_decisions(clusters: SupplierClusters, decisions: Iterable[Decision]) -> SupplierClusters:
    """Replay an analyst's decisions, in order, on clusters from :func:`cluster_suppliers`.

    Input: the automatic clusters and the stored :class:`Merge`/:class:`Split` records (plain
    data; the Django layer stores them in order). Every spelling a decision touches gets
    evidence ``analyst`` and confidence 1; canonical names are recomputed. A merge finds its
    clusters by their anchor spellings when given (see :class:`Merge`); a merge whose clusters
    are already one changes nothing. A decision naming an unknown cluster or spelling, or
    touching a redacted or personal payee, is skipped and listed in ``not_applied``. Undoing a
    decision is replaying the list without it on the same automatic clusters.
    """
    assignments = clusters.assignments
    cluster_of = dict(
        zip(assignments["name"].to_list(), assignments["cluster_id"].to_list(), strict=True)
    )
    # Members of each cluster, so a decision costs the size of the clusters it touches, not
    # the number of spellings (hundreds of decisions over tens of thousands of spellings).
    members: dict[str, set[str | None]] = {}
    for name, cluster_id in cluster_of.items():
        members.setdefault(cluster_id, set()).add(name)
    excluded_clusters = set(assignments.filter(pl.col("is_excluded"))["cluster_id"].to_list())
    touched: set[str | None] = set()
    not_applied = list(clusters.not_applied)
    for decision in decisions:
        if isinstance(decision, Merge):
            wanted = _resolved_ids(decision, cluster_of)
            if any(cid not in members or cid in excluded_clusters for cid in wanted):
                not_applied.append(decision)
                continue
            keep = wanted[0]
            for cluster_id in wanted[1:]:
                for name in members.pop(cluster_id):
                    cluster_of[name] = keep
                    members[keep].add(name)
            if len(wanted) > 1:
                touched.update(members[keep])
        else:
            name = decision.raw_name
            if name not in cluster_of or cluster_of[name] in excluded_clusters:
                not_applied.append(decision)
                continue
            previous = cluster_of[name]
            members[previous].discard(name)
            if not members[previous]:
                del members[previous]
            cluster_of[name] = split_cluster_id(name)
            members.setdefault(cluster_of[name], set()).add(name)
            touched.add(name)
    # The loop above runs once per decision over dictionaries; the frame itself is updated
    # once, by a join.
    decided = pl.DataFrame(
        {
            "name": list(cluster_of),
            "decided_cluster_id": list(cluster_of.values()),
            "decided": [name in touched for name in cluster_of],
        },
        schema={"name": pl.String, "decided_cluster_id": pl.String, "decided": pl.Boolean},
    )
    updated = (
        assignments.join(decided, on="name", how="left", nulls_equal=True)
        .with_columns(
            cluster_id=pl.col("decided_cluster_id"),
            evidence=pl.when("decided").then(pl.lit("analyst")).otherwise("evidence"),
            confidence=pl.when("decided").then(1.0).otherwise("confidence"),
        )
        .drop("decided_cluster_id", "decided", "canonical_name")
    )
    return SupplierClusters(_finish(updated), tuple(not_applied))


def split_cluster_id(raw_name: str) -> str:
    """The id of the cluster a :class:`Split` gives its spelling (stable, like every id)."""
    return str(_cluster_ids(pl.Series([f"split\x1f{raw_name}"]))[0])


def _resolved_ids(merge: Merge, cluster_of: dict[str | None, str]) -> tuple[str, ...]:
    """The merge's clusters as they are now: each found by its anchor spelling when that is
    still present, else by its id; clusters named twice are named once."""
    resolved: list[str] = []
    for index, cluster_id in enumerate(merge.cluster_ids):
        anchor = merge.anchor_names[index] if index < len(merge.anchor_names) else None
        current = cluster_of.get(anchor, cluster_id) if anchor is not None else cluster_id
        if current not in resolved:
            resolved.append(current)
    return tuple(resolved)


# --- internals ------------------------------------------------------------------------------


def _evidence_mapping() -> dict[int, str]:
    return dict(enumerate(_EVIDENCE_CODES))


def _shared_value_edges(eligible: pl.DataFrame, column: str, evidence: str) -> pl.DataFrame:
    """Star edges joining each row to the first row sharing its (non-null) value."""
    return (
        eligible.drop_nulls(column)
        .select(
            left=pl.col("row").min().over(column),
            right=pl.col("row"),
        )
        .filter(pl.col("left") != pl.col("right"))
        .with_columns(
            stage=pl.lit(_EVIDENCE_CODES.index(evidence), dtype=pl.Int8),
            score=pl.lit(100.0),
        )
    )


def _fuzzy_edges(eligible: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Edges between rows whose core names score at least ``threshold`` (0–100).

    Rows with the same core name are joined at 100 (their names differ only in legal form);
    distinct core names are compared all-pairs with ``process.cdist`` inside blocks sharing
    their first word (large blocks split again by the second word's first two letters).
    """
    stage = _EVIDENCE_CODES.index("fuzzy")
    same_core = _shared_value_edges(eligible, "core_name", "fuzzy")
    cores = (
        eligible.group_by("core_name")
        .agg(row=pl.col("row").min())
        .with_columns(
            words=pl.col("core_name").str.split(" "),
            numbers=pl.col("core_name").str.extract_all(r"\d+").list.join(" "),
        )
        .with_columns(block=pl.col("words").list.first())
        .with_columns(
            block=pl.when(pl.len().over("block") > MAX_BLOCK_SIZE)
            .then(
                pl.concat_str(
                    "block",
                    pl.lit(" "),
                    pl.col("words").list.get(1, null_on_oob=True).str.slice(0, 2).fill_null(""),
                )
            )
            .otherwise("block")
        )
        .filter(pl.len().over("block") > 1)
        .sort("block", "core_name")
    )
    lefts: list[np.ndarray] = []
    rights: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    # One cdist call per block (not per row); each call compares its block all-pairs in C++.
    for block in cores.partition_by("block", maintain_order=True):
        names = block["core_name"].to_list()
        matrix = process.cdist(
            names,
            names,
            scorer=fuzz.token_sort_ratio,
            score_cutoff=threshold,
            dtype=np.float32,
            workers=-1,
        )
        left_index, right_index = np.nonzero(np.triu(matrix, k=1))
        # Names that differ only in a number are different suppliers (``Flat 12 Management``,
        # ``Flat 13 Management``; ``A1 Taxis``, ``A2 Taxis``), however close the spelling.
        numbers = block["numbers"].to_numpy()
        same_numbers = numbers[left_index] == numbers[right_index]
        left_index, right_index = left_index[same_numbers], right_index[same_numbers]
        rows = block["row"].to_numpy()
        lefts.append(rows[left_index])
        rights.append(rows[right_index])
        scores.append(matrix[left_index, right_index].astype(np.float64))
    if not lefts:
        return same_core
    pairs = pl.DataFrame(
        {
            "left": np.concatenate(lefts).astype(np.uint32),
            "right": np.concatenate(rights).astype(np.uint32),
            "stage": np.full(sum(map(len, lefts)), stage, dtype=np.int8),
            "score": np.concatenate(scores),
        }
    )
    return pl.concat([same_core, pairs.cast(same_core.schema)])


def _constrained_union(
    row_count: int, company_numbers: Sequence[str | None], edges: pl.DataFrame
) -> tuple[list[int], list[int], list[float]]:
    """Union-find over the edges, strongest evidence first, best score first, then row order.

    Returns each row's root, the evidence code and the confidence of the first join that took
    it into a cluster (0 and 1.0 for a spelling left alone). A join is refused when the two
    clusters already hold different company numbers. This is a Python loop over edges, not
    rows of the ledger: the refusal depends on every join made before it, which no vectorised
    connected-components routine can express.
    """
    parent = list(range(row_count))
    cluster_company: list[str | None] = list(company_numbers)
    evidence = [0] * row_count
    confidence = [1.0] * row_count

    def find(row: int) -> int:
        while parent[row] != row:
            parent[row] = parent[parent[row]]
            row = parent[row]
        return row

    ordered = edges.sort(
        ["stage", "score", "left", "right"], descending=[False, True, False, False]
    )
    for left, right, stage, score in ordered.iter_rows():
        left_root, right_root = find(left), find(right)
        if left_root == right_root:
            continue
        left_company, right_company = cluster_company[left_root], cluster_company[right_root]
        if left_company is not None and right_company is not None and left_company != right_company:
            continue
        keep, absorb = sorted((left_root, right_root))
        parent[absorb] = keep
        cluster_company[keep] = left_company if left_company is not None else right_company
        code = _EVIDENCE_CODES[stage]
        joined_confidence = EVIDENCE_CONFIDENCE.get(code, 0.9 * score / 100.0)
        for row in (left, right):
            if evidence[row] == 0:
                evidence[row] = stage
                confidence[row] = joined_confidence
    return [find(row) for row in range(row_count)], evidence, confidence


def _cluster_ids(anchors: pl.Series) -> pl.Series:
    """``S`` + 12 hex digits of BLAKE2b over the anchor text: stable across runs and versions
    (Polars' own hash is not), computed once per distinct anchor."""
    distinct = anchors.unique().drop_nulls().to_list()
    ids = {
        anchor: "S" + hashlib.blake2b(anchor.encode(), digest_size=6).hexdigest()
        for anchor in distinct
    }
    return anchors.replace_strict(ids, return_dtype=pl.String).alias("cluster_id")


def _finish(assigned: pl.DataFrame) -> pl.DataFrame:
    """Choose each cluster's canonical name (most paid, then most lines, then alphabetical) and
    put the columns in their published order."""
    canonical = (
        assigned.sort(
            ["cluster_id", "amount", "lines", "name"],
            descending=[False, True, True, False],
            nulls_last=True,
        )
        .unique("cluster_id", keep="first", maintain_order=True)
        .select("cluster_id", canonical_name="name")
    )
    return (
        assigned.join(canonical, on="cluster_id", how="left")
        .select(
            "name",
            "normalised_name",
            "trading_as",
            "cluster_id",
            "canonical_name",
            "confidence",
            "evidence",
            "is_excluded",
            "supplier_id",
            "company_number",
            "vat_number",
            "postcode",
            "amount",
            "lines",
            "is_redacted",
            "is_personal",
        )
        .sort("name", nulls_last=False)
    )
