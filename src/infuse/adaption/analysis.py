"""Analysis of a randomised experiment by intention to treat, as a locked plan pre-specifies.

Pure computation (no Django): NumPy arrays or Polars frames in, frozen dataclasses out.

Methods and sources:

* difference in means with Welch's interval (Welch, B.L. 1947, "The generalization of
  Student's problem when several different population variances are involved", Biometrika
  34:28-35) and the HC2 heteroskedasticity-robust interval (MacKinnon, J.G. & White, H. 1985,
  Journal of Econometrics 29:305-325), which for two groups equals Neyman's conservative
  variance s1^2/n1 + s0^2/n0 (Samii, C. & Aronow, P.M. 2012, Statistics & Probability Letters
  82:365-370);
* covariate adjustment by Lin's estimator: least squares on treatment, centred covariates and
  their interactions, with HC2 errors (Lin, W. 2013, "Agnostic notes on regression adjustments
  to experimental data", Annals of Applied Statistics 7:295-318);
* yes/no outcomes: risk difference (HC2, the unpooled Wald interval) and risk ratio with the
  log-scale interval (Katz, D. et al. 1978, Biometrics 34:469-474); counts: the rate ratio
  with a robust (sandwich) log-scale interval beside the difference in means;
* randomisation inference: the p-value of the observed difference among re-randomisations
  that keep the arm sizes (Fisher, R.A. 1935, "The Design of Experiments"; Imbens, G.W. &
  Rubin, D.B. 2015, "Causal Inference", ch. 5), all permutations drawn at once as arrays;
* several outcomes or arms: Holm's step-down (Holm, S. 1979, Scandinavian Journal of Statistics
  6:65-70) and Benjamini & Hochberg's false discovery rate (1995, JRSS B 57:289-300);
* CUPED: the outcome less theta times the centred pre-period value of the same measure, theta
  the pooled regression slope, then the difference in means (Deng, A., Xu, Y., Kohavi, R. &
  Walker, T. 2013, "Improving the sensitivity of online controlled experiments by utilizing
  pre-experiment data", WSDM);
* clusters: CR2 with Bell-McCaffrey degrees of freedom and the wild cluster bootstrap on the
  units' own rows (see :mod:`.cluster_robust`), beside the analysis of cluster means;
* a Bayesian summary: a normal prior on the effect, stated, combined with the estimate's
  normal likelihood (conjugate normal-normal; Spiegelhalter, D.J., Abrams, K.R. & Myles, J.P.
  2004, "Bayesian Approaches to Clinical Trials and Health-Care Evaluation", ch. 3), giving
  the probability the effect exceeds zero and a stated threshold;
* sample-ratio mismatch: Pearson's chi-squared test of the analysed counts against the planned
  ratio (Fabijan, A. et al. 2019, "Diagnosing sample ratio mismatch in online controlled
  experiments", KDD).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy import stats

from . import cluster_robust
from .messages import AdaptionInputError, Message, gettext_noop

FloatArray = npt.NDArray[np.float64]

#: Below this p-value the analysed arm sizes are flagged as not matching the planned ratio.
SRM_THRESHOLD = 0.001


class AnalysisError(AdaptionInputError):
    """Data that cannot be analysed as asked, with the reason for a person."""


def _error(template: str, **params: str | int) -> AnalysisError:
    return AnalysisError(Message(template, params))


@dataclass(frozen=True)
class Estimate:
    """An intention-to-treat effect: ``treatment`` minus ``control`` in the outcome's units."""

    method: str
    estimate: float
    standard_error: float
    ci_low: float
    ci_high: float
    p_value: float
    degrees_of_freedom: float | None
    n_treatment: int
    n_control: int
    mean_treatment: float
    mean_control: float
    confidence: float

    def as_dict(self) -> dict[str, Any]:
        return {key: _plain(value) for key, value in asdict(self).items()}


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _split(outcome: FloatArray, treated: npt.NDArray[np.bool_]) -> tuple[FloatArray, FloatArray]:
    y1, y0 = outcome[treated], outcome[~treated]
    if y1.size < 2 or y0.size < 2:
        raise _error(gettext_noop("Each arm needs at least two units with an outcome."))
    return y1, y0


