"""The Adaption Lab's part of the demonstration workspace.

A library of twelve innovations (``innovations.json``, bilingual); Caerphilly's assessment of
home energy reports that decided to test first, and the experiment it started: a stepped-wedge
trial across the wards of five authorities, designed, powered, locked and randomised; Torfaen's
assessment of Local Area Coordination (adapt); and Newport's A/B test of bulky-waste
reminders, run to the end and analysed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from infuse.accounts.models import User
from infuse.adaption import services
from infuse.adaption.models import AdaptionAssessment, Experiment, Innovation
from infuse.adaption.power_requests import power_answer
from infuse.reference.models import Body, Theme, WellbeingGoal

LIBRARY = Path(__file__).with_name("innovations.json")
LEAD_BODY = "W06000021"  # Monmouthshire leads the programme and keeps the shared library
FIVE_AUTHORITIES = ("W06000018", "W06000022", "W06000020", "W06000019", "W06000024")


def demo_adaption() -> dict[str, int]:
    """Build the Adaption Lab demo once; building again changes nothing."""
    if Innovation.objects.exists():
        return {"innovations": 0, "experiments": 0}
    with transaction.atomic():
        innovations = _library()
        experiments = _caerphilly_trial(innovations["home-energy-reports"])
        _torfaen_assessment(innovations["local-area-coordination"])
        experiments += _newport_trial()
    return {"innovations": len(innovations), "experiments": experiments}


def _library() -> dict[str, Innovation]:
    data = json.loads(LIBRARY.read_text(encoding="utf-8"))
    author = User.objects.get(username="huw")
    body = Body.objects.get(code=LEAD_BODY)
    themes = {theme.slug: theme for theme in Theme.objects.all()}
    goals = {goal.number: goal for goal in WellbeingGoal.objects.all()}
    made = {}
    for entry in data["innovations"]:
        values = {
            key: value for key, value in entry.items() if key not in {"key", "themes", "goals"}
        }
        made[entry["key"]] = services.innovation_save(
            actor=author,
            body=body,
            values={**values, "visibility": "public"},
            themes=[themes[slug] for slug in entry["themes"]],
            goals=[goals[number] for number in entry["goals"]],
        )
    return made


def _caerphilly_trial(innovation: Innovation) -> int:
    carys = User.objects.get(username="carys")
    fit = {
        "need": {"rating": "good", "note": "Fuel poverty is high in the northern valleys."},
        "population": {"rating": "partial", "note": "Older housing stock than in the trials."},
        "capacity": {"rating": "good", "note": "The energy team can send letters with bills."},
        "cost": {"rating": "good", "note": "About £3 a household a year."},
        "data": {"rating": "partial", "note": "Smart meter data only for consenting homes."},
        "legal": {"rating": "good", "note": "Data protection impact assessment needed."},
        "welsh_language": {"rating": "good", "note": "Reports will be bilingual."},
    }
    assessment = services.assessment_save(
        actor=carys,
        body=carys.body,
        innovation=innovation,
        fit=fit,
        adaptations="Bilingual reports; comparisons with homes of the same age and type; tips "
        "on draught-proofing valleys terraces.",
        risks="Savings may be smaller in homes already rationing energy; we will watch for "
        "households cutting heating below safe levels.",
        decision=AdaptionAssessment.Decision.TEST_FIRST,
        decision_reason="Strong evidence elsewhere, but not tested in Welsh valleys housing; "
        "five authorities want to adopt in turn, so a stepped-wedge trial fits.",
    )
    experiment = Experiment.objects.get(assessment=assessment)
    power = power_answer(
        "stepped-wedge",
        {"clusters": 40, "periods": 5, "icc": 0.02, "delta": 0.15, "power": 0.8},
    )
    services.experiment_update(
        actor=carys,
        experiment=experiment,
        values={
            "title": "Home energy reports across five authorities",
            "hypothesis": "Households that receive quarterly home energy reports use less gas "
            "and electricity than households that do not yet receive them.",
            "primary_outcome": "Household energy use (kWh per month, gas and electricity)",
            "outcome_type": Experiment.OutcomeType.CONTINUOUS,
            "outcome_measure": "Smart meter readings of consenting households, averaged per "
            "month; standardised by the baseline standard deviation.",
            "outcome_timing": "Each three-month period of the trial",
            "secondary_outcomes": "Share of households in fuel poverty\nCalls to energy advice",
            "unit": Experiment.Unit.WARD,
            "eligibility": "Wards with at least 300 households with smart meters in Caerphilly, "
            "Newport, Torfaen, Blaenau Gwent and Merthyr Tydfil.",
            "design": Experiment.Design.STEPPED_WEDGE,
            "arms": [],
            "ratio": [],
            "cluster_column": "ward",
            "periods": 5,
            "power_design": power.design,
            "power_inputs": {**power.inputs, "solved_for": power.solved_for},
            "power_summary": power.headline.text(),
            "estimator": Experiment.Estimator.MIXED_MODEL,
            "covariates": ["baseline_kwh"],
            "correction": Experiment.Correction.NONE,
            "stopping_rule": "Ends after the fifth quarter; stopped early if complaints about "
            "the reports exceed 1% of households.",
        },
    )
    wards = "ward,authority,households,baseline_kwh\n" + "".join(
        f"{code}-{number:02d},{code},{320 + (number * 53) % 400},{250 + (number * 37) % 120}\n"
        for code in FIVE_AUTHORITIES
        for number in range(1, 9)
    )
    services.units_upload(
        actor=carys, experiment=experiment, file_name="wards.csv", content=wards.encode()
    )
    services.experiment_lock(actor=carys, experiment=experiment)
    randomisation = services.experiment_randomise(actor=carys, experiment=experiment)
    services.experiment_publish(actor=carys, experiment=experiment)
    _caerphilly_trial_outcomes(carys, experiment, randomisation)
    return 1


def _caerphilly_trial_outcomes(carys: User, experiment: Experiment, randomisation: Any) -> None:
    """Fifteen months later: average kWh per household per month for every ward and quarter.
    Use falls everywhere through the period (a mild winter, prices); wards use about 3% less
    once their reports start, a little more after the first quarter."""
    import numpy as np

    with randomisation.allocation.open("rb") as stored:
        lines = stored.read().decode("utf-8-sig").splitlines()
    header = lines[0].split(",")
    ward_at, first_at = header.index("ward"), header.index("first_treated_period")
    baseline = {
        f"{code}-{number:02d}": 250 + (number * 37) % 120
        for code in FIVE_AUTHORITIES
        for number in range(1, 9)
    }
    rng = np.random.default_rng(2025)
    rows = ["ward,quarter,kwh_per_household"]
    for line in lines[1:]:
        cells = line.split(",")
        ward, first = cells[ward_at], int(cells[first_at])
        for quarter in range(1, 6):
            exposure = quarter - first
            saving = 0.0 if exposure < 0 else (0.025 if exposure == 0 else 0.035)
            kwh = baseline[ward] * (1 - 0.02 * quarter) * (1 - saving) + rng.normal(0, 3)
            rows.append(f"{ward},{quarter},{kwh:.1f}")
    services.outcomes_upload(
        actor=carys,
        experiment=experiment,
        file_name="energy-use-by-ward-and-quarter.csv",
        content=("\n".join(rows) + "\n").encode(),
        outcome_column="kwh_per_household",
        period_column="quarter",
    )
    services.experiment_decide(
        actor=carys,
        experiment=experiment,
        decision=Experiment.Decision.SCALE,
        reason="Wards used about 3% less energy once their reports started, more after the "
        "first quarter, at about £3 a household a year. All five authorities will send "
        "the reports to every ward with smart meters from April; Caerphilly will watch "
        "for households cutting heating below safe levels.",
    )


def _torfaen_assessment(innovation: Innovation) -> None:
    sian = User.objects.get(username="sian")
    services.assessment_save(
        actor=sian,
        body=sian.body,
        innovation=innovation,
        fit={
            "need": {"rating": "good", "note": "Rising isolation among older people."},
            "capacity": {"rating": "partial", "note": "Two coordinators to start with."},
            "welsh_language": {"rating": "partial", "note": "Recruit Welsh speakers."},
        },
        adaptations="Start in two wards with the community connectors team as hosts.",
        risks="Coordinators drawn into statutory casework.",
        decision=AdaptionAssessment.Decision.ADAPT,
        decision_reason="Swansea's experience shows it fits Welsh services; our connectors "
        "team already does part of the role.",
    )


def _newport_trial() -> int:
    """Newport's A/B test of bulky-waste reminders, run to the end: outcomes analysed."""
    import numpy as np

    owen = User.objects.get(username="owen")
    experiment = services.experiment_create(
        actor=owen, body=owen.body, title="Bulky-waste collection reminders"
    )
    experiment = services.experiment_update(
        actor=owen,
        experiment=experiment,
        values={
            "hypothesis": "Saying what a missed collection costs cuts missed collections.",
            "primary_outcome": "Collection missed because the item was not put out (1 yes, 0 no)",
            "outcome_type": Experiment.OutcomeType.BINARY,
            "outcome_measure": "Crew reports in the waste management system",
            "outcome_timing": "On the booked collection day",
            "unit": Experiment.Unit.HOUSEHOLD,
            "eligibility": "Households booking a bulky-waste collection, January to March",
            "design": Experiment.Design.AB,
            "arms": ["standard reminder", "reminder with cost"],
            "ratio": [1, 1],
            "covariates": ["items"],
            "power_summary": "You need 293 people in each group (586 in all) to detect a "
            "change from 20% to 12% with 80% power.",
            "stopping_rule": "Ends when 600 households have booked.",
        },
    )
    households = "booking,ward,items\n" + "".join(
        f"B{number:04d},W{number % 20:02d},{1 + number % 4}\n" for number in range(600)
    )
    services.units_upload(
        actor=owen, experiment=experiment, file_name="bookings.csv", content=households.encode()
    )
    services.experiment_lock(actor=owen, experiment=experiment)
    randomisation = services.experiment_randomise(actor=owen, experiment=experiment)
    with randomisation.allocation.open("rb") as stored:
        lines = stored.read().decode("utf-8-sig").splitlines()
    header = lines[0].split(",")
    booking, arm = header.index("booking"), header.index("arm")
    rng = np.random.default_rng(2026)
    outcomes = ["booking,missed"]
    for line in lines[1:]:
        cells = line.split(",")
        chance = 0.12 if cells[arm] == "reminder with cost" else 0.2
        if rng.random() < 0.03:
            continue  # the crew report is missing for a few bookings
        outcomes.append(f"{cells[booking]},{int(rng.random() < chance)}")
    services.outcomes_upload(
        actor=owen,
        experiment=experiment,
        file_name="collections-jan-mar.csv",
        content=("\n".join(outcomes) + "\n").encode(),
        outcome_column="missed",
    )
    return 1
