"""Statistical power, sample size and minimum detectable effect for council experiments.

Pure computation: no Django, no database. Every public function takes plain numbers (or a NumPy
design matrix) and returns a frozen dataclass whose ``as_dict()`` is ready for ``--json``.

Each calculator solves for whichever one of *sample size*, *effect* or *power* is left as
``None``: in closed form where the formula inverts, otherwise by root-finding on the power
function.

Sources, cited again where each formula is used:

* two means: the exact noncentral-t power of R's ``power.t.test`` (R Core Team, package
  ``stats``, ``src/library/stats/R/power.R``, R >= 4.1), with unequal allocation as in
  Julious, S.A. (2004) "Sample sizes for clinical trials with Normal data", Statistics in
  Medicine 23:1921-1986;
* two proportions: R's ``power.prop.test``, the normal approximation without continuity
  correction of Fleiss, J.L., Levin, B. & Paik, M.C. (2003) "Statistical Methods for Rates and
  Proportions", 3rd ed., Wiley, section 4.2;
* R's ``uniroot`` root finder (Brent's zeroin: Forsythe, Malcolm & Moler 1977, "Computer Methods
  for Mathematical Computations", Prentice-Hall, with R's ``src/library/stats/src/zeroin.c``),
  reproduced step for step so solved sample sizes agree with R's printed digits;
* cluster randomised trials: Donner, A., Birkett, N. & Buck, C. (1981) "Randomization by
  cluster", American Journal of Epidemiology 114:906-914; Eldridge, S.M., Ashby, D. & Kerry, S.
  (2006) "Sample size for cluster randomized trials: effect of coefficient of variation of
  cluster size and analysis method", International Journal of Epidemiology 35:1292-1300;
  Hayes, R.J. & Moulton, L.H. (2017) "Cluster Randomised Trials", 2nd ed., CRC Press;
* stepped-wedge trials: Hussey, M.A. & Hughes, J.P. (2007) "Design and analysis of stepped
  wedge cluster randomized trials", Contemporary Clinical Trials 28:182-191;
* several arms against one control: Dunnett, C.W. (1955) "A multiple comparison procedure for
  comparing several treatments with a control", Journal of the American Statistical
  Association 50:1096-1121, and the Bonferroni bound (Dunn, O.J. 1961, "Multiple comparisons
  among means", JASA 56:52-64);
* simulation: Morris, T.P., White, I.R. & Crowther, M.J. (2019) "Using simulation studies to
  evaluate statistical methods", Statistics in Medicine 38:2074-2102 (Monte Carlo standard
  error of a rejection rate).

Units: effects and standard deviations share the outcome's unit (for example £, days, points);
sample sizes count people (or clusters, where the name says so); ``sig_level`` and ``power``
are probabilities.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt
from scipy import optimize, special, stats

FloatArray = npt.NDArray[np.float64]
Alternative = Literal["two-sided", "one-sided"]
TTestType = Literal["two-sample", "one-sample", "paired"]
MultipleComparisonAdjustment = Literal["dunnett", "bonferroni"]

#: R's default ``tol`` for ``uniroot`` in ``power.t.test``/``power.prop.test``:
#: ``.Machine$double.eps^0.25``. Pass a smaller ``tolerance`` for a root closer to exact.
R_UNIROOT_TOLERANCE: float = float(np.finfo(np.float64).eps ** 0.25)

#: Below about 40 clusters in all, unadjusted mixed-model or GEE analyses reject a true null
#: too often and small-sample corrections are recommended (Kahan, B.C. et al. 2016, Trials
#: 17:438; Leyrat, C. et al. 2018, International Journal of Epidemiology 47:321-331).
FEW_CLUSTERS_THRESHOLD: int = 40

_DOUBLE_EPSILON = float(np.finfo(np.float64).eps)
_DOUBLE_MAX = float(np.finfo(np.float64).max)


class PowerCalculationError(ValueError):
    """The inputs do not describe a calculation that has an answer; the message says why."""


def _plain(value: Any) -> Any:
    """Convert NumPy values, tuples and nested results into JSON-ready Python values."""
    if isinstance(value, _AsDict):
        return value.as_dict()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


class _AsDict:
    """Mixin for frozen result dataclasses: ``as_dict()`` gives plain JSON-ready values."""

    def as_dict(self) -> dict[str, Any]:
        assert dataclasses.is_dataclass(self)
        return {field.name: _plain(getattr(self, field.name)) for field in dataclasses.fields(self)}


def _sides(alternative: Alternative) -> int:
    if alternative == "two-sided":
        return 2
    if alternative == "one-sided":
        return 1
    raise PowerCalculationError(
        f"alternative must be 'two-sided' or 'one-sided', not {alternative!r}"
    )


def _check_probability(name: str, value: float | None) -> None:
    if value is not None and not 0.0 < value < 1.0:
        raise PowerCalculationError(f"{name} must be strictly between 0 and 1, not {value}")


def _exactly_one_missing(**candidates: object) -> str:
    missing = [name for name, value in candidates.items() if value is None]
    if len(missing) != 1:
        names = ", ".join(candidates)
        raise PowerCalculationError(f"exactly one of {names} must be None (the one to solve for)")
    return missing[0]


def _rounded_up(value: float) -> int:
    # A root found to ~1e-4 can land a hair above a whole number; do not add a person for that.
    return math.ceil(round(value, 6))


# --------------------------------------------------------------------------------------------
# R-compatible root finding
# --------------------------------------------------------------------------------------------


def _zeroin(
    func: Callable[[float], float],
    lower: float,
    upper: float,
    f_lower: float,
    f_upper: float,
    tolerance: float,
    max_iterations: int,
) -> float:
    """Brent's zeroin exactly as R's ``R_zeroin2`` (``src/library/stats/src/zeroin.c``).

    Reproducing R's iteration (rather than calling ``scipy.optimize.brentq``) makes a solved
    ``n`` agree with R's printed value to all its digits, because R stops within ``tolerance``
    of the root, not at it.
    """
    a, b = lower, upper
    fa, fb = f_lower, f_upper
    c, fc = a, fa
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    for _ in range(max_iterations + 1):
        previous_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tolerance_here = 2.0 * _DOUBLE_EPSILON * abs(b) + tolerance / 2.0
        new_step = (c - b) / 2.0
        if abs(new_step) <= tolerance_here or fb == 0.0:
            return b
        if abs(previous_step) >= tolerance_here and abs(fa) > abs(fb):
            cb = c - b
            if a == c:  # two distinct points: linear interpolation
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:  # inverse quadratic interpolation
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0.0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tolerance_here * q) / 2.0) and p < abs(
                previous_step * q / 2.0
            ):
                new_step = p / q
        if abs(new_step) < tolerance_here:
            new_step = tolerance_here if new_step > 0.0 else -tolerance_here
        a, fa = b, fb
        b += new_step
        fb = func(b)
        if (fb > 0.0 and fc > 0.0) or (fb < 0.0 and fc < 0.0):
            c, fc = a, fa
    raise PowerCalculationError("the root search did not converge")


def _r_uniroot(
    func: Callable[[float], float],
    lower: float,
    upper: float,
    *,
    extend_interval: Literal["no", "yes", "up", "down"],
    tolerance: float,
    max_iterations: int = 1000,
) -> float:
    """R's ``uniroot(f, c(lower, upper), tol, extendInt)`` (``src/library/stats/R/nlm.R``).

    ``extend_interval`` is R's ``extendInt``: "up" (R's "upX") when ``func`` increases,
    "down" when it decreases, "yes" to widen both ends until the sign changes.
    """

    def truncate(value: float) -> float:
        return max(min(value, _DOUBLE_MAX), -_DOUBLE_MAX)

    f_lower, f_upper = float(func(lower)), float(func(upper))
    direction = {"yes": None, "down": -1, "no": 0, "up": 1}[extend_interval]
    extend = (direction is None and truncate(f_lower) * truncate(f_upper) > 0) or (
        direction is not None
        and (direction * truncate(f_lower) > 0 or direction * truncate(f_upper) < 0)
    )
    if extend:
        steps = 0
        if direction is None:
            delta_lower = 0.01 * max(1e-4, abs(lower))
            delta_upper = 0.01 * max(1e-4, abs(upper))
            while f_lower * f_upper > 0 and (math.isfinite(lower) or math.isfinite(upper)):
                steps += 1
                if steps > max_iterations:
                    raise PowerCalculationError("no answer: the power never reaches the target")
                lower -= delta_lower
                f_lower = float(func(lower))
                upper += delta_upper
                f_upper = float(func(upper))
                delta_lower, delta_upper = 2 * delta_lower, 2 * delta_upper
        else:
            delta = 0.01 * max(1e-4, abs(lower))
            while direction * f_lower > 0:
                steps += 1
                if steps > max_iterations:
                    raise PowerCalculationError("no answer: the power never reaches the target")
                lower -= delta
                f_lower = float(func(lower))
                delta *= 2
            delta = 0.01 * max(1e-4, abs(upper))
            while direction * f_upper < 0:
                steps += 1
                if steps > max_iterations:
                    raise PowerCalculationError("no answer: the power never reaches the target")
                upper += delta
                f_upper = float(func(upper))
                delta *= 2
    if not np.sign(f_lower) * np.sign(f_upper) <= 0:
        raise PowerCalculationError("no answer in the searched range: the target is out of reach")
    return _zeroin(
        func, lower, upper, truncate(f_lower), truncate(f_upper), tolerance, max_iterations
    )


def _increasing_root(
    func: Callable[[float], float], lower: float, upper: float, *, what: str
) -> float:
    """Root of an increasing function on [lower, upper] by Brent's method, to 1e-10."""
    f_lower, f_upper = func(lower), func(upper)
    if f_lower >= 0:
        return lower
    if f_upper < 0:
        raise PowerCalculationError(f"no {what} up to {upper:g} reaches the requested power")
    return float(optimize.brentq(func, lower, upper, xtol=1e-10, rtol=1e-12, maxiter=500))


