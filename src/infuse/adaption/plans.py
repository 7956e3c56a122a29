"""The analysis plan as data: its canonical form, fingerprint and the changes between versions.

Pure computation (no Django). A plan is a flat mapping of JSON values (text, numbers, lists).
Its fingerprint is the SHA-256 of its canonical JSON: keys sorted, no insignificant spaces,
UTF-8 (after RFC 8785's ordering idea, without its number rules: plan numbers are written as
the decimal text the user saw, so the same plan always gives the same bytes). Anyone holding a
published plan can recompute the fingerprint and check it against the one shown when it was
locked.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

PLAN_FORMAT = "infuse-plan-v1"


def plan_canonical_json(plan: Mapping[str, Any]) -> bytes:
    """The plan as canonical JSON bytes (with the format name, so a format change shows)."""
    content = {"format": PLAN_FORMAT, **plan}
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def plan_sha256(plan: Mapping[str, Any]) -> str:
    """The hexadecimal SHA-256 of :func:`plan_canonical_json`."""
    return hashlib.sha256(plan_canonical_json(plan)).hexdigest()


def plan_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Each field whose value differs, as ``{field: [before, after]}``, in field order."""
    fields = list(before) + [name for name in after if name not in before]
    return {
        name: [before.get(name), after.get(name)]
        for name in fields
        if before.get(name) != after.get(name)
    }
