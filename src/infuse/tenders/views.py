"""Tender-evaluation pages: thin views over selectors and services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infuse.accounts.models import Role
from infuse.accounts.policy import (
    can_manage_tender,
    can_open_tender,
    may_author_for_own_body,
    page_rule,
)
from infuse.errors import UserFacingError

from . import selectors, services
from .models import Bidder, Commitment, Criterion, Lot, Procurement, Score


def may_create_tender(user: Any) -> bool:
    """Officers of a body (not assessors), and the delivery team's administrators for any."""
    if may_author_for_own_body(user):
        return True
    return getattr(user, "body_id", 1) is None and getattr(user, "role", "") == Role.ADMINISTRATOR


def formula_text(formula: str) -> str:
    return {
        "lowest": _("lowest price ÷ bid price × maximum"),
        "linear": _(
            "maximum × (ceiling − bid price) ÷ (ceiling − lowest price), 0 above the ceiling"
        ),
        "mean": _(
            "maximum ÷ 2 × (1 + (mean price − bid price) ÷ mean price), between 0 and maximum"
        ),
    }[formula]


def _procurement(request: HttpRequest, procurement_id: int) -> Procurement:
    procurement = get_object_or_404(Procurement, pk=procurement_id)
    if not can_open_tender(request.user, procurement):
        raise Http404
    return procurement


def _managed(request: HttpRequest, procurement_id: int) -> Procurement:
    procurement = _procurement(request, procurement_id)
    if not can_manage_tender(request.user, procurement):
        raise Http404
    return procurement


def _sensitivity_rows(result: selectors.LotResult) -> list[dict[str, Any]]:
    names = {str(c.pk): c.name for c in result.criteria}
    rows: dict[str, dict[str, Any]] = {}
    for s in result.sensitivity:
        row = rows.setdefault(s.criterion, {"criterion": names[s.criterion], "cells": []})
        row["cells"].append({"winner": result.names[s.winner], "changed": s.changed})
    return list(rows.values())


@page_rule("tenders.work")
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "tenders/home.html",
        {
            "procurements": selectors.procurements_for(request.user),
            "may_create": may_create_tender(request.user),
        },
    )


@page_rule("tenders.work")
def detail(request: HttpRequest, procurement_id: int) -> HttpResponse:
    procurement = _procurement(request, procurement_id)
    manager = can_manage_tender(request.user, procurement)
    results = selectors.results(procurement) if manager else []
    lots = [
        {
            "result": r,
            "sensitivity": _sensitivity_rows(r),
            "reversal_names": [r.names[k] for k in r.reversals],
            "formula": formula_text(r.formula),
            "runner_up": r.names.get(r.margin.runner_up or "") if r.margin else None,
            "commitments": Commitment.objects.filter(bidder=r.lot.awarded_to).select_related(
                "measure"
            )
            if r.lot.awarded_to_id
            else [],
        }
        for r in results
    ]
    return render(
        request,
        "tenders/detail.html",
        {
            "procurement": procurement,
            "manager": manager,
            "evaluator": selectors.evaluator_of(request.user, procurement),
            "criteria": procurement.criteria.filter(parent=None).prefetch_related("children"),
            "lots": lots,
            "formula": formula_text(procurement.price_formula),
            "evaluators": procurement.evaluators.select_related("user"),
            "scored": selectors.scored_criteria(procurement),
            "may_set_up": manager and not selectors.scoring_started(procurement),
        },
    )


@page_rule("tenders.work")
@require_POST
def declare(request: HttpRequest, procurement_id: int) -> HttpResponse:
    procurement = _procurement(request, procurement_id)
    try:
        services.interests_declare(
            actor=request.user,
            procurement=procurement,
            has_conflict=request.POST.get("has_conflict") == "yes",
            declaration=request.POST.get("declaration", ""),
        )
    except UserFacingError as error:
        messages.error(request, str(error))
        return redirect("tenders:detail", procurement.pk)
    return redirect("tenders:score", procurement.pk)


@page_rule("tenders.work")
def score(request: HttpRequest, procurement_id: int) -> HttpResponse:
    procurement = _procurement(request, procurement_id)
    evaluator = selectors.evaluator_of(request.user, procurement)
    if evaluator is None or not evaluator.cleared:
        if evaluator is not None and evaluator.stood_down:
            messages.info(request, _("You have been stood down from this evaluation."))
        elif evaluator is not None and not evaluator.has_conflict:
            messages.info(request, _("Declare your interests before you see the bids."))
        return redirect("tenders:detail", procurement.pk)
    criteria = selectors.scored_criteria(procurement)
    bidders = list(
        selectors.bids_to_score(procurement)
        .select_related("lot")
        .prefetch_related("commitments__measure")
    )
    if request.method == "POST":
        data: dict[tuple[int, int], tuple[int | None, str]] = {}
        for b in bidders:
            for c in criteria:
                raw = request.POST.get(f"s-{b.pk}-{c.pk}", "").strip()
                try:
                    value = int(raw) if raw else None
                except ValueError:
                    messages.error(request, _("Enter each score as a whole number."))
                    return redirect("tenders:score", procurement.pk)
                data[(b.pk, c.pk)] = (value, request.POST.get(f"c-{b.pk}-{c.pk}", ""))
        try:
            services.scores_save(
                actor=request.user,
                procurement=procurement,
                scores=data,
                submit="submit" in request.POST,
            )
        except UserFacingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your scores have been saved."))
        return redirect("tenders:score", procurement.pk)
    mine = {(s.bidder_id, s.criterion_id): s for s in evaluator.scores.all()}
    submitted = evaluator.submitted_at is not None
    others: dict[tuple[int, int], list[Any]] = {}
    if submitted:
        for s in (
            Score.objects.filter(
                evaluator__procurement=procurement,
                evaluator__submitted_at__isnull=False,
                evaluator__stood_down_at__isnull=True,
            )
            .exclude(evaluator=evaluator)
            .select_related("evaluator__user")
        ):
            others.setdefault((s.bidder_id, s.criterion_id), []).append(s)
    sheet = [
        {
            "bidder": b,
            "rows": [
                {
                    "criterion": c,
                    "mine": mine.get((b.pk, c.pk)),
                    "others": others.get((b.pk, c.pk), []),
                }
                for c in criteria
            ],
        }
        for b in bidders
    ]
    return render(
        request,
        "tenders/score.html",
        {
            "procurement": procurement,
            "sheet": sheet,
            "submitted": submitted,
            "levels": procurement.levels.all(),
            "withdrawn": Bidder.objects.filter(
                lot__procurement=procurement, withdrawn_at__isnull=False
            ),
        },
    )


