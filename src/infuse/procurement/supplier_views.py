"""Procurement Lab pages for suppliers: clusters of spellings, decisions, supplier lists."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from infuse.accounts.policy import Action, BodyWorkspace, can, page_rule, signed_in_user
from infuse.errors import UserFacingError
from infuse.reference.models import Body

from . import selectors, services
from .forms import SupplierFilterForm, SupplierListUploadForm
from .models import SupplierDecision, SupplierList

PAGE_SIZE = 50


def _visible_body(request: HttpRequest, code: str) -> Body:
    """A body whose suppliers the user may see (live spend files of it they can see)."""
    body = selectors.supplier_bodies(signed_in_user(request)).filter(code=code).first()
    if body is None:
        raise Http404
    return body


def _overview_or_404(request: HttpRequest, body: Body) -> selectors.SupplierOverview:
    overview = selectors.supplier_overview(signed_in_user(request), body)
    if overview is None:
        raise Http404
    return overview


def _workspace_body(request: HttpRequest, code: str, action: Action = Action.VIEW) -> Body:
    """A body whose own supplier records (decision history, lists) the user may see or
    change: its members, and the programme's overseers for seeing."""
    body = Body.objects.filter(code=code).first()
    if body is None or not can(request.user, action, BodyWorkspace(owner_body_id=body.pk)):
        raise Http404
    return body


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@page_rule("procurement.suppliers")
def suppliers(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    bodies = [(b.code, str(b.name)) for b in selectors.supplier_bodies(user)]
    if not bodies:
        return render(request, "procurement/suppliers.html", {"bodies": bodies})
    codes = [code for code, _name in bodies]
    chosen = request.GET.get("body", "")
    if chosen not in codes:
        own = user.body.code if user.body is not None else ""
        chosen = own if own in codes else codes[0]
    body = Body.objects.get(code=chosen)
    overview = _overview_or_404(request, body)
    data = {
        "body": chosen,
        "q": request.GET.get("q", ""),
        "show": request.GET.get("show", "all"),
        "place": request.GET.get("place", ""),
    }
    form = SupplierFilterForm(data, bodies=bodies, withheld=overview.shows_withheld_names)
    search, show, place = "", "all", ""
    if form.is_valid():
        search, show = form.cleaned_data["q"], form.cleaned_data["show"] or "all"
        place = form.cleaned_data["place"]
    rows = selectors.supplier_rows(overview, search=search, show=show, place=place)
    page_text = request.GET.get("page", "")
    page_number = int(page_text) if page_text.isdigit() and int(page_text) > 0 else 1
    pages = max(1, -(-rows.height // PAGE_SIZE))
    page_number = min(page_number, pages)
    shown = rows.slice((page_number - 1) * PAGE_SIZE, PAGE_SIZE).to_dicts()
    for row in shown:
        row["confirmation"] = overview.confirmations.get(row["cluster_id"])
    query = urlencode({k: v for k, v in data.items() if v and not (k == "show" and v == "all")})
    return render(
        request,
        "procurement/suppliers.html",
        {
            "bodies": bodies,
            "body": body,
            "form": form,
            "overview": overview,
            "rows": shown,
            "matching": rows.height,
            "page_number": page_number,
            "pages": pages,
            "query": query,
            "here": request.get_full_path(),
            "place": place,
            "local": selectors.local_share_of(overview),
        },
    )


@page_rule("procurement.suppliers")
def supplier_detail(request: HttpRequest, body_code: str, cluster_id: str) -> HttpResponse:
    body = _visible_body(request, body_code)
    overview = _overview_or_404(request, body)
    cluster = overview.cluster(cluster_id)
    if cluster is None:
        raise Http404
    spellings = selectors.supplier_cluster_spellings(overview, cluster_id)
    user = signed_in_user(request)
    shows_history = can(user, Action.VIEW, BodyWorkspace(owner_body_id=body.pk))
    lines_query = urlencode({"body": body.code, "cluster": cluster_id})
    return render(
        request,
        "procurement/supplier_detail.html",
        {
            "body": body,
            "overview": overview,
            "cluster": cluster,
            "spellings": spellings,
            "confirmation": overview.confirmations.get(cluster_id),
            "similar": []
            if cluster["is_excluded"]
            else selectors.supplier_similar(overview, cluster_id),
            "decisions": selectors.supplier_decisions_about(body, cluster) if shows_history else [],
            "shows_history": shows_history,
            "lines_query": lines_query,
            "here": request.get_full_path(),
        },
    )


@require_POST
@page_rule("procurement.suppliers_change")
def supplier_merge(request: HttpRequest, body_code: str) -> HttpResponse:
    body = _workspace_body(request, body_code, Action.CHANGE)
    chosen = request.POST.getlist("cluster")
    into = request.POST.get("into", "")
    if into:
        chosen = [into, *[c for c in chosen if c != into]]
    try:
        decision = services.supplier_merge(
            actor=signed_in_user(request), body=body, cluster_ids=chosen
        )
    except UserFacingError as error:
        messages.error(request, str(error))
        return redirect(_back(request, f"{reverse('procurement:suppliers')}?body={body.code}"))
    messages.success(
        request,
        ngettext(
            "%(count)d supplier was merged into %(name)s. You can undo this below.",
            "%(count)d suppliers were merged into %(name)s. You can undo this below.",
            len(decision.cluster_ids) - 1,
        )
        % {"count": len(decision.cluster_ids) - 1, "name": decision.label},
    )
    return redirect("procurement:supplier", body_code=body.code, cluster_id=decision.cluster_ids[0])


@require_POST
@page_rule("procurement.suppliers_change")
def supplier_split(request: HttpRequest, body_code: str, cluster_id: str) -> HttpResponse:
    body = _workspace_body(request, body_code, Action.CHANGE)
    name = request.POST.get("name", "")
    try:
        services.supplier_split(actor=signed_in_user(request), body=body, raw_name=name)
    except UserFacingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(name)s is now a supplier of its own. You can undo this below.") % {"name": name},
        )
    return redirect("procurement:supplier", body_code=body.code, cluster_id=cluster_id)


@require_POST
@page_rule("procurement.suppliers_change")
def supplier_confirm(request: HttpRequest, body_code: str, cluster_id: str) -> HttpResponse:
    body = _workspace_body(request, body_code, Action.CHANGE)
    try:
        services.supplier_confirm(actor=signed_in_user(request), body=body, cluster_id=cluster_id)
    except UserFacingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You confirmed that these spellings are one supplier."))
    return redirect("procurement:supplier", body_code=body.code, cluster_id=cluster_id)


@page_rule("procurement.suppliers")
def supplier_decisions(request: HttpRequest, body_code: str) -> HttpResponse:
    body = _workspace_body(request, body_code)
    user = signed_in_user(request)
    decisions = Paginator(selectors.supplier_decisions(body), 50).get_page(request.GET.get("page"))
    overview = selectors.supplier_overview(user, body)
    return render(
        request,
        "procurement/supplier_decisions.html",
        {
            "body": body,
            "decisions": decisions,
            "not_applied": set(overview.not_applied) if overview else set(),
            "may_change": selectors.may_change_suppliers(user, body),
        },
    )


@require_POST
@page_rule("procurement.suppliers_change")
def supplier_decision_undo(request: HttpRequest, body_code: str, decision_id: int) -> HttpResponse:
    body = _workspace_body(request, body_code, Action.CHANGE)
    decision = SupplierDecision.objects.filter(pk=decision_id, owner_body=body).first()
    if decision is None:
        raise Http404
    user = signed_in_user(request)
    try:
        services.supplier_decision_undo(actor=user, decision=decision)
    except UserFacingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The decision was undone."))
    target = _back(
        request, reverse("procurement:supplier-decisions", kwargs={"body_code": body.code})
    )
    return redirect(_still_there(request, user, body, decision, target))


def _still_there(
    request: HttpRequest, user: Any, body: Body, decision: SupplierDecision, target: str
) -> str:
    """Undoing a split from the split-off supplier's own page removes that supplier: go to
    the supplier its spelling is back in, rather than to a page that no longer exists."""
    try:
        match = resolve(urlsplit(target).path)
    except Resolver404:
        return target
    if match.view_name != "procurement:supplier":
        return target
    overview = selectors.supplier_overview(user, body)
    if overview is None or overview.cluster(match.kwargs["cluster_id"]) is not None:
        return target
    for name in [decision.raw_name, *(decision.anchor_names or [])]:
        for row in overview.profiles.iter_rows(named=True):
            if name and name in row["spellings"]:
                return reverse(
                    "procurement:supplier",
                    kwargs={"body_code": body.code, "cluster_id": row["cluster_id"]},
                )
    return f"{reverse('procurement:suppliers')}?body={body.code}"


@page_rule("procurement.suppliers")
def supplier_lists(request: HttpRequest, body_code: str) -> HttpResponse:
    body = _workspace_body(request, body_code)
    user = signed_in_user(request)
    may_change = selectors.may_change_suppliers(user, body)
    form = SupplierListUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not may_change:
            raise Http404
        if form.is_valid():
            upload = form.cleaned_data["supplier_list"]
            try:
                supplier_list = services.supplier_list_upload(
                    actor=user,
                    body=body,
                    file_name=upload.name,
                    content=upload.read(),
                    visibility=form.cleaned_data["visibility"],
                )
            except UserFacingError as error:
                form.add_error("supplier_list", f"{upload.name}: {error}")
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(file)s: %(count)d supplier read.",
                        "%(file)s: %(count)d suppliers read.",
                        supplier_list.rows_read,
                    )
                    % {"file": supplier_list.file_name, "count": supplier_list.rows_read},
                )
                return redirect("procurement:supplier-lists", body_code=body.code)
    lists = Paginator(selectors.supplier_lists(user, body), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "procurement/supplier_lists.html",
        {"body": body, "form": form if may_change else None, "lists": lists},
    )


@require_POST
@page_rule("procurement.suppliers_change")
def supplier_list_withdraw(request: HttpRequest, body_code: str, list_id: int) -> HttpResponse:
    body = _workspace_body(request, body_code, Action.CHANGE)
    supplier_list = SupplierList.objects.filter(pk=list_id, owner_body=body).first()
    if supplier_list is None:
        raise Http404
    services.supplier_list_withdraw(actor=signed_in_user(request), supplier_list=supplier_list)
    messages.success(request, _("%(file)s is no longer used.") % {"file": supplier_list.file_name})
    return redirect("procurement:supplier-lists", body_code=body.code)
