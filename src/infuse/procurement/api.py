"""The Procurement Lab's spend figures through the API, under the same policy as the pages."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Literal

import polars as pl
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import field_validator

from infuse.accounts.policy import signed_in_user
from infuse.api_schemas import AUTH_ERRORS, NOT_FOUND

from . import selectors
from .spend_queries import SpendFilter

router = Router(tags=["procurement"])


class SpendFilterIn(Schema):
    body: str | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    department: str | None = None
    category: str | None = None
    supplier: str | None = None

    @field_validator("date_from", "date_to", mode="before")
    @classmethod
    def iso_dates_only(cls, value: object) -> object:
        # Pydantic would read "0" as 1 January 1970 (a Unix timestamp): ask for YYYY-MM-DD.
        if value is None:
            return None
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError("use a date written YYYY-MM-DD")
        return value


class ShareOut(Schema):
    label: str
    amount: Decimal
    lines: int
    share: float


class TotalsOut(Schema):
    lines: int
    total: Decimal
    credit_notes: int
    suppliers: int
    first_date: datetime.date | None
    last_date: datetime.date | None
    dates_unknown: int


class ConcentrationOut(Schema):
    suppliers: int
    top10_share: float
    hhi: float


class CategorySourceOut(Schema):
    source: str
    lines: int
    amount: Decimal
    share: float


class SpendSummaryOut(Schema):
    bodies: list[str]
    categorised_by: list[CategorySourceOut]
    totals: TotalsOut
    by_month: list[ShareOut]
    by_department: list[ShareOut]
    by_category: list[ShareOut]
    top_suppliers: list[ShareOut]
    concentration: ConcentrationOut | None


class SpendFileOut(Schema):
    id: int
    file_name: str
    body: str
    status: str
    visibility: str
    rows_imported: int
    rows_rejected: int
    total_amount: Decimal
    first_payment_date: datetime.date | None
    last_payment_date: datetime.date | None
    reason: str


class RejectedLineOut(Schema):
    line: int
    reason: str


class SpendFileDetailOut(SpendFileOut):
    rejected: list[RejectedLineOut]


class SpendLineOut(Schema):
    body_code: str
    batch_id: int
    line_number: int
    payment_date: datetime.date | None
    supplier: str
    amount_gbp: Decimal
    department: str
    category: str
    transaction_ref: str | None
    invoice_ref: str | None
    description: str | None


def _filter(request: HttpRequest, filters: SpendFilterIn) -> SpendFilter:
    user = signed_in_user(request)
    visible = tuple(b.code for b in selectors.bodies_with_spend(user))
    if filters.body:
        if filters.body not in visible:
            raise HttpError(404, _("No spend you may see is imported for that body."))
        visible = (filters.body,)
    return SpendFilter(
        bodies=visible,
        date_from=filters.date_from,
        date_to=filters.date_to,
        department=(filters.department or "").strip(),
        category=(filters.category or "").strip(),
        supplier=(filters.supplier or "").strip(),
    )


def _file_out(batch: object) -> dict[str, object]:
    return {
        "id": batch.pk,  # type: ignore[attr-defined]
        "file_name": batch.file_name,  # type: ignore[attr-defined]
        "body": batch.owner_body.code,  # type: ignore[attr-defined]
        "status": batch.status,  # type: ignore[attr-defined]
        "visibility": batch.visibility,  # type: ignore[attr-defined]
        "rows_imported": batch.rows_imported,  # type: ignore[attr-defined]
        "rows_rejected": batch.rows_rejected,  # type: ignore[attr-defined]
        "total_amount": batch.total_amount,  # type: ignore[attr-defined]
        "first_payment_date": batch.first_payment_date,  # type: ignore[attr-defined]
        "last_payment_date": batch.last_payment_date,  # type: ignore[attr-defined]
        "reason": batch.error,  # type: ignore[attr-defined]
    }


@router.get(
    "/spend/summary",
    response={200: SpendSummaryOut, **AUTH_ERRORS, **NOT_FOUND},
    summary=gettext_noop("Spend figures"),
    description=gettext_noop(
        "Totals, spend by month, department and category, top suppliers and concentration, "
        "for the bodies and period asked (all the spend you may see by default). Categories "
        "are those assigned to each line; categorised_by says what decided them (correction, "
        "code, rule, model, unclassified)."
    ),
)
def spend_summary(request: HttpRequest, filters: Query[SpendFilterIn]) -> dict[str, object]:
    spend = _filter(request, filters)
    user = signed_in_user(request)
    overview = selectors.spend_overview(user, spend)
    categorised_by = selectors.spend_categorised_by(user, spend)
    return {"bodies": list(spend.bodies), "categorised_by": categorised_by, **overview.__dict__}


@router.get(
    "/spend/files",
    response={200: list[SpendFileOut], **AUTH_ERRORS},
    summary=gettext_noop("Spend files"),
    description=gettext_noop("The spend files you may see, newest first."),
)
def spend_files(request: HttpRequest) -> list[dict[str, object]]:
    batches = selectors.spend_batches_visible_to(signed_in_user(request))[:500]
    return [_file_out(b) for b in batches]


@router.get(
    "/spend/files/{file_id}",
    response={200: SpendFileDetailOut, **AUTH_ERRORS, **NOT_FOUND},
    summary=gettext_noop("One spend file"),
    description=gettext_noop("How a file was imported, with every rejected line and its reason."),
)
def spend_file(request: HttpRequest, file_id: int) -> dict[str, object]:
    batch = selectors.spend_batch_for(signed_in_user(request), file_id)
    if batch is None:
        raise HttpError(404, _("No spend file you may see has that id."))
    return {**_file_out(batch), "rejected": batch.rejected or []}


@router.get(
    "/spend/lines",
    response={200: list[SpendLineOut], **AUTH_ERRORS, **NOT_FOUND},
    summary=gettext_noop("Spend lines"),
    description=gettext_noop("The ledger lines behind the figures, 500 at a time (use offset)."),
)
def spend_lines(
    request: HttpRequest, filters: Query[SpendFilterIn], offset: int = 0
) -> list[dict[str, object]]:
    spend = _filter(request, filters)
    start = min(max(offset, 0), 10**9)
    return selectors.spend_lines(signed_in_user(request), spend, limit=500, offset=start)


class SupplierClusterOut(Schema):
    id: str
    name: str | None
    spellings: list[str]
    spelling_count: int
    amount: Decimal
    lines: int
    confidence: float
    evidence: list[str]
    company_numbers: list[str]
    vat_numbers: list[str]
    postcode: str | None
    postcode_source: str | None
    size: str
    sic_codes: list[str]
    needs_review: bool
    confirmed: bool
    withheld: bool


class SmeShareOut(Schema):
    total: Decimal
    sme: Decimal
    large: Decimal
    unknown: Decimal
    withheld: Decimal
    sme_share: float | None
    unknown_share: float | None


class LocalSharePartOut(Schema):
    place: Literal["authority", "region", "wales", "outside", "unknown", "withheld"]
    amount: Decimal
    share: float | None
    suppliers: int


class LocalShareOut(Schema):
    body: str
    region_code: str | None
    narrowed: bool
    total: Decimal
    authority: Decimal
    region: Decimal
    wales: Decimal
    outside: Decimal
    unknown: Decimal
    withheld: Decimal
    local_share: float | None
    unknown_share: float | None
    parts: list[LocalSharePartOut]


def local_share_out(local: selectors.LocalShareView) -> dict[str, object]:
    """The API's and the command line's shape of a body's local share."""
    share = local.share
    return {
        "body": local.body.code,
        "region_code": local.region.code if local.region is not None else None,
        "narrowed": local.narrowed,
        "total": share.total,
        "authority": share.authority,
        "region": share.region,
        "wales": share.wales,
        "outside": share.outside,
        "unknown": share.unknown,
        "withheld": share.withheld,
        "local_share": share.share("authority"),
        "unknown_share": share.share("unknown"),
        "parts": [
            {"place": place, "amount": amount, "share": part_share, "suppliers": suppliers}
            for place, amount, part_share, suppliers in share.parts()
        ],
    }


