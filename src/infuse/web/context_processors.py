from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language

from .language import url_in_language


def layout(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs on every page: the links to this page in each language."""
    current = (get_language() or "en")[:2]
    here = request.get_full_path()
    return {
        "language_current": current,
        "language_links": [
            {"code": "en", "label": "English", "href": url_in_language(here, "en")},
            {"code": "cy", "label": "Cymraeg", "href": url_in_language(here, "cy")},
        ],
    }
