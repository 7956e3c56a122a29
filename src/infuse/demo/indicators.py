"""The Indicator explorer's part of the demonstration workspace: a small, clearly labelled
sample of real published figures, so the demo does not depend on any file outside the repo.

Figures (rounded to one decimal place) are from BEIS, "UK local authority and regional carbon
dioxide emissions national statistics: 2005 to 2020" (OGL v3.0), as republished by mySociety
(la-emissions-data, CC BY 4.0): total CO2 emissions in kilotonnes (CO2 only, not all
greenhouse gases) and the mid-year population in thousands used by that release, for the ten
Cardiff Capital Region authorities in 2019 and 2020. The full data (every year, every sector,
deprivation and health) loads with ``infuse load-open-data FOLDER``.
"""

from __future__ import annotations

from typing import Any

from infuse.datalab.indicators import (
    CC_BY,
    CO2_PUBLISHER,
    DECARBONISATION,
    IndicatorDef,
    Reading,
    Value,
)

SAMPLE_FILE = "Demonstration sample typed from uk_local_authority_co2_emissions_2005_2020.csv.gz"

# (area, year, kt CO2, population in thousands)
SAMPLE = [
    ("W06000013", "2019", 634.6, 147.0),
    ("W06000019", "2019", 301.1, 69.9),
    ("W06000018", "2019", 721.5, 181.1),
    ("W06000015", "2019", 1546.5, 366.9),
    ("W06000021", "2019", 554.1, 94.6),
    ("W06000024", "2019", 260.5, 60.3),
    ("W06000022", "2019", 791.2, 154.7),
    ("W06000016", "2019", 999.0, 241.3),
    ("W06000020", "2019", 423.0, 94.0),
    ("W06000014", "2019", 563.7, 133.6),
    ("W06000013", "2020", 586.7, 147.5),
    ("W06000019", "2020", 275.4, 70.0),
    ("W06000018", "2020", 647.9, 181.7),
    ("W06000015", "2020", 1358.5, 369.2),
    ("W06000021", "2020", 490.9, 95.2),
    ("W06000024", "2020", 230.8, 60.4),
    ("W06000022", "2020", 709.9, 156.4),
    ("W06000016", "2020", 883.9, 241.9),
    ("W06000020", "2020", 388.1, 94.8),
    ("W06000014", "2020", 505.9, 135.3),
]


def sample_reading() -> Reading:
    common = {
        "theme": DECARBONISATION,
        "publisher": CO2_PUBLISHER,
        "file": SAMPLE_FILE,
        "licence": CC_BY,
    }
    reading = Reading(kind="demo-co2", file=SAMPLE_FILE)
    reading.indicators = [
        IndicatorDef(
            code="co2-total",
            name_en="CO2 emissions, all sectors",
            name_cy="Allyriadau CO2, pob sector",
            unit="kt CO2",
            higher_is_better=False,
            note="CO2 only, not all greenhouse gases.",
            **common,
        ),
        IndicatorDef(
            code="population",
            name_en="Population (thousands)",
            name_cy="Poblogaeth (miloedd)",
            unit="thousands",
            **common,  # type: ignore[arg-type]
        ),
    ]
    for area, year, total, population in SAMPLE:
        reading.values.append(Value("co2-total", area, year, year, int(year), total))
        reading.values.append(Value("population", area, year, year, int(year), population))
    return reading


def demo_indicators() -> dict[str, Any]:
    """Load the sample unless real data is already loaded, and link the emissions indicator to
    Caerphilly's energy question. Building again changes nothing."""
    from infuse.accounts.models import User
    from infuse.datalab.indicator_services import indicator_link, indicators_load
    from infuse.datalab.models import DataQuestion, Indicator

    from .datalab import CAERPHILLY, TITLE

    loaded: dict[str, int] = {}
    existing = Indicator.objects.filter(code="co2-total").first()
    if existing is None or existing.sample:
        loaded = indicators_load(actor=None, readings=[sample_reading()], sample=True)
    question = DataQuestion.objects.filter(owner_body__code=CAERPHILLY, title=TITLE).first()
    indicator = Indicator.objects.get(code="co2-total")
    if question is not None:
        indicator_link(
            actor=User.objects.get(username="carys"), indicator=indicator, question=question
        )
    return loaded
