"""Adaption Lab experiments: vectorised engines against plain-Python loops doing the same job.

1. Power by simulation for a stepped-wedge trial (12 clusters, 5 periods, 20 people per
   cluster-period, ICC 0.05, two-way fixed-effects analysis): 10,000 simulated trials as arrays
   with least squares applied to all of them at once, against a Python loop that simulates and
   fits one trial at a time (with ``lstsq`` per trial, and with a reused pseudo-inverse).
2. Stratified permuted-block randomisation of 1,000,000 units (22 areas x 3 tenures, random
   block sizes 4 or 6), with the audit fingerprint: the vectorised engine against a
   plain-Python loop that walks the units one by one, keeping an open block per stratum.
3. Randomisation inference: 10,000 re-randomisations of 100,000 units, against a loop drawing
   one permutation at a time.
4. The wild cluster restricted bootstrap with 9,999 draws (40 clusters of 50, three
   regressors): every draw from cluster-level sums at once, against refitting the model and
   its cluster-robust variance for each draw; both use the same weights and give the same
   p-value.

Run with ``python -m benchmarks`` (all) or ``python -m benchmarks.experiments``.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from infuse.adaption import analysis, cluster_robust
from infuse.adaption import power as pw
from infuse.adaption import randomisation as rz

SIMULATED_TRIALS = 10_000
# If a first probe says a loop would take longer than this for all the trials, it runs on
# fewer trials and its time is scaled up (and the output says so).
LOOP_TIME_BUDGET_SECONDS = 30.0
UNITS = 1_000_000


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


# ----------------------------------------------------------------- stepped-wedge simulation


def stepped_wedge_power_by_loop(
    design: pw.SteppedWedgeTrialDesign,
    trials: int,
    seed: int,
    *,
    refit_each_trial: bool,
    sig_level: float = 0.05,
) -> float:
    """The same simulation and fixed-effects t-test as ``simulate_power``, one trial at a time.

    ``refit_each_trial=True`` calls ``np.linalg.lstsq`` for every trial, as a per-trial loop is
    usually written; ``False`` reuses one pseudo-inverse, the loop's best case.
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    matrix = design.matrix().astype(np.float64)
    clusters, periods = matrix.shape
    regressors = pw.stepped_wedge_regression_design(matrix, cluster_fixed_effects=True)
    pseudo_inverse = np.linalg.pinv(regressors)
    variance_factor = float(pseudo_inverse[-1] @ pseudo_inverse[-1])
    residual_degrees = clusters * periods - regressors.shape[1]
    critical = stats.t.isf(sig_level / 2, residual_degrees)
    between_sd = math.sqrt(design.icc) * design.sd
    mean_error_sd = math.sqrt(1 - design.icc) * design.sd / math.sqrt(design.cluster_period_size)
    rejections = 0
    for _ in range(trials):
        cluster_effects = rng.standard_normal((clusters, 1)) * between_sd
        mean_errors = rng.standard_normal((clusters, periods)) * mean_error_sd
        cell_means = (cluster_effects + design.effect * matrix + mean_errors).reshape(-1)
        if refit_each_trial:
            coefficients, residual_sums, _, _ = np.linalg.lstsq(regressors, cell_means, rcond=None)
            residual_sum = float(residual_sums[0])
        else:
            coefficients = pseudo_inverse @ cell_means
            residuals = cell_means - regressors @ coefficients
            residual_sum = float(residuals @ residuals)
        standard_error = math.sqrt(residual_sum / residual_degrees * variance_factor)
        if abs(coefficients[-1] / standard_error) > critical:
            rejections += 1
    return rejections / trials


