"""Capability uplift: the mean change in self-rated capability, with a 95% confidence interval.

Method (stated in docs/programme/capability.md):

* A participant's **score** at one point is the mean of their 1–5 ratings over the items they
  rated at both points being compared (so a skipped or newly added item changes nothing).
* A participant's **uplift** is the paired difference, after minus before. "Before" is either
  the entry rating or, at exit, the retrospective-pre rating ("looking back, where were you
  before?"; Howard 1980, *Evaluation Review* 4(1): 93–106, on response-shift bias).
* A group's uplift (a cohort, an authority, a lab) is the mean of its participants' paired
  differences, with the two-sided 95% interval of the one-sample t distribution:
  ``mean ± t(0.975, n − 1) × s / √n``, where ``s`` is the sample standard deviation of the
  differences. With fewer than two participants there is no interval.
* One participant's own uplift has an interval over the items (the item differences as the
  sample), which says how consistent the change is across skills, not a population claim.

Pure Python and SciPy; no Django, so a test can check it by hand.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from scipy import stats

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Uplift:
    """Mean change with its interval; ``low``/``high`` are None when n < 2."""

    n: int
    mean_before: float
    mean_after: float
    mean_change: float
    low: float | None
    high: float | None

    @property
    def clear(self) -> bool:
        """Whether the interval excludes no change."""
        return self.low is not None and (self.low > 0 or (self.high or 0) < 0)


def t_interval(differences: Sequence[float]) -> tuple[float, float | None, float | None]:
    """The mean of ``differences`` and its two-sided 95% t interval (None, None when n < 2)."""
    n = len(differences)
    if n == 0:
        raise ValueError("no differences")
    mean = sum(differences) / n
    if n < 2:
        return mean, None, None
    variance = sum((d - mean) ** 2 for d in differences) / (n - 1)
    half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1)) * math.sqrt(variance / n)
    return mean, mean - half, mean + half


def paired_uplift(pairs: Sequence[tuple[float, float]]) -> Uplift | None:
    """Uplift of a group from (before, after) pairs, one per participant; None if empty."""
    if not pairs:
        return None
    mean, low, high = t_interval([after - before for before, after in pairs])
    n = len(pairs)
    return Uplift(
        n=n,
        mean_before=sum(b for b, _ in pairs) / n,
        mean_after=sum(a for _, a in pairs) / n,
        mean_change=mean,
        low=low,
        high=high,
    )


def participant_pair(
    before: Mapping[str, int | None], after: Mapping[str, int | None]
) -> tuple[float, float] | None:
    """A participant's (before, after) mean over the items rated at both points."""
    keys = [k for k in after if after[k] is not None and before.get(k) is not None]
    if not keys:
        return None
    return (
        sum(float(before[k] or 0) for k in keys) / len(keys),
        sum(float(after[k] or 0) for k in keys) / len(keys),
    )


def participant_uplift(
    before: Mapping[str, int | None], after: Mapping[str, int | None]
) -> Uplift | None:
    """One participant's uplift with an interval over the items they rated both times."""
    keys = [k for k in after if after[k] is not None and before.get(k) is not None]
    return paired_uplift([(float(before[k] or 0), float(after[k] or 0)) for k in keys])


def grouped_uplift(
    rows: Iterable[tuple[str, tuple[float, float]]],
) -> dict[str, Uplift]:
    """Uplift per group from (group, (before, after)) rows, in the order groups first appear."""
    groups: dict[str, list[tuple[float, float]]] = {}
    for group, pair in rows:
        groups.setdefault(group, []).append(pair)
    result = {}
    for group, pairs in groups.items():
        uplift = paired_uplift(pairs)
        if uplift is not None:
            result[group] = uplift
    return result
