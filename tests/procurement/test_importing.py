"""The spend-ledger import engine: real published ledgers, every value quirk, and properties.

Pure tests: no Django database. The real files are read in place from ``shared/data/spend``
beside the repository; those tests skip cleanly when it is absent.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import itertools
import struct
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple
from xml.sax.saxutils import escape

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from infuse.procurement.importing import (
    CANONICAL_SCHEMA,
    LedgerFileError,
    LedgerImport,
    LedgerMappingNeeded,
    LedgerNothingImported,
    _canonical_rows,
    import_ledger,
    inspect_ledger,
)
from infuse.procurement.ledger_columns import normalise_heading
from infuse.procurement.ledger_messages import MESSAGE_TEMPLATES
from infuse.procurement.ledger_values import (
    _parse_formatted_amounts,
    clean_text,
    clean_texts,
    name_flags,
    parse_amount_texts,
    parse_dates,
)

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
SPEND = SHARED_DATA / "spend"
needs_spend = [
    pytest.mark.needs_shared,
    pytest.mark.skipif(not SPEND.is_dir(), reason="shared/data/spend is not present"),
]


# --- the real published ledgers -------------------------------------------------------------


class Expected(NamedTuple):
    path: str
    rows_read: int
    rows_imported: int
    rows_rejected: int
    total: str
    credit_notes: int
    credits_total: str
    first_date: str | None
    last_date: str | None
    dates_unknown: int
    redacted: int


# How these figures were derived, independently of the engine: a scratch script read each file
# once with Python's csv module and decimal.Decimal, taking the amount, date and supplier
# columns chosen by hand (e.g. Darlington's "Invoice Line Value (net of VAT)", Newcastle's
# "Total (excludes VAT)"), reading GLA's bracketed amounts "(1,332.82)" as negatives, dates with
# datetime.strptime (ISO, dd/mm/yyyy, dd-Mon-yyyy, yyyymm) and counting supplier names with the
# word "redacted". Row counts agree with SOURCES.md (rows excluding the header). Totals were
# cross-checked with pandas.read_csv(dtype=str, index_col=False). Leeds' raw file ends with a
# line holding only 87723060.28, exactly half the column's sum: the publisher's total line, so
# 9,393 payments and 1 rejected line. Oxford 2014's "Paid Date" is "00:00:00" in every row.
REAL_LEDGERS = [
    Expected(
        "cabinet-office/2022-07.csv",
        318, 318, 0, "43776522.32", 0, "0.00", "2022-07-01", "2022-07-29", 0, 0,
    ),
    Expected(
        "darlington-borough-council/2022-09.csv",
        1487, 1487, 0, "11281654.47", 0, "0.00", "2021-03-18", "2022-10-01", 0, 0,
    ),
    Expected(
        "gateshead-council/2022-08.csv",
        8053, 8053, 0, "30466722.83", 573, "-1554886.91", "2022-05-01", "2022-05-01", 0, 250,
    ),
    Expected(
        "greater-london-authority/2022-P13.csv",
        2553, 2553, 0, "412066408.18", 86, "-13249702.74", "2022-03-07", "2022-03-31", 0, 0,
    ),
    Expected(
        "leeds-city-council/2013-05-raw.csv.gz",
        9394, 9393, 1, "87723060.28", 111, "-2346333.37", "2013-04-01", "2013-05-31", 0, 729,
    ),
    Expected(
        "manchester-city-council/2022-05.csv",
        3564, 3564, 0, "97400227.10", 211, "-6170381.81", "2022-05-03", "2022-05-31", 0, 171,
    ),
    Expected(
        "newcastle-city-council/2022-08.csv",
        6568, 6568, 0, "48013024.97", 372, "-339432.96", "2022-08-01", "2022-08-31", 0, 1923,
    ),
    Expected(
        "north-tyneside-council/2022-07-purchase-cards.csv.gz",
        16082, 16082, 0, "355299.83", 151, "-5653.34", "2022-07-29", "2022-07-29", 0, 0,
    ),
    Expected(
        "oxford-city-council/expenditure-over-500-apr-jun-2014.csv",
        3836, 3836, 0, "14165887.28", 13, "-5208.82", None, None, 3836, 81,
    ),
    Expected(
        "oxford-city-council/expenditure-over-500-jan-mar-2018.csv",
        1220, 1220, 0, "4339765.85", 0, "0.00", "2018-01-03", "2018-01-30", 0, 0,
    ),
    Expected(
        "oxford-city-council/procurement-card-spending-february-2018.csv",
        366, 366, 0, "-1653.87", 21, "-55709.07", "2017-06-05", "2018-02-28", 0, 0,
    ),
    Expected(
        "oxford-city-council/procurement-card-spending-jan-mar-2017.csv",
        1141, 1141, 0, "178660.96", 38, "-4203.04", "2017-01-01", "2017-03-30", 0, 0,
    ),
    Expected(
        "trafford-council/government_procurement_card_transactions_2026-27.csv",
        2024, 2024, 0, "494906.66", 114, "-5631.35", "2026-04-01", "2026-05-29", 0, 0,
    ),
    Expected(
        "trafford-council/trafford-supplier-spend-2025-03.csv.gz",
        20696, 20696, 0, "53651071.77", 2486, "-3190761.21", "2025-03-03", "2025-03-31", 0,
        3490,
    ),
]  # fmt: skip
LAMBETH_SUMMARY = "lambeth-council/2011-02-payments-summary.csv"

_imported: dict[str, LedgerImport] = {}


def real_import(path: str) -> LedgerImport:
    """Each real file is imported once per test session (read in place, never copied)."""
    if path not in _imported:
        _imported[path] = import_ledger(SPEND / path)
    return _imported[path]


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@pytest.mark.parametrize("expected", REAL_LEDGERS, ids=[e.path for e in REAL_LEDGERS])
@pytest.mark.needs_shared
@pytest.mark.skipif(not SPEND.is_dir(), reason="shared/data/spend is not present")
def test_real_ledger_imports_with_the_right_rows_and_total(expected: Expected) -> None:
    result = real_import(expected.path)
    summary = result.summary
    assert summary.rows_read == expected.rows_read
    assert summary.rows_imported == expected.rows_imported
    assert summary.rows_rejected == expected.rows_rejected
    assert summary.rows_read == summary.rows_imported + summary.rows_rejected
    assert summary.total_amount == Decimal(expected.total)
    assert summary.credit_notes == expected.credit_notes
    assert summary.credit_notes_total == Decimal(expected.credits_total)
    assert summary.first_payment_date == _day(expected.first_date)
    assert summary.last_payment_date == _day(expected.last_date)
    assert summary.dates_unknown == expected.dates_unknown
    assert summary.redacted_rows == expected.redacted
    assert not result.inspection.proposal.uncertain


@pytest.mark.parametrize("expected", REAL_LEDGERS, ids=[e.path for e in REAL_LEDGERS])
@pytest.mark.needs_shared
@pytest.mark.skipif(not SPEND.is_dir(), reason="shared/data/spend is not present")
def test_real_ledger_rows_follow_the_canonical_schema(expected: Expected) -> None:
    result = real_import(expected.path)
    rows = result.rows
    assert rows.schema == CANONICAL_SCHEMA
    assert rows.num_rows == expected.rows_imported
    assert Decimal(str(pc.sum(rows["amount_gbp"]).as_py())) == Decimal(expected.total)
    lines = rows["line_number"].to_pylist()
    assert lines == sorted(set(lines)) and lines[0] >= 2
    assert result.file_sha256 == hashlib.sha256((SPEND / expected.path).read_bytes()).hexdigest()
    assert len(result.rows_sha256) == 64


def _documented_rows_sha256(rows: pa.Table) -> str:
    """The rows hash computed the slow way, from the layout :func:`_canonical_rows` documents."""
    digest = hashlib.sha256()
    for field in rows.schema:
        if field.name in ("line_number", "supplier_name_raw"):
            continue
        values = rows[field.name].to_pylist()
        digest.update(field.name.encode() + b"\x1e")
        digest.update(bytes(value is None for value in values))
        if all(value is None for value in values):
            continue
        if pa.types.is_large_string(field.type):
            encoded = [(value or "").encode() for value in values]
            ends = list(itertools.accumulate(len(text) for text in encoded))
            digest.update(struct.pack(f"<{len(ends)}q", *ends))
            digest.update(b"".join(encoded))
        elif pa.types.is_decimal(field.type):
            pence = [int((value or 0) * 100) for value in values]
            digest.update(struct.pack(f"<{len(pence)}q", *pence))
        elif pa.types.is_date(field.type):
            days = [(value - date(1970, 1, 1)).days if value else 0 for value in values]
            digest.update(struct.pack(f"<{len(days)}i", *days))
        else:
            assert pa.types.is_boolean(field.type)
            digest.update(bytes(bool(value) for value in values))
    return digest.hexdigest()


def test_the_rows_hash_follows_its_documented_layout() -> None:
    # Batches store this hash to recognise the same payments in a later file; a faster way
    # of computing it must not change it, or every earlier batch would look new.
    text = (
        "Date,Supplier,Amount,VAT,Service,Transaction\n"
        '31/03/2025,Cwmni Caerffili Cyf,"£1,234.56",246.91,Priffyrdd,T1\n'
        "01/04/2025,REDACTED PERSONAL DATA,(12.50),,,T2\n"
        "00:00:00,Ysgol Gymraeg – Ffrindiau,7,,Addysg,\n"
        ",,,,,\n"
        "02/04/2025,,5.00-,1,Tai,T4\n"
    )
    result = import_ledger(text.encode(), accept_uncertain_mapping=True)
    assert result.rows.num_rows == 4
    assert result.rows_sha256 == _documented_rows_sha256(result.rows)
    # As the importer of 23 November 2026 hashed these rows, before the hash was computed
    # beside the Arrow conversion: a change here means stored batches would no longer match.
    assert result.rows_sha256 == (
        "207c8b6872db1e708317c2f35d5b76e0d822e8ea876a3642878d348efb52581c"
    )


def test_rows_that_break_the_canonical_schema_are_refused_not_stored() -> None:
    # The table is built column by column, which checks no nullability: a payment line
    # without an amount, or a missing column, must stop the import rather than be stored.
    result = import_ledger(b"Date,Supplier,Amount\n31/03/2025,Cwmni Cyf,12.50\n")
    rows = pl.from_arrow(result.rows)
    assert isinstance(rows, pl.DataFrame)
    table, _hash = _canonical_rows(rows)
    assert table.schema == CANONICAL_SCHEMA
    with pytest.raises(ValueError, match="amount_gbp"):
        _canonical_rows(
            rows.with_columns(pl.lit(None, dtype=rows["amount_gbp"].dtype).alias("amount_gbp"))
        )
    with pytest.raises(ValueError, match="columns"):
        _canonical_rows(rows.drop("postcode"))


@pytest.mark.needs_shared
@pytest.mark.skipif(not SPEND.is_dir(), reason="shared/data/spend is not present")
def test_the_rows_hash_of_a_real_ledger_follows_its_documented_layout() -> None:
    result = real_import("trafford-council/trafford-supplier-spend-2025-03.csv.gz")
    assert result.rows_sha256 == _documented_rows_sha256(result.rows)


@pytest.mark.needs_shared
@pytest.mark.skipif(not SPEND.is_dir(), reason="shared/data/spend is not present")
def test_lambeth_pivot_table_is_rejected_as_a_summary() -> None:
    with pytest.raises(LedgerFileError) as refused:
        import_ledger(SPEND / LAMBETH_SUMMARY)
    assert refused.value.problem.code == "summary_table"
    assert refused.value.problem.params["text"] == "Grand Total"
    assert "summary table" in str(refused.value)
    with pytest.raises(LedgerFileError):
        inspect_ledger(SPEND / LAMBETH_SUMMARY)


@pytest.mark.needs_shared
@pytest.mark.skipif(not SPEND.is_dir(), reason="shared/data/spend is not present")
def test_real_quirks_are_reported() -> None:
    leeds = real_import("leeds-city-council/2013-05-raw.csv.gz")
    assert [(r.line_number, r.problem.code) for r in leeds.rejected] == [(9395, "total_line")]
    assert leeds.rejected[0].problem.params["value"] == "87723060.28"

    oxford = real_import("oxford-city-council/expenditure-over-500-apr-jun-2014.csv")
    assert "dates_time_only" in {note.code for note in oxford.summary.notes}
    assert oxford.rows["payment_date"].null_count == 3836

    gateshead = real_import("gateshead-council/2022-08.csv")
    assert gateshead.summary.mapping["supplier_name"] == "Supplier ID(T)"  # holds names
    assert gateshead.summary.period_only_rows == 8053
    assert "period_only" in {note.code for note in gateshead.summary.notes}

    manchester = real_import("manchester-city-council/2022-05.csv")
    assert "garbled_bom" in {note.code for note in manchester.summary.notes}
    assert manchester.inspection.columns[0].name == "Body Name"

    newcastle = real_import("newcastle-city-council/2022-08.csv")
    notes = {note.code: note for note in newcastle.summary.notes}
    assert notes["unnamed_columns"].params["columns"] == "column 11"
    assert newcastle.summary.mapping["amount"] == "Total (excludes VAT)"

    darlington = real_import("darlington-borough-council/2022-09.csv")
    assert darlington.summary.mapping["department"] == "Directotate"  # sic, a typo
    assert darlington.summary.mapping["amount"] == "Invoice Line Value (net of VAT)"

    trafford = real_import("trafford-council/trafford-supplier-spend-2025-03.csv.gz")
    assert trafford.summary.mapping["vat_amount"] == "IrrecoverableVATAmount"
    assert trafford.summary.mapping["category_code"] == "ProclassCode"
    assert trafford.summary.mapping["vat_number"] == "VATRegistrationNumber"


@pytest.mark.needs_shared
@pytest.mark.skipif(not SPEND.is_dir(), reason="shared/data/spend is not present")
def test_line_numbers_are_the_lines_a_text_editor_shows() -> None:
    # `grep -n "RED STONE DESIGN" cabinet-office/2022-07.csv` prints line 206.
    cabinet = real_import("cabinet-office/2022-07.csv").rows
    line = cabinet.filter(pc.equal(cabinet["supplier_name"], "RED STONE DESIGN LTD"))
    assert line["line_number"].to_pylist() == [206]


# --- structure ------------------------------------------------------------------------------

LEDGER = (
    "Payment Date,Supplier Name,Amount,Transaction Number\n"
    "31/03/2025,ACME Ltd,1234.50,T1\n"
    "01/04/2025,Beta Services Ltd,-20.00,T2\n"
    "02/04/2025,Gamma Trust,99.99,T3\n"
)


def imported(text: str | bytes, **options: object) -> LedgerImport:
    data = text.encode() if isinstance(text, str) else text
    return import_ledger(data, **options)  # type: ignore[arg-type]


def test_a_plain_ledger_imports() -> None:
    result = imported(LEDGER)
    assert result.summary.rows_imported == 3
    assert result.summary.total_amount == Decimal("1314.49")
    assert result.summary.credit_notes == 1
    assert result.rows["line_number"].to_pylist() == [2, 3, 4]
    assert result.rows["payment_date"].to_pylist()[0] == date(2025, 3, 31)
    assert result.summary.heading_line == 1
    assert result.summary.encoding == "utf-8"


def test_preamble_lines_and_blank_lines_before_the_headings_are_skipped() -> None:
    text = "Expenditure over £500\nPublished by Example Council\n\n" + LEDGER
    result = imported(text)
    assert result.summary.heading_line == 4
    assert result.rows["line_number"].to_pylist() == [5, 6, 7]
    notes = {note.code: note for note in result.summary.notes}
    assert notes["preamble_skipped"].params == {"count": 2, "line": 4}


def test_blank_lines_total_lines_and_repeated_headings_are_rejected_with_line_numbers() -> None:
    text = (
        "Payment Date,Supplier Name,Amount,Transaction Number\n"  # 1
        "31/03/2025,ACME Ltd,10.00,T1\n"  # 2
        "\n"  # 3: blank mid-file
        "Payment Date,Supplier Name,Amount,Transaction Number\n"  # 4: repeated headings
        "31/03/2025,Beta Ltd,n/a,T2\n"  # 5: unreadable amount
        "31/03/2025,Gamma Ltd,,T3\n"  # 6: empty amount
        "31/13/2025,Delta Ltd,5.00,T4\n"  # 7: no such date
        "01/04/2025,Epsilon Ltd,20.00,T5\n"  # 8
        ",Grand Total,30.00,\n"  # 9: a total
        "\n\n"  # trailing blank lines are not rows
    )
    result = imported(text)
    assert [(r.line_number, r.problem.code) for r in result.rejected] == [
        (3, "blank_line"),
        (4, "repeated_header"),
        (5, "amount_unreadable"),
        (6, "amount_empty"),
        (7, "date_unreadable"),
        (9, "total_line"),
    ]
    assert result.summary.rows_read == 8
    assert result.summary.rows_imported == 2
    assert result.rejected[2].problem.text() == "The amount n/a is not a number of pounds."
    assert result.rejected[4].problem.params["value"] == "31/13/2025"


def test_quoted_line_breaks_keep_physical_line_numbers() -> None:
    text = (
        "Payment Date,Supplier Name,Amount,Description\n"
        '31/03/2025,ACME Ltd,10.00,"two\nlines"\n'
        "01/04/2025,Beta Ltd,oops,x\n"
        "02/04/2025,Gamma Ltd,5.00,y\n"
    )
    result = imported(text)
    assert [(r.line_number, r.problem.code) for r in result.rejected] == [(4, "amount_unreadable")]
    assert result.rows["line_number"].to_pylist() == [2, 5]
    assert result.rows["description"].to_pylist() == ["two lines", "y"]


def test_unnamed_trailing_field_is_read_but_not_mapped() -> None:
    text = "Paid Date,Supplier Name,Total (excludes VAT)\n" + "".join(
        f"2022-08-0{day},Supplier {day} Ltd,{day}00.00,#N/A\n" for day in range(1, 6)
    )
    result = imported(text)
    assert result.summary.rows_imported == 5
    assert result.summary.total_amount == Decimal("1500.00")
    notes = {note.code: note for note in result.summary.notes}
    assert notes["unnamed_columns"].params["columns"] == "column 4"


def test_blank_leading_columns_are_dropped() -> None:
    text = ",,Date,Supplier,Amount\n,,2025-03-31,ACME Ltd,5\n,,2025-04-01,Beta Ltd,6\n"
    result = imported(text)
    assert [c.position for c in result.inspection.columns] == [2, 3, 4]
    assert result.summary.total_amount == Decimal("11.00")


def test_semicolon_and_tab_separated_files() -> None:
    for separator in (";", "\t"):
        result = imported(LEDGER.replace(",", separator))
        assert result.inspection.structure.delimiter == separator
        assert result.summary.total_amount == Decimal("1314.49")


def test_gzipped_csv_is_read_by_its_magic_bytes() -> None:
    result = imported(gzip.compress(LEDGER.encode()))
    assert result.inspection.structure.compression == "gzip"
    assert result.summary.rows_imported == 3


def test_a_path_is_read_like_bytes(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER, encoding="utf-8")
    result = import_ledger(path)
    assert result.inspection.source_name == "ledger.csv"
    assert result.rows_sha256 == imported(LEDGER).rows_sha256


# --- encodings ------------------------------------------------------------------------------

WELSH_LEDGER = (
    "Payment Date,Supplier Name,Amount,Description\n"
    "31/03/2025,Caffi’r Castell,£1,250.00,Te a bara brith\n"
    "01/04/2025,Ysgol Gymraeg Caerffili,£99.50,Gwasanaeth – Llyfrau\n"
).replace("£1,250.00", '"£1,250.00"')


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (WELSH_LEDGER.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + WELSH_LEDGER.encode("utf-8"), "utf-8-sig"),
        (WELSH_LEDGER.encode("utf-16"), "utf-16"),
        (WELSH_LEDGER.encode("cp1252"), "windows-1252"),
    ],
    ids=["utf-8", "utf-8 with BOM", "utf-16", "windows-1252"],
)
def test_encodings_read_to_the_same_rows(encoded: bytes, encoding: str) -> None:
    result = imported(encoded)
    assert result.summary.encoding == encoding
    assert result.rows["supplier_name"].to_pylist() == [
        "Caffi’r Castell",
        "Ysgol Gymraeg Caerffili",
    ]
    assert result.summary.total_amount == Decimal("1349.50")
    assert result.rows_sha256 == imported(WELSH_LEDGER).rows_sha256


def test_garbled_bom_is_removed_from_the_first_heading() -> None:
    garbled = codecs.BOM_UTF8.decode("cp1252").encode("utf-8")  # "ï»¿"
    result = imported(garbled + LEDGER.encode())
    assert result.inspection.columns[0].name == "Payment Date"
    assert "garbled_bom" in {note.code for note in result.summary.notes}


def test_latin1_bytes_outside_windows_1252_still_read() -> None:
    data = LEDGER.replace("ACME Ltd", "ACME\x81 Ltd").encode("latin-1")
    result = imported(data)
    assert result.summary.encoding == "latin-1"
    assert result.summary.rows_imported == 3


def test_a_late_non_utf8_byte_rereads_the_whole_file_as_windows_1252() -> None:
    filler = "".join(f"31/03/2025,Supplier {n} Ltd,1.00,T{n}\n" for n in range(4000))
    text = "Payment Date,Supplier Name,Amount,Transaction Number\n" + filler
    data = (text + "01/04/2025,Café Ltd,2.00,TX\n").encode("cp1252")
    assert len(data) > 64 * 1024
    result = imported(data)
    assert result.summary.encoding == "windows-1252"
    assert result.rows["supplier_name"].to_pylist()[-1] == "Café Ltd"


def test_encoding_accidents_inside_cells_are_repaired() -> None:
    names = pl.Series(["KELLY\x92S HEROES", "Â£5 Store", "  Two   spaces\u00a0here ", "#N/A"])
    assert clean_texts(names).to_list() == ["KELLY’S HEROES", "£5 Store", "Two spaces here", None]


# --- spreadsheets ---------------------------------------------------------------------------


def xlsx_bytes(*sheets: list[list[object]]) -> bytes:
    """A minimal XLSX workbook (one sheet per argument, inline strings, unstyled numbers),
    written with zipfile so the tests need no spreadsheet library."""

    def cell(column: int, row: int, value: object) -> str:
        ref = f"{chr(65 + column)}{row}"
        if isinstance(value, int | float):
            return f'<c r="{ref}"><v>{value}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'

    def sheet_xml(rows: list[list[object]]) -> str:
        sheet_rows = "".join(
            f'<row r="{r}">'
            + "".join(cell(c, r, v) for c, v in enumerate(row) if v is not None)
            + "</row>"
            for r, row in enumerate(rows, start=1)
        )
        return f'<worksheet xmlns="{main}"><sheetData>{sheet_rows}</sheetData></worksheet>'

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006"
    numbers = range(1, len(sheets) + 1)
    worksheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    files = {
        "[Content_Types].xml": (
            f'<Types xmlns="{package}/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{worksheet_type}"/>'
                for n in numbers
            )
            + "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{package}/relationships"><Relationship Id="rId1" '
            f'Type="{relationships}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{relationships}"><sheets>'
            + "".join(f'<sheet name="Sheet{n}" sheetId="{n}" r:id="rId{n}"/>' for n in numbers)
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{package}/relationships">'
            + "".join(
                f'<Relationship Id="rId{n}" Type="{relationships}/worksheet" '
                f'Target="worksheets/sheet{n}.xml"/>'
                for n in numbers
            )
            + "</Relationships>"
        ),
        **{f"xl/worksheets/sheet{n}.xml": sheet_xml(rows) for n, rows in zip(numbers, sheets)},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>' + text)
    return buffer.getvalue()


def ods_bytes(rows: list[list[object]]) -> bytes:
    """A minimal ODS spreadsheet; a ``date`` cell holds a real ODF date value."""

    def cell(value: object) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, date):
            iso = value.isoformat()
            return (
                f'<table:table-cell office:value-type="date" office:date-value="{iso}">'
                f"<text:p>{iso}</text:p></table:table-cell>"
            )
        if isinstance(value, int | float):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        return (
            '<table:table-cell office:value-type="string">'
            f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
        )

    body = "".join(
        "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Payments">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        mimetype = "application/vnd.oasis.opendocument.spreadsheet"
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)  # stored, first
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def test_xlsx_with_title_row_blank_column_and_serial_dates() -> None:
    data = xlsx_bytes(
        [
            ["Spend over £500, March 2025"],
            [],
            [None, "Payment Date", "Supplier Name", "Amount", "Transaction Number"],
            [None, 45747, "ACME Ltd", 1234.5, "T1"],  # 45747 = 2025-03-31, unstyled
            [None, "01/04/2025", "Beta Services Ltd", -20, "T2"],
            [None, "02/04/2025", "Gamma Trust", 99.99, "T3"],
        ]
    )
    result = import_ledger(data)
    assert result.summary.file_format == "xlsx"
    assert result.summary.heading_line == 3
    assert result.rows["line_number"].to_pylist() == [4, 5, 6]
    assert result.rows["payment_date"].to_pylist() == [
        date(2025, 3, 31),
        date(2025, 4, 1),
        date(2025, 4, 2),
    ]
    assert result.summary.total_amount == Decimal("1314.49")
    assert result.rows_sha256 == imported(LEDGER).rows_sha256  # same payments, same hash
    assert result.file_sha256 != imported(LEDGER).file_sha256


def test_a_workbook_is_read_from_the_sheet_of_payments() -> None:
    cover: list[list[object]] = [
        ["About this data", "Spend over £500"],
        ["Publisher", "Example Council"],
    ]
    payments: list[list[object]] = [
        ["Payment Date", "Supplier Name", "Amount"],
        ["31/03/2025", "ACME Ltd", 10],
        ["01/04/2025", "Beta Ltd", 5.5],
    ]
    result = import_ledger(xlsx_bytes(cover, payments))
    assert result.inspection.structure.sheet_name == "Sheet2"
    assert "sheet_chosen" in {note.code for note in result.summary.notes}
    assert result.summary.total_amount == Decimal("15.50")


def test_ods_with_date_cells() -> None:
    data = ods_bytes(
        [
            ["Payment Date", "Supplier Name", "Amount", "Transaction Number"],
            [date(2025, 3, 31), "ACME Ltd", 1234.5, "T1"],
            [date(2025, 4, 1), "Beta Services Ltd", -20, "T2"],
            ["02/04/2025", "Gamma Trust", 99.99, "T3"],
        ]
    )
    result = import_ledger(data)
    assert result.summary.file_format == "ods"
    assert result.rows["line_number"].to_pylist() == [2, 3, 4]
    assert result.summary.total_amount == Decimal("1314.49")
    assert result.rows_sha256 == imported(LEDGER).rows_sha256


# --- values ---------------------------------------------------------------------------------


def test_dates_in_every_published_form() -> None:
    texts = [
        "28-May-2013",  # Leeds
        "31/03/2025",  # UK day-first
        "2025-03-31",  # ISO
        "202205",  # a month only (Gateshead)
        "00:00:00",  # a time only (Oxford 2014)
        "31/03/2025 00:00",
        "2025-03-31T10:15:00",
        "1/2/2018",
        "28-may-13",
        "May 2022",
        "5 Sept 2024",
        " 31.03.2025 ",
        "31/02/2025",  # no such day
        "not a date",
        None,
    ]
    parsed = parse_dates(pl.Series(texts, dtype=pl.String))
    assert parsed["payment_date"].to_list() == [
        date(2013, 5, 28),
        date(2025, 3, 31),
        date(2025, 3, 31),
        date(2022, 5, 1),
        None,
        date(2025, 3, 31),
        date(2025, 3, 31),
        date(2018, 2, 1),
        date(2013, 5, 28),
        date(2022, 5, 1),
        date(2024, 9, 5),
        date(2025, 3, 31),
        None,
        None,
        None,
    ]
    assert (
        parsed["period_only"].to_list()
        == [False, False, False, True] + [False] * 5 + [True] + [False] * 5
    )
    assert parsed["time_only"].to_list() == [False] * 4 + [True] + [False] * 10
    assert parsed["unreadable"].to_list() == [False] * 12 + [True, True, False]


def test_spreadsheet_serial_days_only_when_allowed() -> None:
    serial = pl.Series(["45747", "45748.0"])
    assert parse_dates(serial, allow_serial=True)["payment_date"].to_list() == [
        date(2025, 3, 31),
        date(2025, 4, 1),
    ]
    assert parse_dates(serial)["unreadable"].to_list() == [True, True]


def test_oxford_style_time_only_dates_keep_every_row() -> None:
    text = "Paid Date,Supplier Name,Amount\n" + "".join(
        f"00:00:00,Supplier {n} Ltd,{n}.00\n" for n in range(1, 4)
    )
    result = imported(text)
    assert result.summary.rows_imported == 3
    assert result.summary.dates_unknown == 3
    assert "dates_time_only" in {note.code for note in result.summary.notes}


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1234.56", "1234.56"),
        ("£1,234.56", "1234.56"),
        ("(123.45)", "-123.45"),
        ("(1,332.82)", "-1332.82"),  # GLA
        ("123.45-", "-123.45"),
        ("-123.45", "-123.45"),
        ("  £ 1 234.00 ", "1234.00"),
        ("GBP 99", "99.00"),
        ("-£5.00", "-5.00"),
        ("£-5.00", "-5.00"),
        ("12.34 CR", "-12.34"),
        ("12.34 DR", "12.34"),
        (".5", "0.50"),
        ("1.005", "1.00"),  # half to even, to the penny
        ("1.015", "1.02"),
        ("1.5E+03", "1500.00"),
    ],
)
def test_amounts_in_every_published_style(text: str, amount: str) -> None:
    parsed = parse_amount_texts([text])
    assert parsed["problem"].to_list() == [None]
    assert parsed["amount"].to_list() == [Decimal(amount)]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (None, "amount_empty"),
        ("   ", "amount_empty"),
        ("n/a", "amount_unreadable"),
        ("12-34", "amount_unreadable"),
        ("(12.00", "amount_unreadable"),
        ("1,23", "amount_unreadable"),
        ("£", "amount_unreadable"),
        ("12345678901234567890", "amount_too_large"),
    ],
)
def test_unreadable_amounts_say_why(text: str | None, problem: str) -> None:
    parsed = parse_amount_texts([text])
    assert parsed["problem"].to_list() == [problem]
    assert parsed["amount"].to_list() == [None]


def test_redacted_and_personal_supplier_names_are_flagged_not_dropped() -> None:
    names = [
        "REDACTED PERSONAL DATA",
        "Redacted",
        "Redacted Personal Information",
        "Personal information",
        "REDACTED COMMERCIAL CONFIDENTIALITY",
        "Redactive Publishing Limited",
        "PERSONAL CAREER MANAGEMENT LTD",
        "MR J KEOWN",
        "ELLEN HAVARD",
        "A E Speight",
        "SMITH J",
        "ACME Ltd",
        "PREMIER INN",
        "Trafford M B C",
        None,
    ]
    flags = name_flags(pl.Series(names, dtype=pl.String))
    assert flags["is_redacted"].to_list() == [True] * 5 + [False] * 10
    assert (
        flags["is_personal"].to_list()
        == [True] * 4 + [False, False, False] + [True] * 4 + [False] * 4
    )


def test_redacted_rows_are_kept_without_a_name() -> None:
    text = LEDGER + "03/04/2025,REDACTED PERSONAL DATA,10.00,T4\n"
    result = imported(text)
    assert result.summary.rows_imported == 4
    assert result.summary.redacted_rows == 1
    last = result.rows.slice(3).to_pylist()[0]
    assert last["supplier_name"] is None
    assert last["supplier_name_raw"] == "REDACTED PERSONAL DATA"
    assert last["is_redacted"] and last["is_personal"]


def test_codes_and_identifiers_are_normalised() -> None:
    text = (
        "Payment Date,Supplier Name,Amount,Company Number,VAT Registration Number,Postcode,"
        "Capital/Revenue,VAT Amount\n"
        "31/03/2025,ACME Ltd,100.00,1234567,123 4567 89,cf103nq,C,20.00\n"
        "31/03/2025,Beta Ltd,50.00,SC123456,GB123456789,NA,Revenue,oops\n"
    )
    rows = imported(text).rows.to_pylist()
    assert [r["company_number"] for r in rows] == ["01234567", "SC123456"]
    assert [r["vat_number"] for r in rows] == ["GB123456789", "GB123456789"]
    assert [r["postcode"] for r in rows] == ["CF10 3NQ", None]
    assert [r["capital_or_revenue"] for r in rows] == ["capital", "revenue"]
    assert [r["vat_gbp"] for r in rows] == [Decimal("20.00"), None]


# --- column recognition and mapping ---------------------------------------------------------


def test_headings_are_normalised_for_matching() -> None:
    assert normalise_heading("BeneficiaryName") == "beneficiary name"
    assert normalise_heading("IrrecoverableVATAmount") == "irrecoverable vat amount"
    assert normalise_heading("FIN.TRANSACTION DATE") == "fin transaction date"
    assert normalise_heading("Directotate") == "directorate"
    assert normalise_heading("Expenditure Catergory") == "expenditure category"
    assert normalise_heading("Departmental Family") == "departmental family"


def test_inspection_proposes_a_mapping_with_confidence_and_a_preview() -> None:
    inspection = inspect_ledger(LEDGER.encode())
    proposal = inspection.proposal
    assert not proposal.uncertain
    assert proposal.labels() == {
        "payment_date": "Payment Date",
        "supplier_name": "Supplier Name",
        "amount": "Amount",
        "transaction_ref": "Transaction Number",
    }
    assert all(0 < guess.confidence <= 1 for guess in proposal.roles.values())
    assert inspection.preview[0].line_number == 2
    assert inspection.preview[0].cells == ("31/03/2025", "ACME Ltd", "1234.50", "T1")


def test_an_unrecognisable_layout_asks_for_a_mapping() -> None:
    text = "Col A,Col B,Col C\n" + "".join(
        f"0{day}/04/2025,Supplier {day} Ltd,{day}.50\n" for day in range(1, 9)
    )
    with pytest.raises(LedgerMappingNeeded) as needed:
        imported(text)
    inspection = needed.value.inspection
    assert set(inspection.proposal.uncertain_roles) >= {"supplier_name"}
    assert needed.value.problem.code == "mapping_uncertain"

    guessed = imported(text, accept_uncertain_mapping=True)
    assert guessed.summary.total_amount == Decimal("40.00")

    mapped = imported(
        text, mapping={"payment_date": "Col A", "supplier_name": "Col B", "amount": 2}
    )
    assert mapped.summary.mapping == {
        "payment_date": "Col A",
        "supplier_name": "Col B",
        "amount": "Col C",
    }
    assert mapped.rows["supplier_name"].to_pylist()[0] == "Supplier 1 Ltd"


def test_an_explicit_mapping_overrides_the_guess() -> None:
    text = (
        "Payment Date,Supplier Name,Net Amount,Gross Amount\n"
        "31/03/2025,ACME Ltd,100.00,120.00\n"
        "31/03/2025,Beta Ltd,50.00,60.00\n"
    )
    assert imported(text).summary.total_amount == Decimal("150.00")
    gross = imported(text, mapping={"amount": "Gross Amount", "vat_amount": None})
    assert gross.summary.total_amount == Decimal("180.00")
    assert gross.summary.mapping["amount"] == "Gross Amount"
    by_normalised_heading = imported(text, mapping={"amount": "GrossAmount"})
    assert by_normalised_heading.summary.total_amount == Decimal("180.00")


@pytest.mark.parametrize(
    ("mapping", "code"),
    [
        ({"price": "Amount"}, "mapping_unknown_role"),
        ({"amount": "Cost"}, "mapping_column_missing"),
        ({"amount": 9}, "mapping_column_missing"),
        ({"amount": "Amount", "vat_amount": 2}, "mapping_column_twice"),
    ],
)
def test_a_mapping_that_does_not_fit_is_refused(mapping: dict[str, object], code: str) -> None:
    with pytest.raises(LedgerFileError) as refused:
        imported(LEDGER, mapping=mapping)
    assert refused.value.problem.code == code


# --- whole-file refusals --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "file_empty"),
        (b"\x00\x01\x02binary\x00\x00" * 20, "not_text"),
        (gzip.compress(b"")[:10] + b"garbage", "compressed_unreadable"),
        (b"PK\x03\x04not really a zip", "spreadsheet_unreadable"),
        (b"hello\nworld\n", "no_table"),
        (b"Payment Date,Supplier Name,Amount\n", "no_data_rows"),
        (b"Payment Date,Supplier Name,Amount\n,,n/a\n", "nothing_imported"),
        (b" Supplier Name , Total\n Acme ,10.00\n Grand Total ,10.00\n", "summary_table"),
    ],
    ids=["empty", "binary", "bad gzip", "bad zip", "no table", "no rows", "none good", "pivot"],
)
def test_whole_file_refusals_say_why(data: bytes, code: str) -> None:
    with pytest.raises(LedgerFileError) as refused:
        import_ledger(data, accept_uncertain_mapping=True)
    assert refused.value.problem.code == code
    assert str(refused.value) == refused.value.problem.text()


def test_a_table_with_no_good_line_lists_every_rejection() -> None:
    text = "Payment Date,Supplier Name,Amount\n31/03/2025,ACME Ltd,n/a\n31/03/2025,Beta Ltd,\n"
    with pytest.raises(LedgerNothingImported) as refused:
        imported(text)
    assert [(r.line_number, r.problem.code) for r in refused.value.rejected] == [
        (2, "amount_unreadable"),
        (3, "amount_empty"),
    ]


def test_a_zip_that_is_not_a_spreadsheet_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ledger.csv", LEDGER)
    with pytest.raises(LedgerFileError) as refused:
        import_ledger(buffer.getvalue())
    assert refused.value.problem.code == "zip_not_spreadsheet"


def test_every_message_template_fills_from_its_parameters() -> None:
    for code, template in MESSAGE_TEMPLATES.items():
        names = {part.split(")")[0] for part in template.split("%(")[1:]}
        assert template % dict.fromkeys(names, "x"), code


# --- properties -----------------------------------------------------------------------------

money = st.decimals(
    min_value=Decimal("-9999999999.99"),
    max_value=Decimal("9999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


def formatted(value: Decimal, style: int) -> str:
    """``value`` written in one of the styles published ledgers use."""
    size = abs(value)
    negative = value < 0
    sign = "-" if negative else ""
    match style:
        case 0:
            return f"{value}"
        case 1:
            return f"{sign}£{size:,.2f}"
        case 2:
            return f"({size:,.2f})" if negative else f"{size:,.2f}"
        case 3:
            return f"{size:.2f}-" if negative else f"{size:.2f}"
        case 4:
            return f"  £ {sign}{size:,.2f} "
        case 5:
            return f"GBP {value}"
        case 6:
            return f"{size:.2f} CR" if negative else f"{size:.2f}"
        case _:
            return f"£{sign}{size}"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(money, st.integers(min_value=0, max_value=7)), min_size=1, max_size=40))
def test_amounts_written_in_any_style_read_back_to_the_same_value(
    values: list[tuple[Decimal, int]],
) -> None:
    parsed = parse_amount_texts([formatted(value, style) for value, style in values])
    assert parsed["problem"].to_list() == [None] * len(values)
    assert parsed["amount"].to_list() == [value for value, _style in values]


amount_texts = st.text(alphabet=st.sampled_from("0123456789,.£()-− CRGBP"), max_size=14)


@settings(max_examples=400, deadline=None)
@given(st.lists(amount_texts, min_size=1, max_size=30))
def test_the_quick_reading_of_common_amounts_agrees_with_the_full_pattern(
    texts: list[str],
) -> None:
    # Plain numbers and the common written forms skip the full pattern; whatever path a text
    # takes, the amount and the problem must be what the full pattern alone would say.
    series = pl.Series(texts, dtype=pl.String)
    quick = parse_amount_texts(texts)
    plain = series.cast(pl.Decimal(18, 2), strict=False)
    full = _parse_formatted_amounts(series)
    expected_amount = [p if p is not None else f for p, f in zip(plain, full["amount"])]
    expected_problem = [None if p is not None else f for p, f in zip(plain, full["problem"])]
    assert quick["amount"].to_list() == expected_amount
    assert quick["problem"].to_list() == expected_problem


cell_texts = st.text(alphabet=st.sampled_from("ab1 \t\u00a0Â£Ã©\x92-#N/A.é"), max_size=10)


@settings(max_examples=300, deadline=None)
@given(st.lists(cell_texts | st.none(), min_size=1, max_size=30), st.booleans())
@example(["two  spaces", "tab\tin", " lead", "N/A", "Â£5"], True)
def test_cleaning_a_column_cleans_each_value_as_alone(
    cells: list[str | None], distinct: bool
) -> None:
    # Mostly different values (transaction numbers) are only cleaned where they may need it,
    # repeated ones once per distinct value: either way, the result is each cell cleaned.
    if distinct:
        cells = [*cells, *(f"T{number}" for number in range(3 * len(cells)))]
    series = pl.Series("cell", cells, dtype=pl.String)
    expected = series.to_frame().select(clean_text(pl.col("cell")))["cell"]
    assert clean_texts(series).to_list() == expected.to_list()


date_texts = st.sampled_from(
    ["31/03/2025", "2025-03-31", "28-May-2013", "202205", "09:30", "Sept 2024", "45747",
     " 01/04/2025 ", "31/02/2025", "not a date", "", "03/04/2025 00:00:00", "Mar-25"]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(date_texts | st.none(), min_size=1, max_size=12), st.integers(2, 5))
def test_repeated_dates_are_read_as_each_line_alone(texts: list[str | None], repeats: int) -> None:
    # Repeated date texts are read once each and looked up: the result must be what reading
    # every line, with the same formats, gives, line by line and in order.
    from infuse.procurement.ledger_values import _date_reading, _parse_dates_as

    series = pl.Series("text", texts * repeats, dtype=pl.String)
    looked_up = parse_dates(series, allow_serial=True)
    text, formats = _date_reading(series, allow_serial=True)
    line_by_line = _parse_dates_as(series, text, formats, allow_serial=True)
    assert looked_up.to_dicts() == line_by_line.to_dicts()


csv_cells = st.text(alphabet=st.sampled_from('ab1,."\n\r £-()/:;\t\x00é’'), max_size=12)
junk = st.one_of(
    st.binary(max_size=3000),
    st.text(max_size=600).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.lists(st.lists(csv_cells, max_size=8), max_size=30).map(
        lambda rows: "\n".join(",".join(row) for row in rows).encode("utf-8")
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(junk)
@example(b"\x1f\x8b\x08\x00garbage")
@example(b"PK\x03\x04" + bytes(60))
@example(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
@example(codecs.BOM_UTF16_LE + b"\x00\xd8")
@example(codecs.BOM_UTF8)
@example(b'Date,Supplier,Amount\n"unterminated,x,1\n')
@example(b"Date,Supplier,Amount\n01/01/2024,A Ltd,1\n" + b"\xff" * 70000)
def test_junk_bytes_only_ever_raise_the_engines_own_error(data: bytes) -> None:
    for accept in (False, True):
        try:
            result = import_ledger(data, accept_uncertain_mapping=accept)
        except LedgerFileError as refused:
            assert refused.problem.code in MESSAGE_TEMPLATES
            assert str(refused)
        else:
            summary = result.summary
            assert summary.rows_read == summary.rows_imported + summary.rows_rejected


row_kinds = st.sampled_from(["payment", "payment", "payment", "blank", "bad", "empty", "total"])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(row_kinds, st.dates(date(2000, 1, 1), date(2030, 12, 31)), money),
        min_size=1,
        max_size=60,
    ),
    st.booleans(),
)
def test_imported_plus_rejected_rows_are_the_data_rows(
    rows: list[tuple[str, date, Decimal]], crlf: bool
) -> None:
    lines = ["Payment Date,Supplier Name,Amount,Transaction Number"]
    for number, (kind, day, amount) in enumerate(rows):
        when = day.strftime("%d/%m/%Y")
        lines.append(
            {
                "payment": f'{when},Supplier {number % 7} Ltd,"{amount:,.2f}",T{number}',
                "blank": "",
                "bad": f"{when},Supplier Ltd,not money,T{number}",
                "empty": f"{when},Supplier Ltd,,T{number}",
                "total": f",Total,{amount},",
            }[kind]
        )
    kinds = [kind for kind, _day, _amount in rows]
    while kinds and kinds[-1] == "blank":  # blank lines at the very end are not rows
        kinds.pop()
    text = ("\r\n" if crlf else "\n").join(lines) + "\n"
    mapping = {
        "payment_date": "Payment Date",
        "supplier_name": "Supplier Name",
        "amount": "Amount",
        "transaction_ref": "Transaction Number",
    }
    payments = [i for i, kind in enumerate(kinds) if kind == "payment"]
    if not kinds:
        with pytest.raises(LedgerFileError):
            import_ledger(text.encode(), mapping=mapping)
        return
    if not payments:
        with pytest.raises(LedgerFileError) as refused:
            import_ledger(text.encode(), mapping=mapping)
        assert refused.value.problem.code == "nothing_imported"
        return
    result = import_ledger(text.encode(), mapping=mapping)
    summary = result.summary
    assert summary.rows_read == len(kinds)
    assert summary.rows_imported + summary.rows_rejected == len(kinds)
    assert summary.rows_imported == len(payments)
    assert result.rows["line_number"].to_pylist() == [i + 2 for i in payments]
    rejected_lines = [r.line_number for r in result.rejected]
    assert rejected_lines == [i + 2 for i, kind in enumerate(kinds) if kind != "payment"]
    expected_total = sum((rows[i][2] for i in payments), Decimal("0.00"))
    assert summary.total_amount == expected_total
