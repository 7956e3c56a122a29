"""Reads of contract data: a body's contracts, one contract, and compiled releases for DuckDB."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from infuse.accounts.policy import programme_overseer, visible_filter

from . import contract_similarity, contract_spend, redflag_settings, redflags, redflags_uk
from .ledger_display import translate_problem
from .ledger_messages import Problem
from .models import CONTRACT_IMPORT_JOB, ContractFile, ContractRecord

COMPILED_DATASET = "ocds_compiled"


def contracts_visible(user: Any) -> QuerySet[ContractRecord]:
    """Every contract record ``user`` may see, soonest-ending first."""
    return ContractRecord.objects.filter(visible_filter(user)).select_related(
        "owner_body", "source_file"
    )


def contract_imports_recent(user: Any) -> list[Any]:
    """The contract data files ``user`` started loading in the last day, newest first."""
    from infuse.jobs.models import Job

    since = timezone.now() - datetime.timedelta(days=1)
    return list(
        Job.objects.filter(created_by=user, kind=CONTRACT_IMPORT_JOB, created_at__gte=since)[:5]
    )


def contract_files_visible(user: Any) -> QuerySet[ContractFile]:
    return ContractFile.objects.filter(visible_filter(user)).select_related("owner_body")


def file_problems(contract_file: ContractFile) -> list[str]:
    """The file's quality problems in the active language."""
    return [
        translate_problem(
            Problem(code=item["code"], template=item["template"], params=item["params"])
        )
        for item in contract_file.problems
    ]


