"""Reads of contract data: a body's contracts, one contract, and compiled releases for DuckDB."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, QuerySet

from infuse.accounts.policy import visible_filter

from .ledger_display import translate_problem
from .ledger_messages import Problem
from .models import ContractFile, ContractRecord

COMPILED_DATASET = "ocds_compiled"


def contracts_visible(user: Any) -> QuerySet[ContractRecord]:
    """Every contract record ``user`` may see, soonest-ending first."""
    return ContractRecord.objects.filter(visible_filter(user)).select_related(
        "owner_body", "source_file"
    )


def contract_files_visible(user: Any) -> QuerySet[ContractFile]:
    return ContractFile.objects.filter(visible_filter(user)).select_related("owner_body")


def file_problems(contract_file: ContractFile) -> list[str]:
    """The file's quality problems in the active language."""
    return [
        translate_problem(
            Problem(code=item["code"], template=item["template"], params=item["params"])
        )
        for item in contract_file.problems
    ]


def compiled_releases_path(body: Any) -> Path:
    """A JSON-lines file of ``body``'s compiled releases, one a line, for DuckDB
    (``read_json_auto``) and Cardinal-style tools; rewritten whenever the records change.

    The database is the authority: the file's name carries a fingerprint of the body's records
    (count and last change), so a stale file is never returned; it is written to a temporary
    name and renamed, so a reader sees a whole file or none.
    """
    records = ContractRecord.objects.filter(owner_body=body)
    state = records.aggregate(count=Count("pk"), changed=Max("updated_at"))
    fingerprint = hashlib.sha256(f"{state['count']}|{state['changed']}".encode()).hexdigest()[:16]
    folder = Path(settings.WAREHOUSE_DIR) / COMPILED_DATASET / str(body.pk)
    path = folder / f"compiled-{fingerprint}.jsonl"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".partial-{fingerprint}-{os.getpid()}"
    with partial.open("w", encoding="utf-8") as handle:
        for compiled in records.order_by("ocid").values_list("compiled", flat=True).iterator():
            handle.write(json.dumps(compiled, ensure_ascii=False, separators=(",", ":")))
            handle.write("\n")
    os.replace(partial, path)
    for old in folder.glob("compiled-*.jsonl"):
        if old != path:
            old.unlink(missing_ok=True)
    return path
