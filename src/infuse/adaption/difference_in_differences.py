"""Difference-in-differences, for when a change could not be randomised.

Pure computation (NumPy and Polars, no Django).

* The 2 x 2 comparison: the treated group's change minus the comparison group's change over the
  same time. From a table of four means (``did_of_means``; Card, D. & Krueger, A.B. 1994,
  "Minimum wages and employment: a case study of the fast-food industry in New Jersey and
  Pennsylvania", American Economic Review 84(4):772-793, Table 3) or from unit-level data as
  the interaction in ``y ~ treated + after + treated x after``, with CR2 errors clustered by
  unit and Bell-McCaffrey degrees of freedom (see :mod:`.cluster_robust`).
* Staggered adoption: units start at different times. Two-way fixed-effects regression can
  then weight some comparisons negatively (Goodman-Bacon, A. 2021, Journal of Econometrics
  225(2):254-277), so the effect is built from clean 2 x 2 comparisons instead: for each cohort
  g (units first treated at time g) and time t, ATT(g, t) compares the cohort's change since
  g - 1 with the change of units never treated, or not yet treated by t (Callaway, B. &
  Sant'Anna, P.H.C. 2021, "Difference-in-differences with multiple time periods", Journal of
  Econometrics 225(2):200-230, unconditional parallel trends, no covariates). Before
  treatment the same comparison uses consecutive periods, giving the pre-trend check. Event
  time e = t - g aggregates cohorts weighted by their size. Intervals come from a multiplier
  bootstrap of the units' influence functions (pointwise, and simultaneous over event times
  by the bootstrap's maximum t), treating the cohort weights as fixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy import stats

from . import cluster_robust
from .messages import AdaptionInputError, Message, gettext_noop

FloatArray = npt.NDArray[np.float64]


class DidError(AdaptionInputError):
    """A panel that cannot be analysed by difference-in-differences, and why."""


def _error(template: str, **params: str | int) -> DidError:
    return DidError(Message(template, params))


def did_of_means(
    *,
    treated_before: float,
    treated_after: float,
    comparison_before: float,
    comparison_after: float,
) -> float:
    """The difference-in-differences of four group means: the treated group's change minus
    the comparison group's change."""
    return (treated_after - treated_before) - (comparison_after - comparison_before)


@dataclass(frozen=True)
class TwoByTwo:
    """The 2 x 2 difference-in-differences with its table of means."""

    estimate: float
    standard_error: float
    degrees_of_freedom: float
    ci_low: float
    ci_high: float
    p_value: float
    confidence: float
    means: dict[str, float]
    units: int
    observations: int
    bootstrap_p_value: float | None


def _require(frame: pl.DataFrame, columns: Sequence[str]) -> None:
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise _error(
            gettext_noop("There is no column called %(column)s."), column=", ".join(missing)
        )


def _zero_one(frame: pl.DataFrame, column: str) -> npt.NDArray[np.bool_]:
    values = frame.get_column(column).cast(pl.Float64, strict=False)
    if values.null_count() or not set(values.unique().to_list()) <= {0.0, 1.0}:
        raise _error(
            gettext_noop("The column %(column)s must hold 0 or 1 on every row."), column=column
        )
    return values.to_numpy() == 1.0


def _numbers(frame: pl.DataFrame, column: str) -> FloatArray:
    values = frame.get_column(column).cast(pl.Float64, strict=False)
    if values.null_count():
        raise _error(
            gettext_noop("The column %(column)s must hold a number on every row."), column=column
        )
    return values.to_numpy().astype(np.float64)


