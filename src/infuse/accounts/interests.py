"""Declarations of interest, as a Challenge Fund assessor and a tender evaluator make them
before they see what they judge: the one rule both follow.

A declaration is made once, before anything is shown; a declared conflict must say what it is
(an auditor reads the record). The record is any model with ``declared_at``, ``has_conflict``
and ``declaration`` (``challenges.Assessment``, ``tenders.Evaluator``); the caller checks who
may declare and writes the audit entry.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.errors import UserFacingError


def interests_record(
    record: models.Model,
    *,
    has_conflict: bool,
    declaration: str,
    already_declared: str,
    error: type[UserFacingError],
) -> str:
    """Record the declaration on ``record`` and return it as kept (trimmed); ``error`` with
    ``already_declared`` when one was made before, or when a conflict is not described."""
    if getattr(record, "declared_at", None) is not None:
        raise error(already_declared)
    declaration = declaration.strip()
    if has_conflict and not declaration:
        raise error(_("Describe the conflict of interest."))
    record.has_conflict = has_conflict  # type: ignore[attr-defined]
    record.declaration = declaration  # type: ignore[attr-defined]
    record.declared_at = timezone.now()  # type: ignore[attr-defined]
    record.save(update_fields=["has_conflict", "declaration", "declared_at"])
    return declaration
