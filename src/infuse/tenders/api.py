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


class WithdrawnOut(Schema):
    bidder: str
    price: float
    withdrawn_at: str
    reason: str


class LotOut(Schema):
    number: int
    title_en: str
    price_formula: str
    awarded_to: str | None
    complete: bool
    ranking: list[RankOut]
    margin_points: float | None
    margin_price_cut: float | None
    sensitivity: list[SensitivityOut]
    rank_reversal_if_removed: list[str]
    withdrawn: list[WithdrawnOut]  # kept on record, not ranked, not in the price comparison


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
    return selectors.results_data(procurement)
