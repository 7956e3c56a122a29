"""Tender-evaluation results through the API, for the procurement's managers only (the same
rule as the results on the page: nobody else sees anything of a live evaluation)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from infuse.accounts.policy import can_manage_tender
from infuse.api_schemas import AUTH_ERRORS, NOT_FOUND

from . import selectors
from .models import Procurement

router = Router(tags=["tenders"])


class RankOut(Schema):
    bidder: str
    price: float
    rank: int
    total: float
    points: dict[str, float]


class SensitivityOut(Schema):
    criterion: str
    delta: int
    winner: str
    changed: bool


class LotOut(Schema):
    number: int
    title_en: str
    awarded_to: str | None
    complete: bool
    ranking: list[RankOut]
    margin_points: float | None
    margin_price_cut: float | None
    sensitivity: list[SensitivityOut]
    rank_reversal_if_removed: list[str]


class ResultsOut(Schema):
    id: int
    title_en: str
    title_cy: str
    price_formula: str
    lots: list[LotOut]


@router.get(
    "/{procurement_id}/results",
    response={200: ResultsOut, **AUTH_ERRORS, **NOT_FOUND},
    summary="A procurement's results per lot: ranking, margin, sensitivity, rank reversal",
)
def results(request: HttpRequest, procurement_id: int) -> dict[str, Any]:
    procurement = Procurement.objects.filter(pk=procurement_id).first()
    if procurement is None or not can_manage_tender(request.user, procurement):
        raise HttpError(404, _("No procurement you manage has that id."))
    lots = []
    for r in selectors.results(procurement):
        names = {str(c.pk): c.name_en for c in r.criteria}
        lots.append(
            {
                "number": r.lot.number,
                "title_en": r.lot.title_en,
                "awarded_to": r.lot.awarded_to.name if r.lot.awarded_to else None,
                "complete": r.complete,
                "ranking": [
                    {
                        "bidder": row["bidder"].name,
                        "price": float(row["bidder"].price),
                        "rank": row["rank"],
                        "total": row["total"],
                        "points": {c["criterion"].name_en: c["points"] for c in row["cells"]},
                    }
                    for row in r.rows
                ],
                "margin_points": r.margin.points if r.margin else None,
                "margin_price_cut": r.margin.price_cut if r.margin else None,
                "sensitivity": [
                    {
                        "criterion": names[s.criterion],
                        "delta": s.delta,
                        "winner": r.names[s.winner],
                        "changed": s.changed,
                    }
                    for s in r.sensitivity
                ],
                "rank_reversal_if_removed": [r.names[k] for k in r.reversals],
            }
        )
    return {
        "id": procurement.pk,
        "title_en": procurement.title_en,
        "title_cy": procurement.title_cy,
        "price_formula": procurement.price_formula,
        "lots": lots,
    }
