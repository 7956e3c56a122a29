"""Demonstration contract notices: invented contracts of four authorities, written in the Open
Contracting Data Standard and loaded through the same import as a real Sell2Wales file.

They show the contract pages working: several contracts ending within the next 6 to 18 months
that more than one authority buys (highway gritting, school meals, street lighting), and two
that raise red flags (a high-value tender open for only ten days; three awards just below the
£30,000 threshold). Caerphilly also loads a contracts register (CSV, laid out like Salford's)
whose suppliers are regional suppliers in its demonstration spend ledgers, so its spend on and
off contract can be seen. The names and figures are invented for the demonstration.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from typing import Any

from infuse.reference.selectors import body_by_code

# (body code, OCID suffix, title, CPV, value £, days the tender was open, method,
#  supplier, months until the contract ends)
CONTRACTS: dict[str, list[tuple[str, str, str, float, int, str, str, int]]] = {
    "W06000018": [  # Caerphilly
        ("cc-001", "Winter highway gritting and salt supply", "90620000", 480_000, 35, "open",
         "Halen Cymru Cyf", 7),
        ("cc-002", "School meals ingredients: fresh produce", "15300000", 1_250_000, 40, "open",
         "Bwyd Da Cyf", 11),
        ("cc-003", "Highway resurfacing, A469 corridor", "45233142", 2_400_000, 10, "open",
         "Tarmac Gwent Ltd", 16),
        ("cc-004", "Playground inspections, north", "71631000", 29_500, 14, "limited",
         "Chwarae Diogel Ltd", 9),
        ("cc-005", "Playground inspections, south", "71631000", 29_800, 14, "limited",
         "Chwarae Diogel Ltd", 9),
        ("cc-006", "Playground inspections, east", "71631000", 29_900, 14, "limited",
         "Chwarae Diogel Ltd", 9),
    ],
    "W06000022": [  # Newport
        ("nw-001", "Gritting salt and winter maintenance", "90620000", 520_000, 30, "open",
         "Halen Cymru Cyf", 9),
        ("nw-002", "LED street lighting maintenance", "50232100", 860_000, 45, "open",
         "Golau Stryd Ltd", 14),
    ],
    "W06000020": [  # Torfaen
        ("tf-001", "School catering provisions", "15300000", 640_000, 35, "open",
         "Bwyd Da Cyf", 13),
        ("tf-002", "Street lighting column replacement", "45316110", 390_000, 30, "selective",
         "Golau Stryd Ltd", 30),
    ],
    "W06000015": [  # Cardiff
        ("cf-001", "Fleet telematics and route optimisation", "48000000", 310_000, 28, "open",
         "Llwybr Data Ltd", 5),
    ],
}  # fmt: skip


def _release(code: str, item: tuple[str, str, str, float, int, str, str, int]) -> dict[str, Any]:
    suffix, title, cpv, value, open_days, method, supplier, months = item
    body = body_by_code(code)
    assert body is not None, code  # the ten authorities are loaded before the demo
    today = datetime.date.today()
    opened = today - datetime.timedelta(days=420)
    ends = today + datetime.timedelta(days=round(months * 30.44))
    return {
        "ocid": f"ocds-infusedemo-{suffix}",
        "id": f"ocds-infusedemo-{suffix}-award",
        "date": f"{(opened + datetime.timedelta(days=60)).isoformat()}T10:00:00Z",
        "tag": ["award"],
        "initiationType": "tender",
        "buyer": {"id": f"GB-ONS-{code}", "name": str(body.name)},
        "tender": {
            "id": f"{suffix}-tender",
            "title": title,
            "procurementMethod": method,
            "classification": {"scheme": "CPV", "id": cpv},
            "value": {"amount": value, "currency": "GBP"},
            "tenderPeriod": {
                "startDate": f"{opened.isoformat()}T09:00:00Z",
                "endDate": f"{(opened + datetime.timedelta(days=open_days)).isoformat()}T12:00:00Z",
            },
        },
        "awards": [
            {
                "id": f"{suffix}-award",
                "status": "active",
                "value": {"amount": value, "currency": "GBP"},
                "suppliers": [{"id": supplier, "name": supplier}],
                "contractPeriod": {"startDate": today.isoformat(), "endDate": ends.isoformat()},
            }
        ],
    }


def demo_contracts() -> dict[str, int]:
    """Load each authority's notices as one release package; returns contracts per body."""
    from infuse.procurement.contract_services import ocds_import

    loaded: dict[str, int] = {}
    for code, items in CONTRACTS.items():
        package = {
            "version": "1.1",
            "publisher": {"name": "Infuse demonstration"},
            "releases": [_release(code, item) for item in items],
        }
        imported = ocds_import(
            actor=None,
            body=body_by_code(code),
            file_name=f"demo-contract-notices-{code}.json",
            content=json.dumps(package, ensure_ascii=False).encode(),
        )
        loaded[code] = imported.contracts_read
    return loaded


