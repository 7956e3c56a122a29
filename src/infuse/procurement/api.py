"""The Procurement Lab's spend figures through the API, under the same policy as the pages."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

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


class SpendSummaryOut(Schema):
    bodies: list[str]
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
        "for the bodies and period asked (all the spend you may see by default)."
    ),
)
def spend_summary(request: HttpRequest, filters: Query[SpendFilterIn]) -> dict[str, object]:
    spend = _filter(request, filters)
    overview = selectors.spend_overview(signed_in_user(request), spend)
    return {"bodies": list(spend.bodies), **overview.__dict__}


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
