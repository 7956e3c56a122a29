"""Reads of tender evaluation: what each person may see, and each lot's results."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from infuse.accounts.models import Role
from infuse.accounts.policy import tender_filter
from infuse.challenges.forms import DEFAULT_SCALE

from . import scoring
from .models import (
    Bidder,
    Commitment,
    Criterion,
    Evaluator,
    Lot,
    Moderation,
    Procurement,
    Score,
    SocialValueMeasure,
)

# A new procurement's scoring scale (0–5), the Challenge Fund's descriptors; editable per
# procurement until scoring starts.
DEFAULT_LEVELS = DEFAULT_SCALE


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
    withdrawn: list[Bidder] = field(default_factory=list)  # kept on record, not ranked


def criterion_score(bidder: Bidder, criterion: Criterion) -> tuple[float | None, bool]:
    """The score that counts: the latest moderation, else the mean of the submitted scores of
    evaluators not stood down."""
    moderated = [m for m in bidder.moderations.all() if m.criterion_id == criterion.pk]
    if moderated:
        return float(moderated[-1].score), True
    values = [
        s.score
        for s in bidder.scores.all()
        if s.criterion_id == criterion.pk and s.evaluator.counts
    ]
    return (fmean(values) if values else None), False


def lot_result(lot: Lot) -> LotResult:
    procurement = lot.procurement
    crits = leaves(procurement)
    everyone = list(
        lot.bidders.prefetch_related("moderations", "scores__evaluator", "commitments__measure")
    )
    # A withdrawn bid is listed but takes no part: not ranked, and not in the field of prices
    # the relative formulas compare against (the lowest price, the mean, the highest bid).
    bidders = [b for b in everyone if not b.withdrawn]
    formula = lot.formula
    result = LotResult(
        lot=lot, formula=formula, criteria=crits, withdrawn=[b for b in everyone if b.withdrawn]
    )
    if not bidders or not crits:
        return result
    evaluators = list(procurement.evaluators.filter(has_conflict=False, stood_down_at__isnull=True))
    result.complete = bool(evaluators) and all(e.submitted_at for e in evaluators)
    ceiling = float(lot.ceiling) if lot.ceiling else None
    prices = {str(b.pk): float(b.price) for b in bidders}
    price_share = scoring.price_scores(prices, formula, 1.0, ceiling)
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
    result.margin = scoring.margin(totals, prices, price_weight, formula, 1.0, ceiling)
    result.sensitivity = scoring.sensitivity(shares, weights)
    quality = {
        k: sum(s * weights[c] for c, s in v.items() if c not in price_ids)
        for k, v in shares.items()
    }
    result.reversals = scoring.rank_reversals(quality, prices, price_weight, formula, ceiling)
    return result


def results(procurement: Procurement) -> list[LotResult]:
    return [lot_result(lot) for lot in procurement.lots.select_related("awarded_to")]


def feedback_letter(result: LotResult, bidder: Bidder) -> dict[str, Any] | None:
    """What a bidder's feedback letter says, criterion by criterion: their score and weighted
    points beside the winning bid's, and the reasons — the panel's moderation reason where the
    score was moderated, else the evaluators' comments."""
    rows = {row["bidder"].pk: row for row in result.rows}
    if bidder.pk not in rows:
        return None  # no criteria yet: nothing to say
    mine = rows[bidder.pk]
    winner = result.rows[0]
    winning = {c["criterion"].pk: c for c in winner["cells"]} if winner else {}
    reasons: dict[int, list[str]] = {}
    for m in bidder.moderations.all():  # oldest first: the latest reason wins
        reasons[m.criterion_id] = [m.reason]
    moderated = set(reasons)
    for s in bidder.scores.all():
        if s.comment and s.evaluator.counts and s.criterion_id not in moderated:
            reasons.setdefault(s.criterion_id, []).append(s.comment)
    lines = [
        {
            "criterion": cell["criterion"],
            "score": cell["score"],
            "moderated": cell["moderated"],
            "points": cell["points"],
            "winner_score": winning.get(cell["criterion"].pk, {}).get("score"),
            "winner_points": winning.get(cell["criterion"].pk, {}).get("points"),
            "reasons": reasons.get(cell["criterion"].pk, []),
        }
        for cell in mine["cells"]
    ]
    return {"mine": mine, "winner": winner, "lines": lines}