def difference_in_means(
    outcome: npt.ArrayLike, treated: npt.ArrayLike, *, confidence: float = 0.95
) -> tuple[Estimate, Estimate]:
    """The difference in means with Welch's t interval and with the HC2 (normal) interval."""
    y = np.asarray(outcome, dtype=np.float64)
    t = np.asarray(treated, dtype=bool)
    y1, y0 = _split(y, t)
    n1, n0 = y1.size, y0.size
    v1, v0 = y1.var(ddof=1) / n1, y0.var(ddof=1) / n0
    difference = float(y1.mean() - y0.mean())
    se = math.sqrt(v1 + v0)
    # Welch-Satterthwaite degrees of freedom.
    df = (v1 + v0) ** 2 / (v1**2 / (n1 - 1) + v0**2 / (n0 - 1)) if se > 0 else float("inf")
    t_critical = float(stats.t.ppf(0.5 + confidence / 2, df))
    z_critical = float(stats.norm.ppf(0.5 + confidence / 2))
    statistic = difference / se if se > 0 else float("inf")
    common: dict[str, Any] = {
        "estimate": difference,
        "standard_error": se,
        "n_treatment": n1,
        "n_control": n0,
        "mean_treatment": float(y1.mean()),
        "mean_control": float(y0.mean()),
        "confidence": confidence,
    }
    welch = Estimate(
        method="welch",
        ci_low=difference - t_critical * se,
        ci_high=difference + t_critical * se,
        p_value=float(2 * stats.t.sf(abs(statistic), df)),
        degrees_of_freedom=df,
        **common,
    )
    hc2 = Estimate(
        method="hc2",
        ci_low=difference - z_critical * se,
        ci_high=difference + z_critical * se,
        p_value=float(2 * stats.norm.sf(abs(statistic))),
        degrees_of_freedom=None,
        **common,
    )
    return welch, hc2


