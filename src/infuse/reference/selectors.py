"""Reads of the reference data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .loading import ReferenceFileError, read_nspl_files
from .models import Body, Lab, PostcodeDistrictTable, Region, Theme, WayOfWorking, WellbeingGoal
from .postcodes import (
    DISTRICTS_FILE,
    PostcodeGeography,
    districts_from_nspl,
    overlay_districts,
    packaged_geography,
    straddling_districts,
)


def bodies() -> QuerySet[Body]:
    return Body.objects.select_related("region").order_by("name_en")


def programme_bodies() -> QuerySet[Body]:
    return bodies().filter(programme_member=True)


def regions() -> QuerySet[Region]:
    return Region.objects.all()


def themes() -> QuerySet[Theme]:
    return Theme.objects.all()


def labs() -> QuerySet[Lab]:
    return Lab.objects.all()


def wellbeing_goals() -> QuerySet[WellbeingGoal]:
    return WellbeingGoal.objects.all()


def ways_of_working() -> QuerySet[WayOfWorking]:
    return WayOfWorking.objects.all()


def body_by_code(code: str) -> Body | None:
    return Body.objects.select_related("region").filter(code=code).first()


def postcode_tables_dir() -> Path:
    """Where loaded postcode districts tables are kept (under the data directory)."""
    return Path(settings.DATA_DIR) / "reference"


def postcode_districts_table() -> PostcodeDistrictTable | None:
    """The latest loaded postcode districts table whose file is there, if any."""
    for table in PostcodeDistrictTable.objects.all()[:5]:
        if (postcode_tables_dir() / table.file_name).is_file():
            return table
    return None


def postcode_districts_file() -> tuple[Path, str]:
    """The postcode districts table the local share uses, and where it comes from: the file
    ``INFUSE_POSTCODE_DISTRICTS`` names (``"setting"``), else the latest table loaded from the
    ONS postcode lookup (``"loaded"``), else the packaged one (``"packaged"``,
    ``postcodes.DISTRICTS_FILE``)."""
    configured = getattr(settings, "POSTCODE_DISTRICTS_FILE", "")
    if configured:
        return Path(configured), "setting"
    table = postcode_districts_table()
    if table is not None:
        return postcode_tables_dir() / table.file_name, "loaded"
    return DISTRICTS_FILE, "packaged"


def postcode_geography() -> PostcodeGeography:
    """The postcode districts table the local share uses (see :func:`postcode_districts_file`),
    read once per file and process."""
    path, _origin = postcode_districts_file()
    return packaged_geography(path)


@dataclass(frozen=True)
class BuiltDistricts:
    """A districts table built from the ONS postcode lookup: ``table`` (what is written: the
    lookup's districts over the packaged rows of the rest) and what the files gave."""

    table: pl.DataFrame
    districts: int
    rows: int
    straddling: int


def postcode_districts_build(sources: Sequence[tuple[str, bytes]]) -> BuiltDistricts:
    """Build a complete postcode districts table from files of the ONS National Statistics
    Postcode Lookup (``sources``: file name and content). Nothing is written.

    Authorities are named from the public bodies in the reference data, where known. Districts
    the files do not cover keep the packaged table's rows (loading the CF and NP areas keeps the
    LD districts). Raises ``ReferenceFileError`` for a file that is not the lookup, or when no
    postcode with a local authority is found.
    """
    names = dict(Body.objects.values_list("code", "name_en"))
    districts = districts_from_nspl(read_nspl_files(sources), names)
    if districts.is_empty():
        raise ReferenceFileError(
            _("No postcode with a local authority was found in the files: nothing was loaded.")
        )
    return BuiltDistricts(
        table=overlay_districts(districts, packaged_geography().districts),
        districts=districts["district"].n_unique(),
        rows=districts.height,
        straddling=straddling_districts(districts),
    )
