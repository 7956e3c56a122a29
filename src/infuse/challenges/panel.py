"""The arithmetic of scoring against weighted criteria: no Django, no database.

Plain numbers in, plain numbers out, so the Challenge Fund panel, the command line, the API and
(later) the Procurement Lab's tender-evaluation workbench share one implementation.

Weights are whole per cents that add to 100. A criterion's score is on a scale from 0 to
``scale_max``. A bid's *weighted score* is a percentage of the highest possible:

    weighted = Σ_c (score_c / scale_max) × weight_c            (0 to 100)

which is the usual "weighted scoring" of public procurement evaluation (for example the Crown
Commercial Service's guidance on evaluating bids, and the Welsh Government's Procurement Route
Planner, which both weight each criterion's score and add them up).
"""

from __future__ import annotations

import statistics
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

WEIGHTS_TOTAL = 100

K = TypeVar("K", bound=Hashable)  # a criterion, a bid or an assessor: any key
A = TypeVar("A", bound=Hashable)  # an assessor


def weights_total(weights: Sequence[int]) -> int:
    """The sum of the criteria's weights, in per cent (a valid call's is 100)."""
    return sum(int(weight) for weight in weights)


def weighted_score(scores: Mapping[K, float], weights: Mapping[K, int], scale_max: int) -> float:
    """A percentage (0–100): each criterion's score as a share of ``scale_max``, weighted.

    ``scores`` and ``weights`` are keyed by criterion; a criterion without a score counts 0.
    """
    if scale_max <= 0:
        raise ValueError("scale_max must be positive")
    total = 0.0
    for key, weight in weights.items():
        total += float(scores.get(key, 0.0)) / scale_max * weight
    return round(total, 2)


# --- One criterion across assessors ------------------------------------------------------------

#: An assessor's score is an *outlier* when it lies at least this share of the scale (2 points
#: on a 0–5 scale) from the median of all the assessors' scores for the same criterion. It
#: needs at least three assessors: with two, neither can be told to be the odd one out, so a
#: gap that wide shows as a wide spread instead. (The median, not the mean, so that the odd
#: score does not pull the centre towards itself.) Panels commonly send a gap of two points on
#: a 0–5 scale to moderation, where the assessors discuss it before a moderated score is set.
OUTLIER_SHARE = 0.4
OUTLIER_MIN_ASSESSORS = 3


@dataclass(frozen=True)
class CriterionStats:
    """The assessors' scores for one criterion: mean, spread and outliers."""

    n: int
    mean: float | None
    low: float | None
    high: float | None
    spread: float | None  # highest minus lowest
    sd: float | None  # sample standard deviation (n − 1), None below two scores
    outliers: frozenset[Hashable]


def criterion_stats(scores: Mapping[K, float], scale_max: int) -> CriterionStats:
    """Mean, spread (highest − lowest), standard deviation and outliers of ``scores``, keyed
    by assessor. See ``OUTLIER_SHARE`` for the outlier rule."""
    values = [float(v) for v in scores.values()]
    if not values:
        return CriterionStats(0, None, None, None, None, None, frozenset())
    mean = statistics.fmean(values)
    sd = statistics.stdev(values) if len(values) > 1 else None
    outliers = set()
    if len(values) >= OUTLIER_MIN_ASSESSORS:
        gap = OUTLIER_SHARE * scale_max
        centre = statistics.median(values)
        for key, value in scores.items():
            if abs(float(value) - centre) >= gap - 1e-9:
                outliers.add(key)
    return CriterionStats(
        n=len(values),
        mean=round(mean, 2),
        low=min(values),
        high=max(values),
        spread=max(values) - min(values),
        sd=round(sd, 2) if sd is not None else None,
        outliers=frozenset(outliers),
    )


# --- Ranking and funding -----------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked(Generic[K]):
    key: K
    score: float
    rank: int  # standard competition ranking: equal scores share a rank ("1224")
    passes: bool  # at or above the quality threshold


