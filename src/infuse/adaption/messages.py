"""Sentences the Adaption Lab's pure engines give people, translatable without Django.

An engine never builds a finished sentence: it returns a :class:`Message` (an English template
with ``%(name)s`` slots, marked with the local :func:`gettext_noop` so ``makemessages`` puts it
in the Welsh catalogue, and its values). The Django layer translates the template; the command
line and tests read :meth:`Message.text`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

ParamValue = str | int | float


def gettext_noop(template: str) -> str:
    """Mark an English template for the Welsh catalogue; returns it unchanged."""
    return template


@dataclass(frozen=True)
class Message:
    """A sentence for a person: an English template with ``%(name)s`` slots, and its values."""

    template: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)

    def text(self, translate: Callable[[str], str] = lambda template: template) -> str:
        return translate(self.template) % dict(self.params)


class AdaptionInputError(ValueError):
    """Input an Adaption Lab engine cannot use, with a message for the person who gave it."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.text())
        self.message = message


def as_plain(value: Any) -> Any:
    """An engine's result as JSON-ready values: dataclasses as dicts, Messages as English text,
    NumPy numbers as Python ones and NaN or infinity as None."""
    if isinstance(value, Message):
        return value.text()
    if hasattr(value, "__dataclass_fields__"):
        return {name: as_plain(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, dict):
        return {str(key): as_plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [as_plain(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
