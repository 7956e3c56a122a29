"""Reading OCDS files and merging their releases (pure, no database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infuse.procurement.ocds_reading import (
    CODELISTS,
    COMPILED_RELEASE,
    MERGE_RULES,
    RECORD_PACKAGE,
    RELEASE,
    RELEASE_PACKAGE,
    OcdsFileError,
    compile_releases,
    read_ocds,
    versioned_releases,
)

REALDATA = "ocds/ocdskit-realdata"


def _release(ocid: str = "ocds-abc-1", release_id: str = "1", **fields: object) -> dict:
    return {"ocid": ocid, "id": release_id, "date": "2025-01-01T00:00:00Z", "tag": ["tender"]} | (
        fields
    )


def _bytes(value: object) -> bytes:
    return json.dumps(value).encode()


def test_ocdskit_release_package_compiles_to_the_expected_compiled_and_versioned_releases(
    shared_data: Path,
) -> None:
    folder = shared_data / REALDATA
    ocds = read_ocds((folder / "release-package-1-2.json").read_bytes())
    assert ocds.kind == RELEASE_PACKAGE and ocds.version == "1.0"
    compiled, problems = compile_releases(ocds)
    assert problems == []
    for number, release in enumerate(compiled, start=1):
        assert release == json.loads((folder / f"compiled-release-{number}.json").read_text())
    for number, release in enumerate(versioned_releases(ocds), start=1):
        assert release == json.loads((folder / f"versioned-release-{number}.json").read_text())
    assert len(compiled) == 2


def test_every_ocdskit_fixture_reads_and_compiles(shared_data: Path) -> None:
    folder = shared_data / REALDATA
    for path in sorted(folder.glob("*.json")):
        ocds = read_ocds(path.read_bytes())
        compiled, problems = compile_releases(ocds)
        assert problems == [], path.name
        assert {release["ocid"] for release in compiled} == set(ocds.ocids()), path.name
        assert all("compiled" in release["tag"] for release in compiled), path.name


def test_record_package_gives_its_releases_and_compiled_releases(shared_data: Path) -> None:
    ocds = read_ocds((shared_data / REALDATA / "record-package-1-2.json").read_bytes())
    assert ocds.kind == RECORD_PACKAGE and ocds.version == "1.1"
    assert ocds.ocids() == ["ocds-07smqs-993235", "ocds-07smqs-1542970"]
    assert len(ocds.published_compiled) == 2


def test_iso_8859_1_file_is_read_as_latin_1_with_a_note(shared_data: Path) -> None:
    path = shared_data / REALDATA / "release-package_encoding-iso-8859-1.json"
    ocds = read_ocds(path.read_bytes())
    assert ocds.encoding == "iso-8859-1"
    assert [issue.code for issue in ocds.issues] == ["latin1"]
    compiled, _ = compile_releases(ocds)
    assert "Ó" in json.dumps(compiled, ensure_ascii=False)


@pytest.mark.parametrize(
    "path",
    [
        "sell2wales/sell2wales-releases-2025-02.jsonl",
        "uk-contracts-finder/contracts-finder-release-packages-2019-2020.jsonl",
        "uk-contracts-finder/contracts-finder-releases-2025-01-to-03.jsonl",
    ],
)
def test_real_uk_files_read_and_compile(shared_data: Path, path: str) -> None:
    ocds = read_ocds((shared_data / "ocds" / path).read_bytes())
    assert ocds.json_lines
    compiled, problems = compile_releases(ocds)
    assert problems == []
    assert len(compiled) == len(ocds.ocids()) > 10


def test_merge_rules_table_matches_the_ocds_1_1_5_schema(shared_data: Path) -> None:
    from ocdsmerge.rules import get_merge_rules

    schema = shared_data / "ocds" / "schema-1.1.5" / "release-schema.json"
    assert get_merge_rules(str(schema)) == MERGE_RULES


def test_codelist_table_matches_the_ocds_1_1_5_codelists(shared_data: Path) -> None:
    folder = shared_data / "ocds" / "schema-1.1.5" / "codelists"
    for codelist, codes in CODELISTS.values():
        lines = (folder / f"{codelist}.csv").read_text(encoding="utf-8").splitlines()[1:]
        assert codes == {line.split(",")[0] for line in lines}, codelist


def test_kinds_are_detected() -> None:
    assert read_ocds(_bytes(_release())).kind == RELEASE
    compiled = _release(tag=["compiled"])
    assert read_ocds(_bytes(compiled)).kind == COMPILED_RELEASE
    lines = b"\n".join(_bytes({"releases": [_release(release_id=n)]}) for n in "12")
    ocds = read_ocds(lines)
    assert ocds.kind == RELEASE_PACKAGE and ocds.json_lines and len(ocds.releases) == 2
    assert read_ocds(_bytes([_release(), _release(release_id="2")])).json_lines


def test_compiled_release_file_keeps_the_published_compiled_release() -> None:
    compiled = _release(tag=["compiled"], tender={"title": "Gritting"})
    releases, problems = compile_releases(read_ocds(_bytes(compiled)))
    assert releases == [compiled] and problems == []


def test_later_release_overrides_earlier_and_lists_merge_by_id() -> None:
    first = _release(tender={"title": "Old", "items": [{"id": "a", "quantity": 1}]})
    second = _release(
        release_id="2",
        date="2025-02-01T00:00:00Z",
        tag=["tenderUpdate"],
        tender={"title": "New", "items": [{"id": "b", "quantity": 2}]},
    )
    [compiled], _ = compile_releases(
        read_ocds(_bytes({"version": "1.1", "releases": [second, first]}))
    )
    assert compiled["tender"]["title"] == "New"
    assert [item["id"] for item in compiled["tender"]["items"]] == ["a", "b"]
    assert compiled["tag"] == ["compiled"]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"Date,Supplier,Amount\n2024-01-01,Acme,10\n", "not_json"),
        (b'{"name": "not ocds"}', "not_ocds"),
        (b'{"releases": []}', "no_releases"),
        (b"[1, 2]", "not_ocds"),
    ],
)
def test_a_file_that_is_not_ocds_is_refused_with_a_reason(data: bytes, code: str) -> None:
    with pytest.raises(OcdsFileError) as caught:
        read_ocds(data)
    assert caught.value.problem.code == code
    assert caught.value.problem.text()


def test_quality_problems_are_reported_without_failing_the_rest() -> None:
    releases = [
        _release(release_id="1"),
        _release(release_id="1", date="2025-03-01T00:00:00Z"),
        {"id": "9", "tag": ["tender"]},
        _release(ocid="ocds-abc-2", release_id=""),
        _release(ocid="ocds-abc-3", tender={"status": "open"}, awards="none"),
        _release(ocid="ocds-abc-4", tag=["tender", "bid"], contracts=[{"id": "c", "status": "x"}]),
    ]
    ocds = read_ocds(_bytes({"version": "1.1", "releases": releases}))
    texts = [issue.text() for issue in ocds.issues]
    assert sorted(issue.code for issue in ocds.issues) == sorted(
        [
            "duplicate_id",
            "missing_ocid",
            "missing_id",
            "invalid_code",
            "wrong_type",
            "invalid_code",
            "invalid_code",
        ]
    )
    assert "Release 3 has no ocid, so it cannot be merged and was left out." in texts
    assert any("“open” in tender.status" in text and "tenderStatus" in text for text in texts)
    compiled, _ = compile_releases(ocds)
    assert [release["ocid"] for release in compiled] == [
        "ocds-abc-1",
        "ocds-abc-2",
        "ocds-abc-3",
        "ocds-abc-4",
    ]
