"""The panel's arithmetic on plain numbers: weighted scores, spread, outliers, ranking,
funding within a budget, and allocating assessors without conflicts."""

from __future__ import annotations

import pytest

from infuse.challenges import panel


def test_weighted_score_is_a_percentage_of_the_highest_possible() -> None:
    weights = {"need": 40, "team": 30, "value": 30}
    assert panel.weighted_score({"need": 5, "team": 5, "value": 5}, weights, 5) == 100.0
    # 4/5×40 + 3/5×30 + 2/5×30 = 32 + 18 + 12
    assert panel.weighted_score({"need": 4, "team": 3, "value": 2}, weights, 5) == 62.0
    assert panel.weighted_score({"need": 5}, weights, 5) == 40.0  # unscored counts 0
    assert panel.weights_total(weights.values()) == 100
    with pytest.raises(ValueError):
        panel.weighted_score({}, weights, 0)


def test_criterion_stats_give_mean_spread_and_the_outlier() -> None:
    stats = panel.criterion_stats({"nia": 4, "ioan": 4, "elin": 1}, scale_max=5)
    assert stats.mean == 3.0 and stats.spread == 3 and stats.low == 1 and stats.high == 4
    assert stats.sd == pytest.approx(1.73, abs=0.01)
    assert stats.outliers == {"elin"}  # 3 points from the median of 4
    # A gap of one point is no outlier; two assessors cannot name an outlier.
    assert panel.criterion_stats({"a": 3, "b": 4, "c": 4}, 5).outliers == frozenset()
    assert panel.criterion_stats({"a": 0, "b": 5}, 5).outliers == frozenset()
    assert panel.criterion_stats({}, 5).mean is None
    # Exactly two points (40 per cent of a 0–5 scale) is an outlier.
    assert panel.criterion_stats({"a": 2, "b": 4, "c": 4}, 5).outliers == {"a"}
    # Two high scores against one low: only the low one is the odd one out.
    assert panel.criterion_stats({"a": 5, "b": 5, "c": 1}, 5).outliers == {"c"}


def test_ranking_shares_ranks_on_ties_and_marks_the_threshold() -> None:
    ranking = panel.rank({"b1": 70.0, "b2": 82.5, "b3": 70.0, "b4": 55.0}, threshold=60)
    assert [(r.key, r.rank, r.passes) for r in ranking] == [
        ("b2", 1, True),
        ("b1", 2, True),
        ("b3", 2, True),
        ("b4", 4, False),
    ]


def test_funding_in_rank_order_passes_over_a_bid_too_big_for_what_is_left() -> None:
    ranking = panel.rank({"a": 90.0, "b": 80.0, "c": 70.0, "d": 50.0}, threshold=60)
    costs = {"a": 60, "b": 50, "c": 30, "d": 10}
    result = panel.fund_in_rank_order(ranking, costs, budget=100)
    assert result.funded == ["a", "c"]
    assert result.over_budget == ["b"] and result.below_threshold == ["d"]
    assert (result.spent, result.remaining) == (90, 10)
    assert not panel.departs_from_rank_order(["c", "a"], ranking, costs, 100)
    assert panel.departs_from_rank_order(["b", "c"], ranking, costs, 100)
    assert panel.portfolio_problems(["b", "c"], ranking, costs, 100) == []
    assert panel.portfolio_problems(["a", "b"], ranking, costs, 100) == ["over_budget"]
    assert panel.portfolio_problems(["d"], ranking, costs, 100) == ["below_threshold"]
    assert panel.portfolio_problems(["zz"], ranking, costs, 100) == ["unknown"]


def test_allocation_avoids_conflicts_and_spreads_the_work() -> None:
    bids = ["b1", "b2", "b3"]
    assessors = ["nia", "ioan", "elin"]
    conflicts = {("b1", "nia"), ("b2", "ioan")}
    result = panel.allocate(bids, assessors, conflicts, per_bid=2)
    for bid, people in result.assigned.items():
        assert len(people) == 2 and len(set(people)) == 2
        assert all((bid, person) not in conflicts for person in people)
    loads = {a: sum(a in p for p in result.assigned.values()) for a in assessors}
    assert sorted(loads.values()) == [2, 2, 2]
    assert result.short == {}
    # The same inputs give the same answer.
    assert panel.allocate(bids, assessors, conflicts, per_bid=2) == result


def test_allocation_reports_bids_it_cannot_staff_and_keeps_earlier_ones() -> None:
    result = panel.allocate(
        ["b1"], ["nia", "ioan"], {("b1", "nia")}, per_bid=2, already={"b1": ["elin"]}
    )
    assert result.assigned == {"b1": ["elin", "ioan"]}
    short = panel.allocate(["b1"], ["nia", "ioan"], {("b1", "nia")}, per_bid=3)
    assert short.short == {"b1": 2} and short.assigned == {"b1": ["ioan"]}
