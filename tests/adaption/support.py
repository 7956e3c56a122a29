"""A small Adaption Lab world for page and browser tests, built through the services."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from infuse.adaption import services
from infuse.adaption.models import AdaptionAssessment, Experiment

WARDS = "ward,households,tenure\n" + "".join(
    f"W{number:02d},{300 + 11 * number},{'rent' if number % 2 else 'own'}\n" for number in range(12)
)


def experiment_world(officer: Any) -> dict[str, Any]:
    """A public innovation, a "test first" assessment, a locked and randomised stepped-wedge
    experiment, and a draft experiment, all of the officer's body."""
    innovation = services.innovation_save(
        actor=officer,
        body=officer.body,
        values={
            "title_en": "Home energy reports",
            "title_cy": "Adroddiadau ynni'r cartref",
            "problem_en": "Households use more energy than they need to.",
            "summary_en": "A regular letter comparing use with similar homes.",
            "where_en": "United States",
            "evidence_level": 4,
            "core_elements_en": "Comparison with neighbours\nRepeated reports",
            "adaptable_elements_en": "Wording",
            "visibility": "public",
        },
    )
    assessment = services.assessment_save(
        actor=officer,
        body=officer.body,
        innovation=innovation,
        fit={"need": {"rating": "good", "note": "High fuel poverty"}},
        decision=AdaptionAssessment.Decision.TEST_FIRST,
        decision_reason="Untested in Welsh valleys housing.",
    )
    experiment = Experiment.objects.get(assessment=assessment)
    experiment = services.experiment_update(
        actor=officer,
        experiment=experiment,
        values={
            "hypothesis": "Reports cut energy use.",
            "primary_outcome": "kWh per month",
            "outcome_measure": "Smart meters",
            "outcome_timing": "Each quarter",
            "eligibility": "Wards with smart meters",
            "unit": Experiment.Unit.WARD,
            "design": Experiment.Design.STEPPED_WEDGE,
            "cluster_column": "ward",
            "periods": 4,
            "power_summary": "16 people per ward per period",
            "estimator": Experiment.Estimator.MIXED_MODEL,
        },
    )
    services.units_upload(
        actor=officer, experiment=experiment, file_name="wards.csv", content=WARDS.encode()
    )
    services.experiment_lock(actor=officer, experiment=experiment)
    services.experiment_randomise(actor=officer, experiment=experiment)
    draft = services.experiment_create(actor=officer, body=officer.body, title="Draft trial")
    return {
        "innovation": innovation,
        "assessment": assessment,
        "experiment": experiment,
        "draft": draft,
    }


def stepped_wedge_outcomes(experiment: Experiment, saving: float) -> bytes:
    """Each ward's kWh in each of the world's four periods: a falling trend, and ``saving``
    less once the ward's reports start."""
    with experiment.randomisation.allocation.open("rb") as stored:
        allocation = pl.read_csv(stored.read())
    rng = np.random.default_rng(8)
    rows = ["ward,period,kwh"]
    for ward, first in allocation.select("ward", "first_treated_period").iter_rows():
        for period in range(1, 5):
            value = 300 - 5 * period - (saving if period >= first else 0) + rng.normal(0, 1)
            rows.append(f"{ward},{period},{value:.2f}")
    return ("\n".join(rows) + "\n").encode()
