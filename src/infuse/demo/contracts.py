"""Demonstration contract notices: invented contracts of four authorities, written in the Open
Contracting Data Standard and loaded through the same import as a real Sell2Wales file.

They show the contract pages working: several contracts ending within the next 6 to 18 months
that more than one authority buys (highway gritting, school meals, street lighting), and two
that raise red flags (a high-value tender open for only ten days; three awards just below the
£30,000 threshold). The names and figures are invented for the demonstration.
"""

from __future__ import annotations

import datetime
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
