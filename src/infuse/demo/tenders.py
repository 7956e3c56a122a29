"""Tender evaluation's part of the demonstration workspace.

Caerphilly's LED street-lighting replacement, in two lots: lot 1 (lanterns, supply and
installation) has four bidders, lot 2 (central management system and maintenance) three.
Dafydd, an officer of Caerphilly, runs it; Carys, Nia and Ioan are the named evaluators, each
declared free of conflict and submitted. The panel moderated one score (with its reason), lot 1
is awarded and the first delivery of social value recorded; lot 2 awaits award.

The social-value framework is an ILLUSTRATIVE EXAMPLE in the style of the National TOMs: its
measures, units and proxy values are invented for the demonstration and are NOT the National
TOMs Wales values. Each body supplies its own framework. Every company and figure is invented.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from infuse.accounts.models import User
from infuse.challenges.forms import DEFAULT_SCALE
from infuse.reference.models import Body
from infuse.tenders import selectors, services
from infuse.tenders.models import Procurement, SocialValueMeasure

CAERPHILLY = "W06000018"
REFERENCE = "CCBC-2026-LED-014"
FRAMEWORK = "Illustrative example framework (TOMs-style) — not real proxy values"
SOURCE = "Invented for the Infuse demonstration; use your own framework's published values"
SETUP_REFERENCE = "CCBC-2027-MEALS-003"

MEASURES = (
    (
        "SV1",
        "Local people employed on the contract",
        "Pobl leol a gyflogir ar y contract",
        "full-time equivalent",
        "cyfwerth ag amser llawn",
        "24000",
    ),
    ("SV2", "Apprenticeship weeks", "Wythnosau prentisiaeth", "week", "wythnos", "250"),
    (
        "SV3",
        "Volunteering hours with local groups",
        "Oriau gwirfoddoli gyda grwpiau lleol",
        "hour",
        "awr",
        "16",
    ),
    (
        "SV4",
        "Spend with local small businesses",
        "Gwariant gyda busnesau bach lleol",
        "pound",
        "punt",
        "0.20",
    ),
)

TREE = (
    {"kind": "price", "name_en": "Price", "name_cy": "Pris", "weight": 40},
    {
        "kind": "quality",
        "name_en": "Quality",
        "name_cy": "Ansawdd",
        "children": [
            {"name_en": "Technical solution", "name_cy": "Datrysiad technegol", "weight": 20},
            {"name_en": "Delivery programme", "name_cy": "Rhaglen gyflawni", "weight": 15},
            {"name_en": "Carbon reduction", "name_cy": "Lleihau carbon", "weight": 10},
        ],
    },
    {
        "kind": "social",
        "name_en": "Social value",
        "name_cy": "Gwerth cymdeithasol",
        "children": [
            {
                "name_en": "Social-value commitments",
                "name_cy": "Ymrwymiadau gwerth cymdeithasol",
                "weight": 15,
            },
        ],
    },
)

# Scored, then excluded before award: it stays on record, and its low price no longer sets the
# lowest price the other bids on lot 2 are scored against.
WITHDRAWN_BIDDER = "Gwent Street Lighting Ltd"
WITHDRAWN_REASON = (
    "Excluded after scoring: it failed the financial standing check (accounts overdue at "
    "Companies House)."
)

# lot → (bidder, price, {measure code: quantity}, scores per evaluator: technical, delivery,
# carbon, social for carys, nia, ioan)
BIDS: dict[int, list[tuple[str, int, dict[str, int], list[list[int]]]]] = {
    1: [
        (
            "Goleuadau Cwm Ltd",
            1_840_000,
            {"SV1": 6, "SV2": 104, "SV3": 300, "SV4": 250_000},
            [[4, 4, 3, 4], [4, 3, 3, 4], [3, 4, 4, 4]],
        ),
        (
            "Brightway Highways plc",
            1_695_000,
            {"SV1": 2, "SV2": 52, "SV4": 60_000},
            [[3, 3, 3, 2], [3, 3, 2, 2], [3, 2, 3, 2]],
        ),
        (
            "Severn Lighting Services",
            1_910_000,
            {"SV1": 4, "SV2": 78, "SV3": 500, "SV4": 180_000},
            [[4, 5, 4, 3], [5, 4, 4, 3], [4, 4, 5, 3]],
        ),
        (
            "Lumen Cymru Cyf",
            2_050_000,
            {"SV1": 8, "SV2": 156, "SV3": 800, "SV4": 400_000},
            [[5, 4, 5, 5], [4, 4, 5, 5], [5, 5, 4, 5]],
        ),
    ],
    2: [
        (
            "Brightway Highways plc",
            412_000,
            {"SV2": 26},
            [[3, 3, 3, 2], [3, 4, 3, 2], [3, 3, 3, 2]],
        ),
        (
            "Telecell Networks Ltd",
            389_000,
            {"SV1": 1, "SV3": 120},
            [[4, 3, 3, 3], [3, 3, 3, 3], [4, 4, 3, 3]],
        ),
        (
            "Severn Lighting Services",
            455_000,
            {"SV1": 2, "SV2": 52, "SV4": 40_000},
            [[4, 4, 4, 4], [4, 4, 4, 3], [5, 4, 4, 4]],
        ),
        (
            WITHDRAWN_BIDDER,
            351_000,
            {"SV3": 60},
            [[3, 3, 2, 2], [3, 2, 3, 2], [2, 3, 3, 2]],
        ),
    ],
}

COMMENTS = {
    "Technical solution": (
        "Lantern spec meets the 3000K requirement; dimming profile explained.",
        "Manyleb y llusernau yn bodloni'r gofyniad 3000K; esboniwyd y proffil pylu.",
    ),
}


@transaction.atomic
def demo_tenders() -> dict[str, int]:
    """Build the tender-evaluation demo once; building again changes nothing."""
    if Procurement.objects.filter(reference=REFERENCE).exists():
        return {"procurements": 0}
    body = Body.objects.get(code=CAERPHILLY)
    people = {u.username: u for u in User.objects.filter(username__in=["carys", "nia", "ioan"])}
    measures = {}
    for code, en, cy, unit_en, unit_cy, proxy in MEASURES:
        measures[code] = SocialValueMeasure.objects.create(
            owner_body=body,
            code=code,
            name_en=en,
            name_cy=cy,
            unit_en=unit_en,
            unit_cy=unit_cy,
            proxy_value=proxy,
            framework=FRAMEWORK,
            source=SOURCE,
        )
    procurement = services.procurement_create(
        actor=None,
        owner_body=body,
        title_en="LED street-lighting replacement",
        title_cy="Amnewid goleuadau stryd LED",
        reference=REFERENCE,
        price_formula="lowest",
        lots=[
            ("Lanterns: supply and installation", "Llusernau: cyflenwi a gosod"),
            (
                "Central management system and maintenance",
                "System rheoli ganolog a chynnal a chadw",
            ),
        ],
        levels=DEFAULT_SCALE,
    )
    services.criteria_set(actor=None, procurement=procurement, tree=TREE)
    scored = selectors.scored_criteria(procurement)
    evaluators = ["carys", "nia", "ioan"]
    bidders: dict[int, list[Any]] = {}
    for lot in procurement.lots.all():
        bidders[lot.number] = []
        for name, price, commitments, scores in BIDS[lot.number]:
            bidder = services.bidder_add(
                actor=None,
                lot=lot,
                name=name,
                price=price,
                commitments={measures[c]: q for c, q in commitments.items()},
            )
            bidders[lot.number].append((bidder, scores))
    for index, username in enumerate(evaluators):
        user = people.get(username)
        if user is None:
            continue
        services.evaluator_add(actor=None, procurement=procurement, user=user)
        services.interests_declare(
            actor=user, procurement=procurement, has_conflict=False, declaration=""
        )
        sheet = {}
        for number in bidders:
            for bidder, scores in bidders[number]:
                for criterion, value in zip(scored, scores[index], strict=True):
                    en, cy = COMMENTS.get(criterion.name_en, ("", ""))
                    sheet[(bidder.pk, criterion.pk)] = (
                        value,
                        cy if user.preferred_language == "cy" else en,
                    )
        services.scores_save(actor=user, procurement=procurement, scores=sheet, submit=True)
    lot1 = procurement.lots.get(number=1)
    severn = bidders[1][2][0]
    delivery = next(c for c in scored if c.name_en == "Delivery programme")
    services.score_moderate(
        actor=None,
        bidder=severn,
        criterion=delivery,
        score=4,
        reason=(
            "Panel agreed the 26-week programme is credible but the winter outage plan is "
            "thin: 4, not the mean of 4.33."
        ),
    )

    winner = selectors.lot_result(lot1).rows[0]["bidder"]
    services.lot_award(actor=None, lot=lot1, bidder=winner)
    first = winner.commitments.order_by("measure__code").first()
    if first is not None:
        services.delivery_record(actor=None, commitment=first, delivered=first.quantity / 2)
    excluded = next(b for b, _scores in bidders[2] if b.name == WITHDRAWN_BIDDER)
    services.bidder_withdraw(actor=None, bidder=excluded, reason=WITHDRAWN_REASON)
    _tender_being_set_up(body, measures, people)
    return {"procurements": 2, "bidders": sum(len(b) for b in bidders.values()) + 3}


def _tender_being_set_up(body: Body, measures: dict[str, Any], people: dict[str, Any]) -> None:
    """A second tender still being set up (no scores yet, so every set-up page can change it):
    school meals in two lots, the second scored linearly up to its budget."""
    made = services.procurement_create(
        actor=None,
        owner_body=body,
        title_en="School meals catering",
        title_cy="Arlwyo prydau ysgol",
        reference=SETUP_REFERENCE,
        description_en=(
            "Cooked lunches for 75 primary schools from September 2027, with local produce "
            "and menus agreed with the schools."
        ),
        description_cy=(
            "Ciniawau wedi'u coginio i 75 o ysgolion cynradd o fis Medi 2027, gyda chynnyrch "
            "lleol a bwydlenni wedi'u cytuno gyda'r ysgolion."
        ),
        price_formula="lowest",
        lots=[("Upper valley schools", "Ysgolion y cwm uchaf")],
        levels=DEFAULT_SCALE,
    )
    services.lot_add(
        actor=None,
        procurement=made,
        title_en="Lower valley schools",
        title_cy="Ysgolion y cwm isaf",
        price_formula="linear",
        price_ceiling=2_400_000,
    )
    services.criteria_set(
        actor=None,
        procurement=made,
        tree=[
            {"kind": "price", "name_en": "Price", "name_cy": "Pris", "weight": 50},
            {
                "kind": "quality",
                "name_en": "Quality",
                "name_cy": "Ansawdd",
                "children": [
                    {
                        "name_en": "Menus and nutrition",
                        "name_cy": "Bwydlenni a maeth",
                        "weight": 20,
                    },
                    {"name_en": "Local produce", "name_cy": "Cynnyrch lleol", "weight": 15},
                ],
            },
            {
                "kind": "social",
                "name_en": "Social value",
                "name_cy": "Gwerth cymdeithasol",
                "weight": 15,
            },
        ],
    )
    upper, lower = made.lots.all()
    for lot, name, price, commitments in (
        (upper, "Cegin y Cwm Cyf", 2_150_000, {"SV1": 5, "SV4": 300_000}),
        (upper, "Northgate Catering Ltd", 1_980_000, {"SV2": 52}),
        (lower, "Cegin y Cwm Cyf", 2_210_000, {"SV1": 4, "SV3": 200}),
    ):
        services.bidder_add(
            actor=None,
            lot=lot,
            name=name,
            price=price,
            commitments={measures[c]: q for c, q in commitments.items()},
        )
    if "nia" in people:
        services.evaluator_add(actor=None, procurement=made, user=people["nia"])
