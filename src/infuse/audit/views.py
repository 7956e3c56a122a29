from __future__ import annotations

import dataclasses

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from infuse.accounts.policy import page_rule, signed_in_user
from infuse.reference.selectors import bodies

from . import selectors
from .forms import AuditFilterForm


@page_rule("audit.browse")
def audit_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    # A body's administrator sees that body's trail; the delivery team's sees everything.
    body_choices = [(b.code, str(b.name)) for b in bodies()]
    if user.body is not None:
        body_choices = [(user.body.code, str(user.body.name))]
    form = AuditFilterForm(
        request.GET or None, target_types=selectors.audit_target_types(), bodies=body_choices
    )
    filters = selectors.AuditFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.AuditFilter(
            actor=data["actor"],
            action=data["action"],
            target_type=data["target_type"],
            body_code=data["body"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    if user.body is not None:
        filters = dataclasses.replace(filters, body_code=user.body.code)
    page = Paginator(selectors.audit_entries(filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/audit_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
