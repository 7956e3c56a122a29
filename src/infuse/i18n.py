"""Bilingual content stored in the database.

Interface strings are translated with gettext; content that users or reference data supply in
both languages is stored in paired columns (``name_en``, ``name_cy``). ``Bilingual`` gives a model
a read-only attribute that returns the column for the active language, falling back to English
when the Welsh text is missing, so templates can write ``{{ body.name }}``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

SUPPORTED_LANGUAGES = ("en", "cy")


def active_language() -> str:
    """The two-letter code of the language in force, ``en`` when none is active."""
    code = (get_language() or "en")[:2]
    return code if code in SUPPORTED_LANGUAGES else "en"


class Bilingual:
    """Descriptor choosing ``<field>_en`` or ``<field>_cy`` by the active language."""

    def __init__(self, field: str) -> None:
        self.field = field

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = getattr(instance, f"{self.field}_{active_language()}", "")
        return value or getattr(instance, f"{self.field}_en", "")
