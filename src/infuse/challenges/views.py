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
    may_manage_calls,
    page_rule,
    signed_in_user,
)
from infuse.errors import UserFacingError
from infuse.reference.models import Body

from . import selectors, services
from .forms import BidForm, CallForm, ChallengeForm, LinkForm
from .models import Bid, BidLink, Call, Challenge


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
    manager = may_manage_calls(request.user)
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
            "may_manage": may_manage_calls(request.user),
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
