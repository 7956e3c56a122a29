"""Loading reference data into the database: idempotent, audited, all or nothing."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from infuse.audit.trail import audit_record, audited

from .loading import ReferenceFileError, ReferenceSet, packaged_reference
from .models import Body, Lab, PostcodeDistrictTable, Region, Theme, WayOfWorking, WellbeingGoal
from .postcodes import read_geography, write_districts
from .selectors import postcode_districts_build, postcode_tables_dir


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def _upsert(
    model: type[models.Model], key: str, rows: Iterable[dict[str, Any]], counts: LoadCounts
) -> None:
    for row in rows:
        values = {k: v for k, v in row.items() if k != key}
        existing = model._default_manager.filter(**{key: row[key]}).first()
        if existing is None:
            model._default_manager.create(**row)
            counts.created += 1
            continue
        changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
        if changed:
            for k, v in changed.items():
                setattr(existing, k, v)
            existing.save(update_fields=list(changed))
            counts.updated += 1
        else:
            counts.unchanged += 1


def _with_region(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    regions = {r.code: r for r in Region.objects.all()}
    result = []
    for row in rows:
        code = row.get("region") or ""
        if code and code not in regions:
            raise ReferenceFileError(
                _("Body %(body)s: unknown region “%(region)s”.")
                % {"body": row["code"], "region": code}
            )
        result.append({**row, "region": regions.get(code)})
    return result


ProgressCallback = Callable[[int, int, str], None]


@audited
@transaction.atomic
def reference_load(
    *,
    actor: Any,
    reference: ReferenceSet | None = None,
    progress: ProgressCallback | None = None,
) -> dict[str, dict[str, int]]:
    """Load the packaged reference data (or ``reference``) and return counts per table.

    Loading the same data twice changes nothing the second time. A bad row raises
    ``ReferenceFileError`` and, being one transaction, nothing is changed.
    """
    data = reference or packaged_reference()
    steps: list[tuple[str, Callable[[LoadCounts], None]]] = [
        ("regions", lambda c: _upsert(Region, "code", data.regions, c)),
        ("bodies", lambda c: _upsert(Body, "code", _with_region(data.bodies), c)),
        ("themes", lambda c: _upsert(Theme, "slug", data.themes, c)),
        ("labs", lambda c: _upsert(Lab, "slug", data.labs, c)),
        ("wellbeing_goals", lambda c: _upsert(WellbeingGoal, "number", data.goals, c)),
        ("ways_of_working", lambda c: _upsert(WayOfWorking, "slug", data.ways_of_working, c)),
    ]
    result: dict[str, dict[str, int]] = {}
    for index, (name, step) in enumerate(steps):
        if progress:
            progress(index, len(steps), name)
        counts = LoadCounts()
        step(counts)
        result[name] = counts.as_dict()
    if progress:
        progress(len(steps), len(steps), "done")
    if any(c["created"] or c["updated"] for c in result.values()):
        audit_record(
            actor=actor,
            action="reference.reference_load",
            target_type="reference.referenceset",
            target_label="reference data",
            after=result,
        )
    return result


@audited
@transaction.atomic
def bodies_load(*, actor: Any, bodies: list[dict[str, Any]]) -> dict[str, int]:
    """Add or update public bodies read from a user's file (see ``loading.read_bodies_csv``)."""
    counts = LoadCounts()
    _upsert(Body, "code", _with_region(bodies), counts)
    if counts.created or counts.updated:
        audit_record(
            actor=actor,
            action="reference.bodies_load",
            target_type="reference.body",
            target_label=f"{len(bodies)} bodies from a file",
            after=counts.as_dict(),
        )
    return counts.as_dict()


@audited
def postcode_districts_load(
    *, actor: Any, sources: Sequence[tuple[str, bytes]]
) -> PostcodeDistrictTable:
    """Build the table (``selectors.postcode_districts_build``) and make it the one the local share
    of spend uses. It is written under the data directory, named by its hash, and read back
    before it is recorded, so a failed load leaves the table in use as it was."""
    built = postcode_districts_build(sources)
    folder = postcode_tables_dir()
    folder.mkdir(parents=True, exist_ok=True)
    handle, partial_name = tempfile.mkstemp(dir=folder, suffix=".partial")
    os.close(handle)
    partial = Path(partial_name)
    try:
        write_districts(built.table, partial)
        read_geography(partial)  # the table reads back as every page will read it
        partial.chmod(0o644)  # web server and command line may run as different users
        sha256 = hashlib.sha256(partial.read_bytes()).hexdigest()
        file_name = f"postcode_districts-{sha256[:16]}.csv"
        partial.replace(folder / file_name)
    finally:
        partial.unlink(missing_ok=True)
    with transaction.atomic():
        table = PostcodeDistrictTable.objects.create(
            file_name=file_name,
            sha256=sha256,
            districts=built.districts,
            rows=built.rows,
            straddling=built.straddling,
            sources=[name for name, _content in sources],
            loaded_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor,
            action="reference.postcode_districts_load",
            target=table,
            after={
                "districts": table.districts,
                "rows": table.rows,
                "straddling": table.straddling,
                "sources": table.sources,
            },
        )
    return table
