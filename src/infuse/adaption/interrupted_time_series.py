"""Interrupted time series: did the level or trend of a series change when something started?

Pure computation (NumPy, statsmodels; no Django). Segmented regression of a series on time, a
0/1 indicator of the period after the start and, optionally, time since the start (a change of
slope), following Lopez Bernal, J., Cummins, S. & Gasparrini, A. 2017, "Interrupted time series
regression for the evaluation of public health interventions: a tutorial", International
Journal of Epidemiology 46(1):348-355 (and its 2020 correction), with the authors' code at
github.com/gasparrini/2017_lopezbernal_IJE_codedata.

* ``linear``: least squares on the outcome (a rate or a mean), Newey-West errors for
  autocorrelation (Newey, W.K. & West, K.D. 1987, Econometrica 55(3):703-708).
* ``poisson`` / ``quasi_poisson``: counts with a log link and, optionally, the log of a
  population as an offset, so effects are rate ratios; quasi-Poisson scales the errors by
  Pearson's dispersion (McCullagh, P. & Nelder, J.A. 1989, Generalized Linear Models, 2nd ed.,
  section 4.5).
* Seasonality: pairs of sine and cosine terms of the season (Fourier terms; the tutorial's
  ``harmonic(month, 2, 12)``).

The counterfactual is the fitted series with the indicator (and slope change) set to zero.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy import stats

from .messages import AdaptionInputError, Message, gettext_noop

FloatArray = npt.NDArray[np.float64]

MODELS = ("linear", "poisson", "quasi_poisson")

#: More sine/cosine pairs than this over-fit any series a council holds (six pairs already
#: reproduce any monthly pattern exactly).
MAX_HARMONICS = 6


class TimeSeriesError(AdaptionInputError):
    """A series that cannot be analysed as asked, and why."""


def _error(template: str, **params: str | int) -> TimeSeriesError:
    return TimeSeriesError(Message(template, params))


@dataclass(frozen=True)
class Effect:
    """One coefficient: on the outcome's scale for ``linear``, as a rate ratio otherwise."""

    name: str
    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    scale: str  # "difference" or "ratio"


@dataclass(frozen=True)
class TimeSeriesResult:
    model: str
    level_change: Effect
    slope_change: Effect | None
    pre_trend: Effect
    periods_before: int
    periods_after: int
    dispersion: float | None
    harmonics: int
    confidence: float
    time: list[float]
    observed: list[float]
    fitted: list[float]
    counterfactual: list[float]
    notes: list[Message] = field(default_factory=list)


def harmonic_terms(season: npt.ArrayLike, pairs: int, period: float) -> FloatArray:
    """``pairs`` sine/cosine pairs of a season with the given period (e.g. month of 12)."""
    values = np.asarray(season, dtype=np.float64)
    angles = np.outer(values, np.arange(1, pairs + 1)) * 2 * math.pi / period
    return np.column_stack([np.sin(angles), np.cos(angles)])


def _column(frame: pl.DataFrame, name: str) -> FloatArray:
    if name not in frame.columns:
        raise _error(gettext_noop("There is no column called %(column)s."), column=name)
    values = frame.get_column(name).cast(pl.Float64, strict=False)
    if values.null_count():
        raise _error(
            gettext_noop("The column %(column)s must hold a number on every row."), column=name
        )
    return values.to_numpy().astype(np.float64)


