"""Pages to set up a tender evaluation: the procurement and its lots, the scoring scale, the
criteria tree, bidders with their social-value commitments, evaluators, and the body's
social-value measures. Thin: forms check the input, services decide and write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from infuse.accounts.policy import Action, can, page_rule, signed_in_user
from infuse.errors import UserFacingError

from . import selectors, services
from .forms import (
    BidderChangeForm,
    BidderForm,
    ConfirmForm,
    CriteriaForm,
    EvaluatorForm,
    LotForm,
    MeasureChangeForm,
    MeasureForm,
    ProcurementDetailsForm,
    ProcurementForm,
    ScaleForm,
    StandDownForm,
    WithdrawForm,
    rows_wanted,
)
from .models import Bidder, Commitment, Evaluator, Lot, Procurement, SocialValueMeasure
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


# --- Correcting the set-up ----------------------------------------------------------------------


def _confirmation(request: HttpRequest) -> ConfirmForm:
    """The confirmation, bound when the button was pressed (a POST, even with no fields), and
    checked, so that a refusal can be added to it for the error summary."""
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    form.is_valid()
    return form


def _confirmed_removal(
    request: HttpRequest,
    procurement: Procurement,
    *,
    refusal: str | None,
    remove: Any,
    done: str,
    back: str,
    template: str,
    **context: Any,
) -> HttpResponse:
    """The "Are you sure?" step of a removal. GET shows what would go (or why it cannot);
    POST calls ``remove`` (a service) and goes ``back`` with ``done``, or shows the service's
    refusal in the error summary."""
    form = _confirmation(request)
    if form.is_bound:
        try:
            remove()
        except UserFacingError as error:
            form.add_error(None, str(error))
            refusal = str(error)
        else:
            messages.success(request, done)
            return redirect(back)
    return _render(
        request, f"{template}", procurement, form=form, refusal=refusal, back=back, **context
    )


@page_rule("tenders.manage")
def details(request: HttpRequest, procurement_id: int) -> HttpResponse:
    procurement = _managed(request, procurement_id)
    locked = selectors.scoring_started(procurement)
    form = ProcurementDetailsForm(request.POST or None, procurement=procurement, locked=locked)
    if request.method == "POST" and form.is_valid():
        try:
            services.procurement_change(
                actor=request.user, procurement=procurement, **form.cleaned_data
            )
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The procurement's details have been saved."))
            return redirect("tenders:setup", procurement.pk)
    return _render(request, "setup_details.html", procurement, form=form)


@page_rule("tenders.manage")
def lot_remove(request: HttpRequest, procurement_id: int, lot_id: int) -> HttpResponse:
    procurement = _managed(request, procurement_id)
    lot = get_object_or_404(Lot, pk=lot_id, procurement=procurement)
    return _confirmed_removal(
        request,
        procurement,
        refusal=selectors.lot_removal_refusal(lot),
        remove=lambda: services.lot_remove(actor=request.user, lot=lot),
        done=_("The lot has been removed."),
        back=reverse("tenders:lots", args=[procurement.pk]),
        template="setup_lot_remove.html",
        lot=lot,
    )


def _bid_of(request: HttpRequest, procurement_id: int, bidder_id: int) -> Bidder:
    procurement = _managed(request, procurement_id)
    return get_object_or_404(
        Bidder.objects.select_related("lot__procurement"),
        pk=bidder_id,
        lot__procurement=procurement,
    )


@page_rule("tenders.manage")
def bidder_edit(request: HttpRequest, procurement_id: int, bidder_id: int) -> HttpResponse:
    bidder = _bid_of(request, procurement_id, bidder_id)
    procurement = bidder.lot.procurement
    measures = list(SocialValueMeasure.objects.filter(owner_body_id=procurement.owner_body_id))
    fixed = selectors.bidder_change_refusal(bidder)
    form = BidderChangeForm(
        request.POST or None, bidder=bidder, measures=measures, locked=fixed is not None
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.bidder_change(
                actor=request.user,
                bidder=bidder,
                name=data["name"],
                lot=data["lot"],
                price=data["price"],
                commitments=form.commitments(),
            )
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The bid has been saved."))
            return redirect("tenders:bidders", procurement.pk)
    return _render(request, "setup_bidder.html", procurement, form=form, bidder=bidder, fixed=fixed)


@page_rule("tenders.manage")
def bidder_remove(request: HttpRequest, procurement_id: int, bidder_id: int) -> HttpResponse:
    bidder = _bid_of(request, procurement_id, bidder_id)
    procurement = bidder.lot.procurement
    return _confirmed_removal(
        request,
        procurement,
        refusal=selectors.bidder_removal_refusal(bidder),
        remove=lambda: services.bidder_remove(actor=request.user, bidder=bidder),
        done=_("The bid has been removed."),
        back=reverse("tenders:bidders", args=[procurement.pk]),
        template="setup_bidder_remove.html",
        bidder=bidder,
        may_withdraw=selectors.bidder_withdrawal_refusal(bidder) is None,
    )


@page_rule("tenders.manage")
def bidder_withdraw(request: HttpRequest, procurement_id: int, bidder_id: int) -> HttpResponse:
    bidder = _bid_of(request, procurement_id, bidder_id)
    procurement = bidder.lot.procurement
    return _set_aside_page(
        request,
        procurement,
        form=WithdrawForm(request.POST or None),
        act=lambda reason: services.bidder_withdraw(
            actor=request.user, bidder=bidder, reason=reason
        ),
        done=_("%(name)s's bid has been withdrawn. Its scores are kept; it is not ranked.")
        % {"name": bidder.name},
        back="tenders:bidders",
        template="setup_bidder_withdraw.html",
        refusal=selectors.bidder_withdrawal_refusal(bidder),
        scores=bidder.scores.count(),
        bidder=bidder,
    )


def _set_aside_page(
    request: HttpRequest,
    procurement: Procurement,
    *,
    form: forms.Form,
    act: Callable[[str], object],
    done: str,
    back: str,
    template: str,
    **context: Any,
) -> HttpResponse:
    """The page that withdraws a bid or stands an evaluator down, with the reason
    (``services._set_aside``): refused with the reason why, or done and back to ``back``."""
    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data["reason"])
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect(back, procurement.pk)
    return _render(request, template, procurement, form=form, **context)


@page_rule("tenders.manage")
def commitment_remove(
    request: HttpRequest, procurement_id: int, commitment_id: int
) -> HttpResponse:
    procurement = _managed(request, procurement_id)
    commitment = get_object_or_404(
        Commitment.objects.select_related("bidder__lot", "measure"),
        pk=commitment_id,
        bidder__lot__procurement=procurement,
    )
    return _confirmed_removal(
        request,
        procurement,
        refusal=selectors.commitment_removal_refusal(commitment),
        remove=lambda: services.commitment_remove(actor=request.user, commitment=commitment),
        done=_("The commitment has been removed."),
        back=reverse("tenders:bidders", args=[procurement.pk]),
        template="setup_commitment_remove.html",
        commitment=commitment,
    )


@page_rule("tenders.manage")
def evaluator_remove(request: HttpRequest, procurement_id: int, evaluator_id: int) -> HttpResponse:
    procurement = _managed(request, procurement_id)
    evaluator = get_object_or_404(
        Evaluator.objects.select_related("user"), pk=evaluator_id, procurement=procurement
    )
    return _confirmed_removal(
        request,
        procurement,
        refusal=selectors.evaluator_removal_refusal(evaluator),
        remove=lambda: services.evaluator_remove(actor=request.user, evaluator=evaluator),
        done=_("The evaluator has been removed."),
        back=reverse("tenders:evaluators", args=[procurement.pk]),
        template="setup_evaluator_remove.html",
        evaluator=evaluator,
    )


@page_rule("tenders.manage")
def evaluator_stand_down(
    request: HttpRequest, procurement_id: int, evaluator_id: int
) -> HttpResponse:
    procurement = _managed(request, procurement_id)
    evaluator = get_object_or_404(
        Evaluator.objects.select_related("user"), pk=evaluator_id, procurement=procurement
    )
    return _set_aside_page(
        request,
        procurement,
        form=StandDownForm(request.POST or None),
        act=lambda reason: services.evaluator_stand_down(
            actor=request.user, evaluator=evaluator, reason=reason
        ),
        done=_("%(name)s has been stood down. Their scores are kept and no longer count.")
        % {"name": evaluator.user.display_name},
        back="tenders:evaluators",
        template="setup_evaluator_stand_down.html",
        refusal=selectors.evaluator_stand_down_refusal(evaluator),
        scores=evaluator.scores.count(),
        evaluator=evaluator,
    )


def _own_measure(request: HttpRequest, measure_id: int) -> SocialValueMeasure:
    """A measure of a body whose records the user may change (the policy's record rule), else
    404, as for a procurement they do not manage."""
    measure = get_object_or_404(
        SocialValueMeasure.objects.select_related("owner_body"), pk=measure_id
    )
    if not can(request.user, Action.CHANGE, measure):
        raise Http404
    return measure


@page_rule("tenders.manage")
def measure_edit(request: HttpRequest, measure_id: int) -> HttpResponse:
    measure = _own_measure(request, measure_id)
    fixed = selectors.measure_value_refusal(measure)
    form = MeasureChangeForm(request.POST or None, measure=measure, locked=fixed is not None)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_change(actor=request.user, measure=measure, **form.cleaned_data)
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The measure has been saved."))
            return redirect("tenders:measures")
    return render(
        request, "tenders/setup_measure.html", {"form": form, "measure": measure, "fixed": fixed}
    )


@page_rule("tenders.manage")
def measure_remove(request: HttpRequest, measure_id: int) -> HttpResponse:
    measure = _own_measure(request, measure_id)
    form = _confirmation(request)
    refusal = selectors.measure_removal_refusal(measure)
    if form.is_bound:
        try:
            services.measure_remove(actor=request.user, measure=measure)
        except UserFacingError as error:
            form.add_error(None, str(error))
            refusal = str(error)
        else:
            messages.success(request, _("The measure has been removed."))
            return redirect("tenders:measures")
    return render(
        request,
        "tenders/setup_measure_remove.html",
        {"form": form, "measure": measure, "refusal": refusal},
    )
