"""Supply-chain carbon pages, services and exports through the Django test client."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from infuse.accounts.models import User
from infuse.procurement import selectors, services
from infuse.procurement.models import CarbonExclusionRule, CarbonFactorSet, SupplierEmissions
from infuse.procurement.services import spend_import_run, spend_upload
from tests.conftest import CAERPHILLY, NEWPORT

LEDGER = (
    "Date,Supplier,Amount,Department,Expense Type,Proclass Code\n"
    "01/04/2025,Cwm Civils Ltd,1000.00,Highways,Road repairs,390000\n"
    "02/04/2025,CWM CIVILS LIMITED,500.00,Highways,Road repairs,390000\n"
    "04/04/2025,Gwent Power Ltd,800.00,Property,Electricity,371000\n"
    "06/04/2025,Dragon Office Supplies,90.00,Corporate,Sundries,\n"
    "07/04/2025,Newport City Council,300.00,Corporate,Shared service,\n"
    "08/04/2025,Cwm Civils Ltd,-100.00,Highways,Road repairs,390000\n"
)


@pytest.fixture
def analyst(make_user: Any) -> User:
    user = make_user("analyst", CAERPHILLY, username="dafydd")
    batch = spend_upload(actor=user, body=user.body, file_name="april.csv", content=LEDGER.encode())
    spend_import_run(actor=user, batch=batch)
    services.carbon_factor_set_builtin()
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_overview_shows_totals_breakdowns_exclusions_and_method(analyst: User) -> None:
    client = client_for(analyst)
    html = client.get(f"/en/procurement/carbon/?body={CAERPHILLY}").content.decode()
    assert "Supply-chain emissions" in html and "tCO2e" in html
    assert "Works - Construction, Repair &amp; Maintenance" in html and "Utilities" in html
    assert "Payments to other public bodies" in html and "Refunds and credit notes" in html
    assert "could not be placed in a category" in html  # Dragon Office Supplies' sundries
    assert "UK carbon footprint: conversion factors by SIC code" in html
    lines = client.get(f"/en/procurement/carbon/lines/?body={CAERPHILLY}&category=Utilities")
    text = lines.content.decode()
    assert "Gwent Power Ltd" in text and "35.1" in text and "Cwm Civils" not in text
    welsh = client.get(f"/cy/procurement/carbon/?body={CAERPHILLY}")
    assert welsh.status_code == 200
    assert client.get(f"/en/procurement/carbon/chart.svg?body={CAERPHILLY}").status_code == 200


def test_annual_return_as_csv_xlsx_and_pdf(analyst: User) -> None:
    client = client_for(analyst)
    csv_text = client.get(f"/en/procurement/carbon/{CAERPHILLY}/return.csv?year=2025")
    rows = csv_text.content.decode().splitlines()
    assert rows[0] == "category,tier,spend_gbp,tco2e,tco2e_low,tco2e_high,lines"
    assert any(r.startswith("Utilities,1,800.00,") for r in rows)
    report = selectors.carbon_return(analyst, analyst.body, 2025)
    assert report is not None
    assert sum(r["tco2e"] for r in report["rows"]) == pytest.approx(report["totals"].tco2e)
    xlsx = client.get(f"/en/procurement/carbon/{CAERPHILLY}/return.xlsx")
    assert xlsx.content[:2] == b"PK"
    pdf = client.get(f"/en/procurement/carbon/{CAERPHILLY}/return.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    assert client.get(f"/en/procurement/carbon/{CAERPHILLY}/return.doc").status_code == 404


def test_rules_switch_and_add_change_the_figures(analyst: User) -> None:
    client = client_for(analyst)
    before = selectors.carbon_return(analyst, analyst.body, None)
    assert before is not None
    client.post(
        f"/en/procurement/carbon/{CAERPHILLY}/rules/",
        {"action": "switch", "key": "standard:public-bodies", "enabled": "0"},
    )
    page = client.post(
        f"/en/procurement/carbon/{CAERPHILLY}/rules/",
        {"field": "expense_type", "pattern": "(unclosed", "reason": "Bad"},
    )
    assert "not a valid regular expression" in page.content.decode()
    client.post(
        f"/en/procurement/carbon/{CAERPHILLY}/rules/",
        {"field": "expense_type", "pattern": "sundries", "reason": "Petty cash"},
    )
    assert CarbonExclusionRule.objects.filter(owner_body=analyst.body).count() == 1
    after = selectors.carbon_return(analyst, analyst.body, None)
    assert after is not None
    reasons = {r["reason"] for r in after["exclusions"]}
    assert "Petty cash" in reasons and "Payments to other public bodies" not in reasons
    own = CarbonExclusionRule.objects.get(owner_body=analyst.body)
    client.post(
        f"/en/procurement/carbon/{CAERPHILLY}/rules/", {"action": "remove", "rule": str(own.pk)}
    )
    assert not CarbonExclusionRule.objects.filter(owner_body=analyst.body).exists()
    assert after["totals"].in_scope_spend == pytest.approx(
        before["totals"].in_scope_spend + 300 - 90
    )


def test_other_bodies_cannot_change_rules_or_figures(analyst: User, make_user: Any) -> None:
    newport = client_for(make_user("analyst", NEWPORT))
    assert newport.get(f"/en/procurement/carbon/{CAERPHILLY}/rules/").status_code == 404
    assert newport.get(f"/en/procurement/carbon/{CAERPHILLY}/return.csv").status_code == 404
    # Caerphilly's spend is shared with the region, so its figures are there to compare.
    assert newport.get(f"/en/procurement/carbon/?body={CAERPHILLY}").status_code == 200
    response = newport.post(
        f"/en/procurement/carbon/{CAERPHILLY}/rules/",
        {"action": "switch", "key": "standard:refunds", "enabled": "0"},
    )
    assert response.status_code == 404


def test_supplier_figure_replaces_the_estimate_for_its_spellings(analyst: User) -> None:
    overview = selectors.supplier_overview(analyst, analyst.body)
    assert overview is not None
    cwm = next(
        r["cluster_id"]
        for r in overview.profiles.iter_rows(named=True)
        if r["name"].startswith("Cwm")
    )
    client = client_for(analyst)
    response = client.post(
        f"/en/procurement/carbon/{CAERPHILLY}/suppliers/",
        {
            "cluster_id": cwm,
            "kind": "reported",
            "reported_tco2e": "100",
            "revenue_gbp": "1000000",
            "year": "2024",
            "source": "Annual report 2024",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    figure = SupplierEmissions.objects.get()
    assert figure.kgco2e_per_gbp == pytest.approx(0.1) and figure.tier == 3
    report = selectors.carbon_return(analyst, analyst.body, None)
    assert report is not None
    tier3 = [r for r in report["rows"] if r["tier"] == 3]
    # Both spellings (1,000 + 500; the credit note is excluded) at 0.1 kg/£.
    assert tier3 and tier3[0]["spend_gbp"] == pytest.approx(1500)
    assert tier3[0]["tco2e"] == pytest.approx(0.15)
    # Withdrawn, the figure stays on record and the supplier is spend-based again.
    client.post(
        f"/en/procurement/carbon/{CAERPHILLY}/suppliers/",
        {"action": "withdraw", "figure": str(figure.pk)},
    )
    figure.refresh_from_db()
    assert figure.withdrawn_at is not None
    again = selectors.carbon_return(analyst, analyst.body, None)
    assert again is not None and not [r for r in again["rows"] if r["tier"] == 3]


def test_factor_set_upload_compare_and_switch(analyst: User) -> None:
    client = client_for(analyst)
    content = b"sic_code,description,kgco2e_per_gbp\n35.1,Electricity,4.0\n42.99,Works,0.5\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/en/procurement/carbon/factors/",
        {
            "file": SimpleUploadedFile("mine.csv", content),
            "name": "Test set",
            "version": "1",
            "base_year": "2022",
            "source": "Made for a test",
            "licence": "OGL v3.0",
        },
    )
    assert response.status_code == 302
    new = CarbonFactorSet.objects.get(name="Test set")
    page = client.get(f"/en/procurement/carbon/factors/{new.pk}/").content.decode()
    assert "What changes if your body switches to this set" in page and "4.000" in page
    client.post(f"/en/procurement/carbon/factors/{new.pk}/")
    assert selectors.carbon_factor_set_of(analyst.body) == new
    bad = client.post(
        "/en/procurement/carbon/factors/",
        {
            "file": SimpleUploadedFile("bad.csv", b"nothing,here\n1,2\n"),
            "name": "Bad",
            "version": "1",
            "base_year": "2022",
            "source": "x",
            "licence": "x",
        },
    )
    assert "No column of kgCO2e per £ was found" in bad.content.decode()
    assert CarbonFactorSet.objects.count() == 2


def test_command_line_and_api_give_the_same_return(analyst: User) -> None:
    import json

    from typer.testing import CliRunner

    from infuse.accounts.services import api_token_create
    from infuse.cli import app

    result = CliRunner().invoke(app, ["carbon-report", "--body", CAERPHILLY, "--json"])
    assert result.exit_code == 0, result.output
    from_cli = json.loads(result.output)
    assert {r["category"] for r in from_cli["rows"]} >= {"Utilities"}
    _token, secret = api_token_create(actor=analyst, user=analyst, name="carbon")
    response = Client().get(
        f"/api/procurement/carbon/return?body={CAERPHILLY}",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 200
    assert response.json()["tco2e"] == pytest.approx(from_cli["tco2e"])
    missing = CliRunner().invoke(app, ["carbon-report", "--body", "W99999999", "--json"])
    assert missing.exit_code != 0 and "W99999999" in missing.output


def test_hot_spots_scenario_and_region(analyst: User, make_user: Any) -> None:
    client = client_for(analyst)
    html = client.get(f"/en/procurement/carbon/hot-spots/?body={CAERPHILLY}").content.decode()
    assert "Categories making up 80 per cent of emissions" in html and "Utilities" in html
    response = client.post(
        f"/en/procurement/carbon/{CAERPHILLY}/scenarios/",
        {
            "name": "Cleaner power",
            "base_year": "2025",
            "shift_category": "Utilities",
            "shift_percent": "50",
            "shift_intensity": "0",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/en/procurement/carbon/{CAERPHILLY}/scenarios/").content.decode()
    assert "Cleaner power" in page and "2030" in page
    scenario = selectors.carbon_scenarios(analyst.body).get()
    path = selectors.carbon_scenario_path(analyst, scenario)
    assert path is not None and path[0]["scenario"] == pytest.approx(path[0]["baseline"])
    utilities = next(r.tco2e for r in carbon_overview_rows(analyst) if r.label == "Utilities")
    assert path[-1]["baseline"] - path[-1]["scenario"] == pytest.approx(0.5 * utilities)
    chart = client.get(f"/en/procurement/carbon/{CAERPHILLY}/scenarios/{scenario.pk}/chart.svg")
    assert chart.status_code == 200 and b"<svg" in chart.content
    client.post(
        f"/en/procurement/carbon/{CAERPHILLY}/scenarios/",
        {"action": "delete", "scenario": str(scenario.pk)},
    )
    assert not selectors.carbon_scenarios(analyst.body).exists()
    # Across the region: every body the user sees, per £ and per resident.
    newport = make_user("analyst", NEWPORT)
    batch = spend_upload(
        actor=newport,
        body=newport.body,
        file_name="n.csv",
        content=b"Date,Supplier,Amount,Expense Type\n01/05/2025,Gwent Power,400.00,Electricity\n",
    )
    spend_import_run(actor=newport, batch=batch)
    html = client.get("/en/procurement/carbon/?body=").content.decode()
    assert "kgCO2e per resident" in html and "Newport" in html


def carbon_overview_rows(user: User) -> list[Any]:
    from infuse.procurement import carbon
    from infuse.procurement.spend_queries import SpendFilter

    overview = selectors.carbon_overview(
        user,
        [user.body],
        carbon.CarbonFilter(spend=SpendFilter(bodies=(CAERPHILLY,)), financial_year=2025),
    )
    assert overview is not None
    return overview.by_category