def did_two_by_two(
    frame: pl.DataFrame,
    *,
    outcome: str,
    treated: str,
    after: str,
    unit: str | None = None,
    confidence: float = 0.95,
    bootstrap_draws: int = 9_999,
    seed: int = 0,
) -> TwoByTwo:
    """The 2 x 2 difference-in-differences from one row per unit and period.

    ``treated`` and ``after`` are 0/1 columns. Errors are clustered by ``unit`` when given (a
    unit seen before and after is one cluster), else each row is its own cluster (HC2).
    """
    _require(frame, [outcome, treated, after, *([unit] if unit else [])])
    y = _numbers(frame, outcome)
    group = _zero_one(frame, treated)
    later = _zero_one(frame, after)
    cells = {(g, a): y[(group == g) & (later == a)] for g in (True, False) for a in (True, False)}
    if any(values.size == 0 for values in cells.values()):
        raise _error(
            gettext_noop(
                "Each of the four groups (treated and comparison, before and after) needs at "
                "least one row."
            )
        )
    means = {
        "treated_before": float(cells[(True, False)].mean()),
        "treated_after": float(cells[(True, True)].mean()),
        "comparison_before": float(cells[(False, False)].mean()),
        "comparison_after": float(cells[(False, True)].mean()),
    }
    design = np.column_stack(
        [np.ones_like(y), group, later, (group & later).astype(np.float64)]
    ).astype(np.float64)
    clusters = frame.get_column(unit).cast(pl.String).to_numpy() if unit else np.arange(y.size)
    test = cluster_robust.cr2_test(design, y, clusters, coefficient=3, confidence=confidence)
    bootstrap = None
    if unit and test.cluster_count >= 4:
        weights, _scheme = cluster_robust.bootstrap_weights(
            test.cluster_count, bootstrap_draws, seed=seed
        )
        bootstrap = cluster_robust.wild_cluster_bootstrap_p(
            design, y, clusters, coefficient=3, weights=weights
        )
    return TwoByTwo(
        estimate=did_of_means(**means),
        standard_error=test.standard_error,
        degrees_of_freedom=test.degrees_of_freedom,
        ci_low=test.ci_low,
        ci_high=test.ci_high,
        p_value=test.p_value,
        confidence=confidence,
        means=means,
        units=int(np.unique(clusters).size),
        observations=int(y.size),
        bootstrap_p_value=bootstrap,
    )


@dataclass(frozen=True)
class EventTimeEffect:
    event_time: int
    estimate: float
    standard_error: float
    ci_low: float
    ci_high: float
    band_low: float
    band_high: float
    cohorts: int


@dataclass(frozen=True)
class StaggeredResult:
    """Group-time effects, their event-time aggregation and the overall effect."""

    overall: dict[str, float]
    event_study: list[EventTimeEffect]
    group_time: list[dict[str, Any]]
    control_group: str
    cohorts: dict[str, int]
    never_treated: int
    confidence: float
    draws: int
    notes: list[Message] = field(default_factory=list)


