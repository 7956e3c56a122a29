"""A small tender evaluation for tests, built through the services."""

from __future__ import annotations

from typing import Any

from infuse.tenders import selectors, services
from infuse.tenders.models import Procurement, SocialValueMeasure

TREE = [
    {"kind": "price", "name_en": "Price", "name_cy": "Pris", "weight": 40},
    {
        "kind": "quality",
        "name_en": "Quality",
        "name_cy": "Ansawdd",
        "children": [
            {"name_en": "Method", "name_cy": "Dull", "weight": 30},
            {"name_en": "Staffing", "name_cy": "Staffio", "weight": 15},
        ],
    },
    {"kind": "social", "name_en": "Social value", "name_cy": "Gwerth cymdeithasol", "weight": 15},
]

SCALE = [
    ("None", "Dim"),
    ("Poor", "Gwael"),
    ("Weak", "Gwan"),
    ("Fair", "Teg"),
    ("Good", "Da"),
    ("Excellent", "Rhagorol"),
]


def procurement(
    officer: Any, title: str = "School transport", *, formula: str = "lowest"
) -> Procurement:
    """Two bidders on one lot: Alpha £100,000 and Beta £125,000; Alpha commits 2 apprentices."""
    made = services.procurement_create(
        actor=officer,
        owner_body=officer.body,
        title_en=title,
        title_cy="Cludiant ysgol",
        price_formula=formula,
        lots=[("Routes north", "Llwybrau'r gogledd")],
        levels=SCALE,
    )
    services.criteria_set(actor=officer, procurement=made, tree=TREE)
    measure = SocialValueMeasure.objects.create(
        owner_body=officer.body,
        code="SV2",
        name_en="Apprentices",
        unit_en="person",
        proxy_value=1000,
    )
    lot = made.lots.get()
    services.bidder_add(
        actor=officer, lot=lot, name="Alpha Coaches", price=100_000, commitments={measure: 2}
    )
    services.bidder_add(actor=officer, lot=lot, name="Beta Travel", price=125_000)
    return made


def score_all(
    evaluator: Any, made: Procurement, values: dict[str, int], submit: bool = True
) -> None:
    """Score every bid: ``values`` maps bidder name to one score used for every criterion."""
    services.interests_declare(
        actor=evaluator, procurement=made, has_conflict=False, declaration=""
    )
    sheet = {}
    for bidder in made.lots.get().bidders.all():
        for criterion in selectors.scored_criteria(made):
            sheet[(bidder.pk, criterion.pk)] = (values[bidder.name], f"Comment on {bidder.name}")
    services.scores_save(actor=evaluator, procurement=made, scores=sheet, submit=submit)
