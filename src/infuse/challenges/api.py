"""The Challenge Fund through the API: published calls and funded projects for anyone, bids
for their team (and, once submitted, the programme's managers), under the same policy as the
pages."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from infuse.accounts.policy import on_bid_team, signed_in_user
from infuse.api_schemas import AUTH_ERRORS, INPUT_ERRORS, NOT_FOUND

from . import selectors
from .models import Bid, Call

router = Router(tags=["challenge-fund"])


class CriterionOut(Schema):
    name_en: str
    name_cy: str
    guidance_en: str
    guidance_cy: str
    weight: int


class ScaleLevelOut(Schema):
    score: int
    descriptor_en: str
    descriptor_cy: str


class CallOut(Schema):
    id: int
    title_en: str
    title_cy: str
    summary_en: str
    summary_cy: str
    deadline: datetime.datetime
    is_open: bool
    budgets: dict[str, int]
    quality_threshold: int
    criteria: list[CriterionOut]
    scale: list[ScaleLevelOut]


def _call_out(call: Call) -> dict[str, Any]:
    return {
        "id": call.pk,
        "title_en": call.title_en,
        "title_cy": call.title_cy,
        "summary_en": call.summary_en,
        "summary_cy": call.summary_cy,
        "deadline": call.deadline,
        "is_open": call.is_open,
        "budgets": {
            "feasibility": call.budget_feasibility,
            "prototype": call.budget_prototype,
            "adoption": call.budget_adoption,
        },
        "quality_threshold": call.quality_threshold,
        "criteria": list(call.criteria.all()),
        "scale": list(call.scale_levels.all()),
    }


@router.get(
    "/calls", response={200: list[CallOut]}, auth=None, summary="Published Challenge Fund calls"
)
def calls(request: HttpRequest) -> list[dict[str, Any]]:
    published = Call.objects.filter(published_at__isnull=False).prefetch_related(
        "criteria", "scale_levels"
    )
    return [_call_out(call) for call in published]


@router.get(
    "/calls/{call_id}",
    response={200: CallOut, **INPUT_ERRORS, **NOT_FOUND},
    auth=None,
    summary="One published call: criteria with weights, scoring scale, budgets, deadline",
)
def call(request: HttpRequest, call_id: int) -> dict[str, Any]:
    found = Call.objects.filter(pk=call_id, published_at__isnull=False).first()
    if found is None:
        raise HttpError(404, _("No published call has that id."))
    return _call_out(found)


class ProjectOut(Schema):
    id: int
    title: str
    summary: str
    call: str
    phase: str
    funding: int
    lead_body: str
    partner_bodies: list[str]
    state: str
    current_phase: str | None
    outcomes: str


@router.get(
    "/funded", response={200: list[ProjectOut]}, auth=None, summary="Projects the fund has funded"
)
def funded(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": bid.pk,
            "title": bid.title,
            "summary": bid.summary,
            "call": bid.call.title_en,
            "phase": bid.phase,
            "funding": bid.budget,
            "lead_body": bid.owner_body.code,
            "partner_bodies": [p.code for p in bid.partners.all()],
            "state": project.state,
            "current_phase": project.phase,
            "outcomes": bid.outcomes,
        }
        for bid in selectors.funded_projects()
        for project in [bid.project_state()]
    ]


class AnswerOut(Schema):
    criterion: str
    weight: int
    answer: str


class BidOut(Schema):
    id: int
    call: int
    title: str
    summary: str
    status: str
    phase: str
    budget: int
    lead_body: str
    partner_bodies: list[str]
    team: list[str]
    challenge: str
    submitted_at: datetime.datetime | None
    answers: list[AnswerOut]
    feedback: str | None


def _bid_out(user: Any, bid: Bid) -> dict[str, Any]:
    answers = {a.criterion_id: a.text for a in bid.answers.all()}
    released = bid.feedback_released_at is not None and on_bid_team(user, bid)
    return {
        "id": bid.pk,
        "call": bid.call_id,
        "title": bid.title,
        "summary": bid.summary,
        "status": bid.status,
        "phase": bid.phase,
        "budget": bid.budget,
        "lead_body": bid.owner_body.code,
        "partner_bodies": [p.code for p in bid.partners.all()],
        "team": [m.display_name for m in bid.team.all()],
        "challenge": bid.challenge.title,
        "submitted_at": bid.submitted_at,
        "answers": [
            {"criterion": c.name_en, "weight": c.weight, "answer": answers.get(c.pk, "")}
            for c in bid.call.criteria.all()
        ],
        "feedback": bid.feedback if released else None,
    }


@router.get(
    "/bids",
    response={200: list[BidOut], **AUTH_ERRORS},
    summary="Bids you may see: your team's, and submitted bids for the programme's managers",
)
def bids(request: HttpRequest) -> list[dict[str, Any]]:
    user = signed_in_user(request)
    found = selectors.bids_visible_to(user).prefetch_related("partners", "team", "answers")
    return [_bid_out(user, bid) for bid in found[:500]]


@router.get(
    "/bids/{bid_id}",
    response={200: BidOut, **AUTH_ERRORS, **NOT_FOUND},
    summary="One bid you may see",
)
def bid(request: HttpRequest, bid_id: int) -> dict[str, Any]:
    user = signed_in_user(request)
    found = selectors.bid_for(user, bid_id)
    if found is None:
        raise HttpError(404, _("No bid you may see has that id."))
    return _bid_out(user, found)
