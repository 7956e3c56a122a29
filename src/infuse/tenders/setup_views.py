"""Pages to set up a tender evaluation: the procurement and its lots, the scoring scale, the
criteria tree, bidders with their social-value commitments, evaluators, and the body's
social-value measures. Thin: forms check the input, services decide and write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from infuse.accounts.policy import page_rule, signed_in_user
from infuse.errors import UserFacingError

from . import selectors, services
from .forms import (
    BidderForm,
    CriteriaForm,
    EvaluatorForm,
    LotForm,
    MeasureForm,
    ProcurementForm,
    ScaleForm,
    rows_wanted,
)
from .models import Lot, Procurement, SocialValueMeasure
from .views import _managed, may_create_tender


def _render(request: HttpRequest, template: str, procurement: Procurement, **context: Any) -> Any:
    return render(
        request,
        f"tenders/{template}",
        {"procurement": procurement, "locked": selectors.scoring_started(procurement), **context},
    )


def _bound_or_redisplayed(request: HttpRequest, saved: dict[str, Any]) -> dict[str, Any]:
    """An add-another list's form: bound to a real submission; after "Add another", unbound
    and filled with what was typed (so nothing is checked, or lost, until it is submitted)."""
    if request.method != "POST":
        return {"data": None, "initial": saved}
    if "add_another" in request.POST:
        return {"data": None, "initial": request.POST.dict()}
    return {"data": request.POST, "initial": saved}


@page_rule("tenders.manage")
def new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not may_create_tender(user):
        raise Http404
    form = ProcurementForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lot = (data["lot_en"] or data["title_en"], data["lot_cy"] or data["title_cy"])
        try:
            made = services.procurement_create(
                actor=user,
                owner_body=form.chosen_body(),
                title_en=data["title_en"],
                title_cy=data["title_cy"],
                reference=data["reference"],
                description_en=data["description_en"],
                description_cy=data["description_cy"],
                price_formula=data["price_formula"],
                price_ceiling=data["price_ceiling"],
                lots=[lot],
                levels=selectors.DEFAULT_LEVELS,
            )
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Procurement created. Now set up its evaluation."))
            return redirect("tenders:setup", made.pk)
    return render(request, "tenders/setup_new.html", {"form": form})


@page_rule("tenders.manage")
def setup(request: HttpRequest, procurement_id: int) -> HttpResponse:
    procurement = _managed(request, procurement_id)
    return _render(request, "setup.html", procurement, tasks=selectors.setup_tasks(procurement))


@page_rule("tenders.manage")
def lots(request: HttpRequest, procurement_id: int) -> HttpResponse:
    procurement = _managed(request, procurement_id)
    form = LotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.lot_add(actor=request.user, procurement=procurement, **form.cleaned_data)
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Lot added."))
            return redirect("tenders:lots", procurement.pk)
    return _render(request, "setup_lots.html", procurement, form=form, lots=procurement.lots.all())


@page_rule("tenders.manage")
def lot_edit(request: HttpRequest, procurement_id: int, lot_id: int) -> HttpResponse:
    procurement = _managed(request, procurement_id)
    lot = get_object_or_404(Lot, pk=lot_id, procurement=procurement)
    form = LotForm.for_lot(lot, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.lot_change(actor=request.user, lot=lot, **form.cleaned_data)
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Lot saved."))
            return redirect("tenders:lots", procurement.pk)
    return _render(request, "setup_lot.html", procurement, form=form, lot=lot)


@page_rule("tenders.manage")
def scale(request: HttpRequest, procurement_id: int) -> HttpResponse:
    procurement = _managed(request, procurement_id)
    saved = [(lvl.descriptor_en, lvl.descriptor_cy) for lvl in procurement.levels.all()]
    rows = rows_wanted(request.POST, "rows", max(len(saved), 2), limit=11)
    form = ScaleForm(**_bound_or_redisplayed(request, ScaleForm.initial_from(saved)), rows=rows)
    if form.is_bound and form.is_valid():
        try:
            services.scale_set(actor=request.user, procurement=procurement, levels=form.levels())
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Scoring scale saved."))
            return redirect("tenders:setup", procurement.pk)
    return _render(request, "setup_scale.html", procurement, form=form)


@page_rule("tenders.manage")
def criteria(request: HttpRequest, procurement_id: int) -> HttpResponse:
    procurement = _managed(request, procurement_id)
    initial, saved_rows = CriteriaForm.initial_from(list(procurement.criteria.all()))
    rows = rows_wanted(request.POST, "rows", max(saved_rows, 2))
    form = CriteriaForm(**_bound_or_redisplayed(request, initial), rows=rows)
    if form.is_bound and form.is_valid():
        try:
            services.criteria_set(actor=request.user, procurement=procurement, tree=form.tree())
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Criteria and weights saved."))
            return redirect("tenders:setup", procurement.pk)
    return _render(request, "setup_criteria.html", procurement, form=form)


@page_rule("tenders.manage")
def bidders(request: HttpRequest, procurement_id: int) -> HttpResponse:
    procurement = _managed(request, procurement_id)
    measures = list(SocialValueMeasure.objects.filter(owner_body_id=procurement.owner_body_id))
    form = BidderForm(request.POST or None, procurement=procurement, measures=measures)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.bidder_add(
                actor=request.user,
                lot=data["lot"],
                name=data["name"],
                price=data["price"],
                commitments=form.commitments(),
            )
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Bid added."))
            return redirect("tenders:bidders", procurement.pk)
    return _render(
        request,
        "setup_bidders.html",
        procurement,
        form=form,
        lots=procurement.lots.prefetch_related("bidders__commitments__measure"),
    )


@page_rule("tenders.manage")
def evaluators(request: HttpRequest, procurement_id: int) -> HttpResponse:
    procurement = _managed(request, procurement_id)
    form = EvaluatorForm(request.POST or None, procurement=procurement, manager=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluator_add(
                actor=request.user, procurement=procurement, user=form.cleaned_data["user"]
            )
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Evaluator added."))
            return redirect("tenders:evaluators", procurement.pk)
    return _render(
        request,
        "setup_evaluators.html",
        procurement,
        form=form,
        evaluators=procurement.evaluators.select_related("user"),
    )


@page_rule("tenders.manage")
def measures(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not may_create_tender(user):
        raise Http404
    form = MeasureForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("body", None)
        try:
            services.measure_add(actor=user, owner_body=form.chosen_body(), **data)
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Measure added."))
            return redirect("tenders:measures")
    shown = SocialValueMeasure.objects.select_related("owner_body")
    if user.body_id is not None:
        shown = shown.filter(owner_body_id=user.body_id)
    return render(
        request,
        "tenders/setup_measures.html",
        {"form": form, "measures": shown.order_by("owner_body__name_en", "code")},
    )
