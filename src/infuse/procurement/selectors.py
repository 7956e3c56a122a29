"""Reads for the Procurement Lab's pages, API and command line.

Which lines a person may analyse is decided by the permission policy on the spend files
(``visible_filter``); the analytics then run over exactly those files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.translation import get_language

from infuse.accounts.policy import (
    Action,
    BodyWorkspace,
    can,
    may_open,
    may_see_withheld_payees,
    visible_filter,
)
from infuse.reference.models import Body, Region
from infuse.reference.postcodes import PostcodeGeography
from infuse.reference.selectors import postcode_geography
from infuse.warehouse.store import default_store

from . import carbon, spend_queries, supplier_profiles, suppliers
from .categories import DATASET as CATEGORY_DATASET
from .category_selectors import category_files
from .models import (
    CarbonExclusionRule,
    CarbonFactorSet,
    CarbonScenario,
    CarbonSettings,
    SpendBatch,
    SupplierDecision,
    SupplierEmissions,
    SupplierList,
    SupplierListEntry,
)
from .spend_queries import SpendFilter


def spend_batches_visible_to(user: Any) -> QuerySet[SpendBatch]:
    return SpendBatch.objects.filter(visible_filter(user)).select_related(
        "owner_body", "created_by", "job"
    )


def spend_batch_for(user: Any, batch_id: int) -> SpendBatch | None:
    return spend_batches_visible_to(user).filter(pk=batch_id).first()


def live_files(user: Any, body_codes: tuple[str, ...] = ()) -> list[str]:
    """The live spend files ``user`` may see, then the category side tables of their bodies
    (the store joins each line to its category; see ``categories``)."""
    batches = spend_batches_visible_to(user).filter(status=SpendBatch.Status.LIVE)
    if body_codes:
        batches = batches.filter(owner_body__code__in=body_codes)
    rows = list(batches.order_by("pk").values_list("parquet_path", "owner_body__code"))
    files = [path for path, _code in rows]
    return files + category_files(code for _path, code in rows) if files else files


def bodies_with_spend(user: Any) -> QuerySet[Body]:
    codes = (
        spend_batches_visible_to(user)
        .filter(status=SpendBatch.Status.LIVE)
        .values_list("owner_body__code", flat=True)
        .distinct()
    )
    return Body.objects.filter(code__in=list(codes)).order_by("name_en")


def _cache_key(kind: str, files: list[str], spend: SpendFilter, *extra: str) -> str:
    """Live files never change (a correction is a new file), so the list of files and the
    filter fully determine a result: it can be kept until the list changes."""
    digest = hashlib.sha256(repr((kind, tuple(files), spend, extra)).encode()).hexdigest()
    return f"infuse:spend:{digest}"


CACHE_SECONDS = 15 * 60


def spend_overview(user: Any, spend: SpendFilter) -> spend_queries.SpendOverview:
    return _overview(live_files(user, spend.bodies), spend)


def _overview(files: list[str], spend: SpendFilter) -> spend_queries.SpendOverview:
    key = _cache_key("overview", files, spend)
    result = cache.get(key)
    if result is None:
        result = spend_queries.overview(default_store(), files, spend)
        cache.set(key, result, CACHE_SECONDS)
    return result


def spend_chart_svg(user: Any, spend: SpendFilter, kind: str, render: Any) -> str:
    """The chart of ``kind`` as SVG, rendered by ``render(overview)`` once per language."""
    files = live_files(user, spend.bodies)
    key = _cache_key("chart", files, spend, kind, get_language() or "en")
    svg = cache.get(key)
    if svg is None:
        svg = render(_overview(files, spend))
        cache.set(key, svg, CACHE_SECONDS)
    return str(svg)


def spend_lines(
    user: Any, spend: SpendFilter, *, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    files = live_files(user, spend.bodies)
    detail = any(path.startswith(f"{CATEGORY_DATASET}/") for path in files)
    return spend_queries.lines(
        default_store(), files, spend, limit=limit, offset=offset, category_detail=detail
    )


def spend_categorised_by(user: Any, spend: SpendFilter) -> list[dict[str, Any]]:
    """What decided the categories of the lines behind the figures (see ``categories``)."""
    from . import categories

    return categories.by_source(default_store(), live_files(user, spend.bodies), spend)


def spend_duplicates(user: Any, spend: SpendFilter) -> list[spend_queries.DuplicatePair]:
    return spend_queries.possible_duplicates(default_store(), live_files(user, spend.bodies), spend)


def spend_region(user: Any, spend: SpendFilter) -> dict[str, Any]:
    """The bodies side by side (total and per resident) and what several of them buy."""
    files = live_files(user, spend.bodies)
    key = _cache_key("region", files, spend)
    figures = cache.get(key)
    if figures is None:
        store = default_store()
        with store.session(files) as session:
            figures = (
                spend_queries.by_body(session, files, spend),
                spend_queries.shared_across_bodies(session, files, spend, group="supplier"),
                spend_queries.shared_across_bodies(session, files, spend, group="category"),
            )
        cache.set(key, figures, CACHE_SECONDS)
    per_body, suppliers, categories = figures
    bodies = {b.code: b for b in Body.objects.filter(code__in=spend.bodies)}
    rows: list[dict[str, Any]] = []
    for entry in per_body:
        body = bodies.get(entry.body_code)
        population = body.population if body else None
        rows.append(
            {
                "body": body,
                "code": entry.body_code,
                "total": entry.total,
                "lines": entry.lines,
                "suppliers": entry.suppliers,
                "population": population,
                "per_resident": (entry.total / population) if population else None,
            }
        )
    rows.sort(key=lambda row: str(row["body"].name) if row["body"] else row["code"])
    return {
        "bodies": rows,
        "suppliers": suppliers,
        "categories": categories,
        "names": {code: str(body.name) for code, body in bodies.items()},
    }


def spend_batches_needing_action(user: Any) -> QuerySet[SpendBatch]:
    """Files of the user's own body that wait for a person: columns to check, a replacement
    to confirm."""
    if getattr(user, "body_id", None) is None:
        return SpendBatch.objects.none()
    return spend_batches_visible_to(user).filter(
        owner_body_id=user.body_id,
        status__in=[SpendBatch.Status.NEEDS_MAPPING, SpendBatch.Status.NEEDS_CONFIRMATION],
    )


# --- suppliers ------------------------------------------------------------------------------


@dataclass
class SupplierOverview:
    """A body's suppliers as one user sees them.

    ``profiles`` has one row per cluster (``supplier_profiles.cluster_profiles``) with its
    postcode ``district`` and ``place`` for the body (``supplier_profiles.supplier_places``);
    for users outside the body, withheld payees (individuals, redacted names) are left out of
    it and appear only in ``withheld``. ``local`` is the local share of all the body's spend,
    ``region`` the body's region (``None`` when it has none). ``not_applied`` lists stored
    decisions that no longer fit the ledgers; ``confirmations`` maps a cluster id to its
    latest standing confirmation.
    """

    body: Body
    files: list[str]
    profiles: pl.DataFrame
    withheld: dict[str, Any]
    sme: supplier_profiles.SmeShare
    local: supplier_profiles.LocalShare
    region: Region | None
    not_applied: tuple[int, ...]
    confirmations: dict[str, dict[str, Any]]
    shows_withheld_names: bool
    may_change: bool

    @property
    def supplier_count(self) -> int:
        """Clusters shown (templates cannot ask a Polars frame for its height: Django looks
        ``height`` up as a column first)."""
        return self.profiles.height

    def cluster(self, cluster_id: str) -> dict[str, Any] | None:
        rows = self.profiles.filter(pl.col("cluster_id") == cluster_id)
        return rows.row(0, named=True) if rows.height else None


def supplier_bodies(user: Any) -> QuerySet[Body]:
    """The bodies whose suppliers ``user`` may see: those with live spend files they see."""
    return bodies_with_spend(user)


def may_change_suppliers(user: Any, body: Body) -> bool:
    return may_open(user, "procurement.suppliers_change") and can(
        user, Action.CHANGE, BodyWorkspace(owner_body_id=body.pk)
    )


def supplier_overview(user: Any, body: Body) -> SupplierOverview | None:
    """``body``'s supplier clusters from the spend files ``user`` may see (``None`` when they
    see none), with the body's decisions replayed and its supplier lists applied."""
    files = live_files(user, (body.code,))
    if not files:
        return None
    # Decisions shape how the body's own suppliers are grouped for everyone who sees its
    # spend, so all of them are replayed; who made them is shown only to those who may see
    # the body's workspace (the history page). Lists follow their own visibility.
    lists = SupplierList.objects.filter(
        visible_filter(user), owner_body=body, withdrawn_at__isnull=True
    )
    profiles, not_applied = _body_profiles(body, files, list(lists.values_list("pk", flat=True)))
    shows_names = may_see_withheld_payees(user, body.pk)
    return _supplier_overview(user, body, files, profiles, not_applied, shows_names)