class WithheldOut(Schema):
    amount: Decimal
    lines: int
    payees: int


class SuppliersOut(Schema):
    body: str
    matching: int
    clusters: list[SupplierClusterOut]
    sme_share: SmeShareOut
    local_share: LocalShareOut
    withheld: WithheldOut
    decisions_not_applied: int


class SuppliersIn(Schema):
    body: str | None = None
    q: str | None = None
    # Declared as an enumeration, so the OpenAPI description says which views exist.
    show: Literal["all", "review", "confirmed", "unknown_size", "withheld"] = "all"
    place: Literal["authority", "region", "wales", "outside", "unknown"] | None = None


def supplier_cluster_out(row: dict[str, object], confirmed: bool) -> dict[str, object]:
    return {
        "id": row["cluster_id"],
        "name": row["name"],
        "spellings": row["spellings"],
        "spelling_count": row["spelling_count"],
        "amount": row["amount"],
        "lines": row["lines"],
        "confidence": row["confidence"],
        "evidence": row["evidence"],
        "company_numbers": row["company_numbers"],
        "vat_numbers": row["vat_numbers"],
        "postcode": row["postcode"],
        "postcode_source": row["postcode_source"],
        "size": row["size"],
        "sic_codes": row["sic_codes"],
        "needs_review": row["needs_review"],
        "confirmed": confirmed,
        "withheld": row["is_excluded"],
    }