# --------------------------------------------------------------------------------------------
# Two means: noncentral t (R's power.t.test)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeansPowerResult(_AsDict):
    """Power calculation for a t-test of means.

    ``n`` is per group (the first, usually control, group when ``allocation_ratio`` is not 1);
    for one-sample tests it is the number of people, for paired tests the number of pairs.
    ``n`` is R's continuous solution; ``n_rounded_up`` is what to recruit.
    """

    n: float
    n_rounded_up: int
    n_second_group: float | None
    total_n_rounded_up: int
    delta: float
    sd: float
    sig_level: float
    power: float
    test_type: str
    alternative: str
    strict: bool
    allocation_ratio: float
    solved_for: str
    method: str
    note: str


def two_means_power_at(
    n: npt.ArrayLike,
    delta: npt.ArrayLike,
    *,
    sd: float = 1.0,
    sig_level: float = 0.05,
    test_type: TTestType = "two-sample",
    alternative: Alternative = "two-sided",
    strict: bool = False,
    allocation_ratio: float = 1.0,
) -> FloatArray:
    """Exact power of a t-test at each ``n`` and ``delta`` (NumPy broadcasting), as R does it.

    Power is ``P(T' > t_{1-alpha/sides, nu})`` for noncentral T' with ``nu`` degrees of
    freedom and noncentrality ``delta / (sd * sqrt(1/n1 + 1/n2))`` (two-sample) or
    ``sqrt(n) * delta / sd`` (one-sample, paired); ``strict=True`` adds the rejections in the
    wrong tail, ``P(T' < -t)``, as R's ``strict = TRUE``. Two-sided tests use ``|delta|``.
    Source: R ``power.t.test`` (``stats/R/power.R``); unequal groups, Julious (2004) section 3.
    """
    sides = _sides(alternative)
    n_array = np.asarray(n, dtype=np.float64)
    delta_array = np.asarray(delta, dtype=np.float64)
    if sides == 2:
        delta_array = np.abs(delta_array)
    if test_type == "two-sample" and allocation_ratio != 1.0:
        # n is the first group; the second has allocation_ratio * n (Julious 2004, eq. 9).
        nu = np.maximum(1e-7, n_array * (1.0 + allocation_ratio) - 2.0)
        noncentrality = delta_array / (
            sd * np.sqrt(1.0 / n_array + 1.0 / (allocation_ratio * n_array))
        )
    else:
        samples = {"two-sample": 2.0, "one-sample": 1.0, "paired": 1.0}[test_type]
        # R: nu <- pmax(1e-7, n - 1) * tsample; ncp = sqrt(n/tsample) * delta/sd
        nu = np.maximum(1e-7, n_array - 1.0) * samples
        noncentrality = np.sqrt(n_array / samples) * delta_array / sd
    critical = stats.t.isf(sig_level / sides, nu)
    power = stats.nct.sf(critical, nu, noncentrality)
    if strict and sides == 2:
        power = power + stats.nct.cdf(-critical, nu, noncentrality)
    return np.asarray(power, dtype=np.float64)


def power_two_means(
    *,
    n: float | None = None,
    delta: float | None = None,
    sd: float = 1.0,
    sig_level: float = 0.05,
    power: float | None = None,
    test_type: TTestType = "two-sample",
    alternative: Alternative = "two-sided",
    strict: bool = False,
    allocation_ratio: float = 1.0,
    tolerance: float = R_UNIROOT_TOLERANCE,
) -> MeansPowerResult:
    """Power, sample size per group, or minimum detectable difference for a t-test of means.

    Give two of ``n``, ``delta``, ``power``; the third is solved for. Inputs: ``delta`` and
    ``sd`` in the outcome's units; ``n`` per group (see :class:`MeansPowerResult`);
    ``allocation_ratio`` = size of the second group / size of the first (two-sample only).
    With ``allocation_ratio=1`` and the default ``tolerance`` the answers are R's
    ``power.t.test(n, delta, sd, sig.level, power, type, alternative, strict)`` to the digits R
    prints: the same power function and R's own ``uniroot`` search over the same intervals
    (``n`` in [2, 1e7], ``delta`` in sd * [1e-7, 1e7]). Use a smaller ``tolerance`` for the
    exact root. Source: R ``power.t.test``; Julious (2004) for unequal allocation.
    """
    solving_for = _exactly_one_missing(n=n, delta=delta, power=power)
    _check_probability("sig_level", sig_level)
    _check_probability("power", power)
    sides = _sides(alternative)
    if test_type not in ("two-sample", "one-sample", "paired"):
        raise PowerCalculationError(f"unknown test type {test_type!r}")
    if allocation_ratio <= 0:
        raise PowerCalculationError("allocation_ratio must be positive")
    if allocation_ratio != 1.0 and test_type != "two-sample":
        raise PowerCalculationError("an allocation ratio needs two groups (test_type='two-sample')")
    if sd <= 0:
        raise PowerCalculationError("sd must be positive")
    if sides == 2 and delta is not None:
        delta = abs(delta)

    def power_at(n_value: float, delta_value: float) -> float:
        return float(
            two_means_power_at(
                n_value,
                delta_value,
                sd=sd,
                sig_level=sig_level,
                test_type=test_type,
                alternative=alternative,
                strict=strict,
                allocation_ratio=allocation_ratio,
            )
        )

    if solving_for == "power":
        assert n is not None and delta is not None
        power = power_at(n, delta)
    elif solving_for == "n":
        assert delta is not None and power is not None
        target_power, fixed_delta = power, delta
        n = _r_uniroot(
            lambda value: power_at(value, fixed_delta) - target_power,
            2.0,
            1e7,
            extend_interval="up",
            tolerance=tolerance,
        )
    else:
        assert n is not None and power is not None
        target_power, fixed_n = power, n
        delta = _r_uniroot(
            lambda value: power_at(fixed_n, value) - target_power,
            sd * 1e-7,
            sd * 1e7,
            extend_interval="up",
            tolerance=tolerance,
        )
    assert n is not None and delta is not None and power is not None
    second_group = n * allocation_ratio if test_type == "two-sample" else None
    n_up = _rounded_up(n)
    total = n_up + (_rounded_up(second_group) if second_group is not None else 0)
    notes = {
        "two-sample": "n is the number in each group"
        if allocation_ratio == 1.0
        else "n is the number in the first group; the second has allocation_ratio times as many",
        "one-sample": "n is the number of people",
        "paired": "n is the number of pairs; sd is the standard deviation of the differences",
    }
    return MeansPowerResult(
        n=float(n),
        n_rounded_up=n_up,
        n_second_group=None if second_group is None else float(second_group),
        total_n_rounded_up=total,
        delta=float(delta),
        sd=float(sd),
        sig_level=float(sig_level),
        power=float(power),
        test_type=test_type,
        alternative=alternative,
        strict=strict,
        allocation_ratio=float(allocation_ratio),
        solved_for=solving_for,
        method="noncentral t (R power.t.test)",
        note=notes[test_type],
    )


# --------------------------------------------------------------------------------------------
# Two proportions: R's power.prop.test
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProportionsPowerResult(_AsDict):
    """Power calculation for comparing two proportions; ``n`` is per group."""

    n: float
    n_rounded_up: int
    p1: float
    p2: float
    sig_level: float
    power: float
    alternative: str
    strict: bool
    solved_for: str
    method: str


def two_proportions_power_at(
    n: npt.ArrayLike,
    p1: npt.ArrayLike,
    p2: npt.ArrayLike,
    *,
    sig_level: float = 0.05,
    alternative: Alternative = "two-sided",
    strict: bool = False,
) -> FloatArray:
    """Power of the two-sample test of proportions, as R's ``power.prop.test`` computes it.

    ``Phi((sqrt(n)|p1-p2| - z_{1-a/s} sqrt((p1+p2)(1-(p1+p2)/2))) / sqrt(p1 q1 + p2 q2))``;
    ``strict=True`` adds ``P`` of rejecting in the wrong tail. ``n`` is per group.
    Source: R ``power.prop.test`` (``stats/R/power.R``); Fleiss, Levin & Paik (2003) 4.2,
    without continuity correction.
    """
    sides = _sides(alternative)
    n_array = np.asarray(n, dtype=np.float64)
    p1_array = np.asarray(p1, dtype=np.float64)
    p2_array = np.asarray(p2, dtype=np.float64)
    critical = stats.norm.isf(sig_level / sides)
    difference = np.abs(p1_array - p2_array)
    null_sd = np.sqrt((p1_array + p2_array) * (1.0 - (p1_array + p2_array) / 2.0))
    alternative_sd = np.sqrt(p1_array * (1.0 - p1_array) + p2_array * (1.0 - p2_array))
    power = special.ndtr((np.sqrt(n_array) * difference - critical * null_sd) / alternative_sd)
    if strict and sides == 2:
        power = power + special.ndtr(
            -(np.sqrt(n_array) * difference + critical * null_sd) / alternative_sd
        )
    return np.asarray(power, dtype=np.float64)


