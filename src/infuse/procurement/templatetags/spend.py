"""Showing the analytics' own group labels in the reader's language."""

from __future__ import annotations

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
