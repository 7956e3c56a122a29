"""Reads of the audit trail for the administrators' page and the API."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from .models import AuditEntry


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    target_type: str = ""
    body_code: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def audit_entries(filters: AuditFilter) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("body", "actor")
    if filters.actor:
        entries = entries.filter(actor_label__icontains=filters.actor)
    if filters.action:
        entries = entries.filter(action__icontains=filters.action)
    if filters.target_type:
        entries = entries.filter(target_type=filters.target_type)
    if filters.body_code:
        entries = entries.filter(body__code=filters.body_code)
    if filters.date_from:
        entries = entries.filter(at__date__gte=filters.date_from)
    if filters.date_to:
        entries = entries.filter(at__date__lte=filters.date_to)
    return entries


def audit_target_types() -> list[str]:
    return list(
        AuditEntry.objects.order_by("target_type").values_list("target_type", flat=True).distinct()
    )


def recent_activity_of(user_id: int, limit: int = 5) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(actor_id=user_id)[:limit]
