"""Readers for the open indicators of the Indicator explorer: pure code, no database.

Each reader takes a file's bytes and returns ``Reading``: the indicators it defines and their
values, one per authority and period, each value keeping its source. Nothing here touches the
database, so the readers are tested alone and a bad file is refused before anything changes.

Sources (see docs/datalab/indicators.md):

* Local-authority CO2 emissions 2005–2020: BEIS "UK local authority and regional carbon dioxide
  emissions national statistics" (OGL v3.0), as republished by mySociety with modern
  authorities and 3-letter codes (``la-emissions-data``, CC BY 4.0). CO2 only — not the newer
  all-greenhouse-gas "territorial" series.
* Welsh Index of Multiple Deprivation 2019 scores by LSOA and the WIMD 2019 LSOA geography
  lookup: Welsh Government, OGL v3.0. The WIMD guidance warns against averaging scores to local
  authority level, so the roll-up here counts small areas: the share of an authority's LSOAs
  ranked among the most deprived 10% (ranks 1–191) and 20% (ranks 1–382) of all 1,909 in Wales.
* Health Index for Wales (humaniverse ``healthindexwales``; indicator values from Public Health
  Wales, StatsWales and ONS, OGL v3.0; package MIT).
* StatsWales "Adult lifestyles by local authority and health board, 2020-21 onwards" (National
  Survey for Wales, Welsh Government, OGL v3.0).
* Codes of the 22 Welsh principal areas: mySociety ``uk_local_authority_names_and_codes``
  (compiled from ONS and others, CC BY 4.0).
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from infuse.errors import UserFacingError

WALES = "W92000004"

# The 22 Welsh principal areas: mySociety 3-letter code -> (ONS GSS code, name), from
# mySociety uk_local_authorities_current.csv (CC BY 4.0); a test checks this against the file.
WELSH_AUTHORITIES: dict[str, tuple[str, str]] = {
    "AGY": ("W06000001", "Isle of Anglesey"),
    "GWN": ("W06000002", "Gwynedd"),
    "CWY": ("W06000003", "Conwy"),
    "DEN": ("W06000004", "Denbighshire"),
    "FLN": ("W06000005", "Flintshire"),
    "WRX": ("W06000006", "Wrexham"),
    "CGN": ("W06000008", "Ceredigion"),
    "PEM": ("W06000009", "Pembrokeshire"),
    "CMN": ("W06000010", "Carmarthenshire"),
    "SWA": ("W06000011", "Swansea"),
    "NTL": ("W06000012", "Neath Port Talbot"),
    "BGE": ("W06000013", "Bridgend"),
    "VGL": ("W06000014", "Vale of Glamorgan"),
    "CRF": ("W06000015", "Cardiff"),
    "RCT": ("W06000016", "Rhondda Cynon Taf"),
    "CAY": ("W06000018", "Caerphilly"),
    "BGW": ("W06000019", "Blaenau Gwent"),
    "TOF": ("W06000020", "Torfaen"),
    "MON": ("W06000021", "Monmouthshire"),
    "NWP": ("W06000022", "Newport"),
    "POW": ("W06000023", "Powys"),
    "MTY": ("W06000024", "Merthyr Tydfil"),
}
GSS_BY_NAME = {name.lower(): gss for gss, name in WELSH_AUTHORITIES.values()}
NAME_BY_GSS = {gss: name for gss, name in WELSH_AUTHORITIES.values()}

DECARBONISATION = "decarbonisation"
COMMUNITIES = "communities"

OGL = "Open Government Licence v3.0"
CC_BY = "Creative Commons Attribution 4.0"


@dataclass(frozen=True)
class IndicatorDef:
    code: str
    theme: str
    name_en: str
    name_cy: str
    unit: str
    publisher: str
    file: str
    licence: str
    higher_is_better: bool | None = None
    note: str = ""


@dataclass(frozen=True)
class Value:
    indicator: str
    area: str  # ONS GSS code (W06… authority, W92000004 Wales)
    period: str  # normalised, e.g. "2020", "2023/24", "2021/22–2022/23"
    period_label: str  # as the file wrote it
    period_end: int | None
    value: float


@dataclass
class Reading:
    kind: str
    file: str
    indicators: list[IndicatorDef] = field(default_factory=list)
    values: list[Value] = field(default_factory=list)


class IndicatorFileError(UserFacingError):
    pass


# ---------------------------------------------------------------------------- periods

_YEAR = re.compile(r"^(\d{4})$")
_FY = re.compile(r"^(\d{4})\s*[-/]\s*(\d{2}|\d{4})$")
_FY_PAIR = re.compile(r"^(\d{4})[-/](\d{2})\s*(?:and|&|to)\s*(\d{4})[-/](\d{2})$")
_SPAN = re.compile(r"^(\d{4})\s*(?:to|-|–)\s*(\d{4})$")


def normalise_period(label: str) -> tuple[str, int | None]:
    """One form for the many ways the files write a period, and the year it ends.

    ``2024`` → 2024; ``2023/24``, ``2023-24`` → 2023/24 (a financial or academic year);
    ``2021-22 and 2022-23`` → 2021/22–2022/23; ``2021 to 2023``, ``2020-2022`` → 2021–2023;
    a two-year ``2023-2024`` is read as the span 2023–2024. Anything else is kept as written.
    """
    text = " ".join(label.split())
    if m := _YEAR.match(text):
        return text, int(text)
    if m := _FY_PAIR.match(text):
        a, b, c, d = m.groups()
        return f"{a}/{b}–{c}/{d}", int(c[:2] + d)
    if m := _FY.match(text):
        start, end = m.groups()
        if len(end) == 2:
            return f"{start}/{end}", int(start[:2] + end)
    if m := _SPAN.match(text):
        start, end = m.groups()
        return f"{start}–{end}", int(end)
    return text, None


# ---------------------------------------------------------------------------- helpers


def _text(content: bytes, file_name: str) -> str:
    if content[:2] == b"\x1f\x8b":
        try:
            content = gzip.decompress(content)
        except (OSError, EOFError) as error:
            raise IndicatorFileError(
                _("%(file)s is not a readable gzip file.") % {"file": file_name}
            ) from error
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IndicatorFileError(_("%(file)s is not a text file.") % {"file": file_name})


def _rows(text: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise IndicatorFileError(
            _("The file is not valid CSV: %(error)s") % {"error": error}
        ) from error


def _number(raw: str, where: str) -> float | None:
    text = raw.strip().replace(",", "")
    if text in ("", ".", "..", ":", "-", "x", "*", "NA", "nan"):
        return None
    try:
        number = float(text)
    except ValueError:
        raise IndicatorFileError(
            _("%(where)s: “%(value)s” is not a number.") % {"where": where, "value": raw[:40]}
        ) from None
    if not math.isfinite(number):
        raise IndicatorFileError(
            _("%(where)s: “%(value)s” is not a number.") % {"where": where, "value": raw[:40]}
        )
    return number


def _header_index(header: list[str], wanted: list[str], file_name: str) -> dict[str, int]:
    cleaned = [h.strip() for h in header]
    missing = [w for w in wanted if w not in cleaned]
    if missing:
        raise IndicatorFileError(
            _("%(file)s lacks the column(s): %(columns)s.")
            % {"file": file_name, "columns": ", ".join(missing)}
        )
    return {w: cleaned.index(w) for w in wanted}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


# ---------------------------------------------------------------------------- CO2

CO2_FILE = "uk_local_authority_co2_emissions_2005_2020.csv.gz"
CO2_PUBLISHER = (
    "BEIS, UK local authority and regional CO2 emissions 2005–2020 (OGL v3.0), "
    "republished by mySociety (la-emissions-data)"
)
# column -> (code, English name, Welsh name, unit)
CO2_COLUMNS: dict[str, tuple[str, str, str, str]] = {
    "Total Emissions:kt CO2": (
        "co2-total",
        "CO2 emissions, all sectors",
        "Allyriadau CO2, pob sector",
        "kt CO2",
    ),
    "Per Person Emissions:t": (
        "co2-per-person",
        "CO2 emissions per resident",
        "Allyriadau CO2 fesul preswylydd",
        "t CO2",
    ),
    "Industry Total:kt CO2": (
        "co2-industry",
        "CO2 emissions, industry",
        "Allyriadau CO2, diwydiant",
        "kt CO2",
    ),
    "Commercial Total:kt CO2": (
        "co2-commercial",
        "CO2 emissions, commercial",
        "Allyriadau CO2, masnachol",
        "kt CO2",
    ),
    "Public Sector Total:kt CO2": (
        "co2-public-sector",
        "CO2 emissions, public sector",
        "Allyriadau CO2, sector cyhoeddus",
        "kt CO2",
    ),
    "Domestic Total:kt CO2": (
        "co2-domestic",
        "CO2 emissions, domestic",
        "Allyriadau CO2, domestig",
        "kt CO2",
    ),
    "Transport Total:kt CO2": (
        "co2-transport",
        "CO2 emissions, transport",
        "Allyriadau CO2, trafnidiaeth",
        "kt CO2",
    ),
    "Agriculture Total:kt CO2": (
        "co2-agriculture",
        "CO2 emissions, agriculture",
        "Allyriadau CO2, amaethyddiaeth",
        "kt CO2",
    ),
    "Population:000s": (
        "population",
        "Population (thousands)",
        "Poblogaeth (miloedd)",
        "thousands",
    ),
}


def read_co2(content: bytes, file_name: str = CO2_FILE) -> Reading:
    """Emissions of the 22 Welsh authorities, every year in the file (CO2 only)."""
    rows = _rows(_text(content, file_name))
    if not rows:
        raise IndicatorFileError(_("%(file)s is empty.") % {"file": file_name})
    index = _header_index(rows[0], ["Year", "local-authority-code", *CO2_COLUMNS], file_name)
    reading = Reading(kind="co2", file=file_name)
    for code, name_en, name_cy, unit in CO2_COLUMNS.values():
        reading.indicators.append(
            IndicatorDef(
                code=code,
                theme=DECARBONISATION,
                name_en=name_en,
                name_cy=name_cy,
                unit=unit,
                publisher=CO2_PUBLISHER,
                file=file_name,
                licence=CC_BY,
                higher_is_better=None if code == "population" else False,
                note="CO2 only, not all greenhouse gases.",
            )
        )
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(rows[0]):
            raise IndicatorFileError(
                _("Line %(line)s has fewer columns than the header.") % {"line": line}
            )
        la = row[index["local-authority-code"]].strip().upper()
        if la not in WELSH_AUTHORITIES:
            continue
        year = row[index["Year"]].strip()
        if not _YEAR.match(year):
            raise IndicatorFileError(
                _("Line %(line)s: “%(value)s” is not a year.") % {"line": line, "value": year[:20]}
            )
        for column, (code, *_rest) in CO2_COLUMNS.items():
            number = _number(row[index[column]], _("Line %(line)s") % {"line": line})
            if number is not None:
                reading.values.append(
                    Value(code, WELSH_AUTHORITIES[la][0], year, year, int(year), number)
                )
    if not reading.values:
        raise IndicatorFileError(
            _("%(file)s has no rows for Welsh authorities.") % {"file": file_name}
        )
    return reading


# ---------------------------------------------------------------------------- WIMD

WIMD_FILE = "wimd-2019-index-and-domain-scores-by-lsoa.csv"
LOOKUP_FILE = "wimd-2019-lsoa-geography-lookup-wales.csv"
WIMD_PUBLISHER = "Welsh Government, Welsh Index of Multiple Deprivation 2019"
WIMD_DOMAINS: dict[str, tuple[str, str]] = {
    "WIMD 2019": ("overall index", "mynegai cyffredinol"),
    "Income": ("income", "incwm"),
    "Employment": ("employment", "cyflogaeth"),
    "Health": ("health", "iechyd"),
    "Education": ("education", "addysg"),
    "Access to Services": ("access to services", "mynediad at wasanaethau"),
    "Housing": ("housing", "tai"),
    "Community Safety": ("community safety", "diogelwch cymunedol"),
    "Physical Environment": ("physical environment", "amgylchedd ffisegol"),
}
WIMD_BANDS = {10: "most deprived 10%", 20: "most deprived 20%"}


def read_lookup(content: bytes, file_name: str = LOOKUP_FILE) -> dict[str, str]:
    """LSOA code → local authority GSS code, from the WIMD 2019 geography lookup."""
    rows = _rows(_text(content, file_name))
    if not rows:
        raise IndicatorFileError(_("%(file)s is empty.") % {"file": file_name})
    lsoa_col = "Lower Layer Super Output Area (LSOA) Code"
    la_col = "Local Authority (LA) Code"
    index = _header_index(rows[0], [lsoa_col, la_col], file_name)
    lookup: dict[str, str] = {}
    for row in rows[1:]:
        if len(row) <= max(index.values()) or not row[index[lsoa_col]].strip():
            continue
        lookup[row[index[lsoa_col]].strip()] = row[index[la_col]].strip()
    if not lookup:
        raise IndicatorFileError(_("%(file)s has no small areas.") % {"file": file_name})
    return lookup


def band_limit(count: int, percent: int) -> int:
    """The last rank inside the most deprived ``percent`` of ``count`` small areas: of 1,909
    LSOAs, ranks 1–191 are the most deprived 10% and 1–382 the most deprived 20%."""
    return math.floor(count * percent / 100 + 0.5)


def wimd_ranks(scores: dict[str, float]) -> dict[str, int]:
    """Rank 1 = most deprived (highest score), over all the small areas given."""
    ordered = sorted(scores, key=lambda lsoa: (-scores[lsoa], lsoa))
    return {lsoa: rank for rank, lsoa in enumerate(ordered, start=1)}


def read_wimd(content: bytes, lookup: dict[str, str], file_name: str = WIMD_FILE) -> Reading:
    """Each authority's share of small areas in the most deprived 10% and 20% of Wales, for the
    overall index and each domain. Ranks are over all LSOAs in the file (1,909 in WIMD 2019);
    scores are never averaged to authority level, as the WIMD guidance warns."""
    rows = _rows(_text(content, file_name))
    if not rows:
        raise IndicatorFileError(_("%(file)s is empty.") % {"file": file_name})
    index = _header_index(rows[0], ["LSOA Code", *WIMD_DOMAINS], file_name)
    scores: dict[str, dict[str, float]] = {domain: {} for domain in WIMD_DOMAINS}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(rows[0]):
            raise IndicatorFileError(
                _("Line %(line)s has fewer columns than the header.") % {"line": line}
            )
        lsoa = row[index["LSOA Code"]].strip()
        if lsoa not in lookup:
            raise IndicatorFileError(
                _("Line %(line)s: small area %(code)s is not in the geography lookup.")
                % {"line": line, "code": lsoa[:20]}
            )
        for domain in WIMD_DOMAINS:
            number = _number(row[index[domain]], _("Line %(line)s") % {"line": line})
            if number is None:
                raise IndicatorFileError(_("Line %(line)s: a score is missing.") % {"line": line})
            scores[domain][lsoa] = number
    if not scores["WIMD 2019"]:
        raise IndicatorFileError(_("%(file)s has no small areas.") % {"file": file_name})
    reading = Reading(kind="wimd", file=file_name)
    areas_per_la: dict[str, int] = {}
    for lsoa in scores["WIMD 2019"]:
        areas_per_la[lookup[lsoa]] = areas_per_la.get(lookup[lsoa], 0) + 1
    count = len(scores["WIMD 2019"])
    for domain, (name_en, name_cy) in WIMD_DOMAINS.items():
        ranks = wimd_ranks(scores[domain])
        for percent in WIMD_BANDS:
            code = f"wimd-{_slug(name_en)}-{percent}"
            reading.indicators.append(
                IndicatorDef(
                    code=code,
                    theme=COMMUNITIES,
                    name_en=f"WIMD 2019 {name_en}: small areas in the most deprived "
                    f"{percent} per cent",
                    name_cy=f"MALlC 2019 {name_cy}: ardaloedd bach yn y {percent} y cant "
                    "mwyaf difreintiedig",
                    unit="% of small areas",
                    publisher=WIMD_PUBLISHER,
                    file=f"{file_name}; {LOOKUP_FILE}",
                    licence=OGL,
                    higher_is_better=False,
                    note="Share of the authority's LSOAs ranked in the band over all LSOAs in "
                    "Wales; scores are not averaged (WIMD guidance).",
                )
            )
            limit = band_limit(count, percent)
            inside: dict[str, int] = {}
            for lsoa, rank in ranks.items():
                if rank <= limit:
                    inside[lookup[lsoa]] = inside.get(lookup[lsoa], 0) + 1
            for la, total in sorted(areas_per_la.items()):
                share = 100.0 * inside.get(la, 0) / total
                reading.values.append(Value(code, la, "2019", "2019", 2019, share))
    return reading


# ---------------------------------------------------------------------------- Health Index

HEALTH_FILE = "wales_health_index_2025_indicators_by_local_authority.csv"
HEALTH_SCORES_FILE = "wales_health_index_2025_scores_by_local_authority.csv"
HEALTH_PUBLISHER = (
    "Health Index for Wales (humaniverse); indicator values from Public Health Wales, "
    "StatsWales and ONS"
)
HEALTH_SCORES = {
    "healthy_lives_score": (
        "Health Index: healthy lives score",
        "Mynegai Iechyd: sgôr bywydau iach",
    ),
    "healthy_places_score": (
        "Health Index: healthy places score",
        "Mynegai Iechyd: sgôr lleoedd iach",
    ),
    "healthy_people_score": (
        "Health Index: healthy people score",
        "Mynegai Iechyd: sgôr pobl iach",
    ),
    "health_inequalities_score": (
        "Health Index: health inequalities score",
        "Mynegai Iechyd: sgôr anghydraddoldebau iechyd",
    ),
}


def _humanise(measure: str) -> str:
    text = measure.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def read_health_index(content: bytes, file_name: str = HEALTH_FILE) -> Reading:
    """The Health Index for Wales indicators, long format; periods normalised, labels kept."""
    rows = _rows(_text(content, file_name))
    if not rows:
        raise IndicatorFileError(_("%(file)s is empty.") % {"file": file_name})
    wanted = ["ltla24_code", "indicator", "measure", "value", "period", "is_higher_better"]
    index = _header_index(rows[0], wanted, file_name)
    reading = Reading(kind="health", file=file_name)
    seen: dict[str, IndicatorDef] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(index.values()):
            raise IndicatorFileError(
                _("Line %(line)s has fewer columns than the header.") % {"line": line}
            )
        area = row[index["ltla24_code"]].strip()
        if area not in NAME_BY_GSS:
            continue
        measure = row[index["measure"]].strip()
        code = "health-" + _slug(row[index["indicator"]])
        if not measure or code == "health-":
            raise IndicatorFileError(_("Line %(line)s has no indicator name.") % {"line": line})
        if code not in seen:
            better = row[index["is_higher_better"]].strip().lower()
            seen[code] = IndicatorDef(
                code=code,
                theme=COMMUNITIES,
                name_en=_humanise(measure),
                name_cy="",
                unit="",
                publisher=HEALTH_PUBLISHER,
                file=file_name,
                licence=OGL,
                higher_is_better=True if better == "true" else False if better == "false" else None,
            )
            reading.indicators.append(seen[code])
        number = _number(row[index["value"]], _("Line %(line)s") % {"line": line})
        if number is None:
            continue
        label = row[index["period"]].strip()
        period, end = normalise_period(label)
        reading.values.append(Value(code, area, period, label, end, number))
    if not reading.values:
        raise IndicatorFileError(
            _("%(file)s has no rows for Welsh authorities.") % {"file": file_name}
        )
    return reading


def read_health_scores(content: bytes, file_name: str = HEALTH_SCORES_FILE) -> Reading:
    """The Health Index for Wales scores per authority (higher is healthier), 2025 edition."""
    rows = _rows(_text(content, file_name))
    if not rows:
        raise IndicatorFileError(_("%(file)s is empty.") % {"file": file_name})
    index = _header_index(rows[0], ["ltla24_code", *HEALTH_SCORES], file_name)
    reading = Reading(kind="health-scores", file=file_name)
    for column, (name_en, name_cy) in HEALTH_SCORES.items():
        reading.indicators.append(
            IndicatorDef(
                code="health-index-" + _slug(column),
                theme=COMMUNITIES,
                name_en=name_en,
                name_cy=name_cy,
                unit="score",
                publisher="Health Index for Wales (humaniverse), 2025",
                file=file_name,
                licence="MIT (package); indicator sources OGL v3.0",
                higher_is_better=True,
            )
        )
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(index.values()):
            raise IndicatorFileError(
                _("Line %(line)s has fewer columns than the header.") % {"line": line}
            )
        area = row[index["ltla24_code"]].strip()
        if area not in NAME_BY_GSS:
            continue
        for column in HEALTH_SCORES:
            number = _number(row[index[column]], _("Line %(line)s") % {"line": line})
            if number is not None:
                reading.values.append(
                    Value("health-index-" + _slug(column), area, "2025", "2025", 2025, number)
                )
    if not reading.values:
        raise IndicatorFileError(
            _("%(file)s has no rows for Welsh authorities.") % {"file": file_name}
        )
    return reading


# ---------------------------------------------------------------------------- StatsWales

LIFESTYLES_FILE = "statswales_adult_lifestyles_by_local_authority_export.csv"
LIFESTYLES_PUBLISHER = "Welsh Government, StatsWales: National Survey for Wales, adult lifestyles"


def read_statswales_lifestyles(content: bytes, file_name: str = LIFESTYLES_FILE) -> Reading:
    """A StatsWales export as people download it: preamble lines (title, filters, the year),
    a header row of area names with trailing spaces, the row group carried down from the first
    cell, and ``.`` for a missing value. Keeps Wales and the 22 authorities (not health
    boards)."""
    rows = _rows(_text(content, file_name))
    year_label = ""
    measure = ""
    header_at = None
    for number, row in enumerate(rows):
        first = row[0].strip() if row else ""
        if first.startswith("Year:"):
            year_label = first.split(":", 1)[1].strip()
        if first.startswith("Measure:"):
            measure = first.split(":", 1)[1].strip()
        names = [cell.strip().lower() for cell in row]
        if "wales" in names and any(name in GSS_BY_NAME for name in names):
            header_at = number
            break
    if header_at is None:
        raise IndicatorFileError(
            _("%(file)s has no header row naming Wales and its authorities.") % {"file": file_name}
        )
    if not year_label:
        raise IndicatorFileError(
            _("%(file)s does not say which year it covers (a “Year:” line).") % {"file": file_name}
        )
    header = [cell.strip() for cell in rows[header_at]]
    columns: dict[int, str] = {}
    for position, name in enumerate(header):
        if name.lower() == "wales":
            columns[position] = WALES
        elif name.lower() in GSS_BY_NAME:
            columns[position] = GSS_BY_NAME[name.lower()]
    period, end = normalise_period(year_label.replace("&", "and"))
    reading = Reading(kind="lifestyles", file=file_name)
    group = ""
    seen: set[str] = set()
    for offset, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if len(row) < 2:
            if row and row[0].strip() and not group:
                continue
            continue
        if row[0].strip():
            group = row[0].strip()
        label = row[1].strip()
        if not label:
            continue
        if not group:
            raise IndicatorFileError(
                _("Line %(line)s has a row label but no group above it.") % {"line": offset}
            )
        code = "lifestyle-" + _slug(f"{group} {label}")
        if code in seen:
            continue
        seen.add(code)
        values = []
        for position, area in columns.items():
            if position >= len(row):
                continue
            value = _number(row[position], _("Line %(line)s") % {"line": offset})
            if value is not None:
                values.append(Value(code, area, period, year_label, end, value))
        if not values:
            continue
        reading.indicators.append(
            IndicatorDef(
                code=code,
                theme=COMMUNITIES,
                name_en=f"{group}: {label}",
                name_cy="",
                unit=measure or "%",
                publisher=LIFESTYLES_PUBLISHER,
                file=file_name,
                licence=OGL,
            )
        )
        reading.values.extend(values)
    if not reading.values:
        raise IndicatorFileError(_("%(file)s has no figures.") % {"file": file_name})
    return reading


# ---------------------------------------------------------------------------- dispatch

KNOWN_FILES = (CO2_FILE, WIMD_FILE, HEALTH_FILE, HEALTH_SCORES_FILE, LIFESTYLES_FILE)


def read_known(content: bytes, file_name: str, lookup: dict[str, str] | None = None) -> Reading:
    """Read a file by its published name (or, failing that, by its header)."""
    name = file_name.rsplit("/", 1)[-1]
    text_start = content[:4000]
    if name == CO2_FILE or b"Per Person Emissions:t" in text_start or content[:2] == b"\x1f\x8b":
        return read_co2(content, name)
    if name == WIMD_FILE or b"LSOA Code" in text_start:
        if lookup is None:
            raise IndicatorFileError(
                _("The WIMD scores need the LSOA geography lookup (%(file)s) beside them.")
                % {"file": LOOKUP_FILE}
            )
        return read_wimd(content, lookup, name)
    if name == HEALTH_SCORES_FILE or b"healthy_lives_score" in text_start:
        return read_health_scores(content, name)
    if name == HEALTH_FILE or b"ltla24_code" in text_start:
        return read_health_index(content, name)
    if name == LIFESTYLES_FILE or b"Filters:" in text_start:
        return read_statswales_lifestyles(content, name)
    raise IndicatorFileError(
        _("%(file)s is not one of the open indicator files Infuse knows.") % {"file": name}
    )


def read_directory(directory: str) -> list[Reading]:
    """Every known file found in ``directory`` or below it (by its published name), read.

    Raises ``IndicatorFileError`` naming the file if any known file is bad, so nothing is
    loaded from a half-good set. The WIMD scores need the LSOA lookup found beside them.
    """
    from pathlib import Path

    root = Path(directory)
    if not root.is_dir():
        raise IndicatorFileError(_("%(dir)s is not a folder.") % {"dir": directory})
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name in (*KNOWN_FILES, LOOKUP_FILE):
            found.setdefault(path.name, path)
    lookup = None
    if LOOKUP_FILE in found:
        lookup = read_lookup(found[LOOKUP_FILE].read_bytes(), LOOKUP_FILE)
    readings = []
    for name in KNOWN_FILES:
        if name not in found or (name == WIMD_FILE and lookup is None):
            continue
        try:
            readings.append(read_known(found[name].read_bytes(), name, lookup))
        except IndicatorFileError as error:
            raise IndicatorFileError(f"{name}: {error}") from error
    return readings
