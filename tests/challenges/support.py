"""Challenge Fund records for tests, built through the services."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from infuse.challenges import services
from infuse.challenges.models import Bid, Call, Challenge
from infuse.reference.models import Theme, WayOfWorking, WellbeingGoal

CHALLENGE_VALUES = {
    "title": "Warm homes",
    "how_might_we": "How might we help older people stay warm at home without raising bills?",
    "problem": "Older residents in poorly insulated homes ration heating in winter.",
    "evidence": "412 winter welfare referrals last year.",
    "affected": "About 6,000 households over 75.",
    "tried": "Leaflets and a phone line; few calls.",
    "transfer": "Every authority in the region has the same housing stock.",
    "owner_name": "Energy Officer",
    "sponsor_name": "Head of Housing",
    "budget_feasibility": 40000,
    "budget_prototype": 150000,
    "budget_adoption": 400000,
    "purchase_commitment": "We will fund adoption from the housing capital budget.",
    "constraints_welsh": "Every resident-facing part must work in Welsh and English.",
    "visibility": "regional",
}

SCALE = [
    ("None", "Dim"),
    ("Poor", "Gwael"),
    ("Weak", "Gwan"),
    ("Fair", "Boddhaol"),
    ("Good", "Da"),
    ("Excellent", "Rhagorol"),
]


def contributions(theme: str = "decarbonisation", goals: tuple[int, ...] = (2,)) -> Any:
    return services.Contributions(
        themes={Theme.objects.get(slug=theme): "Cuts heating emissions."},
        goals={goal: "Helps." for goal in WellbeingGoal.objects.filter(number__in=goals)},
        ways={WayOfWorking.objects.order_by("order").first(): "Prevents crises."},
    )


def challenge(officer: Any, **overrides: Any) -> Challenge:
    theme = overrides.pop("theme", "decarbonisation")
    return services.challenge_save(
        actor=officer,
        body=officer.body,
        values={**CHALLENGE_VALUES, **overrides},
        contributions=contributions(theme),
    )


def call(manager: Any = None, *, publish: bool = True, days: int = 30, **overrides: Any) -> Call:
    values = {
        "title_en": "Challenge Fund 2027",
        "title_cy": "Cronfa Her 2027",
        "summary_en": "Bids for shared challenges.",
        "summary_cy": "Ceisiadau ar gyfer heriau a rennir.",
        "deadline": timezone.now() + datetime.timedelta(days=days),
        "budget_feasibility": 100000,
        "budget_prototype": 300000,
        "budget_adoption": 600000,
        "quality_threshold": 60,
        **overrides,
    }
    made = services.call_save(
        actor=manager,
        values=values,
        criteria=[
            services.CriterionValues("Need", "Angen", 40),
            services.CriterionValues("Collaboration", "Cydweithio", 30),
            services.CriterionValues("Value for money", "Gwerth am arian", 30),
        ],
        scale=SCALE,
    )
    if publish:
        made = services.call_publish(actor=manager, call=made)
    return made


def bid(officer: Any, the_call: Call, the_challenge: Challenge, **overrides: Any) -> Bid:
    answers = overrides.pop("answers", None)
    if answers is None:
        answers = {c.pk: f"Answer on {c.name_en}" for c in the_call.criteria.all()}
    return services.bid_save(
        actor=officer,
        call=the_call,
        values={
            "title": "Warm homes together",
            "summary": "Three authorities test home energy visits.",
            "phase": "feasibility",
            "budget": 50000,
            **overrides.pop("values", {}),
        },
        challenge=the_challenge,
        partners=overrides.pop("partners", []),
        team=overrides.pop("team", []),
        answers=answers,
    )


def scored_round(make_user: Any) -> dict[str, Any]:
    """A closed call with one submitted bid, allocated to three assessors who have declared;
    two have submitted scores (one an outlier) and the third has not scored yet."""
    import datetime as _datetime

    from infuse.challenges.models import Assessment

    manager = make_user("programme_manager", None, first_name="Gareth", last_name="Lloyd")
    officer = make_user("participant", "W06000018", first_name="Carys", last_name="Price")
    the_call = call(manager)
    the_bid = services.bid_submit(actor=officer, bid=bid(officer, the_call, challenge(officer)))
    Call.objects.filter(pk=the_call.pk).update(
        deadline=timezone.now() - _datetime.timedelta(hours=1)
    )
    the_bid.call.refresh_from_db()
    assessors = [
        make_user("assessor", None, first_name=first, last_name="Assessor")
        for first in ("Nia", "Ioan", "Elin")
    ]
    criteria = list(the_call.criteria.all())
    for assessor, marks in zip(assessors, ([4, 4, 3], [4, 3, 3], [1, 3, 3]), strict=True):
        Assessment.objects.create(bid=the_bid, assessor=assessor)
        services.interests_declare(actor=assessor, bid=the_bid, has_conflict=False, declaration="")
        if assessor is not assessors[2]:
            services.scores_save(
                actor=assessor,
                bid=the_bid,
                scores={c.pk: (m, "Clear.") for c, m in zip(criteria, marks, strict=True)},
                submit=True,
            )
    return {
        "manager": manager,
        "officer": officer,
        "call": the_call,
        "bid": the_bid,
        "assessors": assessors,
    }
