"""Cluster-robust inference that stays honest when there are few clusters.

Pure computation (NumPy and SciPy, no Django). Least squares ``y = X b + e`` with errors that
may be correlated within a cluster (a school, a ward, an authority) but not between clusters.

Methods and sources:

* CR2, the bias-reduced linearisation variance: each cluster's residuals are scaled by
  ``(I - H_gg)^(-1/2)`` before they enter the sandwich (Bell, R.M. & McCaffrey, D.F. 2002,
  "Bias reduction in standard errors for linear regression with multi-stage samples", Survey
  Methodology 28(2):169-181). With one unit per cluster it is the HC2 variance.
* Its small-sample degrees of freedom for a contrast ``c'b``: the Satterthwaite approximation
  ``(sum lambda)^2 / sum lambda^2`` over the eigenvalues of ``G'G`` under a working model of
  independent, equal-variance errors (Bell & McCaffrey 2002; Imbens, G.W. & Kolesar, M. 2016,
  "Robust standard errors in small samples: some practical advice", Review of Economics and
  Statistics 98(4):701-712, section III).
* The wild cluster restricted bootstrap of the CR1 t statistic (Cameron, A.C., Gelbach, J.B. &
  Miller, D.L. 2008, "Bootstrap-based improvements for inference with clustered errors",
  Review of Economics and Statistics 90(3):414-427), with Rademacher weights, enumerated in
  full when there are few enough clusters, or Webb's six-point weights below twelve clusters
  (Webb, M.D. 2014, "Reworking wild bootstrap based inference for clustered errors", Queen's
  Economics Department Working Paper 1315). All draws are computed at once from cluster-level
  sums, the algebra of Roodman, D., MacKinnon, J.G., Nielsen, M.O. & Webb, M.D. 2019, "Fast and
  wild: bootstrap inference in Stata using boottest", Stata Journal 19(1):4-60, section 3.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]

#: Below this many clusters Webb's six-point weights replace Rademacher's two (Webb 2014).
WEBB_BELOW = 12

_WEBB_POINTS = np.array(
    [-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)]
)


@dataclass(frozen=True)
class ClusterFit:
    """Least-squares coefficients with their CR2 covariance."""

    coefficients: FloatArray
    covariance: FloatArray
    cluster_count: int
    n: int


IntArray = npt.NDArray[np.int64]


def _cluster_rows(clusters: npt.ArrayLike) -> tuple[IntArray, list[IntArray]]:
    codes = np.unique(np.asarray(clusters), return_inverse=True)[1].astype(np.int64)
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    return codes, [rows.astype(np.int64) for rows in np.split(order, bounds)]


@dataclass(frozen=True)
class _Adjuster:
    """``(I - H_gg)^(-1/2)`` for one cluster in low-rank form: ``I + W diag(d) W'``.

    H_gg = X_g (X'X)^-1 X_g' has rank at most k, so its eigenvectors come from a k x k problem
    (a thin QR of X_g) and the adjustment costs O(n_g k^2), not the O(n_g^3) of decomposing an
    n_g x n_g matrix: a cluster of a thousand people stays cheap. Directions where
    I - H_gg is singular (a cluster fully explained by fixed effects) get 0, the
    pseudo-inverse.
    """

    rows: npt.NDArray[np.int64]
    basis: FloatArray  # W, n_g x r
    scale: FloatArray  # d, r

    def apply(self, values: FloatArray) -> FloatArray:
        projected = self.basis.T @ values
        if values.ndim == 1:
            return values + self.basis @ (self.scale * projected)
        return values + self.basis @ (self.scale[:, None] * projected)


def _adjusters(
    x: FloatArray, bread: FloatArray, groups: list[npt.NDArray[np.int64]]
) -> list[_Adjuster]:
    adjusters = []
    for rows in groups:
        q, r = np.linalg.qr(x[rows])
        leverage, vectors = np.linalg.eigh(r @ bread @ r.T)
        remaining = 1.0 - leverage
        scale = np.where(remaining > 1e-10, 1.0 / np.sqrt(np.clip(remaining, 1e-300, None)), 0.0)
        adjusters.append(_Adjuster(rows, q @ vectors, scale - 1.0))
    return adjusters


def _cr2(
    x: FloatArray, y: FloatArray, groups: list[npt.NDArray[np.int64]]
) -> tuple[ClusterFit, FloatArray, list[_Adjuster]]:
    bread: FloatArray = np.linalg.pinv(x.T @ x).astype(np.float64)
    beta = bread @ x.T @ y
    residuals = y - x @ beta
    adjusters = _adjusters(x, bread, groups)
    meat = np.zeros((x.shape[1], x.shape[1]))
    for adjuster in adjusters:
        score = x[adjuster.rows].T @ adjuster.apply(residuals[adjuster.rows])
        meat += np.outer(score, score)
    return ClusterFit(beta, bread @ meat @ bread, len(groups), y.size), bread, adjusters


def cr2_fit(design: npt.ArrayLike, outcome: npt.ArrayLike, clusters: npt.ArrayLike) -> ClusterFit:
    """Ordinary least squares with the CR2 cluster-robust covariance (Bell & McCaffrey 2002)."""
    x = np.asarray(design, dtype=np.float64)
    _codes, groups = _cluster_rows(clusters)
    return _cr2(x, np.asarray(outcome, dtype=np.float64), groups)[0]


def _satterthwaite(
    x: FloatArray, bread: FloatArray, adjusters: list[_Adjuster], contrast: FloatArray
) -> float:
    columns = np.zeros((x.shape[0], len(adjusters)))
    direction = bread @ contrast
    for index, adjuster in enumerate(adjusters):
        columns[adjuster.rows, index] = adjuster.apply(x[adjuster.rows] @ direction)
    # M applied without forming the n x n matrix: M a = a - X (X'X)^-1 X' a.
    g = columns - x @ (bread @ (x.T @ columns))
    gram = g.T @ g
    trace = float(np.trace(gram))
    squared = float((gram**2).sum())
    return trace**2 / squared if squared > 0 else float("nan")


def bell_mccaffrey_df(
    design: npt.ArrayLike, clusters: npt.ArrayLike, contrast: npt.ArrayLike
) -> float:
    """Satterthwaite degrees of freedom of the CR2 variance of ``contrast' b``.

    Under independent equal-variance errors the CR2 variance is a weighted sum of chi-squared
    variables with weights the eigenvalues of G'G, where G's column for cluster g is
    ``M A_g X_g (X'X)^-1 c`` (M the residual maker); only its trace and squared Frobenius norm
    are needed (Imbens & Kolesar 2016, section III).
    """
    x = np.asarray(design, dtype=np.float64)
    bread: FloatArray = np.linalg.pinv(x.T @ x).astype(np.float64)
    _codes, groups = _cluster_rows(clusters)
    return _satterthwaite(
        x, bread, _adjusters(x, bread, groups), np.asarray(contrast, dtype=np.float64)
    )


@dataclass(frozen=True)
class CoefficientTest:
    """One coefficient: the CR2 interval with Bell-McCaffrey degrees of freedom, and the wild
    cluster bootstrap p-value when one was asked for."""

    estimate: float
    standard_error: float
    degrees_of_freedom: float
    ci_low: float
    ci_high: float
    p_value: float
    cluster_count: int
    bootstrap_p_value: float | None = None
    bootstrap_draws: int | None = None
    bootstrap_weights: str | None = None


def cr2_test(
    design: npt.ArrayLike,
    outcome: npt.ArrayLike,
    clusters: npt.ArrayLike,
    *,
    coefficient: int,
    confidence: float = 0.95,
) -> CoefficientTest:
    """The CR2 t test and interval for one coefficient, on Bell-McCaffrey degrees of freedom."""
    x = np.asarray(design, dtype=np.float64)
    _codes, groups = _cluster_rows(clusters)
    fit, bread, adjusters = _cr2(x, np.asarray(outcome, dtype=np.float64), groups)
    contrast = np.zeros(fit.coefficients.size)
    contrast[coefficient] = 1.0
    df = _satterthwaite(x, bread, adjusters, contrast)
    estimate = float(fit.coefficients[coefficient])
    se = float(math.sqrt(max(fit.covariance[coefficient, coefficient], 0.0)))
    critical = float(stats.t.ppf(0.5 + confidence / 2, df))
    statistic = estimate / se if se > 0 else float("inf")
    return CoefficientTest(
        estimate=estimate,
        standard_error=se,
        degrees_of_freedom=df,
        ci_low=estimate - critical * se,
        ci_high=estimate + critical * se,
        p_value=float(2 * stats.t.sf(abs(statistic), df)),
        cluster_count=fit.cluster_count,
    )


def bootstrap_weights(
    cluster_count: int, draws: int, *, seed: int = 0, kind: str | None = None
) -> tuple[FloatArray, str]:
    """A (draws x clusters) matrix of wild bootstrap weights and the name of the scheme.

    Rademacher weights are enumerated in full (every sign pattern once) when that needs no
    more rows than ``draws``; below :data:`WEBB_BELOW` clusters Webb's six points are drawn.
    """
    scheme = kind or ("webb" if cluster_count < WEBB_BELOW else "rademacher")
    rng = np.random.Generator(np.random.PCG64(seed))
    if scheme == "rademacher" and 2**cluster_count <= draws:
        patterns = np.array(list(itertools.product((-1.0, 1.0), repeat=cluster_count)))
        return patterns, "rademacher-enumerated"
    if scheme == "webb":
        return rng.choice(_WEBB_POINTS, size=(draws, cluster_count)), "webb"
    return rng.choice(np.array([-1.0, 1.0]), size=(draws, cluster_count)), "rademacher"


def _cr1_scale(n: int, k: int, cluster_count: int) -> float:
    return cluster_count / (cluster_count - 1) * (n - 1) / (n - k)


def wild_cluster_bootstrap_p(
    design: npt.ArrayLike,
    outcome: npt.ArrayLike,
    clusters: npt.ArrayLike,
    *,
    coefficient: int,
    weights: FloatArray,
) -> float:
    """Two-sided p-value of ``b[coefficient] = 0`` by the wild cluster restricted bootstrap.

    The bootstrap outcome is the restricted fit plus its residuals times each cluster's weight.
    Every draw's coefficient and CR1 variance follow from cluster-level sums (Roodman et al.
    2019): with S the k x G matrix of the clusters' X'u and B = (X'X)^-1, a draw's coefficient
    is ``u.w`` (u the coefficient's row of BS) and its clusters' scores are ``w*u - (R w)``, so
    no draw refits the model.
    """
    x = np.asarray(design, dtype=np.float64)
    y = np.asarray(outcome, dtype=np.float64)
    n, k = x.shape
    codes, groups = _cluster_rows(clusters)
    cluster_count = len(groups)
    bread: FloatArray = np.linalg.pinv(x.T @ x).astype(np.float64)
    scale = _cr1_scale(n, k, cluster_count)

    # The observed CR1 t statistic from the unrestricted fit.
    beta = bread @ x.T @ y
    residuals = y - x @ beta
    scores = np.zeros((cluster_count, k))
    np.add.at(scores, codes, x * residuals[:, None])
    row = bread[coefficient]
    observed_se = math.sqrt(scale * float(((scores @ row) ** 2).sum()))
    observed_t = float(beta[coefficient]) / observed_se if observed_se > 0 else float("inf")

    # The restricted fit (coefficient fixed at zero) and its residuals.
    others = [column for column in range(k) if column != coefficient]
    restricted = np.linalg.lstsq(x[:, others], y, rcond=None)[0]
    restricted_residuals = y - x[:, others] @ restricted
    s = np.zeros((cluster_count, k))
    np.add.at(s, codes, x * restricted_residuals[:, None])
    u = s @ row  # each cluster's contribution to the coefficient, per unit weight
    cross = np.stack([x[rows].T @ x[rows] for rows in groups])  # G x k x k
    # R[g, h] = row' X_g'X_g B S_h: how cluster h's weight moves cluster g's score.
    moved = bread @ s.T  # k x G
    r = np.einsum("k,gkl,lh->gh", row, cross, moved)
    draw_beta = weights @ u
    draw_scores = weights * u - weights @ r.T
    draw_se = np.sqrt(scale * (draw_scores**2).sum(axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        draw_t = np.where(draw_se > 0, draw_beta / draw_se, 0.0)
    return float((np.abs(draw_t) >= abs(observed_t) - 1e-12).mean())


def wild_cluster_bootstrap_p_loop(
    design: npt.ArrayLike,
    outcome: npt.ArrayLike,
    clusters: npt.ArrayLike,
    *,
    coefficient: int,
    weights: FloatArray,
) -> float:
    """The same p-value by refitting the model for every draw: the plain method, kept as the
    benchmark's baseline and the tests' check of the fast algebra."""
    x = np.asarray(design, dtype=np.float64)
    y = np.asarray(outcome, dtype=np.float64)
    n, k = x.shape
    codes, groups = _cluster_rows(clusters)
    scale = _cr1_scale(n, k, len(groups))

    def t_statistic(values: FloatArray) -> tuple[float, float]:
        beta = np.linalg.lstsq(x, values, rcond=None)[0]
        residuals = values - x @ beta
        bread: FloatArray = np.linalg.pinv(x.T @ x).astype(np.float64)
        meat = np.zeros((k, k))
        for rows in groups:
            score = x[rows].T @ residuals[rows]
            meat += np.outer(score, score)
        variance = scale * (bread @ meat @ bread)[coefficient, coefficient]
        return float(beta[coefficient]), math.sqrt(max(variance, 0.0))

    estimate, se = t_statistic(y)
    observed = abs(estimate / se)
    others = [column for column in range(k) if column != coefficient]
    restricted = np.linalg.lstsq(x[:, others], y, rcond=None)[0]
    fitted = x[:, others] @ restricted
    residuals = y - fitted
    at_least = 0
    for draw in weights:
        estimate, se = t_statistic(fitted + residuals * draw[codes])
        if se > 0 and abs(estimate / se) >= observed - 1e-12:
            at_least += 1
    return at_least / weights.shape[0]


def cluster_test(
    design: npt.ArrayLike,
    outcome: npt.ArrayLike,
    clusters: npt.ArrayLike,
    *,
    coefficient: int,
    confidence: float = 0.95,
    draws: int = 9_999,
    seed: int = 0,
) -> CoefficientTest:
    """CR2 with Bell-McCaffrey degrees of freedom, plus the wild cluster bootstrap p-value."""
    result = cr2_test(design, outcome, clusters, coefficient=coefficient, confidence=confidence)
    weights, scheme = bootstrap_weights(result.cluster_count, draws, seed=seed)
    p_value = wild_cluster_bootstrap_p(
        design, outcome, clusters, coefficient=coefficient, weights=weights
    )
    return CoefficientTest(
        **{
            **result.__dict__,
            "bootstrap_p_value": p_value,
            "bootstrap_draws": int(weights.shape[0]),
            "bootstrap_weights": scheme,
        }
    )
