"""Template filters of the programme."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from infuse.programme.materials import render_materials

register = template.Library()


@register.filter
def materials(text: str) -> SafeString:
    """Session materials (Markdown) as HTML; safe because raw HTML is never passed through."""
    return mark_safe(render_materials(text))  # noqa: S308 - escaped by the renderer
