"""Writing to the audit trail. Every service that changes data calls ``audit_record``."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models

from .models import AuditEntry

SYSTEM_ACTOR_LABEL = "system"


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return value


def snapshot(instance: models.Model | None, fields: Iterable[str]) -> dict[str, Any] | None:
    """The named fields of a record as JSON-ready values (foreign keys as ids)."""
    if instance is None:
        return None
    result: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        result[name] = _jsonable(getattr(instance, attname))
    return result


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    body: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record one write.

    ``actor`` is the acting user (``None`` or an anonymous user for the system itself);
    ``action`` is the service's name, for example ``accounts.user_create``; ``before`` and
    ``after`` hold the changed fields. Call it inside the service's transaction so the entry and
    the change commit or roll back together.
    """
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_label = target_label or str(target)[:300]
    signed_in = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if signed_in else None,
        actor_label=(actor.get_username() if signed_in else SYSTEM_ACTOR_LABEL)[:200],
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:300],
        body=body,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )
