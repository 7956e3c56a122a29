"""The pure tender-evaluation arithmetic, against values worked by hand (shown beside each)."""

from __future__ import annotations

import pytest

from infuse.tenders import scoring

PRICES = {"A": 100.0, "B": 125.0, "C": 200.0}


def test_lowest_price_over_bid_price() -> None:
    # 100/100×10 = 10; 100/125×10 = 8; 100/200×10 = 5
    assert scoring.price_scores(PRICES, "lowest", 10) == pytest.approx(
        {"A": 10.0, "B": 8.0, "C": 5.0}
    )


def test_linear_between_lowest_and_ceiling_with_a_bid_above_the_ceiling() -> None:
    # ceiling 200: A lowest → 10; B 10×(200−125)/(200−100) = 7.5; C at ceiling 0; D above 0
    got = scoring.price_scores({**PRICES, "D": 250.0}, "linear", 10, ceiling=200)
    assert got == pytest.approx({"A": 10.0, "B": 7.5, "C": 0.0, "D": 0.0})
    # no ceiling stated: the highest bid (200) is the ceiling, same scores
    assert scoring.price_scores(PRICES, "linear", 10) == pytest.approx(
        {"A": 10.0, "B": 7.5, "C": 0.0}
    )


def test_relative_to_the_mean() -> None:
    # mean 141.667: A 5×(1+41.667/141.667) = 6.4706; B 5×(1+16.667/141.667) = 5.5882;
    # C 5×(1−58.333/141.667) = 2.9412
    got = scoring.price_scores(PRICES, "mean", 10)
    assert got == pytest.approx({"A": 6.4706, "B": 5.5882, "C": 2.9412}, abs=1e-4)


@pytest.mark.parametrize("price", [0.0, -5.0])
def test_zero_or_negative_prices_are_refused(price: float) -> None:
    with pytest.raises(scoring.PriceError):
        scoring.price_scores({"A": 100.0, "B": price}, "lowest", 10)


def test_one_bidder_and_ties() -> None:
    assert scoring.price_scores({"A": 80.0}, "lowest", 10) == {"A": 10.0}
    assert scoring.price_scores({"A": 80.0}, "linear", 10) == {"A": 10.0}
    assert scoring.price_scores({"A": 80.0}, "mean", 10) == {"A": 5.0}
    tied = scoring.price_scores({"A": 90.0, "B": 90.0, "C": 180.0}, "lowest", 10)
    assert tied == pytest.approx({"A": 10.0, "B": 10.0, "C": 5.0})
    ranks = [(p.bid, p.rank) for p in scoring.ranking({"A": 70.0, "B": 70.0, "C": 60.0})]
    assert ranks == [("A", 1), ("B", 1), ("C", 3)]


def test_weights_must_add_up_to_100() -> None:
    assert scoring.weights_problem([40, 45, 15]) is None
    assert scoring.weights_problem([40, 45, 10]) == 95


def test_margin_in_points_and_in_price() -> None:
    # price weight 40 (lowest formula), quality A 30, B 33: A = 40+30 = 70, B = 32+33 = 65.
    # B draws level when 40×100/p + 33 = 70, p = 108.108: a cut of 125 − 108.108 = 16.89
    m = scoring.margin({"A": 70.0, "B": 65.0}, {"A": 100.0, "B": 125.0}, 40, "lowest")
    assert m is not None and m.winner == "A" and m.runner_up == "B"
    assert m.points == 5.0
    assert m.price_cut == pytest.approx(16.89, abs=0.01)


def test_reweight_rescales_the_others_in_proportion() -> None:
    # price 40 → 50; the 60 left becomes 50, split 30:30 → 25:25
    assert scoring.reweight({"p": 40, "q1": 30, "q2": 30}, "p", 10) == {
        "p": 50.0,
        "q1": 25.0,
        "q2": 25.0,
    }


def test_sensitivity_finds_where_the_winner_changes() -> None:
    # weights 50/50. A: price 1.0, quality 0.5 = 75; B: 0.7, 0.9 = 80 (B wins).
    # price +10 (60/40): A 60+20 = 80, B 42+36 = 78 → A; price +5 (55/45): A 77.5, B 79 → B
    scores = {"A": {"p": 1.0, "q": 0.5}, "B": {"p": 0.7, "q": 0.9}}
    result = {
        (s.criterion, s.delta): s.winner for s in scoring.sensitivity(scores, {"p": 50, "q": 50})
    }
    assert result == {
        ("p", -10): "B",
        ("p", -5): "B",
        ("p", 5): "B",
        ("p", 10): "A",
        ("q", -10): "A",
        ("q", -5): "B",
        ("q", 5): "B",
        ("q", 10): "B",
    }


def test_rank_reversal_when_the_lowest_bidder_is_removed() -> None:
    # price weight 50, lowest formula. With A: A 50+10 = 60, B 33.33+30 = 63.33, C 25+40 = 65
    # → C, B, A. Without A the lowest is 150: B 50+30 = 80, C 37.5+40 = 77.5 → B, C: reversed.
    quality = {"A": 10.0, "B": 30.0, "C": 40.0}
    prices = {"A": 100.0, "B": 150.0, "C": 200.0}
    assert scoring.rank_reversals(quality, prices, 50, "lowest") == ["A"]
    # Linear with a fixed ceiling scores each price alone: no reversal is possible.
    assert scoring.rank_reversals(quality, prices, 50, "linear", ceiling=250) == []
