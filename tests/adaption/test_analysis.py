"""Analysis of a randomised experiment: published values, properties, the page and the command.

Where each expected number comes from is written beside it.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from django.test import Client
from scipy import stats
from typer.testing import CliRunner

from infuse.accounts.models import User
from infuse.adaption import analysis
from infuse.adaption.messages import AdaptionInputError
from infuse.adaption.models import Experiment, OutcomeAnalysis
from infuse.cli import app
from tests.conftest import CAERPHILLY

# Benjamini & Hochberg (1995), JRSS B 57:289, section 3.2: fifteen p-values from a study of
# myocardial infarction; at q = 0.05 the procedure rejects the four smallest, while Holm's
# (and Bonferroni's) rejects three.
BH_EXAMPLE = [
    0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459,
    0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000,
]  # fmt: skip


def test_benjamini_hochberg_rejects_four_of_the_papers_fifteen() -> None:
    adjusted = analysis.benjamini_hochberg(BH_EXAMPLE)
    assert sum(q <= 0.05 for q in adjusted) == 4


def test_holm_rejects_three_of_the_same_fifteen() -> None:
    adjusted = analysis.holm(BH_EXAMPLE)
    assert sum(p <= 0.05 for p in adjusted) == 3
    assert adjusted[0] == pytest.approx(15 * 0.0001)


def test_adjusted_p_values_keep_the_input_order_and_never_fall() -> None:
    shuffled = [BH_EXAMPLE[i] for i in (5, 0, 14, 3, 9)]
    holm = analysis.holm(shuffled)
    assert holm[1] == min(holm)
    assert all(a >= p for a, p in zip(holm, shuffled, strict=True))


def test_welch_interval_matches_scipys_welch_test_and_hc2_equals_neymans_variance() -> None:
    rng = np.random.default_rng(7)
    treated = np.r_[np.ones(40, bool), np.zeros(70, bool)]
    y = np.where(treated, rng.normal(2.0, 3.0, 110), rng.normal(1.0, 1.0, 110))
    welch, hc2 = analysis.difference_in_means(y, treated)
    # Reference implementation: scipy.stats.ttest_ind(equal_var=False), Welch (1947).
    reference = stats.ttest_ind(y[treated], y[~treated], equal_var=False)
    assert welch.p_value == pytest.approx(reference.pvalue, rel=1e-9)
    neyman = np.sqrt(y[treated].var(ddof=1) / 40 + y[~treated].var(ddof=1) / 70)
    assert hc2.standard_error == pytest.approx(neyman, rel=1e-12)


def test_lin_adjustment_recovers_the_effect_and_narrows_the_interval() -> None:
    rng = np.random.default_rng(11)
    n = 400
    baseline = rng.normal(100, 20, n)
    treated = rng.permutation(np.r_[np.ones(n // 2, bool), np.zeros(n // 2, bool)])
    y = 0.9 * baseline + 5.0 * treated + rng.normal(0, 5, n)
    _welch, unadjusted = analysis.difference_in_means(y, treated)
    adjusted = analysis.lin_adjusted(y, treated, baseline)
    assert adjusted.ci_low < 5.0 < adjusted.ci_high
    assert adjusted.standard_error < 0.5 * unadjusted.standard_error


def test_randomisation_p_value_matches_the_exact_tea_tasting_count() -> None:
    # Fisher (1935): 8 cups, 4 with milk first. Of the C(8,4) = 70 ways to pick 4 cups, one
    # picks all four right and one all four wrong, so the two-sided exact p-value is 2/70.
    y = [1, 1, 1, 1, 0, 0, 0, 0]
    treated = [True, True, True, True, False, False, False, False]
    p = analysis.randomisation_p_value(y, treated, permutations=40_000, seed=1)
    # Monte Carlo error at 40,000 draws is about 0.0008; allow 4 of them.
    assert p == pytest.approx(2 / 70, abs=0.0034)


def test_checks_count_attrition_and_flag_a_sample_ratio_mismatch() -> None:
    allocation = pl.DataFrame(
        {"id": [f"u{i}" for i in range(1000)], "arm": ["control", "intervention"] * 500}
    )
    # Half the intervention arm's outcomes are missing: a mismatch with the planned 1:1.
    outcomes = pl.DataFrame(
        {
            "id": [f"u{i}" for i in range(1000) if i % 2 == 0 or i % 4 == 1] + ["stranger"],
            "outcome": [1.0] * 750 + [2.0],
        }
    )
    checks, analysable = analysis.outcome_checks(
        allocation,
        outcomes,
        id_column="id",
        arm_column="arm",
        outcome_column="outcome",
        planned_ratio={"control": 1, "intervention": 1},
    )
    assert checks.missing_by_arm == {"control": 0, "intervention": 250}
    assert checks.unknown_ids == ["stranger"]
    assert checks.sample_ratio_mismatch
    assert analysable.height == 750


@pytest.fixture
def officer(make_user: Any) -> User:
    return make_user("participant", CAERPHILLY)


def _individual_experiment(officer: User, *, outcome_type: str = "continuous") -> Experiment:
    from infuse.adaption import services

    experiment = services.experiment_create(actor=officer, body=officer.body, title="Texts")
    services.experiment_update(
        actor=officer,
        experiment=experiment,
        values={
            "hypothesis": "Texts help",
            "primary_outcome": "Paid on time",
            "outcome_type": outcome_type,
            "outcome_measure": "Ledger",
            "outcome_timing": "Week 4",
            "eligibility": "All",
            "power_summary": "100 per group",
            "covariates": ["age"],
        },
    )
    units = "id,age\n" + "".join(f"p{n},{20 + n % 50}\n" for n in range(200))
    services.units_upload(
        actor=officer, experiment=experiment, file_name="u.csv", content=units.encode()
    )
    services.experiment_lock(actor=officer, experiment=experiment)
    services.experiment_randomise(actor=officer, experiment=experiment)
    return Experiment.objects.get(pk=experiment.pk)


def _outcomes_for(experiment: Experiment, effect: float) -> bytes:
    with experiment.randomisation.allocation.open("rb") as stored:
        allocation = pl.read_csv(stored.read())
    rows = ["id,outcome"]
    for index, (unit, arm) in enumerate(allocation.select("id", "arm").iter_rows()):
        if index % 25 == 0:
            continue  # a few missing outcomes
        bump = effect if arm == "intervention" else 0.0
        rows.append(f"{unit},{10 + (index * 7) % 5 + bump}")
    return ("\n".join(rows) + "\n").encode()


def test_outcomes_upload_on_the_page_shows_checks_and_an_effect(officer: User) -> None:
    experiment = _individual_experiment(officer)
    client = Client()
    client.force_login(officer)
    upload = io.BytesIO(_outcomes_for(experiment, effect=3.0))
    upload.name = "outcomes.csv"
    response = client.post(
        f"/en/adaption/experiments/{experiment.pk}/outcomes/",
        {"outcomes_file": upload, "outcome_column": "outcome"},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    record = OutcomeAnalysis.objects.get()
    primary = record.results["comparisons"][0]["primary"]
    assert primary["method"] == "lin_hc2"  # the plan named "age", found in the units list
    # The plan's seed is drawn afresh each run, so the allocation differs: check the estimate
    # is near the built-in 3 and clearly above zero rather than that one interval covers it
    # (a 95% interval misses the truth one run in twenty).
    assert primary["estimate"] == pytest.approx(3.0, abs=1.0)
    assert primary["ci_low"] > 0
    assert sum(record.checks["missing_by_arm"].values()) == 8
    page = client.get(f"/en/adaption/experiments/{experiment.pk}/").content.decode()
    assert "The interval does not include zero" in page
    assert "Chart of each difference with its interval" in page
    welsh = client.get(f"/cy/adaption/experiments/{experiment.pk}/").content.decode()
    assert "Canlyniadau" in welsh


def test_a_bad_outcome_file_is_refused_with_its_row_and_nothing_is_saved(officer: User) -> None:
    experiment = _individual_experiment(officer)
    client = Client()
    client.force_login(officer)
    content = _outcomes_for(experiment, effect=1.0).replace(b",10", b",ten", 1)
    upload = io.BytesIO(content)
    upload.name = "outcomes.csv"
    page = client.post(
        f"/en/adaption/experiments/{experiment.pk}/outcomes/",
        {"outcomes_file": upload, "outcome_column": "outcome"},
    )
    assert page.status_code == 200
    assert "is not a number" in page.content.decode()
    assert "Row " in page.content.decode()
    assert not OutcomeAnalysis.objects.exists()


def test_outcome_data_is_refused_before_the_plan_is_locked(officer: User) -> None:
    from infuse.adaption import services
    from infuse.adaption.services import AdaptionError

    experiment = services.experiment_create(actor=officer, body=officer.body, title="Draft")
    with pytest.raises(AdaptionError, match="Lock the plan"):
        services.outcomes_upload(
            actor=officer,
            experiment=experiment,
            file_name="o.csv",
            content=b"id,outcome\na,1\n",
            outcome_column="outcome",
        )


def test_infuse_analyse_rct_from_the_command_line(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    rows = ["unit,arm,paid,age"]
    for n in range(300):
        arm = ["control", "letter", "text"][n % 3]
        chance = {"control": 0.3, "letter": 0.35, "text": 0.6}[arm]
        rows.append(f"u{n},{arm},{int(rng.random() < chance)},{20 + n % 40}")
    data = tmp_path / "trial.csv"
    data.write_text("\n".join(rows) + "\n")
    result = CliRunner().invoke(
        app,
        ["analyse", "rct", str(data), "--outcome", "paid", "--arm", "arm", "--binary",
         "--control", "control", "--correction", "holm", "--permutations", "2000", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    comparisons = json.loads(result.stdout)["comparisons"]
    assert [c["arm"] for c in comparisons] == ["letter", "text"]
    text = comparisons[1]
    assert text["primary"]["ci_low"] > 0  # a 30-point rise with 100 per arm is clear
    assert text["risk_ratio"]["ratio"] > 1.4
    assert text["adjusted_p_value"] >= text["primary"]["p_value"]
    refused = CliRunner().invoke(app, ["analyse", "rct", str(data), "--outcome", "nope", "--json"])
    assert refused.exit_code == 1
    assert "nope" in json.loads(refused.stdout)["error"]


def test_bayesian_summary_by_hand() -> None:
    # Prior N(0, 1) and an estimate of 2 with standard error 1: equal precisions, so the
    # posterior is N(1, 1/2); P(effect > 0) = Phi(1 / sqrt(0.5)) = 0.92135.
    summary = analysis.bayesian_summary(2.0, 1.0, prior_sd=1.0, threshold=1.0)
    assert summary.posterior_mean == pytest.approx(1.0)
    assert summary.posterior_sd == pytest.approx(math.sqrt(0.5))
    assert summary.probability_above_zero == pytest.approx(0.92135, abs=1e-5)
    assert summary.probability_above_threshold == pytest.approx(0.5)
    flat = analysis.bayesian_summary(2.0, 1.0)
    assert (flat.posterior_mean, flat.posterior_sd) == (2.0, 1.0)
    with pytest.raises(AdaptionInputError):
        analysis.bayesian_summary(2.0, 1.0, prior_sd=0.0)


def test_cuped_keeps_the_effect_and_cuts_the_variance_by_the_pre_period_share() -> None:
    rng = np.random.default_rng(12)
    n = 4_000
    before = rng.normal(50, 10, n)
    treated = rng.permutation(np.arange(n) < n // 2)
    after = 0.8 * before + rng.normal(0, 6, n) + 2.0 * treated
    _welch, plain = analysis.difference_in_means(after, treated)
    adjusted = analysis.cuped(after, treated, before)
    rho = np.corrcoef(after, before)[0, 1]
    assert adjusted.estimate == pytest.approx(2.0, abs=4 * adjusted.standard_error)
    # Deng et al. (2013): the variance falls by the factor 1 - rho^2.
    assert (adjusted.standard_error / plain.standard_error) ** 2 == pytest.approx(
        1 - rho**2, rel=0.05
    )


def test_cluster_trials_report_cr2_and_the_wild_bootstrap_beside_cluster_means() -> None:
    rng = np.random.default_rng(13)
    rows = []
    for cluster in range(10):
        arm = "intervention" if cluster % 2 else "control"
        shift = rng.normal() + (0.5 if arm == "intervention" else 0.0)
        rows.extend((f"c{cluster}", arm, shift + rng.normal()) for _ in range(20))
    frame = pl.DataFrame(rows, schema=["ward", "arm", "score"], orient="row")
    [comparison] = analysis.itt_analysis(
        frame,
        arms=["control", "intervention"],
        arm_column="arm",
        outcome_column="score",
        outcome_type="continuous",
        cluster_column="ward",
        prior_sd=1.0,
    )
    methods = [estimate["method"] for estimate in comparison.estimates]
    assert methods == ["welch", "hc2", "cr2"]
    cr2 = comparison.estimates[2]
    # Ten equal clusters, five per arm: Bell-McCaffrey gives G - 2 = 8 degrees of freedom.
    assert cr2["degrees_of_freedom"] == pytest.approx(8.0, abs=1e-9)
    assert 0.0 < comparison.wild_bootstrap_p_value <= 1.0
    assert comparison.bayesian is not None and comparison.bayesian["prior_sd"] == 1.0


def _stepped_wedge_experiment(officer: User) -> Experiment:
    from infuse.adaption import services

    experiment = services.experiment_create(actor=officer, body=officer.body, title="Reports")
    services.experiment_update(
        actor=officer,
        experiment=experiment,
        values={
            "hypothesis": "Reports cut energy use",
            "primary_outcome": "kWh per month",
            "outcome_type": Experiment.OutcomeType.CONTINUOUS,
            "outcome_measure": "Smart meters",
            "outcome_timing": "Each period",
            "eligibility": "Wards",
            "power_summary": "12 wards",
            "design": Experiment.Design.STEPPED_WEDGE,
            "arms": [],
            "ratio": [],
            "cluster_column": "ward",
            "periods": 4,
        },
    )
    units = "ward,households\n" + "".join(f"w{n},{300 + n}\n" for n in range(12))
    services.units_upload(
        actor=officer, experiment=experiment, file_name="wards.csv", content=units.encode()
    )
    services.experiment_lock(actor=officer, experiment=experiment)
    services.experiment_randomise(actor=officer, experiment=experiment)
    return Experiment.objects.get(pk=experiment.pk)


def test_stepped_wedge_outcomes_on_the_page_allow_for_time(officer: User) -> None:
    experiment = _stepped_wedge_experiment(officer)
    with experiment.randomisation.allocation.open("rb") as stored:
        allocation = pl.read_csv(stored.read())
    rng = np.random.default_rng(21)
    rows = ["Ward,Quarter,kwh"]
    for ward, first in allocation.select("ward", "first_treated_period").iter_rows():
        level = rng.normal(300, 20)
        for quarter in range(1, 5):
            # Energy use falls 10 kWh a quarter everywhere; the reports save 15 more.
            value = level - 10 * quarter - (15 if quarter >= first else 0) + rng.normal(0, 2)
            rows.append(f"{ward},{quarter},{value:.1f}")
    client = Client()
    client.force_login(officer)
    upload = io.BytesIO(("\n".join(rows) + "\n").encode())
    upload.name = "quarters.csv"
    form = client.get(f"/en/adaption/experiments/{experiment.pk}/outcomes/").content.decode()
    assert "Period column" in form
    response = client.post(
        f"/en/adaption/experiments/{experiment.pk}/outcomes/",
        {"outcomes_file": upload, "outcome_column": "kwh", "period_column": "quarter"},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    record = OutcomeAnalysis.objects.get()
    effect = record.results["stepped_wedge"]["effect"]
    # Near the built-in -15 (the seed, so the schedule, differs each run), clearly below zero;
    # the trend of -10 a quarter is not mistaken for the effect.
    assert effect["estimate"] == pytest.approx(-15, abs=3)
    assert effect["ci_high"] < 0
    assert record.checks["clusters_with_outcomes"] == 12
    page = client.get(f"/en/adaption/experiments/{experiment.pk}/").content.decode()
    assert "Allowing for change over time" in page
    assert "Effect by time since each cluster started" in page
    assert "Chart of the average outcome by period" in page
    bad = io.BytesIO(b"ward,quarter,kwh\nw1,1,300\nw2,one,290\n")
    bad.name = "bad.csv"
    refused = client.post(
        f"/en/adaption/experiments/{experiment.pk}/outcomes/",
        {"outcomes_file": bad, "outcome_column": "kwh", "period_column": "quarter"},
    )
    assert refused.status_code == 200
    assert "Row 3" in refused.content.decode()
    assert OutcomeAnalysis.objects.count() == 1


def test_decision_summary_and_report_tell_what_happened(officer: User) -> None:
    from infuse.adaption import services
    from infuse.adaption.models import Innovation, InnovationEvidence
    from tests.adaption.support import experiment_world, stepped_wedge_outcomes

    world = experiment_world(officer)
    experiment, innovation = world["experiment"], world["innovation"]
    Innovation.objects.filter(pk=innovation.pk).update(evidence_level=2)
    client = Client()
    client.force_login(officer)
    assert client.get(f"/en/adaption/experiments/{experiment.pk}/decision/").status_code == 404
    services.outcomes_upload(
        actor=officer,
        experiment=experiment,
        file_name="kwh.csv",
        content=stepped_wedge_outcomes(experiment, saving=12.0),
        outcome_column="kwh",
    )
    refused = client.post(
        f"/en/adaption/experiments/{experiment.pk}/decision/", {"decision": "scale", "reason": ""}
    )
    assert refused.status_code == 200 and "govuk-error-summary" in refused.content.decode()
    done = client.post(
        f"/en/adaption/experiments/{experiment.pk}/decision/",
        {"decision": "scale", "reason": "Saves 4% of energy for £3 a home a year."},
    )
    assert done.status_code == 302
    evidence = InnovationEvidence.objects.get(experiment=experiment)
    assert evidence.level == 3
    innovation.refresh_from_db()
    assert innovation.evidence_level == 3  # a randomised comparison showing it works
    # The summary is private until the plan is published, then anyone can read it.
    summary_url = f"/en/adaption/experiments/{experiment.pk}/summary/"
    assert Client().get(summary_url).status_code == 404
    services.experiment_publish(actor=officer, experiment=experiment)
    page = Client().get(summary_url).content.decode()
    assert "Saves 4% of energy" in page
    assert "From allocation to analysis" in page
    assert "whatever the result" in page
    welsh = Client().get(f"/cy/adaption/experiments/{experiment.pk}/summary/").content.decode()
    assert "Y penderfyniad" in welsh
    report = Client().get(f"/en/adaption/experiments/{experiment.pk}/results.pdf")
    assert report["Content-Type"] == "application/pdf"
    assert report.content.startswith(b"%PDF")


def test_a_decision_to_stop_is_evidence_but_raises_no_level(officer: User) -> None:
    from infuse.adaption import services
    from infuse.adaption.models import Innovation, InnovationEvidence
    from tests.adaption.support import experiment_world, stepped_wedge_outcomes

    world = experiment_world(officer)
    experiment, innovation = world["experiment"], world["innovation"]
    Innovation.objects.filter(pk=innovation.pk).update(evidence_level=1)
    services.outcomes_upload(
        actor=officer,
        experiment=experiment,
        file_name="kwh.csv",
        content=stepped_wedge_outcomes(experiment, saving=0.0),
        outcome_column="kwh",
    )
    services.experiment_decide(
        actor=officer, experiment=experiment, decision="stop", reason="No saving at all."
    )
    assert InnovationEvidence.objects.get(experiment=experiment).summary.endswith(
        "No saving at all."
    )
    innovation.refresh_from_db()
    assert innovation.evidence_level == 1


def test_an_interrupted_time_series_plan_is_analysed_on_its_page(officer: User) -> None:
    from infuse.adaption import services

    experiment = services.experiment_create(actor=officer, body=officer.body, title="Ban")
    services.experiment_update(
        actor=officer,
        experiment=experiment,
        values={
            "hypothesis": "Admissions fall when the ban starts",
            "primary_outcome": "Admissions per month",
            "outcome_type": Experiment.OutcomeType.COUNT,
            "outcome_measure": "Hospital episode statistics",
            "outcome_timing": "Monthly",
            "eligibility": "Everyone",
            "power_summary": "36 months before, 24 after",
            "design": Experiment.Design.INTERRUPTED_TIME_SERIES,
            "non_randomised_plan": "Monthly admissions 36 months before and 24 after the ban; "
            "Poisson segmented regression.",
            "arms": [],
            "ratio": [],
        },
    )
    services.experiment_lock(actor=officer, experiment=experiment)
    rng = np.random.default_rng(4)
    rows = ["month,admissions"]
    for month in range(1, 61):
        rate = 800 * 1.003**month * (0.85 if month > 36 else 1.0)
        rows.append(f"{month},{rng.poisson(rate)}")
    client = Client()
    client.force_login(officer)
    form = client.get(f"/en/adaption/experiments/{experiment.pk}/outcomes/").content.decode()
    assert "Seasonal terms" in form and "Period column" not in form
    upload = io.BytesIO(("\n".join(rows) + "\n").encode())
    upload.name = "admissions.csv"
    response = client.post(
        f"/en/adaption/experiments/{experiment.pk}/outcomes/",
        {"outcomes_file": upload, "outcome": "admissions", "time": "month", "start": "37",
         "model": "poisson", "harmonics": 0},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[-1500:]
    level = OutcomeAnalysis.objects.get().results["quasi"]["result"]["level_change"]
    assert level["estimate"] == pytest.approx(0.85, abs=0.04)
    page = client.get(f"/en/adaption/experiments/{experiment.pk}/").content.decode()
    assert "changed by a factor of" in page
    assert 'src="data:image/svg+xml;base64,' in page
    summary = client.get(f"/en/adaption/experiments/{experiment.pk}/summary/").content.decode()
    assert "does not include 1" in summary
