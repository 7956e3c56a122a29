"""What each kind of job needs done when a worker stopped in the middle of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Each app registers, per job kind, a function that puts its own records right, for example
# marking an import failed. It receives the job and the reason to record.
_INTERRUPTION_HANDLERS: dict[str, Callable[[Any, str], None]] = {}


def interruption_handler_register(kind: str, handler: Callable[[Any, str], None]) -> None:
    _INTERRUPTION_HANDLERS[kind] = handler


def interruption_handler_for(kind: str) -> Callable[[Any, str], None] | None:
    return _INTERRUPTION_HANDLERS.get(kind)
