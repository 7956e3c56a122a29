"""The Data Lab catalogue in the demonstration workspace: the datasets a council Data Lab uses.

Caerphilly's catalogue lists the open data behind its energy-advice question (DESNZ energy use,
EPCs, fuel poverty, WIMD, CO2 emissions by local authority), its own spend ledger and its housing
repairs records (personal data, kept private). The housing repairs extract has been profiled: the
profile flags the tenants' names, email addresses and phone numbers before anyone shares it.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from typing import Any

from django.db import transaction

from infuse.accounts.models import User
from infuse.datalab import services
from infuse.datalab.models import DataQuestion, Dataset
from infuse.datalab.profiling import profile_path
from infuse.reference.models import Theme

CAERPHILLY = "W06000018"
OGL = "OGL-UK-3.0"

#: title, description, publisher, licence, access, frequency, dcat theme, Infuse theme slugs,
#: data type, data kind, spatial, start, end, keywords, landing page, visibility
ENTRIES: tuple[dict[str, Any], ...] = (
    {
        "title": "Sub-national electricity and gas consumption (LSOA)",
        "description": "Annual domestic gas and electricity use per meter by lower layer super "
        "output area, from meter readings. Defnydd trydan a nwy fesul ardal fach.",
        "publisher": "Department for Energy Security and Net Zero",
        "licence": OGL,
        "access_rights": "PUBLIC",
        "frequency": "ANNUAL",
        "dcat_theme": "ENER",
        "themes": ["decarbonisation"],
        "data_type": "open",
        "data_kind": "sensor",
        "spatial": "England and Wales, by LSOA",
        "temporal_start": dt.date(2015, 1, 1),
        "temporal_end": dt.date(2023, 12, 31),
        "keywords": "energy, gas, electricity, households, ynni",
        "landing_page": "https://www.gov.uk/government/collections/sub-national-gas-consumption-data",
        "visibility": "public",
    },
    {
        "title": "Energy Performance Certificates (domestic)",
        "description": "Energy ratings of homes when built, sold or let. Tystysgrifau Perfformiad "
        "Ynni.",
        "publisher": "Department for Levelling Up, Housing and Communities",
        "licence": OGL,
        "access_rights": "PUBLIC",
        "frequency": "MONTHLY",
        "dcat_theme": "ENER",
        "themes": ["decarbonisation"],
        "data_type": "open",
        "data_kind": "administrative",
        "spatial": "England and Wales, by address",
        "temporal_start": dt.date(2008, 10, 1),
        "temporal_end": None,
        "keywords": "EPC, housing, energy efficiency",
        "landing_page": "https://epc.opendatacommunities.org/",
        "visibility": "public",
    },
    {
        "title": "Welsh Index of Multiple Deprivation 2019",
        "description": "Relative deprivation of the 1,909 small areas of Wales, overall and in "
        "eight domains. Mynegai Amddifadedd Lluosog Cymru.",
        "publisher": "Welsh Government",
        "licence": OGL,
        "access_rights": "PUBLIC",
        "frequency": "IRREG",
        "dcat_theme": "SOCI",
        "themes": ["decarbonisation"],
        "data_type": "open",
        "data_kind": "administrative",
        "spatial": "Wales, by LSOA",
        "temporal_start": dt.date(2019, 1, 1),
        "temporal_end": dt.date(2019, 12, 31),
        "keywords": "WIMD, deprivation, amddifadedd",
        "landing_page": "https://www.gov.wales/welsh-index-multiple-deprivation",
        "visibility": "public",
    },
    {
        "title": "Local authority greenhouse gas emissions",
        "description": "Carbon dioxide emissions by local authority, sector and year. Allyriadau "
        "carbon deuocsid fesul awdurdod lleol.",
        "publisher": "Department for Energy Security and Net Zero",
        "licence": OGL,
        "access_rights": "PUBLIC",
        "frequency": "ANNUAL",
        "dcat_theme": "ENVI",
        "themes": ["decarbonisation"],
        "data_type": "open",
        "data_kind": "administrative",
        "spatial": "United Kingdom, by local authority",
        "temporal_start": dt.date(2005, 1, 1),
        "temporal_end": dt.date(2020, 12, 31),
        "keywords": "CO2, emissions, carbon, allyriadau",
        "landing_page": "https://www.gov.uk/government/collections/uk-local-authority-and-regional-greenhouse-gas-emissions-national-statistics",
        "visibility": "public",
    },
    {
        "title": "Payments to suppliers over £500",
        "description": "Every payment the council makes to a supplier over £500, published "
        "monthly. Taliadau i gyflenwyr dros £500.",
        "publisher": "Caerphilly County Borough Council",
        "licence": OGL,
        "access_rights": "PUBLIC",
        "frequency": "MONTHLY",
        "dcat_theme": "GOVE",
        "themes": [],
        "data_type": "open",
        "data_kind": "transactional",
        "spatial": "Caerphilly",
        "temporal_start": dt.date(2024, 4, 1),
        "temporal_end": None,
        "keywords": "spend, suppliers, payments, gwariant",
        "landing_page": "",
        "visibility": "regional",
    },
    {
        "title": "Housing repairs requests",
        "description": "Repairs reported by council tenants: the job, the property and the "
        "tenant's contact details. Ceisiadau atgyweirio tai.",
        "publisher": "Caerphilly County Borough Council",
        "licence": "none",
        "access_rights": "NON_PUBLIC",
        "frequency": "DAILY",
        "dcat_theme": "SOCI",
        "themes": ["decarbonisation"],
        "data_type": "personal",
        "data_kind": "administrative",
        "spatial": "Caerphilly, by property",
        "temporal_start": dt.date(2023, 4, 1),
        "temporal_end": None,
        "keywords": "housing, repairs, damp, tenants",
        "landing_page": "",
        "visibility": "private",
    },
)

FIRST = ("Megan", "Rhys", "Siân", "Dylan", "Ffion", "Gareth", "Cerys", "Owain")
LAST = ("Jones", "Williams", "Davies", "Evans", "Thomas", "Roberts", "Hughes", "Lewis")
JOBS = ("Damp and mould", "Boiler repair", "Window seal", "Roof leak", "Door lock")


def repairs_extract(rows: int = 400) -> str:
    """An invented housing repairs extract with tenants' contact details (for the profile)."""
    lines = ["job_id,reported_on,tenant_name,email,phone,postcode,job_type,cost"]
    for i in range(rows):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 3) % len(LAST)]
        day = dt.date(2025, 4, 1) + dt.timedelta(days=i % 180)
        cost = "" if i % 37 == 0 else f"{80 + (i * 17) % 400}.00"
        if i % 97 == 0:
            cost = "4800.00"
        lines.append(
            f"R{10000 + i},{day.isoformat()},{first} {last},"
            f"{first.lower()}.{last.lower()}{i}@example.org,029 2088 {1000 + i:04d},"
            f"CF83 {1 + i % 9}AB,{JOBS[i % len(JOBS)]},{cost}"
        )
    lines.append(lines[5])  # a row entered twice
    return "\n".join(lines) + "\n"