@page_rule("tenders.work")
@require_POST
def moderate(request: HttpRequest, procurement_id: int) -> HttpResponse:
    procurement = _managed(request, procurement_id)
    bidder = get_object_or_404(Bidder, pk=request.POST.get("bidder"), lot__procurement=procurement)
    criterion = get_object_or_404(
        Criterion, pk=request.POST.get("criterion"), procurement=procurement
    )
    try:
        services.score_moderate(
            actor=request.user,
            bidder=bidder,
            criterion=criterion,
            score=request.POST.get("score", ""),
            reason=request.POST.get("reason", ""),
        )
    except UserFacingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The moderated score has been recorded."))
    return redirect("tenders:detail", procurement.pk)


@page_rule("tenders.work")
@require_POST
def award(request: HttpRequest, procurement_id: int, lot_id: int) -> HttpResponse:
    procurement = _managed(request, procurement_id)
    lot = get_object_or_404(Lot, pk=lot_id, procurement=procurement)
    bidder = get_object_or_404(Bidder, pk=request.POST.get("bidder"), lot=lot)
    try:
        services.lot_award(actor=request.user, lot=lot, bidder=bidder)
    except UserFacingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The lot has been awarded."))
    return redirect("tenders:detail", procurement.pk)


@page_rule("tenders.work")
@require_POST
def delivery(request: HttpRequest, procurement_id: int, commitment_id: int) -> HttpResponse:
    procurement = _managed(request, procurement_id)
    commitment = get_object_or_404(
        Commitment, pk=commitment_id, bidder__lot__procurement=procurement
    )
    try:
        services.delivery_record(
            actor=request.user, commitment=commitment, delivered=request.POST.get("delivered", "")
        )
    except UserFacingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Delivery has been recorded."))
    return redirect("tenders:detail", procurement.pk)


def _report_context(procurement: Procurement) -> dict[str, Any]:
    return {
        "procurement": procurement,
        "results": selectors.results(procurement),
        "formula": formula_text(procurement.price_formula),
    }


def pdf_response(
    request: HttpRequest, template: str, context: dict[str, Any], filename: str
) -> HttpResponse:
    """Render ``template`` (HTML for print, English then Welsh) to a PDF download with
    WeasyPrint: the one PDF pipeline of tender evaluation."""
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@page_rule("tenders.work")
def report_pdf(request: HttpRequest, procurement_id: int) -> HttpResponse:
    procurement = _managed(request, procurement_id)
    services.document_issued(actor=request.user, procurement=procurement, document="award report")
    return pdf_response(
        request,
        "tenders/report.html",
        _report_context(procurement),
        f"award-report-{procurement.pk}.pdf",
    )


def _letter_context(procurement: Procurement, bidder: Bidder) -> dict[str, Any]:
    if bidder.withdrawn:
        raise Http404  # a withdrawn bid is not ranked, so there is no letter of scores
    result = selectors.lot_result(bidder.lot)
    letter = selectors.feedback_letter(result, bidder)
    if letter is None:
        raise Http404  # the criteria are not set yet, so there are no results to explain
    return {
        "procurement": procurement,
        "bidder": bidder,
        "result": result,
        "letter": letter,
        "formula": bidder.lot.formula,
    }


@page_rule("tenders.work")
def feedback(request: HttpRequest, procurement_id: int, bidder_id: int) -> HttpResponse:
    procurement = _managed(request, procurement_id)
    bidder = get_object_or_404(Bidder, pk=bidder_id, lot__procurement=procurement)
    if bidder.withdrawn:
        # No letter of scores: the bid left the evaluation. Say so instead of 404.
        return render(
            request, "tenders/feedback.html", {"procurement": procurement, "bidder": bidder}
        )
    context = _letter_context(procurement, bidder)
    context["formula_text"] = formula_text(bidder.lot.formula)
    return render(request, "tenders/feedback.html", context)


@page_rule("tenders.work")
def feedback_pdf(request: HttpRequest, procurement_id: int, bidder_id: int) -> HttpResponse:
    """The feedback letter to one bidder as a PDF, in English then Welsh."""
    procurement = _managed(request, procurement_id)
    bidder = get_object_or_404(Bidder, pk=bidder_id, lot__procurement=procurement)
    services.document_issued(
        actor=request.user, procurement=procurement, document="feedback letter", bidder=bidder
    )
    return pdf_response(
        request,
        "tenders/feedback_letter.html",
        _letter_context(procurement, bidder),
        f"feedback-{procurement.pk}-{bidder.pk}.pdf",
    )