def compiled_releases_path(body: Any) -> Path:
    """A JSON-lines file of ``body``'s compiled releases, one a line, for DuckDB
    (``read_json_auto``) and Cardinal-style tools; rewritten whenever the records change.

    The database is the authority: the file's name carries a fingerprint of the body's records
    (count and last change), so a stale file is never returned; it is written to a temporary
    name and renamed, so a reader sees a whole file or none.
    """
    records = ContractRecord.objects.filter(owner_body=body)
    state = records.aggregate(count=Count("pk"), changed=Max("updated_at"))
    fingerprint = hashlib.sha256(f"{state['count']}|{state['changed']}".encode()).hexdigest()[:16]
    folder = Path(settings.WAREHOUSE_DIR) / COMPILED_DATASET / str(body.pk)
    path = folder / f"compiled-{fingerprint}.jsonl"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".partial-{fingerprint}-{os.getpid()}"
    with partial.open("w", encoding="utf-8") as handle:
        for compiled in records.order_by("ocid").values_list("compiled", flat=True).iterator():
            handle.write(json.dumps(compiled, ensure_ascii=False, separators=(",", ":")))
            handle.write("\n")
    os.replace(partial, path)
    for old in folder.glob("compiled-*.jsonl"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


def contracts_filtered(
    user: Any, *, body_code: str = "", ending_months: int | None = None, text: str = ""
) -> QuerySet[ContractRecord]:
    """The contracts ``user`` may see, narrowed to one body, to those ending within
    ``ending_months`` from today, and to a text found in the title, buyer or suppliers;
    soonest-ending first (contracts with no end date last)."""
    records = contracts_visible(user)
    if body_code:
        records = records.filter(owner_body__code=body_code)
    if ending_months:
        today = timezone.localdate()
        records = records.filter(
            contract_end__gte=today,
            contract_end__lte=today + datetime.timedelta(days=round(ending_months * 30.44)),
        )
    if text:
        records = records.filter(
            Q(title__icontains=text) | Q(buyer__icontains=text) | Q(suppliers__icontains=text)
        )
    return records.order_by(F("contract_end").asc(nulls_last=True), "title")


def contract_bodies(user: Any) -> list[Any]:
    """The bodies with contracts ``user`` may see."""
    from infuse.reference.models import Body

    codes = contracts_visible(user).values("owner_body")
    return list(Body.objects.filter(pk__in=codes).order_by("name_en"))


def red_flag_bodies(user: Any) -> list[Any]:
    """The bodies whose red flags ``user`` may see: flags are worked out over all of a body's
    contracts, so they are shown to its own members and to the programme's overseers only."""
    from infuse.reference.models import Body

    with_contracts = Body.objects.filter(
        pk__in=ContractRecord.objects.values("owner_body")
    ).order_by("name_en")
    if programme_overseer(user):
        return list(with_contracts)
    body_id = getattr(user, "body_id", None)
    return [b for b in with_contracts if b.pk == body_id]


# The settings the pages use when a body has saved none: every indicator of Cardinal's with
# its defaults, and the UK indicators that need contract data only (UK005 also needs a ledger;
# see docs/procurement/red-flags.md for each indicator's threshold and rationale).
PAGE_RED_FLAG_SETTINGS = redflag_settings.DEFAULT_SETTINGS


def red_flag_settings_text(body: Any) -> str:
    """The red-flag settings (Cardinal's INI) ``body`` has saved, or the pages' defaults."""
    from .models import RedFlagSettings

    saved = RedFlagSettings.objects.filter(owner_body=body).values_list("settings", flat=True)
    return saved.first() or PAGE_RED_FLAG_SETTINGS


def contract_red_flags(body: Any) -> list[dict[str, Any]]:
    """Every flag raised on ``body``'s compiled releases under the body's own settings, with
    the evidence that raised it (cached until the body's contracts or its settings change: the
    key names the file's fingerprint and a digest of the settings)."""
    from django.core.cache import cache

    path = compiled_releases_path(body)
    text = red_flag_settings_text(body)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    key = f"redflags:{body.pk}:{path.name}:{digest}"
    found = cache.get(key)
    if found is None:
        if path.stat().st_size == 0:
            return []
        settings_ = redflags.parse_settings(text, extra_sections=redflags_uk.SECTIONS)
        found = redflags_uk.run_all(path, settings_).flags()
        cache.set(key, found, 3600)
    return list(found)


def collaboration_evidence(user: Any, records: list[ContractRecord]) -> dict[int, list[str]]:
    """For each of ``records``, why other bodies look like buyers of the same thing: their
    contracts (that ``user`` may see) in the same CPV group (the code's first three digits,
    CPV 2008), with a similar title and description (:mod:`~.contract_similarity`) or with the
    same supplier (names compared after the supplier matcher's own
    normalisation, so "Bwyd Da Cyf." and "BWYD DA CYF" agree). One line of evidence per other
    body, naming its contract."""
    import polars as pl

    from .suppliers import normalise_supplier_names

    # Every contract the user may see; a body's own contracts are skipped below.
    others = list(contracts_visible(user))
    names = sorted({name for r in [*records, *others] for name in r.suppliers})
    # The matcher's exact-match key (legal forms unified: "Cyf." and "Ltd" agree).
    normalised = (
        normalise_supplier_names(pl.Series(names, dtype=pl.String))
        .struct.field("normalised_name")
        .to_list()
    )
    normal = {name: key or name for name, key in zip(names, normalised, strict=True)}
    by_group: dict[str, list[ContractRecord]] = {}
    by_supplier: dict[str, list[ContractRecord]] = {}
    for other in others:
        if other.cpv_group:
            by_group.setdefault(other.cpv_group, []).append(other)
        for name in other.suppliers:
            by_supplier.setdefault(normal[name], []).append(other)
    # Similar titles and descriptions (TF-IDF cosine, threshold and reasons in
    # :mod:`~.contract_similarity`).
    similar = contract_similarity.similar_pairs(
        [contract_similarity.normalised_text(r.title, r.description) for r in records],
        [contract_similarity.normalised_text(o.title, o.description) for o in others],
    )
    evidence: dict[int, list[str]] = {}
    for position, record in enumerate(records):
        lines: dict[int, str] = {}
        for name in record.suppliers:
            for other in by_supplier.get(normal[name], []):
                if other.owner_body_id != record.owner_body_id:
                    lines.setdefault(
                        other.owner_body_id,
                        _("%(body)s: the same supplier (%(supplier)s) in “%(title)s”")
                        % {"body": other.owner_body.name, "supplier": name, "title": other.title},
                    )
        for other in by_group.get(record.cpv_group, []) if record.cpv_group else []:
            if other.owner_body_id != record.owner_body_id:
                lines.setdefault(
                    other.owner_body_id,
                    _("%(body)s: the same CPV group (%(group)s) in “%(title)s”")
                    % {
                        "body": other.owner_body.name,
                        "group": record.cpv_group,
                        "title": other.title,
                    },
                )
        for index, score in similar[position]:
            other = others[index]
            if other.owner_body_id != record.owner_body_id:
                lines.setdefault(
                    other.owner_body_id,
                    _("%(body)s: a similar description (%(score)s per cent alike) in “%(title)s”")
                    % {
                        "body": other.owner_body.name,
                        "score": round(score * 100),
                        "title": other.title,
                    },
                )
        evidence[record.pk] = list(lines.values())
    return evidence


# --- spend on and off contract --------------------------------------------------------------


@dataclass
class BodyContractSpend:
    """A body's ledger set against its contracts, as ``user`` may see both (see
    :mod:`~.contract_spend`): the four parts, spend per contract, each contract supplier's
    match to a ledger supplier, and the suppliers with most spend off contract."""

    body: Any
    spend: contract_spend.ContractSpend
    records: list[ContractRecord]
    matches: dict[int, list[dict[str, Any]]]
    off_contract: list[dict[str, Any]]

    def parts(self) -> list[dict[str, Any]]:
        return [
            {
                "key": key,
                "label": PART_LABELS[key],
                "amount": self.spend.parts[key].amount,
                "lines": self.spend.parts[key].lines,
                "share": self.spend.share(key),
            }
            for key in contract_spend.PARTS
        ]

    def contract_rows(self) -> list[dict[str, Any]]:
        """Every contract with its suppliers' matches and the spend in its period, most first."""
        rows = [
            {
                "record": record,
                "matches": self.matches.get(record.pk, []),
                "spend": self.spend.per_contract.get(record.pk),
            }
            for record in self.records
        ]
        return sorted(
            rows,
            key=lambda row: (-(row["spend"].amount if row["spend"] else -1), row["record"].title),
        )


PART_LABELS = {
    "on_contract": gettext_lazy("On contract"),
    "outside_period": gettext_lazy("With a contract supplier, outside its contract's period"),
    "off_contract": gettext_lazy("Off contract (supplier holds no contract)"),
    "cannot_tell": gettext_lazy("Cannot tell (withheld or unnamed payee, or no date)"),
}
MATCH_LABELS = {
    "company_number": gettext_lazy("company number"),
    "normalised_name": gettext_lazy("name"),
}


def contract_spend_bodies(user: Any, bodies: list[Any]) -> list[Any]:
    """Those of ``bodies`` (with contracts) whose spend on and off contract ``user`` may see:
    their own body's, or every body's for the programme's overseers, when the spend is
    visible to them."""
    from . import selectors as spend_selectors

    with_spend = set(spend_selectors.bodies_with_spend(user).values_list("pk", flat=True))
    overseer = programme_overseer(user)
    return [
        body
        for body in bodies
        if body.pk in with_spend and (overseer or getattr(user, "body_id", None) == body.pk)
    ]


def contract_spend_of_body(user: Any, body: Any) -> BodyContractSpend | None:
    """``body``'s spend on and off its contracts, from the spend files and contracts ``user``
    may see; ``None`` when they see none of its spend, or are neither one of its members nor
    an overseer of the programme (as for red flags: how much a body buys off contract is its
    own management information, even when its ledgers and notices are shared). Suppliers are
    the body's clusters as the supplier pages show them (analysts' merges and splits
    replayed)."""
    import polars as pl

    from infuse.warehouse.store import default_store

    from . import selectors as spend_selectors

    if not (programme_overseer(user) or getattr(user, "body_id", None) == body.pk):
        return None
    overview = spend_selectors.supplier_overview(user, body)
    if overview is None:
        return None
    records = list(contracts_visible(user).filter(owner_body=body))
    suppliers = pl.DataFrame(
        [
            {"contract_id": record.pk, "name": name, "company_number": number}
            for record in records
            for name, number in contract_spend.contract_suppliers(
                record.compiled, [str(s) for s in record.suppliers]
            )
        ],
        schema=contract_spend.CONTRACT_SUPPLIER_SCHEMA,
    )
    matched = contract_spend.match_contract_suppliers(suppliers, overview.profiles)
    by_pk = {record.pk: record for record in records}
    periods = [
        (
            contract_id,
            cluster_id,
            by_pk[contract_id].contract_start,
            by_pk[contract_id].contract_end,
        )
        for contract_id, cluster_id in matched.drop_nulls("cluster_id")
        .select("contract_id", "cluster_id")
        .unique()
        .iter_rows()
    ]
    spend = contract_spend.spend_against_contracts(
        default_store().paths(overview.files),
        body.code,
        contract_spend.spellings_table(overview.profiles),
        contract_spend.periods_table(periods),
    )
    matches: dict[int, list[dict[str, Any]]] = {}
    for row in matched.iter_rows(named=True):
        matches.setdefault(row["contract_id"], []).append(
            {**row, "match_label": MATCH_LABELS.get(row["match"] or "", "")}
        )
    names = dict(overview.profiles.select("cluster_id", "name").iter_rows())
    off_contract = [
        {
            "cluster_id": cluster_id,
            "name": names.get(cluster_id, cluster_id),
            "amount": amount,
            "lines": lines,
        }
        for cluster_id, amount, lines in spend.off_contract_clusters
    ]
    return BodyContractSpend(
        body=body, spend=spend, records=records, matches=matches, off_contract=off_contract
    )
