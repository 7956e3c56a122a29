"""Synthetic control: compare one treated place with a weighted blend of places that were not.

Pure computation (NumPy, SciPy, Polars; no Django).

The synthetic unit is a convex combination of donor units (weights at least zero, adding to
one) chosen so that, before the start, it matches the treated unit (Abadie, A. & Gardeazabal,
J. 2003, "The economic costs of conflict: a case study of the Basque Country", American
Economic Review 93(1):113-132; Abadie, A., Diamond, A. & Hainmueller, J. 2010, "Synthetic
control methods for comparative case studies", Journal of the American Statistical Association
105(490):493-505).

* Without predictors the weights match the pre-period outcomes themselves by least squares on
  the simplex (the "SC" estimator of Arkhangelsky, D. et al. 2021, "Synthetic difference in
  differences", American Economic Review 111(12):4088-4118, with no regularisation).
* With predictors (each a column averaged over chosen periods) the weights minimise
  ``(X1 - X0 w)' V (X1 - X0 w)`` with predictors scaled by their spread across units, and the
  diagonal V is chosen to minimise the pre-period outcome error, as the Synth package does
  (Abadie, A., Diamond, A. & Hainmueller, J. 2011, "Synth: an R package for synthetic control
  methods in comparative case studies", Journal of Statistical Software 42(13)).
* Cross-validation of V for when predictors are measured over the pre-period itself: V is
  chosen on a training period to predict a validation period (Abadie, A., Diamond, A. &
  Hainmueller, J. 2015, "Comparative politics and the synthetic control method", American
  Journal of Political Science 59(2):495-510).
* Inference by placebos in space: every donor in turn is treated as if it had been, and the
  treated unit's ratio of post- to pre-period root mean squared prediction error is ranked
  among them; the p-value is its rank over the number of units (Abadie et al. 2010, section 2.3).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy import optimize

from .messages import AdaptionInputError, Message, gettext_noop

FloatArray = npt.NDArray[np.float64]

#: Weight of the sum-to-one row in the non-negative least squares; large enough that the
#: weights add to one within 1e-9 for outcomes in the thousands.
_SUM_TO_ONE = 1e5


class SyntheticControlError(AdaptionInputError):
    """A panel that cannot be analysed by synthetic control, and why."""


def _error(template: str, **params: str | int) -> SyntheticControlError:
    return SyntheticControlError(Message(template, params))


@dataclass(frozen=True)
class Predictor:
    """A column averaged over some periods (missing values skipped, as Synth does)."""

    column: str
    periods: tuple[float, ...]

    @property
    def label(self) -> str:
        if len(self.periods) == 1:
            return f"{self.column} ({_label(self.periods[0])})"
        return f"{self.column} ({_label(self.periods[0])}–{_label(self.periods[-1])})"


def parse_predictor(text: str) -> Predictor:
    """``column:1960-1969`` or ``column:1961,1963,1965`` or ``column:1969``."""
    column, _, spec = text.rpartition(":")
    if not column or not spec:
        raise _error(
            gettext_noop("Write a predictor as column:first-last or column:year,year: %(text)s."),
            text=text,
        )
    periods: list[float] = []
    try:
        for part in spec.split(","):
            first, dash, last = part.strip().partition("-")
            if dash:
                periods.extend(float(p) for p in range(int(first), int(last) + 1))
            else:
                periods.append(float(first))
    except ValueError:
        raise _error(
            gettext_noop("Write a predictor as column:first-last or column:year,year: %(text)s."),
            text=text,
        ) from None
    return Predictor(column.strip(), tuple(periods))


def simplex_weights(target: FloatArray, donors: FloatArray) -> FloatArray:
    """Weights w >= 0 with sum 1 minimising ||target - donors w||.

    Non-negative least squares (Lawson & Hanson's active set, exact) with one more row that
    asks, heavily weighted, for the weights to add to one.
    """
    scale = max(float(np.abs(donors).max()), 1.0)
    a = np.vstack([donors / scale, np.full((1, donors.shape[1]), _SUM_TO_ONE)])
    b = np.concatenate([target / scale, [_SUM_TO_ONE]])
    weights, _residual = optimize.nnls(a, b, maxiter=50 * a.shape[1])
    total = weights.sum()
    return weights / total if total > 0 else weights


@dataclass(frozen=True)
class Fit:
    weights: FloatArray
    v: FloatArray | None
    synthetic: FloatArray  # the synthetic outcome in every period
    pre_rmspe: float
    post_rmspe: float


def _scaled(predictors: FloatArray, treated: int, donors: Sequence[int]) -> FloatArray:
    """The predictors of the treated unit (column 0) and donors, each row divided by its
    spread across them, as Synth does, so V weighs predictors of any unit alike."""
    x = predictors[:, [treated, *donors]]
    spread = x.std(axis=1, ddof=1)
    return x / np.where(spread > 0, spread, 1.0)[:, None]


def _weights_for(x: FloatArray, log_v: FloatArray) -> FloatArray:
    root = np.sqrt(np.exp(log_v - log_v.max()))
    return simplex_weights(root * x[:, 0], root[:, None] * x[:, 1:])


def _choose_v(x: FloatArray, y1: FloatArray, y0: FloatArray, pre_means: FloatArray) -> FloatArray:
    """log V minimising the outcome error of the weights V gives, over the periods in y1/y0.

    Nelder-Mead from equal weights and from the start Synth also tries (a regression of each
    unit's mean pre-period outcome, ``pre_means``, on its predictors: large coefficients mark
    predictors that matter), keeping the better. The error surface has local minima, so these
    two starts are kept as Synth's: they are what reproduce the published studies.
    """

    def loss(log_v: FloatArray) -> float:
        gap = y1 - _weights_for(x, log_v) @ y0
        return float(gap @ gap)

    count = x.shape[0]
    coefficients = np.linalg.lstsq(
        np.column_stack([np.ones(x.shape[1]), x.T]), pre_means, rcond=None
    )[0][1:]
    starts = [np.zeros(count), np.log(coefficients**2 / (coefficients**2).sum() + 1e-8)]
    best = None
    for start in starts:
        result = optimize.minimize(
            loss,
            start,
            method="Nelder-Mead",
            options={"maxiter": 400 * count, "xatol": 1e-6, "fatol": 1e-10},
        )
        if best is None or result.fun < best.fun:
            best = result
    assert best is not None
    return np.asarray(best.x, dtype=np.float64)


def _fit(
    outcomes: FloatArray,
    treated: int,
    donors: Sequence[int],
    pre: npt.NDArray[np.bool_],
    predictors: FloatArray | None,
    fit_periods: npt.NDArray[np.bool_] | None = None,
    training: FloatArray | None = None,
    validation: npt.NDArray[np.bool_] | None = None,
) -> Fit:
    y1 = outcomes[treated]
    y0 = outcomes[list(donors)]
    if predictors is None:
        weights = simplex_weights(y1[pre], y0[:, pre].T)
        v = None
    else:
        x = _scaled(predictors, treated, donors)
        pre_means = np.concatenate([[y1[pre].mean()], y0[:, pre].mean(axis=1)])
        if training is not None and validation is not None:
            # Cross-validation (Abadie, Diamond & Hainmueller 2015, section III.B): V is chosen
            # with predictors from a training period to fit a later validation period, then
            # applied to the predictors measured closer to the start.
            log_v = _choose_v(
                _scaled(training, treated, donors), y1[validation], y0[:, validation], pre_means
            )
        else:
            matched = pre if fit_periods is None else fit_periods
            log_v = _choose_v(x, y1[matched], y0[:, matched], pre_means)
        weights = _weights_for(x, log_v)
        raw = np.exp(log_v - log_v.max())
        v = raw / raw.sum()
    synthetic = weights @ y0
    gap = y1 - synthetic
    return Fit(
        weights=weights,
        v=v,
        synthetic=synthetic,
        pre_rmspe=float(np.sqrt(np.mean(gap[pre] ** 2))),
        post_rmspe=float(np.sqrt(np.mean(gap[~pre] ** 2))),
    )


@dataclass(frozen=True)
class Placebo:
    unit: str
    pre_rmspe: float
    post_rmspe: float
    ratio: float
    gaps: list[float]


@dataclass(frozen=True)
class SyntheticControlResult:
    treated_unit: str
    start: float
    weights: dict[str, float]
    predictor_balance: list[dict[str, float | str]]
    predictor_weights: dict[str, float]
    periods: list[float]
    treated: list[float]
    synthetic: list[float]
    average_effect: float
    pre_rmspe: float
    post_rmspe: float
    rmspe_ratio: float
    placebos: list[Placebo]
    rank: int | None
    p_value: float | None
    notes: list[Message] = field(default_factory=list)


def synthetic_control(
    frame: pl.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    treated_unit: str,
    start: float,
    donors: Sequence[str] | None = None,
    predictors: Sequence[Predictor] = (),
    fit_from: float | None = None,
    training_predictors: Sequence[Predictor] = (),
    validation: tuple[float, float] | None = None,
    placebos: bool = True,
    placebo_pre_rmspe_limit: float | None = None,
) -> SyntheticControlResult:
    """The synthetic control for ``treated_unit`` from ``start`` (the first treated period).

    ``donors`` limits the comparison units (default: every other unit). The average effect is
    the mean gap (treated minus synthetic) over the periods from ``start``. Placebos whose
    pre-period fit is more than ``placebo_pre_rmspe_limit`` times worse than the treated
    unit's are left out of the ranking, as Abadie et al. (2010) show with their 5x cut-off.
    With predictors, ``fit_from`` limits the pre-period outcomes that choose V to those from
    that period on (Synth's ``time.optimize.ssr``). With ``training_predictors`` and
    ``validation`` (first, last period), V is chosen by cross-validation instead: training
    predictors fit the validation period's outcomes, and the V found weighs ``predictors``.
    """
    for name in (unit, time, outcome):
        if name not in frame.columns:
            raise _error(gettext_noop("There is no column called %(column)s."), column=name)
    data = frame.with_columns(
        pl.col(unit).cast(pl.String),
        pl.col(time).cast(pl.Float64, strict=False),
        pl.col(outcome).cast(pl.Float64, strict=False),
    ).filter(pl.col(time).is_not_null())
    units = sorted(data.get_column(unit).unique().to_list())
    if treated_unit not in units:
        raise _error(gettext_noop("There is no unit called %(unit)s."), unit=treated_unit)
    donor_names = [name for name in (donors or units) if name != treated_unit]
    unknown = sorted(set(donor_names) - set(units))
    if unknown:
        raise _error(gettext_noop("There is no unit called %(unit)s."), unit=", ".join(unknown))
    if len(donor_names) < 2:
        raise _error(gettext_noop("A synthetic control needs at least two comparison units."))
    order = [treated_unit, *donor_names]
    wide = (
        data.filter(pl.col(unit).is_in(order))
        .pivot(on=unit, index=time, values=outcome, aggregate_function="first")
        .sort(time)
    )
    outcomes = wide.select(order).to_numpy().T.astype(np.float64)  # units x periods
    pre = np.asarray(wide.get_column(time).to_numpy() < start)
    if pre.sum() < 2 or (~pre).sum() < 1:
        raise _error(
            gettext_noop(
                "A synthetic control needs at least two periods before the start and one after."
            )
        )
    missing_outcome = np.isnan(outcomes).any(axis=1)
    if missing_outcome.any():
        names = ", ".join(order[index] for index in np.flatnonzero(missing_outcome)[:5])
        raise _error(
            gettext_noop("These units lack an outcome in some period: %(units)s."), units=names
        )
    period_values = np.asarray(wide.get_column(time).to_numpy())
    fit_periods = pre & (period_values >= fit_from) if fit_from is not None else None
    predictor_matrix = None
    if predictors:
        predictor_matrix = _predictor_matrix(data, unit, time, order, predictors)
    training_matrix = validation_periods = None
    if training_predictors and validation is not None:
        if not predictors:
            raise _error(gettext_noop("Cross-validation needs predictors as well."))
        training_matrix = _predictor_matrix(data, unit, time, order, training_predictors)
        validation_periods = (period_values >= validation[0]) & (period_values <= validation[1])
    treated_fit = _fit(
        outcomes,
        0,
        range(1, len(order)),
        pre,
        predictor_matrix,
        fit_periods,
        training_matrix,
        validation_periods,
    )
    gap = outcomes[0] - treated_fit.synthetic
    ratio = treated_fit.post_rmspe / treated_fit.pre_rmspe if treated_fit.pre_rmspe else math.inf
    placebo_rows: list[Placebo] = []
    rank = p_value = None
    if placebos:
        for index in range(1, len(order)):
            others = [other for other in range(1, len(order)) if other != index]
            placebo = _fit(
                outcomes,
                index,
                others,
                pre,
                predictor_matrix,
                fit_periods,
                training_matrix,
                validation_periods,
            )
            placebo_gap = outcomes[index] - placebo.synthetic
            placebo_rows.append(
                Placebo(
                    unit=order[index],
                    pre_rmspe=placebo.pre_rmspe,
                    post_rmspe=placebo.post_rmspe,
                    ratio=placebo.post_rmspe / placebo.pre_rmspe if placebo.pre_rmspe else math.inf,
                    gaps=[float(value) for value in placebo_gap],
                )
            )
        ranked = [
            row.ratio
            for row in placebo_rows
            if placebo_pre_rmspe_limit is None
            or row.pre_rmspe <= placebo_pre_rmspe_limit * treated_fit.pre_rmspe
        ]
        rank = 1 + sum(value > ratio for value in ranked)
        p_value = rank / (len(ranked) + 1)
    balance: list[dict[str, float | str]] = []
    predictor_weights: dict[str, float] = {}
    if predictor_matrix is not None:
        donor_mean = predictor_matrix[:, 1:].mean(axis=1)
        synthetic_values = predictor_matrix[:, 1:] @ treated_fit.weights
        for index, predictor in enumerate(predictors):
            balance.append(
                {
                    "predictor": predictor.label,
                    "treated": float(predictor_matrix[index, 0]),
                    "synthetic": float(synthetic_values[index]),
                    "donor_mean": float(donor_mean[index]),
                }
            )
            assert treated_fit.v is not None
            predictor_weights[predictor.label] = float(treated_fit.v[index])
    weights = {
        name: float(weight)
        for name, weight in sorted(
            zip(donor_names, treated_fit.weights, strict=True), key=lambda pair: -pair[1]
        )
        if weight > 1e-6
    }
    notes: list[Message] = []
    if treated_fit.pre_rmspe > 0.1 * float(np.abs(outcomes[0][pre]).mean()):
        notes.append(
            Message(
                gettext_noop(
                    "The synthetic control matches the treated unit poorly before the start "
                    "(error %(rmspe)s); treat the estimate with caution."
                ),
                {"rmspe": f"{treated_fit.pre_rmspe:.3g}"},
            )
        )
    return SyntheticControlResult(
        treated_unit=treated_unit,
        start=float(start),
        weights=weights,
        predictor_balance=balance,
        predictor_weights=predictor_weights,
        periods=[float(p) for p in wide.get_column(time).to_list()],
        treated=[float(value) for value in outcomes[0]],
        synthetic=[float(value) for value in treated_fit.synthetic],
        average_effect=float(gap[~pre].mean()),
        pre_rmspe=treated_fit.pre_rmspe,
        post_rmspe=treated_fit.post_rmspe,
        rmspe_ratio=ratio,
        placebos=placebo_rows,
        rank=rank,
        p_value=p_value,
        notes=notes,
    )


def _predictor_matrix(
    data: pl.DataFrame,
    unit: str,
    time: str,
    order: Sequence[str],
    predictors: Sequence[Predictor],
) -> FloatArray:
    rows = []
    for predictor in predictors:
        if predictor.column not in data.columns:
            raise _error(
                gettext_noop("There is no column called %(column)s."), column=predictor.column
            )
        means = (
            data.filter(pl.col(time).is_in(list(predictor.periods)))
            .group_by(unit)
            .agg(pl.col(predictor.column).cast(pl.Float64, strict=False).mean().alias("value"))
        )
        lookup = dict(means.iter_rows())
        row = [lookup.get(name) for name in order]
        if any(value is None or math.isnan(value) for value in row):
            raise _error(
                gettext_noop(
                    "The predictor %(predictor)s has no value for some units in those periods."
                ),
                predictor=predictor.label,
            )
        rows.append(row)
    return np.array(rows, dtype=np.float64)


def _label(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