def power_two_proportions(
    *,
    n: float | None = None,
    p1: float | None = None,
    p2: float | None = None,
    sig_level: float = 0.05,
    power: float | None = None,
    alternative: Alternative = "two-sided",
    strict: bool = False,
    tolerance: float = R_UNIROOT_TOLERANCE,
) -> ProportionsPowerResult:
    """Power, sample size per group, or the detectable second proportion, as R's power.prop.test.

    Give all but one of ``n``, ``p1``, ``p2``, ``power``. Proportions are in [0, 1], ``n`` is
    people per group. Solving uses R's ``uniroot`` over R's intervals (``n`` in [1, 1e7],
    ``p1`` in [0, p2], ``p2`` in [p1, 1]), so results match R's printed digits; pass a smaller
    ``tolerance`` for the exact root. The minimum detectable effect is ``p2 - p1`` with ``p2``
    solved. Source: R ``power.prop.test``; Fleiss, Levin & Paik (2003) section 4.2.
    """
    solving_for = _exactly_one_missing(n=n, p1=p1, p2=p2, power=power)
    _check_probability("sig_level", sig_level)
    _check_probability("power", power)
    for name, value in (("p1", p1), ("p2", p2)):
        if value is not None and not 0.0 <= value <= 1.0:
            raise PowerCalculationError(f"{name} must be between 0 and 1, not {value}")

    def power_at(n_value: float, p1_value: float, p2_value: float) -> float:
        return float(
            two_proportions_power_at(
                n_value,
                p1_value,
                p2_value,
                sig_level=sig_level,
                alternative=alternative,
                strict=strict,
            )
        )

    if solving_for == "power":
        assert n is not None and p1 is not None and p2 is not None
        power = power_at(n, p1, p2)
    else:
        assert power is not None
        target = power
        if solving_for == "n":
            assert p1 is not None and p2 is not None
            if p1 == p2:
                raise PowerCalculationError(
                    "p1 and p2 are equal: no sample size detects no difference"
                )
            known_p1, known_p2 = p1, p2
            n = _r_uniroot(
                lambda value: power_at(value, known_p1, known_p2) - target,
                1.0,
                1e7,
                extend_interval="up",
                tolerance=tolerance,
            )
        elif solving_for == "p1":
            assert n is not None and p2 is not None
            known_n, known_p2 = n, p2
            p1 = _r_uniroot(
                lambda value: power_at(known_n, value, known_p2) - target,
                0.0,
                p2,
                extend_interval="yes",
                tolerance=tolerance,
            )
            if p1 < 0:
                raise PowerCalculationError("no p1 in [0, p2] reaches the requested power")
        else:
            assert n is not None and p1 is not None
            known_n, known_p1 = n, p1
            p2 = _r_uniroot(
                lambda value: power_at(known_n, known_p1, value) - target,
                p1,
                1.0,
                extend_interval="yes",
                tolerance=tolerance,
            )
            if p2 > 1:
                raise PowerCalculationError("no p2 in [p1, 1] reaches the requested power")
    assert n is not None and p1 is not None and p2 is not None and power is not None
    return ProportionsPowerResult(
        n=float(n),
        n_rounded_up=_rounded_up(n),
        p1=float(p1),
        p2=float(p2),
        sig_level=float(sig_level),
        power=float(power),
        alternative=alternative,
        strict=strict,
        solved_for=solving_for,
        method="normal approximation (R power.prop.test)",
    )


# --------------------------------------------------------------------------------------------
# Cluster randomised trials
# --------------------------------------------------------------------------------------------


def design_effect(*, mean_cluster_size: float, icc: float, cluster_size_cv: float = 0.0) -> float:
    """Variance inflation of a cluster randomised trial over an individually randomised one.

    ``1 + ((cv^2 + 1) * m - 1) * icc`` for mean cluster size ``m`` (people), intracluster
    correlation ``icc`` and coefficient of variation of cluster sizes ``cv`` (sd / mean). With
    ``cv = 0`` this is ``1 + (m - 1) * icc`` (Donner, Birkett & Buck 1981); the unequal-size form
    is Eldridge, Ashby & Kerry (2006), International Journal of Epidemiology 35:1292, eq. 6.
    """
    if mean_cluster_size < 1:
        raise PowerCalculationError("mean cluster size must be at least 1")
    if not 0.0 <= icc <= 1.0:
        raise PowerCalculationError("icc must be between 0 and 1")
    if cluster_size_cv < 0:
        raise PowerCalculationError(
            "the coefficient of variation of cluster size cannot be negative"
        )
    return 1.0 + ((cluster_size_cv**2 + 1.0) * mean_cluster_size - 1.0) * icc


@dataclass(frozen=True)
class ClusterPowerResult(_AsDict):
    """Power calculation for a two-arm parallel cluster randomised trial (continuous outcome).

    ``clusters_per_arm`` is the continuous solution, ``clusters_per_arm_rounded_up`` what to
    recruit and ``achieved_power`` the power with that whole number of clusters.
    ``degrees_of_freedom`` is ``2k - 2`` when the small-sample correction is on, else ``None``.
    """

    clusters_per_arm: float
    clusters_per_arm_rounded_up: int
    total_clusters: int
    mean_cluster_size: float
    individuals_per_arm: float
    total_individuals: float
    design_effect: float
    icc: float
    cluster_size_cv: float
    delta: float
    sd: float
    sig_level: float
    power: float
    achieved_power: float
    alternative: str
    degrees_of_freedom: float | None
    solved_for: str
    method: str
    warnings: tuple[str, ...]


def cluster_means_power_at(
    clusters_per_arm: npt.ArrayLike,
    delta: npt.ArrayLike,
    *,
    mean_cluster_size: float,
    icc: float,
    sd: float = 1.0,
    cluster_size_cv: float = 0.0,
    sig_level: float = 0.05,
    alternative: Alternative = "two-sided",
    small_sample_correction: bool = True,
) -> FloatArray:
    """Power of a two-arm cluster trial with ``k`` clusters per arm (broadcasts over arrays).

    The difference in means has variance ``2 sd^2 DE / (k m)`` (``DE`` from
    :func:`design_effect`). With ``small_sample_correction`` the test is a t with ``2k - 2``
    degrees of freedom and the power is noncentral-t: exact for a cluster-level t-test with equal
    cluster sizes (Hayes & Moulton 2017, section 7.3; Donner & Klar 2000, "Design and Analysis of
    Cluster Randomization Trials in Health Research", Arnold, ch. 5). Without it, the normal
    approximation ``Phi(|delta|/se - z_{1-alpha/sides})``.
    """
    sides = _sides(alternative)
    k = np.asarray(clusters_per_arm, dtype=np.float64)
    effect = np.asarray(delta, dtype=np.float64)
    if sides == 2:
        effect = np.abs(effect)
    inflation = design_effect(
        mean_cluster_size=mean_cluster_size, icc=icc, cluster_size_cv=cluster_size_cv
    )
    standard_error = sd * np.sqrt(2.0 * inflation / (k * mean_cluster_size))
    noncentrality = effect / standard_error
    if small_sample_correction:
        degrees = np.maximum(1e-7, 2.0 * k - 2.0)
        critical = stats.t.isf(sig_level / sides, degrees)
        power = stats.nct.sf(critical, degrees, noncentrality)
    else:
        power = special.ndtr(noncentrality - stats.norm.isf(sig_level / sides))
    return np.asarray(power, dtype=np.float64)


