"""Field coverage counted as Cardinal's ``coverage`` command counts it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infuse.cli import app
from infuse.procurement import ocds_coverage
from infuse.procurement.ocds_coverage import (
    coverage_of_bytes,
    coverage_of_file,
    coverage_of_range,
    line_start_ranges,
)

FIXTURES = "ocds/cardinal-rs-fixtures/tests/fixtures/coverage"


def test_every_cardinal_coverage_fixture_gives_cardinals_counts(shared_data: Path) -> None:
    inputs = sorted((shared_data / FIXTURES).glob("*.jsonl"))
    assert len(inputs) >= 30
    for path in inputs:
        expected = json.loads(path.with_suffix(".expected").read_text())
        assert coverage_of_file(str(path)) == expected, path.name


def test_empty_values_and_nesting_are_counted_as_cardinal_does() -> None:
    data = b'{"a": [1, 2, null], "b": {"c": ""}, "d": false}\n\nnot json\n{"a": []}\n'
    assert coverage_of_bytes(data) == {"": 1, "/": 1, "/a": 1, "/a[]": 2, "/d": 1}


@pytest.mark.parametrize("as_json", [True, False])
def test_coverage_command(tmp_path: Path, as_json: bool) -> None:
    path = tmp_path / "releases.jsonl"
    path.write_text('{"ocid": "ocds-1", "tender": {"title": "Gritting"}}\n{"ocid": ""}\n')
    result = CliRunner().invoke(app, ["coverage", str(path), *(["--json"] if as_json else [])])
    assert result.exit_code == 0, result.output
    if as_json:
        assert json.loads(result.output) == {
            "": 1,
            "/": 1,
            "/ocid": 1,
            "/tender": 1,
            "/tender/": 1,
            "/tender/title": 1,
        }
    else:
        assert "/tender/title" in result.output


def test_coverage_command_refuses_a_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["coverage", str(tmp_path / "none.jsonl"), "--json"])
    assert result.exit_code == 1
    assert "error" in json.loads(result.output)


def test_counting_a_file_in_parts_gives_the_same_counts_as_one_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Lines of different lengths, a blank line, a broken line and no newline at the end, so
    # that cuts fall inside lines and at their ends.
    lines = [
        json.dumps({"ocid": f"ocds-{i}", "tender": {"items": [{"id": str(i)}] * (i % 4)}})
        for i in range(40)
    ]
    lines[7], lines[19] = "", "{broken"
    path = tmp_path / "releases.jsonl"
    path.write_text("\n".join(lines))
    whole = coverage_of_range(str(path), 0, path.stat().st_size)
    assert whole["/ocid"] == 38
    for parts in range(1, 9):
        ranges = line_start_ranges(str(path), parts)
        assert ranges[0][0] == 0 and ranges[-1][1] == path.stat().st_size
        summed: Counter[str] = Counter()
        for start, end in ranges:
            summed.update(coverage_of_range(str(path), start, end))
        assert dict(summed) == whole, parts
    # The real thing: worker processes, forced on for a small file.
    monkeypatch.setattr(ocds_coverage, "PARALLEL_FROM_BYTES", 0)
    assert coverage_of_file(str(path), processes=2) == whole
