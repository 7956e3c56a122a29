"""Tender evaluation arithmetic: price formulas, totals, ranking, margins, sensitivity and rank
reversal. No Django, no database: plain numbers in, plain numbers out.

Price formulas (the buyer picks one per procurement; see docs/procurement/tender-evaluation.md
for where each is used in UK practice):

* ``lowest`` — *lowest price ÷ bid price × max*. The most common UK formula (Crown Commercial
  Service bid-evaluation guidance; Welsh Government Procurement Route Planner; Scottish
  Government Procurement Journey "price evaluation").
* ``linear`` — *linear between the lowest price and a ceiling*: the lowest price scores max,
  a price at or above the ceiling scores 0, straight line in between:
  ``max × (ceiling − bid) ÷ (ceiling − lowest)``. The ceiling is a stated reference (the budget
  or affordability cap) or, when none is stated, the highest bid.
* ``mean`` — *relative to the mean*: ``max ÷ 2 × (1 + (mean − bid) ÷ mean)`` clipped to
  0…max, so the mean bid scores half the marks and each per cent below the mean adds a per cent
  of the half (the "deviation from the average price" method described in the Scottish
  Government Procurement Journey and used by some Welsh frameworks).

Edge cases (each tested): a zero or negative price is refused (``PriceError``); equal prices
score equally (ties share a rank); a bid above the ceiling scores 0 under ``linear``; one bidder
scores max under ``lowest`` and ``linear`` (it is the lowest) and half under ``mean``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

FORMULAS = ("lowest", "linear", "mean")
WEIGHTS_TOTAL = 100


class PriceError(ValueError):
    """A price the formulas cannot score (zero or negative, or a bad ceiling)."""


def price_scores(
    prices: Mapping[str, float], formula: str, max_score: float, ceiling: float | None = None
) -> dict[str, float]:
    """Each bid's price score (0 to ``max_score``) under ``formula``."""
    if formula not in FORMULAS:
        raise PriceError(f"unknown formula {formula!r}")
    if not prices:
        return {}
    for key, price in prices.items():
        if price <= 0:
            raise PriceError(f"price of {key} must be above zero")
    keys = list(prices)
    p = np.array([float(prices[k]) for k in keys])
    low = p.min()
    if formula == "lowest":
        s = low / p * max_score
    elif formula == "linear":
        top = float(ceiling) if ceiling is not None else float(p.max())
        if top < low:
            raise PriceError("the ceiling is below the lowest price")
        if top == low:
            s = np.where(p <= low, max_score, 0.0)
        else:
            s = np.clip((top - p) / (top - low), 0.0, 1.0) * max_score
    else:
        mean = p.mean()
        s = np.clip(max_score / 2 * (1 + (mean - p) / mean), 0.0, max_score)
    return {k: float(v) for k, v in zip(keys, s, strict=True)}


def formula_text(formula: str) -> str:
    """The formula in words, in English (callers translate the msgid of the same text)."""
    return {
        "lowest": "lowest price ÷ bid price × maximum",
        "linear": "maximum × (ceiling − bid price) ÷ (ceiling − lowest price), 0 above the ceiling",
        "mean": "maximum ÷ 2 × (1 + (mean price − bid price) ÷ mean price), between 0 and maximum",
    }[formula]


def weights_problem(weights: Sequence[float]) -> float | None:
    """``None`` when the weights add up to 100, else their total."""
    total = float(sum(weights))
    return None if abs(total - WEIGHTS_TOTAL) < 1e-9 else total


def totals(
    scores: Mapping[str, Mapping[str, float]], weights: Mapping[str, float]
) -> dict[str, float]:
    """Weighted totals (0–100): ``scores[bid][criterion]`` is a 0–1 share of the criterion's
    marks; ``weights`` are per cent and add to 100."""
    return {
        bid: round(sum(float(s.get(c, 0.0)) * w for c, w in weights.items()), 4)
        for bid, s in scores.items()
    }


@dataclass(frozen=True)
class Place:
    bid: str
    total: float
    rank: int


def ranking(total: Mapping[str, float]) -> list[Place]:
    """Highest total first; equal totals share a rank (standard competition ranking, "1224")."""
    ordered = sorted(total.items(), key=lambda item: (-item[1], item[0]))
    out: list[Place] = []
    for position, (bid, value) in enumerate(ordered, start=1):
        tied = bool(out) and abs(out[-1].total - value) < 1e-9
        out.append(Place(bid, value, out[-1].rank if tied else position))
    return out