def suppliers_out(
    overview: selectors.SupplierOverview, rows: pl.DataFrame, offset: int, limit: int
) -> dict[str, object]:
    """The API's and the command line's shape of a body's suppliers."""
    sme = overview.sme
    return {
        "body": overview.body.code,
        "matching": rows.height,
        "clusters": [
            supplier_cluster_out(row, row["cluster_id"] in overview.confirmations)
            for row in rows.slice(offset, limit).iter_rows(named=True)
        ],
        "sme_share": {
            "total": sme.total,
            "sme": sme.sme,
            "large": sme.large,
            "unknown": sme.unknown,
            "withheld": sme.withheld,
            "sme_share": sme.share("sme"),
            "unknown_share": sme.share("unknown"),
        },
        "local_share": local_share_out(selectors.local_share_of(overview)),
        "withheld": overview.withheld,
        "decisions_not_applied": len(overview.not_applied),
    }


@router.get(
    "/suppliers",
    response={200: SuppliersOut, **AUTH_ERRORS, **NOT_FOUND},
    summary=gettext_noop("Suppliers"),
    description=gettext_noop(
        "A body's suppliers: the spellings grouped into clusters with their spend, confidence "
        "and evidence, identifiers, postcode, size and SIC codes, and the SME share of spend "
        "(with the unknown share). Payees that are individuals or redacted are listed only "
        "for members of the body; others get their total. 500 clusters at a time (use offset)."
    ),
)
def suppliers_list(
    request: HttpRequest, filters: Query[SuppliersIn], offset: int = 0
) -> dict[str, object]:
    user = signed_in_user(request)
    visible = selectors.supplier_bodies(user)
    code = filters.body or (user.body.code if user.body is not None else "")
    body = visible.filter(code=code).first() if code else visible.first()
    if body is None:
        raise HttpError(404, _("No spend you may see is imported for that body."))
    overview = selectors.supplier_overview(user, body)
    if overview is None:
        raise HttpError(404, _("No spend you may see is imported for that body."))
    show = filters.show
    if show == "withheld" and not overview.shows_withheld_names:
        show = "all"
    rows = selectors.supplier_rows(
        overview, search=filters.q or "", show=show, place=filters.place or ""
    )
    return suppliers_out(overview, rows, min(max(offset, 0), 10**9), 500)


@router.get(
    "/spend/local-share",
    response={200: LocalShareOut, **AUTH_ERRORS, **NOT_FOUND},
    summary=gettext_noop("Local share of spend"),
    description=gettext_noop(
        "Where one body's suppliers are, by postcode: spend in the body's own authority area, "
        "elsewhere in its region, elsewhere in Wales, outside Wales, place unknown and "
        "withheld (individuals and redacted names), for the period and filters asked. The "
        "parts add up to the total. A postcode district that straddles authorities counts "
        "for the body only when it lies wholly in its area. Give body when you may see "
        "several."
    ),
)
def spend_local_share(request: HttpRequest, filters: Query[SpendFilterIn]) -> dict[str, object]:
    user = signed_in_user(request)
    spend = _filter(request, filters)
    if len(spend.bodies) != 1 and user.body is not None and user.body.code in spend.bodies:
        spend = SpendFilter(
            bodies=(user.body.code,),
            date_from=spend.date_from,
            date_to=spend.date_to,
            department=spend.department,
            category=spend.category,
            supplier=spend.supplier,
        )
    local = selectors.spend_local_share(user, spend) if len(spend.bodies) == 1 else None
    if local is None:
        raise HttpError(404, _("Choose one body whose spend you may see."))
    return local_share_out(local)


class CarbonReturnRowOut(Schema):
    category: str
    tier: int
    spend_gbp: float
    tco2e: float
    tco2e_low: float
    tco2e_high: float
    lines: int


class CarbonExcludedOut(Schema):
    reason: str
    spend: float
    lines: int


class CarbonFactorSetOut(Schema):
    id: int
    name: str
    version: str
    base_year: int
    source: str
    licence: str


class CarbonReturnOut(Schema):
    body: str
    financial_year: int | None
    factor_set: CarbonFactorSetOut
    tco2e: float
    tco2e_low: float
    tco2e_high: float
    spend_in_scope_gbp: float
    spend_excluded_gbp: float
    rows: list[CarbonReturnRowOut]
    excluded: list[CarbonExcludedOut]


