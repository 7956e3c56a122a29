"""Reading reference data files into plain records (no database here).

The packaged files in ``reference/data/`` hold the programme's fixed facts, each with a source.
``read_bodies_csv`` reads a user's file of other public bodies, so a region is data, not code.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from infuse.errors import UserFacingError

DATA_DIR = Path(__file__).resolve().parent / "data"

BODY_KINDS = {"local_authority", "health_board", "university", "national", "other"}
BODY_CSV_REQUIRED = ("code", "name_en")
BODY_CSV_OPTIONAL = (
    "name_cy",
    "kind",
    "region",
    "nation",
    "programme_member",
    "lead",
    "population",
    "population_year",
    "source",
)


class ReferenceFileError(UserFacingError):
    """A reference file that cannot be loaded; the message says which line and why."""


@dataclass
class ReferenceSet:
    regions: list[dict[str, Any]] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    themes: list[dict[str, Any]] = field(default_factory=list)
    labs: list[dict[str, Any]] = field(default_factory=list)
    goals: list[dict[str, Any]] = field(default_factory=list)
    ways_of_working: list[dict[str, Any]] = field(default_factory=list)


def _read(name: str) -> dict[str, Any]:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def packaged_reference() -> ReferenceSet:
    """The reference data that ships with Infuse, each row tagged with its file's source."""
    result = ReferenceSet()
    regions = _read("regions.json")
    result.regions = [{**r, "source": regions["source"]} for r in regions["regions"]]
    bodies = _read("bodies.json")
    result.bodies = [{**b, "source": bodies["source"]} for b in bodies["bodies"]]
    result.themes = _read("themes.json")["themes"]
    result.labs = _read("labs.json")["labs"]
    wellbeing = _read("wellbeing.json")
    result.goals = wellbeing["goals"]
    result.ways_of_working = wellbeing["ways_of_working"]
    return result


def _whole_number(value: str, line_number: int) -> int | None:
    text = value.strip().replace(",", "")
    if not text:
        return None
    try:
        number = int(float(text))
    except (ValueError, OverflowError):
        raise ReferenceFileError(
            _("Line %(line)d: “%(value)s” is not a whole number.")
            % {"line": line_number, "value": value}
        ) from None
    if number < 0 or number > 2_000_000_000:
        raise ReferenceFileError(
            _("Line %(line)d: %(value)s is out of range.") % {"line": line_number, "value": value}
        )
    return number


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "y", "ie", "oes"}


def read_bodies_csv(content: bytes) -> list[dict[str, Any]]:
    """Public bodies from a CSV with a header row: ``code,name_en`` and optional columns.

    Raises ``ReferenceFileError`` naming the first bad line; nothing is returned in part.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ReferenceFileError(_("The file is not UTF-8 text.")) from error
    try:
        return _read_bodies_rows(csv.DictReader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise ReferenceFileError(
            _("The file is not a readable CSV file (%(problem)s).") % {"problem": error}
        ) from error


def _read_bodies_rows(reader: csv.DictReader[str]) -> list[dict[str, Any]]:
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in BODY_CSV_REQUIRED if c not in header]
    if missing:
        raise ReferenceFileError(
            _("The header row lacks the column(s): %(columns)s.") % {"columns": ", ".join(missing)}
        )
    bodies: list[dict[str, Any]] = []
    seen: set[str] = set()
    for line_number, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k}
        code, name_en = row.get("code", ""), row.get("name_en", "")
        if not code or not name_en:
            raise ReferenceFileError(
                _("Line %(line)d: a body needs both a code and a name.") % {"line": line_number}
            )
        if len(code) > 32:
            raise ReferenceFileError(
                _("Line %(line)d: the code is longer than 32 characters.") % {"line": line_number}
            )
        if code in seen:
            raise ReferenceFileError(
                _("Line %(line)d: the code %(code)s appears twice.")
                % {"line": line_number, "code": code}
            )
        seen.add(code)
        kind = row.get("kind") or "other"
        if kind not in BODY_KINDS:
            raise ReferenceFileError(
                _("Line %(line)d: unknown kind “%(kind)s” (use one of %(kinds)s).")
                % {"line": line_number, "kind": kind, "kinds": ", ".join(sorted(BODY_KINDS))}
            )
        bodies.append(
            {
                "code": code,
                "name_en": name_en[:200],
                "name_cy": row.get("name_cy", "")[:200],
                "kind": kind,
                "region": row.get("region", ""),
                "nation": row.get("nation", "")[:32],
                "programme_member": _truthy(row.get("programme_member", "")),
                "lead": _truthy(row.get("lead", "")),
                "population": _whole_number(row.get("population", ""), line_number),
                "population_year": _whole_number(row.get("population_year", ""), line_number),
                "source": row.get("source", ""),
            }
        )
    return bodies


NSPL_COLUMNS = ("pcds", "laua", "ctry")
"""The columns of the ONS National Statistics Postcode Lookup the districts table needs: the
postcode, its local authority's GSS code and its country's (``doterm``, the date a postcode
was terminated, is read too when present)."""


def read_nspl_files(sources: Sequence[tuple[str, bytes]]) -> pl.DataFrame:
    """The rows of one or more ONS National Statistics Postcode Lookup CSV files (the whole
    lookup, or the files it ships for each postcode area), ``pcds``, ``laua``, ``ctry`` and
    ``doterm`` where present, for ``postcodes.districts_from_nspl``.

    ``sources`` are (file name, content) pairs. Raises ``ReferenceFileError`` naming the file
    and what is wrong with it; nothing is returned in part.
    """
    if not sources:
        raise ReferenceFileError(_("Choose at least one file of the ONS postcode lookup."))
    frames = []
    for name, content in sources:
        try:
            frame = pl.read_csv(content, infer_schema=False, encoding="utf8-lossy")
        except (pl.exceptions.PolarsError, ValueError) as error:
            raise ReferenceFileError(
                _("%(file)s is not a readable CSV file (%(problem)s).")
                % {"file": name, "problem": error}
            ) from error
        headings = [column.strip().lower() for column in frame.columns]
        twice = sorted({heading for heading in headings if headings.count(heading) > 1})
        if twice:
            raise ReferenceFileError(
                _("%(file)s has the column %(column)s more than once.")
                % {"file": name, "column": twice[0]}
            )
        frame = frame.rename(dict(zip(frame.columns, headings, strict=True)))
        missing = [column for column in NSPL_COLUMNS if column not in frame.columns]
        if missing:
            raise ReferenceFileError(
                _(
                    "%(file)s is not the ONS postcode lookup: it has no column %(columns)s. "
                    "The lookup's files have the columns pcds, laua and ctry."
                )
                % {"file": name, "columns": ", ".join(missing)}
            )
        if frame.height == 0:
            raise ReferenceFileError(_("%(file)s has no postcodes.") % {"file": name})
        kept = [*NSPL_COLUMNS, *(["doterm"] if "doterm" in frame.columns else [])]
        frames.append(frame.select(kept))
    return pl.concat(frames, how="diagonal")
