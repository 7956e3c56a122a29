"""The Challenge Fund's part of the demonstration workspace.

Two challenges, one per theme: Caerphilly's on hard-to-heat homes (Accelerating
Decarbonisation) and Newport's on loneliness among older people (Supportive Communities). Two
bilingual calls. The 2026 round is closed: its feasibility bids were scored by Nia, Ioan and
Elin and decided in rank order (one funded, one not funded, both with feedback released); the funded
one passed its feasibility review and is now in its prototype phase; of
its prototype bids one was moderated (an outlier score, with the reason) and one is being
assessed (Ioan declared a conflict, Elin has not declared yet); one bid was never submitted.
The 2027 round is open, with a draft bid (seen only by its team: Carys of Caerphilly and Siân
of Torfaen) and a submitted one from Newport. Every figure is invented for the demonstration.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from infuse.accounts.models import User
from infuse.challenges import services
from infuse.challenges.forms import DEFAULT_SCALE
from infuse.challenges.models import Bid, Call, Challenge
from infuse.reference.models import Body, Theme, WayOfWorking, WellbeingGoal

CAERPHILLY = "W06000018"
NEWPORT = "W06000022"
TORFAEN = "W06000020"
OPEN_CALL = "Regional Challenge Fund 2027"
CLOSED_CALL = "Regional Challenge Fund 2026"

CRITERIA = (
    services.CriterionValues(
        "Need and evidence",
        "Angen a thystiolaeth",
        30,
        "How well the bid shows the size of the problem and who it affects.",
        "Pa mor dda y mae'r cais yn dangos maint y broblem a phwy y mae'n effeithio arnynt.",
    ),
    services.CriterionValues(
        "Quality of the approach",
        "Ansawdd y dull",
        25,
        "Is the plan realistic, and will it show whether the idea works?",
        "A yw'r cynllun yn realistig, ac a fydd yn dangos a yw'r syniad yn gweithio?",
    ),
    services.CriterionValues(
        "Collaboration and transfer",
        "Cydweithio a throsglwyddo",
        20,
        "How the partners share the work, and how other bodies could reuse the result.",
        "Sut mae'r partneriaid yn rhannu'r gwaith, a sut y gallai cyrff eraill ailddefnyddio'r "
        "canlyniad.",
    ),
    services.CriterionValues(
        "Well-being and the Welsh language",
        "Llesiant a'r Gymraeg",
        15,
        "Contribution to the well-being goals; services that work equally in Welsh.",
        "Cyfraniad at y nodau llesiant; gwasanaethau sy'n gweithio'r un mor dda yn Gymraeg.",
    ),
    services.CriterionValues(
        "Value for money",
        "Gwerth am arian",
        10,
        "Costs that are clear, proportionate and lead to adoption.",
        "Costau clir a chymesur sy'n arwain at fabwysiadu.",
    ),
)

SCALE = DEFAULT_SCALE


def demo_challenges() -> dict[str, int]:
    """Build the Challenge Fund demo once; building again changes nothing."""
    if Call.objects.filter(title_en=OPEN_CALL).exists():
        return {"challenges": 0, "calls": 0, "bids": 0}
    people = {u.username: u for u in User.objects.filter(username__in=_PEOPLE)}
    if len(people) < len(_PEOPLE):
        return {"challenges": 0, "calls": 0, "bids": 0}
    with transaction.atomic():
        warm, lonely = _challenges(people)
        closed = _call(people["gareth"], CLOSED_CALL, "Cronfa Her Ranbarthol 2026", days=21)
        made = _closed_round(people, closed, warm, lonely)
        services.call_close(
            actor=people["gareth"],
            call=closed,
            reason="Demonstration: the 2026 round has closed and is being assessed.",
        )
        _assess_closed_round(people, closed)
        open_call = _call(people["gareth"], OPEN_CALL, "Cronfa Her Ranbarthol 2027", days=60)
        made += _open_round(people, open_call, warm, lonely)
    return {"challenges": 2, "calls": 2, "bids": made}


_PEOPLE = ("carys", "owen", "sian", "gareth", "nia", "ioan", "elin")


def _contributions(themes: dict[str, str], goals: dict[int, str], ways: dict[str, str]) -> Any:
    return services.Contributions(
        themes={Theme.objects.get(slug=slug): text for slug, text in themes.items()},
        goals={WellbeingGoal.objects.get(number=n): text for n, text in goals.items()},
        ways={WayOfWorking.objects.get(slug=slug): text for slug, text in ways.items()},
    )


def _challenges(people: dict[str, User]) -> tuple[Challenge, Challenge]:
    carys, owen = people["carys"], people["owen"]
    warm = services.challenge_save(
        actor=carys,
        body=carys.body,
        values={
            "title": "Hard-to-heat homes in the northern valleys",
            "how_might_we": "How might we help households in older, hard-to-heat homes use "
            "less energy without going cold or paying more?",
            "problem": "Many pre-1919 terraces lose heat fast; households either pay high "
            "bills or ration heating, and both harm health. Advice reaches few of them.",
            "evidence": "Fuel poverty estimates of about one household in four in the upper "
            "Rhymney valley; 380 winter welfare referrals citing cold homes last year; "
            "EPC bands E to G for 41 per cent of the council's rented homes.",
            "affected": "About 9,000 households in older terraces, many of them older or on "
            "low incomes; the council's housing and welfare teams.",
            "tried": "Leaflets with council tax bills (few responses) and a phone advice line "
            "that mostly reached people already in crisis.",
            "transfer": "Every valleys authority has the same housing stock; a method that "
            "works in Caerphilly could be adopted by Blaenau Gwent, Merthyr Tydfil, Rhondda "
            "Cynon Taf and Torfaen with their own data.",
            "owner_name": "Energy and Sustainability Officer",
            "sponsor_name": "Head of Housing",
            "budget_feasibility": 45000,
            "budget_prototype": 180000,
            "budget_adoption": 420000,
            "purchase_commitment": "If the prototype cuts energy use without harm, Caerphilly "
            "will fund adoption from the housing revenue account from 2028.",
            "constraints_data": "Smart-meter data only with each household's consent.",
            "constraints_legal": "A DPIA before council housing records are matched.",
            "constraints_welsh": "Letters, reports and visits must be offered in Welsh.",
            "constraints_accessibility": "Printed reports in large print on request; no "
            "online-only service.",
            "visibility": "regional",
        },
        contributions=_contributions(
            {
                "decarbonisation": "Cuts emissions from home heating, the largest source in "
                "the housing stock."
            },
            {
                2: "Homes that waste less energy are more resilient to price shocks.",
                3: "Warmer homes mean fewer cold-related illnesses in winter.",
                7: "Lower household emissions are Wales's share of a global problem.",
            },
            {
                "prevention": "Reaches households before they fall into fuel poverty.",
                "collaboration": "Designed with Torfaen and Newport, who share the problem.",
            },
        ),
    )
    lonely = services.challenge_save(
        actor=owen,
        body=owen.body,
        values={
            "title": "Loneliness among older people",
            "how_might_we": "How might we help isolated older people find company and support "
            "close to home before they reach crisis?",
            "problem": "Older people living alone are often known to services only when a "
            "fall or illness brings them to hospital; by then loneliness has harmed health.",
            "evidence": "About 14,000 people over 75 live alone in Newport; social care "
            "referrals mentioning isolation rose by a fifth in two years.",
            "affected": "Older people living alone, their carers, and adult social care.",
            "tried": "A befriending scheme run by volunteers, which had a long waiting list.",
            "transfer": "Every authority in the region funds befriending and day services; "
            "a better way to find and reach people would transfer to all of them.",
            "owner_name": "Community Connector Team Manager",
            "sponsor_name": "Strategic Director, Social Services",
            "budget_feasibility": 35000,
            "budget_prototype": 150000,
            "budget_adoption": 300000,
            "purchase_commitment": "Newport will fund adoption through the Regional "
            "Partnership Board's integration fund if the prototype works.",
            "constraints_data": "Social care records are personal data; only aggregate "
            "figures leave the council.",
            "constraints_welsh": "Contact must be offered in Welsh and English.",
            "constraints_accessibility": "Works by telephone and in person, not only online.",
            "visibility": "regional",
        },
        contributions=_contributions(
            {"supportive-communities": "Builds neighbourhood support around older people."},
            {
                3: "Loneliness harms health as much as smoking; company prevents decline.",
                5: "Connects older people with their neighbours and local groups.",
            },
            {
                "prevention": "Finds people before a crisis rather than after it.",
                "involvement": "Older people help design how they are approached.",
            },
        ),
    )
    return warm, lonely


def _call(manager: User, title_en: str, title_cy: str, *, days: int) -> Call:
    call = services.call_save(
        actor=manager,
        values={
            "title_en": title_en,
            "title_cy": title_cy,
            "summary_en": "The Cardiff Capital Region's Challenge Fund invites public bodies to "
            "bid together for shared challenges, in three phases: feasibility, prototype and "
            "adoption.",
            "summary_cy": "Mae Cronfa Her Prifddinas-Ranbarth Caerdydd yn gwahodd cyrff "
            "cyhoeddus i wneud cais ar y cyd am heriau a rennir, mewn tri cham: "
            "dichonoldeb, prototeip a mabwysiadu.",
            "deadline": timezone.now() + datetime.timedelta(days=days),
            "budget_feasibility": 150000,
            "budget_prototype": 600000,
            "budget_adoption": 1200000,
            "quality_threshold": 60,
        },
        criteria=list(CRITERIA),
        scale=list(SCALE),
    )
    return services.call_publish(actor=manager, call=call)


def _answers(call: Call, texts: tuple[str, ...]) -> dict[int, str]:
    return {c.pk: text for c, text in zip(call.criteria.all(), texts, strict=False)}


def _bid(
    lead: User,
    call: Call,
    challenge: Challenge,
    title: str,
    summary: str,
    budget: int,
    partners: tuple[str, ...] = (),
    team: tuple[User, ...] = (),
    answers: tuple[str, ...] = (),
    submit: bool = True,
    phase: str = "feasibility",
) -> Bid:
    bid = services.bid_save(
        actor=lead,
        call=call,
        values={"title": title, "summary": summary, "phase": phase, "budget": budget},
        challenge=challenge,
        partners=list(Body.objects.filter(code__in=partners)),
        team=list(team),
        answers=_answers(call, answers) if answers else {},
    )
    if submit:
        bid = services.bid_submit(actor=lead, bid=bid)
    return bid


ANSWERS_WARM = (
    "Fuel poverty and EPC figures by ward, with the winter welfare referrals behind them.",
    "A feasibility study of home energy reports tested first in two wards.",
    "Torfaen and Newport co-design the study and will adopt the reports in turn.",
    "Warmer, healthier homes; every report and visit offered in Welsh.",
    "£45,000 for twelve weeks of work, with adoption funded by the councils.",
)
ANSWERS_LONELY = (
    "Adult social care referrals and a survey of 600 older residents.",
    "Community connectors test three ways of finding isolated people.",
    "Monmouthshire shares its connector model; all ten authorities could adopt it.",
    "Health and cohesive communities; contact in Welsh or English as people choose.",
    "£38,000, mostly staff time; volunteers' expenses are included.",
)


def _closed_round(people: dict[str, User], call: Call, warm: Challenge, lonely: Challenge) -> int:
    carys, owen, sian = people["carys"], people["owen"], people["sian"]
    _bid(
        carys,
        call,
        warm,
        "Valleys home energy reports",
        "Caerphilly, Torfaen and Newport test quarterly home energy reports.",
        45000,
        partners=(TORFAEN, NEWPORT),
        team=(carys, sian, owen),
        answers=ANSWERS_WARM,
    )
    _bid(
        owen,
        call,
        lonely,
        "Community connectors for older people",
        "Newport and Monmouthshire prototype three ways of reaching isolated older people.",
        120000,
        partners=("W06000021",),
        team=(owen,),
        answers=ANSWERS_LONELY,
        phase="prototype",
    )
    _bid(
        sian,
        call,
        warm,
        "Electric pool cars for home care staff",
        "Torfaen prototypes a shared electric fleet for its home care workers.",
        150000,
        team=(sian,),
        answers=(
            "Mileage claims of 1.2 million miles a year by care staff.",
            "Twelve cars and chargers at two depots for a year.",
            "The booking system and contracts would be shared with other authorities.",
            "Lower emissions; booking in Welsh and English.",
            "£150,000, with leasing costs set against mileage claims saved.",
        ),
        phase="prototype",
    )
    _bid(
        sian,
        call,
        warm,
        "Draught-proofing volunteers",
        "Torfaen trains volunteers to draught-proof older terraces.",
        30000,
        team=(sian,),
        answers=(
            "Referrals from the warm hubs last winter.",
            "Volunteers trained by Care & Repair.",
            "Other authorities could copy the training.",
            "Warmer homes; training offered in Welsh.",
            "£30,000 for training and materials.",
        ),
    )
    _bid(
        carys,
        call,
        warm,
        "Heat pump loans (never submitted)",
        "A draft Caerphilly did not finish before the deadline.",
        60000,
        team=(carys,),
        submit=False,
    )
    return 5


def _open_round(people: dict[str, User], call: Call, warm: Challenge, lonely: Challenge) -> int:
    carys, owen, sian = people["carys"], people["owen"], people["sian"]
    _bid(
        carys,
        call,
        warm,
        "Warm homes prototype",
        "A prototype of bilingual home energy reports for 2,000 households.",
        140000,
        partners=(TORFAEN,),
        team=(carys, sian),
        answers=ANSWERS_WARM[:3],
        submit=False,
    )
    _bid(
        owen,
        call,
        lonely,
        "Connected at home",
        "Newport tests telephone befriending matched by interests.",
        42000,
        team=(owen,),
        answers=ANSWERS_LONELY,
    )
    return 2


#: Each assessor's scores on the five criteria (need, approach, collaboration, well-being,
#: value) for the bids of the closed round that were fully scored, with a comment.
SCORES = {
    "Valleys home energy reports": {
        "nia": ([5, 4, 4, 5, 4], "Strong evidence of need and a clear plan."),
        "ioan": ([4, 4, 5, 5, 4], "Three partners with a real plan to adopt in turn."),
        "elin": ([5, 4, 4, 4, 3], "Good; the costs of the later phases are thin."),
    },
    "Draught-proofing volunteers": {
        "nia": ([3, 2, 2, 3, 3], "Need shown; how volunteers are trained is unclear."),
        "ioan": ([2, 2, 3, 3, 2], "No partner bodies yet."),
        "elin": ([3, 2, 2, 2, 3], "A worthwhile idea that needs more work."),
    },
    "Community connectors for older people": {
        "nia": ([4, 4, 5, 4, 3], "Builds well on Monmouthshire's connectors."),
        "ioan": ([4, 3, 4, 4, 3], "Clear; the measures of loneliness need choosing."),
        "elin": ([1, 3, 4, 4, 3], "I could not find the survey that shows the need."),
    },
}


def _assess_closed_round(people: dict[str, User], call: Call) -> None:
    """Allocate the three assessors, declare, score, moderate, decide the feasibility phase
    and release feedback, leaving the prototype phase part-way through assessment."""
    manager = people["gareth"]
    services.assessors_allocate(actor=manager, call=call, per_bid=3)
    bids = {bid.title: bid for bid in Bid.objects.filter(call=call)}
    criteria = list(call.criteria.all())
    for title, sheets in SCORES.items():
        bid = bids[title]
        for username, (marks, comment) in sheets.items():
            assessor = people[username]
            services.interests_declare(actor=assessor, bid=bid, has_conflict=False, declaration="")
            services.scores_save(
                actor=assessor,
                bid=bid,
                scores={
                    c.pk: (mark, comment if index == 0 else "")
                    for index, (c, mark) in enumerate(zip(criteria, marks, strict=True))
                },
                submit=True,
            )
    services.score_moderate(
        actor=manager,
        bid=bids["Community connectors for older people"],
        criterion=criteria[0],
        score=4,
        reason="Elin scored need low because she could not find the survey; it is in the "
        "bid's annex, and the panel agreed a 4.",
    )
    # Being assessed: one assessor has scored in part, one declared a conflict, one has not
    # declared yet.
    cars = bids["Electric pool cars for home care staff"]
    services.interests_declare(actor=people["nia"], bid=cars, has_conflict=False, declaration="")
    services.scores_save(
        actor=people["nia"], bid=cars, scores={criteria[0].pk: (4, "Mileage data is good.")}
    )
    services.interests_declare(
        actor=people["ioan"],
        bid=cars,
        has_conflict=True,
        declaration="I advised Torfaen on its fleet strategy last year.",
    )
    services.funding_decide(actor=manager, call=call, phase="feasibility", method="rank_order")
    services.feedback_release(
        actor=manager,
        bid=Bid.objects.get(pk=bids["Valleys home energy reports"].pk),
        text="Funded for feasibility. The panel liked the evidence and the plan to adopt in "
        "turn; set out the costs of the prototype phase more fully in your next bid.",
    )
    services.phase_review_record(
        actor=manager,
        bid=Bid.objects.get(pk=bids["Valleys home energy reports"].pk),
        review="Households in two wards read the reports; a survey of 400 found two in three "
        "changed how they heat their homes, and the Welsh version was asked for by one in five.",
        decision="continue",
        reason="Strong enough to prototype across Caerphilly, Torfaen and Newport.",
    )
    services.feedback_release(
        actor=manager,
        bid=Bid.objects.get(pk=bids["Draught-proofing volunteers"].pk),
        text="Not funded: the weighted score was below the quality threshold of 60 per cent. "
        "Find partner bodies and describe how volunteers are trained and supervised.",
    )
