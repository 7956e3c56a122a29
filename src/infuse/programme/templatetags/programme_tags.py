"""Template filters of the programme."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from infuse.accounts.policy import may_open
from infuse.programme.materials import render_materials

register = template.Library()


@register.filter
def materials(text: str) -> SafeString:
    """Session materials (Markdown) as HTML; safe because raw HTML is never passed through."""
    return mark_safe(render_materials(text))  # noqa: S308 - escaped by the renderer


@register.simple_tag(takes_context=True)
def passes_rule(context: Any, rule: str) -> bool:
    """Whether the signed-in user passes a page rule of the policy (to show a link or not)."""
    request = context.get("request")
    return request is not None and may_open(request.user, rule)
