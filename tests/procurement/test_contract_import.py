"""Importing OCDS files into a body's contract records (service, CLI, DuckDB dataset)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from infuse.cli import app
from infuse.procurement.contract_selectors import compiled_releases_path, file_problems
from infuse.procurement.contract_services import ContractImportError, ocds_import
from infuse.procurement.models import ContractFile, ContractRecord, ContractRelease
from tests.conftest import CAERPHILLY

pytestmark = pytest.mark.django_db


def _body() -> Any:
    from infuse.reference.selectors import body_by_code

    return body_by_code(CAERPHILLY)


def _package(*releases: dict[str, Any]) -> bytes:
    return json.dumps({"version": "1.1", "releases": list(releases)}).encode()


TENDER = {
    "ocid": "ocds-test-1",
    "id": "1",
    "date": "2025-01-01T00:00:00Z",
    "tag": ["tender"],
    "buyer": {"name": "Caerphilly County Borough Council"},
    "tender": {
        "title": "Winter gritting",
        "classification": {"scheme": "CPV", "id": "90620000"},
        "tenderPeriod": {"startDate": "2025-01-01", "endDate": "2025-02-01"},
    },
}
AWARD = {
    "ocid": "ocds-test-1",
    "id": "2",
    "date": "2025-03-01T00:00:00Z",
    "tag": ["award"],
    "awards": [
        {
            "id": "a",
            "value": {"amount": 120000, "currency": "GBP"},
            "suppliers": [{"name": "Gritco Ltd"}],
            "contractPeriod": {"startDate": "2025-04-01", "endDate": "2027-03-31"},
        }
    ],
}


def test_import_compiles_contracts_keeps_the_file_and_is_idempotent(
    reference: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.WAREHOUSE_DIR = tmp_path / "warehouse"
    body = _body()
    content = _package(TENDER, AWARD)
    imported = ocds_import(actor=None, body=body, file_name="gritting.json", content=content)
    assert imported.upload.read() == content
    record = ContractRecord.objects.get(owner_body=body, ocid="ocds-test-1")
    assert record.title == "Winter gritting"
    assert record.cpv == "90620000" and record.cpv_group == "906"
    assert record.value == 120000 and record.suppliers == ["Gritco Ltd"]
    assert str(record.contract_end) == "2027-03-31"
    assert str(record.tender_end) == "2025-02-01"
    again = ocds_import(actor=None, body=body, file_name="copy.json", content=content)
    assert again.pk == imported.pk
    assert ContractRelease.objects.count() == 2 and ContractRecord.objects.count() == 1
    # A later file updating the process merges with the stored releases.
    update = dict(AWARD, id="3", date="2025-05-01T00:00:00Z", tag=["awardUpdate"])
    update["awards"] = [{"id": "a", "value": {"amount": 150000, "currency": "GBP"}}]
    ocds_import(actor=None, body=body, file_name="update.json", content=_package(update))
    record.refresh_from_db()
    assert record.value == 150000 and record.title == "Winter gritting"
    path = compiled_releases_path(body)
    rows = duckdb.sql(f"select ocid, tender.title from read_json_auto('{path}')").fetchall()
    assert rows == [("ocds-test-1", "Winter gritting")]


def test_bad_file_is_refused_and_changes_nothing(reference: Any) -> None:
    with pytest.raises(ContractImportError, match="not OCDS"):
        ocds_import(actor=None, body=_body(), file_name="x.json", content=b'{"a": 1}')
    assert not ContractFile.objects.exists()


def test_quality_problems_are_kept_with_the_file(
    reference: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.WAREHOUSE_DIR = tmp_path / "warehouse"
    bad = dict(TENDER, tender={"title": "Bins", "status": "open"})
    imported = ocds_import(
        actor=None, body=_body(), file_name="bins.json", content=_package(bad, dict(bad))
    )
    problems = file_problems(imported)
    assert any("tenderStatus" in problem for problem in problems)
    assert any("used 2 times" in problem for problem in problems)
    assert ContractRecord.objects.get().title == "Bins"


def test_import_ocds_command_imports_real_sell2wales_data(
    reference: Any, settings: Any, tmp_path: Path, shared_data: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.WAREHOUSE_DIR = tmp_path / "warehouse"
    path = shared_data / "ocds" / "sell2wales" / "sell2wales-releases-2025-02.jsonl"
    bad = tmp_path / "notes.txt"
    bad.write_text("not json")
    result = CliRunner().invoke(
        app, ["import-ocds", str(path), str(bad), "--body", CAERPHILLY, "--json"]
    )
    assert result.exit_code == 1
    output = json.loads(result.output)
    assert output[0]["contracts"] == 70 and output[0]["kind"] == "release"
    assert "not OCDS" in output[1]["error"]
    assert ContractRecord.objects.filter(buyer__icontains="Neath Port Talbot").exists()