# Reviews of Caerphilly's flags, as its analyst and an officer would write them (invented):
# (username, indicator, group, flagged item, status, note). The first two are one flag's
# history: a later review supersedes the earlier, which is kept.
DEMO_REVIEWS = (
    ("dafydd", "UK002", "OCID", "ocds-infusedemo-cc-003", "open",
     "Asked Highways whether the ten-day tender was an emergency (storm damage on the A469?)."),
    ("dafydd", "UK002", "OCID", "ocds-infusedemo-cc-003", "referred",
     "No emergency justification on file for a £2.4m contract open for ten days. Referred to "
     "internal audit, 14 days to reply."),
    ("carys", "UK003", "Tenderer", "Chwarae Diogel Ltd", "no_concern",
     "Tri arolwg ar wahân ar gyfer tair ardal, yn ôl y rheolau contract. Dim pryder, ond byddwn "
     "yn eu cyfuno yn un contract y flwyddyn nesaf."),
)  # fmt: skip


def demo_red_flag_reviews() -> int:
    """Caerphilly's reviews of its demo flags (skipped when its flags or people are missing);
    returns how many were recorded."""
    from infuse.accounts.models import User
    from infuse.procurement.contract_selectors import contract_red_flags
    from infuse.procurement.models import RedFlagReview
    from infuse.procurement.redflag_services import red_flag_review

    body = body_by_code("W06000018")
    if body is None or RedFlagReview.objects.filter(owner_body=body).exists():
        return 0
    raised = contract_red_flags(body)
    keys = {(f["indicator"], f["group"], f["id"]) for f in raised}
    made = 0
    for username, indicator, group, item, status, note in DEMO_REVIEWS:
        person = User.objects.filter(username=username, body=body).first()
        if person is None or (indicator, group, item) not in keys:
            continue
        red_flag_review(
            actor=person,
            body=body,
            indicator=indicator,
            group=group,
            item_id=item,
            status=status,
            note=note,
            raised=raised,
        )
        made += 1
    return made


REGISTER_BODY = "W06000018"  # Caerphilly, whose demonstration ledgers run April 2025 – March 2026


def demo_register() -> bytes:
    """Caerphilly's contracts register as a CSV laid out like Salford City Council's, with
    regional suppliers that its demonstration ledgers pay: one contract ended during the ledger
    year (its later payments fall outside its period), the rest run on (bilingual titles)."""
    today = datetime.date.today()

    def months_ahead(months: int) -> str:
        return (today + datetime.timedelta(days=round(months * 30.44))).isoformat()

    heading = (
        "Directorate Name,Process Used,Contract Reference,Contract Title,Contract Description,"
        "Supplier Company Name,Supplier Postcode,Annual Value,"
        "Total Contract Value (including extensions),Start Date,End Date,Current Expiry Date,"
        "SME Supplier?,ProClass Classification,ProClass Description,Company Number"
    )
    rows = [
        ("Highways", "ITT", "CCBC-R001",
         "Highway maintenance term contract / Contract tymor cynnal a chadw priffyrdd",
         "Reactive and planned highway repairs across the county borough",
         "Cwm Civils Ltd", "CF83 3GW", "410000.00", "1640000.00", "2023-04-01",
         "2026-03-31", months_ahead(10), "Yes", "391400", "Roads", ""),
        ("Social Services", "ITT", "CCBC-R002",
         "Residential care placements / Lleoliadau gofal preswyl",
         "Residential care home placements for older people",
         "Taff Care Partnership Ltd", "CF37 1DL", "520000.00", "1560000.00", "2022-10-01",
         "2025-09-30", "2025-09-30", "Yes", "321000", "Social Community Care & Services - Adult",
         ""),
        ("Fleet", "Mini-Comp", "CCBC-R003",
         "Fleet vehicle servicing / Gwasanaethu cerbydau'r fflyd",
         "Servicing and repair of the council's vans and gritters",
         "Gwent Fleet Services Ltd", "NP20 2JG", "95000.00", "285000.00", "2024-07-01",
         months_ahead(7), "", "Yes", "441000", "Vehicle Maintenance", ""),
        ("Waste Services", "ITT", "CCBC-R004",
         "Recycling collection and processing / Casglu a phrosesu ailgylchu",
         "Kerbside recycling collection and processing of dry recyclables",
         "Valleys Waste & Recycling Ltd", "NP4 6YD", "1200000.00", "8400000.00", "2021-04-01",
         months_ahead(28), "", "No", "381000", "Waste Collection", ""),
        ("Parks", "RFQ", "CCBC-R005",
         "Grounds maintenance, parks and cemeteries / Cynnal tiroedd, parciau a mynwentydd",
         "Grass cutting and shrub maintenance in parks and cemeteries",
         "Heads of the Valleys Grounds Care Ltd", "NP22 3AU", "60000.00", "180000.00",
         "2025-01-01", months_ahead(5), "", "Yes", "101500", "Grounds Maintenance", ""),
        ("Education", "Direct Call-Off", "CCBC-R006",
         "School transport, minibus hire / Cludiant ysgol, llogi bysiau mini",
         "Home to school transport for pupils with additional learning needs",
         "Merthyr Minibus Hire Ltd", "CF47 8UT", "150000.00", "300000.00", "2025-09-01",
         months_ahead(9), "", "Yes", "541000", "Passenger Transport", ""),
    ]  # fmt: skip
    buffer = io.StringIO()
    buffer.write(heading + "\r\n")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def demo_contracts_register() -> int:
    """Load Caerphilly's demonstration contracts register; returns the contracts made."""
    from infuse.procurement.contract_services import register_import

    imported = register_import(
        actor=None,
        body=body_by_code(REGISTER_BODY),
        file_name="caerphilly-contracts-register.csv",
        content=demo_register(),
    )
    return imported.contracts_read