def _loop_timing(
    design: pw.SteppedWedgeTrialDesign, *, refit_each_trial: bool
) -> tuple[float, float, int]:
    """Seconds scaled to SIMULATED_TRIALS, the power, and the trials actually run."""
    probe_trials = 500
    probe_seconds, _ = _timed(
        lambda: stepped_wedge_power_by_loop(
            design, probe_trials, seed=1, refit_each_trial=refit_each_trial
        )
    )
    projected = probe_seconds / probe_trials * SIMULATED_TRIALS
    trials = SIMULATED_TRIALS
    if projected > LOOP_TIME_BUDGET_SECONDS:
        trials = max(probe_trials, int(LOOP_TIME_BUDGET_SECONDS / projected * SIMULATED_TRIALS))
    seconds, power = _timed(
        lambda: stepped_wedge_power_by_loop(
            design, trials, seed=2007, refit_each_trial=refit_each_trial
        )
    )
    return seconds * SIMULATED_TRIALS / trials, power, trials


def benchmark_stepped_wedge_simulation() -> None:
    design = pw.SteppedWedgeTrialDesign(
        number_of_clusters=12, number_of_periods=5, cluster_period_size=20, effect=0.3, icc=0.05
    )
    pw.simulate_power(design, n_simulations=100, seed=0)  # warm up imports and caches
    vectorised_seconds, vectorised = _timed(
        lambda: pw.simulate_power(design, n_simulations=SIMULATED_TRIALS, seed=2007)
    )
    closed_form = pw.power_stepped_wedge(
        number_of_clusters=12, number_of_periods=5, cluster_period_size=20, icc=0.05, effect=0.3
    ).power
    print(
        f"stepped-wedge power by simulation, {SIMULATED_TRIALS:,} trials "
        "(12 clusters x 5 periods x 20 people, fixed-effects analysis)"
    )
    print(
        f"  vectorised (all trials as arrays):       {vectorised_seconds:8.3f} s   "
        f"power {vectorised.power:.4f} +/- {vectorised.monte_carlo_se:.4f} (MC SE)"
    )
    for label, refit in (("loop, lstsq every trial", True), ("loop, one pseudo-inverse", False)):
        seconds, power, trials = _loop_timing(design, refit_each_trial=refit)
        note = (
            ""
            if trials == SIMULATED_TRIALS
            else f" (ran {trials:,} trials and scaled to {SIMULATED_TRIALS:,})"
        )
        print(
            f"  {label + ':':<40}{seconds:8.3f} s   power {power:.4f}   "
            f"ratio {seconds / vectorised_seconds:6.1f} x{note}"
        )
    print(f"  (Hussey & Hughes GLS closed form, for comparison: power {closed_form:.4f})")


# ----------------------------------------------------------------- stratified randomisation


def make_units(count: int, seed: int = 0) -> pl.DataFrame:
    """Synthetic units: 22 areas (as Wales's local authorities) x 3 tenures, plus an age."""
    rng = np.random.Generator(np.random.PCG64(seed))
    return pl.DataFrame(
        {
            "unit_id": np.arange(count, dtype=np.int64),
            "area": rng.integers(0, 22, count),
            "tenure": rng.choice(np.array(["owner", "council", "private"]), count),
            "age": rng.normal(45, 12, count).round(1),
        }
    )


