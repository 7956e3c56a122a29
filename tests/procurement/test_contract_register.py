"""Importing a council's contracts register (CSV) into contract records: the reader on its own,
the service with Salford's real register, the upload page (told apart from OCDS by content) and
the command line."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse
from typer.testing import CliRunner

from infuse.audit.models import AuditEntry
from infuse.cli import app
from infuse.procurement.contract_selectors import file_problems
from infuse.procurement.contract_services import ContractImportError, register_import
from infuse.procurement.models import ContractFile, ContractRecord
from infuse.procurement.register_reading import (
    RegisterFileError,
    assign_ocids,
    read_register,
    recognise_heading,
)
from tests.conftest import CAERPHILLY

SALFORD = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "contracts"
    / "salford-city-council-contracts-register-2022-07.csv"
)
needs_salford = pytest.mark.skipif(not SALFORD.is_file(), reason="shared/data is not present")

# Another register's layout: a title line before the headings, other words for each column,
# a CPV column, and a value and a date that cannot be read.
OTHER_LAYOUT = (
    "Contracts register, Example Borough Council, March 2025\n"
    "Ref,Contract Name,Contractor,Companies House No.,Contract Value,Contract Start Date,"
    "Contract End Date,Revised End Date,CPV Code,Procurement Route\n"
    'EB-7,Street lighting maintenance,Goleuni Cyf,1234567,"£1,250,000.00",01/04/2023,'
    "31/03/2026,31/03/2027,50232100-1,Open tender\n"
    "EB-8,Library books,Llyfrau Ltd,,about £5k,2024/25,31/03/2025,,,Direct award\n"
    ",,,,,,,,,\n"
    ",,Nobody Ltd,,100.00,,,,,\n"
).encode()


def _salford_rows() -> list[dict[str, str]]:
    """Salford's register read independently, with Python's csv module."""
    text = SALFORD.read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _salford_total(rows: list[dict[str, str]]) -> Decimal:
    column = "Total Contract Value (including extensions)"
    return sum(
        (Decimal(r[column]) for r in rows if re.fullmatch(r"\d+(?:\.\d+)?", r[column])),
        Decimal(0),
    )


# --- the reader -----------------------------------------------------------------------------


def test_headings_of_several_registers_are_recognised() -> None:
    assert recognise_heading("ï»¿Directorate Name") == "department"
    assert recognise_heading("Total Contract Value (including extensions)") == "total_value"
    assert recognise_heading("Annual Value") == "annual_value"
    assert recognise_heading("Current Expiry Date") == "expiry"
    assert recognise_heading("End Date") == "end"
    assert recognise_heading("ProClass Classification") == "proclass"
    assert recognise_heading("ProClass Description") == "proclass_description"
    assert recognise_heading("Supplier Company Name") == "supplier"
    assert recognise_heading("Supplier Postcode") == "supplier_postcode"
    assert recognise_heading("Company Number") == "company_number"
    assert recognise_heading("SME Supplier?") == "sme"
    assert recognise_heading("Process Used") == "procedure"
    assert recognise_heading("Contract Name") == "title"
    assert recognise_heading("Ref") == "reference"
    assert recognise_heading("Visibility") is None


def test_another_layout_reads_with_its_own_headings_and_notes_bad_cells() -> None:
    read = read_register(OTHER_LAYOUT)
    assert read.heading_line == 2
    assert [row.line_number for row in read.rows] == [3, 4]
    lighting, books = read.rows
    assert lighting.title == "Street lighting maintenance"
    assert lighting.supplier == "Goleuni Cyf" and lighting.company_number == "01234567"
    assert lighting.total_value == Decimal("1250000.00")
    assert str(lighting.start) == "2023-04-01" and str(lighting.end) == "2026-03-31"
    assert str(lighting.contract_end) == "2027-03-31"  # the revised end after an extension
    assert lighting.cpv == "50232100"
    assert books.total_value is None and books.start is None
    texts = [problem.text() for problem in read.problems()]
    assert "Line 4: Contract Value “about £5k” is not a sum of money; it was left empty." in texts
    assert "Line 4: Contract Start Date “2024/25” is not a date; it was left empty." in texts
    # The all-empty line is skipped; the line with no title or reference is reported.
    assert [line for line, _problem in read.rejected] == [6]
    assert "Line 6 has no contract title, description or reference" in texts[-1]
    keys = [ocid for ocid, _row in assign_ocids(read.rows, "E0001")]
    assert keys == ["register-E0001-EB-7", "register-E0001-EB-8"]


def test_a_file_that_is_not_a_register_is_refused_with_a_reason() -> None:
    with pytest.raises(RegisterFileError, match="not a contracts register"):
        read_register(b"Date,Supplier,Amount\n01/01/2024,Acme,5\n")
    with pytest.raises(RegisterFileError, match="empty"):
        read_register(b"")
    with pytest.raises(RegisterFileError, match="no rows"):
        read_register(b"Contract Title,Supplier,Contract Value,Start Date\n")


@pytest.mark.needs_shared
@needs_salford
def test_salford_register_reads_every_line() -> None:
    expected = _salford_rows()
    assert len(expected) == 360  # as SOURCES.md says
    read = read_register(SALFORD.read_bytes())
    assert len(read.rows) == 360 and not read.rejected
    assert read.columns["reference"] == "Contract Reference"
    assert read.columns["department"] == "Directorate Name"  # the mojibake BOM removed
    assert sum((row.total_value or Decimal(0) for row in read.rows), Decimal(0)) == (
        _salford_total(expected)
    )
    first = read.rows[0]
    assert (first.line_number, first.reference, first.supplier) == (
        2,
        "S1417",
        "Underwater Diving Services Ltd",
    )
    assert (first.company_number, first.supplier_postcode, first.proclass, first.cpv) == (
        "02535986",
        "LA14 2TB",
        "231810",
        None,
    )
    texts = [problem.text() for problem in read.problems()]
    assert any("garbled byte-order mark" in text for text in texts)
    assert "Line 219: End Date “22/04/222” is not a date; it was left empty." in texts
    # Every line has its own key, lots sharing a reference included.
    keys = [ocid for ocid, _row in assign_ocids(read.rows, "E08000006")]
    assert len(set(keys)) == 360 and "register-E08000006-S1417" in keys


# --- the service, the page and the command line ---------------------------------------------


def _body() -> Any:
    from infuse.reference.selectors import body_by_code

    return body_by_code(CAERPHILLY)


@pytest.mark.django_db
@pytest.mark.needs_shared
@needs_salford
def test_salford_register_imports_once_as_contracts(reference: Any) -> None:
    body = _body()
    content = SALFORD.read_bytes()
    imported = register_import(actor=None, body=body, file_name=SALFORD.name, content=content)
    assert imported.kind == ContractFile.Kind.REGISTER and imported.upload.read() == content
    assert imported.releases_read == 360 and imported.contracts_read == 360
    records = ContractRecord.objects.filter(owner_body=body)
    assert records.count() == 360
    assert sum((r.value or Decimal(0) for r in records), Decimal(0)) == _salford_total(
        _salford_rows()
    )
    dive = records.get(ocid=f"register-{CAERPHILLY}-S1417")
    assert dive.suppliers == ["Underwater Diving Services Ltd"]
    assert (str(dive.contract_start), str(dive.contract_end)) == ("2022-03-07", "2022-03-07")
    assert dive.cpv == "" and dive.compiled["register"]["proclass"] == "231810"
    assert dive.compiled["parties"][1]["identifier"] == {"scheme": "GB-COH", "id": "02535986"}
    # An extension taken: the end is the current expiry, the original end is kept beside it.
    line, extended = next(
        (number, r)
        for number, r in enumerate(_salford_rows(), start=2)
        if r["Current Expiry Date"] and r["End Date"] < r["Current Expiry Date"]
    )
    record = next(r for r in records if r.compiled["register"]["line"] == line)
    assert str(record.contract_end) == extended["Current Expiry Date"]
    assert record.compiled["register"]["end_date"] == extended["End Date"]
    problems = file_problems(imported)
    assert any(p.startswith("Line 27: Start Date “TBC”") for p in problems)
    assert AuditEntry.objects.filter(action="procurement.register_import").count() == 1

    again = register_import(actor=None, body=body, file_name="copy.csv", content=content)
    assert again.pk == imported.pk
    assert ContractFile.objects.count() == 1 and records.count() == 360


@pytest.mark.django_db
def test_a_broken_register_changes_nothing(reference: Any) -> None:
    body = _body()
    register_import(actor=None, body=body, file_name="other.csv", content=OTHER_LAYOUT)
    before = sorted(ContractRecord.objects.values_list("ocid", "value"))
    with pytest.raises(ContractImportError, match="not a contracts register"):
        register_import(
            actor=None, body=body, file_name="x.csv", content=b"Name,Colour\nTom,blue\n"
        )
    with pytest.raises(ContractImportError):
        register_import(
            actor=None, body=body, file_name="x.csv", content=b"\x00\x01\x02binary" * 50
        )
    assert sorted(ContractRecord.objects.values_list("ocid", "value")) == before
    assert ContractFile.objects.count() == 1


@pytest.mark.django_db
def test_the_upload_page_takes_a_register_and_the_cli_imports_one(
    reference: Any, make_user: Any, tmp_path: Path
) -> None:
    client = Client()
    client.force_login(make_user("participant", CAERPHILLY))
    with TestCase.captureOnCommitCallbacks(execute=True):  # the import job runs on commit
        response = client.post(
            reverse("procurement:contracts"),
            {
                "contract_file": SimpleUploadedFile("register.csv", OTHER_LAYOUT),
                "visibility": "regional",
            },
        )
    page = client.get(response["Location"]).content.decode()
    assert "3 register lines read, 2 contracts." in page
    assert "Street lighting maintenance" in page
    record = ContractRecord.objects.get(ocid=f"register-{CAERPHILLY}-EB-7")
    detail = client.get(reverse("procurement:contract", args=[record.pk])).content.decode()
    assert "Goleuni Cyf" in detail and "50232100" in detail

    path = tmp_path / "second.csv"
    path.write_bytes(OTHER_LAYOUT.replace(b"EB-8", b"EB-9"))
    result = CliRunner().invoke(
        app, ["import-contracts-register", str(path), "--body", CAERPHILLY, "--json"]
    )
    assert result.exit_code == 0, result.output
    [item] = json.loads(result.output)
    assert item["contracts"] == 2 and item["rows"] == 3
    assert any("Line 6" in problem for problem in item["problems"])
    assert ContractRecord.objects.filter(ocid=f"register-{CAERPHILLY}-EB-9").exists()
    refused = CliRunner().invoke(
        app, ["import-contracts-register", str(path), "--body", "NOPE", "--json"]
    )
    assert refused.exit_code == 1
