"""Generated spend ledgers for the demonstration workspace.

Invented payments (no real supplier or person), shaped like the councils' real "spend over £500"
files: a year of monthly files for each of the ten authorities, each authority in its own
layout, with the quirks real files have — byte-order marks, a title line, pound signs and
thousands separators, bracketed credits, day-first dates, month-only periods, redacted names of
individuals, credit notes, the odd payment made twice, a few suppliers spelt several ways. The
same regional suppliers appear in several authorities' files, so the cross-authority pages have
something to find.

Deterministic: the same seed gives the same files, so the demo looks the same for everyone.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

# Regional suppliers several authorities use (invented names).
REGIONAL_SUPPLIERS = [
    ("Cwm Civils Ltd", "Highways", "Construction: Road Maintenance", "CF83 3GW"),
    ("Valleys Waste & Recycling Ltd", "Waste Services", "Waste: Collection", "NP4 6YD"),
    ("Taff Care Partnership Ltd", "Social Services", "Social Care: Residential Care", "CF37 1DL"),
    ("Gwent Fleet Services Ltd", "Fleet", "Vehicles: Maintenance", "NP20 2JG"),
    ("Cardiff Bay Energy Co-operative", "Property Services", "Energy: Electricity", "CF10 5BZ"),
    ("Dragon Office Supplies Ltd", "Corporate Services", "Office Supplies: Stationery", "CF24 0EB"),
    ("Sir Fynwy Building Contractors Ltd", "Housing", "Construction: Building Works", "NP25 3EN"),
    ("Bro Morgannwg Catering Cyf", "Education", "Catering: Food", "CF62 4JB"),
    ("Rhondda Digital Services Ltd", "ICT", "ICT: Software", "CF40 2XX"),
    ("Merthyr Minibus Hire Ltd", "Education", "Transport: Home to School", "CF47 8UT"),
    ("South Wales Agency Staff Ltd", "Social Services", "Staffing: Agency", "CF14 3UZ"),
    ("Heads of the Valleys Grounds Care Ltd", "Parks", "Grounds Maintenance", "NP22 3AU"),
]
# Other spellings of a few regional suppliers, as different clerks and systems type them: some
# the supplier-cleaning engine joins by itself (case, Ltd/Limited, a trading name), some only
# an analyst can (an abbreviation, a dropped legal form and word).
SPELLING_VARIANTS = {
    "Cwm Civils Ltd": ("CWM CIVILS LIMITED", "Cwm Civils Ltd."),
    "Valleys Waste & Recycling Ltd": ("Valleys Waste and Recycling Limited",),
    "Dragon Office Supplies Ltd": ("Dragon Office Supplies Ltd T/A Dragon Stationery",),
    "Gwent Fleet Services Ltd": ("Gwent Fleet Svcs",),
    "Taff Care Partnership Ltd": ("Taff Care",),
}
LOCAL_SUPPLIER_WORDS = [
    "Cwmni",
    "Siop",
    "Gwasanaethau",
    "Adeiladwyr",
    "Valley",
    "County",
    "Bridge",
    "Castle",
]
LOCAL_SUPPLIER_TRADES = [
    ("Plumbing Ltd", "Housing", "Construction: Repairs"),
    ("Print Cyf", "Corporate Services", "Printing"),
    ("Tree Surgeons Ltd", "Parks", "Grounds Maintenance"),
    ("Taxis Ltd", "Education", "Transport: Home to School"),
    ("Security Ltd", "Property Services", "Security Services"),
    ("Consulting Ltd", "Chief Executive", "Consultancy"),
]
# Where each authority's own small suppliers are (invented addresses, as the suppliers are):
# districts with postcodes in the authority (for Cardiff, Newport and Monmouthshire as the
# postcode districts table's sources list them; for the others, districts of their main
# towns). The consultants come from Bristol, so the local share has spend outside Wales to
# show, and the printers from Brecon, elsewhere in Wales.
AUTHORITY_DISTRICTS = {
    "W06000013": ("CF31", "CF32", "CF33", "CF35", "CF36"),  # Bridgend
    "W06000014": ("CF61", "CF62", "CF63", "CF64", "CF71"),  # Vale of Glamorgan
    "W06000015": ("CF5", "CF11", "CF14", "CF23", "CF24"),  # Cardiff
    "W06000016": ("CF37", "CF38", "CF39", "CF40", "CF44"),  # Rhondda Cynon Taf
    "W06000018": ("CF81", "CF82", "CF83", "NP11", "NP12"),  # Caerphilly
    "W06000019": ("NP13", "NP22", "NP23"),  # Blaenau Gwent
    "W06000020": ("NP4", "NP44"),  # Torfaen
    "W06000021": ("NP7", "NP15", "NP16", "NP25", "NP26"),  # Monmouthshire
    "W06000022": ("NP10", "NP19", "NP20"),  # Newport
    "W06000024": ("CF46", "CF47", "CF48"),  # Merthyr Tydfil
}
TRADES_FROM_AFAR = {
    "Consulting Ltd": "BS1 4DJ",  # Bristol
    "Print Cyf": "LD3 7AB",  # Brecon, Powys
}
DEPARTMENT_WEIGHTS = {
    "Social Services": 0.28,
    "Education": 0.22,
    "Highways": 0.12,
    "Waste Services": 0.1,
    "Housing": 0.08,
    "Property Services": 0.06,
    "ICT": 0.04,
    "Corporate Services": 0.04,
    "Parks": 0.03,
    "Fleet": 0.02,
    "Chief Executive": 0.01,
}


class Payment(NamedTuple):
    day: datetime.date
    supplier: str
    amount: float
    department: str
    category: str
    postcode: str
    reference: str
    invoice: str


@dataclass(frozen=True)
class DemoLedger:
    body_code: str
    file_name: str
    content: bytes


LAYOUTS = ("standard", "oxford", "manchester", "period", "darlington")


def _authority_suppliers(
    rng: np.random.Generator, body_code: str
) -> list[tuple[str, str, str, str]]:
    suppliers = list(REGIONAL_SUPPLIERS)
    for number, word in enumerate(rng.choice(LOCAL_SUPPLIER_WORDS, size=6, replace=False)):
        trade, department, category = LOCAL_SUPPLIER_TRADES[
            int(rng.integers(len(LOCAL_SUPPLIER_TRADES)))
        ]
        postcode = _local_postcode(body_code, trade, number)
        suppliers.append((f"{word} {trade}", department, category, postcode))
    return suppliers


def _local_postcode(body_code: str, trade: str, number: int) -> str:
    """A postcode for an authority's own supplier, made without drawing on the generator (so
    adding postcodes changed no other figure); the sixth supplier has none, as in real lists."""
    if number == 5:
        return ""
    if trade in TRADES_FROM_AFAR:
        return TRADES_FROM_AFAR[trade]
    districts = AUTHORITY_DISTRICTS.get(body_code)
    if not districts:
        return ""
    district = districts[number % len(districts)]
    return f"{district} {1 + number}{'ABDEFG'[number]}{'HJLNPQ'[number]}"


def local_suppliers(
    body_code: str, body_codes: list[str], *, seed: int = 2026
) -> list[tuple[str, str]]:
    """The authority's own suppliers in the generated ledgers (``demo_ledgers`` with the same
    body codes and seed), as ``(name, postcode)``."""
    index = sorted(body_codes).index(body_code) if body_code in body_codes else -1
    if index < 0:
        return []
    suppliers = _authority_suppliers(np.random.default_rng([seed, index]), body_code)
    return [(name, postcode) for name, _d, _c, postcode in suppliers[len(REGIONAL_SUPPLIERS) :]]


def _money(value: float, style: str) -> str:
    if style == "plain":
        return f"{value:.2f}"
    if style == "pounds":
        return f"£{value:,.2f}" if value >= 0 else f"(£{abs(value):,.2f})"
    return f"{value:,.2f}" if value >= 0 else f"{abs(value):,.2f}-"


def demo_ledgers(body_codes: list[str], *, months: int = 12, seed: int = 2026) -> list[DemoLedger]:
    """Monthly spend files for each body, April 2025 onwards."""
    files: list[DemoLedger] = []
    for index, code in enumerate(body_codes):
        rng = np.random.default_rng([seed, index])
        # A generator of its own for spellings, so adding them changed no other figure.
        spelling_rng = np.random.default_rng([seed, index, 1])
        layout = LAYOUTS[index % len(LAYOUTS)]
        suppliers = _authority_suppliers(rng, code)
        weights = np.array(
            [3.0] * len(REGIONAL_SUPPLIERS) + [1.0] * (len(suppliers) - len(REGIONAL_SUPPLIERS))
        )
        weights /= weights.sum()
        scale = 0.6 + 0.8 * rng.random()  # authorities differ in size
        transaction = 100000 * (index + 1)
        for month in range(months):
            first = datetime.date(2025 + (3 + month) // 12, (3 + month) % 12 + 1, 1)
            count = int(rng.integers(120, 220) * scale)
            rows: list[Payment] = []
            for _ in range(count):
                supplier, department, category, postcode = suppliers[
                    int(rng.choice(len(suppliers), p=weights))
                ]
                amount = float(np.round(np.exp(rng.normal(7.6, 1.1)) + 500, 2))
                variants = SPELLING_VARIANTS.get(supplier, ())
                if variants and spelling_rng.random() < 0.3:
                    supplier = variants[int(spelling_rng.integers(len(variants)))]
                day = first + datetime.timedelta(days=int(rng.integers(0, 28)))
                transaction += 1
                if rng.random() < 0.03:
                    supplier, category, postcode = (
                        "REDACTED PERSONAL DATA",
                        "Social Care: Direct Payments",
                        "",
                    )
                    department = "Social Services"
                if rng.random() < 0.02:
                    amount = -round(amount * 0.2, 2)  # a credit note
                rows.append(
                    Payment(
                        day,
                        supplier,
                        amount,
                        department,
                        category,
                        postcode,
                        f"T{transaction}",
                        f"INV-{transaction}",
                    )
                )
            # The odd payment made twice, a few days apart, as auditors find in real ledgers.
            if rows and rng.random() < 0.5:
                original = rows[int(rng.integers(len(rows)))]
                transaction += 1
                rows.append(
                    original._replace(
                        day=original.day + datetime.timedelta(days=3), reference=f"T{transaction}"
                    )
                )
            files.append(
                DemoLedger(
                    code, f"{code}-spend-{first:%Y-%m}.csv", _write(layout, code, first, rows)
                )
            )
    return files


def _write(layout: str, code: str, month: datetime.date, rows: list[Payment]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer, lineterminator="\r\n" if layout in ("oxford", "darlington") else "\n"
    )
    if layout == "standard":  # the LGA / Local Government Transparency Code schema
        writer.writerow(
            [
                "OrganisationLabel",
                "EffectiveDate",
                "OrganisationalUnit",
                "BeneficiaryName",
                "PaymentDate",
                "TransactionNumber",
                "Amount",
                "Purpose",
                "ProclassLabel",
                "InvoiceNumber",
                "Postcode",
            ]
        )
        for day, supplier, amount, department, category, postcode, ref, invoice in rows:
            writer.writerow(
                [
                    code,
                    f"{month:%Y-%m-%d}",
                    department,
                    supplier,
                    f"{day:%Y-%m-%d}",
                    ref,
                    _money(amount, "plain"),
                    category,
                    category,
                    invoice,
                    postcode,
                ]
            )
        return buffer.getvalue().encode("utf-8")
    if layout == "oxford":  # Windows export, day-first dates, pound signs, bracketed credits
        writer.writerow(
            [
                "Body Name",
                "Service Area",
                "Expenditure Category",
                "Paid Date",
                "Trans No",
                "Amount",
                "Supplier Name",
                "Invoice Ref",
            ]
        )
        for day, supplier, amount, department, category, _postcode, ref, invoice in rows:
            writer.writerow(
                [
                    code,
                    department,
                    category,
                    f"{day:%d/%m/%Y}",
                    ref,
                    _money(amount, "pounds"),
                    supplier,
                    invoice,
                ]
            )
        return buffer.getvalue().encode("cp1252", errors="replace")
    if layout == "manchester":  # a byte-order mark and a title line above the headings
        buffer.write(f"Payments over £500 - {month:%B %Y}\n")
        writer.writerow(
            [
                "Body Name",
                "Service Area",
                "Expenses Type",
                "Invoice Payment Date",
                "Transaction Number",
                "Net Amount",
                "Supplier Name",
            ]
        )
        for day, supplier, amount, department, category, _postcode, ref, _invoice in rows:
            writer.writerow(
                [
                    code,
                    department,
                    category,
                    f"{day:%d-%b-%Y}",
                    ref,
                    _money(amount, "plain"),
                    supplier,
                ]
            )
        return "\ufeff".encode() + buffer.getvalue().encode("utf-8")
    if layout == "period":  # only the accounting period, thousands separators, trailing minus
        writer.writerow(
            ["Directorate", "Cipfa Subjective", "TransNo", "Period", "Supplier", "Amount"]
        )
        for _day, supplier, amount, department, category, _postcode, ref, _invoice in rows:
            writer.writerow(
                [department, category, ref, f"{month:%Y%m}", supplier, _money(amount, "minus")]
            )
        return buffer.getvalue().encode("utf-8")
    # darlington: two blank leading columns, as some exports add
    writer.writerow(
        [
            "",
            "",
            "Directorate",
            "Service",
            "Supplier",
            "Transaction Number",
            "Transaction Date",
            "Invoice Line Value",
            "Account",
        ]
    )
    for day, supplier, amount, department, category, _postcode, ref, _invoice in rows:
        writer.writerow(
            [
                "",
                "",
                department,
                category,
                supplier,
                ref,
                f"{day:%d/%m/%Y}",
                _money(amount, "plain"),
                category,
            ]
        )
    return buffer.getvalue().encode("utf-8")