def power_cluster_means(
    *,
    clusters_per_arm: float | None = None,
    mean_cluster_size: float,
    icc: float,
    delta: float | None = None,
    sd: float = 1.0,
    cluster_size_cv: float = 0.0,
    sig_level: float = 0.05,
    power: float | None = None,
    alternative: Alternative = "two-sided",
    small_sample_correction: bool = True,
) -> ClusterPowerResult:
    """Clusters per arm, power, or minimum detectable difference for a parallel cluster trial.

    Give two of ``clusters_per_arm``, ``delta``, ``power``. ``mean_cluster_size`` counts people
    per cluster, ``icc`` is the intracluster correlation, ``cluster_size_cv`` the coefficient of
    variation of cluster sizes (Eldridge et al. 2006). ``delta`` and ``sd`` are in the outcome's
    units (for a proportion p use ``sd = sqrt(p(1-p))``, or inflate
    :func:`power_two_proportions` with :func:`clusters_for_individual_sample_size`).
    See :func:`cluster_means_power_at` for the formula and sources. Warnings explain when the
    number of clusters is small (fewer than :data:`FEW_CLUSTERS_THRESHOLD` in all).
    """
    solving_for = _exactly_one_missing(clusters_per_arm=clusters_per_arm, delta=delta, power=power)
    _check_probability("sig_level", sig_level)
    _check_probability("power", power)
    sides = _sides(alternative)
    if sd <= 0:
        raise PowerCalculationError("sd must be positive")
    inflation = design_effect(
        mean_cluster_size=mean_cluster_size, icc=icc, cluster_size_cv=cluster_size_cv
    )
    if sides == 2 and delta is not None:
        delta = abs(delta)
    minimum_clusters = 2.0 if small_sample_correction else 1.0

    def power_at(k: float, effect: float) -> float:
        return float(
            cluster_means_power_at(
                k,
                effect,
                mean_cluster_size=mean_cluster_size,
                icc=icc,
                sd=sd,
                cluster_size_cv=cluster_size_cv,
                sig_level=sig_level,
                alternative=alternative,
                small_sample_correction=small_sample_correction,
            )
        )

    if solving_for == "power":
        assert clusters_per_arm is not None and delta is not None
        if clusters_per_arm < minimum_clusters:
            raise PowerCalculationError(
                f"at least {minimum_clusters:g} clusters per arm are needed to estimate a variance"
            )
        power = power_at(clusters_per_arm, delta)
    elif solving_for == "clusters_per_arm":
        assert delta is not None and power is not None
        if delta == 0:
            raise PowerCalculationError("no number of clusters detects a difference of zero")
        target, effect = power, delta
        clusters_per_arm = _increasing_root(
            lambda k: power_at(k, effect) - target, minimum_clusters, 1e7, what="number of clusters"
        )
    else:
        assert clusters_per_arm is not None and power is not None
        target, k_known = power, clusters_per_arm
        delta = _increasing_root(
            lambda effect: power_at(k_known, effect) - target,
            sd * 1e-9,
            sd * 1e6,
            what="difference",
        )
    assert clusters_per_arm is not None and delta is not None and power is not None
    k_up = _rounded_up(clusters_per_arm)
    total_clusters = 2 * k_up
    achieved = power_at(float(k_up), delta)
    degrees = 2.0 * clusters_per_arm - 2.0 if small_sample_correction else None
    warnings: list[str] = []
    if total_clusters < FEW_CLUSTERS_THRESHOLD:
        warnings.append(
            f"Only {total_clusters} clusters in all: with fewer than {FEW_CLUSTERS_THRESHOLD}, "
            "analyse at cluster level or use a small-sample correction (t with 2k - 2 degrees "
            "of freedom), or the false-positive rate will be too high."
        )
        if not small_sample_correction:
            warnings.append(
                "The normal approximation overstates power with this few clusters; turn on the "
                "small-sample correction."
            )
    if cluster_size_cv > 0 and small_sample_correction:
        warnings.append(
            "With unequal cluster sizes the t-based power is an approximation (Eldridge et al. "
            "2006 design effect with 2k - 2 degrees of freedom)."
        )
    return ClusterPowerResult(
        clusters_per_arm=float(clusters_per_arm),
        clusters_per_arm_rounded_up=k_up,
        total_clusters=total_clusters,
        mean_cluster_size=float(mean_cluster_size),
        individuals_per_arm=float(k_up * mean_cluster_size),
        total_individuals=float(total_clusters * mean_cluster_size),
        design_effect=inflation,
        icc=float(icc),
        cluster_size_cv=float(cluster_size_cv),
        delta=float(delta),
        sd=float(sd),
        sig_level=float(sig_level),
        power=float(power),
        achieved_power=achieved,
        alternative=alternative,
        degrees_of_freedom=degrees,
        solved_for=solving_for,
        method="cluster-level t with 2k-2 df"
        if small_sample_correction
        else "normal approximation with design effect",
        warnings=tuple(warnings),
    )


def clusters_for_individual_sample_size(
    *,
    individuals_per_arm: float,
    mean_cluster_size: float,
    icc: float,
    cluster_size_cv: float = 0.0,
) -> int:
    """Clusters per arm after inflating an individually randomised sample size by the design effect.

    ``ceil(n * DE / m)``: the usual route for any outcome (for example proportions from
    :func:`power_two_proportions`). Source: Donner, Birkett & Buck (1981); Eldridge et al. (2006).
    This ignores the small-sample penalty; check the result with :func:`few_clusters_advice`.
    """
    inflation = design_effect(
        mean_cluster_size=mean_cluster_size, icc=icc, cluster_size_cv=cluster_size_cv
    )
    return _rounded_up(individuals_per_arm * inflation / mean_cluster_size)


def _noncentrality_for_power(
    degrees_of_freedom: float | None, sig_level: float, target_power: float
) -> float:
    """Noncentrality a two-sided test needs for ``target_power`` (normal when df is None)."""
    if degrees_of_freedom is None:
        return float(stats.norm.isf(sig_level / 2) + stats.norm.ppf(target_power))
    critical = float(stats.t.isf(sig_level / 2, degrees_of_freedom))
    return float(
        optimize.brentq(
            lambda noncentrality: (
                stats.nct.sf(critical, degrees_of_freedom, noncentrality) - target_power
            ),
            0.0,
            critical + 20.0,
            xtol=1e-12,
        )
    )


@dataclass(frozen=True)
class SmallerUnitsScenario(_AsDict):
    """What randomising smaller units (each cluster split into ``split_into`` parts) would give.

    ``relative_variance`` compares the variance of the effect estimate with the current design
    for the same people (below 1 is better). ``relative_sample_needed`` is the number of people
    needed for the same power, relative to now: ``relative_variance`` times the squared ratio of
    the noncentralities the two t tests need (so it counts the extra degrees of freedom too).
    """

    split_into: int
    number_of_clusters: int
    cluster_size: float
    degrees_of_freedom: int
    design_effect: float
    relative_variance: float
    relative_sample_needed: float


@dataclass(frozen=True)
class FewClustersAdvice(_AsDict):
    """Plain-language facts about a design with few clusters (the web layer translates them).

    ``detectable_effect_inflation`` is how many times larger the smallest effect detectable
    with ``reference_power`` is under the t test than under a normal-theory calculation.
    """

    number_of_clusters: int
    number_of_arms: int
    cluster_size: float
    icc: float
    degrees_of_freedom: int
    t_critical: float
    z_critical: float
    reference_power: float
    detectable_effect_inflation: float
    design_effect: float
    effective_size_per_cluster: float
    maximum_effective_size_per_arm: float
    is_few: bool
    smaller_units_would_help: bool
    scenarios: tuple[SmallerUnitsScenario, ...]
    explanation: str


def few_clusters_advice(
    *,
    number_of_clusters: int,
    icc: float,
    cluster_size: float,
    number_of_arms: int = 2,
    sig_level: float = 0.05,
    reference_power: float = 0.8,
) -> FewClustersAdvice:
    """Explain how many degrees of freedom a cluster trial has and whether smaller units help.

    Inputs: ``number_of_clusters`` in all arms, ``icc``, ``cluster_size`` (people per cluster).
    A cluster-level analysis has ``clusters - arms`` degrees of freedom (Hayes & Moulton 2017,
    ch. 9), so the test uses ``t`` rather than ``z``. ``detectable_effect_inflation`` is the
    ratio of the noncentral-t noncentrality giving ``reference_power`` to ``z_{1-a/2} + z_power``.
    Each cluster counts as ``m / DE`` independent people, and however large the clusters, an arm
    of ``k`` clusters never counts as more than ``k / icc`` people (the limit of
    ``k m / (1 + (m-1) icc)``; Donner, Birkett & Buck 1981). Scenarios split each cluster into
    2 and 4 smaller units with the same people and, optimistically, the same ICC. ``is_few``
    follows :data:`FEW_CLUSTERS_THRESHOLD`. Smaller units are judged to help when halving the
    units would cut the people needed for the same power by more than 10%.
    """
    if number_of_arms < 2:
        raise PowerCalculationError("a comparison needs at least two arms")
    if number_of_clusters <= number_of_arms:
        raise PowerCalculationError(
            "with no more clusters than arms there are no degrees of freedom to estimate a variance"
        )
    _check_probability("sig_level", sig_level)
    _check_probability("reference_power", reference_power)
    inflation = design_effect(mean_cluster_size=cluster_size, icc=icc)
    degrees = number_of_clusters - number_of_arms
    z_critical = float(stats.norm.isf(sig_level / 2))
    t_critical = float(stats.t.isf(sig_level / 2, degrees))
    needed_now = _noncentrality_for_power(degrees, sig_level, reference_power)
    effect_inflation = needed_now / _noncentrality_for_power(None, sig_level, reference_power)
    clusters_per_arm = number_of_clusters / number_of_arms
    maximum_effective = math.inf if icc == 0 else clusters_per_arm / icc

    scenarios = []
    for split in (2, 4):
        smaller_size = cluster_size / split
        if smaller_size < 1:
            continue
        new_inflation = design_effect(mean_cluster_size=smaller_size, icc=icc)
        new_degrees = number_of_clusters * split - number_of_arms
        needed_then = _noncentrality_for_power(new_degrees, sig_level, reference_power)
        relative_variance = new_inflation / inflation
        scenarios.append(
            SmallerUnitsScenario(
                split_into=split,
                number_of_clusters=number_of_clusters * split,
                cluster_size=smaller_size,
                degrees_of_freedom=new_degrees,
                design_effect=new_inflation,
                relative_variance=relative_variance,
                relative_sample_needed=relative_variance * (needed_then / needed_now) ** 2,
            )
        )
    would_help = bool(scenarios) and scenarios[0].relative_sample_needed < 0.9
    is_few = number_of_clusters < FEW_CLUSTERS_THRESHOLD

    sentences = [
        f"With {number_of_clusters} clusters in {number_of_arms} arms the analysis has "
        f"{degrees} degrees of freedom, so the critical value is t = {t_critical:.2f} instead of "
        f"z = {z_critical:.2f}: the smallest effect you can detect with "
        f"{100 * reference_power:.0f}% power is {100 * (effect_inflation - 1):.0f}% larger than "
        "a calculation that ignores this says.",
        f"Each cluster of {cluster_size:g} people counts as {cluster_size / inflation:.1f} "
        f"independent people (design effect {inflation:.2f} at ICC {icc:g}).",
    ]
    if math.isfinite(maximum_effective):
        sentences.append(
            f"However many people each cluster has, an arm of {clusters_per_arm:g} clusters "
            f"never counts as more than {maximum_effective:.0f} people."
        )
    if is_few:
        sentences.append(
            f"That is fewer than {FEW_CLUSTERS_THRESHOLD} clusters: analyse at cluster level "
            "or with a small-sample correction."
        )
    if scenarios:
        first = scenarios[0]
        if would_help:
            sentences.append(
                f"Randomising smaller units would help: {first.number_of_clusters} units of "
                f"{first.cluster_size:g} people give {first.degrees_of_freedom} degrees of "
                f"freedom and need about {100 * (1 - first.relative_sample_needed):.0f}% fewer "
                "people for the same power, if the ICC stays the same (it is often higher for "
                "smaller units)."
            )
        else:
            sentences.append(
                "Randomising smaller units would change little here: the clusters already "
                "carry most of the information their size allows."
            )
    return FewClustersAdvice(
        number_of_clusters=number_of_clusters,
        number_of_arms=number_of_arms,
        cluster_size=float(cluster_size),
        icc=float(icc),
        degrees_of_freedom=degrees,
        t_critical=t_critical,
        z_critical=z_critical,
        reference_power=reference_power,
        detectable_effect_inflation=effect_inflation,
        design_effect=inflation,
        effective_size_per_cluster=cluster_size / inflation,
        maximum_effective_size_per_arm=maximum_effective,
        is_few=is_few,
        smaller_units_would_help=would_help,
        scenarios=tuple(scenarios),
        explanation=" ".join(sentences),
    )