def supplier_overview_for_system(body: Body) -> SupplierOverview | None:
    """``body``'s suppliers from all its live files and lists, for the command line (which
    runs as the system): withheld payees stay withheld, as for other bodies."""
    files = list(
        SpendBatch.objects.filter(owner_body=body, status=SpendBatch.Status.LIVE)
        .order_by("pk")
        .values_list("parquet_path", flat=True)
    )
    if not files:
        return None
    lists = SupplierList.objects.filter(owner_body=body, withdrawn_at__isnull=True)
    profiles, not_applied = _body_profiles(body, files, list(lists.values_list("pk", flat=True)))
    return _supplier_overview(None, body, files, profiles, not_applied, False)


def supplier_clusters_of_body(body: Body) -> tuple[suppliers.SupplierClusters, list[str]]:
    """The body's clusters from all its live files with its decisions replayed, and the
    files: what the services check a new decision against."""
    files = list(
        SpendBatch.objects.filter(owner_body=body, status=SpendBatch.Status.LIVE)
        .order_by("pk")
        .values_list("parquet_path", flat=True)
    )
    clusters, _not_applied = _decided_clusters(body, files)
    return clusters, files


def supplier_spelling_clusters(body: Body) -> pl.DataFrame:
    """Each supplier spelling in the body's live files and the supplier it belongs to, with
    the body's merges and splits replayed (``categories.SUPPLIER_CLUSTER_SCHEMA``): what a
    correction by supplier reaches."""
    clusters, _files = supplier_clusters_of_body(body)
    return clusters.assignments.select(
        pl.col("name").cast(pl.String), pl.col("cluster_id").cast(pl.String)
    )