@dataclass(frozen=True)
class Margin:
    winner: str
    runner_up: str | None
    points: float  # weighted points the runner-up needs to draw level
    price_cut: (
        float | None
    )  # how far the runner-up's price must fall to draw level (lowest formula)


def margin(
    total: Mapping[str, float],
    prices: Mapping[str, float] | None = None,
    price_weight: float = 0.0,
    formula: str = "lowest",
    max_score: float = 1.0,
    ceiling: float | None = None,
) -> Margin | None:
    """How close the result is: the runner-up's shortfall in weighted points, and how much its
    price must fall (other prices unchanged) to close it — found by bisection on the price, so
    it works for every formula. ``None`` when no price cut is enough."""
    order = ranking(total)
    if not order:
        return None
    if len(order) == 1:
        return Margin(order[0].bid, None, 0.0, None)
    first, second = order[0], order[1]
    gap = round(first.total - second.total, 4)
    cut = None
    if prices and price_weight > 0 and second.bid in prices:
        base = dict(prices)

        def total_at(price: float) -> tuple[float, float]:
            trial = dict(base)
            trial[second.bid] = price
            ps = price_scores(trial, formula, max_score, ceiling)
            old = price_scores(base, formula, max_score, ceiling)
            t2 = total[second.bid] + (ps[second.bid] - old[second.bid]) / max_score * price_weight
            t1 = total[first.bid] + (ps[first.bid] - old[first.bid]) / max_score * price_weight
            return t1, t2

        hi, lo = float(base[second.bid]), 1e-6
        t1, t2 = total_at(lo)
        if t2 >= t1:
            for _ in range(80):
                mid = (hi + lo) / 2
                t1, t2 = total_at(mid)
                if t2 >= t1:
                    lo = mid
                else:
                    hi = mid
            cut = round(float(base[second.bid]) - lo, 2)
    return Margin(first.bid, second.bid, gap, cut)


def reweight(weights: Mapping[str, float], criterion: str, delta: float) -> dict[str, float]:
    """Move ``criterion``'s weight by ``delta`` points (kept within 0–100) and rescale the others
    proportionally so the total stays 100. When all others are 0 they share the rest equally."""
    new = min(max(weights[criterion] + delta, 0.0), 100.0)
    others = {c: w for c, w in weights.items() if c != criterion}
    rest = 100.0 - new
    old_rest = sum(others.values())
    out = {criterion: new}
    for c, w in others.items():
        out[c] = rest * w / old_rest if old_rest > 0 else rest / max(len(others), 1)
    return out


@dataclass(frozen=True)
class Sensitivity:
    criterion: str
    delta: int
    winner: str
    changed: bool


def sensitivity(
    scores: Mapping[str, Mapping[str, float]],
    weights: Mapping[str, float],
    deltas: Sequence[int] = (-10, -5, 5, 10),
) -> list[Sensitivity]:
    """The winner when each criterion's weight moves by each of ``deltas`` (see ``reweight``)."""
    base = ranking(totals(scores, weights))
    if not base:
        return []
    winner = base[0].bid
    out = []
    for criterion in weights:
        for delta in deltas:
            order = ranking(totals(scores, reweight(weights, criterion, delta)))
            out.append(Sensitivity(criterion, delta, order[0].bid, order[0].bid != winner))
    return out


def rank_reversals(
    quality: Mapping[str, float],
    prices: Mapping[str, float],
    price_weight: float,
    formula: str,
    ceiling: float | None = None,
) -> list[str]:
    """Bidders whose removal reorders the others. ``quality`` is each bid's weighted non-price
    points (0–100 scale, already weighted); price points are recomputed without the removed
    bid, since relative formulas depend on the field."""

    def order(keys: Sequence[str]) -> list[str]:
        ps = price_scores({k: prices[k] for k in keys}, formula, 1.0, ceiling)
        t = {k: quality[k] + ps[k] * price_weight for k in keys}
        return [p.bid for p in ranking(t)]

    keys = list(prices)
    full = order(keys)
    out = []
    for removed in keys:
        rest = [k for k in keys if k != removed]
        if len(rest) < 2:
            continue
        if order(rest) != [k for k in full if k != removed]:
            out.append(removed)
    return out
