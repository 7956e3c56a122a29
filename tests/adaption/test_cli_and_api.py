"""`infuse power`, `infuse randomise` and the Adaption Lab API, against published values.

Reference values: R 4.x ``stats`` help examples, ``example(power.t.test)`` and
``example(power.prop.test)``:
  power.t.test(n = 20, delta = 1)                    -> power = 0.8689528
  power.t.test(power = .90, delta = 1)               -> n = 22.02110
  power.prop.test(n = 50, p1 = .50, p2 = .75)        -> power = 0.7401659
  power.prop.test(p1 = .50, p2 = .75, power = .90)   -> n = 76.7 (the help page's comment)
Design effect 1 + (m - 1) ICC (Donner, Birkett & Buck 1981): m = 20, ICC = 0.05 -> 1.95.
Tolerance: 1e-6 absolute on powers and 1e-4 on solved sizes (R prints 7 significant digits).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from typer.testing import CliRunner

from infuse.cli import app

runner = CliRunner()


def _power(*arguments: str) -> dict[str, Any]:
    result = runner.invoke(app, ["power", *arguments, "--json"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def test_two_means_power_matches_r_power_t_test() -> None:
    answer = _power("two-means", "--delta", "1", "--sd", "1", "--n", "20")
    assert answer["solved_for"] == "power"
    assert answer["result"]["power"] == pytest.approx(0.8689528, abs=1e-6)


def test_two_means_sample_size_matches_r_when_solving_for_n() -> None:
    answer = _power("two-means", "--delta", "1", "--power", "0.9")
    assert answer["result"]["n"] == pytest.approx(22.02110, abs=1e-4)
    assert answer["result"]["n_rounded_up"] == 23
    assert "23 people in each group" in answer["headline"]


def test_two_proportions_match_r_power_prop_test() -> None:
    power = _power("two-proportions", "--n", "50", "--p1", "0.5", "--p2", "0.75")
    assert power["result"]["power"] == pytest.approx(0.7401659, abs=1e-6)
    size = _power("two-proportions", "--p1", "0.5", "--p2", "0.75", "--power", "0.9")
    assert size["result"]["n"] == pytest.approx(76.7, abs=0.05)
    assert size["result"]["n_rounded_up"] == 77


def test_cluster_design_uses_the_design_effect_and_explains_few_clusters() -> None:
    answer = _power(
        "cluster", "--cluster-size", "20", "--icc", "0.05", "--delta", "0.3", "--power", "0.8"
    )
    assert answer["result"]["design_effect"] == pytest.approx(1.95, abs=1e-12)
    few = answer["few_clusters"]
    assert few["number_of_clusters"] == 2 * answer["result"]["clusters_per_arm_rounded_up"]
    assert few["degrees_of_freedom"] == few["number_of_clusters"] - 2


@pytest.mark.parametrize(
    "arguments",
    [
        ["stepped-wedge", "--clusters", "10", "--periods", "6", "--icc", "0.05", "--delta",
         "0.3", "--power", "0.8"],
        ["multi-arm", "--arms", "3", "--delta", "0.5", "--power", "0.8"],
        ["simulation", "--model", "stepped-wedge", "--clusters", "10", "--periods", "6",
         "--icc", "0.05", "--delta", "0.3", "--n", "16", "--simulations", "2000"],
        ["simulation", "--model", "individual", "--n", "20", "--delta", "1"],
        ["simulation", "--model", "cluster", "--clusters", "8", "--n", "20", "--icc", "0.05",
         "--delta", "0.5"],
    ],
)  # fmt: skip
def test_every_design_answers_with_a_rising_power_curve(arguments: list[str]) -> None:
    answer = _power(*arguments)
    powers = [point["power"] for point in answer["curve"]["points"]]
    assert len(powers) >= 5
    # Power rises with size (simulated curves share random numbers, so allow MC noise).
    assert powers[-1] > powers[0]
    assert all(0 <= power <= 1 for power in powers)


def test_simulated_power_agrees_with_the_exact_t_test_power() -> None:
    simulated = _power(
        "simulation", "--model", "individual", "--n", "20", "--delta", "1",
        "--simulations", "4000",
    )  # fmt: skip
    # R: power.t.test(n = 20, delta = 1) = 0.8689528; 4 Monte Carlo SEs at 4,000 trials ~ 0.021.
    assert simulated["result"]["power"] == pytest.approx(0.8689528, abs=0.022)


def test_bad_power_requests_say_what_is_wrong() -> None:
    result = runner.invoke(app, ["power", "two-means", "--delta", "1", "--json"])
    assert result.exit_code == 1
    assert "Give all but one of n, delta, power" in json.loads(result.stdout)["error"]
    result = runner.invoke(app, ["power", "two-means", "--delta", "1", "--n", "20", "--p1",
                                 "0.2", "--json"])  # fmt: skip
    assert "does not take p1" in json.loads(result.stdout)["error"]
    result = runner.invoke(app, ["power", "two-means", "--delta", "1", "--power", "1.5",
                                 "--json"])  # fmt: skip
    assert "between 0 and 1" in json.loads(result.stdout)["error"]


UNITS = "id,area,tenure,rent\n" + "".join(
    f"P{n:04d},A{n % 5},{'council' if n % 3 else 'private'},{300 + (n * 37) % 400}\n"
    for n in range(400)
)


def _randomise(tmp_path: Path, *arguments: str) -> dict[str, Any]:
    units = tmp_path / "units.csv"
    units.write_text(UNITS)
    result = runner.invoke(app, ["randomise", str(units), *arguments, "--json"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def test_the_same_seed_gives_the_same_allocation_and_strata_are_balanced(tmp_path: Path) -> None:
    arguments = ("--design", "stratified", "--strata", "area,tenure", "--seed", "2026")
    first = _randomise(tmp_path, *arguments)
    again = _randomise(tmp_path, *arguments)
    other = _randomise(tmp_path, "--design", "stratified", "--strata", "area,tenure",
                       "--seed", "2027")  # fmt: skip
    assert first["record"]["allocation_sha256"] == again["record"]["allocation_sha256"]
    assert first["allocation"] == again["allocation"]
    assert first["record"]["allocation_sha256"] != other["record"]["allocation_sha256"]
    assert first["arm_counts"] == {"control": 200, "intervention": 200}
    by_stratum: dict[tuple[str, str], list[int]] = {}
    units = {row["id"]: row for row in csv.DictReader(io.StringIO(UNITS))}
    for row in first["allocation"]:
        unit = units[row["id"]]
        counts = by_stratum.setdefault((unit["area"], unit["tenure"]), [0, 0])
        counts[row["arm"] == "intervention"] += 1
    # Permuted blocks of 4 or 6 keep every stratum within half a block of equal.
    assert all(abs(control - treated) <= 3 for control, treated in by_stratum.values())
    assert {row["covariate"] for row in first["balance"]} >= {"rent", "area", "tenure"}


def test_stepped_wedge_schedule_and_csv_output(tmp_path: Path) -> None:
    out = tmp_path / "allocation.csv"
    answer = _randomise(
        tmp_path, "--design", "stepped-wedge", "--cluster", "area", "--periods", "6",
        "--seed", "7", "--out", str(out),
    )  # fmt: skip
    assert "allocation" not in answer
    schedule = answer["schedule"]
    assert len(schedule) == 5 * 6
    treated_by_period = [
        sum(c["treated"] for c in schedule if c["period"] == p) for p in range(1, 7)
    ]
    assert treated_by_period == [0, 1, 2, 3, 4, 5]
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 400


def test_randomise_refuses_a_bad_units_file_with_the_reason(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_text("id,area\nP1,A\nP1,B\n")
    result = runner.invoke(
        app, ["randomise", str(units), "--design", "simple", "--seed", "1", "--json"]
    )
    assert result.exit_code == 1
    assert "appear more than once" in json.loads(result.stdout)["error"]


def test_power_through_the_api_matches_the_command_line(
    api_client: tuple[Client, dict[str, str]],
) -> None:
    client, auth = api_client
    response = client.post(
        "/api/adaption/power/two-means",
        {"delta": 1, "sd": 1, "n": 20},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200
    assert response.json()["result"]["power"] == pytest.approx(0.8689528, abs=1e-6)
    refused = client.post(
        "/api/adaption/power/two-means",
        {"delta": 1},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="cy",
        **auth,
    )
    assert refused.status_code == 400
    assert "n, delta, power" in refused.json()["detail"]


def test_randomise_through_the_api(api_client: tuple[Client, dict[str, str]]) -> None:
    client, auth = api_client
    upload = io.BytesIO(UNITS.encode())
    upload.name = "units.csv"
    response = client.post(
        "/api/adaption/randomise",
        {"units": upload, "design": "blocked", "seed": 11, "ratio": "2:1", "block_sizes": "3,6"},
        **auth,
    )
    assert response.status_code == 200, response.content
    counts = response.json()["arm_counts"]
    assert sum(counts.values()) == 400
    assert abs(counts["control"] - 2 * counts["intervention"]) <= 6
