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

from collections.abc import Mapping, Sequence

WEIGHTS_TOTAL = 100


def weights_total(weights: Sequence[int]) -> int:
    """The sum of the criteria's weights, in per cent (a valid call's is 100)."""
    return sum(int(weight) for weight in weights)


def weighted_score(
    scores: Mapping[str, float], weights: Mapping[str, int], scale_max: int
) -> float:
    """A percentage (0–100): each criterion's score as a share of ``scale_max``, weighted.

    ``scores`` and ``weights`` are keyed by criterion; a criterion without a score counts 0.
    """
    if scale_max <= 0:
        raise ValueError("scale_max must be positive")
    total = 0.0
    for key, weight in weights.items():
        total += float(scores.get(key, 0.0)) / scale_max * weight
    return round(total, 2)
