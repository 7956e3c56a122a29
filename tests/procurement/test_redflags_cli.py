"""`infuse redflags FILE --settings INI [--json]`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from infuse.cli import app

runner = CliRunner()

RELEASES = [
    {
        "ocid": "short",
        "tender": {
            "tenderPeriod": {"startDate": "2025-01-01T00:00:00Z", "endDate": "2025-01-05T00:00:00Z"}
        },
    },
    {
        "ocid": "long",
        "tender": {
            "tenderPeriod": {"startDate": "2025-01-01T00:00:00Z", "endDate": "2025-02-05T00:00:00Z"}
        },
    },
    {
        "ocid": "over",
        "tender": {"value": {"amount": 10000, "currency": "GBP"}},
        "awards": [
            {
                "status": "active",
                "value": {"amount": 30000, "currency": "GBP"},
                "suppliers": [{"id": "S"}],
            }
        ],
    },
]


def _files(tmp_path: Path, ini: str) -> tuple[Path, Path]:
    data = tmp_path / "compiled.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in RELEASES) + "\n")
    settings = tmp_path / "settings.ini"
    settings.write_text(ini)
    return data, settings


def test_json_output_is_cardinal_shape(tmp_path: Path) -> None:
    data, settings = _files(tmp_path, "[R003]\nthreshold = 15\n[UK001]\n")
    result = runner.invoke(app, ["redflags", str(data), "--settings", str(settings), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["OCID"] == {"short": {"R003": 1.0}, "over": {"UK001": 3.0}}


def test_human_summary_shows_the_evidence(tmp_path: Path) -> None:
    data, settings = _files(tmp_path, "[R003]\n")
    result = runner.invoke(app, ["redflags", str(data), "--settings", str(settings)])
    assert result.exit_code == 0
    assert "3 compiled releases checked; 1 red flags raised." in result.output
    assert "threshold_days" in result.output


def test_bad_settings_and_bad_file_fail_with_a_message(tmp_path: Path) -> None:
    data, settings = _files(tmp_path, "[R024]\nthreshold = lots\n")
    result = runner.invoke(app, ["redflags", str(data), "--settings", str(settings), "--json"])
    assert result.exit_code == 1
    assert "must be a number" in json.loads(result.stdout)["error"]
    assert "Traceback" not in result.output
    settings.write_text("[R003]\n")
    result = runner.invoke(app, ["redflags", str(settings), "--settings", str(settings), "--json"])
    assert result.exit_code == 1
    assert "cannot be read" in json.loads(result.stdout)["error"]
