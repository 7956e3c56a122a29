"""Power, sample size and detectable effect against published values and independent checks.

Every expected number says where it comes from. "R help page" means the examples section of
``?power.t.test`` / ``?power.prop.test`` in R's stats package; the digits are R's printed output.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from infuse.adaption import power as pw

PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def noncentral_t_tail_by_integration(critical: float, df: float, noncentrality: float) -> float:
    """P((Z + ncp) / sqrt(V/df) > critical), V ~ chi2(df), by 1-D quadrature over V.

    An independent route to the noncentral t tail (scipy's ``nct`` uses Boost's series), so
    agreement checks the power function itself, not just a second call to the same library.
    """

    def integrand(v: float) -> float:
        return float(
            stats.chi2.pdf(v, df) * stats.norm.sf(critical * math.sqrt(v / df) - noncentrality)
        )

    value, _ = integrate.quad(integrand, 0, np.inf, epsabs=1e-13, epsrel=1e-12, limit=400)
    return value


# ---------------------------------------------------------------------- R power.t.test


def test_power_t_test_help_example_power() -> None:
    # R help page: power.t.test(n = 20, delta = 1) prints power = 0.8689528.
    result = pw.power_two_means(n=20, delta=1)
    assert result.power == pytest.approx(0.8689528, rel=1e-6)  # achieved |diff| = 2e-9


def test_power_t_test_help_example_sample_size() -> None:
    # R help page: power.t.test(power = .90, delta = 1) prints n = 22.02110.
    result = pw.power_two_means(power=0.90, delta=1)
    assert result.n == pytest.approx(22.02110, abs=1e-4)  # achieved |diff| = 2.3e-6
    assert result.n_rounded_up == 23


def test_power_t_test_help_example_one_sided_sample_size() -> None:
    # R help page: power.t.test(power = .90, delta = 1, alternative = "one.sided")
    # prints n = 17.84713.
    result = pw.power_two_means(power=0.90, delta=1, alternative="one-sided")
    assert result.n == pytest.approx(17.84713, abs=1e-4)  # achieved |diff| = 3.9e-6


def test_r_uniroot_emulation_stops_where_r_stops_not_at_the_exact_root() -> None:
    # R's uniroot stops within tol = .Machine$double.eps^0.25 of the root; the exact root of
    # the same power equation (found here with tolerance 1e-12) is 22.0210956, and R's printed
    # 22.02110 is the zeroin iterate 22.0210977. Both are within R's tolerance of each other.
    exact = pw.power_two_means(power=0.90, delta=1, tolerance=1e-12).n
    r_like = pw.power_two_means(power=0.90, delta=1).n
    assert exact == pytest.approx(22.0210956, abs=1e-7)
    assert abs(exact - r_like) < pw.R_UNIROOT_TOLERANCE
    assert round(r_like, 5) == 22.02110


@pytest.mark.parametrize(
    ("n", "delta", "test_type", "alternative", "strict"),
    [
        (20, 1.0, "two-sample", "two-sided", False),
        (20, 1.0, "two-sample", "two-sided", True),
        (5, 0.2, "two-sample", "two-sided", True),
        (12, 0.8, "one-sample", "two-sided", False),
        (12, 0.8, "paired", "one-sided", False),
        (4, 0.1, "one-sample", "two-sided", True),
    ],
)
def test_noncentral_t_power_matches_direct_integration(
    n: float, delta: float, test_type: pw.TTestType, alternative: pw.Alternative, strict: bool
) -> None:
    # Independent check: R's p.body formula (power.R) evaluated by quadrature of the noncentral t
    # definition; for strict = TRUE R adds pt(-qu, nu, ncp, lower.tail = TRUE).
    samples = 2 if test_type == "two-sample" else 1
    sides = 2 if alternative == "two-sided" else 1
    df = (n - 1) * samples
    noncentrality = math.sqrt(n / samples) * delta
    critical = stats.t.isf(0.05 / sides, df)
    expected = noncentral_t_tail_by_integration(critical, df, noncentrality)
    if strict and sides == 2:
        expected += 1 - noncentral_t_tail_by_integration(-critical, df, noncentrality)
    result = pw.power_two_means(
        n=n, delta=delta, test_type=test_type, alternative=alternative, strict=strict
    )
    assert result.power == pytest.approx(expected, rel=1e-8)


def test_strict_adds_the_wrong_tail_and_matters_for_small_effects() -> None:
    # strict = TRUE counts rejections in the opposite tail (R power.R): with a tiny effect the
    # two-sided power tends to sig.level, whereas the one-tail version tends to sig.level / 2.
    loose = pw.power_two_means(n=10, delta=1e-6, strict=False).power
    strict = pw.power_two_means(n=10, delta=1e-6, strict=True).power
    assert loose == pytest.approx(0.025, abs=1e-6)
    assert strict == pytest.approx(0.05, abs=1e-6)


def test_allocation_ratio_power_matches_direct_integration() -> None:
    # Julious (2004), Stat Med 23:1921, section 3: with n1 and n2 = r n1 the statistic is
    # noncentral t on n1 + n2 - 2 df with ncp = delta / (sd sqrt(1/n1 + 1/n2)).
    n1, ratio, delta, sd = 30.0, 2.0, 0.5, 1.2
    df = n1 * (1 + ratio) - 2
    noncentrality = delta / (sd * math.sqrt(1 / n1 + 1 / (ratio * n1)))
    expected = noncentral_t_tail_by_integration(stats.t.isf(0.025, df), df, noncentrality)
    result = pw.power_two_means(n=n1, delta=delta, sd=sd, allocation_ratio=ratio)
    assert result.power == pytest.approx(expected, rel=1e-8)
    assert result.n_second_group == pytest.approx(60.0)
    assert result.total_n_rounded_up == 90


def test_allocation_ratio_of_one_is_r_exactly() -> None:
    # Same R help-page value as above, via the ratio argument left at 1.
    assert pw.power_two_means(n=20, delta=1, allocation_ratio=1.0).power == pytest.approx(
        0.8689528, rel=1e-6
    )


def test_minimum_detectable_difference_round_trips() -> None:
    # Solving for delta at n = 20, power = 0.8689528 must give back R's delta = 1 (help page).
    result = pw.power_two_means(n=20, power=0.8689528016921271, tolerance=1e-12)
    assert result.delta == pytest.approx(1.0, abs=1e-8)


# ---------------------------------------------------------------------- R power.prop.test


def test_power_prop_test_help_example_power() -> None:
    # R help page: power.prop.test(n = 50, p1 = .50, p2 = .75) prints power = 0.7401659.
    result = pw.power_two_proportions(n=50, p1=0.50, p2=0.75)
    assert result.power == pytest.approx(0.7401659, rel=1e-6)  # achieved |diff| = 1e-9


def test_power_prop_test_help_example_sample_size() -> None:
    # R help page: power.prop.test(p1 = .50, p2 = .75, power = .90), commented "=> n = 76.7".
    # R's formula in closed form (Fleiss, Levin & Paik 2003, 4.2, no continuity correction):
    # n = ((z_.975 sqrt(2 pbar qbar) + z_.90 sqrt(p1 q1 + p2 q2)) / |p2 - p1|)^2 = 76.70693.
    # NB the value 76.65294 sometimes quoted for this example is *not* R's: it is statsmodels'
    # NormalIndPower with Cohen's arcsine effect size h (see the next test).
    z_alpha, z_beta = stats.norm.isf(0.025), stats.norm.isf(0.10)
    closed_form = (
        (z_alpha * math.sqrt(2 * 0.625 * 0.375) + z_beta * math.sqrt(0.25 + 0.1875)) / 0.25
    ) ** 2
    result = pw.power_two_proportions(p1=0.50, p2=0.75, power=0.90)
    assert closed_form == pytest.approx(76.70693, abs=1e-5)
    assert result.n == pytest.approx(closed_form, abs=1e-4)  # achieved |diff| = 1.7e-6
    assert round(result.n, 1) == 76.7
    assert result.n_rounded_up == 77


def test_the_76_65294_figure_comes_from_the_arcsine_method() -> None:
    # Provenance check for the discrepancy noted above: statsmodels' normal power with Cohen's h
    # = 2 asin(sqrt(.75)) - 2 asin(sqrt(.5)) gives 76.65294, a different approximation.
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    arcsine_n = NormalIndPower().solve_power(
        proportion_effectsize(0.75, 0.5), power=0.9, alpha=0.05, ratio=1
    )
    assert arcsine_n == pytest.approx(76.65294, abs=1e-5)
    assert abs(pw.power_two_proportions(p1=0.5, p2=0.75, power=0.9).n - arcsine_n) > 0.05


def test_power_prop_test_help_example_detectable_p2() -> None:
    # R help page: power.prop.test(n = 50, p1 = .5, power = .90) prints p2 = 0.8026141 (the
    # help comment says "=> p2 = 0.8026"). R's uniroot stops at tol ~1.2e-4 from the exact root
    # 0.8026306; reproducing R's zeroin over R's interval [p1, 1] gives R's own digits.
    result = pw.power_two_proportions(n=50, p1=0.5, power=0.90)
    assert result.p2 == pytest.approx(0.8026141, abs=1e-7)  # achieved |diff| = 9e-9
    exact = pw.power_two_proportions(n=50, p1=0.5, power=0.90, tolerance=1e-13)
    assert exact.p2 == pytest.approx(0.8026306, abs=1e-7)


def test_power_prop_test_strict_adds_opposite_tail() -> None:
    # R power.R, strict = TRUE: pnorm((sqrt(n) d - qu sqrt(2 vbar)) / sqrt(v1 + v2)) +
    # pnorm((sqrt(n) d + qu sqrt(2 vbar)) / sqrt(v1 + v2), lower.tail = FALSE).
    n, p1, p2 = 10.0, 0.5, 0.55
    qu = stats.norm.isf(0.025)
    vbar = 0.525 * 0.475
    spread = math.sqrt(0.25 + 0.55 * 0.45)
    expected = stats.norm.cdf((math.sqrt(n) * 0.05 - qu * math.sqrt(2 * vbar)) / spread) + (
        stats.norm.sf((math.sqrt(n) * 0.05 + qu * math.sqrt(2 * vbar)) / spread)
    )
    result = pw.power_two_proportions(n=n, p1=p1, p2=p2, strict=True)
    assert result.power == pytest.approx(expected, rel=1e-12)


def test_power_prop_test_solves_p1() -> None:
    # Round trip: p1 solved from R's help-page power 0.7401659 at n = 50, p2 = .75 returns .5.
    result = pw.power_two_proportions(n=50, p2=0.75, power=0.7401659013313878, tolerance=1e-13)
    assert result.p1 == pytest.approx(0.5, abs=1e-8)


# ---------------------------------------------------------------------- cluster designs


def test_design_effect_equal_clusters() -> None:
    # Donner, Birkett & Buck (1981): DE = 1 + (m - 1) ICC = 1 + 19 * 0.05 = 1.95 for m = 20.
    assert pw.design_effect(mean_cluster_size=20, icc=0.05) == pytest.approx(1.95, abs=1e-12)


def test_design_effect_unequal_clusters_eldridge() -> None:
    # Eldridge, Ashby & Kerry (2006), IJE 35:1292, DE = 1 + ((CV^2 + 1) mbar - 1) ICC.
    # By hand: cluster sizes 10, 20, 30 have mean 20 and (population) sd sqrt(200/3) = 8.165,
    # CV = 0.40825; (CV^2 + 1) * 20 - 1 = (1/6 + 1) * 20 - 1 = 22.3333; DE = 1 + 22.3333 * 0.05
    # = 2.116667.
    sizes = np.array([10.0, 20.0, 30.0])
    cv = sizes.std() / sizes.mean()
    assert cv == pytest.approx(math.sqrt(1 / 6), rel=1e-12)
    inflation = pw.design_effect(mean_cluster_size=20, icc=0.05, cluster_size_cv=cv)
    assert inflation == pytest.approx(1 + (7 / 6 * 20 - 1) * 0.05, rel=1e-12)
    assert inflation == pytest.approx(2.116667, abs=1e-6)


def test_cluster_power_without_clustering_is_the_individual_normal_power() -> None:
    # With ICC = 0 and no small-sample correction, k clusters of m people are just k m people:
    # Phi(delta / sqrt(2 / (k m)) - z_.975), the standard normal-approximation power.
    result = pw.power_cluster_means(
        clusters_per_arm=10, mean_cluster_size=5, icc=0.0, delta=0.5, small_sample_correction=False
    )
    expected = stats.norm.cdf(0.5 / math.sqrt(2 / 50) - stats.norm.isf(0.025))
    assert result.power == pytest.approx(expected, rel=1e-12)


def test_cluster_power_with_correction_is_cluster_level_t() -> None:
    # Hayes & Moulton (2017) 7.3: the cluster-level t-test on 2k - 2 df; its exact power is
    # noncentral t with ncp = delta / sqrt(2 (tau2 + sigma_w2 / m) / k), here by integration.
    k, m, icc, delta = 6, 20, 0.05, 0.5
    noncentrality = delta / math.sqrt(2 * (icc + (1 - icc) / m) / k)
    df = 2 * k - 2
    expected = noncentral_t_tail_by_integration(stats.t.isf(0.025, df), df, noncentrality)
    result = pw.power_cluster_means(clusters_per_arm=k, mean_cluster_size=m, icc=icc, delta=delta)
    assert result.power == pytest.approx(expected, rel=1e-8)
    assert result.degrees_of_freedom == 10
    assert any("clusters in all" in warning for warning in result.warnings)


def test_cluster_sample_size_is_rounded_up_and_reaches_power() -> None:
    # Round trip: solved k gives the target power; ceil(k) gives at least the target.
    result = pw.power_cluster_means(mean_cluster_size=20, icc=0.05, delta=0.3, power=0.8)
    again = pw.power_cluster_means(
        clusters_per_arm=result.clusters_per_arm, mean_cluster_size=20, icc=0.05, delta=0.3
    )
    assert again.power == pytest.approx(0.8, abs=1e-8)
    assert result.achieved_power >= 0.8
    assert result.total_individuals == result.total_clusters * 20


def test_clusters_for_individual_sample_size_inflates_by_design_effect() -> None:
    # Donner et al. (1981): 77 people per arm (R power.prop.test above) x DE 1.95 / 20 = 7.5
    # -> 8 clusters of 20 per arm.
    assert (
        pw.clusters_for_individual_sample_size(
            individuals_per_arm=77, mean_cluster_size=20, icc=0.05
        )
        == 8
    )


def test_few_clusters_advice_facts_and_explanation() -> None:
    # 8 clusters, 2 arms: df = 8 - 2 = 6 (Hayes & Moulton 2017, ch. 9); t_.975,6 = 2.446912
    # (standard t tables); DE = 1.95 (above); each cluster of 20 counts as 20 / 1.95 = 10.26;
    # an arm of 4 clusters never counts as more than 4 / 0.05 = 80 people.
    advice = pw.few_clusters_advice(number_of_clusters=8, icc=0.05, cluster_size=20)
    assert advice.degrees_of_freedom == 6
    assert advice.t_critical == pytest.approx(2.446912, abs=1e-6)
    assert advice.effective_size_per_cluster == pytest.approx(20 / 1.95)
    assert advice.maximum_effective_size_per_arm == pytest.approx(80.0)
    assert advice.is_few
    assert advice.smaller_units_would_help
    assert "6 degrees of freedom" in advice.explanation
    # The inflation is exact: the noncentral t with the inflated ncp has 80% power.
    ncp = advice.detectable_effect_inflation * (stats.norm.isf(0.025) + stats.norm.ppf(0.8))
    assert stats.nct.sf(advice.t_critical, 6, ncp) == pytest.approx(0.8, abs=1e-9)
    json.dumps(advice.as_dict())


def test_few_clusters_advice_when_clusters_are_plenty() -> None:
    # 60 clusters of 4 with ICC 0.01: DE = 1.03, df = 58, halving the units gains little.
    advice = pw.few_clusters_advice(number_of_clusters=60, icc=0.01, cluster_size=4)
    assert not advice.is_few
    assert not advice.smaller_units_would_help
    assert advice.design_effect == pytest.approx(1.03)


# ---------------------------------------------------------------------- stepped wedge


def gls_variance_by_matrices(design: np.ndarray, m: float, sd: float, icc: float) -> float:
    """Var(theta) = [(Z' V^-1 Z)^-1]_theta,theta written out with explicit matrices.

    Hussey & Hughes (2007) model for cluster-period means: period fixed effects + treatment,
    V = blockdiag over clusters of (sigma_e^2 / m) I_T + tau^2 J_T. Built here without any code
    from the module under test.
    """
    clusters, periods = design.shape
    tau2 = icc * sd**2
    cell_variance = (1 - icc) * sd**2 / m
    rows = []
    for cluster in range(clusters):
        for period in range(periods):
            period_dummies = [1.0 if j == period else 0.0 for j in range(periods)]
            rows.append([*period_dummies, float(design[cluster, period])])
    regressors = np.array(rows)
    block = cell_variance * np.eye(periods) + tau2 * np.ones((periods, periods))
    covariance = np.kron(np.eye(clusters), block)
    information = regressors.T @ np.linalg.inv(covariance) @ regressors
    return float(np.linalg.inv(information)[-1, -1])


def test_hussey_hughes_closed_form_by_hand_and_by_gls() -> None:
    # Hussey & Hughes (2007) eq. (8), written out for I = 4 clusters, T = 5 periods, the standard
    # staircase, m = 10, ICC = 0.1, sd = 1: tau2 = 0.1, sigma2 = 0.9 / 10 = 0.09;
    # U = 4 + 3 + 2 + 1 = 10, W = 0 + 1 + 4 + 9 + 16 = 30, V = 16 + 9 + 4 + 1 = 30;
    # Var = 4 * 0.09 * (0.09 + 5 * 0.1) / ((40 - 30) * 0.09 + (100 + 200 - 150 - 120) * 0.1)
    #     = 0.2124 / 3.9 = 0.0544615385.
    design = pw.stepped_wedge_staircase(4, 5)
    by_hand = 4 * 0.09 * (0.09 + 5 * 0.1) / ((40 - 30) * 0.09 + (100 + 200 - 150 - 120) * 0.1)
    closed_form = pw.hussey_hughes_variance(design, cluster_period_size=10, sd=1.0, icc=0.1)
    assert closed_form == pytest.approx(0.0544615385, rel=1e-9)
    assert closed_form == pytest.approx(by_hand, rel=1e-12)
    assert closed_form == pytest.approx(gls_variance_by_matrices(design, 10, 1.0, 0.1), rel=1e-10)


@pytest.mark.parametrize(
    ("clusters", "periods", "m", "sd", "icc"),
    [(6, 4, 25, 2.0, 0.02), (9, 4, 5, 1.0, 0.3), (10, 6, 40, 0.5, 0.001)],
)
def test_hussey_hughes_closed_form_matches_gls_for_other_designs(
    clusters: int, periods: int, m: int, sd: float, icc: float
) -> None:
    # Same independent GLS check as above for other staircases, and for an arbitrary 0/1 design.
    design = pw.stepped_wedge_staircase(clusters, periods)
    assert pw.hussey_hughes_variance(
        design, cluster_period_size=m, sd=sd, icc=icc
    ) == pytest.approx(gls_variance_by_matrices(design, m, sd, icc), rel=1e-9)
    irregular = np.random.Generator(np.random.PCG64(clusters)).integers(0, 2, (clusters, periods))
    irregular[0, :] = 0  # keep at least one always-control cluster so the effect is estimable
    assert pw.hussey_hughes_variance(
        irregular, cluster_period_size=m, sd=sd, icc=icc
    ) == pytest.approx(gls_variance_by_matrices(irregular, m, sd, icc), rel=1e-9)


def test_hussey_hughes_tends_to_fixed_cluster_effects_as_icc_tends_to_one() -> None:
    # As tau2 / sigma2 grows, GLS with random cluster effects becomes the within-cluster
    # (two-way fixed effects) estimator, whose variance is sigma2 [(D'D)^-1]_theta,theta.
    design = pw.stepped_wedge_staircase(8, 5)
    icc = 1 - 1e-9
    cell_variance = (1 - icc) / 10
    regressors = pw.stepped_wedge_regression_design(design, cluster_fixed_effects=True)
    fixed_effects = cell_variance * np.linalg.inv(regressors.T @ regressors)[-1, -1]
    assert pw.hussey_hughes_variance(
        design, cluster_period_size=10, sd=1.0, icc=icc
    ) == pytest.approx(fixed_effects, rel=1e-6)


def test_stepped_wedge_power_formula_and_inversions() -> None:
    # Hussey & Hughes (2007) section 3: power = Phi(theta / sqrt(Var) - z_.975).
    variance = 0.2124 / 3.9
    expected = stats.norm.cdf(0.5 / math.sqrt(variance) - stats.norm.isf(0.025))
    result = pw.power_stepped_wedge(
        number_of_clusters=4, number_of_periods=5, cluster_period_size=10, icc=0.1, effect=0.5
    )
    assert result.power == pytest.approx(expected, rel=1e-12)
    detectable = pw.power_stepped_wedge(
        number_of_clusters=4, number_of_periods=5, cluster_period_size=10, icc=0.1, power=0.8
    )
    assert detectable.effect == pytest.approx(
        (stats.norm.isf(0.025) + stats.norm.ppf(0.8)) * math.sqrt(variance), rel=1e-12
    )
    size = pw.power_stepped_wedge(
        number_of_clusters=4, number_of_periods=5, icc=0.1, effect=0.5, power=0.8
    )
    again = pw.power_stepped_wedge(
        number_of_clusters=4,
        number_of_periods=5,
        icc=0.1,
        effect=0.5,
        cluster_period_size=size.cluster_period_size,
    )
    assert again.power == pytest.approx(0.8, abs=1e-8)


def test_stepped_wedge_simulation_agrees_with_hussey_hughes() -> None:
    # Monte Carlo check of the closed form: 4000 simulated trials analysed by GLS with the known
    # variance components (the estimator Hussey & Hughes' variance describes); the simulated
    # power must be within 3 Monte Carlo SE (Morris et al. 2019) of Phi(theta/sqrt(Var) - z).
    closed_form = pw.power_stepped_wedge(
        number_of_clusters=4, number_of_periods=5, cluster_period_size=10, icc=0.1, effect=0.5
    ).power
    design = pw.SteppedWedgeTrialDesign(
        number_of_clusters=4, number_of_periods=5, cluster_period_size=10, effect=0.5, icc=0.1
    )
    simulated = pw.simulate_power(
        design, n_simulations=4000, seed=20070201, analysis="known-variance-gls"
    )
    assert abs(simulated.power - closed_form) < 3 * simulated.monte_carlo_se
    # The estimator is unbiased and its spread is sqrt(Var): 3 SE of the mean, 5% on the SD.
    assert abs(simulated.mean_estimate - 0.5) < 3 * math.sqrt(0.2124 / 3.9 / 4000)
    assert simulated.empirical_se == pytest.approx(math.sqrt(0.2124 / 3.9), rel=0.05)


def test_stepped_wedge_fixed_effects_analysis_keeps_its_size_and_costs_power() -> None:
    # With no effect the two-way fixed-effects t-test rejects 5% of the time (3 MC SE); with an
    # effect it has less power than GLS with known variances (it ignores between-cluster
    # information), which is the price of not assuming the variance components.
    null_design = pw.SteppedWedgeTrialDesign(
        number_of_clusters=8, number_of_periods=5, cluster_period_size=10, effect=0.0, icc=0.1
    )
    size = pw.simulate_power(null_design, n_simulations=4000, seed=1)
    assert abs(size.power - 0.05) < 3 * math.sqrt(0.05 * 0.95 / 4000)
    effect_design = pw.SteppedWedgeTrialDesign(
        number_of_clusters=8, number_of_periods=5, cluster_period_size=10, effect=0.4, icc=0.1
    )
    fixed = pw.simulate_power(effect_design, n_simulations=4000, seed=2)
    known = pw.power_stepped_wedge(
        number_of_clusters=8, number_of_periods=5, cluster_period_size=10, icc=0.1, effect=0.4
    )
    assert fixed.power < known.power


# ---------------------------------------------------------------------- several arms


@pytest.mark.parametrize(
    ("comparisons", "df", "alternative", "table_value"),
    [
        # Dunnett (1964), Biometrics 20:482, two-sided table, alpha = 0.05 (2 decimals).
        (2, None, "two-sided", 2.21),
        (3, None, "two-sided", 2.35),
        (4, None, "two-sided", 2.44),
        (2, 10, "two-sided", 2.57),
        (3, 10, "two-sided", 2.76),
        (4, 10, "two-sided", 2.89),
        (2, 20, "two-sided", 2.38),
        (3, 20, "two-sided", 2.54),
        (4, 20, "two-sided", 2.65),
        # Dunnett (1955), JASA 50:1096, Table 1a (one-sided), alpha = 0.05.
        (2, None, "one-sided", 1.92),
        (2, 10, "one-sided", 2.15),
    ],
)
def test_dunnett_critical_values_match_published_tables(
    comparisons: int, df: float | None, alternative: pw.Alternative, table_value: float
) -> None:
    value = pw.dunnett_critical_value(
        number_of_comparisons=comparisons, degrees_of_freedom=df, alternative=alternative
    )
    assert value == pytest.approx(table_value, abs=0.005)


def test_dunnett_critical_value_matches_scipy_multivariate_t() -> None:
    # Independent check with scipy.stats.multivariate_t (randomised quasi-Monte Carlo CDF):
    # at Dunnett's c, P(all |T_i| <= c) = 0.95 for 3 comparisons, 12 df, correlation 0.5.
    c = pw.dunnett_critical_value(number_of_comparisons=3, degrees_of_freedom=12)
    shape = np.full((3, 3), 0.5) + 0.5 * np.eye(3)
    distribution = stats.multivariate_t(loc=np.zeros(3), shape=shape, df=12, seed=1955)
    coverage = distribution.cdf(np.full(3, c), lower_limit=np.full(3, -c))
    assert coverage == pytest.approx(0.95, abs=2e-3)


def test_single_comparison_is_the_two_sample_t_test() -> None:
    # With one treatment arm, Dunnett and Bonferroni both reduce to R's power.t.test
    # (help page: n = 20, delta = 1 gives 0.8689528).
    for adjustment in ("dunnett", "bonferroni"):
        result = pw.power_multiple_arms(
            number_of_treatment_arms=1, n_per_arm=20, delta=1, adjustment=adjustment
        )
        assert result.power == pytest.approx(0.8689528, rel=1e-6)


def test_dunnett_needs_fewer_people_than_bonferroni() -> None:
    # Dunnett's critical value is below Bonferroni's (Dunnett 1955), so n is smaller.
    dunnett = pw.power_multiple_arms(number_of_treatment_arms=3, delta=0.5, power=0.8)
    bonferroni = pw.power_multiple_arms(
        number_of_treatment_arms=3, delta=0.5, power=0.8, adjustment="bonferroni"
    )
    assert dunnett.n_per_treatment_arm < bonferroni.n_per_treatment_arm
    assert bonferroni.critical_value == pytest.approx(
        stats.t.isf(0.05 / 6, bonferroni.degrees_of_freedom), rel=1e-12
    )
    again = pw.power_multiple_arms(
        number_of_treatment_arms=3, delta=0.5, n_per_arm=dunnett.n_per_treatment_arm
    )
    assert again.power == pytest.approx(0.8, abs=1e-7)


# ---------------------------------------------------------------------- simulation


def test_simulated_two_means_power_agrees_with_noncentral_t() -> None:
    # Exact power 0.8689528 (R help page, power.t.test(n = 20, delta = 1)); 4000 simulated
    # trials must be within 3 Monte Carlo SE of it (Morris, White & Crowther 2019).
    simulated = pw.simulate_power(
        pw.IndividualTrialDesign(n_per_arm=20, effect=1.0), n_simulations=4000, seed=7
    )
    assert abs(simulated.power - 0.8689528) < 3 * simulated.monte_carlo_se
    assert simulated.monte_carlo_se == pytest.approx(
        math.sqrt(simulated.power * (1 - simulated.power) / 4000)
    )


def test_simulated_unequal_allocation_agrees_with_noncentral_t() -> None:
    # Julious (2004) noncentral t for n1 = 15, n2 = 30 against 4000 simulated trials (3 MC SE).
    exact = pw.power_two_means(n=15, delta=0.8, allocation_ratio=2).power
    simulated = pw.simulate_power(
        pw.IndividualTrialDesign(n_per_arm=15, effect=0.8, allocation_ratio=2),
        n_simulations=4000,
        seed=11,
    )
    assert abs(simulated.power - exact) < 3 * simulated.monte_carlo_se


def test_simulated_cluster_power_agrees_with_cluster_level_t() -> None:
    # The cluster-level t power (checked by integration above) against 4000 simulated trials
    # with cluster random effects and individual noise (3 MC SE).
    exact = pw.power_cluster_means(
        clusters_per_arm=6, mean_cluster_size=20, icc=0.05, delta=0.5
    ).power
    simulated = pw.simulate_power(
        pw.ClusterTrialDesign(clusters_per_arm=6, cluster_size=20, effect=0.5, icc=0.05),
        n_simulations=4000,
        seed=13,
    )
    assert abs(simulated.power - exact) < 3 * simulated.monte_carlo_se


def test_simulation_is_reproducible_and_serialisable() -> None:
    # Same seed, same trials: identical results; as_dict() is valid JSON for --json.
    design = pw.ClusterTrialDesign(clusters_per_arm=4, cluster_size=8, effect=0.4, icc=0.1)
    first = pw.simulate_power(design, n_simulations=500, seed=3)
    second = pw.simulate_power(design, n_simulations=500, seed=3)
    assert first == second
    assert json.loads(json.dumps(first.as_dict()))["rejections"] == first.rejections


def test_simulated_power_curve_over_n_and_effect() -> None:
    # Exact values from the noncentral t (R power.t.test formula) at each grid point, 3 MC SE.
    design = pw.IndividualTrialDesign(n_per_arm=10, effect=1.0)
    curve = pw.simulated_power_curve(
        design, vary="size", values=[5, 10, 20], n_simulations=2000, seed=5
    )
    exact = pw.two_means_power_at(np.array([5, 10, 20]), 1.0)
    assert curve.parameter == "n_per_arm"
    for estimate, error, truth in zip(curve.power, curve.monte_carlo_se, exact, strict=True):
        assert abs(estimate - truth) < 3 * max(error, 1e-3)
    by_effect = pw.simulated_power_curve(
        design, vary="effect", values=[0.0, 0.5, 1.0, 1.5], n_simulations=2000, seed=5
    )
    assert list(by_effect.power) == sorted(by_effect.power)
    json.dumps(by_effect.as_dict())


def test_simulation_rejects_an_analysis_that_does_not_fit_the_design() -> None:
    with pytest.raises(pw.PowerCalculationError):
        pw.simulate_power(
            pw.IndividualTrialDesign(n_per_arm=10, effect=1.0),
            seed=1,
            analysis="known-variance-gls",
        )


# ---------------------------------------------------------------------- input errors


def test_exactly_one_unknown_is_required() -> None:
    with pytest.raises(pw.PowerCalculationError, match="exactly one"):
        pw.power_two_means(n=10, delta=1, power=0.8)
    with pytest.raises(pw.PowerCalculationError, match="exactly one"):
        pw.power_two_proportions(p1=0.5)


def test_results_serialise_to_json() -> None:
    for result in (
        pw.power_two_means(n=20, delta=1),
        pw.power_two_proportions(n=50, p1=0.5, p2=0.75),
        pw.power_cluster_means(clusters_per_arm=5, mean_cluster_size=10, icc=0.02, delta=0.4),
        pw.power_stepped_wedge(
            number_of_clusters=6, number_of_periods=4, cluster_period_size=5, icc=0.05, effect=0.3
        ),
        pw.power_multiple_arms(number_of_treatment_arms=2, n_per_arm=30, delta=0.6),
    ):
        assert isinstance(json.loads(json.dumps(result.as_dict())), dict)


# ---------------------------------------------------------------------- properties


@PROPERTY_SETTINGS
@given(
    n=st.floats(min_value=3, max_value=500),
    extra=st.floats(min_value=0.5, max_value=100),
    delta=st.floats(min_value=0.05, max_value=2.0),
    test_type=st.sampled_from(["two-sample", "one-sample", "paired"]),
)
def test_two_means_power_rises_with_n(
    n: float, extra: float, delta: float, test_type: pw.TTestType
) -> None:
    smaller = pw.power_two_means(n=n, delta=delta, test_type=test_type).power
    larger = pw.power_two_means(n=n + extra, delta=delta, test_type=test_type).power
    assert larger >= smaller - 1e-12


@PROPERTY_SETTINGS
@given(
    n=st.floats(min_value=3, max_value=500),
    delta=st.floats(min_value=0.01, max_value=2.0),
    increase=st.floats(min_value=0.01, max_value=2.0),
)
def test_two_means_power_rises_with_effect(n: float, delta: float, increase: float) -> None:
    smaller = pw.power_two_means(n=n, delta=delta).power
    larger = pw.power_two_means(n=n, delta=delta + increase).power
    assert larger >= smaller - 1e-12


@PROPERTY_SETTINGS
@given(
    delta=st.floats(min_value=0.1, max_value=2.0),
    target=st.floats(min_value=0.5, max_value=0.99),
    alternative=st.sampled_from(["two-sided", "one-sided"]),
    ratio=st.sampled_from([1.0, 0.5, 2.0, 3.0]),
)
def test_solving_n_then_computing_power_returns_target(
    delta: float, target: float, alternative: pw.Alternative, ratio: float
) -> None:
    solved = pw.power_two_means(
        delta=delta, power=target, alternative=alternative, allocation_ratio=ratio, tolerance=1e-10
    )
    again = pw.power_two_means(
        n=solved.n, delta=delta, alternative=alternative, allocation_ratio=ratio
    )
    assert again.power == pytest.approx(target, abs=1e-7)


@PROPERTY_SETTINGS
@given(
    p1=st.floats(min_value=0.05, max_value=0.6),
    gap=st.floats(min_value=0.05, max_value=0.35),
    target=st.floats(min_value=0.5, max_value=0.99),
)
def test_proportions_solving_n_round_trips_and_power_rises(
    p1: float, gap: float, target: float
) -> None:
    solved = pw.power_two_proportions(p1=p1, p2=p1 + gap, power=target, tolerance=1e-10)
    again = pw.power_two_proportions(n=solved.n, p1=p1, p2=p1 + gap)
    assert again.power == pytest.approx(target, abs=1e-7)
    bigger = pw.power_two_proportions(n=solved.n * 1.5, p1=p1, p2=p1 + gap)
    assert bigger.power > again.power


@PROPERTY_SETTINGS
@given(
    icc=st.floats(min_value=0.0, max_value=0.3),
    m=st.floats(min_value=2, max_value=100),
    delta=st.floats(min_value=0.1, max_value=1.0),
    target=st.floats(min_value=0.5, max_value=0.95),
)
def test_cluster_solving_round_trips_and_power_rises(
    icc: float, m: float, delta: float, target: float
) -> None:
    solved = pw.power_cluster_means(mean_cluster_size=m, icc=icc, delta=delta, power=target)
    if solved.clusters_per_arm > 2.0:  # at the 2-cluster floor power may already exceed target
        again = pw.power_cluster_means(
            clusters_per_arm=solved.clusters_per_arm, mean_cluster_size=m, icc=icc, delta=delta
        )
        assert again.power == pytest.approx(target, abs=1e-7)
    more = pw.power_cluster_means(
        clusters_per_arm=solved.clusters_per_arm + 1, mean_cluster_size=m, icc=icc, delta=delta
    )
    assert more.power >= solved.power - 1e-9


@PROPERTY_SETTINGS
@given(
    clusters_per_step=st.integers(min_value=1, max_value=4),
    steps=st.integers(min_value=2, max_value=6),
    m=st.floats(min_value=1, max_value=50),
    icc=st.floats(min_value=0.0, max_value=0.5),
    effect=st.floats(min_value=0.05, max_value=1.0),
)
def test_stepped_wedge_power_rises_with_size_and_effect(
    clusters_per_step: int, steps: int, m: float, icc: float, effect: float
) -> None:
    design = pw.stepped_wedge_staircase(clusters_per_step * steps, steps + 1)
    base = pw.power_stepped_wedge(design=design, cluster_period_size=m, icc=icc, effect=effect)
    more_people = pw.power_stepped_wedge(
        design=design, cluster_period_size=m * 2, icc=icc, effect=effect
    )
    bigger_effect = pw.power_stepped_wedge(
        design=design, cluster_period_size=m, icc=icc, effect=effect * 1.5
    )
    assert more_people.power >= base.power - 1e-12
    assert bigger_effect.power >= base.power - 1e-12
