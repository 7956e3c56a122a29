"""Pages that belong to no single lab: home, a body's workspace, language, errors, API docs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from infuse.accounts import selectors as account_selectors
from infuse.accounts import services as account_services
from infuse.accounts.policy import Action, BodyWorkspace, page_rule, require
from infuse.audit import selectors as audit_selectors
from infuse.jobs import selectors as job_selectors
from infuse.procurement import selectors as procurement_selectors
from infuse.reference import selectors as reference_selectors
from infuse.reference.models import Body

from .language import LANGUAGE_CODES, language_cookie_set, url_in_language


@page_rule("public")
def home(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "labs": reference_selectors.labs(),
        "themes": reference_selectors.themes(),
    }
    if request.user.is_authenticated:
        context["jobs"] = job_selectors.jobs_waiting_for(request.user)
        context["spend_files"] = procurement_selectors.spend_batches_needing_action(request.user)[
            :10
        ]
        context["recent_activity"] = audit_selectors.recent_activity_of(request.user.pk)
        return render(request, "web/home.html", context)
    context["programme_bodies"] = reference_selectors.programme_bodies()
    return render(request, "web/welcome.html", context)


@page_rule("body.workspace")
def body_workspace(request: HttpRequest, code: str) -> HttpResponse:
    body = get_object_or_404(Body.objects.select_related("region"), code=code)
    require(request.user, Action.VIEW, BodyWorkspace(owner_body_id=body.pk))
    return render(
        request,
        "web/body_workspace.html",
        {
            "body": body,
            "members": account_selectors.members_of_body(body.pk),
            "activity": audit_selectors.audit_entries(
                audit_selectors.AuditFilter(body_code=body.code)
            )[:10],
        },
    )


@page_rule("public")
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html")


@page_rule("public")
def api_docs(request: HttpRequest) -> HttpResponse:
    from infuse.api import api

    schema = api.get_openapi_schema()
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "tag": (operation.get("tags") or [""])[0],
                    "secured": bool(operation.get("security")),
                    "parameters": operation.get("parameters", []),
                }
            )
    return render(request, "web/api_docs.html", {"operations": operations, "info": schema["info"]})


@page_rule("public")
def language_switch(request: HttpRequest, language: str) -> HttpResponse:
    """Switch language, remember it (on the profile when signed in), stay on the same page."""
    if language not in LANGUAGE_CODES:
        language = "en"
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    target = url_in_language(target, language)
    if request.user.is_authenticated:
        account_services.user_set_preferred_language(
            actor=request.user, user=request.user, language=language
        )
    response = HttpResponseRedirect(target)
    language_cookie_set(response, language)
    return response


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(
        request,
        "errors/error.html",
        {"title": title, "message": message, "status": status},
        status=status,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        400,
        _("Sorry, there is a problem with the request"),
        _("The page could not understand what was sent. Go back and try again."),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        403,
        _("You do not have permission to see this page"),
        _(
            "This page belongs to another public body, or to a role you do not have. If you "
            "think you should have access, ask your Infuse administrator."
        ),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        404,
        _("Page not found"),
        _(
            "If you typed the web address, check it is correct. If you pasted it, check you "
            "copied the entire address."
        ),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(
        request,
        500,
        _("Sorry, there is a problem with Infuse"),
        _(
            "Nothing you saved has been lost. Try again later; if it keeps happening, tell your "
            "Infuse administrator what you were doing."
        ),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(
        request,
        403,
        _("Your form could not be sent"),
        _("For your security, forms expire. Go back, reload the page and send the form again."),
    )
