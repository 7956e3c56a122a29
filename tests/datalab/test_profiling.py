"""Profiling files: the pure DuckDB module, the command line, and real files from ../shared."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from infuse.cli import app
from infuse.datalab.profiling import ProfileError, mask, profile_path

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
CABINET_OFFICE = SHARED_DATA / "spend" / "cabinet-office" / "2022-07.csv"
HEALTH_INDEX = SHARED_DATA / "indicators" / "wales_health_index_2025_scores_by_local_authority.csv"

PEOPLE = (
    "ref,full_name,contact,mobile,postcode,ni_number,date_of_birth,amount,paid_on,note\n"
    "1,Mr Rhys Evans,rhys.evans@example.org,07700 900123,CF83 1AB,AB123456C,1980-02-03,100,"
    "2025-01-05,a\n"
    "2,Ffion Jones,ffion@example.org,07700 900124,NP20 2CD,CE654321A,1975-06-07,110,2025-01-06, b\n"
    "3,Owain Lewis,owain@example.org,029 2088 1234,SA1 3EF,GB123456A,1990-11-12,120,2025-01-07,c\n"
    "4,Siân Hughes,sian@example.org,07700 900126,LL11 4GH,JK112233D,2001-01-01,130,2025-01-08,\n"
    "4,Siân Hughes,sian@example.org,07700 900126,LL11 4GH,JK112233D,2001-01-01,130,2025-01-08,\n"
    "5,,cerys@example.org,07700 900127,CF10 1AA,,1999-09-09,9000,05/01/2025,N/A\n"
)


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("profile") / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    return profile_path(path, today=dt.date(2025, 6, 1))


def col(profile: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in profile["column_profiles"] if c["name"] == name)


def test_types_gaps_distinct_values_and_duplicates(people: dict[str, Any]) -> None:
    assert people["rows"] == 6 and people["columns"] == 10 and people["duplicate_rows"] == 1
    assert col(people, "ref")["type"] == "integer"
    assert col(people, "amount")["type"] == "integer"
    assert col(people, "paid_on")["type"] == "date"
    assert col(people, "note")["type"] == "text"
    assert col(people, "full_name")["missing"] == 1
    assert col(people, "note")["missing"] == 3  # two empty cells and "N/A"
    assert col(people, "ref")["distinct"] == 5
    # Dates in two formats: both read, the minority format counts against consistency.
    assert col(people, "paid_on")["min"] == "2025-01-05"
    assert col(people, "paid_on")["consistent"] == 5


def test_outliers_follow_tukeys_fences(people: dict[str, Any]) -> None:
    amount = col(people, "amount")
    # Q1 = 112.5, Q3 = 130, IQR = 17.5: fences 86.25 and 156.25, so only 9000 is outside.
    assert amount["fences"] == pytest.approx([86.25, 156.25])
    assert amount["outliers"] == 1
    assert amount["max"] == 9000 and amount["mean"] == pytest.approx(9590 / 6)


def test_personal_data_is_flagged_by_name_and_by_values(people: dict[str, Any]) -> None:
    found = {entry["column"]: entry for entry in people["personal_data"]}
    assert found["full_name"]["kind"] == "name"
    assert found["contact"]["kind"] == "email" and found["contact"]["found_by"] == "values"
    assert found["mobile"]["kind"] == "phone" and found["mobile"]["found_by"] == "name and values"
    assert found["postcode"]["kind"] == "postcode"
    assert found["ni_number"]["kind"] == "ni_number"
    # GB is a prefix HMRC never issues, so only four of the five numbers match the format.
    assert found["ni_number"]["matching_values"] == 4
    assert found["date_of_birth"]["kind"] == "date_of_birth"
    assert "amount" not in found and "note" not in found


def test_the_profile_keeps_no_personal_values(people: dict[str, Any]) -> None:
    text = json.dumps(people, ensure_ascii=False)
    for value in (
        "rhys.evans@example.org",
        "Ffion Jones",
        "AB123456C",
        "CF83 1AB",
        "1980-02-03",
        "07700 900123",
    ):
        assert value not in text
    assert col(people, "date_of_birth")["min"] is None
    assert mask("rhys.evans@example.org") == "r•••.•••••@•••••••.•••"


def test_the_scorecard_has_six_dimensions_with_definitions(people: dict[str, Any]) -> None:
    scores = {entry["dimension"]: entry for entry in people["scorecard"]}
    assert list(scores) == [
        "completeness",
        "uniqueness",
        "validity",
        "consistency",
        "timeliness",
        "accuracy",
    ]
    assert all(entry["definition"] and entry["measure"] for entry in scores.values())
    assert scores["uniqueness"]["score"] == pytest.approx(5 / 6, abs=1e-4)
    assert scores["completeness"]["score"] == pytest.approx(55 / 60, abs=1e-4)
    assert scores["timeliness"]["score"] == 1.0  # newest date under a year before 1 June 2025
    assert 0 < scores["accuracy"]["score"] < 1


def test_an_xlsx_workbook_profiles_like_a_csv(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r, row in enumerate([["supplier", "amount"], ["Acme", 10.5], ["Bwyd Da", 20]]):
        sheet.write_row(r, 0, row)
    book.close()
    result = profile_path(path)
    assert result["rows"] == 2
    assert col(result, "amount")["type"] == "decimal" and col(result, "supplier")["type"] == "text"


def test_bad_files_raise_a_profile_error_with_a_reason(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("a,b\n")
    with pytest.raises(ProfileError) as caught:
        profile_path(empty)
    assert caught.value.code == "empty"
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(ProfileError) as caught:
        profile_path(broken)
    assert caught.value.code == "unreadable_xlsx"


def test_the_command_line_prints_json_and_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["profile", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["rows"] == 6 and len(data["scorecard"]) == 6
    table = runner.invoke(app, ["profile", str(path)])
    assert "suspected personal data" in table.stdout and "full_name" in table.stdout
    missing = runner.invoke(app, ["profile", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 1 and "No such file" in missing.output


@pytest.mark.skipif(not CABINET_OFFICE.exists(), reason="needs ../shared/data")
def test_a_real_spend_ledger() -> None:
    result = profile_path(CABINET_OFFICE)
    assert result["rows"] > 100
    assert col(result, "Supplier")["type"] == "text"
    assert col(result, "Amount")["type"] == "decimal"
    assert col(result, "Date")["type"] == "date"
    assert col(result, "Amount")["min"] >= 25000  # the Cabinet Office publishes over £25,000
    assert result["personal_data"] == []  # supplier names are organisations, not people


@pytest.mark.skipif(not HEALTH_INDEX.exists(), reason="needs ../shared/data")
def test_a_real_indicator_file() -> None:
    result = profile_path(HEALTH_INDEX)
    assert result["rows"] == 22  # the 22 authorities of Wales
    assert col(result, "ltla24_code")["type"] == "text"
    assert col(result, "ltla24_code")["distinct"] == 22
    assert col(result, "healthy_lives_score")["type"] == "decimal"
    assert col(result, "healthy_lives_quantile")["type"] == "integer"
    assert result["duplicate_rows"] == 0