def _stored_decisions(body: Body) -> list[supplier_profiles.StoredDecision]:
    rows = SupplierDecision.objects.filter(
        owner_body=body,
        reverted_at__isnull=True,
        kind__in=[SupplierDecision.Kind.MERGE, SupplierDecision.Kind.SPLIT],
    ).order_by("pk")
    return [
        supplier_profiles.StoredDecision(
            key=row.pk,
            kind=row.kind,
            cluster_ids=tuple(row.cluster_ids or ()),
            anchor_names=tuple(row.anchor_names or ()),
            raw_name=row.raw_name,
        )
        for row in rows
    ]


def _automatic_clusters(body: Body, files: list[str]) -> suppliers.SupplierClusters:
    key = _cache_key("supplier-clusters", files, SpendFilter(bodies=(body.code,)))
    clusters = cache.get(key)
    if clusters is None:
        spellings = spend_queries.supplier_spellings(default_store(), files, (body.code,))
        frame = pl.from_arrow(spellings)
        assert isinstance(frame, pl.DataFrame)
        clusters = suppliers.cluster_suppliers(frame)
        cache.set(key, clusters, CACHE_SECONDS)
    return clusters


def _decided_clusters(
    body: Body, files: list[str]
) -> tuple[suppliers.SupplierClusters, tuple[int, ...]]:
    decisions = _stored_decisions(body)
    key = _cache_key("supplier-decided", files, SpendFilter(bodies=(body.code,)), repr(decisions))
    found = cache.get(key)
    if found is None:
        found = supplier_profiles.replay(_automatic_clusters(body, files), decisions)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _body_profiles(
    body: Body, files: list[str], list_ids: list[int]
) -> tuple[pl.DataFrame, tuple[int, ...]]:
    """Profiles are kept until the live files, the standing decisions or the lists change
    (every one of them is in the key)."""
    decisions = _stored_decisions(body)
    key = _cache_key(
        "supplier-profiles",
        files,
        SpendFilter(bodies=(body.code,)),
        repr(decisions),
        repr(sorted(list_ids)),
    )
    found = cache.get(key)
    if found is None:
        clusters, not_applied = _decided_clusters(body, files)
        profiles = supplier_profiles.cluster_profiles(clusters, _list_entries(list_ids))
        found = (profiles, not_applied)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _list_entries(list_ids: list[int]) -> pl.DataFrame | None:
    if not list_ids:
        return None
    rows = SupplierListEntry.objects.filter(supplier_list_id__in=list_ids).values_list(
        "supplier_list_id",
        "line_number",
        "name",
        "normalised_name",
        "company_number",
        "vat_number",
        "postcode",
        "size",
        "sic_codes",
    )
    columns = list(supplier_profiles.ENTRY_SCHEMA)
    frame = pl.DataFrame(
        [dict(zip(columns, row, strict=True)) for row in rows],
        schema=supplier_profiles.ENTRY_SCHEMA,
        orient="row",
    )
    # Blank identifiers are stored as empty text; they match nothing.
    return frame.with_columns(
        pl.col(c).replace("", None) for c in ("company_number", "vat_number", "postcode")
    )