@router.get(
    "/carbon/return",
    response={200: CarbonReturnOut, **AUTH_ERRORS, **NOT_FOUND},
    summary=gettext_noop("Annual supply-chain carbon return"),
    description=gettext_noop(
        "A body's supply-chain emissions (tCO2e with a likely range) by category and "
        "data-quality tier, for the financial year starting in April of the year given "
        "(every year by default), with the spend left out and the factor set used."
    ),
)
def carbon_return(request: HttpRequest, body: str, year: int | None = None) -> dict[str, object]:
    from infuse.accounts.policy import Action, BodyWorkspace, can
    from infuse.reference.models import Body

    user = signed_in_user(request)
    found = Body.objects.filter(code=body[:20]).first()
    if found is None or not can(user, Action.VIEW, BodyWorkspace(owner_body_id=found.pk)):
        raise HttpError(404, _("No body you may report for has that code."))
    if year is not None and not 1990 <= year <= 2100:
        raise HttpError(404, _("No figures for that year."))
    report = selectors.carbon_return(user, found, year)
    if report is None:
        raise HttpError(404, _("No spend or no emission factors for that body yet."))
    totals = report["totals"]
    factor_set = report["factor_set"]
    return {
        "body": found.code,
        "financial_year": year,
        "factor_set": {
            "id": factor_set.pk,
            "name": factor_set.name,
            "version": factor_set.version,
            "base_year": factor_set.base_year,
            "source": factor_set.source,
            "licence": factor_set.licence,
        },
        "tco2e": totals.tco2e,
        "tco2e_low": totals.low,
        "tco2e_high": totals.high,
        "spend_in_scope_gbp": totals.in_scope_spend,
        "spend_excluded_gbp": totals.excluded_spend,
        "rows": report["rows"],
        "excluded": report["exclusions"],
    }


class ContractSpendPartOut(Schema):
    part: Literal["on_contract", "outside_period", "off_contract", "cannot_tell"]
    amount_gbp: Decimal
    lines: int


class ContractSupplierMatchOut(Schema):
    name: str
    cluster_id: str | None
    ledger_name: str | None
    matched_by: Literal["company_number", "normalised_name"] | None


class ContractSpendRowOut(Schema):
    contract_id: int
    ocid: str
    title: str
    contract_start: datetime.date | None
    contract_end: datetime.date | None
    value_gbp: Decimal | None
    suppliers: list[ContractSupplierMatchOut]
    spend_in_period_gbp: Decimal
    lines_in_period: int


class ContractSpendOut(Schema):
    body: str
    total_gbp: Decimal
    lines: int
    parts: list[ContractSpendPartOut]
    contracts: list[ContractSpendRowOut]


@router.get(
    "/contracts/spend",
    response={200: ContractSpendOut, **AUTH_ERRORS, **NOT_FOUND},
    summary=gettext_noop("Spend on and off contract"),
    description=gettext_noop(
        "A body's ledger in four parts that add up to its total: on contract (the supplier "
        "holds one of the body's contracts covering the payment date), outside a contract's "
        "period, off contract, and cannot tell (withheld or unnamed payee, or no date); and "
        "each contract's spend in its period with its suppliers' matches to the ledger. For "
        "the body's own members and the programme's overseers."
    ),
)
def contract_spend(request: HttpRequest, body: str) -> dict[str, object]:
    from infuse.reference.models import Body

    from .contract_selectors import contract_spend_of_body

    user = signed_in_user(request)
    found = Body.objects.filter(code=body[:32]).first()
    spend = contract_spend_of_body(user, found) if found is not None else None
    if found is None or spend is None:
        raise HttpError(404, _("No spend you may see is imported for that body."))
    return {
        "body": found.code,
        "total_gbp": spend.spend.total.amount,
        "lines": spend.spend.total.lines,
        "parts": [
            {"part": part["key"], "amount_gbp": part["amount"], "lines": part["lines"]}
            for part in spend.parts()
        ],
        "contracts": [
            {
                "contract_id": row["record"].pk,
                "ocid": row["record"].ocid,
                "title": row["record"].title,
                "contract_start": row["record"].contract_start,
                "contract_end": row["record"].contract_end,
                "value_gbp": row["record"].value,
                "suppliers": [
                    {
                        "name": match["name"],
                        "cluster_id": match["cluster_id"],
                        "ledger_name": match["cluster_name"],
                        "matched_by": match["match"],
                    }
                    for match in row["matches"]
                ],
                "spend_in_period_gbp": row["spend"].amount if row["spend"] else Decimal("0.00"),
                "lines_in_period": row["spend"].lines if row["spend"] else 0,
            }
            for row in spend.contract_rows()
        ],
    }