def demo_datasets() -> dict[str, int]:
    """Build the catalogue once; building again changes nothing."""
    if Dataset.objects.filter(owner_body__code=CAERPHILLY).exists():
        return {"datasets": 0}
    officer = User.objects.get(username="carys")
    question = DataQuestion.objects.filter(owner_body__code=CAERPHILLY).first()
    made = 0
    with transaction.atomic():
        for entry in ENTRIES:
            values = {k: v for k, v in entry.items() if k != "themes"}
            values.update(contact_name="Data Lab team", contact_email="datalab@caerphilly.example")
            dataset = services.dataset_save(
                actor=officer,
                body=officer.body,
                values=values,
                themes=list(Theme.objects.filter(slug__in=entry["themes"])),
                questions=[question]
                if question and entry["dcat_theme"] in ("ENER", "SOCI")
                else [],
            )
            made += 1
            if entry["title"] == "Housing repairs requests":
                with tempfile.TemporaryDirectory() as work:
                    path = os.path.join(work, "repairs-2025.csv")
                    with open(path, "w", encoding="utf-8") as handle:
                        handle.write(repairs_extract())
                    profile = profile_path(path)
                services.dataset_profile_keep(
                    actor=officer, dataset=dataset, profile=profile, file_name="repairs-2025.csv"
                )
    return {"datasets": made}