def _supplier_overview(
    user: Any,
    body: Body,
    files: list[str],
    profiles: pl.DataFrame,
    not_applied: tuple[int, ...],
    shows_names: bool,
) -> SupplierOverview:
    excluded = profiles.filter(pl.col("is_excluded"))
    withheld = {
        "amount": Decimal(str(excluded["amount"].sum() or 0)).quantize(Decimal("0.01")),
        "lines": int(excluded["lines"].sum() or 0),
        "payees": excluded.height,
    }
    sme = supplier_profiles.sme_share(profiles)
    placed = supplier_profiles.supplier_places(
        profiles,
        body_code=body.code,
        region_codes=region_codes_of(body),
        geography=postcode_geography(),
    )
    visible = placed if shows_names else placed.filter(~pl.col("is_excluded"))
    return SupplierOverview(
        body=body,
        files=files,
        profiles=visible,
        withheld=withheld,
        sme=sme,
        local=supplier_profiles.share_by_place(placed),
        region=body.region,
        not_applied=not_applied,
        confirmations=_confirmations(body, visible),
        shows_withheld_names=shows_names,
        may_change=user is not None and may_change_suppliers(user, body),
    )


def _confirmations(body: Body, profiles: pl.DataFrame) -> dict[str, dict[str, Any]]:
    """Each cluster's latest standing confirmation, found by the spelling it was given for;
    with the spellings the cluster gained since (a new ledger, a merge), which an analyst may
    want to check again."""
    confirms = list(
        SupplierDecision.objects.filter(
            owner_body=body, kind=SupplierDecision.Kind.CONFIRM, reverted_at__isnull=True
        )
        .select_related("created_by")
        .order_by("pk")
    )
    if not confirms:
        return {}
    spelling_to_cluster = dict(
        profiles.select("cluster_id", "spellings")
        .explode("spellings")
        .drop_nulls("spellings")
        .select("spellings", "cluster_id")
        .iter_rows()
    )
    spellings_of = dict(profiles.select("cluster_id", "spellings").iter_rows())
    found: dict[str, dict[str, Any]] = {}
    for decision in confirms:
        anchors = [a for a in (decision.anchor_names or []) if a]
        cluster_id = next(
            (spelling_to_cluster[a] for a in anchors if a in spelling_to_cluster),
            None,
        )
        if cluster_id is None:
            continue
        confirmed = {name for group in decision.spellings or [] for name in group}
        found[cluster_id] = {
            "decision": decision,
            "added_since": sorted(set(spellings_of[cluster_id]) - confirmed),
            "removed_since": sorted(confirmed - set(spellings_of[cluster_id])),
        }
    return found


def supplier_rows(
    overview: SupplierOverview, *, search: str = "", show: str = "all", place: str = ""
) -> pl.DataFrame:
    """The overview's clusters narrowed by a search (any spelling, company or VAT number or
    postcode, ignoring case), by ``show``: ``all``, ``review`` (joined by a fuzzy match,
    not yet confirmed), ``confirmed``, ``unknown_size`` or ``withheld``, and by ``place`` (one
    of ``supplier_profiles.PLACES``: the suppliers behind one part of the local share)."""
    rows = overview.profiles
    if place:
        rows = rows.filter(pl.col("place") == place)
    term = search.strip().lower()
    if term:
        rows = rows.filter(
            pl.col("spellings")
            .list.eval(pl.element().str.to_lowercase().str.contains(term, literal=True))
            .list.any()
            | pl.col("company_numbers")
            .list.eval(pl.element().str.to_lowercase().str.contains(term, literal=True))
            .list.any()
            | pl.col("vat_numbers")
            .list.eval(pl.element().str.to_lowercase().str.contains(term, literal=True))
            .list.any()
            | pl.col("postcode")
            .str.to_lowercase()
            .str.contains(term, literal=True)
            .fill_null(False)
        )
    confirmed = list(overview.confirmations)
    if show == "review":
        rows = rows.filter(pl.col("needs_review") & ~pl.col("cluster_id").is_in(confirmed))
    elif show == "confirmed":
        rows = rows.filter(pl.col("cluster_id").is_in(confirmed))
    elif show == "unknown_size":
        rows = rows.filter((pl.col("size") == "unknown") & ~pl.col("is_excluded"))
    elif show == "withheld":
        rows = rows.filter(pl.col("is_excluded"))
    return rows


def supplier_similar(overview: SupplierOverview, cluster_id: str) -> list[dict[str, Any]]:
    """Clusters that may be the same supplier as ``cluster_id`` (close names not joined)."""
    found = []
    for other, score in supplier_profiles.similar_clusters(overview.profiles, cluster_id):
        row = overview.cluster(other)
        if row is not None:
            found.append({**row, "score": score})
    return found


def supplier_decisions(body: Body) -> QuerySet[SupplierDecision]:
    return (
        SupplierDecision.objects.filter(owner_body=body)
        .select_related("created_by", "reverted_by")
        .order_by("-pk")
    )


def supplier_lists(user: Any, body: Body) -> QuerySet[SupplierList]:
    return SupplierList.objects.filter(visible_filter(user), owner_body=body).select_related(
        "created_by", "withdrawn_by"
    )


