"""The programme through the API: cohorts, progress and capability uplift.

The same selectors and permission policy as the pages: cohorts follow
``cohort_visible_filter``; progress and uplift follow the page rule ``programme.reports``
(the delivery team's facilitators for their cohorts, programme managers for all).
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from infuse.accounts.policy import may_open, signed_in_user
from infuse.api_schemas import AUTH_ERRORS, ErrorOut

from . import selectors

router = Router(tags=["programme"])

FORBIDDEN: dict[int, type[Schema]] = {403: ErrorOut}


class CohortOut(Schema):
    id: int
    name: str
    intake: str
    lab: str
    starts_on: datetime.date
    ends_on: datetime.date
    participants: int


@router.get(
    "/cohorts",
    response={200: list[CohortOut], **AUTH_ERRORS},
    summary="Cohorts you may see: yours as facilitator or participant, or all as a manager",
)
def cohorts(request: HttpRequest) -> list[dict[str, Any]]:
    user = signed_in_user(request)
    return [
        {
            "id": cohort.pk,
            "name": str(cohort.name),
            "intake": str(cohort.intake.name),
            "lab": str(cohort.lab.name),
            "starts_on": cohort.starts_on,
            "ends_on": cohort.ends_on,
            "participants": cohort.participant_count,  # type: ignore[attr-defined]
        }
        for cohort in selectors.cohorts_visible_to(user)
    ]


def _reporting_cohorts(request: HttpRequest) -> Any:
    user = signed_in_user(request)
    if not may_open(user, "programme.reports"):
        raise HttpError(403, _("Only the programme's delivery team may see this."))
    return selectors.cohorts_visible_to(user).values("pk")


@router.get(
    "/progress",
    response={200: dict[str, Any], **AUTH_ERRORS, **FORBIDDEN},
    summary="Participation and completion by lab and by authority",
)
def progress(request: HttpRequest) -> dict[str, Any]:
    return selectors.progress_summary(_reporting_cohorts(request))


@router.get(
    "/uplift",
    response={200: dict[str, Any], **AUTH_ERRORS, **FORBIDDEN},
    summary="Capability uplift with 95 per cent intervals, overall and by lab, cohort, authority",
)
def uplift(
    request: HttpRequest,
    compare: Literal["entry-exit", "lookback-exit", "entry-follow_up"] = "entry-exit",
) -> dict[str, Any]:
    return selectors.uplift_summary(_reporting_cohorts(request), compare)
