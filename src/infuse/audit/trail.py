"""The audit trail: recording every write, and marking the services that make them."""

from __future__ import annotations

import datetime
import decimal
import functools
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, models

from .models import AuditEntry

SYSTEM_ACTOR_LABEL = "system"
F = TypeVar("F", bound=Callable[..., Any])


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


# --- Marking and checking the services that write ---------------------------------------------
#
# Every public function in an app's ``services.py`` carries one of two marks:
#
# * ``@audited``: it writes, and each write is recorded with ``audit_record``;
# * ``@unaudited(reason=…)``: it writes only bookkeeping that is not a user's record (progress
#   counters, sign-in failures, a token's last use), and the reason says so.
#
# A test finds every service function by introspection and fails on any without a mark. When the
# setting ``AUDIT_ENFORCE`` is true (the test run), an ``@audited`` function that issues an
# INSERT, UPDATE or DELETE without also inserting an audit entry raises ``UnauditedWrite``.

_WRITE_PREFIXES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class _EnforcementState(threading.local):
    depth: int = 0  # inside an audited service already being checked
    bookkeeping: int = 0  # inside an unaudited (bookkeeping) service


_enforcement = _EnforcementState()


class UnauditedWrite(AssertionError):
    """An ``@audited`` service changed data without recording it in the audit trail."""


def _statement_kind(sql: str) -> tuple[bool, bool]:
    """Whether a statement writes, and whether it writes the audit table."""
    head = sql.lstrip().upper()
    writes = head.startswith(_WRITE_PREFIXES)
    return writes, writes and AuditEntry._meta.db_table.upper() in head[:80].replace('"', "")


def audited(function: F) -> F:
    """Mark a service that writes and audits every write (checked when ``AUDIT_ENFORCE``)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        enforce: bool = getattr(settings, "AUDIT_ENFORCE", False)
        if not enforce or _enforcement.depth:
            return function(*args, **kwargs)
        seen = {"writes": 0, "audits": 0}

        def observe(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            writes, audit = _statement_kind(sql)
            if audit:
                seen["audits"] += 1
            elif writes and not _enforcement.bookkeeping:
                seen["writes"] += 1
            return execute(sql, params, many, context)

        _enforcement.depth = 1
        try:
            with connection.execute_wrapper(observe):
                result = function(*args, **kwargs)
        finally:
            _enforcement.depth = 0
        if seen["writes"] and not seen["audits"]:
            raise UnauditedWrite(
                f"{function.__module__}.{function.__qualname__} wrote {seen['writes']} "
                "statement(s) without an audit entry"
            )
        return result

    wrapper.__audit_policy__ = "audited"  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def unaudited(*, reason: str) -> Callable[[F], F]:
    """Mark a service whose writes are bookkeeping, not records; ``reason`` says why."""
    if not reason.strip():
        raise ValueError("An unaudited service must give its reason")

    def mark(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            # Bookkeeping called from inside an audited service (a progress update, say) is
            # not that service's unaudited write.
            _enforcement.bookkeeping += 1
            try:
                return function(*args, **kwargs)
            finally:
                _enforcement.bookkeeping -= 1

        wrapper.__audit_policy__ = "unaudited"  # type: ignore[attr-defined]
        wrapper.__audit_reason__ = reason  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return mark