# --------------------------------------------------------------------------------------------
# Stepped-wedge trials: Hussey & Hughes (2007)
# --------------------------------------------------------------------------------------------


def stepped_wedge_staircase(
    number_of_clusters: int, number_of_periods: int
) -> npt.NDArray[np.int8]:
    """The standard stepped-wedge design matrix: clusters x periods of 0 (control) / 1 (treated).

    All clusters start in control; at each of the ``periods - 1`` steps a group crosses over and
    stays treated. Groups are as equal as possible (earlier steps get the extra clusters when
    clusters do not divide evenly). Source: Hussey & Hughes (2007), figure 1.
    """
    steps = number_of_periods - 1
    if steps < 1:
        raise PowerCalculationError("a stepped-wedge design needs at least two periods")
    if number_of_clusters < steps:
        raise PowerCalculationError("a stepped-wedge design needs at least one cluster per step")
    clusters_per_step = np.full(steps, number_of_clusters // steps)
    clusters_per_step[: number_of_clusters % steps] += 1
    first_treated_period = np.repeat(np.arange(1, steps + 1), clusters_per_step)
    periods = np.arange(number_of_periods)
    return (periods[None, :] >= first_treated_period[:, None]).astype(np.int8)


def hussey_hughes_variance(
    design: npt.ArrayLike, *, cluster_period_size: float, sd: float, icc: float
) -> float:
    """Variance of the treatment effect estimate in a cross-sectional stepped-wedge trial.

    ``Var = I s2 (s2 + T tau2) / ((I U - W) s2 + (U^2 + I T U - T W - I V) tau2)`` with
    ``I`` clusters, ``T`` periods, design ``X`` (I x T, 1 = treated), ``U = sum X``,
    ``W = sum_j (sum_i X_ij)^2``, ``V = sum_i (sum_j X_ij)^2``, between-cluster variance
    ``tau2 = icc sd^2`` and cluster-period-mean residual variance
    ``s2 = (1 - icc) sd^2 / m`` for ``m`` people per cluster-period. This is the GLS variance
    with known variance components and fixed period effects. Source: Hussey & Hughes (2007),
    Contemporary Clinical Trials 28:182-191, equation (8). Units: outcome units squared.
    """
    matrix = np.asarray(design, dtype=np.float64)
    if matrix.ndim != 2:
        raise PowerCalculationError("the design must be a clusters x periods matrix")
    if not np.isin(matrix, (0.0, 1.0)).all():
        raise PowerCalculationError("the design matrix must hold only 0 (control) and 1 (treated)")
    if not 0.0 <= icc < 1.0:
        raise PowerCalculationError("icc must be at least 0 and below 1")
    clusters, periods = matrix.shape
    between_cluster_variance = icc * sd**2
    cluster_period_variance = (1.0 - icc) * sd**2 / cluster_period_size
    treated_total = matrix.sum()
    period_totals_squared = (matrix.sum(axis=0) ** 2).sum()
    cluster_totals_squared = (matrix.sum(axis=1) ** 2).sum()
    numerator = (
        clusters
        * cluster_period_variance
        * (cluster_period_variance + periods * between_cluster_variance)
    )
    denominator = (clusters * treated_total - period_totals_squared) * cluster_period_variance + (
        treated_total**2
        + clusters * periods * treated_total
        - periods * period_totals_squared
        - clusters * cluster_totals_squared
    ) * between_cluster_variance
    if denominator <= 0:
        raise PowerCalculationError(
            "this design cannot separate the treatment effect from period and cluster effects"
        )
    return float(numerator / denominator)


@dataclass(frozen=True)
class SteppedWedgePowerResult(_AsDict):
    """Power calculation for a cross-sectional stepped-wedge trial (Hussey & Hughes 2007)."""

    number_of_clusters: int
    number_of_periods: int
    cluster_period_size: float
    cluster_period_size_rounded_up: int
    total_individuals: float
    effect: float
    sd: float
    icc: float
    sig_level: float
    power: float
    alternative: str
    variance_of_effect: float
    design: tuple[tuple[int, ...], ...]
    solved_for: str
    method: str


def _stepped_wedge_design(
    design: npt.ArrayLike | None, number_of_clusters: int | None, number_of_periods: int | None
) -> npt.NDArray[np.int8]:
    if design is not None:
        return np.asarray(design, dtype=np.int8)
    if number_of_clusters is None or number_of_periods is None:
        raise PowerCalculationError("give a design matrix, or the number of clusters and periods")
    return stepped_wedge_staircase(number_of_clusters, number_of_periods)


def power_stepped_wedge(
    *,
    icc: float,
    design: npt.ArrayLike | None = None,
    number_of_clusters: int | None = None,
    number_of_periods: int | None = None,
    cluster_period_size: float | None = None,
    effect: float | None = None,
    sd: float = 1.0,
    sig_level: float = 0.05,
    power: float | None = None,
    alternative: Alternative = "two-sided",
) -> SteppedWedgePowerResult:
    """Power, people per cluster-period, or minimum detectable effect in a stepped-wedge trial.

    Give a 0/1 ``design`` (clusters x periods), or ``number_of_clusters`` and
    ``number_of_periods`` for the standard staircase (:func:`stepped_wedge_staircase`); and two
    of ``cluster_period_size``, ``effect``, ``power``. ``sd`` is the total standard deviation of
    an individual outcome, split by ``icc`` into between-cluster and within-cluster parts.
    Power is ``Phi(|effect| / sqrt(Var) - z_{1-alpha/sides})`` with ``Var`` from
    :func:`hussey_hughes_variance`; the effect inverts that in closed form; the cluster-period
    size is found by root-finding. Source: Hussey & Hughes (2007), section 3.
    """
    solving_for = _exactly_one_missing(
        cluster_period_size=cluster_period_size, effect=effect, power=power
    )
    _check_probability("sig_level", sig_level)
    _check_probability("power", power)
    sides = _sides(alternative)
    matrix = _stepped_wedge_design(design, number_of_clusters, number_of_periods)
    critical = float(stats.norm.isf(sig_level / sides))

    def variance_at(size: float) -> float:
        return hussey_hughes_variance(matrix, cluster_period_size=size, sd=sd, icc=icc)

    if solving_for == "power":
        assert cluster_period_size is not None and effect is not None
        power = float(
            special.ndtr(abs(effect) / math.sqrt(variance_at(cluster_period_size)) - critical)
        )
    elif solving_for == "effect":
        assert cluster_period_size is not None and power is not None
        effect = (critical + float(stats.norm.ppf(power))) * math.sqrt(
            variance_at(cluster_period_size)
        )
    else:
        assert effect is not None and power is not None
        if effect == 0:
            raise PowerCalculationError("no sample size detects an effect of zero")
        target, known_effect = power, abs(effect)
        cluster_period_size = _increasing_root(
            lambda size: (
                float(special.ndtr(known_effect / math.sqrt(variance_at(size)) - critical)) - target
            ),
            1e-6,
            1e9,
            what="cluster-period size",
        )
    assert cluster_period_size is not None and effect is not None and power is not None
    clusters, periods = matrix.shape
    return SteppedWedgePowerResult(
        number_of_clusters=int(clusters),
        number_of_periods=int(periods),
        cluster_period_size=float(cluster_period_size),
        cluster_period_size_rounded_up=_rounded_up(cluster_period_size),
        total_individuals=float(clusters * periods * cluster_period_size),
        effect=float(effect),
        sd=float(sd),
        icc=float(icc),
        sig_level=float(sig_level),
        power=float(power),
        alternative=alternative,
        variance_of_effect=variance_at(cluster_period_size),
        design=tuple(tuple(int(cell) for cell in row) for row in matrix),
        solved_for=solving_for,
        method="Hussey & Hughes (2007) closed form, normal approximation",
    )


# --------------------------------------------------------------------------------------------
# Several arms against a shared control
# --------------------------------------------------------------------------------------------

_HERMITE_NODES, _HERMITE_WEIGHTS = np.polynomial.hermite_e.hermegauss(96)
_HERMITE_WEIGHTS = _HERMITE_WEIGHTS / math.sqrt(2.0 * math.pi)
_LEGENDRE_NODES, _LEGENDRE_WEIGHTS = np.polynomial.legendre.leggauss(128)


def _equicorrelated_normal_coverage(
    limits: FloatArray, number_of_comparisons: int, correlation: float, two_sided: bool
) -> FloatArray:
    """P(all Z_i <= c) or P(all |Z_i| <= c) for equicorrelated standard normals, per limit c.

    Uses ``Z_i = sqrt(rho) W + sqrt(1 - rho) E_i``, so conditionally on ``W`` the events are
    independent (Dunnett 1955, section 3); ``W`` is integrated by 96-point Gauss-Hermite.
    """
    shared = math.sqrt(correlation) * _HERMITE_NODES
    own = math.sqrt(1.0 - correlation)
    upper = special.ndtr((limits[..., None] - shared) / own)
    inside = upper - special.ndtr((-limits[..., None] - shared) / own) if two_sided else upper
    return np.asarray((inside**number_of_comparisons) @ _HERMITE_WEIGHTS, dtype=np.float64)


@lru_cache(maxsize=256)
def _studentising_grid(degrees_of_freedom: float) -> tuple[FloatArray, FloatArray]:
    """Gauss-Legendre nodes and density-weights for S = sqrt(chi2_nu / nu) on its bulk."""
    scaled_chi = stats.chi(degrees_of_freedom, scale=1.0 / math.sqrt(degrees_of_freedom))
    low, high = float(scaled_chi.ppf(1e-15)), float(scaled_chi.isf(1e-15))
    nodes = low + (_LEGENDRE_NODES + 1.0) * (high - low) / 2.0
    weights = _LEGENDRE_WEIGHTS * (high - low) / 2.0 * scaled_chi.pdf(nodes)
    return np.asarray(nodes, dtype=np.float64), np.asarray(weights, dtype=np.float64)


def dunnett_critical_value(
    *,
    number_of_comparisons: int,
    degrees_of_freedom: float | None,
    sig_level: float = 0.05,
    alternative: Alternative = "two-sided",
    correlation: float = 0.5,
) -> float:
    """Dunnett's critical value for ``number_of_comparisons`` treatments against one control.

    Solves ``P(max |T_i| <= c) = 1 - sig_level`` (or ``max T_i`` one-sided) for equicorrelated
    multivariate t with ``degrees_of_freedom`` (``None`` for normal) and ``correlation``
    ``n_t / (n_t + n_c)`` (0.5 for equal groups). The probability is Dunnett's (1955) one-factor
    integral, integrated over the studentising ``S`` by 128-point Gauss-Legendre on its bulk
    (quadrature error below 1e-12 for df >= 1). Checked against Dunnett's tables and
    ``scipy.stats.multivariate_t`` in the tests. Source: Dunnett (1955), JASA 50:1096.
    """
    if number_of_comparisons < 1:
        raise PowerCalculationError("at least one comparison is needed")
    _check_probability("sig_level", sig_level)
    if not 0.0 <= correlation < 1.0:
        raise PowerCalculationError("correlation must be in [0, 1)")
    sides = _sides(alternative)
    if number_of_comparisons == 1:
        if degrees_of_freedom is None:
            return float(stats.norm.isf(sig_level / sides))
        return float(stats.t.isf(sig_level / sides, degrees_of_freedom))
    two_sided = sides == 2

    if degrees_of_freedom is None:

        def coverage(limit: float) -> float:
            limits = np.array([limit])
            return float(
                _equicorrelated_normal_coverage(
                    limits, number_of_comparisons, correlation, two_sided
                )[0]
            )

        marginal_quantile = float(stats.norm.isf(sig_level / (sides * number_of_comparisons)))
    else:
        nodes, weights = _studentising_grid(float(degrees_of_freedom))

        def coverage(limit: float) -> float:
            conditional = _equicorrelated_normal_coverage(
                limit * nodes, number_of_comparisons, correlation, two_sided
            )
            return float(conditional @ weights)

        marginal_quantile = float(
            stats.t.isf(sig_level / (sides * number_of_comparisons), degrees_of_freedom)
        )
    # Dunnett's value lies between no adjustment and Bonferroni (Slepian/Sidak inequalities).
    return float(
        optimize.brentq(
            lambda limit: coverage(limit) - (1.0 - sig_level),
            0.1,
            marginal_quantile + 1.0,
            xtol=1e-12,
        )
    )


@dataclass(frozen=True)
class MultiArmPowerResult(_AsDict):
    """Per-comparison power with several treatment arms each compared with a shared control.

    ``power`` is the chance that one given arm whose true difference is ``delta`` is declared
    different from control, with the familywise error rate held at ``sig_level``.
    """

    number_of_treatment_arms: int
    n_per_treatment_arm: float
    n_per_treatment_arm_rounded_up: int
    n_control: float
    total_n_rounded_up: int
    delta: float
    sd: float
    sig_level: float
    power: float
    adjustment: str
    critical_value: float
    degrees_of_freedom: float
    alternative: str
    solved_for: str
    method: str


def power_multiple_arms(
    *,
    number_of_treatment_arms: int,
    n_per_arm: float | None = None,
    delta: float | None = None,
    sd: float = 1.0,
    sig_level: float = 0.05,
    power: float | None = None,
    adjustment: MultipleComparisonAdjustment = "dunnett",
    control_allocation_ratio: float = 1.0,
    alternative: Alternative = "two-sided",
) -> MultiArmPowerResult:
    """Sample size per arm, power, or detectable difference for k arms against one control.

    Give two of ``n_per_arm`` (people per treatment arm), ``delta``, ``power``. The control arm
    has ``control_allocation_ratio * n`` people (``sqrt(k)`` is the classical optimum for
    Dunnett's test). The variance is pooled over all ``k + 1`` arms, so the degrees of freedom
    are ``k n + n_c - k - 1``. The critical value is Bonferroni's ``t_{1 - alpha/(sides k)}``
    (Dunn 1961) or Dunnett's (1955, see :func:`dunnett_critical_value`) and the power is the
    marginal noncentral-t power of one comparison with noncentrality
    ``delta / (sd sqrt(1/n + 1/n_c))`` (Julious 2004 for the noncentral t).
    """
    solving_for = _exactly_one_missing(n_per_arm=n_per_arm, delta=delta, power=power)
    _check_probability("sig_level", sig_level)
    _check_probability("power", power)
    sides = _sides(alternative)
    if number_of_treatment_arms < 1:
        raise PowerCalculationError("at least one treatment arm is needed")
    if adjustment not in ("dunnett", "bonferroni"):
        raise PowerCalculationError(f"unknown adjustment {adjustment!r}")
    if control_allocation_ratio <= 0:
        raise PowerCalculationError("control_allocation_ratio must be positive")
    k = number_of_treatment_arms
    correlation = 1.0 / (1.0 + control_allocation_ratio)
    if sides == 2 and delta is not None:
        delta = abs(delta)

    def degrees_at(n_value: float) -> float:
        return max(1e-7, k * n_value + control_allocation_ratio * n_value - k - 1.0)

    def critical_at(n_value: float) -> float:
        degrees = degrees_at(n_value)
        if adjustment == "bonferroni":
            return float(stats.t.isf(sig_level / (sides * k), degrees))
        return dunnett_critical_value(
            number_of_comparisons=k,
            degrees_of_freedom=degrees,
            sig_level=sig_level,
            alternative=alternative,
            correlation=correlation,
        )

    def power_at(n_value: float, effect: float, critical: float | None = None) -> float:
        limit = critical_at(n_value) if critical is None else critical
        noncentrality = effect / (
            sd * math.sqrt(1.0 / n_value + 1.0 / (control_allocation_ratio * n_value))
        )
        return float(stats.nct.sf(limit, degrees_at(n_value), noncentrality))

    if solving_for == "power":
        assert n_per_arm is not None and delta is not None
        power = power_at(n_per_arm, delta)
    elif solving_for == "n_per_arm":
        assert delta is not None and power is not None
        target, effect = power, delta
        n_per_arm = _increasing_root(
            lambda n_value: power_at(n_value, effect) - target, 2.0, 1e7, what="sample size"
        )
    else:
        assert n_per_arm is not None and power is not None
        target, known_n = power, n_per_arm
        fixed_critical = critical_at(known_n)
        delta = _increasing_root(
            lambda effect: power_at(known_n, effect, fixed_critical) - target,
            sd * 1e-9,
            sd * 1e6,
            what="difference",
        )
    assert n_per_arm is not None and delta is not None and power is not None
    n_up = _rounded_up(n_per_arm)
    control = control_allocation_ratio * n_per_arm
    return MultiArmPowerResult(
        number_of_treatment_arms=k,
        n_per_treatment_arm=float(n_per_arm),
        n_per_treatment_arm_rounded_up=n_up,
        n_control=float(control),
        total_n_rounded_up=k * n_up + _rounded_up(control_allocation_ratio * n_up),
        delta=float(delta),
        sd=float(sd),
        sig_level=float(sig_level),
        power=float(power),
        adjustment=adjustment,
        critical_value=critical_at(n_per_arm),
        degrees_of_freedom=degrees_at(n_per_arm),
        alternative=alternative,
        solved_for=solving_for,
        method=f"noncentral t, {adjustment} critical value, pooled variance",
    )


# --------------------------------------------------------------------------------------------
# Simulation power for any design
# --------------------------------------------------------------------------------------------

# Largest number of simulated values held in memory at once (about 64 MB of float64).
_SIMULATION_CHUNK_VALUES = 8_000_000


@dataclass(frozen=True)
class IndividualTrialDesign:
    """An individually randomised two-arm trial with a normal outcome.

    ``n_per_arm`` people in control and ``round(allocation_ratio * n_per_arm)`` in treatment;
    ``effect`` is the true difference in means and ``sd`` the outcome's standard deviation.
    """

    size_field: ClassVar[str] = "n_per_arm"
    n_per_arm: int
    effect: float
    sd: float = 1.0
    allocation_ratio: float = 1.0


@dataclass(frozen=True)
class ClusterTrialDesign:
    """A two-arm parallel cluster randomised trial with equal cluster sizes.

    Outcome = cluster effect ``N(0, icc sd^2)`` + individual noise ``N(0, (1 - icc) sd^2)``
    (+ ``effect`` in the treated arm). The analysis uses cluster means, so the simulator draws
    the mean of each cluster's individual noise from its exact normal law.
    """

    size_field: ClassVar[str] = "clusters_per_arm"
    clusters_per_arm: int
    cluster_size: int
    effect: float
    icc: float
    sd: float = 1.0


@dataclass(frozen=True)
class SteppedWedgeTrialDesign:
    """A cross-sectional stepped-wedge trial: ``cluster_period_size`` new people per cell.

    ``design_matrix`` (clusters x periods, 0/1) defaults to the standard staircase. The outcome
    model is Hussey & Hughes' (2007): cluster effect + period effect + treatment + individual
    noise; the analysis uses cluster-period means, whose noise is drawn from its exact law.
    """

    size_field: ClassVar[str] = "cluster_period_size"
    number_of_clusters: int
    number_of_periods: int
    cluster_period_size: int
    effect: float
    icc: float
    sd: float = 1.0
    design_matrix: tuple[tuple[int, ...], ...] | None = None

    def matrix(self) -> npt.NDArray[np.int8]:
        """The 0/1 design as an array (the staircase unless one was given)."""
        return _stepped_wedge_design(
            self.design_matrix, self.number_of_clusters, self.number_of_periods
        )


TrialDesign = IndividualTrialDesign | ClusterTrialDesign | SteppedWedgeTrialDesign
SimulationAnalysis = Literal[
    "pooled-t-test", "cluster-level-t-test", "cluster-fixed-effects", "known-variance-gls"
]


@dataclass(frozen=True)
class SimulationPowerResult(_AsDict):
    """Power estimated by simulation, with its Monte Carlo standard error.

    ``monte_carlo_se = sqrt(power (1 - power) / n_simulations)`` (Morris, White & Crowther
    2019, table 6). ``mean_estimate`` and ``empirical_se`` describe the effect estimates.
    """

    design: str
    analysis: str
    power: float
    monte_carlo_se: float
    n_simulations: int
    rejections: int
    mean_estimate: float
    empirical_se: float
    sig_level: float
    alternative: str
    seed: int


@dataclass(frozen=True)
class PowerCurve(_AsDict):
    """Power at each value of one design parameter (``parameter``), with Monte Carlo errors."""

    design: str
    analysis: str
    parameter: str
    values: tuple[float, ...]
    power: tuple[float, ...]
    monte_carlo_se: tuple[float, ...]
    n_simulations: int
    seed: int


def _chunk_sizes(n_simulations: int, values_per_trial: int) -> Iterator[int]:
    """Split the trials into batches that keep at most ~8M simulated values in memory."""
    per_chunk = max(1, _SIMULATION_CHUNK_VALUES // max(1, values_per_trial))
    remaining = n_simulations
    while remaining > 0:
        size = min(per_chunk, remaining)
        yield size
        remaining -= size


def _rejects(statistic: FloatArray, critical: float, sides: int) -> npt.NDArray[np.bool_]:
    return np.abs(statistic) > critical if sides == 2 else statistic > critical


def _simulate_individual(
    design: IndividualTrialDesign,
    n_simulations: int,
    sig_level: float,
    sides: int,
    rng: np.random.Generator,
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Pooled-variance two-sample t-test on simulated people, all trials as arrays."""
    n_control = design.n_per_arm
    n_treated = round(design.allocation_ratio * design.n_per_arm)
    if n_control < 2 or n_treated < 2:
        raise PowerCalculationError("each arm needs at least two people")
    degrees = n_control + n_treated - 2
    critical = float(stats.t.isf(sig_level / sides, degrees))
    estimates, rejected = [], []
    for batch in _chunk_sizes(n_simulations, n_control + n_treated):
        control = rng.standard_normal((batch, n_control)) * design.sd
        treated = rng.standard_normal((batch, n_treated)) * design.sd + design.effect
        difference = treated.mean(axis=1) - control.mean(axis=1)
        pooled_variance = (
            (n_control - 1) * control.var(axis=1, ddof=1)
            + (n_treated - 1) * treated.var(axis=1, ddof=1)
        ) / degrees
        statistic = difference / np.sqrt(pooled_variance * (1 / n_control + 1 / n_treated))
        estimates.append(difference)
        rejected.append(_rejects(statistic, critical, sides))
    return np.concatenate(estimates), np.concatenate(rejected)


def _simulate_cluster(
    design: ClusterTrialDesign,
    n_simulations: int,
    sig_level: float,
    sides: int,
    rng: np.random.Generator,
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Cluster-level t-test (2k - 2 df) on the cluster means of simulated trials.

    Each cluster mean is its random effect plus the mean of ``m`` people's independent
    ``N(0, (1 - icc) sd^2)`` errors, drawn directly from that mean's exact law
    ``N(0, (1 - icc) sd^2 / m)``: the same distribution with ``m`` times fewer random numbers.
    """
    k, m = design.clusters_per_arm, design.cluster_size
    if k < 2 or m < 1:
        raise PowerCalculationError("need at least two clusters per arm and one person per cluster")
    between_sd = math.sqrt(design.icc) * design.sd
    within_sd = math.sqrt(1.0 - design.icc) * design.sd
    degrees = 2 * k - 2
    critical = float(stats.t.isf(sig_level / sides, degrees))
    treated_arm = np.array([0.0, 1.0])[None, :, None]
    estimates, rejected = [], []
    mean_error_sd = within_sd / math.sqrt(m)
    for batch in _chunk_sizes(n_simulations, 4 * k):
        cluster_effects = rng.standard_normal((batch, 2, k)) * between_sd
        people_mean_error = rng.standard_normal((batch, 2, k)) * mean_error_sd
        cluster_means = cluster_effects + people_mean_error + design.effect * treated_arm
        arm_means = cluster_means.mean(axis=2)
        pooled_variance = cluster_means.var(axis=2, ddof=1).mean(axis=1)
        difference = arm_means[:, 1] - arm_means[:, 0]
        statistic = difference / np.sqrt(pooled_variance * 2.0 / k)
        estimates.append(difference)
        rejected.append(_rejects(statistic, critical, sides))
    return np.concatenate(estimates), np.concatenate(rejected)


def stepped_wedge_regression_design(
    design: npt.ArrayLike, *, cluster_fixed_effects: bool
) -> FloatArray:
    """Regressors for cluster-period means, rows cluster-major (cluster 1's periods first).

    Columns: period indicators (one per period, which absorb the intercept), then, with
    ``cluster_fixed_effects``, indicators for clusters 2..I, then the treatment indicator last.
    """
    matrix = np.asarray(design, dtype=np.float64)
    clusters, periods = matrix.shape
    period_columns = np.tile(np.eye(periods), (clusters, 1))
    columns = [period_columns]
    if cluster_fixed_effects:
        columns.append(np.repeat(np.eye(clusters)[:, 1:], periods, axis=0))
    columns.append(matrix.reshape(-1, 1))
    return np.hstack(columns)


def _simulate_stepped_wedge(
    design: SteppedWedgeTrialDesign,
    n_simulations: int,
    sig_level: float,
    sides: int,
    rng: np.random.Generator,
    analysis: SimulationAnalysis,
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Least squares on the cluster-period means of every simulated trial at once.

    Each trial's cluster-period means are cluster effect + treatment + the mean of ``m``
    people's errors, the last drawn from its exact law ``N(0, (1 - icc) sd^2 / m)``. The design
    is the same in every trial, so least squares is one pseudo-inverse computed once and applied
    to all trials (a trials x cells matrix) by matrix products, not a fit per trial.
    ``known-variance-gls``: whiten each cluster's period means by the inverse Cholesky factor
    of ``s2 I + tau2 J`` (known variance components) and fit period effects + treatment by
    ordinary least squares; a z-test with the known variance. This is the estimator whose
    variance Hussey & Hughes (2007) give in closed form, so its power checks theirs.
    ``cluster-fixed-effects``: ordinary least squares with period and cluster fixed effects,
    residual variance estimated, t-test on ``IT - I - T`` degrees of freedom; needs no variance
    components (the limit of the GLS estimator as tau2 grows).
    """
    matrix = design.matrix().astype(np.float64)
    clusters, periods = matrix.shape
    between_sd = math.sqrt(design.icc) * design.sd
    mean_error_sd = math.sqrt(1.0 - design.icc) * design.sd / math.sqrt(design.cluster_period_size)
    fixed_effects = analysis == "cluster-fixed-effects"
    regressors = stepped_wedge_regression_design(matrix, cluster_fixed_effects=fixed_effects)
    whitening = np.eye(periods)
    if not fixed_effects:
        covariance = mean_error_sd**2 * np.eye(periods) + between_sd**2 * np.ones(
            (periods, periods)
        )
        whitening = np.linalg.inv(np.linalg.cholesky(covariance))
        # Apply the same per-cluster whitening to every cluster's rows of the design.
        regressors = np.einsum(
            "st,itp->isp", whitening, regressors.reshape(clusters, periods, -1)
        ).reshape(clusters * periods, -1)
    parameters = regressors.shape[1]
    if np.linalg.matrix_rank(regressors) < parameters:
        raise PowerCalculationError("this design cannot separate treatment from period effects")
    pseudo_inverse = np.linalg.pinv(regressors)
    treatment_weights = pseudo_inverse[-1]
    residual_maker = np.eye(clusters * periods) - regressors @ pseudo_inverse
    treatment_variance_factor = float(treatment_weights @ treatment_weights)
    residual_degrees = clusters * periods - parameters
    if fixed_effects:
        if residual_degrees < 1:
            raise PowerCalculationError(
                "no residual degrees of freedom for the fixed-effects model"
            )
        critical = float(stats.t.isf(sig_level / sides, residual_degrees))
    else:
        critical = float(stats.norm.isf(sig_level / sides))
    estimates, rejected = [], []
    for batch in _chunk_sizes(n_simulations, 4 * clusters * periods):
        cluster_effects = rng.standard_normal((batch, clusters, 1)) * between_sd
        mean_errors = rng.standard_normal((batch, clusters, periods)) * mean_error_sd
        # Period effects are omitted: both estimators are exactly invariant to them.
        cell_means = cluster_effects + design.effect * matrix + mean_errors
        if not fixed_effects:  # whiten each cluster's period means: y_i -> L^-1 y_i
            cell_means = cell_means @ whitening.T
        responses = cell_means.reshape(batch, -1)
        effect_estimates = responses @ treatment_weights
        if fixed_effects:
            residuals = responses @ residual_maker
            residual_variance = np.einsum("bn,bn->b", residuals, residuals) / residual_degrees
            standard_error = np.sqrt(residual_variance * treatment_variance_factor)
        else:
            standard_error = np.full(batch, math.sqrt(treatment_variance_factor))
        estimates.append(effect_estimates)
        rejected.append(_rejects(effect_estimates / standard_error, critical, sides))
    return np.concatenate(estimates), np.concatenate(rejected)


_DEFAULT_ANALYSIS: dict[type, SimulationAnalysis] = {
    IndividualTrialDesign: "pooled-t-test",
    ClusterTrialDesign: "cluster-level-t-test",
    SteppedWedgeTrialDesign: "cluster-fixed-effects",
}
_DESIGN_NAMES: dict[type, str] = {
    IndividualTrialDesign: "individually randomised",
    ClusterTrialDesign: "cluster randomised",
    SteppedWedgeTrialDesign: "stepped wedge",
}


def simulate_power(
    design: TrialDesign,
    *,
    n_simulations: int = 4000,
    sig_level: float = 0.05,
    alternative: Alternative = "two-sided",
    seed: int,
    analysis: SimulationAnalysis | None = None,
) -> SimulationPowerResult:
    """Estimate power by simulating ``n_simulations`` whole trials at once with NumPy.

    Every trial is generated and analysed as rows of arrays (no Python loop over trials or
    people; batches of ~8M values bound the memory), from ``np.random.Generator(PCG64(seed))``
    so the same seed gives the same answer. Individual designs simulate every person; cluster
    and stepped-wedge designs draw each cluster (-period) mean of the people's normal errors
    from its exact distribution, which is equivalent for these analyses of means. Analyses:
    ``pooled-t-test`` (individual design), ``cluster-level-t-test`` (cluster design, t on
    2k - 2 df), ``cluster-fixed-effects`` (default) or ``known-variance-gls`` (stepped wedge,
    see ``_simulate_stepped_wedge``). One-sided tests
    reject for a positive effect. Monte Carlo standard error: Morris, White & Crowther (2019).
    """
    _check_probability("sig_level", sig_level)
    if n_simulations < 1:
        raise PowerCalculationError("at least one simulation is needed")
    sides = _sides(alternative)
    chosen = analysis or _DEFAULT_ANALYSIS[type(design)]
    allowed: dict[type, tuple[str, ...]] = {
        IndividualTrialDesign: ("pooled-t-test",),
        ClusterTrialDesign: ("cluster-level-t-test",),
        SteppedWedgeTrialDesign: ("cluster-fixed-effects", "known-variance-gls"),
    }
    if chosen not in allowed[type(design)]:
        raise PowerCalculationError(f"analysis {chosen!r} does not fit a {type(design).__name__}")
    rng = np.random.Generator(np.random.PCG64(seed))
    if isinstance(design, IndividualTrialDesign):
        estimates, rejected = _simulate_individual(design, n_simulations, sig_level, sides, rng)
    elif isinstance(design, ClusterTrialDesign):
        estimates, rejected = _simulate_cluster(design, n_simulations, sig_level, sides, rng)
    else:
        estimates, rejected = _simulate_stepped_wedge(
            design, n_simulations, sig_level, sides, rng, chosen
        )
    rejections = int(rejected.sum())
    power = rejections / n_simulations
    return SimulationPowerResult(
        design=_DESIGN_NAMES[type(design)],
        analysis=chosen,
        power=power,
        monte_carlo_se=math.sqrt(power * (1.0 - power) / n_simulations),
        n_simulations=n_simulations,
        rejections=rejections,
        mean_estimate=float(estimates.mean()),
        empirical_se=float(estimates.std(ddof=1)) if n_simulations > 1 else math.nan,
        sig_level=sig_level,
        alternative=alternative,
        seed=seed,
    )


def simulated_power_curve(
    design: TrialDesign,
    *,
    vary: Literal["size", "effect"],
    values: Sequence[float],
    n_simulations: int = 2000,
    sig_level: float = 0.05,
    alternative: Alternative = "two-sided",
    seed: int,
    analysis: SimulationAnalysis | None = None,
) -> PowerCurve:
    """Simulated power over a grid of sample sizes or effects.

    ``vary="size"`` changes the design's size (people per arm, clusters per arm, or people per
    cluster-period, rounded to whole numbers); ``vary="effect"`` the true effect. Every point
    uses the same seed (common random numbers), so neighbouring points differ by the change in
    the design rather than by fresh noise, which keeps the curve smooth.
    """
    field_name = design.size_field if vary == "size" else "effect"
    powers, errors = [], []
    for value in values:
        changes: dict[str, Any] = {
            field_name: round(float(value)) if vary == "size" else float(value)
        }
        result = simulate_power(
            dataclasses.replace(design, **changes),
            n_simulations=n_simulations,
            sig_level=sig_level,
            alternative=alternative,
            seed=seed,
            analysis=analysis,
        )
        powers.append(result.power)
        errors.append(result.monte_carlo_se)
    return PowerCurve(
        design=_DESIGN_NAMES[type(design)],
        analysis=analysis or _DEFAULT_ANALYSIS[type(design)],
        parameter=field_name,
        values=tuple(float(value) for value in values),
        power=tuple(powers),
        monte_carlo_se=tuple(errors),
        n_simulations=n_simulations,
        seed=seed,
    )