def did_staggered(
    frame: pl.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    first_treated: str,
    control_group: str = "never",
    confidence: float = 0.95,
    draws: int = 999,
    seed: int = 0,
) -> StaggeredResult:
    """Callaway & Sant'Anna group-time effects on a balanced panel.

    ``first_treated`` holds the period a unit is first treated, or 0 / empty for a unit never
    treated. ``control_group`` is "never" (never-treated units) or "not_yet" (units not yet
    treated at the later of the two periods compared).
    """
    _require(frame, [unit, time, outcome, first_treated])
    if control_group not in {"never", "not_yet"}:
        raise _error(gettext_noop("The comparison group must be 'never' or 'not_yet'."))
    data = frame.select(
        pl.col(unit).cast(pl.String).alias("unit"),
        pl.col(time).cast(pl.Float64, strict=False).alias("time"),
        pl.col(outcome).cast(pl.Float64, strict=False).alias("y"),
        pl.col(first_treated).cast(pl.Float64, strict=False).fill_null(0.0).alias("g"),
    )
    if data.get_column("time").null_count() or data.get_column("y").null_count():
        raise _error(
            gettext_noop("Every row needs a number for %(time)s and for %(outcome)s."),
            time=time,
            outcome=outcome,
        )
    wide = data.pivot(on="time", index="unit", values="y", aggregate_function="first")
    periods = sorted(float(name) for name in wide.columns if name != "unit")
    names = [name for name in wide.columns if name != "unit"]
    by_value = {float(name): name for name in names}
    ordered = [by_value[p] for p in periods]
    matrix = wide.select(ordered).to_numpy().astype(np.float64)
    if np.isnan(matrix).any():
        raise _error(
            gettext_noop("The panel must be balanced: every unit needs an outcome in every period.")
        )
    first = (
        data.group_by("unit")
        .agg(pl.col("g").first())
        .join(wide.select("unit"), on="unit", how="right")
        .get_column("g")
        .to_numpy()
    )
    n = matrix.shape[0]
    cohort_values = sorted({float(g) for g in first if g > 0})
    never = first <= 0
    if control_group == "never" and not never.any():
        raise _error(
            gettext_noop("No unit is never treated; compare with units not yet treated instead.")
        )
    index = {p: i for i, p in enumerate(periods)}
    notes: list[Message] = []
    cells: list[dict[str, Any]] = []
    influence: list[FloatArray] = []
    for g in cohort_values:
        if g not in index or index[g] == 0:
            notes.append(
                Message(
                    gettext_noop(
                        "Units first treated at %(period)s are left out: there is no period "
                        "before it in the data."
                    ),
                    {"period": _label(g)},
                )
            )
            continue
        members = first == g
        for t in periods:
            # After treatment the base is the last period before it; before, the period just
            # before t (consecutive pre-period comparisons, the pre-trend check).
            base = periods[index[g] - 1] if t >= g else periods[index[t] - 1] if index[t] else None
            if base is None or base == t:
                continue
            if control_group == "never":
                controls = never
            else:
                controls = never | (first > max(t, base))
                controls &= ~members
            if not controls.any():
                continue
            change = matrix[:, index[t]] - matrix[:, index[base]]
            treated_mean = change[members].mean()
            control_mean = change[controls].mean()
            estimate = float(treated_mean - control_mean)
            psi = np.zeros(n)
            psi[members] = (change[members] - treated_mean) * n / members.sum()
            psi[controls] = -(change[controls] - control_mean) * n / controls.sum()
            cells.append(
                {
                    "cohort": g,
                    "time": t,
                    "event_time": round(t - g),
                    "estimate": estimate,
                    "size": int(members.sum()),
                }
            )
            influence.append(psi)
    if not cells:
        raise _error(
            gettext_noop("There is no treated cohort with a period before and a comparison group.")
        )
    psi_matrix = np.vstack(influence)  # cells x units
    estimates = np.array([cell["estimate"] for cell in cells])
    sizes = np.array([cell["size"] for cell in cells], dtype=np.float64)
    event_times = np.array([cell["event_time"] for cell in cells])
    rng = np.random.Generator(np.random.PCG64(seed))
    # Rademacher multipliers: one weight per unit per draw, shared by every cell, so that the
    # cells' dependence (the same units appear in many) carries into the aggregates.
    multipliers = rng.choice(np.array([-1.0, 1.0]), size=(draws, n))
    z = float(stats.norm.ppf(0.5 + confidence / 2))

    def aggregate(weights: FloatArray) -> tuple[float, FloatArray]:
        point = float(weights @ estimates)
        perturbed = multipliers @ (psi_matrix.T @ weights) / n
        return point, perturbed

    event_rows: list[tuple[int, float, FloatArray, int]] = []
    for e in sorted(set(event_times.tolist())):
        chosen = event_times == e
        weights = np.where(chosen, sizes, 0.0)
        weights /= weights.sum()
        point, perturbed = aggregate(weights)
        event_rows.append((int(e), point, perturbed, int(chosen.sum())))
    spreads = np.array([_spread(row[2]) for row in event_rows])
    draws_matrix = np.vstack([row[2] for row in event_rows])  # events x draws
    with np.errstate(divide="ignore", invalid="ignore"):
        max_t = np.nanmax(
            np.abs(draws_matrix) / np.where(spreads > 0, spreads, np.nan)[:, None], axis=0
        )
    band = float(np.nanquantile(max_t, confidence)) if np.isfinite(max_t).any() else z
    event_study = [
        EventTimeEffect(
            event_time=e,
            estimate=point,
            standard_error=float(se),
            ci_low=point - z * float(se),
            ci_high=point + z * float(se),
            band_low=point - band * float(se),
            band_high=point + band * float(se),
            cohorts=count,
        )
        for (e, point, _perturbed, count), se in zip(event_rows, spreads, strict=True)
    ]
    post = event_times >= 0
    weights = np.where(post, sizes, 0.0)
    if weights.sum() == 0:
        raise _error(gettext_noop("No treated cohort is observed after it was treated."))
    weights /= weights.sum()
    overall_point, overall_draws = aggregate(weights)
    overall_se = _spread(overall_draws)
    overall = {
        "estimate": overall_point,
        "standard_error": overall_se,
        "ci_low": overall_point - z * overall_se,
        "ci_high": overall_point + z * overall_se,
        "p_value": float(2 * stats.norm.sf(abs(overall_point / overall_se)))
        if overall_se > 0
        else 0.0,
    }
    return StaggeredResult(
        overall=overall,
        event_study=event_study,
        group_time=cells,
        control_group=control_group,
        cohorts={_label(g): int((first == g).sum()) for g in cohort_values},
        never_treated=int(never.sum()),
        confidence=confidence,
        draws=draws,
        notes=notes,
    )


def _spread(draws: FloatArray) -> float:
    """A robust bootstrap standard error: the interquartile range over that of the normal,
    as Callaway & Sant'Anna use."""
    q75, q25 = np.quantile(draws, [0.75, 0.25])
    return float((q75 - q25) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25)))


def _label(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