def results_data(procurement: Procurement) -> dict[str, Any]:
    """A procurement's results per lot as plain data: the API's answer and ``infuse
    tender-results --json``."""
    lots = []
    for r in results(procurement):
        names = {str(c.pk): c.name_en for c in r.criteria}
        lots.append(
            {
                "number": r.lot.number,
                "title_en": r.lot.title_en,
                "price_formula": r.formula,
                "awarded_to": r.lot.awarded_to.name if r.lot.awarded_to else None,
                "complete": r.complete,
                "ranking": [
                    {
                        "bidder": row["bidder"].name,
                        "price": float(row["bidder"].price),
                        "rank": row["rank"],
                        "total": row["total"],
                        "points": {c["criterion"].name_en: c["points"] for c in row["cells"]},
                    }
                    for row in r.rows
                ],
                "margin_points": r.margin.points if r.margin else None,
                "margin_price_cut": r.margin.price_cut if r.margin else None,
                "sensitivity": [
                    {
                        "criterion": names[s.criterion],
                        "delta": s.delta,
                        "winner": r.names[s.winner],
                        "changed": s.changed,
                    }
                    for s in r.sensitivity
                ],
                "rank_reversal_if_removed": [r.names[k] for k in r.reversals],
                "withdrawn": [
                    {
                        "bidder": b.name,
                        "price": float(b.price),
                        "withdrawn_at": b.withdrawn_at.isoformat() if b.withdrawn_at else "",
                        "reason": b.withdrawal_reason,
                    }
                    for b in r.withdrawn
                ],
            }
        )
    return {
        "id": procurement.pk,
        "title_en": procurement.title_en,
        "title_cy": procurement.title_cy,
        "price_formula": procurement.price_formula,
        "lots": lots,
    }


def setup_tasks(procurement: Procurement) -> list[dict[str, Any]]:
    """The set-up task list: each part, whether it is done, and where to do it."""
    pk = procurement.pk
    lots = procurement.lots.count()
    levels = procurement.levels.count()
    weights = sum(float(c.weight) for c in leaves(procurement))
    bids = Bidder.objects.filter(lot__procurement=procurement, withdrawn_at=None).count()
    people = procurement.evaluators.count()
    return [
        {
            "name": _("Lots and price formulas"),
            "url": reverse("tenders:lots", args=[pk]),
            "done": lots > 0,
            "hint": ngettext("%(count)s lot", "%(count)s lots", lots) % {"count": lots},
        },
        {
            "name": _("Scoring scale"),
            "url": reverse("tenders:scale", args=[pk]),
            "done": levels >= 2,
            "hint": _("0 to %(top)s") % {"top": procurement.scale_max} if levels else "",
        },
        {
            "name": _("Criteria and weights"),
            "url": reverse("tenders:criteria", args=[pk]),
            "done": abs(weights - 100) < 1e-9,
            "hint": _("weights add up to %(total)s") % {"total": f"{weights:g}"},
        },
        {
            "name": _("Bidders and social-value commitments"),
            "url": reverse("tenders:bidders", args=[pk]),
            "done": bids > 0,
            "hint": ngettext("%(count)s bid", "%(count)s bids", bids) % {"count": bids},
        },
        {
            "name": _("Evaluators"),
            "url": reverse("tenders:evaluators", args=[pk]),
            "done": people > 0,
            "hint": ngettext("%(count)s evaluator", "%(count)s evaluators", people)
            % {"count": people},
        },
    ]


def scoring_started(procurement: Procurement) -> bool:
    """Whether any evaluator has saved a score or the panel has moderated one."""
    return (
        Score.objects.filter(evaluator__procurement=procurement).exists()
        or Moderation.objects.filter(criterion__procurement=procurement).exists()
    )


def may_evaluate(user: Any, procurement: Procurement) -> bool:
    """Who may be named an evaluator: active users of the owning body, and the delivery team's
    assessors (independent evaluators, as on Challenge Fund panels)."""
    if not getattr(user, "is_active", False):
        return False
    if user.body_id is None:
        return bool(user.role == Role.ASSESSOR)
    return bool(user.body_id == procurement.owner_body_id)


def bids_to_score(procurement: Procurement) -> QuerySet[Bidder]:
    """The bids evaluators score: every bid of the procurement that has not been withdrawn."""
    return Bidder.objects.filter(lot__procurement=procurement, withdrawn_at=None)


# --- Why a correction is refused ---------------------------------------------------------------
#
# Each function returns the reason, in the user's language, that a change or a removal cannot be
# made, or None when it can. The services refuse with the same reason, and the confirmation
# pages show it before anyone presses a button, so the rule is written once.


def lot_removal_refusal(lot: Lot) -> str | None:
    """A lot can be removed only while it has no bids (withdrawn ones included: they are on
    record), is not awarded, and is not the procurement's only lot."""
    if lot.awarded_to_id is not None:
        return _("This lot has been awarded, so it cannot be removed.")
    bids = lot.bidders.count()
    if bids:
        return ngettext(
            "This lot has %(count)s bid, so it cannot be removed: the bid and anything scored "
            "against it would be lost. Remove or withdraw the bid first; a withdrawn bid stays "
            "on record, so its lot stays too.",
            "This lot has %(count)s bids, so it cannot be removed: the bids and anything scored "
            "against them would be lost. Remove or withdraw the bids first; a withdrawn bid stays "
            "on record, so its lot stays too.",
            bids,
        ) % {"count": bids}
    if lot.procurement.lots.count() <= 1:
        return _("A procurement needs at least one lot, so its only lot cannot be removed.")
    return None