def supplier_cluster_spellings(overview: SupplierOverview, cluster_id: str) -> list[dict[str, Any]]:
    """The spellings of one cluster as the overview's user sees it, most paid first: name,
    normalised name, trading name, evidence, confidence, identifiers, spend and lines."""
    clusters, _not_applied = _decided_clusters(overview.body, overview.files)
    rows = clusters.assignments.filter(pl.col("cluster_id") == cluster_id)
    if not overview.shows_withheld_names:
        rows = rows.filter(~pl.col("is_excluded"))
    return rows.sort(["amount", "name"], descending=[True, False], nulls_last=True).to_dicts()


def supplier_decisions_about(body: Body, cluster: dict[str, Any]) -> list[SupplierDecision]:
    """The body's decisions that touched any spelling now in ``cluster``, newest first."""
    names = set(cluster["spellings"])
    found = []
    for decision in supplier_decisions(body):
        touched = {n for group in decision.spellings or [] for n in group}
        touched |= set(decision.anchor_names or [])
        if decision.raw_name:
            touched.add(decision.raw_name)
        if touched & names or cluster["cluster_id"] in (decision.cluster_ids or []):
            found.append(decision)
    return found


# --- local share -------------------------------------------------------------------------------


def region_codes_of(body: Body) -> frozenset[str]:
    """The codes of the bodies in ``body``'s region (the reference data's ``Body.region``),
    its own included; empty when it belongs to no region."""
    if body.region_id is None:
        return frozenset()
    codes = Body.objects.filter(region_id=body.region_id).values_list("code", flat=True)
    return frozenset(codes) | {body.code}


@dataclass
class LocalShareView:
    """A body's local share for the spend a filter selects. ``narrowed`` is true when the
    filter selects less than all the body's spend (dates, department, category, supplier)."""

    body: Body
    region: Region | None
    share: supplier_profiles.LocalShare
    narrowed: bool
    geography: PostcodeGeography

    @property
    def table_places_body(self) -> bool:
        """Whether the districts table places any district in the body's own area; when not,
        the authority's part is 0 for want of data, which the page says."""
        return self.body.code in self.geography.authorities_with_whole_districts


def _narrows(spend: SpendFilter) -> bool:
    return any((spend.date_from, spend.date_to, spend.department, spend.category, spend.supplier))


def local_share_of(overview: SupplierOverview, spend: SpendFilter | None = None) -> LocalShareView:
    """The local share of the spend ``spend`` selects among ``overview``'s body's lines: each
    spelling's filtered spend goes to its supplier cluster, which the cluster's postcode
    places (``supplier_profiles.supplier_places``); without a narrowing filter, the
    overview's own figure."""
    geography = postcode_geography()
    if spend is None or not _narrows(spend):
        return LocalShareView(overview.body, overview.region, overview.local, False, geography)
    body = overview.body
    spend = SpendFilter(
        bodies=(body.code,),
        date_from=spend.date_from,
        date_to=spend.date_to,
        department=spend.department,
        category=spend.category,
        supplier=spend.supplier,
    )
    key = _cache_key("spelling-totals", overview.files, spend)
    totals = cache.get(key)
    if totals is None:
        totals = pl.from_arrow(
            spend_queries.spelling_totals(default_store(), overview.files, spend)
        )
        cache.set(key, totals, CACHE_SECONDS)
    assert isinstance(totals, pl.DataFrame)
    clusters, _not_applied = _decided_clusters(body, overview.files)
    postcodes = overview.profiles.select("cluster_id", "postcode")
    per_cluster = (
        totals.join(
            clusters.assignments.select("name", "cluster_id"),
            on="name",
            how="left",
            nulls_equal=True,
        )
        .group_by("cluster_id")
        .agg(amount=pl.col("amount").sum(), is_excluded=pl.col("is_excluded").any())
        .join(postcodes, on="cluster_id", how="left")
    )
    share = supplier_profiles.local_share(
        per_cluster,
        body_code=body.code,
        region_codes=region_codes_of(body),
        geography=geography,
    )
    return LocalShareView(body, overview.region, share, True, geography)


def local_chart_svg(local: LocalShareView, render: Any) -> str:
    """The local share's chart, rendered by ``render()`` once per figure and language."""
    key = _cache_key(
        "local-chart",
        [],
        SpendFilter(bodies=(local.body.code,)),
        repr(local.share),
        get_language() or "en",
    )
    svg = cache.get(key)
    if svg is None:
        svg = render()
        cache.set(key, svg, CACHE_SECONDS)
    return str(svg)


def spend_local_share(user: Any, spend: SpendFilter) -> LocalShareView | None:
    """The local share beside the spend figures, when they are one body's (suppliers are
    grouped per body); ``None`` otherwise."""
    if len(spend.bodies) != 1:
        return None
    body = supplier_bodies(user).filter(code=spend.bodies[0]).select_related("region").first()
    overview = supplier_overview(user, body) if body is not None else None
    return local_share_of(overview, spend) if overview is not None else None