def rank(scores: Mapping[K, float], threshold: float) -> list[Ranked[K]]:
    """Bids ordered by weighted score, highest first, with ranks and the threshold check.

    Equal scores share a rank (standard competition ranking); their order is then by key, so
    the result is the same every time. ``threshold`` is a percentage like the scores.
    """
    ordered = sorted(scores.items(), key=lambda item: (-item[1], str(item[0])))
    result: list[Ranked[K]] = []
    for position, (key, score) in enumerate(ordered, start=1):
        tied = bool(result) and abs(result[-1].score - score) < 1e-9
        place = result[-1].rank if tied else position
        result.append(Ranked(key, score, place, score >= threshold - 1e-9))
    return result


@dataclass(frozen=True)
class FundingResult(Generic[K]):
    funded: list[K]
    below_threshold: list[K]
    over_budget: list[K]  # passed the threshold but did not fit what was left
    spent: int
    remaining: int


def fund_in_rank_order(
    ranking: Sequence[Ranked[K]], costs: Mapping[K, int], budget: int
) -> FundingResult[K]:
    """Go down the ranking and fund each bid that passes the threshold and fits the budget
    left. A bid that does not fit is passed over and the next one that fits is funded (so
    the budget is not left idle because one large bid is too big)."""
    funded: list[K] = []
    below: list[K] = []
    over: list[K] = []
    remaining = budget
    for entry in ranking:
        if not entry.passes:
            below.append(entry.key)
        elif costs[entry.key] <= remaining:
            funded.append(entry.key)
            remaining -= costs[entry.key]
        else:
            over.append(entry.key)
    return FundingResult(funded, below, over, budget - remaining, remaining)


def portfolio_problems(
    chosen: Sequence[K],
    ranking: Sequence[Ranked[K]],
    costs: Mapping[K, int],
    budget: int,
) -> list[str]:
    """Why a portfolio choice cannot stand, as codes: ``"over_budget"`` when it costs more
    than the budget, ``"below_threshold"`` when it funds a bid under the quality threshold,
    ``"unknown"`` when it names a bid not in the ranking."""
    passes = {entry.key: entry.passes for entry in ranking}
    problems = []
    if any(key not in passes for key in chosen):
        problems.append("unknown")
    if sum(costs.get(key, 0) for key in chosen) > budget:
        problems.append("over_budget")
    if any(passes.get(key) is False for key in chosen):
        problems.append("below_threshold")
    return problems


def departs_from_rank_order(
    chosen: Sequence[K],
    ranking: Sequence[Ranked[K]],
    costs: Mapping[K, int],
    budget: int,
) -> bool:
    """Whether ``chosen`` differs from what funding in rank order would fund."""
    return set(chosen) != set(fund_in_rank_order(ranking, costs, budget).funded)


# --- Allocating assessors ----------------------------------------------------------------------


@dataclass(frozen=True)
class Allocation(Generic[K, A]):
    assigned: dict[K, list[A]]  # bid → assessors
    short: dict[K, int]  # bid → how many assessors it still lacks


def allocate(
    bids: Sequence[K],
    assessors: Sequence[A],
    conflicts: Iterable[tuple[K, A]],
    per_bid: int,
    already: Mapping[K, Sequence[A]] | None = None,
) -> Allocation[K, A]:
    """Give each bid ``per_bid`` assessors, never one with a conflict, spreading the work.

    ``conflicts`` are (bid, assessor) pairs that must not meet; ``already`` holds assessors
    allocated earlier (kept, and counted in each assessor's load). Bids with the fewest free
    assessors are served first; each takes the least-loaded free assessors, ties broken by the
    order of ``assessors``, so the same inputs always give the same allocation.
    """
    blocked = set(conflicts)
    order = {assessor: index for index, assessor in enumerate(assessors)}
    assigned = {bid: list((already or {}).get(bid, ())) for bid in bids}
    load = dict.fromkeys(assessors, 0)
    for people in assigned.values():
        for person in people:
            if person in load:
                load[person] += 1

    def free(bid: K) -> list[A]:
        return [a for a in assessors if (bid, a) not in blocked and a not in assigned[bid]]

    short: dict[K, int] = {}
    for bid in sorted(bids, key=lambda b: (len(free(b)), str(b))):
        needed = per_bid - len(assigned[bid])
        if needed <= 0:
            continue
        candidates = sorted(free(bid), key=lambda a: (load[a], order[a]))[:needed]
        for person in candidates:
            assigned[bid].append(person)
            load[person] += 1
        if len(candidates) < needed:
            short[bid] = needed - len(candidates)
    return Allocation(assigned, short)