def _bid_has_record(bidder: Bidder) -> bool:
    return bidder.scores.exists() or bidder.moderations.exists()


def bidder_removal_refusal(bidder: Bidder) -> str | None:
    """A bid can be removed (deleted) only before scoring starts, as a correction of a bid
    entered by mistake. Once scoring has started the bid is part of the evaluation's record:
    it can be withdrawn, which keeps it and its scores, but not removed."""
    if bidder.lot.awarded_to_id == bidder.pk:
        return _("This lot has been awarded to this bid, so the bid cannot be removed.")
    if bidder.withdrawn:
        return _("This bid has been withdrawn: it stays on record and cannot be removed.")
    if _bid_has_record(bidder) or scoring_started(bidder.lot.procurement):
        return _(
            "Scoring has started, so this bid cannot be removed: it is part of the evaluation's "
            "record. Withdraw it instead: its scores are kept, and it is left out of the ranking "
            "and of the price comparison."
        )
    return None


def bidder_withdrawal_refusal(bidder: Bidder) -> str | None:
    """Any bid can be withdrawn except one already withdrawn, and the bid a lot was awarded to
    (the award is a decision on record; it is not undone here)."""
    if bidder.withdrawn:
        return _("This bid has already been withdrawn.")
    if bidder.lot.awarded_to_id == bidder.pk:
        return _("This lot has been awarded to this bid, so the bid cannot be withdrawn.")
    if bidder.lot.awarded_to_id is not None:
        return _("This lot has been awarded, so its bids can no longer change.")
    return None


def bidder_change_refusal(bidder: Bidder) -> str | None:
    """What fixes a bid's lot, price and commitments: scoring having started (evaluators scored
    it as it was, and every price score depends on every price), an award, or a withdrawal. The
    supplier's name can always be corrected."""
    if bidder.withdrawn:
        return _(
            "This bid has been withdrawn, so its lot, price and commitments are kept as they were."
        )
    if bidder.lot.awarded_to_id is not None:
        return _(
            "This lot has been awarded, so its bids' prices and commitments can no longer change."
        )
    if scoring_started(bidder.lot.procurement):
        return _(
            "Scoring has started, so the bid's lot, price and social-value commitments can no "
            "longer change: the evaluators scored the bid as it was, and every price score "
            "depends on every price. The supplier's name can still be corrected."
        )
    return None


def commitment_removal_refusal(commitment: Commitment) -> str | None:
    """A commitment is part of the bid the evaluators scored: it can be removed only while the
    bid could still change (see ``bidder_change_refusal``), and never once delivery is recorded."""
    if commitment.delivered is not None:
        return _("Delivery has been recorded against this commitment, so it cannot be removed.")
    return bidder_change_refusal(commitment.bidder)


def evaluator_removal_refusal(evaluator: Evaluator) -> str | None:
    """An evaluator who has saved any score cannot be removed: removing them would delete their
    scores (submitted ones count in the results; saved ones are part of the record)."""
    if evaluator.submitted_at is not None:
        return _(
            "This evaluator has submitted their scores, so they cannot be removed. If they "
            "should take no further part, stand them down: their scores are kept on record "
            "and stop counting."
        )
    if evaluator.scores.exists():
        return _(
            "This evaluator has saved scores (not yet submitted), so they cannot be removed: "
            "removing them would delete those scores. Stand them down instead: their scores "
            "are kept on record and do not count."
        )
    return None


def evaluator_stand_down_refusal(evaluator: Evaluator) -> str | None:
    """Any evaluator may be stood down, once, until a lot is awarded (the award rests on the
    scores as they counted then)."""
    if evaluator.stood_down:
        return _("This evaluator has already been stood down.")
    if evaluator.procurement.lots.filter(awarded_to__isnull=False).exists():
        return _("A lot of this procurement has been awarded, so the panel can no longer change.")
    return None


def measure_in_scored_use(measure: SocialValueMeasure) -> bool:
    """Whether a bid committing to ``measure`` is in a procurement whose scoring has started."""
    procurements = Procurement.objects.filter(
        lots__bidders__commitments__measure=measure
    ).distinct()
    return any(scoring_started(p) for p in procurements)


def measure_removal_refusal(measure: SocialValueMeasure) -> str | None:
    """A measure that any bid commits to cannot be removed (the commitment would lose its unit
    and value)."""
    used = Commitment.objects.filter(measure=measure).count()
    if used:
        return ngettext(
            "%(count)s bid commits to this measure, so it cannot be removed.",
            "%(count)s bids commit to this measure, so it cannot be removed.",
            used,
        ) % {"count": used}
    return None


def measure_value_refusal(measure: SocialValueMeasure) -> str | None:
    """The unit and proxy value of a measure are fixed once a bid committing to it is being
    scored: evaluators saw the commitments valued with them."""
    if measure_in_scored_use(measure):
        return _(
            "A bid committing to this measure is being scored, so its unit and proxy value can no "
            "longer change: the evaluators saw the commitments valued with them."
        )
    return None
