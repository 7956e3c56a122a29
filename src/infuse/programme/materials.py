"""Session materials written in Markdown, rendered to safe HTML with GOV.UK classes.

Facilitators write materials as plain text with light Markdown (paragraphs, headings, lists,
emphasis, links). Rendering is safe by construction rather than by cleaning afterwards: the
CommonMark parser (markdown-it-py) runs with raw HTML turned off, so any ``<tag>`` typed in the
text is shown as text; only the allowlisted block and inline rules below are enabled; links
must be http, https or mailto; images are not rendered. No Django here, so it is tested alone.
"""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt

#: The Markdown rules a facilitator may use; everything else stays plain text.
ALLOWED_BLOCK_RULES = ["paragraph", "heading", "list", "blockquote", "hr"]
ALLOWED_INLINE_RULES = ["emphasis", "link", "newline", "backticks", "escape", "linkify"]
ALLOWED_SCHEMES = ("http://", "https://", "mailto:")

#: GOV.UK Frontend classes for each element, so materials look like the rest of the service.
CLASSES = {
    "paragraph_open": "govuk-body",
    "bullet_list_open": "govuk-list govuk-list--bullet",
    "ordered_list_open": "govuk-list govuk-list--number",
    "link_open": "govuk-link",
    "blockquote_open": "govuk-inset-text",
    "hr": "govuk-section-break govuk-section-break--m govuk-section-break--visible",
}
HEADING_CLASSES = {"h1": "govuk-heading-m", "h2": "govuk-heading-m", "h3": "govuk-heading-s"}


def _safe_link(url: str) -> bool:
    return url.strip().lower().startswith(ALLOWED_SCHEMES)


def _parser() -> MarkdownIt:
    md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    md.enable(ALLOWED_BLOCK_RULES)
    md.enable([rule for rule in ALLOWED_INLINE_RULES if rule != "linkify"])
    md.validateLink = _safe_link  # type: ignore[method-assign]
    return md


_MD = _parser()


def _decorate(tokens: list[Any]) -> None:
    for token in tokens:
        if token.type in CLASSES:
            token.attrSet("class", CLASSES[token.type])
        elif token.type == "heading_open":
            # Materials sit under the page's own headings: demote to level 3 and below.
            token.tag = {"h1": "h3", "h2": "h3"}.get(token.tag, "h4")
            token.attrSet("class", HEADING_CLASSES.get(token.tag, "govuk-heading-s"))
        elif token.type == "heading_close":
            token.tag = {"h1": "h3", "h2": "h3"}.get(token.tag, "h4")
        if token.children:
            _decorate(token.children)


def render_materials(text: str) -> str:
    """Safe HTML for ``text`` (Markdown). Raw HTML and unsafe links come out as plain text."""
    tokens = _MD.parse(text or "")
    _decorate(tokens)
    return str(_MD.renderer.render(tokens, _MD.options, {}))
