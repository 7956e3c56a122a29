"""Cardinal's indicators: every fixture of open-contracting/cardinal-rs gives its expected output.

The fixtures live in ``../shared/data/ocds/cardinal-rs-fixtures`` (not copied into the repository);
the tests skip cleanly without them. Cardinal's own test harness derives each fixture's settings
from its file name (``R003-threshold-10`` → ``[R003] threshold = 10``;
``R003-procurement_method_details-x-5-y-10`` → a ``[R003.procurement_method_details]`` table;
``+`` separates pipe-separated values) and always sets
``no_price_comparison_procurement_methods = NPC`` and
``[exclusions] procurement_method_details = EXC``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infuse.procurement import redflags as rf

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "ocds" / "cardinal-rs-fixtures"
FIXTURES = SHARED / "tests" / "fixtures" / "indicators"
EXAMPLES = SHARED / "docs" / "examples"


def _fixture_names() -> list[str]:
    return sorted(p.stem for p in FIXTURES.glob("*.jsonl")) if FIXTURES.is_dir() else ["(absent)"]


def settings_for(name: str) -> str:
    parts = name.replace("+", "|").split("-")
    ident, rest = parts[0], parts[1:]
    lines = [
        "no_price_comparison_procurement_methods = NPC",
        "[exclusions]",
        "procurement_method_details = EXC",
        f"[{ident}]",
    ]
    if len(rest) == 2:
        lines.append(f"{rest[0]} = {rest[1]}")
    elif len(rest) > 2:
        lines.append(f"[{ident}.{rest[0]}]")
        lines += [f"{k} = {v}" for k, v in zip(rest[1::2], rest[2::2], strict=True)]
    return "\n".join(lines) + "\n"


@pytest.mark.needs_shared
@pytest.mark.parametrize("name", _fixture_names())
def test_cardinal_fixture_gives_expected_output(name: str) -> None:
    if not FIXTURES.is_dir():
        pytest.skip("shared/data/ocds/cardinal-rs-fixtures is not present")
    expected_text = (FIXTURES / f"{name}.expected").read_text().strip()
    expected = json.loads(expected_text) if expected_text else {}
    report = rf.run(FIXTURES / f"{name}.jsonl", rf.parse_settings(settings_for(name)))
    assert report.cardinal(meta=False) == expected
    # Every result carries the evidence that raised it.
    for group, rows in report.results.items():
        for key, codes in rows.items():
            for code in codes:
                assert report.evidence[(group, key, code)], (group, key, code)


@pytest.mark.needs_shared
@pytest.mark.skipif(
    not EXAMPLES.is_dir(), reason="shared/data/ocds/cardinal-rs-fixtures is not present"
)
def test_documentation_examples_flag_their_example_case() -> None:
    # Each example in Cardinal's documentation (docs/cli/indicators/R/*.md) is built so that its
    # indicator flags the case named "F" (a contracting process or a tenderer), or tenderer/buyer
    # that the page describes; with the example's own .ini when it has one.
    flagged_key = {"025": "F", "028": "F", "030": "F", "035": "F", "038": "B", "048": "F"}
    for jsonl in sorted((EXAMPLES / "R").glob("*.jsonl")):
        ini = jsonl.with_suffix(".ini")
        settings = rf.load_settings(ini if ini.is_file() else EXAMPLES / "settings.ini")
        report = rf.run(jsonl, settings)
        code = "R" + jsonl.stem
        key = flagged_key.get(jsonl.stem, "F")
        hits = [g for g, rows in report.results.items() if code in rows.get(key, {})]
        assert hits, (code, report.cardinal())


def test_meta_carries_rounded_quartiles_and_fence(tmp_path: Path) -> None:
    # Nine processes: two with equal winning and second bids, seven with a 100-fold difference.
    lines = []
    for i, second in enumerate([1, 1, 101, 101, 101, 101, 101, 101, 101]):
        lines.append(
            {
                "ocid": f"p{i}",
                "bids": {
                    "details": [
                        {
                            "status": "valid",
                            "tenderers": [{"id": "W"}],
                            "value": {"amount": 1, "currency": "GBP"},
                        },
                        {
                            "status": "valid",
                            "tenderers": [{"id": "L"}],
                            "value": {"amount": second, "currency": "GBP"},
                        },
                    ]
                },
                "awards": [{"status": "active", "suppliers": [{"id": "W"}]}],
            }
        )
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    report = rf.run(path, rf.parse_settings("[R024]\n"))
    assert report.meta["R024"] == {"q1": 66.6667, "q3": 100.0, "lower_fence": 16.6667}
    assert report.results["OCID"] == {"p0": {"R024": 0.0}, "p1": {"R024": 0.0}}
    evidence = report.evidence[("OCID", "p0", "R024")]
    assert evidence["lower_fence"] == pytest.approx(16.6667, abs=1e-4)
    assert evidence["winning_bid"] == 1 and evidence["second_lowest_valid_bid"] == 1
    # A fixed threshold replaces the fence.
    fixed = rf.run(path, rf.parse_settings("[R024]\nthreshold = 200\n"))
    assert len(fixed.results["OCID"]) == 9


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[R999]\n", "unknown section"),
        ("[R024]\nthreshold = lots\n", "must be a number"),
        ("[R024]\nfences = 1\n", "unknown setting"),
        ("colour = red\n", "unknown setting"),
        ("[R024\n", "not a valid settings"),
    ],
)
def test_bad_settings_are_refused_with_a_reason(text: str, fragment: str) -> None:
    with pytest.raises(rf.SettingsError, match=fragment):
        rf.parse_settings(text)


def test_a_file_without_json_objects_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "settings.jsonl"
    path.write_text("[R003]\nthreshold = 1\n")
    with pytest.raises(rf.InputError, match="JSON object"):
        rf.run(path, rf.parse_settings("[R003]\n"))
    with pytest.raises(rf.InputError, match="no such file"):
        rf.run(tmp_path / "missing.jsonl", rf.parse_settings("[R003]\n"))
