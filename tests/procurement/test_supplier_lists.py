"""Reading uploaded supplier lists (pure: no database)."""

from __future__ import annotations

import io

import pytest

from infuse.procurement.supplier_lists import (
    SupplierListError,
    read_supplier_list,
    recognise_heading,
    sic_codes,
    supplier_size,
)


@pytest.mark.parametrize(
    ("heading", "role"),
    [
        ("Supplier Name", "name"),
        ("SUPPLIER", "name"),
        ("Vendor name", "name"),
        ("Name", "name"),
        ("Trading Name", None),
        ("Company Number", "company_number"),
        ("Company Reg No", "company_number"),
        ("Companies House registration number", "company_number"),
        ("CRN", "company_number"),
        ("Company Name", "name"),
        ("VAT Registration Number", "vat_number"),
        ("VAT No.", "vat_number"),
        ("Post Code", "postcode"),
        ("Postal code", "postcode"),
        ("Postcode", "postcode"),
        ("SME (Y/N)", "size"),
        ("Business size", "size"),
        ("Small business?", "size"),
        ("SIC Codes", "sic_codes"),
        ("SIC 2007", "sic_codes"),
        ("Nature of business (SIC)", "sic_codes"),
        ("Amount", None),
        ("", None),
        (None, None),
    ],
)
def test_headings_are_recognised_by_their_words(heading: str | None, role: str | None) -> None:
    assert recognise_heading(heading) == role


@pytest.mark.parametrize(
    ("cell", "size"),
    [
        ("Yes", "sme"),
        ("Y", "sme"),
        ("SME", "sme"),
        ("Micro", "sme"),
        ("small", "sme"),
        ("Medium-sized", "sme"),
        ("Ie", "sme"),
        ("No", "large"),
        ("Large", "large"),
        ("Non-SME", "large"),
        ("Na", "large"),
        ("", "unknown"),
        (None, "unknown"),
        ("perhaps", None),
    ],
)
def test_sizes(cell: str | None, size: str | None) -> None:
    assert supplier_size(cell) == size


def test_sic_codes_keep_their_leading_zero_and_report_text_without_a_code() -> None:
    assert sic_codes("62020 - IT consultancy; 62090") == (["62020", "62090"], [])
    assert sic_codes("1110") == (["01110"], [])
    assert sic_codes("Construction") == ([], ["Construction"])
    assert sic_codes("123") == ([], ["123"])
    assert sic_codes(None) == ([], [])


def test_a_list_with_a_title_line_odd_values_and_blank_rows() -> None:
    content = (
        "Our suppliers, March 2026\n"
        "Supplier,Company No,VAT,Postcode,SME,SIC\n"
        "Cwm Civils Ltd,1234567,123 4567 89,cf83 3gw,Yes,42110\n"
        "\n"
        ",,,,,\n"
        "  ,99,,,,\n"
        "Tŷ Gwyn Cyf,,,,maybe,Construction\n"
    ).encode()
    read = read_supplier_list(content)
    entries = read.entries.to_dicts()
    assert [e["name"] for e in entries] == ["Cwm Civils Ltd", "Tŷ Gwyn Cyf"]
    first = entries[0]
    assert (first["company_number"], first["vat_number"], first["postcode"]) == (
        "01234567",
        "GB123456789",
        "CF83 3GW",
    )
    assert first["size"] == "sme" and first["sic_codes"] == ["42110"]
    assert entries[1]["normalised_name"] == "ty gwyn ltd" and entries[1]["size"] == "unknown"
    assert [line for line, _problem in read.rejected] == [6]
    assert [(line, p.code) for line, p in read.line_notes] == [
        (7, "size_unreadable"),
        (7, "sic_unreadable"),
    ]


def test_a_spreadsheet_list_is_read_from_the_sheet_with_supplier_names() -> None:
    import xlsxwriter

    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    workbook.add_worksheet("Notes").write(0, 0, "Exported from the finance system")
    sheet = workbook.add_worksheet("Suppliers")
    for row, values in enumerate(
        [["Vendor Name", "SME?", "Postcode"], ["Acme Ltd", "No", "CF10 1AA"]]
    ):
        for column, value in enumerate(values):
            sheet.write(row, column, value)
    workbook.close()
    read = read_supplier_list(output.getvalue())
    assert read.entries["name"].to_list() == ["Acme Ltd"]
    assert read.columns == {"name": "Vendor Name", "size": "SME?", "postcode": "Postcode"}


def test_a_column_named_twice_keeps_the_first_and_says_so() -> None:
    read = read_supplier_list(b"Supplier,SME,Size\nAcme Ltd,yes,large\n")
    assert read.entries["size"].to_list() == ["sme"]
    assert [p.code for p in read.notes] == ["role_twice"]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "file_empty"),
        (b"Colour,Shape\nred,round\n", "no_name_column"),
        (b"Supplier name,Amount\nAcme,5\n", "nothing_to_add"),
        (b"Supplier name,SME\n\n", "no_rows"),
        (b"\x1f\x8bnot really gzip", "compressed_unreadable"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(content: bytes, code: str) -> None:
    with pytest.raises(SupplierListError) as refused:
        read_supplier_list(content)
    assert refused.value.problem.code == code
    assert refused.value.problem.text()
