"""Analysis of a stepped-wedge trial: clusters cross from control to intervention in turn.

Pure computation (NumPy, Polars; no Django). Because every cluster starts in control and the
crossing happens over calendar time, the analysis must allow for time: a period left out
would credit the intervention with whatever changed over those months.

* Primary ("immediate, constant effect"): least squares of the outcome on the intervention
  indicator with fixed effects for each period and each cluster, errors clustered by cluster:
  CR2 with Bell-McCaffrey degrees of freedom and the wild cluster bootstrap (see
  :mod:`.cluster_robust`). Fixed cluster effects make the estimate a within-cluster comparison
  and need no model for the clusters' spread; the period effects are those of Hussey, M.A. &
  Hughes, J.P. 2007, "Design and analysis of stepped wedge cluster randomized trials",
  Contemporary Clinical Trials 28(2):182-191; cluster-robust inference for this design follows
  Hughes, J.P., Heagerty, P.J., Xia, F. & Ren, Y. 2020, "Robust inference for the stepped wedge
  design", Biometrics 76(1):119-130.
* Exposure time: the same model with one indicator per period since crossing over, so an
  effect that builds up (or wears off) is seen; their average is the time-averaged effect
  (Kenny, A., Voldal, E.C., Xia, F., Heagerty, P.J. & Hughes, J.P. 2022, "Analysis of stepped
  wedge cluster randomized trials in the presence of a time-varying treatment effect",
  Statistics in Medicine 41(22):4311-4339).

Rows may be individuals (many per cluster-period) or one summary per cluster-period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from . import cluster_robust
from .messages import AdaptionInputError, Message, gettext_noop


class SteppedWedgeError(AdaptionInputError):
    """Stepped-wedge outcome data that cannot be analysed, and why."""


def _error(template: str, **params: str | int) -> SteppedWedgeError:
    return SteppedWedgeError(Message(template, params))


@dataclass(frozen=True)
class SteppedWedgeResult:
    effect: dict[str, Any]
    exposure_effects: list[dict[str, Any]]
    time_averaged_effect: dict[str, Any] | None
    cluster_period_means: list[dict[str, Any]]
    means_by_period: list[dict[str, Any]]
    clusters: int
    periods: int
    observations: int
    missing_cluster_periods: list[dict[str, Any]]
    confidence: float
    notes: list[Message] = field(default_factory=list)


def _fixed_effects(codes: np.ndarray[Any, Any], count: int) -> np.ndarray[Any, Any]:
    """Indicator columns for every level but the first."""
    matrix = np.zeros((codes.size, max(count - 1, 0)))
    rows = np.flatnonzero(codes > 0)
    matrix[rows, codes[rows] - 1] = 1.0
    return matrix


def stepped_wedge_effect(
    frame: pl.DataFrame,
    *,
    cluster: str,
    period: str,
    outcome: str,
    first_treated: str,
    confidence: float = 0.95,
    draws: int = 9_999,
    seed: int = 0,
) -> SteppedWedgeResult:
    """The intervention effect with period and cluster fixed effects.

    ``first_treated`` is the column giving each row's cluster's first intervention period (as
    the randomisation's allocation table has it).
    """
    for name in (cluster, period, outcome, first_treated):
        if name not in frame.columns:
            raise _error(gettext_noop("There is no column called %(column)s."), column=name)
    data = frame.select(
        pl.col(cluster).cast(pl.String).alias("cluster"),
        pl.col(period).cast(pl.Float64, strict=False).alias("period"),
        pl.col(outcome).cast(pl.Float64, strict=False).alias("y"),
        pl.col(first_treated).cast(pl.Float64, strict=False).alias("first"),
    )
    for name, label in (("period", period), ("first", first_treated)):
        if data.get_column(name).null_count():
            raise _error(
                gettext_noop("The column %(column)s must hold a number on every row."),
                column=label,
            )
    data = data.filter(pl.col("y").is_not_null())
    if data.height == 0:
        raise _error(gettext_noop("No row has an outcome."))
    cluster_names = sorted(data.get_column("cluster").unique().to_list())
    period_values = sorted(data.get_column("period").unique().to_list())
    if len(cluster_names) < 3 or len(period_values) < 2:
        raise _error(
            gettext_noop("A stepped-wedge analysis needs at least three clusters and two periods.")
        )
    cluster_code = {name: index for index, name in enumerate(cluster_names)}
    period_code = {value: index for index, value in enumerate(period_values)}
    clusters = np.array([cluster_code[name] for name in data.get_column("cluster")])
    periods = np.array([period_code[value] for value in data.get_column("period")])
    time = data.get_column("period").to_numpy()
    first = data.get_column("first").to_numpy()
    treated = (time >= first).astype(np.float64)
    y = data.get_column("y").to_numpy()
    if treated.min() == treated.max():
        raise _error(
            gettext_noop("Every row is in the same condition, so there is nothing to compare.")
        )
    design = np.column_stack(
        [
            np.ones_like(y),
            treated,
            _fixed_effects(periods, len(period_values)),
            _fixed_effects(clusters, len(cluster_names)),
        ]
    )
    test = cluster_robust.cluster_test(
        design, y, clusters, coefficient=1, confidence=confidence, draws=draws, seed=seed
    )
    effect = {
        "estimate": test.estimate,
        "standard_error": test.standard_error,
        "degrees_of_freedom": test.degrees_of_freedom,
        "ci_low": test.ci_low,
        "ci_high": test.ci_high,
        "p_value": test.p_value,
        "wild_bootstrap_p_value": test.bootstrap_p_value,
        "bootstrap_weights": test.bootstrap_weights,
    }
    # Exposure time: periods since crossing over (0 in the first intervention period).
    exposure = np.where(treated == 1, np.round(time - first).astype(int), -1)
    levels = sorted({int(value) for value in exposure if value >= 0})
    exposure_columns = np.column_stack([(exposure == level).astype(float) for level in levels])
    exposure_design = np.column_stack(
        [
            np.ones_like(y),
            exposure_columns,
            _fixed_effects(periods, len(period_values)),
            _fixed_effects(clusters, len(cluster_names)),
        ]
    )
    fit = cluster_robust.cr2_fit(exposure_design, y, clusters)
    z_df = max(len(cluster_names) - 2, 1)
    critical = float(stats.t.ppf(0.5 + confidence / 2, z_df))
    exposure_effects = []
    for index, level in enumerate(levels, start=1):
        se = float(np.sqrt(max(fit.covariance[index, index], 0.0)))
        estimate = float(fit.coefficients[index])
        exposure_effects.append(
            {
                "exposure_periods": level,
                "estimate": estimate,
                "standard_error": se,
                "ci_low": estimate - critical * se,
                "ci_high": estimate + critical * se,
            }
        )
    time_averaged = None
    if levels:
        weights = np.zeros(exposure_design.shape[1])
        weights[1 : len(levels) + 1] = 1.0 / len(levels)
        estimate = float(weights @ fit.coefficients)
        se = float(np.sqrt(max(float(weights @ fit.covariance @ weights), 0.0)))
        df = cluster_robust.bell_mccaffrey_df(exposure_design, clusters, weights)
        critical_avg = float(stats.t.ppf(0.5 + confidence / 2, df))
        time_averaged = {
            "estimate": estimate,
            "standard_error": se,
            "degrees_of_freedom": df,
            "ci_low": estimate - critical_avg * se,
            "ci_high": estimate + critical_avg * se,
        }
    means = (
        data.with_columns(pl.Series("treated", treated.astype(np.int8)))
        .group_by("cluster", "period")
        .agg(pl.col("y").mean().alias("mean"), pl.len().alias("n"), pl.col("treated").first())
        .sort("cluster", "period")
    )
    by_period = (
        means.group_by("period")
        .agg(
            pl.col("mean").filter(pl.col("treated") == 0).mean().alias("control"),
            pl.col("mean").filter(pl.col("treated") == 1).mean().alias("intervention"),
        )
        .sort("period")
    )
    observed = {(row[0], row[1]) for row in means.select("cluster", "period").iter_rows()}
    missing = [
        {"cluster": name, "period": value}
        for name in cluster_names
        for value in period_values
        if (name, value) not in observed
    ]
    notes: list[Message] = []
    if len(cluster_names) < 12:
        notes.append(
            Message(
                gettext_noop(
                    "With %(count)s clusters the interval uses Bell-McCaffrey degrees of "
                    "freedom and the p-value is checked by the wild cluster bootstrap with "
                    "Webb's weights, both made for few clusters."
                ),
                {"count": len(cluster_names)},
            )
        )
    return SteppedWedgeResult(
        effect=effect,
        exposure_effects=exposure_effects,
        time_averaged_effect=time_averaged,
        cluster_period_means=means.to_dicts(),
        means_by_period=by_period.to_dicts(),
        clusters=len(cluster_names),
        periods=len(period_values),
        observations=int(y.size),
        missing_cluster_periods=missing,
        confidence=confidence,
        notes=notes,
    )
