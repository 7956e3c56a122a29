"""Reads of tender evaluation: what each person may see, and each lot's results."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

from django.db.models import QuerySet

from infuse.accounts.policy import tender_filter

from . import scoring
from .models import Bidder, Criterion, Evaluator, Lot, Procurement


def procurements_for(user: Any) -> QuerySet[Procurement]:
    return Procurement.objects.filter(tender_filter(user)).distinct().select_related("owner_body")


def _in_tree_order(crits: list[Criterion]) -> list[Criterion]:
    """Criteria in the order of the tree: each group, then its children, by their ``order``."""
    by_pk = {c.pk: c for c in crits}

    def key(c: Criterion) -> tuple[int, int, int, int]:
        if c.parent_id:
            parent = by_pk[c.parent_id]
            return (parent.order, parent.pk, 1, c.order)
        return (c.order, c.pk, 0, 0)

    return sorted(crits, key=key)


def leaves(procurement: Procurement) -> list[Criterion]:
    """The weighted leaves of the criteria tree (price included), in tree order."""
    crits = list(procurement.criteria.all())
    parents = {c.parent_id for c in crits if c.parent_id}
    return [c for c in _in_tree_order(crits) if c.pk not in parents]


def scored_criteria(procurement: Procurement) -> list[Criterion]:
    """The criteria evaluators score: the non-price leaves, in tree order."""
    return [c for c in leaves(procurement) if c.kind != Criterion.Kind.PRICE]


def evaluator_of(user: Any, procurement: Procurement) -> Evaluator | None:
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return None
    return procurement.evaluators.filter(user_id=user_id).first()


@dataclass
class LotResult:
    lot: Lot
    formula: str
    rows: list[dict[str, Any]] = field(default_factory=list)  # one per bidder, ranked
    criteria: list[Criterion] = field(default_factory=list)
    margin: scoring.Margin | None = None
    sensitivity: list[scoring.Sensitivity] = field(default_factory=list)
    reversals: list[str] = field(default_factory=list)
    complete: bool = False  # every evaluator has submitted
    names: dict[str, str] = field(default_factory=dict)


def criterion_score(bidder: Bidder, criterion: Criterion) -> tuple[float | None, bool]:
    """The score that counts: the latest moderation, else the mean of submitted scores."""
    moderated = [m for m in bidder.moderations.all() if m.criterion_id == criterion.pk]
    if moderated:
        return float(moderated[-1].score), True
    values = [
        s.score
        for s in bidder.scores.all()
        if s.criterion_id == criterion.pk and s.evaluator.submitted_at is not None
    ]
    return (fmean(values) if values else None), False


def lot_result(lot: Lot) -> LotResult:
    procurement = lot.procurement
    crits = leaves(procurement)
    bidders = list(
        lot.bidders.prefetch_related("moderations", "scores__evaluator", "commitments__measure")
    )
    result = LotResult(lot=lot, formula=procurement.price_formula, criteria=crits)
    if not bidders or not crits:
        return result
    evaluators = list(procurement.evaluators.filter(has_conflict=False))
    result.complete = bool(evaluators) and all(e.submitted_at for e in evaluators)
    ceiling = float(procurement.price_ceiling) if procurement.price_ceiling else None
    prices = {str(b.pk): float(b.price) for b in bidders}
    price_share = scoring.price_scores(prices, procurement.price_formula, 1.0, ceiling)
    weights = {str(c.pk): float(c.weight) for c in crits}
    shares: dict[str, dict[str, float]] = {}
    detail: dict[str, dict[str, Any]] = {}
    for b in bidders:
        key = str(b.pk)
        shares[key] = {}
        detail[key] = {}
        for c in crits:
            if c.kind == Criterion.Kind.PRICE:
                shares[key][str(c.pk)] = price_share[key]
                detail[key][str(c.pk)] = (round(price_share[key] * procurement.scale_max, 2), False)
            else:
                value, moderated = criterion_score(b, c)
                shares[key][str(c.pk)] = (value or 0.0) / procurement.scale_max
                detail[key][str(c.pk)] = (None if value is None else round(value, 2), moderated)
    totals = scoring.totals(shares, weights)
    by_key = {str(b.pk): b for b in bidders}
    result.names = {str(b.pk): b.name for b in bidders}
    for place in scoring.ranking(totals):
        b = by_key[place.bid]
        result.rows.append(
            {
                "bidder": b,
                "rank": place.rank,
                "total": round(place.total, 2),
                "cells": [
                    {
                        "criterion": c,
                        "score": detail[place.bid][str(c.pk)][0],
                        "moderated": detail[place.bid][str(c.pk)][1],
                        "points": round(shares[place.bid][str(c.pk)] * float(c.weight), 2),
                    }
                    for c in crits
                ],
                "social_value": sum(cm.committed_value for cm in b.commitments.all()),
            }
        )
    price_weight = sum(float(c.weight) for c in crits if c.kind == Criterion.Kind.PRICE)
    price_ids = {str(c.pk) for c in crits if c.kind == Criterion.Kind.PRICE}
    result.margin = scoring.margin(
        totals, prices, price_weight, procurement.price_formula, 1.0, ceiling
    )
    result.sensitivity = scoring.sensitivity(shares, weights)
    quality = {
        k: sum(s * weights[c] for c, s in v.items() if c not in price_ids)
        for k, v in shares.items()
    }
    result.reversals = scoring.rank_reversals(
        quality, prices, price_weight, procurement.price_formula, ceiling
    )
    return result


def results(procurement: Procurement) -> list[LotResult]:
    return [lot_result(lot) for lot in procurement.lots.select_related("awarded_to")]


def feedback(result: LotResult, bidder: Bidder) -> dict[str, Any]:
    """A bidder's scores and comments beside the winner's, for the feedback letter."""
    rows = {row["bidder"].pk: row for row in result.rows}
    mine = rows[bidder.pk]
    winner_row = result.rows[0] if result.rows else None
    comments = [
        (s.criterion_id, s.comment)
        for s in bidder.scores.all()
        if s.comment and s.evaluator.submitted_at is not None
    ]
    return {"mine": mine, "winner": winner_row, "comments": comments}
