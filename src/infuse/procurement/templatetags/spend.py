"""Showing the analytics' own group labels in the reader's language."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from infuse.procurement import spend_queries

register = template.Library()

# The labels the queries give groups with no name of their own. Names from the ledgers (a
# supplier, a department) are shown as published, never translated.
GROUP_LABELS = {
    spend_queries.UNCLASSIFIED: gettext_noop("Unclassified"),
    spend_queries.NOT_GIVEN: gettext_noop("Not given"),
    spend_queries.WITHHELD: gettext_noop("Withheld (individual or redacted)"),
    spend_queries.DATE_UNKNOWN: gettext_noop("Date unknown"),
}


@register.filter
def spend_label(label: str) -> str:
    known = GROUP_LABELS.get(label)
    return _(known) if known else label


@register.filter
def get_item(mapping: dict[str, str], key: str) -> str:
    return mapping.get(key, "")


# How a spelling joined its supplier cluster (``suppliers.EVIDENCE_CONFIDENCE``).
EVIDENCE_LABELS = {
    "company_number": gettext_noop("Same company number"),
    "vat_number": gettext_noop("Same VAT number"),
    "normalised_name": gettext_noop("Same name once tidied"),
    "fuzzy": gettext_noop("Close spelling"),
    "singleton": gettext_noop("One spelling"),
    "analyst": gettext_noop("Analyst's decision"),
    "excluded": gettext_noop("Withheld payee"),
}
SIZE_LABELS = {
    "sme": gettext_noop("SME"),
    "large": gettext_noop("Not an SME"),
    "unknown": gettext_noop("Unknown"),
}
SOURCE_LABELS = {
    "list": gettext_noop("supplier list"),
    "ledger": gettext_noop("spend files"),
}


@register.filter
def evidence_label(code: str) -> str:
    known = EVIDENCE_LABELS.get(code)
    return _(known) if known else code


@register.filter
def size_label(code: str) -> str:
    return _(SIZE_LABELS.get(code, SIZE_LABELS["unknown"]))


@register.filter
def source_label(code: str | None) -> str:
    known = SOURCE_LABELS.get(code or "")
    return _(known) if known else ""


@register.filter
def percent(value: float | None) -> str:
    """A share 0–1 as a whole percentage (``—`` when there is none)."""
    if value is None:
        return "—"
    return f"{round(value * 100)}%"


@register.filter
def sme_part(sme: Any, part: str) -> float | None:
    """One part's share of an ``SmeShare`` total (``None`` when the total is not positive)."""
    return sme.share(part) if sme is not None else None


# Where a supplier is, for the local share (``supplier_profiles.PLACES``).
PLACE_LABELS = {
    "authority": gettext_noop("In the authority's area"),
    "region": gettext_noop("Elsewhere in the region"),
    "wales": gettext_noop("Elsewhere in Wales"),
    "outside": gettext_noop("Outside Wales"),
    "unknown": gettext_noop("Place unknown"),
    "withheld": gettext_noop("Withheld (individual or redacted)"),
}


@register.filter
def place_label(code: str) -> str:
    return _(PLACE_LABELS.get(code, PLACE_LABELS["unknown"]))


@register.filter
def part_share(figure: Any, part: str) -> float | None:
    """One part's share of a ``LocalShare`` (or ``SmeShare``) total."""
    return figure.share(part) if figure is not None else None