# --- supply-chain carbon ----------------------------------------------------------------------

BUILTIN_FACTOR_VERSION = "2022"


def may_change_carbon(user: Any, body: Body) -> bool:
    """Exclusion rules, factor-set choice and supplier figures: the body's own members who
    work with data (the same people who clean its suppliers)."""
    return may_change_suppliers(user, body)


def may_manage_factor_sets(user: Any) -> bool:
    return may_open(user, "procurement.carbon_factors")


def carbon_factor_sets() -> QuerySet[CarbonFactorSet]:
    return CarbonFactorSet.objects.all()


def carbon_default_factor_set() -> CarbonFactorSet | None:
    """The set a body uses until it chooses: DEFRA's 2022 factors when loaded, else the
    oldest set."""
    sets = CarbonFactorSet.objects.order_by("pk")
    return sets.filter(file_name="defra_sic_2022.csv").first() or sets.first()


def carbon_factor_set_of(body: Body | None) -> CarbonFactorSet | None:
    if body is not None:
        chosen = CarbonSettings.objects.filter(owner_body=body).select_related("factor_set").first()
        if chosen is not None and chosen.factor_set is not None:
            return chosen.factor_set
    return carbon_default_factor_set()


def _factors_of(factor_set: CarbonFactorSet) -> tuple[carbon.Factor, ...]:
    return tuple(
        carbon.Factor(f["code"], f.get("description", ""), float(f["kgco2e_per_gbp"]))
        for f in factor_set.factors
    )


def carbon_exclusions_of(bodies: list[Body]) -> tuple[carbon.ExclusionRule, ...]:
    """The standard rules (each for the bodies that have not switched it off) and each
    body's own rules (for that body only)."""
    disabled = {
        s.owner_body_id: set(s.disabled_rules or [])
        for s in CarbonSettings.objects.filter(owner_body__in=bodies)
    }
    rules = []
    for standard in carbon.STANDARD_EXCLUSIONS:
        using = tuple(b.code for b in bodies if standard.key not in disabled.get(b.pk, set()))
        if using:
            rules.append(
                carbon.ExclusionRule(
                    standard.key, standard.field, standard.pattern, standard.reason, using
                )
            )
    for own in CarbonExclusionRule.objects.filter(owner_body__in=bodies).select_related(
        "owner_body"
    ):
        rules.append(
            carbon.ExclusionRule(
                f"rule:{own.pk}", own.field, own.pattern, own.reason, (own.owner_body.code,)
            )
        )
    return tuple(rules)


def carbon_overrides_of(bodies: list[Body]) -> tuple[carbon.SupplierIntensity, ...]:
    """Each body's standing supplier figures with the spellings of the supplier's cluster
    today (found by a spelling it held when recorded, then by its id)."""
    result = []
    figures = SupplierEmissions.objects.filter(owner_body__in=bodies, withdrawn_at__isnull=True)
    by_body: dict[int, list[SupplierEmissions]] = {}
    for figure in figures.order_by("pk"):
        by_body.setdefault(figure.owner_body_id, []).append(figure)
    for body in bodies:
        if body.pk not in by_body:
            continue
        clusters, _files = supplier_clusters_of_body(body)
        assignments = clusters.assignments
        for figure in by_body[body.pk]:
            anchor = assignments.filter(pl.col("name") == figure.anchor_name)
            cluster_id = anchor["cluster_id"][0] if anchor.height else figure.cluster_id
            names = assignments.filter(
                (pl.col("cluster_id") == cluster_id) & ~pl.col("is_excluded")
            )["name"].to_list()
            if names:
                result.append(
                    carbon.SupplierIntensity(
                        key=f"supplier:{figure.pk}",
                        body_code=body.code,
                        names=tuple(n for n in names if n is not None),
                        kgco2e_per_gbp=figure.kgco2e_per_gbp,
                        tier=figure.tier,
                        label=figure.label,
                    )
                )
    return tuple(result)


def carbon_method(
    bodies: list[Body], factor_set: CarbonFactorSet | None = None
) -> carbon.CarbonMethod | None:
    """The method for ``bodies``' figures: ``factor_set`` or, for one body, the set it
    chose (else the default); ``None`` when no factor set is loaded."""
    chosen = factor_set or carbon_factor_set_of(bodies[0] if len(bodies) == 1 else None)
    if chosen is None:
        return None
    return carbon.CarbonMethod(
        factors=_factors_of(chosen),
        base_year=chosen.base_year,
        exclusions=carbon_exclusions_of(bodies),
        overrides=carbon_overrides_of(bodies),
        factor_set_label=str(chosen),
    )


