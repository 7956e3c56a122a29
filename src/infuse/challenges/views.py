"""Challenge Fund pages: public calls and funded projects, challenge statements, calls, bids."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infuse.accounts.policy import (
    Action,
    can,
    can_edit_bid,
    may_author_for_own_body,
    on_bid_team,
    page_rule,
    programme_overseer,
    signed_in_user,
)
from infuse.errors import UserFacingError
from infuse.reference.models import Body

from . import panel, selectors, services
from .forms import (
    AllocationForm,
    BidForm,
    CallForm,
    ChallengeForm,
    DecisionForm,
    DeclarationForm,
    FeedbackForm,
    LinkForm,
    ModerationForm,
    OutcomesForm,
    PhaseReviewForm,
    ScoreForm,
)
from .models import Assessment, Bid, BidLink, Call, Challenge, Phase


def _challenge_or_404(
    request: HttpRequest, challenge_id: int, action: Action = Action.VIEW
) -> Challenge:
    challenge = selectors.challenge_for(request.user, challenge_id)
    if challenge is None or not can(request.user, action, challenge):
        raise Http404
    return challenge


def _call_or_404(request: HttpRequest, call_id: int) -> Call:
    call = selectors.call_for(request.user, call_id)
    if call is None:
        raise Http404
    return call


def _bid_or_404(request: HttpRequest, bid_id: int) -> Bid:
    bid = selectors.bid_for(request.user, bid_id)
    if bid is None:
        raise Http404
    return bid


# --- Public ------------------------------------------------------------------------------------


@page_rule("challenges.public")
def home(request: HttpRequest) -> HttpResponse:
    manager = programme_overseer(request.user)
    return render(
        request,
        "challenges/home.html",
        {
            "open_calls": selectors.open_calls(),
            "all_calls": selectors.calls_for(request.user) if manager else None,
            "may_manage": manager,
        },
    )


@page_rule("challenges.public")
def call_detail(request: HttpRequest, call_id: int) -> HttpResponse:
    call = _call_or_404(request, call_id)
    return render(
        request,
        "challenges/call_detail.html",
        {
            "call": call,
            "criteria": call.criteria.all(),
            "scale": call.scale_levels.all(),
            "may_manage": programme_overseer(request.user),
            "may_bid": call.is_open and may_author_for_own_body(request.user),
        },
    )


@page_rule("challenges.public")
def funded(request: HttpRequest) -> HttpResponse:
    return render(request, "challenges/funded.html", {"projects": selectors.funded_projects()})


# --- Calls (programme managers) ------------------------------------------------------------------


@page_rule("challenges.manage")
def call_edit(request: HttpRequest, call_id: int | None = None) -> HttpResponse:
    call = _call_or_404(request, call_id) if call_id is not None else None
    if call is not None and call.published:
        messages.error(
            request, _("This call is published: its criteria and deadline can no longer change.")
        )
        return redirect("challenges:call", call_id=call.pk)
    form = CallForm(request.POST or None, call=call)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.call_save(
                actor=signed_in_user(request),
                values=form.values(),
                criteria=form.criteria(),
                scale=form.scale(),
                call=call,
            )
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Call saved."))
            return redirect("challenges:call", call_id=saved.pk)
    return render(request, "challenges/call_form.html", {"form": form, "call": call})


@require_POST
@page_rule("challenges.manage")
def call_publish(request: HttpRequest, call_id: int) -> HttpResponse:
    call = _call_or_404(request, call_id)
    try:
        services.call_publish(actor=signed_in_user(request), call=call)
    except UserFacingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Call published."))
    return redirect("challenges:call", call_id=call.pk)


# --- Challenges ----------------------------------------------------------------------------------


@page_rule("challenges.work")
def challenge_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "challenges/challenge_list.html",
        {
            "challenges": selectors.challenges_visible_to(request.user),
            "may_write": may_author_for_own_body(request.user),
        },
    )


@page_rule("challenges.work")
def challenge_edit(request: HttpRequest, challenge_id: int | None = None) -> HttpResponse:
    challenge = None
    if challenge_id is not None:
        challenge = _challenge_or_404(request, challenge_id, Action.CHANGE)
    elif not may_author_for_own_body(request.user):
        raise Http404
    form = ChallengeForm(request.POST or None, instance=challenge)
    if request.method == "POST" and form.is_valid():
        user = signed_in_user(request)
        try:
            saved = services.challenge_save(
                actor=user,
                body=challenge.owner_body if challenge else user.body,
                values=form.values(),
                contributions=form.contributions(),
                challenge=Challenge.objects.get(pk=challenge.pk) if challenge else None,
            )
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Challenge saved."))
            for advice in selectors.challenge_advice(saved.how_might_we):
                messages.info(request, advice)
            return redirect("challenges:challenge", challenge_id=saved.pk)
    return render(request, "challenges/challenge_form.html", {"form": form, "challenge": challenge})


@page_rule("challenges.work")
def challenge_detail(request: HttpRequest, challenge_id: int) -> HttpResponse:
    challenge = _challenge_or_404(request, challenge_id)
    return render(
        request,
        "challenges/challenge_detail.html",
        {
            "challenge": challenge,
            "may_change": can(request.user, Action.CHANGE, challenge),
            "advice": selectors.challenge_advice(challenge.how_might_we),
        },
    )


# --- Bids ----------------------------------------------------------------------------------------


@page_rule("challenges.work")
def bid_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "challenges/bid_list.html", {"bids": selectors.bids_visible_to(request.user)}
    )


def _bid_form(request: HttpRequest, call: Call, bid: Bid | None) -> BidForm:
    user = signed_in_user(request)
    lead = bid.owner_body if bid else user.body
    region_bodies = (
        Body.objects.filter(region=lead.region) if lead and lead.region_id else Body.objects.none()
    )
    return BidForm(
        request.POST or None,
        call=call,
        challenges=selectors.challenges_visible_to(user),
        bodies=region_bodies.exclude(pk=lead.pk) if lead else region_bodies,
        officers=selectors.officers_for_team(list(region_bodies)),
        bid=bid,
    )


@page_rule("challenges.work")
def bid_new(request: HttpRequest, call_id: int) -> HttpResponse:
    call = _call_or_404(request, call_id)
    if not may_author_for_own_body(request.user):
        raise Http404
    problem = selectors.deadline_problem(call)
    if problem:
        messages.error(request, problem)
        return redirect("challenges:call", call_id=call.pk)
    form = _bid_form(request, call, None)
    if request.method == "POST" and form.is_valid():
        try:
            bid = services.bid_save(
                actor=signed_in_user(request),
                call=call,
                values=form.values(),
                challenge=form.cleaned_data["challenge"],
                partners=list(form.cleaned_data["partners"]),
                team=list(form.cleaned_data["team"]),
                answers=form.answers(),
            )
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Bid saved as a draft. Only the bid team can see it."))
            return redirect("challenges:bid", bid_id=bid.pk)
    return render(request, "challenges/bid_form.html", {"form": form, "call": call, "bid": None})


@page_rule("challenges.work")
def bid_edit(request: HttpRequest, bid_id: int) -> HttpResponse:
    bid = _bid_or_404(request, bid_id)
    if not can_edit_bid(request.user, bid):
        raise Http404
    problem = selectors.deadline_problem(bid.call)
    if problem:
        messages.error(request, problem)
        return redirect("challenges:bid", bid_id=bid.pk)
    form = _bid_form(request, bid.call, bid)
    if request.method == "POST" and form.is_valid():
        try:
            services.bid_save(
                actor=signed_in_user(request),
                call=bid.call,
                values=form.values(),
                challenge=form.cleaned_data["challenge"],
                partners=list(form.cleaned_data["partners"]),
                team=list(form.cleaned_data["team"]),
                answers=form.answers(),
                bid=bid,
            )
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Bid saved."))
            return redirect("challenges:bid", bid_id=bid.pk)
    return render(request, "challenges/bid_form.html", {"form": form, "call": bid.call, "bid": bid})


def _bid_page(request: HttpRequest, bid: Bid, link_form: LinkForm | None = None) -> HttpResponse:
    may_edit = can_edit_bid(request.user, bid)
    problem = selectors.deadline_problem(bid.call)
    answers = {a.criterion_id: a.text for a in bid.answers.all()}
    if link_form is None and may_edit and not problem:
        link_form = LinkForm(choices=selectors.linkable_outputs(request.user, bid))
    return render(
        request,
        "challenges/bid_detail.html",
        {
            "bid": bid,
            "call": bid.call,
            "answers": [(c, answers.get(c.pk, "")) for c in bid.call.criteria.all()],
            "links": selectors.links_of(request.user, bid),
            "may_edit": may_edit and not problem,
            "closed_message": problem if may_edit else None,
            "link_form": link_form if may_edit and not problem else None,
            "show_feedback": bool(bid.feedback_released_at) and on_bid_team(request.user, bid),
            "project": bid.project_state(),
            "may_moderate": programme_overseer(request.user),
        },
    )


@page_rule("challenges.work")
def bid_detail(request: HttpRequest, bid_id: int) -> HttpResponse:
    return _bid_page(request, _bid_or_404(request, bid_id))


@require_POST
@page_rule("challenges.work")
def bid_submit(request: HttpRequest, bid_id: int) -> HttpResponse:
    bid = _bid_or_404(request, bid_id)
    if not can_edit_bid(request.user, bid):
        raise Http404
    try:
        services.bid_submit(actor=signed_in_user(request), bid=bid)
    except UserFacingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Bid submitted. You can still change it until the deadline."))
    return redirect("challenges:bid", bid_id=bid.pk)


@require_POST
@page_rule("challenges.work")
def bid_link_add(request: HttpRequest, bid_id: int) -> HttpResponse:
    bid = _bid_or_404(request, bid_id)
    if not can_edit_bid(request.user, bid):
        raise Http404
    form = LinkForm(request.POST, choices=selectors.linkable_outputs(request.user, bid))
    if form.is_valid():
        kind, record_id = form.target()
        try:
            services.bid_link_add(
                actor=signed_in_user(request), bid=bid, kind=kind, record_id=record_id
            )
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Lab record linked."))
            return redirect("challenges:bid", bid_id=bid.pk)
    return _bid_page(request, bid, link_form=form)


@require_POST
@page_rule("challenges.work")
def bid_link_remove(request: HttpRequest, bid_id: int, link_id: int) -> HttpResponse:
    bid = _bid_or_404(request, bid_id)
    link = BidLink.objects.filter(bid=bid, pk=link_id).first()
    if link is None or not can_edit_bid(request.user, bid):
        raise Http404
    try:
        services.bid_link_remove(actor=signed_in_user(request), link=link)
    except UserFacingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Link removed."))
    return redirect("challenges:bid", bid_id=bid.pk)


# --- Assessment ----------------------------------------------------------------------------------


@page_rule("challenges.assess")
def assess_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "challenges/assess_list.html",
        {"assessments": selectors.assessments_for(request.user)},
    )


@page_rule("challenges.assess")
def bid_assess(request: HttpRequest, bid_id: int) -> HttpResponse:
    """Declare interests (without seeing the bid), then score it, then see the others."""
    user = signed_in_user(request)
    assessment = (
        Assessment.objects.filter(bid_id=bid_id, assessor=user)
        .select_related("bid", "bid__call", "bid__owner_body")
        .first()
    )
    if assessment is None or assessment.bid.status == Bid.Status.DRAFT:
        raise Http404
    bid = assessment.bid
    if assessment.declared_at is None:
        form = DeclarationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.interests_declare(
                    actor=user,
                    bid=bid,
                    has_conflict=form.cleaned_data["has_conflict"],
                    declaration=form.cleaned_data["declaration"],
                )
            except UserFacingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Declaration recorded."))
                return redirect("challenges:bid-assess", bid_id=bid.pk)
        return render(
            request,
            "challenges/declare.html",
            {"bid": bid, "form": form, "partners": bid.partners.all()},
        )
    if assessment.has_conflict:
        return render(request, "challenges/declare.html", {"bid": bid, "conflict": assessment})
    score_form = ScoreForm(request.POST or None, call=bid.call, assessment=assessment)
    if request.method == "POST" and assessment.submitted_at is None and score_form.is_valid():
        submit = "submit" in request.POST
        try:
            services.scores_save(actor=user, bid=bid, scores=score_form.scores(), submit=submit)
        except UserFacingError as error:
            score_form.add_error(None, str(error))
        else:
            messages.success(request, _("Scores submitted.") if submit else _("Scores saved."))
            return redirect("challenges:bid-assess", bid_id=bid.pk)
    answers = {a.criterion_id: a.text for a in bid.answers.all()}
    return render(
        request,
        "challenges/assess.html",
        {
            "bid": bid,
            "assessment": assessment,
            "form": score_form,
            "rows": [(c, answers.get(c.pk, ""), s, m) for c, s, m in score_form.rows()],
            "others": selectors.others_scores(assessment),
            "links": selectors.links_of(user, bid),
        },
    )


@page_rule("challenges.manage")
def call_panel(request: HttpRequest, call_id: int) -> HttpResponse:
    call = _call_or_404(request, call_id)
    board = selectors.panel_of(call)
    user = signed_in_user(request)
    action = request.POST.get("action") if request.method == "POST" else None
    allocation_form = AllocationForm(request.POST if action == "allocate" else None)
    choices = [(pk, view.bid.title) for pk, view in board.bids.items()]
    decision_form = DecisionForm(request.POST if action == "decide" else None, bids=choices)
    if action == "allocate" and allocation_form.is_valid():
        try:
            added = services.assessors_allocate(
                actor=user, call=call, per_bid=allocation_form.cleaned_data["per_bid"]
            )
        except UserFacingError as error:
            allocation_form.add_error(None, str(error))
        else:
            count = sum(len(people) for people in added.values())
            messages.success(request, _("Allocations made: %(count)s.") % {"count": count})
            return redirect("challenges:call-panel", call_id=call.pk)
    if action == "decide" and decision_form.is_valid():
        try:
            services.funding_decide(
                actor=user,
                call=call,
                phase=decision_form.cleaned_data["phase"],
                method=decision_form.cleaned_data["method"],
                chosen=decision_form.cleaned_data["chosen"],
                reason=decision_form.cleaned_data["reason"],
            )
        except UserFacingError as error:
            decision_form.add_error(None, str(error))
        else:
            messages.success(request, _("Funding decision recorded."))
            return redirect("challenges:call-panel", call_id=call.pk)
    phases = []
    for phase in board.phases():
        ranking = board.ranking_of(phase)
        costs = {entry.key: board.bids[entry.key].bid.budget for entry in ranking}
        proposal = panel.fund_in_rank_order(ranking, costs, call.budget_of(phase))
        phases.append(
            {
                "phase": phase,
                "label": Phase(phase).label,
                "budget": call.budget_of(phase),
                "ranking": [(entry, board.bids[entry.key]) for entry in ranking],
                "proposal": proposal,
                "decision": call.decisions.filter(phase=phase).first(),
            }
        )
    return render(
        request,
        "challenges/panel.html",
        {
            "call": call,
            "board": board,
            "views": list(board.bids.values()),
            "phases": phases,
            "allocation_form": allocation_form,
            "decision_form": decision_form,
            "closed": call.published and not call.is_open,
            "outlier_share": int(panel.OUTLIER_SHARE * 100),
            "outlier_points": panel.OUTLIER_SHARE * call.scale_max,
        },
    )


@page_rule("challenges.manage")
def bid_panel(request: HttpRequest, bid_id: int) -> HttpResponse:
    bid = _bid_or_404(request, bid_id)
    call = bid.call
    board = selectors.panel_of(call)
    view = board.bids.get(bid.pk)
    if view is None:
        raise Http404
    user = signed_in_user(request)
    action = request.POST.get("action") if request.method == "POST" else None
    moderation_form = ModerationForm(request.POST if action == "moderate" else None, call=call)
    feedback_form = FeedbackForm(
        request.POST if action == "feedback" else None, initial={"text": bid.feedback}
    )
    if action == "moderate" and moderation_form.is_valid():
        try:
            services.score_moderate(
                actor=user,
                bid=bid,
                criterion=moderation_form.cleaned_data["criterion"],
                score=moderation_form.cleaned_data["score"],
                reason=moderation_form.cleaned_data["reason"],
            )
        except UserFacingError as error:
            moderation_form.add_error(None, str(error))
        else:
            messages.success(request, _("Moderated score recorded."))
            return redirect("challenges:bid-panel", bid_id=bid.pk)
    review_form = PhaseReviewForm(request.POST if action == "review" else None)
    outcomes_form = OutcomesForm(
        request.POST if action == "outcomes" else None, initial={"outcomes": bid.outcomes}
    )
    if action == "review" and review_form.is_valid():
        try:
            services.phase_review_record(actor=user, bid=bid, **review_form.cleaned_data)
        except UserFacingError as error:
            review_form.add_error(None, str(error))
        else:
            messages.success(request, _("Phase review recorded."))
            return redirect("challenges:bid-panel", bid_id=bid.pk)
    if action == "outcomes" and outcomes_form.is_valid():
        try:
            services.outcomes_record(
                actor=user, bid=bid, text=outcomes_form.cleaned_data["outcomes"]
            )
        except UserFacingError as error:
            outcomes_form.add_error(None, str(error))
        else:
            messages.success(request, _("Outcomes recorded."))
            return redirect("challenges:bid-panel", bid_id=bid.pk)
    if action == "feedback" and feedback_form.is_valid():
        try:
            services.feedback_release(actor=user, bid=bid, text=feedback_form.cleaned_data["text"])
        except UserFacingError as error:
            feedback_form.add_error(None, str(error))
        else:
            messages.success(request, _("Feedback released to the bid team."))
            return redirect("challenges:bid-panel", bid_id=bid.pk)
    return render(
        request,
        "challenges/bid_panel.html",
        {
            "bid": bid,
            "call": call,
            "view": view,
            "moderation_form": moderation_form,
            "feedback_form": feedback_form,
            "review_form": review_form,
            "outcomes_form": outcomes_form,
            "project": bid.project_state(),
            "decided": bid.status in (Bid.Status.FUNDED, Bid.Status.NOT_FUNDED),
        },
    )