def _hc2_least_squares(design: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Coefficients and their HC2 covariance matrix."""
    bread = np.linalg.pinv(design.T @ design)
    beta = bread @ design.T @ y
    residuals = y - design @ beta
    leverage = np.einsum("ij,jk,ik->i", design, bread, design)
    weights = residuals**2 / np.clip(1.0 - leverage, 1e-12, None)
    meat = (design * weights[:, None]).T @ design
    return beta, bread @ meat @ bread


def lin_adjusted(
    outcome: npt.ArrayLike,
    treated: npt.ArrayLike,
    covariates: npt.ArrayLike,
    *,
    confidence: float = 0.95,
) -> Estimate:
    """Lin's (2013) regression-adjusted effect: y on T, centred X and T x centred X, HC2."""
    y = np.asarray(outcome, dtype=np.float64)
    t = np.asarray(treated, dtype=bool)
    x = np.asarray(covariates, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    y1, y0 = _split(y, t)
    centred = x - x.mean(axis=0)
    design = np.column_stack([np.ones_like(y), t.astype(np.float64), centred, centred * t[:, None]])
    if design.shape[0] <= design.shape[1]:
        raise _error(gettext_noop("Too few units for this many covariates."))
    beta, covariance = _hc2_least_squares(design, y)
    estimate = float(beta[1])
    se = float(math.sqrt(covariance[1, 1]))
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    return Estimate(
        method="lin_hc2",
        estimate=estimate,
        standard_error=se,
        ci_low=estimate - z * se,
        ci_high=estimate + z * se,
        p_value=float(2 * stats.norm.sf(abs(estimate / se))) if se > 0 else 0.0,
        degrees_of_freedom=None,
        n_treatment=int(y1.size),
        n_control=int(y0.size),
        mean_treatment=float(y1.mean()),
        mean_control=float(y0.mean()),
        confidence=confidence,
    )


def cuped(
    outcome: npt.ArrayLike,
    treated: npt.ArrayLike,
    pre_period: npt.ArrayLike,
    *,
    confidence: float = 0.95,
) -> Estimate:
    """The difference in means of the CUPED-adjusted outcome (Deng et al. 2013), HC2 interval.

    ``pre_period`` is the same measure taken before the experiment; theta is the pooled slope
    cov(y, x) / var(x). Because x was measured before randomisation the estimate stays unbiased
    and its variance falls by the share of variance the pre-period explains.
    """
    y = np.asarray(outcome, dtype=np.float64)
    t = np.asarray(treated, dtype=bool)
    x = np.asarray(pre_period, dtype=np.float64)
    variance = x.var(ddof=1)
    if variance == 0:
        raise _error(gettext_noop("The pre-period measure is the same for every unit."))
    theta = float(np.cov(y, x, ddof=1)[0, 1] / variance)
    adjusted = y - theta * (x - x.mean())
    _welch, hc2 = difference_in_means(adjusted, t, confidence=confidence)
    y1, y0 = _split(y, t)
    return Estimate(
        **{
            **asdict(hc2),
            "method": "cuped",
            "mean_treatment": float(y1.mean()),
            "mean_control": float(y0.mean()),
        }
    )


@dataclass(frozen=True)
class BayesianSummary:
    """The posterior for the effect under a stated normal prior (or a flat one)."""

    prior_mean: float
    prior_sd: float | None  # None: flat prior, the posterior is the likelihood
    posterior_mean: float
    posterior_sd: float
    credible_low: float
    credible_high: float
    probability_above_zero: float
    threshold: float
    probability_above_threshold: float


def bayesian_summary(
    estimate: float,
    standard_error: float,
    *,
    prior_mean: float = 0.0,
    prior_sd: float | None = None,
    threshold: float = 0.0,
    credibility: float = 0.95,
) -> BayesianSummary:
    """Normal prior x normal likelihood of the estimate: precision-weighted mean and variance."""
    if standard_error <= 0 or not math.isfinite(standard_error):
        raise _error(gettext_noop("The estimate has no spread, so no posterior can be given."))
    if prior_sd is not None and prior_sd <= 0:
        raise _error(gettext_noop("The prior's standard deviation must be above zero."))
    likelihood_precision = 1 / standard_error**2
    prior_precision = 0.0 if prior_sd is None else 1 / prior_sd**2
    precision = likelihood_precision + prior_precision
    mean = (likelihood_precision * estimate + prior_precision * prior_mean) / precision
    sd = math.sqrt(1 / precision)
    z = float(stats.norm.ppf(0.5 + credibility / 2))
    return BayesianSummary(
        prior_mean=prior_mean,
        prior_sd=prior_sd,
        posterior_mean=mean,
        posterior_sd=sd,
        credible_low=mean - z * sd,
        credible_high=mean + z * sd,
        probability_above_zero=float(stats.norm.sf(0.0, mean, sd)),
        threshold=threshold,
        probability_above_threshold=float(stats.norm.sf(threshold, mean, sd)),
    )


@dataclass(frozen=True)
class RiskRatio:
    ratio: float
    ci_low: float
    ci_high: float


def risk_ratio(
    outcome: npt.ArrayLike, treated: npt.ArrayLike, *, confidence: float = 0.95
) -> RiskRatio:
    """Risk in treatment / risk in control, interval on the log scale (Katz et al. 1978)."""
    y = np.asarray(outcome, dtype=np.float64)
    t = np.asarray(treated, dtype=bool)
    y1, y0 = _split(y, t)
    a, n1, c, n0 = y1.sum(), y1.size, y0.sum(), y0.size
    if a == 0 or c == 0:
        return RiskRatio(float("nan"), float("nan"), float("nan"))
    ratio = (a / n1) / (c / n0)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    return RiskRatio(
        float(ratio), float(ratio * math.exp(-z * se)), float(ratio * math.exp(z * se))
    )


def rate_ratio(
    outcome: npt.ArrayLike, treated: npt.ArrayLike, *, confidence: float = 0.95
) -> RiskRatio:
    """Mean count in treatment / mean count in control, with a robust interval on the log
    scale: the Poisson regression's sandwich variance, which for one 0/1 regressor is
    s1^2/(n1 m1^2) + s0^2/(n0 m0^2) by the delta method, so extra-Poisson variation widens it
    (Zeileis, A., Kleiber, C. & Jackman, S. 2008, "Regression models for count data in R",
    Journal of Statistical Software 27(8), section 2.1)."""
    y = np.asarray(outcome, dtype=np.float64)
    t = np.asarray(treated, dtype=bool)
    y1, y0 = _split(y, t)
    m1, m0 = y1.mean(), y0.mean()
    if m1 <= 0 or m0 <= 0:
        return RiskRatio(float("nan"), float("nan"), float("nan"))
    ratio = m1 / m0
    se = math.sqrt(y1.var(ddof=1) / (y1.size * m1**2) + y0.var(ddof=1) / (y0.size * m0**2))
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    return RiskRatio(
        float(ratio), float(ratio * math.exp(-z * se)), float(ratio * math.exp(z * se))
    )


def randomisation_p_value(
    outcome: npt.ArrayLike,
    treated: npt.ArrayLike,
    *,
    permutations: int = 10_000,
    seed: int = 0,
) -> float:
    """Two-sided p-value of the difference in means under re-randomisation of the arms.

    Re-randomisations are drawn in batches as matrices of random keys (the smallest n1 keys of
    a row are its treated units), so 10,000 re-randomisations of 100,000 units need no Python
    loop over permutations. The observed
    allocation counts as one of the re-randomisations: p = (1 + #{|d*| >= |d|}) / (1 + R).
    """
    y = np.asarray(outcome, dtype=np.float64)
    t = np.asarray(treated, dtype=bool)
    _split(y, t)
    n, n1 = y.size, int(t.sum())
    observed = abs(y[t].mean() - y[~t].mean())
    rng = np.random.Generator(np.random.PCG64(seed))
    total = y.sum()
    at_least = 0
    # Each batch draws a (rows x n) matrix of random keys; the n1 smallest keys of a row are
    # that re-randomisation's treated units (argpartition, linear time). Keys are float32 to
    # halve the work: ties (about one pair per 30,000 units) are broken by position, a
    # departure from exact uniformity far below the Monte Carlo error of the p-value.
    batch = max(1, min(permutations, 20_000_000 // max(n, 1)))
    done = 0
    while done < permutations:
        rows = min(batch, permutations - done)
        keys = rng.random((rows, n), dtype=np.float32)
        chosen = np.argpartition(keys, n1 - 1, axis=1)[:, :n1]
        treated_sum = y[chosen].sum(axis=1)
        differences = np.abs(treated_sum / n1 - (total - treated_sum) / (n - n1))
        at_least += int((differences >= observed - 1e-9 * max(1.0, observed)).sum())
        done += rows
    return (1 + at_least) / (1 + permutations)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the input order."""
    p = np.asarray(p_values, dtype=np.float64)
    order = np.argsort(p, kind="stable")
    m = p.size
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order]).clip(max=1.0)
    result = np.empty(m)
    result[order] = adjusted
    return [float(value) for value in result]


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (q-values), in the input order."""
    p = np.asarray(p_values, dtype=np.float64)
    order = np.argsort(p, kind="stable")
    m = p.size
    ranked = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1.0)
    result = np.empty(m)
    result[order] = adjusted
    return [float(value) for value in result]


@dataclass(frozen=True)
class OutcomeChecks:
    """How the outcome file lines up with the allocation."""

    allocated_by_arm: dict[str, int]
    analysed_by_arm: dict[str, int]
    missing_by_arm: dict[str, int]
    unknown_ids: list[str]
    srm_chi_squared: float
    srm_p_value: float
    sample_ratio_mismatch: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def outcome_checks(
    allocation: pl.DataFrame,
    outcomes: pl.DataFrame,
    *,
    id_column: str,
    arm_column: str,
    outcome_column: str,
    planned_ratio: dict[str, int],
) -> tuple[OutcomeChecks, pl.DataFrame]:
    """Join outcomes to the allocation by id; count attrition; test the sample ratio.

    Returns the checks and the analysable rows (id, arm, outcome, and the outcome file's other
    columns). Ids in the outcome file that were never allocated are listed, not analysed.
    """
    allocated = allocation.select(
        pl.col(id_column).cast(pl.String), pl.col(arm_column).cast(pl.String)
    )
    keyed = outcomes.with_columns(pl.col(id_column).cast(pl.String))
    unknown = keyed.join(allocated, on=id_column, how="anti").get_column(id_column)
    joined = allocated.join(keyed.drop(arm_column, strict=False), on=id_column, how="left")
    analysed = joined.filter(pl.col(outcome_column).is_not_null())
    arms = list(planned_ratio)
    allocated_by = dict(allocated.group_by(arm_column).len().iter_rows())
    analysed_by = dict(analysed.group_by(arm_column).len().iter_rows())
    allocated_counts = {arm: int(allocated_by.get(arm, 0)) for arm in arms}
    analysed_counts = {arm: int(analysed_by.get(arm, 0)) for arm in arms}
    total = sum(analysed_counts.values())
    weights = np.array([planned_ratio[arm] for arm in arms], dtype=np.float64)
    expected = total * weights / weights.sum()
    observed = np.array([analysed_counts[arm] for arm in arms], dtype=np.float64)
    if total > 0 and len(arms) > 1:
        chi_squared, p_value = stats.chisquare(observed, expected)
    else:
        chi_squared, p_value = 0.0, 1.0
    checks = OutcomeChecks(
        allocated_by_arm=allocated_counts,
        analysed_by_arm=analysed_counts,
        missing_by_arm={arm: allocated_counts[arm] - analysed_counts[arm] for arm in arms},
        unknown_ids=sorted(unknown.to_list())[:50],
        srm_chi_squared=float(chi_squared),
        srm_p_value=float(p_value),
        sample_ratio_mismatch=bool(p_value < SRM_THRESHOLD),
    )
    return checks, analysed


@dataclass(frozen=True)
class Comparison:
    """One arm against control: the estimates and the adjusted p-value for the plan's
    correction."""

    arm: str
    control: str
    estimates: list[dict[str, Any]]
    primary: dict[str, Any]
    risk_ratio: dict[str, float] | None
    randomisation_p_value: float | None
    adjusted_p_value: float | None
    wild_bootstrap_p_value: float | None = None
    bayesian: dict[str, Any] | None = None
    rate_ratio: dict[str, float] | None = None


def itt_analysis(
    analysable: pl.DataFrame,
    *,
    arms: Sequence[str],
    arm_column: str,
    outcome_column: str,
    outcome_type: str,
    covariates: Sequence[str] = (),
    cluster_column: str | None = None,
    correction: str = "none",
    confidence: float = 0.95,
    permutations: int = 2_000,
    seed: int = 0,
    pre_period_column: str | None = None,
    prior_sd: float | None = None,
    threshold: float = 0.0,
) -> list[Comparison]:
    """Each arm after the first against the first (control), by intention to treat.

    The primary estimate is Lin's adjusted difference when the plan names covariates present
    in the data, else the difference in means (HC2). With ``cluster_column`` the analysis uses
    cluster means, one row per cluster (a cluster-level analysis with Welch's t; Hayes &
    Moulton 2017, ch. 9), so few clusters give honest, wide intervals; CR2 on the units' rows
    and the wild cluster bootstrap are reported beside it. ``pre_period_column`` adds a CUPED
    estimate. Each comparison carries a Bayesian summary of its primary estimate under a
    normal prior centred on no effect with ``prior_sd`` (flat when None).
    """
    frame = analysable
    outcome = pl.col(outcome_column).cast(pl.Float64)
    if outcome_type == "binary":
        values = frame.get_column(outcome_column).cast(pl.Float64).drop_nulls().unique().to_list()
        if not set(values) <= {0.0, 1.0}:
            raise _error(
                gettext_noop("A yes/no outcome must be 0 or 1; %(column)s has other values."),
                column=outcome_column,
            )
    units = frame
    if cluster_column:
        frame = frame.group_by(cluster_column, arm_column).agg(outcome.mean())
        covariates = ()
    control = arms[0]
    comparisons: list[Comparison] = []
    for arm in arms[1:]:
        pair = frame.filter(pl.col(arm_column).is_in([control, arm]))
        y = pair.get_column(outcome_column).cast(pl.Float64).to_numpy()
        t = (pair.get_column(arm_column) == arm).to_numpy()
        welch, hc2 = difference_in_means(y, t, confidence=confidence)
        estimates = [welch.as_dict(), hc2.as_dict()]
        primary = welch if cluster_column else hc2
        present = [name for name in covariates if name in pair.columns]
        if present:
            x = pair.select(pl.col(name).cast(pl.Float64, strict=False) for name in present)
            complete = ~np.isnan(x.to_numpy()).any(axis=1)
            if complete.all():
                primary = lin_adjusted(y, t, x.to_numpy(), confidence=confidence)
                estimates.append(primary.as_dict())
        wild_p = None
        if cluster_column:
            unit_pair = units.filter(pl.col(arm_column).is_in([control, arm]))
            unit_y = unit_pair.get_column(outcome_column).cast(pl.Float64).to_numpy()
            unit_t = (unit_pair.get_column(arm_column) == arm).to_numpy()
            clusters = unit_pair.get_column(cluster_column).cast(pl.String).to_numpy()
            test = cluster_robust.cluster_test(
                np.column_stack([np.ones_like(unit_y), unit_t.astype(np.float64)]),
                unit_y,
                clusters,
                coefficient=1,
                confidence=confidence,
                seed=seed,
            )
            wild_p = test.bootstrap_p_value
            treated_y, control_y = unit_y[unit_t], unit_y[~unit_t]
            estimates.append(
                Estimate(
                    method="cr2",
                    estimate=test.estimate,
                    standard_error=test.standard_error,
                    ci_low=test.ci_low,
                    ci_high=test.ci_high,
                    p_value=test.p_value,
                    degrees_of_freedom=test.degrees_of_freedom,
                    n_treatment=int(treated_y.size),
                    n_control=int(control_y.size),
                    mean_treatment=float(treated_y.mean()),
                    mean_control=float(control_y.mean()),
                    confidence=confidence,
                ).as_dict()
            )
        if pre_period_column and not cluster_column and pre_period_column in pair.columns:
            baseline = pair.get_column(pre_period_column).cast(pl.Float64, strict=False)
            if baseline.null_count() == 0:
                estimates.append(cuped(y, t, baseline.to_numpy(), confidence=confidence).as_dict())
        bayesian = None
        if primary.standard_error > 0 and math.isfinite(primary.standard_error):
            bayesian = asdict(
                bayesian_summary(
                    primary.estimate,
                    primary.standard_error,
                    prior_sd=prior_sd,
                    threshold=threshold,
                    credibility=confidence,
                )
            )
        counts = None
        if outcome_type == "count":
            counts = {
                key: _plain(value)
                for key, value in asdict(rate_ratio(y, t, confidence=confidence)).items()
            }
        ratio = None
        if outcome_type == "binary":
            rr = risk_ratio(y, t, confidence=confidence)
            ratio = {key: _plain(value) for key, value in asdict(rr).items()}
        comparisons.append(
            Comparison(
                arm=arm,
                control=control,
                estimates=estimates,
                primary=primary.as_dict(),
                risk_ratio=ratio,
                randomisation_p_value=randomisation_p_value(
                    y, t, permutations=permutations, seed=seed
                ),
                adjusted_p_value=None,
                wild_bootstrap_p_value=wild_p,
                bayesian=bayesian,
                rate_ratio=counts,
            )
        )
    if correction in {"holm", "bonferroni", "benjamini_hochberg"} and len(comparisons) > 1:
        raw = [comparison.primary["p_value"] for comparison in comparisons]
        if correction == "benjamini_hochberg":
            adjusted = benjamini_hochberg(raw)
        elif correction == "holm":
            adjusted = holm(raw)
        else:
            adjusted = [min(1.0, p * len(raw)) for p in raw]
        comparisons = [
            Comparison(**{**asdict(comparison), "adjusted_p_value": value})
            for comparison, value in zip(comparisons, adjusted, strict=True)
        ]
    return comparisons
