"""Turning the ledger engine's results into what pages, jobs and the audit trail keep."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.utils.translation import gettext as _

from .importing import LedgerInspection
from .ledger_columns import ROLE_LABELS

_ROLE_LABELS = frozenset(ROLE_LABELS.values())


def _translated_value(value: Any) -> Any:
    """Role labels inside a message ("supplier name", or a list of them) in the active language."""
    if not isinstance(value, str):
        return value
    if value in _ROLE_LABELS:
        return _(value)
    parts = value.split(", ")
    if len(parts) > 1 and all(part in _ROLE_LABELS for part in parts):
        return ", ".join(_(part) for part in parts)
    return value


def translate_problem(problem: Any) -> str:
    """The engine's message in the active language (its templates are in the catalogue)."""
    template = _(problem.template)
    params = {name: _translated_value(value) for name, value in dict(problem.params).items()}
    try:
        return template % params
    except (KeyError, TypeError, ValueError):
        return problem.text()


def heading_signature(inspection: LedgerInspection) -> str:
    """Identifies a layout by its headings, so a confirmed mapping is reused for the next file."""
    headings = [column.name or "" for column in inspection.columns]
    return hashlib.sha256(json.dumps(headings).encode()).hexdigest()


def inspection_as_json(inspection: LedgerInspection) -> dict[str, Any]:
    return {
        "columns": [{"position": c.position, "label": c.label} for c in inspection.columns],
        "proposal": {
            role: {
                "position": g.position,
                "label": g.column_label,
                "confidence": round(g.confidence, 2),
            }
            for role, g in inspection.proposal.roles.items()
        },
        "uncertain_roles": list(inspection.proposal.uncertain_roles),
        "problems": [translate_problem(p) for p in inspection.proposal.problems],
        "preview": [[row.line_number, list(row.cells)] for row in inspection.preview[:8]],
        "heading_line": inspection.structure.heading_line,
        "file_format": inspection.structure.file_format,
        "encoding": inspection.structure.encoding,
    }