def stratified_randomisation_by_loop(
    units: pl.DataFrame, *, seed: int, block_sizes: tuple[int, ...] = (4, 6)
) -> tuple[list[str], str]:
    """Stratified permuted blocks, one unit at a time, with the same canonical input hash.

    Plain Python: sort the rows into canonical order, then walk them, drawing a new shuffled
    block for a stratum whenever its open block runs out.
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    ids = units.get_column("unit_id").to_list()
    areas = units.get_column("area").to_list()
    tenures = units.get_column("tenure").to_list()
    canonical = sorted(range(len(ids)), key=lambda row: ids[row])
    lines = [f"{ids[row]},{areas[row]},{tenures[row]}" for row in canonical]
    fingerprint = hashlib.sha256(
        ("infuse-canonical-csv-v1\nunit_id,area,tenure\n" + "\n".join(lines) + "\n").encode()
    ).hexdigest()
    order = sorted(range(len(ids)), key=lambda row: (areas[row], tenures[row], ids[row]))
    open_blocks: dict[tuple[Any, Any], list[str]] = {}
    arms = [""] * len(ids)
    for row in order:
        stratum = (areas[row], tenures[row])
        block = open_blocks.get(stratum)
        if not block:
            size = block_sizes[int(rng.random() * len(block_sizes))]
            labels = ["control", "intervention"] * (size // 2)
            keys = [rng.random() for _ in labels]
            block = [label for _, label in sorted(zip(keys, labels, strict=True))]
            open_blocks[stratum] = block
        arms[row] = block.pop()
    return arms, fingerprint


def benchmark_stratified_randomisation() -> None:
    units = make_units(UNITS)
    vectorised_seconds, allocation = _timed(
        lambda: rz.randomise_stratified(
            units,
            id_column="unit_id",
            strata_columns=["area", "tenure"],
            seed=1,
            block_sizes=[4, 6],
        )
    )
    loop_seconds, (loop_arms, loop_fingerprint) = _timed(
        lambda: stratified_randomisation_by_loop(units, seed=1)
    )
    assert loop_fingerprint == allocation.record.input_sha256, "the two fingerprints must agree"
    counts = allocation.arm_counts()
    loop_control = loop_arms.count("control")
    print(f"stratified permuted-block randomisation, {UNITS:,} units, 66 strata, blocks 4/6")
    print(
        f"  vectorised (argsort of random keys per block): {vectorised_seconds:8.3f} s   "
        f"control {counts['control']:,} / intervention {counts['intervention']:,}"
    )
    print(
        f"  Python loop over units:                        {loop_seconds:8.3f} s   "
        f"control {loop_control:,} / intervention {UNITS - loop_control:,}"
    )
    ratio = loop_seconds / vectorised_seconds
    print(f"  ratio loop / vectorised:                       {ratio:8.1f} x")
    print("  (both include sorting into canonical order and the SHA-256 of the input list)")


# ----------------------------------------------------------------- randomisation inference

PERMUTATIONS = 10_000
ANALYSED_UNITS = 100_000


def randomisation_p_value_by_loop(
    outcome: np.ndarray[Any, Any], treated: np.ndarray[Any, Any], permutations: int, seed: int
) -> float:
    """The same p-value, one re-randomisation at a time: a random permutation of the units per
    draw, its first n1 taken as treated (NumPy does each permutation in C; the loop is over
    draws only, the plain way to write it)."""
    rng = np.random.default_rng(seed)
    n, n1 = outcome.size, int(treated.sum())
    total = outcome.sum()
    observed = abs(outcome[treated].mean() - outcome[~treated].mean())
    at_least = 0
    for _ in range(permutations):
        treated_sum = outcome[rng.permutation(n)[:n1]].sum()
        difference = abs(treated_sum / n1 - (total - treated_sum) / (n - n1))
        at_least += difference >= observed
    return (1 + at_least) / (1 + permutations)


def benchmark_randomisation_inference() -> None:
    rng = np.random.default_rng(5)
    treated = rng.permutation(np.arange(ANALYSED_UNITS) < ANALYSED_UNITS // 2)
    outcome = rng.normal(0.0, 1.0, ANALYSED_UNITS) + 0.01 * treated
    vectorised_seconds, p_vectorised = _timed(
        lambda: analysis.randomisation_p_value(outcome, treated, permutations=PERMUTATIONS, seed=1)
    )
    probe = 300
    probe_seconds, _ = _timed(lambda: randomisation_p_value_by_loop(outcome, treated, probe, 2))
    projected = probe_seconds / probe * PERMUTATIONS
    runs = PERMUTATIONS
    if projected > LOOP_TIME_BUDGET_SECONDS:
        runs = max(probe, int(LOOP_TIME_BUDGET_SECONDS / projected * PERMUTATIONS))
    loop_seconds, p_loop = _timed(lambda: randomisation_p_value_by_loop(outcome, treated, runs, 3))
    loop_seconds *= PERMUTATIONS / runs
    print(f"randomisation inference, {PERMUTATIONS:,} permutations of {ANALYSED_UNITS:,} units")
    print(f"  vectorised (random keys, batches of draws):    {vectorised_seconds:8.3f} s   "
          f"p {p_vectorised:.4f}")  # fmt: skip
    scaled = "" if runs == PERMUTATIONS else f" (ran {runs:,}, time scaled)"
    print(f"  Python loop over permutations:                 {loop_seconds:8.3f} s   "
          f"p {p_loop:.4f}{scaled}")  # fmt: skip
    ratio = loop_seconds / vectorised_seconds
    print(f"  ratio loop / vectorised:                       {ratio:8.1f} x")


BOOTSTRAP_DRAWS = 9_999
BOOTSTRAP_CLUSTERS = 40
BOOTSTRAP_UNITS_PER_CLUSTER = 50


def benchmark_wild_cluster_bootstrap() -> None:
    rng = np.random.default_rng(6)
    clusters = np.repeat(np.arange(BOOTSTRAP_CLUSTERS), BOOTSTRAP_UNITS_PER_CLUSTER)
    n = clusters.size
    treated = (np.arange(BOOTSTRAP_CLUSTERS) % 2).astype(np.float64)[clusters]
    covariate = rng.normal(size=n)
    outcome = (
        0.1 * treated
        + covariate
        + rng.normal(size=BOOTSTRAP_CLUSTERS)[clusters]
        + rng.normal(size=n)
    )
    design = np.column_stack([np.ones(n), treated, covariate])
    weights, scheme = cluster_robust.bootstrap_weights(BOOTSTRAP_CLUSTERS, BOOTSTRAP_DRAWS, seed=1)
    fast_seconds, p_fast = _timed(
        lambda: cluster_robust.wild_cluster_bootstrap_p(
            design, outcome, clusters, coefficient=1, weights=weights
        )
    )
    probe = 300
    probe_seconds, _ = _timed(
        lambda: cluster_robust.wild_cluster_bootstrap_p_loop(
            design, outcome, clusters, coefficient=1, weights=weights[:probe]
        )
    )
    runs = BOOTSTRAP_DRAWS
    if probe_seconds / probe * BOOTSTRAP_DRAWS > LOOP_TIME_BUDGET_SECONDS:
        runs = max(probe, int(LOOP_TIME_BUDGET_SECONDS / probe_seconds * probe))
    loop_seconds, p_loop = _timed(
        lambda: cluster_robust.wild_cluster_bootstrap_p_loop(
            design, outcome, clusters, coefficient=1, weights=weights[:runs]
        )
    )
    if runs == BOOTSTRAP_DRAWS:
        assert abs(p_fast - p_loop) < 1e-12, "the two methods must give the same p-value"
    loop_seconds *= BOOTSTRAP_DRAWS / runs
    print(
        f"wild cluster restricted bootstrap, {BOOTSTRAP_DRAWS:,} draws ({scheme}), "
        f"{BOOTSTRAP_CLUSTERS} clusters x {BOOTSTRAP_UNITS_PER_CLUSTER} units, 3 regressors"
    )
    print(f"  cluster-level algebra, all draws at once:      {fast_seconds:8.3f} s   "
          f"p {p_fast:.4f}")  # fmt: skip
    scaled = "" if runs == BOOTSTRAP_DRAWS else f" (ran {runs:,}, time scaled)"
    print(f"  loop refitting the model for every draw:       {loop_seconds:8.3f} s   "
          f"p {p_loop:.4f}{scaled}")  # fmt: skip
    print(f"  ratio loop / vectorised:                       {loop_seconds / fast_seconds:8.1f} x")


def main() -> None:
    benchmark_stepped_wedge_simulation()
    print()
    benchmark_stratified_randomisation()
    print()
    benchmark_randomisation_inference()
    print()
    benchmark_wild_cluster_bootstrap()


if __name__ == "__main__":
    main()
