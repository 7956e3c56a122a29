"""Postcode districts and the local authorities they lie in: the reference table behind the
local share of spend (``procurement.supplier_profiles.local_share``). Pure: no Django.

Three packaged files in ``reference/data/`` (described in ``postcode_districts.md``):

``postcode_districts.csv``
    One row per district and local authority the district has postcodes in: ``district``
    (the outward code, ``CF83``), ``authority_code`` (ONS GSS code), ``authority_name``,
    ``nation`` and ``complete``. ``complete = yes`` means the rows of that district name
    *every* authority it lies in, which is what the local share needs before it may count a
    district for an authority or a region; ``no`` records what a source says without claiming
    that it is all (such rows are kept for the record and never used to place a postcode).
``postcode_areas.csv``
    The postcode areas with any Welsh postcode: ``in_wales`` is ``all`` when the whole area
    lies in Wales, ``part`` otherwise. An area not listed has no Welsh postcode.
``postcode_sources.csv``
    Every source a row cites: title, address and the date it was read.

Sources (read 23 November 2026, through the stored copies the project's search tool holds):

- LD1–LD8 (complete): Wikipedia, "LD postcode area", revision 1299134736,
  https://en.wikipedia.org/wiki/LD_postcode_area (CC BY-SA 4.0).
- CF and NP districts touching Cardiff, Newport and Monmouthshire (incomplete): the
  postcodechecker.net county pages, figures from the ONS National Statistics Postcode Lookup,
  https://postcodechecker.net/county/cardiff/statistics, …/newport/statistics and
  https://www.postcodechecker.net/county/monmouthshire/statistics.
- HR3 partly in Powys (incomplete): Wikipedia, "Hay-on-Wye".
- The CF area lies wholly in Wales: geograph.org.uk, "Postal addresses: a little history and a
  lot of photos", page 8 (Chris Downer, 2014).
- The postal areas serving Wales (CF, CH, LD, LL, NP, SA, SY): http://www.grossi.co.uk/wales/
  post.htm (1998); NP reaches England: http://monmouthshire-association.org.uk/addressing.

No stored copy of the Wikipedia "CF postcode area" or "NP postcode area" articles, nor of an
ONS postcode lookup for the CF or NP areas, could be found, so the CF and NP districts have no
complete rows: their postcodes are placed by area only. :func:`districts_from_nspl` builds a
complete table from an ONS National Statistics Postcode Lookup file, loaded on the reference
pages or with ``infuse postcode-districts --load`` (``services.postcode_districts_load``); a
deployment may instead point ``INFUSE_POSTCODE_DISTRICTS`` at a table written with ``--out``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

__all__ = [
    "AREAS_FILE",
    "DISTRICTS_FILE",
    "DISTRICT_SCHEMA",
    "SOURCES_FILE",
    "PostcodeGeography",
    "PostcodeSource",
    "districts_from_nspl",
    "overlay_districts",
    "packaged_geography",
    "read_geography",
    "straddling_districts",
    "write_districts",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
DISTRICTS_FILE = DATA_DIR / "postcode_districts.csv"
AREAS_FILE = DATA_DIR / "postcode_areas.csv"
SOURCES_FILE = DATA_DIR / "postcode_sources.csv"

DISTRICT_SCHEMA: dict[str, pl.DataType] = {
    "district": pl.String(),
    "authority_code": pl.String(),
    "authority_name": pl.String(),
    "nation": pl.String(),
    "complete": pl.Boolean(),
    "source": pl.String(),
}
"""The districts frame as the local share takes it."""

NATIONS = ("England", "Wales", "Scotland", "Northern Ireland")
# ONS GSS country codes, as the ``ctry`` column of the NSPL gives them.
NSPL_COUNTRIES = {
    "E92000001": "England",
    "W92000004": "Wales",
    "S92000003": "Scotland",
    "N92000002": "Northern Ireland",
}
DISTRICT_PATTERN = r"^[A-Z]{1,2}[0-9][A-Z0-9]?$"
AREA_PATTERN = r"^[A-Z]{1,2}$"
GSS_PATTERN = r"^[EWSN][0-9]{8}$"


@dataclass(frozen=True)
class PostcodeSource:
    id: str
    title: str
    url: str
    read_on: str
    notes: str


@dataclass(frozen=True)
class PostcodeGeography:
    """The districts table (``DISTRICT_SCHEMA``), the areas with Welsh postcodes (``area``,
    ``in_wales``: ``all`` or ``part``) and the sources both cite, by id."""

    districts: pl.DataFrame
    areas: pl.DataFrame
    sources: dict[str, PostcodeSource]

    @property
    def complete_districts(self) -> list[str]:
        """The districts whose every authority is listed, sorted."""
        return sorted(self.districts.filter(pl.col("complete"))["district"].unique().to_list())

    @property
    def authorities_with_whole_districts(self) -> frozenset[str]:
        """The authorities that are the only authority of some complete district: for any
        other, no postcode can be counted as lying in its area (a district it shares with a
        neighbour never counts for either)."""
        whole = (
            self.districts.filter(pl.col("complete"))
            .group_by("district")
            .agg(pl.col("authority_code").unique())
            .filter(pl.col("authority_code").list.len() == 1)
        )
        return frozenset(whole["authority_code"].list.first().to_list())

    @property
    def district_count(self) -> int:
        return self.districts["district"].n_unique()

    @property
    def cited_sources(self) -> list[PostcodeSource]:
        """The sources the rows cite, in the order they are first cited."""
        cited: list[str] = []
        for field_value in [*self.districts["source"], *self.areas["source"]]:
            for source in str(field_value).split():
                if source in self.sources and source not in cited:
                    cited.append(source)
        return [self.sources[source] for source in cited]


class PostcodeTableError(ValueError):
    """A postcode reference file that breaks the rules above; the message names the row."""


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            {key.strip(): (value or "").strip() for key, value in row.items() if key}
            for row in csv.DictReader(handle)
        ]


def read_sources(path: Path = SOURCES_FILE) -> dict[str, PostcodeSource]:
    return {
        row["id"]: PostcodeSource(
            row["id"], row["title"], row["url"], row.get("read_on", ""), row.get("notes", "")
        )
        for row in _read_csv(path)
    }


def read_districts(path: Path, sources: dict[str, PostcodeSource]) -> pl.DataFrame:
    """The districts file, checked: well-formed district and GSS codes, a known nation and
    source on every row, and one ``complete`` value per district."""
    rows = _read_csv(path)
    records = []
    for line, row in enumerate(rows, start=2):
        district = row.get("district", "").upper().replace(" ", "")
        code = row.get("authority_code", "").upper()
        complete = row.get("complete", "").lower()
        problems = []
        if not pl.Series([district]).str.contains(DISTRICT_PATTERN).item():
            problems.append(f"district {district!r} is not an outward code")
        if not pl.Series([code]).str.contains(GSS_PATTERN).item():
            problems.append(f"authority code {code!r} is not a GSS code")
        if row.get("nation", "") not in NATIONS:
            problems.append(f"nation {row.get('nation')!r} is not one of {', '.join(NATIONS)}")
        if complete not in ("yes", "no"):
            problems.append("complete must be yes or no")
        if row.get("source", "") not in sources:
            problems.append(f"source {row.get('source')!r} is not in the sources file")
        if problems:
            raise PostcodeTableError(f"{path.name} line {line}: " + "; ".join(problems))
        records.append(
            {
                "district": district,
                "authority_code": code,
                "authority_name": row.get("authority_name", ""),
                "nation": row["nation"],
                "complete": complete == "yes",
                "source": row["source"],
            }
        )
    frame = pl.DataFrame(records, schema=DISTRICT_SCHEMA, orient="row").unique(
        ["district", "authority_code"], keep="first", maintain_order=True
    )
    mixed = (
        frame.group_by("district")
        .agg(pl.col("complete").n_unique().alias("values"))
        .filter(pl.col("values") > 1)
    )
    if mixed.height:
        raise PostcodeTableError(
            f"{path.name}: districts both complete and not: {', '.join(sorted(mixed['district']))}"
        )
    return frame.sort(["district", "authority_code"])


def read_areas(path: Path, sources: dict[str, PostcodeSource]) -> pl.DataFrame:
    records = []
    for line, row in enumerate(_read_csv(path), start=2):
        area = row.get("area", "").upper()
        cited = row.get("source", "").split()
        if (
            not pl.Series([area]).str.contains(AREA_PATTERN).item()
            or row.get("in_wales") not in ("all", "part")
            or not cited
            or any(source not in sources for source in cited)
        ):
            raise PostcodeTableError(f"{path.name} line {line}: {row!r}")
        records.append({"area": area, "in_wales": row["in_wales"], "source": " ".join(cited)})
    return pl.DataFrame(
        records, schema={"area": pl.String, "in_wales": pl.String, "source": pl.String}
    )


def read_geography(
    districts: Path = DISTRICTS_FILE, areas: Path = AREAS_FILE, sources: Path = SOURCES_FILE
) -> PostcodeGeography:
    known = read_sources(sources)
    return PostcodeGeography(read_districts(districts, known), read_areas(areas, known), known)


@lru_cache(maxsize=4)
def packaged_geography(districts: Path = DISTRICTS_FILE) -> PostcodeGeography:
    """The packaged table (or another districts file in the same format), read once."""
    return read_geography(districts)


def districts_from_nspl(
    nspl: pl.DataFrame, names: dict[str, str] | None = None, *, source: str = "ons-nspl"
) -> pl.DataFrame:
    """A complete districts table from rows of the ONS National Statistics Postcode Lookup:
    ``pcds`` (the postcode), ``laua`` (the local authority's GSS code) and ``ctry`` (the
    country's GSS code). Every district gets one row per authority any of its live postcodes
    lies in, so every row is complete. Terminated postcodes (``doterm`` set) are left out when
    the column is there; postcodes with no authority (``laua`` empty, or a pseudo code ending
    ``99999999``) are too. ``names`` maps GSS codes to names, where known."""
    frame = nspl
    if "doterm" in frame.columns:
        frame = frame.filter(
            pl.col("doterm").is_null() | (pl.col("doterm").cast(pl.String).str.strip_chars() == "")
        )
    table = (
        frame.select(
            district=pl.col("pcds")
            .cast(pl.String)
            .str.to_uppercase()
            .str.replace_all(r"\s+", " ")
            .str.strip_chars()
            .str.split(" ")
            .list.first(),
            authority_code=pl.col("laua").cast(pl.String).str.strip_chars(),
            nation=pl.col("ctry")
            .cast(pl.String)
            .str.strip_chars()
            .replace_strict(NSPL_COUNTRIES, default=None),
        )
        .filter(
            pl.col("district").str.contains(DISTRICT_PATTERN)
            & pl.col("authority_code").str.contains(GSS_PATTERN)
            & ~pl.col("authority_code").str.ends_with("99999999")
            & pl.col("nation").is_not_null()
        )
        .unique(["district", "authority_code"])
    )
    return table.select(
        "district",
        "authority_code",
        authority_name=pl.col("authority_code").replace_strict(names or {}, default=""),
        nation="nation",
        complete=pl.lit(True),
        source=pl.lit(source),
    ).sort(["district", "authority_code"])


def overlay_districts(loaded: pl.DataFrame, packaged: pl.DataFrame) -> pl.DataFrame:
    """``loaded`` (a complete table of the districts it covers, such as one built from some
    areas of the ONS lookup), with the ``packaged`` rows of every district it does not cover:
    loading the CF and NP areas keeps the packaged LD districts (Powys)."""
    covered = loaded["district"].unique().implode()
    kept = packaged.filter(~pl.col("district").is_in(covered))
    return pl.concat([loaded.select(DISTRICT_SCHEMA.keys()), kept.select(DISTRICT_SCHEMA.keys())])


def straddling_districts(frame: pl.DataFrame) -> int:
    """How many districts of a districts frame lie in more than one authority."""
    return frame.group_by("district").len().filter(pl.col("len") > 1).height


def write_districts(frame: pl.DataFrame, path: Path) -> None:
    """Write a districts frame in the packaged file's format (``complete`` as yes or no)."""
    frame.select(
        "district",
        "authority_code",
        "authority_name",
        "nation",
        complete=pl.when(pl.col("complete")).then(pl.lit("yes")).otherwise(pl.lit("no")),
        source="source",
    ).write_csv(path)