@dataclass
class CarbonOverview:
    factor_set: CarbonFactorSet
    method: carbon.CarbonMethod
    totals: carbon.CarbonTotals
    by_category: list[carbon.CarbonRow]
    by_department: list[carbon.CarbonRow]
    by_supplier: list[carbon.CarbonRow]
    by_tier: list[carbon.CarbonRow]
    by_year: list[carbon.CarbonRow]
    by_body: list[carbon.CarbonRow]
    exclusions: list[dict[str, Any]]
    regional: list[dict[str, Any]] = field(default_factory=list)


def carbon_files(user: Any, bodies: list[Body]) -> list[str]:
    return live_files(user, tuple(b.code for b in bodies)) if bodies else []


def carbon_overview(
    user: Any,
    bodies: list[Body],
    carbon_filter: carbon.CarbonFilter,
    factor_set: CarbonFactorSet | None = None,
) -> CarbonOverview | None:
    files = carbon_files(user, bodies)
    chosen = factor_set or carbon_factor_set_of(bodies[0] if len(bodies) == 1 else None)
    method = carbon_method(bodies, chosen)
    if method is None or chosen is None or not files:
        return None
    key = _cache_key(
        "carbon", files, carbon_filter.spend, repr(carbon_filter), method.cache_token()
    )
    found = cache.get(key)
    if found is None:
        summary = carbon.aggregate(default_store(), files, method, carbon_filter)
        found = CarbonOverview(
            factor_set=chosen,
            method=method,
            totals=carbon.totals_of(summary),
            by_category=carbon.breakdown_of(summary, "category"),
            by_department=carbon.breakdown_of(summary, "department", limit=15),
            by_supplier=carbon.breakdown_of(summary, "supplier", limit=20),
            by_tier=carbon.breakdown_of(summary, "tier"),
            by_year=carbon.breakdown_of(summary, "year"),
            by_body=carbon.breakdown_of(summary, "body"),
            exclusions=carbon.exclusions_of(summary),
        )
        cache.set(key, found, CACHE_SECONDS)
    by_code = {b.code: b for b in bodies}
    found.regional = [
        {
            "body": by_code.get(row.label),
            "code": row.label,
            "tco2e": row.tco2e,
            "low": row.low,
            "high": row.high,
            "kg_per_gbp": row.intensity,
            "population": getattr(by_code.get(row.label), "population", None),
            "kg_per_resident": (
                row.tco2e * 1000 / by_code[row.label].population
                if row.label in by_code and by_code[row.label].population
                else None
            ),
        }
        for row in found.by_body
    ]
    return found


