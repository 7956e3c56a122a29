"""The Indicator explorer end to end: `infuse load-open-data` on the real files (skipped
without ../shared/data), the pages in English and Welsh, the CSV, the API and the links."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from typer.testing import CliRunner

from infuse.audit.models import AuditEntry
from infuse.cli import app
from infuse.datalab.indicator_services import indicators_load
from infuse.datalab.models import Indicator, IndicatorLink, IndicatorValue
from infuse.demo.indicators import sample_reading
from tests.challenges import support as challenge_support
from tests.conftest import CAERPHILLY, SHARED_DATA

from .support import data_question

runner = CliRunner()
needs_shared = pytest.mark.skipif(
    not (SHARED_DATA / "indicators").is_dir(), reason="../shared/data is not present"
)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer(make_user: Any) -> Any:
    return make_user("participant", CAERPHILLY)


@pytest.fixture
def sample(reference: Any) -> None:
    indicators_load(actor=None, readings=[sample_reading()], sample=True)


def state() -> list[Any]:
    return sorted(
        IndicatorValue.objects.values_list("indicator__code", "area_code", "period", "value")
    )


@needs_shared
@pytest.mark.django_db
def test_load_open_data_on_the_real_files_then_again_changes_nothing(
    reference: Any, make_user: Any, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["load-open-data", str(SHARED_DATA), "--json"])
    assert result.exit_code == 0, result.output
    first = json.loads(result.stdout)
    assert len(first["files"]) == 5 and first["added"] > 5000
    cardiff = IndicatorValue.objects.get(
        indicator__code="co2-total", area_code="W06000015", period="2020"
    )
    assert round(cardiff.value, 2) == 1358.45
    assert Indicator.objects.filter(code__startswith="wimd-").count() == 18
    before, audits = state(), AuditEntry.objects.count()
    again = json.loads(runner.invoke(app, ["load-open-data", str(SHARED_DATA), "--json"]).stdout)
    assert (again["added"], again["updated"], again["removed"], again["indicators"]) == (0, 0, 0, 0)
    assert state() == before and AuditEntry.objects.count() == audits

    # A bad file among good ones loads nothing and says which file.
    (tmp_path / "indicators").mkdir()
    shutil.copy(
        SHARED_DATA / "indicators" / "wales_health_index_2025_scores_by_local_authority.csv",
        tmp_path / "indicators",
    )
    (tmp_path / "indicators" / "uk_local_authority_co2_emissions_2005_2020.csv.gz").write_bytes(
        b"\x1f\x8bnot gzip"
    )
    bad = runner.invoke(app, ["load-open-data", str(tmp_path), "--json"])
    assert bad.exit_code == 1 and "Traceback" not in bad.output
    assert "uk_local_authority_co2_emissions" in json.loads(bad.stdout)["error"]
    assert state() == before

    # The explorer shows the real figure and the per-resident figure, with Wales where known.
    client = client_for(make_user("participant", CAERPHILLY))
    page = client.get("/en/datalab/indicators/co2-total/?period=2020").content.decode()
    assert "1358.45" in page and "3.68" in page  # 1358.45 kt / 369.202 thousand residents
    lifestyle = client.get(
        "/en/datalab/indicators/lifestyle-smoking-e-cigarette-use-smoker/"
    ).content.decode()
    assert "Wales" in lifestyle and "12.80" in lifestyle and "2021-22 &amp; 2022-23" in lifestyle


@pytest.mark.django_db
def test_the_explorer_in_english_and_welsh_with_a_chart_table_and_csv(
    sample: None, officer: Any
) -> None:
    client = client_for(officer)
    listing = client.get("/en/datalab/indicators/").content.decode()
    assert "Accelerating Decarbonisation" in listing and "CO2 emissions, all sectors" in listing
    assert "infuse load-open-data" in listing  # only the sample is loaded: say how to load more
    page = client.get("/en/datalab/indicators/co2-total/").content.decode()
    assert "Cardiff Capital Region" in page and "2020" in page
    assert "1358.50" in page and "3.68" in page  # per resident from the sample's population
    assert 'src="/en/datalab/indicators/co2-total/chart.svg?period=2020"' in page
    welsh = client.get("/cy/datalab/indicators/co2-total/").content.decode()
    assert "Allyriadau CO2, pob sector" in welsh
    download = client.get("/en/datalab/indicators/co2-total/data.csv")
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    cardiff = [r for r in rows if r["area_code"] == "W06000015" and r["period"] == "2019"]
    assert cardiff[0]["value"] == "1546.5" and "BEIS" in cardiff[0]["publisher"]
    assert client.get("/en/datalab/indicators/no-such/").status_code == 404


@pytest.mark.django_db
def test_the_csv_download_is_safe_in_a_spreadsheet(reference: Any, officer: Any) -> None:
    reading = sample_reading()
    reading.indicators[0] = type(reading.indicators[0])(
        **{**reading.indicators[0].__dict__, "publisher": "=HYPERLINK(1)"}
    )
    indicators_load(actor=None, readings=[reading])
    text = client_for(officer).get("/en/datalab/indicators/co2-total/data.csv").content.decode()
    assert "'=HYPERLINK(1)" in text


@pytest.mark.django_db
def test_an_officer_links_an_indicator_to_their_data_question(sample: None, officer: Any) -> None:
    question = data_question(officer)
    client = client_for(officer)
    response = client.post(
        "/en/datalab/indicators/co2-total/link/", {"question": question.pk}, follow=True
    )
    assert "Linked to the data question" in response.content.decode()
    assert question.title in response.content.decode()
    assert IndicatorLink.objects.filter(question=question).count() == 1
    challenge = challenge_support.challenge(officer, title="Cooler homes")
    response = client.post(
        "/en/datalab/indicators/co2-total/link/", {"challenge": challenge.pk}, follow=True
    )
    assert "Linked to the challenge" in response.content.decode()
    assert IndicatorLink.objects.filter(challenge=challenge).count() == 1
    assert AuditEntry.objects.filter(action="datalab.indicator_linked").count() == 2


@pytest.mark.django_db
def test_an_officer_cannot_link_another_bodys_question(
    sample: None, officer: Any, make_user: Any
) -> None:
    other = data_question(make_user("participant", "W06000022"))
    response = client_for(officer).post(
        "/en/datalab/indicators/co2-total/link/", {"question": other.pk}, follow=True
    )
    assert "Choose a data question you can change" in response.content.decode()
    assert not IndicatorLink.objects.exists()


@pytest.mark.django_db
def test_the_api_lists_indicators_and_values_for_signed_in_callers(
    sample: None, officer: Any
) -> None:
    assert Client().get("/api/datalab/indicators").status_code == 401
    client = client_for(officer)
    listed = client.get("/api/datalab/indicators?theme=decarbonisation").json()
    assert {i["code"] for i in listed} == {"co2-total", "population"}
    values = client.get("/api/datalab/indicators/co2-total?period=2020&area=W06000015").json()
    assert values["periods"] == ["2019", "2020"]
    assert values["values"] == [
        {
            "area_code": "W06000015",
            "area": "Cardiff",
            "group": "highlighted",
            "period": "2020",
            "period_as_published": "2020",
            "value": 1358.5,
            "per_resident": pytest.approx(1358.5 / 369.2),
        }
    ]
    assert client.get("/api/datalab/indicators/nothing").status_code == 404
