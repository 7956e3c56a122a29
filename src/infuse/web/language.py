"""Moving between English and Welsh while staying on the same page."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpResponse

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


def url_in_language(url: str, language: str) -> str:
    """The same page in ``language``: swaps or adds the ``/en/`` or ``/cy/`` path prefix.

    Paths outside the language-prefixed pages (``/api/``, ``/static/``) are left alone.
    """
    parts = urlsplit(url)
    segments = parts.path.split("/")
    # segments[0] is '' because paths start with '/'.
    if len(segments) > 1 and segments[1] in LANGUAGE_CODES:
        segments[1] = language
        path = "/".join(segments)
    elif parts.path in ("", "/"):
        path = f"/{language}/"
    else:
        return url
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


def language_cookie_set(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 60 * 60,
        samesite="Lax",
        secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
        httponly=getattr(settings, "LANGUAGE_COOKIE_HTTPONLY", False),
    )
