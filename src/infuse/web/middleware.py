from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy and a Permissions-Policy to every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response


class ApiRefusesNulMiddleware:
    """Answers 422 to an API request whose path or query holds the NUL character.

    No text a user can store or look up contains NUL, and PostgreSQL refuses it in any text
    comparison, so a lookup with it would fail as a server error. Pages need no such guard:
    their forms refuse NUL themselves (Django's ``ProhibitNullCharactersValidator``). The
    answer has the API's documented validation-error shape (``ValidationErrorOut``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            where = ["path"] if "\x00" in request.path else []
            where += [
                f"query.{key}"
                for key, values in request.GET.lists()
                if "\x00" in key or any("\x00" in value for value in values)
            ]
            if where:
                message = _("Text may not contain the NUL character.")
                return JsonResponse(
                    {"detail": [{"loc": loc.split("."), "msg": message} for loc in where]},
                    status=422,
                )
        return self.get_response(request)