def carbon_lines(
    user: Any,
    bodies: list[Body],
    carbon_filter: carbon.CarbonFilter,
    *,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    files = carbon_files(user, bodies)
    method = carbon_method(bodies)
    if method is None or not files:
        return []
    return carbon.carbon_lines(
        default_store(), files, method, carbon_filter, limit=limit, offset=offset
    )


def carbon_return(
    user: Any, body: Body, year: int | None, factor_set: CarbonFactorSet | None = None
) -> dict[str, Any] | None:
    """The annual supply-chain return of ``body`` for the financial year starting in April of
    ``year``: the table by category and tier, the totals and the method used. ``user`` None
    is the command line (the system sees every live file)."""
    if user is None:
        files = list(
            SpendBatch.objects.filter(owner_body=body, status=SpendBatch.Status.LIVE)
            .order_by("pk")
            .values_list("parquet_path", flat=True)
        )
    else:
        files = carbon_files(user, [body])
    chosen = factor_set or carbon_factor_set_of(body)
    method = carbon_method([body], chosen)
    if method is None or chosen is None or not files:
        return None
    carbon_filter = carbon.CarbonFilter(spend=SpendFilter(bodies=(body.code,)), financial_year=year)
    summary = carbon.aggregate(default_store(), files, method, carbon_filter)
    rows = carbon.return_table_of(summary)
    totals = carbon.totals_of(summary)
    excluded = carbon.exclusions_of(summary)
    return {
        "body": body,
        "year": year,
        "factor_set": chosen,
        "rows": rows,
        "totals": totals,
        "exclusions": excluded,
        "deflator_source": carbon.DEFLATOR_SOURCE,
    }


def carbon_compare(
    user: Any, body: Body, current: CarbonFactorSet, other: CarbonFactorSet, year: int | None
) -> dict[str, Any] | None:
    """What switching ``body`` from ``current`` to ``other`` changes: totals and categories
    under both, and the factors that differ for the SIC codes its lines use."""
    files = carbon_files(user, [body])
    if not files:
        return None
    carbon_filter = carbon.CarbonFilter(spend=SpendFilter(bodies=(body.code,)), financial_year=year)
    before_method = carbon_method([body], current)
    after_method = carbon_method([body], other)
    assert before_method is not None and after_method is not None
    with default_store().session(files) as session:
        before_summary = carbon.aggregate(session, files, before_method, carbon_filter)
        after_summary = carbon.aggregate(session, files, after_method, carbon_filter)
    before = carbon.breakdown_of(before_summary, "sic")
    after = carbon.breakdown_of(after_summary, "sic")
    before_total = carbon.totals_of(before_summary)
    after_total = carbon.totals_of(after_summary)
    old = carbon.factor_lookup(before_method.factors)
    new = carbon.factor_lookup(after_method.factors)
    after_by = {r.label: r for r in after}
    changes: list[dict[str, Any]] = []
    for row in before:
        moved = after_by.get(row.label)
        old_factor = old.get(row.label, (carbon.average_factor(before_method.factors), ""))[0]
        new_factor = new.get(row.label, (carbon.average_factor(after_method.factors), ""))[0]
        changes.append(
            {
                "sic": row.label or "",
                "spend_gbp": row.spend_gbp,
                "before_tco2e": row.tco2e,
                "after_tco2e": moved.tco2e if moved else 0.0,
                "change_tco2e": (moved.tco2e if moved else 0.0) - row.tco2e,
                "before_factor": old_factor,
                "after_factor": new_factor,
                "base_years": (current.base_year, other.base_year),
            }
        )
    changes.sort(key=lambda c: -abs(float(c["change_tco2e"])))
    return {
        "before": before_total,
        "after": after_total,
        "changes": changes,
        "current": current,
        "other": other,
    }


@dataclass
class CarbonHotSpots:
    categories: list[carbon.CarbonRow]
    suppliers: list[carbon.CarbonRow]
    total: float
    year: int | None
    previous: int | None
    changes: list[carbon.YearChange]


def carbon_hot_spots(
    user: Any, bodies: list[Body], carbon_filter: carbon.CarbonFilter
) -> CarbonHotSpots | None:
    """The categories and suppliers that make up 80 per cent of emissions, and the change
    from the year before split into spend and factor effects (for the chosen financial
    year, or the latest two years with spend)."""
    files = carbon_files(user, bodies)
    method = carbon_method(bodies)
    if method is None or not files:
        return None
    from dataclasses import replace

    # One pass over every year; each year's figures are then read from the summary.
    summary = carbon.aggregate(
        default_store(), files, method, replace(carbon_filter, financial_year=None)
    )
    years = [int(r.label) for r in carbon.breakdown_of(summary, "year") if r.label]
    year = carbon_filter.financial_year or (max(years) if years else None)
    previous = year - 1 if year is not None and year - 1 in years else None

    def of_year(wanted: int | None) -> pa.Table:
        if wanted is None:
            return summary
        return summary.filter(pc.equal(summary["financial_year"], wanted))

    chosen = of_year(carbon_filter.financial_year)
    categories = carbon.breakdown_of(chosen, "category")
    supplier_rows = carbon.breakdown_of(chosen, "supplier")
    changes: list[carbon.YearChange] = []
    if year is not None and previous is not None:
        changes = carbon.year_on_year(
            carbon.breakdown_of(of_year(previous), "category"),
            carbon.breakdown_of(of_year(year), "category"),
        )
    return CarbonHotSpots(
        categories=carbon.hot_spots(categories),
        suppliers=carbon.hot_spots([r for r in supplier_rows if r.label != spend_queries.WITHHELD]),
        total=sum(r.tco2e for r in categories),
        year=year,
        previous=previous,
        changes=changes,
    )


def carbon_scenarios(body: Body) -> QuerySet[CarbonScenario]:
    return CarbonScenario.objects.filter(owner_body=body)


def carbon_scenario_path(user: Any, scenario: CarbonScenario) -> list[dict[str, float]] | None:
    """The scenario's trajectory from its baseline year to 2030 against the baseline."""
    body = scenario.owner_body
    files = carbon_files(user, [body])
    method = carbon_method([body])
    if method is None or not files:
        return None
    carbon_filter = carbon.CarbonFilter(
        spend=SpendFilter(bodies=(body.code,)), financial_year=scenario.base_year
    )
    summary = carbon.aggregate(default_store(), files, method, carbon_filter)
    total = carbon.totals_of(summary)
    categories = carbon.breakdown_of(summary, "category")
    supplier_rows = carbon.breakdown_of(summary, "supplier")
    levers = [carbon.Lever(**lever) for lever in scenario.levers]
    return carbon.scenario_path(
        total.tco2e,
        {r.label: (r.spend_gbp, r.tco2e) for r in categories},
        {r.label: (r.spend_gbp, r.tco2e) for r in supplier_rows},
        levers,
        scenario.base_year,
    )