def interrupted_time_series(
    frame: pl.DataFrame,
    *,
    time: str,
    outcome: str,
    after: str | None = None,
    start: float | None = None,
    model: str = "poisson",
    offset: str | None = None,
    season: str | None = None,
    season_period: float = 12,
    harmonics: int = 0,
    slope_change: bool = False,
    autocorrelation_lags: int = 1,
    confidence: float = 0.95,
) -> TimeSeriesResult:
    """Fit the segmented regression and return the level (and slope) change.

    The period after the start is given either by a 0/1 column ``after`` or by ``start`` (the
    first value of ``time`` in it). ``offset`` names a population column (count models only).
    """
    # statsmodels takes half a second to import: loaded by the analysis that needs it, not by
    # every process that loads the pages.
    import statsmodels.api as sm

    if model not in MODELS:
        raise _error(
            gettext_noop("The model must be one of: %(models)s."), models=", ".join(MODELS)
        )
    if not 0 <= harmonics <= MAX_HARMONICS or season_period <= 0:
        raise _error(
            gettext_noop(
                "Seasonality takes from 0 to %(most)s sine and cosine pairs and a season "
                "length above zero."
            ),
            most=MAX_HARMONICS,
        )
    if (after is None) == (start is None):
        raise _error(
            gettext_noop("Give either the column marking the period after the start, or the start.")
        )
    t = _column(frame, time)
    y = _column(frame, outcome)
    order = np.argsort(t, kind="stable")
    t, y = t[order], y[order]
    if after is not None:
        post = _column(frame, after)[order]
        if not set(np.unique(post).tolist()) <= {0.0, 1.0}:
            raise _error(
                gettext_noop("The column %(column)s must hold 0 or 1 on every row."),
                column=after,
            )
    else:
        post = (t >= float(start or 0)).astype(np.float64)
    before_count, after_count = int((post == 0).sum()), int((post == 1).sum())
    if before_count < 3 or after_count < 1:
        raise _error(
            gettext_noop(
                "An interrupted time series needs at least three periods before the start and "
                "one after."
            )
        )
    if np.any(np.diff(post) < 0):
        raise _error(gettext_noop("Once the period after the start begins it must not stop."))
    start_time = float(t[post == 1][0])
    columns = [np.ones_like(t), t, post]
    names = ["const", "time", "after"]
    if slope_change:
        columns.append(np.where(post == 1, t - start_time, 0.0))
        names.append("time_after")
    if harmonics:
        season_values = _column(frame, season)[order] if season else t
        columns.extend(harmonic_terms(season_values, harmonics, season_period).T)
        names.extend(f"h{index}" for index in range(2 * harmonics))
    design = np.column_stack(columns)
    if design.shape[0] <= design.shape[1] + 1:
        raise _error(gettext_noop("Too few periods for this model."))
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    notes: list[Message] = []
    dispersion: float | None = None
    if model == "linear":
        if offset:
            raise _error(gettext_noop("A population offset needs a count model (Poisson)."))
        fit = sm.OLS(y, design).fit(cov_type="HAC", cov_kwds={"maxlags": autocorrelation_lags})
        scale_name = "difference"
        fitted = fit.fittedvalues
        counterfactual_design = design.copy()
        counterfactual_design[:, 2] = 0.0
        if slope_change:
            counterfactual_design[:, 3] = 0.0
        counterfactual = counterfactual_design @ fit.params

        def effect(index: int, name: str) -> Effect:
            estimate = float(fit.params[index])
            se = float(fit.bse[index])
            return Effect(
                name, estimate, estimate - z * se, estimate + z * se, float(fit.pvalues[index]),
                scale_name,
            )  # fmt: skip
    else:
        if np.any(y < 0) or np.any(np.abs(y - np.round(y)) > 1e-9):
            raise _error(
                gettext_noop("A Poisson model needs counts: whole numbers, none below zero.")
            )
        log_offset = None
        if offset:
            population = _column(frame, offset)[order]
            if np.any(population <= 0):
                raise _error(
                    gettext_noop("Every population in %(column)s must be above zero."),
                    column=offset,
                )
            log_offset = np.log(population)
        glm = sm.GLM(y, design, family=sm.families.Poisson(), offset=log_offset)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = glm.fit(scale="X2" if model == "quasi_poisson" else None)
        dispersion = float(fit.scale) if model == "quasi_poisson" else None
        if model == "poisson":
            pearson = float((fit.resid_pearson**2).sum() / fit.df_resid)
            if pearson > 1.5:
                notes.append(
                    Message(
                        gettext_noop(
                            "The counts vary %(ratio)s times more than a Poisson model expects; "
                            "the quasi-Poisson model gives honest, wider intervals."
                        ),
                        {"ratio": f"{pearson:.1f}"},
                    )
                )
        scale_name = "ratio"
        linear_predictor = design @ fit.params + (log_offset if log_offset is not None else 0.0)
        fitted = np.exp(linear_predictor)
        counterfactual = fitted / np.exp(
            post * fit.params[2] + (design[:, 3] * fit.params[3] if slope_change else 0.0)
        )

        def effect(index: int, name: str) -> Effect:
            estimate = float(fit.params[index])
            se = float(fit.bse[index])
            return Effect(
                name,
                math.exp(estimate),
                math.exp(estimate - z * se),
                math.exp(estimate + z * se),
                float(fit.pvalues[index]),
                scale_name,
            )

    return TimeSeriesResult(
        model=model,
        level_change=effect(2, "level_change"),
        slope_change=effect(3, "slope_change") if slope_change else None,
        pre_trend=effect(1, "pre_trend"),
        periods_before=before_count,
        periods_after=after_count,
        dispersion=dispersion,
        harmonics=harmonics,
        confidence=confidence,
        time=[float(value) for value in t],
        observed=[float(value) for value in y],
        fitted=[float(value) for value in fitted],
        counterfactual=[float(value) for value in counterfactual],
        notes=notes,
    )
