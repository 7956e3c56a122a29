"""The register of everything that reads a user's file into Infuse.

Each app registers its importers when it starts (in ``AppConfig.ready``). The reliability tests
walk this register, so every importer — present and future — is fed hostile files and has
failures injected part-way through, without anyone having to remember to add it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Importer:
    """One kind of file a user can load.

    ``parse(content, filename)`` reads the bytes and returns parsed data, or raises a
    ``UserFacingError`` that names the problem; it must raise nothing else. ``apply(actor, body,
    parsed)`` loads the parsed data for ``body`` all or nothing. ``example()`` gives a small valid
    file, ``(content, filename)``, that the tests mutate. ``live_state()``, when given, returns
    what users see of this importer's data (a failed import may leave a record of its failure,
    but must not change this); without it the whole database must be unchanged.
    """

    name: str
    parse: Callable[[bytes, str], Any]
    apply: Callable[[Any, Any, Any], Any]
    example: Callable[[], tuple[bytes, str]]
    live_state: Callable[[], Any] | None = None


_REGISTER: dict[str, Importer] = {}


def importer_register(importer: Importer) -> None:
    _REGISTER[importer.name] = importer


def importers() -> list[Importer]:
    return sorted(_REGISTER.values(), key=lambda i: i.name)
