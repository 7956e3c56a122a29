"""The uplift engine, checked by hand (no database)."""

from __future__ import annotations

import math

import pytest

from infuse.programme.uplift import (
    grouped_uplift,
    paired_uplift,
    participant_pair,
    participant_uplift,
    t_interval,
)


def test_t_interval_matches_a_hand_calculation() -> None:
    # Differences 1, 0.5, 1.5, 1: mean 1; s² = (0 + 0.25 + 0.25 + 0) / 3 = 1/6; se = √(1/24)
    # = 0.204124; t(0.975, 3) = 3.182446 (statistical tables); half-width 0.649612.
    mean, low, high = t_interval([1.0, 0.5, 1.5, 1.0])
    assert mean == 1.0
    assert low == pytest.approx(1 - 0.649612, abs=1e-5)
    assert high == pytest.approx(1 + 0.649612, abs=1e-5)


def test_one_participant_has_no_interval_and_none_is_no_uplift() -> None:
    assert t_interval([0.4]) == (0.4, None, None)
    assert paired_uplift([]) is None


def test_paired_uplift_means_and_clear_change() -> None:
    uplift = paired_uplift([(2.0, 3.0), (3.0, 3.5), (2.5, 4.0), (3.0, 4.0)])
    assert uplift is not None
    assert uplift.n == 4 and uplift.mean_before == 2.625 and uplift.mean_after == 3.625
    assert uplift.mean_change == pytest.approx(1.0) and uplift.clear
    flat = paired_uplift([(3.0, 3.0), (3.0, 4.0), (3.0, 2.0)])
    assert flat is not None and not flat.clear


def test_a_participant_is_compared_on_the_items_rated_both_times() -> None:
    before = {"curiosity": 2, "iteration": 3, "new": None}
    after = {"curiosity": 4, "iteration": 4, "new": 5, "other": 5}
    assert participant_pair(before, after) == (2.5, 4.0)
    detail = participant_uplift(before, after)
    assert detail is not None and detail.n == 2 and detail.mean_change == 1.5
    # Differences 2 and 1: s = √0.5, se = 0.5, t(0.975, 1) = 12.7062; half-width 6.3531.
    assert detail.low == pytest.approx(1.5 - 6.3531, abs=1e-4)
    assert participant_pair({"a": 3}, {"b": 4}) is None


def test_groups_keep_their_own_participants() -> None:
    rows = [("Data Lab", (2.0, 3.0)), ("Adaption Lab", (3.0, 3.0)), ("Data Lab", (2.0, 4.0))]
    grouped = grouped_uplift(rows)
    assert list(grouped) == ["Data Lab", "Adaption Lab"]
    assert grouped["Data Lab"].n == 2 and grouped["Data Lab"].mean_change == 1.5
    assert grouped["Adaption Lab"].low is None
    assert not math.isnan(grouped["Data Lab"].low or 0)
