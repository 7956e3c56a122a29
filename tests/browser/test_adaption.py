"""An officer plans an experiment in the browser: works out the sample size, saves it to the
plan, locks the plan, uploads wards and randomises, all by clicking."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from infuse.adaption import services
from infuse.adaption.models import Experiment
from tests.adaption.support import WARDS
from tests.conftest import CAERPHILLY

pytestmark = pytest.mark.browser


def test_officer_powers_locks_and_randomises_an_experiment(
    page: Any, context: Any, make_user: Any, sign_in_as: Any, tmp_path: Path
) -> None:
    officer = make_user("participant", CAERPHILLY, first_name="Carys", last_name="Price")
    experiment = services.experiment_create(
        actor=officer, body=officer.body, title="Reminder letters for bulky waste"
    )
    services.experiment_update(
        actor=officer,
        experiment=experiment,
        values={
            "hypothesis": "A reminder cuts missed collections.",
            "primary_outcome": "Days to collection",
            "outcome_measure": "Waste system records",
            "outcome_timing": "Four weeks after booking",
            "eligibility": "All wards",
            "unit": Experiment.Unit.WARD,
            "design": Experiment.Design.CLUSTER,
            "cluster_column": "ward",
        },
    )
    sign_in_as(context, officer)

    page.goto(f"/en/adaption/experiments/{experiment.pk}/")
    page.get_by_role("link", name="Work out the sample size").click()
    page.get_by_role("link", name="Cluster-randomised").click()
    page.get_by_role("radio", name="Clusters in each arm").check()
    page.get_by_label("People in each cluster").fill("120")
    page.get_by_label("Intracluster correlation (ICC)").fill("0.02")
    page.get_by_role("textbox", name="Difference to detect").fill("0.3")
    page.get_by_role("textbox", name="Power", exact=True).fill("0.8")
    page.get_by_role("button", name="Calculate").click()
    expect(page.locator(".govuk-panel")).to_contain_text("clusters in each arm")
    expect(page.locator("main")).to_contain_text("Few clusters?")
    expect(page.locator("img.infuse-chart")).to_be_visible()
    page.get_by_role("button", name="Save to the plan").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved to the plan")

    units = tmp_path / "wards.csv"
    units.write_text(WARDS)
    page.get_by_role("link", name="Upload the list of units").click()
    page.get_by_label("List of units").set_input_files(str(units))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("main")).to_contain_text("12 units")

    page.get_by_role("link", name="Lock the analysis plan").click()
    page.get_by_role("button", name="Lock the plan").click()
    expect(page.locator("main")).to_contain_text("Fingerprint (SHA-256)")

    page.get_by_role("button", name="Randomise now").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Units allocated")
    counts = page.locator("table", has_text="Units in each arm")
    expect(counts).to_contain_text("control")
    expect(counts).to_contain_text("6")
    experiment.refresh_from_db()
    assert experiment.randomisation.arm_counts == {"control": 6, "intervention": 6}
