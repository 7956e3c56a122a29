"""The open indicator readers on the real published files (skipped without ../shared/data)
and on small messy files: every figure checked against the file, computed independently."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pytest

from infuse.datalab import indicators as ind
from infuse.datalab.indicators import IndicatorFileError, normalise_period


def test_periods_in_their_many_published_forms_become_one_form() -> None:
    assert normalise_period("2024") == ("2024", 2024)
    assert normalise_period("2023/24") == ("2023/24", 2024)
    assert normalise_period("2023-24") == ("2023/24", 2024)
    assert normalise_period("2021-22 and 2022-23") == ("2021/22–2022/23", 2023)
    assert normalise_period("2021-22 & 2022-23") == ("2021/22–2022/23", 2023)
    assert normalise_period("2021 to 2023") == ("2021–2023", 2023)
    assert normalise_period("2020-2022") == ("2020–2022", 2022)
    assert normalise_period("Spring term") == ("Spring term", None)


def test_the_deprived_bands_of_1909_small_areas() -> None:
    assert ind.band_limit(1909, 10) == 191
    assert ind.band_limit(1909, 20) == 382


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01\x02garbage", b"\x1f\x8b\x08broken gzip", b"Year,local-authority-code\n"],
)
def test_a_bad_file_is_refused_with_a_message(content: bytes) -> None:
    with pytest.raises(IndicatorFileError):
        ind.read_known(content, ind.CO2_FILE)


def test_a_co2_file_with_text_in_a_number_column_names_the_line() -> None:
    header = ["Year", "local-authority-code", "official-name", *ind.CO2_COLUMNS]
    row = ["2020", "CRF", "Cardiff", "lots", *["1"] * (len(ind.CO2_COLUMNS) - 1)]
    content = "\n".join(",".join(r) for r in (header, row)).encode()
    with pytest.raises(IndicatorFileError, match="Line 2"):
        ind.read_co2(content)


def test_a_statswales_export_without_its_year_is_refused() -> None:
    content = b",,Wales ,Cardiff \nSmoking ,Smoker ,12.8,13.1\n"
    with pytest.raises(IndicatorFileError, match="Year"):
        ind.read_statswales_lifestyles(content)


# ------------------------------------------------------------------ the real files


@pytest.fixture(scope="module")
def real(request: pytest.FixtureRequest) -> Path:
    from tests.conftest import SHARED_DATA

    if not (SHARED_DATA / "indicators" / ind.CO2_FILE).is_file():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


def test_the_welsh_authority_codes_match_mysociety(real: Path) -> None:
    with (real / "geography" / "uk_local_authorities_current.csv").open(encoding="utf-8") as f:
        welsh = {
            row["local-authority-code"]: row["gss-code"]
            for row in csv.DictReader(f)
            if row["nation"] == "Wales" and row["current-authority"] == "True"
        }
    assert welsh == {code: gss for code, (gss, _name) in ind.WELSH_AUTHORITIES.items()}
    assert len(welsh) == 22


def test_cardiff_2020_co2_equals_the_file(real: Path) -> None:
    content = (real / "indicators" / ind.CO2_FILE).read_bytes()
    with gzip.open(io.BytesIO(content), "rt", encoding="utf-8") as f:
        row = next(
            r
            for r in csv.DictReader(f)
            if r["Year"] == "2020" and r["local-authority-code"] == "CRF"
        )
    reading = ind.read_co2(content)
    got = {
        (v.indicator): v.value
        for v in reading.values
        if (v.area, v.period) == ("W06000015", "2020")
    }
    assert got["co2-total"] == float(row["Total Emissions:kt CO2"])
    assert got["co2-per-person"] == float(row["Per Person Emissions:t"])
    assert round(got["co2-total"], 1) == 1358.5
    # Only the 22 Welsh authorities, 16 years each.
    assert {v.area for v in reading.values} == set(ind.NAME_BY_GSS)
    assert len({v.period for v in reading.values}) == 16


def test_the_wimd_roll_up_counts_small_areas_independently(real: Path) -> None:
    lookup_path = real / "geography" / ind.LOOKUP_FILE
    scores_path = real / "indicators" / ind.WIMD_FILE
    with lookup_path.open(encoding="utf-8") as f:
        la_of = {
            r["Lower Layer Super Output Area (LSOA) Code"]: r["Local Authority (LA) Code"]
            for r in csv.DictReader(f)
        }
    with scores_path.open(encoding="utf-8") as f:
        scores = [(float(r["WIMD 2019"]), r["LSOA Code"]) for r in csv.DictReader(f)]
    assert len(scores) == 1909
    most_deprived = [code for _score, code in sorted(scores, reverse=True)[:191]]
    newport = [code for code in la_of if la_of[code] == "W06000022"]
    expected = 100 * sum(1 for code in most_deprived if la_of[code] == "W06000022") / len(newport)
    reading = ind.read_wimd(scores_path.read_bytes(), ind.read_lookup(lookup_path.read_bytes()))
    got = {(v.indicator, v.area): v.value for v in reading.values}
    assert got[("wimd-overall-index-10", "W06000022")] == pytest.approx(expected)
    # Every domain has both bands for all 22 authorities, and nothing is an averaged score.
    assert len(reading.indicators) == 18 and len(reading.values) == 18 * 22
    assert all(0 <= v.value <= 100 for v in reading.values)


def test_the_statswales_export_gives_the_known_cells(real: Path) -> None:
    reading = ind.read_statswales_lifestyles(
        (real / "indicators" / ind.LIFESTYLES_FILE).read_bytes()
    )
    got = {(v.indicator, v.area): v for v in reading.values}
    smoker = "lifestyle-smoking-e-cigarette-use-smoker"
    assert got[(smoker, ind.WALES)].value == 12.804476
    assert got[(smoker, "W06000001")].value == 8.930633  # Isle of Anglesey
    assert got[(smoker, ind.WALES)].period_label == "2021-22 & 2022-23"
    # The group heading rows of "." are not indicators; health boards are left out.
    assert not any(code.endswith("use-") for code, _a in got)
    assert {v.area for v in reading.values} == {*ind.NAME_BY_GSS, ind.WALES}


def test_the_health_index_keeps_the_published_period(real: Path) -> None:
    reading = ind.read_health_index((real / "indicators" / ind.HEALTH_FILE).read_bytes())
    assert len(reading.indicators) == 42
    first = next(
        v
        for v in reading.values
        if v.indicator == "health-lives-alcohol-misuse" and v.area == "W06000019"
    )
    assert (first.value, first.period, first.period_label) == (366.0, "2023/24", "2023/24")
    labels = {(v.period_label, v.period) for v in reading.values}
    assert ("2021-22 and 2022-23", "2021/22–2022/23") in labels
