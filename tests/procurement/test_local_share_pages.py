"""The local share on the spend overview, the suppliers page, the CSV export, the API and the
command line: one figure everywhere, on a real database and store."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from typer.testing import CliRunner

from infuse.accounts.models import User
from infuse.cli import app
from infuse.procurement import selectors
from infuse.procurement.services import spend_import_run, spend_upload
from infuse.procurement.spend_queries import SpendFilter
from tests.conftest import CAERPHILLY, NEWPORT

# Caerphilly's ledger: CF83 lies wholly in Caerphilly, NP22 straddles Caerphilly and Blaenau
# Gwent (region, never the authority), CF37 lies wholly in Rhondda Cynon Taf (region), SA1 in
# Swansea (Wales, outside the region), BS1 has no Welsh postcode (outside Wales); one postcode
# cannot be read, one is missing, and an individual's payment is withheld.
LEDGER = (
    "Date,Supplier,Amount,Department,Postcode\n"
    "01/04/2025,Cwm Civils Ltd,1000.00,Highways,CF83 3GW\n"
    "02/04/2025,Taff Care Ltd,300.00,Social Care,CF37 1DL\n"
    "03/04/2025,Rhymney Buses Ltd,400.00,Education,NP22 3AU\n"
    "04/04/2025,Swansea Books Ltd,200.00,Corporate,SA1 1AA\n"
    "05/04/2025,Bristol Consulting Ltd,150.00,Corporate,BS1 4DJ\n"
    "06/04/2025,Mystery Supplies Ltd,100.00,Corporate,NOT KNOWN\n"
    "07/04/2025,Nowhere Ltd,50.00,Corporate,\n"
    "08/04/2025,Mr John Smith,300.00,Social Care,CF83 1AA\n"
    "02/05/2025,Cwm Civils Ltd,500.00,Highways,CF83 3GW\n"
)
TABLE = (
    "district,authority_code,authority_name,nation,complete,source\n"
    "CF83,W06000018,Caerphilly,Wales,yes,ons-nspl\n"
    "CF37,W06000016,Rhondda Cynon Taf,Wales,yes,ons-nspl\n"
    "NP22,W06000018,Caerphilly,Wales,yes,ons-nspl\n"
    "NP22,W06000019,Blaenau Gwent,Wales,yes,ons-nspl\n"
    "SA1,W06000011,Swansea,Wales,yes,ons-nspl\n"
)
# Pounds by part, all the spend and April only (the May payment is Cwm Civils').
ALL = {
    "authority": "1500.00",
    "region": "700.00",
    "wales": "200.00",
    "outside": "150.00",
    "unknown": "150.00",
    "withheld": "300.00",
}
TOTAL = Decimal("3000.00")


@pytest.fixture(autouse=True)
def districts_table(settings: Any, tmp_path: Path) -> Path:
    """A complete table for the districts of the ledger, used through the same setting a
    deployment points at a table built from the ONS postcode lookup."""
    path = tmp_path / "districts.csv"
    path.write_text(TABLE, encoding="utf-8")
    settings.POSTCODE_DISTRICTS_FILE = str(path)
    return path


@pytest.fixture
def analyst(make_user: Any) -> User:
    user = make_user("analyst", CAERPHILLY, username="dafydd")
    batch = spend_upload(actor=user, body=user.body, file_name="spend.csv", content=LEDGER.encode())
    spend_import_run(actor=user, batch=batch)
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_spend_overview_shows_the_local_share_with_its_unknown_part(analyst: User) -> None:
    html = client_for(analyst).get(f"/en/procurement/spend/?body={CAERPHILLY}").content.decode()
    assert "Local share of spend" in html
    for label in (
        "In the authority&#x27;s area",
        "Elsewhere in the region",
        "Elsewhere in Wales",
        "Outside Wales",
        "Place unknown",
        "Withheld (individual or redacted)",
    ):
        assert label in html, label
    assert "1,500.00" in html and "3,000.00" in html
    # The summary line beside the SME figures: 50% in the authority, 23% in the region.
    assert "Local share: 50% of this spend" in html and "place unknown: 5%" in html
    assert "Cardiff Capital Region" in html
    # Drill-down to the suppliers behind each part, the chart and the CSV.
    assert f"?body={CAERPHILLY}&amp;place=region" in html
    assert "/en/procurement/spend/chart/local.svg?" in html
    assert "/en/procurement/spend/local-share.csv?" in html
    # The method and the sources of the table are on the page.
    assert "How suppliers are placed" in html and "National Statistics Postcode Lookup" in html
    assert "does not yet place any district" not in html


def test_with_the_packaged_table_the_page_says_why_the_authority_shows_nothing(
    analyst: User, settings: Any
) -> None:
    settings.POSTCODE_DISTRICTS_FILE = ""
    html = client_for(analyst).get(f"/en/procurement/spend/?body={CAERPHILLY}").content.decode()
    assert "does not yet place any district wholly in Caerphilly" in html
    assert "Local share: 0% of this spend" in html
    local = selectors.spend_local_share(analyst, SpendFilter(bodies=(CAERPHILLY,)))
    assert local is not None and not local.table_places_body
    # No complete row for CF83, CF37, NP22 or SA1: the CF area lies wholly in Wales, so CF83
    # and CF37 count as Wales; NP and SA are only partly Welsh, so NP22 and SA1 are unknown.
    assert local.share.wales == Decimal("1800.00")  # 1,500 + 300
    assert local.share.outside == Decimal("150.00")
    assert local.share.unknown == Decimal("750.00")  # 400 + 200 + 100 + 50
    assert "Wikipedia" in html and "LD postcode area" in html


def test_the_figure_follows_the_filters(analyst: User) -> None:
    client = client_for(analyst)
    april = client.get(
        f"/en/procurement/spend/?body={CAERPHILLY}&date_from=2025-04-01&date_to=2025-04-30"
    ).content.decode()
    assert "Where the suppliers paid in the filtered spend are" in april
    assert "Local share: 40% of this spend" in april  # 1,000 of 2,500
    highways = client.get(
        f"/en/procurement/spend/?body={CAERPHILLY}&department=Highways"
    ).content.decode()
    assert "Local share: 100% of this spend" in highways


def test_the_page_in_welsh(analyst: User) -> None:
    html = client_for(analyst).get(f"/cy/procurement/spend/?body={CAERPHILLY}").content.decode()
    assert "Cyfran leol o'r gwariant" in html
    assert "Yn ardal yr awdurdod" in html and "Lleoliad anhysbys" in html
    assert "Y tu allan i Gymru" in html and "Mewn man arall yn y rhanbarth" in html
    assert "Cyfran leol: aeth 50% o'r gwariant hwn" in html
    assert "1,500.00" in html and "Caerffili" in html
    chart = client_for(analyst).get(f"/cy/procurement/spend/chart/local.svg?body={CAERPHILLY}")
    assert chart.status_code == 200 and "Lleoliad anhysbys" in chart.content.decode()


def test_the_chart_and_the_csv_give_the_same_figures(analyst: User) -> None:
    client = client_for(analyst)
    chart = client.get(f"/en/procurement/spend/chart/local.svg?body={CAERPHILLY}")
    assert chart.status_code == 200 and chart["Content-Type"] == "image/svg+xml"
    assert "Outside Wales" in chart.content.decode()
    export = client.get(f"/en/procurement/spend/local-share.csv?body={CAERPHILLY}")
    assert export.status_code == 200
    assert "attachment" in export["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    parts = {row["place"]: row for row in rows if row["place"] != "total"}
    assert {place: row["spend_gbp"] for place, row in parts.items()} == ALL
    assert sum(Decimal(row["spend_gbp"]) for row in parts.values()) == TOTAL
    assert next(row for row in rows if row["place"] == "total")["spend_gbp"] == "3000.00"
    assert parts["region"]["suppliers"] == "2" and parts["region"]["share"] == "0.2333"


def test_the_suppliers_behind_each_part(analyst: User) -> None:
    client = client_for(analyst)
    region = client.get(f"/en/procurement/suppliers/?body={CAERPHILLY}&place=region")
    html = region.content.decode()
    assert "Taff Care Ltd" in html and "Rhymney Buses Ltd" in html
    assert "Cwm Civils Ltd" not in html and "Bristol Consulting Ltd" not in html
    assert "Showing the suppliers counted as: Elsewhere in the region." in html
    unknown = client.get(
        f"/en/procurement/suppliers/?body={CAERPHILLY}&place=unknown"
    ).content.decode()
    assert "Mystery Supplies Ltd" in unknown and "Nowhere Ltd" in unknown
    everyone = client.get(f"/en/procurement/suppliers/?body={CAERPHILLY}").content.decode()
    assert "CF83 3GW" in everyone and "Spend by where Caerphilly's suppliers are" in everyone
    # A place that is not one is ignored, not an error.
    assert client.get("/en/procurement/suppliers/?place=mars").status_code == 200


def test_another_body_sees_the_same_figure_without_withheld_names(
    analyst: User, make_user: Any
) -> None:
    newport = client_for(make_user("analyst", NEWPORT))
    html = newport.get(f"/en/procurement/spend/?body={CAERPHILLY}").content.decode()
    assert "Local share: 50% of this spend" in html and "Mr John Smith" not in html
    assert "place=withheld" not in html


def test_the_api_gives_the_same_figure(analyst: User, make_user: Any) -> None:
    from infuse.accounts.services import api_token_create

    _token, own = api_token_create(actor=analyst, user=analyst, name="t")
    headers = {"authorization": f"Bearer {own}"}
    client = Client()
    suppliers = client.get("/api/procurement/suppliers", headers=headers).json()
    local = suppliers["local_share"]
    assert local["body"] == CAERPHILLY and local["region_code"] == "CCR"
    assert {part["place"]: part["amount"] for part in local["parts"]} == ALL
    assert Decimal(local["total"]) == TOTAL == sum(Decimal(p["amount"]) for p in local["parts"])
    assert local["local_share"] == pytest.approx(0.5)
    behind = client.get("/api/procurement/suppliers?place=outside", headers=headers).json()
    assert [c["name"] for c in behind["clusters"]] == ["Bristol Consulting Ltd"]
    april = client.get(
        "/api/procurement/spend/local-share?date_to=2025-04-30", headers=headers
    ).json()
    assert april["narrowed"] is True and april["authority"] == "1000.00"
    assert Decimal(april["total"]) == Decimal("2500.00")
    assert (
        client.get("/api/procurement/spend/local-share?body=W06000999", headers=headers).status_code
        == 404
    )
    assert client.get("/api/procurement/spend/local-share").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_the_command_line_gives_the_same_figure(
    reference: Any, tmp_path: Path, districts_table: Path
) -> None:
    runner = CliRunner()
    ledger = tmp_path / "spend.csv"
    ledger.write_text(LEDGER)
    assert runner.invoke(app, ["import-spend", str(ledger), "--body", CAERPHILLY]).exit_code == 0
    result = runner.invoke(app, ["spend-summary", "--body", CAERPHILLY, "--json"])
    assert result.exit_code == 0, result.output
    local = json.loads(result.stdout)["local_share"]
    assert {part["place"]: part["amount"] for part in local["parts"]} == ALL
    assert Decimal(local["total"]) == TOTAL
    april = json.loads(
        runner.invoke(
            app, ["spend-summary", "--body", CAERPHILLY, "--to", "2025-04-30", "--json"]
        ).stdout
    )["local_share"]
    assert april["authority"] == "1000.00" and april["narrowed"] is True
    human = runner.invoke(app, ["spend-summary", "--body", CAERPHILLY])
    assert "Local share: own authority 50.0%" in human.output
    suppliers = runner.invoke(app, ["suppliers", "--body", CAERPHILLY])
    assert "place unknown 5.0%" in suppliers.output


@pytest.mark.django_db
def test_the_command_line_builds_a_table_from_the_ons_lookup(tmp_path: Path) -> None:
    nspl = tmp_path / "nspl.csv"
    nspl.write_text(
        "pcds,laua,ctry,doterm\n"
        "CF83 3GW,W06000018,W92000004,\n"
        "NP22 3AU,W06000018,W92000004,\n"
        "NP22 4BB,W06000019,W92000004,\n"
    )
    out = tmp_path / "districts.csv"
    result = CliRunner().invoke(app, ["postcode-districts", str(nspl), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "file": str(out),
        "districts": 2,
        "rows": 3,
        "straddling": 1,
    }
    assert out.read_text().startswith("district,authority_code,authority_name,nation,complete")
    bad = tmp_path / "bad.csv"
    bad.write_text("postcode,la\nCF83 3GW,W06000018\n")
    refused = CliRunner().invoke(app, ["postcode-districts", str(bad), "--out", str(out), "--json"])
    assert refused.exit_code == 1 and "no column" in json.loads(refused.stdout)["error"]


def test_the_overview_of_suppliers_carries_the_places(analyst: User) -> None:
    overview = selectors.supplier_overview(analyst, analyst.body)
    assert overview is not None
    places = dict(
        zip(overview.profiles["name"].to_list(), overview.profiles["place"].to_list(), strict=True)
    )
    assert places["Cwm Civils Ltd"] == "authority" and places["Rhymney Buses Ltd"] == "region"
    assert places["Mr John Smith"] == "withheld"
