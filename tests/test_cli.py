from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from infuse.accounts.models import User
from infuse.cli import app
from infuse.reference.models import Body

runner = CliRunner()


def run_json(*args: str, **kwargs: Any) -> Any:
    result = runner.invoke(app, [*args, "--json"], **kwargs)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.django_db(transaction=True)
def test_init_prepares_the_data_directory_and_is_safe_to_repeat() -> None:
    first = run_json("init")
    assert first["reference"]["bodies"]["created"] == 10
    assert Path(first["data_dir"]).is_dir()
    second = run_json("init")
    assert second["reference"]["bodies"] == {"created": 0, "updated": 0, "unchanged": 10}


@pytest.mark.django_db(transaction=True)
def test_load_reference_with_a_file_of_other_bodies(tmp_path: Path) -> None:
    bodies = tmp_path / "bodies.csv"
    bodies.write_text("code,name_en,kind\nE08000025,Birmingham,local_authority\n")
    result = run_json("load-reference", "--bodies", str(bodies))
    assert result["bodies_file"]["created"] == 1
    assert Body.objects.filter(code="E08000025").exists()


@pytest.mark.django_db(transaction=True)
def test_load_reference_reports_a_bad_file_without_a_trace(tmp_path: Path) -> None:
    bodies = tmp_path / "bodies.csv"
    bodies.write_text("code,name_en\nE1,\n")
    result = runner.invoke(app, ["load-reference", "--bodies", str(bodies), "--json"])
    assert result.exit_code == 1
    assert "Line 2" in json.loads(result.stdout)["error"]
    assert "Traceback" not in result.output


@pytest.mark.django_db(transaction=True)
def test_createuser_and_its_errors() -> None:
    run_json("load-reference")
    made = run_json(
        "createuser",
        "gwen",
        "--role",
        "analyst",
        "--body",
        "W06000015",
        "--password",
        "a long enough passphrase",
    )
    assert made["role"] == "analyst" and User.objects.get(username="gwen").body.code == "W06000015"
    for args, message in [
        (["gwen", "--password", "a long enough passphrase"], "already exists"),
        (["x", "--role", "king", "--password", "a long enough passphrase"], "Unknown role"),
        (["y", "--body", "NOPE", "--password", "a long enough passphrase"], "No public body"),
        (["z", "--role", "analyst", "--password", "short"], "too short"),
    ]:
        result = runner.invoke(app, ["createuser", *args, "--json"])
        assert result.exit_code == 1
        assert message in json.loads(result.stdout)["error"]


@pytest.mark.django_db(transaction=True)
def test_demo_builds_every_role_once() -> None:
    run_json("load-reference")
    first = run_json("demo", "--months", "1")
    assert {p["role"] for p in first["people"]} == {
        "participant",
        "facilitator",
        "programme_manager",
        "assessor",
        "analyst",
        "administrator",
    }
    assert len(first["users_created"]) == len(first["people"])
    assert first["spend_files"] == {"imported": 10, "already": 0}
    second = run_json("demo", "--months", "1")
    assert second["users_created"] == []
    assert second["spend_files"] == {"imported": 0, "already": 10}
    # The Adaption Lab's library and experiments arrive once: a locked, randomised, published
    # stepped-wedge trial across five authorities, and a draft.
    assert first["adaption"] == {"innovations": 12, "experiments": 2}
    assert second["adaption"] == {"innovations": 0, "experiments": 0}
    # Caerphilly's data question arrives once, however often the demo is built.
    assert first["datalab"] == {"data_questions": 1}
    assert second["datalab"] == {"data_questions": 0}
    from infuse.adaption.models import Experiment

    trial = Experiment.objects.get(design="stepped_wedge")
    assert trial.visibility == "public" and trial.randomisation.arm_counts
    assert sum(trial.randomisation.arm_counts.values()) == 40
    analysed = Experiment.objects.get(design="ab")
    assert analysed.analyses.get().results["comparisons"][0]["arm"] == "reminder with cost"
    carys = User.objects.get(username="carys")
    assert carys.check_password(first["password"]) and carys.body.code == "W06000018"
    # Caerphilly's analyst corrected one supplier's category once; it reaches the lines of
    # every spelling of that supplier.
    assert first["categories"]["corrections"] == 2 and second["categories"]["corrections"] == 0
    from infuse.procurement import selectors
    from infuse.procurement.spend_queries import SpendFilter

    analyst = User.objects.get(role="analyst", body__code="W06000018")
    waste = selectors.spend_lines(
        analyst,
        SpendFilter(
            bodies=("W06000018",),
            supplier_names=("Valleys Waste & Recycling Ltd", "Valleys Waste and Recycling Limited"),
        ),
    )
    assert {row["supplier"] for row in waste} == {
        "Valleys Waste & Recycling Ltd",
        "Valleys Waste and Recycling Limited",
    }
    assert {(row["category"], row["category_reason"]) for row in waste} == {
        ("Environmental Services", "correction")
    }
    # The tender demo shows a bid excluded after scoring: kept on record, not ranked.
    from infuse.tenders import selectors as tender_selectors
    from infuse.tenders.models import Bidder

    excluded = Bidder.objects.get(name="Gwent Street Lighting Ltd")
    assert excluded.withdrawn and "financial standing" in excluded.withdrawal_reason
    assert excluded.scores.count() == 12  # three evaluators, four criteria, kept
    ranked = [row["bidder"].name for row in tender_selectors.lot_result(excluded.lot).rows]
    assert ranked and "Gwent Street Lighting Ltd" not in ranked
